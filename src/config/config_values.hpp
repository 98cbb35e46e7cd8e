// Text forms of configuration values (integers, YAML 1.1 booleans, byte sizes, PostgreSQL intervals
// and lock timeouts, type names), checked without a database. Each returns nullopt/false when invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chameleon::config {

// Decimal integer, optional sign, "_" allowed between digits ("10_000"); nullopt on overflow.
std::optional<int64_t> parse_integer(std::string_view text);

// YAML 1.1 booleans in any case: true/false, yes/no, on/off.
std::optional<bool> parse_boolean(std::string_view text);

// Bytes: a positive integer with an optional k, M or G suffix (any case, optionally followed by B):
// "300M", "1G", "512k", "1048576".
std::optional<int64_t> parse_byte_size(std::string_view text);

// A PostgreSQL interval in the traditional form ("1 day", "2h 30min", "@ 1 day", "01:30:00") or
// ISO 8601 ("P1DT2H"); checks the words and numbers, not the magnitude.
bool is_interval_text(std::string_view text);

// A value for SET lock_timeout: an integer with an optional unit us, ms, s, min, h or d ("120s").
bool is_lock_timeout_text(std::string_view text);

// A PostgreSQL type name safe to put in DDL: letters, digits, "_", ".", spaces, one level of
// parentheses with digits and commas, and trailing "[]" ("numeric(10,2)", "timestamp(3) with time zone").
bool is_type_name_text(std::string_view text);

// Edit distance counting a swap of two adjacent characters as one edit, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace chameleon::config
