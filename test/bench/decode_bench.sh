#!/bin/bash
# Decoding benchmark: writes 1,000,000 rows (1000-row INSERTs into a 5-column table) into a fresh
# binlog file of the sandbox MariaDB, then times in the same run (a) our Decoder reading the file
# from the datadir, (b) BinlogStream + Decoder streaming it from the server (non-blocking), both
# also with every value rendered as text, and (c) `mariadb-binlog --verbose FILE > /dev/null`.
# Each runs ROUNDS times in turn; prints the median rows/s with the spread (min-max) and the ratios
# of the medians to (c). Usage: test/bench/decode_bench.sh [ROWS] [ROUNDS]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. test/lib/sandbox.sh
ROWS=${1:-1000000}
ROUNDS=${2:-5}
BATCH=1000
SCHEMA=bench_decode_$$
BUILD=$ROOT/build/bench
DRIVER=$BUILD/decode_bench

mysql_root -e 'SELECT 1' >/dev/null 2>&1 || start_mariadb
mkdir -p "$BUILD"
echo "building the driver (g++ -O2)..."
g++ -std=c++17 -O2 -Wall -Wextra -Werror -I"$ROOT/src" -I/usr/include/mariadb -o "$DRIVER" \
	test/bench/decode_bench.cpp src/binlog/*.cpp src/mysql/binlog_stream.cpp src/mysql/connection.cpp src/core/server_version.cpp \
	-lmariadb -lzstd -lz

datadir=$(mysql_root -N -B -e 'SELECT @@datadir')
trap 'mysql_root -e "DROP DATABASE IF EXISTS $SCHEMA" || true' EXIT
mysql_root -e "CREATE DATABASE $SCHEMA; CREATE TABLE $SCHEMA.t (id int primary key, k bigint,
	c varchar(50), amount decimal(12,2), created timestamp)"
mysql_root -e 'FLUSH BINARY LOGS'
file=$(mysql_root -N -B -e 'SHOW MASTER STATUS' | cut -f1)

echo "writing $ROWS rows into $file..."
start=$(date +%s.%N)
awk -v rows="$ROWS" -v batch="$BATCH" -v table="$SCHEMA.t" 'BEGIN {
	for (i = 1; i <= rows; i++) {
		if ((i - 1) % batch == 0) printf "INSERT INTO %s VALUES ", table
		printf "(%d,%d,\"customer-%08d\",%d.%02d,FROM_UNIXTIME(%d))", i, i * 7919, i, i % 100000, i % 100,
			1600000000 + i
		if (i % batch == 0 || i == rows) print ";"; else printf ","
	}
}' | mysql_root
end=$(date +%s.%N)
mysql_root -e 'FLUSH BINARY LOGS'
path=$datadir/$file
echo "written in $(echo "$end - $start" | bc) s; $file is $(stat -c %s "$path") bytes"

# rate ROWS SECONDS: rows per second
rate() { echo "$1 / $2" | bc; }

# measure NAME COMMAND...: runs COMMAND (it prints "ROWS SECONDS ...") ROUNDS times in turn with the
# others; records the rates, and fails when a run decodes a number of rows other than ROWS.
declare -A rates
measure() {
	local name=$1 rows secs
	shift
	read -r rows secs _ < <("$@")
	[ "$rows" = "$ROWS" ] || { echo "$name decoded $rows rows instead of $ROWS" >&2; exit 1; }
	rates[$name]+="$(rate "$rows" "$secs") "
}
mariadb_binlog() {
	local start end
	start=$(date +%s.%N)
	mariadb-binlog --verbose "$path" >/dev/null
	end=$(date +%s.%N)
	echo "$ROWS $(echo "$end - $start" | bc)"
}
for round in $(seq 1 "$ROUNDS"); do
	measure a "$DRIVER" "$SCHEMA" file "$path"
	measure at "$DRIVER" --text "$SCHEMA" file "$path"
	measure b "$DRIVER" "$SCHEMA" stream "$file" 127.0.0.1 "$MY_PORT" "$MY_REPL_USER" "$MY_REPL_PASSWORD"
	measure bt "$DRIVER" --text "$SCHEMA" stream "$file" 127.0.0.1 "$MY_PORT" "$MY_REPL_USER" "$MY_REPL_PASSWORD"
	measure c mariadb_binlog
done

# summary NAME: "median rows/s (min-max)" of the rounds
summary() {
	# shellcheck disable=SC2086 # the rates are a list of numbers
	local values=(${rates[$1]})
	printf '%s (%s-%s)' "$(median "${values[@]}")" "$(printf '%s\n' "${values[@]}" | sort -n | head -1)" \
		"$(printf '%s\n' "${values[@]}" | sort -n | tail -1)"
}
ratio() { # ratio NAME: median of NAME / median of (c)
	# shellcheck disable=SC2086
	echo "scale=1; $(median ${rates[$1]}) / $(median ${rates[c]})" | bc
}
echo "rows/s, median of $ROUNDS rounds (min-max):"
printf '%-48s %s\n' \
	"(a) Decoder, file" "$(summary a)" \
	"(a') Decoder, file, values as text" "$(summary at)" \
	"(b) BinlogStream + Decoder, live server" "$(summary b)" \
	"(b') BinlogStream + Decoder, values as text" "$(summary bt)" \
	"(c) mariadb-binlog --verbose > /dev/null" "$(summary c)"
printf 'ratios of the medians: (a)/(c) %s  (a'"'"')/(c) %s  (b)/(c) %s  (b'"'"')/(c) %s  (target >= 5)\n' \
	"$(ratio a)" "$(ratio at)" "$(ratio b)" "$(ratio bt)"
# Untimed: every decoded value of every row, as text, against what the generator wrote.
read -r rows_check secs_check wrong_values < <("$DRIVER" --check "$SCHEMA" file "$path")
[ "$rows_check" = "$ROWS" ] && [ "$wrong_values" = 0 ] ||
	{ echo "content check: $rows_check rows decoded, $wrong_values values differ from the generator's" >&2; exit 1; }
echo "content check: the $ROWS rows decoded hold the values written ($secs_check s, untimed)"
