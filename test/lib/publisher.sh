# A second, throwaway PostgreSQL cluster used as a logical-replication publisher: the same-run
# reference of the replay benchmarks (PostgreSQL's own logical replication into the sandbox
# database). Source test/lib/sandbox.sh first. wal_level = logical, synchronous_commit = off (the
# sandbox MariaDB does not sync its commits either), fsync off like the sandbox.
PUB_PORT=${PUB_PORT:-$((PG_PORT + 1))}
PUB_DATA=$SANDBOX/pub/data
PUB_DATABASE=sbt_pub

pub_psql() { psql -X -q -v ON_ERROR_STOP=1 -p "$PUB_PORT" -d "$PUB_DATABASE" "$@"; }

start_publisher() {
	if [ ! -d "$PUB_DATA" ]; then
		init_cluster "$PUB_DATA" || return 1
		cat >>"$PUB_DATA/postgresql.conf" <<CONF
listen_addresses = ''
port = $PUB_PORT
unix_socket_directories = '$SANDBOX/run'
wal_level = logical
synchronous_commit = off
fsync = off
full_page_writes = off
max_wal_senders = 4
max_replication_slots = 4
CONF
	fi
	as_postgres "$PG_BIN/pg_ctl" -D "$PUB_DATA" -l "$SANDBOX/pub/postgresql.log" -w -t 60 start >/dev/null ||
		{ tail -20 "$SANDBOX/pub/postgresql.log" >&2; return 1; }
	psql -X -q -p "$PUB_PORT" -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$PUB_DATABASE'" | grep -q 1 ||
		psql -X -q -p "$PUB_PORT" -d postgres -c "CREATE DATABASE $PUB_DATABASE"
}

stop_publisher() {
	[ -f "$PUB_DATA/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PUB_DATA" -m fast -w stop >/dev/null
	rm -rf "$SANDBOX/pub"
}

# The end of a load on the publisher: a row of the published table chameleon_ref_marker, written
# last. Its arrival in the subscriber's copy (committed there, so everything before it is
# visible) ends the reference's timing, as wait_for_catchup ends ours; the subscriber's feedback
# (replay_lsn) would end it up to a WAL writer cycle late. The marker's commit is flushed at once
# (synchronous_commit: the walsender sends only flushed WAL), and with it the load's last commits.
pub_mark() { pub_psql -tA -c "SET synchronous_commit = on" -c "INSERT INTO chameleon_ref_marker DEFAULT VALUES RETURNING n"; }
# wait_for_marker N [SECONDS]: waits for marker N inside the subscriber's server (every 5 ms);
# fails after SECONDS (default 1800). Each look is its own transaction: a snapshot held for the
# whole wait would keep every version the apply makes meanwhile (no pruning, no HOT reuse) and
# slow it down many times over.
wait_for_marker() {
	q "DO \$\$ DECLARE deadline timestamptz := clock_timestamp() + interval '${2:-1800} s'; BEGIN
		WHILE NOT EXISTS (SELECT 1 FROM public.chameleon_ref_marker WHERE n = $1) LOOP
			IF clock_timestamp() > deadline THEN
				RAISE EXCEPTION 'marker % of the subscription did not arrive', $1;
			END IF;
			COMMIT;
			PERFORM pg_sleep(0.005);
		END LOOP;
	END \$\$" >/dev/null
}
# The subscription's lag in seconds (0 when nothing is in flight).
pub_lag() { pub_psql -tA -c "SELECT round(coalesce(extract(epoch FROM max(replay_lag)), 0)::numeric, 1) FROM pg_stat_replication WHERE application_name = 'chameleon_ref'"; }

# subscribe TABLES...: publishes the tables and chameleon_ref_marker and subscribes the sandbox
# database to them (the tables are created there from the publisher's definitions; the initial
# data is copied).
subscribe() {
	pub_psql -c "CREATE TABLE IF NOT EXISTS chameleon_ref_marker (n serial PRIMARY KEY)"
	local tables="$* chameleon_ref_marker"
	pub_psql -c "DROP PUBLICATION IF EXISTS chameleon_ref" -c "CREATE PUBLICATION chameleon_ref FOR TABLE ${tables// /, }"
	as_postgres "$PG_BIN/pg_dump" -h "$SANDBOX/run" -p "$PUB_PORT" -U postgres -s $(printf -- '-t %s ' $tables) "$PUB_DATABASE" |
		psql -X -q -v ON_ERROR_STOP=1 >/dev/null
	subscription_started_ms=$(($(date +%s%N) / 1000000))
	q "CREATE SUBSCRIPTION chameleon_ref CONNECTION 'host=$SANDBOX/run port=$PUB_PORT dbname=$PUB_DATABASE user=postgres' PUBLICATION chameleon_ref" >/dev/null
	wait_until 300 "the subscription's initial copy" subscription_ready
}

subscription_ready() { [ "$(q "SELECT count(*) FILTER (WHERE srsubstate <> 'r') FROM pg_subscription_rel")" = 0 ]; }

unsubscribe() {
	q "DROP SUBSCRIPTION IF EXISTS chameleon_ref" >/dev/null
	pub_psql -c "DROP PUBLICATION IF EXISTS chameleon_ref" >/dev/null 2>&1
}

# master_position: MariaDB's binlog file and position of now ("FILE POSITION").
master_position() { mysql_root -N -B -e "SHOW MASTER STATUS" | awk '{print $1, $2}'; }
# replayed_to_end SOURCE [FILE POSITION]: waits until the replay has passed the binlog position
# given (MariaDB's of now by default), as wait_for_catchup does, but looking every 5 ms with each
# look its own transaction (as the reference's marker wait): wait_for_catchup, a function running
# inside one query, holds that query's snapshot — and so every row version the replay makes
# meanwhile — for the whole drain. A timed drain reads the position before its timer starts, as
# the reference writes its marker before.
replayed_to_end() {
	local file=${2:-} position=${3:-}
	[ -n "$file" ] || read -r file position < <(master_position)
	q "DO \$\$ DECLARE deadline timestamptz := clock_timestamp() + interval '30 min'; BEGIN
		WHILE NOT EXISTS (SELECT 1 FROM sch_chameleon.t_last_replayed p JOIN sch_chameleon.t_sources s USING (i_id_source)
				WHERE s.t_source = '$1' AND p.t_binlog_name IS NOT NULL AND (sch_chameleon.fn_binlog_order(p.t_binlog_name),
				p.i_binlog_position) >= (sch_chameleon.fn_binlog_order('$file'), $position)) LOOP
			IF clock_timestamp() > deadline OR (SELECT enm_status FROM sch_chameleon.t_sources WHERE t_source = '$1') = 'error' THEN
				RAISE EXCEPTION 'the replay did not reach %:%', '$file', $position;
			END IF;
			COMMIT;
			PERFORM pg_sleep(0.005);
		END LOOP;
	END \$\$" >/dev/null
}

# wait_quiet: waits (10 minutes at most) for a quiet machine before a timed run: no autovacuum
# worker in the sandbox or the publisher (if running), and InnoDB's history list purged (under 100
# entries). The catch-up work of the loads before (vacuum, InnoDB's purge) would otherwise land at
# random in the timed run of either side.
quiet() {
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] &&
		{ [ ! -f "$PUB_DATA/postmaster.pid" ] ||
			[ "$(pub_psql -tA -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ]; } &&
		[ "$(mysql_root -N -B -e "SELECT count FROM information_schema.INNODB_METRICS WHERE name = 'trx_rseg_history_len'")" -lt 100 ]
}
wait_quiet() { wait_until 600 "a quiet machine" quiet; }
# vacuum_and_wait_quiet: the start of a timed drain of either side: both clusters' tables vacuumed
# (the loads' dead rows not left to an autovacuum during the drain), then wait_quiet.
vacuum_and_wait_quiet() { q "VACUUM" >/dev/null && pub_psql -c "VACUUM" >/dev/null && wait_quiet; }

# wait_slot_past_now: waits until the subscription's slot has its restart point past the
# publisher's WAL of now. A drain must start there: a walsender started behind it would decode
# the load before (a reload, an earlier burst) again before the drain's own changes.
slot_past() { [ "$(pub_psql -tA -c "SELECT restart_lsn >= '$1' FROM pg_replication_slots WHERE slot_name = 'chameleon_ref'")" = t ]; }
wait_slot_past_now() {
	local lsn
	lsn=$(pub_psql -tA -c "SELECT pg_current_wal_lsn()")
	pub_psql -c "CHECKPOINT" >/dev/null
	wait_until 120 "the subscription's slot past $lsn" slot_past "$lsn"
}

# enable_subscription: ALTER SUBSCRIPTION ... ENABLE once the launcher may start its worker at
# once: it starts apply workers at most once per wal_retrieve_retry_interval (5 s by default), and
# an ENABLE sooner after the last start would wait out the rest inside a timed drain. Waits first,
# then calls the command given (the timer's start) and enables.
launcher_may_start() {
	local interval
	interval=$(q "SELECT setting FROM pg_settings WHERE name = 'wal_retrieve_retry_interval'")
	[ $(($(date +%s%N) / 1000000 - subscription_started_ms)) -gt $((interval + 100)) ]
}
enable_subscription() {
	wait_until 60 "the launcher's retry interval" launcher_may_start || return 1
	"$@"
	subscription_started_ms=$(($(date +%s%N) / 1000000))
	q "ALTER SUBSCRIPTION chameleon_ref ENABLE" >/dev/null
}
