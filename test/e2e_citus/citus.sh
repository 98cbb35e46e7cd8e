# Replication into a Citus cluster (doc/scale-out.md): a coordinator and two worker nodes on
# loopback ports (test/lib/citus.sh). The extension on worker nodes (catalogue only) and adding a
# node; a table whose key leaves out its distribution column refused; init_replica into a
# distributed all-types table, a distributed composite-key table, a reference table and a local
# table; live DML of every kind including changes of the distribution column; DDL (ALTER of a
# distributed table, a new table distributed by its rule); two-phase commit of the replay; then
# kill -9 of the replay worker, an immediate restart of the coordinator and one of a worker node,
# each in the middle of a load and each followed by a row-by-row comparison with MariaDB.
# checks: 46
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"
. "$(dirname "$0")/../lib/all_types.sh"
. "$(dirname "$0")/../lib/citus.sh"

SRC=cz
DB=cz_shop
PG=cz_shop_pg
stop_citus_cluster
rm -rf "$CITUS_DIR"
start_citus_cluster || { echo "not ok - the Citus cluster starts"; exit 1; }
trap stop_citus_cluster EXIT
W1=$(worker_port 1)
W2=$(worker_port 2)
on_node() { psql -X -q -tA -p "$1" -c "$2"; }

###############################################################################
# The extension on worker nodes
###############################################################################
q "SELECT citus_add_node('127.0.0.1', $W1)" >/dev/null
q "CREATE EXTENSION pg_chameleon" >/dev/null
check_eq "CREATE EXTENSION on the coordinator reaches the worker node, where the library is not preloaded" \
	"pg_chameleon" "$(on_node "$W1" "SELECT extname FROM pg_extension WHERE extname = 'pg_chameleon'")"
check_fails "on a worker node the functions refuse to run, naming shared_preload_libraries" \
	'pg_chameleon is not loaded through "shared_preload_libraries" on this server' \
	psql -X -q -v ON_ERROR_STOP=1 -p "$W1" -c "SELECT count(*) FROM chameleon.workers"
check_eq "citus_add_node of a second node works with pg_chameleon installed, and the node gets its catalogue" \
	"t|pg_chameleon" \
	"$(q "SELECT citus_add_node('127.0.0.1', $W2) > 0")|$(on_node "$W2" "SELECT extname FROM pg_extension WHERE extname = 'pg_chameleon'")"

###############################################################################
# A distribution column left out of a key is refused
###############################################################################
mysql_root <<SQL
DROP DATABASE IF EXISTS cz_bad;
CREATE DATABASE cz_bad;
CREATE TABLE cz_bad.orders (id int PRIMARY KEY, customer_id int NOT NULL);
SQL
q "SELECT chameleon.add_source('cz_bad', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {cz_bad: cz_bad_pg}
distribute_tables: {cz_bad.orders: customer_id}
my_server_id: 651
\$\$)" >/dev/null
q "SELECT chameleon.init_replica('cz_bad', wait => true)" >/dev/null 2>&1
check_match "init_replica refuses a table whose primary key leaves out its distribution column" \
	'cannot be distributed by column "customer_id": its primary key does not include it' \
	"$(q "SELECT status || ': ' || status_reason FROM chameleon.show_status('cz_bad')")"
q "SELECT chameleon.drop_source('cz_bad')" >/dev/null

# copy_schema creates the tables distributed as init_replica would
mysql_root -e "DROP DATABASE IF EXISTS cz_cs; CREATE DATABASE cz_cs; CREATE TABLE cz_cs.t (id int PRIMARY KEY, v text); CREATE TABLE cz_cs.r (code char(2) PRIMARY KEY)"
q "SELECT chameleon.add_source('cz_cs', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {cz_cs: cz_cs_pg}
distribute_tables: {cz_cs.t: id}
reference_tables: [cz_cs.r]
my_server_id: 653
\$\$)" >/dev/null
q "SELECT chameleon.copy_schema('cz_cs')" >/dev/null
check_eq "copy_schema creates the tables distributed and reference as configured" "cz_cs_pg.r=reference,cz_cs_pg.t=distributed by id" \
	"$(q "SELECT string_agg(n || '=' || sch_chameleon.fn_table_distribution('cz_cs_pg', split_part(n, '.', 2)), ',' ORDER BY n) FROM unnest('{cz_cs_pg.r,cz_cs_pg.t}'::text[]) n")"
q "SELECT chameleon.drop_source('cz_cs')" >/dev/null

###############################################################################
# init_replica
###############################################################################
COLUMNS=$(all_types_columns $PG)
create=""
while IFS='|' read -r col type kind pgtype; do create+="${create:+, }\`$col\` $type"; done <<<"$COLUMNS"
writable=$(while IFS='|' read -r col type kind pgtype; do [[ $col == id || $type == *" AS "* ]] || echo "\`$col\`"; done <<<"$COLUMNS" | paste -sd,)
mysql_root -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4"
mysql_root $DB <<SQL
CREATE TABLE $DB.alltypes ($create);
$(all_types_rows $DB.alltypes)
CREATE TABLE $DB.pairs (a int, b varchar(10), v bigint, PRIMARY KEY (a, b), UNIQUE KEY (b, a));
CREATE TABLE $DB.countries (code char(2) PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE $DB.notes (id int AUTO_INCREMENT PRIMARY KEY, body text);
INSERT INTO $DB.pairs SELECT seq, concat('k', seq % 7), seq * 10 FROM seq_1_to_500;
INSERT INTO $DB.countries VALUES ('fr', 'France'), ('it', 'Italy'), ('de', 'Germany');
INSERT INTO $DB.notes (body) VALUES ('one'), ('two');
SQL
q "SELECT chameleon.add_source('$SRC', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$DB: $PG}
distribute_tables: {$DB.alltypes: id, $DB.pairs: a, $DB.events: id}
reference_tables: [$DB.countries]
copy_parallel_jobs: 2
replica_batch_size: 500
my_server_id: 652
\$\$)" >/dev/null
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
check_eq "chameleon.tables shows how each table is distributed" \
	"alltypes=distributed by id,countries=reference,notes=local,pairs=distributed by a" \
	"$(q "SELECT string_agg(split_part(mysql_table, '.', 2) || '=' || distribution, ',' ORDER BY mysql_table) FROM chameleon.tables WHERE source = '$SRC'")"
check_eq "the distributed tables have shards on both worker nodes" "2|2" \
	"$(q "SELECT count(DISTINCT nodeport) FILTER (WHERE table_name = '$PG.alltypes'::regclass) || '|' ||
		count(DISTINCT nodeport) FILTER (WHERE table_name = '$PG.pairs'::regclass) FROM citus_shards")"
check_eq "the keys are as on one server (the primary key and the unique key of pairs)" "2|1" \
	"$(q "SELECT count(*) FILTER (WHERE indisunique) || '|' || count(*) FILTER (WHERE indisprimary) FROM pg_index WHERE indrelid = '$PG.pairs'::regclass")"

# compare_all_types LABEL: every value of every column of alltypes, MariaDB's canonical text
# against the distributed table's (both gathered in local tables of the coordinator).
compare_all_types() {
	q "DROP TABLE IF EXISTS public.cz_my_values, public.cz_pg_values;
	   CREATE TABLE public.cz_my_values (col text, id int, v text); CREATE TABLE public.cz_pg_values (col text, id int, v text)" >/dev/null
	local my_select="" pg_select="" cases="" col type kind pgtype expr pe
	while IFS='|' read -r col type kind pgtype; do
		expr=$(my_expr "$kind")
		my_select+="${my_select:+ UNION ALL }SELECT '$col', id, IFNULL(${expr//\{c\}/\`$col\`}, '\\\\N') FROM $DB.alltypes"
		pe=$(pg_expr "$kind")
		pg_select+="${pg_select:+ UNION ALL }SELECT '$col', id, ${pe//\{c\}/\"$col\"} FROM $PG.alltypes"
		cases+=" WHEN '$col' THEN $(norm_expr "$kind")"
	done <<<"$COLUMNS"
	mysql_root -N -B --raw -e "SET time_zone = '+00:00'; $my_select" | psql -X -q -v ON_ERROR_STOP=1 -c "COPY public.cz_my_values FROM STDIN"
	psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO public.cz_pg_values $pg_select" >/dev/null
	check_eq "$1: every value of alltypes equals MariaDB's" \
		"$(mysql_root -N -B -e "SELECT count(*) FROM $DB.alltypes")|" \
		"$(q "SELECT count(*) FROM public.cz_pg_values WHERE col = 'id'")|$(q "SELECT string_agg(format('%s id=%s: mysql %s, pg %s',
			coalesce(m.col, p.col), coalesce(m.id, p.id), left(coalesce(m.v, 'NULL'), 40), left(coalesce(p.v, 'NULL'), 40)), E'\n')
			FROM public.cz_my_values m FULL JOIN public.cz_pg_values p USING (col, id)
			WHERE m.col IS NULL OR p.col IS NULL OR (CASE m.col $cases END) IS DISTINCT FROM p.v")"
	q "DROP TABLE public.cz_my_values, public.cz_pg_values" >/dev/null
}
# compare_tables LABEL: the other tables, row by row.
compare_tables() {
	compare_rows "$1" $DB.pairs $PG.pairs "a, b" "a, b, v${2:+, $2}"
	compare_rows "$1" $DB.countries $PG.countries "code" "code, name${3:+, $3}"
}
compare_all_types "after init_replica"
compare_tables "after init_replica"
compare_rows "after init_replica" $DB.notes $PG.notes "id" "id, body"

###############################################################################
# Live replication: DML of every kind, key changes, DDL, two-phase commit
###############################################################################
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
mysql_root $DB <<SQL
SET time_zone = '+00:00';
INSERT INTO alltypes (id, $writable) SELECT id + 100, $writable FROM alltypes WHERE id <= 4 ORDER BY id;
UPDATE alltypes SET i = i + 1, tx = concat(coalesce(tx, ''), ' updated') WHERE id IN (1, 101);
UPDATE alltypes SET id = 205 WHERE id = 3;
DELETE FROM alltypes WHERE id = 104;
START TRANSACTION;
INSERT INTO pairs VALUES (1000, 'x', 1), (1001, 'y', 2);
UPDATE pairs SET v = v + 1 WHERE a BETWEEN 10 AND 60;
UPDATE pairs SET a = a + 5000 WHERE a BETWEEN 61 AND 80;
UPDATE pairs SET b = concat(b, 'z') WHERE a BETWEEN 81 AND 90;
UPDATE pairs SET a = 1000, b = 'q' WHERE a = 91;
DELETE FROM pairs WHERE a BETWEEN 100 AND 120;
COMMIT;
INSERT INTO pairs VALUES (7, 'new', 7);
DELETE FROM pairs WHERE a = 7 AND b = 'new';
INSERT INTO pairs VALUES (7, 'new', 8);
UPDATE countries SET name = 'République française' WHERE code = 'fr';
UPDATE countries SET code = 'es', name = 'Spain' WHERE code = 'de';
INSERT INTO countries VALUES ('pt', 'Portugal');
DELETE FROM countries WHERE code = 'it';
UPDATE notes SET body = 'uno' WHERE id = 1;
SQL
check_eq "wait_for_catchup after DML of every kind" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
compare_all_types "after live DML"
compare_tables "after live DML"

mysql_root $DB <<SQL
ALTER TABLE pairs ADD COLUMN note varchar(20) DEFAULT 'n';
UPDATE pairs SET note = concat('n', a % 3) WHERE a < 50;
ALTER TABLE countries ADD COLUMN population bigint;
UPDATE countries SET population = 68000000 WHERE code = 'fr';
CREATE TABLE events (id int PRIMARY KEY, kind varchar(10), at datetime(6));
INSERT INTO events SELECT seq, concat('e', seq % 5), '2024-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_300;
UPDATE events SET kind = 'moved', id = id + 1000 WHERE id <= 10;
SQL
check_eq "wait_for_catchup after DDL" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
check_eq "a new MySQL table is distributed by its rule" "distributed by id" \
	"$(q "SELECT distribution FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.events'")"
compare_rows "after DDL" $DB.pairs $PG.pairs "a, b" "a, b, v, note"
compare_rows "after DDL" $DB.countries $PG.countries "code" "code, name, population"
compare_rows "after DDL" $DB.events $PG.events "id" "id, kind, date_format(at, '%Y-%m-%d %H:%i:%s.%f')" \
	"id, kind, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US')"

###############################################################################
# on_error_replay, sync_tables, refresh_schema
###############################################################################
# load FIRST: 400 small MySQL transactions of every kind (autocommit), in the background.
load() {
	local first=$1 i
	for ((i = first; i < first + 400; i++)); do
		echo "INSERT INTO pairs (a, b, v) VALUES ($i, 'l', $i);"
		echo "UPDATE pairs SET v = v + 1 WHERE a = $((i - 1)) AND b = 'l';"
		[ $((i % 4)) = 0 ] && echo "UPDATE pairs SET a = a + 100000 WHERE a = $((i - 2)) AND b = 'l';"
		[ $((i % 5)) = 0 ] && echo "DELETE FROM pairs WHERE a = $((i - 3)) AND b = 'l';"
		[ $((i % 10)) = 0 ] && echo "UPDATE alltypes SET i = $i WHERE id = 1; UPDATE countries SET name = 'n$i' WHERE code = 'fr';"
		[ $((i % 50)) = 0 ] && echo "START TRANSACTION; INSERT INTO events VALUES ($i, 'load', NULL); UPDATE events SET kind = 'b' WHERE id = 20; COMMIT;"
	done | mysql_root $DB &
	LOAD_PID=$!
}
replayed_from() { [ "$(q "SELECT count(*) FROM $PG.pairs WHERE a >= $1 AND a < $1 + 400")" -gt "$2" ]; }
after_failure() { # after_failure LABEL
	wait "$LOAD_PID"
	wait_until 120 "the coordinator to accept connections again" q "SELECT 1"
	check_eq "$1: wait_for_catchup" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '240 s')")"
	compare_rows "$1" $DB.pairs $PG.pairs "a, b" "a, b, v, note"
	compare_rows "$1" $DB.countries $PG.countries "code" "code, name, population"
	compare_rows "$1" $DB.events $PG.events "id" "id, kind"
}

# A row missing in PostgreSQL: its update fails, the net effect and then the events one by one;
# the event before it in the same transaction (a change of the distribution column, applied as a
# delete and an insert) is applied, the table is disabled (on_error_replay: continue), the other
# tables go on.
q "DELETE FROM $PG.pairs WHERE a = 2" >/dev/null
mysql_root $DB -e "START TRANSACTION; UPDATE pairs SET a = 3000 WHERE a = 3; UPDATE pairs SET v = -5 WHERE a = 2; COMMIT;
	UPDATE countries SET name = 'X' WHERE code = 'pt'"
q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')" >/dev/null
check_eq "a failing row disables its table only; the distribution-column change before it was applied row by row" \
	"disabled|X|$(mysql_root -N -B $DB -e "SELECT count(*) FROM pairs WHERE a = 3000")" \
	"$(q "SELECT state FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.pairs'")|$(q "SELECT name FROM $PG.countries WHERE code = 'pt'")|$(q "SELECT count(*) FROM $PG.pairs WHERE a = 3000")"
load 10000
q "SELECT chameleon.sync_tables('$SRC', '{disabled}', wait => true)" >/dev/null
check_match "sync_tables('{disabled}') brings the table back, distributed again" "^(replicating|catching up)\|distributed by a$" \
	"$(q "SELECT state || '|' || distribution FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.pairs'")"
wait "$LOAD_PID"
check_eq "after sync_tables under writes, wait_for_catchup" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
compare_rows "after sync_tables" $DB.pairs $PG.pairs "a, b" "a, b, v, note"
load 15000
q "SELECT chameleon.refresh_schema('$SRC', '$DB', wait => true)" >/dev/null
wait "$LOAD_PID"
check_eq "after refresh_schema under writes, wait_for_catchup" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
check_eq "refresh_schema keeps every table's distribution" \
	"alltypes=distributed by id,countries=reference,events=distributed by id,notes=local,pairs=distributed by a" \
	"$(q "SELECT string_agg(split_part(mysql_table, '.', 2) || '=' || distribution, ',' ORDER BY mysql_table) FROM chameleon.tables WHERE source = '$SRC'")"
compare_tables "after refresh_schema" note population
compare_rows "after refresh_schema" $DB.events $PG.events "id" "id, kind"
compare_all_types "after refresh_schema"

# Two-phase commit: with Citus's recovery paused, the coordinator keeps a record of every
# transaction it committed in two phases; a one-row change must leave one.
q "ALTER SYSTEM SET citus.recover_2pc_interval = -1" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep_until_reloaded() { [ "$(q "SHOW citus.recover_2pc_interval")" = "-1" ]; }
wait_until 10 "the reload" sleep_until_reloaded
before=$(q "SELECT count(*) FROM pg_dist_transaction")
mysql_root $DB -e "UPDATE pairs SET v = -1 WHERE a = 1"
q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')" >/dev/null
check_match "a replayed one-row change to a distributed table commits with two-phase commit" '^[1-9]' \
	"$(($(q "SELECT count(*) FROM pg_dist_transaction") - before))"
q "ALTER SYSTEM RESET citus.recover_2pc_interval" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

###############################################################################
# Failures in the middle of a load
###############################################################################
load 20000
wait_until 120 "the replay to start on the load" replayed_from 20000 20
kill -9 "$(q "SELECT pid FROM chameleon.workers WHERE source = '$SRC' AND role = 'replay'")"
after_failure "after kill -9 of the replay worker"

load 30000
wait_until 120 "the replay to start on the load" replayed_from 30000 20
citus_node_restart coordinator immediate
after_failure "after an immediate restart of the coordinator"

load 40000
wait_until 120 "the replay to start on the load" replayed_from 40000 20
citus_node_restart worker1 immediate
after_failure "after an immediate restart of a worker node"
compare_all_types "after the failures"

check_eq "no table is disabled, and the one error logged is the failing row's" "0|1|replicating" \
	"$(q "SELECT tables_disabled || '|' || errors || '|' || (SELECT string_agg(DISTINCT state, ',') FROM chameleon.tables WHERE source = '$SRC') FROM chameleon.show_status('$SRC')")"
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
e2e_finish
