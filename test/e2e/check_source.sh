# chameleon.check_source against the sandbox MariaDB: every prerequisite reported, and each
# broken one (credentials, privileges, binlog settings, schemas) reported with its fix.
# checks: 22
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/e2e.sh"

q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
mysql_root -e "CREATE DATABASE IF NOT EXISTS check_shop; CREATE TABLE IF NOT EXISTS check_shop.orders (id int primary key)"

server_id=300
add() { # add NAME USER PASSWORD SCHEMA [extra yaml]: each source gets its own my_server_id
	server_id=$((server_id + 1))
	q "SELECT chameleon.drop_source('$1') FROM chameleon.sources WHERE source = '$1'" >/dev/null
	q "SELECT chameleon.add_source('$1', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $2, password: '$3', connect_timeout: 5}
schema_mappings: {$4: ${1}_pg}
${5:-my_server_id: $server_id}
\$\$)" >/dev/null
}
row() { q "SELECT status || ' ' || coalesce(value, '') FROM chameleon.check_source('$1') WHERE check_name = '$2'"; }
hint() { q "SELECT hint FROM chameleon.check_source('$1') WHERE check_name = '$2'"; }

add good "$MY_REPL_USER" "$MY_REPL_PASSWORD" check_shop "limit_tables: [check_shop.orders]
my_server_id: 300"
check_eq "a well-configured MariaDB passes every check" "" \
	"$(q "SELECT string_agg(check_name || '=' || status, ', ') FROM chameleon.check_source('good') WHERE status <> 'ok'")"
check_match "server version and flavour are reported" '^ok MariaDB 10\.' "$(row good 'server version')"
check_eq "binlog_format is ROW" "ok ROW" "$(row good binlog_format)"
check_eq "binlog_row_image is FULL" "ok FULL" "$(row good binlog_row_image)"
check_eq "binlog_row_metadata is FULL" "ok FULL" "$(row good binlog_row_metadata)"
check_match "the binary log position is read" '^ok mysql-bin\.[0-9]+:[0-9]+$' "$(row good 'binary log position')"
check_eq "the mapped schema exists" "ok exists" "$(row good 'schema check_shop')"
check_eq "the listed table exists" "ok exists" "$(row good 'table check_shop.orders')"
check_eq "every privilege is granted" "4" \
	"$(q "SELECT count(*) FROM chameleon.check_source('good') WHERE check_name LIKE 'privilege%' AND status = 'ok'")"

add badpw "$MY_REPL_USER" wrong check_shop
check_match "a wrong password is a credentials error" '^error .*Access denied' "$(row badpw credentials)"

q "SELECT chameleon.drop_source('badpw')" >/dev/null
q "SELECT chameleon.add_source('badport', \$\$
db_conn: {host: 127.0.0.1, port: 1, user: x, password: y, connect_timeout: 2}
schema_mappings: {check_shop: badport_pg}
\$\$)" >/dev/null
check_match "an unreachable server is a connection error" "^error .*Can't connect" "$(row badport connection)"

mysql_root -e "DROP USER IF EXISTS 'weak'@'127.0.0.1'; CREATE USER 'weak'@'127.0.0.1' IDENTIFIED BY 'weak'; GRANT SELECT ON check_shop.* TO 'weak'@'127.0.0.1'"
add weak weak weak check_shop
check_eq "a missing REPLICATION SLAVE privilege is an error" "error missing" "$(row weak 'privilege REPLICATION SLAVE')"
check_match "the hint gives the GRANT statement" "^Run on the MySQL server: GRANT REPLICATION SLAVE ON \*\.\* TO 'weak'" \
	"$(hint weak 'privilege REPLICATION SLAVE')"
check_eq "SELECT granted on the schema only is enough" "ok granted" "$(row weak 'privilege SELECT on check_shop')"

add missing "$MY_REPL_USER" "$MY_REPL_PASSWORD" no_such_schema
check_eq "a mapped schema that does not exist is an error" "error missing" "$(row missing 'schema no_such_schema')"

mysql_root -e "SET GLOBAL binlog_format = 'STATEMENT'"
check_eq "binlog_format STATEMENT is an error" "error STATEMENT" "$(row good binlog_format)"
check_match "its hint says what to set" "binlog_format=ROW" "$(hint good binlog_format)"
mysql_root -e "SET GLOBAL binlog_format = 'ROW'"

mysql_root -e "SET GLOBAL binlog_row_image = 'MINIMAL', GLOBAL binlog_row_metadata = 'MINIMAL'"
check_eq "binlog_row_image MINIMAL is an error" "error MINIMAL" "$(row good binlog_row_image)"
check_eq "binlog_row_metadata MINIMAL is a warning" "warning MINIMAL" "$(row good binlog_row_metadata)"
mysql_root -e "SET GLOBAL binlog_row_image = 'FULL', GLOBAL binlog_row_metadata = 'FULL'"

add clash "$MY_REPL_USER" "$MY_REPL_PASSWORD" check_shop "my_server_id: 1"
check_match "my_server_id equal to the server's server_id is an error" '^error 1$' "$(row clash server_id)"

# a password read from a pgpass-like file
pwfile=$SANDBOX/run/mysql.pass
printf '127.0.0.1:%s:%s:%s\n' "$MY_PORT" "$MY_REPL_USER" "$MY_REPL_PASSWORD" >"$pwfile"
chmod 644 "$pwfile"
q "SELECT chameleon.drop_source('pwfile') FROM chameleon.sources WHERE source = 'pwfile'" >/dev/null
q "SELECT chameleon.add_source('pwfile', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password_file: $pwfile}
schema_mappings: {check_shop: pwfile_pg}
my_server_id: 399
\$\$)" >/dev/null
check_match "a password from password_file connects" "^ok $MY_REPL_USER$" "$(row pwfile credentials)"
rm -f "$pwfile"
check_match "an unreadable password_file is a credentials error naming it" "mysql.pass" "$(row pwfile credentials)"

for source in good badport weak missing clash pwfile; do q "SELECT chameleon.drop_source('$source')" >/dev/null; done
mysql_root -e "DROP USER 'weak'@'127.0.0.1'; DROP DATABASE check_shop"
e2e_finish
