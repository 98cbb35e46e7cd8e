# Faults on the MySQL side, each under a sustained write load on three tables (primary key,
# composite key, unique key only) and followed by a row-by-row comparison: kill -9 of mariadbd
# three times (mid-load, right after FLUSH BINARY LOGS, mid-load again), a clean restart, a
# connection cut at random byte offsets by a TCP proxy, a worker that keeps crashing (the
# crash-loop rule), a purged binlog followed by resync_source, and a source in a second database
# resumed after an immediate restart of PostgreSQL, and a failover to a MariaDB replica with the
# same GTIDs behind the same address.
# PHASES="kill restart cut crashloop purge database failover" selects phases (default: all).
# checks: 56
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

PHASES=${PHASES:-kill restart cut crashloop purge database failover}
phase() { [[ " $PHASES " == *" $1 "* ]]; }
PROXY_PORT=$((MY_PORT - 10000)) # below the ephemeral port range (32768-60999): no outgoing connection holds it
CONTROL=$SANDBOX/run/faults
WRITER_LIMIT=400000 # transactions at most, whatever the timing

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
REPLICA_PORT=$((MY_PORT + 2))
REPLICA_CNF=$SANDBOX/mariadb_replica.cnf
replica_root() { mariadb --defaults-file="$REPLICA_CNF" -uroot "$@"; }
stop_replica_server() {
	local pidfile=$SANDBOX/run/mariadb_replica.pid
	[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	wait_until 60 "the replica MariaDB to stop" bash -c "[ ! -e '$pidfile' ] || ! kill -0 \$(cat '$pidfile') 2>/dev/null"
	rm -rf "$SANDBOX/mariadb_replica" "$REPLICA_CNF"
}
cleanup() {
	q "SELECT chameleon.stop_replica('mfo') FROM chameleon.sources WHERE source = 'mfo'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('mfo') FROM chameleon.sources WHERE source = 'mfo'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS mfo_pg CASCADE" >/dev/null 2>&1
	mysql_root -e "DROP DATABASE IF EXISTS mfo" 2>/dev/null
	[ -f "$REPLICA_CNF" ] && stop_replica_server
	PGDATABASE=chameleon_second q "SELECT chameleon.stop_replica('mf') FROM chameleon.sources WHERE source = 'mf'" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS chameleon_second WITH (FORCE)" >/dev/null 2>&1
	q "SELECT chameleon.stop_replica('mf') FROM chameleon.sources WHERE source = 'mf'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('mf') FROM chameleon.sources WHERE source = 'mf'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS mf_pg CASCADE" >/dev/null 2>&1
	mysql_root -e "DROP DATABASE IF EXISTS mf" 2>/dev/null
	[ -n "${proxy_pid:-}" ] && kill "$proxy_pid" 2>/dev/null
	[ -n "${writer_pid:-}" ] && kill "$writer_pid" 2>/dev/null
	return 0
}
cleanup
trap cleanup EXIT
rm -rf "$CONTROL"
mkdir -p "$CONTROL"

mysql_root <<'SQL'
CREATE DATABASE mf;
CREATE TABLE mf.t_pk (id int PRIMARY KEY, k int NOT NULL, v varchar(40));
CREATE TABLE mf.t_ck (a int, b int, v varchar(40), PRIMARY KEY (a, b));
CREATE TABLE mf.t_uk (id int NOT NULL, v varchar(40), UNIQUE KEY (id));
SQL

# The proxy forwards the source's connections to MariaDB; it cuts them only while $CONTROL/cut exists.
python3 "$(dirname "$0")/../lib/cut_proxy.py" "$PROXY_PORT" "$MY_PORT" "$CONTROL" 900 &
proxy_pid=$!
wait_until 10 "the proxy to listen" mysql_repl -h127.0.0.1 -P"$PROXY_PORT" -e "SELECT 1" || not_ok "the proxy listens"

q "SELECT chameleon.add_source('mf', \$\$
db_conn: {host: 127.0.0.1, port: $PROXY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD, connect_timeout: 5}
schema_mappings: {mf: mf_pg}
my_server_id: 4300
on_error_read: continue
\$\$)" >/dev/null
q "SELECT chameleon.init_replica('mf', wait => true)" >/dev/null
q "SELECT chameleon.start_replica('mf')" >/dev/null

# transactions FROM TO: the SQL of transactions FROM..TO-1; each touches the three tables with an
# insert, updates (a key change on t_ck) and deletes, and can run twice (a retry after a crash).
transactions() {
	local i
	for ((i = $1; i < $2; i++)); do
		cat <<SQL
START TRANSACTION;
INSERT INTO mf.t_pk VALUES ($i, $((i % 97)), 'p$i') ON DUPLICATE KEY UPDATE k = VALUES(k);
UPDATE mf.t_pk SET k = k + 1, v = 'u$i' WHERE id = $((i - 5));
DELETE FROM mf.t_pk WHERE id = $((i - 20)) AND $((i % 3)) = 0;
INSERT INTO mf.t_ck VALUES ($((i % 50)), $i, 'c$i') ON DUPLICATE KEY UPDATE v = VALUES(v);
UPDATE mf.t_ck SET v = 'u$i' WHERE a = $(((i - 3) % 50)) AND b = $((i - 3));
UPDATE mf.t_ck SET b = b + 1000000 WHERE a = $(((i - 9) % 50)) AND b = $((i - 9)) AND $((i % 5)) = 0;
DELETE FROM mf.t_ck WHERE a = $(((i - 15) % 50)) AND b = $((i - 15)) AND $((i % 4)) = 0;
INSERT INTO mf.t_uk VALUES ($i, 'k$i') ON DUPLICATE KEY UPDATE v = VALUES(v);
UPDATE mf.t_uk SET v = 'u$i' WHERE id = $((i - 7));
DELETE FROM mf.t_uk WHERE id = $((i - 30)) AND $((i % 4)) = 0;
COMMIT;
SQL
	done
}
written() { mysql_root -N -B -e "SELECT coalesce(max(id), 0) FROM mf.t_pk" 2>/dev/null; }
# writer: writes transactions until stop_writer (bounded by WRITER_LIMIT and 300 s), going on
# after MariaDB comes back when it goes away.
writer() {
	local deadline=$((SECONDS + 300)) next
	while [ $SECONDS -lt $deadline ] && [ ! -e "$CONTROL/stop_writer" ]; do
		next=$(written) || next=
		if [ -z "$next" ]; then
			sleep 0.2
			continue
		fi
		next=$((next + 1))
		[ "$next" -ge "$WRITER_LIMIT" ] && break
		transactions "$next" $((next + 200)) | mysql_root --force >/dev/null 2>&1
	done
}
start_writer() {
	rm -f "$CONTROL/stop_writer"
	writer &
	writer_pid=$!
}
stop_writer() {
	touch "$CONTROL/stop_writer"
	wait "$writer_pid" 2>/dev/null
	writer_pid=
}
# wait_written N: until MariaDB holds transaction N (the load is really running).
written_at_least() { local n; n=$(written) && [ -n "$n" ] && [ "$n" -ge "$1" ]; }
wait_written() { wait_until 60 "transaction $1 to be written" written_at_least "$1" || not_ok "the load writes transaction $1"; }
compare_all() {
	compare_rows "$1" mf.t_pk mf_pg.t_pk "id" "id, k, v"
	compare_rows "$1" mf.t_ck mf_pg.t_ck "a, b" "a, b, v"
	compare_rows "$1" mf.t_uk mf_pg.t_uk "id" "id, v"
}
catchup() {
	local result
	result=$(q "SELECT chameleon.wait_for_catchup('mf', '180 s')" 2>&1)
	check_eq "$1: wait_for_catchup returns true" "t" "$result"
}
binlog_number() { mysql_root -N -B -e "SHOW MASTER STATUS" | awk '{print $1}' | sed 's/.*\.0*//'; }
read_file() { q "SELECT r.t_binlog_name FROM sch_chameleon.t_last_received r JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = 'mf'"; }
# kill_mariadb: kill -9 of mariadbd, then a restart; the crash must have hit while rows were read.
kill_mariadb() {
	local pid
	pid=$(cat "$SANDBOX/run/mariadb.pid")
	kill -9 "$pid"
	wait_until 30 "mariadbd to die" bash -c "! kill -0 $pid"
	start_mariadb >/dev/null
}

if phase kill; then
	start_writer
	wait_written 500
	for moment in mid-load after-flush mid-load-again; do
		before=$(written)
		file_before=$(binlog_number)
		[ "$moment" = after-flush ] && mysql_root -e "FLUSH BINARY LOGS"
		[ "$moment" = mid-load-again ] && sleep 0.$((RANDOM % 9 + 1))
		kill_mariadb
		after=$(written)
		check_match "kill -9 $moment: MariaDB restarted on a new binlog file" "^[0-9]+$" "$(binlog_number)"
		if [ "$(binlog_number)" -gt "$file_before" ] && [ "$after" -ge "$before" ]; then
			ok "kill -9 $moment: the crash hit during the load (transactions $before..$after, binlog $file_before -> $(binlog_number))"
		else
			not_ok "kill -9 $moment: the crash hit during the load" "transactions $before -> $after, binlog $file_before -> $(binlog_number)"
		fi
		wait_written $((after + 300))
	done
	stop_writer
	catchup "kill -9 x3"
	check_eq "kill -9 x3: the reader follows the server to its newest binlog file" \
		"$(mysql_root -N -B -e 'SHOW MASTER STATUS' | awk '{print $1}')" "$(read_file)"
	check_eq "kill -9 x3: the source is running" "running" "$(q "SELECT status FROM chameleon.show_status('mf')")"
	compare_all "kill -9 x3"
fi

if phase restart; then
	start_writer
	base=$(written)
	wait_written $((base + 300))
	stop_mariadb
	start_mariadb >/dev/null
	wait_written $((base + 900))
	stop_writer
	catchup "clean restart"
	compare_all "clean restart"
fi

if phase cut; then
	echo 100000 >"$CONTROL/cut"
	: >"$CONTROL/cuts.log"
	start_writer
	base=$(written)
	wait_until 90 "ten connection cuts" bash -c "[ \$(wc -l <'$CONTROL/cuts.log') -ge 10 ]" ||
		not_ok "the proxy cuts the connection ten times" "$(wc -l <"$CONTROL/cuts.log") cuts"
	wait_written $((base + 2000))
	stop_writer
	rm -f "$CONTROL/cut"
	cuts=$(wc -l <"$CONTROL/cuts.log")
	check_match "connection cut at random offsets: $cuts cuts, at bytes $(sort -n "$CONTROL/cuts.log" | tr '\n' ' ')" "^[0-9]+$" "$cuts"
	catchup "connection cuts"
	compare_all "connection cuts"
fi

role_pid() { q "SELECT pid FROM chameleon.workers WHERE source = 'mf' AND role = '$1'" 2>/dev/null; }
status() { q "SELECT status FROM chameleon.show_status('mf')" 2>/dev/null; }
server_up() { q "SELECT 1" >/dev/null 2>&1; }
signal_deaths() { grep -c "terminated by signal" "$PG_LOG"; }

if phase crashloop; then
	# A reader that dies by a signal takes the whole server down (PostgreSQL restarts every process
	# after a crash); the launcher restarts it with growing delays and gives up after the documented
	# number of restarts (doc/architecture.md, "The crash-loop rule").
	start_writer
	deaths=0
	while [ $deaths -lt 8 ]; do
		reader_up() { [ -n "$(role_pid reader)" ] || [ "$(status)" = error ]; }
		wait_until 90 "the reader to run (or the source to give up)" reader_up || break
		[ "$(status)" = error ] && break
		pid=$(role_pid reader)
		kill -SEGV "$pid" && deaths=$((deaths + 1))
		wait_until 30 "the crashed reader $pid to be gone" bash -c "! kill -0 $pid"
		wait_until 60 "PostgreSQL to recover" server_up
	done
	check_eq "crash loop: the source is in error after 6 deaths (5 restarts)" "6 error" "$deaths $(status)"
	check_match "crash loop: the reason says what happened" "died 6 times within 5 minutes without stopping cleanly" \
		"$(q "SELECT status_reason FROM chameleon.show_status('mf')")"
	crashes=$(signal_deaths)
	still() { [ -z "$(role_pid reader)" ] && [ "$(signal_deaths)" = "$crashes" ]; }
	quiet=0
	for _ in $(seq 1 20); do
		still && quiet=$((quiet + 1))
		sleep 0.5
	done
	check_eq "crash loop: no worker restarted and no new crash during 10 s after giving up" "20" "$quiet"
	restarts() { q "SELECT count(*) FROM sch_chameleon.t_worker_restarts JOIN sch_chameleon.t_sources USING (i_id_source) WHERE t_source = 'mf'"; }
	check_eq "crash loop: giving up clears the count, so enable and start begin a new one" "0" "$(restarts)"
	q "SELECT chameleon.enable_replica('mf')" >/dev/null
	q "SELECT chameleon.start_replica('mf')" >/dev/null
	base=$(written)
	wait_written $((base + 500))
	stop_writer
	catchup "after the crash loop"
	compare_all "after the crash loop"
fi

if phase purge; then
	q "SELECT chameleon.stop_replica('mf')" >/dev/null
	start_writer
	base=$(written)
	wait_written $((base + 500))
	# MariaDB keeps the files its crash recovery still needs (until the binlog checkpoint): purge
	# until the file of the stored position is really gone.
	stored=$(read_file)
	purged() {
		mysql_root -e "FLUSH BINARY LOGS"
		mysql_root -e "PURGE BINARY LOGS TO '$(mysql_root -N -B -e "SHOW MASTER STATUS" | awk '{print $1}')'" 2>/dev/null
		! mysql_root -N -B -e "SHOW BINARY LOGS" | awk '{print $1}' | grep -qx "$stored"
	}
	wait_until 60 "the binlog $stored to be purged" purged
	check_match "purged binlog: the stored position is no longer on the server" "^$" \
		"$(mysql_root -N -B -e "SHOW BINARY LOGS" | awk '{print $1}' | grep -x "$(read_file)")"
	check_eq "purged binlog: check_source reports the stored position as gone" "error" \
		"$(q "SELECT status FROM chameleon.check_source('mf') WHERE check_name = 'stored read position'")"
	mysql_root -e "SET GLOBAL binlog_expire_logs_seconds = 1"
	check_match "purged binlog: check_source warns that binlogs expire before the replica reads them" "^warning" \
		"$(q "SELECT status || ' ' || value FROM chameleon.check_source('mf') WHERE check_name = 'binlog retention'")"
	mysql_root -e "SET GLOBAL binlog_expire_logs_seconds = 0"
	q "SELECT chameleon.start_replica('mf')" >/dev/null
	in_error() { [ "$(status)" = error ]; }
	wait_until 60 "the source to stop in error" in_error || not_ok "purged binlog: the source stops in error"
	check_match "purged binlog: the status reason names the fix" "no longer available.*resync_source" \
		"$(q "SELECT status_reason FROM chameleon.show_status('mf')")"
	q "SELECT chameleon.resync_source('mf')" >/dev/null
	check_eq "purged binlog: resync_source leaves the source stopped, ready to start" "stopped" "$(status)"
	q "SELECT chameleon.start_replica('mf')" >/dev/null
	base=$(written)
	wait_written $((base + 500))
	stop_writer
	catchup "after resync_source"
	compare_all "after resync_source"
fi

if phase database; then
	# A source in a second database, reading the same three tables under the write load: the
	# launcher starts a manager in every database with replicating sources, which resumes them
	# after an immediate restart of PostgreSQL.
	psql -X -q -d postgres -c "CREATE DATABASE chameleon_second" >/dev/null
	q2() { PGDATABASE=chameleon_second q "$1"; }
	q2 "CREATE EXTENSION pg_chameleon" >/dev/null
	q2 "SELECT chameleon.add_source('mf', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD, connect_timeout: 5}
schema_mappings: {mf: mf_pg}
my_server_id: 4301
\$\$)" >/dev/null
	start_writer
	q2 "SELECT chameleon.init_replica('mf', wait => true)" >/dev/null
	q2 "SELECT chameleon.start_replica('mf')" >/dev/null
	pids2() { q2 "SELECT string_agg(role || ' ' || pid, ',' ORDER BY role) FROM chameleon.workers WHERE source = 'mf'" 2>/dev/null; }
	# start_replica returns once the workers are started; each claims its slot when it has connected
	both_running2() { [[ "$(pids2)" =~ ^reader\ [0-9]+,replay\ [0-9]+$ ]]; }
	wait_until 30 "the second database's reader and replay" both_running2
	before=$(pids2)
	check_match "second database: the source runs its reader and replay" "^reader [0-9]+,replay [0-9]+$" "$before"
	base=$(written)
	wait_written $((base + 300))
	restart_postgres immediate
	back2() { local now; now=$(pids2) && [[ "$now" =~ ^reader\ [0-9]+,replay\ [0-9]+$ ]] && [ "$now" != "$before" ]; }
	if wait_until 60 "the workers of the second database to come back" back2; then
		ok "second database: its workers are back after an immediate restart ($(pids2))"
	else
		not_ok "second database: its workers are back after an immediate restart" "workers: $(pids2)"
	fi
	wait_written $((base + 900))
	stop_writer
	check_eq "second database: wait_for_catchup returns true" "t" "$(q2 "SELECT chameleon.wait_for_catchup('mf', '180 s')" 2>&1)"
	PGDATABASE=chameleon_second compare_all "second database"
	check_eq "second database: the immediate restart counts as one restart" "1" \
		"$(q2 "SELECT count(*) FROM sch_chameleon.t_worker_restarts")"
	q2 "SELECT chameleon.stop_replica('mf')" >/dev/null
	check_eq "second database: a clean stop clears the restart count" "0" \
		"$(q2 "SELECT count(*) FROM sch_chameleon.t_worker_restarts")"
	catchup "first database, after the immediate restart"
	compare_all "first database, after the immediate restart"
fi

if phase failover; then
	# A MariaDB replica of the sandbox server (GTID replication, log_slave_updates) takes over
	# behind the proxy's address; the source, with gtid_enable, goes on from the replica by GTID.
	mkdir -p "$SANDBOX/mariadb_replica"
	mariadb_cnf "$REPLICA_CNF" "$SANDBOX/mariadb_replica" "$REPLICA_PORT" mariadb_replica 2 replica-bin \
		"log_slave_updates = ON" "innodb_buffer_pool_size = 64M"
	mariadb-install-db --defaults-file="$REPLICA_CNF" --user="$(id -un)" --auth-root-authentication-method=normal \
		--skip-test-db >"$SANDBOX/mariadb_replica-install.log" 2>&1
	mariadbd --defaults-file="$REPLICA_CNF" >/dev/null 2>&1 &
	wait_until 60 "the replica MariaDB to accept connections" replica_root -e "SELECT 1"
	replica_root <<SQL
CREATE USER '$MY_REPL_USER'@'127.0.0.1' IDENTIFIED BY '$MY_REPL_PASSWORD';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, LOCK TABLES ON *.* TO '$MY_REPL_USER'@'127.0.0.1';
SET GLOBAL gtid_slave_pos = '$(mysql_root -N -B -e "SELECT @@gtid_binlog_pos")';
CHANGE MASTER TO master_host = '127.0.0.1', master_port = $MY_PORT, master_user = '$MY_REPL_USER',
	master_password = '$MY_REPL_PASSWORD', master_use_gtid = slave_pos;
START SLAVE;
SQL
	mysql_root -e "CREATE DATABASE mfo; CREATE TABLE mfo.t (id int PRIMARY KEY, v varchar(20))"
	replica_has_table() { [ "$(replica_root -N -B -e "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'mfo'")" = 1 ]; }
	wait_until 60 "the replica to have mfo.t" replica_has_table || not_ok "failover: the replica replicates"
	echo "$MY_PORT" >"$CONTROL/target"
	q "SELECT chameleon.add_source('mfo', \$\$
db_conn: {host: 127.0.0.1, port: $PROXY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD, connect_timeout: 5}
schema_mappings: {mfo: mfo_pg}
my_server_id: 4302
gtid_enable: true
on_error_read: continue
\$\$)" >/dev/null
	q "SELECT chameleon.init_replica('mfo', wait => true)" >/dev/null
	q "SELECT chameleon.start_replica('mfo')" >/dev/null
	for batch in $(seq 0 9); do
		mysql_root -D mfo -e "INSERT INTO mfo.t SELECT seq, concat('p', seq) FROM seq_$((batch * 100 + 1))_to_$((batch * 100 + 100))"
	done
	mysql_root -e "UPDATE mfo.t SET v = 'primary' WHERE id % 7 = 0"
	check_eq "failover: the primary holds the rows written before the failover" "1000" "$(mysql_root -N -B -e "SELECT count(*) FROM mfo.t")"
	check_eq "failover: wait_for_catchup on the primary" "t" "$(q "SELECT chameleon.wait_for_catchup('mfo', '120 s')" 2>&1)"
	check_eq "failover: the replica has every transaction of the primary" "0" \
		"$(replica_root -N -B -e "SELECT MASTER_GTID_WAIT('$(mysql_root -N -B -e "SELECT @@gtid_binlog_pos")', 60)")"
	replica_root -e "STOP SLAVE; RESET SLAVE ALL"
	echo "$REPLICA_PORT" >"$CONTROL/target"
	replica_root -D mfo -e "INSERT INTO mfo.t SELECT seq, concat('r', seq) FROM seq_1001_to_1500; DELETE FROM mfo.t WHERE id % 11 = 0; UPDATE mfo.t SET v = 'replica' WHERE id % 13 = 0"
	identity() { q "SELECT r.t_server_identity FROM sch_chameleon.t_last_received r JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = 'mfo'"; }
	on_replica() { [ "$(identity)" = "server_id 2" ]; }
	wait_until 60 "the reader to read from the replica" on_replica
	check_eq "failover: the reader goes on from the replica by GTID" "server_id 2 running" "$(identity) $(q "SELECT status FROM chameleon.show_status('mfo')")"
	check_eq "failover: wait_for_catchup on the new primary" "t" "$(q "SELECT chameleon.wait_for_catchup('mfo', '120 s')" 2>&1)"
	( mysql_root() { replica_root "$@"; }; compare_rows "failover" mfo.t mfo_pg.t "id" "id, v" )
	q "SELECT chameleon.stop_replica('mfo')" >/dev/null
	rm -f "$CONTROL/target"
fi

e2e_finish
