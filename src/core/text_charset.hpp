// MySQL text -> UTF-8, the one conversion of text values for the initial copy and the replay: a value
// is converted from its character set (the copy's connection charset, or the column's charset for a
// binlog row) and bytes that are not valid in it make the row a discarded row on both paths.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace chameleon::core {

// A MySQL character set as the conversion sees it.
struct TextCharset {
	enum Kind : std::uint8_t {
		none,	   // not character data: no conversion, no check
		utf8,	   // utf8mb4, utf8mb3, utf8: checked as UTF-8 as PostgreSQL does (no surrogates, no
				   // overlong forms, nothing above U+10FFFF)
		latin1,	   // MySQL's latin1 (Windows-1252, the five bytes it leaves undefined as the C1 controls)
		ascii,	   // 7-bit
		converted, // another character set the C library's iconv converts (latin2, cp1251, gbk, ...)
		other,	   // a character set nothing here converts: only its 7-bit (ASCII) text is accepted
	};
	Kind kind = none;
	const char *mysql_name = nullptr; // converted: MySQL's name, for messages
	const char *iconv_name = nullptr; // converted: the name iconv_open(3) knows it by

	// Implicit from a kind, so that TextCharset::utf8 and the other kinds are values of the type.
	// NOLINTNEXTLINE(google-explicit-constructor)
	constexpr TextCharset(Kind k = none, const char *mysql = nullptr, const char *iconv = nullptr)
		: kind(k), mysql_name(mysql), iconv_name(iconv) {}
	friend bool operator==(TextCharset a, Kind k) { return a.kind == k; }
	friend bool operator!=(TextCharset a, Kind k) { return a.kind != k; }
};

// The MySQL data types whose values are character text (char, varchar and the text types).
bool is_character_type(std::string_view data_type);

// From a MySQL character set name ("utf8mb4", "latin1", "latin2", ...); "binary" and "" are none.
TextCharset charset_by_name(std::string_view name);

// From a MySQL/MariaDB collation id (TABLE_MAP charset metadata); none when the id is 0 or unknown.
TextCharset charset_by_collation(std::uint32_t id);

// Appends bytes converted to UTF-8. False when they are not valid in charset: out is then unchanged
// and *problem (when not null) says where, e.g. "not valid utf8mb4 text: byte 0xed at offset 1".
bool append_utf8(TextCharset charset, std::string_view bytes, std::string &out, std::string *problem);

// Whether append_utf8 would append bytes unchanged (UTF-8 and ASCII text that is valid, or no charset).
bool passes_unchanged(TextCharset charset, std::string_view bytes);

// Appends bytes for a message or a catalogue row: valid UTF-8 as it is, any other byte as \xNN.
void append_readable(std::string_view bytes, std::string &out);

} // namespace chameleon::core
