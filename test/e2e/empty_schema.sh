# A source whose MySQL schema has no table yet (an application's new database, built by its
# migrations while the replica runs): init_replica succeeds, and the tables created afterwards
# replicate with their rows.
# checks: 5
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
cleanup() {
	q "SELECT chameleon.stop_replica('es') FROM chameleon.sources WHERE source = 'es'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('es') FROM chameleon.sources WHERE source = 'es'" >/dev/null 2>&1
	q "DROP SCHEMA IF EXISTS es_pg CASCADE" >/dev/null 2>&1
	mysql_root -e "DROP DATABASE IF EXISTS es" 2>/dev/null
}
cleanup
mysql_root -e "CREATE DATABASE es"
q "SELECT chameleon.add_source('es', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD, connect_timeout: 5}
schema_mappings: {es: es_pg}
my_server_id: 4400
\$\$)" >/dev/null
result=$(q "SELECT chameleon.init_replica('es', wait => true)" 2>&1)
check_eq "init_replica of an empty schema succeeds" "" "$result"
check_eq "the empty source is initialised with a read position" "initialised t" \
	"$(q "SELECT status, read_position IS NOT NULL FROM chameleon.show_status('es')" | tr '|' ' ')"
q "SELECT chameleon.start_replica('es')" >/dev/null
mysql_root <<'SQL'
CREATE TABLE es.customers (id int PRIMARY KEY, name varchar(40));
CREATE TABLE es.orders (id int PRIMARY KEY, customer int, amount decimal(10,2));
INSERT INTO es.customers VALUES (1, 'ann'), (2, 'bob');
INSERT INTO es.orders VALUES (10, 1, 9.50), (11, 2, 12.25);
UPDATE es.orders SET amount = 13.00 WHERE id = 11;
DELETE FROM es.customers WHERE id = 2;
SQL
check_eq "wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('es', '60 s')" 2>&1)"
compare_rows "tables created after the copy" es.customers es_pg.customers "id" "id, name"
compare_rows "tables created after the copy" es.orders es_pg.orders "id" "id, customer, amount"
cleanup
e2e_finish
