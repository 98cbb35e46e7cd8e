#!/bin/bash
# Initial-copy benchmark: fills a ROWS-row sysbench-like MariaDB table
# (id int auto_increment primary key, k int, c varchar(120), pad varchar(60), amount decimal(12,2),
# created datetime, index(k)) and times in the same run (a) chameleon.init_replica(wait => true),
# (b) the plain tools `mariadb --batch --raw | psql COPY` + ADD PRIMARY KEY + CREATE INDEX, and
# (c) pgloader (Debian package pgloader). It samples the peak RSS (VmHWM) of the init/copy
# workers while (a) runs, then copies 4 tables of PAR_ROWS rows with copy_parallel_jobs 1 and 2.
# (a) and (b) run ROUNDS times in turn, as do the two parallel cases, each from the same settled
# state (PostgreSQL checkpointed, InnoDB's dirty pages flushed); the medians are compared.
# Prints rows/s, the ratios and the speed-up; removes everything it created (ib_* names).
# Usage: test/bench/init_bench.sh [ROWS] [PAR_ROWS] [ROUNDS]  (run as root, sandbox servers running)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. test/lib/sandbox.sh
export PGOPTIONS="-c client_min_messages=warning"
ROWS=${1:-1000000}
PAR_ROWS=${2:-500000}
ROUNDS=${3:-3}
MY_DB=ib_bench       # MySQL schema of the big table
PAR_DB=ib_par        # MySQL schema of the 4 tables of the parallel case
WORK=$(mktemp -d /tmp/ib_bench.XXXXXX)

q() { psql -X -q -v ON_ERROR_STOP=1 -tA -c "$1"; }
now() { date +%s.%N; }
elapsed() { echo "scale=3; ($2 - $1) / 1" | bc | sed 's/^\./0./'; }
rate() { echo "$1 / $2" | bc; }
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# Every measurement starts from the same state: PostgreSQL checkpointed, InnoDB's dirty pages
# written (waited for with a deadline).
innodb_clean() {
	[ "$(mysql_root -N -B -e "SELECT variable_value FROM information_schema.global_status
		WHERE variable_name = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")" -lt 10 ]
}
settle() {
	q "CHECKPOINT" >/dev/null
	mysql_root -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
	wait_until 60 "InnoDB to flush its dirty pages" innodb_clean || true
	mysql_root -e "SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT"
}

cleanup() {
	set +e
	[ -n "${sampler_pid:-}" ] && kill "$sampler_pid" 2>/dev/null
	for source in ib_bench ib_par; do
		q "SELECT chameleon.drop_source('$source') FROM chameleon.sources WHERE source = '$source'" >/dev/null 2>&1
	done
	for schema in ib_bench_pg ib_par_pg ib_base ib_pgloader; do q "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; done
	mysql_root -e "DROP DATABASE IF EXISTS $MY_DB; DROP DATABASE IF EXISTS $PAR_DB"
	rm -rf "$WORK"
}
trap cleanup EXIT
cleanup
WORK=$(mktemp -d /tmp/ib_bench.XXXXXX)

command -v pgloader >/dev/null || { echo "pgloader is missing: apt-get install -y pgloader" >&2; exit 1; }
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon"

# make_table SCHEMA TABLE ROWS: the benchmark table, generated with the sequence engine.
make_table() {
	mysql_root -e "CREATE TABLE $1.$2 (id int AUTO_INCREMENT PRIMARY KEY, k int NOT NULL, c varchar(120) NOT NULL,
		pad varchar(60) NOT NULL, amount decimal(12,2) NOT NULL, created datetime NOT NULL, KEY k (k)) ENGINE = InnoDB;
	INSERT INTO $1.$2 (k, c, pad, amount, created)
	SELECT (seq * 7919) % $3, LEFT(CONCAT(MD5(seq), '-', MD5(seq + 1), '-', MD5(seq + 2), '-', MD5(seq + 3)), 119),
	       LEFT(CONCAT(MD5(seq * 3), MD5(seq * 5)), 59), (seq % 10000000) / 100,
	       '2020-01-01 00:00:00' + INTERVAL seq SECOND
	FROM $1.seq_1_to_$3"
}

# content_my DB.TABLE / content_pg SCHEMA.TABLE: the row count and an md5 of every value of every row
# (md5 of the md5s of 10,000-row chunks in key order), the same text on both sides.
content_my() {
	mysql_root -N -B -e "SET SESSION group_concat_max_len = 1073741824;
		SELECT CONCAT(SUM(n), ' ', MD5(GROUP_CONCAT(h ORDER BY g SEPARATOR ''))) FROM (SELECT id DIV 10000 g, COUNT(*) n,
		MD5(GROUP_CONCAT(CONCAT_WS('|', id, k, c, pad, amount, created) ORDER BY id SEPARATOR '\n')) h FROM $1 GROUP BY g) x"
}
content_pg() {
	q "SELECT sum(n) || ' ' || md5(string_agg(h, '' ORDER BY g)) FROM (SELECT id / 10000 g, count(*) n,
		md5(string_agg(concat_ws('|', id, k, c, pad, amount, created), E'\n' ORDER BY id)) h FROM $1 GROUP BY 1) x"
}

add_src() { # add_src NAME MYSQL_DB JOBS SERVER_ID
	q "SELECT chameleon.drop_source('$1') FROM chameleon.sources WHERE source = '$1'" >/dev/null
	q "SELECT chameleon.add_source('$1', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$2: ${1}_pg}
copy_parallel_jobs: $3
my_server_id: $4
\$\$)" >/dev/null
}

# Samples VmHWM / RssAnon of every init and copy worker into $WORK/rss until killed.
sample_rss() {
	while :; do
		for pid in $(psql -X -tA -c "SELECT pid FROM pg_stat_activity
			WHERE backend_type IN ('pg_chameleon init', 'pg_chameleon copy')" 2>/dev/null); do
			awk -v pid="$pid" '/^VmHWM|^RssAnon/ { printf "%s %s %s\n", pid, $1, $2 }' "/proc/$pid/status" 2>/dev/null
		done >>"$WORK/rss"
		sleep 0.1 # sampling interval, not a wait for a condition
	done
}

echo "generating $ROWS rows in $MY_DB.t ..."
mysql_root -e "CREATE DATABASE $MY_DB"
start=$(now)
make_table "$MY_DB" t "$ROWS"
mysql_root -e "ANALYZE TABLE $MY_DB.t" >/dev/null
echo "generated in $(elapsed "$start" "$(now)") s; $(mysql_root -N -B -e "SELECT ROUND((data_length + index_length) / 1048576)
	FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = 't'") MB in InnoDB"
checksum_my=$(content_my "$MY_DB.t")

run_a() { # one init_replica, checked; the first one also samples the workers' memory
	q "DROP SCHEMA IF EXISTS ib_bench_pg CASCADE" >/dev/null
	settle
	if [ "$1" = sample ]; then
		sample_rss &
		sampler_pid=$!
	fi
	local start checksum
	start=$(now)
	q "SELECT chameleon.init_replica('ib_bench', wait => true)" >/dev/null
	secs_a+=("$(elapsed "$start" "$(now)")")
	if [ "$1" = sample ]; then
		kill "$sampler_pid"
		wait "$sampler_pid" 2>/dev/null || true
		sampler_pid=
	fi
	checksum=$(content_pg ib_bench_pg.t)
	[ "$checksum" = "$checksum_my" ] || { echo "init_replica copied different data: $checksum vs $checksum_my" >&2; exit 1; }
	q "DROP SCHEMA ib_bench_pg CASCADE" >/dev/null
}

run_b() { # mariadb | psql COPY, then the primary key and the index
	q "DROP SCHEMA IF EXISTS ib_base CASCADE; CREATE SCHEMA ib_base; CREATE TABLE ib_base.t (id integer NOT NULL,
		k integer NOT NULL, c varchar(120) NOT NULL, pad varchar(60) NOT NULL, amount numeric(12,2) NOT NULL,
		created timestamp(0) NOT NULL)" >/dev/null
	settle
	local start checksum
	start=$(now)
	# --raw: no escaping (the data has no tab, newline, backslash or NULL); --quick: stream, don't buffer
	mariadb --defaults-file="$MY_CNF" -h127.0.0.1 -P"$MY_PORT" -u"$MY_REPL_USER" -p"$MY_REPL_PASSWORD" \
		--batch --raw --quick -N -e "SELECT * FROM $MY_DB.t" |
		psql -X -q -v ON_ERROR_STOP=1 -c "COPY ib_base.t FROM STDIN"
	q "ALTER TABLE ib_base.t ADD PRIMARY KEY (id); CREATE INDEX ON ib_base.t (k)"
	secs_b+=("$(elapsed "$start" "$(now)")")
	checksum=$(content_pg ib_base.t)
	[ "$checksum" = "$checksum_my" ] || { echo "the baseline copied different data: $checksum vs $checksum_my" >&2; exit 1; }
	q "DROP SCHEMA ib_base CASCADE" >/dev/null
}

add_src ib_bench "$MY_DB" 2 701
secs_a=()
secs_b=()
for round in $(seq 1 "$ROUNDS"); do
	run_a "$([ "$round" = 1 ] && echo sample || echo no)"
	run_b
	echo "round $round: (a) ${secs_a[-1]} s, (b) ${secs_b[-1]} s"
done
peak_hwm=$(awk '$2 == "VmHWM:" && $3 > max { max = $3 } END { print max + 0 }' "$WORK/rss" 2>/dev/null || echo 0)
peak_anon=$(awk '$2 == "RssAnon:" && $3 > max { max = $3 } END { print max + 0 }' "$WORK/rss" 2>/dev/null || echo 0)
samples=$(grep -c VmHWM "$WORK/rss" 2>/dev/null || echo 0)
secs_a=$(median "${secs_a[@]}")
secs_b=$(median "${secs_b[@]}")

# (c) pgloader
cat >"$WORK/bench.load" <<LOAD
LOAD DATABASE
  FROM mysql://$MY_REPL_USER:$MY_REPL_PASSWORD@127.0.0.1:$MY_PORT/$MY_DB
  INTO postgresql://postgres@unix:$PGHOST:$PGPORT/$PGDATABASE
  WITH include drop, create tables, create indexes, reset sequences
  ALTER SCHEMA '$MY_DB' RENAME TO 'ib_pgloader';
LOAD
settle
start=$(now)
pgloader --quiet "$WORK/bench.load" >"$WORK/pgloader.log" 2>&1 || { tail -30 "$WORK/pgloader.log" >&2; exit 1; }
secs_c=$(elapsed "$start" "$(now)")
# pgloader makes created a timestamptz: its text is read back in the session's time zone
checksum_c=$(q "SELECT sum(n) || ' ' || md5(string_agg(h, '' ORDER BY g)) FROM (SELECT id / 10000 g, count(*) n,
	md5(string_agg(concat_ws('|', id, k, c, pad, amount, (created AT TIME ZONE current_setting('TimeZone'))::timestamp),
	E'\n' ORDER BY id)) h FROM ib_pgloader.t GROUP BY 1) x")
[ "$checksum_c" = "$checksum_my" ] || echo "note: pgloader's data differs: $checksum_c vs $checksum_my" >&2
q "DROP SCHEMA ib_pgloader CASCADE" >/dev/null

rate_a=$(rate "$ROWS" "$secs_a")
rate_b=$(rate "$ROWS" "$secs_b")
rate_c=$(rate "$ROWS" "$secs_c")
echo
echo "one table of $ROWS rows (2 cores; (a) and (b): median of $ROUNDS rounds):"
printf '%-58s %9s s %9s rows/s\n' \
	"(a) chameleon.init_replica(wait => true)" "$secs_a" "$rate_a" \
	"(b) mariadb --batch --raw | psql COPY + PRIMARY KEY + INDEX" "$secs_b" "$rate_b" \
	"(c) pgloader" "$secs_c" "$rate_c"
printf 'ratios: (a)/(b) %s  (a)/(c) %s  (rows/s; > 1 means init_replica is faster)\n' \
	"$(echo "scale=2; $rate_a / $rate_b" | bc)" "$(echo "scale=2; $rate_a / $rate_c" | bc)"
printf 'init/copy workers during (a): peak VmHWM %s kB (includes shared buffers touched), peak RssAnon %s kB, %s samples\n' \
	"$peak_hwm" "$peak_anon" "$samples"

# The parallel case: 4 tables, copy_parallel_jobs 1 and 2.
echo
echo "generating 4 tables of $PAR_ROWS rows in $PAR_DB ..."
mysql_root -e "CREATE DATABASE $PAR_DB"
declare -A content_par
for n in 1 2 3 4; do
	make_table "$PAR_DB" "t$n" "$PAR_ROWS"
	content_par[t$n]=$(content_my "$PAR_DB.t$n")
done
secs_par_1=()
secs_par_2=()
for round in $(seq 1 "$ROUNDS"); do
	for jobs in 1 2; do
		add_src ib_par "$PAR_DB" "$jobs" 702
		q "DROP SCHEMA IF EXISTS ib_par_pg CASCADE" >/dev/null
		settle
		busy=$(busy_ticks)
		start=$(now)
		q "SELECT chameleon.init_replica('ib_par', wait => true)" >/dev/null
		secs=$(elapsed "$start" "$(now)")
		cores=$(echo "scale=2; ($(busy_ticks) - $busy) / $(getconf CLK_TCK) / $secs" | bc)
		for table in t1 t2 t3 t4; do
			[ "$(content_pg "ib_par_pg.$table")" = "${content_par[$table]}" ] ||
				{ echo "copy_parallel_jobs $jobs copied $table differently" >&2; exit 1; }
		done
		copied=$((4 * PAR_ROWS))
		eval "secs_par_$jobs+=($secs)"
		printf '%-58s %9s s %9s rows/s, CPU busy %s of %s cores\n' "4 x $PAR_ROWS rows, copy_parallel_jobs $jobs" \
			"$secs" "$(rate "$copied" "$secs")" "$cores" "$(nproc)"
	done
done
secs_par_1=$(median "${secs_par_1[@]}")
secs_par_2=$(median "${secs_par_2[@]}")
printf 'speed-up of 2 jobs over 1 (medians %s s / %s s): %s\n' "$secs_par_1" "$secs_par_2" \
	"$(echo "scale=2; $secs_par_1 / $secs_par_2" | bc)"
