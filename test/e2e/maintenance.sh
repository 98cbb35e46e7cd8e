# Maintenance, pause, retention and notifications end to end: run_maintenance while a burst
# replicates (the pause shows in show_status and chameleon.workers, no row is lost), pause_replica
# and resume_replica, batch_retention dropping whole log segments under load, auto_maintenance
# firing from the manager, and the state changes received by a session that LISTENs on "chameleon".
# checks: 25
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

SRC=mt_src
DB=mt_shop
reset_source "$SRC" "${DB}_pg"
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.items (id int PRIMARY KEY, v int NOT NULL, pad varchar(200));
SQL
mysql_root $DB -e "INSERT INTO items SELECT seq, 0, repeat('p', 100) FROM seq_1_to_1000"
config() { # config AUTO_MAINTENANCE
	cat <<YAML
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$DB: ${DB}_pg}
replica_batch_size: 200
batch_retention: 2 s
auto_maintenance: $1
my_server_id: 611
YAML
}
q "SELECT chameleon.add_source('$SRC', \$\$$(config disabled)\$\$)" >/dev/null

# The listening session: psql reads its commands from a FIFO and prints each notification after
# the next command; notes() sends one and looks for a payload.
work=$SANDBOX/run/maintenance_e2e
rm -rf "$work" && mkdir -p "$work"
mkfifo "$work/listen.fifo"
psql -X -q -At <"$work/listen.fifo" >"$work/notes.txt" 2>&1 &
listener=$!
exec 4>"$work/listen.fifo"
echo "LISTEN chameleon;" >&4
notes() { echo "SELECT 1;" >&4; grep -q "$1" "$work/notes.txt"; }
cleanup() {
	exec 4>&-
	kill "$listener" 2>/dev/null
	[ -n "${holder:-}" ] && kill "$holder" 2>/dev/null
}
trap cleanup EXIT

init_and_start "$SRC"
# Retention and auto_maintenance are the work of the database's manager, which the launcher starts
# again within 30 s once a source replicates (doc/architecture.md, "Processes").
manager_running() { [ "$(q "SELECT count(*) FROM chameleon.workers WHERE role = 'manager'")" = 1 ]; }
wait_until 60 "the manager" manager_running
if wait_until 30 "the init_done notification" notes "\"event\" : \"init_done\", \"source\" : \"$SRC\""; then
	ok "a listening session receives init_done with the source's name"
else
	not_ok "a listening session receives init_done with the source's name" "$(cat "$work/notes.txt")"
fi

# A burst of single-row transactions in the background.
burst() { # burst FIRST LAST
	local i
	for ((i = $1; i <= $2; i++)); do
		echo "INSERT INTO $DB.items VALUES ($i, $i, 'burst') ON DUPLICATE KEY UPDATE v = v + 1;"
		echo "UPDATE $DB.items SET v = v + 1 WHERE id = $((i % 1000 + 1));"
	done | mysql_root
}

# A load that goes on until $work/load.on is removed (the pipe holds back the generator).
steady_load() { # steady_load FIRST
	local i=$1
	while [ -e "$work/load.on" ]; do
		echo "INSERT INTO $DB.items VALUES ($i, $i, 'burst') ON DUPLICATE KEY UPDATE v = v + 1;"
		echo "UPDATE $DB.items SET v = v + 1 WHERE id = $((i % 1000 + 1));"
		i=$((i + 1))
	done | mysql_root
}

# --- run_maintenance while the burst replicates. A session holding a lock that VACUUM needs keeps
# the maintenance in its "vacuuming" step, so that the pause can be looked at while it lasts.
mkfifo "$work/holder.fifo"
psql -X -q -At -v ON_ERROR_STOP=1 <"$work/holder.fifo" >"$work/holder.txt" 2>&1 &
holder=$!
exec 5>"$work/holder.fifo"
echo "BEGIN; LOCK TABLE sch_chameleon.t_log_segments IN SHARE UPDATE EXCLUSIVE MODE; SELECT 'locked';" >&5
wait_until 10 "the lock holder" grep -q locked "$work/holder.txt"
touch "$work/load.on"
steady_load 2001 &
loader=$!
burst_replicated() { [ "$(q "SELECT count(*) FROM ${DB}_pg.items WHERE pad = 'burst'")" -gt 0 ]; }
wait_until 60 "the burst to reach the replica" burst_replicated
q "SELECT chameleon.run_maintenance(name => '$SRC')" >"$work/maintenance.txt" 2>&1 &
maintenance=$!
paused_now() {
	[ "$(q "SELECT paused FROM chameleon.show_status('$SRC')")" = t ] &&
		[ "$(q "SELECT string_agg(role || ' ' || state, ',' ORDER BY role) FROM chameleon.workers WHERE source = '$SRC'")" = \
			"maintenance vacuuming,reader paused,replay paused" ]
}
if wait_until 60 "the pause" paused_now; then
	ok "while run_maintenance works, show_status says paused and both workers show paused"
else
	not_ok "while run_maintenance works, show_status says paused and both workers show paused" \
		"$(q "SELECT role, state FROM chameleon.workers WHERE source = '$SRC'")"
fi
# While MySQL goes on writing, the replica stays where it was.
before=$(q "SELECT replayed_position || ' ' || (SELECT sum(v) FROM ${DB}_pg.items) FROM chameleon.show_status('$SRC')")
my_before=$(mysql_root -N -B -e "SELECT sum(v) FROM $DB.items")
mysql_moved_on() { [ "$(mysql_root -N -B -e "SELECT sum(v) FROM $DB.items")" -gt $((my_before + 100)) ]; }
wait_until 30 "MySQL to move on" mysql_moved_on
check_eq "a paused replay applies nothing while MySQL moves on" "$before" \
	"$(q "SELECT replayed_position || ' ' || (SELECT sum(v) FROM ${DB}_pg.items) FROM chameleon.show_status('$SRC')")"
echo "COMMIT;" >&5
exec 5>&-
if wait "$maintenance"; then ok "run_maintenance returns once done"; else not_ok "run_maintenance returns once done" "$(cat "$work/maintenance.txt")"; fi
check_eq "after the maintenance the source is no longer paused, and the last maintenance is recorded" "false|true" \
	"$(q "SELECT paused || '|' || (last_maintenance > now() - interval '5 min') FROM chameleon.show_status('$SRC')")"
rm "$work/load.on"
wait "$loader"
check_eq "wait_for_catchup after the burst" t "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
compare_rows "maintenance during a burst" "$DB.items" "${DB}_pg.items" id "id, v, pad"
if wait_until 10 "the maintenance_done notification" notes '"event" : "maintenance_done"'; then
	ok "a listening session receives maintenance_done"
else
	not_ok "a listening session receives maintenance_done" "$(cat "$work/notes.txt")"
fi
last=$(q "SELECT last_maintenance FROM chameleon.show_status('$SRC')")
q "SELECT chameleon.run_maintenance('$SRC', full => true)" >/dev/null
check_eq "run_maintenance(full => true) works too" t \
	"$(q "SELECT last_maintenance > '$last' AND NOT paused FROM chameleon.show_status('$SRC')")"
check_match "the worker's log lines name its role and source" \
	"CONTEXT:  pg_chameleon maintenance worker of source \"$SRC\"" "$(grep -A1 "maintenance of source \"$SRC\"" "$PG_LOG")"

# --- pause_replica and resume_replica
q "SELECT chameleon.pause_replica(name => '$SRC')" >/dev/null
workers_paused() {
	[ "$(q "SELECT string_agg(state, ',' ORDER BY role) FROM chameleon.workers WHERE source = '$SRC'")" = "paused,paused" ]
}
if wait_until 30 "the workers to pause" workers_paused; then ok "pause_replica pauses both workers"; else not_ok "pause_replica pauses both workers"; fi
check_eq "show_status says paused and the status is unchanged" "true|running" \
	"$(q "SELECT paused || '|' || status FROM chameleon.show_status('$SRC')")"
mysql_root -e "UPDATE $DB.items SET v = v + 100 WHERE id <= 10"
check_eq "a paused source does not catch up" f "$(q "SELECT chameleon.wait_for_catchup('$SRC', '3 s')")"
# A resume rolled back with its savepoint changes nothing; PREPARE TRANSACTION of a resume is refused.
psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "SAVEPOINT s" -c "SELECT chameleon.resume_replica('$SRC')" \
	-c "ROLLBACK TO SAVEPOINT s" -c "COMMIT" >/dev/null
check_eq "a resume rolled back to its savepoint leaves the workers paused" "paused,paused|true" \
	"$(q "SELECT pg_sleep(2)" >/dev/null; q "SELECT (SELECT string_agg(state, ',' ORDER BY role) FROM chameleon.workers
		WHERE source = '$SRC') || '|' || (SELECT paused FROM chameleon.show_status('$SRC'))")"
check_fails "PREPARE TRANSACTION of a resume is refused" 'cannot prepare a transaction that paused or resumed a replica' \
	psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "SELECT chameleon.resume_replica('$SRC')" -c "PREPARE TRANSACTION 'chameleon_resume'"
q "SELECT chameleon.resume_replica(name => '$SRC')" >/dev/null
check_eq "after resume_replica it catches up" t "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
both_notes() { notes '"event" : "paused"' && grep -q '"event" : "resumed"' "$work/notes.txt"; }
if wait_until 10 "the paused and resumed notifications" both_notes; then
	ok "a listening session receives paused and resumed"
else
	not_ok "a listening session receives paused and resumed" "$(cat "$work/notes.txt")"
fi

# --- retention under load: batch_retention 2 s, so segments of 1 s are dropped once replayed
id=$(q "SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = '$SRC'")
log_size() { q "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('sch_chameleon.t_log_replica_$id')"; }
first_segment=$(q "SELECT min(i_segment) FROM sch_chameleon.t_log_segments WHERE i_id_source = $id")
log_rows() { q "SELECT coalesce(sum(i_events), 0) FROM sch_chameleon.t_log_replica_$id"; } # events, in chunks
# Rounds of 5,000 changes, each replicated before the next (the replay keeps up, as under any load
# it can sustain), for 16 s: eight times batch_retention, whatever the speed of the machine. After
# each round the test waits until retention has dropped every segment but the newest whose batches
# were replayed more than 5 s ago (batch_retention + a segment + the manager's second): how long
# that takes is the manager's business, that it happens during the load is the check.
old_segments_gone() {
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_replica_batch WHERE i_id_source = $id AND ts_replayed <
		clock_timestamp() - interval '5 s' AND i_segment < (SELECT max(i_segment) FROM sch_chameleon.t_log_segments
		WHERE i_id_source = $id)")" = 0 ]
}
sizes="" first_max=0 second_max=0 late_rounds="" round=0 mid_segment=""
load_start=$SECONDS
while [ $((SECONDS - load_start)) -lt 16 ]; do
	round=$((round + 1))
	burst $((10001 + (round - 1) * 2500)) $((10000 + round * 2500))
	q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')" >/dev/null
	wait_until 30 "retention to drop the segments replayed over 5 s ago" old_segments_gone || late_rounds+="$round "
	rows=$(log_rows)
	sizes+="$rows events/$(log_size) bytes; "
	if [ $((SECONDS - load_start)) -lt 8 ]; then
		[ "$rows" -gt "$first_max" ] && first_max=$rows
	else
		[ -z "$mid_segment" ] && mid_segment=$(q "SELECT min(i_segment) FROM sch_chameleon.t_log_segments WHERE i_id_source = $id")
		[ "$rows" -gt "$second_max" ] && second_max=$rows
	fi
done
logged=$((round * 5000))
check_eq "wait_for_catchup after the load" t "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
compare_rows "retention under load" "$DB.items" "${DB}_pg.items" id "id, v, pad"
segments_dropped() {
	[ "$(q "SELECT count(*) FROM sch_chameleon.t_replica_batch WHERE i_id_source = $id AND ts_replayed < clock_timestamp() - interval '8 s'")" = 0 ]
}
if wait_until 30 "the old batches to go" segments_dropped; then
	ok "batches replayed longer ago than batch_retention (plus a segment) are gone"
else
	not_ok "batches replayed longer ago than batch_retention (plus a segment) are gone" \
		"$(q "SELECT i_segment, count(*), max(ts_replayed) FROM sch_chameleon.t_replica_batch WHERE i_id_source = $id GROUP BY 1 ORDER BY 1")"
fi
check_eq "log segments were dropped during the load as whole partitions, and every segment left is a partition" \
	"true|true" "$(q "SELECT ($mid_segment > $first_segment)::text || '|' ||
	((SELECT count(*) FROM sch_chameleon.t_log_segments WHERE i_id_source = $id) =
	(SELECT count(*) FROM pg_partition_tree('sch_chameleon.t_log_replica_$id') WHERE isleaf))::text")"
# Each change is a row event of its own. A log that kept them would hold 5,000 more after each
# round; this one does not grow: the second 8 s left no more than the first 8 s (with a margin for
# timing), and never half of what was logged.
check_eq "during the load, retention dropped what was replayed over 5 s ago within 30 s of each round" "" "$late_rounds"
check_eq "the log storage stayed bounded during the load ($round rounds, $logged changes; after each round: $sizes)" t \
	"$(q "SELECT $second_max <= $first_max * 1.5 AND $second_max < $logged / 2")"

# --- auto_maintenance
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.alter_source('$SRC', \$\$$(config "2 s")\$\$)" >/dev/null
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
wait_until 60 "the manager" manager_running
last=$(q "SELECT last_maintenance FROM chameleon.show_status('$SRC')")
check_eq "show_status shows the next maintenance" "t" \
	"$(q "SELECT next_maintenance = last_maintenance + interval '2 s' FROM chameleon.show_status('$SRC')")"
maintained_since() { [ "$(q "SELECT last_maintenance > '$last' FROM chameleon.show_status('$SRC')")" = t ]; }
if wait_until 30 "an automatic maintenance" maintained_since; then
	ok "auto_maintenance runs the maintenance from the manager"
else
	not_ok "auto_maintenance runs the maintenance from the manager"
fi

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
e2e_finish
