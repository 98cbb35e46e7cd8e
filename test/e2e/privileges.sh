# Sources of roles that are not superusers (doc/security.md): the workers run with the rights of the
# source's owner and no other, so the owner's triggers, domain checks and type overrides never run
# with more; the replay runs with session_replication_role = replica (ordinary triggers do not
# fire); init_replica replaces only the schemas the source created; system, extension and public
# schemas and schemas of other roles are refused and left untouched. Two granted roles: pv_owner,
# which may create schemas in the database, and pv_nocreate, which may not. Also the normal path:
# a replication round trip as pv_owner, a right lost on the way, and a transfer to another owner.
# checks: 66
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

DB=pv_shop
RT=pv_rt
SOURCES="pv_a_o pv_a_n pv_b_o pv_b_n pv_rt pv_later"
ROLES="pv_owner pv_nocreate pv_other"
# as ROLE SQL: one value from PostgreSQL, connected as ROLE
as() { PGUSER=$1 psql -X -q -v ON_ERROR_STOP=1 -tA -c "$2"; }
is_superuser() { q "SELECT rolsuper FROM pg_roles WHERE rolname = '$1'"; }

cleanup() {
	for source in $SOURCES; do
		q "SELECT chameleon.stop_replica('$source') FROM chameleon.sources WHERE source = '$source'" >/dev/null 2>&1
		q "SELECT chameleon.drop_source('$source') FROM chameleon.sources WHERE source = '$source'" >/dev/null
	done
	for role in $ROLES; do
		q "SELECT 1 FROM pg_roles WHERE rolname = '$role'" | grep -q 1 || continue
		q "DROP OWNED BY $role CASCADE" >/dev/null
		q "DROP ROLE $role" >/dev/null
	done
	mysql_root -e "DROP DATABASE IF EXISTS $DB; DROP DATABASE IF EXISTS $RT"
}
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
cleanup
signals_before=$(grep -c "terminated by signal" "$PG_LOG")

mysql_root <<SQL
CREATE DATABASE $DB;
CREATE TABLE $DB.items (id int PRIMARY KEY, name varchar(40), qty int);
CREATE TABLE $DB.raw (id int PRIMARY KEY, v int);
INSERT INTO $DB.items SELECT seq, concat('item ', seq), seq % 7 FROM $DB.seq_1_to_50;
INSERT INTO $DB.raw VALUES (1, 1), (2, 2), (3, 3);
CREATE DATABASE $RT;
CREATE TABLE $RT.orders (id int AUTO_INCREMENT PRIMARY KEY, customer varchar(40), amount decimal(10,2));
CREATE TABLE $RT.order_lines (id int AUTO_INCREMENT PRIMARY KEY, order_id int NOT NULL, qty int);
INSERT INTO $RT.orders (customer, amount) SELECT concat('c', seq), seq / 3 FROM $RT.seq_1_to_300;
INSERT INTO $RT.order_lines (order_id, qty) SELECT seq % 300 + 1, seq FROM $RT.seq_1_to_900;
SQL

# The roles, granted the API as doc/sql-api.md says; pv_other owns a schema with data.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE pv_owner LOGIN;
CREATE ROLE pv_nocreate LOGIN;
CREATE ROLE pv_other LOGIN;
GRANT USAGE ON SCHEMA chameleon TO pv_owner, pv_nocreate;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA chameleon TO pv_owner, pv_nocreate;
GRANT SELECT ON ALL TABLES IN SCHEMA chameleon TO pv_owner, pv_nocreate;
GRANT CREATE ON DATABASE $PG_DATABASE TO pv_owner;
CREATE SCHEMA pv_kept_nc AUTHORIZATION pv_nocreate;
CREATE SCHEMA pv_others AUTHORIZATION pv_other;
CREATE TABLE pv_others.precious AS SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3;
ALTER TABLE pv_others.precious OWNER TO pv_other;
SQL
as pv_owner "CREATE SCHEMA pv_keep_o" >/dev/null

# What each role puts in its own schema: a function that tries to make its caller a superuser and
# logs what happened, a trigger that calls it (items) and one that fails with it (raw), a domain
# whose CHECK calls it, and the tables keep_existing_schema loads into.
user_objects() { # user_objects SCHEMA
	cat <<SQL
CREATE TABLE $1.attempts (kind text, run_as text, outcome text);
CREATE FUNCTION $1.try_superuser(p_kind text) RETURNS boolean LANGUAGE plpgsql AS \$f\$
BEGIN
	EXECUTE format('ALTER ROLE %I SUPERUSER', current_user);
	INSERT INTO $1.attempts VALUES (p_kind, current_user, 'escalated');
	RETURN true;
EXCEPTION WHEN OTHERS THEN
	INSERT INTO $1.attempts VALUES (p_kind, current_user, SQLERRM);
	RETURN true;
END \$f\$;
CREATE FUNCTION $1.escalate() RETURNS trigger LANGUAGE plpgsql AS \$f\$
BEGIN
	PERFORM $1.try_superuser('trigger');
	RETURN NEW;
END \$f\$;
CREATE FUNCTION $1.escalate_or_fail() RETURNS trigger LANGUAGE plpgsql AS \$f\$
BEGIN
	EXECUTE format('ALTER ROLE %I SUPERUSER', current_user);
	RETURN NEW;
END \$f\$;
CREATE DOMAIN $1.qty_domain AS int CHECK ($1.try_superuser('domain'));
CREATE TABLE $1.items (id int PRIMARY KEY, name text, qty $1.qty_domain);
CREATE TRIGGER escalate BEFORE INSERT ON $1.items FOR EACH ROW EXECUTE FUNCTION $1.escalate();
CREATE TABLE $1.raw (id int PRIMARY KEY, v int);
CREATE TRIGGER escalate_or_fail BEFORE INSERT ON $1.raw FOR EACH ROW EXECUTE FUNCTION $1.escalate_or_fail();
SQL
}
PGUSER=pv_owner psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<<"$(user_objects pv_keep_o)"
PGUSER=pv_nocreate psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<<"$(user_objects pv_kept_nc)"

config() { # config SERVER_ID MAPPINGS [EXTRA YAML]
	printf 'db_conn: {host: 127.0.0.1, port: %s, user: %s, password: %s}\nschema_mappings: {%s}\nmy_server_id: %s\n%s' \
		"$MY_PORT" "$MY_REPL_USER" "$MY_REPL_PASSWORD" "$2" "$1" "${3:-}"
}
add() { # add ROLE SOURCE CONFIG
	as "$1" "SELECT chameleon.add_source('$2', \$\$$3\$\$)"
}

# (a) a trigger on the owner's own table, loaded with keep_existing_schema
for pair in pv_owner:pv_keep_o:pv_a_o:701 pv_nocreate:pv_kept_nc:pv_a_n:702; do
	IFS=: read -r role schema source id <<<"$pair"
	add "$role" "$source" "$(config "$id" "$DB: $schema" 'keep_existing_schema: true')" >/dev/null
	check_eq "$role: init_replica with keep_existing_schema loads its own tables" "" \
		"$(as "$role" "SELECT chameleon.init_replica('$source', wait => true)" 2>&1)"
	check_eq "$role: the trigger and the domain check ran, as $role, without privilege" \
		"domain|$role|must be superuser to alter superuser roles or change superuser attribute
trigger|$role|must be superuser to alter superuser roles or change superuser attribute" \
		"$(as "$role" "SELECT DISTINCT kind || '|' || run_as || '|' || outcome FROM $schema.attempts ORDER BY 1")"
	check_eq "$role: every row was copied through the trigger" "50" "$(as "$role" "SELECT count(*) FROM $schema.items")"
	check_eq "$role: a trigger that fails with the refusal discards its rows, with PostgreSQL's error" \
		"3|must be superuser to alter superuser roles or change superuser attribute" \
		"$(as "$role" "SELECT count(*) || '|' || min(reason) FROM chameleon.discarded_rows WHERE source = '$source' AND mysql_table = 'raw'")"
	check_eq "$role: is not a superuser after the copy" "f" "$(is_superuser "$role")"
done

# ... and the replay: session_replication_role = replica, so the ordinary trigger does not fire (the
# domain check, which is no trigger, still runs as the owner); an ENABLE ALWAYS trigger fires, as the
# owner, without privilege.
count_attempts() { as "$1" "SELECT count(*) FROM $2.attempts WHERE kind = '$3'"; }
declare -A triggers domains
for pair in pv_owner:pv_keep_o pv_nocreate:pv_kept_nc; do
	IFS=: read -r role schema <<<"$pair"
	triggers[$role]=$(count_attempts "$role" "$schema" trigger)
	domains[$role]=$(count_attempts "$role" "$schema" domain)
done
as pv_owner "SELECT chameleon.start_replica('pv_a_o')" >/dev/null
as pv_nocreate "SELECT chameleon.start_replica('pv_a_n')" >/dev/null
mysql_root $DB -e "INSERT INTO items VALUES (51, 'replayed', 1), (52, 'replayed', 2); INSERT INTO raw VALUES (4, 4)"
for pair in pv_owner:pv_keep_o:pv_a_o pv_nocreate:pv_kept_nc:pv_a_n; do
	IFS=: read -r role schema source <<<"$pair"
	check_eq "$role: the replay catches up" "t" "$(as "$role" "SELECT chameleon.wait_for_catchup('$source', '60 s')")"
	check_eq "$role: replayed rows arrive, and no ordinary trigger fired (session_replication_role = replica)" \
		"52|1|${triggers[$role]}" \
		"$(as "$role" "SELECT (SELECT count(*) FROM $schema.items) || '|' || (SELECT count(*) FROM $schema.raw)")|$(count_attempts "$role" "$schema" trigger)"
	check_eq "$role: the domain check ran in the replay, as $role" "t|$role" \
		"$(as "$role" "SELECT CASE WHEN count(*) > ${domains[$role]} THEN 't' END || '|' || string_agg(DISTINCT run_as, ',') FROM $schema.attempts WHERE kind = 'domain'")"
	as "$role" "ALTER TABLE $schema.items ENABLE ALWAYS TRIGGER escalate" >/dev/null
done
mysql_root $DB -e "INSERT INTO items VALUES (53, 'always', 3)"
for pair in pv_owner:pv_keep_o:pv_a_o pv_nocreate:pv_kept_nc:pv_a_n; do
	IFS=: read -r role schema source <<<"$pair"
	as "$role" "SELECT chameleon.wait_for_catchup('$source', '60 s')" >/dev/null
	check_eq "$role: an ENABLE ALWAYS trigger fires in the replay, as $role, without privilege" \
		"$((triggers[$role] + 1))|$role|must be superuser to alter superuser roles or change superuser attribute" \
		"$(as "$role" "SELECT count(*) || '|' || string_agg(DISTINCT run_as || '|' || outcome, ',') FROM $schema.attempts WHERE kind = 'trigger'")"
	check_eq "$role: is not a superuser after the replay" "f" "$(is_superuser "$role")"
	as "$role" "SELECT chameleon.stop_replica('$source')" >/dev/null
done

# (b) a domain whose CHECK calls the owner's function, used through type_override
add pv_owner pv_b_o "$(config 703 "$DB: pv_dom_o" 'limit_tables: [pv_shop.items]
type_override: {"int(11)": {override_to: pv_keep_o.qty_domain, override_tables: [pv_shop.items]}}')" >/dev/null
as pv_owner "DELETE FROM pv_keep_o.attempts" >/dev/null
as pv_owner "SELECT chameleon.init_replica('pv_b_o', wait => true)" >/dev/null
check_eq "pv_owner: init_replica creates the tables with the overriding domain" "pv_keep_o.qty_domain" \
	"$(as pv_owner "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'pv_dom_o.items'::regclass AND attname = 'qty'")"
check_eq "pv_owner: the domain check ran for each value, as pv_owner, without privilege" \
	"pv_owner|must be superuser to alter superuser roles or change superuser attribute" \
	"$(as pv_owner "SELECT string_agg(DISTINCT run_as || '|' || outcome, ',') FROM pv_keep_o.attempts WHERE kind = 'domain'")"
check_eq "pv_owner: the copy made the schema and tables its own" "pv_owner|pv_owner|53" \
	"$(q "SELECT nspowner::regrole || '|' || (SELECT relowner::regrole FROM pg_class WHERE oid = 'pv_dom_o.items'::regclass) || '|' || (SELECT count(*) FROM pv_dom_o.items) FROM pg_namespace WHERE nspname = 'pv_dom_o'")"
check_eq "pv_owner: is not a superuser" "f" "$(is_superuser pv_owner)"
add pv_nocreate pv_b_n "$(config 704 "$DB: pv_dom_n" 'limit_tables: [pv_shop.items]
type_override: {"int(11)": {override_to: pv_kept_nc.qty_domain, override_tables: [pv_shop.items]}}')" >/dev/null
check_fails "pv_nocreate: a copy that must create schemas fails with the right it lacks and whose it is" \
	'permission denied for database .*run with the rights of its owner, "pv_nocreate"' \
	as pv_nocreate "SELECT chameleon.init_replica('pv_b_n', wait => true)"
check_eq "pv_nocreate: nothing was created, and it is not a superuser" "0|0" \
	"$(q "SELECT count(*) || '|' || (SELECT rolsuper::int FROM pg_roles WHERE rolname = 'pv_nocreate') FROM pg_namespace WHERE nspname IN ('pv_dom_n') OR nspname LIKE '\_chameleon\_load\_%'")"

# (c) destination schemas that are not the source's
public_before=$(q "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
infos_before=$(q "SELECT count(*) FROM pg_class WHERE relnamespace = 'information_schema'::regnamespace")
for role in pv_owner pv_nocreate; do
	check_fails "$role: a schema of another role is refused, named with the fix" \
		'destination schema "pv_others" of source "pv_c" exists and was not created by the source.*HINT:  Map MySQL schema "pv_shop" to another schema' \
		add "$role" pv_c "$(config 710 "$DB: pv_others")"
	check_fails "$role: ... with keep_existing_schema too: it belongs to another role" \
		"destination schema \"pv_others\" of source \"pv_c\" belongs to role \"pv_other\", not to the source's owner \"$role\"" \
		add "$role" pv_c "$(config 710 "$DB: pv_others" 'keep_existing_schema: true')"
	check_fails "$role: information_schema is refused" \
		'destination schema "information_schema" of source "pv_c" is a system schema.*HINT:  Map MySQL schema' \
		add "$role" pv_c "$(config 710 "$DB: information_schema")"
	check_fails "$role: pg_catalog is refused" 'destination schema "pg_catalog" (of source "pv_c" is a system schema|is reserved)' \
		add "$role" pv_c "$(config 710 "$DB: pg_catalog" 'keep_existing_schema: true')"
	check_fails "$role: public is refused" 'destination schema "public" of source "pv_c" is refused' \
		add "$role" pv_c "$(config 710 "$DB: public" 'keep_existing_schema: true')"
	check_fails "$role: the extension's schemas are refused" \
		'destination schema "sch_chameleon" (of source "pv_c" belongs to the pg_chameleon extension|is reserved)' \
		add "$role" pv_c "$(config 710 "$DB: sch_chameleon" 'keep_existing_schema: true')"
	check_fails "$role: alter_source checks it too (keep_existing_schema turned off on a schema the source did not create)" \
		'destination schema "pv_kee?pt?_(o|nc)" of source "pv_a_[on]" exists and was not created by the source' \
		as "$role" "SELECT chameleon.alter_source(source, replace(\$\$$(config 799 "$DB: SCHEMA")\$\$, 'SCHEMA', schema_mappings ->> '$DB')) FROM chameleon.sources WHERE source IN ('pv_a_o', 'pv_a_n') AND owner = '$role'"
done
check_fails "load_config checks it too" 'destination schema "public" of source "pv_c" is refused' \
	as pv_owner "SELECT * FROM chameleon.load_config(\$\$sources:
  pv_c:
    db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD}
    schema_mappings: {$DB: public}
    my_server_id: 710
\$\$)"
# a schema that appears between add_source and init_replica is refused by init_replica
add pv_owner pv_later "$(config 706 "$DB: pv_later" 'limit_tables: [pv_shop.items]')" >/dev/null
q "CREATE SCHEMA pv_later AUTHORIZATION pv_other; CREATE TABLE pv_later.mine (id int); ALTER TABLE pv_later.mine OWNER TO pv_other; INSERT INTO pv_later.mine VALUES (1)" >/dev/null
check_fails "init_replica refuses a destination schema that another role created since" \
	'destination schema "pv_later" of source "pv_later" exists and was not created by the source' \
	as pv_owner "SELECT chameleon.init_replica('pv_later', wait => true)"
check_eq "the schemas of other roles and their rows are untouched" "pv_other|3|pv_other|1" \
	"$(q "SELECT (SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'pv_others') || '|' || (SELECT count(*) FROM pv_others.precious) || '|' || (SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'pv_later') || '|' || (SELECT count(*) FROM pv_later.mine)")"
check_eq "nothing was dropped from public or information_schema" "$public_before|$infos_before" \
	"$(q "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) || '|' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'information_schema'::regnamespace)")"
check_eq "no source pv_c was added" "0" "$(q "SELECT count(*) FROM chameleon.sources WHERE source = 'pv_c'")"

# a role may act on its own sources only
check_fails "another granted role may not initialise, alter or drop a source" \
	'permission denied to initialise source "pv_a_o".*belongs to role "pv_owner"' \
	as pv_nocreate "SELECT chameleon.init_replica('pv_a_o')"
check_fails "... nor alter it" 'permission denied to alter source "pv_a_o"' \
	as pv_nocreate "SELECT chameleon.alter_source('pv_a_o', \$\$$(config 701 "$DB: pv_kept_nc" 'keep_existing_schema: true')\$\$)"
check_fails "... nor drop it" 'permission denied to drop source "pv_a_o"' \
	as pv_nocreate "SELECT chameleon.drop_source('pv_a_o')"
check_fails "... nor verify it" 'permission denied to verify source "pv_a_o"' \
	as pv_nocreate "SELECT * FROM chameleon.verify_tables('pv_a_o')"
check_fails "only a superuser gives a source to another role" 'permission denied to change the owner of source "pv_a_o"' \
	as pv_owner "SELECT chameleon.alter_source_owner('pv_a_o', 'pv_nocreate')"

# The normal path: a replication round trip as pv_owner
add pv_owner pv_rt "$(config 705 "$RT: ${RT}_pg")" >/dev/null
as pv_owner "SELECT chameleon.init_replica('pv_rt', wait => true)" >/dev/null
as pv_owner "SELECT chameleon.start_replica('pv_rt')" >/dev/null
workers_as() { # the roles the workers of pv_rt connect as, once both run
	wait_until 30 "the workers of pv_rt to connect" bash -c "[ \"\$(psql -X -tA -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pg_chameleon % pv_rt'\")\" = 2 ]"
	q "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE application_name LIKE 'pg_chameleon % pv_rt'"
}
check_eq "the workers connect as the source's owner" "pv_owner" "$(workers_as)"
mysql_root $RT <<SQL
INSERT INTO orders (customer, amount) VALUES ('new', 1.5), ('newer', 2.5);
UPDATE orders SET amount = amount + 1 WHERE id % 10 = 0;
DELETE FROM order_lines WHERE id % 9 = 0;
INSERT INTO order_lines (order_id, qty) SELECT 301, seq FROM seq_1_to_20;
SQL
same() { # same TABLE LABEL
	local my pg
	my=$(mysql_root -N -B -e "SELECT count(*), md5(group_concat(concat_ws('|', id, $2) ORDER BY id)) FROM $RT.$1")
	pg=$(q "SELECT count(*) || E'\t' || md5(string_agg(concat_ws('|', id, $2), ',' ORDER BY id)) FROM ${RT}_pg.$1")
	check_eq "$3: table $1 is the same on both sides" "$my" "$pg"
}
mysql_root -e "SET GLOBAL group_concat_max_len = 1073741824"
check_eq "pv_owner: wait_for_catchup returns true" "t" "$(as pv_owner "SELECT chameleon.wait_for_catchup('pv_rt', '60 s')")"
same orders "customer, amount" "round trip as pv_owner"
same order_lines "order_id, qty" "round trip as pv_owner"
check_eq "pv_owner verifies its source, reading the replica with its own rights" "t" \
	"$(as pv_owner "SELECT bool_and(state = 'equal') FROM chameleon.verify_tables('pv_rt')")"
check_eq "the replicated schema and tables belong to pv_owner" "pv_owner" \
	"$(q "SELECT string_agg(DISTINCT relowner::regrole::text, ',') FROM pg_class WHERE relnamespace = '${RT}_pg'::regnamespace")"

# a right the owner loses stops the source with a clear reason
q "ALTER TABLE ${RT}_pg.order_lines OWNER TO pv_other" >/dev/null
mysql_root $RT -e "INSERT INTO order_lines (order_id, qty) VALUES (1, 1)"
wait_until 60 "the source to stop in error" bash -c "[ \"\$(psql -X -tA -c \"SELECT status FROM chameleon.show_status('pv_rt')\")\" = error ]"
check_match "a source whose owner lost a right stops with the right and the owner in its reason" \
	'permission denied for table order_lines.*run with the rights of its owner, "pv_owner"' \
	"$(q "SELECT status_reason FROM chameleon.show_status('pv_rt')")"
q "ALTER TABLE ${RT}_pg.order_lines OWNER TO pv_owner" >/dev/null
wait_until 30 "the workers of pv_rt to exit" bash -c "[ \"\$(psql -X -tA -c \"SELECT count(*) FROM chameleon.workers WHERE source = 'pv_rt'\")\" = 0 ]"

# a superuser gives the source to pv_nocreate: its schema and tables go with it
q "SELECT chameleon.alter_source_owner('pv_rt', 'pv_nocreate')" >/dev/null
check_eq "alter_source_owner gives the source, its schema and its tables to the new owner" "pv_nocreate|pv_nocreate|pv_nocreate" \
	"$(q "SELECT (SELECT owner FROM chameleon.sources WHERE source = 'pv_rt') || '|' || (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = '${RT}_pg') || '|' || (SELECT string_agg(DISTINCT relowner::regrole::text, ',') FROM pg_class WHERE relnamespace = '${RT}_pg'::regnamespace)")"
check_fails "the previous owner may no longer run it" 'permission denied to enable source "pv_rt"' \
	as pv_owner "SELECT chameleon.enable_replica('pv_rt')"
q "ALTER ROLE pv_nocreate NOLOGIN" >/dev/null
q "SELECT chameleon.enable_replica('pv_rt')" >/dev/null
check_fails "an owner that cannot log in cannot run workers" 'role "pv_nocreate", the owner of source "pv_rt", cannot log in' \
	q "SELECT chameleon.start_replica('pv_rt')"
q "ALTER ROLE pv_nocreate LOGIN" >/dev/null
q "SELECT chameleon.enable_replica('pv_rt')" >/dev/null
as pv_nocreate "SELECT chameleon.start_replica('pv_rt')" >/dev/null
mysql_root $RT -e "INSERT INTO orders (customer, amount) VALUES ('after transfer', 9)"
check_eq "pv_nocreate: wait_for_catchup returns true" "t" "$(as pv_nocreate "SELECT chameleon.wait_for_catchup('pv_rt', '60 s')")"
same orders "customer, amount" "after the transfer"
same order_lines "order_id, qty" "after the transfer"
check_eq "the workers now connect as pv_nocreate" "pv_nocreate" "$(workers_as)"
as pv_nocreate "SELECT chameleon.stop_replica('pv_rt')" >/dev/null

# (d) no process crashed
check_eq "the server log has no new \"terminated by signal\" line" "$signals_before" "$(grep -c "terminated by signal" "$PG_LOG")"
check_eq "no role became a superuser" "false,false,false" \
	"$(q "SELECT string_agg(rolsuper::text, ',') FROM pg_roles WHERE rolname IN ('pv_owner', 'pv_nocreate', 'pv_other')")"

cleanup
e2e_finish
