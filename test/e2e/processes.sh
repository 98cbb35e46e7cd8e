# The process skeleton: the library runs its catalogue only unless preloaded, the launcher runs and
# is restarted after it dies, and the workers view never shows a dead process.
# checks: 6
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null

# A second server without shared_preload_libraries
other=$SANDBOX/pg/nopreload
other_port=$((PG_PORT + 1))
rm -rf "$other"
mkdir -p "$other" && chmod 700 "$other"
[ "$(id -u)" = 0 ] && chown postgres "$other"
as_postgres "$PG_BIN/initdb" -D "$other" -U postgres -A trust >/dev/null 2>&1
as_postgres "$PG_BIN/pg_ctl" -D "$other" -l "$other/log" -o "-p $other_port -k $SANDBOX/run -c listen_addresses=''" -w start >/dev/null
# (a Citus worker node, where the coordinator's CREATE EXTENSION is propagated): the catalogue
# is created, and every function refuses to run.
check_fails "without preloading, CREATE EXTENSION creates the catalogue only and a function refuses to run" \
	'pg_chameleon is not loaded through "shared_preload_libraries" on this server' \
	psql -X -q -p "$other_port" -d postgres -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_chameleon" \
	-c "SELECT count(*) FROM chameleon.workers"
check_fails "the refusal says what to do" \
	'HINT:  Add pg_chameleon to "shared_preload_libraries" in postgresql.conf and restart the server' \
	psql -X -q -p "$other_port" -d postgres -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM chameleon.workers"
as_postgres "$PG_BIN/pg_ctl" -D "$other" -m immediate -w stop >/dev/null
rm -rf "$other"

launcher_pid() { q "SELECT pid FROM chameleon.workers WHERE role = 'launcher'"; }
launcher_listed() { [[ "$(launcher_pid)" =~ ^[0-9]+$ ]]; } # asked again at each poll
wait_until 30 "the launcher" launcher_listed
old=$(launcher_pid)
check_match "the launcher runs and is listed" '^[0-9]+$' "$old"
check_eq "the listed launcher is a live backend" "1" \
	"$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $old AND backend_type = 'pg_chameleon launcher'")"

kill -TERM "$old"
if wait_until 10 "the launcher to exit" bash -c "! kill -0 $old"; then
	check_eq "a dead launcher is not listed" "0" "$(q "SELECT count(*) FROM chameleon.workers WHERE pid = $old")"
else
	not_ok "a dead launcher is not listed" "the launcher $old did not exit within 10 s of SIGTERM"
fi
new_launcher() { local pid; pid=$(launcher_pid); [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" != "$old" ]; }
if wait_until 30 "a new launcher" new_launcher; then
	ok "the postmaster restarts the launcher"
else
	not_ok "the postmaster restarts the launcher"
fi
e2e_finish
