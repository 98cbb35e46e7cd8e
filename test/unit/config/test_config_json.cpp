// Tests of to_json(): the canonical text, the exact round trip through parse_source(), the password.
#include "config/source_config.hpp"
#include "config_test_support.hpp"

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;

namespace {

const std::string full_source = R"yaml(
type: mysql
db_conn:
  host: db.example.com
  port: 3307
  user: "replicator"
  password: "p\"a\\s:s\u00e9\n\t\x01\u0085\u00a0\ufeff\u2028"
  charset: latin1
  connect_timeout: 30
schema_mappings:
  shop: shop_pg
  "crm \"x\"": crm_pg
limit_tables: [shop.orders]
skip_tables: ["crm \"x\".leads"]
grant_select_to: [reader]
lock_timeout: 30s
my_server_id: 7
replica_batch_size: 5000
replay_max_rows: 2000
batch_retention: 7 days
copy_max_memory: 1G
sleep_loop: 5
on_error_replay: exit
on_error_read: continue
auto_maintenance: 1 day
gtid_enable: true
skip_events: {insert: [shop.orders], update: [shop], delete: []}
keep_existing_schema: yes
net_read_timeout: 900
copy_parallel_jobs: 8
zero_dates: error
strip_nul: off
verify_max_rows_per_second: 1000
type_override:
  "tinyint(1)": {override_to: boolean, override_tables: ["*"]}
  "enum('a','b')": {override_to: text, override_tables: [shop.orders]}
fillfactor:
  "30": {tables: [shop.orders]}
  "70": {tables: []}
)yaml";

} // namespace

TEST_CASE("the canonical JSON of the defaults", "[config][json]") {
	SourceConfig config = parse_source(minimal_source);
	CHECK(
		to_json(config, true) ==
		"{\"type\": \"mysql\", \"db_conn\": {\"host\": \"localhost\", \"port\": 3306, \"user\": "
		"\"usr_replica\", "
		"\"password\": \"\", \"password_file\": \"\", \"charset\": \"utf8mb4\", \"connect_timeout\": 10, "
		"\"database\": \"\"}, "
		"\"schema_mappings\": {\"shop\": \"shop_pg\"}, \"limit_tables\": [], \"skip_tables\": [], "
		"\"grant_select_to\": [], "
		"\"lock_timeout\": \"120s\", \"my_server_id\": 100, \"replica_batch_size\": 10000, "
		"\"replay_max_rows\": 50000, "
		"\"batch_retention\": \"1 day\", \"copy_max_memory\": 314572800, \"sleep_loop\": 1, "
		"\"on_error_replay\": \"continue\", "
		"\"on_error_read\": \"exit\", \"auto_maintenance\": \"disabled\", \"gtid_enable\": false, "
		"\"skip_events\": {\"insert\": [], \"update\": [], \"delete\": []}, \"keep_existing_schema\": false, "
		"\"net_read_timeout\": 600, \"copy_parallel_jobs\": 2, \"zero_dates\": \"null\", \"strip_nul\": "
		"true, \"verify_max_rows_per_second\": 0, \"distribute_tables\": {}, \"reference_tables\": [], "
		"\"type_override\": {}, \"fillfactor\": {}}");
}

TEST_CASE("parse_source(to_json(c, true)) == c", "[config][json]") {
	SourceConfig config = parse_source(full_source);
	REQUIRE(config.db_conn.password == "p\"a\\s:s\xc3\xa9\n\t\x01\xc2\x85\xc2\xa0\xef\xbb\xbf\xe2\x80\xa8");
	std::string json = to_json(config, true);
	CHECK_THAT(json, Contains("\\u0001") && Contains("\\u0085") && Contains("\\ufeff") &&
						 Contains("\\u2028") && Contains("\\n"));
	SourceConfig again = parse_source(json);
	CHECK(again == config);
	CHECK(to_json(again, true) == json);
	CHECK(again.notices.empty());

	SourceConfig minimal = parse_source(minimal_source);
	CHECK(parse_source(to_json(minimal, true)) == minimal);

	SourceConfig pgsql =
		parse_source("type: pgsql\ndb_conn: {user: u, database: d}\nschema_mappings: {a: b}\n");
	CHECK(parse_source(to_json(pgsql, true)) == pgsql);

	SourceConfig with_file =
		parse_source("db_conn: {user: u, password_file: /run/secrets/pw}\nschema_mappings: {a: b}\n");
	CHECK(parse_source(to_json(with_file, false)) == with_file);
}

TEST_CASE("equality sees every serialised field", "[config][json]") {
	SourceConfig config = parse_source(full_source);
	SourceConfig changed = config;
	changed.fillfactor[0].second.emplace_back("shop.more");
	CHECK(changed != config);
	changed = config;
	changed.skip_events.delete_.emplace_back("shop");
	CHECK(changed != config);
	changed = config;
	changed.notices.push_back({"k", 1, "m"});
	CHECK(changed == config);
}

TEST_CASE("without the password, the password is nowhere in the JSON", "[config][json]") {
	SourceConfig config =
		parse_source("db_conn: {user: u, password: Xy7_unique_secret}\nschema_mappings: {a: b}\n");
	std::string json = to_json(config, false);
	CHECK(json.find("Xy7_unique_secret") == std::string::npos);
	CHECK(json.find("\"password\"") == std::string::npos);
	CHECK_THAT(json, Contains("\"password_file\": \"\""));
	CHECK_THAT(to_json(config, true), Contains("\"password\": \"Xy7_unique_secret\""));
	SourceConfig without = parse_source(json);
	CHECK(without.db_conn.password.empty());
	without.db_conn.password = config.db_conn.password;
	CHECK(without == config);
}

TEST_CASE("JSON without spaces is read too", "[config][json]") {
	SourceConfig config = parse_source("{\"db_conn\":{\"user\":\"u\",\"port\":3307},\"schema_mappings\":{"
									   "\"a\":\"b\"},\"gtid_enable\":true}");
	CHECK(config.db_conn.port == 3307);
	CHECK(config.gtid_enable);
}
