// SQL-callable functions of the initial copy: starting the init worker (and waiting for it),
// and the live progress of copy workers for chameleon.init_progress.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue.hpp"
#include "pg/catalogue_tables.hpp"
#include "pg/extension_version.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"
#include "pg/init_replica.hpp"
#include "pg/rights.hpp"
#include "pg/workers.hpp"

#include "common/error.hpp"

#include <cstring>
#include <vector>

using namespace chameleon;
using chameleon::pg::pg_call;

namespace {

// Starts the init worker of a source (for init_replica, or sync_tables with job = sync_job);
// returns its handle.
BackgroundWorkerHandle *
start_init_worker(const std::string &name, int64 job, int64 *source_id, dsm_handle request = 0) {
	pg::WorkerArgs args;
	memset(&args, 0, sizeof(args));
	pg::with_spi([&] {
		pg::require_matching_catalogue();
		args.source_id = pg::find_source(name, &args.owner);
	});
	pg::require_owner_can_run(args.owner, name);
	args.database = MyDatabaseId;
	args.role = pg::WorkerRole::init;
	args.job = job;
	args.request = request;
	strlcpy(args.source_name, name.c_str(), sizeof(args.source_name));
	BackgroundWorkerHandle *handle = nullptr;
	pg::start_worker(args, &handle);
	*source_id = args.source_id;
	return handle;
}

void
notice_discarded_rows(const std::string &name, const std::string &what, int64 source_id) {
	int64 count = pg::discarded_rows(source_id);
	if (count == 0)
		return;
	pg_call([&] {
		ereport(NOTICE, (errmsg("%s of source \"%s\" discarded %lld rows that PostgreSQL refused",
								what.c_str(), name.c_str(), static_cast<long long>(count)),
						 errhint("SELECT * FROM chameleon.discarded_rows WHERE source = '%s' shows them.",
								 name.c_str())));
	});
}

} // namespace

CHAMELEON_FUNCTION(chameleon_init_replica) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	bool wait = pg::bool_argument(fcinfo, 1, "wait");
	int64 source_id = 0;
	BackgroundWorkerHandle *handle = start_init_worker(name, 0, &source_id);
	if (!wait)
		PG_RETURN_VOID();

	pg::wait_for_worker_exit(handle);
	pg::with_spi([&] {
		std::vector<pg::SqlRow> rows =
			pg::catalogue_query("SELECT enm_status::text, coalesce(t_status_reason, '') "
								"FROM sch_chameleon.t_sources WHERE i_id_source = $1",
								{source_id});
		if (rows.empty())
			throw Error(sqlstate::undefined_object,
						"source \"" + name + "\" was dropped during init_replica");
		if (*rows[0][0] != "initialised")
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"init_replica of source \"" + name + "\" failed",
						rows[0][1].value_or("") + " (status " + *rows[0][0] + ")",
						"Fix the cause and run chameleon.init_replica('" + name +
							"') again; chameleon.init_progress shows each table.");
		notice_discarded_rows(name, "init_replica", source_id);
	});
	PG_RETURN_VOID();
}

CHAMELEON_FUNCTION(chameleon_sync_tables) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	std::string request = pg::jsonb_argument(fcinfo, 1, "request");
	bool wait = pg::bool_argument(fcinfo, 2, "wait");
	// The request goes in a pinned segment: the worker reads it and unpins it.
	dsm_segment *segment = pg_call([&] {
		dsm_segment *created = dsm_create(request.size() + 1, 0);
		memcpy(dsm_segment_address(created), request.c_str(), request.size() + 1);
		dsm_pin_segment(created);
		return created;
	});
	int64 source_id = 0;
	BackgroundWorkerHandle *handle = nullptr;
	try {
		handle = start_init_worker(name, pg::sync_job, &source_id, dsm_segment_handle(segment));
	} catch (...) {
		pg_call([&] {
			dsm_unpin_segment(dsm_segment_handle(segment));
			dsm_detach(segment);
		});
		throw;
	}
	pg_call([&] { dsm_detach(segment); });
	if (!wait)
		PG_RETURN_VOID();

	pg::wait_for_worker_exit(handle);
	pg::with_spi([&] {
		std::vector<pg::SqlRow> rows =
			pg::catalogue_query("SELECT coalesce(jsb_sync_request ->> 'error', '') "
								"FROM sch_chameleon.t_sources WHERE i_id_source = $1",
								{source_id});
		if (rows.empty())
			throw Error(sqlstate::undefined_object, "source \"" + name + "\" was dropped during sync_tables");
		if (!rows[0][0]->empty())
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"sync_tables of source \"" + name + "\" failed", *rows[0][0],
						"Fix the cause and run it again; chameleon.init_progress shows each table, and the "
						"tables stay disabled meanwhile.");
		notice_discarded_rows(name, "sync_tables", source_id);
	});
	PG_RETURN_VOID();
}

CHAMELEON_FUNCTION(chameleon_copy_schema) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	pg::with_spi([&] { pg::copy_schema(pg::find_source(name)); });
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
