#!/usr/bin/env bash
# Builds one libFuzzer target (test/fuzz/NAME.cpp with the sources of its module) under
# AddressSanitizer and UndefinedBehaviorSanitizer and runs it for SECONDS; a crash, a
# sanitizer report or a timeout fails it. Usage: test/fuzz/run.sh fuzz_binlog 30
set -eu
cd "$(dirname "$0")/../.."
name=$1
seconds=${2:-30}
module=${name#fuzz_}
out=build/fuzz/$name
mkdir -p "$out/corpus"
CXX=${FUZZ_CXX:-clang++-14}
sources=(src/"$module"/*.cpp)
[ "$module" = ddl ] && sources+=(src/core/*.cpp)
"$CXX" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Isrc "test/fuzz/$name.cpp" "${sources[@]}" -lzstd -lz -o "$out/$name"
seeds=()
[ -d "test/fuzz/seeds/$module" ] && seeds+=("test/fuzz/seeds/$module")
if [ "$module" = binlog ]; then
	mkdir -p "$out/fixtures"
	find test/fixtures/mysql-binlogs -type f ! -name '*.md' ! -name '*.sql' ! -name '*.gz' \
		-exec cp {} "$out/fixtures/" \;
	seeds+=("$out/fixtures")
fi
if [ "$module" = ddl ]; then
	# the statements of the parser's corpus (test/unit/ddl/corpus.cpp), one file each
	rm -rf "$out/statements" && mkdir -p "$out/statements"
	SEED_DIR="$out/statements" perl -0777 -ne 'my $n = 0;
		while (/R"sql\((.*?)\)sql"/sg) { open(my $f, ">", sprintf("%s/%04d.sql", $ENV{SEED_DIR}, $n++)) or die; print $f $1; close $f }' \
		test/unit/ddl/corpus.cpp
	[ -n "$(ls "$out/statements")" ] || { echo "no DDL statements found for the seed corpus" >&2; exit 1; }
	seeds+=("$out/statements")
fi
"$out/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	"$out/corpus" "${seeds[@]}"
