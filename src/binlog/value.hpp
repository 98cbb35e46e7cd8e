// Decoded column values: a small flat struct that points into the event buffer for anything
// variable-length, plus text renderings (PostgreSQL-friendly text and a JSON rendering of rows).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/table_map.hpp"

namespace chameleon::binlog {

enum class ValueKind : uint8_t {
	missing, // column not present in this row image (binlog_row_image=MINIMAL/NOBLOB)
	null,
	int64,	// signed integers of every width
	uint64, // unsigned integers of every width
	float32,
	float64,
	decimal,	// packed binary NEWDECIMAL in data/size with precision/scale; see append_decimal
	date,		// temporal: year, month, day
	time,		// temporal: negative, hour (up to 838), minute, second, microsecond
	datetime,	// temporal
	timestamp,	// seconds/microsecond since the Unix epoch, UTC
	year,		// int64: 0 or 1901..2155
	string,		// bytes in data/size (CHAR, VARCHAR, BINARY, VARBINARY, TEXT, BLOB, MariaDB JSON)
	enum_index, // uint64: 1-based index into Column::enum_values, 0 for the empty error value
	set_bits,	// uint64: bit i set = Column::set_values[i] is a member
	bit,		// uint64: BIT(n) value
	json,		// MySQL binary JSON in data/size (empty = JSON null from an empty value)
	geometry,	// 4-byte little-endian SRID followed by WKB, in data/size
	vector,		// little-endian float32 array in data/size; the apply side must map or refuse it
};

struct Temporal {
	uint16_t year = 0;
	uint8_t month = 0;
	uint8_t day = 0;
	uint16_t hour = 0; // TIME allows up to 838 (and the storage up to 1023)
	uint8_t minute = 0;
	uint8_t second = 0;
	uint32_t microsecond = 0;
	bool negative = false; // TIME only
};

struct Value {
	ValueKind kind = ValueKind::missing;
	uint8_t fsp = 0;		// fractional digits of temporal values (0 for the legacy types)
	bool zero_date = false; // DATE/DATETIME with a zero year/month/day part or TIMESTAMP 0 ('0000-00-00 ...')
	uint8_t precision = 0;	// decimal
	uint8_t scale = 0;		// decimal
	uint32_t size = 0;
	const uint8_t *data = nullptr;
	union {
		int64_t i64;
		uint64_t u64;
		float f32;
		double f64;
	};
	Temporal temporal;		   // date, time, datetime
	int64_t epoch_seconds = 0; // timestamp

	Value() : i64(0) {}
	bool is_null() const { return kind == ValueKind::null; }
	std::string_view bytes() const { return {reinterpret_cast<const char *>(data), size}; }
	// Microseconds since the epoch (timestamp) or since midnight, signed (time).
	int64_t timestamp_micros() const { return epoch_seconds * 1000000 + temporal.microsecond; }
	int64_t time_micros() const;
};

// Appends v in decimal, left-padded with zeros to width digits.
void append_padded(std::string &out, uint64_t v, int width);

// Appends the exact digits of a packed decimal ("-12.30", "0.00"; never a negative zero).
void append_decimal(std::string &out, const uint8_t *packed, size_t size, int precision, int scale);
size_t decimal_binary_size(int precision, int scale);

// Appends the canonical text of a value for the PostgreSQL type it maps to: integers and decimals
// as digits, floats as the shortest round-trip text, dates YYYY-MM-DD, times [-]HH:MM:SS[.f],
// datetimes YYYY-MM-DD HH:MM:SS[.f], timestamps the same in UTC followed by +00, strings and
// geometry as raw bytes, ENUM/SET as their labels when the TABLE_MAP carried them (else the
// number), BIT as a string of n binary digits, JSON as MySQL's text, VECTOR as [f,f,...],
// INET6/UUID (Column::logical) as their text forms. NULL and missing append nothing.
void append_text(std::string &out, const Value &value, const Column &column);
std::string to_text(const Value &value, const Column &column);

// Appends the value as a JSON value: numbers, strings, nested JSON; bytes of binary columns or
// that are not valid UTF-8 as the string "\\x<hex>".
void append_json_value(std::string &out, const Value &value, const Column &column);

// Appends a row as a JSON object {"name or @N": value, ...}; missing columns are left out.
void append_row_json(std::string &out, const std::vector<Value> &row, const TableMap &table);

// JSON string literal with MySQL's escaping, appended with the quotes.
void append_json_string(std::string &out, std::string_view text);
bool is_valid_utf8(std::string_view text);

} // namespace chameleon::binlog
