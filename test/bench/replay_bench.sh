# Replay benchmark (the issue's): a 1,000,000-row table replicated by a running source; a burst
# of 200,000 row changes on MariaDB (100 x 1000-row INSERT...SELECT, 50 x 1000-row UPDATE,
# 50 x 1000-row DELETE, each its own transaction). Reports the time from the burst start until
# wait_for_catchup returns, replayed rows/s, the maximum lag seen, the memory of the reader and
# replay workers, and as a same-run physical reference the time PostgreSQL takes to COPY the
# same 100,000 inserted rows into a copy of the table.
# Targets: >= 100,000 replayed rows/s, max lag < 3 s, < 100 MB per worker.
# Uses the MariaDB schema and source rx_bench; removes them at the end.
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=rx_bench
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
cleanup() {
	q "SELECT chameleon.stop_replica('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS rx_bench_pg CASCADE" >/dev/null
	mysql_root -e "DROP DATABASE IF EXISTS rx_bench"
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

# Lag sampler: show_status every 0.5 s (a sampling interval: a peak shorter than 0.5 s may be
# missed). Lag is the larger of read_lag and replay_lag. Memory: the peak of VmRSS and RssAnon
# of each worker over the same samples. It stops when the stop file appears.
stop_file=$(mktemp -u)
samples=$(mktemp)
sampler() {
	until [ -e "$stop_file" ]; do
		local lag rss
		lag=$(q "SELECT round(extract(epoch FROM greatest(read_lag, replay_lag))::numeric, 1) FROM chameleon.show_status('$SRC')" 2>/dev/null)
		rss=""
		for pid in $reader_pid $replay_pid; do
			rss+=" $(awk '/^VmRSS|^RssAnon/ {printf "%s ", $2}' /proc/$pid/status 2>/dev/null)"
		done
		echo "${lag:--}$rss" >>"$samples" # "-": no lag yet (no event received since the start)
		sleep 0.5
	done
}
sampler &
sampler_pid=$!

max_id=$(mysql_root -N -B -e "SELECT max(id) FROM rx_bench.sbtest")
start_ns=$(date +%s%N)
{
	for n in $(seq 0 99); do
		echo "INSERT INTO rx_bench.sbtest (k, c, pad, amount, created) SELECT k, c, pad, amount, created FROM rx_bench.sbtest WHERE id BETWEEN $((n * 1000 + 1)) AND $((n * 1000 + 1000));"
	done
	for n in $(seq 0 49); do
		echo "UPDATE rx_bench.sbtest SET k = k + 1, amount = amount + 1 WHERE id BETWEEN $((200001 + n * 1000)) AND $((200000 + n * 1000 + 1000));"
	done
	for n in $(seq 0 49); do
		echo "DELETE FROM rx_bench.sbtest WHERE id BETWEEN $((500001 + n * 1000)) AND $((500000 + n * 1000 + 1000));"
	done
} | mysql_root # autocommit: each statement is its own transaction
burst_ns=$(date +%s%N)
caught=$(q "SELECT chameleon.wait_for_catchup('$SRC', '30 min')")
end_ns=$(date +%s%N)
touch "$stop_file"
wait "$sampler_pid"

replayed=$(($(q "SELECT replayed_rows FROM chameleon.show_status('$SRC')") - replayed_before))
elapsed_ms=$(((end_ns - start_ns) / 1000000))
rate=$((replayed * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1)))
max_lag=$(awk '$1 != "-" && $1 + 0 > m {m = $1 + 0} END {print m + 0}' "$samples")
# Columns of a sample: lag, reader VmRSS RssAnon, replay VmRSS RssAnon (kB).
read -r reader_rss reader_anon replay_rss replay_anon < <(awk '{for (i = 2; i <= 5; i++) if ($i > m[i]) m[i] = $i}
	END {printf "%d %d %d %d\n", m[2] / 1024, m[3] / 1024, m[4] / 1024, m[5] / 1024}' "$samples")

# Physical reference: COPY of the same 100,000 inserted rows into a copy of the table.
q "CREATE TABLE rx_bench_pg.copy_ref (LIKE rx_bench_pg.sbtest INCLUDING ALL)" >/dev/null
mysql_root -N -B --raw -e "SELECT id, k, c, pad, amount, created FROM rx_bench.sbtest WHERE id > $max_id" >"$samples.rows"
copy_ms=$(psql -X -q -v ON_ERROR_STOP=1 -c "\\timing on" -c "\\copy rx_bench_pg.copy_ref FROM '$samples.rows'" | awk '/^Time:/ {print int($2)}')
copied=$(q "SELECT count(*) FROM rx_bench_pg.copy_ref")

check_eq "wait_for_catchup returned true" "t" "$caught"
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
[ "$rate" -ge 100000 ] && ok "replay rate >= 100000 rows/s" || not_ok "replay rate >= 100000 rows/s" "$rate rows/s"
awk -v l="$max_lag" 'BEGIN {exit !(l < 3)}' && ok "max lag < 3 s" || not_ok "max lag < 3 s" "$max_lag s"
[ "$reader_anon" -lt 100 ] && [ "$replay_anon" -lt 100 ] && ok "each worker < 100 MB (RssAnon)" ||
	not_ok "each worker < 100 MB (RssAnon)" "reader $reader_anon MB, replay $replay_anon MB"
rm -f "$samples" "$samples.rows"
cleanup
e2e_finish
