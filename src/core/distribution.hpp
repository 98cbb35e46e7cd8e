// Scale-out rules: which destination tables are Citus distributed tables (and by which column) and
// which are reference tables, from a source's distribute_tables and reference_tables; and the check
// that a table can be distributed by its column. Pure C++: src/pg/citus applies the result.
#pragma once

#include "core/table_layout.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chameleon::core {

enum class DistributionKind { local, distributed, reference };

struct Distribution {
	DistributionKind kind = DistributionKind::local;
	std::string column; // distributed: the MySQL name of the distribution column
};

// The configuration's rules: entries "schema.table" or "schema.*" with MySQL (origin) names.
struct DistributionRules {
	std::vector<std::pair<std::string, std::string>> distribute; // entry -> distribution column
	std::vector<std::string> reference;							 // entries
	bool empty() const { return distribute.empty() && reference.empty(); }
};

// What the rules say about schema.table: an entry naming the table wins over a "schema.*" entry;
// local when no entry matches. The parser refuses an entry present in both lists.
Distribution distribution_of(const DistributionRules &rules, std::string_view schema, std::string_view table);

// Throws chameleon::Error (feature_not_supported, with a hint) when the table cannot be distributed
// by its column: the column does not exist, or the primary key or a unique key leaves it out
// (Citus enforces uniqueness shard by shard, so every unique constraint must contain it). Nothing
// to check for a local or reference table.
void check_distribution(const Distribution &distribution, const TableLayout &layout);

// The PostgreSQL name of the distribution column (check_distribution passed).
std::string distribution_column(const Distribution &distribution, const TableLayout &layout);

// "distributed by <column>", "reference" or "local", as show_status and chameleon.tables show it.
std::string distribution_text(const Distribution &distribution);

} // namespace chameleon::core
