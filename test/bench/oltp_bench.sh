# OLTP replay benchmark (issue 12): sysbench oltp_write_only against MariaDB with the replica
# running (live) and stopped (backlog, drained after start_replica), a backlog of 1000-row
# statements (bulk, the median of BULK_RUNS drains from the same state), and one 1,000,000-row
# transaction; each measured against PostgreSQL 15's own
# logical replication under the same load in the same run (a second cluster as publisher, a
# subscription into the sandbox database). Prints every figure, the ratios, and the peak private
# memory (RssAnon) of the reader and replay workers.
# Targets: live max lag < 3 s, caught up < 2 s after the load, applied rate >= the source's rate;
# backlog drain >= 50,000 changes/s and >= 1.5x logical replication; bulk >= 1.5x logical
# replication; each worker < 100 MB.
# DURATION (default 60) sets the seconds of each sysbench run.
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/publisher.sh"
. "$(dirname "$0")/../lib/compare.sh"

SRC=oltp_bench
DURATION=${DURATION:-60}
SB_COMMON="--tables=4 --table-size=20000 --threads=2 --report-interval=0"
sb_my() { sysbench "$1" --db-driver=mysql --mysql-socket="$MY_SOCKET" --mysql-user=root --mysql-db=sbt $SB_COMMON "${@:2}"; }
sb_pg() { sysbench "$1" --db-driver=pgsql --pgsql-host="$SANDBOX/run" --pgsql-port="$PUB_PORT" --pgsql-user=postgres --pgsql-db="$PUB_DATABASE" $SB_COMMON "${@:2}"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds() { awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

cleanup() {
	q "SELECT chameleon.stop_replica('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS sbt_pg CASCADE" >/dev/null
	unsubscribe
	q "DROP TABLE IF EXISTS public.sbtest1, public.sbtest2, public.sbtest3, public.sbtest4, public.bulk, public.chameleon_ref_marker" >/dev/null
	mysql_root -e "DROP DATABASE IF EXISTS sbt"
	stop_publisher
}
# A benchmark whose setup failed measures nothing: it stops there.
fail_setup() {
	echo "# setup failed: $1" >&2
	cleanup
	exit 1
}
cleanup
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null || fail_setup "CREATE EXTENSION"

# The same tables on MariaDB (replicated by the extension) and on the publisher (by a subscription).
mysql_root -e "CREATE DATABASE sbt"
sb_my oltp_write_only prepare >/dev/null
start_publisher
sb_pg oltp_write_only prepare >/dev/null
bulk_table="CREATE TABLE bulk (id int PRIMARY KEY, k int NOT NULL, c varchar(120) NOT NULL, pad varchar(60) NOT NULL)"
mysql_root sbt -e "$bulk_table; INSERT INTO bulk SELECT seq, seq % 1000, md5(seq), md5(seq + 1) FROM seq_1_to_250000;
	CREATE TABLE big (id int PRIMARY KEY, k int NOT NULL); INSERT INTO big SELECT seq, 0 FROM seq_1_to_1000000"
pub_psql -c "$bulk_table" -c "INSERT INTO bulk SELECT g, g % 1000, md5(g::text), md5((g + 1)::text) FROM generate_series(1, 250000) g"
subscribe sbtest1 sbtest2 sbtest3 sbtest4 bulk
q "SELECT chameleon.add_source('$SRC', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {sbt: sbt_pg}
my_server_id: 4299
\$\$)" >/dev/null || fail_setup "add_source"
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null || fail_setup "init_replica"
q "SELECT chameleon.start_replica('$SRC')" >/dev/null || fail_setup "start_replica"
q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')" >/dev/null || fail_setup "wait_for_catchup"

# A sampler: every 0.5 s the lag (ours: the larger of read_lag and replay_lag; the reference:
# max(replay_lag) of pg_stat_replication) and the RssAnon of our reader and replay workers.
samples=$(mktemp)
stop_file=$(mktemp -u)
worker_pids() { q "SELECT string_agg(pid::text, ' ' ORDER BY role) FROM chameleon.workers WHERE source = '$SRC' AND role IN ('reader', 'replay')"; }
sample() { # sample ours|ref
	rm -f "$stop_file"
	: >"$samples"
	local pids
	until [ -e "$stop_file" ]; do
		local lag memory=""
		pids=$(worker_pids) # the workers of a drain start after the sampler
		if [ "$1" = ours ]; then
			lag=$(q "SELECT round(extract(epoch FROM greatest(read_lag, replay_lag))::numeric, 1) FROM chameleon.show_status('$SRC')" 2>/dev/null)
		else
			lag=$(pub_lag 2>/dev/null)
		fi
		for pid in $pids; do memory+=" $(awk '/^RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null)"; done
		echo "${lag:-0}$memory" >>"$samples"
		sleep 0.5
	done
}
start_sampler() { sample "$1" & sampler_pid=$!; }
stop_sampler() { touch "$stop_file"; wait "$sampler_pid"; }
max_lag() { awk '$1 + 0 > m {m = $1 + 0} END {printf "%.1f", m}' "$samples"; }
peak_mb() { awk '{for (i = 2; i <= NF; i++) if ($i > m) m = $i} END {printf "%d", m / 1024}' "$samples"; }
replayed() { q "SELECT replayed_rows FROM chameleon.show_status('$SRC')"; }
transactions() { awk '/transactions:/ {print $2}'; }
peak_memory=0
note_memory() { local p; p=$(peak_mb); [ "$p" -gt "$peak_memory" ] && peak_memory=$p; }

echo "# machine: $(nproc) cores; sysbench oltp_write_only, 2 threads, $DURATION s, 4 tables x 20,000 rows"

# --- OLTP, live ---
before=$(replayed)
start_sampler ours
start=$(now_ms)
tx=$(sb_my oltp_write_only --time="$DURATION" run | transactions)
load_end=$(now_ms)
replayed_to_end "$SRC" || fail_setup "the replay did not reach the end of the load"
caught=$(now_ms)
stop_sampler
note_memory
ours_live_lag=$(max_lag)
ours_live_after=$((caught - load_end))
changes=$((tx * 4))
applied=$(($(replayed) - before))
source_rate=$((changes * 1000 / (load_end - start)))
ours_applied_rate=$((applied * 1000 / (caught - start)))
echo "# ours live: $tx transactions, $changes changes at $source_rate changes/s on MariaDB; replayed $applied; max lag $ours_live_lag s; caught up $(seconds $ours_live_after) s after the load; applied $ours_applied_rate changes/s over load + catch-up"

start_sampler ref
start=$(now_ms)
ref_tx=$(sb_pg oltp_write_only --time="$DURATION" run | transactions)
load_end=$(now_ms)
wait_for_marker "$(pub_mark)" 600 || fail_setup "the subscription did not apply the live load"
caught=$(now_ms)
stop_sampler
ref_live_lag=$(max_lag)
ref_live_after=$((caught - load_end))
ref_rate=$((ref_tx * 4 * 1000 / (load_end - start)))
echo "# logical replication live: $ref_tx transactions, $((ref_tx * 4)) changes at $ref_rate changes/s on the publisher; max lag $ref_live_lag s; caught up $(seconds $ref_live_after) s after the load"

# drain_ours LOAD...: with the replica stopped, runs LOAD on MariaDB, then starts the replica and
# times the drain; sets drained (changes replayed) and drain_ms. The sampler runs during the
# drains of both sides: its queries cost each the same.
drain_ours() {
	q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
	"$@"
	vacuum_and_wait_quiet || fail_setup "the machine did not become quiet before a drain"
	local before start file position
	before=$(replayed)
	read -r file position < <(master_position)
	start_sampler ours
	start=$(now_ms)
	q "SELECT chameleon.start_replica('$SRC')" >/dev/null
	replayed_to_end "$SRC" "$file" "$position" || fail_setup "the replay did not reach the end of the load"
	drain_ms=$(($(now_ms) - start))
	stop_sampler
	note_memory
	drained=$(($(replayed) - before))
}
start_drain_timer() { start=$(now_ms); } # sets the caller's start
# drain_ref LOAD...: the same with the subscription disabled and the load on the publisher.
drain_ref() {
	q "ALTER SUBSCRIPTION chameleon_ref DISABLE" >/dev/null
	"$@"
	vacuum_and_wait_quiet || fail_setup "the machine did not become quiet before a drain"
	local marker start
	marker=$(pub_mark)
	start_sampler ref
	enable_subscription start_drain_timer || fail_setup "the subscription could not be enabled"
	wait_for_marker "$marker" || fail_setup "the subscription did not drain the backlog"
	drain_ms=$(($(now_ms) - start))
	stop_sampler
}

# --- OLTP, backlog ---
sysbench_my() { tx=$(sb_my oltp_write_only --time="$DURATION" run | transactions); }
sysbench_pg() { ref_tx=$(sb_pg oltp_write_only --time="$DURATION" run | transactions); }
drain_ours sysbench_my
ours_backlog_rate=$((drained * 1000 / drain_ms))
echo "# ours backlog: $((tx * 4)) changes of $tx transactions; replayed $drained in $(seconds $drain_ms) s: $ours_backlog_rate changes/s"
drain_ref sysbench_pg
ref_backlog_rate=$((ref_tx * 4 * 1000 / drain_ms))
echo "# logical replication backlog: $((ref_tx * 4)) changes in $(seconds $drain_ms) s: $ref_backlog_rate changes/s"

# --- Bulk backlog: 500,000 changes of 1000-row statements ---
bulk_statements() {
	for n in $(seq 0 249); do echo "INSERT INTO bulk SELECT id + 250000, k, c, pad FROM bulk WHERE id BETWEEN $((n * 1000 + 1)) AND $((n * 1000 + 1000));"; done
	for n in $(seq 0 124); do echo "UPDATE bulk SET k = k + 1 WHERE id BETWEEN $((n * 1000 + 1)) AND $((n * 1000 + 1000));"; done
	for n in $(seq 0 124); do echo "DELETE FROM bulk WHERE id BETWEEN $((125001 + n * 1000)) AND $((125000 + n * 1000 + 1000));"; done
}
bulk_my() { bulk_statements | mysql_root sbt; }
bulk_pg() { bulk_statements | pub_psql >/dev/null; }
# A drain of 500,000 changes lasts a second or two, within which runs on this machine differ by a
# tenth or two: each side drains BULK_RUNS times (default 3), from the same state each time (the
# 250,000 rows loaded again, replicated, the copy rewritten compact), and the median counts.
BULK_RUNS=${BULK_RUNS:-3}
bulk_rows="SELECT seq, seq % 1000, md5(seq), md5(seq + 1) FROM seq_1_to_250000"
reset_bulk_ours() {
	mysql_root sbt -e "DELETE FROM bulk; INSERT INTO bulk $bulk_rows"
	replayed_to_end "$SRC" || fail_setup "the replay did not reach the end of the load"
	q "VACUUM FULL sbt_pg.bulk" >/dev/null && q "CHECKPOINT" >/dev/null
}
reset_bulk_ref() {
	pub_psql -c "DELETE FROM bulk" -c "INSERT INTO bulk SELECT g, g % 1000, md5(g::text), md5((g + 1)::text) FROM generate_series(1, 250000) g" >/dev/null
	wait_for_marker "$(pub_mark)" || fail_setup "the subscription did not apply the reload of bulk"
	wait_slot_past_now || fail_setup "the slot did not advance"
	q "VACUUM FULL public.bulk" >/dev/null && q "CHECKPOINT" >/dev/null
}
ours_bulk_ms="" ref_bulk_ms=""
for run in $(seq "$BULK_RUNS"); do
	reset_bulk_ours
	drain_ours bulk_my
	[ "$drained" = 500000 ] || fail_setup "the bulk drain replayed $drained changes, not 500000"
	ours_bulk_ms+=" $drain_ms"
	reset_bulk_ref
	drain_ref bulk_pg
	ref_bulk_ms+=" $drain_ms"
done
ours_bulk_rate=$((500000 * 1000 / $(median $ours_bulk_ms)))
ref_bulk_rate=$((500000 * 1000 / $(median $ref_bulk_ms)))
echo "# ours bulk backlog: 500000 changes drained in$ours_bulk_ms ms: median $ours_bulk_rate changes/s"
echo "# logical replication bulk backlog: 500000 changes drained in$ref_bulk_ms ms: median $ref_bulk_rate changes/s"

# --- One transaction of 1,000,000 changes ---
start_sampler ours
start=$(now_ms)
mysql_root sbt -e "UPDATE big SET k = k + 1"
replayed_to_end "$SRC" || fail_setup "the replay did not reach the end of the load"
done_at=$(now_ms)
stop_sampler
note_memory
echo "# ours 1,000,000-row transaction: on MariaDB and replayed within $(seconds $((done_at - start))) s; peak RssAnon $(peak_mb) MB"

for t in sbtest1 sbtest2 sbtest3 sbtest4; do compare_rows oltp "sbt.$t" "sbt_pg.$t" id "id, k, rtrim(c), rtrim(pad)"; done
for t in bulk big; do
	check_eq "sbt.$t: count and sums equal on both sides" "$(mysql_root -N -B sbt -e "SELECT concat_ws('|', count(*), sum(id), sum(k)) FROM $t")" \
		"$(q "SELECT concat_ws('|', count(*), sum(id), sum(k)) FROM sbt_pg.$t")"
done
echo "# summary: live max lag $ours_live_lag s (reference $ref_live_lag s), caught up $(seconds $ours_live_after) s after the load (reference $(seconds $ref_live_after) s), applied $ours_applied_rate changes/s vs source $source_rate"
echo "# summary: backlog $ours_backlog_rate changes/s = $(ratio $ours_backlog_rate $ref_backlog_rate)x logical replication ($ref_backlog_rate)"
echo "# summary: bulk backlog $ours_bulk_rate changes/s = $(ratio $ours_bulk_rate $ref_bulk_rate)x logical replication ($ref_bulk_rate)"
echo "# summary: peak RssAnon of the reader and replay workers: $peak_memory MB"
awk -v l="$ours_live_lag" 'BEGIN {exit !(l < 3)}' && ok "live: max lag < 3 s" || not_ok "live: max lag < 3 s" "$ours_live_lag s"
[ "$ours_live_after" -lt 2000 ] && ok "live: caught up < 2 s after the load" || not_ok "live: caught up < 2 s after the load" "$ours_live_after ms"
[ "$ours_applied_rate" -ge $((source_rate * 95 / 100)) ] && ok "live: applied rate keeps up with the source" ||
	not_ok "live: applied rate keeps up with the source" "$ours_applied_rate vs $source_rate changes/s"
[ "$ours_backlog_rate" -ge 50000 ] && ok "backlog: >= 50,000 changes/s" || not_ok "backlog: >= 50,000 changes/s" "$ours_backlog_rate"
awk -v r="$(ratio $ours_backlog_rate $ref_backlog_rate)" 'BEGIN {exit !(r >= 1.5)}' && ok "backlog: >= 1.5x logical replication" ||
	not_ok "backlog: >= 1.5x logical replication" "$(ratio $ours_backlog_rate $ref_backlog_rate)x"
awk -v r="$(ratio $ours_bulk_rate $ref_bulk_rate)" 'BEGIN {exit !(r >= 1.5)}' && ok "bulk: >= 1.5x logical replication" ||
	not_ok "bulk: >= 1.5x logical replication" "$(ratio $ours_bulk_rate $ref_bulk_rate)x"
[ "$peak_memory" -lt 100 ] && ok "each worker < 100 MB RssAnon" || not_ok "each worker < 100 MB RssAnon" "$peak_memory MB"
rm -f "$samples"
cleanup
e2e_finish
