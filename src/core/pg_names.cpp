// The PostgreSQL names of MySQL tables and columns (see pg_names.hpp).
#include "core/pg_names.hpp"

#include <cstdio>
#include <map>

#include "core/sql_quote.hpp"

namespace chameleon::core {

namespace {

std::string
rewritten(std::string_view name) {
	char suffix[10];
	std::snprintf(suffix, sizeof suffix, "_%08x", static_cast<unsigned>(name_hash(name)));
	return std::string(utf8_prefix(name, max_identifier - 9)) + suffix;
}

} // namespace

std::string_view
utf8_prefix(std::string_view text, std::size_t max) {
	if (text.size() <= max)
		return text;
	std::size_t end = max;
	while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
		--end;
	return text.substr(0, end);
}

std::uint32_t
name_hash(std::string_view name) {
	std::uint32_t hash = 2166136261u;
	for (char c : name) {
		hash ^= static_cast<unsigned char>(c);
		hash *= 16777619u;
	}
	return hash;
}

bool
is_system_column(std::string_view name) {
	for (const char *system : {"xmin", "xmax", "cmin", "cmax", "ctid", "tableoid"})
		if (name == system)
			return true;
	return false;
}

std::string
pg_table_name(std::string_view mysql_name) {
	return mysql_name.size() <= max_identifier ? std::string(mysql_name) : rewritten(mysql_name);
}

std::string
pg_column_name(std::string_view mysql_name) {
	return mysql_name.size() <= max_identifier && !is_system_column(mysql_name) ? std::string(mysql_name)
																				: rewritten(mysql_name);
}

std::string
quote_column(std::string_view mysql_name) {
	return quote_ident(pg_column_name(mysql_name));
}

NameCollision
find_collision(const std::vector<std::string> &mysql_names, bool columns) {
	std::map<std::string, std::size_t> seen;
	for (std::size_t i = 0; i < mysql_names.size(); ++i) {
		std::string pg = columns ? pg_column_name(mysql_names[i]) : pg_table_name(mysql_names[i]);
		auto [it, inserted] = seen.emplace(pg, i);
		if (!inserted)
			return {it->second, i, pg};
	}
	return {};
}

} // namespace chameleon::core
