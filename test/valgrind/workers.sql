-- Background workers under memcheck (test/valgrind/run.sh): an init worker and a copy worker copy
-- two tables of the sandbox MariaDB, the reader and the replay start and catch up, and an init
-- worker that fails records its error after its transaction's abort (run_transaction's error path).
-- Variables: my_port, my_user, my_password.
\set ON_ERROR_STOP on
SELECT chameleon.add_source('vg', format(E'db_conn: {host: 127.0.0.1, port: %s, user: %s, password: %s}\n'
	'schema_mappings: {vg: vg_pg}\ncopy_parallel_jobs: 2\nmy_server_id: 977\n', :'my_port', :'my_user', :'my_password')) > 0 AS added;
SELECT chameleon.init_replica('vg', wait => true);
SELECT (SELECT count(*) FROM vg_pg.a) AS a_rows, (SELECT count(*) FROM vg_pg.b) AS b_rows;
SELECT chameleon.start_replica('vg');
SELECT chameleon.wait_for_catchup('vg', '120 s') AS caught_up;
SELECT chameleon.stop_replica('vg');
SELECT chameleon.alter_source('vg', format(E'db_conn: {host: 127.0.0.1, port: %s, user: %s, password: wrong}\n'
	'schema_mappings: {vg: vg_pg}\nmy_server_id: 977\n', :'my_port', :'my_user')) IS NOT NULL AS altered;
\set ON_ERROR_STOP off
\set VERBOSITY terse
SELECT chameleon.init_replica('vg', wait => true);
\set ON_ERROR_STOP on
SELECT status, position('"vg"' in status_reason) > 0 AS reason_names_the_source FROM chameleon.show_status('vg');
SELECT chameleon.drop_source('vg');
