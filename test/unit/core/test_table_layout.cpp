// Catch2 tests of the table layout model: key choice, owned enum types and the JSON round trip.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "core/table_layout.hpp"

using namespace chameleon::core;

namespace {

LayoutColumn
column(const std::string &name, const std::string &column_type, bool nullable) {
	LayoutColumn c;
	c.mysql = from_column_type(name, column_type);
	c.mysql.nullable = nullable;
	c.nullable = nullable;
	c.pg_type = "integer";
	return c;
}

LayoutIndex
index(const std::string &name, IndexKind kind, std::vector<std::string> columns) {
	LayoutIndex i;
	i.mysql_name = name;
	i.kind = kind;
	i.descending.assign(columns.size(), false);
	i.columns = std::move(columns);
	i.pg_name = "t_" + name;
	return i;
}

TableLayout
sample() {
	TableLayout t;
	t.origin_schema = "shop";
	t.table = "orders";
	t.destination_schema = "pg_shop";
	t.destination_table = "orders";
	t.columns = {column("id", "int(11)", false), column("code", "varchar(10)", true),
				 column("ref", "bigint(20) unsigned", false)};
	LayoutColumn e = column("state", "enum('a','b''c')", false);
	e.pg_type = "\"pg_shop\".\"enum_orders_state\"";
	e.enum_type = "enum_orders_state";
	e.mysql.default_value = "a";
	e.mysql.comment = "tab\there \"quoted\" \\ and \x01";
	t.columns.push_back(e);
	t.columns[0].identity = true;
	t.columns[1].form = ValueForm::TimestampUtc;
	t.columns[1].bit_length = 3;
	return t;
}

} // namespace

TEST_CASE("choose_key prefers the primary key, then a NOT NULL unique key") {
	TableLayout t = sample();
	CHECK(choose_key(t).empty());
	t.indexes.push_back(index("u_code", IndexKind::unique, {"code"})); // nullable: not usable
	CHECK(choose_key(t).empty());
	t.indexes.push_back(index("u_ref", IndexKind::unique, {"ref"}));
	CHECK(choose_key(t) == std::vector<std::string>{"ref"});
	LayoutIndex functional = index("u_fn", IndexKind::unique, {"id"});
	functional.functional = true;
	t.indexes.insert(t.indexes.begin(), functional);
	CHECK(choose_key(t) == std::vector<std::string>{"ref"});
	t.indexes.push_back(index("PRIMARY", IndexKind::primary, {"id", "ref"}));
	CHECK(choose_key(t) == std::vector<std::string>{"id", "ref"});
}

TEST_CASE("owned enum types and case-insensitive lookups") {
	TableLayout t = sample();
	t.indexes.push_back(index("Idx_Code", IndexKind::index, {"code"}));
	CHECK(owned_enum_types(t) == std::vector<std::string>{"enum_orders_state"});
	REQUIRE(find_column(t, "CODE"));
	CHECK(find_column(t, "CODE")->mysql.name == "code");
	CHECK(find_index(t, "idx_code"));
	CHECK_FALSE(find_column(t, "nope"));
}

TEST_CASE("layout JSON round trip") {
	TableLayout t = sample();
	t.indexes.push_back(index("PRIMARY", IndexKind::primary, {"id"}));
	LayoutIndex check = index("orders_chk_1", IndexKind::check, {});
	check.check_expression = "\"id\" > 0";
	t.indexes.push_back(check);
	LayoutIndex skipped = index("ft", IndexKind::skipped, {"code"});
	skipped.pg_name.clear();
	skipped.descending = {true};
	t.indexes.push_back(skipped);
	t.key = choose_key(t);
	std::string json = to_json(t);
	TableLayout back = layout_from_json(json);
	CHECK(to_json(back) == json);
	REQUIRE(back.columns.size() == 4);
	CHECK(back.columns[3].mysql.comment == t.columns[3].mysql.comment);
	CHECK(back.columns[3].mysql.enum_values == std::vector<std::string>{"a", "b'c"});
	CHECK(back.columns[3].mysql.default_value == std::optional<std::string>("a"));
	CHECK_FALSE(back.columns[0].mysql.default_value);
	CHECK(back.columns[1].form == ValueForm::TimestampUtc);
	CHECK(back.columns[1].bit_length == 3);
	CHECK(back.columns[2].mysql.unsigned_);
	CHECK(back.columns[0].identity);
	CHECK(back.indexes[2].descending == std::vector<bool>{true});
	CHECK(back.indexes[1].check_expression == "\"id\" > 0");
	CHECK(back.key == std::vector<std::string>{"id"});
	CHECK(json.find("\"form\":\"timestamp_utc\"") != std::string::npos);
}

TEST_CASE("layout JSON: malformed input is rejected") {
	CHECK_THROWS_AS(layout_from_json("{"), chameleon::Error);
	CHECK_THROWS_AS(layout_from_json("[]"), chameleon::Error);
	CHECK_THROWS_AS(layout_from_json("{\"origin_schema\":1}"), chameleon::Error);
	std::string json = to_json(sample());
	CHECK_THROWS_AS(layout_from_json(json + "x"), chameleon::Error);
	std::string bad_form = json;
	bad_form.replace(bad_form.find("as_is"), 5, "nope!");
	CHECK_THROWS_AS(layout_from_json(bad_form), chameleon::Error);
}
