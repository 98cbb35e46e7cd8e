#!/usr/bin/env bash
# Runs every test layer — Catch2 unit tests, fuzz targets, pg_regress, end-to-end tests on
# throwaway PostgreSQL and MariaDB servers — and ends with the line "N passed, N failed".
# Needs the packages that .ci/run installs; run as root (it installs the extension).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
. test/lib/sandbox.sh

passed=0
failed=0
failures=()
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
mkdir -p build/logs

count() { # count PASSED FAILED NAME
	passed=$((passed + $1))
	failed=$((failed + $2))
	[ "$2" -gt 0 ] && failures+=("$3")
	return 0
}

section() { printf '\n=== %s\n' "$*"; }

# none_found NAME WHEN_NONE FOUND: a check that passes when a search of the tree found nothing.
none_found() {
	if [ -z "$3" ]; then
		echo "$2"
		count 1 0 "$1"
	else
		echo "$3"
		count 0 1 "$1"
	fi
}

section "self-contained"
# Nothing in the tree may read files beside the checkout (users clone the project alone).
# .ci/run is the exception: it installs test dependencies from beside the checkout before it clones.
none_found self-contained "no file reads outside the tree" \
	"$(git grep -nE '\.\./shared|CHAMELEON_SHARED' -- ':!doc' ':!test/run_all.sh' ':!.ci/run' 2>/dev/null)"

section "one writer of source status"
# Only src/pg/catalogue.cpp writes t_sources.enm_status (the status machine, doc/architecture.md);
# sql/status.sql checks the same of the installed SQL functions.
none_found status-writer "only src/pg/catalogue.cpp writes a source's status" \
	"$(git grep -nE 'SET[[:space:]]+(.*,[[:space:]]*)?enm_status[[:space:]]*=' -- 'src/*.cpp' ':!src/pg/catalogue.cpp' 2>/dev/null)"

section "one writer of batches and positions"
# Only src/pg/catalogue* (catalogue_batches, doc/architecture.md "The catalogue") read and write the
# batches (t_replica_batch), the position read up to (t_last_received) and the replayed-up-to marker
# (t_last_replayed). Excluded: src/pg/maintenance.cpp, whose retention finds the log segments no
# unreplayed or retained batch uses, and whose VACUUM names the tables it cleans.
none_found batch-writer "only src/pg/catalogue* use t_replica_batch, t_last_received, t_last_replayed" \
	"$(git grep -nE 'sch_chameleon\.t_(replica_batch|last_received|last_replayed)' -- 'src/*.cpp' 'src/*.hpp' \
		':!src/pg/catalogue*' ':!src/pg/maintenance.cpp' 2>/dev/null)"

section "typed SPI parameters"
# Statement parameters are typed (SqlParam, src/pg/spi.hpp): no $N:: cast of a parameter in the SQL
# of src/pg. Excluded: src/pg/row_apply.cpp, whose data statements cast unnest()'s elements and
# arrays to the columns' types (the lead's, issue 12); its catalogue statement is typed.
none_found typed-parameters "no SPI parameter is cast in src/pg" \
	"$(git grep -nE '\$[0-9]+[[:space:]]*::' -- 'src/pg/*.cpp' ':!src/pg/row_apply.cpp' 2>/dev/null)"

section "packages"
bash test/lib/install_packages.sh || { echo "0 passed, 1 failed"; exit 1; }

section "build"
if make -j"$JOBS" >build/logs/build.log 2>&1 && make install >>build/logs/build.log 2>&1; then
	count 1 0 build
else
	tail -40 build/logs/build.log
	count 0 1 build
	echo "0 passed, 1 failed"
	exit 1
fi

# run_catch2 BINARY: runs a Catch2 test binary and counts its test cases.
run_catch2() {
	local binary=$1 name output status summary
	name=$(basename "$binary")
	output=$("$binary" 2>&1)
	status=$?
	summary=$(echo "$output" | grep -E '^(All tests passed|test cases:)' | tail -1)
	echo "$name: ${summary:-exit $status}"
	if [[ "$summary" =~ All\ tests\ passed.*in\ ([0-9]+)\ test\ case ]]; then
		count "${BASH_REMATCH[1]}" 0 "$name"
	elif [[ "$summary" =~ ([0-9]+)\ passed\ \|\ ([0-9]+)\ failed ]]; then
		echo "$output" | tail -60
		count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$name"
	else
		echo "$output" | tail -60
		count 0 1 "$name"
	fi
	if [ $status -ne 0 ] && [[ ! "$summary" =~ failed ]]; then
		count 0 1 "$name (exit $status)"
	fi
}

section "format (clang-format, .clang-format)"
unformatted=$(git ls-files 'src/*.cpp' 'src/*.hpp' 'test/*.cpp' 'test/*.hpp' 2>/dev/null |
	xargs clang-format --dry-run 2>&1 | grep -o '^[^:]*:[0-9]*:[0-9]*: warning' | cut -d: -f1 | sort -u)
if [ -z "$unformatted" ]; then
	echo "every C++ file is formatted"
	count 1 0 format
else
	echo "not formatted (run clang-format -i on them):"
	echo "$unformatted"
	count 0 1 format
fi

section "lint (clang-tidy, cppcheck)"
# Checks in .clang-tidy, cppcheck options in test/lib/lint.sh, suppressions in .cppcheck.
for linter in clang-tidy cppcheck; do
	if JOBS=$JOBS bash test/lib/lint.sh "$linter"; then
		count 1 0 "$linter"
	else
		count 0 1 "$linter"
	fi
done

section "unit tests (Catch2)"
rm -f build/unit/test_* # only the binaries this build makes run, none left from an earlier build
if make -C test/unit -j"$JOBS" >build/logs/unit-build.log 2>&1; then
	for binary in build/unit/test_*; do
		run_catch2 "$binary"
	done
else
	tail -60 build/logs/unit-build.log
	count 0 1 "unit build"
fi

section "fuzz targets (libFuzzer, ${FUZZ_SECONDS}s each)"
for target in test/fuzz/fuzz_*.cpp; do
	[ -e "$target" ] || continue
	name=$(basename "$target" .cpp)
	if test/fuzz/run.sh "$name" "$FUZZ_SECONDS" >"build/logs/$name.log" 2>&1; then
		echo "$name: no crash"
		count 1 0 "$name"
	else
		tail -30 "build/logs/$name.log"
		count 0 1 "$name"
	fi
done

section "servers"
sandbox_destroy >/dev/null 2>&1
if ! start_postgres || ! start_mariadb; then
	count 0 1 "sandbox servers"
	echo "$passed passed, $failed failed"
	exit 1
fi
echo "PostgreSQL on port $PG_PORT, MariaDB on port $MY_PORT"

section "live tests (Catch2 against the sandbox MariaDB)"
if make -C test/live -j"$JOBS" >build/logs/live-build.log 2>&1; then
	export MY_PORT MY_ROOT_CNF=$MY_CNF
	run_catch2 build/live/test_live
else
	tail -60 build/logs/live-build.log
	count 0 1 "live build"
fi

section "pg_regress"
stage_fixtures
rm -rf build/regress
# The expected output has the NOTICEs: a PGOPTIONS inherited from the caller's shell (the e2e
# library exports one that hides them) must not change it.
PGOPTIONS= make installcheck >build/logs/regress.log 2>&1
grep -E '\.\.\. (ok|FAILED|failed)' build/logs/regress.log
regress_ok=$(grep -cE '\.\.\. ok' build/logs/regress.log)
regress_failed=$(grep -cE '\.\.\. (FAILED|failed)' build/logs/regress.log)
if [ "$regress_ok" -eq 0 ] && [ "$regress_failed" -eq 0 ]; then
	tail -20 build/logs/regress.log
	regress_failed=1
fi
[ "$regress_failed" -gt 0 ] && [ -f build/regress/regression.diffs ] && head -200 build/regress/regression.diffs
count "$regress_ok" "$regress_failed" pg_regress

section "valgrind (the boundary test under memcheck)"
if bash test/valgrind/run.sh >build/logs/valgrind.log 2>&1; then
	tail -1 build/logs/valgrind.log
	count 1 0 valgrind
else
	tail -60 build/logs/valgrind.log
	count 0 1 valgrind
fi

section "end to end (each within ${E2E_TIMEOUT:=900} s)"
# Each script declares how many checks it runs ("# checks: N"): one that stops early, or skips
# checks, fails even when every check it ran passed.
# run_e2e_dir DIR: runs every script of DIR and counts its checks.
run_e2e_dir() {
	for script in "$1"/*.sh; do
		name=$(basename "$script" .sh)
		echo "-- $name"
		expected=$(sed -n 's/^# checks: \([0-9][0-9]*\)$/\1/p' "$script" | head -1)
		output=$(timeout --kill-after=30 "$E2E_TIMEOUT" bash "$script" 2>&1)
		status=$?
		echo "$output"
		ok_count=$(echo "$output" | grep -c '^ok - ')
		not_ok_count=$(echo "$output" | grep -c '^not ok - ')
		if [ $status -eq 124 ] || [ $status -eq 137 ]; then
			echo "not ok - $name did not finish within $E2E_TIMEOUT s"
			not_ok_count=$((not_ok_count + 1))
		elif [ $status -ne 0 ] && [ "$not_ok_count" -eq 0 ]; then
			not_ok_count=1
		fi
		if [ -z "$expected" ]; then
			echo "not ok - $name declares no \"# checks: N\" line"
			not_ok_count=$((not_ok_count + 1))
		elif [ $((ok_count + not_ok_count)) -lt "$expected" ]; then
			echo "not ok - $name ran $((ok_count + not_ok_count)) of its $expected checks"
			not_ok_count=$((not_ok_count + 1))
		fi
		count "$ok_count" "$not_ok_count" "$name"
	done
}
run_e2e_dir test/e2e

section "scale-out (Citus: a coordinator and two worker nodes)"
. test/lib/citus.sh
if citus_available; then
	stop_postgres # the coordinator takes its port
	run_e2e_dir test/e2e_citus
else
	echo "skipped: the citus extension is not installed (.ci/run installs it when ../shared/vendor has its source)"
fi

section "cleanup"
stop_postgres
stop_mariadb

section "summary"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
