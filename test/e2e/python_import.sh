# Moving from the Python pg_chameleon 2.0 (doc/migrating.md): a database holding its catalogue
# (test/fixtures/python-catalogue: two sources, one stopped after replicating with a disabled table,
# one initialised and never started) and the tables it replicated; MariaDB made as the fixture's was
# (mysql-schema.sql). CREATE EXTENSION is refused until the old schema is renamed; an import with
# mismatching schema_mappings, or while a Python replica runs, changes nothing; the import, then
# start_replica: both sources go on from where the Python tool stopped, without init_replica, and
# new MariaDB rows arrive row for row.
# checks: 22
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

FIXTURE=$(cd "$(dirname "$0")/../fixtures/python-catalogue" && pwd)
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
DB=py_import
export PGDATABASE=$DB

# MariaDB as the fixture's: its replication user, phase 1 (then the point where both sources were
# initialised), FLUSH BINARY LOGS and phase 2 (then the point where src_a stopped).
mysql_root <<'SQL'
DROP DATABASE IF EXISTS shop;
DROP DATABASE IF EXISTS crm;
DROP DATABASE IF EXISTS hr;
DROP USER IF EXISTS usr_replica@'127.0.0.1';
CREATE USER usr_replica@'127.0.0.1' IDENTIFIED BY 'replica';
GRANT RELOAD, REPLICATION CLIENT, REPLICATION SLAVE, BINLOG MONITOR, SELECT ON *.* TO usr_replica@'127.0.0.1';
SQL
master_status() { mysql_root -N -B -e "SHOW MASTER STATUS" | awk '{print $1 " " $2}'; }
sed -n '1,/^-- \[chameleon\] init_replica --source src_b/p' "$FIXTURE/mysql-schema.sql" | grep -v "usr_replica@'localhost'" | mysql_root
read -r init_file init_position <<<"$(master_status)"
sed -n '/^FLUSH BINARY LOGS/,$p' "$FIXTURE/mysql-schema.sql" | grep -v '^SHOW MASTER STATUS' | mysql_root
read -r stop_file stop_position <<<"$(master_status)"
echo "# init point $init_file:$init_position, stop point $stop_file:$stop_position"

# PostgreSQL: the old catalogue and the replicated tables. The fixture's coordinates are those of the
# server that made it; here they become this MariaDB's (the same points of mysql-schema.sql).
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
load() { grep -v '^\\\(un\)\?restrict ' "$1" | psql -X -q -v ON_ERROR_STOP=1 >/dev/null; }
load "$LIB/python_catalogue.sql" && load "$FIXTURE/catalogue-data.sql" && load "$LIB/python_targets.sql" &&
	load "$FIXTURE/targets-data.sql" || not_ok "the fixture loads"
q "UPDATE sch_chameleon.t_sources SET t_binlog_name = '$init_file', i_binlog_position = $init_position WHERE t_binlog_name IS NOT NULL;
UPDATE sch_chameleon.t_replica_tables SET t_binlog_name = '$init_file', i_binlog_position = $init_position WHERE t_binlog_name IS NOT NULL;
UPDATE sch_chameleon.t_replica_batch SET t_binlog_name = CASE WHEN b_processed OR i_id_source = 2 THEN '$init_file' ELSE '$stop_file' END,
	i_binlog_position = CASE WHEN b_processed OR i_id_source = 2 THEN $init_position ELSE $stop_position END
WHERE NOT b_replayed" >/dev/null

check_fails "CREATE EXTENSION is refused while schema sch_chameleon holds the Python catalogue" \
	'schema "sch_chameleon" holds the catalogue of the Python pg_chameleon.*HINT:  Stop the Python replicas, rename the old schema \(ALTER SCHEMA sch_chameleon RENAME TO sch_chameleon_python;\)' \
	psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_chameleon"
q "ALTER SCHEMA sch_chameleon RENAME TO sch_chameleon_python" >/dev/null
q "CREATE EXTENSION pg_chameleon" >/dev/null
check_eq "after the rename the extension installs beside the old catalogue" "1.5|2.0.10" \
	"$(q "SELECT extversion || '|' || (SELECT t_version FROM sch_chameleon_python.v_version) FROM pg_extension WHERE extname = 'pg_chameleon'")"

config=$(sed -e "s/port: \"58306\"/port: $MY_PORT/" "$FIXTURE/pg_chameleon-config.yml")
old_state() { # every row of the old catalogue, and the target data
	psql -X -tA -c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM sch_chameleon_python.t_sources t" \
		-c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM sch_chameleon_python.t_replica_tables t" \
		-c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM sch_chameleon_python.t_replica_batch t" \
		-c "SELECT count(*) FROM shop_pg.customers" -c "SELECT count(*) FROM hr_pg.employees"
}
new_state() { q "SELECT (SELECT count(*) FROM sch_chameleon.t_sources) || ' sources, ' || (SELECT count(*) FROM sch_chameleon.t_replica_tables) || ' tables, ' || (SELECT count(*) FROM sch_chameleon.t_source_schemas) || ' schemas'"; }
before=$(old_state)

# A configuration whose mappings differ from the catalogue's: refused, naming each difference.
wrong=$(echo "$config" | sed -e 's/hr: hr_pg/hr: hr_other/' -e 's/^  src_a:/  src_c:/')
check_fails "an import with mismatching schema_mappings is refused, naming every difference" \
	'the configuration does not match the catalogue in schema "sch_chameleon_python".*DETAIL:  source "src_a" of the old catalogue is not in the configuration; source "src_b" maps \{"hr": "hr_other"\} in the configuration but \{"hr": "hr_pg"\} in the old catalogue; source "src_c" of the configuration is not in the old catalogue\.' \
	psql -X -q -v ON_ERROR_STOP=1 -c "SELECT * FROM chameleon.import_python_catalogue('sch_chameleon_python', \$\$$wrong\$\$)"
# A Python replica still running (seen in the same transaction): refused.
check_fails "an import is refused while a Python replica runs" \
	'sources of the Python pg_chameleon are not stopped: "src_a" \(running\).*HINT:  Stop them with the Python tool' \
	psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "UPDATE sch_chameleon_python.t_sources SET enm_status = 'running' WHERE t_source = 'src_a'" \
	-c "SELECT * FROM chameleon.import_python_catalogue('sch_chameleon_python', \$\$$config\$\$)"
# A failure after the first source was registered (src_b without a read position) is rolled back.
check_fails "an import failing on its second source is refused" 'source "src_b" of the old catalogue has no read position' \
	psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "UPDATE sch_chameleon_python.t_sources SET t_binlog_name = NULL WHERE t_source = 'src_b'" \
	-c "UPDATE sch_chameleon_python.t_replica_batch SET b_processed = true WHERE i_id_source = 2" \
	-c "SELECT * FROM chameleon.import_python_catalogue('sch_chameleon_python', \$\$$config\$\$)"
# Rows the Python tool read but did not replay: refused, since the import resumes after them.
check_fails "an import is refused while the old log holds rows not replayed" \
	'source "src_a" of the old catalogue has 1 rows read but not replayed.*HINT:  Start the Python replica again' \
	psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" \
	-c "INSERT INTO sch_chameleon_python.t_log_replica (i_id_batch, v_table_name, v_schema_name, enm_binlog_event) VALUES (1, 'customers', 'shop', 'insert')" \
	-c "SELECT * FROM chameleon.import_python_catalogue('sch_chameleon_python', \$\$$config\$\$)"
# The import runs as the extension's owner: a view of the old schema's owner in place of a table
# is refused before anything of that schema is read.
check_fails "an import is refused when the old catalogue has a view in place of a table" \
	'the catalogue in schema "sch_chameleon_python" is not made of plain tables: sch_chameleon_python.t_replica_batch' \
	psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "ALTER TABLE sch_chameleon_python.t_replica_batch RENAME TO t_batch_moved" \
	-c "CREATE VIEW sch_chameleon_python.t_replica_batch AS SELECT * FROM sch_chameleon_python.t_batch_moved" \
	-c "SELECT * FROM chameleon.import_python_catalogue('sch_chameleon_python', \$\$$config\$\$)"
check_eq "the failed imports leave the old catalogue and the tables untouched" "$before" "$(old_state)"
check_eq "the failed imports leave no source, table or schema in the extension" "0 sources, 0 tables, 0 schemas" "$(new_state)"

imported=$(psql -X -tA -v ON_ERROR_STOP=1 -c "SELECT source, status, read_position, tables, disabled_tables FROM chameleon.import_python_catalogue('sch_chameleon_python', \$\$$config\$\$) ORDER BY 1" 2>&1)
check_eq "the import registers both sources at the positions where the Python tool stopped" \
	"src_a|stopped|$stop_file:$stop_position|8|1
src_b|initialised|$init_file:$init_position|3|0" "$imported"
check_eq "the tables, their states, keys and consistent points" \
	"src_a|crm.contacts|crm_pg.contacts|replicating|{id}|
src_a|crm.leads|crm_pg.leads|replicating|{id}|
src_a|crm.notes|crm_pg.notes|replicating|{id}|
src_a|shop.customers|shop_pg.customers|replicating|{id}|
src_a|shop.order_log|shop_pg.order_log|not replicated: no key|{}|
src_a|shop.orders|shop_pg.orders|replicating|{id}|
src_a|shop.products|shop_pg.products|disabled|{id}|
src_a|shop.sku_codes|shop_pg.sku_codes|replicating|{code}|
src_b|hr.badges|hr_pg.badges|not replicated: no key|{}|
src_b|hr.departments|hr_pg.departments|replicating|{code}|$init_file:$init_position
src_b|hr.employees|hr_pg.employees|replicating|{id}|$init_file:$init_position" \
	"$(q "SELECT source, mysql_table, pg_table, state, key_columns, consistent_point FROM chameleon.tables ORDER BY 1, 2")"
check_match "the disabled table keeps the Python tool's reason" \
	'^disabled by the Python pg_chameleon: 22003 - value "18446744073709551615" is out of range for type bigint' \
	"$(q "SELECT disabled_reason FROM chameleon.tables WHERE mysql_table = 'shop.products'")"
check_eq "the old catalogue is still there, unchanged" "$before" "$(old_state)"

# Replication goes on from there, without init_replica: src_b first replays the hr changes the
# Python tool never read, then both replicate new rows.
q "SELECT chameleon.start_replica('src_a'), chameleon.start_replica('src_b')" >/dev/null
mysql_root <<'SQL'
INSERT INTO shop.customers (email, full_name, status, is_vip, created_at) VALUES ('after@example.com', 'After import', 'closed', 1, '2026-12-01 10:00:00');
UPDATE shop.customers SET full_name = 'Renamed after import' WHERE id = 11;
DELETE FROM shop.customers WHERE id = 12;
INSERT INTO shop.orders (customer_id, product_id, qty, amount, ordered_at) VALUES (1, 1, 3, 31.50, '2026-12-01 10:05:00');
UPDATE shop.orders SET qty = 9 WHERE id = 1;
INSERT INTO shop.sku_codes (code, product_id, label) VALUES ('EAN-AFTER', 3, 'after import');
UPDATE shop.sku_codes SET label = 'changed after import' WHERE code = 'EAN0000000006';
INSERT INTO crm.contacts (name, phone, country, email) VALUES ('Contact after', NULL, 'FR', 'after@example.com');
UPDATE crm.leads SET stage = 'lost' WHERE id = 2;
INSERT INTO crm.notes (contact_id, body, created_at) VALUES (2, 'after the import', '2026-12-01 10:10:00');
INSERT INTO hr.departments (code, name) VALUES ('new', 'New department');
INSERT INTO hr.employees (name, dept, salary, hired_on) VALUES ('Employee after', 'sls', 42000.00, '2026-12-01');
UPDATE hr.employees SET salary = 1.00 WHERE id = 1;
SQL
for source in src_a src_b; do
	caught=$(q "SELECT chameleon.wait_for_catchup('$source', '90 s')" 2>&1)
	[ "$caught" = t ] || echo "# wait_for_catchup($source): $caught"
done
check_eq "both sources replicate, consistent, without errors" "src_a|running|t|0
src_b|running|t|0" "$(q "SELECT source, status, consistent, errors FROM chameleon.show_status() ORDER BY 1")"
compare_rows "src_a" shop.customers shop_pg.customers id "id, email, full_name, status, is_vip, created_at" \
	"id, email, full_name, status, is_vip::int, created_at"
compare_rows "src_a" shop.orders shop_pg.orders id "id, customer_id, product_id, qty, amount, ordered_at"
compare_rows "src_a" shop.sku_codes shop_pg.sku_codes code "code, product_id, label"
compare_rows "src_a" crm.contacts crm_pg.contacts id "id, name, phone, country, email"
compare_rows "src_a" crm.leads crm_pg.leads id "id, contact_id, stage, score"
compare_rows "src_a" crm.notes crm_pg.notes id "id, contact_id, body, created_at"
compare_rows "src_b" hr.departments hr_pg.departments code "code, name"
compare_rows "src_b" hr.employees hr_pg.employees id "id, name, dept, salary, hired_on"

q "SELECT chameleon.stop_replica('src_a'), chameleon.stop_replica('src_b')" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
mysql_root -e "DROP DATABASE shop; DROP DATABASE crm; DROP DATABASE hr; DROP USER usr_replica@'127.0.0.1'"
e2e_finish
