// Byte-level tests of every column type of the row format, built from the format specs.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "binlog/decode_error.hpp"
#include "binlog/json_binary.hpp"
#include "binlog_test_util.hpp"

using namespace chameleon::binlog;
using namespace binlog_test;

TEST_CASE("binlog integers of every width, signed and unsigned", "[binlog][values]") {
	Column tiny = column(ColumnType::tiny);
	CHECK(text(tiny, {0x80}) == "-128");
	CHECK(text(tiny, {0x7f}) == "127");
	Column short_col = column(ColumnType::short_int);
	CHECK(text(short_col, {0x00, 0x80}) == "-32768");
	CHECK(text(short_col, {0xff, 0x7f}) == "32767");
	Column int24 = column(ColumnType::int24);
	CHECK(text(int24, {0x00, 0x00, 0x80}) == "-8388608");
	CHECK(text(int24, {0xff, 0xff, 0x7f}) == "8388607");
	Column long_col = column(ColumnType::long_int);
	CHECK(text(long_col, {0x00, 0x00, 0x00, 0x80}) == "-2147483648");
	CHECK(text(long_col, {0xff, 0xff, 0xff, 0x7f}) == "2147483647");
	Column longlong = column(ColumnType::longlong);
	Value min = decode(longlong, {0, 0, 0, 0, 0, 0, 0, 0x80});
	CHECK(min.kind == ValueKind::int64);
	CHECK(min.i64 == std::numeric_limits<int64_t>::min());
	CHECK(text(longlong, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}) == "9223372036854775807");

	for (Column *c : {&tiny, &short_col, &int24, &long_col, &longlong})
		c->is_unsigned = true;
	CHECK(text(tiny, {0xff}) == "255");
	CHECK(text(short_col, {0xff, 0xff}) == "65535");
	CHECK(text(int24, {0xff, 0xff, 0xff}) == "16777215");
	CHECK(text(long_col, {0xd3, 0xf9, 0x88, 0xc0}) == "3230202323");
	Value max = decode(longlong, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
	CHECK(max.kind == ValueKind::uint64);
	CHECK(max.u64 == std::numeric_limits<uint64_t>::max());
	CHECK(to_text(max, longlong) == "18446744073709551615");
}

TEST_CASE("binlog float and double print the shortest round-trip text", "[binlog][values]") {
	auto float_bytes = [](float f) {
		uint32_t bits;
		std::memcpy(&bits, &f, 4);
		Bytes b;
		put_le(b, bits, 4);
		return b;
	};
	auto double_bytes = [](double d) {
		uint64_t bits;
		std::memcpy(&bits, &d, 8);
		Bytes b;
		put_le(b, bits, 8);
		return b;
	};
	Column f = column(ColumnType::float_type);
	CHECK(text(f, float_bytes(12345.678f)) == "12345.678");
	CHECK(text(f, float_bytes(-0.1f)) == "-0.1");
	CHECK(decode(f, float_bytes(3.5f)).f32 == 3.5f);
	Column d = column(ColumnType::double_type);
	CHECK(text(d, double_bytes(12345678.91011)) == "12345678.91011");
	CHECK(text(d, double_bytes(1e300)) == "1e+300");
	CHECK(text(d, double_bytes(0.1)) == "0.1");
}

TEST_CASE("binlog decimal of any precision, negative, never a negative zero", "[binlog][values]") {
	auto dec = [](int p, int s) {
		Column c = column(ColumnType::newdecimal);
		c.precision = static_cast<uint8_t>(p);
		c.scale = static_cast<uint8_t>(s);
		return c;
	};
	// 12345.67 as DECIMAL(10,2): 4 bytes for 8 integer digits, 1 byte for 2 fraction digits.
	CHECK(text(dec(10, 2), {0x80, 0x00, 0x30, 0x39, 0x43}) == "12345.67");
	CHECK(text(dec(10, 2), {0x7f, 0xff, 0xcf, 0xc6, 0xbc}) == "-12345.67");
	CHECK(text(dec(4, 2), {0x80, 0x00}) == "0.00");
	CHECK(text(dec(4, 2), {0x7f, 0xff}) == "0.00"); // negative zero prints as MySQL does
	struct Case {
		const char *literal;
		int precision, scale;
		const char *expected;
	};
	const Case cases[] = {
		{"0", 1, 0, "0"},
		{"-1", 1, 0, "-1"},
		{"9", 1, 0, "9"},
		{"123456789", 9, 0, "123456789"},
		{"-1234567890", 10, 0, "-1234567890"},
		{"0.5", 1, 1, "0.5"},
		{"-0.0000000123", 10, 10, "-0.0000000123"},
		{"1234.5678", 8, 4, "1234.5678"},
		{"-99999.99999", 10, 5, "-99999.99999"},
		{"12345678901234567890123456789012345.123456789012345678901234567890", 65, 30,
		 "12345678901234567890123456789012345.123456789012345678901234567890"},
		{"-12345678901234567890123456789012345.123456789012345678901234567890", 65, 30,
		 "-12345678901234567890123456789012345.123456789012345678901234567890"},
		{"99999999999999999999999999999999999999999999999999999999999999999", 65, 0,
		 "99999999999999999999999999999999999999999999999999999999999999999"},
		{"0.000000000000000000000000000001", 30, 30, "0.000000000000000000000000000001"},
		{"1.000000000", 19, 9, "1.000000000"},
		{"-0.000", 6, 3, "0.000"},
		{"403.98", 14, 2, "403.98"},
	};
	for (const Case &c : cases) {
		INFO(c.literal << " as decimal(" << c.precision << "," << c.scale << ")");
		Bytes packed = encode_decimal(c.literal, c.precision, c.scale);
		CHECK(packed.size() == decimal_binary_size(c.precision, c.scale));
		CHECK(text(dec(c.precision, c.scale), packed) == c.expected);
	}
	// A digit group above 999999999 is corrupt, not a number.
	Column c9 = dec(9, 0);
	CHECK_THROWS_AS(text(c9, {0xff, 0xff, 0xff, 0xff}), DecodeError);
}

TEST_CASE("binlog DATE, legacy DATETIME/TIME/TIMESTAMP, YEAR and zero dates", "[binlog][values]") {
	Column date = column(ColumnType::date);
	Bytes b;
	put_le(b, 2024u << 9 | 5u << 5 | 10u, 3);
	CHECK(text(date, b) == "2024-05-10");
	Value zero = decode(date, {0, 0, 0});
	CHECK(zero.zero_date);
	CHECK(to_text(zero, date) == "0000-00-00");
	CHECK_FALSE(decode(date, b).zero_date);

	Column datetime = column(ColumnType::datetime);
	b.clear();
	put_le(b, 20240510153000ull, 8);
	CHECK(text(datetime, b) == "2024-05-10 15:30:00");
	b.clear();
	put_le(b, 0, 8);
	CHECK(decode(datetime, b).zero_date);
	CHECK(text(datetime, b) == "0000-00-00 00:00:00");

	Column time = column(ColumnType::time);
	b.clear();
	put_le(b, static_cast<uint32_t>(-(12 * 10000 + 34 * 100 + 56)) & 0xffffff, 3);
	CHECK(text(time, b) == "-12:34:56");
	b.clear();
	put_le(b, 838 * 10000 + 59 * 100 + 59, 3);
	CHECK(text(time, b) == "838:59:59");

	Column timestamp = column(ColumnType::timestamp);
	b.clear();
	put_le(b, 1715504186, 4);
	CHECK(text(timestamp, b) == "2024-05-12 08:56:26+00");
	Value epoch_zero = decode(timestamp, {0, 0, 0, 0});
	CHECK(epoch_zero.zero_date);
	CHECK(to_text(epoch_zero, timestamp) == "0000-00-00 00:00:00+00");

	Column year = column(ColumnType::year);
	CHECK(text(year, {124}) == "2024");
	CHECK(text(year, {0}) == "0000");
	CHECK(decode(year, {1}).i64 == 1901);
}

TEST_CASE("binlog DATETIME2, TIMESTAMP2 and TIME2 with every fsp", "[binlog][values]") {
	const char *fractions[7] = {"", ".1", ".12", ".123", ".1234", ".12345", ".123456"};
	const uint32_t truncated[7] = {0, 100000, 120000, 123000, 123400, 123450, 123456};
	for (int fsp = 0; fsp <= 6; fsp++) {
		INFO("fsp " << fsp);
		Column dt = column(ColumnType::datetime2);
		dt.fsp = static_cast<uint8_t>(fsp);
		Bytes b = encode_datetime2(2024, 5, 10, 15, 30, 7, truncated[fsp], fsp);
		CHECK(b.size() == 5 + static_cast<size_t>((fsp + 1) / 2));
		CHECK(text(dt, b) == std::string("2024-05-10 15:30:07") + fractions[fsp]);
		CHECK(decode(dt, b).temporal.microsecond == truncated[fsp]);

		Column ts = column(ColumnType::timestamp2);
		ts.fsp = static_cast<uint8_t>(fsp);
		Bytes t;
		put_be(t, 1715504186, 4);
		put_fraction(t, truncated[fsp], fsp);
		CHECK(text(ts, t) == std::string("2024-05-12 08:56:26") + fractions[fsp] + "+00");
		CHECK(decode(ts, t).timestamp_micros() == 1715504186ll * 1000000 + truncated[fsp]);

		Column tm = column(ColumnType::time2);
		tm.fsp = static_cast<uint8_t>(fsp);
		CHECK(text(tm, encode_time2(false, 12, 34, 56, truncated[fsp], fsp)) ==
			  std::string("12:34:56") + fractions[fsp]);
		CHECK(text(tm, encode_time2(true, 12, 34, 56, truncated[fsp], fsp)) ==
			  std::string("-12:34:56") + fractions[fsp]);
		CHECK(text(tm, encode_time2(true, 838, 59, 59, truncated[fsp], fsp)) ==
			  std::string("-838:59:59") + fractions[fsp]);
		CHECK(text(tm, encode_time2(true, 0, 0, 0, truncated[fsp], fsp)) ==
			  (fsp ? std::string("-00:00:00") + fractions[fsp] : std::string("00:00:00")));
	}
	Column tm = column(ColumnType::time2);
	tm.fsp = 1;
	Value v = decode(tm, encode_time2(true, 0, 0, 1, 500000, 1));
	CHECK(v.temporal.negative);
	CHECK(v.time_micros() == -1500000);
	CHECK(to_text(v, tm) == "-00:00:01.5");
	// The documented upstream case: -507:48:27 (21 days 03:48:27).
	Column t0 = column(ColumnType::time2);
	CHECK(text(t0, encode_time2(true, 507, 48, 27, 0, 0)) == "-507:48:27");

	Column dt = column(ColumnType::datetime2);
	Value zero = decode(dt, encode_datetime2(0, 0, 0, 0, 0, 0, 0, 0));
	CHECK(zero.zero_date);
	CHECK(to_text(zero, dt) == "0000-00-00 00:00:00");
	Column ts = column(ColumnType::timestamp2);
	CHECK(decode(ts, {0, 0, 0, 0}).zero_date);
	CHECK_FALSE(decode(ts, {0, 0, 0, 1}).zero_date);
}

TEST_CASE("binlog strings: CHAR, VARCHAR, BLOB length prefixes", "[binlog][values]") {
	Column varchar = column(ColumnType::varchar);
	varchar.max_length = 255;
	CHECK(text(varchar, {3, 'a', 'b', 'c'}) == "abc");
	varchar.max_length = 1020;
	CHECK(text(varchar, {3, 0, 'a', 'b', 'c'}) == "abc");
	CHECK_THROWS_AS(text(varchar, {9, 0, 'a'}), DecodeError);
	for (uint8_t width = 1; width <= 4; width++) {
		Column blob = column(ColumnType::blob);
		blob.length_bytes = width;
		Bytes b;
		put_le(b, 2, width);
		put_str(b, "hi");
		CHECK(text(blob, b) == "hi");
	}
	Column binary = column(ColumnType::string);
	binary.max_length = 16;
	binary.charset = binary_charset;
	Bytes b{16};
	for (uint8_t i = 0; i < 16; i++)
		b.push_back(i == 15 ? 1 : 0);
	binary.logical = LogicalType::inet6;
	CHECK(text(binary, b) == "::1");
	binary.logical = LogicalType::uuid;
	CHECK(text(binary, b) == "00000000-0000-0000-0000-000000000001");
	binary.logical = LogicalType::none;
	std::string json;
	append_json_value(json, decode(binary, b), binary);
	CHECK(json == "\"\\\\x00000000000000000000000000000001\"");

	// The server logs BINARY(16) without its trailing zero bytes: 2001:db8:: arrives as 4 bytes.
	Bytes short_form{4, 0x20, 0x01, 0x0d, 0xb8};
	binary.logical = LogicalType::inet6;
	CHECK(text(binary, short_form) == "2001:db8::");
	binary.logical = LogicalType::uuid;
	CHECK(text(binary, short_form) == "20010db8-0000-0000-0000-000000000000");
	CHECK(text(binary, Bytes{0}) == "00000000-0000-0000-0000-000000000000");
	Column seventeen = binary;
	seventeen.max_length = 17;
	Bytes too_long{17};
	too_long.resize(18, 1);
	CHECK_THROWS_AS(text(seventeen, too_long), DecodeError);
}

TEST_CASE("binlog INET6/UUID marked from the catalog's data types", "[binlog][values]") {
	TableMap map;
	for (uint32_t length : {16u, 16u, 16u, 4u, 16u}) {
		Column c = column(ColumnType::string);
		c.max_length = length;
		map.columns.push_back(c);
	}
	map.columns.push_back(column(ColumnType::long_int));
	mark_logical_types(map, {"inet6", "UUID", "binary", "inet6", "uuid", "uuid"});
	CHECK(map.columns[0].logical == LogicalType::inet6);
	CHECK(map.columns[1].logical == LogicalType::uuid);
	CHECK(map.columns[2].logical == LogicalType::none);
	CHECK(map.columns[3].logical == LogicalType::none); // not 16 bytes: the table changed since
	CHECK(map.columns[4].logical == LogicalType::uuid);
	CHECK(map.columns[5].logical == LogicalType::none); // not a STRING
	TableMap fewer = map;
	for (Column &c : fewer.columns)
		c.logical = LogicalType::none;
	mark_logical_types(fewer, {"inet6"}); // a shorter list marks what it covers
	CHECK(fewer.columns[0].logical == LogicalType::inet6);
	CHECK(fewer.columns[1].logical == LogicalType::none);
}

TEST_CASE("binlog CHAR longer than 255 bytes through the TABLE_MAP metadata trick", "[binlog][values]") {
	// TABLE_MAP body for db.t(c CHAR(128) utf8mb4): 512 bytes does not fit the length byte, so its
	// two high bits are stored inverted in bits 4-5 of the real-type byte: 0xfe ^ 0x20 = 0xde.
	Bytes body;
	put_le(body, 42, 6);
	put_le(body, 1, 2);
	body.push_back(2);
	put_str(body, "db");
	body.push_back(0);
	body.push_back(1);
	put_str(body, "t");
	body.push_back(0);
	body.push_back(1);	  // column count
	body.push_back(254);  // STRING
	body.push_back(2);	  // metadata length
	body.push_back(0xde); // real type with length bits
	body.push_back(0x00); // length low byte
	body.push_back(0x01); // nullable
	TableMap map = parse_table_map(body.data(), body.size(), 6);
	REQUIRE(map.columns.size() == 1);
	CHECK(map.columns[0].real_type == ColumnType::string);
	CHECK(map.columns[0].max_length == 512);
	Bytes value{0x2c, 0x01};
	std::string s(300, 'x');
	put_str(value, s);
	CHECK(text(map.columns[0], value) == s);
}

TEST_CASE("binlog ENUM, SET and BIT", "[binlog][values]") {
	Column e = column(ColumnType::enum_type);
	e.length_bytes = 1;
	CHECK(decode(e, {2}).u64 == 2);
	CHECK(text(e, {2}) == "2");
	e.enum_values = {"var1", "variant2", "foo"};
	CHECK(text(e, {2}) == "variant2");
	e.length_bytes = 2;
	CHECK(decode(e, {0x2c, 0x01}).u64 == 300);

	Column set = column(ColumnType::set);
	set.length_bytes = 1;
	CHECK(text(set, {0b101}) == "5");
	set.set_values = {"one", "two", "three", "four"};
	CHECK(text(set, {0b101}) == "one,three");
	CHECK(text(set, {0}) == "");
	set.length_bytes = 8;
	CHECK(decode(set, {0, 0, 0, 0, 0, 0, 0, 0x80}).u64 == 0x8000000000000000ull);

	struct Case {
		uint8_t bits;
		Bytes bytes;
		uint64_t value;
		const char *text;
	};
	const Case cases[] = {
		{1, {0x01}, 1, "1"},
		{3, {0x05}, 5, "101"},
		{8, {0x20}, 32, "00100000"},
		{9, {0x01, 0x02}, 0x102, "100000010"},
		{64,
		 {0x80, 0, 0, 0, 0, 0, 0, 0x01},
		 0x8000000000000001ull,
		 "1000000000000000000000000000000000000000000000000000000000000001"},
	};
	for (const Case &c : cases) {
		Column bit = column(ColumnType::bit);
		bit.bit_count = c.bits;
		Value v = decode(bit, c.bytes);
		CHECK(v.u64 == c.value);
		CHECK(to_text(v, bit) == c.text);
	}
}

TEST_CASE("binlog GEOMETRY and VECTOR", "[binlog][values]") {
	Column geometry = column(ColumnType::geometry);
	geometry.length_bytes = 4;
	Bytes b;
	put_le(b, 25, 4);
	put_le(b, 4326, 4);
	b.push_back(1);
	put_le(b, 1, 4);
	put_le(b, 0, 8);
	put_le(b, 0, 8);
	Value g = decode(geometry, b);
	CHECK(g.kind == ValueKind::geometry);
	CHECK(g.size == 25);
	CHECK(g.data[0] == 0xe6); // SRID 4326, little-endian

	Column vector = column(ColumnType::vector);
	vector.length_bytes = 4;
	Bytes v;
	put_le(v, 8, 4);
	float f[2] = {1.5f, -2.0f};
	const auto *fb = reinterpret_cast<const uint8_t *>(f);
	v.insert(v.end(), fb, fb + 8);
	Value vv = decode(vector, v);
	CHECK(vv.kind == ValueKind::vector);
	CHECK(to_text(vv, vector) == "[1.5,-2]");
	Bytes odd;
	put_le(odd, 3, 4);
	odd.insert(odd.end(), {1, 2, 3});
	CHECK_THROWS_AS(decode(vector, odd), DecodeError);
}

namespace {

std::string
json_text(const Bytes &b) {
	std::string out;
	append_json_binary(out, b.data(), b.size());
	return out;
}

} // namespace

TEST_CASE("binlog JSON binary format rendered as MySQL text", "[binlog][values][json]") {
	// {"a": 1}: small object, count 1, size 12, key entry (offset 11, length 1),
	// value entry int16 inlined, then the key.
	CHECK(json_text({0x00, 1, 0, 12, 0, 11, 0, 1, 0, 0x05, 1, 0, 'a'}) == "{\"a\": 1}");
	// ["x", true, null, -2]: small array, value entries of 3 bytes, string stored after them.
	Bytes arr{0x02, 4, 0, 0, 0};
	arr.insert(arr.end(), {0x0c, 16, 0, 0x04, 1, 0, 0x04, 0, 0, 0x05, 0xfe, 0xff});
	arr.insert(arr.end(), {1, 'x'});
	arr[3] = static_cast<uint8_t>(arr.size() - 1);
	CHECK(json_text(arr) == "[\"x\", true, null, -2]");
	// Scalars at top level.
	CHECK(json_text({0x04, 2}) == "false");
	CHECK(json_text({0x0c, 5, 'h', '"', 'i', '\n', 0x01}) == "\"h\\\"i\\n\\u0001\"");
	Bytes dbl{0x0b};
	double d = 2.0;
	const auto *db = reinterpret_cast<const uint8_t *>(&d);
	dbl.insert(dbl.end(), db, db + 8);
	CHECK(json_text(dbl) == "2.0");
	CHECK(json_text({0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) == "18446744073709551615");
	CHECK(json_text({0x09, 0, 0, 0, 0, 0, 0, 0, 0x80}) == "-9223372036854775808");
	// Opaque DECIMAL(5,2) 123.45 -> number; opaque DATE -> string; opaque BLOB -> base64.
	Bytes dec{0x0f, 246, 5, 5, 2};
	Bytes packed = encode_decimal("123.45", 5, 2);
	dec.insert(dec.end(), packed.begin(), packed.end());
	CHECK(json_text(dec) == "123.45");
	Bytes date{0x0f, 10, 8};
	uint64_t ymd = (2012ull * 13 + 3) << 5 | 18;
	put_le(date, (ymd << 17) << 24, 8);
	CHECK(json_text(date) == "\"2012-03-18\"");
	CHECK(json_text({0x0f, 252, 2, 0xff, 0x00}) == "\"base64:type252:/wA=\"");
	CHECK(json_text({}) == "null");
	// Malformed: offset beyond the container, unknown type, truncated.
	CHECK_THROWS_AS(json_text({0x02, 1, 0, 8, 0, 0x0c, 100, 0}), DecodeError);
	CHECK_THROWS_AS(json_text({0x33}), DecodeError);
	CHECK_THROWS_AS(json_text({0x09, 1, 2}), DecodeError);
}

TEST_CASE("binlog row JSON rendering names columns and hex-encodes bytes", "[binlog][values]") {
	TableMap t;
	t.columns.resize(4);
	t.columns[0] = column(ColumnType::long_int);
	t.columns[0].name = "id";
	t.columns[1] = column(ColumnType::blob);
	t.columns[2] = column(ColumnType::varchar);
	t.columns[3] = column(ColumnType::date);
	std::vector<Value> row(4);
	row[0].kind = ValueKind::int64;
	row[0].i64 = 7;
	static const uint8_t raw[] = {0xff, 0x00, 'a'};
	row[1].kind = ValueKind::string;
	row[1].data = raw;
	row[1].size = 3;
	row[2].kind = ValueKind::null;
	row[3].kind = ValueKind::missing;
	std::string out;
	append_row_json(out, row, t);
	CHECK(out == "{\"id\": 7, \"@2\": \"\\\\xff0061\", \"@3\": null}");
}
