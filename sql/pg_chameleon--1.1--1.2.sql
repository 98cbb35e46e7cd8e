-- pg_chameleon 1.1 -> 1.2: init_replica, the initial copy in background workers.

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.2'" to load this file. \quit

CREATE TYPE sch_chameleon.en_copy_state AS ENUM ('pending', 'copying', 'copied', 'failed');

-- The tables of a running (or the last) initial copy, one row per table: the work queue of the
-- copy workers and what chameleon.init_progress shows.
CREATE TABLE sch_chameleon.t_init_tables (
	i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources ON DELETE CASCADE,
	v_schema_origin text NOT NULL,             -- MySQL schema
	v_table_name text NOT NULL,
	v_schema_name text NOT NULL,               -- PostgreSQL schema after the swap
	v_schema_loading text NOT NULL,            -- PostgreSQL schema the copy fills
	enm_state sch_chameleon.en_copy_state NOT NULL DEFAULT 'pending',
	i_estimated_rows bigint,
	i_estimated_bytes bigint,
	i_rows bigint NOT NULL DEFAULT 0,
	i_bytes bigint NOT NULL DEFAULT 0,
	i_discarded bigint NOT NULL DEFAULT 0,
	i_pid integer,                             -- the worker copying it
	ts_started timestamptz,
	ts_finished timestamptz,
	t_binlog_name text,                        -- the table's consistent point
	i_binlog_position bigint,
	t_gtid_set text,
	jsb_layout jsonb NOT NULL,
	t_index_statements text[] NOT NULL DEFAULT '{}', -- run after the rows are loaded
	t_error text,
	PRIMARY KEY (i_id_source, v_schema_origin, v_table_name)
);
REVOKE ALL ON sch_chameleon.t_init_tables FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('sch_chameleon.t_init_tables', '');

-- Live progress of the workers that copy tables.
CREATE FUNCTION sch_chameleon.fn_worker_progress(
	OUT pid integer, OUT copy_table text, OUT rows bigint, OUT bytes bigint)
RETURNS SETOF record LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_worker_progress';
REVOKE ALL ON FUNCTION sch_chameleon.fn_worker_progress() FROM PUBLIC;

CREATE FUNCTION sch_chameleon.fn_init_replica(p_source text, p_wait boolean)
RETURNS void LANGUAGE c STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'chameleon_init_replica';
REVOKE ALL ON FUNCTION sch_chameleon.fn_init_replica(text, boolean) FROM PUBLIC;

CREATE FUNCTION chameleon.init_replica(p_source text, wait boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_status sch_chameleon.en_src_status;
	v_type sch_chameleon.en_src_type;
BEGIN
	PERFORM sch_chameleon.fn_source_id(p_source);
	SELECT enm_status, enm_source_type INTO v_status, v_type FROM sch_chameleon.t_sources WHERE t_source = p_source;
	IF v_type <> 'mysql' THEN
		RAISE EXCEPTION 'init_replica does not support sources of type %', v_type
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Only MySQL and MariaDB sources can be copied so far.';
	END IF;
	PERFORM sch_chameleon.fn_require_stopped(p_source, 'initialise');
	PERFORM sch_chameleon.fn_init_replica(p_source, wait);
END;
$$;
COMMENT ON FUNCTION chameleon.init_replica(text, boolean) IS
	'copies every mapped MySQL table into PostgreSQL in background workers; wait => true blocks until done';
REVOKE ALL ON FUNCTION chameleon.init_replica(text, boolean) FROM PUBLIC;

CREATE VIEW chameleon.init_progress AS
SELECT s.t_source AS source,
       i.v_schema_origin || '.' || i.v_table_name AS mysql_table,
       i.v_schema_name || '.' || i.v_table_name AS pg_table,
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
COMMENT ON VIEW chameleon.init_progress IS 'tables of the running or last initial copy, with live row counts';
REVOKE ALL ON chameleon.init_progress FROM PUBLIC;

CREATE VIEW chameleon.discarded_rows AS
SELECT s.t_source AS source, d.v_schema_name AS mysql_schema, d.v_table_name AS mysql_table,
       d.t_row_key AS row_key, d.t_row_data AS row_data, d.t_reason AS reason, d.ts_discard AS discarded_at,
       d.i_id_batch AS batch
FROM sch_chameleon.t_discarded_rows d
JOIN sch_chameleon.t_sources s USING (i_id_source);
COMMENT ON VIEW chameleon.discarded_rows IS 'rows that could not be copied or replicated, with the reason';
REVOKE ALL ON chameleon.discarded_rows FROM PUBLIC;
