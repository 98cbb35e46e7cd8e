# chameleon.verify_tables: equal tables of every type family verify equal (CHAR padding, SET order,
# BIT, JSON key order and number spelling, temporal precision, spatial values with and without an
# SRID, long names); a row deleted, values changed (one type family per row) and a row added on
# PostgreSQL only, and a table missing in PostgreSQL, are each reported with both sides' values; no
# false report while a burst of writes replicates; resync => true copies the differing tables again;
# verify_max_rows_per_second; wait => false: the verify worker's progress shows in
# chameleon.verification from another session while it runs; a stopped and a failed verification.
# checks: 28
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/all_types.sh"

SRC=vf_src
DB=vf_shop
PG=vf_shop_pg
reset_source "$SRC" "$PG"

# a table and a column whose 64-byte MySQL names PostgreSQL cannot hold (doc/security.md, "Names")
LT=long_$(printf 'x%.0s' $(seq 1 59))
LC=c_$(printf 'y%.0s' $(seq 1 62))
COLUMNS=$(all_types_columns $PG)
create=""
while IFS='|' read -r col type kind pgtype; do create+="${create:+, }\`$col\` $type"; done <<<"$COLUMNS"
writable=$(while IFS='|' read -r col type kind pgtype; do [[ $col == id || $type == *" AS "* ]] || echo "\`$col\`"; done <<<"$COLUMNS" | paste -sd,)
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.alltypes ($create);
$(all_types_rows $DB.alltypes)
-- more rows: copies of the four with other keys, so that the table has several ranges' worth
INSERT INTO $DB.alltypes (id, $writable) SELECT a.id + 10 * s.seq, $(sed 's/`\([a-z0-9]*\)`/a.`\1`/g' <<<"$writable")
	FROM $DB.alltypes a JOIN $DB.seq_1_to_3000 s;
CREATE TABLE $DB.words (w varchar(40) NOT NULL PRIMARY KEY, n int) DEFAULT CHARSET latin1;
INSERT INTO $DB.words SELECT concat(char(65 + seq % 58 USING utf8mb4), 'wört ', seq), seq FROM $DB.seq_1_to_25000;
CREATE TABLE $DB.$LT (id int PRIMARY KEY, $LC varchar(10));
INSERT INTO $DB.$LT SELECT seq, concat('v', seq) FROM $DB.seq_1_to_100;
-- values MySQL spells otherwise than PostgreSQL prints them
CREATE TABLE $DB.forms (id int PRIMARY KEY, ch char(6), st set('a','b','c'), bt bit(10), js json,
	dt datetime(3), tm time(2), g geometry, f float);
INSERT INTO $DB.forms VALUES
	(1, 'ab  ', 'c,a', b'101', '{"z": [1.50, 1e2, -0.0, "x\\\\ty"], "a": {"é": true, "b": null}, "aa": 12345678901234567890}',
	 '2020-01-01 10:00:00.100', '-838:59:59.90', ST_GeomFromText('POINT(1 2)', 4326), 1.5),
	(2, 'x', 'b,a,c', b'1111111111', '[{"k": 0.05, "a": []}, {}]', '2021-12-31 23:59:59.999', '00:00:00.5',
	 ST_GeomFromText('LINESTRING(0 0, 1 1.5)'), -0.001);
INSERT INTO $DB.forms SELECT 10 + seq, ch, st, bt, js, dt, tm, g, f FROM $DB.forms JOIN $DB.seq_1_to_10 WHERE id = 1;
CREATE TABLE $DB.gone (id int PRIMARY KEY, v int);
INSERT INTO $DB.gone SELECT seq, seq FROM $DB.seq_1_to_100;
CREATE TABLE $DB.busy (id int PRIMARY KEY, v int, s varchar(30));
INSERT INTO $DB.busy SELECT seq, seq, concat('s', seq) FROM $DB.seq_1_to_40000;
SQL
config() { # config [EXTRA_KEY]
	printf 'db_conn: {host: 127.0.0.1, port: %s, user: %s, password: %s}\nschema_mappings: {%s: %s}\nmy_server_id: 631\n%s\n' \
		"$MY_PORT" "$MY_REPL_USER" "$MY_REPL_PASSWORD" "$DB" "$PG" "$1"
}
q "SELECT chameleon.add_source('$SRC', \$\$$(config)\$\$)" >/dev/null
init_and_start "$SRC"
check_eq "the replica catches up" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"

# states of every table, in name order
states() { q "SELECT string_agg(mysql_table || '=' || state || '/' || mismatching_rows, ' ' ORDER BY mysql_table) FROM chameleon.verify_tables('$SRC'$1)"; }
check_eq "equal tables of every type family verify equal" \
	"$DB.alltypes=equal/0 $DB.busy=equal/0 $DB.forms=equal/0 $DB.gone=equal/0 $DB.$LT=equal/0 $DB.words=equal/0" "$(states)"
# ranges of 10,000 rows, then 20,000 (they double up to 160,000); the last one is open
check_eq "the rows of both sides are counted, in ranges of 10,000 rows, then more" "12004 12004 2|40000 40000 3|25000 25000 2" \
	"$(q "SELECT string_agg(rows_mysql || ' ' || rows_pg || ' ' || ranges, '|' ORDER BY mysql_table) FROM chameleon.verification
	      WHERE source = '$SRC' AND mysql_table IN ('$DB.alltypes', '$DB.busy', '$DB.words')")"

# Differences made on PostgreSQL only: a row deleted, a row added, one changed value per type
# family (each in its own row), a NULL where MySQL has '' and a table dropped.
# Every id ending in 4 is a copy of row 4 (no NULL, no extreme value).
declare -A CHANGE=(
	[14]="i = i + 1" [24]="biu = biu - 1" [34]="dc = dc + 0.000000000000000000000000000001" [44]="f = f * 1.001"
	[54]="db = db * 1.0000001" [64]="b10 = B'0000000001'" [74]="y = y + 1" [84]="dt = dt + 1"
	[94]="dt6 = dt6 + interval '1 microsecond'" [104]="ts3 = ts3 + interval '1 millisecond'"
	[114]="tm2 = tm2 + interval '10 ms'" [124]="c = 'other'" [134]="vc = vc || 'x'" [144]="bl = '\\x00'"
	[154]="e = 'small'" [164]="st = '{c}'" [174]="js = '[1]'" [184]="b1 = NOT b1" [194]="ip4 = '10.0.0.2'"
	[204]="u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'" [214]="lt = NULL" [224]="ip = '::2'"
	[234]="p = set_byte(p, 9, get_byte(p, 9) # 1)"
)
for id in "${!CHANGE[@]}"; do q "UPDATE $PG.alltypes SET ${CHANGE[$id]} WHERE id = $id" >/dev/null; done
q "DELETE FROM $PG.alltypes WHERE id = 1001" >/dev/null
q "INSERT INTO $PG.alltypes (id) VALUES (999999)" >/dev/null
q "UPDATE $PG.words SET n = -n WHERE w = 'nwört 2017'" >/dev/null
# forms: one change per row 11..20 (row 11 onwards are copies of row 1); the geometry is EWKB with
# SRID 4326: byte 9 is in x, byte 5 in the SRID
declare -A FORM_CHANGE=(
	[11]="ch = 'abc'" [12]="st = '{a}'" [13]="bt = B'0000000111'" [14]="js = jsonb_set(js, '{z,0}', '1.51')"
	[15]="js = js - 'a' || '{\"b\": {\"é\": true, \"b\": null}}'" [16]="dt = dt + interval '1 ms'"
	[17]="tm = tm + interval '10 ms'" [18]="g = set_byte(g, 9, get_byte(g, 9) # 1)" [19]="g = set_byte(g, 5, 231)"
	[20]="f = 1.501"
)
for id in "${!FORM_CHANGE[@]}"; do q "UPDATE $PG.forms SET ${FORM_CHANGE[$id]} WHERE id = $id" >/dev/null; done
q "DROP TABLE $PG.gone" >/dev/null
long_pg=$(q "SELECT pg_table FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.$LT'")
long_column=$(q "SELECT attname FROM pg_attribute WHERE attrelid = '$long_pg'::regclass AND attname LIKE 'c\_%'")
q "UPDATE $long_pg SET \"$long_column\" = 'changed' WHERE id = 7" >/dev/null
expected_keys=$(printf '%s\n' "${!CHANGE[@]}" 1001 999999 | sort -n | paste -sd' ')

check_eq "each difference is reported, the table missing in PostgreSQL too" \
	"$DB.alltypes=different/$(( ${#CHANGE[@]} + 2 )) $DB.busy=equal/0 $DB.forms=different/10 $DB.gone=missing in PostgreSQL/0 $DB.$LT=different/1 $DB.words=different/1" "$(states)"
check_eq "the mismatching keys are the changed, deleted and added rows" "$expected_keys" \
	"$(q "SELECT string_agg(m -> 'key' ->> 'id', ' ' ORDER BY (m -> 'key' ->> 'id')::int)
	      FROM chameleon.verification, jsonb_array_elements(mismatches) m WHERE source = '$SRC' AND mysql_table = '$DB.alltypes'")"
check_eq "a change in CHAR, SET, BIT, JSON (a number, a key), datetime(3), time(2), geometry (x, SRID), float" \
	"11 12 13 14 15 16 17 18 19 20" \
	"$(q "SELECT string_agg(m -> 'key' ->> 'id', ' ' ORDER BY (m -> 'key' ->> 'id')::int)
	      FROM chameleon.verification, jsonb_array_elements(mismatches) m WHERE source = '$SRC' AND mysql_table = '$DB.forms'")"
check_eq "a changed value: both sides' values" "42|43" \
	"$(q "SELECT m -> 'mysql' ->> 'i', m -> 'postgresql' ->> 'i' FROM chameleon.verification, jsonb_array_elements(mismatches) m
	      WHERE source = '$SRC' AND mysql_table = '$DB.alltypes' AND m -> 'key' ->> 'id' = '14'" | tr -d '\n')"
check_eq "a row deleted in PostgreSQL: no PostgreSQL side" "t" \
	"$(q "SELECT m -> 'postgresql' = 'null' AND m -> 'mysql' ->> 'id' = '1001' FROM chameleon.verification, jsonb_array_elements(mismatches) m
	      WHERE source = '$SRC' AND mysql_table = '$DB.alltypes' AND m -> 'key' ->> 'id' = '1001'")"
check_eq "a row added in PostgreSQL: no MySQL side" "t" \
	"$(q "SELECT m -> 'mysql' = 'null' AND m -> 'postgresql' ->> 'id' = '999999' FROM chameleon.verification, jsonb_array_elements(mismatches) m
	      WHERE source = '$SRC' AND mysql_table = '$DB.alltypes' AND m -> 'key' ->> 'id' = '999999'")"
check_eq "NULL differs from an empty string" "|null" \
	"$(q "SELECT (m -> 'mysql' ->> 'lt') || '|' || (m -> 'postgresql' -> 'lt')::text FROM chameleon.verification, jsonb_array_elements(mismatches) m
	      WHERE source = '$SRC' AND mysql_table = '$DB.alltypes' AND m -> 'key' ->> 'id' = '214'")"
check_eq "a string key: the key and the value" "nwört 2017|2017|-2017" \
	"$(q "SELECT concat_ws('|', m -> 'key' ->> 'w', m -> 'mysql' ->> 'n', m -> 'postgresql' ->> 'n') FROM chameleon.verification, jsonb_array_elements(mismatches) m
	      WHERE source = '$SRC' AND mysql_table = '$DB.words'")"
check_eq "only the ranges that differ are counted: one of two" "1" \
	"$(q "SELECT ranges_different FROM chameleon.verification WHERE source = '$SRC' AND mysql_table = '$DB.words'")"
check_fails "an unknown table is refused" 'source "vf_src" replicates no table "vf_shop.nope"' \
	q "SELECT * FROM chameleon.verify_tables('$SRC', '{$DB.nope}')"

# No false report while a burst of writes replicates: 200,000 row changes to busy (each of the
# 100 UPDATEs changes 2,000 rows), verified while they are read and replayed.
burst() {
	for i in $(seq 1 100); do mysql_root $DB -e "UPDATE busy SET v = v + 1, s = concat('b', $i, '-', id) WHERE id % 20 = $((i % 20))"; done
}
burst &
burst_pid=$!
burst_replayed() { [ "$(q "SELECT count(*) FROM $PG.busy WHERE s LIKE 'b%'")" -gt 0 ]; }
wait_until 30 "the burst to reach the replica" burst_replayed
running=$(kill -0 $burst_pid 2>/dev/null && echo yes || echo no)
verified=$(states ", '{$DB.busy}'")
wait $burst_pid
check_eq "the verification starts while the burst runs" "yes" "$running"
check_match "no false report while 200,000 changes replicate" "^$DB\.busy=(equal|unsettled)/0$" "$verified"
check_eq "after the burst the replica catches up" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
check_eq "after the burst the table verifies equal" "$DB.busy=equal/0" "$(states ", '{$DB.busy}'")"

# resync => true: the differing tables are copied again
check_eq "resync => true verifies, then asks for the copies" "2" \
	"$(q "SELECT count(*) FROM chameleon.verify_tables('$SRC', '{$DB.alltypes, $DB.words}', resync => true)
	      WHERE state = 'different' AND resync = 'requested'")"
recopied() {
	[ "$(q "SELECT (SELECT count(*) FROM $PG.alltypes) = 12004 AND (SELECT i FROM $PG.alltypes WHERE id = 14) = 42
		AND (SELECT n FROM $PG.words WHERE w = 'nwört 2017') = 2017
		AND NOT EXISTS (SELECT FROM chameleon.tables WHERE source = '$SRC' AND state NOT IN ('replicating', 'catching up'))")" = t ]
}
wait_until 120 "the re-copies to end" recopied
check_eq "after resync => true the replica catches up" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "after resync => true the tables verify equal" "$DB.alltypes=equal/0 $DB.words=equal/0" \
	"$(states ", '{$DB.alltypes, $DB.words}'")"

# verify_max_rows_per_second: 40,000 rows at 20,000 rows/s take at least 2 s (the source stopped)
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.alter_source('$SRC', \$\$$(config 'verify_max_rows_per_second: 20000')\$\$)" >/dev/null
check_eq "a stopped source verifies too, at verify_max_rows_per_second" "$DB.busy=equal/0|t" \
	"$(states ", '{$DB.busy}'")|$(q "SELECT finished - started >= interval '1.9 s' FROM chameleon.verification WHERE source = '$SRC' AND mysql_table = '$DB.busy'")"

# wait => false: the verify worker runs on (40,000 rows at 10,000 rows/s: about 4 s) while another
# session reads its progress
q "SELECT chameleon.alter_source('$SRC', \$\$$(config 'verify_max_rows_per_second: 10000')\$\$)" >/dev/null
check_eq "wait => false returns at once, the tables queued" "$DB.busy=queued/0" \
	"$(states ", '{$DB.busy}', wait => false")"
progress() { q "SELECT state = 'running' AND ranges > 0 AND rows_mysql BETWEEN 1 AND 39999 AND finished IS NULL
	FROM chameleon.verification WHERE source = '$SRC' AND mysql_table = '$DB.busy'"; }
progress_shown() { [ "$(progress)" = t ]; }
shown=no
wait_until 30 "the verification to show progress" progress_shown && shown=yes
check_eq "while it runs: state running, rows and ranges so far" "yes" "$shown"
check_eq "the verify worker is listed in chameleon.workers" "verify" \
	"$(q "SELECT string_agg(role, ' ') FROM chameleon.workers WHERE source = '$SRC'")"
check_fails "a second verification of the source is refused while one runs" \
	'a verification of source "vf_src" is already running' q "SELECT * FROM chameleon.verify_tables('$SRC')"
finished() { [ "$(q "SELECT finished IS NOT NULL FROM chameleon.verification WHERE source = '$SRC' AND mysql_table = '$DB.busy'")" = t ]; }
wait_until 60 "the background verification to end" finished
check_eq "the background verification ends equal, every range compared" "equal 40000 40000 3" \
	"$(q "SELECT concat_ws(' ', state, rows_mysql, rows_pg, ranges) FROM chameleon.verification WHERE source = '$SRC' AND mysql_table = '$DB.busy'")"

# a stop (SIGTERM, as pg_terminate_backend sends) ends the worker between two ranges
q "SELECT * FROM chameleon.verify_tables('$SRC', '{$DB.busy}', wait => false)" >/dev/null
wait_until 30 "the verification to show progress" progress_shown
q "SELECT pg_terminate_backend(pid) FROM chameleon.workers WHERE source = '$SRC' AND role = 'verify'" >/dev/null
wait_until 30 "the stopped verification to end" finished
check_eq "a verify worker stopped mid-table: its table says stopped" "stopped" \
	"$(q "SELECT state FROM chameleon.verification WHERE source = '$SRC' AND mysql_table = '$DB.busy'")"

# a MySQL the worker cannot reach: the call fails with the reason, the table's row says so
q "SELECT chameleon.alter_source('$SRC', \$\$$(config | sed "s/port: $MY_PORT/port: 1/")\$\$)" >/dev/null
check_fails "a verification that fails reports why" 'verify_tables of source "vf_src" failed' \
	q "SELECT * FROM chameleon.verify_tables('$SRC', '{$DB.busy}')"
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA IF EXISTS $PG CASCADE" >/dev/null
mysql_root -e "DROP DATABASE $DB"
e2e_finish
