// PostgreSQL identifier and literal quoting for SQL text built by the replica (DDL, defaults).
#pragma once
#include <string>
#include <string_view>

namespace chameleon::core {

// Always quotes: "name", embedded double quotes doubled. Case and every character are kept.
std::string quote_ident(std::string_view name);

// 'text' with quotes doubled; text containing a backslash becomes E'...' with backslashes doubled
// (as PostgreSQL's quote_literal does), so the result reads the same whatever
// standard_conforming_strings is.
std::string quote_literal(std::string_view text);

} // namespace chameleon::core
