// The PostgreSQL side of a MySQL table read from information_schema: its layout (columns
// mapped with the type map, indexes, replication key) and the mapped columns, from which the
// initial copy creates the table exactly as replicated DDL would.
#pragma once

#include "core/table_layout.hpp"
#include "mysql/schema_reader.hpp"

#include <string>
#include <vector>

namespace chameleon::mysql {

struct MappedTable {
	core::TableLayout layout;
	std::vector<core::PgColumnType> columns;
	std::vector<std::string> notices; // defaults dropped, indexes skipped, NOT NULL relaxed...
};

// context.destination_schema is the schema the table is created in.
MappedTable map_table(const TableInfo &table, const core::MapContext &context);

} // namespace chameleon::mysql
