#!/usr/bin/env bash
# Runs the boundary regression test (sql/boundary.sql) and the worker scenario
# (test/valgrind/workers.sql: init, copy, reader and replay workers, a failing init worker, against
# the sandbox MariaDB) on a throwaway PostgreSQL whose postmaster, backends and background workers
# run under valgrind's memcheck, and fails when valgrind reports an invalid read, write or free (an
# error whose memory was freed before it was reported shows up here even when the freed bytes happen
# to be intact) or when a file's output differs from test/valgrind/<file>.out when there is one.
# Needs the extension installed and the sandbox MariaDB running.
# Usage: test/valgrind/run.sh [SQL_FILE...]   (default: sql/boundary.sql test/valgrind/workers.sql)
set -u
cd "$(dirname "$0")/../.."
. test/lib/sandbox.sh
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(sql/boundary.sql test/valgrind/workers.sql)
dir=$SANDBOX/valgrind
port=$((PG_PORT + 1))
rm -rf "$dir"
mkdir -p "$dir/data" "$dir/logs"
[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log"; exit 1; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$SANDBOX/run'
shared_preload_libraries = 'pg_chameleon'
max_worker_processes = 16
fsync = off
CONF
# memcheck follows the postmaster's forks (backends, background workers) without exec.
as_postgres valgrind --tool=memcheck --quiet --error-limit=no --num-callers=30 \
	--suppressions=test/valgrind/postgres.supp --log-file="$dir/logs/%p.log" \
	"$PG_BIN/postgres" -D "$dir/data" >"$dir/postgres.log" 2>&1 &
postmaster=$!
ready() { psql -X -h "$SANDBOX/run" -p "$port" -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; }
if ! wait_until 180 "PostgreSQL under valgrind" ready; then
	tail -20 "$dir/postgres.log"
	kill "$postmaster" 2>/dev/null
	exit 1
fi
status=0
psql -X -h "$SANDBOX/run" -p "$port" -d postgres -qc 'CREATE EXTENSION pg_chameleon' || status=1
mysql_root -e "DROP DATABASE IF EXISTS vg; CREATE DATABASE vg;
	CREATE TABLE vg.a (id int PRIMARY KEY, v varchar(20)); CREATE TABLE vg.b (id int PRIMARY KEY, d datetime(3));
	INSERT INTO vg.a SELECT seq, concat('a', seq) FROM vg.seq_1_to_100;
	INSERT INTO vg.b SELECT seq, '2024-01-01 00:00:00.5' + INTERVAL seq MINUTE FROM vg.seq_1_to_50" || status=1
for file in "${files[@]}"; do
	echo "-- $file"
	out=$dir/$(basename "$file" .sql).out
	psql -X -h "$SANDBOX/run" -p "$port" -d postgres -v my_port="$MY_PORT" -v my_user="$MY_REPL_USER" \
		-v my_password="$MY_REPL_PASSWORD" -f "$file" >"$out" 2>&1
	expected=${file%.sql}.out
	if [ -f "$expected" ] && ! diff -u "$expected" "$out"; then
		status=1
	fi
done
mysql_root -e "DROP DATABASE IF EXISTS vg"
as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 180 stop >/dev/null
wait "$postmaster" 2>/dev/null
reports=$(grep -lE 'Invalid (read|write|free)|Mismatched free|uninitialised value' "$dir"/logs/*.log 2>/dev/null)
if [ -n "$reports" ]; then
	for report in $reports; do head -60 "$report"; done
	status=1
fi
echo "valgrind: $(ls "$dir"/logs | wc -l) processes checked, $(echo -n "$reports" | grep -c . ) with errors"
exit $status
