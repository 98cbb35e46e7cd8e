-- Registering, changing and dropping sources, and every kind of configuration error.
\set VERBOSITY default
SELECT chameleon.add_source('shop', $$
db_conn: {host: 127.0.0.1, port: 3306, user: repl, password: secret, charset: utf8mb4, connect_timeout: 10}
schema_mappings: {shop: shop_pg}
limit_tables: [shop.orders, shop.customers]
replica_batch_size: 10000
replay_max_rows: 10000
on_error_replay: continue
type: mysql
$$) > 0 AS added;

-- the configuration is stored with every default, and shown without the password
SELECT source, type, status, schema_mappings FROM chameleon.sources;
SELECT jsonb_pretty(config) FROM chameleon.sources WHERE source = 'shop';
SELECT count(*) AS sources_showing_a_password FROM chameleon.sources
WHERE config::text LIKE '%secret%';
SELECT source, type, status, consistent, pending_batches, tables_replicated, errors, workers
FROM chameleon.show_status();

-- keys that mean nothing inside the server are accepted with a notice
SELECT chameleon.add_source('legacy', $$
db_conn: {host: localhost, port: "3306", user: repl, password: x, charset: utf8, connect_timeout: 10}
schema_mappings: {legacy: legacy_pg}
copy_mode: file
out_dir: /tmp
keep_existing_schema: No
type: mysql
$$) > 0 AS added;

-- configuration errors name the key and the line
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
schema_mappings: {a: a_pg}
replica_batch_sise: 10
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
schema_mappings: {a: a_pg}
replica_batch_size: ten
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl, port: 70000}
schema_mappings: {a: a_pg}
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
schema_mappings: {a: a_pg}
on_error_replay: maybe
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
schema_mappings: {a: a_pg}
copy_max_memory: 12X
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
$$);
SELECT chameleon.add_source('bad', $$
schema_mappings: {a: a_pg}
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
schema_mappings: {a: a_pg}
limit_tables: [b.t]
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl}
schema_mappings: [a, a_pg]
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl
schema_mappings: {a: a_pg}
$$);
SELECT chameleon.add_source('bad', $$
db_conn: {user: repl, password: x, password_file: /etc/passwd}
schema_mappings: {a: a_pg}
$$);
-- a destination schema belongs to one source
SELECT chameleon.add_source('other', $$
db_conn: {user: repl}
schema_mappings: {shop2: shop_pg}
$$);
-- two sources of one MySQL server need their own my_server_id
SELECT chameleon.add_source('twin', $$
db_conn: {host: 127.0.0.1, port: 3306, user: repl}
schema_mappings: {twin: twin_pg}
$$);
SELECT chameleon.add_source('twin', $$
db_conn: {host: 127.0.0.1, port: 3306, user: repl}
schema_mappings: {twin: twin_pg}
my_server_id: 101
$$) > 0 AS added;
SELECT chameleon.drop_source('twin');
-- names and duplicates
SELECT chameleon.add_source('shop', $$
db_conn: {user: repl}
schema_mappings: {x: x_pg}
$$);
SELECT chameleon.add_source('no spaces', $$
db_conn: {user: repl}
schema_mappings: {x: x_pg}
$$);
-- nothing was registered by the failed calls
SELECT source FROM chameleon.sources ORDER BY 1;

-- password_file needs the right to read server files
CREATE ROLE chameleon_regress_admin;
GRANT USAGE ON SCHEMA chameleon TO chameleon_regress_admin;
GRANT EXECUTE ON FUNCTION chameleon.add_source(text, text) TO chameleon_regress_admin;
SET ROLE chameleon_regress_admin;
SELECT chameleon.add_source('pwfile', $$
db_conn: {user: repl, password_file: /etc/passwd}
schema_mappings: {pw: pw_pg}
$$);
RESET ROLE;
DROP OWNED BY chameleon_regress_admin;
DROP ROLE chameleon_regress_admin;

-- alter_source replaces the configuration of a stopped source
SELECT chameleon.alter_source('shop', $$
db_conn: {host: 127.0.0.1, port: 3307, user: repl, password: secret2}
schema_mappings: {shop: shop_pg}
replica_batch_size: 500
$$);
SELECT config #>> '{db_conn,port}' AS port, config ->> 'replica_batch_size' AS batch,
       config ->> 'limit_tables' AS limit_tables
FROM chameleon.sources WHERE source = 'shop';
SELECT chameleon.alter_source('nope', $$
db_conn: {user: repl}
schema_mappings: {x: x_pg}
$$);
SELECT chameleon.alter_source('shop', $$
db_conn: {user: repl}
schema_mappings: {shop: shop_pg}
type: pgsql
$$);
-- not while a worker would run
UPDATE sch_chameleon.t_sources SET enm_status = 'running' WHERE t_source = 'shop';
SELECT chameleon.alter_source('shop', $$
db_conn: {user: repl}
schema_mappings: {shop: shop_pg}
$$);
SELECT chameleon.drop_source('shop');
UPDATE sch_chameleon.t_sources SET enm_status = 'initialised' WHERE t_source = 'shop';
SELECT chameleon.alter_source('shop', $$
db_conn: {user: repl}
schema_mappings: {shop: shop_elsewhere}
$$);

-- load_config registers every source of a whole pg_chameleon configuration file
SELECT * FROM chameleon.load_config($$
pid_dir: '~/.pg_chameleon/pid/'
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
  legacy:
    db_conn: {host: localhost, port: "3306", user: repl, password: y, charset: utf8, connect_timeout: 10}
    schema_mappings: {legacy: legacy_pg}
    type: mysql
  crm:
    db_conn: {host: localhost, port: "3306", user: repl, password: z, charset: utf8, connect_timeout: 10}
    schema_mappings: {crm: crm_pg}
    my_server_id: 102
    skip_events:
      insert: [crm.audit]
      delete: [crm]
    type: mysql
fillfactor:
  "30":
    tables:
      - "crm.big"
$$) ORDER BY source;
SELECT source, config -> 'type_override' AS type_override, config -> 'fillfactor' AS fillfactor,
       config -> 'skip_events' AS skip_events
FROM chameleon.sources WHERE source IN ('crm', 'legacy') ORDER BY source;

-- drop_source removes the source and its log storage; unknown sources are errors
SELECT chameleon.drop_source('legacy');
SELECT chameleon.drop_source('legacy');
SELECT count(*) AS log_partitions FROM pg_inherits WHERE inhparent = 'sch_chameleon.t_log_replica'::regclass;
SELECT chameleon.drop_source('crm');
SELECT chameleon.drop_source('shop');
SELECT count(*) AS sources, (SELECT count(*) FROM sch_chameleon.t_last_received) AS positions,
       (SELECT count(*) FROM pg_inherits WHERE inhparent = 'sch_chameleon.t_log_replica'::regclass) AS log_partitions
FROM chameleon.sources;
