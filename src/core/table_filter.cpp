// Table and row-event filters of a source.
#include "core/table_filter.hpp"

#include <stdexcept>

namespace chameleon::core {

namespace {

std::pair<std::string, std::string>
split_table(const std::string &entry, const char *setting) {
	std::size_t dot = entry.find('.');
	if (dot == std::string::npos || dot == 0 || dot + 1 == entry.size())
		throw std::invalid_argument(std::string(setting) + " entry \"" + entry + "\" is not schema.table");
	return {entry.substr(0, dot), entry.substr(dot + 1)};
}

} // namespace

TableFilter::TableFilter(const std::vector<std::pair<std::string, std::string>> &schema_mappings,
						 const std::vector<std::string> &limit_tables,
						 const std::vector<std::string> &skip_tables, const SkipEvents &skip_events)
	: mappings_(schema_mappings.begin(), schema_mappings.end()) {
	for (const std::string &entry : limit_tables) {
		auto [schema, table] = split_table(entry, "limit_tables");
		limit_[schema].insert(table);
	}
	for (const std::string &entry : skip_tables) {
		auto [schema, table] = split_table(entry, "skip_tables");
		skip_[schema].insert(table);
	}
	const std::vector<std::string> *lists[3] = {&skip_events.insert, &skip_events.update,
												&skip_events.delete_};
	for (int kind = 0; kind < 3; ++kind) {
		for (const std::string &entry : *lists[kind]) {
			if (entry.empty())
				throw std::invalid_argument("skip_events entry is empty");
			std::size_t dot = entry.find('.');
			if (dot == std::string::npos) {
				skip_events_[kind][entry].clear(); // whole schema
				continue;
			}
			auto [schema, table] = split_table(entry, "skip_events");
			auto found = skip_events_[kind].find(schema);
			if (found == skip_events_[kind].end())
				skip_events_[kind][schema].insert(table);
			else if (!found->second.empty()) // a whole-schema entry stays whole
				found->second.insert(table);
		}
	}
}

bool
TableFilter::contains(const TablesBySchema &map, std::string_view schema, std::string_view table) {
	auto found = map.find(schema);
	return found != map.end() && found->second.find(table) != found->second.end();
}

bool
TableFilter::replicates_table(std::string_view schema, std::string_view table) const {
	if (mappings_.find(schema) == mappings_.end())
		return false;
	if (limit_.find(schema) != limit_.end() && !contains(limit_, schema, table))
		return false;
	return !contains(skip_, schema, table);
}

bool
TableFilter::skips_event(EventKind kind, std::string_view schema, std::string_view table) const {
	const TablesBySchema &map = skip_events_[static_cast<int>(kind)];
	auto found = map.find(schema);
	return found != map.end() && (found->second.empty() || found->second.find(table) != found->second.end());
}

std::optional<std::string>
TableFilter::destination_schema(std::string_view origin_schema) const {
	auto found = mappings_.find(origin_schema);
	if (found == mappings_.end())
		return std::nullopt;
	return found->second;
}

} // namespace chameleon::core
