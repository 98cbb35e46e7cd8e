// Binlog row values -> PostgreSQL input text, identical to what the initial copy writes for the same
// MySQL value, and the check that a rows event's TABLE_MAP still matches the table's layout.
#pragma once
#include <string>

#include "binlog/table_map.hpp"
#include "binlog/value.hpp"
#include "core/table_layout.hpp"
#include "core/text_charset.hpp"

namespace chameleon::replay {

// text_rejected: a text value whose bytes are not valid in its character set (core/text_charset): the
// row is discarded, as the initial copy discards it.
enum class Outcome { value, null, zero_date_rejected, nul_rejected, invalid, text_rejected };

// The source's zero_dates ("null" = true) and strip_nul policies, as the initial copy applies them.
struct ValuePolicy {
	bool zero_dates_to_null = true;
	bool strip_nul = true;
};

// Appends to out the PostgreSQL input text (not COPY-escaped) of one decoded binlog value for the
// PostgreSQL column described by `target`; `column` is the binlog TABLE_MAP column it came from.
//
// The value is first rendered as the text MySQL's text protocol gives the initial copy for it
// (FLOAT as the DOUBLE of the same value, BINARY(n) padded back to n bytes, BIT as its big-endian
// bytes, ENUM/SET as labels, TIMESTAMP in UTC), then converted with core::to_pg_text(target.form),
// so that a copied row and the same row replicated later are written alike, overrides included.
// Two texts may differ while PostgreSQL reads the same value from both: floating-point numbers are
// written in their shortest round-trip form, where MySQL may choose the other notation (1e-04 for
// 0.0001; float4in/float8in read both alike), and MySQL binary JSON is rendered by the binlog
// module as MySQL prints it (", " and ": "), which jsonb normalises anyway.
//
// Returns null for SQL NULL and for a zero date under zero_dates_to_null; zero_date_rejected and
// nul_rejected for the policies; text_rejected, with the reason in *problem, for text not valid in
// its character set (a text column is converted to UTF-8 from it, as the initial copy does);
// invalid, with a reason in *problem (when problem is not null), when the value cannot be
// represented in the target type: ENUM index 0 (MySQL's '' error value) into a PostgreSQL enum, an
// ENUM/SET value outside the known labels, a malformed value, a column missing from the row image,
// or a binlog column type incompatible with the layout (the layout drifted). out is unchanged
// unless the outcome is value.
Outcome append_pg_text(const binlog::Value &value, const binlog::Column &column,
					   const core::LayoutColumn &target, const ValuePolicy &policy, std::string &out,
					   std::string *problem);

// What append_pg_text works out from a column pair alone, worked out once for the rows of an
// event rather than once per value. References both columns: valid while they are.
enum class StringKind { plain, binary, inet4, inet6, uuid };
struct ColumnConversion {
	const binlog::Column *column = nullptr;
	const core::LayoutColumn *target = nullptr;
	bool compatible = false;	 // the binlog type is what MySQL writes for the layout's type
	core::TextCharset charset{}; // of a text column's bytes
	StringKind string_kind = StringKind::plain;
};
ColumnConversion prepare_column(const binlog::Column &column, const core::LayoutColumn &target);
Outcome append_pg_text(const binlog::Value &value, const ColumnConversion &conversion,
					   const ValuePolicy &policy, std::string &out, std::string *problem);

// Checks that the TABLE_MAP of a rows event matches the layout: same column count; when the
// TABLE_MAP has column names (binlog_row_metadata=FULL), the same names in the same order; each
// binlog column type compatible with the layout's MySQL type, and what the TABLE_MAP says of it
// that the layout also knows (integer signedness, decimal precision and scale, bit length,
// fractional digits, BINARY length, ENUM/SET labels) the same. Returns an empty string when it
// matches, else a sentence saying the first difference (for the error log).
std::string layout_mismatch(const binlog::TableMap &table_map, const core::TableLayout &layout);

} // namespace chameleon::replay
