# sync_tables and refresh_schema while replication runs and rows keep changing: the re-copied
# tables end equal to MySQL (no lost or doubled row), the others keep replicating, and a table
# disabled by a replay error comes back with sync_tables('{disabled}').
# checks: 16
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=sy_src
DB=sy_shop
reset_source "$SRC" "${DB}_pg"
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.a (id int PRIMARY KEY, v int, s varchar(20));
CREATE TABLE $DB.b (id int PRIMARY KEY, v int);
INSERT INTO $DB.a SELECT seq, seq, concat('a', seq) FROM $DB.seq_1_to_20000;
INSERT INTO $DB.b SELECT seq, seq FROM $DB.seq_1_to_1000;
SQL
add_mysql_source "$SRC" "$DB: ${DB}_pg" 621
init_and_start "$SRC"

# writes that keep going while the copies run (bounded: 150 statements); writer OFFSET
writer() {
	for i in $(seq 1 150); do
		mysql_root $DB -e "INSERT INTO a VALUES ($(($1 + i)), $i, 'w$i'); UPDATE a SET v = v + 1 WHERE id = $((i * 97));
			DELETE FROM a WHERE id = $((i * 89 + 1)); UPDATE b SET v = v + 1 WHERE id = $((i % 1000 + 1))"
	done
}
# every row as text, hashed on both sides
same() { # same TABLE LABEL
	local my pg
	my=$(mysql_root -N -B -e "SELECT count(*), md5(group_concat(concat_ws('|', id, v) ORDER BY id SEPARATOR ',')) FROM $DB.$1")
	pg=$(q "SELECT count(*) || E'\t' || md5(string_agg(concat_ws('|', id, v), ',' ORDER BY id)) FROM ${DB}_pg.$1")
	check_eq "$2: table $1 is equal on both sides" "$my" "$pg"
}
mysql_root -e "SET GLOBAL group_concat_max_len = 1073741824"

writer 20000 &
writer_pid=$!
q "SELECT chameleon.sync_tables('$SRC', '{$DB.a}', wait => true)" >/dev/null
check_match "sync_tables returns with the table enabled again" "^(replicating|catching up)$" \
	"$(q "SELECT state FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.a'")"
wait $writer_pid
check_eq "after sync_tables under writes, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
same a "sync_tables under writes"
same b "sync_tables under writes (the other table kept replicating)"

# a table disabled by a replay error comes back with sync_tables('{disabled}')
q "DELETE FROM ${DB}_pg.b WHERE id = 5" >/dev/null
mysql_root $DB -e "UPDATE b SET v = -1 WHERE id = 5"
check_eq "the failing update is replayed (as an error)" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "the table is disabled" "disabled" "$(q "SELECT state FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.b'")"
mysql_root $DB -e "UPDATE b SET v = v + 10 WHERE id <= 10"
q "SELECT chameleon.sync_tables('$SRC', '{disabled}', wait => true)" >/dev/null
check_match "sync_tables('{disabled}') brings it back" "^(replicating|catching up)$" \
	"$(q "SELECT state FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.b'")"
mysql_root $DB -e "UPDATE b SET v = v + 100 WHERE id <= 3"
check_eq "after the re-copy, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
same b "after sync_tables('{disabled}')"

# refresh_schema re-copies every table of the schema, new ones included, while writes go on
mysql_root $DB -e "CREATE TABLE c (id int PRIMARY KEY, v int); INSERT INTO c VALUES (1, 1), (2, 2)"
writer 30000 &
writer_pid=$!
q "SELECT chameleon.refresh_schema('$SRC', '$DB', wait => true)" >/dev/null
wait $writer_pid
check_eq "after refresh_schema under writes, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
same a "refresh_schema under writes"
same b "refresh_schema under writes"
same c "refresh_schema under writes"
check_eq "nothing is disabled" "0" "$(q "SELECT tables_disabled FROM chameleon.show_status('$SRC')")"

check_fails "sync_tables refuses a name without schema" 'invalid table name "a"' \
	q "SELECT chameleon.sync_tables('$SRC', '{a}')"
check_fails "refresh_schema refuses a schema that is not mapped" 'is not mapped by source' \
	q "SELECT chameleon.refresh_schema('$SRC', 'nope')"

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA ${DB}_pg CASCADE" >/dev/null
mysql_root -e "DROP DATABASE $DB"
e2e_finish
