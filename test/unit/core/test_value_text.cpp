// Catch2 tests of value conversion to PostgreSQL input text and COPY text-format escaping.
#include <catch2/catch.hpp>

#include <cstring>

#include "core/value_text.hpp"

using namespace chameleon::core;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

std::string
text(ValueForm form, std::string_view in, ValueOptions options = {}) {
	std::string out = "prefix:";
	REQUIRE(to_pg_text(form, in, out, options) == ValueStatus::Ok);
	return out.substr(7);
}

std::string
copy_field(ValueForm form, std::optional<std::string_view> in, ValueOptions options = {}) {
	std::string out, scratch;
	append_copy_field(form, in, out, scratch, options);
	return out;
}

std::string
le32(std::uint32_t v) {
	std::string s(4, '\0');
	for (int i = 0; i < 4; ++i)
		s[i] = static_cast<char>(v >> (8 * i));
	return s;
}

std::string
float_bytes(float f) {
	std::uint32_t bits;
	std::memcpy(&bits, &f, 4);
	return le32(bits);
}

} // namespace

TEST_CASE("pass-through forms append the text unchanged", "[value_text]") {
	CHECK(text(ValueForm::AsIs, "-123.45") == "-123.45");
	CHECK(text(ValueForm::Interval, "-838:59:59.000000") == "-838:59:59.000000");
	CHECK(text(ValueForm::Json, "{\"a\": [1, 2]}") == "{\"a\": [1, 2]}");
	CHECK(text(ValueForm::Uuid, "123e4567-e89b-12d3-a456-426614174000") ==
		  "123e4567-e89b-12d3-a456-426614174000");
	CHECK(text(ValueForm::Inet, "::ffff:1.2.3.4") == "::ffff:1.2.3.4");
}

TEST_CASE("booleans from bit(1) bytes and from integer text", "[value_text]") {
	CHECK(text(ValueForm::Boolean, "\x01"s) == "t");
	CHECK(text(ValueForm::Boolean, "\x00"s) == "f");
	CHECK(text(ValueForm::Boolean, "0") == "f");
	CHECK(text(ValueForm::Boolean, "1") == "t");
	CHECK(text(ValueForm::Boolean, "-5") == "t");
	CHECK(text(ValueForm::Boolean, "00") == "f");
}

TEST_CASE("bit(n) bytes become n binary digits", "[value_text]") {
	ValueOptions o;
	o.bit_length = 4;
	CHECK(text(ValueForm::BitString, "\x05"s, o) == "0101");
	o.bit_length = 12;
	CHECK(text(ValueForm::BitString, "\x0a\xbc"s, o) == "101010111100");
	o.bit_length = 16;
	CHECK(text(ValueForm::BitString, "\x01"s, o) == "0000000000000001"); // short input: zero-padded
	o.bit_length = 64;
	CHECK(text(ValueForm::BitString, "\x80\x00\x00\x00\x00\x00\x00\x01"s, o) ==
		  "1" + std::string(62, '0') + "1");
}

TEST_CASE("zero dates", "[value_text]") {
	std::string out;
	CHECK(to_pg_text(ValueForm::ZeroDateToNull, "0000-00-00", out, {}) == ValueStatus::ZeroDateAsNull);
	CHECK(to_pg_text(ValueForm::ZeroDateToNull, "0000-00-00 00:00:00", out, {}) ==
		  ValueStatus::ZeroDateAsNull);
	CHECK(to_pg_text(ValueForm::ZeroDateToNull, "2021-00-05", out, {}) == ValueStatus::ZeroDateAsNull);
	CHECK(to_pg_text(ValueForm::TimestampUtc, "0000-00-00 00:00:00.000000", out, {}) ==
		  ValueStatus::ZeroDateAsNull);
	ValueOptions strict;
	strict.zero_dates_to_null = false;
	CHECK(to_pg_text(ValueForm::ZeroDateToNull, "2021-03-00", out, strict) == ValueStatus::ZeroDateRejected);
	CHECK(out.empty());

	CHECK(text(ValueForm::ZeroDateToNull, "2021-03-04") == "2021-03-04");
	CHECK(text(ValueForm::ZeroDateToNull, "2021-03-04 05:06:07.123") == "2021-03-04 05:06:07.123");
	CHECK(text(ValueForm::ZeroDateToNull, "0000-03-04") == "0001-03-04 BC"); // year 0 = 1 BC
	CHECK(text(ValueForm::TimestampUtc, "2021-03-04 05:06:07.5") == "2021-03-04 05:06:07.5+00");

	CHECK(copy_field(ValueForm::ZeroDateToNull, "0000-00-00"sv) == "\\N");
	CHECK(copy_field(ValueForm::TimestampUtc, "2000-01-01 00:00:00"sv) == "2000-01-01 00:00:00+00");
}

TEST_CASE("set text becomes a text[] literal", "[value_text]") {
	CHECK(text(ValueForm::SetToArray, "") == "{}");
	CHECK(text(ValueForm::SetToArray, "a") == "{\"a\"}");
	CHECK(text(ValueForm::SetToArray, "a,b c") == "{\"a\",\"b c\"}");
	CHECK(text(ValueForm::SetToArray, "q\"x,b\\s") == "{\"q\\\"x\",\"b\\\\s\"}");
	CHECK(copy_field(ValueForm::SetToArray, "b\\s"sv) ==
		  "{\"b\\\\\\\\s\"}"); // array escape, then COPY escape
}

TEST_CASE("binary strings become bytea hex", "[value_text]") {
	CHECK(text(ValueForm::Bytea, "") == "\\x");
	CHECK(text(ValueForm::Bytea, "\x00\xff\x10"
								 "a"s) == "\\x00ff1061");
	CHECK(copy_field(ValueForm::Bytea, "\x00\xff"s) == "\\\\x00ff");
}

TEST_CASE("spatial values become EWKB", "[value_text]") {
	// POINT(1 2), little-endian WKB
	std::string wkb = "\x01"s + le32(1) + std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8) +
					  std::string("\x00\x00\x00\x00\x00\x00\x00\x40", 8);
	std::string point_hex = "0101000000000000000000f03f0000000000000040";
	CHECK(text(ValueForm::Geometry, le32(0) + wkb) == point_hex);
	CHECK(text(ValueForm::Geometry, le32(4326) + wkb) ==
		  "0101000020e6100000000000000000f03f0000000000000040");
	CHECK(text(ValueForm::GeometryBytea, le32(4326) + wkb) ==
		  "\\x0101000020e6100000000000000000f03f0000000000000040");
	// big-endian WKB keeps its byte order
	std::string be = "\x00\x00\x00\x00\x01"s + std::string(16, '\0');
	CHECK(text(ValueForm::Geometry, le32(3857) + be) == "0020000001"
														"00000f11" +
															std::string(32, '0'));
	std::string out;
	CHECK(to_pg_text(ValueForm::Geometry, "short", out, {}) == ValueStatus::Invalid);
	CHECK(to_pg_text(ValueForm::GeometryBytea, "short", out, {}) == ValueStatus::Invalid);
	CHECK(out.empty());
}

TEST_CASE("vectors become real[] literals", "[value_text]") {
	CHECK(text(ValueForm::Vector, "") == "{}");
	CHECK(text(ValueForm::Vector, float_bytes(1.5f) + float_bytes(-2.0f) + float_bytes(0.1f)) ==
		  "{1.5,-2,0.1}");
	std::string out;
	CHECK(to_pg_text(ValueForm::Vector, "abc", out, {}) == ValueStatus::Invalid);
}

TEST_CASE("COPY text-format escaping", "[value_text]") {
	std::string out;
	CHECK(copy_escape("plain", out, true));
	CHECK(out == "plain");
	out.clear();
	CHECK(copy_escape("a\\b\tc\nd\re", out, true));
	CHECK(out == "a\\\\b\\tc\\nd\\re");
	out = "kept|";
	CHECK(copy_escape("x", out, true));
	CHECK(out == "kept|x");
	out.clear();
	CHECK(copy_escape("\xc3\xa9 \xf0\x9f\x90\x98 \x7f\xff\\", out, true)); // bytes >= 0x80 pass through
	CHECK(out == "\xc3\xa9 \xf0\x9f\x90\x98 \x7f\xff\\\\");

	SECTION("NUL bytes stripped or reported") {
		std::string s;
		CHECK(copy_escape("a\0b\0"s, s, true));
		CHECK(s == "ab");
		s.clear();
		CHECK_FALSE(copy_escape("a\0b"s, s, false));
		CHECK(copy_field(ValueForm::AsIs, "x\0y"sv, {}) == "xy");
		ValueOptions keep;
		keep.strip_nul = false;
		std::string field, scratch;
		CHECK(append_copy_field(ValueForm::AsIs, "x\0y"sv, field, scratch, keep) == ValueStatus::NulByte);
	}
	SECTION("NULL and fields") {
		CHECK(copy_field(ValueForm::AsIs, std::nullopt) == "\\N");
		CHECK(copy_field(ValueForm::AsIs, ""sv) == "");
		CHECK(copy_field(ValueForm::AsIs, "\\N"sv) == "\\\\N");
		CHECK(copy_field(ValueForm::Boolean, "\x01"s) == "t");
	}
}
