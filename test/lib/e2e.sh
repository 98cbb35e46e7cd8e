# Assertions for end-to-end test scripts. Each check prints "ok - NAME" or
# "not ok - NAME" with the facts; test/run_all.sh counts those lines.
# A script sources test/lib/sandbox.sh and this file; the servers are already running.

E2E_FAILURES=0
export PGOPTIONS="-c client_min_messages=warning"

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
	E2E_FAILURES=$((E2E_FAILURES + 1))
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check_match NAME REGEX ACTUAL
check_match() {
	if [[ "$3" =~ $2 ]]; then ok "$1"; else not_ok "$1" "expected to match: $2" "actual: $3"; fi
}

# check_fails NAME EXPECTED_MESSAGE_REGEX COMMAND...: COMMAND must fail with a matching message.
check_fails() {
	local name=$1 pattern=$2 output
	shift 2
	if output=$("$@" 2>&1); then
		not_ok "$name" "expected a failure, the command succeeded: $output"
	elif [[ "$output" =~ $pattern ]]; then
		ok "$name"
	else
		not_ok "$name" "expected a message matching: $pattern" "actual: $output"
	fi
}

# q SQL: one value from PostgreSQL (unaligned, tuples only); errors go to stderr and fail, and
# the output then says so, so that a check expecting "" (or any value) cannot pass on an error.
q() {
	psql -X -q -v ON_ERROR_STOP=1 -tA -c "$1" && return 0
	local status=$?
	echo "<query failed: exit $status>"
	return $status
}

# position_before A B: whether binlog position A ("file:position") comes before B; file names
# compare by their number, so that mysql-bin.1000000 follows mysql-bin.999999.
position_before() {
	local a_file=${1%:*} a_pos=${1##*:} b_file=${2%:*} b_pos=${2##*:}
	local a_num=$((10#${a_file##*.})) b_num=$((10#${b_file##*.}))
	[ "$a_num" -lt "$b_num" ] || { [ "$a_num" -eq "$b_num" ] && [ "$a_pos" -lt "$b_pos" ]; }
}

# reset_source NAME [PG_SCHEMA...]: a clean start for a script's source: the extension exists,
# source NAME is stopped and dropped when it exists, and the PostgreSQL schemas named are dropped.
reset_source() {
	local name=$1 schema
	shift
	q "CREATE EXTENSION IF NOT EXISTS pg_chameleon" >/dev/null
	q "SELECT chameleon.stop_replica('$name') FROM chameleon.sources WHERE source = '$name'" >/dev/null 2>&1
	q "SELECT chameleon.drop_source('$name') FROM chameleon.sources WHERE source = '$name'" >/dev/null
	for schema in "$@"; do q "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null; done
}

# add_mysql_source NAME MAPPINGS SERVER_ID [YAML [DB_CONN]]: adds source NAME of the sandbox MariaDB,
# read by the replication user, with schema_mappings {MAPPINGS}, my_server_id SERVER_ID (each
# source its own: MariaDB drops a binlog client when another connects with the same server id),
# the configuration lines YAML and the db_conn keys DB_CONN (", connect_timeout: 5").
add_mysql_source() {
	q "SELECT chameleon.add_source('$1', \$\$
db_conn: {host: 127.0.0.1, port: $MY_PORT, user: $MY_REPL_USER, password: $MY_REPL_PASSWORD${5:-}}
schema_mappings: {$2}
my_server_id: $3
${4:-}
\$\$)" >/dev/null
}

# init_and_start NAME: init_replica (waiting for the copy), then start_replica.
init_and_start() {
	q "SELECT chameleon.init_replica('$1', wait => true)" >/dev/null
	q "SELECT chameleon.start_replica('$1')" >/dev/null
}

e2e_finish() { exit $((E2E_FAILURES > 0)); }
