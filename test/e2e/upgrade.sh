# Upgrade path: install the oldest version, fill the catalogue, ALTER EXTENSION ... UPDATE
# to the newest, and compare every object with a fresh install of the newest version; the
# catalogue rows written before the upgrade must still be there.
# checks: 5
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

versions=$(q "SELECT string_agg(version, ' ' ORDER BY string_to_array(version, '.')::int[]) FROM pg_available_extension_versions WHERE name = 'pg_chameleon'")
oldest=${versions%% *}
newest=${versions##* }
echo "# versions: $versions"
check_eq "the newest version is the default version" "$newest" \
	"$(q "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_chameleon'")"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS upgraded" -c "DROP DATABASE IF EXISTS fresh" -c "CREATE DATABASE upgraded" -c "CREATE DATABASE fresh" >/dev/null
fill="SELECT chameleon.add_source('shop', \$\$
db_conn: {host: 127.0.0.1, port: 3306, user: repl, password: secret}
schema_mappings: {shop: shop_pg}
limit_tables: [shop.orders]
\$\$);
INSERT INTO sch_chameleon.t_replica_batch (i_id_source, t_binlog_name, i_binlog_position, i_rows)
SELECT i_id_source, 'mysql-bin.000001', 4, 10 FROM sch_chameleon.t_sources;
INSERT INTO sch_chameleon.t_error_log (i_id_source, v_table_name, t_error_message)
SELECT i_id_source, 'orders', 'a past error' FROM sch_chameleon.t_sources;"

psql -X -q -d upgraded -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_chameleon VERSION '$oldest'" >/dev/null
psql -X -q -d upgraded -v ON_ERROR_STOP=1 -c "$fill" >/dev/null
if psql -X -q -d upgraded -v ON_ERROR_STOP=1 -c "ALTER EXTENSION pg_chameleon UPDATE" >/dev/null; then
	ok "ALTER EXTENSION UPDATE from $oldest to $newest"
else
	not_ok "ALTER EXTENSION UPDATE from $oldest to $newest"
fi
check_eq "the upgraded version is $newest" "$newest" \
	"$(psql -X -tA -d upgraded -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_chameleon'")"

psql -X -q -d fresh -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_chameleon" >/dev/null
psql -X -q -d fresh -v ON_ERROR_STOP=1 -c "$fill" >/dev/null

describe=$(dirname "$0")/../lib/describe_catalogue.sql
psql -X -tA -d upgraded -f "$describe" >"$SANDBOX/run/upgraded.txt"
psql -X -tA -d fresh -f "$describe" >"$SANDBOX/run/fresh.txt"
differences=$(diff "$SANDBOX/run/fresh.txt" "$SANDBOX/run/upgraded.txt")
check_eq "an upgraded catalogue equals a fresh one ($(wc -l <"$SANDBOX/run/fresh.txt") objects compared)" "" "$differences"

rows="SELECT s.t_source, s.jsb_config::text, b.t_binlog_name, b.i_rows, e.t_error_message
FROM sch_chameleon.t_sources s JOIN sch_chameleon.t_replica_batch b USING (i_id_source)
JOIN sch_chameleon.t_error_log e USING (i_id_source)"
check_eq "catalogue rows survive the upgrade" "$(psql -X -tA -d fresh -c "$rows")" "$(psql -X -tA -d upgraded -c "$rows")"

psql -X -q -d postgres -c "DROP DATABASE upgraded" -c "DROP DATABASE fresh" >/dev/null
e2e_finish
