-- pg_chameleon 1.2 -> 1.3: continuous replication: the reader and replay workers, the log of
-- binlog row events they share, and the functions that start, stop and watch them.

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.3'" to load this file. \quit

-- Refused while an initial copy (the only worker 1.2 has) runs (doc/upgrading.md): it must not
-- run while the catalogue it writes to changes.
DO $guard$
DECLARE
	v_sources text;
BEGIN
	SELECT string_agg(format('"%s" (%s)', s.t_source, s.enm_status), ', ' ORDER BY s.t_source) INTO v_sources
	FROM sch_chameleon.t_sources s
	WHERE s.enm_status = 'initialising'
	   OR EXISTS (SELECT 1 FROM sch_chameleon.fn_worker_slots() w
	              WHERE w.source = s.t_source AND w.database = current_database());
	IF v_sources IS NOT NULL THEN
		RAISE EXCEPTION 'cannot update pg_chameleon to 1.3 while an initial copy runs: %', v_sources
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The update changes the tables the initial copy writes.',
			      HINT = 'Wait until init_replica has finished (chameleon.init_progress), then run ALTER EXTENSION '
			             'pg_chameleon UPDATE again.';
	END IF;
END;
$guard$;

-- The log keeps each binlog row event as it was read (with its TABLE_MAP): the replay decodes it
-- with the layout of the table at that point of the stream. DDL keeps its statement.
ALTER TABLE sch_chameleon.t_log_replica DROP COLUMN jsb_event_after, DROP COLUMN jsb_event_before;
ALTER TABLE sch_chameleon.t_log_replica
	ADD COLUMN i_rows integer NOT NULL DEFAULT 0,
	ADD COLUMN b_event bytea,
	ADD COLUMN b_table_map bytea;
-- Every event of a batch comes from one binlog file, decoded with that file's format.
ALTER TABLE sch_chameleon.t_replica_batch ADD COLUMN b_format_description bytea;

CREATE FUNCTION sch_chameleon.fn_start_workers(p_source text)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_start_workers';
CREATE FUNCTION sch_chameleon.fn_stop_workers(p_source text, p_timeout interval)
RETURNS boolean LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_stop_workers';
CREATE FUNCTION sch_chameleon.fn_wait_for_catchup(p_source text, p_timeout interval)
RETURNS boolean LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_wait_for_catchup';
REVOKE ALL ON FUNCTION sch_chameleon.fn_start_workers(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION sch_chameleon.fn_stop_workers(text, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION sch_chameleon.fn_wait_for_catchup(text, interval) FROM PUBLIC;

CREATE FUNCTION chameleon.start_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_source record;
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
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
COMMENT ON FUNCTION chameleon.start_replica(text) IS 'starts the reader and replay workers of a copied source';

CREATE FUNCTION chameleon.stop_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
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
COMMENT ON FUNCTION chameleon.stop_replica(text) IS 'stops the reader and replay workers of a source cleanly';

CREATE FUNCTION chameleon.stop_all_replicas(OUT source text)
RETURNS SETOF text LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	FOR source IN SELECT t_source FROM sch_chameleon.t_sources WHERE enm_status = 'running' OR b_run_requested
	              ORDER BY t_source LOOP
		PERFORM chameleon.stop_replica(source);
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION chameleon.stop_all_replicas() IS 'stops every running source and lists them';

CREATE FUNCTION chameleon.enable_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'enable');
	UPDATE sch_chameleon.t_sources SET enm_status = 'stopped', t_status_reason = NULL, b_maintenance = false,
		b_run_requested = false, ts_status_changed = clock_timestamp()
	WHERE t_source = p_source AND enm_status = 'error';
END;
$$;
COMMENT ON FUNCTION chameleon.enable_replica(text) IS 'clears the error state of a source so that it can be started again';

CREATE FUNCTION chameleon.wait_for_catchup(p_source text, p_timeout interval DEFAULT '5 min')
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	RETURN sch_chameleon.fn_wait_for_catchup(p_source, p_timeout);
END;
$$;
COMMENT ON FUNCTION chameleon.wait_for_catchup(text, interval) IS
	'waits until everything MySQL had written when it was called is replayed; false on timeout';

CREATE FUNCTION chameleon.show_errors(p_source text DEFAULT NULL,
	OUT id bigint, OUT source text, OUT batch bigint, OUT mysql_schema text, OUT mysql_table text,
	OUT row_key text, OUT binlog_position text, OUT error_time timestamptz, OUT sql text, OUT sqlstate text,
	OUT error text)
RETURNS SETOF record LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sch_chameleon.fn_source_id(p_source) WHERE p_source IS NOT NULL;
	SELECT e.i_id_log, s.t_source, e.i_id_batch, e.v_schema_name, e.v_table_name, e.t_table_pkey,
	       e.t_binlog_name || ':' || e.i_binlog_position, e.ts_error, e.t_sql, e.t_sqlstate, e.t_error_message
	FROM sch_chameleon.t_error_log e JOIN sch_chameleon.t_sources s USING (i_id_source)
	WHERE p_source IS NULL OR s.t_source = p_source
	ORDER BY e.i_id_log
$$;
COMMENT ON FUNCTION chameleon.show_errors(text) IS 'replay errors, of one source or of all';

CREATE VIEW chameleon.tables AS
SELECT s.t_source AS source,
       t.v_schema_origin || '.' || t.v_table_name AS mysql_table,
       t.v_schema_name || '.' || t.v_table_name AS pg_table,
       CASE WHEN NOT t.b_replica_enabled THEN 'disabled'
            WHEN cardinality(t.v_table_pkey) = 0 THEN 'not replicated: no key'
            WHEN s.enm_status = 'initialising' THEN 'copying'
            WHEN t.t_binlog_name IS NOT NULL AND (p.t_binlog_name IS NULL
                 OR (p.t_binlog_name, p.i_binlog_position) < (t.t_binlog_name, t.i_binlog_position)) THEN 'catching up'
            ELSE 'replicating' END AS state,
       t.v_table_pkey AS key_columns,
       t.t_binlog_name || ':' || t.i_binlog_position AS consistent_point,
       t.t_disabled_reason AS disabled_reason,
       t.ts_disabled AS disabled_at
FROM sch_chameleon.t_replica_tables t
JOIN sch_chameleon.t_sources s USING (i_id_source)
JOIN sch_chameleon.t_last_replayed p USING (i_id_source);
COMMENT ON VIEW chameleon.tables IS 'replicated tables and their state';

REVOKE ALL ON FUNCTION chameleon.start_replica(text), chameleon.stop_replica(text), chameleon.stop_all_replicas(),
	chameleon.enable_replica(text), chameleon.wait_for_catchup(text, interval), chameleon.show_errors(text) FROM PUBLIC;
REVOKE ALL ON chameleon.tables FROM PUBLIC;

-- The foreign keys of the mapped MySQL schemas, for detach_replica.
CREATE FUNCTION sch_chameleon.fn_mysql_foreign_keys(p_source text,
	OUT constraint_name text, OUT mysql_schema text, OUT table_name text, OUT columns text[],
	OUT referenced_schema text, OUT referenced_table text, OUT referenced_columns text[],
	OUT on_update text, OUT on_delete text)
RETURNS SETOF record LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_mysql_foreign_keys';
REVOKE ALL ON FUNCTION sch_chameleon.fn_mysql_foreign_keys(text) FROM PUBLIC;

CREATE FUNCTION chameleon.detach_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_mappings jsonb;
	v_column record;
	v_key record;
	v_name text;
	v_table text;
BEGIN
	PERFORM chameleon.stop_replica(p_source);
	SELECT jsb_schema_mappings INTO v_mappings FROM sch_chameleon.t_sources WHERE i_id_source = v_id;
	-- Identity columns continue after the values MySQL assigned.
	FOR v_column IN
		SELECT n.nspname, c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN (SELECT value FROM jsonb_each_text(v_mappings)) AND c.relkind IN ('r', 'p')
		  AND a.attnum > 0 AND NOT a.attisdropped
		  AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
	LOOP
		EXECUTE format('SELECT setval(%L, coalesce(max(%I), 1), max(%I) IS NOT NULL) FROM %I.%I', v_column.seq,
		               v_column.attname, v_column.attname, v_column.nspname, v_column.relname);
	END LOOP;
	-- Foreign keys as in MySQL: created NOT VALID, then validated; one that does not hold stays NOT VALID.
	FOR v_key IN SELECT * FROM sch_chameleon.fn_mysql_foreign_keys(p_source) LOOP
		IF NOT v_mappings ? v_key.referenced_schema THEN
			RAISE NOTICE 'foreign key % of %.% references schema %, which is not replicated: not created',
				v_key.constraint_name, v_key.mysql_schema, v_key.table_name, v_key.referenced_schema;
			CONTINUE;
		END IF;
		v_name := left(v_key.table_name || '_' || v_key.constraint_name, 63);
		v_table := format('%I.%I', v_mappings ->> v_key.mysql_schema, v_key.table_name);
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %I.%I (%s) ON UPDATE %s ON DELETE %s NOT VALID',
		               v_table, v_name,
		               (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_key.columns) c),
		               v_mappings ->> v_key.referenced_schema, v_key.referenced_table,
		               (SELECT string_agg(quote_ident(c), ', ') FROM unnest(v_key.referenced_columns) c),
		               v_key.on_update, v_key.on_delete);
		BEGIN
			EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', v_table, v_name);
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'foreign key % on % does not hold for the existing rows: it stays NOT VALID', v_name, v_table
				USING DETAIL = SQLERRM,
				      HINT = format('Fix the rows, then: ALTER TABLE %s VALIDATE CONSTRAINT %I;', v_table, v_name);
		END;
	END LOOP;
	PERFORM chameleon.drop_source(p_source);
END;
$$;
COMMENT ON FUNCTION chameleon.detach_replica(text) IS
	'the migration cut-over: stops the source for good, continues identities, creates the foreign keys, drops the source';
REVOKE ALL ON FUNCTION chameleon.detach_replica(text) FROM PUBLIC;

-- sync_tables and refresh_schema: what was asked for, read by the init worker, and the tables
-- being copied (the replay waits at their events until their copies are in place).
ALTER TABLE sch_chameleon.t_sources ADD COLUMN jsb_sync_request jsonb;
ALTER TABLE sch_chameleon.t_replica_tables ADD COLUMN b_syncing boolean NOT NULL DEFAULT false;

-- The request travels to the init worker in shared memory: the caller's transaction (which may
-- wait for the worker) must not hold anything the worker needs.
CREATE FUNCTION sch_chameleon.fn_sync_tables(p_source text, p_request jsonb, p_wait boolean)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_sync_tables';
REVOKE ALL ON FUNCTION sch_chameleon.fn_sync_tables(text, jsonb, boolean) FROM PUBLIC;

CREATE FUNCTION sch_chameleon.fn_request_sync(p_source text, p_request jsonb, p_wait boolean)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_status sch_chameleon.en_src_status;
BEGIN
	SELECT enm_status INTO v_status FROM sch_chameleon.t_sources WHERE t_source = p_source;
	IF v_status IN ('ready', 'initialising', 'syncing') THEN
		RAISE EXCEPTION 'cannot copy tables of source "%" while it is %', p_source, v_status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = CASE WHEN v_status = 'ready' THEN 'Copy the whole source with chameleon.init_replica() first.'
			                  ELSE 'Wait until the running copy is done (chameleon.init_progress).' END;
	END IF;
	IF EXISTS (SELECT 1 FROM sch_chameleon.fn_worker_slots() w WHERE w.source = p_source
	           AND w.database = current_database() AND w.role IN ('init', 'copy')) THEN
		RAISE EXCEPTION 'a copy of source "%" is already running', p_source
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Wait until it is done (chameleon.init_progress).';
	END IF;
	PERFORM sch_chameleon.fn_sync_tables(p_source, p_request, p_wait);
END;
$$;

CREATE FUNCTION chameleon.sync_tables(p_source text, p_tables text[], wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_tables text[] := p_tables;
	v_bad text;
BEGIN
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
COMMENT ON FUNCTION chameleon.sync_tables(text, text[], boolean) IS
	'copies chosen tables again (or ''{disabled}'': the disabled ones) while the others keep replicating';

CREATE FUNCTION chameleon.refresh_schema(p_source text, p_schema text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
BEGIN
	IF NOT EXISTS (SELECT 1 FROM sch_chameleon.t_sources WHERE i_id_source = v_id AND jsb_schema_mappings ? p_schema) THEN
		RAISE EXCEPTION 'MySQL schema "%" is not mapped by source "%"', p_schema, p_source
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use one of the origin schemas of "schema_mappings".';
	END IF;
	PERFORM sch_chameleon.fn_request_sync(p_source, jsonb_build_object('schema', p_schema), wait);
END;
$$;
COMMENT ON FUNCTION chameleon.refresh_schema(text, text, boolean) IS
	'copies every table of one mapped MySQL schema again while the rest keeps replicating';

REVOKE ALL ON FUNCTION chameleon.sync_tables(text, text[], boolean), chameleon.refresh_schema(text, text, boolean),
	sch_chameleon.fn_request_sync(text, jsonb, boolean) FROM PUBLIC;
