#!/bin/bash
# Verification benchmark: the ROWS-row table of the initial-copy benchmark (init_bench.sh) is
# copied with chameleon.init_replica(wait => true), then verified with chameleon.verify_tables,
# ROUNDS times each, in the same run; prints the medians in rows/s and their ratio (the target of
# issue 15: verification at least as fast as the copy). Removes everything it created (vb_* names).
# Usage: test/bench/verify_bench.sh [ROWS] [ROUNDS]  (sandbox servers running)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. test/lib/sandbox.sh
export PGOPTIONS="-c client_min_messages=warning"
ROWS=${1:-1000000}
ROUNDS=${2:-3}
MY_DB=vb_bench

q() { psql -X -q -v ON_ERROR_STOP=1 -tA -c "$1"; }
now() { date +%s.%N; }
elapsed() { echo "scale=3; ($2 - $1) / 1" | bc | sed 's/^\./0./'; }

cleanup() {
	set +e
	q "SELECT chameleon.drop_source('vb_bench') FROM chameleon.sources WHERE source = 'vb_bench'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS vb_bench_pg CASCADE" >/dev/null 2>&1
	mysql_root -e "DROP DATABASE IF EXISTS $MY_DB"
}
trap cleanup EXIT
cleanup
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon"

mysql_root -e "CREATE DATABASE $MY_DB;
CREATE TABLE $MY_DB.sbtest (id int AUTO_INCREMENT PRIMARY KEY, k int NOT NULL, c varchar(120) NOT NULL,
	pad varchar(60) NOT NULL, amount decimal(12,2) NOT NULL, created datetime NOT NULL, KEY k (k)) ENGINE = InnoDB;
INSERT INTO $MY_DB.sbtest (k, c, pad, amount, created)
SELECT (seq * 7919) % $ROWS, LEFT(CONCAT(MD5(seq), '-', MD5(seq + 1), '-', MD5(seq + 2), '-', MD5(seq + 3)), 119),
       LEFT(CONCAT(MD5(seq * 3), MD5(seq * 5)), 59), (seq % 10000000) / 100,
       '2020-01-01 00:00:00' + INTERVAL seq SECOND
FROM $MY_DB.seq_1_to_$ROWS"
q "SELECT chameleon.add_source('vb_bench', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$MY_DB: vb_bench_pg}
copy_parallel_jobs: 1
my_server_id: 641
\$\$)" >/dev/null

copies=() verifies=()
for round in $(seq 1 "$ROUNDS"); do
	q "CHECKPOINT" >/dev/null
	start=$(now)
	q "SELECT chameleon.init_replica('vb_bench', wait => true)" >/dev/null
	copies+=("$(elapsed "$start" "$(now)")")
	q "CHECKPOINT" >/dev/null
	start=$(now)
	result=$(q "SELECT state || ' ' || rows_mysql || ' ' || rows_pg FROM chameleon.verify_tables('vb_bench')")
	verifies+=("$(elapsed "$start" "$(now)")")
	if [ "$result" != "equal $ROWS $ROWS" ]; then
		echo "round $round: the verification says \"$result\", expected \"equal $ROWS $ROWS\"" >&2
		exit 1
	fi
	echo "round $round: copy ${copies[-1]} s, verification ${verifies[-1]} s, ratio $(echo "scale=2; ${copies[-1]} / ${verifies[-1]}" | bc)"
done
copy=$(median "${copies[@]}")
verify=$(median "${verifies[@]}")
echo "init_replica:  $copy s, $(echo "$ROWS / $copy" | bc) rows/s (median of $ROUNDS)"
echo "verify_tables: $verify s, $(echo "$ROWS / $verify" | bc) rows/s (median of $ROUNDS)"
echo "verification / copy speed: $(echo "scale=2; $copy / $verify" | bc)"
