// Re-copies requested by replicated statements (see recopy.hpp).
#include "pg/recopy.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue_tables.hpp"
#include "pg/spi.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace chameleon::pg {

void
request_recopy(int64 source_id, const ddl::Recopy &recopy) {
	request_table_recopy(source_id, recopy.table.schema, recopy.table.table, recopy.reason);
}

void
start_requested_recopies(const ReplicationSource &source) {
	run_transaction([&] {
		std::optional<std::string> tables = requested_recopies(source.id, source.name);
		if (!tables)
			return;
		std::string error;
		bool started = run_subtransaction(
			[&] {
				clear_recopy_requests(source.id);
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
