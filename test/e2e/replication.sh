# Continuous replication end to end: init_replica, start_replica, then inserts, updates (also of
# the key), deletes and transactions on MariaDB; wait_for_catchup; both sides compared table by
# table (row count and a checksum of every value).
# checks: 19
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=rp_src
DB=rp_shop
reset_source "$SRC"
mysql_root <<SQL
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
CREATE TABLE $DB.orders (id int PRIMARY KEY, customer varchar(50), amount decimal(12,2), status enum('new','paid'),
  created datetime(3), note text);
CREATE TABLE $DB.pairs (a int, b varchar(10), v bigint unsigned, PRIMARY KEY (a, b));
CREATE TABLE $DB.uniq (code varchar(20) NOT NULL, qty int, UNIQUE KEY (code));
CREATE TABLE $DB.lines (id int AUTO_INCREMENT PRIMARY KEY, order_id int NOT NULL, qty int,
  CONSTRAINT lines_order FOREIGN KEY (order_id) REFERENCES $DB.orders (id) ON DELETE CASCADE);
INSERT INTO $DB.orders VALUES (1, 'ada', 10.50, 'new', '2024-01-01 10:00:00.123', 'first'), (2, 'bob', 20, 'paid', NULL, NULL);
INSERT INTO $DB.pairs VALUES (1, 'x', 18446744073709551615);
SQL
add_mysql_source "$SRC" "$DB: ${DB}_pg" 601 "replica_batch_size: 500"
init_and_start "$SRC"
check_eq "start_replica starts a reader and a replay worker" "reader,replay" \
	"$(q "SELECT string_agg(role, ',' ORDER BY role) FROM chameleon.workers WHERE source = '$SRC'")"
check_eq "the source is running" "running" "$(q "SELECT status FROM chameleon.show_status('$SRC')")"

mysql_root <<SQL
INSERT INTO $DB.orders VALUES (3, 'cy 🎉', 30.25, 'new', '2024-02-02 02:02:02.002', 'third');
UPDATE $DB.orders SET amount = amount + 1, status = 'paid' WHERE id = 1;
UPDATE $DB.orders SET id = 10 WHERE id = 2;
DELETE FROM $DB.orders WHERE id = 3;
START TRANSACTION;
INSERT INTO $DB.pairs VALUES (2, 'y', 5), (3, 'z', 6);
UPDATE $DB.pairs SET v = 7 WHERE a = 2;
COMMIT;
START TRANSACTION;
INSERT INTO $DB.pairs VALUES (99, 'rolled', 1);
ROLLBACK;
INSERT INTO $DB.uniq VALUES ('A', 1), ('B', 2);
INSERT INTO $DB.lines (order_id, qty) VALUES (1, 5), (10, 6), (1, 7);
UPDATE $DB.uniq SET qty = 3 WHERE code = 'B';
DELETE FROM $DB.uniq WHERE code = 'A';
SQL
mysql_root $DB -e "INSERT INTO $DB.orders SELECT seq + 100, concat('bulk ', seq), seq / 10, 'new', NULL, repeat('x', seq % 50) FROM seq_1_to_2000"
check_eq "wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
# A new binlog file with no transaction in it yet ends in events of no table (FORMAT_DESCRIPTION,
# GTID_LIST, BINLOG_CHECKPOINT): the position still reaches its end.
# MariaDB writes the new file's BINLOG_CHECKPOINT a moment after the rotation: the end of the
# binlog is read again at each look.
mysql_root -e "FLUSH BINARY LOGS"
check_eq "after a binlog rotation with nothing after it, wait_for_catchup returns true" "t" \
	"$(q "SELECT chameleon.wait_for_catchup('$SRC', '10 s')")"
received_position() { q "SELECT r.t_binlog_name || ':' || r.i_binlog_position FROM sch_chameleon.t_last_received r JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = '$SRC'"; }
end_of_binlog() { mysql_root -N -B -e "SHOW MASTER STATUS" | awk '{print $1 ":" $2}'; }
received_at_end() { [ "$(received_position)" = "$(end_of_binlog)" ]; }
wait_until 10 "the received position at the end of the new binlog file" received_at_end &&
	ok "the received position reaches the end of the new binlog file" ||
	not_ok "the received position reaches the end of the new binlog file" "$(received_position) against $(end_of_binlog)"

compare() { # compare TABLE ORDER_BY SELECT_LIST_MYSQL SELECT_LIST_PG
	local mysql_sum pg_sum
	mysql_sum=$(mysql_root -N -B -e "SELECT count(*), coalesce(md5(group_concat(concat_ws('|', $3) ORDER BY $2 SEPARATOR '\n')), '') FROM $DB.$1")
	pg_sum=$(q "SELECT count(*) || E'\t' || coalesce(md5(string_agg(concat_ws('|', $4), E'\n' ORDER BY $2)), '') FROM ${DB}_pg.$1")
	check_eq "table $1 is equal on both sides" "$mysql_sum" "$pg_sum"
}
mysql_root -e "SET GLOBAL group_concat_max_len = 1073741824"
compare orders id "id, customer, amount, status, date_format(created, '%Y-%m-%d %H:%i:%s.%f'), note" \
	"id, customer, amount, status, to_char(created, 'YYYY-MM-DD HH24:MI:SS.US'), note"
compare pairs "a, b" "a, b, v" "a, b, v"
compare uniq code "code, qty" "code, qty"
check_eq "the rolled-back transaction left nothing" "0" "$(q "SELECT count(*) FROM ${DB}_pg.pairs WHERE a = 99")"
check_eq "nothing was skipped or disabled" "0|0" \
	"$(q "SELECT errors || '|' || tables_disabled FROM chameleon.show_status('$SRC')")"
check_match "show_status reports replayed rows" '^[0-9]{4,}$' "$(q "SELECT replayed_rows FROM chameleon.show_status('$SRC')")"
check_eq "the source is consistent" "t" "$(q "SELECT consistent FROM chameleon.show_status('$SRC')")"

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
check_eq "stop_replica stops the workers" "0" "$(q "SELECT count(*) FROM chameleon.workers WHERE source = '$SRC'")"
check_eq "the source is stopped" "stopped" "$(q "SELECT status FROM chameleon.show_status('$SRC')")"
mysql_root -e "INSERT INTO $DB.orders VALUES (5000, 'while stopped', 1, 'new', NULL, NULL)"
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
check_eq "after a restart, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "a row written while stopped arrives once" "1" \
	"$(q "SELECT count(*) FROM ${DB}_pg.orders WHERE id = 5000")"
# the migration cut-over
q "SELECT chameleon.detach_replica('$SRC')" >/dev/null
check_eq "detach_replica drops the source" "0" "$(q "SELECT count(*) FROM chameleon.sources WHERE source = '$SRC'")"
check_eq "detach_replica creates MySQL's foreign keys, validated" "lines_lines_order|1|c" \
	"$(q "SELECT conname || '|' || convalidated::int || '|' || confdeltype::text FROM pg_constraint WHERE contype = 'f' AND conrelid = '${DB}_pg.lines'::regclass")"
check_eq "identities continue after the replicated values" "4" \
	"$(q "INSERT INTO ${DB}_pg.lines (order_id, qty) VALUES (1, 1) RETURNING id")"
q "DROP SCHEMA ${DB}_pg CASCADE" >/dev/null
mysql_root -e "DROP DATABASE $DB"
e2e_finish
