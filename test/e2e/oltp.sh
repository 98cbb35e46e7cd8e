# OLTP traffic end to end (issue 12): the coalesced replay under sysbench oltp_write_only and
# oltp_read_write, a pt-online-schema-change during the load, and MySQL transactions made visible
# all at once — a PostgreSQL reader polls an invariant every MySQL transaction keeps (the sum of
# the balances) during transfers under sysbench and during one 1,000,000-row transaction. Every
# table is compared row by row afterwards. Last, a ROLLBACK TO SAVEPOINT beside a non-transactional
# table: replicated as logged, with a warning, and found by verify_tables.
# checks: 33
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/compare.sh"

SRC=oltp_src
DB=oltp
SB="--tables=4 --table-size=10000 --threads=2 --report-interval=0 --db-driver=mysql --mysql-socket=$MY_SOCKET --mysql-user=root --mysql-db=$DB"
reset_source "$SRC"
mysql_root -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
sysbench oltp_write_only $SB prepare >/dev/null
mysql_root $DB -e "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
	INSERT INTO accounts SELECT seq, 1000 FROM seq_1_to_1000000"
add_mysql_source "$SRC" "$DB: ${DB}_pg" 611
init_and_start "$SRC"

# sysbench's c and pad are char(n): PostgreSQL prints them padded, MariaDB does not.
compare_all() {
	for t in sbtest1 sbtest2 sbtest3 sbtest4; do
		compare_rows "$1" "$DB.$t" "${DB}_pg.$t" id "id, k, rtrim(c), rtrim(pad)$([ "$t" = sbtest1 ] && [ "$2" = osc ] && echo ", extra")"
	done
}

# The invariant poller: the sum and count of the balances (and the count of balances only the
# 1,000,000-row transaction makes, and the time), as often as PostgreSQL answers, until the stop
# file appears. Each MySQL transaction keeps the sum; a partly applied one would not.
poll_file=$(mktemp)
stop_file=$(mktemp -u)
start_poller() {
	rm -f "$stop_file"
	: >"$poll_file"
	(until [ -e "$stop_file" ]; do
		q "SELECT sum(balance) || ' ' || count(*) || ' ' || count(*) FILTER (WHERE balance IN (999, 1001)) || ' ' ||
			extract(epoch FROM clock_timestamp()) FROM ${DB}_pg.accounts" >>"$poll_file" 2>&1
	done) &
	poller=$!
}
stop_poller() { touch "$stop_file"; wait "$poller"; }
polled_sums() { awk '{print $1, $2}' "$poll_file" | sort -u | tr '\n' ';'; }

# Transfers between random accounts, 5 at a time, each its own transaction; every other one sets a
# savepoint between its debit and its credit, and rolls back a change made after it (the binlog
# holds the SAVEPOINT statement inside the transaction, and not the undone change).
transfers() {
	for i in $(seq 1 "$1"); do
		a=$((RANDOM * 30 + 1)) b=$((RANDOM * 30 + 2))
		if [ $((i % 2)) = 0 ]; then
			echo "START TRANSACTION; UPDATE accounts SET balance = balance - 5 WHERE id = $a; SAVEPOINT s; UPDATE accounts SET balance = balance + 100 WHERE id = $b; ROLLBACK TO SAVEPOINT s; UPDATE accounts SET balance = balance + 5 WHERE id = $b; COMMIT;"
		else
			echo "START TRANSACTION; UPDATE accounts SET balance = balance - 5 WHERE id = $a; UPDATE accounts SET balance = balance + 5 WHERE id = $b; COMMIT;"
		fi
	done | mysql_root $DB
}
statements_replayed() { q "SELECT coalesce(sum(i_ddl), 0) FROM sch_chameleon.t_replica_batch b JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = '$SRC'"; }

# 1. oltp_write_only with transfers beside it; the poller reads all along.
statements_before=$(statements_replayed)
start_poller
transfers 3000 &
transfer_pid=$!
sysbench oltp_write_only $SB --time=10 run >"$poll_file.sb" 2>&1
sb_status=$?
wait "$transfer_pid"
check_eq "sysbench oltp_write_only ran" "0" "$sb_status"
check_eq "wait_for_catchup after oltp_write_only" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '5 min')")"
stop_poller
compare_all write_only
compare_rows write_only "$DB.accounts" "${DB}_pg.accounts" id "id, balance"
polls=$(wc -l <"$poll_file")
[ "$polls" -ge 5 ] && ok "the invariant was read $polls times during the load" || not_ok "the invariant was read often" "$polls polls"
check_eq "every read saw the sum every MySQL transaction keeps" "1000000000 1000000;" "$(polled_sums)"
check_eq "a SAVEPOINT inside a transaction is no statement of its own (the transaction stays whole)" \
	"$statements_before" "$(statements_replayed)"

# 2. oltp_read_write.
sysbench oltp_read_write $SB --time=10 run >"$poll_file.sb" 2>&1
check_eq "sysbench oltp_read_write ran" "0" "$?"
check_eq "wait_for_catchup after oltp_read_write" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '5 min')")"
compare_all read_write

# 3. pt-online-schema-change of sbtest1 while sysbench writes: a new table, triggers, a copy in
# chunks, RENAME TABLE of both tables at once, DROP TABLE.
# The load is paced (1000 transactions/s at most), and pt-online-schema-change waits for row locks
# longer than its default 1 s: on two shared cores its copy would otherwise lose every lock wait.
sysbench oltp_write_only $SB --rate=1000 --time=15 run >"$poll_file.sb" 2>&1 &
sb_pid=$!
osc=$(pt-online-schema-change --alter "ADD COLUMN extra int NOT NULL DEFAULT 7" \
	"h=localhost,S=$MY_SOCKET,u=root,D=$DB,t=sbtest1" --recursion-method=none \
	--set-vars innodb_lock_wait_timeout=30 --execute 2>&1)
osc_status=$?
wait "$sb_pid"
if [ "$osc_status" = 0 ]; then ok "pt-online-schema-change altered sbtest1 under load"; else
	not_ok "pt-online-schema-change altered sbtest1 under load" "$(echo "$osc" | tail -5)"; fi
check_eq "wait_for_catchup after the schema change" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '5 min')")"
compare_all osc osc
check_eq "no table disabled, no replay error" "0 0" \
	"$(q "SELECT (SELECT count(*) FROM chameleon.tables WHERE source = '$SRC' AND state <> 'replicating') || ' ' || (SELECT count(*) FROM chameleon.show_errors('$SRC'))")"

# 4. One MySQL transaction of 1,000,000 changes (the sum stays), applied while the poller reads:
# every read sees all of it or nothing. The replica is stopped first, so that the whole
# transaction waits in the log and its apply (about a hundred flushes) overlaps the reads.
q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
mysql_root $DB -e "UPDATE accounts SET balance = 1000; START TRANSACTION;
	UPDATE accounts SET balance = balance - 1 WHERE id % 2 = 0; UPDATE accounts SET balance = balance + 1 WHERE id % 2 = 1; COMMIT"
start_poller
q "SELECT chameleon.start_replica('$SRC')" >/dev/null
pids=$(q "SELECT string_agg(pid::text, ' ') FROM chameleon.workers WHERE source = '$SRC'")
peak=0
until [ "$(q "SELECT chameleon.wait_for_catchup('$SRC', '0.5 s')")" = t ]; do
	for pid in $pids; do
		kb=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null)
		[ "${kb:-0}" -gt "$peak" ] && peak=$kb
	done
	[ $SECONDS -gt 600 ] && break
done
after_read() { awk '$3 == 1000000' "$poll_file" | grep -q .; }
wait_until 60 "a read after the transaction was applied" after_read
stop_poller
states=$(awk '{print ($3 == 0 ? "before" : ($3 == 1000000 ? "after" : "PARTIAL " $3))}' "$poll_file" | sort | uniq -c | awk '{print $2 ($3 ? " " $3 : "")}' | tr '\n' ' ')
check_eq "reads saw the 1,000,000-row transaction before and after, never in part" "after before " "$states"
# The reads that ran while the replay worked on the transaction: after the reader committed it to the
# log, before the replay's commit.
read -r logged replayed < <(q "SELECT extract(epoch FROM ts_processed) || ' ' || extract(epoch FROM ts_replayed)
	FROM sch_chameleon.t_replica_batch b JOIN sch_chameleon.t_sources s USING (i_id_source)
	WHERE s.t_source = '$SRC' AND b.i_rows >= 1000000 ORDER BY b.i_id_batch DESC LIMIT 1")
during=$(awk -v from="$logged" -v to="$replayed" '$4 > from && $4 < to' "$poll_file" | wc -l)
[ "$during" -ge 3 ] && ok "the reads overlapped the apply ($during reads while the replay applied it)" ||
	not_ok "the reads overlapped the apply" "$during reads between $logged and $replayed"
check_eq "every read saw the same sum" "1000000000 1000000;" "$(polled_sums)"
compare_rows big_transaction "$DB.accounts" "${DB}_pg.accounts" id "id, balance"
[ "$((peak / 1024))" -lt 100 ] && ok "reader and replay stayed under 100 MB RssAnon ($((peak / 1024)) MB)" ||
	not_ok "reader and replay stayed under 100 MB RssAnon" "$((peak / 1024)) MB"

# 5. ROLLBACK TO SAVEPOINT after a change to a non-transactional table: MariaDB keeps that change and
# undoes the transactional ones since the savepoint, and the binlog holds both, then the ROLLBACK
# TO. The replica takes the events as logged, the reader warns with the position, and
# verify_tables finds the table that now differs.
mysql_root $DB -e "CREATE TABLE notes (id int PRIMARY KEY, v int) ENGINE = MyISAM"
check_eq "wait_for_catchup after CREATE TABLE notes" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '2 min')")"
log_from=$(($(stat -c %s "$PG_LOG") + 1))
mysql_root $DB -e "START TRANSACTION; UPDATE accounts SET balance = balance + 1 WHERE id = 1; SAVEPOINT s;
	UPDATE accounts SET balance = balance + 7 WHERE id = 2; INSERT INTO notes VALUES (1, 1); ROLLBACK TO SAVEPOINT s; COMMIT"
check_eq "wait_for_catchup after the rollback to a savepoint" "t" "$(q "SELECT chameleon.wait_for_catchup('$SRC', '2 min')")"
check_match "the reader warned of the rollback to a savepoint, with its position" \
	'WARNING: +reader of source "oltp_src" replicates the changes a ROLLBACK TO SAVEPOINT undid at [^ ]+:[0-9]+' \
	"$(tail -c +"$log_from" "$PG_LOG" | grep 'ROLLBACK TO SAVEPOINT' | head -1)"
check_eq "the kept change to the non-transactional table arrived; the source runs on" "1|1 running" \
	"$(q "SELECT (SELECT string_agg(id || '|' || v, ',') FROM ${DB}_pg.notes) || ' ' || status FROM chameleon.show_status('$SRC')")"
check_eq "verify_tables finds the table the rollback changed in MariaDB only" "$DB.accounts=different/1" \
	"$(q "SELECT string_agg(mysql_table || '=' || state || '/' || mismatching_rows, ' ') FROM chameleon.verify_tables('$SRC', '{$DB.accounts}')")"

q "SELECT chameleon.stop_replica('$SRC')" >/dev/null
q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA IF EXISTS ${DB}_pg CASCADE" >/dev/null
mysql_root -e "DROP DATABASE $DB"
rm -f "$poll_file" "$poll_file.sb"
e2e_finish
