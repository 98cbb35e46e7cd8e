-- Hostile input: NULL arguments, the limits of the YAML reader, the password rule of pgsql sources
-- and the grants of a monitoring role (doc/security.md). The error context (the PL/pgSQL call
-- stack) is left out; every message, detail and hint is shown.
\set SHOW_CONTEXT never
\getenv fixtures CHAMELEON_FIXTURES
SELECT set_config('hostile.binlog', :'fixtures' || '/rust_mysql_common/json-opaque.binlog', false) IS NOT NULL AS staged;
SELECT chameleon.add_source('hostile', $$
db_conn: {host: 127.0.0.1, port: 1, user: repl, password: secret, connect_timeout: 2}
schema_mappings: {hostile: hostile_pg}
$$) > 0 AS added;

-------------------------------------------------------------------------------
-- NULL arguments: a clear error naming the argument (22004), never a crash
-------------------------------------------------------------------------------
SELECT * FROM chameleon.binlog_events(NULL);
SELECT * FROM chameleon.binlog_events(current_setting('hostile.binlog'), NULL);
SELECT count(*) AS events FROM chameleon.binlog_events(current_setting('hostile.binlog'), 0, NULL);
SELECT chameleon.add_source(NULL, NULL);
SELECT chameleon.add_source('hostile_2', NULL);
SELECT chameleon.add_source(NULL, 'db_conn: {user: repl}');
SELECT chameleon.alter_source('hostile', NULL);
SELECT chameleon.load_config(NULL);
SELECT chameleon.init_replica('hostile', NULL);
SELECT chameleon.init_replica(NULL);
SELECT chameleon.wait_for_catchup('hostile', NULL);
SELECT chameleon.drop_source(NULL);
SELECT chameleon.check_source(NULL);
SELECT chameleon.start_replica(NULL);
SELECT chameleon.stop_replica(NULL);
SELECT chameleon.enable_replica(NULL);
SELECT chameleon.detach_replica(NULL);
SELECT chameleon.copy_schema(NULL);
SELECT chameleon.sync_tables('hostile', NULL);
SELECT chameleon.sync_tables('hostile', '{hostile.a, NULL}');
SELECT chameleon.sync_tables('hostile', '{hostile.a}', NULL);
SELECT chameleon.refresh_schema('hostile', NULL);
SELECT chameleon.refresh_schema('hostile', 'hostile', NULL);
SELECT * FROM chameleon.verify_tables(NULL);
SELECT * FROM chameleon.verify_tables('hostile', '{hostile.a, NULL}');
SELECT * FROM chameleon.verify_tables('hostile', '{hostile.a}', NULL);
-- NULL means every source (show_status, show_errors), every table (verify_tables)
SELECT source, status FROM chameleon.show_status(NULL);
SELECT count(*) AS errors FROM chameleon.show_errors(NULL);
SELECT count(*) AS verified FROM chameleon.verify_tables('hostile', NULL);
-- the source is untouched
SELECT source, status, config #>> '{db_conn,port}' AS port FROM chameleon.sources;
SELECT 1 AS alive;

-- The C++ side refuses a NULL even when a function is not declared STRICT: a copy of each C
-- function of the catalogue, declared CALLED ON NULL INPUT, in pg_temp.
DO $$
DECLARE
	v_function record;
BEGIN
	FOR v_function IN
		SELECT p.oid FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
		WHERE p.pronamespace = 'sch_chameleon'::regnamespace AND l.lanname = 'c' AND p.pronargs > 0
	LOOP
		EXECUTE replace(replace(pg_get_functiondef(v_function.oid), E'\n STRICT\n', E'\n'),
		                'FUNCTION sch_chameleon.', 'FUNCTION pg_temp.');
	END LOOP;
END;
$$;
SELECT pg_temp.fn_parse_source(NULL);
SELECT pg_temp.fn_init_replica('hostile', NULL);
SELECT pg_temp.fn_wait_for_catchup('hostile', NULL);
SELECT pg_temp.fn_sync_tables('hostile', '{}', NULL);

-- The sweep: every function of both schemas (and the pg_temp copies above) with at least one
-- argument is called with each argument NULL in turn (the others valid), then with every argument
-- NULL. Each call must return normally (a STRICT function, or a NULL the API gives a meaning) or
-- raise 22004 naming an argument that was NULL. Each call is rolled back.
CREATE TEMP TABLE null_sweep (function regprocedure, null_argument text, outcome text, ok boolean);
DO $$
DECLARE
	v_function record;
	v_names text[];
	v_args text[];
	v_type text;
	v_named text;
	v_state text;
	v_message text;
	v_outcome text;
	v_ok boolean;
BEGIN
	FOR v_function IN
		SELECT p.oid, p.pronamespace::regnamespace::text AS schema, p.proname, p.pronargs, p.proisstrict,
		       p.proargtypes::oid[] AS types, -- subscripts from 0, as in the oidvector
		       (SELECT array_agg(CASE WHEN n = 'p_source' THEN 'name' WHEN n = 'p_schema' THEN 'mysql_schema'
		                              ELSE regexp_replace(n, '^p_', '') END ORDER BY k)
		        FROM unnest(p.proargnames[1:p.pronargs]) WITH ORDINALITY a(n, k)) AS names
		FROM pg_proc p
		WHERE p.pronamespace IN ('chameleon'::regnamespace, 'sch_chameleon'::regnamespace, pg_my_temp_schema())
		  AND p.pronargs > 0 AND p.prokind = 'f'
		ORDER BY p.oid::regprocedure::text
	LOOP
		FOR v_null IN 0 .. v_function.pronargs LOOP
			CONTINUE WHEN v_null = 0 AND v_function.pronargs = 1;
			v_args := '{}';
			FOR i IN 1 .. v_function.pronargs LOOP
				v_type := format_type(v_function.types[i - 1], NULL);
				v_args := v_args || CASE
					WHEN v_null IN (0, i) THEN 'NULL::' || v_type
					WHEN v_function.names[i] = 'path' THEN quote_literal(current_setting('hostile.binlog'))
					WHEN v_type = 'text' THEN '''hostile'''
					WHEN v_type = 'jsonb' THEN '''{}''::jsonb'
					WHEN v_type = 'boolean' THEN 'false'
					WHEN v_type = 'bigint' THEN '0'
					WHEN v_type = 'double precision' THEN '0'
					WHEN v_type = 'interval' THEN '''1 s''::interval'
					WHEN v_type IN ('text[]', 'boolean[]') THEN '''{}''::' || v_type
					WHEN v_type = 'regrole' THEN quote_literal(current_user) || '::regrole'
					ELSE 'no value for type ' || coalesce(v_type, '?') END;
			END LOOP;
			v_named := CASE WHEN v_null = 0 THEN 'every argument' ELSE v_function.names[v_null] END;
			BEGIN
				EXECUTE format('SELECT * FROM %s.%I(%s)', v_function.schema, v_function.proname,
				               array_to_string(v_args, ', '));
				RAISE EXCEPTION USING ERRCODE = 'P0099'; -- roll back what the call did
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
			END;
			IF v_state = 'P0099' THEN
				v_outcome := 'returned';
				v_ok := v_function.proisstrict
				        OR (v_function.proname, v_named) IN (('show_status', 'name'), ('show_errors', 'name'),
				                                             ('binlog_events', 'max_events'),
				                                             ('verify_tables', 'tables'));
			ELSE
				v_outcome := v_state || ' ' || v_message;
				v_ok := v_state = '22004' AND v_message IN (
					SELECT format('argument "%s" must not be null', n)
					FROM unnest(v_function.names) WITH ORDINALITY a(n, k) WHERE v_null IN (0, k));
			END IF;
			INSERT INTO null_sweep VALUES (v_function.oid, v_named, v_outcome, v_ok);
		END LOOP;
	END LOOP;
END;
$$;
-- every function was called, and none did anything but return or refuse its NULL argument
SELECT (SELECT count(DISTINCT function) FROM null_sweep) =
       (SELECT count(*) FROM pg_proc
        WHERE pronamespace IN ('chameleon'::regnamespace, 'sch_chameleon'::regnamespace, pg_my_temp_schema())
          AND pronargs > 0 AND prokind = 'f') AS every_function_called,
       count(*) FILTER (WHERE outcome LIKE '22004 %') > 40 AS refusals,
       count(*) FILTER (WHERE outcome = 'returned') > 40 AS returns
FROM null_sweep;
SELECT function, null_argument, outcome FROM null_sweep WHERE NOT ok ORDER BY 1, 2;
SELECT 1 AS alive;

-------------------------------------------------------------------------------
-- The limits of the YAML reader (doc/configuration.md)
-------------------------------------------------------------------------------
SELECT chameleon.add_source('yaml', repeat('[', 100000));
-- an alias bomb: six levels of ten aliases of a 1000-byte string
SELECT chameleon.add_source('yaml', 'a0: &a0 "' || repeat('x', 1000) || '"' || E'\n' ||
	(SELECT string_agg(format('a%s: &a%s [%s]', i, i, rtrim(repeat(format('*a%s,', i - 1), 10), ',')), E'\n' ORDER BY i)
	 FROM generate_series(1, 6) i));
SELECT chameleon.add_source('yaml', E'db_conn: {user: "a\\0b"}\nschema_mappings: {x: y}');
-- a document under 16 MB whose 240,000 aliases take longer than the statement may run
CREATE TEMP TABLE slow_yaml AS
SELECT E'db_conn: {user: repl, password: secret}\nschema_mappings: {s: s_pg}\nlimit_tables: [&t s.t'
       || repeat(', *t', 240000) || ']' AS document;
SET statement_timeout = '50ms';
SELECT chameleon.add_source('yaml', document) FROM slow_yaml;
RESET statement_timeout;
SELECT count(*) AS yaml_sources FROM chameleon.sources WHERE source = 'yaml';
SELECT 1 AS alive;

-------------------------------------------------------------------------------
-- pgsql sources: a password is required unless the caller is a superuser
-------------------------------------------------------------------------------
-- a replication administrator, granted as doc/sql-api.md says (LOGIN: the workers of the sources
-- it adds connect as it)
CREATE ROLE chameleon_regress_hostile_admin LOGIN;
GRANT USAGE ON SCHEMA chameleon TO chameleon_regress_hostile_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA chameleon TO chameleon_regress_hostile_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA chameleon TO chameleon_regress_hostile_admin;
SELECT format($$
type: pgsql
db_conn: {host: %s, port: %s, user: postgres, database: postgres}
schema_mappings: {public: hostile_copy}
$$, current_setting('unix_socket_directories'), current_setting('port')) AS local_socket \gset
SELECT format($$
type: pgsql
db_conn: {host: %s, port: %s, user: postgres, password: guessed, database: postgres}
schema_mappings: {public: hostile_copy}
$$, current_setting('unix_socket_directories'), current_setting('port')) AS local_password \gset
SELECT format($$
sources:
  local:
    type: pgsql
    db_conn: {host: %s, port: %s, user: postgres, database: postgres}
    schema_mappings: {public: hostile_copy}
$$, current_setting('unix_socket_directories'), current_setting('port')) AS local_file \gset
SET ROLE chameleon_regress_hostile_admin;
SELECT chameleon.add_source('local', :'local_socket');
SELECT * FROM chameleon.load_config(:'local_file');
RESET ROLE;
-- the outer user counts, however it was set
SET SESSION AUTHORIZATION chameleon_regress_hostile_admin;
SELECT chameleon.add_source('local', :'local_socket');
RESET SESSION AUTHORIZATION;
-- with a password it is accepted, and recorded as needing one; altering keeps the rule
SET ROLE chameleon_regress_hostile_admin;
SELECT chameleon.add_source('local', :'local_password') > 0 AS added;
SELECT chameleon.alter_source('local', :'local_socket');
RESET ROLE;
SELECT t_source, b_password_required FROM sch_chameleon.t_sources ORDER BY 1;
-- the server of the sandbox trusts its socket: it never asks for the password, so the copy is
-- refused before it reads anything
SET ROLE chameleon_regress_hostile_admin;
\set VERBOSITY terse
SELECT chameleon.init_replica('local', wait => true);
\set VERBOSITY default
RESET ROLE;
SELECT source, status, regexp_replace(status_reason, 'at "[^"]*"', 'at "..."') AS status_reason
FROM chameleon.show_status('local');
SELECT count(*) AS copied_schemas FROM pg_namespace WHERE nspname LIKE '%hostile_copy%';
-- a superuser may leave the password out: the source is then its responsibility
SELECT chameleon.alter_source('local', :'local_socket');
SELECT t_source, b_password_required FROM sch_chameleon.t_sources WHERE t_source = 'local';
SELECT chameleon.drop_source('local');
REVOKE ALL ON ALL TABLES IN SCHEMA chameleon FROM chameleon_regress_hostile_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA chameleon FROM chameleon_regress_hostile_admin;
REVOKE ALL ON SCHEMA chameleon FROM chameleon_regress_hostile_admin;
DROP ROLE chameleon_regress_hostile_admin;

-------------------------------------------------------------------------------
-- A monitoring role, granted exactly as doc/sql-api.md says, reads every status view
-------------------------------------------------------------------------------
INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, v_table_name, v_table_pkey)
SELECT i_id_source, 'hostile', 'hostile_pg', 'orders', '{id}' FROM sch_chameleon.t_sources WHERE t_source = 'hostile';
INSERT INTO sch_chameleon.t_init_tables (i_id_source, v_schema_origin, v_table_name, v_schema_name, v_schema_loading,
	enm_state, jsb_layout)
SELECT i_id_source, 'hostile', 'orders', 'hostile_pg', 'hostile_pg', 'copied', '{}' FROM sch_chameleon.t_sources
WHERE t_source = 'hostile';
INSERT INTO sch_chameleon.t_error_log (i_id_source, v_schema_name, v_table_name, t_error_message)
SELECT i_id_source, 'hostile', 'orders', 'a replay error' FROM sch_chameleon.t_sources WHERE t_source = 'hostile';
INSERT INTO sch_chameleon.t_discarded_rows (i_id_source, v_schema_name, v_table_name, t_row_key, t_reason)
SELECT i_id_source, 'hostile', 'orders', '1', 'a refused row' FROM sch_chameleon.t_sources WHERE t_source = 'hostile';

CREATE ROLE chameleon_regress_hostile_monitor;
GRANT USAGE ON SCHEMA chameleon TO chameleon_regress_hostile_monitor;
GRANT EXECUTE ON FUNCTION chameleon.show_status(text), chameleon.show_errors(text) TO chameleon_regress_hostile_monitor;
GRANT SELECT ON chameleon.sources, chameleon.workers, chameleon.tables, chameleon.init_progress,
	chameleon.discarded_rows TO chameleon_regress_hostile_monitor;
SET ROLE chameleon_regress_hostile_monitor;
SELECT source, type, status, tables_replicated, errors, discarded_rows FROM chameleon.show_status();
SELECT source, status, config #>> '{db_conn,password}' AS password FROM chameleon.sources;
SELECT role FROM chameleon.workers WHERE role = 'launcher';
SELECT source, mysql_table, pg_table, state FROM chameleon.tables;
SELECT source, mysql_table, state, rows_copied FROM chameleon.init_progress;
SELECT source, mysql_table, error FROM chameleon.show_errors('hostile');
SELECT source, mysql_table, row_key, reason FROM chameleon.discarded_rows;
-- ... and nothing else: no API function that changes anything, no catalogue
SELECT chameleon.stop_replica('hostile');
SELECT count(*) FROM sch_chameleon.fn_worker_slots();
SELECT count(*) FROM sch_chameleon.t_sources;
RESET ROLE;
REVOKE ALL ON chameleon.sources, chameleon.workers, chameleon.tables, chameleon.init_progress,
	chameleon.discarded_rows FROM chameleon_regress_hostile_monitor;
REVOKE ALL ON FUNCTION chameleon.show_status(text), chameleon.show_errors(text) FROM chameleon_regress_hostile_monitor;
REVOKE ALL ON SCHEMA chameleon FROM chameleon_regress_hostile_monitor;
DROP ROLE chameleon_regress_hostile_monitor;

SELECT chameleon.drop_source('hostile');
SELECT 1 AS alive;
