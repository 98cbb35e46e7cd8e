// Catch2 tests of the PostgreSQL names given to MySQL tables and columns (core/pg_names).
#include <catch2/catch.hpp>

#include "core/pg_names.hpp"

using namespace chameleon::core;

TEST_CASE("names PostgreSQL can hold are kept", "[pg_names]") {
	CHECK(pg_table_name("orders") == "orders");
	CHECK(pg_column_name("Mixed Case; \"quoted\" `tick` $$") == "Mixed Case; \"quoted\" `tick` $$");
	std::string fits(63, 'a');
	CHECK(pg_table_name(fits) == fits);
	CHECK(pg_column_name(fits) == fits);
	CHECK(pg_column_name("oid") == "oid");	 // not a system column since PostgreSQL 12
	CHECK(pg_column_name("XMIN") == "XMIN"); // quoted names are case-sensitive
	CHECK(pg_table_name("xmin") == "xmin");	 // system column names concern columns only
}

TEST_CASE("a name longer than 63 bytes is cut and gets the hash of the whole name", "[pg_names]") {
	std::string long_name(64, 'a');
	CHECK(name_hash(long_name) == 0xd96f0f85u);
	CHECK(pg_table_name(long_name) == std::string(54, 'a') + "_d96f0f85");
	CHECK(pg_column_name(long_name) == pg_table_name(long_name));
	CHECK(pg_table_name(long_name).size() == 63);
	// a different 64th byte: the same prefix, another suffix
	std::string other = std::string(63, 'a') + "b";
	CHECK(pg_table_name(other).substr(0, 54) == std::string(54, 'a'));
	CHECK(pg_table_name(other) != pg_table_name(long_name));
}

TEST_CASE("names are cut on a UTF-8 character boundary", "[pg_names]") {
	std::string e_acute;
	for (int i = 0; i < 33; i++)
		e_acute += "\xc3\xa9"; // 66 bytes
	CHECK(pg_table_name(e_acute) == e_acute.substr(0, 54) + "_3c09af41");
	std::string shifted = "x" + e_acute; // 54 would split a character: 53 are kept
	CHECK(pg_table_name(shifted).size() == 53 + 9);
	CHECK(pg_table_name(shifted).substr(0, 53) == shifted.substr(0, 53));
	CHECK(utf8_prefix("ab\xc3\xa9", 3) == "ab");
	CHECK(utf8_prefix("ab\xc3\xa9", 4) == "ab\xc3\xa9");
}

TEST_CASE("system column names are rewritten", "[pg_names]") {
	for (const char *name : {"xmin", "xmax", "cmin", "cmax", "ctid", "tableoid"}) {
		CHECK(is_system_column(name));
		CHECK(pg_column_name(name) != name);
	}
	CHECK(pg_column_name("xmin") == "xmin_b90b4d21");
	CHECK(quote_column("xmin") == "\"xmin_b90b4d21\"");
	CHECK(quote_column("a\"b") == "\"a\"\"b\"");
	CHECK_FALSE(is_system_column("oid"));
}

TEST_CASE("collisions are found with the positions of both names", "[pg_names]") {
	std::string a = std::string(63, 'a') + "1";
	std::string b = std::string(63, 'a') + "2";
	CHECK_FALSE(find_collision({a, b, "x"}, false).found()); // the hash keeps them apart
	NameCollision same = find_collision({"t", "u", "t"}, false);
	REQUIRE(same.found());
	CHECK(same.first == 0);
	CHECK(same.second == 2);
	CHECK(same.pg_name == "t");
	// a MySQL column named like the rewritten form of another
	NameCollision rewritten = find_collision({"xmin", "id", "xmin_b90b4d21"}, true);
	REQUIRE(rewritten.found());
	CHECK(rewritten.first == 0);
	CHECK(rewritten.second == 2);
	CHECK_FALSE(find_collision({"xmin", "xmin_b90b4d21"}, false).found()); // tables keep "xmin"
}
