# Schema changes replicated in stream order: while rows keep arriving, MariaDB runs CREATE,
# ALTER (adding, changing, renaming and dropping columns and keys), RENAME (a gh-ost style swap),
# TRUNCATE, DROP, CREATE INDEX and enum changes; after wait_for_catchup every table has the same
# columns and the same rows on both sides.
# checks: 16
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

SRC=dd_src
DB=dd_shop
reset_source "$SRC" "${DB}_pg"
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.items (id int PRIMARY KEY, name varchar(40), status enum('new','old'), price decimal(8,2));
INSERT INTO $DB.items VALUES (1, 'one', 'new', 1.50), (2, 'two', 'old', 2.50);
SQL
add_mysql_source "$SRC" "$DB: ${DB}_pg" 611
init_and_start "$SRC"

# A concurrent writer: rows keep arriving in items (whatever its columns are at the moment) and in
# logs while the schema changes run. A statement that meets a change in progress may fail in
# MariaDB; the comparison is with what MariaDB holds.
writer() {
	local i=0
	while [ ! -e "$SANDBOX/ddl_writer_stop" ]; do
		i=$((i + 1))
		mysql_root $DB -e "INSERT INTO items (id, name, status) VALUES ($((1000 + i)), 'w$i', 'new');
			INSERT INTO logs (message) VALUES ('writer $i')" 2>/dev/null
	done
	echo "$i"
}
rm -f "$SANDBOX/ddl_writer_stop" "$SANDBOX/ddl_writer_count"
writer >"$SANDBOX/ddl_writer_count" &
writer_pid=$!

mysql_root $DB <<SQL
INSERT INTO items VALUES (3, 'three', 'new', 3.50);
ALTER TABLE items ADD COLUMN note varchar(100) DEFAULT NULL AFTER name, ADD COLUMN qty int NOT NULL DEFAULT 0;
INSERT INTO items VALUES (4, 'four', 'a note', 'old', 4.50, 7);
ALTER TABLE items MODIFY status enum('new','old','archived') NOT NULL DEFAULT 'new';
UPDATE items SET status = 'archived' WHERE id = 1;
ALTER TABLE items CHANGE price unit_price decimal(10,3), RENAME COLUMN note TO remark;
UPDATE items SET unit_price = 9.125 WHERE id = 2;
ALTER TABLE items ADD UNIQUE KEY uk_name (name), ADD INDEX ix_qty (qty);
CREATE INDEX ix_status ON items (status);
ALTER TABLE items DROP COLUMN qty;
CREATE TABLE logs (id bigint AUTO_INCREMENT PRIMARY KEY, message text, at datetime(6) DEFAULT CURRENT_TIMESTAMP(6));
INSERT INTO logs (message, at) VALUES ('created', '2024-01-01 00:00:00.5'), ('second', '2024-01-02 00:00:00');
CREATE TABLE scratch (id int PRIMARY KEY, v int);
INSERT INTO scratch VALUES (1, 1);
TRUNCATE TABLE scratch;
INSERT INTO scratch VALUES (2, 2);
DROP TABLE scratch;
CREATE TABLE _items_gho LIKE items;
ALTER TABLE _items_gho ADD COLUMN color varchar(10) DEFAULT 'red';
INSERT INTO _items_gho (id, name, remark, status, unit_price) SELECT id, name, remark, status, unit_price FROM items;
RENAME TABLE items TO _items_del, _items_gho TO items;
DROP TABLE _items_del;
INSERT INTO items (id, name, status, unit_price, color) VALUES (5, 'five', 'new', 5.5, 'blue');
DELETE FROM logs WHERE id = 1;
CREATE TABLE kinds (id int NOT NULL, code varchar(10) NOT NULL, level enum('low','mid','high') DEFAULT 'low',
  note varchar(20) DEFAULT 'n', PRIMARY KEY (id), UNIQUE KEY uk_code (code), KEY ix_note (note)) ENGINE=InnoDB;
INSERT INTO kinds VALUES (1, 'a', 'mid', 'x'), (2, 'b', 'high', 'y');
ALTER TABLE kinds ALTER COLUMN note SET DEFAULT 'm', ALTER COLUMN level DROP DEFAULT;
INSERT INTO kinds (id, code, level) VALUES (3, 'c', 'low');
ALTER TABLE kinds RENAME INDEX ix_note TO ix_note2;
ALTER TABLE kinds DROP INDEX ix_note2;
ALTER TABLE kinds MODIFY level enum('high','mid','low','top');
UPDATE kinds SET level = 'top' WHERE id = 1;
ALTER TABLE kinds DROP PRIMARY KEY;
UPDATE kinds SET note = 'by unique key' WHERE code = 'b';
ALTER TABLE kinds ADD PRIMARY KEY (id);
ALTER TABLE kinds ENGINE=InnoDB, CONVERT TO CHARACTER SET utf8mb4;
ALTER TABLE kinds RENAME TO sorts;
INSERT INTO sorts (id, code, level, note) VALUES (4, 'd', 'mid', 'renamed');
SQL
touch "$SANDBOX/ddl_writer_stop"
wait "$writer_pid"
writes=$(cat "$SANDBOX/ddl_writer_count")
check_match "the writer wrote during the schema changes ($writes rounds), rows in items and logs" '^[1-9][0-9]*$' \
	"$(mysql_root -N -B -e "SELECT IF((SELECT count(*) FROM $DB.items WHERE id > 1000) > 0 AND (SELECT count(*) FROM $DB.logs WHERE message LIKE 'writer %') > 0, $writes, 0)")"
check_eq "wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "no replay error" "" "$(q "SELECT string_agg(error || ' [' || coalesce(sql, '') || ']', '; ') FROM chameleon.show_errors('$SRC')")"

# name:type of every column, MySQL's type written as doc/types.md maps it (every enum as "enum")
columns_pg() {
	q "SELECT string_agg(a.attname || ':' || CASE WHEN t.typtype = 'e' THEN 'enum' ELSE format_type(a.atttypid, a.atttypmod) END,
		',' ORDER BY a.attname) FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = '${DB}_pg.$1'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
}
columns_my() {
	mysql_root -N -B -e "SELECT group_concat(concat(column_name, ':', CASE data_type
		WHEN 'int' THEN 'integer' WHEN 'bigint' THEN 'bigint' WHEN 'text' THEN 'text' WHEN 'enum' THEN 'enum'
		WHEN 'varchar' THEN concat('character varying(', character_maximum_length, ')')
		WHEN 'decimal' THEN concat('numeric(', numeric_precision, ',', numeric_scale, ')')
		WHEN 'datetime' THEN concat('timestamp(', datetime_precision, ') without time zone')
		ELSE concat('unexpected ', column_type) END) ORDER BY column_name)
		FROM information_schema.columns WHERE table_schema = '$DB' AND table_name = '$1'"
}
check_eq "the tables are the same on both sides" \
	"$(mysql_root -N -B -e "SELECT group_concat(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '$DB'")" \
	"$(q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${DB}_pg'")"
for table in items logs sorts; do
	check_eq "table $table has the same columns with the mapped types" "$(columns_my $table)" "$(columns_pg $table)"
done
compare_rows "items has the same rows" $DB.items ${DB}_pg.items id "id, name, coalesce(remark, ''), status, unit_price, color"
compare_rows "logs has the same rows" $DB.logs ${DB}_pg.logs id "id, message, date_format(at, '%Y-%m-%d %H:%i:%s.%f')" \
	"id, message, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US')"
check_eq "sorts has the same rows (default changes, key dropped and added, enum reordered, renamed)" \
	"$(mysql_root -N -B -e "SELECT group_concat(concat_ws('|', id, code, coalesce(level, '-'), coalesce(note, '-')) ORDER BY id SEPARATOR ';') FROM $DB.sorts")" \
	"$(q "SELECT string_agg(concat_ws('|', id, code, coalesce(level::text, '-'), coalesce(note, '-')), ';' ORDER BY id) FROM ${DB}_pg.sorts")"
check_eq "the reordered enum keeps MySQL's order" "high,mid,low,top" \
	"$(q "SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_attribute a JOIN pg_enum e ON e.enumtypid = a.atttypid WHERE a.attrelid = '${DB}_pg.sorts'::regclass AND a.attname = 'level'")"
check_eq "the renamed table replicates by its new primary key" "{id}" \
	"$(q "SELECT key_columns FROM chameleon.tables WHERE source = '$SRC' AND mysql_table = '$DB.sorts'")"
check_eq "the dropped index is gone, the unique key stays" "sorts_pkey,sorts_uk_code_" \
	"$(q "SELECT string_agg(left(indexname, 14), ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '${DB}_pg' AND tablename = 'sorts'")"
check_eq "the enum type has the new label" "new,old,archived" \
	"$(q "SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_attribute a JOIN pg_enum e ON e.enumtypid = a.atttypid WHERE a.attrelid = '${DB}_pg.items'::regclass AND a.attname = 'status'")"
check_eq "the indexes were created" "2" \
	"$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = '${DB}_pg' AND tablename = 'items' AND (indexdef LIKE '%(name)%' OR indexdef LIKE '%(status)%')")"
check_eq "the dropped tables are gone from the catalogue" "items,logs,sorts" \
	"$(q "SELECT string_agg(mysql_table, ',' ORDER BY mysql_table) FROM chameleon.tables WHERE source = '$SRC'" | sed "s/$DB\.//g")"

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA ${DB}_pg CASCADE" >/dev/null
mysql_root -e "DROP DATABASE $DB"
e2e_finish
