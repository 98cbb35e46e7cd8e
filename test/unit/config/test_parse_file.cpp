// Tests of parse_file(): the Python example file, the real fixture file, global blocks, notices.
#include "config/source_config.hpp"
#include "config_test_support.hpp"
#include "fixtures.hpp"

#include <fstream>
#include <sstream>

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;
using Strings = std::vector<std::string>;

namespace {

// pg_chameleon 2.0.21 configuration/config-example.yml (inventory §2.1), with its mis-indented pgsql block.
const std::string python_example = R"yaml(pid_dir: '~/.pg_chameleon/pid/'
log_dir: '~/.pg_chameleon/logs/'
log_dest: file
log_level: info
log_days_keep: 10
rollbar_key: ''
rollbar_env: ''
type_override:
  "tinyint(1)":
    override_to: boolean
    override_tables:
      - "*"
pg_conn:
  host: "localhost"
  port: "5432"
  user: "usr_replica"
  password: "never_commit_password"
  database: "db_replica"
  charset: "utf8"
sources:
  mysql:
    db_conn:
      host: "localhost"
      port: "3306"
      user: "usr_replica"
      password: "never_commit_passwords"
      charset: 'utf8'
      connect_timeout: 10
    schema_mappings:
      delphis_mediterranea: loxodonta_africana
    limit_tables:
      - delphis_mediterranea.foo
    skip_tables:
      - delphis_mediterranea.bar
    grant_select_to:
      - usr_readonly
    lock_timeout: "120s"
    my_server_id: 100
    replica_batch_size: 10000
    replay_max_rows: 10000
    batch_retention: '1 day'
    copy_max_memory: "300M"
    copy_mode: 'file'
    out_dir: /tmp
    sleep_loop: 1
    on_error_replay: continue
    on_error_read: continue
    auto_maintenance: "disabled"
    gtid_enable: false
    type: mysql
    skip_events:
      insert:
        - delphis_mediterranea.foo  # skips inserts on delphis_mediterranea.foo
      delete:
        - delphis_mediterranea  # skips deletes on schema delphis_mediterranea
      update:
    keep_existing_schema: No
    net_read_timeout: 600
  pgsql:
    db_conn:
      host: "localhost"
      port: "5432"
      user: "usr_replica"
      password: "never_commit_passwords"
      database: "db_replica"
      charset: 'utf8'
      connect_timeout: 10
      schema_mappings:
        loxodonta_africana: elephas_maximus
      limit_tables: [loxodonta_africana.foo]
      skip_tables: [loxodonta_africana.bar]
      copy_max_memory: "300M"
      grant_select_to: [usr_readonly]
      lock_timeout: "10s"
      my_server_id: 100
      replica_batch_size: 3000
      replay_max_rows: 10000
      sleep_loop: 5
      batch_retention: '1 day'
      copy_mode: 'file'
      out_dir: /tmp
      type: pgsql
fillfactor:
  "30":
    tables:
      - "foo.bar"
  "40":
    tables:
      - "foo.foobar"
)yaml";

// The example with the pgsql keys moved out of db_conn to the source level, as tests/test.yml has them.
std::string
python_example_fixed() {
	std::istringstream lines(python_example);
	std::string fixed, line;
	bool in_pgsql = false, past_connection = false;
	while (std::getline(lines, line)) {
		if (line == "  pgsql:")
			in_pgsql = true;
		else if (line == "fillfactor:")
			in_pgsql = false;
		if (in_pgsql && line.rfind("      schema_mappings:", 0) == 0)
			past_connection = true;
		if (in_pgsql && past_connection)
			line.erase(0, 2);
		fixed += line + "\n";
	}
	return fixed;
}

std::string
read_text(const std::string &path) {
	std::ifstream input(path);
	REQUIRE(input.good());
	std::ostringstream text;
	text << input.rdbuf();
	return text.str();
}

} // namespace

TEST_CASE("the Python example: the mis-indented pgsql block is an error with a hint", "[config][file]") {
	ConfigError error = file_error(python_example);
	CHECK(error.key == "sources.pgsql.db_conn.schema_mappings");
	CHECK(error.line == 68);
	CHECK_THAT(error.what(), Contains("unknown key \"sources.pgsql.db_conn.schema_mappings\" at line 68"));
	CHECK_THAT(error.hint, Contains("source key") && Contains("indentation"));
}

TEST_CASE("the Python example with the pgsql block fixed", "[config][file]") {
	FileConfig file = parse_file(python_example_fixed());
	REQUIRE(file.sources.size() == 2);

	Strings ignored;
	for (const auto &notice : file.notices) {
		ignored.push_back(notice.key);
		CHECK_THAT(notice.message, Contains("is ignored: "));
	}
	CHECK(ignored == Strings{"pid_dir", "log_dir", "log_dest", "log_level", "log_days_keep", "rollbar_key",
							 "rollbar_env", "pg_conn"});
	CHECK(file.notices[7].line == 13);

	const auto &[mysql_name, mysql] = file.sources[0];
	CHECK(mysql_name == "mysql");
	CHECK(mysql.type == SourceType::mysql);
	CHECK(mysql.db_conn ==
		  DbConn{"localhost", 3306, "usr_replica", "never_commit_passwords", "", "utf8", 10, ""});
	CHECK(mysql.schema_mappings ==
		  std::vector<std::pair<std::string, std::string>>{{"delphis_mediterranea", "loxodonta_africana"}});
	CHECK(mysql.limit_tables == Strings{"delphis_mediterranea.foo"});
	CHECK(mysql.skip_tables == Strings{"delphis_mediterranea.bar"});
	CHECK(mysql.grant_select_to == Strings{"usr_readonly"});
	CHECK(mysql.on_error_read == OnError::go_on);
	CHECK(mysql.skip_events.insert == Strings{"delphis_mediterranea.foo"});
	CHECK(mysql.skip_events.delete_ == Strings{"delphis_mediterranea"});
	CHECK(mysql.skip_events.update.empty());
	CHECK_FALSE(mysql.keep_existing_schema);
	CHECK(mysql.type_override == std::vector<TypeOverride>{{"tinyint(1)", "boolean", {"*"}}});
	CHECK(mysql.fillfactor == std::vector<std::pair<int, Strings>>{{30, {"foo.bar"}}, {40, {"foo.foobar"}}});
	Strings mysql_notices;
	for (const auto &notice : mysql.notices)
		mysql_notices.push_back(notice.key);
	CHECK(mysql_notices ==
		  Strings{"sources.mysql.db_conn.charset", "sources.mysql.copy_mode", "sources.mysql.out_dir"});

	const auto &[pgsql_name, pgsql] = file.sources[1];
	CHECK(pgsql_name == "pgsql");
	CHECK(pgsql.type == SourceType::pgsql);
	CHECK(pgsql.db_conn.port == 5432);
	CHECK(pgsql.db_conn.database == "db_replica");
	CHECK(pgsql.schema_mappings ==
		  std::vector<std::pair<std::string, std::string>>{{"loxodonta_africana", "elephas_maximus"}});
	CHECK(pgsql.replica_batch_size == 3000);
	CHECK(pgsql.sleep_loop == 5);
	CHECK(pgsql.lock_timeout == "10s");
	CHECK(pgsql.type_override == mysql.type_override);
	CHECK(pgsql.fillfactor == mysql.fillfactor);
}

TEST_CASE("the configuration of the Python catalogue fixture", "[config][file]") {
	FileConfig file = parse_file(read_text(fixture_path("python-catalogue/pg_chameleon-config.yml")));
	REQUIRE(file.sources.size() == 2);
	const SourceConfig &a = file.sources[0].second;
	CHECK(file.sources[0].first == "src_a");
	CHECK(a.db_conn.host == "127.0.0.1");
	CHECK(a.db_conn.port == 58306);
	CHECK(a.db_conn.password == "replica");
	CHECK(a.schema_mappings ==
		  std::vector<std::pair<std::string, std::string>>{{"shop", "shop_pg"}, {"crm", "crm_pg"}});
	CHECK(a.limit_tables == Strings{"crm.contacts", "crm.leads", "crm.notes"});
	CHECK(a.skip_tables == Strings{"shop.audit_tmp"});
	CHECK(a.grant_select_to.empty());
	CHECK(a.skip_events == SkipEvents{});
	CHECK(a.type_override == std::vector<TypeOverride>{{"tinyint(1)", "boolean", {"*"}}});
	const SourceConfig &b = file.sources[1].second;
	CHECK(file.sources[1].first == "src_b");
	CHECK(b.my_server_id == 101);
	CHECK(b.schema_mappings == std::vector<std::pair<std::string, std::string>>{{"hr", "hr_pg"}});
	CHECK(b.limit_tables.empty());
	CHECK(file.notices.size() == 8);
}

TEST_CASE("a source's own type_override and fillfactor replace the global ones", "[config][file]") {
	FileConfig file = parse_file(R"yaml(
type_override: {"tinyint(1)": {override_to: boolean, override_tables: ["*"]}}
fillfactor: {"50": {tables: [a.t]}}
sources:
  one:
    db_conn: {user: u}
    schema_mappings: {a: a_pg}
    type_override: {"year(4)": {override_to: integer, override_tables: ["*"]}}
  two:
    db_conn: {user: u}
    schema_mappings: {b: b_pg}
    fillfactor:
)yaml");
	const SourceConfig &one = file.sources[0].second;
	const SourceConfig &two = file.sources[1].second;
	CHECK(one.type_override == std::vector<TypeOverride>{{"year(4)", "integer", {"*"}}});
	CHECK(one.fillfactor == std::vector<std::pair<int, Strings>>{{50, {"a.t"}}});
	CHECK(two.type_override == std::vector<TypeOverride>{{"tinyint(1)", "boolean", {"*"}}});
	CHECK(two.fillfactor.empty());
}

TEST_CASE("whole-file errors", "[config][file]") {
	ConfigError error = file_error("log_dir: /tmp\n");
	CHECK(error.key == "sources");
	CHECK_THAT(error.what(), Contains("missing required key \"sources\""));

	error = file_error("sources:\n");
	CHECK(error.key == "sources");
	CHECK(error.line == 1);

	error = file_error("");
	CHECK_THAT(error.what(), Contains("empty"));

	error = file_error("log_levle: info\nsources: {}\n");
	CHECK(error.key == "log_levle");
	CHECK(error.hint == "Did you mean \"log_level\"?");

	error = file_error("db_conn: {user: u}\nsources: {}\n");
	CHECK(error.key == "db_conn");
	CHECK_THAT(error.hint, Contains("under \"sources:\""));

	error = file_error("sources:\n  my-src:\n    db_conn: {user: u}\n    schema_mappings: {a: b}\n");
	CHECK(error.key == "sources.my-src");
	CHECK(error.line == 2);

	error = file_error("sources:\n  one:\n");
	CHECK(error.key == "sources.one");
	CHECK(error.line == 2);
	CHECK_THAT(error.what(), Contains("is empty"));

	error = file_error(
		"sources:\n  one:\n    db_conn: {user: u}\n    schema_mappings: {a: b}\n    sleep_loop: x\n");
	CHECK(error.key == "sources.one.sleep_loop");
	CHECK(error.line == 5);
	CHECK_THAT(error.what(), Contains("invalid value for \"sources.one.sleep_loop\" at line 5"));

	error = file_error("sources:\n  one:\n    schema_mappings: {a: b}\n");
	CHECK(error.key == "sources.one.db_conn");
	CHECK(error.line == 2);

	error = file_error("fillfactor: {\"200\": {tables: [a.b]}}\nsources: {}\n");
	CHECK(error.key == "fillfactor.200");
	CHECK(error.line == 1);
}

TEST_CASE("two sources of one file cannot share a destination schema", "[config][file]") {
	ConfigError error = file_error(R"yaml(sources:
  one:
    db_conn: {user: u}
    schema_mappings: {a: shared_pg}
  two:
    db_conn: {user: u}
    schema_mappings:
      b: shared_pg
)yaml");
	CHECK(error.key == "sources.two.schema_mappings.b");
	CHECK(error.line == 8);
	CHECK_THAT(error.what(), Contains("already used by source \"one\" at line 4"));
}
