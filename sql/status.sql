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
SELECT chameleon.drop_source('unreachable');
