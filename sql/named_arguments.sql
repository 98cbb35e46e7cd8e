-- The SQL surface in named notation: every function of schema chameleon called with the
-- parameter names doc/sql-api.md uses (a wrong name would fail with "function does not exist"),
-- enable_replica on a source that is not in error, and CREATE EXTENSION refused in a database
-- that holds the catalogue of the Python pg_chameleon (doc/migrating.md).
\set SHOW_CONTEXT never
\set VERBOSITY default
SELECT chameleon.add_source(name => 'named', config => $$
db_conn: {host: 127.0.0.1, port: 1, user: repl, password: secret, connect_timeout: 2}
schema_mappings: {named: named_pg}
$$) > 0 AS added;
SELECT chameleon.alter_source(name => 'named', config => $$
db_conn: {host: 127.0.0.1, port: 2, user: repl, password: secret, connect_timeout: 2}
schema_mappings: {named: named_pg}
$$);
SELECT * FROM chameleon.load_config(config => $$
sources:
  named:
    db_conn: {host: 127.0.0.1, port: 3, user: repl, password: secret, connect_timeout: 2}
    schema_mappings: {named: named_pg}
$$);
SELECT source, config #>> '{db_conn,port}' AS port FROM chameleon.sources;
SELECT chameleon.alter_source_owner(name => 'named', owner => current_user::regrole);
SELECT source, status FROM chameleon.show_status(name => 'named');
SELECT count(*) AS errors FROM chameleon.show_errors(name => 'named');
SELECT check_name, status FROM chameleon.check_source(name => 'named') WHERE check_name = 'connection';
-- enable_replica says when there is nothing to enable
SELECT chameleon.enable_replica(name => 'named');
-- the functions that need a copied source or a MySQL server still take their named arguments
\set VERBOSITY terse
SELECT chameleon.wait_for_catchup(name => 'named', timeout => '1 s');
\set VERBOSITY default
SELECT chameleon.start_replica(name => 'named');
SELECT chameleon.stop_replica(name => 'named');
SELECT chameleon.sync_tables(name => 'named', tables => '{named.a}', wait => true);
SELECT chameleon.refresh_schema(name => 'named', mysql_schema => 'other', wait => true);
SELECT chameleon.resync_source(name => 'named', wait => false);
SELECT * FROM chameleon.verify_tables(name => 'named', tables => '{named.a}', resync => false);
SELECT chameleon.init_replica(name => 'missing', wait => true);
SELECT chameleon.copy_schema(name => 'missing');
SELECT chameleon.detach_replica(name => 'missing');
SELECT * FROM chameleon.binlog_events(path => '/nonexistent/binlog.000001', start_position => 4, max_events => 1);
SELECT * FROM chameleon.stop_all_replicas();
SELECT * FROM chameleon.import_python_catalogue(old_schema => 'nowhere', config => 'sources: {}');
SELECT chameleon.drop_source(name => 'named');

-- The parameter names, as pg_proc has them (an upgraded catalogue has the same: test/e2e/upgrade.sh)
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments
FROM pg_proc p WHERE p.pronamespace = 'chameleon'::regnamespace ORDER BY 1, 2;

-- A catalogue of the Python pg_chameleon: CREATE EXTENSION is refused with what to do
DROP EXTENSION pg_chameleon;
CREATE SCHEMA sch_chameleon;
CREATE VIEW sch_chameleon.v_version AS SELECT '2.0.10'::text AS t_version;
CREATE EXTENSION pg_chameleon;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'pg_chameleon';
ALTER SCHEMA sch_chameleon RENAME TO sch_chameleon_python;
CREATE EXTENSION pg_chameleon;
SELECT extversion FROM pg_extension WHERE extname = 'pg_chameleon';
SELECT t_version FROM sch_chameleon_python.v_version;
DROP SCHEMA sch_chameleon_python CASCADE;
