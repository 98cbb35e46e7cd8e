// Tests of parse_source(): defaults, every key, YAML 1.1 forms of the Python examples, notices.
#include "config/source_config.hpp"
#include "config_test_support.hpp"

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;
using Strings = std::vector<std::string>;

TEST_CASE("a minimal source gets every default", "[config][source]") {
	SourceConfig config = parse_source(minimal_source);
	CHECK(config.type == SourceType::mysql);
	CHECK(config.db_conn.host == "localhost");
	CHECK(config.db_conn.port == 3306);
	CHECK(config.db_conn.user == "usr_replica");
	CHECK(config.db_conn.password.empty());
	CHECK(config.db_conn.password_file.empty());
	CHECK(config.db_conn.charset == "utf8mb4");
	CHECK(config.db_conn.connect_timeout == 10);
	CHECK(config.db_conn.database.empty());
	CHECK(config.schema_mappings == std::vector<std::pair<std::string, std::string>>{{"shop", "shop_pg"}});
	CHECK(config.limit_tables.empty());
	CHECK(config.skip_tables.empty());
	CHECK(config.grant_select_to.empty());
	CHECK(config.lock_timeout == "120s");
	CHECK(config.my_server_id == 100);
	CHECK(config.replica_batch_size == 10000);
	CHECK(config.replay_max_rows == 50000);
	CHECK(config.batch_retention == "1 day");
	CHECK(config.copy_max_memory == 300LL * 1024 * 1024);
	CHECK(config.sleep_loop == 1);
	CHECK(config.on_error_replay == OnError::go_on);
	CHECK(config.on_error_read == OnError::exit);
	CHECK(config.auto_maintenance == "disabled");
	CHECK_FALSE(config.gtid_enable);
	CHECK(config.skip_events == SkipEvents{});
	CHECK_FALSE(config.keep_existing_schema);
	CHECK(config.net_read_timeout == 600);
	CHECK(config.copy_parallel_jobs == 2);
	CHECK(config.zero_dates == chameleon::core::ZeroDates::ToNull);
	CHECK(config.strip_nul);
	CHECK(config.verify_max_rows_per_second == 0);
	CHECK(config.type_override.empty());
	CHECK(config.fillfactor.empty());
	CHECK(config.notices.empty());
	CHECK(config == SourceConfig{config}); // copy compares equal
}

TEST_CASE("every source key is read", "[config][source]") {
	SourceConfig config = parse_source(R"yaml(
type: mysql
db_conn:
  host: db.example.com
  port: 3307
  user: replicator
  password: "s3cret:#x"
  charset: latin1
  connect_timeout: 30
schema_mappings:
  shop: shop_pg
  crm: crm_pg
limit_tables: [crm.contacts, crm.leads]
skip_tables:
  - shop.audit_tmp
grant_select_to: [reader, "analyst"]
lock_timeout: 30s
my_server_id: 4294967295
replica_batch_size: 5000
replay_max_rows: 2000
batch_retention: 7 days
copy_max_memory: 1G
sleep_loop: 5
on_error_replay: exit
on_error_read: continue
auto_maintenance: 1 day
gtid_enable: true
skip_events:
  insert: [shop.orders]
  update: [crm]
  delete:
    - shop
    - crm.notes
keep_existing_schema: yes
net_read_timeout: 900
copy_parallel_jobs: 8
zero_dates: error
strip_nul: off
verify_max_rows_per_second: 50000
type_override:
  "tinyint(1)":
    override_to: boolean
    override_tables: ["*"]
  "bigint(20) unsigned":
    override_to: numeric(20,0)
    override_tables: [shop.orders, crm.leads]
fillfactor:
  "30":
    tables: [shop.orders]
  40:
    tables:
      - crm.leads
)yaml");
	CHECK(config.type == SourceType::mysql);
	CHECK(config.db_conn.host == "db.example.com");
	CHECK(config.db_conn.port == 3307);
	CHECK(config.db_conn.user == "replicator");
	CHECK(config.db_conn.password == "s3cret:#x");
	CHECK(config.db_conn.charset == "latin1");
	CHECK(config.db_conn.connect_timeout == 30);
	CHECK(config.schema_mappings ==
		  std::vector<std::pair<std::string, std::string>>{{"shop", "shop_pg"}, {"crm", "crm_pg"}});
	CHECK(config.limit_tables == Strings{"crm.contacts", "crm.leads"});
	CHECK(config.skip_tables == Strings{"shop.audit_tmp"});
	CHECK(config.grant_select_to == Strings{"reader", "analyst"});
	CHECK(config.lock_timeout == "30s");
	CHECK(config.my_server_id == 4294967295LL);
	CHECK(config.replica_batch_size == 5000);
	CHECK(config.replay_max_rows == 2000);
	CHECK(config.batch_retention == "7 days");
	CHECK(config.copy_max_memory == 1024LL * 1024 * 1024);
	CHECK(config.sleep_loop == 5);
	CHECK(config.on_error_replay == OnError::exit);
	CHECK(config.on_error_read == OnError::go_on);
	CHECK(config.auto_maintenance == "1 day");
	CHECK(config.gtid_enable);
	CHECK(config.skip_events.insert == Strings{"shop.orders"});
	CHECK(config.skip_events.update == Strings{"crm"});
	CHECK(config.skip_events.delete_ == Strings{"shop", "crm.notes"});
	CHECK(config.keep_existing_schema);
	CHECK(config.net_read_timeout == 900);
	CHECK(config.copy_parallel_jobs == 8);
	CHECK(config.zero_dates == chameleon::core::ZeroDates::Error);
	CHECK_FALSE(config.strip_nul);
	CHECK(config.verify_max_rows_per_second == 50000);
	REQUIRE(config.type_override.size() == 2);
	CHECK(config.type_override[0] == TypeOverride{"tinyint(1)", "boolean", {"*"}});
	CHECK(config.type_override[1] ==
		  TypeOverride{"bigint(20) unsigned", "numeric(20,0)", {"shop.orders", "crm.leads"}});
	CHECK(config.fillfactor ==
		  std::vector<std::pair<int, Strings>>{{30, {"shop.orders"}}, {40, {"crm.leads"}}});
	CHECK(config.notices.empty());
}

TEST_CASE("the table filter of a source follows its mappings, table lists and skipped events",
		  "[config][source]") {
	SourceConfig config = parse_source(R"yaml(db_conn: {user: usr_replica}
schema_mappings: {shop: shop_pg, crm: crm_pg}
limit_tables: [crm.contacts]
skip_tables: [shop.audit_tmp]
skip_events: {insert: [shop.orders], delete: [crm]}
)yaml");
	chameleon::core::TableFilter filter = table_filter(config);
	CHECK(filter.replicates_table("shop", "orders"));
	CHECK_FALSE(filter.replicates_table("shop", "audit_tmp"));
	CHECK(filter.replicates_table("crm", "contacts"));
	CHECK_FALSE(filter.replicates_table("crm", "leads"));
	CHECK_FALSE(filter.replicates_table("other", "t"));
	CHECK(filter.skips_event(chameleon::core::EventKind::Insert, "shop", "orders"));
	CHECK_FALSE(filter.skips_event(chameleon::core::EventKind::Update, "shop", "orders"));
	CHECK(filter.skips_event(chameleon::core::EventKind::Delete, "crm", "contacts"));
}

TEST_CASE("the forms of the Python examples: quoted numbers, YAML 1.1 booleans, null lists",
		  "[config][source]") {
	SourceConfig config = parse_source(R"yaml(
db_conn:
  host: "localhost"
  port: "3306"
  user: "usr_replica"
  connect_timeout: "10"
schema_mappings:
  delphis_mediterranea: loxodonta_africana
limit_tables:
skip_tables: null
grant_select_to: ~
my_server_id: "100"
replica_batch_size: 10_000
copy_max_memory: 512k
keep_existing_schema: No
gtid_enable: Off
strip_nul: "yes"
skip_events: {insert: , update: , delete: [delphis_mediterranea]}
zero_dates:
)yaml");
	CHECK(config.db_conn.port == 3306);
	CHECK(config.db_conn.connect_timeout == 10);
	CHECK(config.limit_tables.empty());
	CHECK(config.skip_tables.empty());
	CHECK(config.grant_select_to.empty());
	CHECK(config.my_server_id == 100);
	CHECK(config.replica_batch_size == 10000);
	CHECK(config.copy_max_memory == int64_t{512} * 1024);
	CHECK_FALSE(config.keep_existing_schema);
	CHECK_FALSE(config.gtid_enable);
	CHECK(config.strip_nul);
	CHECK(config.skip_events.insert.empty());
	CHECK(config.skip_events.update.empty());
	CHECK(config.skip_events.delete_ == Strings{"delphis_mediterranea"});
	CHECK(config.zero_dates == chameleon::core::ZeroDates::ToNull);
}

TEST_CASE("an empty value means the default", "[config][source]") {
	SourceConfig config =
		parse_source(minimal_source + "lock_timeout:\nsleep_loop: ~\nskip_events:\ntype:\n");
	CHECK(config.lock_timeout == "120s");
	CHECK(config.sleep_loop == 1);
	CHECK(config.type == SourceType::mysql);
	CHECK(config.skip_events == SkipEvents{});
}

TEST_CASE("copy_max_memory accepts plain bytes and k, M, G", "[config][source]") {
	CHECK(parse_source(minimal_source + "copy_max_memory: 300M").copy_max_memory == 300LL * 1024 * 1024);
	CHECK(parse_source(minimal_source + "copy_max_memory: \"1G\"").copy_max_memory == 1024LL * 1024 * 1024);
	CHECK(parse_source(minimal_source + "copy_max_memory: 1048576").copy_max_memory == 1048576);
}

TEST_CASE("auto_maintenance: disabled, false or an interval", "[config][source]") {
	CHECK(parse_source(minimal_source + "auto_maintenance: \"disabled\"").auto_maintenance == "disabled");
	CHECK(parse_source(minimal_source + "auto_maintenance: false").auto_maintenance == "disabled");
	CHECK(parse_source(minimal_source + "auto_maintenance: 12 hours").auto_maintenance == "12 hours");
}

TEST_CASE("pgsql sources: database required, port defaults to 5432", "[config][source]") {
	SourceConfig config = parse_source(R"yaml(
type: pgsql
db_conn:
  host: "localhost"
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
replica_batch_size: 3000
sleep_loop: 5
)yaml");
	CHECK(config.type == SourceType::pgsql);
	CHECK(config.db_conn.port == 5432);
	CHECK(config.db_conn.database == "db_replica");
	CHECK(config.replica_batch_size == 3000);
	CHECK(config.lock_timeout == "10s");
	CHECK(parse_source("type: pgsql\ndb_conn: {user: u, database: d, port: 6432}\nschema_mappings: {a: b}\n")
			  .db_conn.port == 6432);
}

TEST_CASE("keys meaningless inside the server give notices", "[config][source][notice]") {
	SourceConfig config = parse_source(minimal_source + "copy_mode: 'file'\nout_dir: /tmp\n");
	REQUIRE(config.notices.size() == 2);
	CHECK(config.notices[0].key == "copy_mode");
	CHECK(config.notices[0].line == 5);
	CHECK_THAT(config.notices[0].message, Contains("\"copy_mode\" at line 5 is ignored: "));
	CHECK(config.notices[1].key == "out_dir");
	CHECK(config.notices[1].line == 6);
	CHECK_THAT(config.notices[1].message, Contains("is ignored"));
}

TEST_CASE("notices for 3-byte utf8 and for a database of a mysql source", "[config][source][notice]") {
	SourceConfig config =
		parse_source("db_conn:\n  user: u\n  charset: utf8\n  database: x\nschema_mappings: {a: b}\n");
	REQUIRE(config.notices.size() == 2);
	CHECK(config.notices[0].key == "db_conn.charset");
	CHECK(config.notices[0].line == 3);
	CHECK_THAT(config.notices[0].message, Contains("utf8mb4"));
	CHECK(config.notices[1].key == "db_conn.database");
	CHECK(config.notices[1].line == 4);
	CHECK_THAT(config.notices[1].message, Contains("is ignored"));
}

TEST_CASE("password_file and a passwordless account", "[config][source]") {
	SourceConfig config =
		parse_source("db_conn: {user: u, password_file: /etc/chameleon/pw}\nschema_mappings: {a: b}\n");
	CHECK(config.db_conn.password_file == "/etc/chameleon/pw");
	CHECK(config.db_conn.password.empty());
	config = parse_source("db_conn: {user: u, password: ''}\nschema_mappings: {a: b}\n");
	CHECK(config.db_conn.password.empty());
}

TEST_CASE("anchors may share a connection between keys", "[config][source]") {
	SourceConfig config = parse_source("db_conn: &c {user: u, host: h}\nschema_mappings: {a: b}\n");
	CHECK(config.db_conn.host == "h");
}

TEST_CASE("distribute_tables and reference_tables", "[config][source]") {
	SourceConfig config = parse_source(minimal_source + "distribute_tables:\n"
														"  shop.orders: customer_id\n"
														"  \"shop.*\": id\n"
														"reference_tables: [shop.countries]\n");
	CHECK(config.distribution.distribute ==
		  std::vector<std::pair<std::string, std::string>>{{"shop.orders", "customer_id"}, {"shop.*", "id"}});
	CHECK(config.distribution.reference == Strings{"shop.countries"});
	CHECK(parse_source(to_json(config, true)) == config);
	CHECK(parse_source(minimal_source).distribution.empty());

	auto error = error_of([] { parse_source(minimal_source + "reference_tables: [other.t]\n"); });
	CHECK(error.key == "reference_tables");
	CHECK_THAT(error.message, Contains("is not an origin schema of schema_mappings"));
	error = error_of([] { parse_source(minimal_source + "distribute_tables: {orders: id}\n"); });
	CHECK(error.key == "distribute_tables.orders");
	CHECK_THAT(error.message, Contains("is not of the form \"schema.table\" or \"schema.*\""));
	error = error_of([] { parse_source(minimal_source + "distribute_tables: {shop.orders: \"\"}\n"); });
	CHECK(error.key == "distribute_tables.shop.orders");
	error = error_of([] { parse_source(minimal_source + "distribute_tables: [shop.orders]\n"); });
	CHECK(error.key == "distribute_tables");
	error = error_of([] {
		parse_source(minimal_source + "distribute_tables: {shop.t: id}\nreference_tables: [shop.t]\n");
	});
	CHECK(error.key == "reference_tables");
	CHECK_THAT(error.message, Contains("\"shop.t\" is in both distribute_tables and reference_tables"));
}
