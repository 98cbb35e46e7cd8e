// Catch2 tests of how replicated ALTERs reproduce their effect on existing rows (doc/ddl.md): the
// statement-time values of NOW() and the like, value-keeping type changes, and which statement
// kinds re-copy their table. The expected times are what MariaDB 10.11 stored for the same event
// (SET TIMESTAMP=1796513204.633708, time_zone '+02:00').
#include <catch2/catch.hpp>

#include "ddl/parser.hpp"
#include "ddl/row_effect.hpp"
#include "ddl/translator.hpp"

using namespace chameleon;
using namespace chameleon::ddl;
using Strings = std::vector<std::string>;

namespace {

constexpr std::int64_t statement_us = 1796513204633708; // 2026-12-05 23:26:44.633708 UTC

DefaultValue
default_of(const std::string &clause) {
	Statement s = parse_one("ALTER TABLE t ADD COLUMN c datetime DEFAULT " + clause);
	return std::get<AddColumn>(std::get<AlterTable>(s).commands.at(0)).column.default_value;
}

// A replicated table t (MySQL shop.t) and the translation of one statement against it.
struct Table {
	core::TableLayout layout;

	explicit Table(const std::string &create) {
		TranslatorContext ctx = context();
		ctx.layout = nullptr; // not replicated yet
		layout = *Translator(ctx).translate(parse_one(create), "shop").layout_changes.at(0).layout;
	}

	TranslatorContext context() const {
		TranslatorContext ctx;
		ctx.schema_mappings = {{"shop", "pg_shop"}};
		ctx.layout = [this](const std::string &,
							const std::string &table) -> std::optional<core::TableLayout> {
			if (table != "t")
				return std::nullopt;
			return layout;
		};
		return ctx;
	}

	Translation run(const std::string &sql,
					const std::optional<StatementTime> &when = StatementTime{statement_us, "+02:00"}) const {
		return Translator(context()).translate(parse_one(sql), "shop", when);
	}

	// The re-copy reason of sql, "" when the table is not copied again.
	std::string recopy(const std::string &sql) const {
		Translation t = run(sql);
		REQUIRE_FALSE(t.error);
		if (t.recopy.empty())
			return "";
		CHECK(t.recopy.size() == 1);
		CHECK(t.recopy[0].table == TableRef{"shop", "t"});
		return t.recopy[0].reason;
	}
};

} // namespace

TEST_CASE("time functions of a DEFAULT clause") {
	CHECK(time_default(default_of("NOW()")).function == TimeFunction::local_timestamp);
	CHECK(time_default(default_of("CURRENT_TIMESTAMP(6)")).fsp == 6);
	CHECK(time_default(default_of("LOCALTIMESTAMP")).function == TimeFunction::local_timestamp);
	CHECK(time_default(default_of("(now(3))")).fsp == 3);
	CHECK(time_default(default_of("UTC_TIMESTAMP()")).function == TimeFunction::utc_timestamp);
	CHECK(time_default(default_of("UTC_TIMESTAMP(2)")).fsp == 2);
	CHECK(time_default(default_of("(CURDATE())")).function == TimeFunction::local_date);
	CHECK(time_default(default_of("CURRENT_DATE")).function == TimeFunction::local_date);
	CHECK(time_default(default_of("UTC_DATE()")).function == TimeFunction::utc_date);
	// SYSDATE() is the time each row is written, not the statement's: not a statement-time default
	CHECK(time_default(default_of("SYSDATE()")).function == TimeFunction::none);
	CHECK(time_default(default_of("(uuid())")).function == TimeFunction::none);
	CHECK(time_default(default_of("(now() + interval 1 day)")).function == TimeFunction::none);
	CHECK(time_default(default_of("'2020-01-01'")).function == TimeFunction::none);
}

TEST_CASE("session time zones with a known offset") {
	CHECK(utc_offset_seconds("+02:00") == 7200);
	CHECK(utc_offset_seconds("-5:30") == -19800);
	CHECK(utc_offset_seconds("+00:00") == 0);
	CHECK(utc_offset_seconds("UTC") == 0);
	CHECK(utc_offset_seconds("Etc/UTC") == 0);
	CHECK_FALSE(utc_offset_seconds("SYSTEM"));
	CHECK_FALSE(utc_offset_seconds("Europe/Paris"));
	CHECK_FALSE(utc_offset_seconds(""));
	CHECK_FALSE(utc_offset_seconds("+02:00x"));
	CHECK_FALSE(utc_offset_seconds("+25:00"));
}

TEST_CASE("the value MySQL stored in existing rows at the statement's time") {
	StatementTime plus2{statement_us, "+02:00"};
	TimeDefault now{TimeFunction::local_timestamp, 0}, now6{TimeFunction::local_timestamp, 6};
	CHECK(statement_time_literal(now, "datetime", 0, plus2) == "'2026-12-06 01:26:44'");
	CHECK(statement_time_literal(now6, "datetime", 6, plus2) == "'2026-12-06 01:26:44.633708'");
	// truncated to the column's precision, never rounded (PostgreSQL would round a longer literal)
	CHECK(statement_time_literal(now6, "datetime", 2, plus2) == "'2026-12-06 01:26:44.63'");
	CHECK(statement_time_literal({TimeFunction::local_timestamp, 3}, "datetime", 6, plus2) ==
		  "'2026-12-06 01:26:44.633'");
	CHECK(statement_time_literal(now6, "timestamp", 6, plus2) == "'2026-12-05 23:26:44.633708+00'");
	CHECK(statement_time_literal({TimeFunction::utc_timestamp, 0}, "datetime", 0, plus2) ==
		  "'2026-12-05 23:26:44'");
	CHECK(statement_time_literal({TimeFunction::local_date, 0}, "date", 0, plus2) == "'2026-12-06'");
	CHECK(statement_time_literal({TimeFunction::utc_date, 0}, "date", 0, plus2) == "'2026-12-05'");
	CHECK(statement_time_literal(now, "date", 0, plus2) == "'2026-12-06'");
	CHECK(statement_time_literal({TimeFunction::local_date, 0}, "datetime", 0, plus2) ==
		  "'2026-12-06 00:00:00'");
	// UTC_TIMESTAMP() into a TIMESTAMP: the UTC wall clock read in the session's zone
	CHECK(statement_time_literal({TimeFunction::utc_timestamp, 0}, "timestamp", 0, plus2) ==
		  "'2026-12-05 21:26:44+00'");
	CHECK(statement_time_literal(now, "datetime", 0, {statement_us, "-05:30"}) == "'2026-12-05 17:56:44'");
	// the instant does not depend on the zone; the wall clock does, and SYSTEM's offset is unknown here
	CHECK(statement_time_literal(now6, "timestamp", 6, {statement_us, "SYSTEM"}) ==
		  "'2026-12-05 23:26:44.633708+00'");
	CHECK_FALSE(statement_time_literal(now, "datetime", 0, {statement_us, "SYSTEM"}));
	CHECK_FALSE(statement_time_literal(now, "varchar", 0, plus2));
	CHECK(statement_time_literal(now, "datetime", 0, {-1500000, "+00:00"}) == "'1969-12-31 23:59:58'");
}

TEST_CASE("type changes that keep every value") {
	CHECK(keeps_values("int(11)", "bigint(20)"));
	CHECK(keeps_values("int(11)", "int"));
	CHECK(keeps_values("varchar(10)", "varchar(40)"));
	CHECK(keeps_values("decimal(8,2)", "decimal(10,3)"));
	CHECK(keeps_values("datetime(3)", "datetime(6)"));
	CHECK(keeps_values("enum('a','b')", "enum('a','b','c')"));
	CHECK(keeps_values("text", "longtext"));
	CHECK_FALSE(keeps_values("int(11)", "tinyint(4)"));
	CHECK_FALSE(keeps_values("int(11)", "int(10) unsigned"));
	CHECK_FALSE(keeps_values("varchar(20)", "varchar(5)"));
	CHECK_FALSE(keeps_values("double", "decimal(5,1)"));
	CHECK_FALSE(keeps_values("decimal(8,2)", "decimal(10,1)"));
	CHECK_FALSE(keeps_values("enum('a','b','c')", "varchar(10)"));
	CHECK_FALSE(keeps_values("varchar(10)", "enum('a','b')"));
	CHECK(keeps_values("enum('a','b')", "enum('b','a','c')"));
	CHECK_FALSE(keeps_values("enum('a','b')", "enum('a','c')"));
	CHECK(keeps_values("set('a','b')", "set('a','b','c')"));
	CHECK_FALSE(keeps_values("set('a','b')", "set('b','a')"));
	CHECK_FALSE(keeps_values("datetime", "timestamp"));
	CHECK_FALSE(keeps_values("text", "blob"));
	CHECK_FALSE(keeps_values("float", "double"));
}

TEST_CASE("ADD COLUMN with NOW() and the like: existing rows get the statement's time") {
	Table t("CREATE TABLE t (id int PRIMARY KEY, v int)");
	Translation added =
		t.run("ALTER TABLE t ADD COLUMN n6 datetime(6) DEFAULT NOW(6), ADD COLUMN u datetime "
			  "DEFAULT UTC_TIMESTAMP(), ADD COLUMN ts timestamp NULL DEFAULT CURRENT_TIMESTAMP");
	CHECK(added.recopy.empty());
	CHECK(added.statements ==
		  // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): statements over two lines
		  Strings{"ALTER TABLE \"pg_shop\".\"t\" ADD COLUMN \"n6\" timestamp(6) without time zone DEFAULT "
				  "'2026-12-06 01:26:44.633708'",
				  "ALTER TABLE \"pg_shop\".\"t\" ALTER COLUMN \"n6\" SET DEFAULT CURRENT_TIMESTAMP",
				  "ALTER TABLE \"pg_shop\".\"t\" ADD COLUMN \"u\" timestamp(0) without time zone DEFAULT "
				  "'2026-12-05 23:26:44'",
				  // PostgreSQL has no default for UTC_TIMESTAMP(): new rows carry MySQL's value
				  "ALTER TABLE \"pg_shop\".\"t\" ALTER COLUMN \"u\" DROP DEFAULT",
				  "ALTER TABLE \"pg_shop\".\"t\" ADD COLUMN \"ts\" timestamp(0) with time zone DEFAULT "
				  "'2026-12-05 23:26:44+00'",
				  "ALTER TABLE \"pg_shop\".\"t\" ALTER COLUMN \"ts\" SET DEFAULT CURRENT_TIMESTAMP"});
	CHECK(t.recopy("ALTER TABLE t ADD COLUMN d date DEFAULT (CURDATE())").empty());
	// the wall clock of a session in the server's zone, or without the statement's time: re-copied
	CHECK(t.run("ALTER TABLE t ADD COLUMN n datetime DEFAULT NOW()", StatementTime{statement_us, "SYSTEM"})
			  .recopy.at(0)
			  .reason == "ADD COLUMN n DEFAULT NOW() in time zone 'SYSTEM'");
	CHECK(t.run("ALTER TABLE t ADD COLUMN n datetime DEFAULT NOW()", std::nullopt).recopy.at(0).reason ==
		  "ADD COLUMN n DEFAULT NOW()");
	CHECK(t.run("ALTER TABLE t ADD COLUMN ts timestamp NULL DEFAULT NOW()",
				StatementTime{statement_us, "SYSTEM"})
			  .recopy.empty());
}

TEST_CASE("MODIFY ... NOT NULL: the NULLs become what MySQL made of them") {
	Table t("CREATE TABLE t (id int PRIMARY KEY, ts timestamp NULL, c int, e enum('x','y'), dt datetime)");
	CHECK(t.run("ALTER TABLE t MODIFY ts timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP").statements ==
		  // (zero_dates: null keeps the PostgreSQL column nullable)
		  Strings{"UPDATE \"pg_shop\".\"t\" SET \"ts\" = '2026-12-05 23:26:44+00' WHERE \"ts\" IS NULL",
				  "ALTER TABLE \"pg_shop\".\"t\" ALTER COLUMN \"ts\" SET DEFAULT CURRENT_TIMESTAMP"});
	CHECK(t.run("ALTER TABLE t MODIFY c int NOT NULL").statements ==
		  Strings{"UPDATE \"pg_shop\".\"t\" SET \"c\" = 0 WHERE \"c\" IS NULL",
				  "ALTER TABLE \"pg_shop\".\"t\" ALTER COLUMN \"c\" SET NOT NULL"});
	CHECK(t.recopy("ALTER TABLE t MODIFY e enum('x','y') NOT NULL").empty());
	// a zero date, which zero_dates: null keeps as NULL in a nullable column
	Translation dt = t.run("ALTER TABLE t MODIFY dt datetime NOT NULL");
	CHECK(dt.recopy.empty());
	CHECK(dt.statements.empty());
	CHECK(t.recopy("ALTER TABLE t MODIFY ts timestamp NOT NULL DEFAULT '2020-01-01 00:00:00'") ==
		  "MODIFY ts NOT NULL (MySQL converts the NULLs)");
}

TEST_CASE("statement kinds whose values only MySQL knows re-copy the table") {
	Table t("CREATE TABLE t (id int PRIMARY KEY, v int, s varchar(20), x double, e enum('a','b'), "
			"dt datetime, code int) DEFAULT CHARSET=utf8mb4");
	CHECK(t.recopy("ALTER TABLE t ADD COLUMN seq int NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY (seq)") ==
		  "ADD COLUMN seq AUTO_INCREMENT");
	CHECK(t.recopy("ALTER TABLE t ADD COLUMN u char(36) DEFAULT (UUID())") ==
		  "ADD COLUMN u DEFAULT (UUID())");
	CHECK(t.recopy("ALTER TABLE t ADD COLUMN w int DEFAULT (v + 1)") == "ADD COLUMN w DEFAULT (v + 1)");
	CHECK(t.recopy("ALTER TABLE t ADD COLUMN r datetime DEFAULT SYSDATE()") ==
		  "ADD COLUMN r DEFAULT SYSDATE()");
	CHECK(t.recopy("ALTER TABLE t ADD COLUMN g int AS (v * 2) STORED") == "ADD COLUMN g AS (...) generated");
	CHECK(t.recopy("ALTER TABLE t CONVERT TO CHARACTER SET latin1") == "CONVERT TO CHARACTER SET latin1");
	CHECK(t.recopy("ALTER TABLE t MODIFY s varchar(5)") == "MODIFY s varchar(20) -> varchar(5)");
	CHECK(t.recopy("ALTER TABLE t MODIFY v tinyint") == "MODIFY v int(11) -> tinyint(4)");
	CHECK(t.recopy("ALTER TABLE t MODIFY x decimal(5,1)") == "MODIFY x double -> decimal(5,1)");
	CHECK(t.recopy("ALTER TABLE t MODIFY e varchar(10)") == "MODIFY e enum('a','b') -> varchar(10)");
	CHECK(t.recopy("ALTER TABLE t MODIFY s enum('a','b')") == "MODIFY s varchar(20) -> enum('a','b')");
	CHECK(t.recopy("ALTER TABLE t CHANGE dt ts timestamp NULL") == "CHANGE dt datetime -> timestamp");
	CHECK(t.recopy("ALTER TABLE t MODIFY s varchar(20) CHARACTER SET latin1") ==
		  "MODIFY s CHARACTER SET latin1");
	CHECK(t.recopy("ALTER IGNORE TABLE t ADD UNIQUE KEY uk (code)") ==
		  "ALTER IGNORE TABLE ADD UNIQUE (MySQL deletes the duplicates)");
	CHECK(t.recopy("ALTER TABLE t TRUNCATE PARTITION p0") == "truncate partition");
	CHECK(t.recopy("ALTER TABLE t DROP PARTITION p0") == "drop partition");
	CHECK(t.recopy("ALTER TABLE t DISCARD TABLESPACE") == "discard tablespace");
	CHECK(t.recopy("ALTER TABLE t MODIFY v tinyint, MODIFY s varchar(5)") ==
		  "MODIFY v int(11) -> tinyint(4); MODIFY s varchar(20) -> varchar(5)");
	// the table is copied under the name it has after the statement
	Translation renamed = t.run("ALTER TABLE t MODIFY v tinyint, RENAME TO t2");
	REQUIRE(renamed.recopy.size() == 1);
	CHECK(renamed.recopy[0].table == TableRef{"shop", "t2"});
}

TEST_CASE("statement kinds PostgreSQL reproduces leave the table alone") {
	Table t("CREATE TABLE t (id int PRIMARY KEY, v int, s varchar(20), e enum('a','b'), p decimal(6,2), "
			"c int, dropme int) DEFAULT CHARSET=utf8mb4");
	for (const char *sql :
		 {"ALTER TABLE t ADD COLUMN k int DEFAULT 7, ADD COLUMN nn varchar(5) NOT NULL, "
		  "ADD COLUMN nul int, ADD COLUMN b bit(3) NOT NULL",
		  "ALTER TABLE t MODIFY v bigint, MODIFY s varchar(40), MODIFY e enum('a','b','c'), "
		  "MODIFY p decimal(10,3)",
		  "ALTER TABLE t CHANGE c c2 int, RENAME COLUMN s TO s2, DROP COLUMN dropme",
		  "ALTER TABLE t ADD INDEX ix_v (v), ADD UNIQUE KEY uk (s), DROP PRIMARY KEY, "
		  "ADD PRIMARY KEY (id, v)",
		  "ALTER TABLE t ALTER COLUMN v SET DEFAULT 9, COMMENT 'x', ENGINE=InnoDB",
		  "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4, FORCE, ORDER BY v",
		  "ALTER TABLE t ADD PARTITION (PARTITION p9 VALUES LESS THAN (100)), ALGORITHM=INPLACE",
		  "ALTER TABLE t ADD COLUMN at datetime DEFAULT '2020-01-01 00:00:00'"})
		CHECK(t.recopy(sql) == "");
}
