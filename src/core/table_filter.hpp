// Which MySQL tables and row events a source replicates: schema_mappings, limit_tables,
// skip_tables and skip_events with pg_chameleon's semantics. Names are compared exactly
// (case-sensitive, as MySQL on Linux with lower_case_table_names=0).
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/sql_quote.hpp" // quote_ident / quote_literal, used with the filter's names

namespace chameleon::core {

enum class EventKind { Insert, Update, Delete };

// skip_events: per DML kind, entries "schema" (every table of it) or "schema.table".
struct SkipEvents {
	std::vector<std::string> insert, update, delete_;
};

class TableFilter {
  public:
	// schema_mappings: origin MySQL schema -> destination PostgreSQL schema. limit_tables and
	// skip_tables entries are "schema.table" (split at the first dot). Throws std::invalid_argument
	// for an entry that is not schema.table (or, in skip_events, an empty entry).
	TableFilter(const std::vector<std::pair<std::string, std::string>> &schema_mappings,
				const std::vector<std::string> &limit_tables, const std::vector<std::string> &skip_tables,
				const SkipEvents &skip_events = {});

	// The schema is mapped; when limit_tables names tables of this schema the table is one of them
	// (a schema limit_tables does not mention is not limited); the table is not in skip_tables.
	bool replicates_table(std::string_view schema, std::string_view table) const;

	// skip_events lists the schema or schema.table for this kind of row event.
	bool skips_event(EventKind kind, std::string_view schema, std::string_view table) const;

	std::optional<std::string> destination_schema(std::string_view origin_schema) const;

  private:
	using Names = std::set<std::string, std::less<>>;
	// schema -> tables; for skip_events an empty set means the whole schema
	using TablesBySchema = std::map<std::string, Names, std::less<>>;

	static bool contains(const TablesBySchema &map, std::string_view schema, std::string_view table);

	std::map<std::string, std::string, std::less<>> mappings_;
	TablesBySchema limit_;
	TablesBySchema skip_;
	TablesBySchema skip_events_[3];
};

} // namespace chameleon::core
