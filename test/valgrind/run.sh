#!/usr/bin/env bash
# Runs the boundary regression test (sql/boundary.sql) against a throwaway PostgreSQL whose
# postmaster and backends run under valgrind's memcheck, and fails when valgrind reports an
# invalid read, write or free: an error whose memory was freed before it was reported shows up
# here even when the freed bytes happen to be intact. Needs the extension installed.
# Usage: test/valgrind/run.sh [SQL_FILE...]   (default: sql/boundary.sql)
set -u
cd "$(dirname "$0")/../.."
. test/lib/sandbox.sh
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(sql/boundary.sql)
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
for file in "${files[@]}"; do
	echo "-- $file"
	psql -X -h "$SANDBOX/run" -p "$port" -d postgres -f "$file" >"$dir/$(basename "$file").out" 2>&1
done
as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 180 stop >/dev/null
wait "$postmaster" 2>/dev/null
reports=$(grep -lE 'Invalid (read|write|free)|Mismatched free|uninitialised value' "$dir"/logs/*.log 2>/dev/null)
if [ -n "$reports" ]; then
	for report in $reports; do head -60 "$report"; done
	status=1
fi
echo "valgrind: $(ls "$dir"/logs | wc -l) processes checked, $(echo -n "$reports" | grep -c . ) with errors"
exit $status
