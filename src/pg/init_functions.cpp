// SQL-callable functions of the initial copy: starting the init worker (and waiting for it),
// and the live progress of copy workers for chameleon.init_progress.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"
#include "pg/workers.hpp"

#include "common/error.hpp"

#include <cstring>
#include <vector>

using namespace chameleon;
using chameleon::pg::pg_call;

namespace {

// Runs body with SPI connected, in the calling statement's transaction.
} // namespace

CHAMELEON_FUNCTION(chameleon_init_replica) {
	std::string name = pg::text_argument(fcinfo, 0);
	bool wait = PG_GETARG_BOOL(1);

	pg::WorkerArgs args;
	memset(&args, 0, sizeof(args));
	pg::with_spi([&] {
		pg::SqlValue id =
			pg::spi_value("SELECT i_id_source FROM sch_chameleon.t_sources WHERE t_source = $1", {name});
		if (!id)
			throw Error(sqlstate::undefined_object, "source \"" + name + "\" does not exist");
		args.source_id = std::stoll(*id);
	});
	args.database = MyDatabaseId;
	args.role = pg::WorkerRole::init;
	strlcpy(args.source_name, name.c_str(), sizeof(args.source_name));
	BackgroundWorkerHandle *handle = nullptr;
	pg::start_worker(args, &handle);
	if (!wait)
		PG_RETURN_VOID();

	pg::wait_for_worker_exit(handle);
	pg::with_spi([&] {
		std::vector<pg::SqlRow> rows =
			pg::spi_query("SELECT enm_status::text, coalesce(t_status_reason, ''), "
						  "(SELECT coalesce(sum(i_discarded), 0) FROM sch_chameleon.t_init_tables t "
						  " WHERE t.i_id_source = s.i_id_source) "
						  "FROM sch_chameleon.t_sources s WHERE i_id_source = $1::bigint",
						  {std::to_string(args.source_id)});
		if (rows.empty())
			throw Error(sqlstate::undefined_object,
						"source \"" + name + "\" was dropped during init_replica");
		if (*rows[0][0] != "initialised")
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"init_replica of source \"" + name + "\" failed",
						rows[0][1].value_or("") + " (status " + *rows[0][0] + ")",
						"Fix the cause and run chameleon.init_replica('" + name +
							"') again; chameleon.init_progress shows each table.");
		if (*rows[0][2] != "0") {
			std::string count = *rows[0][2];
			pg_call([&] {
				ereport(NOTICE,
						(errmsg("init_replica of source \"%s\" discarded %s rows that PostgreSQL refused",
								name.c_str(), count.c_str()),
						 errhint("SELECT * FROM chameleon.discarded_rows WHERE source = '%s' shows them.",
								 name.c_str())));
			});
		}
	});
	PG_RETURN_VOID();
}

CHAMELEON_FUNCTION(chameleon_worker_progress) {
	int capacity = pg::shared_state()->slot_count;
	std::vector<pg::WorkerSlot> slots(capacity);
	int count = pg::copy_live_slots(slots.data(), capacity);
	pg::ResultSet result(fcinfo);
	for (int i = 0; i < count; i++) {
		const pg::WorkerSlot &slot = slots[i];
		if (slot.table[0] == '\0')
			continue;
		Datum values[4] = {Int32GetDatum(slot.pid), pg::text_datum(slot.table),
						   Int64GetDatum(static_cast<int64>(slot.rows)),
						   Int64GetDatum(static_cast<int64>(slot.bytes))};
		bool nulls[4] = {false, false, false, false};
		result.add(values, nulls);
	}
	return (Datum)0;
}
