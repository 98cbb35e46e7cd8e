# Continuous replication, case by case (the issue's test list): DML of every kind and keys,
# every mapped type through the binlog, table and event filters, replay errors under
# on_error_replay continue and exit, stop/start/stop_all_replicas, crashes under load (kill -9
# of the reader and of the replay worker in a large transaction, PostgreSQL immediate restart,
# MariaDB restart with on_error_read: continue), and status honesty. After each case every table
# is compared with MariaDB: row count and md5 of all values in key order.
# Uses MariaDB schemas and sources named rx_*; removes them at the end.
# checks: 88
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/all_types.sh"

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
SOURCES="rx_cases rx_types rx_filter rx_err rx_cut rx_exit rx_crash"
MY_SCHEMAS="rx_cases rx_types rx_f1 rx_f2 rx_f3 rx_err rx_cut rx_exit rx_crash"
PG_SCHEMAS="rx_cases_pg rx_types_pg rx_f1_pg rx_f2_pg rx_f3_pg rx_err_pg rx_cut_pg rx_exit_pg rx_crash_pg"
cleanup() {
	for source in $SOURCES; do
		q "SELECT chameleon.stop_replica('$source') FROM chameleon.sources WHERE source = '$source'" >/dev/null 2>&1
		q "SELECT chameleon.drop_source('$source') FROM chameleon.sources WHERE source = '$source'" >/dev/null 2>&1
	done
	for schema in $PG_SCHEMAS; do q "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; done
	for schema in $MY_SCHEMAS; do mysql_root -e "DROP DATABASE IF EXISTS $schema"; done
}
cleanup
mysql_root -e "SET GLOBAL group_concat_max_len = 1073741824" # chunks of 10,000 rows stay far below it

# add_src NAME MAPPINGS [extra yaml]: a source of the sandbox MariaDB, with its own my_server_id.
server_id=4100
add_src() {
	server_id=$((server_id + 1))
	add_mysql_source "$1" "$2" "$server_id" "${3:-}" ", connect_timeout: 5"
}
init() { q "SELECT chameleon.init_replica('$1', wait => true)" >/dev/null; }
start() { q "SELECT chameleon.start_replica('$1')" >/dev/null; }
stop() { q "SELECT chameleon.stop_replica('$1')" >/dev/null; }
status() { q "SELECT status FROM chameleon.show_status('$1')"; }
catchup() { check_eq "$1: wait_for_catchup returns true${2:+ $2}" "t" "$(q "SELECT chameleon.wait_for_catchup('$1', '${3:-120 s}')")"; }
# role_pids SOURCE: "reader PID,replay PID" of the live workers.
role_pids() { q "SELECT string_agg(role || ' ' || pid, ',' ORDER BY role) FROM chameleon.workers WHERE source = '$1'"; }
role_pid() { q "SELECT pid FROM chameleon.workers WHERE source = '$1' AND role = '$2'"; }
workers_up() { [[ "$(role_pids "$1")" =~ ^reader\ [0-9]+,replay\ [0-9]+$ ]]; }

# compare SCHEMA TABLE ORDER_BY MYSQL_SELECT_LIST PG_SELECT_LIST [LABEL]: count and md5 of every value
# in key order, taken as the md5 of the md5s of 10,000-row chunks (a single group_concat would be
# cut at max_allowed_packet on large tables).
compare() {
	local mysql_sum pg_sum
	mysql_sum=$(mysql_root -N -B -e "SELECT coalesce(sum(n), 0), coalesce(md5(group_concat(h ORDER BY chunk SEPARATOR '')), '') FROM (
		SELECT chunk, count(*) n, md5(group_concat(r ORDER BY rn SEPARATOR '\n')) h FROM (
			SELECT row_number() OVER (ORDER BY $3) rn, (row_number() OVER (ORDER BY $3) - 1) DIV 10000 chunk, concat_ws('|', $4) r FROM $1.$2) x
		GROUP BY chunk) y")
	pg_sum=$(q "SELECT coalesce(sum(n), 0) || E'\t' || coalesce(md5(string_agg(h, '' ORDER BY chunk)), '') FROM (
		SELECT chunk, count(*) n, md5(string_agg(r, E'\n' ORDER BY rn)) h FROM (
			SELECT row_number() OVER (ORDER BY $3) rn, (row_number() OVER (ORDER BY $3) - 1) / 10000 chunk, concat_ws('|', $5) r FROM ${1}_pg.$2) x
		GROUP BY chunk) y")
	check_eq "${6:+$6: }table $1.$2 is equal on both sides" "$mysql_sum" "$pg_sum"
}
# compare_simple SCHEMA TABLE [LABEL]: tables of (id, k, v/c...) whose text forms agree on both sides.
compare_simple() {
	local cols
	cols=$(mysql_root -N -B -e "SELECT group_concat(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '$1' AND table_name = '$2'")
	local keys
	keys=$(mysql_root -N -B -e "SELECT group_concat(column_name ORDER BY seq_in_index) FROM information_schema.statistics WHERE table_schema = '$1' AND table_name = '$2' AND non_unique = 0 GROUP BY index_name ORDER BY index_name = 'PRIMARY' DESC LIMIT 1")
	[ -z "$keys" ] && keys=$cols
	compare "$1" "$2" "$keys" "$cols" "$cols" "$3"
}
# compare_schema SCHEMA LABEL: every table of a MariaDB schema.
compare_schema() {
	local table
	for table in $(mysql_root -N -B -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '$1' ORDER BY 1"); do
		compare_simple "$1" "$table" "$2"
	done
}

###############################################################################
# DML: inserts, updates (also of the key), deletes, transactions, composite and unique-only keys,
# a table without a key.
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE rx_cases;
CREATE TABLE rx_cases.t (id int PRIMARY KEY, k int, v varchar(40), d decimal(10,2), ts datetime(6));
CREATE TABLE rx_cases.comp (a int, b varchar(10), c int, v varchar(20), PRIMARY KEY (b, a, c));
CREATE TABLE rx_cases.uq (code varchar(20) NOT NULL, n int, v varchar(20), UNIQUE KEY (code));
CREATE TABLE rx_cases.nokey (a int, v varchar(20));
INSERT INTO rx_cases.t SELECT seq, seq % 7, concat('init ', seq), seq / 4, '2024-01-01 00:00:00.000001' + INTERVAL seq SECOND FROM rx_cases.seq_1_to_100;
INSERT INTO rx_cases.comp VALUES (1, 'x', 1, 'one'), (2, 'x', 1, 'two'), (1, 'y', 2, 'three');
INSERT INTO rx_cases.uq VALUES ('A', 1, 'a'), ('B', 2, 'b');
INSERT INTO rx_cases.nokey VALUES (1, 'x'), (1, 'x'), (NULL, NULL);
SQL
add_src rx_cases "rx_cases: rx_cases_pg" "replica_batch_size: 100"
init rx_cases
start rx_cases
check_match "start_replica starts a reader and a replay worker" '^reader [0-9]+,replay [0-9]+$' "$(role_pids rx_cases)"
check_eq "show_status: 3 tables replicated, 1 without a key" "3 1" \
	"$(q "SELECT tables_replicated || ' ' || tables_without_key FROM chameleon.show_status('rx_cases')")"
check_eq "chameleon.tables: the table without a key is not replicated" "not replicated: no key" \
	"$(q "SELECT state FROM chameleon.tables WHERE source = 'rx_cases' AND mysql_table = 'rx_cases.nokey'")"

mysql_root rx_cases <<'SQL'
INSERT INTO t VALUES (1001, 1, 'new 😀', 1.25, '2025-05-05 05:05:05.5');
INSERT INTO t SELECT seq + 2000, seq, concat('bulk ', seq), seq, NULL FROM seq_1_to_500;
UPDATE t SET v = concat(v, ' upd'), d = d * 2 WHERE id % 3 = 0;
UPDATE t SET id = id + 10000 WHERE id BETWEEN 10 AND 19;
UPDATE t SET id = 5000 WHERE id = 1001;
DELETE FROM t WHERE id % 5 = 0;
START TRANSACTION;
INSERT INTO t VALUES (6001, 1, 'tx', 1, NULL), (6002, 2, 'tx', 2, NULL);
UPDATE t SET v = 'tx upd' WHERE id = 6001;
DELETE FROM t WHERE id = 6002;
UPDATE t SET id = 6003 WHERE id = 6001;
INSERT INTO comp VALUES (3, 'z', 3, 'tx');
UPDATE uq SET n = 20 WHERE code = 'B';
COMMIT;
START TRANSACTION;
INSERT INTO t VALUES (7001, 1, 'rolled back', 1, NULL);
UPDATE t SET v = 'rolled back' WHERE id = 1;
DELETE FROM t WHERE id = 2;
INSERT INTO comp VALUES (9, 'rb', 9, 'rolled back');
ROLLBACK;
UPDATE comp SET b = 'w', c = 5 WHERE a = 1 AND b = 'x';
UPDATE comp SET v = 'changed' WHERE b = 'y';
DELETE FROM comp WHERE a = 2;
INSERT INTO uq VALUES ('C', 3, 'c'), ('D', 4, 'd');
UPDATE uq SET code = 'AA' WHERE code = 'A';
DELETE FROM uq WHERE code = 'C';
INSERT INTO nokey VALUES (2, 'later');
UPDATE nokey SET v = 'changed' WHERE a = 1;
DELETE FROM nokey WHERE a IS NULL;
SQL
catchup rx_cases "after DML"
compare rx_cases t id "id, k, v, d, date_format(ts, '%Y-%m-%d %H:%i:%s.%f')" "id, k, v, d, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US')" "DML"
compare_simple rx_cases comp "composite key"
compare_simple rx_cases uq "unique-only key"
check_eq "the rolled-back transaction left nothing" "0 1 1" \
	"$(q "SELECT (SELECT count(*) FROM rx_cases_pg.t WHERE id = 7001 OR v = 'rolled back') + (SELECT count(*) FROM rx_cases_pg.comp WHERE a = 9) || ' ' || (SELECT count(*) FROM rx_cases_pg.t WHERE id = 2) || ' ' || (SELECT count(*) FROM rx_cases_pg.t WHERE id = 1 AND v = 'init 1')")"
check_eq "the table without a key keeps its copied rows, later changes do not arrive" "1|x;1|x;" \
	"$(q "SELECT string_agg(concat_ws('|', a, v), ';' ORDER BY a NULLS LAST, v) FROM rx_cases_pg.nokey")"
check_eq "changes of the table without a key make nothing fail" "running 0 0" \
	"$(q "SELECT status || ' ' || errors || ' ' || tables_disabled FROM chameleon.show_status('rx_cases')")"
check_match "the skipped rows of the table without a key are counted" '^[1-9][0-9]*$' \
	"$(q "SELECT skipped_rows FROM chameleon.show_status('rx_cases')")"

###############################################################################
# Every mapped type: copied rows, then the same values inserted, updated and deleted through
# the binlog. Every value is compared with MariaDB's, and a replicated row must equal the row
# the copy made from the same values.
###############################################################################
COLUMNS=$(all_types_columns rx_types_pg)

create=""
while IFS='|' read -r col type kind pgtype; do create+="${create:+, }\`$col\` $type"; done <<<"$COLUMNS"
# The columns one may write (not the key, not the generated ones).
writable=$(while IFS='|' read -r col type kind pgtype; do [[ $col == id || $type == *" AS "* ]] || echo "\`$col\`"; done <<<"$COLUMNS" | paste -sd,)
set_from_b=$(tr ',' '\n' <<<"$writable" | sed 's/.*/a.& = b.&/' | paste -sd,)
mysql_root <<SQL
CREATE DATABASE rx_types CHARACTER SET utf8mb4;
CREATE TABLE rx_types.alltypes ($create);
$(all_types_rows rx_types.alltypes)
SQL
add_src rx_types "rx_types: rx_types_pg"
init rx_types
start rx_types
# Rows 101..104 get the values of the copied rows 1..4 through the binlog; then updates give
# 101 the values of 2, 102 those of 1, 103 those of 4, 105 (a copy of 3 whose key changes) those
# of 2; 104 is deleted.
mysql_root rx_types <<SQL
SET time_zone = '+00:00';
INSERT INTO alltypes (id, $writable) SELECT id + 100, $writable FROM alltypes WHERE id <= 4 ORDER BY id;
SQL
catchup rx_types "after inserts of every type"
# same_rows PAIRS: "copied=replicated ..." pairs whose every column but the key (and the generated
# column computed from the key) must be equal in PostgreSQL.
same_rows() {
	local pairs=$1 values=""
	for pair in $pairs; do values+="${values:+, }(${pair%=*}, ${pair#*=})"; done
	q "SELECT coalesce(string_agg(format('%s<>%s: %s', p.a, p.b, (SELECT string_agg(x.key, ',') FROM jsonb_each(to_jsonb(ra) - 'id' - 'genv') x
		WHERE x.value IS DISTINCT FROM (to_jsonb(rb) - 'id' - 'genv') -> x.key)), '; '), '')
		|| (SELECT CASE WHEN count(*) = $(wc -w <<<"$pairs") THEN '' ELSE ' missing rows' END
		    FROM (VALUES $values) v(a, b) JOIN rx_types_pg.alltypes x ON x.id = v.b)
		FROM (VALUES $values) p(a, b) JOIN rx_types_pg.alltypes ra ON ra.id = p.a JOIN rx_types_pg.alltypes rb ON rb.id = p.b
		WHERE to_jsonb(ra) - 'id' - 'genv' IS DISTINCT FROM to_jsonb(rb) - 'id' - 'genv'"
}
check_eq "every type: inserted rows equal the rows the copy made from the same values" "" "$(same_rows "1=101 2=102 3=103 4=104")"

# compare_types LABEL: every value of every column, MariaDB's canonical text against PostgreSQL's.
compare_types() {
	q "DROP TABLE IF EXISTS rx_types_pg.my_values; CREATE TABLE rx_types_pg.my_values (col text, id int, v text)" >/dev/null
	local my_select="" compare_sql="" col type kind pgtype expr pe
	while IFS='|' read -r col type kind pgtype; do
		expr=$(my_expr "$kind")
		my_select+="${my_select:+ UNION ALL }SELECT '$col', id, IFNULL(${expr//\{c\}/\`$col\`}, '\\\\N') FROM rx_types.alltypes"
		pe=$(pg_expr "$kind")
		compare_sql+="${compare_sql:+ UNION ALL }SELECT '$col' AS col, m.id, $(norm_expr "$kind") AS mysql, ${pe//\{c\}/t.\"$col\"} AS pg
			FROM rx_types_pg.my_values m LEFT JOIN rx_types_pg.alltypes t USING (id) WHERE m.col = '$col'"
	done <<<"$COLUMNS"
	mysql_root -N -B --raw -e "SET time_zone = '+00:00'; $my_select" | psql -X -q -v ON_ERROR_STOP=1 -c "COPY rx_types_pg.my_values FROM STDIN"
	# MariaDB's values must all have been loaded: an empty load would compare nothing
	local expected_values loaded_values
	expected_values=$(($(wc -l <<<"$COLUMNS") * $(mysql_root -N -B -e "SELECT count(*) FROM rx_types.alltypes")))
	loaded_values=$(q "SELECT count(*) FROM rx_types_pg.my_values")
	check_eq "$1: same ids on both sides" "$(mysql_root -N -B -e "SELECT group_concat(id ORDER BY id) FROM rx_types.alltypes")" \
		"$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM rx_types_pg.alltypes")"
	local mismatches
	mismatches=$(q "SELECT string_agg(format('%s id=%s: mysql %s, pg %s', col, id, left(coalesce(mysql, 'NULL'), 60),
		left(coalesce(pg, 'NULL'), 60)), E'\n' ORDER BY col, id) FROM ($compare_sql) c WHERE mysql IS DISTINCT FROM pg")
	[ "$loaded_values" = "$expected_values" ] ||
		mismatches="loaded $loaded_values values of MariaDB, expected $expected_values${mismatches:+; }$mismatches"
	check_eq "$1: every value equals MariaDB's" "" "$mismatches"
	q "DROP TABLE rx_types_pg.my_values" >/dev/null
}
compare_types "every type after inserts"

mysql_root rx_types <<SQL
SET time_zone = '+00:00';
INSERT INTO alltypes (id, $writable) SELECT 105, $writable FROM alltypes WHERE id = 3;
UPDATE alltypes a JOIN alltypes b ON b.id = 2 SET $set_from_b WHERE a.id = 101;
UPDATE alltypes a JOIN alltypes b ON b.id = 1 SET $set_from_b WHERE a.id = 102;
UPDATE alltypes a JOIN alltypes b ON b.id = 4 SET $set_from_b WHERE a.id = 103;
UPDATE alltypes SET id = 106 WHERE id = 105;
UPDATE alltypes a JOIN alltypes b ON b.id = 2 SET $set_from_b WHERE a.id = 106;
DELETE FROM alltypes WHERE id = 104;
SQL
catchup rx_types "after updates and deletes of every type"
check_eq "every type: updated rows equal the copied rows of the same values" "" "$(same_rows "2=101 1=102 4=103 2=106")"
check_eq "every type: the deleted row and the old key are gone" "0" "$(q "SELECT count(*) FROM rx_types_pg.alltypes WHERE id IN (104, 105)")"
compare_types "every type after updates and deletes"
check_eq "every type: nothing failed" "running 0 0" \
	"$(q "SELECT status || ' ' || errors || ' ' || tables_disabled FROM chameleon.show_status('rx_types')")"

###############################################################################
# Filters: limit_tables, skip_tables, skip_events per schema and per table.
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE rx_f1; CREATE DATABASE rx_f2; CREATE DATABASE rx_f3;
CREATE TABLE rx_f1.a (id int PRIMARY KEY, v varchar(10)); CREATE TABLE rx_f1.b LIKE rx_f1.a; CREATE TABLE rx_f1.c LIKE rx_f1.a;
CREATE TABLE rx_f2.x LIKE rx_f1.a; CREATE TABLE rx_f2.y LIKE rx_f1.a; CREATE TABLE rx_f2.z LIKE rx_f1.a; CREATE TABLE rx_f2.w LIKE rx_f1.a;
CREATE TABLE rx_f3.d LIKE rx_f1.a; CREATE TABLE rx_f3.e LIKE rx_f1.a;
SQL
for t in rx_f1.a rx_f1.b rx_f1.c rx_f2.x rx_f2.y rx_f2.z rx_f2.w rx_f3.d rx_f3.e; do
	mysql_root -e "INSERT INTO $t VALUES (1, 'init'), (2, 'init'), (3, 'init')"
done
add_src rx_filter "rx_f1: rx_f1_pg, rx_f2: rx_f2_pg, rx_f3: rx_f3_pg" "
limit_tables: [rx_f1.a, rx_f1.b]
skip_tables: [rx_f1.b, rx_f2.y]
skip_events: {insert: [rx_f2.x], update: [rx_f2.z, rx_f3.e], delete: [rx_f3]}"
init rx_filter
start rx_filter
check_eq "filters: only the kept tables exist in PostgreSQL" "rx_f1_pg.a rx_f2_pg.w rx_f2_pg.x rx_f2_pg.z rx_f3_pg.d rx_f3_pg.e" \
	"$(q "SELECT string_agg(table_schema || '.' || table_name, ' ' ORDER BY table_schema, table_name) FROM information_schema.tables WHERE table_schema IN ('rx_f1_pg', 'rx_f2_pg', 'rx_f3_pg')")"
for t in rx_f1.a rx_f1.b rx_f1.c rx_f2.x rx_f2.y rx_f2.z rx_f2.w rx_f3.d rx_f3.e; do
	mysql_root -e "INSERT INTO $t VALUES (10, 'new'); UPDATE $t SET v = 'upd' WHERE id = 1; DELETE FROM $t WHERE id = 2"
done
catchup rx_filter "after filtered changes"
compare_simple rx_f1 a "filters (limit_tables, all events)"
compare_simple rx_f2 w "filters (no filter on the table)"
pg_rows() { q "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM $1"; }
check_eq "skip_events insert on a table: the insert does not arrive, update and delete do" "1:upd,3:init" "$(pg_rows rx_f2_pg.x)"
check_eq "skip_events update on a table: the update does not arrive, insert and delete do" "1:init,3:init,10:new" "$(pg_rows rx_f2_pg.z)"
check_eq "skip_events delete on a schema: the delete does not arrive, insert and update do" "1:upd,2:init,3:init,10:new" "$(pg_rows rx_f3_pg.d)"
check_eq "skip_events update on a table and delete on its schema: only the insert arrives" "1:init,2:init,3:init,10:new" "$(pg_rows rx_f3_pg.e)"
check_eq "filters: nothing failed" "running 0 0" \
	"$(q "SELECT status || ' ' || errors || ' ' || tables_disabled FROM chameleon.show_status('rx_filter')")"
stop rx_filter

###############################################################################
# Replay errors: on_error_replay continue disables the table; exit puts the source in error.
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE rx_err;
CREATE TABLE rx_err.e1 (id int PRIMARY KEY, v varchar(20));
CREATE TABLE rx_err.e2 LIKE rx_err.e1;
CREATE TABLE rx_err.e3 LIKE rx_err.e1;
CREATE TABLE rx_err.e4 (id int PRIMARY KEY, v text);
INSERT INTO rx_err.e1 VALUES (1, 'one'), (2, 'two'); INSERT INTO rx_err.e2 VALUES (1, 'one'); INSERT INTO rx_err.e3 VALUES (1, 'one');
SQL
add_src rx_err "rx_err: rx_err_pg" "on_error_replay: continue"
init rx_err
start rx_err
# A trigger on e4 in PostgreSQL raises an 8,000-byte multibyte error inside the replay worker's
# transaction; it is recorded after that transaction's abort.
q "DELETE FROM rx_err_pg.e1 WHERE id = 1; INSERT INTO rx_err_pg.e3 VALUES (100, 'made in pg');
	CREATE FUNCTION rx_err_pg.refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN RAISE EXCEPTION USING MESSAGE = repeat('érr ', 2000); END \$\$;
	CREATE TRIGGER refuse BEFORE INSERT ON rx_err_pg.e4 FOR EACH ROW EXECUTE FUNCTION rx_err_pg.refuse();
	ALTER TABLE rx_err_pg.e4 ENABLE ALWAYS TRIGGER refuse" >/dev/null
mysql_root -e "UPDATE rx_err.e1 SET v = 'changed' WHERE id = 1; INSERT INTO rx_err.e2 VALUES (2, 'two');
	INSERT INTO rx_err.e3 VALUES (100, 'conflict'); INSERT INTO rx_err.e4 VALUES (1, 'refused')"
catchup rx_err "with replay errors under continue"
check_eq "continue: a long error from inside the worker's transaction is recorded byte for byte" "t" \
	"$(q "SELECT error = repeat('érr ', 2000) FROM chameleon.show_errors('rx_err') WHERE mysql_table = 'e4'")"
check_eq "continue: the source keeps running" "running" "$(status rx_err)"
check_eq "continue: show_errors lists the update that found no row and the conflicting insert" \
	"e1|id=1|t|UPDATE|55000|t;e3|id=100|t|INSERT|23505|t;e4|id=1|t|INSERT|P0001|t" \
	"$(q "SELECT string_agg(concat_ws('|', mysql_table, row_key, batch > 0, substring(sql from '^[A-Z]+'), sqlstate, binlog_position ~ '^mysql-bin\.[0-9]+:[0-9]+$'), ';' ORDER BY mysql_table) FROM chameleon.show_errors('rx_err')")"
check_match "continue: the error of the update says no row matched" "update changed 0 rows" \
	"$(q "SELECT error FROM chameleon.show_errors('rx_err') WHERE mysql_table = 'e1'")"
check_match "continue: the error of the insert is PostgreSQL's" "duplicate key" \
	"$(q "SELECT error FROM chameleon.show_errors('rx_err') WHERE mysql_table = 'e3'")"
check_eq "continue: chameleon.tables says disabled, with the reason" "rx_err.e1 disabled t t;rx_err.e2 replicating f f;rx_err.e3 disabled t t;rx_err.e4 disabled t t" \
	"$(q "SELECT string_agg(concat_ws(' ', mysql_table, state, disabled_reason IS NOT NULL, disabled_at IS NOT NULL), ';' ORDER BY mysql_table) FROM chameleon.tables WHERE source = 'rx_err'")"
check_eq "continue: show_status counts 3 disabled tables and 3 errors" "3 3" \
	"$(q "SELECT tables_disabled || ' ' || errors FROM chameleon.show_status('rx_err')")"
mysql_root -e "INSERT INTO rx_err.e2 VALUES (3, 'three'); UPDATE rx_err.e2 SET v = 'upd' WHERE id = 1; INSERT INTO rx_err.e1 VALUES (3, 'after')"
catchup rx_err "after more changes"
compare_simple rx_err e2 "continue: the other table keeps replicating"
check_eq "continue: the disabled table gets no more changes" "0" "$(q "SELECT count(*) FROM rx_err_pg.e1 WHERE id = 3")"
check_eq "continue: no new error for the disabled table" "3" "$(q "SELECT errors FROM chameleon.show_status('rx_err')")"
stop rx_err

# One transaction of 1000-row statements (the replay takes it whole): the table is cut every 10,000
# rows and its net effect built by the folder thread; a conflict there goes event by event too,
# and names its row.
mysql_root -e "CREATE DATABASE rx_cut; CREATE TABLE rx_cut.t (id int PRIMARY KEY, v int)"
add_src rx_cut "rx_cut: rx_cut_pg" "on_error_replay: continue"
init rx_cut
q "INSERT INTO rx_cut_pg.t VALUES (25000, -1)" >/dev/null
start rx_cut
{
	echo "START TRANSACTION;"
	for n in $(seq 0 29); do echo "INSERT INTO rx_cut.t SELECT seq, seq FROM seq_$((n * 1000 + 1))_to_$((n * 1000 + 1000));"; done
	echo "COMMIT;"
} | mysql_root rx_cut
catchup rx_cut "after a conflict in a cut table"
check_eq "cut table: show_errors names the conflicting row of the 1000-row statement" "t|id=25000|INSERT|23505" \
	"$(q "SELECT string_agg(concat_ws('|', mysql_table, row_key, substring(sql from '^[A-Z]+'), sqlstate), ';') FROM chameleon.show_errors('rx_cut')")"
check_eq "cut table: the statements before the failing one arrived whole, the table is disabled" "24000|-1|disabled" \
	"$(q "SELECT count(*) FILTER (WHERE id <= 24000) || '|' || (SELECT v FROM rx_cut_pg.t WHERE id = 25000) FROM rx_cut_pg.t")|$(q "SELECT state FROM chameleon.tables WHERE source = 'rx_cut'")"
stop rx_cut

mysql_root -e "CREATE DATABASE rx_exit; CREATE TABLE rx_exit.t (id int PRIMARY KEY, v varchar(20)); CREATE TABLE rx_exit.u LIKE rx_exit.t;
	INSERT INTO rx_exit.t VALUES (1, 'one'); INSERT INTO rx_exit.u VALUES (1, 'one')"
add_src rx_exit "rx_exit: rx_exit_pg" "on_error_replay: exit"
init rx_exit
start rx_exit
q "INSERT INTO rx_exit_pg.t VALUES (100, 'made in pg')" >/dev/null
mysql_root -e "INSERT INTO rx_exit.u VALUES (2, 'before'); INSERT INTO rx_exit.t VALUES (100, 'conflict'); INSERT INTO rx_exit.u VALUES (3, 'after')"
wait_until 30 "rx_exit to go to error" bash -c "[ \"\$(psql -X -tA -c \"SELECT status FROM chameleon.show_status('rx_exit')\")\" = error ]"
check_eq "exit: the source goes to status error" "error" "$(status rx_exit)"
check_match "exit: the status reason names the table and the error" 'rx_exit\.t.*duplicate key' \
	"$(q "SELECT status_reason FROM chameleon.show_status('rx_exit')")"
check_fails "exit: wait_for_catchup raises an error" 'rx_exit.*(error|failed)' q "SELECT chameleon.wait_for_catchup('rx_exit', '10 s')"
check_eq "exit: show_errors lists the failed insert" "t|id=100|23505" \
	"$(q "SELECT string_agg(concat_ws('|', mysql_table, row_key, sqlstate), ';') FROM chameleon.show_errors('rx_exit')")"
wait_until 30 "the workers of rx_exit to end" bash -c "[ \"\$(psql -X -tA -c \"SELECT count(*) FROM chameleon.workers WHERE source = 'rx_exit'\")\" = 0 ]"
check_eq "exit: the workers are gone" "0" "$(q "SELECT count(*) FROM chameleon.workers WHERE source = 'rx_exit'")"
check_fails "exit: start_replica refuses a source in error" "is in error" q "SELECT chameleon.start_replica('rx_exit')"
q "DELETE FROM rx_exit_pg.t WHERE id = 100" >/dev/null
q "SELECT chameleon.enable_replica('rx_exit')" >/dev/null
start rx_exit
catchup rx_exit "after the fix, enable_replica and start_replica"
compare_simple rx_exit t "exit: resumed"
compare_simple rx_exit u "exit: resumed"
check_eq "exit: the failed insert and the rows around it arrive once" "1 1 1" \
	"$(q "SELECT (SELECT count(*) FROM rx_exit_pg.t WHERE id = 100) || ' ' || (SELECT count(*) FROM rx_exit_pg.u WHERE id = 2) || ' ' || (SELECT count(*) FROM rx_exit_pg.u WHERE id = 3)")"
stop rx_exit

###############################################################################
# Stop, changes while stopped, start: each change exactly once; stop_all_replicas.
###############################################################################
stop rx_cases
check_eq "stop_replica: no worker left, status stopped" "0 stopped" \
	"$(q "SELECT count(*) || ' ' || (SELECT status FROM chameleon.show_status('rx_cases')) FROM chameleon.workers WHERE source = 'rx_cases'")"
mysql_root rx_cases -e "INSERT INTO t SELECT seq + 8000, seq, 'while stopped', 1, NULL FROM seq_1_to_300;
	UPDATE t SET v = 'updated while stopped' WHERE id BETWEEN 8001 AND 8050; DELETE FROM t WHERE id BETWEEN 8251 AND 8300;
	UPDATE t SET id = id + 1000 WHERE id BETWEEN 8101 AND 8110"
start rx_cases
catchup rx_cases "after stop and start"
compare rx_cases t id "id, k, v, d, date_format(ts, '%Y-%m-%d %H:%i:%s.%f')" "id, k, v, d, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US')" "stop/start"
check_eq "stop/start: every change made while stopped arrives once" "250 50 10" \
	"$(q "SELECT count(*) FILTER (WHERE id BETWEEN 8001 AND 9999) || ' ' || count(*) FILTER (WHERE v = 'updated while stopped') || ' ' || count(*) FILTER (WHERE id BETWEEN 9101 AND 9110) FROM rx_cases_pg.t")"
running_before=$(q "SELECT string_agg(source, ' ' ORDER BY source) FROM chameleon.sources s WHERE EXISTS (SELECT 1 FROM chameleon.workers w WHERE w.source = s.source AND w.role = 'reader') AND source NOT LIKE 'rx\_%'")
start rx_types 2>/dev/null
stopped=$(q "SELECT string_agg(source, ' ' ORDER BY source) FROM chameleon.stop_all_replicas()")
check_match "stop_all_replicas lists the running sources" '(^| )rx_cases( |$)' "$stopped"
check_eq "stop_all_replicas: no reader or replay worker is left" "0" "$(q "SELECT count(*) FROM chameleon.workers WHERE role IN ('reader', 'replay')")"
check_eq "stop_all_replicas: my sources are stopped" "stopped" "$(status rx_cases)"
for source in $running_before; do q "SELECT chameleon.start_replica('$source')" >/dev/null 2>&1; done # other engineers' sources

###############################################################################
# Crashes under load: kill -9 of the reader and of the replay worker in a large transaction,
# PostgreSQL immediate restart, MariaDB restart with on_error_read: continue.
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE rx_crash;
CREATE TABLE rx_crash.big (id int AUTO_INCREMENT PRIMARY KEY, k int, c varchar(64), KEY (k));
CREATE TABLE rx_crash.load_t (id int AUTO_INCREMENT PRIMARY KEY, k int, c varchar(64));
INSERT INTO rx_crash.big (k, c) SELECT seq, md5(seq) FROM rx_crash.seq_1_to_1000;
INSERT INTO rx_crash.load_t (k, c) SELECT seq, md5(seq) FROM rx_crash.seq_1_to_100;
SQL
add_src rx_crash "rx_crash: rx_crash_pg" "on_error_read: continue
replica_batch_size: 1000"
init rx_crash
start rx_crash

# load SECONDS: small transactions on MariaDB until the deadline (failures while MariaDB is
# down are ignored: the comparison is with what MariaDB has).
load() {
	local deadline=$((SECONDS + $1)) i=0
	while [ $SECONDS -lt $deadline ]; do
		i=$((i + 1))
		mysql_root rx_crash -e "INSERT INTO load_t (k, c) VALUES ($i, 'load $i'), ($i, 'load $i b');
			UPDATE load_t SET k = k + 1, c = concat('u', $i) WHERE id % 10 = $((i % 10)) ORDER BY id DESC LIMIT 3;
			DELETE FROM load_t WHERE id % 13 = $((i % 13)) ORDER BY id LIMIT 1" 2>/dev/null
	done
}
compare_crash() {
	compare_simple rx_crash big "$1"
	compare_simple rx_crash load_t "$1"
	# a row applied twice would have failed on the primary key and been logged as a replay error
	check_eq "$1: no replay error (nothing applied twice)" "0" \
		"$(q "SELECT count(*) FROM chameleon.show_errors('rx_crash')")"
}
# never_listed SOURCE PID SECONDS: chameleon.workers must never show the dead pid again.
never_listed() {
	local deadline=$((SECONDS + $3)) seen=0
	while [ $SECONDS -lt $deadline ]; do
		[ "$(q "SELECT count(*) FROM chameleon.workers WHERE pid = $2" 2>/dev/null)" = 1 ] && seen=1
		sleep 0.2
	done
	check_eq "$1: chameleon.workers never lists the dead pid $2" "0" "$seen"
}
# back SOURCE LABEL OLD_PIDS: the launcher brings the workers back.
back() {
	if wait_until 60 "the launcher to restart the workers of $1" bash -c "
		p=\$(psql -X -tA -c \"SELECT string_agg(role || ' ' || pid, ',' ORDER BY role) FROM chameleon.workers WHERE source = '$1'\")
		[[ \"\$p\" =~ ^reader\ [0-9]+,replay\ [0-9]+\$ ]] && [ \"\$p\" != '$3' ]"; then
		ok "$2: the launcher restarts the reader and the replay worker"
	else
		not_ok "$2: the launcher restarts the reader and the replay worker" "workers: $(role_pids "$1")" \
			"status: $(q "SELECT status || ' ' || coalesce(status_reason, '') FROM chameleon.show_status('$1')")"
		# The test goes on with a manual start, to check the data after the crash.
		q "SELECT chameleon.stop_replica('$1')" >/dev/null 2>&1
		q "SELECT chameleon.enable_replica('$1')" >/dev/null 2>&1
		start "$1"
	fi
}
# big_insert: 200,000 rows in one transaction.
big_insert() { mysql_root -e "INSERT INTO rx_crash.big (k, c) SELECT seq, md5(seq) FROM rx_crash.seq_1_to_200000"; }

# committed_read SOURCE: the reader's committed position, read without touching the log tables
committed_read() {
	q "SELECT r.t_binlog_name || ':' || r.i_binlog_position FROM sch_chameleon.t_last_received r
		JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = '$1'"
}
for victim in reader replay; do
	pids=$(role_pids rx_crash)
	holder=
	if [ $victim = reader ]; then
		# The reader is held inside the large transaction: a session keeps the log from taking
		# rows (EXCLUSIVE blocks inserts, not reads) until the kill ends every session.
		psql -X -q -c "BEGIN; LOCK TABLE sch_chameleon.t_log_replica IN EXCLUSIVE MODE; SELECT pg_sleep(120)" \
			>/dev/null 2>&1 &
		holder=$!
		wait_until 30 "the log lock to be held" bash -c "[ \"\$(psql -X -tA -c \"SELECT count(*) FROM pg_locks
			WHERE relation = 'sch_chameleon.t_log_replica'::regclass AND mode = 'ExclusiveLock' AND granted\")\" = 1 ]"
	fi
	big_insert
	big_end=$(mysql_root -N -B -e 'SHOW MASTER STATUS' | cut -f1,2 | tr '\t' :)
	load 8 &
	loader=$!
	column=read_position
	if [ $victim = reader ]; then
		wait_until 60 "the reader to wait for the log lock inside the large transaction" bash -c \
			"[ \"\$(psql -X -tA -c \"SELECT count(*) FROM pg_locks l JOIN chameleon.workers w ON w.pid = l.pid
				WHERE w.source = 'rx_crash' AND w.role = 'reader' AND NOT l.granted\")\" -gt 0 ]"
	else
		column=replayed_position
		# In the middle of the replay of the large transaction.
		wait_until 60 "the replay to have the large transaction to apply" bash -c \
			"[ \"\$(psql -X -tA -c \"SELECT pending_rows > 0 FROM chameleon.show_status('rx_crash')\")\" = t ]"
	fi
	pid=$(role_pid rx_crash $victim)
	if [ $victim = reader ]; then
		at_kill=$(committed_read rx_crash)
	else
		at_kill=$(q "SELECT $column FROM chameleon.show_status('rx_crash')")
	fi
	kill -9 "$pid"
	[ -n "$holder" ] && { wait "$holder" 2>/dev/null || true; }
	# The position the victim had committed just before the kill: still before the end of the
	# 200,000-row transaction, so the kill interrupted its reading or its replay.
	if position_before "$at_kill" "$big_end"; then
		ok "kill -9 of the $victim: it hit before the $victim had passed the large transaction"
	else
		not_ok "kill -9 of the $victim: it hit before the $victim had passed the large transaction" \
			"$column at the kill: $at_kill" "the large transaction ends at: $big_end"
	fi
	never_listed "kill -9 of the $victim" "$pid" 3
	back rx_crash "kill -9 of the $victim" "$pids"
	wait "$loader"
	catchup rx_crash "after kill -9 of the $victim"
	compare_crash "kill -9 of the $victim"
done

load 8 &
loader=$!
pids=$(role_pids rx_crash)
big_insert
restart_postgres immediate
wait_until 60 "PostgreSQL to accept connections" q "SELECT 1"
back rx_crash "restart_postgres immediate" "$pids"
wait "$loader"
catchup rx_crash "after restart_postgres immediate"
compare_crash "restart_postgres immediate"

load 10 &
loader=$!
pids=$(role_pids rx_crash)
stop_mariadb
start_mariadb
wait "$loader"
check_eq "MariaDB restart, on_error_read continue: the same workers go on" "$pids" "$(role_pids rx_crash)"
catchup rx_crash "after a MariaDB restart"
compare_crash "MariaDB restart"
check_eq "after the crashes nothing failed" "running 0 0" \
	"$(q "SELECT status || ' ' || errors || ' ' || tables_disabled FROM chameleon.show_status('rx_crash')")"

###############################################################################
# Status honesty: lag on an idle source.
###############################################################################
wait_until 15 "the lag of an idle source to settle" bash -c \
	"[ \"\$(psql -X -tA -c \"SELECT read_lag <= '2 s' AND replay_lag <= '2 s' FROM chameleon.show_status('rx_crash')\")\" = t ]"
samples=""
for n in 1 2 3 4 5; do
	samples+="$(q "SELECT extract(epoch FROM read_lag)::int || '/' || extract(epoch FROM replay_lag)::int FROM chameleon.show_status('rx_crash')") "
	sleep 1 # one heartbeat (sleep_loop: 1) between samples
done
check_match "idle source: read_lag and replay_lag stay at most 2 s over 5 heartbeats" '^([0-2]/[0-2] ){5}$' "$samples"

stop rx_crash
cleanup
e2e_finish
