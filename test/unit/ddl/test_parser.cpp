// Unit tests of the DDL parser: AST fields, column_type, splitting, classification and errors.
#include "ddl/parser.hpp"
#include "ddl/summary.hpp"

#include <catch2/catch.hpp>

using namespace chameleon::ddl;

namespace {

template <typename T>
T
parse_as(const std::string &sql) {
	Statement statement = parse_one(sql);
	REQUIRE(std::holds_alternative<T>(statement));
	return std::get<T>(statement);
}

Column
single_column(const std::string &definition) {
	CreateTable table = parse_as<CreateTable>("CREATE TABLE t (" + definition + ")");
	REQUIRE(table.columns.size() == 1);
	return table.columns.front();
}

std::string
error_of(const std::string &sql) {
	try {
		parse(sql);
	} catch (const ParseError &error) {
		return error.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("column types are canonical with their modifiers", "[ddl][parser]") {
	Column c = single_column("c INTEGER(10) UNSIGNED ZEROFILL");
	CHECK(c.type == "int");
	CHECK(c.length == 10u);
	CHECK(c.is_unsigned);
	CHECK(c.zerofill);
	CHECK(c.column_type == "int(10) unsigned zerofill");

	c = single_column("c BOOLEAN DEFAULT 0");
	CHECK(c.type == "tinyint");
	CHECK(c.declared_boolean);
	CHECK(c.column_type == "tinyint(1)");
	CHECK(c.default_value.kind == DefaultKind::number);
	CHECK(c.default_value.value == "0");

	c = single_column("c NUMERIC(12,3) UNSIGNED");
	CHECK(c.type == "decimal");
	CHECK(c.precision == 12);
	CHECK(c.scale == 3);
	CHECK(c.column_type == "decimal(12,3) unsigned");

	c = single_column("c CHARACTER VARYING(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL");
	CHECK(c.type == "varchar");
	CHECK(c.length == 30u);
	CHECK(c.charset == "utf8mb4");
	CHECK(c.collation == "utf8mb4_bin");
	CHECK(c.nullable == false);

	c = single_column("c DATETIME(6)");
	CHECK(c.fsp == 6);
	CHECK(c.column_type == "datetime(6)");

	c = single_column("c ENUM('a''b', 'c\\'d', 'e') CHARSET latin1");
	CHECK(c.values == std::vector<std::string>{"a'b", "c'd", "e"});
	CHECK(c.column_type == "enum('a''b','c''d','e')");
	CHECK(c.charset == "latin1");
	CHECK_FALSE(c.nullable.has_value());

	c = single_column("c REAL");
	CHECK(c.type == "double");
	c = single_column("c LONG VARCHAR");
	CHECK(c.type == "mediumtext");
	c = single_column("c NATIONAL CHAR(3)");
	CHECK(c.type == "char");
	CHECK(c.charset == "utf8mb3");
}

TEST_CASE("column_type in MySQL 8.0.19+ style drops integer display widths", "[ddl][parser]") {
	CHECK(format_column_type(single_column("c INT UNSIGNED"), ColumnTypeStyle::mysql80) == "int unsigned");
	CHECK(format_column_type(single_column("c INT(11)"), ColumnTypeStyle::mysql80) == "int");
	CHECK(format_column_type(single_column("c BOOL"), ColumnTypeStyle::mysql80) == "tinyint(1)");
	CHECK(format_column_type(single_column("c INT(5) ZEROFILL"), ColumnTypeStyle::mysql80) ==
		  "int(5) unsigned zerofill");
	CHECK(format_column_type(single_column("c YEAR"), ColumnTypeStyle::mysql80) == "year");
	CHECK(single_column("c INT").column_type == "int(11)");
}

TEST_CASE("defaults keep their kind and raw text", "[ddl][parser]") {
	Column c =
		single_column("c TIMESTAMP(6) NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)");
	CHECK(c.nullable == true);
	CHECK(c.default_value.kind == DefaultKind::current_timestamp);
	CHECK(c.default_value.fsp == 6);
	CHECK(c.on_update.kind == DefaultKind::current_timestamp);
	CHECK(c.on_update.fsp == 6);

	c = single_column("c DATETIME DEFAULT NOW()");
	CHECK(c.default_value.kind == DefaultKind::current_timestamp);
	CHECK_FALSE(c.default_value.fsp.has_value());
	CHECK(c.default_value.raw == "NOW()");

	c = single_column("c INT DEFAULT -42");
	CHECK(c.default_value.kind == DefaultKind::number);
	CHECK(c.default_value.value == "-42");

	c = single_column("c BIT(1) DEFAULT b'0'");
	CHECK(c.default_value.kind == DefaultKind::bit_or_hex);
	CHECK(c.default_value.value == "b'0'");

	c = single_column("c VARCHAR(5) DEFAULT _utf8mb4'x'");
	CHECK(c.default_value.kind == DefaultKind::string);
	CHECK(c.default_value.value == "x");
	CHECK(c.default_value.introducer == "utf8mb4");

	c = single_column("c VARCHAR(5) DEFAULT NULL");
	CHECK(c.default_value.kind == DefaultKind::null);

	c = single_column("c BINARY(16) DEFAULT (uuid_to_bin(uuid()))");
	CHECK(c.default_value.kind == DefaultKind::expression);
	CHECK(c.default_value.value == "uuid_to_bin(uuid())");
	CHECK(c.default_value.raw == "(uuid_to_bin(uuid()))");

	c = single_column("c INT");
	CHECK(c.default_value.kind == DefaultKind::none);
}

TEST_CASE("generated columns, inline keys, references and checks", "[ddl][parser]") {
	Column c = single_column("c INT GENERATED ALWAYS AS (a + (b * 2)) STORED UNIQUE KEY COMMENT 'g'");
	CHECK(c.generated_expression == std::string("a + (b * 2)"));
	CHECK(c.stored);
	CHECK(c.unique_key);
	CHECK(c.comment == std::string("g"));

	c = single_column("c INT NOT NULL AUTO_INCREMENT PRIMARY KEY INVISIBLE");
	CHECK(c.auto_increment);
	CHECK(c.primary_key);
	CHECK(c.invisible == true);

	c = single_column("c INT REFERENCES s.p (id) ON DELETE CASCADE CHECK (c > 0)");
	REQUIRE(c.references);
	CHECK(c.references->table.schema == "s");
	CHECK(c.references->table.name == "p");
	CHECK(c.references->on_delete == ReferentialAction::cascade);
	REQUIRE(c.checks.size() == 1);
	CHECK(c.checks[0].expression == "c > 0");

	c = single_column("c SERIAL");
	CHECK(c.type == "bigint");
	CHECK(c.column_type == "bigint(20) unsigned");
	CHECK(c.nullable == false);
	CHECK(c.auto_increment);
	CHECK(c.unique_key);
}

TEST_CASE("table keys and options", "[ddl][parser]") {
	CreateTable t = parse_as<CreateTable>(
		"CREATE TABLE IF NOT EXISTS `s`.`t` (a INT, b TEXT, CONSTRAINT pk PRIMARY KEY (a), "
		"UNIQUE KEY uk (b(10) DESC) USING BTREE COMMENT 'u', INDEX ((a + 1)), "
		"CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id) ON UPDATE SET NULL, CHECK (a > 0) NOT ENFORCED) "
		"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin COMMENT='x' /*!50100 PARTITION BY HASH "
		"(a) */");
	CHECK(t.if_not_exists);
	CHECK(t.table.schema == "s");
	CHECK(t.table.name == "t");
	REQUIRE(t.keys.size() == 5);
	CHECK(t.keys[0].kind == KeyKind::primary);
	CHECK(t.keys[0].constraint_name == "pk");
	CHECK(t.keys[1].kind == KeyKind::unique);
	CHECK(t.keys[1].name == "uk");
	CHECK(t.keys[1].parts[0].prefix_length == 10u);
	CHECK(t.keys[1].parts[0].descending);
	CHECK(t.keys[1].using_method == "btree");
	CHECK(t.keys[2].parts[0].expression == "a + 1");
	CHECK(t.keys[3].kind == KeyKind::foreign);
	CHECK(t.keys[3].references->on_update == ReferentialAction::set_null);
	CHECK(t.keys[4].kind == KeyKind::check);
	CHECK(t.keys[4].check->enforced == false);
	REQUIRE(t.options.size() == 4);
	CHECK(t.options[0].name == "engine");
	CHECK(t.options[0].value == "InnoDB");
	CHECK(t.options[1].name == "character set");
	CHECK(t.options[1].value == "utf8mb4");
	CHECK(t.options[2].name == "collate");
	CHECK(t.options[3].name == "comment");
	CHECK(t.options[3].value == "x");
	CHECK(t.partitioning == "PARTITION BY HASH (a)");
}

TEST_CASE("CREATE TABLE LIKE and AS SELECT", "[ddl][parser]") {
	CreateTable like = parse_as<CreateTable>("CREATE TABLE a.t (LIKE b.u)");
	REQUIRE(like.like);
	CHECK(like.like->schema == "b");
	CHECK(like.like->name == "u");
	CreateTable select =
		parse_as<CreateTable>("CREATE TABLE t ENGINE=InnoDB AS SELECT a, b FROM u WHERE x = ';'");
	CHECK(select.columns.empty());
	CHECK(select.select == "SELECT a, b FROM u WHERE x = ';'");
}

TEST_CASE("ALTER TABLE sub-commands", "[ddl][parser]") {
	AlterTable alter = parse_as<AlterTable>(
		"ALTER TABLE db.t ADD COLUMN visibility bool DEFAULT 0 NOT NULL AFTER id, DROP COLUMN IF EXISTS x, "
		"CHANGE a b VARCHAR(10) FIRST, RENAME COLUMN c TO d, ALTER e SET DEFAULT 'z', DROP PRIMARY KEY, "
		"DROP INDEX i, RENAME TO db2.u, ALGORITHM=INPLACE");
	CHECK(alter.table.schema == "db");
	REQUIRE(alter.commands.size() == 9);
	const auto &add = std::get<AddColumn>(alter.commands[0]);
	CHECK(add.column.name == "visibility");
	CHECK(add.column.declared_boolean);
	CHECK(add.column.nullable == false);
	CHECK(add.position.after == "id");
	CHECK(std::get<DropColumn>(alter.commands[1]).if_exists);
	const auto &change = std::get<ChangeColumn>(alter.commands[2]);
	CHECK(change.old_name == "a");
	CHECK(change.column.name == "b");
	CHECK(change.position.first);
	CHECK(std::get<RenameColumn>(alter.commands[3]).new_name == "d");
	CHECK(std::get<AlterColumnDefault>(alter.commands[4]).default_value.value == "z");
	CHECK(std::get<DropKey>(alter.commands[5]).kind == DropKeyKind::primary);
	CHECK(std::get<DropKey>(alter.commands[6]).name == "i");
	CHECK(std::get<RenameTo>(alter.commands[7]).new_name.schema == "db2");
	CHECK(std::get<AlterOption>(alter.commands[8]).value == "inplace");
}

TEST_CASE("parenthesised ADD COLUMN expands to one command per column", "[ddl][parser]") {
	AlterTable alter =
		parse_as<AlterTable>("ALTER TABLE foo ADD COLUMN(bar varchar(30), baz int DEFAULT NULL)");
	REQUIRE(alter.commands.size() == 2);
	CHECK(std::get<AddColumn>(alter.commands[0]).column.column_type == "varchar(30)");
	CHECK(std::get<AddColumn>(alter.commands[1]).column.default_value.kind == DefaultKind::null);
}

TEST_CASE("statement kinds and schema-qualified names", "[ddl][parser]") {
	CHECK(parse_as<TruncateTable>("TRUNCATE TABLE sakila.actor").table.schema == "sakila");
	CHECK(parse_as<TruncateTable>("truncate actor").table.schema.empty());
	DropTable drop = parse_as<DropTable>("DROP TEMPORARY TABLE IF EXISTS a, s.b CASCADE");
	CHECK(drop.temporary);
	CHECK(drop.if_exists);
	REQUIRE(drop.tables.size() == 2);
	CHECK(drop.tables[1].schema == "s");
	RenameTable rename = parse_as<RenameTable>("RENAME TABLE t TO _t_del, _t_gho TO t");
	REQUIRE(rename.renames.size() == 2);
	CHECK(rename.renames[1].from.name == "_t_gho");
	CHECK(rename.renames[1].to.name == "t");
	CreateIndex index =
		parse_as<CreateIndex>("CREATE UNIQUE INDEX i ON s.t (a, b(4)) ALGORITHM=INPLACE LOCK=NONE");
	CHECK(index.key.kind == KeyKind::unique);
	CHECK(index.table.schema == "s");
	CHECK(index.options.size() == 2);
	DropIndex drop_index = parse_as<DropIndex>("DROP INDEX i ON s.t");
	CHECK(drop_index.name == "i");
	CHECK(drop_index.table.name == "t");
}

TEST_CASE("non-reserved keywords are valid column names", "[ddl][parser]") {
	CreateTable t = parse_as<CreateTable>(
		"CREATE TABLE t (status int, date date, comment text, type varchar(3), year year, `key` int, "
		"timestamp timestamp, text text, enum enum('a'), first int, after int)");
	REQUIRE(t.columns.size() == 11);
	CHECK(t.columns[1].name == "date");
	CHECK(t.columns[1].type == "date");
	CHECK(t.columns[5].name == "key");
	CHECK(t.columns[9].name == "first");
}

TEST_CASE("unsupported statements are classified, not errors", "[ddl][parser]") {
	auto reason = [](const std::string &sql) {
		Statement statement = parse_one(sql);
		REQUIRE(std::holds_alternative<Unsupported>(statement));
		return std::get<Unsupported>(statement).reason;
	};
	CHECK(reason("CREATE VIEW v AS SELECT 1") == "create view statement");
	CHECK(reason("GRANT ALL ON *.* TO u") == "grant statement");
	CHECK(reason("BEGIN") == "begin statement");
	CHECK(reason("SAVEPOINT a") == "savepoint statement");
	CHECK(reason("FLUSH LOGS") == "flush statement");
	CHECK(reason("CREATE DEFINER=`u`@`h` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END") ==
		  "create trigger statement");
	CHECK(reason("/*!40101 SET NAMES utf8 */") == "set statement");
	CHECK(reason("DROP DATABASE d") == "drop database statement");
	CHECK(reason("ALTER EVENT e DISABLE") == "alter event statement");
}

TEST_CASE("parse splits on top-level semicolons only", "[ddl][parser]") {
	auto statements = parse("CREATE TABLE a (c varchar(3) DEFAULT ';'); /* ; */ -- ;\n"
							"DROP TABLE a; ; # ;\nRENAME TABLE a TO `b;c`;");
	REQUIRE(statements.size() == 3);
	CHECK(std::holds_alternative<CreateTable>(statements[0]));
	CHECK(std::holds_alternative<DropTable>(statements[1]));
	CHECK(std::get<RenameTable>(statements[2]).renames[0].to.name == "b;c");
	CHECK(parse("/* nothing */ ;").empty());
	CHECK(parse("/*M!999999\\- enable the sandbox mode */").empty());
	CHECK_THROWS_AS(parse_one("DROP TABLE a; DROP TABLE b"), ParseError);
	CHECK_THROWS_AS(parse_one(" -- only a comment"), ParseError);
	CHECK_NOTHROW(parse_one("DROP TABLE a;"));
}

TEST_CASE("malformed table DDL raises ParseError naming the token and its offset", "[ddl][parser]") {
	CHECK(error_of("CREATE TABLE t (id int") == "unexpected end of statement at offset 22, expected \")\"");
	CHECK(error_of("CREATE TABLE t (id int, FOO)") == "unexpected \")\" at offset 27, expected a data type");
	CHECK(error_of("CREATE TABLE t (id frobnicate)") ==
		  "unexpected \"frobnicate\" at offset 19, expected a data type");
	CHECK(error_of("CREATE TABLE t (id int NOT FOO)") ==
		  "unexpected \"NOT\" at offset 23, expected a column attribute");
	CHECK(error_of("ALTER TABLE t FROB x") ==
		  "unexpected \"FROB\" at offset 14, expected an ALTER TABLE command");
	CHECK(error_of("ALTER TABLE t ADD COLUMN") ==
		  "unexpected end of statement at offset 24, expected a column definition");
	CHECK(error_of("DROP TABLE") == "unexpected end of statement at offset 10, expected a table name");
	CHECK(error_of("CREATE TABLE t (a int) ENGINE") ==
		  "unexpected end of statement at offset 29, expected a value for engine");
	CHECK(error_of("CREATE TABLE t (a int DEFAULT (1 + 2)") ==
		  "unexpected end of statement at offset 37, expected \")\"");
	CHECK(error_of("CREATE TABLE t (a int DEFAULT (1 + 2") ==
		  "unexpected \"(\" at offset 30, expected a closing \")\" for this parenthesis");
	CHECK(error_of("CREATE TABLE t (a varchar)") ==
		  "unexpected \")\" at offset 25, expected a length for varchar");
	CHECK(error_of("CREATE TABLE t") ==
		  "unexpected end of statement at offset 14, expected a column list, LIKE or a query");
	CHECK(error_of("RENAME TABLE a b") == "unexpected \"b\" at offset 15, expected to");
	CHECK(error_of("CREATE TABLE t (a int) x y") ==
		  "unexpected \"x\" at offset 23, expected end of statement");
	CHECK(error_of("TRUNCATE TABLE select") == "unexpected \"select\" at offset 15, expected a table name");
	CHECK(error_of("CREATE TABLE t (a int ON UPDATE 5)") ==
		  "unexpected \"5\" at offset 32, expected CURRENT_TIMESTAMP after ON UPDATE");
}

TEST_CASE("deep nesting neither crashes nor recurses", "[ddl][parser]") {
	std::string deep =
		"CREATE TABLE t (a int DEFAULT (" + std::string(100000, '(') + "1" + std::string(100000, ')') + "))";
	Column c = std::get<CreateTable>(parse_one(deep)).columns.front();
	CHECK(c.default_value.kind == DefaultKind::expression);
	CHECK_THROWS_AS(parse_one("CREATE TABLE t (a int DEFAULT " + std::string(100000, '(')), ParseError);
}
