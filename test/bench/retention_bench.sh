# Retention benchmark (issue #14): streams ROWS row changes (default 5,000,000) through a running
# source with batch_retention '10 s' — 1000-row UPDATEs of a 100,000-row table, each its own
# transaction, at the pace the replica keeps up with — and samples the size of the source's log storage (every partition of
# t_log_replica_<id>), its segment count and the replay lag once a second. Prints the samples, the
# maximum and the final size, and a verdict: PASS when the storage stayed bounded, i.e. the
# largest size of the second half of the run is at most 1.5 times the largest of the first half
# (a log that keeps what it replayed grows linearly: its second half would hold about twice as
# much). Uses the MariaDB schema and source rt_bench; removes them at the end.
# Usage: bash test/bench/retention_bench.sh [ROWS]
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

ROWS=${1:-5000000}
STATEMENTS=$((ROWS / 1000))
SRC=rt_bench
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
cleanup() {
	q "SELECT chameleon.stop_replica('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS rt_bench_pg CASCADE" >/dev/null
	mysql_root -e "DROP DATABASE IF EXISTS rt_bench"
}
cleanup
mysql_root <<'SQL'
CREATE DATABASE rt_bench;
CREATE TABLE rt_bench.t (id int PRIMARY KEY, k int NOT NULL, c varchar(60));
INSERT INTO rt_bench.t SELECT seq, 0, md5(seq) FROM rt_bench.seq_1_to_100000;
SQL
q "SELECT chameleon.add_source('$SRC', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {rt_bench: rt_bench_pg}
batch_retention: 10 s
my_server_id: 4198
\$\$)" >/dev/null
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')" >/dev/null
id=$(q "SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = '$SRC'")
# Retention is the manager's work: the launcher starts it again within 30 s once a source replicates.
manager_running() { [ "$(q "SELECT count(*) FROM chameleon.workers WHERE role = 'manager'")" = 1 ]; }
wait_until 60 "the manager" manager_running

# Sampler: once a second (a sampling interval) the elapsed seconds, the log storage's size in
# bytes, its segments and the replay lag, until the stop file appears.
stop_file=$(mktemp -u)
samples=$(mktemp)
start_s=$(date +%s)
sampler() {
	until [ -e "$stop_file" ]; do
		q "SELECT $(date +%s) - $start_s, (SELECT coalesce(sum(pg_total_relation_size(relid)), 0)
			FROM pg_partition_tree('sch_chameleon.t_log_replica_$id')),
			(SELECT count(*) FROM sch_chameleon.t_log_segments WHERE i_id_source = $id),
			coalesce(round(extract(epoch FROM replay_lag)::numeric, 1), 0)
			FROM chameleon.show_status('$SRC')" 2>/dev/null | tr '|' ' ' >>"$samples"
		sleep 1
	done
}
sampler &
sampler_pid=$!

# A sustained load is one the replica keeps up with (an unreplayed backlog is never removed, and
# grows whatever the retention): the changes go in chunks of 20,000, each followed by
# wait_for_catchup, so the stream runs at the replica's pace.
echo "streaming $ROWS row changes ($STATEMENTS UPDATEs of 1000 rows, 20 per chunk)..."
for chunk in $(seq 0 20 $((STATEMENTS - 1))); do
	for n in $(seq "$chunk" $((chunk + 19))); do
		[ "$n" -lt "$STATEMENTS" ] || break
		first=$(((n % 100) * 1000 + 1))
		echo "UPDATE rt_bench.t SET k = k + 1 WHERE id BETWEEN $first AND $((first + 999));"
	done | mysql_root # autocommit: each statement is its own transaction
	q "SELECT chameleon.wait_for_catchup('$SRC', '10 min')" >/dev/null
done
stream_s=$(($(date +%s) - start_s))
caught=$(q "SELECT chameleon.wait_for_catchup('$SRC', '30 min')")
# After the stream, retention empties the storage down to the newest segment within about
# batch_retention + a segment: sample on for 20 s more.
settle_until=$(($(date +%s) + 20))
until [ "$(date +%s)" -ge "$settle_until" ]; do sleep 1; done # the sampler runs meanwhile
touch "$stop_file"
wait "$sampler_pid"

echo "seconds bytes segments replay_lag"
cat "$samples"
total=$(wc -l <"$samples")
half=$(((stream_s + 1) / 2))
max=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$samples")
first_half=$(awk -v h="$half" '$1 < h { if ($2 > m) m = $2 } END { print m + 0 }' "$samples")
second_half=$(awk -v h="$half" -v e="$stream_s" '$1 >= h && $1 <= e { if ($2 > m) m = $2 } END { print m + 0 }' "$samples")
final=$(tail -1 "$samples" | awk '{ print $2 }')
replayed=$(q "SELECT (SELECT count(*) FROM rt_bench_pg.t WHERE k > 0)")
echo "streamed in $stream_s s; caught up: $caught; $total samples"
echo "log storage: max $max bytes (first half $first_half, second half $second_half), final $final bytes"
if [ "$caught" = t ] && [ "$second_half" -le $((first_half * 3 / 2)) ] && [ "$final" -le "$max" ]; then
	echo "PASS: the log storage stayed bounded ($ROWS row changes, batch_retention 10 s)"
	status=0
else
	echo "FAIL: the log storage grew (second half $second_half > 1.5 x first half $first_half) or the replica did not catch up"
	status=1
fi
echo "(replica rows updated: $replayed of 100000)"
rm -f "$samples"
cleanup
exit $status
