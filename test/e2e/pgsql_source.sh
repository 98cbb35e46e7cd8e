# A source of type pgsql: init_replica copies another PostgreSQL database over libpq, every
# table in one exported snapshot (checked by an invariant kept by concurrent transactions across
# two tables copied by different workers), with types, enum types, defaults, identities,
# generated columns, comments, constraints, indexes and foreign keys carried over. The source
# is not replicated continuously, and says so.
# checks: 20
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

SRC=pg_src
SRCDB=chameleon_pgsrc
q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
q "SELECT chameleon.drop_source('$SRC') FROM chameleon.sources WHERE source = '$SRC'" >/dev/null
q "DROP SCHEMA IF EXISTS app_copy CASCADE" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SRCDB" -c "CREATE DATABASE $SRCDB" >/dev/null
src() { psql -X -q -v ON_ERROR_STOP=1 -tA -d $SRCDB -c "$1"; }
psql -X -q -v ON_ERROR_STOP=1 -d $SRCDB >/dev/null <<'SQL'
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TABLE app.accounts (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner text NOT NULL UNIQUE,
	balance numeric(12,2) NOT NULL DEFAULT 0 CHECK (balance >= -100000),
	mood app.mood,
	moods app.mood[],
	tags text[],
	doc jsonb,
	created timestamptz(3) DEFAULT now(),
	photo bytea,
	score double precision,
	span interval,
	quota app.positive,
	"Mixed Case" varchar(20) DEFAULT 'x''y',
	balance_cents bigint GENERATED ALWAYS AS ((balance * 100)::bigint) STORED);
COMMENT ON TABLE app.accounts IS 'who has what';
COMMENT ON COLUMN app.accounts.owner IS 'login name';
CREATE INDEX accounts_lower_owner ON app.accounts (lower(owner));
CREATE INDEX accounts_rich ON app.accounts (balance DESC) WHERE balance > 1000;
CREATE TABLE app.ledger (id serial PRIMARY KEY, account_id bigint NOT NULL REFERENCES app.accounts ON DELETE CASCADE,
	amount numeric(12,2) NOT NULL, at timestamp(3) DEFAULT now());
CREATE INDEX ledger_account ON app.ledger (account_id);
CREATE TABLE app.events (id int NOT NULL, at date NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app.skipped (id int);
INSERT INTO app.accounts (owner, balance, mood, moods, tags, doc, created, photo, score, span, quota)
SELECT 'user' || i, 1000 + i % 500, (ARRAY['sad', 'ok', 'happy'])[i % 3 + 1]::app.mood,
	CASE WHEN i % 7 = 0 THEN ARRAY['ok', 'sad']::app.mood[] END, ARRAY['t' || i % 5, 'a "b", c\d'],
	jsonb_build_object('i', i, 'emoji', '🐘'), timestamptz '2026-01-02 03:04:05.678+02' + i * interval '1 min',
	decode(md5(i::text), 'hex'), i / 3.0, i * interval '1 s', i % 9 + 1
FROM generate_series(1, 100000) i;
INSERT INTO app.events SELECT i, date '2025-06-01' + i % 400, 'event ' || i FROM generate_series(1, 1000) i;
SQL
total=$(src "SELECT sum(balance) FROM app.accounts")

q "SELECT chameleon.add_source('$SRC', \$\$
type: pgsql
db_conn: {host: $PGHOST, user: postgres, database: $SRCDB, port: $PG_PORT}
schema_mappings: {app: app_copy}
skip_tables: [app.skipped]
copy_parallel_jobs: 2
\$\$)" >/dev/null

# transfers into the ledger while the copy runs: balance + ledger stays equal to the total
writer() {
	for i in $(seq 1 300); do
		echo "BEGIN; INSERT INTO app.ledger (account_id, amount) VALUES ($((i * 331 % 100000 + 1)), 5);
			UPDATE app.accounts SET balance = balance - 5 WHERE id = $((i * 331 % 100000 + 1)); COMMIT;"
	done | psql -X -q -d $SRCDB >/dev/null
}
writer &
writer_pid=$!
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
wait $writer_pid
check_eq "the copy is one snapshot: balances plus ledger equal the total" "$total" \
	"$(q "SELECT (SELECT sum(balance) FROM app_copy.accounts) + (SELECT coalesce(sum(amount), 0) FROM app_copy.ledger)")"
check_eq "the source is initialised and says it does not replicate" \
	"initialised|a pgsql source is copied by init_replica only; it is not replicated continuously" \
	"$(q "SELECT status || '|' || status_reason FROM chameleon.show_status('$SRC')")"

# without concurrent writes every row is equal
q "SELECT chameleon.init_replica('$SRC', wait => true)" >/dev/null
for table in accounts ledger events; do
	check_eq "table $table: every row equal" "$(src "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY id)) FROM app.$table t")" \
		"$(q "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY id)) FROM app_copy.$table t")"
done
columns="SELECT string_agg(c.relname || '.' || a.attname || ' ' || replace(format_type(a.atttypid, a.atttypmod), 'app_copy.', 'app.')
	|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || CASE WHEN a.attidentity <> '' THEN ' identity' ELSE '' END
	|| CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END, ', ' ORDER BY c.relname, a.attnum)
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = \$1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped"
expected_columns=$(src "PREPARE c(text) AS $columns; EXECUTE c('app')" | sed -e 's/accounts.quota app.positive/accounts.quota integer/' \
	-e 's/ledger.id integer not null/ledger.id integer not null identity/' -e 's/, skipped.id integer//')
check_eq "columns and types carried over (domain as its base type, serial as identity)" "$expected_columns" \
	"$(q "PREPARE c(text) AS $columns; EXECUTE c('app_copy')")"
check_eq "enum type carried over" "sad,ok,happy" \
	"$(q "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'app_copy.mood'::regtype")"
check_eq "defaults carried over" "0|now()|'x''y'::character varying" \
	"$(q "SELECT string_agg(pg_get_expr(d.adbin, d.adrelid), '|' ORDER BY a.attnum) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'app_copy.accounts'::regclass AND a.attgenerated = ''")"
check_eq "comments carried over" "who has what|login name" \
	"$(q "SELECT obj_description('app_copy.accounts'::regclass, 'pg_class') || '|' || col_description('app_copy.accounts'::regclass, 2)")"
constraints="SELECT string_agg(conname || ' ' || contype::text || ' ' || convalidated || ' ' || replace(pg_get_constraintdef(k.oid), 'app_copy.', 'app.'), ', ' ORDER BY conname)
	FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = \$1 AND contype <> 'n' AND conrelid <> 0"
check_eq "constraints and foreign keys carried over, valid" "$(src "PREPARE k(text) AS $constraints; EXECUTE k('app')")" \
	"$(q "PREPARE k(text) AS $constraints; EXECUTE k('app_copy')")"
indexes="SELECT string_agg(replace(indexdef, 'app_copy.', 'app.'), ', ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = \$1 AND tablename NOT LIKE 'events_%'"
check_eq "indexes carried over" "$(src "PREPARE i(text) AS $indexes; EXECUTE i('app')")" \
	"$(q "PREPARE i(text) AS $indexes; EXECUTE i('app_copy')")"
check_eq "identities continue after the copied values" "100001" "$(q "SELECT nextval(pg_get_serial_sequence('app_copy.accounts', 'id'))")"
check_eq "skip_tables is honoured" "" "$(q "SELECT to_regclass('app_copy.skipped')")"
check_eq "init_progress shows the tables" "app.accounts copied 100000, app.events copied 1000, app.ledger copied 300" \
	"$(q "SELECT string_agg(mysql_table || ' ' || state || ' ' || rows_copied, ', ' ORDER BY mysql_table) FROM chameleon.init_progress WHERE source = '$SRC'")"

check_fails "start_replica says a pgsql source cannot replicate" 'source "pg_src" of type pgsql cannot replicate' \
	q "SELECT chameleon.start_replica('$SRC')"
check_fails "sync_tables says it does not support pgsql sources" 'do not support sources of type pgsql' \
	q "SELECT chameleon.sync_tables('$SRC', '{app.accounts}')"

# errors that say what to do
bad_source() { # bad_source NAME DATABASE MAPPINGS
	q "SELECT chameleon.add_source('$1', \$\$
type: pgsql
db_conn: {host: $PGHOST, user: postgres, database: $2, port: $PG_PORT}
schema_mappings: {$3}
\$\$)" >/dev/null
}
bad_source pg_bad_db no_such_db "app: app_bad_db"
check_fails "a database that does not exist is named" 'could not connect to the PostgreSQL source at "[^"]*/no_such_db".*database "no_such_db" does not exist' \
	q "SELECT chameleon.init_replica('pg_bad_db', wait => true)"
bad_source pg_bad_schema $SRCDB "app: app_bad_schema, nothere: nothere_copy"
check_fails "a schema the source does not have is named" 'schema "nothere" of "schema_mappings" does not exist in the PostgreSQL source' \
	q "SELECT chameleon.init_replica('pg_bad_schema', wait => true)"
check_eq "a failed copy leaves no schema behind" "0" "$(q "SELECT count(*) FROM pg_namespace WHERE nspname IN ('app_bad_schema', 'nothere_copy') OR nspname LIKE '_chameleon_load_%'")"
check_eq "a failed source is in error with the reason" "error" "$(q "SELECT status FROM chameleon.show_status('pg_bad_schema')")"
q "SELECT chameleon.drop_source(s) FROM unnest(ARRAY['pg_bad_db', 'pg_bad_schema']) s" >/dev/null

q "SELECT chameleon.drop_source('$SRC')" >/dev/null
q "DROP SCHEMA app_copy CASCADE" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $SRCDB" >/dev/null
e2e_finish
