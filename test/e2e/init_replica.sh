# chameleon.init_replica end to end against the sandbox MariaDB: every type of doc/types.md
# copied value by value, zero dates, NUL bytes, keys, discarded rows, type_override, table
# filters, grant_select_to, re-runs and failures, progress, wait => false, parallel copy jobs
# and a MyISAM table. Uses MariaDB schemas and sources named it_*; removes them at the end.
# checks: 79
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/all_types.sh"

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null

MY_SCHEMAS="it_types it_zero it_nul it_keys it_bad it_filter it_filter2 it_rerun it_async it_par it_myisam"
SOURCES="it_types it_zero_null it_zero_err it_nul_strip it_nul_keep it_keys it_bad it_filter it_rerun it_async it_par it_myisam"
PG_SCHEMAS="it_types_pg it_zero_null_pg it_zero_err_pg it_nul_strip_pg it_nul_keep_pg it_keys_pg it_bad_pg
	it_filter_pg it_filter2_pg it_rerun_pg it_async_pg it_par_pg it_myisam_pg it_check"

cleanup() {
	for source in $SOURCES; do
		q "SELECT chameleon.drop_source('$source') FROM chameleon.sources WHERE source = '$source'" >/dev/null 2>&1
	done
	for schema in $PG_SCHEMAS; do q "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; done
	q "DROP ROLE IF EXISTS it_reader" >/dev/null 2>&1
	for schema in $MY_SCHEMAS; do mysql_root -e "DROP DATABASE IF EXISTS $schema"; done
}
cleanup

# add_src NAME MAPPINGS [extra yaml]: a source of the sandbox MariaDB, with its own my_server_id.
server_id=500
add_src() {
	server_id=$((server_id + 1))
	add_mysql_source "$1" "$2" "$server_id" "${3:-}" ", connect_timeout: 5"
}
init() { q "SELECT chameleon.init_replica('$1', wait => true)" >/dev/null; }
status() { q "SELECT status FROM chameleon.show_status('$1')"; }
my() { mysql_root -N -B --raw -e "SET time_zone = '+00:00'; $1"; }

q "CREATE SCHEMA it_check; CREATE TABLE it_check.my (col text, id int, v text)" >/dev/null

###############################################################################
# Every type of the map
###############################################################################
# column | MySQL type | comparison kind | PostgreSQL type (format_type) per doc/types.md
COLUMNS=$(all_types_columns it_types_pg)

create=""
while IFS='|' read -r col type kind pgtype; do create+="${create:+, }\`$col\` $type"; done <<<"$COLUMNS"
mysql_root <<SQL
CREATE DATABASE it_types CHARACTER SET utf8mb4;
CREATE TABLE it_types.alltypes ($create) COMMENT 'every type';
$(all_types_rows it_types.alltypes)
CREATE TABLE it_types.withdefaults (
	id int AUTO_INCREMENT PRIMARY KEY,
	s varchar(10) NOT NULL DEFAULT 'it''s' COMMENT 'a comment with ''quotes'' é',
	n int DEFAULT -12,
	d decimal(5,2) DEFAULT 1.50,
	created datetime DEFAULT CURRENT_TIMESTAMP,
	stamp timestamp(3) NULL DEFAULT '2020-01-02 03:04:05.000',
	flag bit(1) DEFAULT b'1',
	bits bit(4) DEFAULT b'101',
	st set('a','b') DEFAULT 'a,b',
	e enum('x','y') DEFAULT 'y',
	bin varbinary(4) DEFAULT 'abc'
) COMMENT 'table comment';
INSERT INTO it_types.withdefaults () VALUES ();
CREATE TABLE it_types.yearzero (id int PRIMARY KEY, y year, d date, t time);
INSERT INTO it_types.yearzero VALUES (1, 0, '0000-03-04', '-838:59:59'), (2, 2000, '0001-01-01', '838:59:59');
SQL

add_src it_types "it_types: it_types_pg"
init it_types
check_eq "every type: status initialised" "initialised" "$(status it_types)"

# The column types, in table order.
expected_types="" actual_types=""
while IFS='|' read -r col type kind pgtype; do expected_types+="$col $pgtype; "; done <<<"$COLUMNS"
actual_types=$(q "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), '; ' ORDER BY attnum) || '; '
	FROM pg_attribute WHERE attrelid = 'it_types_pg.alltypes'::regclass AND attnum > 0 AND NOT attisdropped")
check_eq "every type: PostgreSQL column types are those of doc/types.md" "$expected_types" "$actual_types"

# Every value: the MySQL canonical text of each column, compared in PostgreSQL.
my_select=""
while IFS='|' read -r col type kind pgtype; do
	expr=$(my_expr "$kind")
	my_select+="${my_select:+ UNION ALL }SELECT '$col', id, IFNULL(${expr//\{c\}/\`$col\`}, '\\\\N') FROM it_types.alltypes"
done <<<"$COLUMNS"
my "$my_select" | psql -X -q -v ON_ERROR_STOP=1 -c "COPY it_check.my FROM STDIN"
check_eq "every type: MySQL gave 4 rows of every column" "$(($(wc -l <<<"$COLUMNS") * 4))" \
	"$(q "SELECT count(*) FROM it_check.my")"
compare=""
while IFS='|' read -r col type kind pgtype; do
	pe=$(pg_expr "$kind")
	# a row missing in PostgreSQL is a mismatch, whatever MySQL's value (NULL included)
	compare+="${compare:+ UNION ALL }SELECT '$col' AS col, m.id, $(norm_expr "$kind") AS mysql,
		CASE WHEN t.id IS NULL THEN 'the row is missing in PostgreSQL' ELSE ${pe//\{c\}/t.\"$col\"} END AS pg
		FROM it_check.my m LEFT JOIN it_types_pg.alltypes t USING (id) WHERE m.col = '$col'"
done <<<"$COLUMNS"
mismatches=$(q "SELECT string_agg(format('%s id=%s: mysql %s, pg %s', col, id, coalesce(mysql, 'NULL'),
	coalesce(pg, 'NULL')), E'\n' ORDER BY col, id) FROM ($compare) c WHERE mysql IS DISTINCT FROM pg")
check_eq "every type: every value equals MySQL's (min, max, NULL and ordinary rows)" "" "$mismatches"
while IFS='|' read -r col type kind pgtype; do
	bad=$(grep -E "^$col id=" <<<"$mismatches" | head -4 | tr '\n' ';')
	[ -n "$bad" ] && not_ok "every type: column $col ($type) keeps its values" "$bad"
done <<<"$COLUMNS"

check_eq "time keeps sign and hours beyond 24h (text form)" "-838:59:59|838:59:59|100:00:00|-00:00:00.5" \
	"$(q "SELECT (SELECT tm0 FROM it_types_pg.alltypes WHERE id = 1) || '|' || (SELECT tm0 FROM it_types_pg.alltypes WHERE id = 2)
	|| '|' || (SELECT tm0 FROM it_types_pg.alltypes WHERE id = 4) || '|' || (SELECT tm1 FROM it_types_pg.alltypes WHERE id = 4)")"
check_eq "bit(1) is boolean, bit(10) keeps b'101' as 0000000101" "true|0000000101" \
	"$(q "SELECT b1 || '|' || b10 FROM it_types_pg.alltypes WHERE id = 4")"
check_eq "float keeps the IEEE single value 3.1415927 (shortest round trip)" "3.1415927" \
	"$(q "SELECT f FROM it_types_pg.alltypes WHERE id = 4")"
check_eq "set is text[] in definition order, the empty set is {}" "{a,c}|{}" \
	"$(q "SELECT (SELECT st::text FROM it_types_pg.alltypes WHERE id = 4) || '|' || (SELECT st::text FROM it_types_pg.alltypes WHERE id = 1)")"
check_eq "enum type has the labels in MySQL order" "{small,medium,large}" \
	"$(q "SELECT enum_range(NULL::it_types_pg.enum_alltypes_e)::text")"
check_eq "inet6: IPv4-mapped stays ::ffff:1.2.3.4" "::ffff:1.2.3.4" "$(q "SELECT ip FROM it_types_pg.alltypes WHERE id = 4")"
check_eq "year 0, date in year 0 (0001-03-04 BC), time limits" "0|0001-03-04 BC|-838:59:59;2000|0001-01-01|838:59:59" \
	"$(q "SELECT string_agg(y || '|' || d || '|' || t, ';' ORDER BY id) FROM it_types_pg.yearzero")"
check_eq "the generated columns are copied as plain columns" "NEVER|NEVER" \
	"$(q "SELECT string_agg(is_generated, '|' ORDER BY column_name) FROM information_schema.columns
		WHERE table_schema = 'it_types_pg' AND table_name = 'alltypes' AND column_name IN ('gen', 'genv')")"
check_eq "the table comment is carried" "every type" "$(q "SELECT obj_description('it_types_pg.alltypes'::regclass)")"

# Defaults and comments (MariaDB keeps comments in utf8mb3: no emoji there).
defaults=$(q "SELECT string_agg(column_name || '=' || coalesce(column_default, '-'), ' ' ORDER BY ordinal_position)
	FROM information_schema.columns WHERE table_schema = 'it_types_pg' AND table_name = 'withdefaults' AND column_name <> 'id'")
check_eq "defaults are translated as doc/types.md says" \
	"s='it''s'::character varying n='-12'::integer d=1.50 created=CURRENT_TIMESTAMP stamp='2020-01-02 03:04:05+00'::timestamp with time zone flag=true bits='0101'::\"bit\" st='{a,b}'::text[] e='y'::it_types_pg.enum_withdefaults_e bin='\\x616263'::bytea" \
	"$defaults"
check_eq "AUTO_INCREMENT is an identity column" "YES BY DEFAULT" \
	"$(q "SELECT is_identity || ' ' || identity_generation FROM information_schema.columns
		WHERE table_schema = 'it_types_pg' AND table_name = 'withdefaults' AND column_name = 'id'")"
check_eq "column comments are carried" "a comment with 'quotes' é" \
	"$(q "SELECT col_description('it_types_pg.withdefaults'::regclass, 2)")"
check_eq "the table comment of withdefaults" "table comment" "$(q "SELECT obj_description('it_types_pg.withdefaults'::regclass)")"
check_eq "NOT NULL is kept on a non-date column" "NO" \
	"$(q "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'it_types_pg' AND table_name = 'withdefaults' AND column_name = 's'")"
check_eq "the defaulted row's values" "1|it's|-12|1.50|t|0101|{a,b}|y|\\x616263" \
	"$(q "SELECT concat_ws('|', id, s, n, d, flag, bits, st, e, bin) FROM it_types_pg.withdefaults")"
check_eq "the identity sequence is set past the copied maximum" "2" \
	"$(q "INSERT INTO it_types_pg.withdefaults (s) VALUES ('new') RETURNING id")"

###############################################################################
# Zero dates
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE it_zero;
SET SESSION sql_mode = '';
CREATE TABLE it_zero.z (id int PRIMARY KEY, d date NOT NULL, dt datetime(3) NOT NULL, ts timestamp NOT NULL DEFAULT '2000-01-01 00:00:00');
INSERT INTO it_zero.z VALUES (1, '2020-01-02', '2020-01-02 03:04:05.678', '2020-01-02 03:04:05'),
	(2, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
	(3, '2020-00-15', '2020-05-00 10:00:00', '2021-01-01 00:00:00'),
	(4, '2021-12-31', '2021-12-31 23:59:59.999', '2021-12-31 23:59:59');
SQL
add_src it_zero_null "it_zero: it_zero_null_pg"
init it_zero_null
check_eq "zero_dates null: zero dates and zero month/day become NULL" \
	"1|2020-01-02|2020-01-02 03:04:05.678|2020-01-02 03:04:05+00;2|-|-|-;3|-|-|2021-01-01 00:00:00+00;4|2021-12-31|2021-12-31 23:59:59.999|2021-12-31 23:59:59+00" \
	"$(q "SET TimeZone = 'UTC'; SELECT string_agg(concat_ws('|', id, coalesce(d::text, '-'), coalesce(dt::text, '-'), coalesce(ts::text, '-')), ';' ORDER BY id) FROM it_zero_null_pg.z")"
check_eq "zero_dates null: NOT NULL is relaxed on the date columns" "d=YES dt=YES id=NO ts=YES" \
	"$(q "SELECT string_agg(column_name || '=' || is_nullable, ' ' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'it_zero_null_pg' AND table_name = 'z'")"
check_eq "zero_dates null: nothing discarded" "0" "$(q "SELECT count(*) FROM chameleon.discarded_rows WHERE source = 'it_zero_null'")"

add_src it_zero_err "it_zero: it_zero_err_pg" "zero_dates: error"
init it_zero_err 2>/dev/null
check_eq "zero_dates error: the init completes" "initialised" "$(status it_zero_err)"
check_eq "zero_dates error: the other rows are copied" "1,4" "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM it_zero_err_pg.z")"
check_eq "zero_dates error: NOT NULL is kept" "d=NO dt=NO id=NO ts=NO" \
	"$(q "SELECT string_agg(column_name || '=' || is_nullable, ' ' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'it_zero_err_pg' AND table_name = 'z'")"
check_eq "zero_dates error: the zero-date rows are in discarded_rows with their key and a reason" \
	"it_zero.z id=2 zero date;it_zero.z id=3 zero date" \
	"$(q "SELECT string_agg(mysql_schema || '.' || mysql_table || ' ' || row_key || ' ' || substring(reason from 'zero date'), ';' ORDER BY row_key) FROM chameleon.discarded_rows WHERE source = 'it_zero_err'")"
check_eq "zero_dates error: show_status counts the discarded rows" "2" \
	"$(q "SELECT discarded_rows FROM chameleon.show_status('it_zero_err')")"
check_eq "zero_dates error: init_progress counts them on the table" "copied 2 2" \
	"$(q "SELECT state || ' ' || rows_copied || ' ' || discarded_rows FROM chameleon.init_progress WHERE source = 'it_zero_err'")"
check_match "zero_dates error: init_replica(wait => true) gives a NOTICE about discarded rows" "discarded 2 rows" \
	"$(PGOPTIONS='-c client_min_messages=notice' psql -X -q -c "SELECT chameleon.init_replica('it_zero_err', wait => true)" 2>&1)"

###############################################################################
# NUL bytes in text
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE it_nul;
CREATE TABLE it_nul.n (id int PRIMARY KEY, t text, v varchar(20), b varbinary(10));
INSERT INTO it_nul.n VALUES (1, 'clean', 'clean', 0x00), (2, CONCAT('a', CHAR(0), 'b'), CONCAT(CHAR(0), 'x', CHAR(0)), 0x610062),
	(3, 'also clean', 'ok', NULL);
SQL
add_src it_nul_strip "it_nul: it_nul_strip_pg"
init it_nul_strip
check_eq "strip_nul true: NUL bytes are removed from text, bytea keeps them" "1|clean|clean|\\x00;2|ab|x|\\x610062;3|also clean|ok|" \
	"$(q "SELECT string_agg(concat_ws('|', id, t, v, coalesce(b::text, '')), ';' ORDER BY id) FROM it_nul_strip_pg.n")"
add_src it_nul_keep "it_nul: it_nul_keep_pg" "strip_nul: false"
init it_nul_keep 2>/dev/null
check_eq "strip_nul false: the other rows are copied" "1,3" "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM it_nul_keep_pg.n")"
check_match "strip_nul false: the NUL row is discarded with a reason" "^id=2 .*NUL" \
	"$(q "SELECT row_key || ' ' || reason FROM chameleon.discarded_rows WHERE source = 'it_nul_keep'")"

###############################################################################
# Keys
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE it_keys;
CREATE TABLE it_keys.nokey (a int, b varchar(10));
INSERT INTO it_keys.nokey VALUES (1, 'x'), (1, 'x'), (NULL, NULL);
CREATE TABLE it_keys.composite (a int, b varchar(10), c int, PRIMARY KEY (b, a));
INSERT INTO it_keys.composite VALUES (1, 'x', 1), (2, 'x', 2), (1, 'y', 3);
CREATE TABLE it_keys.uniq (id int NULL, code varchar(10) NOT NULL, v int, UNIQUE KEY code_u (code), KEY v_k (v));
INSERT INTO it_keys.uniq VALUES (NULL, 'a', 1), (NULL, 'b', 1);
SQL
add_src it_keys "it_keys: it_keys_pg"
init it_keys
check_eq "a table without a key is copied (duplicates and NULLs included)" "3 2" \
	"$(q "SELECT count(*) || ' ' || count(DISTINCT (a, b)) FROM it_keys_pg.nokey")"
check_eq "show_status: 1 table without a key, 2 replicated" "1 2" \
	"$(q "SELECT tables_without_key || ' ' || tables_replicated FROM chameleon.show_status('it_keys')")"
check_eq "the replication keys in t_replica_tables" "composite={b,a} nokey={} uniq={code}" \
	"$(q "SELECT string_agg(v_table_name || '=' || v_table_pkey::text, ' ' ORDER BY v_table_name) FROM sch_chameleon.t_replica_tables WHERE i_id_source = (SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = 'it_keys')")"
check_eq "the composite primary key in PostgreSQL" "PRIMARY KEY (b, a)" \
	"$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'it_keys_pg.composite'::regclass AND contype = 'p'")"
check_eq "the unique-only table keeps its unique key and index" "2 unique=1" \
	"$(q "SELECT count(*) || ' unique=' || (SELECT count(*) FROM pg_index WHERE indrelid = 'it_keys_pg.uniq'::regclass AND indisunique) FROM it_keys_pg.uniq")"
check_eq "the secondary index is created" "2" "$(q "SELECT count(*) FROM pg_index WHERE indrelid = 'it_keys_pg.uniq'::regclass")"

###############################################################################
# Rows PostgreSQL refuses, and type_override
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE it_bad;
CREATE TABLE it_bad.narrow (id int PRIMARY KEY, s varchar(5), flag tinyint(1), state enum('active','inactive'));
INSERT INTO it_bad.narrow SELECT seq, IF(seq IN (1, 777, 2999, 3000), 'abcde', 'ab'), seq % 3,
	IF(seq % 2, 'active', 'inactive') FROM it_bad.seq_1_to_3000;
SQL
add_src it_bad "it_bad: it_bad_pg" '
type_override:
  "varchar(5)": {override_to: character varying(2), override_tables: [it_bad.narrow]}
  "tinyint(1)": {override_to: boolean, override_tables: ["*"]}
  "enum('"'"'active'"'"','"'"'inactive'"'"')": {override_to: character varying(8), override_tables: [it_bad.narrow]}'
init it_bad 2>/dev/null
check_eq "refused rows: the init completes" "initialised" "$(status it_bad)"
check_eq "refused rows: exactly the 4 bad rows are discarded, each with its key" "id=1,id=2999,id=3000,id=777" \
	"$(q "SELECT string_agg(row_key, ',' ORDER BY row_key) FROM chameleon.discarded_rows WHERE source = 'it_bad'")"
check_match "refused rows: the reason is PostgreSQL's error" "too long for type character varying\(2\)" \
	"$(q "SELECT min(reason) FROM chameleon.discarded_rows WHERE source = 'it_bad'")"
check_match "refused rows: the row data is kept" "abcde" "$(q "SELECT row_data FROM chameleon.discarded_rows WHERE source = 'it_bad' AND row_key = 'id=777'")"
check_eq "refused rows: every other row is copied" "2996 0" \
	"$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE id IN (1, 777, 2999, 3000)) FROM it_bad_pg.narrow")"
check_eq "type_override: the column types" "flag boolean; id integer; s character varying(2); state character varying(8)" \
	"$(q "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), '; ' ORDER BY attname) FROM pg_attribute WHERE attrelid = 'it_bad_pg.narrow'::regclass AND attnum > 0")"
check_eq "type_override: tinyint(1) 0 -> false, 1 and 2 -> true" "2:true 3:false 4:true" \
	"$(q "SELECT string_agg(id || ':' || flag, ' ' ORDER BY id) FROM it_bad_pg.narrow WHERE id IN (2, 3, 4)")"
check_eq "type_override: the overridden enum keeps its labels, no enum type is made" "active inactive 0" \
	"$(q "SELECT (SELECT state FROM it_bad_pg.narrow WHERE id = 3) || ' ' || (SELECT state FROM it_bad_pg.narrow WHERE id = 4) || ' ' || (SELECT count(*) FROM pg_type WHERE typnamespace = 'it_bad_pg'::regnamespace AND typtype = 'e')")"

###############################################################################
# limit_tables, skip_tables, grant_select_to
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE it_filter; CREATE DATABASE it_filter2;
CREATE TABLE it_filter.a (id int PRIMARY KEY); CREATE TABLE it_filter.b (id int PRIMARY KEY); CREATE TABLE it_filter.c (id int PRIMARY KEY);
CREATE TABLE it_filter2.x (id int PRIMARY KEY); CREATE TABLE it_filter2.y (id int PRIMARY KEY);
INSERT INTO it_filter.a VALUES (1), (2); INSERT INTO it_filter2.x VALUES (3);
SQL
q "CREATE ROLE it_reader" >/dev/null
add_src it_filter "it_filter: it_filter_pg, it_filter2: it_filter2_pg" "
limit_tables: [it_filter.a, it_filter.b]
skip_tables: [it_filter.b, it_filter2.y]
grant_select_to: [it_reader]"
init it_filter
check_eq "limit_tables/skip_tables: only it_filter.a and it_filter2.x are copied" "it_filter2_pg.x it_filter_pg.a" \
	"$(q "SELECT string_agg(table_schema || '.' || table_name, ' ' ORDER BY table_schema, table_name) FROM information_schema.tables WHERE table_schema IN ('it_filter_pg', 'it_filter2_pg')")"
check_eq "limit_tables/skip_tables: init_progress lists the same tables" "it_filter.a it_filter2.x" \
	"$(q "SELECT string_agg(mysql_table, ' ' ORDER BY mysql_table) FROM chameleon.init_progress WHERE source = 'it_filter'")"
check_eq "grant_select_to: the role reads the tables" "2 1" \
	"$(q "SET ROLE it_reader; SELECT (SELECT count(*) FROM it_filter_pg.a) || ' ' || (SELECT count(*) FROM it_filter2_pg.x)")"
check_fails "grant_select_to: the role may not write" "permission denied" q "SET ROLE it_reader; INSERT INTO it_filter_pg.a VALUES (9)"

###############################################################################
# Re-running, and failing inits
###############################################################################
mysql_root -e "CREATE DATABASE it_rerun; CREATE TABLE it_rerun.t (id int PRIMARY KEY, v text); INSERT INTO it_rerun.t SELECT seq, MD5(seq) FROM it_rerun.seq_1_to_1000"
add_src it_rerun "it_rerun: it_rerun_pg"
init it_rerun
mysql_root -e "INSERT INTO it_rerun.t VALUES (1001, 'new'); DELETE FROM it_rerun.t WHERE id = 1"
q "CREATE TABLE it_rerun_pg.extra (x int)" >/dev/null
init it_rerun
check_eq "re-run: the data is replaced, no duplicates" "1000 1000 2 1001" \
	"$(q "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || ' ' || max(id) FROM it_rerun_pg.t")"
check_eq "re-run: the schema is replaced as a whole" "0" \
	"$(q "SELECT count(*) FROM pg_class WHERE relname = 'extra' AND relnamespace = 'it_rerun_pg'::regnamespace")"
check_eq "re-run: one row per table in t_replica_tables" "1" \
	"$(q "SELECT count(*) FROM sch_chameleon.t_replica_tables WHERE i_id_source = (SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = 'it_rerun')")"
before=$(q "SELECT count(*) || ' ' || sum(hashtext(v)) FROM it_rerun_pg.t")

mysql_root -e "DROP DATABASE it_rerun"
check_fails "missing MySQL schema: init_replica(wait => true) raises the reason" "schema it_rerun: missing" \
	q "SELECT chameleon.init_replica('it_rerun', wait => true)"
check_eq "missing MySQL schema: status error" "error" "$(status it_rerun)"
check_match "missing MySQL schema: show_status gives the reason" "schema it_rerun: missing" \
	"$(q "SELECT status_reason FROM chameleon.show_status('it_rerun')")"
check_eq "missing MySQL schema: the previous PostgreSQL data is untouched" "$before" \
	"$(q "SELECT count(*) || ' ' || sum(hashtext(v)) FROM it_rerun_pg.t")"
check_eq "missing MySQL schema: no loading schema is left behind" "0" \
	"$(q "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '\\_chameleon\\_load\\_%'")"

mysql_root -e "CREATE DATABASE it_rerun; CREATE TABLE it_rerun.t (id int PRIMARY KEY, v text); INSERT INTO it_rerun.t VALUES (1, 'only')"
q "SELECT chameleon.alter_source('it_rerun', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: wrong, connect_timeout: 5}
schema_mappings: {it_rerun: it_rerun_pg}
\$\$)" >/dev/null
check_fails "wrong password: init_replica(wait => true) raises the reason" "Access denied" \
	q "SELECT chameleon.init_replica('it_rerun', wait => true)"
check_eq "wrong password: status error" "error" "$(status it_rerun)"
check_match "wrong password: show_status gives the reason" "Access denied" \
	"$(q "SELECT status_reason FROM chameleon.show_status('it_rerun')")"
check_eq "wrong password: the previous PostgreSQL data is untouched" "$before" \
	"$(q "SELECT count(*) || ' ' || sum(hashtext(v)) FROM it_rerun_pg.t")"
q "SELECT chameleon.alter_source('it_rerun', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD, connect_timeout: 5}
schema_mappings: {it_rerun: it_rerun_pg}
\$\$)" >/dev/null
init it_rerun
check_eq "after an error, a good init replaces the data" "initialised 1 only" \
	"$(q "SELECT (SELECT status FROM chameleon.show_status('it_rerun')) || ' ' || count(*) || ' ' || min(v) FROM it_rerun_pg.t")"

###############################################################################
# wait => false, init_progress, parallel copy, MyISAM
###############################################################################
mysql_root <<'SQL'
CREATE DATABASE it_async;
CREATE TABLE it_async.big (id int PRIMARY KEY, k int, c varchar(100), KEY (k));
INSERT INTO it_async.big SELECT seq, seq % 1000, REPEAT(MD5(seq), 3) FROM it_async.seq_1_to_300000;
CREATE TABLE it_async.small (id int PRIMARY KEY);
INSERT INTO it_async.small SELECT seq FROM it_async.seq_1_to_10;
SQL
add_src it_async "it_async: it_async_pg"
start=$SECONDS
q "SELECT chameleon.init_replica('it_async')" >/dev/null
returned_status=$(status it_async)
check_match "wait => false returns at once, the source is initialising" "^initialising$" "$returned_status"
seen_copying=$(q "SELECT count(*) FROM chameleon.init_progress WHERE source = 'it_async'")
check_eq "init_progress lists both tables while copying" "2" "$seen_copying"
wait_until 120 "it_async to be initialised" bash -c "[ \"\$(psql -X -tA -c \"SELECT status FROM chameleon.show_status('it_async')\")\" = initialised ]"
check_eq "wait => false: the status becomes initialised" "initialised" "$(status it_async)"
check_eq "init_progress: each table copied with its row count" "it_async.big copied 300000 0;it_async.small copied 10 0" \
	"$(q "SELECT string_agg(mysql_table || ' ' || state || ' ' || rows_copied || ' ' || discarded_rows, ';' ORDER BY mysql_table) FROM chameleon.init_progress WHERE source = 'it_async'")"
check_eq "wait => false: the rows are all there" "300000" "$(q "SELECT count(*) FROM it_async_pg.big")"

mysql_root -e "CREATE DATABASE it_par"
for n in 1 2 3 4; do
	mysql_root -e "CREATE TABLE it_par.t$n (id int PRIMARY KEY, k int, c varchar(64));
		INSERT INTO it_par.t$n SELECT seq, seq * $n, MD5(seq + $n) FROM it_par.seq_1_to_$((50000 * n))"
done
add_src it_par "it_par: it_par_pg" "copy_parallel_jobs: 3"
init it_par
for n in 1 2 3 4; do
	my_sum=$(mysql_root -N -B -e "SET SESSION group_concat_max_len = 1 << 30;
		SELECT CONCAT(COUNT(*), ' ', MD5(GROUP_CONCAT(CONCAT_WS(',', id, k, c) ORDER BY id SEPARATOR ';'))) FROM it_par.t$n")
	check_eq "parallel: table t$n has MySQL's rows" "$my_sum" \
		"$(q "SELECT count(*) || ' ' || md5(string_agg(concat_ws(',', id, k, c), ';' ORDER BY id)) FROM it_par_pg.t$n")"
done
check_eq "parallel: each table has its own consistent point" "4" \
	"$(q "SELECT count(*) FROM sch_chameleon.t_replica_tables WHERE i_id_source = (SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = 'it_par') AND t_binlog_name IS NOT NULL AND i_binlog_position IS NOT NULL")"
check_match "parallel: the tables were copied by more than one process" "^[23]$" \
	"$(q "SELECT count(DISTINCT i_pid) FROM sch_chameleon.t_init_tables WHERE i_id_source = (SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = 'it_par')")"
check_eq "parallel: no copy worker is left" "0" "$(q "SELECT count(*) FROM chameleon.workers WHERE source = 'it_par'")"

mysql_root -e "CREATE DATABASE it_myisam; CREATE TABLE it_myisam.m (id int PRIMARY KEY, v varchar(20)) ENGINE = MyISAM;
	INSERT INTO it_myisam.m SELECT seq, CONCAT('row', seq) FROM it_myisam.seq_1_to_5000;
	CREATE TABLE it_myisam.aria (id int PRIMARY KEY) ENGINE = Aria; INSERT INTO it_myisam.aria VALUES (1)"
add_src it_myisam "it_myisam: it_myisam_pg"
init it_myisam
check_eq "MyISAM: the table is copied" "5000 row1 row999" "$(q "SELECT count(*) || ' ' || min(v) || ' ' || max(v) FROM it_myisam_pg.m")"
check_eq "MyISAM/Aria: consistent points recorded" "2" \
	"$(q "SELECT count(*) FROM sch_chameleon.t_replica_tables WHERE i_id_source = (SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = 'it_myisam') AND t_binlog_name IS NOT NULL")"
check_eq "MyISAM: the table lock is released" "0" \
	"$(mysql_root -N -B -e "SHOW OPEN TABLES FROM it_myisam WHERE In_use > 0" | wc -l)"

cleanup
e2e_finish
