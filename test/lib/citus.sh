# A Citus cluster for the scale-out tests (test/e2e_citus): a coordinator on $PG_PORT, where the
# tests' psql goes as on one server, and two worker nodes on $CITUS_WORKER_PORTS, all on
# 127.0.0.1 under $SANDBOX/citus. The coordinator preloads citus and pg_chameleon; the worker
# nodes preload citus only, as a user's would, so that the extension the coordinator propagates
# to them runs there as its catalogue only. Source after sandbox.sh; the single-server sandbox
# PostgreSQL must be stopped (it uses $PG_PORT too).

CITUS_DIR=$SANDBOX/citus
CITUS_WORKER_PORTS=${CITUS_WORKER_PORTS:-"$((PG_PORT + 1)) $((PG_PORT + 2))"}

# citus_available: the citus extension is installed in $PG_BIN's PostgreSQL.
citus_available() {
	[ -f "$("$PG_BIN/pg_config" --sharedir)/extension/citus.control" ]
}

# citus_node_start NAME PORT PRELOAD: creates (once) and starts one node.
citus_node_start() {
	local name=$1 port=$2 preload=$3 data=$CITUS_DIR/$1
	sandbox_prepare
	if [ ! -d "$data" ]; then
		mkdir -p "$data"
		[ "$(id -u)" = 0 ] && chown postgres "$CITUS_DIR" "$data"
		chmod 700 "$data"
		as_postgres "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$CITUS_DIR/$name-initdb.log" 2>&1 ||
			{ cat "$CITUS_DIR/$name-initdb.log" >&2; return 1; }
		cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$SANDBOX/run'
shared_preload_libraries = '$preload'
max_worker_processes = 32
max_prepared_transactions = 64
citus.recover_2pc_interval = '1s'
fsync = off
full_page_writes = off
log_min_messages = warning
CONF
	fi
	as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$CITUS_DIR/$name.log" -w -t 60 start >/dev/null ||
		{ tail -20 "$CITUS_DIR/$name.log" >&2; return 1; }
	psql -X -q -p "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -q 1 ||
		psql -X -q -p "$port" -d postgres -c "CREATE DATABASE $PG_DATABASE"
	psql -X -q -p "$port" -c "CREATE EXTENSION IF NOT EXISTS citus"
}

# citus_node_restart NAME [immediate]
citus_node_restart() {
	as_postgres "$PG_BIN/pg_ctl" -D "$CITUS_DIR/$1" -l "$CITUS_DIR/$1.log" -m "${2:-fast}" -w -t 60 restart >/dev/null
}

citus_node_stop() {
	[ -f "$CITUS_DIR/$1/postmaster.pid" ] &&
		as_postgres "$PG_BIN/pg_ctl" -D "$CITUS_DIR/$1" -m fast -w -t 60 stop >/dev/null
	return 0
}

# start_citus_cluster: the coordinator and the worker nodes, started; the coordinator knows itself.
# Worker nodes are added by the tests (citus_add_node), which is one of the things they test.
start_citus_cluster() {
	citus_node_start coordinator "$PG_PORT" 'citus,pg_chameleon' || return 1
	local n=1 port
	for port in $CITUS_WORKER_PORTS; do
		citus_node_start "worker$n" "$port" citus || return 1
		n=$((n + 1))
	done
	psql -X -q -tAc "SELECT citus_set_coordinator_host('127.0.0.1', $PG_PORT)" >/dev/null
}

stop_citus_cluster() {
	local n=1 port
	citus_node_stop coordinator
	for port in $CITUS_WORKER_PORTS; do
		citus_node_stop "worker$n"
		n=$((n + 1))
	done
}

# worker_port N: the port of worker node N (1-based).
worker_port() { echo "$CITUS_WORKER_PORTS" | cut -d' ' -f"$1"; }
