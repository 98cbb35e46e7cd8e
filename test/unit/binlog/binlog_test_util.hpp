// Helpers for the binlog decoder tests: encoders written from the MySQL row-format specs, so
// that test vectors are built from values rather than copied from a server.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "binlog/crc32.hpp"
#include "binlog/rows.hpp"
#include "binlog/table_map.hpp"
#include "binlog/value.hpp"

namespace binlog_test {

using Bytes = std::vector<uint8_t>;

inline void
put_le(Bytes &out, uint64_t v, size_t n) {
	for (size_t i = 0; i < n; i++)
		out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

inline void
put_be(Bytes &out, uint64_t v, size_t n) {
	for (size_t i = n; i-- > 0;)
		out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

inline void
put_str(Bytes &out, const std::string &s) {
	out.insert(out.end(), s.begin(), s.end());
}

// The start of a MariaDB QUERY_COMPRESSED_EVENT body: thread id 1, no execution time, database
// "db", no error code and no status variables; the compressed statement follows.
inline Bytes
compressed_query_prefix() {
	Bytes q;
	put_le(q, 1, 4);
	put_le(q, 0, 4);
	q.push_back(2);
	put_le(q, 0, 2);
	put_le(q, 0, 2);
	put_str(q, "db");
	q.push_back(0);
	return q;
}

inline chameleon::binlog::Column
column(chameleon::binlog::ColumnType type) {
	chameleon::binlog::Column c;
	c.type = c.real_type = type;
	return c;
}

// Decodes `bytes` as one value of `col`; requires that the whole input is consumed.
inline chameleon::binlog::Value
decode(const chameleon::binlog::Column &col, const Bytes &bytes) {
	chameleon::binlog::Value v;
	const uint8_t *end = chameleon::binlog::decode_value(col, bytes.data(), bytes.data() + bytes.size(), v);
	if (end != bytes.data() + bytes.size())
		throw std::runtime_error("value did not consume its bytes");
	return v;
}

inline std::string
text(const chameleon::binlog::Column &col, const Bytes &bytes) {
	return chameleon::binlog::to_text(decode(col, bytes), col);
}

// Packed DECIMAL(precision, scale) of a decimal literal such as "-123.4500".
inline Bytes
encode_decimal(const std::string &literal, int precision, int scale) {
	static const int bytes_for_digits[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
	bool negative = literal[0] == '-';
	std::string body = negative ? literal.substr(1) : literal;
	size_t dot = body.find('.');
	std::string integer = body.substr(0, dot);
	std::string fraction = dot == std::string::npos ? "" : body.substr(dot + 1);
	int integer_digits = precision - scale;
	while (!integer.empty() && integer[0] == '0')
		integer.erase(0, 1);
	integer = std::string(static_cast<size_t>(integer_digits) - integer.size(), '0') + integer;
	fraction += std::string(static_cast<size_t>(scale) - fraction.size(), '0');
	Bytes out;
	auto group = [&](const std::string &digits) {
		uint64_t v = digits.empty() ? 0 : std::stoull(digits);
		put_be(out, v, static_cast<size_t>(digits.size() == 9 ? 4 : bytes_for_digits[digits.size()]));
	};
	size_t lead = static_cast<size_t>(integer_digits % 9);
	if (lead)
		group(integer.substr(0, lead));
	for (size_t i = lead; i < integer.size(); i += 9)
		group(integer.substr(i, 9));
	for (size_t i = 0; i + 9 <= fraction.size(); i += 9)
		group(fraction.substr(i, 9));
	size_t trail = static_cast<size_t>(scale % 9);
	if (trail)
		group(fraction.substr(fraction.size() - trail));
	out[0] ^= 0x80;
	if (negative)
		for (uint8_t &b : out)
			b = static_cast<uint8_t>(~b);
	return out;
}

inline void
put_fraction(Bytes &out, uint32_t micros, int fsp) {
	if (fsp == 1 || fsp == 2)
		put_be(out, micros / 10000, 1);
	else if (fsp == 3 || fsp == 4)
		put_be(out, micros / 100, 2);
	else if (fsp == 5 || fsp == 6)
		put_be(out, micros, 3);
}

inline Bytes
encode_datetime2(int y, int mo, int d, int h, int mi, int s, uint32_t micros, int fsp) {
	uint64_t ymd =
		(static_cast<uint64_t>(y) * 13 + static_cast<uint64_t>(mo)) << 5 | static_cast<uint64_t>(d);
	uint64_t hms = static_cast<uint64_t>(h) << 12 | static_cast<uint64_t>(mi) << 6 | static_cast<uint64_t>(s);
	Bytes out;
	put_be(out, (ymd << 17 | hms) + 0x8000000000ull, 5);
	put_fraction(out, micros, fsp);
	return out;
}

// TIME2 as MySQL's my_time_packed_to_binary stores it, from a signed packed value.
inline Bytes
encode_time2(bool negative, int h, int mi, int s, uint32_t micros, int fsp) {
	int64_t hms = static_cast<int64_t>(h) << 12 | mi << 6 | s;
	int64_t packed = (hms << 24) + micros;
	if (negative)
		packed = -packed;
	int64_t int_part = packed >= 0 ? packed >> 24 : -((-packed + (1 << 24) - 1) >> 24); // floor
	int64_t frac_part = packed % (1 << 24);												// sign of packed
	Bytes out;
	if (fsp >= 5) {
		put_be(out, static_cast<uint64_t>(packed + 0x800000000000ll), 6);
		return out;
	}
	put_be(out, static_cast<uint64_t>(int_part + 0x800000), 3);
	if (fsp == 1 || fsp == 2)
		out.push_back(static_cast<uint8_t>(static_cast<int8_t>(frac_part / 10000)));
	else if (fsp == 3 || fsp == 4)
		put_be(out, static_cast<uint16_t>(static_cast<int16_t>(frac_part / 100)), 2);
	return out;
}

// A complete v4 event: header, body, and a CRC32 when with_crc.
inline Bytes
make_event(uint8_t type, const Bytes &body, bool with_crc, uint16_t flags = 0, uint32_t log_pos = 1000) {
	Bytes e;
	put_le(e, 1700000000, 4);
	e.push_back(type);
	put_le(e, 1, 4);
	put_le(e, 19 + body.size() + (with_crc ? 4 : 0), 4);
	put_le(e, log_pos, 4);
	put_le(e, flags, 2);
	e.insert(e.end(), body.begin(), body.end());
	if (with_crc)
		put_le(e, chameleon::binlog::crc32(0, e.data(), e.size()), 4);
	return e;
}

// FORMAT_DESCRIPTION of a server version, with the post-header lengths of MySQL 8.
inline Bytes
make_fde(const std::string &version, uint8_t checksum_alg, bool with_checksum_fields, uint16_t flags = 0) {
	Bytes body;
	put_le(body, 4, 2);
	std::string v = version;
	v.resize(50, '\0');
	put_str(body, v);
	put_le(body, 1700000000, 4);
	body.push_back(19);
	// post-header lengths by type 1..42 (MySQL 8.0 values)
	const uint8_t lengths[] = {56, 13, 0, 8, 0, 0, 0, 0, 4,	 0,	 4,	 0,	 0,	 0, 98, 0,	4, 26, 8,  0, 0,
							   0,  8,  8, 8, 2, 0, 0, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0, 0};
	body.insert(body.end(), std::begin(lengths), std::end(lengths));
	if (!with_checksum_fields)
		return make_event(15, body, false, flags);
	body.push_back(checksum_alg);
	Bytes e = make_event(15, body, true, 0);
	e[17] = static_cast<uint8_t>(flags); // set after the CRC, as the server does with IN_USE
	return e;
}

} // namespace binlog_test
