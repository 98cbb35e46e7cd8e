# Upgrade paths (doc/upgrading.md): every pair of versions, from an older one filled with catalogue
# rows, ALTER EXTENSION ... UPDATE TO the newer one, compared object by object (columns, functions
# with their parameter names, owners, privileges and comments) with a fresh install of the newer one,
# the rows still there. Then the refusals while a source replicates, and a library that does not
# match the catalogue: the source stops with what to do, enable_replica works, start_replica is
# refused until the update.
# checks: 25
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

versions=$(q "SELECT string_agg(version, ' ' ORDER BY string_to_array(version, '.')::int[]) FROM pg_available_extension_versions WHERE name = 'pg_chameleon'")
newest=${versions##* }
echo "# versions: $versions"
check_eq "the newest version is the default version" "$newest" \
	"$(q "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_chameleon'")"

fill="SELECT chameleon.add_source('shop', \$\$
db_conn: {host: 127.0.0.1, port: 3306, user: repl, password: secret}
schema_mappings: {shop: shop_pg}
limit_tables: [shop.orders]
\$\$);
INSERT INTO sch_chameleon.t_replica_batch (i_id_source, t_binlog_name, i_binlog_position, i_rows)
SELECT i_id_source, 'mysql-bin.000001', 4, 10 FROM sch_chameleon.t_sources;
INSERT INTO sch_chameleon.t_error_log (i_id_source, v_table_name, t_error_message)
SELECT i_id_source, 'orders', 'a past error' FROM sch_chameleon.t_sources;"
rows="SELECT s.t_source, s.jsb_config::text, b.t_binlog_name, b.i_rows, b.b_replayed, e.t_error_message
FROM sch_chameleon.t_sources s JOIN sch_chameleon.t_replica_batch b USING (i_id_source)
JOIN sch_chameleon.t_error_log e USING (i_id_source)"
describe=$(dirname "$0")/../lib/describe_catalogue.sql

# new_database NAME VERSION: a database with the extension at VERSION and the catalogue rows above.
new_database() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null &&
		psql -X -q -d "$1" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_chameleon VERSION '$2'" -c "$fill" >/dev/null
}
# state DATABASE: what must be equal after an upgrade: the version, every object, the rows.
state() {
	psql -X -tA -d "$1" -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_chameleon'"
	psql -X -tA -d "$1" -f "$describe"
	psql -X -tA -d "$1" -c "$rows"
}

# Every pair: 1.0 -> 1.1, 1.0 -> 1.2, ..., 1.4 -> 1.5. The batch of the fill is not replayed: the
# updates keep it (doc/upgrading.md says which updates are safe with batches pending).
for to in $versions; do
	new_database upgrade_fresh "$to" || not_ok "a fresh install of $to"
	state upgrade_fresh >"$SANDBOX/run/fresh.txt"
	for from in $versions; do
		[ "$from" = "$to" ] && break
		new_database upgrade_path "$from" || not_ok "an install of $from"
		if ! output=$(psql -X -q -d upgrade_path -v ON_ERROR_STOP=1 -c "ALTER EXTENSION pg_chameleon UPDATE TO '$to'" 2>&1); then
			not_ok "ALTER EXTENSION UPDATE from $from to $to" "$output"
			continue
		fi
		state upgrade_path >"$SANDBOX/run/upgraded.txt"
		check_eq "$from -> $to equals a fresh $to ($(wc -l <"$SANDBOX/run/fresh.txt") objects and rows compared)" "" \
			"$(diff "$SANDBOX/run/fresh.txt" "$SANDBOX/run/upgraded.txt")"
	done
done

# Refused while a source replicates, with the hint; the same transaction sees the source running, so
# that the manager (which would put a running source of an older catalogue in error) cannot interfere.
refused() { # refused FROM TO STATUS MESSAGE
	new_database upgrade_refused "$1" || not_ok "an install of $1"
	check_fails "ALTER EXTENSION UPDATE from $1 to $2 refused while a source is $3" "$4" \
		psql -X -q -d upgrade_refused -v ON_ERROR_STOP=1 -c "BEGIN" \
		-c "UPDATE sch_chameleon.t_sources SET enm_status = '$3', b_run_requested = '$3' = 'running'" \
		-c "ALTER EXTENSION pg_chameleon UPDATE TO '$2'"
}
refused 1.2 1.3 initialising 'cannot update pg_chameleon to 1.3 while an initial copy runs: "shop" \(initialising\).*HINT:  Wait until init_replica has finished'
refused 1.3 1.4 running 'cannot update pg_chameleon to 1.4 while sources replicate: "shop" \(running\).*HINT:  Stop all replicas first'
refused 1.4 1.5 running 'cannot update pg_chameleon to 1.5 while sources replicate: "shop" \(running\).*HINT:  Stop all replicas first: SELECT \* FROM chameleon.stop_all_replicas\(\)'

# EXECUTE granted to a role before 1.4 -> 1.5 (which re-creates the functions it renames) is kept.
new_database upgrade_grants 1.4 || not_ok "an install of 1.4"
psql -X -q -d upgrade_grants -v ON_ERROR_STOP=1 -c "DROP ROLE IF EXISTS upgrade_monitoring" -c "CREATE ROLE upgrade_monitoring" \
	-c "GRANT EXECUTE ON FUNCTION chameleon.show_status(text), chameleon.wait_for_catchup(text, interval) TO upgrade_monitoring WITH GRANT OPTION" \
	-c "ALTER EXTENSION pg_chameleon UPDATE" >/dev/null
check_eq "ALTER EXTENSION UPDATE to 1.5 keeps the EXECUTE granted on the functions it re-creates" \
	"show_status:true:true wait_for_catchup:true:true" \
	"$(psql -X -tA -d upgrade_grants -c "SELECT string_agg(p.proname || ':' || has_function_privilege('upgrade_monitoring', p.oid, 'EXECUTE') || ':' || has_function_privilege('upgrade_monitoring', p.oid, 'EXECUTE WITH GRANT OPTION'), ' ' ORDER BY p.proname) FROM pg_proc p WHERE p.pronamespace = 'chameleon'::regnamespace AND p.proname IN ('show_status', 'wait_for_catchup')")"
psql -X -q -d postgres -c "DROP DATABASE upgrade_grants WITH (FORCE)" -c "DROP ROLE upgrade_monitoring" >/dev/null

# Log rows of 1.4 (one row per event) become chunks of one event, byte for byte in the layout that
# src/core/log_chunk.hpp documents and test_log_chunk.cpp reads: a rows event with its table record,
# and a statement with its microseconds.
new_database upgrade_log 1.4 || not_ok "an install of 1.4"
log_row="INSERT INTO sch_chameleon.t_log_replica (i_id_source, i_id_batch, i_id_event, v_schema_name, v_table_name,
	enm_binlog_event, t_binlog_name, i_binlog_position, ts_event, b_event, b_table_map, i_rows, t_query)
	SELECT i_id_source, i_id_batch,"
psql -X -q -d upgrade_log -v ON_ERROR_STOP=1 \
	-c "$log_row 1, 'shop', 'orders', 'update', 'mysql-bin.000001', 258, to_timestamp(2), '\\xeeee', '\\x4d', 3, NULL
		FROM sch_chameleon.t_replica_batch" \
	-c "$log_row 2, 'shop', '', 'ddl', 'mysql-bin.000001', 300, to_timestamp(3) + interval '5 microseconds', NULL, NULL, 0,
		'ALTER TABLE orders ADD x int' FROM sch_chameleon.t_replica_batch" \
	-c "ALTER EXTENSION pg_chameleon UPDATE" >/dev/null
check_eq "ALTER EXTENSION UPDATE to 1.5 turns 1.4 log rows into one-event chunks of the documented layout" \
	"1:1:01000473686f7000066f7264657273000000014d0300000000000000010200000000001e848000000003000000000002eeee 2:1:0500000000000000012c00000000002dc6c5000473686f7000000000001c414c544552205441424c45206f726465727320414444207820696e74" \
	"$(psql -X -tA -d upgrade_log -c "SELECT string_agg(i_id_event || ':' || i_events || ':' || encode(b_events, 'hex'), ' ' ORDER BY i_id_event) FROM sch_chameleon.t_log_replica")"
psql -X -q -d postgres -c "DROP DATABASE upgrade_log WITH (FORCE)" >/dev/null

# The library (the newest version) serving a catalogue of 1.4: a source left running goes to error
# with what to do, and no worker starts.
new_database upgrade_mismatch 1.4 || not_ok "an install of 1.4"
psql -X -q -d upgrade_mismatch -c "UPDATE sch_chameleon.t_sources SET enm_status = 'running', b_run_requested = true" >/dev/null
reason() { psql -X -tA -d upgrade_mismatch -c "SELECT enm_status || ': ' || coalesce(t_status_reason, '') FROM sch_chameleon.t_sources"; }
wait_until 60 "the manager to stop the source" bash -c "[[ \"\$(psql -X -tA -d upgrade_mismatch -c \"SELECT enm_status FROM sch_chameleon.t_sources\")\" == error ]]"
check_match "a source of a 1.4 catalogue is put in error, saying what to do" \
	"^error: the pg_chameleon library is version $newest but the catalogue of database \"upgrade_mismatch\" is version 1.4: .*HINT: Run ALTER EXTENSION pg_chameleon UPDATE; in database \"upgrade_mismatch\"" \
	"$(reason)"
psql -X -q -d upgrade_mismatch -v ON_ERROR_STOP=1 -c "SELECT chameleon.enable_replica('shop')" >/dev/null
check_eq "enable_replica works while the versions differ" "stopped: " "$(reason)"
check_fails "start_replica is refused while the versions differ" \
	"the pg_chameleon library is version $newest but the catalogue of database \"upgrade_mismatch\" is version 1.4.*HINT:  Run ALTER EXTENSION pg_chameleon UPDATE" \
	psql -X -q -d upgrade_mismatch -v ON_ERROR_STOP=1 -c "SELECT chameleon.start_replica('shop')"
psql -X -q -d upgrade_mismatch -v ON_ERROR_STOP=1 -c "ALTER EXTENSION pg_chameleon UPDATE" >/dev/null
check_eq "after the update the source is stopped, nothing started, and show_status answers" "shop|stopped|0" \
	"$(psql -X -tA -d upgrade_mismatch -c "SELECT source, status, (SELECT count(*) FROM chameleon.workers w WHERE w.source = 'shop') FROM chameleon.show_status()")"

psql -X -q -d postgres -c "DROP DATABASE upgrade_fresh WITH (FORCE)" -c "DROP DATABASE upgrade_path WITH (FORCE)" \
	-c "DROP DATABASE upgrade_refused WITH (FORCE)" -c "DROP DATABASE upgrade_mismatch WITH (FORCE)" >/dev/null
e2e_finish
