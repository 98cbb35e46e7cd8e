# copy_schema creates the PostgreSQL schema (tables, indexes, enum types, foreign keys) without
# data; keep_existing_schema then reloads those tables in place, keeping what the user added
# (columns with defaults, indexes, views, grants), and replication continues into them.
# checks: 24
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=ks_src
DB=ks_shop
PG=${DB}_pg
reset_source "$SRC" "$PG"
q "DROP ROLE IF EXISTS ks_reader" >/dev/null
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.customers (id int AUTO_INCREMENT PRIMARY KEY, name varchar(40) NOT NULL, kind enum('retail', 'trade'));
CREATE TABLE $DB.orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, amount decimal(10,2),
	note varchar(50), KEY k_customer (customer_id),
	CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES $DB.customers (id) ON DELETE CASCADE);
CREATE TABLE $DB.extra (id int PRIMARY KEY, v int);
INSERT INTO $DB.customers (name, kind) SELECT concat('c', seq), IF(seq % 2, 'retail', 'trade') FROM $DB.seq_1_to_500;
INSERT INTO $DB.orders (customer_id, amount, note) SELECT seq % 500 + 1, seq / 7, concat('n', seq) FROM $DB.seq_1_to_3000;
INSERT INTO $DB.extra SELECT seq, seq * 2 FROM $DB.seq_1_to_100;
SQL
config() { # config KEEP
	echo "db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
schema_mappings: {$DB: $PG}
my_server_id: 641
keep_existing_schema: $1"
}
q "SELECT chameleon.add_source('$SRC', \$\$$(config false)\$\$)" >/dev/null

# copy_schema: the schema without data
q "SELECT chameleon.copy_schema('$SRC')" >/dev/null
check_eq "copy_schema creates every table, empty" "customers:0 extra:0 orders:0" \
	"$(q "SELECT 'customers:' || (SELECT count(*) FROM $PG.customers) || ' extra:' || (SELECT count(*) FROM $PG.extra) || ' orders:' || (SELECT count(*) FROM $PG.orders)")"
indexes() { q "SELECT string_agg(regexp_replace(indexname, '_[0-9a-f]{8}$', '_<hash>'), ' ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '$PG'"; }
check_eq "copy_schema creates the primary keys and indexes" "customers_pkey extra_pkey orders_k_customer_<hash> orders_pkey" "$(indexes)"
check_eq "copy_schema creates the enum type" "retail,trade" \
	"$(q "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = '$PG'")"
check_eq "copy_schema creates the foreign key, valid, with its rule" "orders_fk_customer|true|FOREIGN KEY (customer_id) REFERENCES $PG.customers(id) ON UPDATE RESTRICT ON DELETE CASCADE" \
	"$(q "SELECT conname || '|' || convalidated || '|' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND connamespace = '$PG'::regnamespace")"
check_eq "after copy_schema the source is still to be copied" "ready" "$(q "SELECT status FROM chameleon.show_status('$SRC')")"

# what a user adds to the schema before loading it
q "CREATE ROLE ks_reader" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER TABLE $PG.orders ADD COLUMN local_tag text NOT NULL DEFAULT 'pg';
CREATE INDEX orders_amount_idx ON $PG.orders (amount) WHERE amount > 100;
CREATE VIEW $PG.big_orders AS SELECT id, amount FROM $PG.orders WHERE amount > 100;
GRANT USAGE ON SCHEMA $PG TO ks_reader;
GRANT SELECT ON $PG.orders TO ks_reader;
DROP TABLE $PG.extra;
SQL

same() { # same TABLE COLUMNS LABEL
	local my pg
	my=$(mysql_root -N -B -e "SELECT count(*), md5(group_concat(concat_ws('|', $2) ORDER BY id SEPARATOR ',')) FROM $DB.$1")
	pg=$(q "SELECT count(*) || E'\t' || md5(string_agg(concat_ws('|', $2), ',' ORDER BY id)) FROM $PG.$1")
	check_eq "$3: table $1 is equal on both sides" "$my" "$pg"
}
mysql_root -e "SET GLOBAL group_concat_max_len = 1073741824"

q "SELECT chameleon.alter_source('$SRC', \$\$$(config true)\$\$)" >/dev/null
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
same customers "id, name, kind" "keep_existing_schema"
same orders "id, customer_id, amount, note" "keep_existing_schema"
same extra "id, v" "keep_existing_schema (a table PostgreSQL did not have is created)"
check_eq "the column the user added is filled with its default" "3000" "$(q "SELECT count(*) FROM $PG.orders WHERE local_tag = 'pg'")"
check_eq "the user's index, view and grant are kept" "t|t|t" \
	"$(q "SELECT to_regclass('$PG.orders_amount_idx') IS NOT NULL, to_regclass('$PG.big_orders') IS NOT NULL, has_table_privilege('ks_reader', '$PG.orders', 'SELECT')")"
check_eq "the primary key and indexes are rebuilt" "customers_pkey extra_pkey orders_amount_idx orders_k_customer_<hash> orders_pkey" "$(indexes)"
check_eq "the foreign key is back" "orders_fk_customer" \
	"$(q "SELECT string_agg(conname, ',') FROM pg_constraint WHERE contype = 'f' AND connamespace = '$PG'::regnamespace")"
check_eq "identities continue after the copied values" "3001" "$(q "SELECT nextval(pg_get_serial_sequence('$PG.orders', 'id'))")"

q "SELECT chameleon.start_replica('$SRC')" >/dev/null
mysql_root $DB <<SQL
INSERT INTO customers (id, name, kind) VALUES (501, 'new', 'trade');
INSERT INTO orders (customer_id, amount, note) VALUES (501, 150.5, 'fresh'), (1, 1, 'small');
UPDATE orders SET amount = amount + 1 WHERE id % 10 = 0;
DELETE FROM orders WHERE id % 17 = 0;
UPDATE customers SET kind = 'retail' WHERE id = 501;
INSERT INTO extra VALUES (1000, 1);
SQL
check_eq "replication into the kept tables catches up" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
same customers "id, name, kind" "after replication"
same orders "id, customer_id, amount, note" "after replication"
same extra "id, v" "after replication"
check_eq "the foreign key is validated once the source is consistent" "true|true" \
	"$(q "SELECT s.consistent || '|' || (SELECT convalidated FROM pg_constraint WHERE conname = 'orders_fk_customer') FROM chameleon.show_status('$SRC') s")"
check_eq "nothing is left set aside" "0" "$(q "SELECT count(*) FROM sch_chameleon.t_saved_foreign_keys")"

# sync_tables reloads a kept table in place too
q "SELECT chameleon.sync_tables('$SRC', '{$DB.orders}', wait => true)" >/dev/null
check_eq "after sync_tables, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
same orders "id, customer_id, amount, note" "sync_tables in place"
check_eq "sync_tables keeps the user's view and index" "t|t" \
	"$(q "SELECT to_regclass('$PG.orders_amount_idx') IS NOT NULL, to_regclass('$PG.big_orders') IS NOT NULL")"

# an existing table that lacks a MySQL column: a clear error, the tables untouched
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "ALTER TABLE $PG.orders DROP COLUMN note CASCADE" >/dev/null
before=$(q "SELECT count(*) FROM $PG.orders")
check_fails "init_replica names the missing column" 'table "ks_shop_pg.orders" has no column "note" of MySQL table "ks_shop.orders"' \
	q "SELECT chameleon.init_replica('$SRC', wait => true)"
check_eq "the failed copy left the rows and the foreign key" "$before|orders_fk_customer" \
	"$(q "SELECT (SELECT count(*) FROM $PG.orders) || '|' || (SELECT string_agg(conname, ',') FROM pg_constraint WHERE contype = 'f' AND connamespace = '$PG'::regnamespace)")"

q "SELECT chameleon.enable_replica('$SRC')" >/dev/null
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA $PG CASCADE" >/dev/null
q "DROP ROLE ks_reader" >/dev/null
mysql_root -e "DROP DATABASE $DB"
e2e_finish
