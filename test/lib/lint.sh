#!/usr/bin/env bash
# Static analysis of the C++ sources (src/*/*.cpp and test/unit/**/*.cpp) for test/run_all.sh.
#   test/lib/lint.sh clang-tidy   checks in .clang-tidy (LINT_ANALYZER=1 adds clang-analyzer-*)
#   test/lib/lint.sh cppcheck     options below, suppressions in .cppcheck
#   test/lib/lint.sh compile-db   only writes build/lint/compile_commands.json
# Each linter prints its findings as "file:line:col: severity: message [check]" and exits 1 when
# there is any. Runs niced, JOBS (default 2) at a time.
set -u
cd "$(dirname "$0")/../.."
LINT=build/lint
JOBS=${JOBS:-2}
mkdir -p "$LINT"

# The files linted: every tracked C++ source but Catch2's generated main.
sources() {
	git ls-files 'src/*/*.cpp' 'test/unit/*.cpp' | grep -vx 'test/unit/test_main.cpp'
}

# compile_db: writes $LINT/compile_commands.json for src/*/*.cpp and test/unit/**/*.cpp from the
# compile commands the Makefiles print under `make -n -B` (the same flags, target-specific ones
# included), without building anything. Dependency output, -Werror and GCC-only options go.
compile_db() {
	{
		make -n -B --no-print-directory $(git ls-files 'src/*/*.cpp' | sed 's/\.cpp$/.o/') |
			grep -E ' -c .*\.cpp$' | sed "s|^|$PWD\t|"
		make -C test/unit -n -B --no-print-directory | grep -E ' -c .*/test/unit/.*\.cpp$' |
			sed "s|^|$PWD/test/unit\t|"
	} | awk -F'\t' '
		BEGIN { print "[" }
		{
			n = split($2, word, / +/); cmd = ""
			for (i = 1; i <= n; i++)
				if (word[i] !~ /^-(MMD|MP|Werror|Wimplicit-fallthrough=.*)$/ && word[i] != "")
					cmd = cmd (cmd == "" ? "" : " ") word[i]
			file = word[n]
			if (file !~ /^\//)
				file = $1 "/" file
			while (sub(/\/[^\/]+\/\.\.\//, "/", file))
				;
			gsub(/\\/, "\\\\", cmd); gsub(/"/, "\\\"", cmd)
			printf "%s{\"directory\": \"%s\", \"file\": \"%s\",\n \"command\": \"%s\"}", sep, $1, file, cmd
			sep = ",\n"
		}
		END { print "\n]" }' >"$LINT/compile_commands.json"
}

# report NAME LOG STATUS: prints the findings in LOG (deduplicated, paths relative to the root)
# and returns 1 when there is any, or when the linter failed (STATUS) without a finding.
report() {
	local name=$1 log=$2 status=$3 findings
	findings=$(sed -e 's/\x1b\[[0-9;]*m//g' "$log" |
		grep -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error|style|performance|portability): .*\[[^]]+\]$' |
		sed -e "s|^$PWD/||" -e ':a' -e 's|[^/:]*/\.\./||' -e 'ta' | sort -u)
	if [ -n "$findings" ]; then
		echo "$name: $(grep -c . <<<"$findings") finding(s):"
		echo "$findings"
		return 1
	fi
	if [ "$status" -ne 0 ] && [ -z "$findings" ]; then
		echo "$name: failed (exit $status) without a finding; the end of $log:"
		tail -20 "$log"
		return 1
	fi
	echo "$name: no findings in $(sources | wc -l) files"
}

clang_tidy() {
	compile_db
	sources | nice xargs -P"$JOBS" -n1 clang-tidy-14 -p "$LINT" --quiet \
		${LINT_ANALYZER:+"--checks=clang-analyzer-*"} >"$LINT/clang-tidy.log" 2>&1
	report clang-tidy "$LINT/clang-tidy.log" $?
}

# cppcheck without the system include paths (it models the standard library itself and reads
# no PostgreSQL or MariaDB header, which keeps it fast); warning, performance and portability
# classes; suppressions in .cppcheck or inline as // cppcheck-suppress id.
cppcheck_run() {
	sources | nice cppcheck --std=c++17 --language=c++ -j"$JOBS" --quiet \
		--enable=warning,performance,portability --inline-suppr --error-exitcode=1 --max-configs=1 \
		-Isrc -Itest/unit --suppress=missingIncludeSystem --suppressions-list=.cppcheck \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
		--file-list=- >"$LINT/cppcheck.log" 2>&1
	report cppcheck "$LINT/cppcheck.log" $?
}

case "${1:-}" in
clang-tidy) clang_tidy ;;
cppcheck) cppcheck_run ;;
compile-db) compile_db ;;
*)
	echo "usage: $0 clang-tidy|cppcheck|compile-db" >&2
	exit 2
	;;
esac
