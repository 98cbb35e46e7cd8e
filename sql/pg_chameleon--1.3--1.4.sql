-- pg_chameleon 1.3 -> 1.4: keep_existing_schema (foreign keys saved around an in-place reload),
-- copy_schema, and pgsql sources (init_replica copies them; show_status says they do not replicate).

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.4'" to load this file. \quit

-- Refused while a source replicates (doc/upgrading.md): its workers call functions this script
-- replaces. Batches not replayed yet are kept: their format does not change.
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
		RAISE EXCEPTION 'cannot update pg_chameleon to 1.4 while sources replicate: %', v_sources
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The update changes what the workers of these sources read and write.',
			      HINT = 'Stop all replicas first: SELECT * FROM chameleon.stop_all_replicas(); then run ALTER '
			             'EXTENSION pg_chameleon UPDATE again and start them with chameleon.start_replica().';
	END IF;
END;
$guard$;

-- keep_existing_schema: the foreign keys that involve a table reloaded in place are dropped for
-- the load and re-created afterwards (NOT VALID, validated once the source is consistent).
CREATE TABLE sch_chameleon.t_saved_foreign_keys (
	i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources ON DELETE CASCADE,
	v_schema_name text NOT NULL,               -- PostgreSQL schema of the referencing table
	v_table_name text NOT NULL,
	v_constraint_name text NOT NULL,
	t_definition text NOT NULL,                -- pg_get_constraintdef, names schema-qualified
	b_validated boolean NOT NULL,              -- it was valid: validate it again once consistent
	b_restored boolean NOT NULL DEFAULT false, -- re-created NOT VALID, waiting for validation
	PRIMARY KEY (i_id_source, v_schema_name, v_table_name, v_constraint_name)
);
REVOKE ALL ON sch_chameleon.t_saved_foreign_keys FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('sch_chameleon.t_saved_foreign_keys', '');

-- pgsql sources: the snapshot exported by the init worker, in which every table is copied, and
-- the COPY ... TO STDOUT that reads the table.
ALTER TABLE sch_chameleon.t_init_tables ADD COLUMN t_pg_snapshot text, ADD COLUMN t_pg_copy text;

-- The log's row events are compressed with lz4 (pglz took most of the reader's time); without lz4
-- in this server they are stored uncompressed.
DO $$
BEGIN
	ALTER TABLE sch_chameleon.t_log_replica ALTER COLUMN b_event SET COMPRESSION lz4,
		ALTER COLUMN b_table_map SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	ALTER TABLE sch_chameleon.t_log_replica ALTER COLUMN b_event SET STORAGE EXTERNAL,
		ALTER COLUMN b_table_map SET STORAGE EXTERNAL;
END;
$$;

CREATE FUNCTION sch_chameleon.fn_restore_foreign_keys(p_id_source bigint)
RETURNS void LANGUAGE plpgsql
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
			EXECUTE v_create || CASE WHEN v_key.t_definition LIKE '% NOT VALID' THEN '' ELSE ' NOT VALID' END;
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

-- Validates the re-created foreign keys once the copies agree with each other: the source is
-- consistent and no table is syncing or catching up (or at once with p_now).
CREATE FUNCTION sch_chameleon.fn_validate_foreign_keys(p_id_source bigint, p_now boolean)
RETURNS void LANGUAGE plpgsql
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
		                      OR (p.t_binlog_name, p.i_binlog_position) < (t.t_binlog_name, t.i_binlog_position)))))) THEN
		RETURN;
	END IF;
	FOR v_key IN DELETE FROM sch_chameleon.t_saved_foreign_keys WHERE i_id_source = p_id_source AND b_restored
	             RETURNING * LOOP
		CONTINUE WHEN NOT v_key.b_validated;
		BEGIN
			EXECUTE format('ALTER TABLE %I.%I VALIDATE CONSTRAINT %I', v_key.v_schema_name, v_key.v_table_name,
			               v_key.v_constraint_name);
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
REVOKE ALL ON FUNCTION sch_chameleon.fn_restore_foreign_keys(bigint),
	sch_chameleon.fn_validate_foreign_keys(bigint, boolean) FROM PUBLIC;

-- The foreign keys of the mapped MySQL schemas, created between the PostgreSQL copies (NOT VALID,
-- then validated; one that does not hold stays NOT VALID with a warning). Used by
-- detach_replica and copy_schema.
CREATE FUNCTION sch_chameleon.fn_create_mysql_foreign_keys(p_source text)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_mappings jsonb;
	v_key record;
	v_name text;
	v_table text;
BEGIN
	SELECT jsb_schema_mappings INTO v_mappings FROM sch_chameleon.t_sources WHERE t_source = p_source;
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
END;
$$;
REVOKE ALL ON FUNCTION sch_chameleon.fn_create_mysql_foreign_keys(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION chameleon.detach_replica(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_source record;
	v_column record;
BEGIN
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
		EXECUTE format('SELECT setval(%L, coalesce(max(%I), 1), max(%I) IS NOT NULL) FROM %I.%I', v_column.seq,
		               v_column.attname, v_column.attname, v_column.nspname, v_column.relname);
	END LOOP;
	-- Foreign keys as in MySQL, unless the PostgreSQL tables are the user's own (keep_existing_schema).
	IF NOT (v_source.jsb_config -> 'keep_existing_schema')::boolean THEN
		PERFORM sch_chameleon.fn_create_mysql_foreign_keys(p_source);
	END IF;
	PERFORM chameleon.drop_source(p_source);
END;
$$;

CREATE FUNCTION sch_chameleon.fn_copy_schema(p_source text)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_copy_schema';
REVOKE ALL ON FUNCTION sch_chameleon.fn_copy_schema(text) FROM PUBLIC;

CREATE FUNCTION chameleon.copy_schema(p_source text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint := sch_chameleon.fn_source_id(p_source);
	v_type sch_chameleon.en_src_type;
BEGIN
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
COMMENT ON FUNCTION chameleon.copy_schema(text) IS
	'creates the mapped MySQL schemas in PostgreSQL (tables, indexes, enum types, foreign keys) without data';
REVOKE ALL ON FUNCTION chameleon.copy_schema(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION chameleon.init_replica(p_source text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'initialise');
	PERFORM sch_chameleon.fn_init_replica(p_source, wait);
END;
$$;
COMMENT ON FUNCTION chameleon.init_replica(text, boolean) IS
	'copies every mapped table of the source into PostgreSQL in background workers; wait => true blocks until done';

CREATE OR REPLACE FUNCTION chameleon.show_status(p_source text DEFAULT NULL)
RETURNS TABLE (
	source text, type text, status text, status_reason text, consistent boolean,
	read_lag interval, replay_lag interval, last_received timestamptz, last_replayed timestamptz,
	read_position text, replayed_position text, gtid_read text, gtid_replayed text,
	pending_batches bigint, pending_rows bigint, replayed_rows bigint, skipped_rows bigint,
	ddl_statements bigint, tables_replicated bigint, tables_disabled bigint, tables_without_key bigint,
	errors bigint, discarded_rows bigint, workers text)
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
	        WHERE w.source = s.t_source AND w.database = current_database())
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
		       count(*) FILTER (WHERE cardinality(rt.v_table_pkey) = 0) AS without_key
		FROM sch_chameleon.t_replica_tables rt WHERE rt.i_id_source = s.i_id_source) t
	WHERE p_source IS NULL OR s.t_source = p_source
	ORDER BY s.t_source
$$;

CREATE OR REPLACE FUNCTION sch_chameleon.fn_request_sync(p_source text, p_request jsonb, p_wait boolean)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_status sch_chameleon.en_src_status;
	v_type sch_chameleon.en_src_type;
BEGIN
	SELECT enm_status, enm_source_type INTO v_status, v_type FROM sch_chameleon.t_sources WHERE t_source = p_source;
	IF v_type <> 'mysql' THEN
		RAISE EXCEPTION 'sync_tables and refresh_schema do not support sources of type %', v_type
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Copy the whole source again with chameleon.init_replica().';
	END IF;
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

CREATE OR REPLACE FUNCTION sch_chameleon.fn_check_server_id(p_source text, p_config jsonb)
RETURNS void LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_other text;
BEGIN
	-- Only binlog readers hold a server id (pgsql sources are copied, never streamed).
	SELECT t_source INTO v_other FROM sch_chameleon.t_sources
	WHERE t_source <> p_source AND p_config ->> 'type' = 'mysql' AND enm_source_type = 'mysql'
	  AND jsb_config #>> '{db_conn,host}' = p_config #>> '{db_conn,host}'
	  AND jsb_config #>> '{db_conn,port}' = p_config #>> '{db_conn,port}'
	  AND jsb_config ->> 'my_server_id' = p_config ->> 'my_server_id'
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'source "%" already reads the MySQL server at %:% with my_server_id %', v_other,
			p_config #>> '{db_conn,host}', p_config #>> '{db_conn,port}', p_config ->> 'my_server_id'
			USING ERRCODE = 'duplicate_object',
			      DETAIL = 'The server accepts one replication connection per server id.',
			      HINT = 'Give each source of the same MySQL server its own "my_server_id".';
	END IF;
END;
$$;
