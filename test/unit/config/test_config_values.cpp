// Tests of the value texts: integers, booleans, byte sizes, intervals, lock timeouts, type names.
#include "config/config_values.hpp"

#include <catch2/catch.hpp>

using namespace chameleon::config;

TEST_CASE("integers: decimal, signed, with underscores", "[config][values]") {
	CHECK(parse_integer("3306") == 3306);
	CHECK(parse_integer("+5") == 5);
	CHECK(parse_integer("-12") == -12);
	CHECK(parse_integer("10_000") == 10000);
	CHECK(parse_integer("9223372036854775807") == INT64_MAX);
	CHECK_FALSE(parse_integer("9223372036854775808"));
	CHECK_FALSE(parse_integer(""));
	CHECK_FALSE(parse_integer("ten"));
	CHECK_FALSE(parse_integer("1.5"));
	CHECK_FALSE(parse_integer("_1"));
	CHECK_FALSE(parse_integer("1_"));
	CHECK_FALSE(parse_integer(" 1"));
}

TEST_CASE("booleans: the YAML 1.1 words in any case", "[config][values]") {
	for (const char *word : {"true", "True", "TRUE", "yes", "Yes", "on", "ON"})
		CHECK(parse_boolean(word) == true);
	for (const char *word : {"false", "False", "no", "No", "NO", "off", "Off"})
		CHECK(parse_boolean(word) == false);
	for (const char *word : {"", "maybe", "1", "0", "y", "n"})
		CHECK_FALSE(parse_boolean(word));
}

TEST_CASE("byte sizes: k, M, G suffixes and plain bytes", "[config][values]") {
	CHECK(parse_byte_size("300M") == 300LL * 1024 * 1024);
	CHECK(parse_byte_size("1G") == 1024LL * 1024 * 1024);
	CHECK(parse_byte_size("512k") == 512 * 1024);
	CHECK(parse_byte_size("512K") == 512 * 1024);
	CHECK(parse_byte_size("64MB") == 64LL * 1024 * 1024);
	CHECK(parse_byte_size("2 gb") == 2LL * 1024 * 1024 * 1024);
	CHECK(parse_byte_size("1048576") == 1048576);
	CHECK_FALSE(parse_byte_size("300X"));
	CHECK_FALSE(parse_byte_size("300T"));
	CHECK_FALSE(parse_byte_size("M"));
	CHECK_FALSE(parse_byte_size("0"));
	CHECK_FALSE(parse_byte_size("-1M"));
	CHECK_FALSE(parse_byte_size("1.5G"));
	CHECK_FALSE(parse_byte_size("99999999999999999G"));
}

TEST_CASE("intervals: PostgreSQL traditional and ISO 8601 forms", "[config][values]") {
	for (const char *text :
		 {"1 day", "2 days", "12 hours", "1d", "90min", "1 day 02:00:00", "01:30", "@ 1 day ago",
		  "1 year 2 mons", "1.5 hours", "P1D", "PT12H", "P1Y2M3DT4H5M6S", "-1 day"})
		CHECK(is_interval_text(text));
	for (const char *text :
		 {"", "disabled", "1 dya", "day", "forever", "P", "PT", "1 day; drop table x", "1,day"})
		CHECK_FALSE(is_interval_text(text));
}

TEST_CASE("lock timeouts: integer with an optional unit", "[config][values]") {
	for (const char *text : {"120s", "120 s", "500ms", "2min", "1h", "1d", "0", "120"})
		CHECK(is_lock_timeout_text(text));
	for (const char *text : {"", "s", "2 minutes", "1.5s", "-1s", "10 sec"})
		CHECK_FALSE(is_lock_timeout_text(text));
}

TEST_CASE("type names: accepted forms, nothing that could end the DDL", "[config][values]") {
	for (const char *text :
		 {"boolean", "numeric(10,2)", "numeric(10, 2)", "character varying(255)", "double precision",
		  "timestamp(3) with time zone", "integer[]", "public.citext", "geometry(Point,4326)"})
		CHECK(is_type_name_text(text));
	for (const char *text : {"", "boolean; drop table t", "text -- x", "\"MyType\"", "numeric(10", "int)",
							 "1int", "varchar(10))", "text COLLATE \"C\""})
		CHECK_FALSE(is_type_name_text(text));
}

TEST_CASE("edit distance", "[config][values]") {
	CHECK(edit_distance("host", "host") == 0);
	CHECK(edit_distance("hots", "host") == 1);
	CHECK(edit_distance("hsot", "host") == 1);
	CHECK(edit_distance("kitten", "sitting") == 3);
	CHECK(edit_distance("replica_batch_sise", "replica_batch_size") == 1);
	CHECK(edit_distance("", "abc") == 3);
}
