#!/bin/bash
# Decoding benchmark: writes 1,000,000 rows (1000-row INSERTs into a 5-column table) into a fresh
# binlog file of the sandbox MariaDB, then times in the same run (a) our Decoder reading the file
# from the datadir, (b) BinlogStream + Decoder streaming it from the server (non-blocking), both
# also with every value rendered as text, and (c) `mariadb-binlog --verbose FILE > /dev/null`.
# Prints rows/s and the ratios to (c). Usage: test/bench/decode_bench.sh [ROWS]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. test/lib/sandbox.sh
ROWS=${1:-1000000}
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

read -r rows_a secs_a < <("$DRIVER" "$SCHEMA" file "$path")
read -r rows_at secs_at < <("$DRIVER" --text "$SCHEMA" file "$path")
read -r rows_b secs_b < <("$DRIVER" "$SCHEMA" stream "$file" 127.0.0.1 "$MY_PORT" "$MY_REPL_USER" "$MY_REPL_PASSWORD")
read -r rows_bt secs_bt < <("$DRIVER" --text "$SCHEMA" stream "$file" 127.0.0.1 "$MY_PORT" "$MY_REPL_USER" \
	"$MY_REPL_PASSWORD")
start=$(date +%s.%N)
mariadb-binlog --verbose "$path" >/dev/null
end=$(date +%s.%N)
secs_c=$(echo "$end - $start" | bc)
rows_c=$ROWS

rate_a=$(rate "$rows_a" "$secs_a")
rate_at=$(rate "$rows_at" "$secs_at")
rate_b=$(rate "$rows_b" "$secs_b")
rate_bt=$(rate "$rows_bt" "$secs_bt")
rate_c=$(rate "$rows_c" "$secs_c")
printf '%-48s %9s rows %8s s %10s rows/s\n' \
	"(a) Decoder, file" "$rows_a" "$secs_a" "$rate_a" \
	"(a') Decoder, file, values as text" "$rows_at" "$secs_at" "$rate_at" \
	"(b) BinlogStream + Decoder, live server" "$rows_b" "$secs_b" "$rate_b" \
	"(b') BinlogStream + Decoder, values as text" "$rows_bt" "$secs_bt" "$rate_bt" \
	"(c) mariadb-binlog --verbose > /dev/null" "$rows_c" "$secs_c" "$rate_c"
printf 'ratios: (a)/(c) %s  (a'"'"')/(c) %s  (b)/(c) %s  (b'"'"')/(c) %s  (target >= 5)\n' \
	"$(echo "scale=1; $rate_a / $rate_c" | bc)" "$(echo "scale=1; $rate_at / $rate_c" | bc)" \
	"$(echo "scale=1; $rate_b / $rate_c" | bc)" "$(echo "scale=1; $rate_bt / $rate_c" | bc)"
for got in "$rows_a" "$rows_at" "$rows_b" "$rows_bt"; do
	[ "$got" = "$ROWS" ] || { echo "decoded $got rows instead of $ROWS" >&2; exit 1; }
done
# Untimed: every decoded value of every row, as text, against what the generator wrote.
read -r rows_check secs_check wrong_values < <("$DRIVER" --check "$SCHEMA" file "$path")
[ "$rows_check" = "$ROWS" ] && [ "$wrong_values" = 0 ] ||
	{ echo "content check: $rows_check rows decoded, $wrong_values values differ from the generator's" >&2; exit 1; }
echo "content check: the $ROWS rows decoded hold the values written ($secs_check s, untimed)"
