# Schema changes replicated in stream order: while rows keep arriving, MariaDB runs CREATE,
# ALTER (adding, changing, renaming and dropping columns and keys), RENAME (a gh-ost style swap),
# TRUNCATE, DROP, CREATE INDEX and enum changes; after wait_for_catchup every table has the same
# columns and the same rows on both sides.
# checks: 15
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=dd_src
DB=dd_shop
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
q "SELECT chameleon.stop_replica('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null 2>&1
q "SELECT chameleon.drop_source('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null
q "DROP SCHEMA IF EXISTS ${DB}_pg CASCADE" >/dev/null
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.items (id int PRIMARY KEY, name varchar(40), status enum('new','old'), price decimal(8,2));
INSERT INTO $DB.items VALUES (1, 'one', 'new', 1.50), (2, 'two', 'old', 2.50);
SQL
q "SELECT chameleon.add_source('$SRC', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$DB: ${DB}_pg}
my_server_id: 611
\$\$)" >/dev/null
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
q "SELECT chameleon.start_replica('$SRC')" >/dev/null

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
check_eq "wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "no replay error" "" "$(q "SELECT string_agg(error || ' [' || coalesce(sql, '') || ']', '; ') FROM chameleon.show_errors('$SRC')")"

columns_pg() { q "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = '${DB}_pg' AND table_name = '$1'"; }
columns_my() { mysql_root -N -B -e "SELECT group_concat(column_name ORDER BY column_name) FROM information_schema.columns WHERE table_schema = '$DB' AND table_name = '$1'"; }
check_eq "the tables are the same on both sides" \
	"$(mysql_root -N -B -e "SELECT group_concat(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '$DB'")" \
	"$(q "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${DB}_pg'")"
for table in items logs sorts; do
	check_eq "table $table has the same columns" "$(columns_my $table)" "$(columns_pg $table)"
done
check_eq "items has the same rows" \
	"$(mysql_root -N -B -e "SELECT group_concat(concat_ws('|', id, name, coalesce(remark, ''), status, unit_price, color) ORDER BY id SEPARATOR ';') FROM $DB.items")" \
	"$(q "SELECT string_agg(concat_ws('|', id, name, coalesce(remark, ''), status, unit_price, color), ';' ORDER BY id) FROM ${DB}_pg.items")"
check_eq "logs has the same rows" \
	"$(mysql_root -N -B -e "SELECT group_concat(concat_ws('|', id, message, date_format(at, '%Y-%m-%d %H:%i:%s.%f')) ORDER BY id SEPARATOR ';') FROM $DB.logs")" \
	"$(q "SELECT string_agg(concat_ws('|', id, message, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US')), ';' ORDER BY id) FROM ${DB}_pg.logs")"
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
