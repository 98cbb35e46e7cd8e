# Throwaway PostgreSQL and MariaDB servers on loopback ports, for the tests and the demo.
# Source this file; it defines functions and the connection variables. Everything lives
# under $SANDBOX (default /var/tmp/pg_chameleon_sandbox), readable by the postgres user.
# Works as root (CI) and as an ordinary user.

SANDBOX=${SANDBOX:-/var/tmp/pg_chameleon_sandbox}
PG_BIN=${PG_BIN:-$(pg_config --bindir)}
PG_PORT=${PG_PORT:-55432}
MY_PORT=${MY_PORT:-33306}
PG_DATABASE=${PG_DATABASE:-chameleon}
export PGHOST=$SANDBOX/run PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=$PG_DATABASE
PG_DATA=$SANDBOX/pg/data
PG_LOG=$SANDBOX/pg/postgresql.log
MY_SOCKET=$SANDBOX/run/mariadb.sock
MY_CNF=$SANDBOX/mariadb.cnf
MY_REPL_USER=repl
MY_REPL_PASSWORD=secret

# Runs a command as the postgres user when we are root (PostgreSQL refuses root).
as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# median NUMBERS...: the middle one (the upper middle of an even count), for the benchmarks.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds or the deadline passes.
wait_until() {
	local seconds=$1 what=$2
	shift 2
	local deadline=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out after ${seconds}s waiting for $what" >&2
			return 1
		fi
		sleep 0.2
	done
}

sandbox_prepare() {
	mkdir -p "$SANDBOX/run"
	chmod 755 "$SANDBOX" "$SANDBOX/run"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$SANDBOX/run"
		chmod 1777 "$SANDBOX/run"
	fi
}

# init_cluster DATA: a new PostgreSQL cluster in DATA (superuser postgres, trust, UTF8, C.UTF-8),
# owned by postgres with DATA's parent directory when we are root; initdb's output goes to
# initdb.log in that parent directory, and to stderr when initdb fails.
init_cluster() {
	local data=$1 parent
	parent=$(dirname "$1")
	mkdir -p "$data"
	[ "$(id -u)" = 0 ] && chown postgres "$parent" "$data"
	chmod 700 "$data"
	as_postgres "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$parent/initdb.log" 2>&1 ||
		{ cat "$parent/initdb.log" >&2; return 1; }
}

# start_postgres [extra postgresql.conf lines...]
start_postgres() {
	sandbox_prepare
	local data=$PG_DATA
	if [ ! -d "$data" ]; then
		init_cluster "$data" || return 1
		cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$SANDBOX/run'
shared_preload_libraries = 'pg_chameleon'
max_worker_processes = 32
fsync = off
full_page_writes = off
log_min_messages = warning
CONF
		for line in "$@"; do echo "$line" >>"$data/postgresql.conf"; done
	fi
	as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$PG_LOG" -w -t 60 start >/dev/null ||
		{ tail -20 "$PG_LOG" >&2; return 1; }
	psql -X -q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" -tA | grep -q 1 ||
		psql -X -q -d postgres -c "CREATE DATABASE $PG_DATABASE"
}

stop_postgres() {
	[ -f "$PG_DATA/postmaster.pid" ] &&
		as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
	return 0
}

# restart_postgres [immediate]
restart_postgres() {
	as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m "${1:-fast}" -w -t 60 restart >/dev/null
}

mysql_root() { mariadb --defaults-file="$MY_CNF" -uroot "$@"; }
mysql_repl() { mariadb --defaults-file="$MY_CNF" -h127.0.0.1 -P"$MY_PORT" -u"$MY_REPL_USER" -p"$MY_REPL_PASSWORD" "$@"; }

# mariadb_cnf FILE DATADIR PORT NAME SERVER_ID BINLOG_BASENAME [EXTRA_LINE...]: the configuration
# of a sandbox MariaDB (socket, pid file and error log named after NAME under $SANDBOX) with ROW
# binlog and FULL row metadata, listening on loopback only.
mariadb_cnf() {
	local file=$1 data=$2 port=$3 name=$4 server_id=$5 binlog=$6
	shift 6
	cat >"$file" <<CNF
[client]
default-character-set = utf8mb4
socket = $SANDBOX/run/$name.sock
port = $port

[mariadbd]
user = $(id -un)
datadir = $data
socket = $SANDBOX/run/$name.sock
port = $port
bind-address = 127.0.0.1
pid-file = $SANDBOX/run/$name.pid
log-error = $SANDBOX/$name.err
skip-name-resolve
server_id = $server_id
log_bin = $data/$binlog
binlog_format = ROW
binlog_row_image = FULL
binlog_row_metadata = FULL
innodb_flush_log_at_trx_commit = 2
sync_binlog = 0
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
CNF
	local line
	for line in "$@"; do echo "$line" >>"$file"; done
}

start_mariadb() {
	sandbox_prepare
	local data=$SANDBOX/mariadb
	if [ ! -d "$data" ]; then
		mkdir -p "$data"
		mariadb_cnf "$MY_CNF" "$data" "$MY_PORT" mariadb 1 mysql-bin "innodb_buffer_pool_size = 256M"
		mariadb-install-db --defaults-file="$MY_CNF" --user="$(id -un)" --auth-root-authentication-method=normal \
			--skip-test-db >"$SANDBOX/mariadb-install.log" 2>&1 ||
			{ cat "$SANDBOX/mariadb-install.log" >&2; return 1; }
		local fresh=1
	fi
	mariadbd --defaults-file="$MY_CNF" >/dev/null 2>&1 &
	wait_until 60 "MariaDB to accept connections" mysql_root -e 'SELECT 1' ||
		{ tail -20 "$SANDBOX/mariadb.err" >&2; return 1; }
	if [ -n "${fresh:-}" ]; then
		mysql_root <<SQL
CREATE USER '$MY_REPL_USER'@'127.0.0.1' IDENTIFIED BY '$MY_REPL_PASSWORD';
CREATE USER '$MY_REPL_USER'@'localhost' IDENTIFIED BY '$MY_REPL_PASSWORD';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, LOCK TABLES ON *.* TO '$MY_REPL_USER'@'127.0.0.1';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, LOCK TABLES ON *.* TO '$MY_REPL_USER'@'localhost';
SQL
	fi
}

stop_mariadb() {
	local pidfile=$SANDBOX/run/mariadb.pid
	[ -f "$pidfile" ] || return 0
	local pid
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null
	wait_until 60 "MariaDB to stop" bash -c "! kill -0 $pid"
}

# Removes every trace of the sandbox (servers must be stopped).
sandbox_destroy() {
	stop_postgres
	stop_mariadb
	rm -rf "$SANDBOX"
}

# Copies the fixture binlogs (test/fixtures) where the PostgreSQL server may read them, plus a
# truncated one, and exports CHAMELEON_FIXTURES for the regression tests.
stage_fixtures() {
	local fixtures
	fixtures=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)
	export CHAMELEON_FIXTURES=$SANDBOX/fixtures
	rm -rf "$CHAMELEON_FIXTURES"
	mkdir -p "$CHAMELEON_FIXTURES"
	cp -r "$fixtures/mysql-binlogs/." "$CHAMELEON_FIXTURES/"
	head -c 1010 "$CHAMELEON_FIXTURES/rust_mysql_common/json.binlog.000001" >"$CHAMELEON_FIXTURES/truncated.binlog"
	chmod -R a+rX "$CHAMELEON_FIXTURES"
}
