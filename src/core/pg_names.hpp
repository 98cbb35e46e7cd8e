// The PostgreSQL names of MySQL tables and columns: a MySQL name is kept as it is when PostgreSQL
// can hold it, else it gets a deterministic replacement (doc/security.md, "Names").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::core {

constexpr std::size_t max_identifier = 63; // NAMEDATALEN - 1, in bytes

// Cuts UTF-8 text to at most max bytes without splitting a character.
std::string_view utf8_prefix(std::string_view text, std::size_t max);

// FNV-1a, 32 bits, over the bytes of name: stable across builds and platforms.
std::uint32_t name_hash(std::string_view name);

// Whether PostgreSQL reserves name for a system column (xmin, xmax, cmin, cmax, ctid, tableoid).
bool is_system_column(std::string_view name);

// The name a MySQL table has in PostgreSQL: the same name when it fits in 63 bytes, else its first
// bytes (at most 54, cut on a character boundary) followed by "_" and the 8 lower-case hex digits of
// name_hash of the whole name. The result always fits and differs from every other rewritten name
// unless the hashes meet.
std::string pg_table_name(std::string_view mysql_name);

// The name a MySQL column has in PostgreSQL: as pg_table_name, and a system column name is rewritten
// the same way ("xmin" becomes "xmin_" and its hash).
std::string pg_column_name(std::string_view mysql_name);

// pg_column_name, quoted for SQL text.
std::string quote_column(std::string_view mysql_name);

// Two MySQL names of one namespace (tables of a destination schema, columns of a table) that have
// the same PostgreSQL name: the positions of the first pair found, in the order given, and their
// PostgreSQL name (empty when there is none).
struct NameCollision {
	std::size_t first = 0, second = 0;
	std::string pg_name;
	bool found() const { return !pg_name.empty(); }
};
NameCollision find_collision(const std::vector<std::string> &mysql_names, bool columns);

} // namespace chameleon::core
