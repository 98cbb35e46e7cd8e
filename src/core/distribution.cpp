// Scale-out rules: see distribution.hpp.
#include "core/distribution.hpp"

#include "common/ascii.hpp"
#include "common/error.hpp"
#include "core/pg_names.hpp"

#include <algorithm>

namespace chameleon::core {

namespace {

// 2: the entry names the table; 1: "schema.*"; 0: no match.
int
match_rank(std::string_view entry, std::string_view schema, std::string_view table) {
	std::size_t dot = entry.find('.');
	if (dot == std::string_view::npos || entry.substr(0, dot) != schema)
		return 0;
	std::string_view name = entry.substr(dot + 1);
	if (name == table)
		return 2;
	return name == "*" ? 1 : 0;
}

std::string
qualified_origin(const TableLayout &layout) {
	return "\"" + layout.origin_schema + "." + layout.table + "\"";
}

} // namespace

Distribution
distribution_of(const DistributionRules &rules, std::string_view schema, std::string_view table) {
	Distribution best;
	int best_rank = 0;
	for (const auto &[entry, column] : rules.distribute)
		if (int rank = match_rank(entry, schema, table); rank > best_rank) {
			best = {DistributionKind::distributed, column};
			best_rank = rank;
		}
	for (const std::string &entry : rules.reference)
		if (int rank = match_rank(entry, schema, table); rank > best_rank) {
			best = {DistributionKind::reference, {}};
			best_rank = rank;
		}
	return best;
}

void
check_distribution(const Distribution &distribution, const TableLayout &layout) {
	if (distribution.kind != DistributionKind::distributed)
		return;
	auto is_column = [&](const std::string &name) { return equal_ignoring_case(name, distribution.column); };
	if (!std::any_of(layout.columns.begin(), layout.columns.end(),
					 [&](const LayoutColumn &column) { return is_column(column.mysql.name); }))
		throw Error(sqlstate::feature_not_supported,
					"table " + qualified_origin(layout) + " has no column \"" + distribution.column +
						"\" to distribute by",
					{},
					"Name an existing column of the table in \"distribute_tables\", or list the table in "
					"\"reference_tables\".");
	for (const LayoutIndex &index : layout.indexes) {
		if (index.kind != IndexKind::primary && index.kind != IndexKind::unique)
			continue;
		if (std::any_of(index.columns.begin(), index.columns.end(), is_column))
			continue;
		std::string what =
			index.kind == IndexKind::primary ? "primary key" : "unique key \"" + index.mysql_name + "\"";
		throw Error(sqlstate::feature_not_supported,
					"table " + qualified_origin(layout) + " cannot be distributed by column \"" +
						distribution.column + "\": its " + what + " does not include it",
					"Citus enforces a unique constraint shard by shard, so every primary and unique key of "
					"a distributed table must include its distribution column.",
					"Distribute the table by a column of every primary and unique key in "
					"\"distribute_tables\", add the column to the key in MySQL, or list the table in "
					"\"reference_tables\".");
	}
}

std::string
distribution_column(const Distribution &distribution, const TableLayout &layout) {
	for (const LayoutColumn &column : layout.columns)
		if (equal_ignoring_case(column.mysql.name, distribution.column))
			return pg_column_name(column.mysql.name);
	return pg_column_name(distribution.column);
}

std::string
distribution_text(const Distribution &distribution) {
	switch (distribution.kind) {
	case DistributionKind::distributed:
		return "distributed by " + distribution.column;
	case DistributionKind::reference:
		return "reference";
	case DistributionKind::local:
		break;
	}
	return "local";
}

} // namespace chameleon::core
