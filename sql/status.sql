-- Status views and the server checks when the server cannot be reached.
SELECT role, source IS NULL AS no_source, state FROM chameleon.workers WHERE role = 'launcher';
SELECT count(*) AS launcher_alive FROM chameleon.workers w
JOIN pg_stat_activity a ON a.pid = w.pid WHERE w.role = 'launcher';
SELECT chameleon.add_source('unreachable', $$
db_conn: {host: 127.0.0.1, port: 1, user: repl, password: secret, connect_timeout: 2}
schema_mappings: {shop: unreachable_pg}
$$) > 0 AS added;
SELECT check_name, status, hint FROM chameleon.check_source('unreachable');
SELECT source, status, read_lag, replay_lag, read_position, pending_rows, replayed_rows, tables_without_key, workers
FROM chameleon.show_status('unreachable');
SELECT * FROM chameleon.show_status('missing');
SELECT * FROM chameleon.check_source('missing');
-- The status machine is the only writer of a source's status (doc/architecture.md): no SQL function
-- of the extension updates enm_status itself; they call sch_chameleon.fn_change_source_status.
SELECT p.oid::regprocedure AS writes_status_itself
FROM pg_proc p
WHERE p.pronamespace IN ('chameleon'::regnamespace, 'sch_chameleon'::regnamespace)
  AND p.prosrc ~* 'SET\s((?!WHERE)[^;])*\menm_status\s*=';
-- an unknown source or change is an error
SELECT sch_chameleon.fn_change_source_status(0, 'started', '', '') AS unknown_source;
SELECT sch_chameleon.fn_change_source_status(i_id_source, 'no such change', '', '') AS unknown_change
FROM sch_chameleon.t_sources WHERE t_source = 'unreachable';
-- from ready: stop_replica's and start_replica's changes do not apply (NULL, nothing written),
-- copy_schema's does; an import may not make a source running
SELECT c AS change, sch_chameleon.fn_change_source_status(i_id_source, c, '', t) AS status_before
FROM sch_chameleon.t_sources, (VALUES ('stopped', ''), ('started', ''), ('schema_copied', ''), ('imported', 'running')) v(c, t)
WHERE t_source = 'unreachable';
SELECT status, status_reason FROM chameleon.show_status('unreachable');
SELECT chameleon.drop_source('unreachable');
-- Binlog positions order by file number, past six digits too (fn_binlog_order, as core::binlog_position)
SELECT f AS binlog_file FROM unnest(ARRAY['mysql-bin.1000000', 'mysql-bin.000002', 'mysql-bin.999999',
	'mysql-bin.000010', 'other.000001', 'mysql-bin.1000001']) f ORDER BY sch_chameleon.fn_binlog_order(f);
SELECT (sch_chameleon.fn_binlog_order('mysql-bin.999999'), 500::bigint) < (sch_chameleon.fn_binlog_order('mysql-bin.1000000'), 4::bigint) AS position_before,
       sch_chameleon.fn_binlog_order('binlog') AS no_number;
