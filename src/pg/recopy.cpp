// Re-copies requested by replicated statements (see recopy.hpp).
#include "pg/recopy.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"

#include <chrono>

namespace chameleon::pg {

void
request_recopy(int64 source_id, const ddl::Recopy &recopy) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_syncing = true, b_replica_enabled = false, "
				   "b_recopy_requested = true, t_recopy_reason = $4, i_recopies = i_recopies + 1, "
				   "t_disabled_reason = 're-copying: ' || $4, ts_disabled = clock_timestamp() "
				   "WHERE i_id_source = $1 AND v_schema_origin = $2 AND v_table_name = $3",
				   {source_id, recopy.table.schema, recopy.table.table, recopy.reason});
}

void
start_requested_recopies(const ReplicationSource &source) {
	run_transaction([&] {
		SqlValue tables = catalogue_value(
			"SELECT jsonb_agg(jsonb_build_array(v_schema_origin, v_table_name)) FROM "
			"sch_chameleon.t_replica_tables "
			"WHERE i_id_source = $1 AND b_recopy_requested AND NOT EXISTS (SELECT 1 FROM "
			"sch_chameleon.fn_worker_slots() w WHERE w.source = $2 AND w.database = current_database() "
			"AND w.role IN ('init', 'copy'))",
			{source.id, source.name});
		if (!tables)
			return;
		std::string error;
		bool started = run_subtransaction(
			[&] {
				catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_recopy_requested = false "
							   "WHERE i_id_source = $1 AND b_recopy_requested",
							   {source.id});
				// the worker starts at once, whatever happens to this transaction: the call comes last
				catalogue_exec("SELECT sch_chameleon.fn_request_sync($1, jsonb_build_object('tables', "
							   "$2), false)",
							   {source.name, SqlParam::jsonb(*tables)});
			},
			&error);
		// Tried again at every idle moment (about once a second), said at most once a minute.
		static std::chrono::steady_clock::time_point last_said;
		if (!started && std::chrono::steady_clock::now() - last_said >= std::chrono::minutes(1)) {
			last_said = std::chrono::steady_clock::now();
			std::string text = "replay of source \"" + source.name + "\": the copy of " + *tables +
							   " could not start yet (" + error + "); trying again";
			pg_call([&] { ereport(LOG, (errmsg_internal("%s", text.c_str()))); });
		}
	});
}

} // namespace chameleon::pg
