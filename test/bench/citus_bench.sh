# Scale-out benchmark (issue 16): the same loads replicated into ordinary tables of the coordinator
# (one server) and into tables distributed by id over two worker nodes (test/lib/citus.sh: three
# PostgreSQL instances on this machine), in the same run: sysbench oltp_write_only live (max lag,
# catch-up after the load) and as a backlog drained after start_replica, and the bulk backlog of
# 500,000 changes of 1000-row statements. Each source runs alone while it is measured. Prints every
# figure and the distributed/one-server ratios; the tables are compared with MariaDB at the end.
# No target: on one machine the cluster cannot be faster than one server (doc/scale-out.md).
# DURATION (default 30) sets the seconds of each sysbench run. The single-server sandbox
# PostgreSQL must be stopped (the coordinator takes its port).
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"
. "$(dirname "$0")/../lib/citus.sh"

DURATION=${DURATION:-30}
SB_COMMON="--tables=4 --table-size=20000 --threads=2 --report-interval=0"
sb_my() { sysbench "$1" --db-driver=mysql --mysql-socket="$MY_SOCKET" --mysql-user=root --mysql-db="$2" $SB_COMMON "${@:3}"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds() { awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
transactions() { awk '/transactions:/ {print $2}'; }

stop_citus_cluster
rm -rf "$CITUS_DIR"
start_citus_cluster || exit 1
trap stop_citus_cluster EXIT
for port in $CITUS_WORKER_PORTS; do q "SELECT citus_add_node('127.0.0.1', $port)" >/dev/null; done
q "CREATE EXTENSION pg_chameleon" >/dev/null

bulk_table="CREATE TABLE bulk (id int PRIMARY KEY, k int NOT NULL, c varchar(120) NOT NULL, pad varchar(60) NOT NULL)"
for db in cb_one cb_dist; do
	mysql_root -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
	sb_my oltp_write_only $db prepare >/dev/null
	mysql_root $db -e "$bulk_table; INSERT INTO bulk SELECT seq, seq % 1000, md5(seq), md5(seq + 1) FROM seq_1_to_250000"
done
add() { # add SOURCE SERVER_ID [RULES]
	q "SELECT chameleon.add_source('$1', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$1: ${1}_pg}
my_server_id: $2
$3
\$\$)" >/dev/null
	q "SELECT chameleon.init_replica('$1', wait => true)" >/dev/null
}
add cb_one 4401
add cb_dist 4402 'distribute_tables: {"cb_dist.*": id}'
echo "# distribution: $(q "SELECT string_agg(mysql_table || ' ' || distribution, ', ' ORDER BY mysql_table) FROM chameleon.tables")"
echo "# machine: $(nproc) cores, shared with other engineers' builds and tests (load average $(cut -d' ' -f1-3 /proc/loadavg)): figures are indicative"

samples=$(mktemp)
stop_file=$(mktemp -u)
sampler() { # sampler SOURCE: the larger of read_lag and replay_lag every 0.5 s
	rm -f "$stop_file"
	: >"$samples"
	until [ -e "$stop_file" ]; do
		q "SELECT round(extract(epoch FROM greatest(read_lag, replay_lag))::numeric, 1) FROM chameleon.show_status('$1')" >>"$samples" 2>/dev/null
		sleep 0.5
	done
}
max_lag() { awk '$1 + 0 > m {m = $1 + 0} END {printf "%.1f", m}' "$samples"; }
replayed() { q "SELECT replayed_rows FROM chameleon.show_status('$1')"; }

declare -A live_lag live_after live_rate backlog_rate bulk_rate
for src in cb_one cb_dist; do
	q "SELECT chameleon.start_replica('$src')" >/dev/null
	q "SELECT chameleon.wait_for_catchup('$src', '120 s')" >/dev/null
	# live OLTP
	before=$(replayed $src)
	sampler $src &
	sampler_pid=$!
	start=$(now_ms)
	tx=$(sb_my oltp_write_only $src --time="$DURATION" run | transactions)
	load_end=$(now_ms)
	q "SELECT chameleon.wait_for_catchup('$src', '30 min')" >/dev/null
	caught=$(now_ms)
	touch "$stop_file"
	wait "$sampler_pid"
	live_lag[$src]=$(max_lag)
	live_after[$src]=$((caught - load_end))
	live_rate[$src]=$((($(replayed $src) - before) * 1000 / (caught - start)))
	echo "# $src live: $tx transactions ($((tx * 4)) changes, $((tx * 4 * 1000 / (load_end - start))) changes/s on MariaDB); max lag ${live_lag[$src]} s; caught up $(seconds ${live_after[$src]}) s after the load; applied ${live_rate[$src]} changes/s"
	# drain LOAD: with the replica stopped, LOAD on MariaDB, then the time start_replica takes to drain it
	drain() {
		q "SELECT chameleon.stop_replica('$src')" >/dev/null
		"$@"
		local before start
		before=$(replayed $src)
		start=$(now_ms)
		q "SELECT chameleon.start_replica('$src')" >/dev/null
		q "SELECT chameleon.wait_for_catchup('$src', '30 min')" >/dev/null
		drain_ms=$(($(now_ms) - start))
		drained=$(($(replayed $src) - before))
	}
	sysbench_load() { sb_my oltp_write_only $src --time="$DURATION" run >/dev/null; }
	drain sysbench_load
	backlog_rate[$src]=$((drained * 1000 / drain_ms))
	echo "# $src OLTP backlog: replayed $drained changes in $(seconds $drain_ms) s: ${backlog_rate[$src]} changes/s"
	bulk_load() {
		{
			for n in $(seq 0 249); do echo "INSERT INTO bulk SELECT id + 250000, k, c, pad FROM bulk WHERE id BETWEEN $((n * 1000 + 1)) AND $((n * 1000 + 1000));"; done
			for n in $(seq 0 124); do echo "UPDATE bulk SET k = k + 1 WHERE id BETWEEN $((n * 1000 + 1)) AND $((n * 1000 + 1000));"; done
			for n in $(seq 0 124); do echo "DELETE FROM bulk WHERE id BETWEEN $((125001 + n * 1000)) AND $((125000 + n * 1000 + 1000));"; done
		} | mysql_root $src
	}
	drain bulk_load
	bulk_rate[$src]=$((drained * 1000 / drain_ms))
	echo "# $src bulk backlog: replayed $drained changes in $(seconds $drain_ms) s: ${bulk_rate[$src]} changes/s"
	q "SELECT chameleon.stop_replica('$src')" >/dev/null
	for t in sbtest1 sbtest2 sbtest3 sbtest4; do compare_rows "$src" "$src.$t" "${src}_pg.$t" id "id, k, rtrim(c), rtrim(pad)"; done
	check_eq "$src.bulk: count and sums equal on both sides" "$(mysql_root -N -B $src -e "SELECT concat_ws('|', count(*), sum(id), sum(k)) FROM bulk")" \
		"$(q "SELECT concat_ws('|', count(*), sum(id), sum(k)) FROM ${src}_pg.bulk")"
done
echo "# summary (distributed / one server): live max lag ${live_lag[cb_dist]} s / ${live_lag[cb_one]} s; caught up $(seconds ${live_after[cb_dist]}) s / $(seconds ${live_after[cb_one]}) s after the load; applied ${live_rate[cb_dist]} / ${live_rate[cb_one]} changes/s"
echo "# summary: OLTP backlog ${backlog_rate[cb_dist]} / ${backlog_rate[cb_one]} changes/s = $(ratio ${backlog_rate[cb_dist]} ${backlog_rate[cb_one]})x"
echo "# summary: bulk backlog ${bulk_rate[cb_dist]} / ${bulk_rate[cb_one]} changes/s = $(ratio ${bulk_rate[cb_dist]} ${bulk_rate[cb_one]})x"
rm -f "$samples"
for src in cb_one cb_dist; do
	q "SELECT chameleon.drop_source('$src')" >/dev/null
	mysql_root -e "DROP DATABASE IF EXISTS $src"
done
e2e_finish
