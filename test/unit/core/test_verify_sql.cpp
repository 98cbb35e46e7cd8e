// Catch2 tests of the verification SQL: the canonical text of each type family on both sides,
// which keys can be cut into ranges, and the range queries with their bounds. That the two sides
// print the same text for the same value is shown against the servers by test/e2e/verify.sh.
#include <catch2/catch.hpp>

#include "core/pg_names.hpp"
#include "core/type_map.hpp"
#include "core/verify_sql.hpp"

using namespace chameleon::core;

namespace {

LayoutColumn
mapped(const std::string &name, const std::string &column_type, bool nullable = true) {
	LayoutColumn c;
	c.mysql = from_column_type(name, column_type);
	c.mysql.nullable = nullable;
	MapContext context;
	context.origin_schema = "shop";
	context.table = "t";
	context.destination_schema = "pg_shop";
	PgColumnType pg = map_column(c.mysql, context);
	c.pg_type = pg.is_enum ? "\"pg_shop\".\"" + pg.enum_type_name + "\"" : pg.sql_type;
	c.form = pg.form;
	c.bit_length = pg.bit_length;
	c.nullable = pg.nullable;
	return c;
}

TableLayout
table(std::vector<LayoutColumn> columns, std::vector<std::string> key) {
	TableLayout t;
	t.origin_schema = "shop";
	t.table = "t";
	t.destination_schema = "pg_shop";
	t.destination_table = "t";
	t.columns = std::move(columns);
	t.key = std::move(key);
	return t;
}

} // namespace

TEST_CASE("integers and decimals print as they are on both sides", "[verify_sql]") {
	for (const char *type : {"int(11)", "bigint(20) unsigned", "tinyint(4)", "decimal(10,2)"}) {
		CanonicalColumn c = canonical_column(mapped("v", type));
		CHECK(c.mysql == "CAST(`v` AS CHAR)");
		CHECK(c.pg == "\"v\"::text");
		CHECK_FALSE(c.json);
	}
	CHECK(canonical_column(mapped("y", "year(4)")).mysql == "CAST(`y` + 0 AS CHAR)");
}

TEST_CASE("floats compare as mantissa and exponent with the type's significant digits", "[verify_sql]") {
	CanonicalColumn single = canonical_column(mapped("f", "float"));
	CHECK(single.mysql.find("POW(10, FLOOR(LOG10(ABS(`f`))) - 5)") != std::string::npos);
	CHECK(single.pg.find("\"f\"::float8 / 10::float8 ^ (floor(log(abs(\"f\"::float8))) - 5)") !=
		  std::string::npos);
	CanonicalColumn dbl = canonical_column(mapped("d", "double"));
	CHECK(dbl.mysql.find("- 14") != std::string::npos);
	CHECK(dbl.pg.find("- 14") != std::string::npos);
	CHECK(dbl.mysql.rfind("IF(`d` = 0, '0', ", 0) == 0);
}

TEST_CASE("strings in utf8mb4; char is compared without its padding on both sides", "[verify_sql]") {
	for (const char *type : {"char(10)", "varchar(20)", "text", "enum('a','b')"}) {
		CanonicalColumn c = canonical_column(mapped("s", type));
		CHECK(c.mysql == "CONVERT(`s` USING utf8mb4)");
		CHECK(c.pg == "\"s\"::text");
	}
}

TEST_CASE("binary strings as lower-case hex", "[verify_sql]") {
	CanonicalColumn c = canonical_column(mapped("b", "varbinary(10)"));
	CHECK(c.mysql == "LOWER(HEX(`b`))");
	CHECK(c.pg == "encode(\"b\", 'hex')");
}

TEST_CASE("temporal types: zero dates are NULL, trailing fraction zeros dropped, timestamps in UTC",
		  "[verify_sql]") {
	CHECK(canonical_column(mapped("d", "date")).mysql ==
		  "IF(MONTH(`d`) = 0 OR DAYOFMONTH(`d`) = 0, NULL, CAST(`d` AS CHAR))");
	CHECK(canonical_column(mapped("d", "datetime")).mysql ==
		  "IF(MONTH(`d`) = 0 OR DAYOFMONTH(`d`) = 0, NULL, CAST(`d` AS CHAR))");
	CHECK(canonical_column(mapped("d", "datetime(6)")).mysql ==
		  "IF(MONTH(`d`) = 0 OR DAYOFMONTH(`d`) = 0, NULL, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM "
		  "CAST(`d` AS CHAR))))");
	CHECK(canonical_column(mapped("t", "timestamp(2)")).mysql ==
		  "IF(MONTH(`t`) = 0 OR DAYOFMONTH(`t`) = 0, NULL, CONCAT(TRIM(TRAILING '.' FROM TRIM(TRAILING '0' "
		  "FROM CAST(`t` AS CHAR))), '+00'))");
	CHECK(canonical_column(mapped("t", "time")).mysql == "CAST(`t` AS CHAR)");
	CHECK(canonical_column(mapped("t", "time(3)")).mysql ==
		  "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(`t` AS CHAR)))");
	CHECK(canonical_column(mapped("t", "time(3)")).pg == "\"t\"::text");
}

TEST_CASE("bit, boolean, set and json", "[verify_sql]") {
	CHECK(canonical_column(mapped("b", "bit(5)")).mysql == "LPAD(BIN(`b` + 0), 5, '0')");
	CHECK(canonical_column(mapped("b", "bit(1)")).mysql ==
		  "IF(`b` IS NULL, NULL, IF(`b` + 0 <> 0, 'true', 'false'))");
	CanonicalColumn set = canonical_column(mapped("s", "set('a','b')"));
	CHECK(set.mysql == "CONVERT(`s` USING utf8mb4)");
	CHECK(set.pg == "array_to_string(\"s\", ',')");
	CanonicalColumn json = canonical_column(mapped("j", "json"));
	CHECK(json.json);
	CHECK(json.mysql == "JSON_NORMALIZE(`j`)");
	CHECK(json.pg == "\"j\"::text");
	CHECK(canonical_column(mapped("ip", "inet6")).pg == "host(\"ip\")");
}

TEST_CASE("spatial values: MySQL's internal form (SRID, then WKB) as hex on both sides", "[verify_sql]") {
	LayoutColumn point = mapped("g", "point");
	CanonicalColumn bytea = canonical_column(point);
	CHECK(bytea.mysql == "LOWER(HEX(`g`))");
	CHECK(bytea.pg == "CASE WHEN get_byte(\"g\", 4) & 32 = 0 THEN '00000000' || encode(\"g\", 'hex') ELSE "
					  "encode(substring(\"g\" from 6 for 4) || substring(\"g\" from 1 for 4) || "
					  "set_byte('\\x00'::bytea, 0, get_byte(\"g\", 4) & 223) || substring(\"g\" from 10), "
					  "'hex') END");
	point.form = ValueForm::Geometry; // PostGIS installed
	CHECK(canonical_column(point).pg.rfind("CASE WHEN get_byte(ST_AsEWKB(\"g\", 'NDR'), 4)", 0) == 0);
}

TEST_CASE("vectors: the float32 values, little-endian, as hex on both sides", "[verify_sql]") {
	CanonicalColumn vector = canonical_column(mapped("v", "vector(3)"));
	CHECK(vector.mysql == "LOWER(HEX(`v`))");
	// PostgreSQL 15 prints 0000803f00002040 for '{1,2.5}'::real[], as MySQL's HEX of those floats
	CHECK(vector.pg ==
		  "CASE WHEN \"v\" IS NULL THEN NULL ELSE coalesce((SELECT string_agg(substr(h, 7, 2) || "
		  "substr(h, 5, 2) || substr(h, 3, 2) || substr(h, 1, 2), '' ORDER BY n) FROM unnest(\"v\") WITH "
		  "ORDINALITY AS e(v, n), LATERAL encode(float4send(e.v), 'hex') AS h), '') END");
}

TEST_CASE("keys that order alike on both sides are cut into ranges", "[verify_sql]") {
	CHECK(key_has_ranges(table({mapped("id", "int(11)", false)}, {"id"})));
	CHECK(key_has_ranges(
		table({mapped("a", "varchar(10)", false), mapped("b", "datetime(3)", false)}, {"a", "b"})));
	CHECK(key_has_ranges(table({mapped("b", "binary(16)", false)}, {"b"})));
	CHECK_FALSE(key_has_ranges(table({mapped("f", "double", false)}, {"f"})));
	CHECK_FALSE(key_has_ranges(table({mapped("e", "enum('x','y')", false)}, {"e"})));
	CHECK_FALSE(key_has_ranges(table({mapped("id", "int(11)", false)}, {})));
}

TEST_CASE("range hashes: the same row text and bounds on both sides", "[verify_sql]") {
	TableLayout t =
		table({mapped("id", "int(11)", false), mapped("s", "varchar(10)", false), mapped("v", "int(11)")},
			  {"id", "s"});
	KeyBound lower{{"5", "a'b"}, {"5", "a'b"}};
	std::string my = mysql_range_hash(t, lower, std::nullopt);
	CHECK(my ==
		  "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT(CONCAT_WS(_utf8mb4 X'1F', `id`, "
		  "CONVERT(`s` USING utf8mb4), `v`), ISNULL(`v`)))), 0) FROM `shop`.`t` "
		  "WHERE TRUE AND ((`id` > '5') OR (`id` = '5' AND "
		  "CAST(CONVERT(`s` USING utf8mb4) AS BINARY) > CAST(CONVERT('a\\'b' USING utf8mb4) AS BINARY)))");
	std::string pg = pg_range_values(t, true, true);
	CHECK(pg == "SELECT \"id\"::text, \"s\"::text, \"v\"::text "
				"FROM \"pg_shop\".\"t\" WHERE TRUE AND ((\"id\" > $1::integer) OR (\"id\" = $1::integer AND "
				"(\"s\"::text COLLATE \"C\") > ($2::text COLLATE \"C\"))) AND ((\"id\" < $3::integer) OR "
				"(\"id\" = $3::integer AND (\"s\"::text COLLATE \"C\") <= ($4::text COLLATE \"C\")))");
	// without JSON, PostgreSQL prints the row text itself; NOT NULL columns have no NULL digit
	CHECK(
		pg_range_text(t, false, true) ==
		"SELECT concat(concat_ws(E'\\x1f', \"id\"::text, \"s\"::text, \"v\"::text), (\"v\" IS NULL)::int) "
		"FROM "
		"\"pg_shop\".\"t\" WHERE TRUE AND ((\"id\" < $1::integer) OR (\"id\" = $1::integer AND (\"s\"::text "
		"COLLATE \"C\") <= ($2::text COLLATE \"C\")))");
	CHECK(null_digits(t) == std::vector<bool>{false, false, true});
	CHECK_FALSE(has_json(t));
	CHECK(has_json(table({mapped("id", "int(11)", false), mapped("j", "json")}, {"id"})));
	KeyBound upper{{"9", "z"}, {"9", "z"}};
	CHECK(pg_bound_params(lower, upper) == std::vector<std::string>{"5", "a'b", "9", "z"});
	CHECK(pg_bound_params(std::nullopt, upper) == std::vector<std::string>{"9", "z"});
}

TEST_CASE("a zero date is NULL in the canonical text: its NULL digit tests for it", "[verify_sql]") {
	TableLayout t = table({mapped("id", "int(11)", false), mapped("d", "date", false)}, {"id"});
	// NOT NULL in MySQL, yet NULL in PostgreSQL for a zero date: the date has a digit, the id none;
	// a date without fraction goes into CONCAT_WS bare
	CHECK(mysql_range_hash(t, std::nullopt, std::nullopt) ==
		  "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT(CONCAT_WS(_utf8mb4 X'1F', `id`, IF(MONTH(`d`) = 0 OR "
		  "DAYOFMONTH(`d`) = 0, NULL, `d`)), IFNULL(MONTH(`d`) = 0 OR DAYOFMONTH(`d`) = 0, 1)))), 0) FROM "
		  "`shop`.`t` WHERE TRUE");
	TableLayout fraction = table({mapped("id", "int(11)", false), mapped("d", "datetime(3)")}, {"id"});
	CHECK(mysql_range_hash(fraction, std::nullopt, std::nullopt)
			  .find(", " + canonical_column(fraction.columns[1]).mysql + "), IFNULL(") != std::string::npos);
}

TEST_CASE("utf8mb4 strings are relabelled in the row text, others converted", "[verify_sql]") {
	LayoutColumn utf8mb4 = mapped("a", "varchar(10)", false);
	utf8mb4.mysql.charset = "utf8mb4";
	LayoutColumn latin1 = mapped("b", "varchar(10)", false);
	latin1.mysql.charset = "latin1";
	CHECK(mysql_range_hash(table({utf8mb4, latin1}, {"a"}), std::nullopt, std::nullopt)
			  .find("CONCAT_WS(_utf8mb4 X'1F', `a` COLLATE utf8mb4_bin, CONVERT(`b` USING utf8mb4))") !=
		  std::string::npos);
}

TEST_CASE("the key walk reads MySQL's text and the canonical text of the next bound", "[verify_sql]") {
	TableLayout t =
		table({mapped("ts", "timestamp(2)", false), mapped("b", "varbinary(4)", false)}, {"ts", "b"});
	std::string sql = mysql_next_bound(t, std::nullopt, std::nullopt, 1000);
	CHECK(sql.rfind("SELECT CAST(`ts` AS CHAR), LOWER(HEX(`b`)), IF(MONTH(`ts`)", 0) == 0);
	CHECK(sql.find(" ORDER BY `ts`, `b` LIMIT 1 OFFSET 999") != std::string::npos);
	KeyBound lower{{"2020-01-01 00:00:00.10", "0a"}, {"2020-01-01 00:00:00.1+00", "0a"}};
	std::string range = mysql_range_rows(t, lower, std::nullopt);
	CHECK(range.find("(`ts` = '2020-01-01 00:00:00.10' AND `b` > X'0a')") != std::string::npos);
	CHECK(pg_range_rows(t, true, false).find("\"b\" > decode($2, 'hex')") != std::string::npos);
}

TEST_CASE("a column with another PostgreSQL name is read by that name there", "[verify_sql]") {
	std::string long_name(70, 'c');
	CanonicalColumn c = canonical_column(mapped(long_name, "int(11)"));
	CHECK(c.mysql == "CAST(`" + long_name + "` AS CHAR)");
	CHECK(c.pg == quote_column(long_name) + "::text");
	CHECK(c.pg != "\"" + long_name + "\"::text");
}

TEST_CASE("MySQL literals and identifiers", "[verify_sql]") {
	CHECK(mysql_literal("it's a \\ test") == "'it\\'s a \\\\ test'");
	CHECK(mysql_literal(std::string_view("a\0b", 3)) == "'a\\0b'");
	CHECK(mysql_ident("we`ird") == "`we``ird`");
}
