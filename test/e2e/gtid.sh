# gtid_enable with MariaDB: the reader records the executed GTID position with every batch and,
# after a stop, resumes by GTID rather than by file and position; nothing is lost or doubled.
# checks: 6
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=gt_src
DB=gt_shop
reset_source "$SRC" "${DB}_pg"
mysql_root -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB; CREATE TABLE $DB.t (id int PRIMARY KEY, v int);
	INSERT INTO $DB.t VALUES (1, 1)"
add_mysql_source "$SRC" "$DB: ${DB}_pg" 631 "gtid_enable: true"
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
check_match "init_replica records the GTID position of the copy" '^[0-9]+-[0-9]+-[0-9]+' \
	"$(q "SELECT r.t_gtid_set FROM sch_chameleon.t_last_received r JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = '$SRC'")"
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
mysql_root -e "INSERT INTO $DB.t VALUES (2, 2); UPDATE $DB.t SET v = 10 WHERE id = 1"
check_eq "wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "the reader's GTID position is MariaDB's" "$(mysql_root -N -B -e "SELECT @@gtid_binlog_pos")" \
	"$(q "SELECT gtid_read FROM chameleon.show_status('$SRC')")"
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
mysql_root -e "INSERT INTO $DB.t VALUES (3, 3); DELETE FROM $DB.t WHERE id = 2"
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
check_eq "after a restart by GTID, wait_for_catchup returns true" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '60 s')")"
check_eq "every change arrived once" "$(mysql_root -N -B -e "SELECT group_concat(concat(id, ':', v) ORDER BY id) FROM $DB.t")" \
	"$(q "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM ${DB}_pg.t")"
check_eq "the replayed GTID position is MariaDB's" "$(mysql_root -N -B -e "SELECT @@gtid_binlog_pos")" \
	"$(q "SELECT gtid_replayed FROM chameleon.show_status('$SRC')")"

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA ${DB}_pg CASCADE" >/dev/null
mysql_root -e "DROP DATABASE $DB"
e2e_finish
