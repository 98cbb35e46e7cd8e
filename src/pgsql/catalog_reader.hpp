// Reads the tables of a PostgreSQL source from its catalogue, over libpq, in the snapshot of the
// connection's transaction: columns, types, enum types, constraints, indexes, foreign keys.
#pragma once

#include "core/table_filter.hpp"
#include "pgsql/connection.hpp"
#include "pgsql/source_table.hpp"

#include <string>
#include <vector>

namespace chameleon::pgsql {

struct SourceSchema {
	std::vector<SourceTable> tables;  // ordinary and partitioned tables (not partitions), by schema, name
	std::vector<SourceEnum> enums;	  // the enum types the columns use; destination names unique per schema
	std::vector<std::string> notices; // what does not carry over exactly (domains, dropped defaults)
};

// The tables of the mapped schemas that the filter keeps. Throws chameleon::Error for a column
// whose type cannot be carried over (a composite or other user-defined type), naming it.
SourceSchema read_schema(Connection &connection, const core::TableFilter &filter,
						 const std::vector<std::string> &schemas);

} // namespace chameleon::pgsql
