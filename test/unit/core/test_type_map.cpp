// Catch2 tests of the MySQL -> PostgreSQL type map: every row, type_override, NOT NULL and defaults.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "core/type_map.hpp"

using namespace chameleon::core;

namespace {

MapContext
context(std::vector<TypeOverride> overrides = {}, bool postgis = false) {
	MapContext ctx;
	ctx.origin_schema = "shop";
	ctx.table = "orders";
	ctx.destination_schema = "pg_shop";
	ctx.type_overrides = std::move(overrides);
	ctx.postgis_available = postgis;
	return ctx;
}

PgColumnType
map(const std::string &column_type, const MapContext &ctx = context()) {
	return map_column(from_column_type("c", column_type), ctx);
}

std::string
sql(const std::string &column_type) {
	return map(column_type).sql_type;
}

MysqlColumn
with_default(const std::string &column_type, std::optional<std::string> value, bool expression = false) {
	MysqlColumn c = from_column_type("c", column_type);
	c.default_value = std::move(value);
	c.default_is_expression = expression;
	return c;
}

std::optional<std::string>
default_of(const std::string &column_type, std::optional<std::string> value, bool expression = false,
		   const MapContext &ctx = context()) {
	return map_column(with_default(column_type, std::move(value), expression), ctx).default_sql;
}

} // namespace

TEST_CASE("integers: signed keep their size, unsigned widen to a type holding every value", "[type_map]") {
	CHECK(sql("tinyint(4)") == "smallint");
	CHECK(sql("tinyint(3) unsigned") == "smallint");
	CHECK(sql("smallint(6)") == "smallint");
	CHECK(sql("smallint(5) unsigned") == "integer");
	CHECK(sql("mediumint(9)") == "integer");
	CHECK(sql("mediumint(8) unsigned") == "integer");
	CHECK(sql("int(11)") == "integer");
	CHECK(sql("int(10) unsigned") == "bigint");
	CHECK(sql("int unsigned") == "bigint"); // MySQL 8.0.19+ without display width
	CHECK(sql("bigint(20)") == "bigint");
	CHECK(sql("bigint(20) unsigned") == "numeric(20)");
	CHECK(sql("bigint unsigned zerofill") == "numeric(20)");
	CHECK(map("int(11)").form == ValueForm::AsIs);
}

TEST_CASE("unsigned from the struct field when column_type says nothing", "[type_map]") {
	MysqlColumn c;
	c.name = "n";
	c.data_type = "int";
	c.unsigned_ = true;
	CHECK(map_column(c, context()).sql_type == "bigint");
}

TEST_CASE("bool, year, bit", "[type_map]") {
	CHECK(sql("tinyint(1)") == "smallint");
	MysqlColumn b = from_column_type("flag", "boolean");
	CHECK(b.declared_boolean);
	CHECK(b.column_type == "tinyint(1)");
	CHECK(map_column(b, context()).sql_type == "smallint");
	CHECK(sql("year(4)") == "smallint");
	CHECK(sql("year") == "smallint");
	PgColumnType bit1 = map("bit(1)");
	CHECK(bit1.sql_type == "boolean");
	CHECK(bit1.form == ValueForm::Boolean);
	PgColumnType bit8 = map("bit(8)");
	CHECK(bit8.sql_type == "bit(8)");
	CHECK(bit8.form == ValueForm::BitString);
	CHECK(bit8.bit_length == 8);
	CHECK(sql("bit") == "boolean");
	CHECK(sql("bit(64)") == "bit(64)");
}

TEST_CASE("decimal and floating point", "[type_map]") {
	CHECK(sql("decimal(10,2)") == "numeric(10,2)");
	CHECK(sql("decimal(65,30) unsigned") == "numeric(65,30)");
	CHECK(sql("decimal(10,0)") == "numeric(10,0)");
	CHECK(sql("decimal") == "numeric(10,0)");
	CHECK(sql("numeric(5,1)") == "numeric(5,1)");
	CHECK(sql("float") == "real");
	CHECK(sql("float(7,4)") == "real");
	CHECK(sql("float(24)") == "real");
	CHECK(sql("float(25)") == "double precision");
	CHECK(sql("float unsigned") == "real");
	CHECK(sql("double") == "double precision");
	CHECK(sql("double(10,3)") == "double precision");
	CHECK(sql("real") == "double precision");
	CHECK(sql("double precision") == "double precision");
}

TEST_CASE("temporal types keep their fractional precision", "[type_map]") {
	CHECK(sql("date") == "date");
	CHECK(map("date").form == ValueForm::ZeroDateToNull);
	CHECK(sql("datetime") == "timestamp(0) without time zone");
	CHECK(sql("datetime(3)") == "timestamp(3) without time zone");
	CHECK(map("datetime(6)").form == ValueForm::ZeroDateToNull);
	CHECK(sql("timestamp") == "timestamp(0) with time zone");
	CHECK(sql("timestamp(6)") == "timestamp(6) with time zone");
	CHECK(map("timestamp(6)").form == ValueForm::TimestampUtc);
	CHECK(sql("time") == "interval");
	CHECK(sql("time(6)") == "interval");
	CHECK(map("time(3)").form == ValueForm::Interval);

	MysqlColumn info; // information_schema style: data_type + datetime_precision, no column_type
	info.name = "t";
	info.data_type = "datetime";
	info.datetime_precision = 4;
	CHECK(map_column(info, context()).sql_type == "timestamp(4) without time zone");
}

TEST_CASE("character and binary strings", "[type_map]") {
	CHECK(sql("char(3)") == "character(3)");
	CHECK(sql("char") == "character(1)");
	CHECK(sql("varchar(255)") == "character varying(255)");
	CHECK(sql("national varchar(10)") == "character varying(10)");
	for (const char *t : {"tinytext", "text", "mediumtext", "longtext"})
		CHECK(sql(t) == "text");
	for (const char *t : {"binary(16)", "varbinary(200)", "tinyblob", "blob", "mediumblob", "longblob"}) {
		CHECK(sql(t) == "bytea");
		CHECK(map(t).form == ValueForm::Bytea);
	}
	PgColumnType zero = map("varchar(0)");
	CHECK(zero.sql_type == "text");
	CHECK(zero.notices.size() == 1);
	MysqlColumn info;
	info.name = "v";
	info.data_type = "varchar";
	info.char_length = 40;
	CHECK(map_column(info, context()).sql_type == "character varying(40)");
}

TEST_CASE("enum becomes a per-column enum type", "[type_map]") {
	MysqlColumn c = from_column_type("status", "enum('new','paid','it''s')");
	PgColumnType pg = map_column(c, context());
	CHECK(pg.is_enum);
	CHECK(pg.enum_type_name == "enum_orders_status");
	CHECK(pg.sql_type == "\"pg_shop\".\"enum_orders_status\"");
	CHECK(pg.enum_labels == std::vector<std::string>{"new", "paid", "it's"});
	CHECK(pg.form == ValueForm::AsIs);

	SECTION("names stay unique when the split is ambiguous") {
		// orders.order_status and orders_order.status would both give enum_orders_order_status
		std::string a = enum_type_name("orders", "order_status");
		std::string b = enum_type_name("orders_order", "status");
		CHECK(a != b);
		CHECK(b == "enum_orders_order_status");
		CHECK(a.rfind("enum_orders_order_status_", 0) == 0);
		CHECK(a.size() == std::string("enum_orders_order_status_").size() + 8);
		CHECK(a == enum_type_name("orders", "order_status")); // stable
	}
	SECTION("long names are cut to 63 bytes with a hash") {
		std::string table(60, 't');
		std::string n1 = enum_type_name(table, "a");
		std::string n2 = enum_type_name(table, "b");
		CHECK(n1.size() == 63);
		CHECK(n2.size() == 63);
		CHECK(n1 != n2);
		CHECK(n1.substr(0, 54) == "enum_" + std::string(49, 't'));
	}
	SECTION("a multibyte character is not split") {
		std::string table = std::string(48, 'x');
		for (int i = 0; i < 6; ++i)
			table += "\xc3\xa9"; // e acute, 2 bytes: the cut at 54 bytes falls inside one
		std::string name = enum_type_name(table, "c");
		CHECK(name.size() <= 63);
		CHECK(name.substr(0, 53) == "enum_" + std::string(48, 'x'));
		CHECK(name[53] == '_');
	}
	SECTION("labels longer than 63 bytes fall back to text") {
		MysqlColumn big = from_column_type("s", "enum('" + std::string(64, 'x') + "','b')");
		PgColumnType t = map_column(big, context());
		CHECK_FALSE(t.is_enum);
		CHECK(t.sql_type == "text");
		CHECK(t.notices.size() == 1);
	}
}

TEST_CASE("set, json, spatial, MariaDB types, vector", "[type_map]") {
	PgColumnType set = map("set('a','b','c')");
	CHECK(set.sql_type == "text[]");
	CHECK(set.form == ValueForm::SetToArray);
	CHECK(sql("json") == "jsonb");
	CHECK(map("json").form == ValueForm::Json);
	for (const char *t : {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
						  "multipolygon", "geometrycollection", "geomcollection"}) {
		PgColumnType with = map(t, context({}, true));
		CHECK(with.sql_type == "geometry");
		CHECK(with.form == ValueForm::Geometry);
		PgColumnType without = map(t, context({}, false));
		CHECK(without.sql_type == "bytea");
		CHECK(without.form == ValueForm::GeometryBytea);
	}
	CHECK(sql("inet6") == "inet");
	CHECK(sql("inet4") == "inet");
	CHECK(map("inet6").form == ValueForm::Inet);
	CHECK(sql("uuid") == "uuid");
	CHECK(map("uuid").form == ValueForm::Uuid);
	CHECK(sql("vector(3)") == "real[]");
	CHECK(map("vector(3)").form == ValueForm::Vector);
}

TEST_CASE("unknown types need a type_override", "[type_map]") {
	CHECK_THROWS_AS(sql("frobnicate(3)"), chameleon::Error);
	CHECK(map("frobnicate(3)", context({{"frobnicate(3)", "text", {"*"}}})).sql_type == "text");
}

TEST_CASE("auto_increment becomes an identity column", "[type_map]") {
	auto identity = [](const std::string &type) {
		MysqlColumn c = from_column_type("id", type);
		c.auto_increment = true;
		return map_column(c, context());
	};
	for (const char *t :
		 {"tinyint(4)", "smallint(6)", "mediumint(9)", "int(11)", "bigint(20)", "int(10) unsigned"}) {
		PgColumnType pg = identity(t);
		CHECK(pg.identity);
		CHECK_FALSE(pg.nullable);
		CHECK_FALSE(pg.default_sql);
	}
	CHECK(identity("int(10) unsigned").sql_type == "bigint");
	PgColumnType big = identity("bigint(20) unsigned");
	CHECK(big.sql_type == "numeric(20)");
	CHECK_FALSE(big.identity);
	CHECK(big.notices.size() == 1);

	MysqlColumn serial = from_column_type("id", "serial");
	PgColumnType s = map_column(serial, context());
	CHECK(s.sql_type == "numeric(20)");
	CHECK_FALSE(s.nullable);

	MysqlColumn over = from_column_type("id", "bigint(20) unsigned");
	over.auto_increment = true;
	PgColumnType o = map_column(over, context({{"bigint(20) unsigned", "bigint", {"*"}}}));
	CHECK(o.sql_type == "bigint");
	CHECK(o.identity);
}

TEST_CASE("type_override", "[type_map]") {
	TypeOverride to_bool{"tinyint(1)", "boolean", {"shop.orders"}};

	SECTION("exact key, this table") {
		PgColumnType pg = map("tinyint(1)", context({to_bool}));
		CHECK(pg.sql_type == "boolean");
		CHECK(pg.overridden);
		CHECK(pg.form == ValueForm::Boolean);
	}
	SECTION("key compared case- and space-insensitively") {
		CHECK(map("tinyint(1)", context({{"TINYINT( 1 )", "boolean", {"*"}}})).sql_type == "boolean");
		CHECK(map("int(10) unsigned", context({{"INT(10)   UNSIGNED", "numeric", {"*"}}})).sql_type ==
			  "numeric");
	}
	SECTION("other table, other key: no match") {
		CHECK(map("tinyint(1)", context({{"tinyint(1)", "boolean", {"shop.other"}}})).sql_type == "smallint");
		CHECK(map("tinyint(1)", context({{"tinyint(1)", "boolean", {"Shop.orders"}}})).sql_type ==
			  "smallint");
		CHECK(map("tinyint(4)", context({{"tinyint(1)", "boolean", {"*"}}})).sql_type == "smallint");
		CHECK(map("tinyint(1)", context({{"tinyint(1)", "boolean", {}}})).sql_type == "smallint");
	}
	SECTION("wildcard") {
		CHECK(map("tinyint(1)", context({{"tinyint(1)", "boolean", {"x.y", "*"}}})).sql_type == "boolean");
	}
	SECTION("first matching entry wins") {
		CHECK(map("tinyint(1)", context({{"tinyint(1)", "boolean", {"*"}}, {"tinyint(1)", "integer", {"*"}}}))
				  .sql_type == "boolean");
	}
	SECTION("enum override is applied before any enum type is made (pg_chameleon #132)") {
		PgColumnType pg = map("enum('a','b')", context({{"enum('a', 'b')", "character varying(1)", {"*"}}}));
		CHECK_FALSE(pg.is_enum);
		CHECK(pg.enum_type_name.empty());
		CHECK(pg.sql_type == "character varying(1)");
		CHECK(map("enum('A','b')", context({{"enum('a','b')", "text", {"*"}}})).is_enum); // labels are exact
	}
	SECTION("value forms follow the new type") {
		CHECK(map("set('a','b')", context({{"set('a','b')", "text", {"*"}}})).form == ValueForm::AsIs);
		CHECK(map("datetime", context({{"datetime", "text", {"*"}}})).form == ValueForm::AsIs);
		CHECK(map("bit(1)", context({{"bit(1)", "bit(1)", {"*"}}})).form == ValueForm::BitString);
		CHECK(map("text", context({{"text", "bytea", {"*"}}})).form == ValueForm::Bytea);
		CHECK(map("point", context({{"point", "bytea", {"*"}}}, true)).form == ValueForm::GeometryBytea);
	}
	SECTION("override_to must be a type name") {
		CHECK(valid_override_type("character varying(10)"));
		CHECK(valid_override_type("\"my schema\".\"My Type\"[]"));
		CHECK_FALSE(valid_override_type("text; drop table x"));
		CHECK_FALSE(valid_override_type("text default 'x'"));
		CHECK_FALSE(valid_override_type(""));
		CHECK_THROWS_AS(map("tinyint(1)", context({{"tinyint(1)", "int --", {"*"}}})), chameleon::Error);
	}
}

TEST_CASE("normalize_column_type and from_column_type", "[type_map]") {
	CHECK(normalize_column_type("  INT(10)  UNSIGNED ") == "int(10) unsigned");
	CHECK(normalize_column_type("decimal( 10 , 2 )") == "decimal(10,2)");
	CHECK(normalize_column_type("ENUM('A b', 'C''d')") == "enum('A b','C''d')");

	MysqlColumn d = from_column_type("d", "decimal(12,3) unsigned");
	CHECK(d.data_type == "decimal");
	CHECK(d.unsigned_);
	CHECK(d.precision == 12);
	CHECK(d.scale == 3);
	MysqlColumn s = from_column_type("s", "set('x','y,z')");
	CHECK(s.data_type == "set");
	CHECK(s.enum_values == std::vector<std::string>{"x", "y,z"});
	MysqlColumn i = from_column_type("i", "integer(11) unsigned");
	CHECK(i.data_type == "int");
	CHECK(i.column_type == "int(11) unsigned");
	MysqlColumn t = from_column_type("t", "datetime(6)");
	CHECK(t.datetime_precision == 6);
	CHECK(from_column_type("v", "varchar(20)").char_length == 20);
	CHECK(from_column_type("b", "bit(5)").precision == 5);
	CHECK(parse_zero_dates("null") == ZeroDates::ToNull);
	CHECK(parse_zero_dates("error") == ZeroDates::Error);
	CHECK_FALSE(parse_zero_dates("NULL"));
}

TEST_CASE("NOT NULL is kept, except where zero dates arrive as NULL", "[type_map]") {
	auto not_null = [](const std::string &type, ZeroDates policy) {
		MysqlColumn c = from_column_type("c", type);
		c.nullable = false;
		MapContext ctx = context();
		ctx.zero_dates = policy;
		return map_column(c, ctx);
	};
	CHECK_FALSE(not_null("int(11)", ZeroDates::ToNull).nullable);
	CHECK_FALSE(not_null("varchar(3)", ZeroDates::ToNull).nullable);
	CHECK_FALSE(not_null("time", ZeroDates::ToNull).nullable);
	for (const char *t : {"date", "datetime(6)", "timestamp"}) {
		PgColumnType relaxed = not_null(t, ZeroDates::ToNull);
		CHECK(relaxed.nullable);
		CHECK(relaxed.notices.size() == 1);
		PgColumnType kept = not_null(t, ZeroDates::Error);
		CHECK_FALSE(kept.nullable);
		CHECK(kept.notices.empty());
	}
	CHECK(from_column_type("c", "int").nullable);
	CHECK(map("int").nullable);
}

TEST_CASE("default translation", "[type_map]") {
	SECTION("none and NULL") {
		CHECK_FALSE(default_of("int(11)", std::nullopt));
		CHECK_FALSE(default_of("int(11)", "NULL", true));
		CHECK_FALSE(default_of("varchar(5)", "null", true));
	}
	SECTION("numbers") {
		CHECK(default_of("int(11)", "0") == "0");
		CHECK(default_of("int(11)", "-12") == "-12");
		CHECK(default_of("decimal(10,2)", "+1.50") == "1.50");
		CHECK(default_of("double", "1e-5") == "1e-5");
		CHECK(default_of("int(11)", "42", true) == "42");
		CHECK(default_of("int(11)", "(7)", true) == "7");
		CHECK(default_of("int(11)", "'5'", true) == "5"); // MariaDB may quote
		CHECK(default_of("tinyint(1)", "0") == "0");	  // bool stays smallint
		CHECK(default_of("tinyint(1)", "TRUE", true) == "1");
		MysqlColumn bad = with_default("int(11)", "abc");
		PgColumnType pg = map_column(bad, context());
		CHECK_FALSE(pg.default_sql);
		CHECK(pg.notices.size() == 1);
	}
	SECTION("booleans and bits") {
		MapContext to_bool = context({{"tinyint(1)", "boolean", {"*"}}});
		CHECK(default_of("tinyint(1)", "0", false, to_bool) == "false");
		CHECK(default_of("tinyint(1)", "1", false, to_bool) == "true");
		CHECK(default_of("tinyint(1)", "'1'", true, to_bool) == "true");
		CHECK(default_of("bit(1)", "b'1'") == "true");
		CHECK(default_of("bit(1)", "b'0'", true) == "false");
		CHECK(default_of("bit(4)", "b'101'") == "B'0101'");
		CHECK(default_of("bit(8)", "0x0F", true) == "B'00001111'");
		CHECK(default_of("bit(4)", "5") == "B'0101'");
	}
	SECTION("strings, quotes escaped") {
		CHECK(default_of("varchar(20)", "it's") == "'it''s'");
		CHECK(default_of("varchar(20)", "a\\b") == "E'a\\\\b'");
		CHECK(default_of("varchar(20)", "") == "''");
		CHECK(default_of("varchar(20)", "'it''s'", true) == "'it''s'");
		CHECK(default_of("varchar(20)", "_utf8mb4'x'", true) == "'x'");
		CHECK(default_of("char(1)", "0") == "'0'");
		CHECK(default_of("enum('a','b')", "b") == "'b'");
		CHECK(default_of("set('a','b')", "a,b") == "'{\"a\",\"b\"}'");
		CHECK(default_of("set('a','b')", "") == "'{}'");
		CHECK(default_of("varbinary(3)", "0x616263") == "E'\\\\x616263'");
		CHECK(default_of("binary(2)", "ab") == "E'\\\\x6162'");
		CHECK(default_of("time", "-01:30:00") == "'-01:30:00'");
	}
	SECTION("current time") {
		CHECK(default_of("timestamp", "CURRENT_TIMESTAMP", true) == "CURRENT_TIMESTAMP");
		CHECK(default_of("timestamp(6)", "CURRENT_TIMESTAMP(6)", true) == "CURRENT_TIMESTAMP");
		CHECK(default_of("datetime", "NOW()", true) == "CURRENT_TIMESTAMP");
		CHECK(default_of("datetime(3)", "current_timestamp(3)", true) == "CURRENT_TIMESTAMP");
		CHECK(default_of("datetime", "(now())", true) == "CURRENT_TIMESTAMP");
		CHECK(default_of("date", "(curdate())", true) == "CURRENT_DATE");
		CHECK_FALSE(default_of("varchar(30)", "now()", true));
	}
	SECTION("dates") {
		CHECK(default_of("datetime", "2020-01-02 03:04:05") == "'2020-01-02 03:04:05'");
		CHECK(default_of("timestamp", "2020-01-02 03:04:05") == "'2020-01-02 03:04:05+00'");
		CHECK(default_of("date", "'2020-01-02'", true) == "'2020-01-02'");
		MysqlColumn zero = with_default("datetime", "0000-00-00 00:00:00");
		PgColumnType pg = map_column(zero, context());
		CHECK_FALSE(pg.default_sql);
		CHECK(pg.notices.size() == 1);
		CHECK_FALSE(default_of("date", "'0000-00-00'", true));
		CHECK_FALSE(default_of("date", "2020-00-10"));
	}
	SECTION("expressions are dropped with a notice") {
		MysqlColumn c = with_default("varchar(36)", "(uuid())", true);
		PgColumnType pg = map_column(c, context());
		CHECK_FALSE(pg.default_sql);
		REQUIRE(pg.notices.size() == 1);
		CHECK(pg.notices[0].find("(uuid())") != std::string::npos);
		CHECK_FALSE(default_of("int", "(1) + (2)", true));
	}
	SECTION("ON UPDATE CURRENT_TIMESTAMP is not a default") {
		MysqlColumn c = with_default("timestamp", "CURRENT_TIMESTAMP", true);
		c.on_update_current_timestamp = true;
		PgColumnType pg = map_column(c, context());
		CHECK(pg.default_sql == "CURRENT_TIMESTAMP");
		CHECK(pg.notices.size() == 1);
	}
}

TEST_CASE("comments are carried", "[type_map]") {
	MysqlColumn c = from_column_type("c", "int");
	c.comment = "the count";
	CHECK(map_column(c, context()).comment == "the count");
}
