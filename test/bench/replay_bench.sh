# Replay benchmark (the issue's): a 1,000,000-row table replicated by a running source; a burst
# of 200,000 row changes on MariaDB (100 x 1000-row INSERT...SELECT, 50 x 1000-row UPDATE,
# 50 x 1000-row DELETE, each its own transaction). Reports the time from the burst start until
# the replay has passed MariaDB's position after it, replayed rows/s, the maximum lag seen, the memory of the reader and
# replay workers, and two same-run references: PostgreSQL 15's own logical replication under the
# same burst (a second cluster as publisher, the same table and rows, a subscription into the
# sandbox database), and the time PostgreSQL takes to COPY the same 100,000 inserted rows.
# Then the same burst as a backlog on both sides (replica stopped, subscription disabled), timed
# from the start to caught up. Targets: >= 100,000 replayed rows/s, max lag < 3 s, < 100 MB per
# worker; the backlog >= 1.5x logical replication.
# Uses the MariaDB schema and source rx_bench; removes them at the end.
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/publisher.sh"

SRC=rx_bench
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
cleanup() {
	q "SELECT chameleon.stop_replica('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS rx_bench_pg CASCADE" >/dev/null
	mysql_root -e "DROP DATABASE IF EXISTS rx_bench"
	unsubscribe
	q "DROP TABLE IF EXISTS public.sbtest, public.chameleon_ref_marker" >/dev/null
	stop_publisher
}
cleanup
mysql_root <<'SQL'
CREATE DATABASE rx_bench;
CREATE TABLE rx_bench.sbtest (id int AUTO_INCREMENT PRIMARY KEY, k int, c varchar(120), pad varchar(60),
	amount decimal(12,2), created datetime, KEY (k));
INSERT INTO rx_bench.sbtest (k, c, pad, amount, created)
	SELECT seq % 100000, concat(md5(seq), md5(seq + 1), md5(seq + 2)), md5(seq * 7), seq / 100,
	'2024-01-01' + INTERVAL seq SECOND FROM rx_bench.seq_1_to_1000000;
SQL
q "SELECT chameleon.add_source('$SRC', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {rx_bench: rx_bench_pg}
my_server_id: 4199
\$\$)" >/dev/null
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')" >/dev/null
replayed_before=$(q "SELECT replayed_rows FROM chameleon.show_status('$SRC')")
reader_pid=$(q "SELECT pid FROM chameleon.workers WHERE source = '$SRC' AND role = 'reader'")
replay_pid=$(q "SELECT pid FROM chameleon.workers WHERE source = '$SRC' AND role = 'replay'")

# Lag sampler: every 0.5 s (a sampling interval: a peak shorter than 0.5 s may be missed). Ours:
# show_status, lag the larger of read_lag and replay_lag, and the peak VmRSS and RssAnon of each
# worker; the reference: max(replay_lag) of pg_stat_replication on the publisher. It stops when
# the stop file appears.
stop_file=$(mktemp -u)
samples=$(mktemp)
sampler() { # sampler ours|ref
	rm -f "$stop_file"
	: >"$samples"
	until [ -e "$stop_file" ]; do
		local lag rss=""
		if [ "$1" = ours ]; then
			lag=$(q "SELECT round(extract(epoch FROM greatest(read_lag, replay_lag))::numeric, 1) FROM chameleon.show_status('$SRC')" 2>/dev/null)
			for pid in $reader_pid $replay_pid; do
				rss+=" $(awk '/^VmRSS|^RssAnon/ {printf "%s ", $2}' /proc/$pid/status 2>/dev/null)"
			done
		else
			lag=$(pub_lag 2>/dev/null)
		fi
		echo "${lag:--}$rss" >>"$samples" # "-": no lag yet (no event received since the start)
		sleep 0.5
	done
}
max_lag() { awk '$1 != "-" && $1 + 0 > m {m = $1 + 0} END {print m + 0}' "$samples"; }
ms_between() { echo $((($2 - $1) / 1000000)); }

# burst TABLE DELETED: the 200,000 changes, each statement its own transaction (autocommit); the
# deletes take the 50,000 rows from id DELETED on.
burst() {
	for n in $(seq 0 99); do
		echo "INSERT INTO $1 (k, c, pad, amount, created) SELECT k, c, pad, amount, created FROM $1 WHERE id BETWEEN $((n * 1000 + 1)) AND $((n * 1000 + 1000));"
	done
	for n in $(seq 0 49); do
		echo "UPDATE $1 SET k = k + 1, amount = amount + 1 WHERE id BETWEEN $((200001 + n * 1000)) AND $((200000 + n * 1000 + 1000));"
	done
	for n in $(seq 0 49); do
		echo "DELETE FROM $1 WHERE id BETWEEN $(($2 + n * 1000)) AND $(($2 + n * 1000 + 999));"
	done
}

q "VACUUM ANALYZE rx_bench_pg.sbtest" >/dev/null
wait_quiet || { cleanup; exit 1; }

sampler ours &
sampler_pid=$!
max_id=$(mysql_root -N -B -e "SELECT max(id) FROM rx_bench.sbtest")
start_ns=$(date +%s%N)
burst rx_bench.sbtest 500001 | mysql_root
burst_ns=$(date +%s%N)
replayed_to_end "$SRC" && caught=t || caught=f
end_ns=$(date +%s%N)
burst_max_id=$(mysql_root -N -B -e "SELECT max(id) FROM rx_bench.sbtest")
touch "$stop_file"
wait "$sampler_pid"

replayed=$(($(q "SELECT replayed_rows FROM chameleon.show_status('$SRC')") - replayed_before))
elapsed_ms=$(ms_between "$start_ns" "$end_ns")
rate=$((replayed * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1)))
after_ms=$(ms_between "$burst_ns" "$end_ns")
max_lag=$(max_lag)
# Columns of a sample: lag, reader VmRSS RssAnon, replay VmRSS RssAnon (kB).
read -r reader_rss reader_anon replay_rss replay_anon < <(awk '{for (i = 2; i <= 5; i++) if ($i > m[i]) m[i] = $i}
	END {printf "%d %d %d %d\n", m[2] / 1024, m[3] / 1024, m[4] / 1024, m[5] / 1024}' "$samples")

# Reference: the same table and rows on the publisher, subscribed into the sandbox database, and
# the same burst there; timed from its start to the arrival of the marker written after it.
start_publisher || { cleanup; exit 1; }
pub_psql -c "CREATE TABLE sbtest (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, k int, c varchar(120),
		pad varchar(60), amount numeric(12,2), created timestamp)" -c "CREATE INDEX ON sbtest (k)" \
	-c "INSERT INTO sbtest (k, c, pad, amount, created) SELECT g % 100000, md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text),
		md5((g * 7)::text), g / 100.0, '2024-01-01'::timestamp + g * interval '1 second' FROM generate_series(1, 1000000) g" \
	-c "SELECT setval(pg_get_serial_sequence('sbtest', 'id'), 1000000)" >/dev/null
subscribe sbtest
q "VACUUM ANALYZE public.sbtest" >/dev/null && pub_psql -c "VACUUM ANALYZE sbtest" >/dev/null
wait_quiet || { cleanup; exit 1; }
sampler ref &
sampler_pid=$!
ref_start_ns=$(date +%s%N)
burst sbtest 500001 | pub_psql >/dev/null
ref_burst_ns=$(date +%s%N)
wait_for_marker "$(pub_mark)" 1800 >/dev/null && ref_caught=t || ref_caught=f
ref_end_ns=$(date +%s%N)
touch "$stop_file"
wait "$sampler_pid"
ref_elapsed_ms=$(ms_between "$ref_start_ns" "$ref_end_ns")
ref_rate=$((200000 * 1000 / (ref_elapsed_ms > 0 ? ref_elapsed_ms : 1)))
ref_after_ms=$(ms_between "$ref_burst_ns" "$ref_end_ns")
ref_max_lag=$(max_lag)

# Backlog: the same burst with the replica stopped and with the subscription disabled, each side
# then timed from its start to caught up; BURST_RUNS times (default 3, at most 9: the deletes must
# stay in the first 1,000,000 ids, numbered alike on both sides) each, the deletes taking the next
# 50,000 rows each time, and the median counts. The window above starts with the burst, so it
# can never be shorter than the time the source takes to run it; this one is the replay's (and
# logical replication's apply) alone.
BURST_RUNS=${BURST_RUNS:-3}
start_ref_timer() { ref_backlog_start_ns=$(date +%s%N); }
backlog_runs="" ref_backlog_runs="" backlog_caught=t ref_backlog_caught=t
for run in $(seq "$BURST_RUNS"); do
	deleted=$((500001 + run * 50000))
	q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
	burst rx_bench.sbtest "$deleted" | mysql_root
	vacuum_and_wait_quiet || { cleanup; exit 1; }
	replayed_before=$(q "SELECT replayed_rows FROM chameleon.show_status('$SRC')")
	read -r file position < <(master_position)
	backlog_start_ns=$(date +%s%N)
	q "SELECT chameleon.start_replica('$SRC')" >/dev/null
	replayed_to_end "$SRC" "$file" "$position" || backlog_caught=f
	backlog_runs+=" $(ms_between "$backlog_start_ns" "$(date +%s%N)")"
	backlog_replayed=$(($(q "SELECT replayed_rows FROM chameleon.show_status('$SRC')") - replayed_before))
	[ "$backlog_replayed" = 200000 ] || backlog_caught=f
	wait_slot_past_now || { cleanup; exit 1; }
	q "ALTER SUBSCRIPTION chameleon_ref DISABLE" >/dev/null
	burst sbtest "$deleted" | pub_psql >/dev/null
	marker=$(pub_mark)
	vacuum_and_wait_quiet || { cleanup; exit 1; }
	enable_subscription start_ref_timer || { cleanup; exit 1; }
	wait_for_marker "$marker" 1800 >/dev/null || ref_backlog_caught=f
	ref_backlog_runs+=" $(ms_between "$ref_backlog_start_ns" "$(date +%s%N)")"
done
backlog_ms=$(median $backlog_runs)
ref_backlog_ms=$(median $ref_backlog_runs)
backlog_rate=$((200000 * 1000 / (backlog_ms > 0 ? backlog_ms : 1)))
ref_backlog_rate=$((200000 * 1000 / (ref_backlog_ms > 0 ? ref_backlog_ms : 1)))
backlog_ratio=$(awk -v a="$backlog_rate" -v b="$ref_backlog_rate" 'BEGIN {printf "%.2f", a / b}')

# Physical reference: COPY of the same 100,000 inserted rows into a copy of the table.
q "CREATE TABLE rx_bench_pg.copy_ref (LIKE rx_bench_pg.sbtest INCLUDING ALL)" >/dev/null
mysql_root -N -B --raw -e "SELECT id, k, c, pad, amount, created FROM rx_bench.sbtest WHERE id > $max_id AND id <= $burst_max_id" >"$samples.rows"
copy_ms=$(psql -X -q -v ON_ERROR_STOP=1 -c "\\timing on" -c "\\copy rx_bench_pg.copy_ref FROM '$samples.rows'" | awk '/^Time:/ {print int($2)}')
copied=$(q "SELECT count(*) FROM rx_bench_pg.copy_ref")

check_eq "the replay reached the end of the burst" "t" "$caught"
check_eq "the reference's marker arrived" "t" "$ref_caught"
check_eq "each backlog was replayed to its end, 200,000 changes" "t" "$backlog_caught"
check_eq "the reference's backlog marker arrived" "t" "$ref_backlog_caught"
check_eq "the reference's table is equal on both sides after the burst" \
	"$(pub_psql -tA -c "SELECT count(*) || '|' || sum(id) || '|' || sum(k) || '|' || sum(amount) FROM sbtest")" \
	"$(q "SELECT count(*) || '|' || sum(id) || '|' || sum(k) || '|' || sum(amount) FROM public.sbtest")"
# Count and md5 of the md5s of 10,000-row chunks in key order (one group_concat of 1,000,000 rows
# would be cut at max_allowed_packet).
# group_concat is cut at group_concat_max_len (1 MB by default; a chunk is about 2 MB): raised here.
mysql_sum=$(mysql_root -N -B -e "SET SESSION group_concat_max_len = 1073741824;
	SELECT sum(n), md5(group_concat(h ORDER BY chunk SEPARATOR '')) FROM (
	SELECT (id - 1) DIV 10000 chunk, count(*) n, md5(group_concat(concat_ws('|', id, k, c, pad, amount, created) ORDER BY id SEPARATOR '\n')) h
	FROM rx_bench.sbtest GROUP BY chunk) x")
check_eq "the table is equal on both sides after the burst" "$mysql_sum" \
	"$(q "SELECT sum(n) || E'\t' || md5(string_agg(h, '' ORDER BY chunk)) FROM (
	SELECT (id - 1) / 10000 chunk, count(*) n, md5(string_agg(concat_ws('|', id, k, c, pad, amount, to_char(created, 'YYYY-MM-DD HH24:MI:SS')), E'\n' ORDER BY id)) h
	FROM rx_bench_pg.sbtest GROUP BY chunk) x")"
echo "# burst of 200000 row changes: $((burst_ns / 1000000 - start_ns / 1000000)) ms on MariaDB"
echo "# time from burst start to caught up: $elapsed_ms ms; replayed rows: $replayed; rate: $rate rows/s (target >= 100000)"
echo "# max lag seen (show_status every 0.5 s): $max_lag s (target < 3 s)"
echo "# reader peak VmRSS $reader_rss MB, RssAnon $reader_anon MB; replay peak VmRSS $replay_rss MB, RssAnon $replay_anon MB (target < 100 MB)"
echo "# physical reference: COPY of the same $copied inserted rows: $copy_ms ms"
echo "# logical replication: burst $(ms_between "$ref_start_ns" "$ref_burst_ns") ms on the publisher; start to caught up $ref_elapsed_ms ms: $ref_rate rows/s; done $ref_after_ms ms after the publisher; max lag $ref_max_lag s"
echo "# summary: $rate rows/s = $(awk -v a="$rate" -v b="$ref_rate" 'BEGIN {printf "%.2f", a / b}')x logical replication ($ref_rate) from burst start to caught up; done $after_ms ms after MariaDB, logical replication $ref_after_ms ms after the publisher"
echo "# backlog of the burst: ours$backlog_runs ms: median $backlog_rate rows/s; logical replication$ref_backlog_runs ms: median $ref_backlog_rate rows/s"
echo "# summary: backlog $backlog_rate rows/s = ${backlog_ratio}x logical replication ($ref_backlog_rate)"
[ "$rate" -ge 100000 ] && ok "replay rate >= 100000 rows/s" || not_ok "replay rate >= 100000 rows/s" "$rate rows/s"
awk -v l="$max_lag" 'BEGIN {exit !(l < 3)}' && ok "max lag < 3 s" || not_ok "max lag < 3 s" "$max_lag s"
[ "$reader_anon" -lt 100 ] && [ "$replay_anon" -lt 100 ] && ok "each worker < 100 MB (RssAnon)" ||
	not_ok "each worker < 100 MB (RssAnon)" "reader $reader_anon MB, replay $replay_anon MB"
awk -v r="$backlog_ratio" 'BEGIN {exit !(r >= 1.5)}' && ok "backlog: >= 1.5x logical replication" ||
	not_ok "backlog: >= 1.5x logical replication" "${backlog_ratio}x"
rm -f "$samples" "$samples.rows"
cleanup
e2e_finish
