// The table registry and the init queue of the catalogue (see catalogue_tables.hpp).
#include "pg/catalogue_tables.hpp"

#include "pg/spi.hpp"

namespace chameleon::pg {

namespace {

const char *const replica_columns =
	"SELECT v_schema_origin, v_table_name, v_schema_name, b_replica_enabled, b_syncing, "
	"coalesce(t_binlog_name, ''), coalesce(i_binlog_position, 0), jsb_layout::text, xmin::text "
	"FROM sch_chameleon.t_replica_tables ";

ReplicaTable
replica_from_row(const SqlRow &row) {
	ReplicaTable table;
	table.origin_schema = *row[0];
	table.table = *row[1];
	table.destination_schema = *row[2];
	table.enabled = row[3] == "t";
	table.syncing = row[4] == "t";
	table.binlog_file = *row[5];
	table.binlog_position = std::stoull(*row[6]);
	table.layout_json = row[7];
	table.row_version = *row[8];
	return table;
}

const char *const queue_columns =
	"SELECT v_schema_origin, v_table_name, v_schema_loading, v_schema_name, jsb_layout::text, "
	"coalesce(t_pg_snapshot, ''), coalesce(t_pg_copy, '') ";

// A queue row (queue_columns) with its index statements.
QueuedTable
queued_from_row(int64 source_id, const SqlRow &row) {
	QueuedTable table;
	table.origin_schema = *row[0];
	table.table = *row[1];
	table.loading_schema = *row[2];
	table.destination_schema = *row[3];
	table.layout = core::layout_from_json(*row[4]);
	table.layout.destination_schema = table.loading_schema;
	table.pg_snapshot = *row[5];
	table.pg_copy_statement = *row[6];
	for (const SqlRow &statement :
		 catalogue_query("SELECT s FROM sch_chameleon.t_init_tables, unnest(t_index_statements) WITH "
						 "ORDINALITY AS u(s, n) WHERE i_id_source = $1 AND v_schema_origin = $2 AND "
						 "v_table_name = $3 ORDER BY n",
						 {source_id, table.origin_schema, table.table}))
		table.index_statements.push_back(*statement[0]);
	return table;
}

const char *const one_table = "i_id_source = $1 AND v_schema_origin = $2 AND v_table_name = $3";

} // namespace

// ---- the table registry

std::vector<ReplicaTable>
replica_tables(int64 source_id, const std::string &selection) {
	std::vector<ReplicaTable> tables;
	for (const SqlRow &row : catalogue_query(
			 std::string(replica_columns) +
				 "WHERE i_id_source = $1 AND ($2 = 'null' OR $2 @> jsonb_build_array(jsonb_build_array("
				 "v_schema_origin, v_table_name))) ORDER BY v_schema_origin || '.' || v_table_name",
			 {source_id, SqlParam::jsonb(selection)}))
		tables.push_back(replica_from_row(row));
	return tables;
}

std::optional<ReplicaTable>
replica_table(int64 source_id, const std::string &origin_schema, const std::string &table) {
	std::vector<SqlRow> rows = catalogue_query(std::string(replica_columns) + "WHERE " + one_table,
											   {source_id, origin_schema, table});
	if (rows.empty())
		return std::nullopt;
	return replica_from_row(rows[0]);
}

void
start_table_sync(int64 source_id, const std::string &origin_schema, const std::string &table) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_replica_enabled = false, b_syncing = true, "
				   "t_disabled_reason = CASE WHEN t_disabled_reason LIKE 're-copying: %' AND b_syncing THEN "
				   "t_disabled_reason ELSE 'sync_tables is copying it' END, ts_disabled = clock_timestamp() "
				   "WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table});
}

void
end_table_syncs(int64 source_id, const std::string &reason) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET t_disabled_reason = $2, b_syncing = false "
				   "WHERE i_id_source = $1 AND b_syncing",
				   {source_id, reason});
}

void
request_table_recopy(int64 source_id, const std::string &origin_schema, const std::string &table,
					 const std::string &reason) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_syncing = true, b_replica_enabled = false, "
				   "b_recopy_requested = true, t_recopy_reason = $4, i_recopies = i_recopies + 1, "
				   "t_disabled_reason = 're-copying: ' || $4, ts_disabled = clock_timestamp() WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table, reason});
}

std::optional<std::string>
requested_recopies(int64 source_id, const std::string &source_name) {
	return catalogue_value(
		"SELECT jsonb_agg(jsonb_build_array(v_schema_origin, v_table_name)) FROM "
		"sch_chameleon.t_replica_tables "
		"WHERE i_id_source = $1 AND b_recopy_requested AND NOT EXISTS (SELECT 1 FROM "
		"sch_chameleon.fn_worker_slots() w WHERE w.source = $2 AND w.database = current_database() "
		"AND w.role IN ('init', 'copy'))",
		{source_id, source_name});
}

void
clear_recopy_requests(int64 source_id) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_recopy_requested = false "
				   "WHERE i_id_source = $1 AND b_recopy_requested",
				   {source_id});
}

void
register_copied_tables(int64 source_id) {
	unregister_tables(source_id);
	catalogue_exec("INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
				   "v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, t_gtid_set, jsb_layout) "
				   "SELECT i_id_source, v_schema_origin, v_schema_name, v_table_name, "
				   "ARRAY(SELECT jsonb_array_elements_text(jsb_layout -> 'key')), t_binlog_name, "
				   "i_binlog_position, t_gtid_set, jsb_layout FROM sch_chameleon.t_init_tables "
				   "WHERE i_id_source = $1",
				   {source_id});
}

void
register_copied_table(int64 source_id, const std::string &origin_schema, const std::string &table) {
	catalogue_exec("WITH old AS (DELETE FROM sch_chameleon.t_replica_tables WHERE " + std::string(one_table) +
					   " RETURNING t_recopy_reason, i_recopies) "
					   "INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, "
					   "v_schema_name, v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, "
					   "t_gtid_set, jsb_layout, t_recopy_reason, i_recopies) "
					   "SELECT i_id_source, v_schema_origin, v_schema_name, v_table_name, "
					   "ARRAY(SELECT jsonb_array_elements_text(jsb_layout -> 'key')), t_binlog_name, "
					   "i_binlog_position, t_gtid_set, jsb_layout, (SELECT t_recopy_reason FROM old), "
					   "coalesce((SELECT i_recopies FROM old), 0) FROM sch_chameleon.t_init_tables WHERE " +
					   one_table,
				   {source_id, origin_schema, table});
}

std::vector<std::pair<std::string, std::string>>
unregister_uncopied_tables(int64 source_id, const std::string &origin_schema) {
	std::vector<std::pair<std::string, std::string>> dropped;
	for (const SqlRow &row :
		 catalogue_query("DELETE FROM sch_chameleon.t_replica_tables r WHERE i_id_source = $1 AND "
						 "v_schema_origin = $2 AND NOT EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables i "
						 "WHERE i.i_id_source = r.i_id_source AND i.v_schema_origin = r.v_schema_origin AND "
						 "i.v_table_name = r.v_table_name) RETURNING v_schema_name, v_table_name",
						 {source_id, origin_schema}))
		dropped.emplace_back(*row[0], *row[1]);
	return dropped;
}

void
release_uncopied_syncs(int64 source_id) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_syncing = false, t_disabled_reason = "
				   "'MySQL no longer has the table: it was not copied again' WHERE i_id_source = "
				   "$1 AND b_syncing AND NOT b_recopy_requested",
				   {source_id});
}

void
unregister_tables(int64 source_id) {
	catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1", {source_id});
}

std::optional<std::string>
verified_different_tables(int64 source_id, int64 run) {
	return catalogue_value(
		"SELECT jsonb_agg(jsonb_build_array(r.v_schema_origin, r.v_table_name) ORDER BY "
		"v.v_mysql_table) FROM sch_chameleon.t_verification v JOIN "
		"sch_chameleon.t_replica_tables r ON r.i_id_source = v.i_id_source AND "
		"r.v_schema_origin || '.' || r.v_table_name = v.v_mysql_table WHERE v.i_id_source = "
		"$1 AND v.i_run = $2 AND v.t_state IN ('different', 'missing in PostgreSQL')",
		{source_id, run});
}

bool
sync_copied_every_table(int64 source_id) {
	return catalogue_value(
			   "SELECT NOT s.b_run_requested AND s.enm_status <> 'running' AND NOT EXISTS (SELECT 1 FROM "
			   "sch_chameleon.t_replica_tables r WHERE r.i_id_source = s.i_id_source AND NOT EXISTS (SELECT "
			   "1 "
			   "FROM sch_chameleon.t_init_tables i WHERE i.i_id_source = r.i_id_source AND i.v_schema_origin "
			   "= "
			   "r.v_schema_origin AND i.v_table_name = r.v_table_name)) FROM sch_chameleon.t_sources s WHERE "
			   "s.i_id_source = $1",
			   {source_id}) == "t";
}

bool
disable_table(int64 source_id, const std::string &origin_schema, const std::string &table,
			  const std::string &reason) {
	return !catalogue_query("UPDATE sch_chameleon.t_replica_tables SET b_replica_enabled = false, "
							"t_disabled_reason = $4, ts_disabled = clock_timestamp() WHERE " +
								std::string(one_table) + " RETURNING 1",
							{source_id, origin_schema, table, reason})
				.empty();
}

void
register_uncopied_table(int64 source_id, const std::string &origin_schema, const std::string &table,
						const std::string &reason) {
	catalogue_exec(
		"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
		"v_table_name, b_replica_enabled, t_disabled_reason, ts_disabled) VALUES ($1, $2, "
		"coalesce((SELECT value FROM sch_chameleon.t_sources s, jsonb_each_text(s.jsb_schema_mappings) "
		"WHERE s.i_id_source = $1 AND key = $2), $2), $3, false, $4, clock_timestamp())",
		{source_id, origin_schema, table, reason});
}

void
register_created_table(int64 source_id, const core::TableLayout &layout) {
	unregister_table(source_id, layout.origin_schema, layout.table);
	catalogue_exec("INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
				   "v_table_name, v_table_pkey, jsb_layout) VALUES ($1, $2, $3, $4, "
				   "ARRAY(SELECT jsonb_array_elements_text($5 -> 'key')), $5)",
				   {source_id, layout.origin_schema, layout.destination_schema, layout.table,
					SqlParam::jsonb(core::to_json(layout))});
}

void
change_table_layout(int64 source_id, const std::string &origin_schema, const std::string &table,
					const core::TableLayout &layout) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET v_schema_origin = $4, v_schema_name = $5, "
				   "v_table_name = $6, v_table_pkey = ARRAY(SELECT jsonb_array_elements_text($7 -> 'key')), "
				   "jsb_layout = $7 WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table, layout.origin_schema, layout.destination_schema,
					layout.table, SqlParam::jsonb(core::to_json(layout))});
}

void
unregister_table(int64 source_id, const std::string &origin_schema, const std::string &table) {
	catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE " + std::string(one_table),
				   {source_id, origin_schema, table});
}

// ---- the init queue

void
clear_init_queue(int64 source_id) {
	catalogue_exec("DELETE FROM sch_chameleon.t_init_tables WHERE i_id_source = $1", {source_id});
}

void
queue_table(int64 source_id, const core::TableLayout &layout, const std::string &loading_schema,
			int64_t estimated_rows, int64_t estimated_bytes) {
	catalogue_exec("INSERT INTO sch_chameleon.t_init_tables (i_id_source, v_schema_origin, v_table_name, "
				   "v_schema_name, v_schema_loading, i_estimated_rows, i_estimated_bytes, jsb_layout) "
				   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				   {source_id, layout.origin_schema, layout.table, layout.destination_schema, loading_schema,
					estimated_rows, estimated_bytes, SqlParam::jsonb(core::to_json(layout))});
}

void
add_index_statement(int64 source_id, const std::string &origin_schema, const std::string &table,
					const std::string &statement) {
	catalogue_exec("UPDATE sch_chameleon.t_init_tables SET t_index_statements = "
				   "array_append(t_index_statements, $4) WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table, statement});
}

void
set_pgsql_copy(int64 source_id, const std::string &origin_schema, const std::string &table,
			   const std::string &snapshot, const std::string &copy_statement) {
	catalogue_exec("UPDATE sch_chameleon.t_init_tables SET t_pg_snapshot = $4, t_pg_copy = $5 WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table, snapshot, copy_statement});
}

std::optional<QueuedTable>
claim_queued_table(int64 source_id) {
	std::vector<SqlRow> rows = catalogue_query(
		"UPDATE sch_chameleon.t_init_tables SET enm_state = 'copying', i_pid = pg_backend_pid(), "
		"ts_started = clock_timestamp() "
		"WHERE (i_id_source, v_schema_origin, v_table_name) = ("
		"  SELECT i_id_source, v_schema_origin, v_table_name FROM sch_chameleon.t_init_tables "
		"  WHERE i_id_source = $1 AND enm_state = 'pending' "
		"  AND NOT EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables f "
		"                  WHERE f.i_id_source = $1 AND f.enm_state = 'failed') "
		"  ORDER BY i_estimated_bytes DESC NULLS LAST, v_schema_origin, v_table_name "
		"  LIMIT 1 FOR UPDATE SKIP LOCKED) "
		"RETURNING v_schema_origin, v_table_name, v_schema_loading, v_schema_name, jsb_layout::text, "
		"  coalesce(t_pg_snapshot, ''), coalesce(t_pg_copy, '')",
		{source_id});
	if (rows.empty())
		return std::nullopt;
	return queued_from_row(source_id, rows[0]);
}

void
mark_table_copied(int64 source_id, const std::string &origin_schema, const std::string &table, int64_t rows,
				  int64_t bytes, int64_t discarded, const mysql::BinlogCoordinates &point) {
	catalogue_exec("UPDATE sch_chameleon.t_init_tables SET enm_state = 'copied', i_rows = $4, "
				   "i_bytes = $5, i_discarded = $6, ts_finished = clock_timestamp(), "
				   "t_binlog_name = nullif($7, ''), i_binlog_position = nullif($8, 0), "
				   "t_gtid_set = nullif($9, '') WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table, rows, bytes, discarded, point.file, point.position,
					point.gtid_set});
}

void
mark_table_failed(int64 source_id, const std::string &origin_schema, const std::string &table,
				  const std::string &error) {
	catalogue_exec("UPDATE sch_chameleon.t_init_tables SET enm_state = 'failed', t_error = $4, "
				   "ts_finished = clock_timestamp() WHERE " +
					   std::string(one_table),
				   {source_id, origin_schema, table, error});
}

std::vector<QueuedTable>
queued_tables(int64 source_id, const std::string &loading_schema) {
	std::vector<QueuedTable> tables;
	for (const SqlRow &row :
		 catalogue_query(std::string(queue_columns) +
							 "FROM sch_chameleon.t_init_tables WHERE i_id_source = $1 AND ($2 = '' OR "
							 "v_schema_loading = $2) ORDER BY v_schema_origin, v_table_name",
						 {source_id, loading_schema}))
		tables.push_back(queued_from_row(source_id, row));
	return tables;
}

std::optional<std::pair<std::string, std::string>>
uncopied_table(int64 source_id) {
	std::vector<SqlRow> rows =
		catalogue_query("SELECT v_schema_origin || '.' || v_table_name, coalesce(t_error, enm_state::text) "
						"FROM sch_chameleon.t_init_tables WHERE i_id_source = $1 AND enm_state <> 'copied' "
						"ORDER BY enm_state DESC LIMIT 1",
						{source_id});
	if (rows.empty())
		return std::nullopt;
	return std::make_pair(*rows[0][0], *rows[0][1]);
}

int64
discarded_rows(int64 source_id) {
	return std::stoll(*catalogue_value(
		"SELECT coalesce(sum(i_discarded), 0) FROM sch_chameleon.t_init_tables WHERE i_id_source = $1",
		{source_id}));
}

void
start_at_copy_points(int64 source_id, const mysql::BinlogCoordinates &empty_point) {
	const std::string points =
		"(SELECT t_binlog_name, i_binlog_position, t_gtid_set FROM sch_chameleon.t_init_tables WHERE "
		"i_id_source = $1 UNION ALL SELECT $2, $3, nullif($4, '') WHERE $2 <> '' AND NOT "
		"EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables WHERE i_id_source = $1))";
	std::vector<SqlParam> params = {source_id, empty_point.file, empty_point.position, empty_point.gtid_set};
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_received r SET t_binlog_name = p.t_binlog_name, "
		"i_binlog_position = p.i_binlog_position, t_gtid_set = p.t_gtid_set, ts_last_received = NULL "
		"FROM (SELECT * FROM " +
			points +
			" x ORDER BY sch_chameleon.fn_binlog_order(t_binlog_name), i_binlog_position LIMIT 1) p "
			"WHERE r.i_id_source = $1",
		params);
	catalogue_exec(
		"UPDATE sch_chameleon.t_sources s SET t_binlog_name = h.t_binlog_name, "
		"i_binlog_position = h.i_binlog_position, t_gtid_set = h.t_gtid_set, b_consistent = false "
		"FROM (SELECT * FROM " +
			points +
			" x ORDER BY sch_chameleon.fn_binlog_order(t_binlog_name) DESC, i_binlog_position DESC "
			"LIMIT 1) h WHERE s.i_id_source = $1",
		params);
}

} // namespace chameleon::pg
