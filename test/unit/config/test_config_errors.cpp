// Tests of every kind of configuration error: the key path, the line, the message and the hint.
#include "config/source_config.hpp"
#include "config_test_support.hpp"

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;

namespace {

// The error of minimal_source (4 lines) followed by extra lines: the first extra line is line 5.
ConfigError
error_with(const std::string &extra) {
	return source_error(minimal_source + extra);
}

} // namespace

TEST_CASE("the message names the key and the line", "[config][errors]") {
	ConfigError error = error_with("replica_batch_size: ten\n");
	CHECK(error.key == "replica_batch_size");
	CHECK(error.line == 5);
	CHECK(std::string(error.what()) ==
		  "invalid value for \"replica_batch_size\" at line 5: expected a positive integer, got \"ten\"");
	CHECK(error.message == error.what());
	CHECK_FALSE(error.hint.empty());
}

TEST_CASE("unknown keys, with did-you-mean and placement hints", "[config][errors]") {
	ConfigError error = error_with("replica_batch_sise: 10\n");
	CHECK(error.key == "replica_batch_sise");
	CHECK(error.line == 5);
	CHECK_THAT(error.what(), Contains("unknown key \"replica_batch_sise\" at line 5"));
	CHECK(error.hint == "Did you mean \"replica_batch_size\"?");

	error = error_with("compress_tables: true\n");
	CHECK_THAT(error.hint, Contains("the keys of a source are: type, db_conn"));

	error = source_error("db_conn:\n  user: u\n  hots: h\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.hots");
	CHECK(error.line == 3);
	CHECK(error.hint == "Did you mean \"host\"?");

	error = source_error("db_conn:\n  user: u\n  schema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.schema_mappings");
	CHECK(error.line == 3);
	CHECK_THAT(error.hint, Contains("source key") && Contains("indentation"));

	error = error_with("host: h\n");
	CHECK_THAT(error.hint, Contains("belongs under \"db_conn\""));

	error = error_with("log_dir: /tmp\n");
	CHECK_THAT(error.hint, Contains("whole configuration file"));

	error = source_error("sources:\n  mysql:\n    db_conn: {user: u}\n");
	CHECK(error.key == "sources");
	CHECK_THAT(error.hint, Contains("load_config"));

	error = source_error("mysql:\n  db_conn: {user: u}\n  schema_mappings: {a: b}\n");
	CHECK(error.key == "mysql");
	CHECK_THAT(error.hint, Contains("looks like the source name"));

	error = error_with("skip_events: {inserts: [shop]}\n");
	CHECK(error.key == "skip_events.inserts");
	CHECK(error.hint == "Did you mean \"insert\"?");
}

TEST_CASE("duplicate keys", "[config][errors]") {
	ConfigError error = error_with("sleep_loop: 1\nsleep_loop: 2\n");
	CHECK(error.key == "sleep_loop");
	CHECK(error.line == 6);
	CHECK_THAT(error.what(), Contains("duplicate key \"sleep_loop\" at line 6"));
	CHECK_THAT(error.hint, Contains("line 5"));
}

TEST_CASE("wrong kinds: a list or mapping where a value is expected, and the reverse", "[config][errors]") {
	ConfigError error = error_with("lock_timeout: [120s]\n");
	CHECK(error.key == "lock_timeout");
	CHECK(error.line == 5);
	CHECK_THAT(error.what(), Contains("got a list"));

	error = error_with("limit_tables: shop.orders\n");
	CHECK(error.key == "limit_tables");
	CHECK_THAT(error.what(), Contains("expected a list"));

	error = error_with("skip_events: [shop]\n");
	CHECK(error.key == "skip_events");
	CHECK_THAT(error.what(), Contains("expected a mapping"));

	error = source_error("db_conn: usr_replica\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn");
	CHECK(error.line == 1);

	error = source_error("- a\n- b\n");
	CHECK(error.line == 1);
	CHECK_THAT(error.what(), Contains("expected a mapping"));

	error = error_with("grant_select_to: [{a: b}]\n");
	CHECK(error.key == "grant_select_to");
	CHECK_THAT(error.what(), Contains("got a mapping"));
}

TEST_CASE("numbers out of range or not integers", "[config][errors]") {
	struct Case {
		std::string yaml, key, expected;
	};
	for (const Case &c : std::vector<Case>{
			 {"replica_batch_size: 0\n", "replica_batch_size", "expected a positive integer, got \"0\""},
			 {"replay_max_rows: -5\n", "replay_max_rows", "expected a positive integer"},
			 {"sleep_loop: 1.5\n", "sleep_loop", "expected a positive integer, got \"1.5\""},
			 {"net_read_timeout: 99999999999\n", "net_read_timeout", "expected a positive integer"},
			 {"copy_parallel_jobs: 65\n", "copy_parallel_jobs",
			  "expected an integer from 1 to 64, got \"65\""},
			 {"copy_parallel_jobs: 0\n", "copy_parallel_jobs", "expected an integer from 1 to 64"},
			 {"my_server_id: 0\n", "my_server_id", "expected an integer from 1 to 4294967295"},
			 {"verify_max_rows_per_second: -1\n", "verify_max_rows_per_second",
			  "expected an integer from 0 to 1000000000"},
			 {"fillfactor: {\"5\": {tables: [shop.t]}}\n", "fillfactor.5",
			  "expected an integer from 10 to 100, got \"5\""},
			 {"fillfactor: {\"101\": {tables: [shop.t]}}\n", "fillfactor.101",
			  "expected an integer from 10 to 100"},
		 }) {
		INFO(c.yaml);
		ConfigError error = error_with(c.yaml);
		CHECK(error.key == c.key);
		CHECK(error.line == 5);
		CHECK_THAT(error.what(), Contains(c.expected));
	}
	ConfigError error = source_error("db_conn: {user: u, port: 70000}\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.port");
	CHECK(error.line == 1);
	CHECK_THAT(error.what(), Contains("expected an integer from 1 to 65535, got \"70000\""));
	error = source_error("db_conn:\n  user: u\n  connect_timeout: soon\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.connect_timeout");
	CHECK(error.line == 3);
}

TEST_CASE("invalid enum, boolean and text values", "[config][errors]") {
	struct Case {
		std::string yaml, key, expected;
	};
	for (const Case &c : std::vector<Case>{
			 {"on_error_replay: maybe\n", "on_error_replay",
			  "expected \"continue\" or \"exit\", got \"maybe\""},
			 {"on_error_read: stop\n", "on_error_read", "got \"stop\""},
			 {"type: oracle\n", "type", "expected \"mysql\" or \"pgsql\", got \"oracle\""},
			 {"zero_dates: zero\n", "zero_dates", "expected \"null\" or \"error\""},
			 {"gtid_enable: maybe\n", "gtid_enable", "expected true or false, got \"maybe\""},
			 {"keep_existing_schema: 2\n", "keep_existing_schema", "expected true or false"},
			 {"strip_nul: []\n", "strip_nul", "got a list"},
			 {"copy_max_memory: 300X\n", "copy_max_memory", "expected a size such as \"300M\", got \"300X\""},
			 {"copy_max_memory: 300T\n", "copy_max_memory", "got \"300T\""},
			 {"batch_retention: 1 dya\n", "batch_retention", "expected a PostgreSQL interval"},
			 {"auto_maintenance: sometimes\n", "auto_maintenance",
			  "expected \"disabled\" or a PostgreSQL interval"},
			 {"lock_timeout: two minutes\n", "lock_timeout", "expected a lock timeout"},
		 }) {
		INFO(c.yaml);
		ConfigError error = error_with(c.yaml);
		CHECK(error.key == c.key);
		CHECK(error.line == 5);
		CHECK_THAT(error.what(), Contains(c.expected));
		CHECK_FALSE(error.hint.empty());
	}
}

TEST_CASE("missing required keys", "[config][errors]") {
	ConfigError error = source_error("schema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn");
	CHECK(error.line == 1);
	CHECK_THAT(error.what(), Contains("missing required key \"db_conn\" in the source block at line 1"));

	error = source_error("schema_mappings: {a: b}\ndb_conn:\n");
	CHECK(error.key == "db_conn");
	CHECK(error.line == 2);

	error = source_error("schema_mappings: {a: b}\ndb_conn:\n  host: h\n");
	CHECK(error.key == "db_conn.user");
	CHECK(error.line == 3);
	CHECK_THAT(error.what(), Contains("missing required key \"db_conn.user\" in \"db_conn\" at line 3"));

	error = source_error("db_conn: {user: u}\n");
	CHECK(error.key == "schema_mappings");
	CHECK_THAT(error.what(), Contains("missing required key \"schema_mappings\""));

	error = source_error("db_conn: {user: u}\nschema_mappings:\n");
	CHECK(error.key == "schema_mappings");
	CHECK(error.line == 2);
	CHECK_THAT(error.what(), Contains("expected at least one"));

	error = source_error("db_conn: {user: u}\nschema_mappings: {}\n");
	CHECK(error.key == "schema_mappings");
	CHECK(error.line == 2);

	error = source_error("type: pgsql\ndb_conn:\n  user: u\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.database");
	CHECK(error.line == 3);

	error = source_error("");
	CHECK(error.line == 1);
	CHECK_THAT(error.what(), Contains("is empty"));
}

TEST_CASE("both password and password_file", "[config][errors]") {
	ConfigError error = source_error(
		"db_conn:\n  user: u\n  password: x\n  password_file: /run/pw\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.password_file");
	CHECK(error.line == 4);
	CHECK_THAT(error.what(), Contains("conflicting keys \"db_conn.password\" and \"db_conn.password_file\""));

	error = source_error("db_conn: {user: u, password_file: secrets/pw}\nschema_mappings: {a: b}\n");
	CHECK(error.key == "db_conn.password_file");
	CHECK_THAT(error.what(), Contains("not an absolute path"));
}

TEST_CASE("table entries: form and origin schema", "[config][errors]") {
	ConfigError error = error_with("limit_tables:\n  - shop.orders\n  - orders\n");
	CHECK(error.key == "limit_tables");
	CHECK(error.line == 7);
	CHECK_THAT(error.what(), Contains("\"orders\" is not of the form \"schema.table\""));

	error = error_with("skip_tables: [shop.a.b]\n");
	CHECK(error.key == "skip_tables");
	CHECK_THAT(error.what(), Contains("\"shop.a.b\""));

	error = error_with("skip_tables: [\".t\"]\n");
	CHECK_THAT(error.what(), Contains("\".t\" is not of the form"));

	error = error_with("limit_tables: [crm.contacts]\n");
	CHECK(error.key == "limit_tables");
	CHECK(error.line == 5);
	CHECK_THAT(error.what(),
			   Contains("schema \"crm\" of \"crm.contacts\" is not an origin schema of schema_mappings"));
	CHECK_THAT(error.hint, Contains("(shop)"));

	error = error_with("skip_events:\n  update:\n    - shop\n    - crm\n");
	CHECK(error.key == "skip_events.update");
	CHECK(error.line == 8);
	CHECK_THAT(error.what(), Contains("schema \"crm\""));

	error = error_with("skip_events:\n  delete: [\"shop.\"]\n");
	CHECK(error.key == "skip_events.delete");
	CHECK_THAT(error.what(), Contains("\"shop.\" is not of the form \"schema\" or \"schema.table\""));

	error =
		error_with("type_override: {\"tinyint(1)\": {override_to: boolean, override_tables: [orders]}}\n");
	CHECK(error.key == "type_override.tinyint(1).override_tables");
	CHECK_THAT(error.what(), Contains("\"orders\" is not of the form schema.table"));

	error = error_with("fillfactor: {\"30\": {tables: [\"\"]}}\n");
	CHECK(error.key == "fillfactor.30.tables");
}

TEST_CASE("schema_mappings: repeated or reserved destinations", "[config][errors]") {
	ConfigError error = source_error("db_conn: {user: u}\nschema_mappings:\n  a: x\n  b: y\n  c: x\n");
	CHECK(error.key == "schema_mappings.c");
	CHECK(error.line == 5);
	CHECK_THAT(error.what(),
			   Contains("destination schema \"x\" is already the destination of \"a\" at line 3"));

	error = source_error("db_conn: {user: u}\nschema_mappings:\n  a: x\n  a: y\n");
	CHECK(error.key == "schema_mappings.a");
	CHECK_THAT(error.what(), Contains("duplicate key"));

	error = source_error("db_conn: {user: u}\nschema_mappings: {a: sch_chameleon}\n");
	CHECK_THAT(error.what(), Contains("reserved"));
	error = source_error("db_conn: {user: u}\nschema_mappings: {a: pg_temp}\n");
	CHECK_THAT(error.what(), Contains("reserved"));
	error = source_error("db_conn: {user: u}\nschema_mappings: {a: " + std::string(64, 'x') + "}\n");
	CHECK_THAT(error.what(), Contains("longer than 63 bytes"));
	error = source_error("db_conn: {user: u}\nschema_mappings: {a: }\n");
	CHECK(error.key == "schema_mappings.a");
	CHECK_THAT(error.what(), Contains("expected a destination schema name, got nothing"));
}

TEST_CASE("type_override and fillfactor blocks", "[config][errors]") {
	ConfigError error = error_with("type_override:\n  \"tinyint(1)\":\n    override_tables: [\"*\"]\n");
	CHECK(error.key == "type_override.tinyint(1).override_to");
	CHECK(error.line == 6);
	CHECK_THAT(error.what(), Contains("missing required key"));

	error = error_with("type_override:\n  \"tinyint(1)\":\n    override_to: boolean\n");
	CHECK(error.key == "type_override.tinyint(1).override_tables");

	error = error_with("type_override:\n  \"tinyint(1)\":\n    override_to: \"boolean; drop table x\"\n    "
					   "override_tables: [\"*\"]\n");
	CHECK(error.key == "type_override.tinyint(1).override_to");
	CHECK(error.line == 7);
	CHECK_THAT(error.what(), Contains("is not a type name"));

	error = error_with("type_override:\n  \"tinyint(1)\":\n    override: boolean\n");
	CHECK(error.key == "type_override.tinyint(1).override");
	CHECK(error.hint == "Did you mean \"override_to\"?");

	error = error_with("fillfactor:\n  \"30\": {tables: [a.b]}\n  30: {tables: [c.d]}\n");
	CHECK(error.key == "fillfactor.30");
	CHECK(error.line == 7);
	CHECK_THAT(error.what(), Contains("duplicate key"));

	std::string long_type = "enum('" + std::string(1000, 'v') + "')";
	error = error_with("type_override:\n  ? \"" + long_type +
					   "\"\n  : {override_to: text, override_tables: [\"*\"]}\n");
	CHECK(error.key == "type_override");
	CHECK(error.line == 6);
	CHECK_THAT(error.what(), Contains("longer than 1000 bytes"));

	error = error_with("fillfactor:\n  \"30\": {table: [a.b]}\n");
	CHECK(error.key == "fillfactor.30.table");
	CHECK(error.hint == "Did you mean \"tables\"?");
}

TEST_CASE("malformed YAML in a source block", "[config][errors]") {
	ConfigError error = source_error("db_conn:\n  user: u\n   host: h\nschema_mappings: {a: b}\n");
	CHECK(error.key.empty());
	CHECK(error.line == 3);
	CHECK_THAT(error.what(), Contains("invalid YAML at line 3"));
}

TEST_CASE("source names", "[config][errors]") {
	CHECK_NOTHROW(check_source_name("src_a1"));
	CHECK_NOTHROW(check_source_name(std::string(47, 'a')));
	ConfigError error = error_of([] { check_source_name(std::string(48, 'a')); });
	CHECK(error.line == 0);
	CHECK_THAT(error.what(), Contains("invalid source name"));
	error = error_of([] { check_source_name("my-src", 3); });
	CHECK(error.key == "sources.my-src");
	CHECK(std::string(error.what()) == "invalid source name \"my-src\" at line 3");
	CHECK_THROWS_AS(check_source_name(""), ConfigError);
}
