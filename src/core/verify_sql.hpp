// The SQL of data verification (chameleon.verify_tables): per column, a MySQL expression and a
// PostgreSQL expression that print the same canonical text for the same value, and the queries
// that count and hash a key range of a table on each side, list its rows, and walk its key order.
// The canonical forms are in doc/architecture.md ("Verification").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/table_layout.hpp"

namespace chameleon::core {

// The canonical text of one column's value on each side. NULL stays NULL on both.
struct CanonicalColumn {
	std::string mysql; // MySQL expression (utf8mb4 text)
	std::string pg; // PostgreSQL expression (text); needs TimeZone UTC, DateStyle ISO, IntervalStyle postgres
	bool json = false; // PostgreSQL's text is jsonb's: core::canonical_json makes it MySQL's form
};

CanonicalColumn canonical_column(const LayoutColumn &column);

// One end of a key range: for each key column, MySQL's own text of the value (a literal for MySQL)
// and its canonical text (a literal for PostgreSQL, cast to the column's type).
struct KeyBound {
	std::vector<std::string> mysql;
	std::vector<std::string> canonical;
};

// Whether the key can be cut into ranges that hold the same rows on both sides: every key column
// orders the same way in MySQL and PostgreSQL (integers, decimals, temporal types, strings by
// code point, binary strings). Otherwise the table is verified as one range.
bool key_has_ranges(const TableLayout &layout);

// SELECT COUNT(*), SUM of the CRC32 of each row's text (0 when empty) of the rows with
// lower < key <= upper (an absent bound: no limit).
std::string mysql_range_hash(const TableLayout &layout, const std::optional<KeyBound> &lower,
							 const std::optional<KeyBound> &upper);
// PostgreSQL's canonical value of every column of each row of the range, from which the caller
// computes the same count and sum (core::row_hash_text, core::row_crc32); the bounds' canonical
// values are parameters $1..$n (lower first).
std::string pg_range_values(const TableLayout &layout, bool lower, bool upper);
// For a table without JSON columns: each row's text itself, as MySQL hashes it (one value per row
// to read, which makes PostgreSQL's side several times cheaper than reading every value).
std::string pg_range_text(const TableLayout &layout, bool lower, bool upper);
// Whether the row text has a NULL digit for the column: not for a column MySQL keeps NOT NULL
// (unless a zero date, NULL in PostgreSQL, can be in it), which saves both servers work.
bool null_digit(const LayoutColumn &column);
std::vector<bool> null_digits(const TableLayout &layout);
// Whether a column of the table is JSON (its canonical text is made in C++ on PostgreSQL's side).
bool has_json(const TableLayout &layout);

// Each row of the range in key order: its key as canonical text (columns joined with ',') then
// the canonical text of every column of the layout.
std::string mysql_range_rows(const TableLayout &layout, const std::optional<KeyBound> &lower,
							 const std::optional<KeyBound> &upper);
std::string pg_range_rows(const TableLayout &layout, bool lower, bool upper);

// The key of the row `step` rows after lower in MySQL's key order, among the rows up to upper (an
// absent bound: no limit): MySQL's text of each key column, then their canonical text.
std::string mysql_next_bound(const TableLayout &layout, const std::optional<KeyBound> &lower,
							 const std::optional<KeyBound> &upper, int64_t step);

// PostgreSQL parameters for pg_range_hash / pg_range_rows.
std::vector<std::string> pg_bound_params(const std::optional<KeyBound> &lower,
										 const std::optional<KeyBound> &upper);

// A MySQL string literal ('...' with quotes and backslashes escaped) and a backquoted identifier.
std::string mysql_literal(std::string_view text);
std::string mysql_ident(std::string_view name);

} // namespace chameleon::core
