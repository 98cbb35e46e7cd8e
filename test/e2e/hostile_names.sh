# Hostile names through init_replica, live DML, live DDL, sync_tables and refresh_schema, each
# followed by a row-by-row comparison: quotes, backticks, ';', '$$', unicode, reserved words, mixed
# case, a '.' in a table name, names longer than 63 bytes (cut, with the hash suffix of
# doc/security.md "Names"), two long names equal in their first 63 bytes, system column names;
# then names that collide under the rule, refused before any copy with both MySQL names. And one
# text conversion for both paths: a latin1 'café' arrives as UTF-8, and text MariaDB accepts in
# non-strict mode but that is not UTF-8 (a surrogate) is a discarded row, by the copy and by the
# replay alike, the table going on.
# checks: 52
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

SRC=hn
DB=hn_db
PG=hn_pg
a54=$(printf 'a%.0s' $(seq 54))
# MySQL names (backtick-quoted) and the PostgreSQL names the rule gives them (double-quoted). The
# hash suffixes are FNV-1a (32 bits) of the whole MySQL name.
T1_MY='`we"ird;``tick$$ Name`'
T1_PG='"we""ird;`tick$$ Name"'
T1_COLS_MY='id, `select`, `Mixed"Col;$$`, `xmin`, `é`, `'$(printf 'c%.0s' $(seq 64))'`'
T1_COLS_PG='id, "select", "Mixed""Col;$$", "xmin_b90b4d21", "é", "'$(printf 'c%.0s' $(seq 54))'_39f4a785"'
T2_MY=$(printf 'a%.0s' $(seq 64))
T2_PG="${a54}_d96f0f85"
T3_MY="$(printf 'a%.0s' $(seq 63))b" # equal to T2 in its first 63 bytes
T3_PG="${a54}_d66f0acc"
T4_MY=$(printf 'é%.0s' $(seq 33)) # 33 characters, 66 bytes
T4_PG="$(printf 'é%.0s' $(seq 27))_3c09af41"
T5='t.1'
T6='Order'

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
cleanup() {
	for s in $SRC hn_col; do
		q "SELECT chameleon.stop_replica('$s') FROM chameleon.sources WHERE source = '$s' AND status = 'running'" >/dev/null 2>&1
		q "SELECT chameleon.drop_source('$s') FROM chameleon.sources WHERE source = '$s'" >/dev/null
	done
	q "DROP SCHEMA IF EXISTS $PG CASCADE; DROP SCHEMA IF EXISTS hn_colpg CASCADE" >/dev/null
	mysql_root -e "DROP DATABASE IF EXISTS $DB; DROP DATABASE IF EXISTS hn_col"
}
cleanup
signals_before=$(grep -c "terminated by signal" "$PG_LOG")
mysql_root --default-character-set=utf8mb4 <<SQL
CREATE DATABASE $DB CHARACTER SET utf8mb4;
USE $DB;
CREATE TABLE $T1_MY (id int PRIMARY KEY, \`select\` varchar(40), \`Mixed"Col;\$\$\` text, \`xmin\` int,
	\`é\` varchar(10), \`$(printf 'c%.0s' $(seq 64))\` int);
CREATE TABLE \`$T2_MY\` (id int PRIMARY KEY, v varchar(40));
CREATE TABLE \`$T3_MY\` (id int PRIMARY KEY, v varchar(40));
CREATE TABLE \`$T4_MY\` (id int PRIMARY KEY, \`ctid\` varchar(40));
CREATE TABLE \`$T5\` (id int PRIMARY KEY, v int);
CREATE TABLE \`$T6\` (\`Group\` int PRIMARY KEY, \`user\` varchar(20), \`from\` date);
INSERT INTO $T1_MY VALUES (1, 'it''s "q" \\\\ ;', 'a\$\$b', 7, 'é', 1), (2, NULL, ');DROP TABLE x;--', 8, 'ü', 2);
INSERT INTO \`$T2_MY\` VALUES (1, 'two'), (2, 'deux');
INSERT INTO \`$T3_MY\` VALUES (1, 'three'), (3, 'trois');
INSERT INTO \`$T4_MY\` VALUES (1, 'four'), (4, 'vier');
INSERT INTO \`$T5\` VALUES (1, 1), (5, 5);
INSERT INTO \`$T6\` VALUES (1, 'root', '2024-01-01'), (6, 'Admin', NULL);
CREATE TABLE enc (id int PRIMARY KEY, l varchar(20) CHARACTER SET latin1, u varchar(20) CHARACTER SET utf8mb4,
  c varchar(20) CHARACTER SET cp1251, g varchar(20) CHARACTER SET gbk);
SET SESSION sql_mode = '';
INSERT INTO enc VALUES (1, 'café', 'ü', 'Жив', '中文'), (2, 'x', X'61EDA08062', 'x', 'x');
SQL
# the rows of enc whose text is valid, on both sides
ENC_VALID="(SELECT id, l, u, c, g FROM $DB.enc WHERE id IN (1, 3)) e"

# compare_all LABEL: every table, row by row
compare_all() {
	compare_rows "$1" "$DB.$T1_MY" "$PG.$T1_PG" id "$T1_COLS_MY" "$T1_COLS_PG"
	compare_rows "$1" "$DB.\`$T2_MY\`" "$PG.\"$T2_PG\"" id "id, v"
	compare_rows "$1" "$DB.\`$T3_MY\`" "$PG.\"$T3_PG\"" id "id, v"
	compare_rows "$1" "$DB.\`$T4_MY\`" "$PG.\"$T4_PG\"" id "id, \`ctid\`" 'id, "ctid_0059f0df"'
	compare_rows "$1" "$DB.\`$T5\`" "$PG.\"$T5\"" id "id, v"
	compare_rows "$1" "$DB.\`$T6\`" "$PG.\"$T6\"" '`Group`' '`Group`, `user`, `from`' '"Group", "user", "from"' '"Group"'
}

q "SELECT chameleon.add_source('$SRC', \$cfg\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$DB: $PG}
my_server_id: 633
\$cfg\$)" >/dev/null
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
check_eq "init_replica: the source is initialised" "initialised" "$(q "SELECT status FROM chameleon.sources WHERE source = '$SRC'")"
check_eq "init_replica: no row of the hostile names is discarded" "0" "$(q "SELECT count(*) FROM chameleon.discarded_rows WHERE source = '$SRC' AND mysql_table <> 'enc'")"
check_eq "init_replica: the tables have the PostgreSQL names of the rule" \
	"$(printf '%s\n' "$T2_PG" "$T3_PG" "Order" "enc" "t.1" "we\"ird;\`tick\$\$ Name" "$T4_PG" | LC_ALL=C sort)" \
	"$(q "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = '$PG' AND relkind = 'r' ORDER BY relname COLLATE \"C\"")"
check_eq "init_replica: chameleon.tables shows the PostgreSQL name of a long MySQL name" "$PG.$T2_PG" \
	"$(q "SELECT pg_table FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.$T2_MY'")"
check_eq "init_replica: the layout records the PostgreSQL name beside the MySQL name" "xmin_b90b4d21" \
	"$(q "SELECT c ->> 'pg_name' FROM sch_chameleon.t_replica_tables, jsonb_array_elements(jsb_layout -> 'columns') c WHERE v_schema_origin = '$DB' AND c -> 'mysql' ->> 'name' = 'xmin'")"
compare_all "init_replica"
compare_rows "init_replica" "$ENC_VALID" "(SELECT id, l, u, c, g FROM $PG.enc WHERE id IN (1, 3)) e" id "id, l, u, c, g"
check_eq "init_replica: the row with text that is not UTF-8 is discarded with the reason" \
	'id=2|column "u": not valid utf8mb4 text: byte 0xed at offset 1|u=a\xed\xa0\x80b' \
	"$(q "SELECT string_agg(row_key || '|' || reason || '|' || split_part(row_data, ', ', 3), ';') FROM chameleon.discarded_rows WHERE source = '$SRC' AND mysql_table = 'enc' AND batch IS NULL")"

q "SELECT chameleon.start_replica('$SRC')" >/dev/null
mysql_root --default-character-set=utf8mb4 $DB <<SQL
INSERT INTO $T1_MY VALUES (3, '\$\$;''"', 'x', 9, 'ß', 3);
UPDATE $T1_MY SET \`xmin\` = \`xmin\` + 100, \`Mixed"Col;\$\$\` = 'upd"' WHERE id = 1;
DELETE FROM $T1_MY WHERE id = 2;
INSERT INTO \`$T2_MY\` VALUES (3, 'trois');
UPDATE \`$T3_MY\` SET v = 'drei' WHERE id = 3;
DELETE FROM \`$T4_MY\` WHERE id = 1;
UPDATE \`$T4_MY\` SET \`ctid\` = 'vier!' WHERE id = 4;
INSERT INTO \`$T5\` VALUES (7, 7);
UPDATE \`$T6\` SET \`user\` = 'nobody', \`Group\` = 60 WHERE \`Group\` = 6;
SET SESSION sql_mode = '';
INSERT INTO enc VALUES (3, 'déjà €', 'ß', 'мир', '汉字'), (4, 'y', X'61EDA08062', 'y', 'y');
SQL
check_eq "live DML: wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
compare_all "live DML"
compare_rows "live DML" "$ENC_VALID" "(SELECT id, l, u, c, g FROM $PG.enc WHERE id IN (1, 3)) e" id "id, l, u, c, g"
check_eq "live DML: latin1 text is stored as UTF-8, by the copy and by the replay" "café|déjà €" \
	"$(q "SELECT string_agg(convert_from(convert_to(l, 'UTF8'), 'UTF8'), '|' ORDER BY id) FROM $PG.enc")"
check_eq "live DML: cp1251 and gbk text is stored as UTF-8, by the copy and by the replay" "Жив 中文|мир 汉字" \
	"$(q "SELECT string_agg(c || ' ' || g, '|' ORDER BY id) FROM $PG.enc WHERE id IN (1, 3)")"
check_eq "live DML: the replayed row with text that is not UTF-8 is discarded as the copy discards it" \
	'id=4|column "u": not valid utf8mb4 text: byte 0xed at offset 1|u=a\xed\xa0\x80b' \
	"$(q "SELECT string_agg(row_key || '|' || reason || '|' || split_part(row_data, ', ', 3), ';') FROM chameleon.discarded_rows WHERE source = '$SRC' AND mysql_table = 'enc' AND batch IS NOT NULL")"
check_eq "live DML: the table is not disabled" "replicating" "$(q "SELECT state FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.enc'")"
# A row is in PostgreSQL exactly when its MySQL text is valid: an update to text that is not valid
# removes row 3 (and records it), an update of the discarded row 4 to valid text inserts it.
mysql_root $DB -e "SET SESSION sql_mode = ''; UPDATE enc SET u = X'62EDA08063' WHERE id = 3; UPDATE enc SET u = 'fixed' WHERE id = 4"
check_eq "live DML: updates to and from text that is not valid catch up" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "live DML: the rows in PostgreSQL are those whose text is valid" "1 café ü|4 y fixed" \
	"$(q "SELECT string_agg(id || ' ' || l || ' ' || u, '|' ORDER BY id) FROM $PG.enc")"
check_eq "live DML: the update to text that is not valid is recorded" "id=3" \
	"$(q "SELECT string_agg(row_key, ';') FROM chameleon.discarded_rows WHERE source = '$SRC' AND mysql_table = 'enc' AND batch IS NOT NULL AND row_key = 'id=3'")"

# live DDL: hostile added columns, renames to system column names and to long names, a new long table
N_MY=$(printf 'n%.0s' $(seq 64))
N_PG="$(printf 'n%.0s' $(seq 54))_0c065ec5"
D_MY=$(printf 'd%.0s' $(seq 64))
mysql_root --default-character-set=utf8mb4 $DB <<SQL
ALTER TABLE $T1_MY ADD COLUMN \`new"col;\$\$\` varchar(20), ADD COLUMN \`cmin\` int;
ALTER TABLE \`$T4_MY\` RENAME COLUMN \`ctid\` TO \`tableoid\`;
RENAME TABLE \`$T2_MY\` TO \`$D_MY\`;
CREATE TABLE \`$N_MY\` (id int PRIMARY KEY, \`xmin\` int, \`Select\` text);
INSERT INTO $T1_MY VALUES (4, 'four', 'y', 10, 'ø', 4, 'n"c', 44);
UPDATE $T1_MY SET \`cmin\` = 11, \`new"col;\$\$\` = ';' WHERE id = 1;
INSERT INTO \`$T4_MY\` VALUES (5, 'fünf');
UPDATE \`$D_MY\` SET v = 'renamed' WHERE id = 1;
INSERT INTO \`$N_MY\` VALUES (1, 1, 'one'), (2, 2, '"two"');
UPDATE \`$N_MY\` SET \`xmin\` = 20 WHERE id = 2;
SQL
check_eq "live DDL: wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "live DDL: nothing is disabled" "0" "$(q "SELECT tables_disabled FROM chameleon.show_status('$SRC')")"
T1_COLS_MY="$T1_COLS_MY"', `new"col;$$`, `cmin`'
T1_COLS_PG="$T1_COLS_PG"', "new""col;$$", "cmin_ab548a46"'
compare_rows "live DDL" "$DB.$T1_MY" "$PG.$T1_PG" id "$T1_COLS_MY" "$T1_COLS_PG"
compare_rows "live DDL" "$DB.\`$T4_MY\`" "$PG.\"$T4_PG\"" id "id, \`tableoid\`" 'id, "tableoid_17e150cd"'
compare_rows "live DDL" "$DB.\`$D_MY\`" "$PG.\"$(printf 'd%.0s' $(seq 54))_dc08fbc5\"" id "id, v"
compare_rows "live DDL" "$DB.\`$N_MY\`" "$PG.\"$N_PG\"" id '`id`, `xmin`, `Select`' 'id, "xmin_b90b4d21", "Select"'

# sync_tables: a name with '"' as the catalogue knows it, and a name with '.' in the quoted form
q "SELECT chameleon.sync_tables('$SRC', ARRAY['$DB.we\"ird;\`tick\$\$ Name', '$DB.\"t.1\"'], wait => true)" >/dev/null
check_eq "sync_tables: both tables are replicating again" "2" \
	"$(q "SELECT count(*) FROM chameleon.tables WHERE source = '$SRC' AND state IN ('replicating', 'catching up') AND mysql_table IN ('$DB.we\"ird;\`tick\$\$ Name', '$DB.t.1')")"
mysql_root $DB -e "INSERT INTO \`$T5\` VALUES (8, 8); UPDATE $T1_MY SET \`cmin\` = 12 WHERE id = 3"
check_eq "sync_tables: wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
compare_rows "sync_tables" "$DB.$T1_MY" "$PG.$T1_PG" id "$T1_COLS_MY" "$T1_COLS_PG"
compare_rows "sync_tables" "$DB.\`$T5\`" "$PG.\"$T5\"" id "id, v"
check_fails "sync_tables: an unknown name with a '.' is refused with the quoted form in the hint" \
	'invalid table name "hn_db.no.such".*"my.schema"."t.1"' q "SELECT chameleon.sync_tables('$SRC', ARRAY['$DB.no.such'])"

# refresh_schema: every table again
q "SELECT chameleon.refresh_schema('$SRC', '$DB', wait => true)" >/dev/null
mysql_root $DB -e "INSERT INTO \`$N_MY\` VALUES (3, 3, 'three'); DELETE FROM \`$T3_MY\` WHERE id = 1"
check_eq "refresh_schema: wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "refresh_schema: nothing is disabled" "0" "$(q "SELECT tables_disabled FROM chameleon.show_status('$SRC')")"
compare_rows "refresh_schema" "$DB.$T1_MY" "$PG.$T1_PG" id "$T1_COLS_MY" "$T1_COLS_PG"
compare_rows "refresh_schema" "$DB.\`$T3_MY\`" "$PG.\"$T3_PG\"" id "id, v"
compare_rows "refresh_schema" "$DB.\`$T4_MY\`" "$PG.\"$T4_PG\"" id "id, \`tableoid\`" 'id, "tableoid_17e150cd"'
compare_rows "refresh_schema" "$DB.\`$D_MY\`" "$PG.\"$(printf 'd%.0s' $(seq 54))_dc08fbc5\"" id "id, v"
compare_rows "refresh_schema" "$DB.\`$N_MY\`" "$PG.\"$N_PG\"" id '`id`, `xmin`, `Select`' 'id, "xmin_b90b4d21", "Select"'
compare_rows "refresh_schema" "$DB.\`$T6\`" "$PG.\"$T6\"" '`Group`' '`Group`, `user`, `from`' '"Group", "user", "from"' '"Group"'
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null

# names that collide under the rule: refused before any copy, naming both MySQL objects
mysql_root <<SQL
CREATE DATABASE hn_col;
CREATE TABLE hn_col.\`$T2_MY\` (id int PRIMARY KEY);
CREATE TABLE hn_col.\`${a54}_d96f0f85\` (id int PRIMARY KEY);
INSERT INTO hn_col.\`$T2_MY\` VALUES (1);
SQL
q "SELECT chameleon.add_source('hn_col', \$cfg\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {hn_col: hn_colpg}
my_server_id: 634
\$cfg\$)" >/dev/null
check_fails "two tables with one PostgreSQL name: the error names both MySQL tables" \
	"MySQL tables \"hn_col.${a54}_d96f0f85\" and \"hn_col.$T2_MY\" would both be table \"hn_colpg.${a54}_d96f0f85\"" \
	q "SELECT chameleon.init_replica('hn_col', wait => true)"
check_eq "the colliding source is in error and nothing was created" "error|0|0" \
	"$(q "SELECT (SELECT status FROM chameleon.sources WHERE source = 'hn_col') || '|' ||
		(SELECT count(*) FROM pg_namespace WHERE nspname IN ('hn_colpg') OR nspname LIKE '\\_chameleon\\_load\\_%') || '|' ||
		(SELECT count(*) FROM chameleon.init_progress WHERE source = 'hn_col')")"
mysql_root -e "DROP TABLE hn_col.\`$T2_MY\`, hn_col.\`${a54}_d96f0f85\`; CREATE TABLE hn_col.c (id int PRIMARY KEY, \`xmin\` int, \`xmin_b90b4d21\` int)"
q "SELECT chameleon.enable_replica('hn_col')" >/dev/null
check_fails "two columns with one PostgreSQL name: the error names both MySQL columns and the table" \
	'columns "xmin" and "xmin_b90b4d21" of MySQL table "hn_col.c" have the same PostgreSQL name "xmin_b90b4d21"' \
	q "SELECT chameleon.init_replica('hn_col', wait => true)"

# copy_schema creates MySQL's foreign keys between tables and columns that the rule renamed
P_MY=$(printf 'p%.0s' $(seq 64))
mysql_root -e "DROP TABLE hn_col.c; CREATE TABLE hn_col.\`$P_MY\` (id int PRIMARY KEY);
	CREATE TABLE hn_col.child (id int PRIMARY KEY, \`xmin\` int, FOREIGN KEY (\`xmin\`) REFERENCES hn_col.\`$P_MY\` (id))"
q "SELECT chameleon.enable_replica('hn_col')" >/dev/null
q "SELECT chameleon.copy_schema('hn_col')" >/dev/null
check_eq "copy_schema: the foreign key between renamed names is created" \
	"hn_colpg.child|hn_colpg.$(printf 'p%.0s' $(seq 54))_5fe86ac5|FOREIGN KEY (xmin_b90b4d21) REFERENCES hn_colpg.$(printf 'p%.0s' $(seq 54))_5fe86ac5(id) ON UPDATE RESTRICT ON DELETE RESTRICT" \
	"$(q "SELECT conrelid::regclass || '|' || confrelid::regclass || '|' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'hn_colpg'::regnamespace")"

check_eq "the server log has no new \"terminated by signal\" line" "$signals_before" "$(grep -c "terminated by signal" "$PG_LOG")"
cleanup
e2e_finish
