// Catch2 tests of binlog value -> PostgreSQL text conversion for the replay, per type and against the
// initial copy's conversion of the same MySQL values, and of the TABLE_MAP / layout check.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "binlog/binlog_test_util.hpp"
#include "core/value_text.hpp"
#include "replay/pg_value.hpp"

using namespace chameleon;
using namespace std::string_literals;
using binlog::Column;
using binlog::ColumnType;
using binlog::Value;
using binlog::ValueKind;
using binlog_test::Bytes;
using binlog_test::put_be;
using binlog_test::put_le;
using replay::Outcome;
using replay::ValuePolicy;

namespace {

// The layout column core::map_column gives a MySQL column type, as the initial copy records it.
core::LayoutColumn
target(const std::string &column_type, const std::string &override_to = "", bool postgis = true) {
	core::MysqlColumn m = core::from_column_type("c", column_type);
	core::MapContext context;
	context.origin_schema = "db";
	context.table = "t";
	context.destination_schema = "d";
	context.postgis_available = postgis;
	if (!override_to.empty())
		context.type_overrides.push_back({column_type, override_to, {"*"}});
	core::PgColumnType pg = core::map_column(m, context);
	core::LayoutColumn c;
	c.mysql = m;
	c.pg_type = pg.sql_type;
	c.form = pg.form;
	c.bit_length = pg.bit_length;
	c.enum_type = pg.is_enum ? pg.enum_type_name : "";
	return c;
}

struct Result {
	Outcome outcome;
	std::string text;
	std::string problem;
};

Result
replay_value(const Value &value, const Column &column, const core::LayoutColumn &layout,
			 ValuePolicy policy = {}) {
	Result r;
	r.text = "prefix:";
	r.outcome = replay::append_pg_text(value, column, layout, policy, r.text, &r.problem);
	if (r.outcome != Outcome::value)
		CHECK(r.text == "prefix:"); // nothing appended
	r.text.erase(0, 7);
	return r;
}

// The PostgreSQL text of a value decoded from bytes; the value must convert.
std::string
pg(const Column &column, const Bytes &bytes, const core::LayoutColumn &layout, ValuePolicy policy = {}) {
	Value v = binlog_test::decode(column, bytes);
	Result r = replay_value(v, column, layout, policy);
	INFO(r.problem);
	REQUIRE(r.outcome == Outcome::value);
	return r.text;
}

Result
outcome(const Column &column, const Bytes &bytes, const core::LayoutColumn &layout, ValuePolicy policy = {}) {
	return replay_value(binlog_test::decode(column, bytes), column, layout, policy);
}

Column
col(ColumnType type) {
	return binlog_test::column(type);
}

Column
blob_column(ColumnType type = ColumnType::blob, uint8_t length_bytes = 2) {
	Column c = col(type);
	c.length_bytes = length_bytes;
	return c;
}

Column
string_column(ColumnType type, uint32_t max_length, bool binary = false) {
	Column c = col(type);
	c.max_length = max_length;
	if (binary)
		c.charset = binlog::binary_charset;
	return c;
}

Bytes
prefixed(const std::string &bytes, size_t length_bytes) {
	Bytes out;
	put_le(out, bytes.size(), length_bytes);
	binlog_test::put_str(out, bytes);
	return out;
}

Bytes
float_bytes(float f) {
	uint32_t bits;
	std::memcpy(&bits, &f, 4);
	Bytes out;
	put_le(out, bits, 4);
	return out;
}

Bytes
double_bytes(double d) {
	uint64_t bits;
	std::memcpy(&bits, &d, 8);
	Bytes out;
	put_le(out, bits, 8);
	return out;
}

Bytes
date_bytes(int year, int month, int day) {
	Bytes out;
	put_le(out, static_cast<uint64_t>(year << 9 | month << 5 | day), 3);
	return out;
}

Bytes
timestamp2_bytes(uint32_t epoch, uint32_t micros, int fsp) {
	Bytes out;
	put_be(out, epoch, 4);
	binlog_test::put_fraction(out, micros, fsp);
	return out;
}

Column
temporal2(ColumnType type, uint8_t fsp) {
	Column c = col(type);
	c.fsp = fsp;
	return c;
}

Column
decimal_column(uint8_t precision, uint8_t scale) {
	Column c = col(ColumnType::newdecimal);
	c.precision = precision;
	c.scale = scale;
	return c;
}

Column
labelled(ColumnType type, std::vector<std::string> labels) {
	Column c = col(type);
	c.length_bytes = 1;
	(type == ColumnType::enum_type ? c.enum_values : c.set_values) = std::move(labels);
	return c;
}

Column
bit_column(uint8_t bits) {
	Column c = col(ColumnType::bit);
	c.bit_count = bits;
	return c;
}

// SRID (LE) + WKB of POINT(x y), little-endian.
std::string
point(uint32_t srid, double x, double y) {
	Bytes b;
	put_le(b, srid, 4);
	b.push_back(1);
	put_le(b, 1, 4);
	Bytes xs = double_bytes(x), ys = double_bytes(y);
	b.insert(b.end(), xs.begin(), xs.end());
	b.insert(b.end(), ys.begin(), ys.end());
	return std::string(b.begin(), b.end());
}

// Column marked as MariaDB INET6 / UUID the way the reader does it.
Column
logical_column(const std::string &data_type) {
	binlog::TableMap table;
	table.columns.push_back(string_column(ColumnType::string, 16, true));
	binlog::mark_logical_types(table, {data_type});
	return table.columns[0];
}

const Bytes json_a1 = {0x00, 1, 0, 12, 0, 11, 0, 1, 0, 0x05, 1, 0, 'a'}; // {"a": 1}

} // namespace

TEST_CASE("replay: NULL, missing columns and layout drift", "[replay]") {
	Value null_value;
	null_value.kind = ValueKind::null;
	CHECK(replay_value(null_value, col(ColumnType::long_int), target("int")).outcome == Outcome::null);
	Value missing;
	Result r = replay_value(missing, col(ColumnType::long_int), target("int"));
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem == "the column is not in the row image");

	r = outcome(col(ColumnType::long_int), {1, 0, 0, 0}, target("varchar(10)"));
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem ==
		  "the binlog column is long but the layout has varchar(10): the table changed since its "
		  "layout was recorded");
	CHECK(outcome(col(ColumnType::short_int), {1, 0}, target("int")).outcome == Outcome::invalid);
	// a null problem pointer is allowed
	std::string out;
	Value v = binlog_test::decode(col(ColumnType::long_int), {1, 0, 0, 0});
	CHECK(replay::append_pg_text(v, col(ColumnType::long_int), target("date"), {}, out, nullptr) ==
		  Outcome::invalid);
	CHECK(out.empty());
}

TEST_CASE("replay: integers, signed and unsigned, into the widened types", "[replay]") {
	CHECK(pg(col(ColumnType::tiny), {0x80}, target("tinyint")) == "-128");
	CHECK(pg(col(ColumnType::long_int), {0x00, 0x00, 0x00, 0x80}, target("int")) == "-2147483648");
	CHECK(pg(col(ColumnType::longlong), {0, 0, 0, 0, 0, 0, 0, 0x80}, target("bigint")) ==
		  "-9223372036854775808");
	// no SIGNEDNESS metadata (MariaDB's default, MySQL without binlog_row_metadata): the layout says
	CHECK(pg(col(ColumnType::tiny), {0xfa}, target("tinyint unsigned")) == "250");
	CHECK(pg(col(ColumnType::short_int), {0xff, 0xff}, target("smallint unsigned")) == "65535");
	CHECK(pg(col(ColumnType::int24), {0xff, 0xff, 0xff}, target("mediumint unsigned")) == "16777215");
	CHECK(pg(col(ColumnType::int24), {0xff, 0xff, 0xff}, target("mediumint")) == "-1");
	CHECK(pg(col(ColumnType::long_int), {0xff, 0xff, 0xff, 0xff}, target("int(10) unsigned")) ==
		  "4294967295");
	CHECK(pg(col(ColumnType::longlong), Bytes(8, 0xff), target("bigint(20) unsigned")) ==
		  "18446744073709551615");
	// with SIGNEDNESS metadata the binlog decides
	Column known = col(ColumnType::long_int);
	known.signedness_known = known.is_unsigned = true;
	CHECK(pg(known, {0xff, 0xff, 0xff, 0xff}, target("int unsigned")) == "4294967295");
	known.is_unsigned = false;
	CHECK(pg(known, {0xff, 0xff, 0xff, 0xff}, target("int")) == "-1");

	core::LayoutColumn boolean = target("tinyint(1)", "boolean");
	REQUIRE(boolean.form == core::ValueForm::Boolean);
	CHECK(pg(col(ColumnType::tiny), {0}, boolean) == "f");
	CHECK(pg(col(ColumnType::tiny), {1}, boolean) == "t");
	CHECK(pg(col(ColumnType::tiny), {5}, boolean) == "t");
	CHECK(pg(col(ColumnType::tiny), {0xff}, boolean) == "t");
	CHECK(pg(col(ColumnType::tiny), {7}, target("tinyint(1)")) == "7"); // smallint by default
}

TEST_CASE("replay: decimals keep their exact digits", "[replay]") {
	CHECK(pg(decimal_column(10, 2), binlog_test::encode_decimal("-12.30", 10, 2), target("decimal(10,2)")) ==
		  "-12.30");
	CHECK(pg(decimal_column(10, 2), binlog_test::encode_decimal("0.00", 10, 2), target("decimal(10,2)")) ==
		  "0.00");
	std::string big = "12345678901234567890123456789012345.123456789012345678901234567890";
	CHECK(pg(decimal_column(65, 30), binlog_test::encode_decimal(big, 65, 30), target("decimal(65,30)")) ==
		  big);
	CHECK(pg(decimal_column(20, 0), binlog_test::encode_decimal("99999999999999999999", 20, 0),
			 target("decimal(20,0) unsigned")) == "99999999999999999999");
	Bytes bad = binlog_test::encode_decimal("1.00", 10, 2);
	bad[4] = 0xff; // fraction group 255 > 99
	Result r = outcome(decimal_column(10, 2), bad, target("decimal(10,2)"));
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem.find("invalid decimal digits") != std::string::npos);
}

TEST_CASE("replay: FLOAT as the DOUBLE of its value, DOUBLE in shortest form", "[replay]") {
	core::LayoutColumn real = target("float");
	REQUIRE(real.pg_type == "real");
	CHECK(pg(col(ColumnType::float_type), float_bytes(0.1f), real) == "0.10000000149011612");
	CHECK(pg(col(ColumnType::float_type), float_bytes(1.5f), real) == "1.5");
	CHECK(pg(col(ColumnType::float_type), float_bytes(-2.0f), real) == "-2");
	CHECK(pg(col(ColumnType::float_type), float_bytes(std::numeric_limits<float>::max()), real) ==
		  "3.4028234663852886e38");
	CHECK(pg(col(ColumnType::float_type), float_bytes(1e-30f), real) == "1.0000000031710769e-30");
	core::LayoutColumn dbl = target("double");
	CHECK(pg(col(ColumnType::double_type), double_bytes(0.1), dbl) == "0.1");
	CHECK(pg(col(ColumnType::double_type), double_bytes(1e300), dbl) == "1e300");
	CHECK(pg(col(ColumnType::double_type), double_bytes(-1.7976931348623157e308), dbl) ==
		  "-1.7976931348623157e308");
	CHECK(pg(col(ColumnType::double_type), double_bytes(std::nan("")), dbl) == "NaN");
	CHECK(pg(col(ColumnType::double_type), double_bytes(-HUGE_VAL), dbl) == "-Infinity");
	// float(p), p > 24, is a DOUBLE in MySQL
	CHECK(pg(col(ColumnType::double_type), double_bytes(0.25), target("float(30)")) == "0.25");
	CHECK(outcome(col(ColumnType::float_type), float_bytes(1), target("float(30)")).outcome ==
		  Outcome::invalid);

	// PostgreSQL's float4in (strtof) and float8in (strtod) read the text back to the stored value
	uint32_t state = 12345;
	for (int i = 0; i < 2000; ++i) {
		state = state * 1103515245u + 12345u;
		uint32_t bits = state ^ (state << 7);
		float f;
		std::memcpy(&f, &bits, 4);
		if (!std::isfinite(f))
			continue;
		std::string text = pg(col(ColumnType::float_type), float_bytes(f), real);
		CHECK(std::strtof(text.c_str(), nullptr) == f);
		CHECK(std::strtod(text.c_str(), nullptr) == static_cast<double>(f));
	}
}

TEST_CASE("replay: DATE and DATETIME, zero dates per policy", "[replay]") {
	core::LayoutColumn date = target("date");
	Column date_col = col(ColumnType::date);
	CHECK(pg(date_col, date_bytes(2020, 1, 2), date) == "2020-01-02");
	CHECK(pg(date_col, date_bytes(0, 3, 4), date) == "0001-03-04 BC");
	CHECK(outcome(date_col, date_bytes(0, 0, 0), date).outcome == Outcome::null);
	CHECK(outcome(date_col, date_bytes(2020, 0, 5), date).outcome == Outcome::null);
	CHECK(outcome(date_col, date_bytes(2020, 5, 0), date).outcome == Outcome::null);
	ValuePolicy error;
	error.zero_dates_to_null = false;
	CHECK(outcome(date_col, date_bytes(0, 0, 0), date, error).outcome == Outcome::zero_date_rejected);
	CHECK(outcome(date_col, date_bytes(2020, 0, 5), date, error).outcome == Outcome::zero_date_rejected);
	CHECK(pg(date_col, date_bytes(9999, 12, 31), date, error) == "9999-12-31");
	// overridden to text: MySQL's text, zero dates kept
	CHECK(pg(date_col, date_bytes(0, 0, 0), target("date", "text")) == "0000-00-00");

	CHECK(pg(temporal2(ColumnType::datetime2, 3),
			 binlog_test::encode_datetime2(2020, 1, 2, 3, 4, 5, 120000, 3),
			 target("datetime(3)")) == "2020-01-02 03:04:05.120");
	CHECK(pg(temporal2(ColumnType::datetime2, 6), binlog_test::encode_datetime2(1000, 1, 1, 0, 0, 0, 1, 6),
			 target("datetime(6)")) == "1000-01-01 00:00:00.000001");
	CHECK(pg(temporal2(ColumnType::datetime2, 0), binlog_test::encode_datetime2(0, 2, 3, 23, 59, 59, 0, 0),
			 target("datetime")) == "0001-02-03 23:59:59 BC");
	CHECK(outcome(temporal2(ColumnType::datetime2, 2), binlog_test::encode_datetime2(0, 0, 0, 0, 0, 0, 0, 2),
				  target("datetime(2)"))
			  .outcome == Outcome::null);
	CHECK(outcome(temporal2(ColumnType::datetime2, 0),
				  binlog_test::encode_datetime2(2021, 4, 0, 1, 0, 0, 0, 0), target("datetime"), error)
			  .outcome == Outcome::zero_date_rejected);
	Bytes legacy;
	put_le(legacy, 20200102030405ull, 8);
	CHECK(pg(col(ColumnType::datetime), legacy, target("datetime")) == "2020-01-02 03:04:05");
}

TEST_CASE("replay: TIMESTAMP as UTC with +00 and the declared fractional digits", "[replay]") {
	CHECK(pg(temporal2(ColumnType::timestamp2, 6), timestamp2_bytes(1700000000, 123456, 6),
			 target("timestamp(6)")) == "2023-11-14 22:13:20.123456+00");
	CHECK(pg(temporal2(ColumnType::timestamp2, 2), timestamp2_bytes(1700000000, 120000, 2),
			 target("timestamp(2)")) == "2023-11-14 22:13:20.12+00");
	CHECK(pg(temporal2(ColumnType::timestamp2, 0), timestamp2_bytes(2147483647, 0, 0), target("timestamp")) ==
		  "2038-01-19 03:14:07+00");
	CHECK(outcome(temporal2(ColumnType::timestamp2, 3), timestamp2_bytes(0, 0, 3), target("timestamp(3)"))
			  .outcome == Outcome::null);
	ValuePolicy error;
	error.zero_dates_to_null = false;
	CHECK(outcome(temporal2(ColumnType::timestamp2, 0), timestamp2_bytes(0, 0, 0), target("timestamp"), error)
			  .outcome == Outcome::zero_date_rejected);
	Bytes legacy;
	put_le(legacy, 86400, 4);
	CHECK(pg(col(ColumnType::timestamp), legacy, target("timestamp")) == "1970-01-02 00:00:00+00");
	CHECK(outcome(col(ColumnType::timestamp), {0, 0, 0, 0}, target("timestamp")).outcome == Outcome::null);
	// overridden to text: MySQL's UTC text, no zone
	CHECK(pg(temporal2(ColumnType::timestamp2, 0), timestamp2_bytes(1700000000, 0, 0),
			 target("timestamp", "text")) == "2023-11-14 22:13:20");
}

TEST_CASE("replay: TIME as interval text, negative and beyond 24 hours", "[replay]") {
	core::LayoutColumn interval = target("time");
	REQUIRE(interval.pg_type == "interval");
	CHECK(pg(temporal2(ColumnType::time2, 0), binlog_test::encode_time2(true, 838, 59, 59, 0, 0), interval) ==
		  "-838:59:59");
	CHECK(pg(temporal2(ColumnType::time2, 0), binlog_test::encode_time2(false, 838, 59, 59, 0, 0),
			 interval) == "838:59:59");
	CHECK(pg(temporal2(ColumnType::time2, 1), binlog_test::encode_time2(false, 25, 0, 0, 500000, 1),
			 target("time(1)")) == "25:00:00.5");
	CHECK(pg(temporal2(ColumnType::time2, 3), binlog_test::encode_time2(true, 0, 0, 1, 250000, 3),
			 target("time(3)")) == "-00:00:01.250");
	CHECK(pg(temporal2(ColumnType::time2, 6), binlog_test::encode_time2(true, 0, 0, 0, 1, 6),
			 target("time(6)")) == "-00:00:00.000001");
	Bytes legacy;
	put_le(legacy, static_cast<uint64_t>(-123456) & 0xffffff, 3);
	CHECK(pg(col(ColumnType::time), legacy, interval) == "-12:34:56");
}

TEST_CASE("replay: YEAR", "[replay]") {
	CHECK(pg(col(ColumnType::year), {121}, target("year")) == "2021");
	CHECK(pg(col(ColumnType::year), {255}, target("year(4)")) == "2155");
	CHECK(pg(col(ColumnType::year), {0}, target("year")) == "0000");
}

TEST_CASE("replay: character strings are raw bytes; NUL bytes per strip_nul", "[replay]") {
	Column varchar = string_column(ColumnType::varchar, 400);
	CHECK(pg(varchar, prefixed("h\xc3\xa9llo", 2), target("varchar(100)")) == "h\xc3\xa9llo");
	CHECK(pg(varchar, prefixed("tab\there\nnew\\line", 2), target("varchar(100)")) == "tab\there\nnew\\line");
	CHECK(pg(string_column(ColumnType::string, 20), prefixed("abc", 1), target("char(5)")) == "abc");
	CHECK(pg(blob_column(), prefixed("some text", 2), target("text")) == "some text");
	CHECK(pg(blob_column(ColumnType::blob, 4), prefixed("long", 4), target("longtext")) == "long");
	CHECK(pg(varchar, prefixed("", 2), target("varchar(10)")) == "");

	CHECK(pg(varchar, prefixed("a\0b\0"s, 2), target("varchar(10)")) == "ab");
	ValuePolicy keep;
	keep.strip_nul = false;
	CHECK(outcome(varchar, prefixed("a\0b"s, 2), target("varchar(10)"), keep).outcome ==
		  Outcome::nul_rejected);
	CHECK(outcome(blob_column(), prefixed("\0"s, 2), target("text"), keep).outcome == Outcome::nul_rejected);
	CHECK(pg(varchar, prefixed("ab", 2), target("varchar(10)"), keep) == "ab");
}

TEST_CASE("replay: text is converted from its character set to UTF-8, invalid text is rejected",
		  "[replay][charset]") {
	Column latin1 = string_column(ColumnType::varchar, 100);
	latin1.charset = 8; // latin1_swedish_ci
	CHECK(pg(latin1, prefixed("caf\xe9 \x80", 1), target("varchar(100)")) == "caf\xc3\xa9 \xe2\x82\xac");
	// without the binlog's collation the layout's charset decides, else utf8mb4
	core::LayoutColumn latin1_layout = target("varchar(100)");
	latin1_layout.mysql.charset = "latin1";
	CHECK(pg(string_column(ColumnType::varchar, 100), prefixed("caf\xe9", 1), latin1_layout) ==
		  "caf\xc3\xa9");
	Column utf8 = string_column(ColumnType::varchar, 400);
	utf8.charset = 45; // utf8mb4_general_ci
	CHECK(pg(utf8, prefixed("caf\xc3\xa9", 2), target("varchar(100)")) == "caf\xc3\xa9");
	// a UTF-8 surrogate, which MariaDB accepts in non-strict mode and PostgreSQL refuses
	Result surrogate = outcome(utf8,
							   prefixed("a\xed\xa0\x80"
										"b",
										2),
							   target("varchar(100)"));
	CHECK(surrogate.outcome == Outcome::text_rejected);
	CHECK(surrogate.problem == "not valid utf8mb4 text: byte 0xed at offset 1");
	Result unknown =
		outcome(string_column(ColumnType::varchar, 100), prefixed("caf\xe9", 1), target("varchar(100)"));
	CHECK(unknown.outcome == Outcome::text_rejected); // no charset known: utf8mb4
	CHECK(outcome(blob_column(), prefixed("\xff", 2), target("text")).outcome == Outcome::text_rejected);
	// binary strings and enum labels are not text values
	CHECK(pg(string_column(ColumnType::varchar, 10, true), prefixed("\xff", 1), target("varbinary(10)")) ==
		  "\\xff");
}

TEST_CASE("replay and initial copy reject invalid text with the same reason", "[replay][charset][cross]") {
	// the copy reads utf8mb4 (the connection's charset); the replay reads the column's bytes
	core::ValueOptions copy;
	copy.text_charset = core::charset_by_name("utf8mb4");
	std::string out, scratch, copy_problem;
	const std::string bad = "ok\xf4\x90\x80\x80";
	CHECK(core::append_copy_field(core::ValueForm::AsIs, bad, out, scratch, copy) ==
		  core::ValueStatus::InvalidText);
	CHECK_FALSE(core::append_utf8(copy.text_charset, bad, scratch, &copy_problem));
	Column utf8 = string_column(ColumnType::varchar, 400);
	utf8.charset = 224; // utf8mb4_unicode_ci
	Result replayed = outcome(utf8, prefixed(bad, 2), target("varchar(100)"));
	CHECK(replayed.outcome == Outcome::text_rejected);
	CHECK(replayed.problem == copy_problem);
	CHECK(copy_problem == "not valid utf8mb4 text: byte 0xf4 at offset 2");
}

TEST_CASE("replay: binary strings as bytea, BINARY(n) padded back to n bytes", "[replay]") {
	core::LayoutColumn binary = target("binary(4)");
	Column fixed = string_column(ColumnType::string, 4, true);
	CHECK(pg(fixed, prefixed("ab", 1), binary) == "\\x61620000");
	CHECK(pg(fixed, prefixed("", 1), binary) == "\\x00000000");
	CHECK(pg(fixed, prefixed("abcd", 1), binary) == "\\x61626364");
	Result r = outcome(fixed, prefixed("abcde", 1), binary);
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem == "BINARY value of 5 bytes in a BINARY(4) column");
	// no length in the layout: the TABLE_MAP's
	core::LayoutColumn no_length = binary;
	no_length.mysql.char_length.reset();
	CHECK(pg(fixed, prefixed("a", 1), no_length) == "\\x61000000");
	// NUL bytes are data in bytea, whatever strip_nul says
	ValuePolicy keep;
	keep.strip_nul = false;
	CHECK(pg(fixed, prefixed("\0a"s, 1), binary, keep) == "\\x00610000");
	CHECK(pg(string_column(ColumnType::varchar, 8, true), prefixed("a\0"s, 1), target("varbinary(8)")) ==
		  "\\x6100");
	CHECK(pg(blob_column(), prefixed("\xff\x01", 2), target("blob")) == "\\xff01");
	CHECK(pg(blob_column(ColumnType::blob, 3), prefixed("", 3), target("mediumblob")) == "\\x");
	// BINARY overridden to text keeps core's Bytea form: the hex text, as the initial copy writes it
	CHECK(pg(fixed, prefixed("ab", 1), target("binary(4)", "text")) == "\\x61620000");
}

TEST_CASE("replay: ENUM labels from the TABLE_MAP or the layout", "[replay]") {
	core::LayoutColumn e = target("enum('a','b','c')");
	REQUIRE(!e.enum_type.empty());
	Column with_labels = labelled(ColumnType::enum_type, {"a", "b", "c"});
	Column without = labelled(ColumnType::enum_type, {});
	CHECK(pg(with_labels, {2}, e) == "b");
	CHECK(pg(without, {3}, e) == "c");
	Result r = outcome(without, {0}, e);
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem ==
		  "ENUM value '' (index 0, what MySQL stores for an invalid value) is not a label of the "
		  "PostgreSQL enum type");
	r = outcome(without, {4}, e);
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem == "ENUM index 4 is beyond the column's 3 labels");
	// '' is fine in text, or when it is a label
	core::LayoutColumn text = target("enum('a','b','c')", "text");
	REQUIRE(text.enum_type.empty());
	CHECK(pg(without, {0}, text) == "");
	CHECK(pg(without, {1}, text) == "a");
	CHECK(pg(without, {0}, target("enum('','x')")) == "");
	CHECK(pg(without, {1}, target("enum('','x')")) == "");
	CHECK(pg(labelled(ColumnType::enum_type, {"it's", "x\"y"}), {2}, target("enum('it''s','x\"y')")) ==
		  "x\"y");
}

TEST_CASE("replay: SET as a text[] literal", "[replay]") {
	core::LayoutColumn set = target("set('a','b','c')");
	REQUIRE(set.form == core::ValueForm::SetToArray);
	Column with_labels = labelled(ColumnType::set, {"a", "b", "c"});
	Column without = labelled(ColumnType::set, {});
	CHECK(pg(with_labels, {5}, set) == "{\"a\",\"c\"}");
	CHECK(pg(without, {2}, set) == "{\"b\"}");
	CHECK(pg(without, {7}, set) == "{\"a\",\"b\",\"c\"}");
	CHECK(pg(without, {0}, set) == "{}");
	Result r = outcome(without, {8}, set);
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem == "SET value 8 has members beyond the column's 3 labels");
	CHECK(pg(labelled(ColumnType::set, {"q\"", "b\\s"}), {3}, target("set('q\"','b\\\\s')")) ==
		  "{\"q\\\"\",\"b\\\\s\"}");
	CHECK(pg(without, {5}, target("set('a','b','c')", "text")) == "a,c");
	Column wide = labelled(ColumnType::set, {});
	wide.length_bytes = 8;
	std::string members;
	for (int i = 0; i < 64; ++i)
		members += (i ? ",'m" : "'m") + std::to_string(i) + "'";
	CHECK(pg(wide, Bytes{0, 0, 0, 0, 0, 0, 0, 0x80}, target("set(" + members + ")")) == "{\"m63\"}");
}

TEST_CASE("replay: BIT(1) as boolean, BIT(n) as n binary digits", "[replay]") {
	core::LayoutColumn b1 = target("bit(1)");
	REQUIRE(b1.pg_type == "boolean");
	CHECK(pg(bit_column(1), {1}, b1) == "t");
	CHECK(pg(bit_column(1), {0}, b1) == "f");
	CHECK(pg(bit_column(4), {0x05}, target("bit(4)")) == "0101");
	CHECK(pg(bit_column(10), {0x02, 0x05}, target("bit(10)")) == "1000000101");
	CHECK(pg(bit_column(64), Bytes(8, 0xff), target("bit(64)")) == std::string(64, '1'));
	CHECK(pg(bit_column(17), {0x01, 0x00, 0x01}, target("bit(17)")) == "10000000000000001");
	// bit(n) overridden to boolean: any set bit is true
	CHECK(pg(bit_column(8), {0x80}, target("bit(8)", "boolean")) == "t");
	CHECK(pg(bit_column(8), {0x00}, target("bit(8)", "boolean")) == "f");
	// bit(1) overridden to bit(1)
	CHECK(pg(bit_column(1), {1}, target("bit(1)", "bit(1)")) == "1");
	// no bit count in the TABLE_MAP: the layout's
	Column no_count = bit_column(10);
	Value v = binlog_test::decode(no_count, {0x03, 0xff});
	no_count.bit_count = 0;
	CHECK(replay_value(v, no_count, target("bit(10)")).text == "1111111111");
}

TEST_CASE("replay: JSON", "[replay]") {
	core::LayoutColumn json = target("json");
	REQUIRE(json.pg_type == "jsonb");
	Column mysql_json = blob_column(ColumnType::json, 4);
	Bytes doc = prefixed(std::string(json_a1.begin(), json_a1.end()), 4);
	CHECK(pg(mysql_json, doc, json) == "{\"a\": 1}");
	CHECK(pg(mysql_json, prefixed("", 4), json) == "null");
	Bytes array = {0x02, 2, 0, 10, 0, 0x04, 1, 0, 0x05, 0xfe, 0xff}; // [true, -2]
	CHECK(pg(mysql_json, prefixed(std::string(array.begin(), array.end()), 4), json) == "[true, -2]");
	Result r = outcome(mysql_json, prefixed("\x33", 4), json);
	CHECK(r.outcome == Outcome::invalid);
	CHECK(!r.problem.empty());
	// MariaDB's JSON is LONGTEXT in the binlog (the layout says json, from its json_valid check)
	CHECK(pg(blob_column(ColumnType::blob, 4), prefixed("{\"a\":1}", 4), json) == "{\"a\":1}");
	// overridden to text: MySQL's text
	CHECK(pg(mysql_json, doc, target("json", "text")) == "{\"a\": 1}");
}

TEST_CASE("replay: GEOMETRY as EWKB", "[replay]") {
	Column geometry = blob_column(ColumnType::geometry, 4);
	std::string p = point(4326, 1, 2);
	CHECK(pg(geometry, prefixed(p, 4), target("point")) ==
		  "0101000020e6100000000000000000f03f0000000000000040");
	CHECK(pg(geometry, prefixed(point(0, 1, 2), 4), target("geometry")) ==
		  "0101000000000000000000f03f0000000000000040");
	CHECK(pg(geometry, prefixed(p, 4), target("point", "", false)) ==
		  "\\x0101000020e6100000000000000000f03f0000000000000040");
	Result r = outcome(geometry, prefixed("\1\0\0\0\1"s, 4), target("geometry"));
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem == "value not in the form PostgreSQL type geometry needs (geometry)");
}

TEST_CASE("replay: MariaDB INET6, INET4 and UUID", "[replay]") {
	Column inet6 = logical_column("inet6");
	REQUIRE(inet6.logical == binlog::LogicalType::inet6);
	CHECK(pg(inet6, prefixed("\x20\x01\x0d\xb8", 1), target("inet6")) == "2001:db8::");
	CHECK(pg(inet6, prefixed("\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04"s, 1), target("inet6")) ==
		  "::ffff:1.2.3.4");
	Column uuid = logical_column("uuid");
	std::string bytes = "\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00"s;
	CHECK(pg(uuid, prefixed(bytes, 1), target("uuid")) == "123e4567-e89b-12d3-a456-426614174000");
	CHECK(pg(uuid, prefixed(bytes, 1), target("uuid", "text")) == "123e4567-e89b-12d3-a456-426614174000");
	Result r = outcome(string_column(ColumnType::string, 16, true), prefixed(bytes, 1), target("uuid"));
	CHECK(r.outcome == Outcome::invalid);
	CHECK(r.problem == "the binlog column is not marked as uuid (binlog::mark_logical_types was not applied "
					   "to its TABLE_MAP)");
	Column inet4 = string_column(ColumnType::string, 4, true);
	CHECK(pg(inet4, prefixed("\x0a\x00\x00\x01"s, 1), target("inet4")) == "10.0.0.1");
	CHECK(pg(inet4, prefixed("\xc0\xa8", 1), target("inet4")) == "192.168.0.0");
	CHECK(
		outcome(string_column(ColumnType::string, 5, true), prefixed("12345", 1), target("inet4")).outcome ==
		Outcome::invalid);
}

TEST_CASE("replay: VECTOR as a real[] literal", "[replay]") {
	Bytes floats = float_bytes(1.5f), two = float_bytes(2), third = float_bytes(0.1f);
	floats.insert(floats.end(), two.begin(), two.end());
	floats.insert(floats.end(), third.begin(), third.end());
	std::string payload(floats.begin(), floats.end());
	CHECK(pg(blob_column(ColumnType::vector, 4), prefixed(payload, 4), target("vector(3)")) == "{1.5,2,0.1}");
	// MariaDB's VECTOR is a VARBINARY in the binlog
	CHECK(pg(string_column(ColumnType::varchar, 12, true), prefixed(payload, 1), target("vector(3)")) ==
		  "{1.5,2,0.1}");
	CHECK(outcome(string_column(ColumnType::varchar, 12, true), prefixed("abc", 1), target("vector(3)"))
			  .outcome == Outcome::invalid);
}

namespace {

// One MySQL value: its text-protocol form as the initial copy reads it (FLOAT through "* 1e0") and
// its row-image bytes.
struct Same {
	const char *column_type;
	const char *override_to;
	std::string mysql_text;
	Column column;
	Bytes bytes;
	bool postgis = true;
};

// The initial copy: core::to_pg_text, then NUL bytes dropped or refused as its COPY escaping does.
core::ValueStatus
init_text(const core::LayoutColumn &layout, const std::string &mysql_text, const ValuePolicy &policy,
		  std::string &out) {
	core::ValueOptions options;
	options.bit_length = layout.bit_length;
	options.zero_dates_to_null = policy.zero_dates_to_null;
	options.strip_nul = policy.strip_nul;
	core::ValueStatus status = core::to_pg_text(layout.form, mysql_text, out, options);
	if (status == core::ValueStatus::Ok && out.find('\0') != std::string::npos) {
		if (!policy.strip_nul)
			return core::ValueStatus::NulByte;
		out.erase(std::remove(out.begin(), out.end(), '\0'), out.end());
	}
	return status;
}

Outcome
expected_outcome(core::ValueStatus status) {
	switch (status) {
	case core::ValueStatus::Ok:
		return Outcome::value;
	case core::ValueStatus::ZeroDateAsNull:
		return Outcome::null;
	case core::ValueStatus::ZeroDateRejected:
		return Outcome::zero_date_rejected;
	case core::ValueStatus::NulByte:
		return Outcome::nul_rejected;
	case core::ValueStatus::InvalidText:
		return Outcome::text_rejected;
	case core::ValueStatus::Invalid:
		break;
	}
	return Outcome::invalid;
}

Column
with_signedness(Column c, bool is_unsigned) {
	c.signedness_known = true;
	c.is_unsigned = is_unsigned;
	return c;
}

} // namespace

TEST_CASE("replay and initial copy give the same text for the same MySQL value", "[replay][cross]") {
	const std::string json_doc(json_a1.begin(), json_a1.end());
	const std::string geometry = point(3857, -1.25, 1e10);
	Bytes vector_bytes = float_bytes(0.1f), v2 = float_bytes(-3);
	vector_bytes.insert(vector_bytes.end(), v2.begin(), v2.end());
	const std::string vector(vector_bytes.begin(), vector_bytes.end());
	const std::string uuid = "\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef";

	const std::vector<Same> cases = {
		{"tinyint", "", "-128", col(ColumnType::tiny), {0x80}},
		{"tinyint unsigned", "", "255", col(ColumnType::tiny), {0xff}},
		{"tinyint unsigned", "", "255", with_signedness(col(ColumnType::tiny), true), {0xff}},
		{"tinyint(1)", "", "1", col(ColumnType::tiny), {1}},
		{"tinyint(1)", "boolean", "0", col(ColumnType::tiny), {0}},
		{"tinyint(1)", "boolean", "-3", col(ColumnType::tiny), {0xfd}},
		{"smallint unsigned", "", "65535", col(ColumnType::short_int), {0xff, 0xff}},
		{"mediumint", "", "-8388608", col(ColumnType::int24), {0, 0, 0x80}},
		{"int unsigned", "", "4294967295", col(ColumnType::long_int), {0xff, 0xff, 0xff, 0xff}},
		{"int", "", "-1", col(ColumnType::long_int), {0xff, 0xff, 0xff, 0xff}},
		{"bigint unsigned", "", "18446744073709551615", col(ColumnType::longlong), Bytes(8, 0xff)},
		{"bigint unsigned",
		 "bigint",
		 "9223372036854775807",
		 col(ColumnType::longlong),
		 {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
		{"decimal(10,2)", "", "-12.30", decimal_column(10, 2), binlog_test::encode_decimal("-12.30", 10, 2)},
		{"decimal(5,5)", "", "0.00001", decimal_column(5, 5), binlog_test::encode_decimal("0.00001", 5, 5)},
		{"float", "", "0.10000000149011612", col(ColumnType::float_type), float_bytes(0.1f)},
		{"float", "", "3.4028234663852886e38", col(ColumnType::float_type),
		 float_bytes(std::numeric_limits<float>::max())},
		{"float(7,2)", "", "12.34000015258789", col(ColumnType::float_type), float_bytes(12.34f)},
		{"double", "", "0.1", col(ColumnType::double_type), double_bytes(0.1)},
		{"double", "", "-2.5e-300", col(ColumnType::double_type), double_bytes(-2.5e-300)},
		{"bit(1)", "", "\x01", bit_column(1), {1}},
		{"bit(1)", "", "\0"s, bit_column(1), {0}},
		{"bit(10)", "", "\x02\x05", bit_column(10), {0x02, 0x05}},
		{"bit(8)", "boolean", "\x30", bit_column(8), {0x30}}, // see the report: core reads "0" as false
		{"year", "", "2021", col(ColumnType::year), {121}},
		{"year", "", "0000", col(ColumnType::year), {0}},
		{"date", "", "2020-02-29", col(ColumnType::date), date_bytes(2020, 2, 29)},
		{"date", "", "0000-00-00", col(ColumnType::date), date_bytes(0, 0, 0)},
		{"date", "", "2020-00-01", col(ColumnType::date), date_bytes(2020, 0, 1)},
		{"date", "", "0000-01-01", col(ColumnType::date), date_bytes(0, 1, 1)},
		{"date", "text", "0000-00-00", col(ColumnType::date), date_bytes(0, 0, 0)},
		{"datetime(6)", "", "2020-01-02 03:04:05.000007", temporal2(ColumnType::datetime2, 6),
		 binlog_test::encode_datetime2(2020, 1, 2, 3, 4, 5, 7, 6)},
		{"datetime", "", "0000-00-00 00:00:00", temporal2(ColumnType::datetime2, 0),
		 binlog_test::encode_datetime2(0, 0, 0, 0, 0, 0, 0, 0)},
		{"timestamp(3)", "", "2023-11-14 22:13:20.500", temporal2(ColumnType::timestamp2, 3),
		 timestamp2_bytes(1700000000, 500000, 3)},
		{"timestamp", "", "0000-00-00 00:00:00", temporal2(ColumnType::timestamp2, 0),
		 timestamp2_bytes(0, 0, 0)},
		{"timestamp(2)", "", "0000-00-00 00:00:00.00", temporal2(ColumnType::timestamp2, 2),
		 timestamp2_bytes(0, 0, 2)},
		{"timestamp", "varchar(30)", "1970-01-01 00:00:01", temporal2(ColumnType::timestamp2, 0),
		 timestamp2_bytes(1, 0, 0)},
		{"time(6)", "", "-838:59:59.000000", temporal2(ColumnType::time2, 6),
		 binlog_test::encode_time2(true, 838, 59, 59, 0, 6)},
		{"time", "", "100:00:00", temporal2(ColumnType::time2, 0),
		 binlog_test::encode_time2(false, 100, 0, 0, 0, 0)},
		{"char(5)", "", "abc", string_column(ColumnType::string, 20), prefixed("abc", 1)},
		{"varchar(10)", "", "a\tb\\c", string_column(ColumnType::varchar, 40), prefixed("a\tb\\c", 1)},
		{"text", "", "x\0y"s, blob_column(), prefixed("x\0y"s, 2)},
		{"binary(4)", "", "ab\0\0"s, string_column(ColumnType::string, 4, true), prefixed("ab", 1)},
		{"binary(3)", "text", "a\0\0"s, string_column(ColumnType::string, 3, true), prefixed("a", 1)},
		{"varbinary(8)", "", "a\0b"s, string_column(ColumnType::varchar, 8, true), prefixed("a\0b"s, 1)},
		{"longblob", "", "\xff\xfe", blob_column(ColumnType::blob, 4), prefixed("\xff\xfe", 4)},
		{"enum('a','b')", "", "b", labelled(ColumnType::enum_type, {"a", "b"}), {2}},
		{"enum('a','b')", "", "b", labelled(ColumnType::enum_type, {}), {2}},
		{"enum('a','b')", "text", "", labelled(ColumnType::enum_type, {}), {0}},
		{"set('a','b','c')", "", "a,c", labelled(ColumnType::set, {"a", "b", "c"}), {5}},
		{"set('a','b','c')", "", "", labelled(ColumnType::set, {}), {0}},
		{"set('a','b','c')", "text", "b,c", labelled(ColumnType::set, {}), {6}},
		{"json", "", "{\"a\": 1}", blob_column(ColumnType::json, 4), prefixed(json_doc, 4)},
		{"json", "", "{\"a\":1}", blob_column(ColumnType::blob, 4), prefixed("{\"a\":1}", 4)}, // MariaDB
		{"geometry", "", geometry, blob_column(ColumnType::geometry, 4), prefixed(geometry, 4)},
		{"point", "", geometry, blob_column(ColumnType::geometry, 4), prefixed(geometry, 4), false},
		{"inet6", "", "2001:db8::ff00:42:8329", logical_column("inet6"),
		 prefixed("\x20\x01\x0d\xb8\0\0\0\0\0\0\xff\x00\x00\x42\x83\x29"s, 1)},
		{"uuid", "", "01234567-89ab-cdef-0123-456789abcdef", logical_column("uuid"), prefixed(uuid, 1)},
		{"inet4", "", "127.0.0.1", string_column(ColumnType::string, 4, true), prefixed("\x7f\0\0\x01"s, 1)},
		{"vector(2)", "", vector, blob_column(ColumnType::vector, 4), prefixed(vector, 4)},
	};
	for (bool zero_dates_to_null : {true, false})
		for (bool strip_nul : {true, false})
			for (const Same &c : cases) {
				ValuePolicy policy;
				policy.zero_dates_to_null = zero_dates_to_null;
				policy.strip_nul = strip_nul;
				core::LayoutColumn layout = target(c.column_type, c.override_to, c.postgis);
				INFO(c.column_type << (c.override_to[0] ? " -> " : "") << c.override_to
								   << ", zero_dates_to_null " << zero_dates_to_null << ", strip_nul "
								   << strip_nul);
				std::string init;
				Outcome init_outcome = expected_outcome(init_text(layout, c.mysql_text, policy, init));
				REQUIRE(init_outcome != Outcome::invalid); // every case is a value MySQL can hold
				Result replayed = outcome(c.column, c.bytes, layout, policy);
				INFO(replayed.problem);
				CHECK(replayed.outcome == init_outcome);
				if (init_outcome == Outcome::value)
					CHECK(replayed.text == init);
			}
}

TEST_CASE("replay: numbers whose MySQL text differs in notation read back the same", "[replay][cross]") {
	// MySQL writes 0.0001 and 1e15 where the shortest round-trip form is 1e-04 / 1e15: PostgreSQL's
	// float8in (strtod) reads both to the same value, float4in (strtof) the FLOAT of it
	struct Number {
		const char *mysql_text;
		double value;
	};
	for (Number n : {Number{"0.00001", 1e-5}, Number{"0.0001", 1e-4}, Number{"1e15", 1e15},
					 Number{"123456789012345680000", 1.2345678901234568e20}}) {
		std::string text = pg(col(ColumnType::double_type), double_bytes(n.value), target("double"));
		INFO(n.mysql_text << " / " << text);
		CHECK(std::strtod(text.c_str(), nullptr) == std::strtod(n.mysql_text, nullptr));
		float f = static_cast<float>(n.value);
		std::string float_text = pg(col(ColumnType::float_type), float_bytes(f), target("float"));
		CHECK(std::strtof(float_text.c_str(), nullptr) == f);
	}
}

namespace {

core::TableLayout
layout_of(const std::vector<std::pair<std::string, std::string>> &columns) {
	core::TableLayout layout;
	layout.origin_schema = "db";
	layout.table = "t";
	for (auto &[name, type] : columns) {
		core::LayoutColumn c = target(type);
		c.mysql.name = name;
		layout.columns.push_back(c);
	}
	return layout;
}

binlog::TableMap
table_map(std::vector<Column> columns, std::vector<std::string> names = {}) {
	binlog::TableMap map;
	map.database = "db";
	map.table = "t";
	map.has_column_names = !names.empty();
	for (size_t i = 0; i < names.size(); ++i)
		columns[i].name = names[i];
	map.columns = std::move(columns);
	return map;
}

} // namespace

TEST_CASE("layout_mismatch: count, names, types and metadata", "[replay][layout]") {
	core::TableLayout layout = layout_of(
		{{"id", "int unsigned"}, {"name", "varchar(20)"}, {"price", "decimal(10,2)"}, {"at", "datetime(3)"}});
	std::vector<Column> columns = {col(ColumnType::long_int), string_column(ColumnType::varchar, 80),
								   decimal_column(10, 2), temporal2(ColumnType::datetime2, 3)};
	CHECK(replay::layout_mismatch(table_map(columns), layout) == "");
	CHECK(replay::layout_mismatch(table_map(columns, {"id", "name", "price", "at"}), layout) == "");

	std::vector<Column> fewer(columns.begin(), columns.end() - 1);
	CHECK(replay::layout_mismatch(table_map(fewer), layout) ==
		  "table db.t has 3 columns in the binlog but 4 in its layout");
	CHECK(replay::layout_mismatch(table_map(columns, {"id", "title", "price", "at"}), layout) ==
		  "column 2 (\"name\") of table db.t is named \"title\" in the binlog");

	std::vector<Column> changed = columns;
	changed[1] = col(ColumnType::longlong);
	CHECK(replay::layout_mismatch(table_map(changed), layout) ==
		  "column 2 (\"name\") of table db.t is longlong in the binlog but varchar(20) in the layout");
	changed = columns;
	changed[0] = with_signedness(col(ColumnType::long_int), false);
	CHECK(replay::layout_mismatch(table_map(changed), layout) ==
		  "column 1 (\"id\") of table db.t is signed in the binlog but int unsigned in the layout");
	changed[0] = with_signedness(col(ColumnType::long_int), true);
	CHECK(replay::layout_mismatch(table_map(changed), layout) == "");
	changed = columns;
	changed[2] = decimal_column(12, 2);
	CHECK(
		replay::layout_mismatch(table_map(changed), layout) ==
		"column 3 (\"price\") of table db.t is decimal(12,2) in the binlog but decimal(10,2) in the layout");
	changed = columns;
	changed[3] = temporal2(ColumnType::datetime2, 6);
	CHECK(replay::layout_mismatch(table_map(changed), layout) ==
		  "column 4 (\"at\") of table db.t has 6 fractional digits in the binlog but 3 in the layout");

	core::TableLayout more = layout_of({{"flags", "bit(3)"},
										{"code", "binary(4)"},
										{"state", "enum('a','b')"},
										{"tags", "set('x','y')"},
										{"doc", "json"},
										{"f", "float"}});
	std::vector<Column> more_columns = {bit_column(3),
										string_column(ColumnType::string, 4, true),
										labelled(ColumnType::enum_type, {"a", "b"}),
										labelled(ColumnType::set, {}),
										blob_column(ColumnType::json, 4),
										col(ColumnType::float_type)};
	CHECK(replay::layout_mismatch(table_map(more_columns), more) == "");
	changed = more_columns;
	changed[0] = bit_column(4);
	CHECK(replay::layout_mismatch(table_map(changed), more) ==
		  "column 1 (\"flags\") of table db.t is bit(4) in the binlog but bit(3) in the layout");
	changed = more_columns;
	changed[1] = string_column(ColumnType::string, 8, true);
	CHECK(replay::layout_mismatch(table_map(changed), more) ==
		  "column 2 (\"code\") of table db.t is binary(8) in the binlog but binary(4) in the layout");
	changed = more_columns;
	changed[2] = labelled(ColumnType::enum_type, {"a", "b", "c"});
	CHECK(replay::layout_mismatch(table_map(changed), more) ==
		  "column 3 (\"state\") of table db.t has other ENUM labels in the binlog than in the layout "
		  "(enum('a','b'))");
	changed = more_columns;
	changed[3] = labelled(ColumnType::set, {"y", "x"});
	CHECK(replay::layout_mismatch(table_map(changed), more) ==
		  "column 4 (\"tags\") of table db.t has other SET labels in the binlog than in the layout "
		  "(set('x','y'))");
	changed = more_columns;
	changed[5] = col(ColumnType::double_type);
	CHECK(replay::layout_mismatch(table_map(changed), more) ==
		  "column 6 (\"f\") of table db.t is double in the binlog but float in the layout");
}
