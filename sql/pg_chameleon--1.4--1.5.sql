-- pg_chameleon 1.4 -> 1.5: MySQL-side faults (worker restarts kept in the catalogue for the
-- crash-loop rule, the source server's identity, resync_source), hostile input (strict NULL
-- handling), the API's parameter names and the import of a Python pg_chameleon catalogue. Refused
-- while a source replicates (doc/upgrading.md).

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.5'" to load this file. \quit

-- The order of binlog positions (src/core/binlog_position.cpp): a file name <base>.<number> sorts
-- by its base, then by its number as a number, so that mysql-bin.1000000 follows mysql-bin.999999;
-- compare (fn_binlog_order(file), position) pairs, never file names as strings.
CREATE FUNCTION sch_chameleon.fn_binlog_order(p_file text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN p_file ~ '\.[0-9]+$'
	            THEN substring(p_file FROM '^(.*)\.[0-9]+$') || '.' ||
	                 lpad(coalesce(nullif(ltrim(substring(p_file FROM '\.([0-9]+)$'), '0'), ''), '0'), 20, '0')
	            ELSE p_file END
$$;
REVOKE ALL ON FUNCTION sch_chameleon.fn_binlog_order(text) FROM PUBLIC; -- as a fresh install's ACL

-- Refused while a source replicates (doc/upgrading.md): its 1.4 workers would write log rows
-- without the columns 1.5 adds. Batches not replayed yet are kept: 1.5 replays them, committing
-- at batch ends.
DO $guard$
DECLARE
	v_sources text;
BEGIN
	SELECT string_agg(format('"%s" (%s)', s.t_source, s.enm_status), ', ' ORDER BY s.t_source) INTO v_sources
	FROM sch_chameleon.t_sources s
	WHERE s.b_run_requested OR s.enm_status IN ('running', 'initialising', 'syncing')
	   OR EXISTS (SELECT 1 FROM sch_chameleon.fn_worker_slots() w
	              WHERE w.source = s.t_source AND w.database = current_database());
	IF v_sources IS NOT NULL THEN
		RAISE EXCEPTION 'cannot update pg_chameleon to 1.5 while sources replicate: %', v_sources
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The update changes what the workers of these sources read and write.',
			      HINT = 'Stop all replicas first: SELECT * FROM chameleon.stop_all_replicas(); then run ALTER '
			             'EXTENSION pg_chameleon UPDATE again and start them with chameleon.start_replica().';
	END IF;
END;
$guard$;

-- 1.5 drops and re-creates API functions (show_status here, every function with a renamed
-- parameter below): the EXECUTE privileges granted on them (to a monitoring role, say) are saved
-- here and granted again at the end of the parameter names section (none in a fresh install).
DO $grants$
BEGIN
	PERFORM set_config('chameleon_upgrade.grants', coalesce((
		SELECT jsonb_agg(jsonb_build_object('function', p.oid::regprocedure::text, 'grantee', a.grantee,
		                                    'grantable', a.is_grantable))
		FROM pg_proc p, aclexplode(p.proacl) a
		WHERE p.pronamespace = 'chameleon'::regnamespace AND a.privilege_type = 'EXECUTE'
		  AND a.grantee <> p.proowner), '[]')::text, true);
END;
$grants$;

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

-------------------------------------------------------------------------------
-- 1.5, privileges: every source has an owner, whose rights (and no other) its workers use; only
-- the owner (or a member of it, or a superuser) may change or run it; init_replica replaces only
-- the destination schemas this source created (doc/security.md)
-------------------------------------------------------------------------------
-- The owner: the role that added the source (the outer user of add_source or load_config). The
-- workers connect as it. Sources added before 1.5 belong to the extension's owner, whose rights
-- their workers had.
ALTER TABLE sch_chameleon.t_sources ADD COLUMN rol_owner regrole;
UPDATE sch_chameleon.t_sources
SET rol_owner = (SELECT extowner FROM pg_catalog.pg_extension WHERE extname = 'pg_chameleon')::regrole;
ALTER TABLE sch_chameleon.t_sources ALTER COLUMN rol_owner SET NOT NULL;
COMMENT ON COLUMN sch_chameleon.t_sources.rol_owner IS
	'the role whose rights the workers of the source have (the role that added it, or chameleon.alter_source_owner)';

-- The destination schemas a source created (init_replica renamed its loading schema to it, or
-- created it): the only schemas init_replica and copy_schema may drop and replace.
CREATE TABLE sch_chameleon.t_source_schemas (
	i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources ON DELETE CASCADE,
	v_schema_name text NOT NULL,
	ts_created timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (i_id_source, v_schema_name)
);
REVOKE ALL ON sch_chameleon.t_source_schemas FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('sch_chameleon.t_source_schemas', '');
COMMENT ON TABLE sch_chameleon.t_source_schemas IS
	'destination schemas created by a source: init_replica replaces no other schema';
-- Before 1.5 init_replica replaced the destination schemas of a source without keep_existing_schema
-- whatever they were: those that exist now are taken as created by it (their owner is the
-- extension's owner, who owns those sources).
INSERT INTO sch_chameleon.t_source_schemas (i_id_source, v_schema_name)
SELECT s.i_id_source, m.value
FROM sch_chameleon.t_sources s, jsonb_each_text(s.jsb_schema_mappings) m
WHERE NOT coalesce((s.jsb_config ->> 'keep_existing_schema')::boolean, false)
  AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = m.value)
ON CONFLICT DO NOTHING;

-- The outer user: the role calling the API, not the owner of the SECURITY DEFINER function.
CREATE FUNCTION sch_chameleon.fn_outer_user()
RETURNS oid LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_outer_user';

-- Runs a statement on user objects with the rights of the source's owner (a security-restricted
-- operation): the catalogue functions below that create, restore or validate foreign keys and
-- move identities on reach user code (index expressions, operators) only that way.
CREATE FUNCTION sch_chameleon.fn_execute_as_owner(p_id_source bigint, p_statement text)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_execute_as_owner';
REVOKE ALL ON FUNCTION sch_chameleon.fn_outer_user(), sch_chameleon.fn_execute_as_owner(bigint, text) FROM PUBLIC;

-- Changing or running a source is for its owner, the owner's members and superusers: the workers
-- run with the owner's rights, and a configuration is code they execute (type_override names
-- types, schema_mappings names schemas they replace).
CREATE FUNCTION sch_chameleon.fn_require_owner(p_source text, p_action text)
RETURNS void LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_owner regrole;
	v_caller oid := sch_chameleon.fn_outer_user();
BEGIN
	SELECT rol_owner INTO v_owner FROM sch_chameleon.t_sources WHERE t_source = p_source;
	IF NOT FOUND OR sch_chameleon.fn_caller_is_superuser()
	   OR (EXISTS (SELECT 1 FROM pg_roles WHERE oid = v_owner) AND pg_has_role(v_caller, v_owner, 'USAGE')) THEN
		RETURN;
	END IF;
	RAISE EXCEPTION 'permission denied to % source "%"', p_action, p_source
		USING ERRCODE = 'insufficient_privilege',
		      DETAIL = format('Source "%s" belongs to role "%s": its workers run with that role''s rights, and only '
		                      'that role, its members and superusers may change or run it.',
		                      p_source, pg_get_userbyid(v_owner)),
		      HINT = format('Call it as role "%s", or ask a superuser to give you the source: '
		                    'SELECT chameleon.alter_source_owner(%L, %L);',
		                    pg_get_userbyid(v_owner), p_source, pg_get_userbyid(v_caller));
END;
$$;

-- The destination schemas a source may load into (p_config: its canonical configuration; p_owner:
-- the role its workers run as). System schemas, the extension's own schemas, public and the names of
-- the loading schemas are always refused. An existing schema is accepted when this source created it,
-- or with keep_existing_schema, and only when the owner owns it; without keep_existing_schema, a
-- schema holding an extension's objects is never dropped. Each refusal names the schema and the fix.
-- Called by add_source, alter_source, load_config, init_replica, copy_schema and again by the init
-- worker in the transaction that replaces the schemas.
CREATE FUNCTION sch_chameleon.fn_check_destination_schemas(p_source text, p_config jsonb, p_owner regrole)
RETURNS void LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_keep boolean := coalesce((p_config ->> 'keep_existing_schema')::boolean, false);
	v_installed text;
	v_map record;
	v_schema record;
	v_extension text;
	v_fix text;
BEGIN
	SELECT n.nspname INTO v_installed
	FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_chameleon';
	FOR v_map IN SELECT key AS origin, value AS destination FROM jsonb_each_text(p_config -> 'schema_mappings')
	             ORDER BY key LOOP
		v_fix := format('Map MySQL schema "%s" to another PostgreSQL schema in "schema_mappings".', v_map.origin);
		IF v_map.destination ~ '^pg_' OR v_map.destination = 'information_schema' THEN
			RAISE EXCEPTION 'destination schema "%" of source "%" is a system schema', v_map.destination, p_source
				USING ERRCODE = 'reserved_name',
				      DETAIL = 'Schemas named pg_* and information_schema belong to PostgreSQL.',
				      HINT = v_fix;
		END IF;
		IF v_map.destination = 'public' THEN
			RAISE EXCEPTION 'destination schema "public" of source "%" is refused', p_source
				USING ERRCODE = 'reserved_name',
				      DETAIL = 'Every role of the database shares schema "public"; a source loads into a schema of its own.',
				      HINT = v_fix;
		END IF;
		IF v_map.destination IN ('chameleon', 'sch_chameleon', v_installed) THEN
			RAISE EXCEPTION 'destination schema "%" of source "%" belongs to the pg_chameleon extension',
				v_map.destination, p_source
				USING ERRCODE = 'reserved_name',
				      DETAIL = format('The extension keeps its API in "chameleon" and its catalogue in "sch_chameleon", '
				                      'and is installed in "%s".', v_installed),
				      HINT = v_fix;
		END IF;
		IF v_map.destination LIKE '\_chameleon\_load\_%' THEN
			RAISE EXCEPTION 'destination schema "%" of source "%" has the name of a loading schema',
				v_map.destination, p_source
				USING ERRCODE = 'reserved_name',
				      DETAIL = 'init_replica copies into schemas named _chameleon_load_<source>_<n>, and drops them.',
				      HINT = v_fix;
		END IF;
		SELECT n.oid, n.nspowner AS owner,
		       EXISTS (SELECT 1 FROM sch_chameleon.t_source_schemas c JOIN sch_chameleon.t_sources s USING (i_id_source)
		               WHERE s.t_source = p_source AND c.v_schema_name = n.nspname) AS created
		INTO v_schema FROM pg_namespace n WHERE n.nspname = v_map.destination;
		CONTINUE WHEN NOT FOUND; -- init_replica creates it
		IF NOT v_keep AND NOT v_schema.created THEN
			RAISE EXCEPTION 'destination schema "%" of source "%" exists and was not created by the source',
				v_map.destination, p_source
				USING ERRCODE = 'duplicate_schema',
				      DETAIL = 'init_replica drops and re-creates its destination schemas, and replaces only schemas '
				               'it created for this source.',
				      HINT = format('Map MySQL schema "%s" to another schema, drop or rename schema "%s" if it is '
				                    'not needed, or set keep_existing_schema: true to load into its tables (the '
				                    'source''s owner must own it).', v_map.origin, v_map.destination);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE oid = p_owner) OR NOT pg_has_role(p_owner, v_schema.owner, 'USAGE') THEN
			RAISE EXCEPTION 'destination schema "%" of source "%" belongs to role "%", not to the source''s owner "%"',
				v_map.destination, p_source, pg_get_userbyid(v_schema.owner), pg_get_userbyid(p_owner)
				USING ERRCODE = 'insufficient_privilege',
				      DETAIL = CASE WHEN v_keep THEN 'With keep_existing_schema the copy empties and reloads the '
				                                     'tables of the existing schema as the source''s owner.'
				                    ELSE 'init_replica replaces its destination schemas as the source''s owner.' END,
				      HINT = format('%s Or have its owner give it to the source''s owner: ALTER SCHEMA %I OWNER TO %I;',
				                    v_fix, v_map.destination, pg_get_userbyid(p_owner));
		END IF;
		CONTINUE WHEN v_keep;
		SELECT e.extname INTO v_extension
		FROM pg_extension e
		WHERE e.extnamespace = v_schema.oid
		   OR EXISTS (SELECT 1 FROM pg_depend d
		              WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
		                AND ((d.classid = 'pg_class'::regclass
		                      AND d.objid IN (SELECT oid FROM pg_class WHERE relnamespace = v_schema.oid))
		                  OR (d.classid = 'pg_proc'::regclass
		                      AND d.objid IN (SELECT oid FROM pg_proc WHERE pronamespace = v_schema.oid))
		                  OR (d.classid = 'pg_type'::regclass
		                      AND d.objid IN (SELECT oid FROM pg_type WHERE typnamespace = v_schema.oid))))
		ORDER BY e.extname LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'destination schema "%" of source "%" holds objects of extension "%"',
				v_map.destination, p_source, v_extension
				USING ERRCODE = 'dependent_objects_still_exist',
				      DETAIL = 'init_replica replaces the schema, and never drops one that holds an extension''s objects.',
				      HINT = format('Move the extension out of it (ALTER EXTENSION %I SET SCHEMA ...), or %s',
				                    v_extension, lower(left(v_fix, 1)) || substr(v_fix, 2));
		END IF;
	END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION sch_chameleon.fn_require_owner(text, text),
	sch_chameleon.fn_check_destination_schemas(text, jsonb, regrole) FROM PUBLIC;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_register_source(p_source text, p_config jsonb)
RETURNS bigint LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_owner regrole := sch_chameleon.fn_outer_user()::regrole;
BEGIN
	IF EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE t_source = p_source) THEN
		RAISE EXCEPTION 'source "%" already exists', p_source
			USING ERRCODE = 'duplicate_object',
			      HINT = 'Change it with chameleon.alter_source(), or choose another name.';
	END IF;
	IF p_source !~ '^[A-Za-z0-9_]{1,47}$' THEN
		RAISE EXCEPTION 'invalid source name "%"', p_source
			USING ERRCODE = 'invalid_name',
			      DETAIL = 'A source name has 1 to 47 characters: letters, digits and "_".',
			      HINT = 'Choose a name such as "shop" or "crm_eu".';
	END IF;
	PERFORM sch_chameleon.fn_check_schema_mappings(p_source, p_config -> 'schema_mappings');
	PERFORM sch_chameleon.fn_check_destination_schemas(p_source, p_config, v_owner);
	PERFORM sch_chameleon.fn_check_server_id(p_source, p_config);
	INSERT INTO sch_chameleon.t_sources (t_source, enm_source_type, jsb_config, jsb_schema_mappings, rol_owner)
	VALUES (p_source, (p_config ->> 'type')::sch_chameleon.en_src_type, p_config, p_config -> 'schema_mappings', v_owner)
	RETURNING i_id_source INTO v_id;
	INSERT INTO sch_chameleon.t_last_received (i_id_source) VALUES (v_id);
	INSERT INTO sch_chameleon.t_last_replayed (i_id_source) VALUES (v_id);
	EXECUTE format('CREATE TABLE sch_chameleon.%I PARTITION OF sch_chameleon.t_log_replica FOR VALUES IN (%s)',
	               't_log_replica_' || v_id, v_id);
	RETURN v_id;
END;
$$;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_update_source(p_source text, p_config jsonb)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_source record;
BEGIN
	SELECT * INTO v_source FROM sch_chameleon.t_sources WHERE t_source = p_source FOR UPDATE;
	PERFORM sch_chameleon.fn_require_owner(p_source, 'alter');
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'alter');
	IF (p_config ->> 'type') <> v_source.enm_source_type::text THEN
		RAISE EXCEPTION 'cannot change the type of source "%" from % to %',
			p_source, v_source.enm_source_type, p_config ->> 'type'
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Drop the source and add it again with the new type.';
	END IF;
	IF (p_config -> 'schema_mappings') <> v_source.jsb_schema_mappings THEN
		IF v_source.enm_status <> 'ready' THEN
			RAISE EXCEPTION 'cannot change "schema_mappings" of source "%" after its initial copy', p_source
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      DETAIL = format('The source is %s; its tables were copied with the current mappings.',
				                      v_source.enm_status),
				      HINT = 'Drop the source, add it with the new mappings and run chameleon.init_replica().';
		END IF;
		PERFORM sch_chameleon.fn_check_schema_mappings(p_source, p_config -> 'schema_mappings');
	END IF;
	PERFORM sch_chameleon.fn_check_destination_schemas(p_source, p_config, v_source.rol_owner);
	PERFORM sch_chameleon.fn_check_server_id(p_source, p_config);
	UPDATE sch_chameleon.t_sources
	SET jsb_config = p_config, jsb_schema_mappings = p_config -> 'schema_mappings'
	WHERE i_id_source = v_source.i_id_source;
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.drop_source(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
BEGIN
	PERFORM sch_chameleon.fn_require_owner(p_source, 'drop');
	PERFORM 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id FOR UPDATE;
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'drop');
	EXECUTE format('DROP TABLE IF EXISTS sch_chameleon.%I', 't_log_replica_' || v_id);
	DELETE FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.check_source(p_source text,
	OUT check_name text, OUT status text, OUT value text, OUT hint text)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_config jsonb;
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'check');
	SELECT jsb_config INTO v_config FROM sch_chameleon.t_sources WHERE t_source = p_source;
	RETURN QUERY SELECT * FROM sch_chameleon.fn_check_source(v_config);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.init_replica(p_source text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,wait}', ARRAY[p_source IS NULL, wait IS NULL]);
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'initialise');
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'initialise');
	PERFORM sch_chameleon.fn_check_destination_schemas(t_source, jsb_config, rol_owner)
	FROM sch_chameleon.t_sources WHERE t_source = p_source;
	PERFORM sch_chameleon.fn_init_replica(p_source, wait);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.copy_schema(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_type sch_chameleon.en_src_type;
BEGIN
	PERFORM sch_chameleon.fn_require_owner(p_source, 'copy the schema of');
	SELECT enm_source_type INTO v_type FROM sch_chameleon.t_sources WHERE i_id_source = v_id FOR UPDATE;
	IF v_type <> 'mysql' THEN
		RAISE EXCEPTION 'copy_schema does not support sources of type %', v_type
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Copy a pgsql source with chameleon.init_replica().';
	END IF;
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'copy the schema of');
	PERFORM sch_chameleon.fn_copy_schema(p_source);
	PERFORM sch_chameleon.fn_create_mysql_foreign_keys(p_source);
	-- The tables are empty: nothing can be replicated into them until a copy fills them.
	DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id;
	UPDATE sch_chameleon.t_sources SET enm_status = 'ready', t_status_reason = NULL,
		ts_status_changed = clock_timestamp(), b_consistent = true
	WHERE i_id_source = v_id;
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.start_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_source record;
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'start');
	SELECT * INTO v_source FROM sch_chameleon.t_sources WHERE t_source = p_source FOR UPDATE;
	IF v_source.enm_source_type <> 'mysql' THEN
		RAISE EXCEPTION 'source "%" of type % cannot replicate', p_source, v_source.enm_source_type
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Sources of type pgsql are copied by init_replica only.';
	END IF;
	IF v_source.enm_status = 'running' AND v_source.b_run_requested THEN
		-- Running: start whichever worker is missing (after a crash, before the launcher does).
		PERFORM sch_chameleon.fn_start_workers(p_source);
		RETURN;
	END IF;
	IF v_source.enm_status = 'ready' THEN
		RAISE EXCEPTION 'source "%" has not been copied yet', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Run SELECT chameleon.init_replica(%L, wait => true); first.', p_source);
	END IF;
	IF v_source.enm_status = 'error' THEN
		RAISE EXCEPTION 'source "%" is in error: %', p_source, coalesce(v_source.t_status_reason, 'no reason recorded')
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Fix the cause, then SELECT chameleon.enable_replica(%L); and start it again.', p_source);
	END IF;
	IF v_source.enm_status NOT IN ('initialised', 'stopped', 'synced') THEN
		RAISE EXCEPTION 'cannot start source "%" while it is %', p_source, v_source.enm_status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Wait until it is initialised, or look at chameleon.show_status().';
	END IF;
	UPDATE sch_chameleon.t_sources SET enm_status = 'running', b_run_requested = true, t_status_reason = NULL,
		ts_status_changed = clock_timestamp()
	WHERE i_id_source = v_source.i_id_source;
	PERFORM sch_chameleon.fn_start_workers(p_source);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.stop_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'stop');
	UPDATE sch_chameleon.t_sources SET b_run_requested = false WHERE t_source = p_source;
	IF NOT sch_chameleon.fn_stop_workers(p_source, interval '60 s') THEN
		RAISE EXCEPTION 'the workers of source "%" did not stop within 60 s', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Look at chameleon.workers and the server log; stop_replica can be called again.';
	END IF;
	UPDATE sch_chameleon.t_sources SET enm_status = 'stopped', ts_status_changed = clock_timestamp()
	WHERE t_source = p_source AND enm_status = 'running';
END;
$$;

-- Stops the running sources the caller may stop (all of them for a superuser).
CREATE OR REPLACE FUNCTION chameleon.stop_all_replicas(OUT source text)
RETURNS SETOF text LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_caller oid := sch_chameleon.fn_outer_user();
BEGIN
	FOR source IN SELECT t_source FROM sch_chameleon.t_sources s
	              WHERE (enm_status = 'running' OR b_run_requested)
	                AND (sch_chameleon.fn_caller_is_superuser()
	                     OR (EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = s.rol_owner)
	                         AND pg_has_role(v_caller, s.rol_owner, 'USAGE')))
	              ORDER BY t_source LOOP
		PERFORM chameleon.stop_replica(source);
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION chameleon.stop_all_replicas() IS 'stops every running source the caller owns (every one for a superuser) and lists them';

CREATE OR REPLACE FUNCTION chameleon.enable_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'enable');
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'enable');
	UPDATE sch_chameleon.t_sources SET enm_status = 'stopped', t_status_reason = NULL, b_maintenance = false,
		b_run_requested = false, ts_status_changed = clock_timestamp()
	WHERE t_source = p_source AND enm_status = 'error';
END;
$$;

-- A sync_tables name as [MySQL schema, table]: schema.table, where either part may be written
-- in double quotes (doubled inside) and must be when it holds a '.' or a '"': "my.schema"."t.1";
-- else a name the catalogue knows as schema || '.' || table (one table only).
CREATE FUNCTION sch_chameleon.fn_split_table_name(p_id bigint, p_name text)
RETURNS text[] LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_parts text[] := regexp_match(p_name, '^("(?:[^"]|"")+"|[^".]+)\.("(?:[^"]|"")+"|[^".]+)$');
	v_found text[];
BEGIN
	IF v_parts IS NOT NULL THEN
		RETURN ARRAY(SELECT CASE WHEN left(p, 1) = '"' THEN replace(substr(p, 2, length(p) - 2), '""', '"') ELSE p END
		             FROM unnest(v_parts) WITH ORDINALITY AS u(p, n) ORDER BY n);
	END IF;
	SELECT CASE WHEN count(*) = 1 THEN array[min(v_schema_origin), min(v_table_name)] END INTO v_found
	FROM sch_chameleon.t_replica_tables
	WHERE i_id_source = p_id AND v_schema_origin || '.' || v_table_name = p_name;
	IF v_found IS NULL THEN
		RAISE EXCEPTION 'invalid table name "%"', p_name
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Name each table as its MySQL schema and table: ''shop.orders'', with double quotes around a '
			             'part that holds a dot or a double quote (''"my.schema"."t.1"''), or pass ''{disabled}''.';
	END IF;
	RETURN v_found;
END;
$$;
REVOKE ALL ON FUNCTION sch_chameleon.fn_split_table_name(bigint, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION chameleon.sync_tables(p_source text, p_tables text[], wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_tables jsonb; -- [[MySQL schema, table], ...]
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
	PERFORM sch_chameleon.fn_require_owner(p_source, 'copy tables of');
	IF p_tables = '{disabled}' THEN
		SELECT coalesce(jsonb_agg(jsonb_build_array(v_schema_origin, v_table_name)), '[]') INTO v_tables
		FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id AND NOT b_replica_enabled;
		IF jsonb_array_length(v_tables) = 0 THEN
			RAISE NOTICE 'source "%" has no disabled table', p_source;
			RETURN;
		END IF;
	ELSE
		SELECT jsonb_agg(to_jsonb(sch_chameleon.fn_split_table_name(v_id, t)) ORDER BY n) INTO v_tables
		FROM unnest(p_tables) WITH ORDINALITY AS u(t, n);
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('tables', v_tables), wait);
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
	PERFORM sch_chameleon.fn_require_owner(p_source, 'refresh');
	IF NOT EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND jsb_schema_mappings ? p_schema) THEN
		RAISE EXCEPTION 'MySQL schema "%" is not mapped by source "%"', p_schema, p_source
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use one of the origin schemas of "schema_mappings".';
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('schema', p_schema), wait);
END;
$$;

CREATE OR REPLACE FUNCTION chameleon.resync_source(p_source text, wait boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_tables jsonb; -- [[MySQL schema, table], ...]
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{wait}', ARRAY[wait IS NULL]);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'resync');
	IF EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND (b_run_requested OR enm_status = 'running')) THEN
		RAISE EXCEPTION 'cannot resync source "%" while it replicates', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Stop it first: SELECT chameleon.stop_replica(%L);', p_source);
	END IF;
	SELECT jsonb_agg(jsonb_build_array(v_schema_origin, v_table_name) ORDER BY v_schema_origin, v_table_name)
	INTO v_tables
	FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id;
	IF v_tables IS NULL THEN
		RAISE EXCEPTION 'source "%" has no replicated table to copy again', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Copy it with SELECT chameleon.init_replica(%L, wait => true);', p_source);
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('tables', v_tables), wait);
END;
$$;

-- detach_replica and the foreign key helpers touch user tables through fn_execute_as_owner.
CREATE OR REPLACE FUNCTION chameleon.detach_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_source record;
	v_column record;
BEGIN
	PERFORM sch_chameleon.fn_require_owner(p_source, 'detach');
	PERFORM chameleon.stop_replica(p_source);
	SELECT jsb_schema_mappings, jsb_config INTO v_source FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	-- Identity columns continue after the values MySQL assigned.
	FOR v_column IN
		SELECT n.nspname, c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN (SELECT value FROM jsonb_each_text(v_source.jsb_schema_mappings)) AND c.relkind IN ('r', 'p')
		  AND a.attnum > 0 AND NOT a.attisdropped
		  AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
	LOOP
		PERFORM sch_chameleon.fn_execute_as_owner(v_id,
			format('SELECT setval(%L, coalesce(max(%I), 1), max(%I) IS NOT NULL) FROM %I.%I', v_column.seq,
			       v_column.attname, v_column.attname, v_column.nspname, v_column.relname));
	END LOOP;
	-- Foreign keys as in MySQL, unless the PostgreSQL tables are the user's own (keep_existing_schema).
	IF NOT (v_source.jsb_config -> 'keep_existing_schema')::boolean THEN
		PERFORM sch_chameleon.fn_create_mysql_foreign_keys(p_source);
	END IF;
	PERFORM chameleon.drop_source(p_source);
END;
$$;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_restore_foreign_keys(p_id_source bigint)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key record;
	v_create text;
BEGIN
	FOR v_key IN SELECT * FROM sch_chameleon.t_saved_foreign_keys
	             WHERE i_id_source = p_id_source AND NOT b_restored
	             ORDER BY v_schema_name, v_table_name, v_constraint_name LOOP
		v_create := format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', v_key.v_schema_name, v_key.v_table_name,
		                   v_key.v_constraint_name, v_key.t_definition);
		BEGIN
			PERFORM sch_chameleon.fn_execute_as_owner(p_id_source,
				v_create || CASE WHEN v_key.t_definition LIKE '% NOT VALID' THEN '' ELSE ' NOT VALID' END);
			UPDATE sch_chameleon.t_saved_foreign_keys SET b_restored = true
			WHERE i_id_source = p_id_source AND v_schema_name = v_key.v_schema_name
			  AND v_table_name = v_key.v_table_name AND v_constraint_name = v_key.v_constraint_name;
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'foreign key "%" of table "%.%" could not be re-created after the copy',
				v_key.v_constraint_name, v_key.v_schema_name, v_key.v_table_name
				USING DETAIL = SQLERRM, HINT = format('Re-create it by hand: %s;', v_create);
			DELETE FROM sch_chameleon.t_saved_foreign_keys
			WHERE i_id_source = p_id_source AND v_schema_name = v_key.v_schema_name
			  AND v_table_name = v_key.v_table_name AND v_constraint_name = v_key.v_constraint_name;
		END;
	END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_validate_foreign_keys(p_id_source bigint, p_now boolean)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM sch_chameleon.t_saved_foreign_keys WHERE i_id_source = p_id_source AND b_restored) THEN
		RETURN;
	END IF;
	IF NOT p_now AND (
		NOT (SELECT b_consistent FROM sch_chameleon.t_sources WHERE i_id_source = p_id_source)
		OR EXISTS (SELECT 1 FROM sch_chameleon.t_replica_tables t JOIN sch_chameleon.t_last_replayed p USING (i_id_source)
		           WHERE t.i_id_source = p_id_source AND (t.b_syncing OR (t.t_binlog_name IS NOT NULL
		                 AND (p.t_binlog_name IS NULL
		                      OR (sch_chameleon.fn_binlog_order(p.t_binlog_name), p.i_binlog_position) < (sch_chameleon.fn_binlog_order(t.t_binlog_name), t.i_binlog_position)))))) THEN
		RETURN;
	END IF;
	FOR v_key IN DELETE FROM sch_chameleon.t_saved_foreign_keys WHERE i_id_source = p_id_source AND b_restored
	             RETURNING * LOOP
		CONTINUE WHEN NOT v_key.b_validated;
		BEGIN
			PERFORM sch_chameleon.fn_execute_as_owner(p_id_source,
				format('ALTER TABLE %I.%I VALIDATE CONSTRAINT %I', v_key.v_schema_name, v_key.v_table_name,
				       v_key.v_constraint_name));
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'foreign key "%" of table "%.%" does not hold for the copied rows: it stays NOT VALID',
				v_key.v_constraint_name, v_key.v_schema_name, v_key.v_table_name
				USING DETAIL = SQLERRM,
				      HINT = format('Fix the rows, then: ALTER TABLE %I.%I VALIDATE CONSTRAINT %I;',
				                    v_key.v_schema_name, v_key.v_table_name, v_key.v_constraint_name);
		END;
	END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_create_mysql_foreign_keys(p_source text)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_mappings jsonb;
	v_key record;
	v_name text;
	v_table text;
BEGIN
	SELECT jsb_schema_mappings INTO v_mappings FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	FOR v_key IN SELECT * FROM sch_chameleon.fn_mysql_foreign_keys(p_source) LOOP
		IF NOT v_mappings ? v_key.referenced_schema THEN
			RAISE NOTICE 'foreign key % of %.% references schema %, which is not replicated: not created',
				v_key.constraint_name, v_key.mysql_schema, v_key.table_name, v_key.referenced_schema;
			CONTINUE;
		END IF;
		v_name := left(v_key.table_name || '_' || v_key.constraint_name, 63);
		v_table := format('%I.%I', v_mappings ->> v_key.mysql_schema, v_key.table_name);
		PERFORM sch_chameleon.fn_execute_as_owner(v_id,
			format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %I.%I (%s) ON UPDATE %s ON DELETE %s NOT VALID',
			       v_table, v_name,
			       (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_key.columns) c),
			       v_mappings ->> v_key.referenced_schema, v_key.referenced_table,
			       (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_key.referenced_columns) c),
			       v_key.on_update, v_key.on_delete));
		BEGIN
			PERFORM sch_chameleon.fn_execute_as_owner(v_id,
				format('ALTER TABLE %s VALIDATE CONSTRAINT %I', v_table, v_name));
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'foreign key % on % does not hold for the existing rows: it stays NOT VALID', v_name, v_table
				USING DETAIL = SQLERRM,
				      HINT = format('Fix the rows, then: ALTER TABLE %s VALIDATE CONSTRAINT %I;', v_table, v_name);
		END;
	END LOOP;
END;
$$;

-- The role that adds a source owns it; a superuser may give it to another role. The schemas the
-- source created, and the tables, sequences and types in them that belonged to the previous owner,
-- go with it (what keep_existing_schema loads into stays with its owner).
CREATE FUNCTION chameleon.alter_source_owner(p_source text, p_owner regrole)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_old regrole;
	v_schema record;
	v_object record;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,owner}', ARRAY[p_source IS NULL, p_owner IS NULL]);
	v_id := sch_chameleon.fn_source_id(p_source);
	IF NOT sch_chameleon.fn_caller_is_superuser() THEN
		RAISE EXCEPTION 'permission denied to change the owner of source "%"', p_source
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'The workers of a source run with its owner''s rights: only a superuser may give a source to another role.',
			      HINT = 'Ask a superuser to run chameleon.alter_source_owner().';
	END IF;
	SELECT rol_owner INTO v_old FROM sch_chameleon.t_sources WHERE i_id_source = v_id FOR UPDATE;
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'change the owner of');
	IF NOT (SELECT rolcanlogin FROM pg_roles WHERE oid = p_owner) THEN
		RAISE EXCEPTION 'role "%" cannot own source "%": it cannot log in', pg_get_userbyid(p_owner), p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The workers of a source connect to the database as its owner.',
			      HINT = format('Give the source to a role with LOGIN, or: ALTER ROLE %I LOGIN;', pg_get_userbyid(p_owner));
	END IF;
	IF v_old = p_owner THEN
		RETURN;
	END IF;
	FOR v_schema IN SELECT n.oid, n.nspname FROM sch_chameleon.t_source_schemas s
	                JOIN pg_namespace n ON n.nspname = s.v_schema_name
	                WHERE s.i_id_source = v_id AND n.nspowner = v_old ORDER BY n.nspname LOOP
		EXECUTE format('ALTER SCHEMA %I OWNER TO %I', v_schema.nspname, pg_get_userbyid(p_owner));
		FOR v_object IN
			SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
			                      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind, c.relname AS name
			FROM pg_class c
			WHERE c.relnamespace = v_schema.oid AND c.relowner = v_old AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
			  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
			                  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
			UNION ALL
			SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname
			FROM pg_type t
			WHERE t.typnamespace = v_schema.oid AND t.typowner = v_old AND t.typtype IN ('e', 'd', 'r')
			ORDER BY 1, 2
		LOOP
			EXECUTE format('ALTER %s %I.%I OWNER TO %I', v_object.kind, v_schema.nspname, v_object.name,
			               pg_get_userbyid(p_owner));
		END LOOP;
	END LOOP;
	UPDATE sch_chameleon.t_sources SET rol_owner = p_owner WHERE i_id_source = v_id;
END;
$$;
COMMENT ON FUNCTION chameleon.alter_source_owner(text, regrole) IS
	'gives a source (and the schemas it created) to another role, whose rights its workers then use (superuser only)';
REVOKE ALL ON FUNCTION chameleon.alter_source_owner(text, regrole) FROM PUBLIC;

CREATE OR REPLACE VIEW chameleon.sources AS
SELECT s.t_source AS source,
       s.enm_source_type::text AS type,
       s.enm_status::text AS status,
       s.jsb_schema_mappings AS schema_mappings,
       s.jsb_config #- '{db_conn,password}' AS config,
       s.ts_created AS created,
       pg_get_userbyid(s.rol_owner)::text AS owner
FROM sch_chameleon.t_sources s;

-- check_source: the owner check above and the stored-position rows of the MySQL-side faults section.
CREATE OR REPLACE FUNCTION chameleon.check_source(p_source text,
	OUT check_name text, OUT status text, OUT value text, OUT hint text)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_config jsonb;
BEGIN
	PERFORM sch_chameleon.fn_require_owner(p_source, 'check');
	SELECT jsb_config INTO v_config FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	RETURN QUERY SELECT * FROM sch_chameleon.fn_check_source(v_config);
	RETURN QUERY SELECT c.* FROM sch_chameleon.t_last_received r
		JOIN sch_chameleon.t_sources s USING (i_id_source),
		LATERAL sch_chameleon.fn_check_stored_position(v_config, r.t_binlog_name, r.i_binlog_position,
			coalesce(extract(epoch FROM clock_timestamp() - r.ts_last_received), 0)::double precision, p_source) c
	WHERE r.i_id_source = v_id AND r.t_binlog_name IS NOT NULL AND s.enm_source_type = 'mysql';
END;
$$;

-------------------------------------------------------------------------------
-- 1.5, replay of OLTP traffic: the replay commits only between MySQL transactions
-------------------------------------------------------------------------------
-- The first event the reader logs of each MySQL transaction (a statement is a transaction of its
-- own), so that the replay, which folds the changes of many transactions into one commit, never
-- commits part of one. Rows logged before 1.5 have false: the replay then commits at batch ends.
ALTER TABLE sch_chameleon.t_log_replica ADD COLUMN b_transaction_start boolean NOT NULL DEFAULT false;
-- Statements that change existing rows (doc/ddl.md): the session time zone of a logged statement
-- (with ts_event, which keeps the statement's microseconds, it gives the values of NOW() in existing
-- rows), and the tables the replay copies again because MySQL changed their rows in a way
-- PostgreSQL cannot reproduce: why (t_recopy_reason, kept after the copy), how many times, and
-- whether the copy still has to be started (b_recopy_requested).
ALTER TABLE sch_chameleon.t_log_replica ADD COLUMN t_time_zone text;
ALTER TABLE sch_chameleon.t_replica_tables ADD COLUMN t_recopy_reason text,
	ADD COLUMN i_recopies bigint NOT NULL DEFAULT 0,
	ADD COLUMN b_recopy_requested boolean NOT NULL DEFAULT false;

-- chameleon.tables with the re-copy columns: defined once, below (it also shows the PostgreSQL name).

-- show_status counts the tables a replicated statement has copied again (doc/ddl.md).
DROP FUNCTION chameleon.show_status(text);
CREATE FUNCTION chameleon.show_status(p_source text DEFAULT NULL)
RETURNS TABLE (
	source text, type text, status text, status_reason text, consistent boolean,
	read_lag interval, replay_lag interval, last_received timestamptz, last_replayed timestamptz,
	read_position text, replayed_position text, gtid_read text, gtid_replayed text,
	pending_batches bigint, pending_rows bigint, replayed_rows bigint, skipped_rows bigint,
	ddl_statements bigint, tables_replicated bigint, tables_disabled bigint, tables_without_key bigint,
	errors bigint, discarded_rows bigint, workers text, tables_recopying bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sch_chameleon.fn_source_id(p_source) WHERE p_source IS NOT NULL;
	SELECT s.t_source, s.enm_source_type::text, s.enm_status::text,
	       coalesce(s.t_status_reason, CASE WHEN s.enm_source_type = 'pgsql' THEN
	           'a pgsql source is copied by init_replica only; it is not replicated continuously' END),
	       s.b_consistent,
	       date_trunc('second', clock_timestamp() - r.ts_last_received),
	       r.ts_last_received - p.ts_last_replayed,
	       r.ts_last_received, p.ts_last_replayed,
	       r.t_binlog_name || ':' || r.i_binlog_position,
	       p.t_binlog_name || ':' || p.i_binlog_position,
	       r.t_gtid_set, p.t_gtid_set,
	       b.pending_batches, b.pending_rows, b.replayed, b.skipped, b.ddl,
	       t.replicated, t.disabled, t.without_key,
	       (SELECT count(*) FROM sch_chameleon.t_error_log e WHERE e.i_id_source = s.i_id_source),
	       (SELECT count(*) FROM sch_chameleon.t_discarded_rows d WHERE d.i_id_source = s.i_id_source),
	       (SELECT string_agg(w.role || ' ' || w.pid, ', ' ORDER BY w.role)
	        FROM sch_chameleon.fn_worker_slots() w
	        WHERE w.source = s.t_source AND w.database = current_database()),
	       t.recopying
	FROM sch_chameleon.t_sources s
	JOIN sch_chameleon.t_last_received r USING (i_id_source)
	JOIN sch_chameleon.t_last_replayed p USING (i_id_source)
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE NOT rb.b_replayed) AS pending_batches,
		       coalesce(sum(rb.i_rows - rb.i_replayed - rb.i_skipped) FILTER (WHERE NOT rb.b_replayed), 0)::bigint AS pending_rows,
		       coalesce(sum(rb.i_replayed), 0)::bigint AS replayed,
		       coalesce(sum(rb.i_skipped), 0)::bigint AS skipped,
		       coalesce(sum(rb.i_ddl), 0)::bigint AS ddl
		FROM sch_chameleon.t_replica_batch rb WHERE rb.i_id_source = s.i_id_source) b
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE rt.b_replica_enabled AND cardinality(rt.v_table_pkey) > 0) AS replicated,
		       count(*) FILTER (WHERE NOT rt.b_replica_enabled) AS disabled,
		       count(*) FILTER (WHERE cardinality(rt.v_table_pkey) = 0) AS without_key,
		       count(*) FILTER (WHERE rt.b_syncing AND rt.t_disabled_reason LIKE 're-copying: %') AS recopying
		FROM sch_chameleon.t_replica_tables rt WHERE rt.i_id_source = s.i_id_source) t
	WHERE p_source IS NULL OR s.t_source = p_source
	ORDER BY s.t_source
$$;
COMMENT ON FUNCTION chameleon.show_status(text) IS 'state, lag, positions and counters of each source';
REVOKE ALL ON FUNCTION chameleon.show_status(text) FROM PUBLIC;

-- 1.5, names: a MySQL name PostgreSQL cannot hold has another PostgreSQL name (doc/security.md,
-- "Names"); the layout records it, and the views show it.
CREATE OR REPLACE VIEW chameleon.init_progress AS
SELECT s.t_source AS source,
       i.v_schema_origin || '.' || i.v_table_name AS mysql_table,
       i.v_schema_name || '.' || coalesce(i.jsb_layout ->> 'destination_table', i.v_table_name) AS pg_table,
       i.enm_state::text AS state,
       CASE WHEN i.enm_state = 'copying' THEN coalesce(w.rows, 0) ELSE i.i_rows END AS rows_copied,
       i.i_estimated_rows AS estimated_rows,
       CASE WHEN i.enm_state = 'copying' THEN coalesce(w.bytes, 0) ELSE i.i_bytes END AS bytes,
       coalesce(i.ts_finished, clock_timestamp()) - i.ts_started AS elapsed,
       i.i_discarded AS discarded_rows,
       i.t_error AS error
FROM sch_chameleon.t_init_tables i
JOIN sch_chameleon.t_sources s USING (i_id_source)
LEFT JOIN sch_chameleon.fn_worker_progress() w ON w.pid = i.i_pid AND w.copy_table = i.v_schema_origin || '.' || i.v_table_name;

-- How a table is stored on a Citus coordinator: 'distributed by <column>', 'reference', 'citus local',
-- or 'local' (no Citus table, or no citus extension). Citus's catalogue is read only when it exists.
CREATE FUNCTION sch_chameleon.fn_table_distribution(p_schema text, p_table text)
RETURNS text LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_distribution text;
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN 'local';
	END IF;
	EXECUTE 'SELECT CASE WHEN p.partmethod = ''h'' THEN ''distributed by '' || '
	        'column_to_column_name(p.logicalrelid, p.partkey) WHEN p.repmodel = ''t'' THEN ''reference'' '
	        'ELSE ''citus local'' END FROM pg_dist_partition p WHERE p.logicalrelid = '
	        'to_regclass(quote_ident($1) || ''.'' || quote_ident($2))'
	INTO v_distribution USING p_schema, p_table;
	RETURN coalesce(v_distribution, 'local');
END
$$;
-- executable by everyone: a reader of chameleon.tables calls it, and it reads only catalogues anyone reads

CREATE OR REPLACE VIEW chameleon.tables AS
SELECT s.t_source AS source,
       t.v_schema_origin || '.' || t.v_table_name AS mysql_table,
       t.v_schema_name || '.' || coalesce(t.jsb_layout ->> 'destination_table', t.v_table_name) AS pg_table,
       CASE WHEN t.b_syncing AND t.t_disabled_reason LIKE 're-copying: %' THEN t.t_disabled_reason
            WHEN NOT t.b_replica_enabled THEN 'disabled'
            WHEN cardinality(t.v_table_pkey) = 0 THEN 'not replicated: no key'
            WHEN s.enm_status = 'initialising' THEN 'copying'
            WHEN t.t_binlog_name IS NOT NULL AND (p.t_binlog_name IS NULL
                 OR (sch_chameleon.fn_binlog_order(p.t_binlog_name), p.i_binlog_position) < (sch_chameleon.fn_binlog_order(t.t_binlog_name), t.i_binlog_position)) THEN 'catching up'
            ELSE 'replicating' END AS state,
       t.v_table_pkey AS key_columns,
       t.t_binlog_name || ':' || t.i_binlog_position AS consistent_point,
       t.t_disabled_reason AS disabled_reason,
       t.ts_disabled AS disabled_at,
       t.t_recopy_reason AS recopy_reason,
       t.i_recopies AS recopies,
       sch_chameleon.fn_table_distribution(t.v_schema_name,
           coalesce(t.jsb_layout ->> 'destination_table', t.v_table_name)) AS distribution
FROM sch_chameleon.t_replica_tables t
JOIN sch_chameleon.t_sources s USING (i_id_source)
JOIN sch_chameleon.t_last_replayed p USING (i_id_source);

-------------------------------------------------------------------------------
-- 1.5, verification: verify_tables compares MySQL and PostgreSQL (doc/architecture.md, "Verification")
-------------------------------------------------------------------------------
-- The last verification of each table: counts, ranges and the rows that differ, with both sides'
-- canonical values (jsb_mismatches: [{"key": {...}, "mysql": {...} | null, "postgresql": {...} | null}],
-- the first 1000; i_mismatching_rows counts them all). The verify worker updates the row of the
-- table it reads after each range (t_state 'running'), so that progress shows while it runs.
CREATE SEQUENCE sch_chameleon.s_verification_run;
CREATE TABLE sch_chameleon.t_verification (
	i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources ON DELETE CASCADE,
	v_mysql_table text NOT NULL,                -- schema.table in MySQL
	i_run bigint NOT NULL,                      -- the verify_tables call (s_verification_run)
	v_pg_table text NOT NULL,
	t_state text NOT NULL,                      -- queued, running, equal, different, ..., stopped, failed: reason
	i_rows_mysql bigint NOT NULL,
	i_rows_pg bigint NOT NULL,
	i_ranges bigint NOT NULL,                   -- ranges compared so far
	i_ranges_different bigint NOT NULL,
	i_mismatching_rows bigint NOT NULL,
	i_unsettled_rows bigint NOT NULL,           -- rows MySQL kept changing while they were compared
	jsb_mismatches jsonb NOT NULL,
	ts_started timestamptz NOT NULL,
	ts_finished timestamptz,                    -- NULL while queued or running
	t_resync text,                              -- resync => true: requested, or failed: reason
	PRIMARY KEY (i_id_source, v_mysql_table)
);
REVOKE ALL ON sch_chameleon.t_verification FROM PUBLIC;

CREATE FUNCTION sch_chameleon.fn_verify_tables(p_source text, p_tables jsonb, p_run bigint, p_resync boolean,
                                               p_wait boolean)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_verify_tables';
REVOKE ALL ON FUNCTION sch_chameleon.fn_verify_tables(text, jsonb, bigint, boolean, boolean) FROM PUBLIC;

CREATE VIEW chameleon.verification AS
SELECT s.t_source AS source,
       v.i_run AS run,
       v.v_mysql_table AS mysql_table,
       v.v_pg_table AS pg_table,
       v.t_state AS state,
       v.i_rows_mysql AS rows_mysql,
       v.i_rows_pg AS rows_pg,
       v.i_ranges AS ranges,
       v.i_ranges_different AS ranges_different,
       v.i_mismatching_rows AS mismatching_rows,
       v.i_unsettled_rows AS unsettled_rows,
       v.jsb_mismatches AS mismatches,
       v.ts_started AS started,
       v.ts_finished AS finished,
       v.t_resync AS resync
FROM sch_chameleon.t_verification v
JOIN sch_chameleon.t_sources s USING (i_id_source);
REVOKE ALL ON chameleon.verification FROM PUBLIC;

-- The verify worker sets TimeZone, DateStyle and IntervalStyle for PostgreSQL's text of the values.
CREATE FUNCTION chameleon.verify_tables(p_source text, p_tables text[] DEFAULT NULL, resync boolean DEFAULT false,
                                        wait boolean DEFAULT true)
RETURNS SETOF chameleon.verification LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_run bigint;
	v_tables jsonb; -- [[MySQL schema, table], ...], or JSON null for every table
	v_unknown text;
	v_failed text;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,resync,wait}',
	                                           ARRAY[p_source IS NULL, resync IS NULL, wait IS NULL]);
	IF array_position(p_tables, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'argument "tables" must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = 'NULL names no table.',
			      HINT = 'Give MySQL table names such as ''{shop.orders}'', or leave the argument out for every table.';
	END IF;
	v_id := sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_owner(p_source, 'verify');
	IF wait AND current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'verify_tables with wait => true needs a transaction in READ COMMITTED'
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'It returns what the verify worker has written since it started, which a transaction snapshot would hide.',
			      HINT = 'Call it outside an explicit transaction, or in one at READ COMMITTED, or with wait => false.';
	END IF;
	-- the names of sync_tables: schema.table, a part in double quotes when it holds '.' or '"'
	SELECT coalesce(jsonb_agg(to_jsonb(sch_chameleon.fn_split_table_name(v_id, t)) ORDER BY n), '[]') INTO v_tables
	FROM unnest(p_tables) WITH ORDINALITY AS u(t, n);
	SELECT string_agg(format('"%s"', p ->> 0 || '.' || (p ->> 1)), ', ') INTO v_unknown
	FROM jsonb_array_elements(v_tables) p
	WHERE NOT EXISTS (SELECT 1 FROM sch_chameleon.t_replica_tables r
	                  WHERE r.i_id_source = v_id AND r.v_schema_origin = p ->> 0 AND r.v_table_name = p ->> 1);
	IF v_unknown IS NOT NULL THEN
		RAISE EXCEPTION 'source "%" replicates no table %', p_source, v_unknown
			USING ERRCODE = 'undefined_table',
			      HINT = format('Name tables with their MySQL names: SELECT mysql_table FROM chameleon.tables WHERE source = %L;',
			                    p_source);
	END IF;
	IF EXISTS (SELECT 1 FROM sch_chameleon.fn_worker_slots() w WHERE w.source = p_source
	           AND w.database = current_database() AND w.role = 'verify') THEN
		RAISE EXCEPTION 'a verification of source "%" is already running', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Follow it with SELECT * FROM chameleon.verification WHERE source = %L;', p_source);
	END IF;
	v_run := nextval('sch_chameleon.s_verification_run');
	IF p_tables IS NULL THEN
		v_tables := 'null';
	END IF;
	PERFORM sch_chameleon.fn_verify_tables(p_source, v_tables, v_run, resync, wait);
	IF NOT wait THEN
		-- the tables the worker verifies, queued (it lists them so in chameleon.verification)
		RETURN QUERY SELECT p_source, v_run, r.v_schema_origin || '.' || r.v_table_name,
		                    (r.jsb_layout ->> 'destination_schema') || '.' || (r.jsb_layout ->> 'destination_table'),
		                    'queued'::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
		                    '[]'::jsonb, clock_timestamp(), NULL::timestamptz, NULL::text
		FROM sch_chameleon.t_replica_tables r
		WHERE r.i_id_source = v_id AND r.jsb_layout IS NOT NULL
		  AND (v_tables = 'null' OR v_tables @> jsonb_build_array(jsonb_build_array(r.v_schema_origin, r.v_table_name)))
		ORDER BY 3;
		RETURN;
	END IF;
	SELECT v.t_state INTO v_failed FROM sch_chameleon.t_verification v
	WHERE v.i_id_source = v_id AND v.i_run = v_run AND v.t_state LIKE 'failed: %' LIMIT 1;
	IF v_failed IS NOT NULL THEN
		RAISE EXCEPTION 'verify_tables of source "%" failed', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = substr(v_failed, 9),
			      HINT = format('Fix the cause and call it again; SELECT * FROM chameleon.verification WHERE source = %L shows each table.',
			                    p_source);
	END IF;
	RETURN QUERY SELECT * FROM chameleon.verification v WHERE v.source = p_source AND v.run = v_run ORDER BY v.mysql_table;
END;
$$;
COMMENT ON FUNCTION chameleon.verify_tables(text, text[], boolean, boolean) IS
	'compares the replicated tables with MySQL in a verify worker, range by range of their keys, and lists the rows that differ';
REVOKE ALL ON FUNCTION chameleon.verify_tables(text, text[], boolean, boolean) FROM PUBLIC;

-- The source status machine (doc/architecture.md, "Source status"): every status change, from
-- C++ or plpgsql, goes through this function's C++ implementation. Returns the status before the
-- change, or NULL when the change does not apply from the current status; '' as the reason clears it.
-- p_to names the status of the changes that take one from their caller (init_stopped, imported), else ''.
CREATE FUNCTION sch_chameleon.fn_change_source_status(p_source_id bigint, p_change text, p_reason text, p_to text)
RETURNS text LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_change_source_status';
REVOKE ALL ON FUNCTION sch_chameleon.fn_change_source_status(bigint, text, text, text) FROM PUBLIC;
-- 1.5, maintenance and notifications (doc/architecture.md, "Maintenance"): the pause of a
-- source's workers (t_sources.b_paused by pause_replica, b_maintenance while run_maintenance
-- works; both separate from the status), run_maintenance, and the state changes sent on
-- channel "chameleon".
CREATE FUNCTION sch_chameleon.fn_notify(p_event text, p_id_source bigint, p_message text, p_table text)
RETURNS void LANGUAGE sql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_notify('chameleon', json_build_object(
		'event', p_event,
		'source', (SELECT t_source FROM sch_chameleon.t_sources WHERE i_id_source = p_id_source),
		'database', current_database(),
		'table', nullif(p_table, ''),
		'message', left(p_message, 1500),
		'time', clock_timestamp())::text)
$$;
CREATE FUNCTION sch_chameleon.fn_set_pause(p_id_source bigint, p_paused boolean)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_set_pause';
CREATE FUNCTION sch_chameleon.fn_run_maintenance(p_id_source bigint, p_source text, p_full boolean)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_run_maintenance';
REVOKE ALL ON FUNCTION sch_chameleon.fn_notify(text, bigint, text, text),
	sch_chameleon.fn_set_pause(bigint, boolean),
	sch_chameleon.fn_run_maintenance(bigint, text, boolean) FROM PUBLIC;

CREATE FUNCTION chameleon.pause_replica(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(pause_replica.name);
BEGIN
	PERFORM sch_chameleon.fn_require_owner(pause_replica.name, 'pause');
	UPDATE sch_chameleon.t_sources SET b_paused = true WHERE i_id_source = v_id;
	PERFORM sch_chameleon.fn_set_pause(v_id, true);
	PERFORM sch_chameleon.fn_notify('paused', v_id, 'paused by pause_replica', '');
END;
$$;
COMMENT ON FUNCTION chameleon.pause_replica(text) IS
	'pauses the reader and replay workers of a source at their next boundary, until resume_replica';
REVOKE ALL ON FUNCTION chameleon.pause_replica(text) FROM PUBLIC;

CREATE FUNCTION chameleon.resume_replica(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(resume_replica.name);
BEGIN
	PERFORM sch_chameleon.fn_require_owner(resume_replica.name, 'resume');
	UPDATE sch_chameleon.t_sources SET b_paused = false WHERE i_id_source = v_id;
	PERFORM sch_chameleon.fn_set_pause(v_id, false);
	PERFORM sch_chameleon.fn_notify('resumed', v_id, 'resumed by resume_replica', '');
END;
$$;
COMMENT ON FUNCTION chameleon.resume_replica(text) IS 'ends the pause of pause_replica';
REVOKE ALL ON FUNCTION chameleon.resume_replica(text) FROM PUBLIC;

CREATE FUNCTION chameleon.run_maintenance(name text, full boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,full}',
		ARRAY[run_maintenance.name IS NULL, run_maintenance.full IS NULL]);
	v_id := sch_chameleon.fn_source_id(run_maintenance.name);
	PERFORM sch_chameleon.fn_require_owner(run_maintenance.name, 'maintain');
	PERFORM sch_chameleon.fn_run_maintenance(v_id, run_maintenance.name, run_maintenance.full);
END;
$$;
COMMENT ON FUNCTION chameleon.run_maintenance(text, boolean) IS
	'pauses the workers of a source, VACUUMs its log storage (VACUUM FULL with full => true) and the catalogue tables that churn, and resumes them';
REVOKE ALL ON FUNCTION chameleon.run_maintenance(text, boolean) FROM PUBLIC;

-- show_status shows the pause and the maintenance.
DROP FUNCTION chameleon.show_status(text);
CREATE FUNCTION chameleon.show_status(p_source text DEFAULT NULL)
RETURNS TABLE (
	source text, type text, status text, status_reason text, consistent boolean,
	read_lag interval, replay_lag interval, last_received timestamptz, last_replayed timestamptz,
	read_position text, replayed_position text, gtid_read text, gtid_replayed text,
	pending_batches bigint, pending_rows bigint, replayed_rows bigint, skipped_rows bigint,
	ddl_statements bigint, tables_replicated bigint, tables_disabled bigint, tables_without_key bigint,
	errors bigint, discarded_rows bigint, workers text, tables_recopying bigint,
	paused boolean, last_maintenance timestamptz, next_maintenance timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sch_chameleon.fn_source_id(p_source) WHERE p_source IS NOT NULL;
	SELECT s.t_source, s.enm_source_type::text, s.enm_status::text,
	       coalesce(s.t_status_reason, CASE WHEN s.enm_source_type = 'pgsql' THEN
	           'a pgsql source is copied by init_replica only; it is not replicated continuously' END),
	       s.b_consistent,
	       date_trunc('second', clock_timestamp() - r.ts_last_received),
	       r.ts_last_received - p.ts_last_replayed,
	       r.ts_last_received, p.ts_last_replayed,
	       r.t_binlog_name || ':' || r.i_binlog_position,
	       p.t_binlog_name || ':' || p.i_binlog_position,
	       r.t_gtid_set, p.t_gtid_set,
	       b.pending_batches, b.pending_rows, b.replayed, b.skipped, b.ddl,
	       t.replicated, t.disabled, t.without_key,
	       (SELECT count(*) FROM sch_chameleon.t_error_log e WHERE e.i_id_source = s.i_id_source),
	       (SELECT count(*) FROM sch_chameleon.t_discarded_rows d WHERE d.i_id_source = s.i_id_source),
	       (SELECT string_agg(w.role || ' ' || w.pid, ', ' ORDER BY w.role)
	        FROM sch_chameleon.fn_worker_slots() w
	        WHERE w.source = s.t_source AND w.database = current_database()),
	       t.recopying,
	       s.b_paused OR s.b_maintenance, s.ts_last_maintenance,
	       CASE WHEN s.jsb_config ->> 'auto_maintenance' <> 'disabled' THEN
	           coalesce(s.ts_last_maintenance, s.ts_created) + (s.jsb_config ->> 'auto_maintenance')::interval END
	FROM sch_chameleon.t_sources s
	JOIN sch_chameleon.t_last_received r USING (i_id_source)
	JOIN sch_chameleon.t_last_replayed p USING (i_id_source)
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE NOT rb.b_replayed) AS pending_batches,
		       coalesce(sum(rb.i_rows - rb.i_replayed - rb.i_skipped) FILTER (WHERE NOT rb.b_replayed), 0)::bigint AS pending_rows,
		       coalesce(sum(rb.i_replayed), 0)::bigint AS replayed,
		       coalesce(sum(rb.i_skipped), 0)::bigint AS skipped,
		       coalesce(sum(rb.i_ddl), 0)::bigint AS ddl
		FROM sch_chameleon.t_replica_batch rb WHERE rb.i_id_source = s.i_id_source) b
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE rt.b_replica_enabled AND cardinality(rt.v_table_pkey) > 0) AS replicated,
		       count(*) FILTER (WHERE NOT rt.b_replica_enabled) AS disabled,
		       count(*) FILTER (WHERE cardinality(rt.v_table_pkey) = 0) AS without_key,
		       count(*) FILTER (WHERE rt.b_syncing AND rt.t_disabled_reason LIKE 're-copying: %') AS recopying
		FROM sch_chameleon.t_replica_tables rt WHERE rt.i_id_source = s.i_id_source) t
	WHERE p_source IS NULL OR s.t_source = p_source
	ORDER BY s.t_source
$$;
COMMENT ON FUNCTION chameleon.show_status(text) IS 'state, lag, positions and counters of each source';
REVOKE ALL ON FUNCTION chameleon.show_status(text) FROM PUBLIC;


-- 1.5, retention (doc/architecture.md, "Log storage and retention"): the log partition of each
-- source is LIST-partitioned by segment (t_log_replica_<id>_<segment>). The reader starts a new
-- segment when the current one is older than a quarter of batch_retention (1 s to 1 h); the
-- manager drops a segment, with its batches, once every batch in it was replayed longer ago than
-- batch_retention. Removing replayed data is a DROP TABLE, never a row delete.
CREATE TABLE sch_chameleon.t_log_segments (
	i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources ON DELETE CASCADE,
	i_segment bigint NOT NULL,
	ts_created timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (i_id_source, i_segment)
);
SELECT pg_catalog.pg_extension_config_dump('sch_chameleon.t_log_segments', '');
ALTER TABLE sch_chameleon.t_replica_batch ADD COLUMN i_segment bigint NOT NULL DEFAULT 0;
CREATE INDEX idx_t_replica_batch_segment ON sch_chameleon.t_replica_batch (i_id_source, i_segment);

CREATE FUNCTION sch_chameleon.fn_add_log_segment(p_id_source bigint, p_segment bigint)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format('CREATE TABLE sch_chameleon.%I PARTITION OF sch_chameleon.%I FOR VALUES IN (%s)',
	               't_log_replica_' || p_id_source || '_' || p_segment, 't_log_replica_' || p_id_source, p_segment);
	INSERT INTO sch_chameleon.t_log_segments (i_id_source, i_segment) VALUES (p_id_source, p_segment);
END;
$$;

CREATE FUNCTION sch_chameleon.fn_create_log_storage(p_id_source bigint)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format('CREATE TABLE sch_chameleon.%I PARTITION OF sch_chameleon.t_log_replica FOR VALUES IN (%s) '
	               'PARTITION BY LIST (i_segment)', 't_log_replica_' || p_id_source, p_id_source);
	PERFORM sch_chameleon.fn_add_log_segment(p_id_source, 0);
END;
$$;

CREATE FUNCTION sch_chameleon.fn_drop_log_segment(p_id_source bigint, p_segment bigint)
RETURNS void LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format('DROP TABLE sch_chameleon.%I', 't_log_replica_' || p_id_source || '_' || p_segment);
	DELETE FROM sch_chameleon.t_replica_batch WHERE i_id_source = p_id_source AND i_segment = p_segment;
	DELETE FROM sch_chameleon.t_log_segments WHERE i_id_source = p_id_source AND i_segment = p_segment;
END;
$$;
REVOKE ALL ON FUNCTION sch_chameleon.fn_add_log_segment(bigint, bigint),
	sch_chameleon.fn_create_log_storage(bigint), sch_chameleon.fn_drop_log_segment(bigint, bigint) FROM PUBLIC;

-- The log partitions of existing sources become segment 0 of the new storage.
DO $$
DECLARE
	v_id bigint;
BEGIN
	FOR v_id IN SELECT i_id_source FROM sch_chameleon.t_sources ORDER BY 1 LOOP
		EXECUTE format('ALTER TABLE sch_chameleon.t_log_replica DETACH PARTITION sch_chameleon.%I', 't_log_replica_' || v_id);
		EXECUTE format('ALTER TABLE sch_chameleon.%I RENAME TO %I', 't_log_replica_' || v_id, 't_log_replica_' || v_id || '_old');
		EXECUTE format('ALTER TABLE sch_chameleon.%I DROP CONSTRAINT %I', 't_log_replica_' || v_id || '_old',
		               (SELECT conname FROM pg_constraint
		                WHERE conrelid = ('sch_chameleon.t_log_replica_' || v_id || '_old')::regclass AND contype = 'p'));
	END LOOP;
END;
$$;
ALTER TABLE sch_chameleon.t_log_replica ADD COLUMN i_segment bigint NOT NULL DEFAULT 0;
ALTER TABLE sch_chameleon.t_log_replica DROP CONSTRAINT t_log_replica_pkey,
	ADD PRIMARY KEY (i_id_source, i_segment, i_id_batch, i_id_event);
DO $$
DECLARE
	v_id bigint;
	v_columns text := 'i_id_source, i_id_batch, i_id_event, v_schema_name, v_table_name, enm_binlog_event, '
	                  't_binlog_name, i_binlog_position, ts_event, t_query, b_event, b_table_map, i_rows, '
	                  'b_transaction_start, t_time_zone';
BEGIN
	FOR v_id IN SELECT i_id_source FROM sch_chameleon.t_sources ORDER BY 1 LOOP
		PERFORM sch_chameleon.fn_create_log_storage(v_id);
		-- as after add_source, the log storage of a source is no member of the extension
		EXECUTE format('ALTER EXTENSION pg_chameleon DROP TABLE sch_chameleon.%I', 't_log_replica_' || v_id);
		EXECUTE format('ALTER EXTENSION pg_chameleon DROP TABLE sch_chameleon.%I', 't_log_replica_' || v_id || '_0');
		EXECUTE format('INSERT INTO sch_chameleon.t_log_replica (%s) SELECT %s FROM sch_chameleon.%I',
		               v_columns, v_columns, 't_log_replica_' || v_id || '_old');
		EXECUTE format('DROP TABLE sch_chameleon.%I', 't_log_replica_' || v_id || '_old');
	END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_register_source(p_source text, p_config jsonb)
RETURNS bigint LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_owner regrole := sch_chameleon.fn_outer_user()::regrole;
BEGIN
	IF EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE t_source = p_source) THEN
		RAISE EXCEPTION 'source "%" already exists', p_source
			USING ERRCODE = 'duplicate_object',
			      HINT = 'Change it with chameleon.alter_source(), or choose another name.';
	END IF;
	IF p_source !~ '^[A-Za-z0-9_]{1,47}$' THEN
		RAISE EXCEPTION 'invalid source name "%"', p_source
			USING ERRCODE = 'invalid_name',
			      DETAIL = 'A source name has 1 to 47 characters: letters, digits and "_".',
			      HINT = 'Choose a name such as "shop" or "crm_eu".';
	END IF;
	PERFORM sch_chameleon.fn_check_schema_mappings(p_source, p_config -> 'schema_mappings');
	PERFORM sch_chameleon.fn_check_destination_schemas(p_source, p_config, v_owner);
	PERFORM sch_chameleon.fn_check_server_id(p_source, p_config);
	INSERT INTO sch_chameleon.t_sources (t_source, enm_source_type, jsb_config, jsb_schema_mappings, rol_owner)
	VALUES (p_source, (p_config ->> 'type')::sch_chameleon.en_src_type, p_config, p_config -> 'schema_mappings', v_owner)
	RETURNING i_id_source INTO v_id;
	INSERT INTO sch_chameleon.t_last_received (i_id_source) VALUES (v_id);
	INSERT INTO sch_chameleon.t_last_replayed (i_id_source) VALUES (v_id);
	PERFORM sch_chameleon.fn_create_log_storage(v_id);
	RETURN v_id;
END;
$$;


-------------------------------------------------------------------------------
-- 1.5, SQL surface: the parameters carry the names the documentation uses (doc/sql-api.md), so
-- that named notation works: wait_for_catchup('shop', timeout => '1 min'). CREATE OR REPLACE
-- cannot rename a parameter, so each function is dropped and created again with its comment and
-- its privileges (nothing is granted to PUBLIC, and what was granted before is granted again).
-- enable_replica says when there is nothing to enable.
-------------------------------------------------------------------------------
DROP FUNCTION chameleon.add_source(text, text);
CREATE FUNCTION chameleon.add_source(name text, config text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,config}', ARRAY[name IS NULL, config IS NULL]);
	v_id := sch_chameleon.fn_register_source(name, sch_chameleon.fn_parse_source(config));
	UPDATE sch_chameleon.t_sources
	SET b_password_required = enm_source_type = 'pgsql' AND NOT sch_chameleon.fn_caller_is_superuser()
	WHERE i_id_source = v_id;
	RETURN v_id;
END;
$$;
COMMENT ON FUNCTION chameleon.add_source(text, text) IS
	'registers a source from the YAML of one entry of a pg_chameleon "sources:" block';
REVOKE ALL ON FUNCTION chameleon.add_source(text, text) FROM PUBLIC;

DROP FUNCTION chameleon.alter_source(text, text);
CREATE FUNCTION chameleon.alter_source(name text, config text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,config}', ARRAY[name IS NULL, config IS NULL]);
	PERFORM sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_update_source(name, sch_chameleon.fn_parse_source(config));
	UPDATE sch_chameleon.t_sources
	SET b_password_required = enm_source_type = 'pgsql' AND NOT sch_chameleon.fn_caller_is_superuser()
	WHERE t_source = name;
END;
$$;
COMMENT ON FUNCTION chameleon.alter_source(text, text) IS
	'replaces the configuration of a stopped source';
REVOKE ALL ON FUNCTION chameleon.alter_source(text, text) FROM PUBLIC;

DROP FUNCTION chameleon.alter_source_owner(text, regrole);
CREATE FUNCTION chameleon.alter_source_owner(name text, owner regrole)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_old regrole;
	v_schema record;
	v_object record;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,owner}', ARRAY[name IS NULL, owner IS NULL]);
	v_id := sch_chameleon.fn_source_id(name);
	IF NOT sch_chameleon.fn_caller_is_superuser() THEN
		RAISE EXCEPTION 'permission denied to change the owner of source "%"', name
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'The workers of a source run with its owner''s rights: only a superuser may give a source to another role.',
			      HINT = 'Ask a superuser to run chameleon.alter_source_owner().';
	END IF;
	SELECT rol_owner INTO v_old FROM sch_chameleon.t_sources WHERE i_id_source = v_id FOR UPDATE;
	PERFORM sch_chameleon.fn_require_stopped(name, 'change the owner of');
	IF NOT (SELECT rolcanlogin FROM pg_roles WHERE oid = owner) THEN
		RAISE EXCEPTION 'role "%" cannot own source "%": it cannot log in', pg_get_userbyid(owner), name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The workers of a source connect to the database as its owner.',
			      HINT = format('Give the source to a role with LOGIN, or: ALTER ROLE %I LOGIN;', pg_get_userbyid(owner));
	END IF;
	IF v_old = owner THEN
		RETURN;
	END IF;
	FOR v_schema IN SELECT n.oid, n.nspname FROM sch_chameleon.t_source_schemas s
	                JOIN pg_namespace n ON n.nspname = s.v_schema_name
	                WHERE s.i_id_source = v_id AND n.nspowner = v_old ORDER BY n.nspname LOOP
		EXECUTE format('ALTER SCHEMA %I OWNER TO %I', v_schema.nspname, pg_get_userbyid(owner));
		FOR v_object IN
			SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
			                      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind, c.relname AS name
			FROM pg_class c
			WHERE c.relnamespace = v_schema.oid AND c.relowner = v_old AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
			  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
			                  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
			UNION ALL
			SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname
			FROM pg_type t
			WHERE t.typnamespace = v_schema.oid AND t.typowner = v_old AND t.typtype IN ('e', 'd', 'r')
			ORDER BY 1, 2
		LOOP
			EXECUTE format('ALTER %s %I.%I OWNER TO %I', v_object.kind, v_schema.nspname, v_object.name,
			               pg_get_userbyid(owner));
		END LOOP;
	END LOOP;
	UPDATE sch_chameleon.t_sources SET rol_owner = owner WHERE i_id_source = v_id;
END;
$$;
COMMENT ON FUNCTION chameleon.alter_source_owner(text, regrole) IS
	'gives a source (and the schemas it created) to another role, whose rights its workers then use (superuser only)';
REVOKE ALL ON FUNCTION chameleon.alter_source_owner(text, regrole) FROM PUBLIC;

DROP FUNCTION chameleon.load_config(text);
CREATE FUNCTION chameleon.load_config(config text, OUT source text, OUT action text)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_entry record;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{config}', ARRAY[config IS NULL]);
	FOR v_entry IN SELECT * FROM sch_chameleon.fn_parse_config_file(config) LOOP
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
COMMENT ON FUNCTION chameleon.load_config(text) IS
	'registers or updates every source of a whole pg_chameleon configuration file';
REVOKE ALL ON FUNCTION chameleon.load_config(text) FROM PUBLIC;

DROP FUNCTION chameleon.drop_source(text);
CREATE FUNCTION chameleon.drop_source(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(name);
BEGIN
	PERFORM sch_chameleon.fn_require_owner(name, 'drop');
	PERFORM 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id FOR UPDATE;
	PERFORM sch_chameleon.fn_require_stopped(name, 'drop');
	EXECUTE format('DROP TABLE IF EXISTS sch_chameleon.%I', 't_log_replica_' || v_id);
	DELETE FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
END;
$$;
COMMENT ON FUNCTION chameleon.drop_source(text) IS
	'removes a stopped source and its catalogue rows; the replicated PostgreSQL schemas stay';
REVOKE ALL ON FUNCTION chameleon.drop_source(text) FROM PUBLIC;

DROP FUNCTION chameleon.check_source(text);
CREATE FUNCTION chameleon.check_source(name text,
	OUT check_name text, OUT status text, OUT value text, OUT hint text)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(name);
	v_config jsonb;
BEGIN
	PERFORM sch_chameleon.fn_require_owner(name, 'check');
	SELECT jsb_config INTO v_config FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	RETURN QUERY SELECT * FROM sch_chameleon.fn_check_source(v_config);
	RETURN QUERY SELECT c.* FROM sch_chameleon.t_last_received r
		JOIN sch_chameleon.t_sources s USING (i_id_source),
		LATERAL sch_chameleon.fn_check_stored_position(v_config, r.t_binlog_name, r.i_binlog_position,
			coalesce(extract(epoch FROM clock_timestamp() - r.ts_last_received), 0)::double precision, name) c
	WHERE r.i_id_source = v_id AND r.t_binlog_name IS NOT NULL AND s.enm_source_type = 'mysql';
END;
$$;
COMMENT ON FUNCTION chameleon.check_source(text) IS
	'connects to the MySQL/MariaDB server of a source and reports each prerequisite';
REVOKE ALL ON FUNCTION chameleon.check_source(text) FROM PUBLIC;

DROP FUNCTION chameleon.init_replica(text, boolean);
CREATE FUNCTION chameleon.init_replica(name text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,wait}', ARRAY[name IS NULL, wait IS NULL]);
	PERFORM sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'initialise');
	PERFORM sch_chameleon.fn_require_stopped(name, 'initialise');
	PERFORM sch_chameleon.fn_check_destination_schemas(t_source, jsb_config, rol_owner)
	FROM sch_chameleon.t_sources WHERE t_source = name;
	PERFORM sch_chameleon.fn_init_replica(name, wait);
END;
$$;
COMMENT ON FUNCTION chameleon.init_replica(text, boolean) IS
	'copies every mapped table of the source into PostgreSQL in background workers; wait => true blocks until done';
REVOKE ALL ON FUNCTION chameleon.init_replica(text, boolean) FROM PUBLIC;

DROP FUNCTION chameleon.sync_tables(text, text[], boolean);
CREATE FUNCTION chameleon.sync_tables(name text, tables text[], wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_tables jsonb; -- [[MySQL schema, table], ...]
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,tables,wait}',
		ARRAY[name IS NULL, tables IS NULL, wait IS NULL]);
	IF array_position(tables, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'argument "tables" must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = 'NULL names no table.',
			      HINT = 'Give MySQL table names such as ''{shop.orders}'', or ''{disabled}''.';
	END IF;
	v_id := sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'copy tables of');
	IF tables = '{disabled}' THEN
		SELECT coalesce(jsonb_agg(jsonb_build_array(v_schema_origin, v_table_name)), '[]') INTO v_tables
		FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id AND NOT b_replica_enabled;
		IF jsonb_array_length(v_tables) = 0 THEN
			RAISE NOTICE 'source "%" has no disabled table', name;
			RETURN;
		END IF;
	ELSE
		SELECT jsonb_agg(to_jsonb(sch_chameleon.fn_split_table_name(v_id, t)) ORDER BY n) INTO v_tables
		FROM unnest(tables) WITH ORDINALITY AS u(t, n);
	END IF;
	PERFORM sch_chameleon.fn_request_sync(name, jsonb_build_object('tables', v_tables), wait);
END;
$$;
COMMENT ON FUNCTION chameleon.sync_tables(text, text[], boolean) IS
	'copies chosen tables again (or ''{disabled}'': the disabled ones) while the others keep replicating';
REVOKE ALL ON FUNCTION chameleon.sync_tables(text, text[], boolean) FROM PUBLIC;

DROP FUNCTION chameleon.resync_source(text, boolean);
CREATE FUNCTION chameleon.resync_source(name text, wait boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(name);
	v_tables jsonb; -- [[MySQL schema, table], ...]
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{wait}', ARRAY[wait IS NULL]);
	PERFORM sch_chameleon.fn_require_owner(name, 'resync');
	IF EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND (b_run_requested OR enm_status = 'running')) THEN
		RAISE EXCEPTION 'cannot resync source "%" while it replicates', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Stop it first: SELECT chameleon.stop_replica(%L);', name);
	END IF;
	SELECT jsonb_agg(jsonb_build_array(v_schema_origin, v_table_name) ORDER BY v_schema_origin, v_table_name)
	INTO v_tables
	FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id;
	IF v_tables IS NULL THEN
		RAISE EXCEPTION 'source "%" has no replicated table to copy again', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Copy it with SELECT chameleon.init_replica(%L, wait => true);', name);
	END IF;
	PERFORM sch_chameleon.fn_request_sync(name, jsonb_build_object('tables', v_tables), wait);
END;
$$;
COMMENT ON FUNCTION chameleon.resync_source(text, boolean) IS
	'copies every replicated table again and resumes reading from the copies (after a purged binlog)';
REVOKE ALL ON FUNCTION chameleon.resync_source(text, boolean) FROM PUBLIC;

DROP FUNCTION chameleon.refresh_schema(text, text, boolean);
CREATE FUNCTION chameleon.refresh_schema(name text, mysql_schema text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,mysql_schema,wait}',
		ARRAY[name IS NULL, mysql_schema IS NULL, wait IS NULL]);
	v_id := sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'refresh');
	IF NOT EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND jsb_schema_mappings ? mysql_schema) THEN
		RAISE EXCEPTION 'MySQL schema "%" is not mapped by source "%"', mysql_schema, name
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use one of the origin schemas of "schema_mappings".';
	END IF;
	PERFORM sch_chameleon.fn_request_sync(name, jsonb_build_object('schema', mysql_schema), wait);
END;
$$;
COMMENT ON FUNCTION chameleon.refresh_schema(text, text, boolean) IS
	'copies every table of one mapped MySQL schema again while the rest keeps replicating';
REVOKE ALL ON FUNCTION chameleon.refresh_schema(text, text, boolean) FROM PUBLIC;

DROP FUNCTION chameleon.copy_schema(text);
CREATE FUNCTION chameleon.copy_schema(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(name);
	v_type sch_chameleon.en_src_type;
BEGIN
	PERFORM sch_chameleon.fn_require_owner(name, 'copy the schema of');
	SELECT enm_source_type INTO v_type FROM sch_chameleon.t_sources WHERE i_id_source = v_id FOR UPDATE;
	IF v_type <> 'mysql' THEN
		RAISE EXCEPTION 'copy_schema does not support sources of type %', v_type
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Copy a pgsql source with chameleon.init_replica().';
	END IF;
	PERFORM sch_chameleon.fn_require_stopped(name, 'copy the schema of');
	PERFORM sch_chameleon.fn_copy_schema(name);
	PERFORM sch_chameleon.fn_create_mysql_foreign_keys(name);
	-- The tables are empty: nothing can be replicated into them until a copy fills them.
	DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = v_id;
	PERFORM sch_chameleon.fn_change_source_status(v_id, 'schema_copied', '', '');
	UPDATE sch_chameleon.t_sources SET b_consistent = true WHERE i_id_source = v_id;
END;
$$;
COMMENT ON FUNCTION chameleon.copy_schema(text) IS
	'creates the mapped MySQL schemas in PostgreSQL (tables, indexes, enum types, foreign keys) without data';
REVOKE ALL ON FUNCTION chameleon.copy_schema(text) FROM PUBLIC;

DROP FUNCTION chameleon.detach_replica(text);
CREATE FUNCTION chameleon.detach_replica(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(name);
	v_source record;
	v_column record;
BEGIN
	PERFORM sch_chameleon.fn_require_owner(name, 'detach');
	PERFORM chameleon.stop_replica(name);
	SELECT jsb_schema_mappings, jsb_config INTO v_source FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	-- Identity columns continue after the values MySQL assigned.
	FOR v_column IN
		SELECT n.nspname, c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN (SELECT value FROM jsonb_each_text(v_source.jsb_schema_mappings)) AND c.relkind IN ('r', 'p')
		  AND a.attnum > 0 AND NOT a.attisdropped
		  AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
	LOOP
		PERFORM sch_chameleon.fn_execute_as_owner(v_id,
			format('SELECT setval(%L, coalesce(max(%I), 1), max(%I) IS NOT NULL) FROM %I.%I', v_column.seq,
			       v_column.attname, v_column.attname, v_column.nspname, v_column.relname));
	END LOOP;
	-- Foreign keys as in MySQL, unless the PostgreSQL tables are the user's own (keep_existing_schema).
	IF NOT (v_source.jsb_config -> 'keep_existing_schema')::boolean THEN
		PERFORM sch_chameleon.fn_create_mysql_foreign_keys(name);
	END IF;
	PERFORM chameleon.drop_source(name);
END;
$$;
COMMENT ON FUNCTION chameleon.detach_replica(text) IS
	'the migration cut-over: stops the source for good, continues identities, creates the foreign keys, drops the source';
REVOKE ALL ON FUNCTION chameleon.detach_replica(text) FROM PUBLIC;

DROP FUNCTION chameleon.start_replica(text);
CREATE FUNCTION chameleon.start_replica(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_source record;
BEGIN
	PERFORM sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'start');
	SELECT * INTO v_source FROM sch_chameleon.t_sources WHERE t_source = name FOR UPDATE;
	IF v_source.enm_source_type <> 'mysql' THEN
		RAISE EXCEPTION 'source "%" of type % cannot replicate', name, v_source.enm_source_type
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Sources of type pgsql are copied by init_replica only.';
	END IF;
	IF v_source.enm_status = 'running' AND v_source.b_run_requested THEN
		-- Running: start whichever worker is missing (after a crash, before the launcher does).
		PERFORM sch_chameleon.fn_start_workers(name);
		RETURN;
	END IF;
	IF v_source.enm_status = 'ready' THEN
		RAISE EXCEPTION 'source "%" has not been copied yet', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Run SELECT chameleon.init_replica(%L, wait => true); first.', name);
	END IF;
	IF v_source.enm_status = 'error' THEN
		RAISE EXCEPTION 'source "%" is in error: %', name, coalesce(v_source.t_status_reason, 'no reason recorded')
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Fix the cause, then SELECT chameleon.enable_replica(%L); and start it again.', name);
	END IF;
	IF v_source.enm_status NOT IN ('initialised', 'stopped', 'synced') THEN
		RAISE EXCEPTION 'cannot start source "%" while it is %', name, v_source.enm_status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Wait until it is initialised, or look at chameleon.show_status().';
	END IF;
	PERFORM sch_chameleon.fn_change_source_status(v_source.i_id_source, 'started', '', '');
	PERFORM sch_chameleon.fn_start_workers(name);
END;
$$;
COMMENT ON FUNCTION chameleon.start_replica(text) IS 'starts the reader and replay workers of a copied source';
REVOKE ALL ON FUNCTION chameleon.start_replica(text) FROM PUBLIC;

DROP FUNCTION chameleon.stop_replica(text);
CREATE FUNCTION chameleon.stop_replica(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'stop');
	UPDATE sch_chameleon.t_sources SET b_run_requested = false WHERE t_source = name;
	IF NOT sch_chameleon.fn_stop_workers(name, interval '60 s') THEN
		RAISE EXCEPTION 'the workers of source "%" did not stop within 60 s', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Look at chameleon.workers and the server log; stop_replica can be called again.';
	END IF;
	PERFORM sch_chameleon.fn_change_source_status(sch_chameleon.fn_source_id(name), 'stopped', '', '');
END;
$$;
COMMENT ON FUNCTION chameleon.stop_replica(text) IS 'stops the reader and replay workers of a source cleanly';
REVOKE ALL ON FUNCTION chameleon.stop_replica(text) FROM PUBLIC;

DROP FUNCTION chameleon.enable_replica(text);
CREATE FUNCTION chameleon.enable_replica(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_status sch_chameleon.en_src_status;
BEGIN
	PERFORM sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'enable');
	PERFORM sch_chameleon.fn_require_stopped(name, 'enable');
	IF sch_chameleon.fn_change_source_status(sch_chameleon.fn_source_id(name), 'enabled', '', '') IS NOT NULL THEN
		UPDATE sch_chameleon.t_sources SET b_maintenance = false WHERE t_source = name;
	ELSE
		SELECT enm_status INTO v_status FROM sch_chameleon.t_sources WHERE t_source = name;
		RAISE NOTICE 'source "%" is not in error (it is %): nothing to enable', name, v_status
			USING HINT = CASE v_status WHEN 'ready' THEN format('Copy it first: SELECT chameleon.init_replica(%L);', name)
			                           ELSE format('Start it: SELECT chameleon.start_replica(%L);', name) END;
	END IF;
END;
$$;
COMMENT ON FUNCTION chameleon.enable_replica(text) IS 'clears the error state of a source so that it can be started again';
REVOKE ALL ON FUNCTION chameleon.enable_replica(text) FROM PUBLIC;

DROP FUNCTION chameleon.wait_for_catchup(text, interval);
CREATE FUNCTION chameleon.wait_for_catchup(name text, timeout interval DEFAULT '5 min')
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,timeout}', ARRAY[name IS NULL, timeout IS NULL]);
	PERFORM sch_chameleon.fn_source_id(name);
	RETURN sch_chameleon.fn_wait_for_catchup(name, timeout);
END;
$$;
COMMENT ON FUNCTION chameleon.wait_for_catchup(text, interval) IS
	'waits until everything MySQL had written when it was called is replayed; false on timeout';
REVOKE ALL ON FUNCTION chameleon.wait_for_catchup(text, interval) FROM PUBLIC;

DROP FUNCTION chameleon.verify_tables(text, text[], boolean, boolean);
CREATE FUNCTION chameleon.verify_tables(name text, tables text[] DEFAULT NULL, resync boolean DEFAULT false,
                                        wait boolean DEFAULT true)
RETURNS SETOF chameleon.verification LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_run bigint;
	v_tables jsonb; -- [[MySQL schema, table], ...], or JSON null for every table
	v_unknown text;
	v_failed text;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{name,resync,wait}',
	                                           ARRAY[name IS NULL, resync IS NULL, wait IS NULL]);
	IF array_position(tables, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'argument "tables" must not contain null'
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = 'NULL names no table.',
			      HINT = 'Give MySQL table names such as ''{shop.orders}'', or leave the argument out for every table.';
	END IF;
	v_id := sch_chameleon.fn_source_id(name);
	PERFORM sch_chameleon.fn_require_owner(name, 'verify');
	IF wait AND current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'verify_tables with wait => true needs a transaction in READ COMMITTED'
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'It returns what the verify worker has written since it started, which a transaction snapshot would hide.',
			      HINT = 'Call it outside an explicit transaction, or in one at READ COMMITTED, or with wait => false.';
	END IF;
	-- the names of sync_tables: schema.table, a part in double quotes when it holds '.' or '"'
	SELECT coalesce(jsonb_agg(to_jsonb(sch_chameleon.fn_split_table_name(v_id, t)) ORDER BY n), '[]') INTO v_tables
	FROM unnest(tables) WITH ORDINALITY AS u(t, n);
	SELECT string_agg(format('"%s"', p ->> 0 || '.' || (p ->> 1)), ', ') INTO v_unknown
	FROM jsonb_array_elements(v_tables) p
	WHERE NOT EXISTS (SELECT 1 FROM sch_chameleon.t_replica_tables r
	                  WHERE r.i_id_source = v_id AND r.v_schema_origin = p ->> 0 AND r.v_table_name = p ->> 1);
	IF v_unknown IS NOT NULL THEN
		RAISE EXCEPTION 'source "%" replicates no table %', name, v_unknown
			USING ERRCODE = 'undefined_table',
			      HINT = format('Name tables with their MySQL names: SELECT mysql_table FROM chameleon.tables WHERE source = %L;',
			                    name);
	END IF;
	IF EXISTS (SELECT 1 FROM sch_chameleon.fn_worker_slots() w WHERE w.source = name
	           AND w.database = current_database() AND w.role = 'verify') THEN
		RAISE EXCEPTION 'a verification of source "%" is already running', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Follow it with SELECT * FROM chameleon.verification WHERE source = %L;', name);
	END IF;
	v_run := nextval('sch_chameleon.s_verification_run');
	IF tables IS NULL THEN
		v_tables := 'null';
	END IF;
	PERFORM sch_chameleon.fn_verify_tables(name, v_tables, v_run, resync, wait);
	IF NOT wait THEN
		-- the tables the worker verifies, queued (it lists them so in chameleon.verification)
		RETURN QUERY SELECT name, v_run, r.v_schema_origin || '.' || r.v_table_name,
		                    (r.jsb_layout ->> 'destination_schema') || '.' || (r.jsb_layout ->> 'destination_table'),
		                    'queued'::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
		                    '[]'::jsonb, clock_timestamp(), NULL::timestamptz, NULL::text
		FROM sch_chameleon.t_replica_tables r
		WHERE r.i_id_source = v_id AND r.jsb_layout IS NOT NULL
		  AND (v_tables = 'null' OR v_tables @> jsonb_build_array(jsonb_build_array(r.v_schema_origin, r.v_table_name)))
		ORDER BY 3;
		RETURN;
	END IF;
	SELECT v.t_state INTO v_failed FROM sch_chameleon.t_verification v
	WHERE v.i_id_source = v_id AND v.i_run = v_run AND v.t_state LIKE 'failed: %' LIMIT 1;
	IF v_failed IS NOT NULL THEN
		RAISE EXCEPTION 'verify_tables of source "%" failed', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = substr(v_failed, 9),
			      HINT = format('Fix the cause and call it again; SELECT * FROM chameleon.verification WHERE source = %L shows each table.',
			                    name);
	END IF;
	RETURN QUERY SELECT * FROM chameleon.verification v WHERE v.source = name AND v.run = v_run ORDER BY v.mysql_table;
END;
$$;
COMMENT ON FUNCTION chameleon.verify_tables(text, text[], boolean, boolean) IS
	'compares the replicated tables with MySQL in a verify worker, range by range of their keys, and lists the rows that differ';
REVOKE ALL ON FUNCTION chameleon.verify_tables(text, text[], boolean, boolean) FROM PUBLIC;

DROP FUNCTION chameleon.show_errors(text);
CREATE FUNCTION chameleon.show_errors(name text DEFAULT NULL,
	OUT id bigint, OUT source text, OUT batch bigint, OUT mysql_schema text, OUT mysql_table text,
	OUT row_key text, OUT binlog_position text, OUT error_time timestamptz, OUT sql text, OUT sqlstate text,
	OUT error text)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sch_chameleon.fn_source_id(name) WHERE name IS NOT NULL;
	SELECT e.i_id_log, s.t_source, e.i_id_batch, e.v_schema_name, e.v_table_name, e.t_table_pkey,
	       e.t_binlog_name || ':' || e.i_binlog_position, e.ts_error, e.t_sql, e.t_sqlstate, e.t_error_message
	FROM sch_chameleon.t_error_log e JOIN sch_chameleon.t_sources s USING (i_id_source)
	WHERE name IS NULL OR s.t_source = name
	ORDER BY e.i_id_log
$$;
COMMENT ON FUNCTION chameleon.show_errors(text) IS 'replay errors, of one source or of all';
REVOKE ALL ON FUNCTION chameleon.show_errors(text) FROM PUBLIC;

DROP FUNCTION chameleon.binlog_events(text, bigint, bigint);
CREATE FUNCTION chameleon.binlog_events(path text, start_position bigint DEFAULT 0,
	max_events bigint DEFAULT NULL,
	OUT "position" bigint, OUT event_type text, OUT event_time timestamptz, OUT server_id bigint,
	OUT end_position bigint, OUT in_payload boolean, OUT schema_name text, OUT table_name text,
	OUT info text, OUT rows jsonb)
RETURNS SETOF record LANGUAGE c CALLED ON NULL INPUT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_binlog_events';
COMMENT ON FUNCTION chameleon.binlog_events(text, bigint, bigint) IS
	'decodes a MySQL/MariaDB binlog file on the server: one row per event, row images as jsonb (superuser only)';
REVOKE ALL ON FUNCTION chameleon.binlog_events(text, bigint, bigint) FROM PUBLIC;

DROP FUNCTION chameleon.show_status(text);
CREATE FUNCTION chameleon.show_status(name text DEFAULT NULL)
RETURNS TABLE (
	source text, type text, status text, status_reason text, consistent boolean,
	read_lag interval, replay_lag interval, last_received timestamptz, last_replayed timestamptz,
	read_position text, replayed_position text, gtid_read text, gtid_replayed text,
	pending_batches bigint, pending_rows bigint, replayed_rows bigint, skipped_rows bigint,
	ddl_statements bigint, tables_replicated bigint, tables_disabled bigint, tables_without_key bigint,
	errors bigint, discarded_rows bigint, workers text, tables_recopying bigint,
	paused boolean, last_maintenance timestamptz, next_maintenance timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sch_chameleon.fn_source_id(name) WHERE name IS NOT NULL;
	SELECT s.t_source, s.enm_source_type::text, s.enm_status::text,
	       coalesce(s.t_status_reason, CASE WHEN s.enm_source_type = 'pgsql' THEN
	           'a pgsql source is copied by init_replica only; it is not replicated continuously' END),
	       s.b_consistent,
	       date_trunc('second', clock_timestamp() - r.ts_last_received),
	       r.ts_last_received - p.ts_last_replayed,
	       r.ts_last_received, p.ts_last_replayed,
	       r.t_binlog_name || ':' || r.i_binlog_position,
	       p.t_binlog_name || ':' || p.i_binlog_position,
	       r.t_gtid_set, p.t_gtid_set,
	       b.pending_batches, b.pending_rows, b.replayed, b.skipped, b.ddl,
	       t.replicated, t.disabled, t.without_key,
	       (SELECT count(*) FROM sch_chameleon.t_error_log e WHERE e.i_id_source = s.i_id_source),
	       (SELECT count(*) FROM sch_chameleon.t_discarded_rows d WHERE d.i_id_source = s.i_id_source),
	       (SELECT string_agg(w.role || ' ' || w.pid, ', ' ORDER BY w.role)
	        FROM sch_chameleon.fn_worker_slots() w
	        WHERE w.source = s.t_source AND w.database = current_database()),
	       t.recopying,
	       s.b_paused OR s.b_maintenance, s.ts_last_maintenance,
	       CASE WHEN s.jsb_config ->> 'auto_maintenance' <> 'disabled' THEN
	           coalesce(s.ts_last_maintenance, s.ts_created) + (s.jsb_config ->> 'auto_maintenance')::interval END
	FROM sch_chameleon.t_sources s
	JOIN sch_chameleon.t_last_received r USING (i_id_source)
	JOIN sch_chameleon.t_last_replayed p USING (i_id_source)
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE NOT rb.b_replayed) AS pending_batches,
		       coalesce(sum(rb.i_rows - rb.i_replayed - rb.i_skipped) FILTER (WHERE NOT rb.b_replayed), 0)::bigint AS pending_rows,
		       coalesce(sum(rb.i_replayed), 0)::bigint AS replayed,
		       coalesce(sum(rb.i_skipped), 0)::bigint AS skipped,
		       coalesce(sum(rb.i_ddl), 0)::bigint AS ddl
		FROM sch_chameleon.t_replica_batch rb WHERE rb.i_id_source = s.i_id_source) b
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE rt.b_replica_enabled AND cardinality(rt.v_table_pkey) > 0) AS replicated,
		       count(*) FILTER (WHERE NOT rt.b_replica_enabled) AS disabled,
		       count(*) FILTER (WHERE cardinality(rt.v_table_pkey) = 0) AS without_key,
		       count(*) FILTER (WHERE rt.b_syncing AND rt.t_disabled_reason LIKE 're-copying: %') AS recopying
		FROM sch_chameleon.t_replica_tables rt WHERE rt.i_id_source = s.i_id_source) t
	WHERE name IS NULL OR s.t_source = name
	ORDER BY s.t_source
$$;
COMMENT ON FUNCTION chameleon.show_status(text) IS 'state, lag, positions and counters of each source';
REVOKE ALL ON FUNCTION chameleon.show_status(text) FROM PUBLIC;

DO $grants$
DECLARE
	v_grant jsonb;
BEGIN
	FOR v_grant IN SELECT * FROM jsonb_array_elements(current_setting('chameleon_upgrade.grants')::jsonb) LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s%s', v_grant ->> 'function',
		               CASE WHEN (v_grant ->> 'grantee')::oid = 0 THEN 'PUBLIC'
		                    ELSE quote_ident(pg_get_userbyid((v_grant ->> 'grantee')::oid)) END,
		               CASE WHEN (v_grant ->> 'grantable')::boolean THEN ' WITH GRANT OPTION' ELSE '' END);
	END LOOP;
END;
$grants$;

-------------------------------------------------------------------------------
-- 1.5, moving from the Python pg_chameleon 2.0 (doc/migrating.md): import_python_catalogue reads
-- the old catalogue (schema sch_chameleon renamed, as CREATE EXTENSION asks), checks it against the
-- configuration file and registers its sources, their tables with their consistent points, the
-- disabled tables and the read positions, all in the caller's transaction: an error leaves nothing
-- behind, and the old schema is only read.
-------------------------------------------------------------------------------
-- The layout of every table a configuration keeps, read from MySQL, with the types of the existing
-- PostgreSQL table (src/pg/python_import.cpp).
CREATE FUNCTION sch_chameleon.fn_import_layouts(p_config jsonb,
	OUT v_schema_origin text, OUT v_table_name text, OUT b_exists boolean, OUT jsb_layout jsonb)
RETURNS SETOF record LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_import_layouts';
REVOKE ALL ON FUNCTION sch_chameleon.fn_import_layouts(jsonb) FROM PUBLIC;

CREATE FUNCTION chameleon.import_python_catalogue(old_schema text, config text,
	OUT source text, OUT status text, OUT read_position text, OUT tables bigint, OUT disabled_tables bigint)
RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_version text;
	v_old_sources jsonb;
	v_new_sources jsonb := '{}';
	v_problems text[] := '{}';
	v_name text;
	v_old record;
	v_cfg jsonb;
	v_id bigint;
	v_position record;
	v_table record;
	v_old_table record;
	v_destination text;
	v_enabled boolean;
	v_reason text;
	v_missing text;
	v_high record;
BEGIN
	PERFORM sch_chameleon.fn_require_arguments('{old_schema,config}', ARRAY[old_schema IS NULL, config IS NULL]);
	IF NOT sch_chameleon.fn_caller_is_superuser() THEN
		RAISE EXCEPTION 'permission denied to import a catalogue of the Python pg_chameleon'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'The import reads another schema and creates sources with their tables.',
			      HINT = 'Ask a superuser to run it; the sources then belong to that superuser '
			             '(chameleon.alter_source_owner() gives them to another role).';
	END IF;
	IF to_regclass(format('%I.v_version', old_schema)) IS NULL OR to_regclass(format('%I.t_sources', old_schema)) IS NULL
	   OR to_regclass(format('%I.t_replica_tables', old_schema)) IS NULL THEN
		RAISE EXCEPTION 'schema "%" holds no catalogue of the Python pg_chameleon', old_schema
			USING ERRCODE = 'undefined_object',
			      HINT = 'Give the schema the old sch_chameleon was renamed to (ALTER SCHEMA sch_chameleon RENAME TO ...).';
	END IF;
	-- The old schema belongs to the role the Python tool ran as, and this function runs as the
	-- extension's owner: it reads plain tables only (no view, no function of that role runs), and
	-- the version from v_version's definition, never by running the view.
	SELECT string_agg(format('%I.%I', old_schema, r.n), ', ' ORDER BY r.n) INTO v_missing
	FROM unnest(ARRAY['t_sources', 't_replica_tables', 't_replica_batch', 't_log_replica']) r(n)
	WHERE (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(format('%I.%I', old_schema, r.n))) IS DISTINCT FROM 'r';
	IF v_missing IS NOT NULL THEN
		RAISE EXCEPTION 'the catalogue in schema "%" is not made of plain tables: %', old_schema, v_missing
			USING ERRCODE = 'wrong_object_type',
			      DETAIL = 'The import reads only the tables of a Python pg_chameleon catalogue.',
			      HINT = 'Give the schema the Python tool created, unchanged.';
	END IF;
	v_version := substring(pg_get_viewdef(to_regclass(format('%I.v_version', old_schema))) FROM '(2\.0\.[0-9]+)');
	IF v_version IS NULL OR v_version !~ '^2\.0\.([0-9]|10)$' THEN
		RAISE EXCEPTION 'catalogue version % of the Python pg_chameleon is not supported', coalesce(v_version, 'NULL')
			USING ERRCODE = 'feature_not_supported',
			      DETAIL = 'The import reads catalogues 2.0.0 to 2.0.10 (pg_chameleon 2.0).',
			      HINT = 'Upgrade the old catalogue with the Python tool first (chameleon upgrade_replica_schema).';
	END IF;

	-- The Python replicas must be stopped: their positions must not move any more.
	EXECUTE format('SELECT string_agg(format(''"%%s" (%%s)'', t_source, enm_status), '', '' ORDER BY t_source) '
	               'FROM %I.t_sources WHERE enm_status::text NOT IN (''ready'', ''initialised'', ''stopped'')',
	               old_schema) INTO v_missing;
	IF v_missing IS NOT NULL THEN
		RAISE EXCEPTION 'sources of the Python pg_chameleon are not stopped: %', v_missing
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The import takes the positions the old catalogue holds; they must not move any more.',
			      HINT = 'Stop them with the Python tool (chameleon stop_all_replicas --config <file>), or enable '
			             'a source in error (chameleon enable_replica), then import again.';
	END IF;

	-- The configuration names exactly the old catalogue's sources, with the same schema_mappings.
	EXECUTE format('SELECT coalesce(jsonb_object_agg(t_source, jsonb_build_object(''schema_mappings'', '
	               'jsb_schema_mappings, ''type'', enm_source_type::text)), ''{}'') FROM %I.t_sources', old_schema)
		INTO v_old_sources;
	SELECT coalesce(jsonb_object_agg(e.source, e.config), '{}') INTO v_new_sources
	FROM sch_chameleon.fn_parse_config_file(config) e;
	FOR v_name IN SELECT k FROM jsonb_object_keys(v_old_sources || v_new_sources) k ORDER BY 1 LOOP
		IF NOT v_new_sources ? v_name THEN
			v_problems := v_problems || format('source "%s" of the old catalogue is not in the configuration', v_name);
		ELSIF NOT v_old_sources ? v_name THEN
			v_problems := v_problems || format('source "%s" of the configuration is not in the old catalogue', v_name);
		ELSIF v_new_sources #> ARRAY[v_name, 'schema_mappings'] <> v_old_sources #> ARRAY[v_name, 'schema_mappings'] THEN
			v_problems := v_problems || format('source "%s" maps %s in the configuration but %s in the old catalogue',
			                                   v_name, v_new_sources #> ARRAY[v_name, 'schema_mappings'],
			                                   v_old_sources #> ARRAY[v_name, 'schema_mappings']);
		ELSIF v_new_sources #>> ARRAY[v_name, 'type'] <> v_old_sources #>> ARRAY[v_name, 'type'] THEN
			v_problems := v_problems || format('source "%s" has type %s in the configuration but %s in the old catalogue',
			                                   v_name, v_new_sources #>> ARRAY[v_name, 'type'],
			                                   v_old_sources #>> ARRAY[v_name, 'type']);
		END IF;
	END LOOP;
	IF cardinality(v_problems) > 0 THEN
		RAISE EXCEPTION 'the configuration does not match the catalogue in schema "%"', old_schema
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = array_to_string(v_problems, '; ') || '.',
			      HINT = 'Give the configuration file the Python tool replicated with; nothing was imported.';
	END IF;

	FOR v_old IN EXECUTE format('SELECT i_id_source, t_source, enm_status::text AS old_status, t_binlog_name, '
	                            'i_binlog_position, b_consistent FROM %I.t_sources ORDER BY i_id_source', old_schema) LOOP
		v_cfg := v_new_sources -> v_old.t_source;
		-- The destination schemas exist (the Python tool made them): registered as the source's own,
		-- so that init_replica may replace them later, like the schemas it creates.
		v_id := sch_chameleon.fn_register_source(v_old.t_source, v_cfg || '{"keep_existing_schema": true}');
		UPDATE sch_chameleon.t_sources SET jsb_config = v_cfg WHERE i_id_source = v_id;
		INSERT INTO sch_chameleon.t_source_schemas (i_id_source, v_schema_name)
		SELECT v_id, m.value FROM jsonb_each_text(v_cfg -> 'schema_mappings') m
		WHERE to_regnamespace(quote_ident(m.value)) IS NOT NULL;
		source := v_old.t_source;
		status := 'ready';
		read_position := NULL;
		tables := 0;
		disabled_tables := 0;
		IF v_old.old_status = 'ready' THEN -- never copied: init_replica copies it
			RETURN NEXT;
			CONTINUE;
		END IF;

		-- Rows read by the Python tool but not replayed would be skipped by a position taken after
		-- them: the old replica must have replayed everything it read.
		EXECUTE format('SELECT count(*) FROM %I.t_log_replica l JOIN %I.t_replica_batch b USING (i_id_batch) '
		               'WHERE b.i_id_source = $1 AND NOT b.b_replayed', old_schema, old_schema)
			INTO tables USING v_old.i_id_source;
		IF tables > 0 THEN
			RAISE EXCEPTION 'source "%" of the old catalogue has % rows read but not replayed', v_old.t_source, tables
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      DETAIL = 'The import resumes after what the Python tool read; those rows would be lost.',
				      HINT = 'Start the Python replica again, let it replay until chameleon show_status shows no '
				             'batch left to replay, stop it, then import again.';
		END IF;
		tables := 0;
		-- Where the Python tool would resume: its newest batch not read to the end, else the
		-- position its init_replica recorded.
		EXECUTE format('SELECT b.t_binlog_name, b.i_binlog_position, to_jsonb(b) ->> ''t_gtid_set'' AS t_gtid_set '
		               'FROM %I.t_replica_batch b WHERE b.i_id_source = $1 AND NOT b.b_processed '
		               'ORDER BY b.i_id_batch DESC LIMIT 1', old_schema)
			INTO v_position USING v_old.i_id_source;
		IF v_position.t_binlog_name IS NULL THEN
			SELECT v_old.t_binlog_name, v_old.i_binlog_position, NULL::text INTO v_position;
		END IF;
		IF v_position.t_binlog_name IS NULL THEN
			RAISE EXCEPTION 'source "%" of the old catalogue has no read position', v_old.t_source
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      DETAIL = 'It has no batch left to read and no position from its init_replica.',
				      HINT = 'Start and stop it once with the Python tool, or drop it from the old catalogue and the '
				             'configuration and copy it again with chameleon.init_replica() after the import.';
		END IF;

		FOR v_table IN SELECT * FROM sch_chameleon.fn_import_layouts(v_cfg) LOOP
			v_destination := v_cfg #>> ARRAY['schema_mappings', v_table.v_schema_origin];
			v_old_table := NULL;
			EXECUTE format('SELECT t.t_binlog_name, t.i_binlog_position, t.b_replica_enabled, '
			               '(SELECT e.t_error_message FROM %1$I.t_error_log e WHERE e.i_id_source = t.i_id_source '
			               ' AND e.v_schema_name = t.v_schema_name AND e.v_table_name = t.v_table_name '
			               ' ORDER BY e.i_id_log DESC LIMIT 1) AS t_error '
			               'FROM %1$I.t_replica_tables t WHERE t.i_id_source = $1 AND t.v_schema_name = $2 '
			               'AND t.v_table_name = $3', old_schema)
				INTO v_old_table USING v_old.i_id_source, v_destination, v_table.v_table_name;
			IF v_old_table.b_replica_enabled IS NOT NULL AND NOT v_table.b_exists THEN
				RAISE EXCEPTION 'table "%.%" of source "%" is missing in PostgreSQL', v_destination,
					v_table.jsb_layout ->> 'destination_table', v_old.t_source
					USING ERRCODE = 'undefined_table',
					      DETAIL = 'The old catalogue replicates it, so the Python tool created it.',
					      HINT = 'Restore the table, or remove it from the old catalogue and copy it with '
					             'chameleon.sync_tables() after the import.';
			END IF;
			v_enabled := coalesce(v_old_table.b_replica_enabled, v_table.jsb_layout -> 'key' = '[]');
			v_reason := CASE
				WHEN v_old_table.b_replica_enabled IS NOT NULL AND NOT v_enabled THEN
					'disabled by the Python pg_chameleon' || coalesce(': ' || v_old_table.t_error, '')
				WHEN NOT v_enabled AND v_table.b_exists THEN
					'not replicated by the Python pg_chameleon; copy it with chameleon.sync_tables()'
				WHEN NOT v_enabled THEN
					'not copied by the Python pg_chameleon; copy it with chameleon.sync_tables()' END;
			INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, v_table_name,
				v_table_pkey, t_binlog_name, i_binlog_position, b_replica_enabled, t_disabled_reason, ts_disabled,
				jsb_layout)
			VALUES (v_id, v_table.v_schema_origin, v_destination, v_table.v_table_name,
				ARRAY(SELECT jsonb_array_elements_text(v_table.jsb_layout -> 'key')), v_old_table.t_binlog_name,
				v_old_table.i_binlog_position, v_enabled, v_reason, CASE WHEN NOT v_enabled THEN clock_timestamp() END,
				v_table.jsb_layout);
		END LOOP;
		-- Every table the old catalogue replicates must still be in MySQL and kept by the configuration.
		EXECUTE format('SELECT string_agg(format(''%%I.%%I'', t.v_schema_name, t.v_table_name), '', '' '
		               'ORDER BY t.v_schema_name, t.v_table_name) FROM %I.t_replica_tables t WHERE t.i_id_source = $1 '
		               'AND NOT EXISTS (SELECT 1 FROM sch_chameleon.t_replica_tables n WHERE n.i_id_source = $2 '
		               'AND n.v_schema_name = t.v_schema_name AND n.v_table_name = t.v_table_name)', old_schema)
			INTO v_missing USING v_old.i_id_source, v_id;
		IF v_missing IS NOT NULL THEN
			RAISE EXCEPTION 'tables of source "%" in the old catalogue are not in MySQL or not kept by the configuration: %',
				v_old.t_source, v_missing
				USING ERRCODE = 'invalid_parameter_value',
				      HINT = 'Give the configuration file the Python tool replicated with, and check that MySQL '
				             'still has these tables; nothing was imported.';
		END IF;

		UPDATE sch_chameleon.t_last_received SET t_binlog_name = v_position.t_binlog_name,
			i_binlog_position = v_position.i_binlog_position, t_gtid_set = v_position.t_gtid_set
		WHERE i_id_source = v_id;
		UPDATE sch_chameleon.t_last_replayed SET t_binlog_name = v_position.t_binlog_name,
			i_binlog_position = v_position.i_binlog_position, t_gtid_set = v_position.t_gtid_set
		WHERE i_id_source = v_id;
		-- Not consistent yet (a source never started): consistent once the replay passes the latest
		-- consistent point of its tables, the high watermark.
		SELECT t.t_binlog_name, t.i_binlog_position INTO v_high FROM sch_chameleon.t_replica_tables t
		WHERE t.i_id_source = v_id AND t.t_binlog_name IS NOT NULL
		ORDER BY sch_chameleon.fn_binlog_order(t.t_binlog_name) DESC, t.i_binlog_position DESC LIMIT 1;
		PERFORM sch_chameleon.fn_change_source_status(v_id, 'imported', '', v_old.old_status);
		UPDATE sch_chameleon.t_sources SET b_consistent = v_old.b_consistent,
			t_binlog_name = CASE WHEN NOT v_old.b_consistent THEN coalesce(v_high.t_binlog_name, v_position.t_binlog_name) END,
			i_binlog_position = CASE WHEN NOT v_old.b_consistent
			                         THEN coalesce(v_high.i_binlog_position, v_position.i_binlog_position) END
		WHERE i_id_source = v_id;
		status := v_old.old_status;
		read_position := v_position.t_binlog_name || ':' || v_position.i_binlog_position;
		SELECT count(*), count(*) FILTER (WHERE NOT t.b_replica_enabled) INTO tables, disabled_tables
		FROM sch_chameleon.t_replica_tables t WHERE t.i_id_source = v_id;
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION chameleon.import_python_catalogue(text, text) IS
	'registers the sources of a catalogue of the Python pg_chameleon 2.0, with their tables and positions, so that start_replica goes on where it stopped';
REVOKE ALL ON FUNCTION chameleon.import_python_catalogue(text, text) FROM PUBLIC;

-- The position order is pure and used by chameleon.tables, which monitoring roles read.
GRANT EXECUTE ON FUNCTION sch_chameleon.fn_binlog_order(text) TO PUBLIC;

-- The log holds chunks of events (src/core/log_chunk.hpp): one row per few kilobytes of binlog, keyed
-- by its batch and the id of its last event, instead of one row per event. Rows written before the
-- update become chunks of one event each, in the chunk format (integers big-endian).
ALTER TABLE sch_chameleon.t_log_replica ADD COLUMN i_events integer NOT NULL DEFAULT 1,
	ADD COLUMN b_events bytea;
UPDATE sch_chameleon.t_log_replica SET b_events = CASE WHEN enm_binlog_event = 'ddl' THEN
		'\x05'::bytea || CASE WHEN b_transaction_start THEN '\x01' ELSE '\x00' END::bytea
		|| int8send(i_binlog_position) || int8send((extract(epoch FROM ts_event) * 1000000)::bigint)
		|| int2send(octet_length(convert_to(v_schema_name, 'UTF8'))::smallint) || convert_to(v_schema_name, 'UTF8')
		|| int2send(octet_length(convert_to(coalesce(t_time_zone, ''), 'UTF8'))::smallint)
		|| convert_to(coalesce(t_time_zone, ''), 'UTF8')
		|| int4send(octet_length(convert_to(t_query, 'UTF8'))) || convert_to(t_query, 'UTF8')
	ELSE
		'\x01'::bytea || int2send(octet_length(convert_to(v_schema_name, 'UTF8'))::smallint)
		|| convert_to(v_schema_name, 'UTF8') || int2send(octet_length(convert_to(v_table_name, 'UTF8'))::smallint)
		|| convert_to(v_table_name, 'UTF8') || int4send(octet_length(b_table_map)) || b_table_map
		|| CASE enm_binlog_event WHEN 'insert' THEN '\x02' WHEN 'update' THEN '\x03' ELSE '\x04' END::bytea
		|| CASE WHEN b_transaction_start THEN '\x01' ELSE '\x00' END::bytea
		|| int8send(i_binlog_position) || int8send((extract(epoch FROM ts_event) * 1000000)::bigint)
		|| int4send(i_rows) || int2send(0::smallint) || int4send(octet_length(b_event)) || b_event
	END;
ALTER TABLE sch_chameleon.t_log_replica DROP COLUMN v_schema_name, DROP COLUMN v_table_name,
	DROP COLUMN enm_binlog_event, DROP COLUMN t_binlog_name, DROP COLUMN i_binlog_position, DROP COLUMN ts_event,
	DROP COLUMN t_query, DROP COLUMN b_event, DROP COLUMN b_table_map, DROP COLUMN i_rows,
	DROP COLUMN b_transaction_start, DROP COLUMN t_time_zone,
	ALTER COLUMN i_events DROP DEFAULT, ALTER COLUMN b_events SET NOT NULL;
-- A chunk of up to ~6 kB stays in its row, compressed with lz4 when that makes it smaller; without
-- lz4 in this server chunks are stored uncompressed (pglz took most of the reader's time).
DO $$
BEGIN
	ALTER TABLE sch_chameleon.t_log_replica ALTER COLUMN b_events SET COMPRESSION lz4,
		ALTER COLUMN b_events SET STORAGE MAIN;
EXCEPTION WHEN feature_not_supported THEN
	ALTER TABLE sch_chameleon.t_log_replica ALTER COLUMN b_events SET STORAGE EXTERNAL;
END;
$$;
DROP TYPE sch_chameleon.en_binlog_event;
