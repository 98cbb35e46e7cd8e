# ALTERs that change existing rows (doc/ddl.md), differentially: for every kind in the table of
# doc/ddl.md, a table with rows (NULLs, boundary values, values MariaDB converts with warnings in
# non-strict mode) gets the statement on MariaDB while the replica runs, writes go on after it,
# and after wait_for_catchup every table is compared row by row. The NOW() cases are replayed
# more than a second after MariaDB ran them (the replica is stopped meanwhile), so a value taken
# at replay time cannot pass. The re-copied tables are listed with their reasons in chameleon.tables.
# checks: 30
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"
export PGOPTIONS="$PGOPTIONS -c TimeZone=UTC"

SRC=dr_src
DB=dr_shop
reset_source "$SRC" "${DB}_pg"
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB DEFAULT CHARACTER SET utf8mb4;
USE $DB;
-- statement time
CREATE TABLE now_tz (id int PRIMARY KEY, v int);
CREATE TABLE now_sys (id int PRIMARY KEY, v int);
CREATE TABLE now_sysdt (id int PRIMARY KEY, v int);
CREATE TABLE now_nn (id int PRIMARY KEY, v int, ts timestamp NULL);
-- re-copied
CREATE TABLE ai (id int PRIMARY KEY, v int);
CREATE TABLE uid (id int PRIMARY KEY, v int);
CREATE TABLE exprdef (id int PRIMARY KEY, v int);
CREATE TABLE gen (id int PRIMARY KEY, v int);
CREATE TABLE conv (id int PRIMARY KEY, v int, s varchar(20)) DEFAULT CHARSET=utf8mb4;
CREATE TABLE narrow (id int PRIMARY KEY, v int, s varchar(20));
CREATE TABLE tiny (id int PRIMARY KEY, v int, i int);
CREATE TABLE dbl (id int PRIMARY KEY, v int, x double);
CREATE TABLE e2v (id int PRIMARY KEY, v int, e enum('a','b','c'));
CREATE TABLE v2e (id int PRIMARY KEY, v int, s varchar(10));
CREATE TABLE dt2ts (id int PRIMARY KEY, v int, dt datetime);
CREATE TABLE part (id int PRIMARY KEY, v int) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (20),
	PARTITION p1 VALUES LESS THAN MAXVALUE);
CREATE TABLE ign (id int PRIMARY KEY, v int, code int);
-- reproduced by PostgreSQL
CREATE TABLE same (id int PRIMARY KEY, v int, s varchar(10), e enum('a','b'), p decimal(6,2), c int, r int,
	dropme int);
CREATE TABLE nn_dt (id int PRIMARY KEY, v int, dt datetime);

INSERT INTO now_tz SELECT seq, IF(seq % 5 = 0, NULL, seq) FROM seq_1_to_40;
INSERT INTO now_sys SELECT seq, seq FROM seq_1_to_40;
INSERT INTO now_sysdt SELECT seq, seq FROM seq_1_to_40;
INSERT INTO now_nn SELECT seq, seq, IF(seq % 3 = 0, NULL, '2020-02-29 12:00:00') FROM seq_1_to_40;
INSERT INTO ai SELECT seq, seq FROM seq_1_to_40;
INSERT INTO uid SELECT seq, seq FROM seq_1_to_40;
INSERT INTO exprdef SELECT seq, IF(seq % 4 = 0, NULL, seq) FROM seq_1_to_40;
INSERT INTO gen SELECT seq, IF(seq = 1, NULL, seq) FROM seq_1_to_40;
INSERT INTO conv VALUES (1, 1, 'abc'), (2, 2, 'été'), (3, 3, '€uro'), (4, 4, '😀 smile'), (5, 5, NULL), (6, 6, '');
INSERT INTO narrow VALUES (1, 1, 'short'), (2, 2, 'a much longer text'), (3, 3, NULL), (4, 4, ''), (5, 5, 'sixsix');
INSERT INTO tiny VALUES (1, 1, 1000), (2, 2, -1000), (3, 3, 127), (4, 4, -128), (5, 5, 0), (6, 6, NULL),
	(7, 7, 2147483647), (8, 8, -2147483648);
INSERT INTO dbl VALUES (1, 1, 1.25), (2, 2, 1.35), (3, 3, -2.55), (4, 4, 1e10), (5, 5, NULL), (6, 6, -1e-9),
	(7, 7, 0.05);
INSERT INTO e2v VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, NULL), (4, 4, 'c');
INSERT INTO v2e VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'zzz'), (4, 4, NULL), (5, 5, '');
INSERT INTO dt2ts VALUES (1, 1, '2020-06-01 12:00:00'), (2, 2, '1960-01-01 00:00:00'), (3, 3, NULL),
	(4, 4, '2038-01-19 03:14:07'), (5, 5, '2038-01-19 03:14:08');
INSERT INTO part SELECT seq, seq FROM seq_1_to_40;
INSERT INTO ign VALUES (1, 1, 10), (2, 2, 10), (3, 3, 20), (4, 4, NULL), (5, 5, NULL), (6, 6, 20), (7, 7, 30);
INSERT INTO same VALUES (1, 1, 'a', 'a', 1.25, NULL, 1, 1), (2, -2147483648, '', 'b', -9999.99, 5, 2, 2),
	(3, 2147483647, NULL, NULL, 9999.99, NULL, NULL, 3);
INSERT INTO nn_dt VALUES (1, 1, NULL), (2, 2, '2020-01-01 00:00:00');
SQL
add_mysql_source "$SRC" "$DB: ${DB}_pg" 651
init_and_start "$SRC"

# writes after the statements: a new row and a changed row in every table
writes() {
	local t
	echo "SET SESSION sql_mode = '';"
	for t in now_tz now_sys now_sysdt now_nn ai uid exprdef gen conv narrow tiny dbl e2v v2e dt2ts part ign \
		same nn_dt; do
		echo "INSERT INTO $t (id, v) VALUES ($1, $1); UPDATE $t SET v = coalesce(v, 0) + 100 WHERE id = 2;"
	done
}
F="'%Y-%m-%d %H:%i:%s.%f'" # MariaDB's and PostgreSQL's spellings of one format
P="'YYYY-MM-DD HH24:MI:SS.US'"

# 1. NOW() and the like: the statements are replayed well after MariaDB ran them
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
mysql_root $DB <<SQL
SET SESSION sql_mode = '';
SET SESSION time_zone = '+05:30';
ALTER TABLE now_tz ADD COLUMN n0 datetime DEFAULT NOW(), ADD COLUMN n6 datetime(6) DEFAULT NOW(6),
	ADD COLUMN t3 timestamp(3) NULL DEFAULT CURRENT_TIMESTAMP(3), ADD COLUMN u datetime DEFAULT UTC_TIMESTAMP(),
	ADD COLUMN d date DEFAULT (CURDATE()), ADD COLUMN l datetime(2) DEFAULT LOCALTIMESTAMP(2);
SET SESSION time_zone = DEFAULT;
ALTER TABLE now_sys ADD COLUMN ts timestamp(6) NULL DEFAULT NOW(6);
ALTER TABLE now_sysdt ADD COLUMN n datetime DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE now_nn MODIFY ts timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP;
SQL
mysql_root $DB -e "$(writes 1000)"
ran_at=$(mysql_root -N -B -e "SELECT UNIX_TIMESTAMP(NOW(6))")
clock_moved() { test "$(mysql_root -N -B -e "SELECT UNIX_TIMESTAMP(NOW(6)) - $ran_at > 1.2")" = 1; }
wait_until 10 "MariaDB's clock to move on by more than a second" clock_moved
started=$(q "SELECT extract(epoch FROM clock_timestamp())")
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
check_eq "NOW() statements replayed late: wait_for_catchup returns true" "t" \
	"$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
compare_rows "ADD COLUMN NOW(), NOW(6), CURRENT_TIMESTAMP(3), UTC_TIMESTAMP(), CURDATE(), LOCALTIMESTAMP(2) in +05:30" \
	$DB.now_tz ${DB}_pg.now_tz id \
	"v, DATE_FORMAT(n0, $F), DATE_FORMAT(n6, $F), DATE_FORMAT(t3, $F), DATE_FORMAT(u, $F), DATE_FORMAT(d, $F), DATE_FORMAT(l, $F)" \
	"v, to_char(n0, $P), to_char(n6, $P), to_char(t3, $P), to_char(u, $P), to_char(d, $P), to_char(l, $P)"
compare_rows "ADD COLUMN timestamp DEFAULT NOW(6) in the server's zone" $DB.now_sys ${DB}_pg.now_sys id \
	"v, DATE_FORMAT(ts, $F)" "v, to_char(ts, $P)"
compare_rows "ADD COLUMN datetime DEFAULT CURRENT_TIMESTAMP in the server's zone (re-copied)" \
	$DB.now_sysdt ${DB}_pg.now_sysdt id "v, DATE_FORMAT(n, $F)" "v, to_char(n, $P)"
compare_rows "MODIFY timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP over NULLs" $DB.now_nn ${DB}_pg.now_nn id \
	"v, DATE_FORMAT(ts, $F)" "v, to_char(ts, $P)"
check_eq "the replay ran more than a second after the statement (a replay-time value would differ)" "t" \
	"$(q "SELECT bool_and(extract(epoch FROM n0 - interval '5 hours 30 minutes') < $started - 1) FROM ${DB}_pg.now_tz")"

# 2. values MySQL computes per row, conversions that differ: the tables are copied again
mysql_root $DB <<SQL
SET SESSION sql_mode = '';
ALTER TABLE ai ADD COLUMN seq int NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY uk_seq (seq);
ALTER TABLE uid ADD COLUMN u char(36) DEFAULT (UUID());
ALTER TABLE exprdef ADD COLUMN w int DEFAULT (v * 3 + 1);
ALTER TABLE gen ADD COLUMN g int AS (v * 2) STORED;
ALTER TABLE conv CONVERT TO CHARACTER SET latin1;
ALTER TABLE narrow MODIFY s varchar(5);
ALTER TABLE tiny MODIFY i tinyint;
ALTER TABLE dbl MODIFY x decimal(5,1);
ALTER TABLE e2v MODIFY e varchar(10);
ALTER TABLE v2e MODIFY s enum('a','b');
ALTER TABLE dt2ts MODIFY dt timestamp NULL;
ALTER TABLE part TRUNCATE PARTITION p0;
ALTER IGNORE TABLE ign ADD UNIQUE KEY uk_code (code);
ALTER TABLE same ADD COLUMN k int DEFAULT 7, ADD COLUMN nn varchar(5) NOT NULL, ADD COLUMN nul int,
	MODIFY v bigint, MODIFY s varchar(40), MODIFY e enum('a','b','c'), MODIFY p decimal(10,3),
	MODIFY c int NOT NULL, CHANGE r r2 int, DROP COLUMN dropme, ADD INDEX ix_v (v), COMMENT 'same',
	CONVERT TO CHARACTER SET utf8mb4;
ALTER TABLE nn_dt MODIFY dt datetime NOT NULL;
SQL
mysql_root $DB -e "$(writes 2000)"
check_eq "after the re-copies, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '180 s')")"
wait_until 120 "no table being re-copied" test "$(q "SELECT count(*) FROM chameleon.tables WHERE source = '$SRC' AND state LIKE 're-copying%'")" = 0
q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')" >/dev/null
compare_rows "ADD COLUMN AUTO_INCREMENT" $DB.ai ${DB}_pg.ai id "v, seq"
compare_rows "ADD COLUMN DEFAULT (UUID())" $DB.uid ${DB}_pg.uid id "v, u"
compare_rows "ADD COLUMN DEFAULT (expression of the row)" $DB.exprdef ${DB}_pg.exprdef id "v, w"
compare_rows "ADD COLUMN ... AS (...) STORED" $DB.gen ${DB}_pg.gen id "v, g"
compare_rows "CONVERT TO CHARACTER SET latin1" $DB.conv ${DB}_pg.conv id "v, CONVERT(s USING utf8mb4)" "v, s"
compare_rows "MODIFY varchar(20) -> varchar(5)" $DB.narrow ${DB}_pg.narrow id "v, coalesce(s, '-')"
compare_rows "MODIFY int -> tinyint" $DB.tiny ${DB}_pg.tiny id "v, i"
compare_rows "MODIFY double -> decimal(5,1)" $DB.dbl ${DB}_pg.dbl id "v, x"
compare_rows "MODIFY enum -> varchar" $DB.e2v ${DB}_pg.e2v id "v, coalesce(e, '-')"
# MariaDB keeps a value outside the labels as '' (index 0), which a PostgreSQL enum cannot hold: the
# copy puts those rows in discarded_rows, as the initial copy does (doc/types.md)
compare_rows "MODIFY varchar -> enum (rows MariaDB made '')" "(SELECT * FROM $DB.v2e WHERE s IS NULL OR s <> '') v" \
	${DB}_pg.v2e id "v, coalesce(s, '-')" "v, coalesce(s::text, '-')"
check_eq "the rows MariaDB made '' are in discarded_rows" "id=3,id=5" \
	"$(q "SELECT string_agg(row_key, ',' ORDER BY row_key) FROM chameleon.discarded_rows WHERE source = '$SRC' AND mysql_table = 'v2e'")"
compare_rows "MODIFY datetime -> timestamp" $DB.dt2ts ${DB}_pg.dt2ts id \
	"v, coalesce(nullif(DATE_FORMAT(dt, $F), '0000-00-00 00:00:00.000000'), '-')" "v, coalesce(to_char(dt, $P), '-')"
compare_rows "TRUNCATE PARTITION" $DB.part ${DB}_pg.part id "v"
compare_rows "ALTER IGNORE TABLE ADD UNIQUE" $DB.ign ${DB}_pg.ign id "v, code"
compare_rows "ADD COLUMN constant defaults, widening MODIFY, NOT NULL over NULLs, CHANGE, DROP, indexes" \
	$DB.same ${DB}_pg.same id "v, coalesce(s, '-'), coalesce(e, '-'), p, c, coalesce(r2, '-'), k, nn, coalesce(nul, '-')" \
	"v, coalesce(s, '-'), coalesce(e::text, '-'), p, c, coalesce(r2::text, '-'), k, nn, coalesce(nul::text, '-')"
compare_rows "MODIFY datetime NOT NULL over NULLs (zero dates)" $DB.nn_dt ${DB}_pg.nn_dt id \
	"v, coalesce(nullif(DATE_FORMAT(dt, $F), '0000-00-00 00:00:00.000000'), '-')" "v, coalesce(to_char(dt, $P), '-')"

# 3. a re-copy as it runs: a session holding the table keeps its copy waiting
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
mysql_root $DB -e "SET SESSION sql_mode = ''; ALTER TABLE narrow MODIFY s varchar(3); $(writes 3000)"
coproc LOCKER { mysql_root -N -B; }
locker_pid=$LOCKER_PID
echo "LOCK TABLES $DB.narrow WRITE; SELECT 'locked';" >&"${LOCKER[1]}"
read -r -t 30 _ <&"${LOCKER[0]}"
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
state_of_narrow() { q "SELECT state FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.narrow'"; }
recopying() { test "$(state_of_narrow)" = "re-copying: MODIFY s varchar(5) -> varchar(3)"; }
wait_until 60 "table narrow shown as re-copying" recopying
check_eq "chameleon.tables shows the table being re-copied, with the statement kind" \
	"re-copying: MODIFY s varchar(5) -> varchar(3)" "$(state_of_narrow)"
check_match "show_status counts the tables being re-copied" '^[1-9][0-9]*$' \
	"$(q "SELECT tables_recopying FROM chameleon.show_status('$SRC')")"
echo "UNLOCK TABLES; SELECT 'unlocked';" >&"${LOCKER[1]}"
read -r -t 30 _ <&"${LOCKER[0]}"
exec {LOCKER[1]}>&-
wait "$locker_pid"
check_eq "after the second re-copy, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '120 s')")"
compare_rows "MODIFY varchar(5) -> varchar(3), copied while the replica waited" $DB.narrow ${DB}_pg.narrow id "v, coalesce(s, '-')"

# 4. what the catalogue says about it
check_eq "chameleon.tables lists the re-copied tables with the statement kind" \
	"ai:1:ADD COLUMN seq AUTO_INCREMENT
conv:1:CONVERT TO CHARACTER SET latin1
dbl:1:MODIFY x double -> decimal(5,1)
dt2ts:1:MODIFY dt datetime -> timestamp
e2v:1:MODIFY e enum('a','b','c') -> varchar(10)
exprdef:1:ADD COLUMN w DEFAULT (v * 3 + 1)
gen:1:ADD COLUMN g AS (...) generated
ign:1:ALTER IGNORE TABLE ADD UNIQUE (MySQL deletes the duplicates)
narrow:2:MODIFY s varchar(5) -> varchar(3)
now_sysdt:1:ADD COLUMN n DEFAULT CURRENT_TIMESTAMP in time zone 'SYSTEM'
part:1:truncate partition
tiny:1:MODIFY i int(11) -> tinyint(4)
uid:1:ADD COLUMN u DEFAULT (UUID())
v2e:1:MODIFY s varchar(10) -> enum('a','b')" \
	"$(q "SELECT string_agg(split_part(mysql_table, '.', 2) || ':' || recopies || ':' || recopy_reason, E'\n' ORDER BY mysql_table)
		FROM chameleon.tables WHERE source = '$SRC' AND recopies > 0")"
check_eq "every table replicates again" "" \
	"$(q "SELECT string_agg(mysql_table || ' ' || state, ', ') FROM chameleon.tables WHERE source = '$SRC' AND state <> 'replicating'")"
check_eq "no replay error" "" "$(q "SELECT string_agg(error, '; ') FROM chameleon.show_errors('$SRC')")"

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
e2e_finish
