// Live tests of the MySQL side of the initial copy (schema_reader, snapshot) against the sandbox
// MariaDB: information_schema facts, exact COPY text of edge values, snapshot consistency with
// binlog coordinates, the MyISAM lock path, cancellation and a lost connection mid-stream.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "core/type_map.hpp"
#include "core/value_text.hpp"
#include "mysql/schema_reader.hpp"
#include "mysql/snapshot.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include <unistd.h>

using namespace chameleon;
using namespace chameleon::mysql;

namespace {

std::string
env(const char *name, const char *fallback) {
	const char *value = std::getenv(name);
	return value && *value ? value : fallback;
}

ConnectionParams
params() {
	ConnectionParams p;
	p.host = env("MY_HOST", "127.0.0.1");
	p.port = std::atoi(env("MY_PORT", "33306").c_str());
	p.user = env("MY_USER", "repl");
	p.password = env("MY_PASSWORD", "secret");
	return p;
}

std::string
root_command() {
	return "mariadb --defaults-file=" + env("MY_ROOT_CNF", "/var/tmp/pg_chameleon_sandbox/mariadb.cnf") +
		   " -uroot -N -B --default-character-set=utf8mb4";
}

// Runs SQL as root through the command-line client; returns its output.
std::string
root_sql(const std::string &sql) {
	static std::atomic<int> calls{0}; // a writer thread runs it beside the test's own calls
	std::string out_file =
		"/tmp/test_snapshot_root." + std::to_string(::getpid()) + "." + std::to_string(calls++);
	FILE *pipe = ::popen((root_command() + " >" + out_file + " 2>&1").c_str(), "w");
	REQUIRE(pipe != nullptr);
	std::fwrite(sql.data(), 1, sql.size(), pipe);
	int status = ::pclose(pipe);
	std::string output;
	if (FILE *in = std::fopen(out_file.c_str(), "r")) {
		char buffer[4096];
		std::size_t n;
		while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0)
			output.append(buffer, n);
		std::fclose(in);
	}
	std::remove(out_file.c_str());
	INFO(sql << "\n" << output);
	REQUIRE(status == 0);
	return output;
}

// The server may be shared with other tests writing to the binlog: positions are compared as
// (file, offset), never expected to stay still.
using Position = std::pair<std::string, std::uint64_t>;

Position
at(const BinlogCoordinates &coordinates) {
	return {coordinates.file, coordinates.position};
}

Position
master_status() {
	std::string out = root_sql("SHOW MASTER STATUS;");
	std::size_t tab = out.find('\t');
	return {out.substr(0, tab), std::strtoull(out.c_str() + tab + 1, nullptr, 10)};
}

core::TableFilter
filter_for(const std::string &schema, const std::vector<std::string> &skip = {}) {
	return core::TableFilter({{schema, schema}}, {}, skip);
}

const TableInfo &
table_named(const std::vector<TableInfo> &tables, const std::string &name) {
	for (const TableInfo &table : tables)
		if (table.name == name)
			return table;
	FAIL("no table " << name);
	throw std::logic_error("unreachable");
}

const ColumnInfo &
column_named(const TableInfo &table, const std::string &name) {
	for (const ColumnInfo &column : table.columns)
		if (column.name == name)
			return column;
	FAIL("no column " << name);
	throw std::logic_error("unreachable");
}

using Values = std::vector<std::optional<std::string>>;

struct CollectingSink : RowSink {
	std::vector<Values> rows;
	void row(const char *const *values, const unsigned long *lengths, unsigned int count) override {
		Values row;
		for (unsigned int i = 0; i < count; ++i)
			row.push_back(values[i] ? std::optional<std::string>(std::string(values[i], lengths[i]))
									: std::nullopt);
		rows.push_back(std::move(row));
	}
};

struct CountingSink : RowSink {
	std::uint64_t rows = 0;
	std::uint64_t cancel_after = 0; // 0: never
	std::uint64_t progress_calls = 0;
	void row(const char *const *, const unsigned long *, unsigned int) override { ++rows; }
	bool cancelled() override { return cancel_after != 0 && rows >= cancel_after; }
	void progress(std::uint64_t, std::uint64_t) override { ++progress_calls; }
};

// COPY text of every value of one row, through the type map and the value conversion.
std::map<std::string, std::string>
copy_texts(const TableInfo &table, const Values &row) {
	core::MapContext context;
	context.origin_schema = table.schema;
	context.table = table.name;
	context.destination_schema = table.schema;
	std::map<std::string, std::string> texts;
	std::string scratch;
	for (std::size_t i = 0; i < table.columns.size(); ++i) {
		core::PgColumnType pg = core::map_column(table.columns[i], context);
		core::ValueOptions options;
		options.bit_length = pg.bit_length;
		std::string out;
		std::optional<std::string_view> value;
		if (row[i])
			value = *row[i];
		core::append_copy_field(pg.form, value, out, scratch, options);
		texts[table.columns[i].name] = out;
	}
	return texts;
}

} // namespace

TEST_CASE("read_tables reports columns, keys, indexes and foreign keys", "[live][snapshot]") {
	const std::string schema = "snap_schema";
	root_sql("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; USE " + schema + R"SQL(;
CREATE TABLE all_types (
  id int NOT NULL, sub smallint unsigned NOT NULL,
  ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned, mi mediumint, miu mediumint unsigned,
  i int, iu int unsigned, bi bigint, biu bigint unsigned,
  de decimal(65,30), fl float, db double, b1 bit(1), b10 bit(10) DEFAULT b'101',
  yr year, dt date DEFAULT '2020-01-01', dtt datetime(6),
  ts timestamp(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), tm time(2),
  ch char(3) DEFAULT 'a''b', vc varchar(20) CHARACTER SET latin1 COMMENT 'latin one',
  bn binary(4), vb varbinary(8), tt tinytext, tx text, mt mediumtext, lt longtext,
  tb tinyblob, bl blob, mb mediumblob, lb longblob,
  en enum('it''s','back\\slash','x,y') NOT NULL DEFAULT 'x,y', st set('a','b','c') DEFAULT 'a,c',
  js json, geo geometry, pt point, i6 inet6, i4 inet4, uu uuid,
  gen int AS (i + 1) VIRTUAL, gst bigint AS (i * 2) STORED,
  nd int DEFAULT NULL, ex int DEFAULT (1 + 2), inv int INVISIBLE DEFAULT 7,
  ai_free int,
  PRIMARY KEY (id, sub), KEY k_prefix (vc(5)), FULLTEXT KEY ft (tx), UNIQUE KEY u_i (i)
) ENGINE=InnoDB COMMENT='all the types';
CREATE TABLE unique_only (a int NOT NULL, b varchar(10) NOT NULL, c int,
  UNIQUE KEY u_c (c), UNIQUE KEY u_ab (a, b), UNIQUE KEY u_prefix (b(3))) ENGINE=InnoDB;
CREATE TABLE keyless (x int) ENGINE=InnoDB;
CREATE TABLE my_isam (id int AUTO_INCREMENT PRIMARY KEY, v varchar(10)) ENGINE=MyISAM;
CREATE TABLE aria_t (id int PRIMARY KEY) ENGINE=Aria TRANSACTIONAL=1;
CREATE TABLE parent (id int PRIMARY KEY, code char(2) NOT NULL, UNIQUE KEY u_code (id, code)) ENGINE=InnoDB;
CREATE TABLE child (id int PRIMARY KEY, pid int, pcode char(2),
  CONSTRAINT fk_parent FOREIGN KEY (pid, pcode) REFERENCES parent (id, code) ON DELETE CASCADE ON UPDATE SET NULL,
  CONSTRAINT fk_plain FOREIGN KEY (pid) REFERENCES parent (id)
) ENGINE=InnoDB;
CREATE TABLE skipped (id int PRIMARY KEY);
CREATE TABLE `Case` (id int PRIMARY KEY);
CREATE VIEW v_types AS SELECT id FROM all_types;
)SQL");
	Connection connection(params());
	std::vector<TableInfo> tables =
		read_tables(connection, filter_for(schema, {schema + ".skipped"}), {schema});
	std::vector<std::string> names;
	for (const TableInfo &t : tables)
		names.push_back(t.name);
	CHECK(names == std::vector<std::string>{"Case", "all_types", "aria_t", "child", "keyless", "my_isam",
											"parent", "unique_only"});

	const TableInfo &all = table_named(tables, "all_types");
	CHECK(all.schema == schema);
	CHECK(all.engine == "InnoDB");
	CHECK(all.transactional);
	CHECK(all.comment == "all the types");
	CHECK(all.columns.size() == 48);
	CHECK(all.columns.front().name == "id");
	CHECK(all.columns.back().name == "ai_free");
	CHECK(all.replication_key == std::vector<std::string>{"id", "sub"});
	CHECK(all.replication_key_index == "PRIMARY");

	const ColumnInfo &biu = column_named(all, "biu");
	CHECK(biu.data_type == "bigint");
	CHECK(biu.unsigned_);
	CHECK(column_named(all, "de").precision == 65);
	CHECK(column_named(all, "de").scale == 30);
	CHECK(column_named(all, "b10").precision == 10);
	CHECK(column_named(all, "dtt").datetime_precision == 6);
	CHECK(column_named(all, "tm").datetime_precision == 2);
	CHECK(column_named(all, "vc").char_length == 20);
	CHECK(column_named(all, "vc").charset == "latin1");
	CHECK(column_named(all, "vc").comment == "latin one");
	CHECK(column_named(all, "en").enum_values == std::vector<std::string>{"it's", "back\\slash", "x,y"});
	CHECK_FALSE(column_named(all, "en").nullable);
	CHECK(column_named(all, "st").enum_values == std::vector<std::string>{"a", "b", "c"});
	CHECK(column_named(all, "js").data_type == "json");
	CHECK(column_named(all, "lt").data_type == "longtext");
	CHECK(column_named(all, "i6").data_type == "inet6");
	CHECK(column_named(all, "uu").data_type == "uuid");
	CHECK(column_named(all, "gen").generated == Generated::virtual_);
	CHECK(column_named(all, "gen").generation_expression == "`i` + 1");
	CHECK(column_named(all, "gst").generated == Generated::stored);
	CHECK(column_named(all, "inv").invisible);
	CHECK(column_named(all, "ts").on_update_current_timestamp);
	// MariaDB shows defaults as SQL text
	CHECK(column_named(all, "ch").default_value == "'a''b'");
	CHECK(column_named(all, "ch").default_is_expression);
	CHECK(column_named(all, "ts").default_value == "current_timestamp(3)");
	CHECK(column_named(all, "nd").default_value == "NULL");
	CHECK(column_named(all, "ex").default_value == "(1 + 2)");
	CHECK(column_named(all, "b10").default_value == "b'101'");
	CHECK(column_named(all, "ai_free").default_value == "NULL"); // nullable: implicit DEFAULT NULL
	CHECK_FALSE(column_named(all, "id").default_value);

	std::map<std::string, const IndexInfo *> indexes;
	for (const IndexInfo &index : all.indexes)
		indexes[index.name] = &index;
	REQUIRE(indexes.size() == 4);
	CHECK(all.indexes.front().name == "PRIMARY");
	CHECK(indexes["PRIMARY"]->primary);
	CHECK(indexes["PRIMARY"]->parts.size() == 2);
	CHECK(indexes["k_prefix"]->parts.at(0).prefix_length == 5);
	CHECK_FALSE(indexes["k_prefix"]->unique);
	CHECK(indexes["ft"]->type == "FULLTEXT");
	CHECK(indexes["u_i"]->unique);
	CHECK(indexes["u_i"]->type == "BTREE");

	// unique key with nullable column and prefix key are not usable
	const TableInfo &unique_only = table_named(tables, "unique_only");
	CHECK(unique_only.replication_key == std::vector<std::string>{"a", "b"});
	CHECK(unique_only.replication_key_index == "u_ab");
	CHECK(table_named(tables, "keyless").replication_key.empty());
	const TableInfo &my_isam = table_named(tables, "my_isam");
	CHECK(my_isam.engine == "MyISAM");
	CHECK_FALSE(my_isam.transactional);
	CHECK(column_named(my_isam, "id").auto_increment);
	CHECK_FALSE(table_named(tables, "aria_t").transactional);

	const TableInfo &child = table_named(tables, "child");
	REQUIRE(child.foreign_keys.size() == 2);
	const ForeignKeyInfo &fk = child.foreign_keys[0];
	CHECK(fk.name == "fk_parent");
	CHECK(fk.columns == std::vector<std::string>{"pid", "pcode"});
	CHECK(fk.referenced_schema == schema);
	CHECK(fk.referenced_table == "parent");
	CHECK(fk.referenced_columns == std::vector<std::string>{"id", "code"});
	CHECK(fk.on_delete == "CASCADE");
	CHECK(fk.on_update == "SET NULL");
	const ForeignKeyInfo &plain = child.foreign_keys[1];
	CHECK(plain.name == "fk_plain");
	CHECK(plain.columns == std::vector<std::string>{"pid"});
	CHECK(plain.on_delete == "RESTRICT");
	CHECK(plain.on_update == "RESTRICT");

	// every column maps to a sensible PostgreSQL type
	std::map<std::string, std::string> expected = {
		{"id", "integer"},
		{"sub", "integer"},
		{"ti", "smallint"},
		{"tiu", "smallint"},
		{"si", "smallint"},
		{"siu", "integer"},
		{"mi", "integer"},
		{"miu", "integer"},
		{"i", "integer"},
		{"iu", "bigint"},
		{"bi", "bigint"},
		{"biu", "numeric(20)"},
		{"de", "numeric(65,30)"},
		{"fl", "real"},
		{"db", "double precision"},
		{"b1", "boolean"},
		{"b10", "bit(10)"},
		{"yr", "smallint"},
		{"dt", "date"},
		{"dtt", "timestamp(6) without time zone"},
		{"ts", "timestamp(3) with time zone"},
		{"tm", "interval"},
		{"ch", "character(3)"},
		{"vc", "character varying(20)"},
		{"bn", "bytea"},
		{"vb", "bytea"},
		{"tt", "text"},
		{"tx", "text"},
		{"mt", "text"},
		{"lt", "text"},
		{"tb", "bytea"},
		{"bl", "bytea"},
		{"mb", "bytea"},
		{"lb", "bytea"},
		{"st", "text[]"},
		{"js", "jsonb"},
		{"geo", "bytea"},
		{"pt", "bytea"},
		{"i6", "inet"},
		{"i4", "inet"},
		{"uu", "uuid"},
		{"gen", "integer"},
		{"gst", "bigint"},
		{"nd", "integer"},
		{"ex", "integer"},
		{"inv", "integer"},
		{"ai_free", "integer"},
	};
	core::MapContext context;
	context.origin_schema = schema;
	context.table = all.name;
	context.destination_schema = schema;
	for (const ColumnInfo &column : all.columns) {
		core::PgColumnType pg = core::map_column(column, context);
		INFO("column " << column.name << " (" << column.column_type << ") -> " << pg.sql_type);
		if (column.name == "en") {
			CHECK(pg.is_enum);
			CHECK(pg.enum_labels == std::vector<std::string>{"it's", "back\\slash", "x,y"});
			CHECK(pg.default_sql == "'x,y'");
			continue;
		}
		CHECK(pg.sql_type == expected.at(column.name));
		if (column.name == "ch")
			CHECK(pg.default_sql == "'a''b'");
		if (column.name == "b10")
			CHECK(pg.default_sql == "B'0000000101'");
		if (column.name == "nd")
			CHECK_FALSE(pg.default_sql);
	}
}

TEST_CASE("stream_rows returns every edge value losslessly", "[live][snapshot]") {
	const std::string schema = "snap_values";
	root_sql("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; USE " + schema + R"SQL(;
SET SESSION sql_mode = '';
SET SESSION time_zone = '+02:00';
CREATE TABLE edge (
  id int PRIMARY KEY, d date, dt datetime, ts timestamp NULL DEFAULT NULL, dt6 datetime(6), ts3 timestamp(3) NULL,
  txt text, emoji varchar(10) CHARACTER SET utf8mb4, l1 varchar(10) CHARACTER SET latin1,
  bi bigint, biu bigint unsigned, ti tinyint, tm time(2),
  b1 bit(1), b10 bit(10), st set('a','b','c'), en enum('it''s','x'), js json,
  fl float, db double, de decimal(65,30), vb varbinary(8), pt point, uu uuid, i6 inet6, yr year,
  gen bigint AS (bi div 2) VIRTUAL, inv int INVISIBLE
) ENGINE=InnoDB;
INSERT INTO edge (id) VALUES (1);
INSERT INTO edge (id, d, dt, ts, dt6, ts3, txt, emoji, l1, bi, biu, ti, tm, b1, b10, st, en, js, fl, db, de, vb, pt, uu, i6, yr, inv)
VALUES (2, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', NULL,
  CONCAT('a', CHAR(0), 'b', CHAR(9), 'c\\d', CHAR(10)), '😀x', 'é',
  -9223372036854775808, 18446744073709551615, -128, '-838:59:59.00',
  b'1', b'1000000001', 'a,c', 'it''s', '{"k": "é😀"}',
  0.1, 0.1, '-12345678901234567890123456789012345.123456789012345678901234567890',
  X'00FF', ST_GeomFromText('POINT(1 2)'), '123e4567-e89b-12d3-a456-426614174000', '::1', 0, 5),
 (3, '2024-02-29', '2024-02-29 13:14:15', '2024-02-29 13:14:15', '2024-02-29 13:14:15.000001', '2024-02-29 13:14:15.123',
  '', '', '', 9223372036854775807, 0, 127, '838:59:59.99',
  b'0', b'0000000000', '', 'x', '[]',
  3.402823466e38, 1e308, '0.000000000000000000000000000001', X'', NULL, NULL, '2001:db8::ff00:42:8329', 2155, NULL),
 (4, '0001-01-01', '1000-01-01 00:00:00', '1970-01-01 02:00:01', NULL, NULL,
  'NULL', NULL, NULL, 0, 1, 0, '00:00:00.5',
  NULL, NULL, NULL, NULL, NULL,
  1.17549435e-38, 2.2250738585072014e-308, 0, NULL, NULL, NULL, NULL, NULL, NULL),
 (5, '2020-00-15', '2020-05-00 00:00:00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
)SQL");
	Connection connection(params());
	std::vector<TableInfo> tables = read_tables(connection, filter_for(schema), {schema});
	REQUIRE(tables.size() == 1);
	const TableInfo &edge = tables[0];

	SnapshotSession session(params());
	session.begin_snapshot(true);
	CollectingSink sink;
	StreamResult result = session.stream_rows(edge, sink);
	session.commit();
	CHECK(result.rows == 5);
	CHECK_FALSE(result.cancelled);
	REQUIRE(sink.rows.size() == 5);
	std::map<int, std::map<std::string, std::string>> texts;
	for (const Values &row : sink.rows)
		texts[std::atoi(row[0]->c_str())] = copy_texts(edge, row);

	// all NULL
	for (const auto &[name, text] : texts[1])
		if (name != "id")
			CHECK(text == "\\N");

	auto &r2 = texts[2];
	CHECK(r2["d"] == "\\N");
	CHECK(r2["dt"] == "\\N");
	CHECK(r2["ts"] == "\\N");
	CHECK(r2["dt6"] == "\\N");
	CHECK(r2["txt"] == "ab\\tc\\\\d\\n"); // NUL removed, COPY escapes
	CHECK(r2["emoji"] == "😀x");
	CHECK(r2["l1"] == "é"); // latin1 column arrives as UTF-8
	CHECK(r2["bi"] == "-9223372036854775808");
	CHECK(r2["biu"] == "18446744073709551615");
	CHECK(r2["ti"] == "-128");
	CHECK(r2["tm"] == "-838:59:59.00");
	CHECK(r2["b1"] == "t");
	CHECK(r2["b10"] == "1000000001");
	CHECK(r2["st"] == "{\"a\",\"c\"}");
	CHECK(r2["en"] == "it's");
	CHECK(r2["js"] == "{\"k\": \"é😀\"}");
	CHECK(r2["fl"] == "0.10000000149011612");
	CHECK(r2["db"] == "0.1");
	CHECK(r2["de"] == "-12345678901234567890123456789012345.123456789012345678901234567890");
	CHECK(r2["vb"] == "\\\\x00ff");
	CHECK(r2["pt"] == "\\\\x0101000000000000000000f03f0000000000000040");
	CHECK(r2["uu"] == "123e4567-e89b-12d3-a456-426614174000");
	CHECK(r2["i6"] == "::1");
	CHECK(r2["yr"] == "0000");
	CHECK(r2["gen"] == "-4611686018427387904");
	CHECK(r2["inv"] == "5");

	auto &r3 = texts[3];
	CHECK(r3["d"] == "2024-02-29");
	CHECK(r3["dt"] == "2024-02-29 13:14:15");
	CHECK(r3["ts"] == "2024-02-29 11:14:15+00"); // inserted at +02:00, read in UTC
	CHECK(r3["dt6"] == "2024-02-29 13:14:15.000001");
	CHECK(r3["ts3"] == "2024-02-29 11:14:15.123+00");
	CHECK(r3["txt"] == "");
	CHECK(r3["bi"] == "9223372036854775807");
	CHECK(r3["ti"] == "127");
	CHECK(r3["tm"] == "838:59:59.99");
	CHECK(r3["b1"] == "f");
	CHECK(r3["b10"] == "0000000000");
	CHECK(r3["st"] == "{}");
	CHECK(r3["fl"] == "3.4028234663852886e38");
	CHECK(r3["db"] == "1e308");
	CHECK(r3["de"] == "0.000000000000000000000000000001");
	CHECK(r3["vb"] == "\\\\x");
	CHECK(r3["i6"] == "2001:db8::ff00:42:8329");
	CHECK(r3["yr"] == "2155");

	auto &r4 = texts[4];
	CHECK(r4["d"] == "0001-01-01");
	CHECK(r4["dt"] == "1000-01-01 00:00:00");
	CHECK(r4["ts"] == "1970-01-01 00:00:01+00");
	CHECK(r4["txt"] == "NULL"); // the string, not a NULL
	CHECK(r4["tm"] == "00:00:00.50");
	CHECK(r4["fl"] == "1.1754943508222875e-38");
	CHECK(r4["db"] == "2.2250738585072014e-308");

	auto &r5 = texts[5];
	CHECK(r5["d"] == "\\N");  // zero month
	CHECK(r5["dt"] == "\\N"); // zero day

	// PostgreSQL's real input is strtof: the DOUBLE text of a FLOAT reads back as the same float.
	CHECK(std::strtof(r2["fl"].c_str(), nullptr) == 0.1f);
	CHECK(std::strtof(r3["fl"].c_str(), nullptr) == 3.4028235e38f);
	CHECK(std::strtof(r4["fl"].c_str(), nullptr) == 1.17549435e-38f);
}

TEST_CASE("a snapshot sees exactly the rows before its binlog coordinates", "[live][snapshot]") {
	const std::string schema = "snap_consistency";
	root_sql("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; USE " + schema +
			 "; CREATE TABLE c (id int PRIMARY KEY, v varchar(20)) ENGINE=InnoDB;"
			 " INSERT INTO c SELECT seq, CONCAT('v', seq) FROM seq_1_to_10000;");
	Connection connection(params());
	std::vector<TableInfo> tables = read_tables(connection, filter_for(schema), {schema});
	REQUIRE(tables.size() == 1);
	const TableInfo &c = tables[0];

	auto before = master_status();
	std::string gtid_before = root_sql("SELECT @@gtid_binlog_pos;");
	gtid_before.erase(gtid_before.find_last_not_of('\n') + 1);

	SnapshotSession first(params());
	BinlogCoordinates at_first = first.begin_snapshot(false); // MariaDB needs no lock
	auto between = master_status();
	CHECK(before <= at(at_first));
	CHECK(at(at_first) <= between);
	CHECK_FALSE(at_first.gtid_set.empty());
	if (at(at_first) == before) // nobody else wrote meanwhile
		CHECK(at_first.gtid_set == gtid_before);

	root_sql("USE " + schema + "; INSERT INTO " + schema + ".c SELECT seq, 'late' FROM seq_10001_to_10500;");
	auto after = master_status();
	CHECK(after > at(at_first));

	CountingSink counting;
	StreamResult result = first.stream_rows(c, counting);
	CHECK(result.rows == 10000);
	CHECK(counting.rows == 10000);
	CHECK(counting.progress_calls == 10000 / SnapshotSession::poll_interval + 1);

	SECTION("a later session gets later coordinates and sees the new rows") {
		SnapshotSession second(params());
		BinlogCoordinates at_second = second.begin_snapshot(false);
		CHECK(at(at_second) >= after);
		CHECK(at_second.gtid_set != at_first.gtid_set);
		CountingSink later;
		CHECK(second.stream_rows(c, later).rows == 10500);
		second.commit();
	}

	SECTION("a cancelled copy stops early and leaves the snapshot usable") {
		CountingSink cancelling;
		cancelling.cancel_after = 1;
		StreamResult cancelled = first.stream_rows(c, cancelling);
		CHECK(cancelled.cancelled);
		CHECK(cancelled.rows == SnapshotSession::poll_interval);
		CountingSink again;
		CHECK(first.stream_rows(c, again).rows == 10000);
	}

	SECTION("beginning twice is refused") {
		CHECK_THROWS_AS(first.begin_snapshot(false), Error);
	}
	first.commit();
}

TEST_CASE("a non-transactional table is copied under its own lock", "[live][snapshot]") {
	const std::string schema = "snap_myisam";
	root_sql("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; USE " + schema +
			 "; CREATE TABLE m (id int PRIMARY KEY, v varchar(20)) ENGINE=MyISAM;"
			 " INSERT INTO m SELECT seq, 'x' FROM seq_1_to_1000;"
			 " GRANT LOCK TABLES ON *.* TO 'repl'@'127.0.0.1';");
	Connection connection(params());
	std::vector<TableInfo> tables = read_tables(connection, filter_for(schema), {schema});
	REQUIRE(tables.size() == 1);
	const TableInfo &m = tables[0];
	REQUIRE_FALSE(m.transactional);

	SnapshotSession session(params());
	auto before = master_status();
	BinlogCoordinates locked_at = session.lock_table_and_read_position(m);
	CHECK(before <= at(locked_at));
	CHECK(at(locked_at) <= master_status());

	// a concurrent writer waits for the lock
	std::thread writer([&] { root_sql("INSERT INTO " + schema + ".m VALUES (1001, 'late');"); });
	// the rows are read only once the writer is seen waiting for the lock
	bool writer_waits = false;
	for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
		 !writer_waits && std::chrono::steady_clock::now() < deadline;) {
		writer_waits =
			root_sql("SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO " +
					 schema + ".m %' AND STATE LIKE 'Waiting for table%';") != "0\n";
		if (!writer_waits)
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	REQUIRE(writer_waits);
	CountingSink counting;
	CHECK(session.stream_rows(m, counting).rows == 1000);
	session.unlock_tables();
	writer.join();
	CHECK(master_status() > at(locked_at));
	CountingSink after_unlock;
	CHECK(session.stream_rows(m, after_unlock).rows == 1001);

	SnapshotSession snapshot(params());
	snapshot.begin_snapshot(false);
	CHECK_THROWS_AS(snapshot.lock_table_and_read_position(m), Error);
	snapshot.commit();
}

TEST_CASE("stream_rows errors name the table and the rows read", "[live][snapshot]") {
	const std::string schema = "snap_errors";
	root_sql("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; USE " + schema +
			 "; CREATE TABLE big (id int PRIMARY KEY, pad varchar(200)) ENGINE=InnoDB;"
			 " INSERT INTO big SELECT seq, REPEAT('p', 200) FROM seq_1_to_200000;");
	Connection connection(params());
	std::vector<TableInfo> tables = read_tables(connection, filter_for(schema), {schema});
	REQUIRE(tables.size() == 1);
	TableInfo big = tables[0];

	SECTION("missing table") {
		SnapshotSession session(params());
		TableInfo missing = big;
		missing.name = "gone";
		CountingSink sink;
		try {
			session.stream_rows(missing, sink);
			FAIL("no error");
		} catch (const Error &e) {
			CHECK(std::string(e.what()).find("`snap_errors`.`gone`") != std::string::npos);
			CHECK(e.detail.find("1146") != std::string::npos);
		}
	}

	SECTION("connection killed mid-stream") {
		SnapshotSession session(params());
		session.begin_snapshot(false);
		struct KillingSink : RowSink {
			Connection *killer;
			unsigned long thread_id;
			std::uint64_t rows = 0;
			void row(const char *const *, const unsigned long *, unsigned int) override {
				if (++rows == 10)
					killer->execute("KILL CONNECTION " + std::to_string(thread_id));
			}
		} sink;
		Connection killer(params());
		sink.killer = &killer;
		sink.thread_id = std::stoul(*session.connection().query("SELECT CONNECTION_ID()").at(0).at(0));
		try {
			session.stream_rows(big, sink);
			FAIL("no error");
		} catch (const Error &e) {
			INFO(e.what() << " / " << e.detail << " / " << e.hint);
			CHECK(std::string(e.what()).find("`snap_errors`.`big`") != std::string::npos);
			CHECK(std::string(e.what()).find("failed after ") != std::string::npos);
			CHECK(std::string(e.sqlstate) == sqlstate::connection_failure);
			CHECK_FALSE(e.hint.empty());
		}
	}
}

TEST_CASE("stream_rows throughput", "[.bench][snapshot]") {
	const std::string schema = "snap_bench";
	root_sql(
		"CREATE DATABASE IF NOT EXISTS " + schema + "; USE " + schema +
		"; CREATE TABLE IF NOT EXISTS b (id int PRIMARY KEY, n bigint, s varchar(50), d decimal(12,2),"
		" t timestamp NULL, f double) ENGINE=InnoDB;"
		" INSERT IGNORE INTO b SELECT seq, seq * 7, CONCAT('name ', seq), seq / 100, '2024-01-01 00:00:00'"
		" + INTERVAL seq SECOND, seq / 3 FROM seq_1_to_1000000;");
	Connection connection(params());
	std::vector<TableInfo> tables = read_tables(connection, filter_for(schema), {schema});
	REQUIRE(tables.size() == 1);
	const TableInfo &b = tables[0];
	core::MapContext context;
	std::vector<core::PgColumnType> types;
	for (const ColumnInfo &column : b.columns)
		types.push_back(core::map_column(column, context));

	// Builds COPY text as the copy will: the reader plus value conversion.
	struct CopySink : RowSink {
		const std::vector<core::PgColumnType> *types;
		std::string buffer, scratch;
		std::uint64_t flushed = 0;
		void row(const char *const *values, const unsigned long *lengths, unsigned int count) override {
			core::ValueOptions options;
			for (unsigned int i = 0; i < count; ++i) {
				if (i > 0)
					buffer += '\t';
				std::optional<std::string_view> value;
				if (values[i])
					value = std::string_view(values[i], lengths[i]);
				core::append_copy_field((*types)[i].form, value, buffer, scratch, options);
			}
			buffer += '\n';
			if (buffer.size() > (1 << 20)) {
				flushed += buffer.size();
				buffer.clear();
			}
		}
	};
	for (int pass = 0; pass < 2; ++pass) {
		SnapshotSession session(params());
		session.begin_snapshot(false);
		auto start = std::chrono::steady_clock::now();
		StreamResult result;
		if (pass == 0) {
			CountingSink sink;
			result = session.stream_rows(b, sink);
		} else {
			CopySink sink;
			sink.types = &types;
			result = session.stream_rows(b, sink);
		}
		double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		WARN((pass == 0 ? "reader only: " : "reader + COPY text: ")
			 << result.rows << " rows in " << seconds << " s = " << static_cast<long>(result.rows / seconds)
			 << " rows/s");
		session.commit();
	}
}
