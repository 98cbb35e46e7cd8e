-- pg_chameleon 1.4 -> 1.5: MySQL-side faults (worker restarts kept in the catalogue for the
-- crash-loop rule, the source server's identity, resync_source) and hostile input (strict
-- NULL handling).

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.5'" to load this file. \quit

-------------------------------------------------------------------------------
-- 1.5, hostile input: NULL arguments, passwords of pgsql sources, monitoring grants
-------------------------------------------------------------------------------
-- NULL arguments. Every function of both schemas is either STRICT, where a NULL argument leaves
-- nothing to do (internal helpers called by the API), or refuses a NULL with
-- null_value_not_allowed naming the argument. show_status and show_errors read a NULL name as
-- "every source"; binlog_events reads a NULL max_events as "no limit" (its C code checks the
-- other arguments).
CREATE FUNCTION sch_chameleon.fn_require_arguments(p_names text[], p_nulls boolean[])
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	FOR i IN 1 .. cardinality(p_names) LOOP
		CONTINUE WHEN p_nulls[i] IS NOT TRUE;
		-- The same words as require_argument() in src/pg/sql_values.cpp.
		RAISE EXCEPTION 'argument "%" must not be null', p_names[i]
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = CASE p_names[i]
			                   WHEN 'name' THEN 'NULL does not name a source.'
			                   WHEN 'config' THEN 'NULL is not a configuration.'
			                   WHEN 'wait' THEN 'NULL is neither true nor false.'
			                   WHEN 'timeout' THEN 'NULL is not a duration.'
			                   WHEN 'tables' THEN 'NULL lists no table.'
			                   WHEN 'mysql_schema' THEN 'NULL names no schema.'
			                   ELSE 'NULL stands for no value here.' END,
			      HINT = CASE p_names[i]
			                 WHEN 'name' THEN 'Give the name of a source; SELECT source FROM chameleon.sources; lists them.'
			                 WHEN 'config' THEN 'Give the YAML configuration as text.'
			                 WHEN 'wait' THEN 'Give wait => true to wait until the copy is done, or leave it out to return at once.'
			                 WHEN 'timeout' THEN 'Give an interval such as ''5 min'', or leave it out for the default.'
			                 WHEN 'tables' THEN 'Give MySQL table names such as ''{shop.orders}'', or ''{disabled}''.'
			                 WHEN 'mysql_schema' THEN 'Give one of the MySQL schemas of the source''s "schema_mappings".'
			                 ELSE format('Give a value for "%s".', p_names[i]) END;
	END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION sch_chameleon.fn_require_arguments(text[], boolean[]) FROM PUBLIC;

-- Every API function that names a source looks it up here first.
CREATE OR REPLACE FUNCTION sch_chameleon.fn_source_id(p_source text)
RETURNS bigint LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name}', ARRAY[p_source IS NULL]);
	SELECT i_id_source INTO v_id FROM sch_chameleon.t_sources WHERE t_source = p_source;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'source "%" does not exist', p_source
			USING ERRCODE = 'undefined_object',
			      HINT = 'List the sources with: SELECT source FROM chameleon.sources;';
	END IF;
	RETURN v_id;
END;
$$;

-- A guard: a NULL must not let a caller past it.
CREATE OR REPLACE FUNCTION sch_chameleon.fn_require_stopped(p_source text, p_action text)
RETURNS void LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_status sch_chameleon.en_src_status;
	v_workers text;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,action}', ARRAY[p_source IS NULL, p_action IS NULL]);
	SELECT enm_status INTO v_status FROM sch_chameleon.t_sources WHERE t_source = p_source;
	SELECT string_agg(w.role || ' (pid ' || w.pid || ')', ', ') INTO v_workers
	FROM sch_chameleon.fn_worker_slots() w
	WHERE w.source = p_source AND w.database = current_database();
	IF v_status IN ('running', 'initialising', 'syncing') OR v_workers IS NOT NULL THEN
		RAISE EXCEPTION 'cannot % source "%" while it is %', p_action, p_source, v_status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = coalesce('Running workers: ' || v_workers || '.', 'No worker is running.'),
			      HINT = format('Stop it first: SELECT chameleon.stop_replica(%L);', p_source);
	END IF;
END;
$$;

-- Internal helpers with nothing to do for a NULL (the API has refused it before).
ALTER FUNCTION sch_chameleon.fn_check_schema_mappings(text, jsonb) STRICT;
ALTER FUNCTION sch_chameleon.fn_check_server_id(text, jsonb) STRICT;
ALTER FUNCTION sch_chameleon.fn_register_source(text, jsonb) STRICT;
ALTER FUNCTION sch_chameleon.fn_update_source(text, jsonb) STRICT;
ALTER FUNCTION sch_chameleon.fn_request_sync(text, jsonb, boolean) STRICT;
ALTER FUNCTION sch_chameleon.fn_restore_foreign_keys(bigint) STRICT;
ALTER FUNCTION sch_chameleon.fn_validate_foreign_keys(bigint, boolean) STRICT;
ALTER FUNCTION sch_chameleon.fn_create_mysql_foreign_keys(text) STRICT;

-- pgsql sources: only a superuser may configure one without a password (fn_parse_source and
-- fn_parse_config_file refuse it), and the init worker refuses to connect to the source of a
-- role that is not a superuser unless the server asked for the password (postgres_fdw's
-- password_required): else trust, peer or ident rules would let that role in as any user.
ALTER TABLE sch_chameleon.t_sources ADD COLUMN b_password_required boolean NOT NULL DEFAULT false;

-- The outer user (SET ROLE, SET SESSION AUTHORIZATION), not the owner of the API function.
CREATE FUNCTION sch_chameleon.fn_caller_is_superuser()
RETURNS boolean LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_caller_is_superuser';
REVOKE ALL ON FUNCTION sch_chameleon.fn_caller_is_superuser() FROM PUBLIC;

CREATE OR REPLACE FUNCTION chameleon.add_source(p_source text, p_config text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,config}', ARRAY[p_source IS NULL, p_config IS NULL]);
	v_id := sch_chameleon.fn_register_source(p_source, sch_chameleon.fn_parse_source(p_config));
	UPDATE sch_chameleon.t_sources
	SET b_password_required = enm_source_type = 'pgsql' AND NOT sch_chameleon.fn_caller_is_superuser()
	WHERE i_id_source = v_id;
	RETURN v_id;
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.alter_source(p_source text, p_config text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,config}', ARRAY[p_source IS NULL, p_config IS NULL]);
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_update_source(p_source, sch_chameleon.fn_parse_source(p_config));
	UPDATE sch_chameleon.t_sources
	SET b_password_required = enm_source_type = 'pgsql' AND NOT sch_chameleon.fn_caller_is_superuser()
	WHERE t_source = p_source;
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.load_config(p_config text, OUT source text, OUT action text)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_entry record;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{config}', ARRAY[p_config IS NULL]);
	FOR v_entry IN SELECT * FROM sch_chameleon.fn_parse_config_file(p_config) LOOP
		source := v_entry.source;
		IF EXISTS (SELECT 1 FROM sch_chameleon.t_sources s WHERE s.t_source = v_entry.source) THEN
			PERFORM sch_chameleon.fn_update_source(v_entry.source, v_entry.config);
			action := 'altered';
		ELSE
			PERFORM sch_chameleon.fn_register_source(v_entry.source, v_entry.config);
			action := 'added';
		END IF;
		UPDATE sch_chameleon.t_sources
		SET b_password_required = enm_source_type = 'pgsql' AND NOT sch_chameleon.fn_caller_is_superuser()
		WHERE t_source = v_entry.source;
		RETURN NEXT;
	END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.init_replica(p_source text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,wait}', ARRAY[p_source IS NULL, wait IS NULL]);
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'initialise');
	PERFORM sch_chameleon.fn_init_replica(p_source, wait);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.wait_for_catchup(p_source text, p_timeout interval DEFAULT '5 min')
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,timeout}', ARRAY[p_source IS NULL, p_timeout IS NULL]);
	PERFORM sch_chameleon.fn_source_id(p_source);
	RETURN sch_chameleon.fn_wait_for_catchup(p_source, p_timeout);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.sync_tables(p_source text, p_tables text[], wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_tables text[] := p_tables;
	v_bad text;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,tables,wait}',
		ARRAY[p_source IS NULL, p_tables IS NULL, wait IS NULL]);
	IF array_position(p_tables, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'argument "tables" must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = 'NULL names no table.',
			      HINT = 'Give MySQL table names such as ''{shop.orders}'', or ''{disabled}''.';
	END IF;
	v_id := sch_chameleon.fn_source_id(p_source);
	IF p_tables = '{disabled}' THEN
		SELECT coalesce(array_agg(v_schema_origin || '.' || v_table_name), '{}') INTO v_tables
		FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id AND NOT b_replica_enabled;
		IF cardinality(v_tables) = 0 THEN
			RAISE NOTICE 'source "%" has no disabled table', p_source;
			RETURN;
		END IF;
	END IF;
	SELECT t INTO v_bad FROM unnest(v_tables) t WHERE t !~ '^[^.]+\.[^.]+$' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'invalid table name "%"', v_bad
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Name each table as its MySQL schema and table: ''shop.orders'', or pass ''{disabled}''.';
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('tables', to_jsonb(v_tables)), wait);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.refresh_schema(p_source text, p_schema text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,mysql_schema,wait}',
		ARRAY[p_source IS NULL, p_schema IS NULL, wait IS NULL]);
	v_id := sch_chameleon.fn_source_id(p_source);
	IF NOT EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND jsb_schema_mappings ? p_schema) THEN
		RAISE EXCEPTION 'MySQL schema "%" is not mapped by source "%"', p_schema, p_source
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use one of the origin schemas of "schema_mappings".';
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('schema', p_schema), wait);
END;
$$;

-- Monitoring. A view's function calls are checked against the role that reads the view, so the
-- two shared-memory readers behind chameleon.workers and chameleon.init_progress are executable
-- by every role. They are reachable only through those views: no role but the owner has USAGE
-- on schema sch_chameleon, and the views are granted to no one by default.
GRANT EXECUTE ON FUNCTION sch_chameleon.fn_worker_slots(), sch_chameleon.fn_worker_progress() TO PUBLIC;

-- 1.5, MySQL-side faults: the identity of the server the reader reads (binlog positions of one
-- server mean nothing on another), and the worker restarts the launcher makes, kept where a
-- crash restart of the postmaster does not wipe them (the crash-loop rule, doc/architecture.md).
ALTER TABLE sch_chameleon.t_last_received ADD COLUMN t_server_identity text;
COMMENT ON COLUMN sch_chameleon.t_last_received.t_server_identity IS
	'the MySQL server the position belongs to: "server_id N" (MariaDB) or "server_id N, uuid U" (MySQL)';

CREATE TABLE sch_chameleon.t_worker_restarts (
	i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources ON DELETE CASCADE,
	ts_restart timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ON sch_chameleon.t_worker_restarts (i_id_source, ts_restart);
COMMENT ON TABLE sch_chameleon.t_worker_restarts IS
	'restarts of replication workers that died without stopping cleanly, for the crash-loop rule';

-- resync_source: the way back from a read position the MySQL server no longer has (a purged
-- binlog) without init_replica: every replicated table is copied again in place, and the reader
-- resumes from the copies' consistent points.
CREATE FUNCTION chameleon.resync_source(p_source text, wait boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_tables text[];
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{wait}', ARRAY[wait IS NULL]);
	IF EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND (b_run_requested OR enm_status = 'running')) THEN
		RAISE EXCEPTION 'cannot resync source "%" while it replicates', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Stop it first: SELECT chameleon.stop_replica(%L);', p_source);
	END IF;
	SELECT array_agg(v_schema_origin || '.' || v_table_name ORDER BY v_schema_origin, v_table_name) INTO v_tables
	FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id;
	IF v_tables IS NULL THEN
		RAISE EXCEPTION 'source "%" has no replicated table to copy again', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Copy it with SELECT chameleon.init_replica(%L, wait => true);', p_source);
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('tables', to_jsonb(v_tables)), wait);
END;
$$;
COMMENT ON FUNCTION chameleon.resync_source(text, boolean) IS
	'copies every replicated table again and resumes reading from the copies (after a purged binlog)';
REVOKE ALL ON FUNCTION chameleon.resync_source(text, boolean) FROM PUBLIC;

-- check_source also checks a replicated source's stored read position: still on the server, and
-- binlogs kept longer than the replica's read lag.
CREATE FUNCTION sch_chameleon.fn_check_stored_position(p_config jsonb, p_file text, p_position bigint,
	p_age_seconds double precision, p_source text,
	OUT check_name text, OUT status text, OUT value text, OUT hint text)
RETURNS SETOF record LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_check_stored_position';
REVOKE ALL ON FUNCTION sch_chameleon.fn_check_stored_position(jsonb, text, bigint, double precision, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION chameleon.check_source(p_source text,
	OUT check_name text, OUT status text, OUT value text, OUT hint text)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_config jsonb;
BEGIN
	SELECT jsb_config INTO v_config FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	RETURN QUERY SELECT * FROM sch_chameleon.fn_check_source(v_config);
	RETURN QUERY SELECT c.* FROM sch_chameleon.t_last_received r
		JOIN sch_chameleon.t_sources s USING (i_id_source),
		LATERAL sch_chameleon.fn_check_stored_position(v_config, r.t_binlog_name, r.i_binlog_position,
			coalesce(extract(epoch FROM clock_timestamp() - r.ts_last_received), 0)::double precision, p_source) c
	WHERE r.i_id_source = v_id AND r.t_binlog_name IS NOT NULL AND s.enm_source_type = 'mysql';
END;
$$;
