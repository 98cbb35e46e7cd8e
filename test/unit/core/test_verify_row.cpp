// Catch2 tests of the PostgreSQL side of a range hash: the row text MySQL's CONCAT_WS builds, the
// CRC32 MySQL computes, and JSON in MariaDB's JSON_NORMALIZE form (the expected texts are
// MariaDB 10.11's output for the same JSON).
#include <catch2/catch.hpp>

#include "core/verify_row.hpp"

using namespace chameleon::core;

TEST_CASE("the row text: values joined by U+001F without the NULLs, then NULL digits", "[verify_row]") {
	CHECK(row_hash_text({std::string("1"), std::nullopt, std::string("")}, {true, true, true}) ==
		  std::string("1\x1f") + "010");
	CHECK(row_hash_text({std::nullopt, std::string("a")}, {true, true}) == "a10");
	CHECK(row_hash_text({{}, {}}, {false, false}).empty());
	// a column MySQL keeps NOT NULL has no digit
	CHECK(row_hash_text({std::string("1"), std::string("b"), std::nullopt}, {false, false, true}) ==
		  std::string("1\x1f") + "b1");
}

TEST_CASE("CRC32 as MySQL's CRC32()", "[verify_row]") {
	// SELECT CRC32('MySQL'), CRC32(''), CRC32('The quick brown fox jumps over the lazy dog')
	CHECK(row_crc32("MySQL") == 3259397556u);
	CHECK(row_crc32("") == 0u);
	CHECK(row_crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
}

TEST_CASE("JSON numbers as JSON_NORMALIZE prints them", "[verify_row]") {
	CHECK(canonical_json_number("0") == "0.0E0");
	CHECK(canonical_json_number("-0") == "0.0E0");
	CHECK(canonical_json_number("0.000") == "0.0E0");
	CHECK(canonical_json_number("1") == "1.0E0");
	CHECK(canonical_json_number("10") == "1.0E1");
	CHECK(canonical_json_number("1.50") == "1.5E0");
	CHECK(canonical_json_number("0.05") == "5.0E-2");
	CHECK(canonical_json_number("-12.3400e-2") == "-1.234E-1");
	CHECK(canonical_json_number("100.5e1") == "1.005E3");
	CHECK(canonical_json_number("1E+2") == "1.0E2");
	CHECK(canonical_json_number("12345678901234567890") == "1.234567890123456789E19");
	CHECK(canonical_json_number("9.99E-400") == "9.99E-400");
	CHECK_FALSE(canonical_json_number("1."));
	CHECK_FALSE(canonical_json_number("abc"));
	CHECK_FALSE(canonical_json_number("1e"));
}

TEST_CASE("JSON documents: keys sorted by their bytes, no spaces, strings as written", "[verify_row]") {
	// jsonb's text (keys by length, then bytes) -> JSON_NORMALIZE's
	CHECK(canonical_json(
			  "{\"b\": 1, \"A\": false, \"a\": [1.50, 2000, -0.001, \"x\\n\"], \"aa\": {\"y\": true, "
			  "\"z\": null}}") ==
		  "{\"A\":false,\"a\":[1.5E0,2.0E3,-1.0E-3,\"x\\n\"],\"aa\":{\"y\":true,\"z\":null},\"b\":1.0E0}");
	CHECK(canonical_json("{\"z\": 6, \"a\": 2, \"é\": 5, \"a b\": 1, \"a!\": 3, \"B\": 4}") ==
		  "{\"B\":4.0E0,\"a\":2.0E0,\"a b\":1.0E0,\"a!\":3.0E0,\"z\":6.0E0,\"é\":5.0E0}");
	CHECK(canonical_json("{}") == "{}");
	CHECK(canonical_json("[]") == "[]");
	CHECK(canonical_json("null") == "null");
	CHECK(canonical_json("\"a \\\"quoted\\\" \\\\ word\"") == "\"a \\\"quoted\\\" \\\\ word\"");
	CHECK(canonical_json("[[], {}, [{\"k\": [0]}]]") == "[[],{},[{\"k\":[0.0E0]}]]");
	CHECK_FALSE(canonical_json("{\"a\": }"));
	CHECK_FALSE(canonical_json("[1, 2"));
	CHECK_FALSE(canonical_json("[1] x"));
}
