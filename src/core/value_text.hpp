// Value conversion from MySQL's text-protocol output to PostgreSQL input text, and COPY text-format
// escaping. Hot paths of the initial copy: no iostreams, output appended to caller-owned buffers.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/text_charset.hpp"

namespace chameleon::core {

// How a MySQL value of a column becomes PostgreSQL input text (chosen per column by map_column).
enum class ValueForm {
	AsIs,			// integers, decimals, floats, strings, enum labels, year: text unchanged
	Boolean,		// decimal text (tinyint) or raw bytes (bit): zero -> "f", anything else -> "t"
	BitString,		// bit(n): raw big-endian bytes -> n binary digits "0101"
	ZeroDateToNull, // date, datetime: "0000-00-00..." and dates with a zero month/day -> NULL
	TimestampUtc,	// timestamp: like ZeroDateToNull, and "+00" appended (MySQL session in UTC)
	Interval,		// time: "[-]H+:MM:SS[.ffffff]" is already interval input; unchanged
	SetToArray,		// set: "a,b" -> {"a","b"}, "" -> {}
	Bytea,			// binary strings: raw bytes -> \x + lower-case hex
	Json,			// json: JSON text unchanged (MySQL binary JSON is decoded by the binlog module)
	Geometry,		// spatial, PostGIS present: SRID (4 bytes LE) + WKB -> EWKB as hex text
	GeometryBytea,	// spatial, no PostGIS: SRID + WKB -> EWKB as bytea (\x + hex)
	Uuid,			// MariaDB uuid: text unchanged
	Inet,			// MariaDB inet4/inet6: text unchanged
	Vector,			// vector: little-endian float32 array -> {1.5,2,...}
};

struct ValueOptions {
	int bit_length = 0;				// BitString: n of bit(n)
	bool zero_dates_to_null = true; // zero_dates policy "null"; false: policy "error"
	bool strip_nul = true;			// copy escaping: drop NUL bytes (true) or report them (false)
	TextCharset text_charset = TextCharset::none; // AsIs and Json: converted from it (text_charset.hpp)
};

enum class ValueStatus {
	Ok,
	ZeroDateAsNull,	  // a zero date became NULL (policy "null")
	ZeroDateRejected, // a zero date under policy "error": the caller raises the error
	Invalid,		  // input not in the form's expected shape (e.g. vector length not a multiple of 4)
	NulByte,		  // a NUL byte with strip_nul off: the caller raises the error
	InvalidText,	  // bytes not valid in options.text_charset: the row is discarded (append_utf8 says why)
};

// Appends the PostgreSQL input text of one non-NULL value to out. Nothing is appended for
// ZeroDateAsNull, ZeroDateRejected, Invalid and InvalidText. NUL bytes are left alone (see copy_escape).
ValueStatus to_pg_text(ValueForm form, std::string_view mysql_text, std::string &out,
					   const ValueOptions &options);

// Appends text escaped for COPY text format (\\, \t, \n, \r). NUL bytes are removed when strip_nul,
// otherwise the function stops at the first one and returns false (out then holds a partial field).
bool copy_escape(std::string_view text, std::string &out, bool strip_nul);

// Appends one COPY text-format field: \N for a NULL value (nullopt) or a zero date turned into
// NULL, else to_pg_text + copy_escape. scratch is a reusable work buffer.
ValueStatus append_copy_field(ValueForm form, std::optional<std::string_view> mysql_text, std::string &out,
							  std::string &scratch, const ValueOptions &options);

} // namespace chameleon::core
