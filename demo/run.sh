#!/usr/bin/env bash
# The demo: installs what is needed, builds and installs the extension, starts a sandbox
# MariaDB and PostgreSQL on loopback ports, creates a sample shop schema in MariaDB, registers
# it as a source, copies it, starts replication, changes rows (and a column) in MariaDB while it
# runs, and shows the status and the changed rows in PostgreSQL. Run as root on Debian 12.
# The servers keep running afterwards; "bash demo/run.sh stop" stops and removes them.
set -eu
cd "$(dirname "$0")/.."
. test/lib/sandbox.sh

if [ "${1:-}" = stop ]; then
	sandbox_destroy
	echo "sandbox removed"
	exit 0
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { echo "postgres=# $1"; psql -X -v ON_ERROR_STOP=1 -c "$1"; }

step "packages"
bash test/lib/install_packages.sh
step "build and install the extension"
make -s -j2 >/dev/null
make -s install >/dev/null
step "start MariaDB on port $MY_PORT and PostgreSQL on port $PG_PORT (sandbox: $SANDBOX)"
sandbox_destroy >/dev/null 2>&1 || true
start_mariadb
start_postgres

step "a sample schema in MariaDB"
mysql_root <<'SQL'
CREATE DATABASE shop;
CREATE TABLE shop.customers (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(100) NOT NULL,
  email varchar(200) UNIQUE,
  created datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE shop.orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id int unsigned NOT NULL,
  status enum('new','paid','shipped') NOT NULL DEFAULT 'new',
  amount decimal(12,2) NOT NULL,
  note text,
  KEY (customer_id)
);
INSERT INTO shop.customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', 'grace@example.com');
INSERT INTO shop.orders (customer_id, status, amount, note) VALUES (1, 'paid', 12.50, 'first 🎉'), (2, 'new', 99.99, NULL);
SQL
mysql_root -e "SELECT * FROM shop.orders"

step "register the source in PostgreSQL"
sql "CREATE EXTENSION pg_chameleon"
sql "SELECT chameleon.add_source('shop', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD, charset: utf8mb4, connect_timeout: 10}
schema_mappings: {shop: shop_pg}
replica_batch_size: 10000
replay_max_rows: 10000
on_error_replay: continue
type: mysql
\$\$)"
sql "SELECT * FROM chameleon.check_source('shop')"
sql "SELECT source, type, status, schema_mappings FROM chameleon.sources"

step "initial copy"
sql "SELECT chameleon.init_replica('shop', wait => true)"
sql "SELECT source, mysql_table, state, rows_copied, elapsed FROM chameleon.init_progress"
sql "SELECT * FROM shop_pg.orders ORDER BY id"

step "replication"
sql "SELECT chameleon.start_replica('shop')"
sql "SELECT role, source, pid, state FROM chameleon.workers ORDER BY role"
echo "mariadb> changes while the replica runs"
mysql_root shop <<'SQL'
INSERT INTO customers (name, email) VALUES ('Linus', 'linus@example.com');
INSERT INTO orders (customer_id, status, amount, note) VALUES (3, 'new', 7.00, 'from the demo');
UPDATE orders SET status = 'shipped' WHERE id = 1;
DELETE FROM orders WHERE id = 2;
ALTER TABLE orders ADD COLUMN coupon varchar(20) NULL AFTER amount;
UPDATE orders SET coupon = 'WELCOME' WHERE id = 3;
SQL
mysql_root -e "SELECT * FROM shop.orders"
sql "SELECT chameleon.wait_for_catchup('shop', '60 s')"
sql "SELECT source, status, consistent, read_lag, replay_lag, read_position, replayed_rows, ddl_statements, tables_replicated, workers FROM chameleon.show_status()"
sql "SELECT * FROM shop_pg.orders ORDER BY id"
sql "SELECT * FROM shop_pg.customers ORDER BY id"

step "done"
echo "psql:    PGHOST=$PGHOST PGPORT=$PGPORT psql -U postgres $PGDATABASE"
echo "mariadb: mariadb --defaults-file=$MY_CNF -uroot shop"
echo "stop:    bash demo/run.sh stop   (the replica keeps running until then)"
