-- pg_chameleon 1.4 -> 1.5: MySQL-side faults (worker restarts kept in the catalogue for the
-- crash-loop rule, the source server's identity, resync_source) and hostile input (strict
-- NULL handling).

\echo Use "ALTER EXTENSION pg_chameleon UPDATE TO '1.5'" to load this file. \quit

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
