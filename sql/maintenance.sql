-- The SQL surface of maintenance (doc/sql-api.md): pause_replica, resume_replica and
-- run_maintenance with named arguments, their refusals, and what show_status shows.
\set SHOW_CONTEXT never
SELECT chameleon.add_source('maint', $$
db_conn: {host: 127.0.0.1, port: 1, user: repl, password: secret, connect_timeout: 2}
schema_mappings: {shop: maint_pg}
batch_retention: 10 min
auto_maintenance: 1 hour
$$) > 0 AS added;
-- a new source: not paused, never maintained, the first automatic maintenance an hour after it was added
SELECT paused, last_maintenance, next_maintenance - s.ts_created AS next_after
FROM chameleon.show_status('maint') JOIN sch_chameleon.t_sources s ON s.t_source = source;
-- its log storage: one partition of segment 0
SELECT replace(relid::regclass::text, i_id_source || '', '<id>') AS partition,
       replace(parentrelid::regclass::text, i_id_source || '', '<id>') AS parent, isleaf, level
FROM sch_chameleon.t_sources,
     pg_partition_tree(format('sch_chameleon.t_log_replica_%s', i_id_source)::regclass)
WHERE t_source = 'maint' ORDER BY level;
SELECT i_segment FROM sch_chameleon.t_log_segments JOIN sch_chameleon.t_sources USING (i_id_source) WHERE t_source = 'maint';
-- pause and resume by name; the pause is a flag beside the status
SELECT chameleon.pause_replica(name => 'maint');
SELECT status, paused FROM chameleon.show_status('maint');
SELECT chameleon.resume_replica(name => 'maint');
SELECT status, paused FROM chameleon.show_status('maint');
-- a maintenance of a source without workers: nothing to pause, the VACUUMs run
SELECT chameleon.run_maintenance(name => 'maint', full => true);
SELECT chameleon.run_maintenance('maint');
SELECT paused, last_maintenance > now() - interval '1 min' AS maintained,
       next_maintenance = last_maintenance + interval '1 hour' AS next_in_an_hour
FROM chameleon.show_status('maint');
-- it reads what its worker commits: not under a transaction snapshot
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT chameleon.run_maintenance('maint');
ROLLBACK;
-- refusals: unknown sources, NULL arguments
SELECT chameleon.pause_replica(name => 'missing');
SELECT chameleon.resume_replica('missing');
SELECT chameleon.run_maintenance(name => 'missing');
SELECT chameleon.pause_replica(NULL);
SELECT chameleon.resume_replica(NULL);
SELECT chameleon.run_maintenance(NULL);
SELECT chameleon.run_maintenance('maint', full => NULL);
SELECT chameleon.drop_source('maint');
-- the segments go with the source
SELECT count(*) AS segments_left FROM sch_chameleon.t_log_segments;
