# Row-by-row comparison of a MariaDB table with its PostgreSQL copy, for end-to-end tests.
# compare_rows LABEL MY_TABLE PG_TABLE KEY_COLUMNS VALUE_COLUMNS: the row count and the md5 of
# every row's text (columns joined by '|', rows in key order) on both sides. A query that fails,
# or a side that returns nothing, fails the check: an error never compares equal to an error.
# Needs sandbox.sh and e2e.sh sourced; the columns must print the same on both sides. An optional
# PG_VALUE_COLUMNS gives PostgreSQL's own expressions when the two spell a format differently, and an
# optional PG_KEY_COLUMNS PostgreSQL's key columns when the names differ (a MySQL name PostgreSQL
# cannot hold, doc/security.md "Names").
compare_rows() {
	local label=$1 my_table=$2 pg_table=$3 keys=$4 columns=$5 pg_columns=${6:-$5} pg_keys=${7:-$4} my pg
	if ! my=$(mysql_root -N -B -e "SET SESSION group_concat_max_len = 1073741824; SELECT count(*), coalesce(md5(group_concat(r ORDER BY k SEPARATOR '\n')), 'none') FROM (
			SELECT concat_ws(',', $keys) k, concat_ws('|', $columns) r FROM $my_table) x" 2>&1) || [ -z "$my" ]; then
		not_ok "$label: $my_table is equal on both sides" "MariaDB query failed: $my"
		return
	fi
	if ! pg=$(psql -X -q -v ON_ERROR_STOP=1 -tA -F $'\t' -c "SELECT count(*), coalesce(md5(string_agg(r, E'\n' ORDER BY k)), 'none') FROM (
			SELECT concat_ws(',', $pg_keys) COLLATE \"C\" k, concat_ws('|', $pg_columns) r FROM $pg_table) x" 2>&1) || [ -z "$pg" ]; then
		not_ok "$label: $my_table is equal on both sides" "PostgreSQL query failed: $pg"
		return
	fi
	check_eq "$label: $my_table is equal on both sides (rows, md5)" "$my" "$pg"
}
