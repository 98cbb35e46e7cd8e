// Maintenance of a source (see maintenance.hpp): the pause of its workers, the maintenance worker
// and its SQL functions, auto_maintenance, and the notifications of state changes.
#include "pg/maintenance.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"

#include "common/error.hpp"

#include <cstring>
#include <map>
#include <vector>

namespace chameleon::pg {

namespace {

constexpr long pause_poll_ms = 1000;					 // a paused worker's latch wakes it sooner
constexpr int64 pause_deadline_us = 300 * USECS_PER_SEC; // the workers must reach a boundary by then
constexpr int64 failed_retry_us = 60 * USECS_PER_SEC;	 // auto_maintenance after a failed run

// Runs one VACUUM statement as PostgreSQL's own top-level path does: VACUUM commits and starts
// transactions of its own, so it runs in no transaction block and no function. It needs a
// PortalContext that outlives those transactions, as autovacuum sets one up.
void
run_vacuum(const std::string &sql) {
	constexpr Size initial_block = Size{8} * 1024;
	constexpr Size max_block = Size{8} * 1024 * 1024;
	MemoryContext portal = pg_call([] {
		return AllocSetContextCreate(TopMemoryContext, "pg_chameleon maintenance", 0, initial_block,
									 max_block);
	});
	try {
		pg_call([&] {
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			PortalContext = portal;
			MemoryContextSwitchTo(portal);
			List *parsed = raw_parser(sql.c_str(), RAW_PARSE_DEFAULT);
			RawStmt *raw = linitial_node(RawStmt, parsed);
			ParseState *parse_state = make_parsestate(nullptr);
			parse_state->p_sourcetext = sql.c_str();
			ExecVacuum(parse_state, castNode(VacuumStmt, raw->stmt), true);
			CommitTransactionCommand();
		});
	} catch (...) {
		pg_call([] { AbortCurrentTransaction(); });
		PortalContext = nullptr;
		pg_call([&] { MemoryContextDelete(portal); });
		throw;
	}
	PortalContext = nullptr;
	pg_call([&] { MemoryContextDelete(portal); });
}

// Waits until the reader and replay workers of the source show "paused" (a worker that is not
// running has nothing to pause).
void
wait_for_pause(int64 source_id, const std::string &name) {
	TimestampTz deadline = GetCurrentTimestamp() + pause_deadline_us;
	while (unpaused_workers(source_id) > 0) {
		check_stop();
		if (GetCurrentTimestamp() >= deadline)
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"the workers of source \"" + name + "\" did not pause within 300 s", "",
						"A MySQL transaction larger than usual may be in progress; run the maintenance again "
						"later.");
		pg_call([] {
			(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		});
	}
}

// pause_replica and resume_replica change the pause when their transaction commits; a change made
// in a subtransaction that is rolled back is dropped with it.
struct PendingPause {
	int64 source_id;
	bool paused;
	SubTransactionId subtransaction;
};
std::vector<PendingPause> pending_pauses;
bool pause_callback_registered = false;

void
apply_pending_pauses(XactEvent event, void *) {
	if (event == XACT_EVENT_PRE_PREPARE && !pending_pauses.empty()) {
		pending_pauses.clear();
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("cannot prepare a transaction that paused or resumed a replica"),
						errhint("Call pause_replica() or resume_replica() in a transaction of its own.")));
	}
	if (event == XACT_EVENT_COMMIT)
		for (const PendingPause &pending : pending_pauses)
			set_pause(pending.source_id, PauseReason::user, pending.paused);
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		pending_pauses.clear();
}

void
track_pending_pauses(SubXactEvent event, SubTransactionId subtransaction, SubTransactionId parent, void *) {
	for (size_t i = pending_pauses.size(); i-- > 0;) {
		if (pending_pauses[i].subtransaction != subtransaction)
			continue;
		if (event == SUBXACT_EVENT_ABORT_SUB)
			pending_pauses.erase(pending_pauses.begin() + static_cast<std::ptrdiff_t>(i));
		else if (event == SUBXACT_EVENT_COMMIT_SUB)
			pending_pauses[i].subtransaction = parent;
	}
}

// What the catalogue says of the source's pause (the user's or a maintenance's).
bool
paused_in_catalogue(int64 source_id) {
	bool paused = false;
	run_transaction([&] {
		paused = catalogue_value("SELECT b_paused OR b_maintenance FROM sch_chameleon.t_sources WHERE "
								 "i_id_source = $1",
								 {source_id}) == "t";
	});
	return paused;
}

// A maintenance worker that died leaves its source marked: the mark goes, the workers resume.
void
repair_abandoned_maintenance() {
	std::vector<SqlRow> repaired;
	run_transaction([&] {
		repaired = catalogue_query(
			"UPDATE sch_chameleon.t_sources s SET b_maintenance = false WHERE b_maintenance AND NOT EXISTS ("
			"SELECT 1 FROM sch_chameleon.fn_worker_slots() w WHERE w.source = s.t_source AND w.database = "
			"current_database() AND w.role = 'maintenance') RETURNING i_id_source");
	});
	for (const SqlRow &row : repaired)
		set_pause(std::stoll(*row[0]), PauseReason::maintenance, false);
}

// When the manager last started the maintenance of a source, for the retry after a failure.
std::map<int64, TimestampTz> maintenance_started;

void
start_due_maintenance() {
	std::vector<SqlRow> due;
	run_transaction([&] {
		due = catalogue_query(
			"SELECT i_id_source, t_source, coalesce((extract(epoch FROM ts_last_maintenance) * "
			"1000000)::bigint "
			"- 946684800000000, 0) FROM sch_chameleon.t_sources WHERE b_run_requested AND enm_status = "
			"'running' AND NOT b_maintenance AND jsb_config ->> 'auto_maintenance' <> 'disabled' AND "
			"coalesce(ts_last_maintenance, ts_created) + (jsb_config ->> 'auto_maintenance')::interval <= "
			"clock_timestamp()");
	});
	TimestampTz now = GetCurrentTimestamp();
	for (const SqlRow &row : due) {
		int64 id = std::stoll(*row[0]);
		TimestampTz last_done = std::stoll(*row[2]); // PostgreSQL's epoch, as TimestampTz
		auto started = maintenance_started.find(id);
		// Started since the last success: that run failed (or is starting); try again a minute later.
		if (started != maintenance_started.end() && started->second > last_done &&
			now - started->second < failed_retry_us)
			continue;
		maintenance_started[id] = now;
		WorkerArgs args;
		memset(&args, 0, sizeof(args));
		args.source_id = id;
		args.database = MyDatabaseId;
		args.role = WorkerRole::maintenance;
		args.owner = BOOTSTRAP_SUPERUSERID; // VACUUM of catalogue tables; it runs no user code
		strlcpy(args.source_name, row[1]->c_str(), sizeof(args.source_name));
		start_worker(args, nullptr);
	}
}

// Retention: a log segment that is not the newest of its source, and whose batches were all
// replayed longer ago than batch_retention, is dropped with its batches. The drop locks the
// source's log partition for a moment: it waits at most lock_timeout for the workers' current
// transactions and is tried again in the next round when it could not.
void
apply_retention() {
	std::vector<SqlRow> expired;
	run_transaction([&] {
		expired = catalogue_query(
			"SELECT g.i_id_source, g.i_segment FROM sch_chameleon.t_log_segments g JOIN "
			"sch_chameleon.t_sources s "
			"USING (i_id_source) WHERE g.i_segment < (SELECT max(n.i_segment) FROM "
			"sch_chameleon.t_log_segments n "
			"WHERE n.i_id_source = g.i_id_source) AND NOT EXISTS (SELECT 1 FROM "
			"sch_chameleon.t_replica_batch b "
			"WHERE b.i_id_source = g.i_id_source AND b.i_segment = g.i_segment AND (NOT b.b_replayed OR "
			"b.ts_replayed > clock_timestamp() - (s.jsb_config ->> 'batch_retention')::interval)) "
			"ORDER BY 1, 2");
	});
	for (const SqlRow &row : expired) {
		try {
			run_transaction([&] {
				catalogue_exec("SET LOCAL lock_timeout = '1s'");
				catalogue_exec("SELECT sch_chameleon.fn_drop_log_segment($1, $2)",
							   {std::stoll(*row[0]), std::stoll(*row[1])});
			});
		} catch (const StopRequested &) {
			throw;
		} catch (const std::exception &error) {
			pg_call([&] {
				ereport(DEBUG1,
						(errmsg("pg_chameleon manager: log segment %s of source %s not dropped yet: %s",
								row[1]->c_str(), row[0]->c_str(), error.what())));
			});
		}
	}
}

void
finish_maintenance(int64 source_id, bool done, const std::string &message) {
	run_transaction([&] {
		catalogue_exec("UPDATE sch_chameleon.t_sources SET b_maintenance = false, ts_last_maintenance = CASE "
					   "WHEN $2 THEN clock_timestamp() ELSE ts_last_maintenance END WHERE i_id_source = $1",
					   {source_id, done});
		notify_state(done ? "maintenance_done" : "maintenance_failed", source_id, message);
	});
	set_pause(source_id, PauseReason::maintenance, false);
}

} // namespace

void
notify_state(const std::string &event, int64 source_id, const std::string &message,
			 const std::string &table) {
	catalogue_exec("SELECT sch_chameleon.fn_notify($1, $2, $3, $4)", {event, source_id, message, table});
}

void
load_pause_state(int64 source_id) {
	SqlRow row;
	run_transaction([&] {
		row = catalogue_query(
				  "SELECT b_paused, b_maintenance FROM sch_chameleon.t_sources WHERE i_id_source = $1",
				  {source_id})
				  .at(0);
	});
	// This worker's own slot only, and never cleared here: a pause committed after this read has set
	// the flag already; a read older than a concurrent resume is corrected by wait_while_paused.
	if (*row[0] == "t")
		set_my_pause(PauseReason::user, true);
	if (*row[1] == "t")
		set_my_pause(PauseReason::maintenance, true);
}

void
wait_while_paused(const char *running_state) {
	if (!pause_requested())
		return;
	set_slot_state(my_slot(), "paused");
	const int64 source_id = my_slot()->source_id;
	while (pause_requested()) {
		check_stop();
		// The catalogue decides: a flag whose pause was rolled back, or set from a read older than
		// the resume, ends here.
		if (!paused_in_catalogue(source_id)) {
			set_my_pause(PauseReason::user, false);
			set_my_pause(PauseReason::maintenance, false);
			break;
		}
		pg_call([] {
			(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, pause_poll_ms,
							PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		});
	}
	set_slot_state(my_slot(), running_state);
}

void
run_maintenance_worker(const WorkerArgs &args) {
	const bool full = args.job == 1;
	const std::string id = std::to_string(args.source_id);
	const std::string name = args.source_name;
	set_slot_state(my_slot(), "pausing");
	run_transaction([&] {
		catalogue_exec("UPDATE sch_chameleon.t_sources SET b_maintenance = true WHERE i_id_source = $1",
					   {args.source_id});
	});
	set_pause(args.source_id, PauseReason::maintenance, true);
	TimestampTz started = GetCurrentTimestamp();
	try {
		wait_for_pause(args.source_id, name);
		set_slot_state(my_slot(), "vacuuming");
		// The source's own log storage may be rewritten (FULL): only its workers use it, and they
		// are paused. The catalogue tables all sources share get a plain VACUUM, which blocks
		// nobody.
		run_vacuum(std::string("VACUUM ") + (full ? "(FULL) " : "") + "sch_chameleon.t_log_replica_" + id);
		run_vacuum("VACUUM sch_chameleon.t_replica_batch, sch_chameleon.t_last_received, "
				   "sch_chameleon.t_last_replayed, sch_chameleon.t_sources, sch_chameleon.t_worker_restarts, "
				   "sch_chameleon.t_log_segments");
	} catch (const std::exception &error) {
		std::string message = stop_requested() ? "stopped" : error.what();
		finish_maintenance(args.source_id, false, "maintenance failed: " + message);
		throw;
	}
	long seconds = 0;
	int microseconds = 0;
	TimestampDifference(started, GetCurrentTimestamp(), &seconds, &microseconds);
	char elapsed[32];
	snprintf(elapsed, sizeof(elapsed), "%ld.%01d s", seconds, microseconds / 100000);
	std::string message = std::string(full ? "VACUUM FULL" : "VACUUM") +
						  " of the log storage and VACUUM of the catalogue tables done in " + elapsed;
	finish_maintenance(args.source_id, true, message);
	pg_call(
		[&] { ereport(LOG, (errmsg("maintenance of source \"%s\": %s", name.c_str(), message.c_str()))); });
}

void
watch_maintenance() {
	try {
		repair_abandoned_maintenance();
		apply_retention();
		start_due_maintenance();
	} catch (const StopRequested &) {
		throw;
	} catch (const std::exception &error) {
		pg_call([&] { ereport(LOG, (errmsg("pg_chameleon manager: auto_maintenance: %s", error.what()))); });
	}
}

} // namespace chameleon::pg

using namespace chameleon;
using chameleon::pg::pg_call;

// fn_run_maintenance(id, name, full): starts the maintenance worker and waits for it.
CHAMELEON_FUNCTION(chameleon_run_maintenance) {
	int64 id = pg::int64_argument(fcinfo, 0, "id_source");
	std::string name = pg::text_argument(fcinfo, 1, "name");
	bool full = pg::bool_argument(fcinfo, 2, "full");
	if (IsolationUsesXactSnapshot())
		throw Error(sqlstate::object_not_in_prerequisite_state, "run_maintenance needs READ COMMITTED",
					"It reads the outcome the maintenance worker commits.",
					"Call it outside a REPEATABLE READ or SERIALIZABLE transaction.");
	// As VACUUM: the worker locks the source's row, which a transaction of the caller may hold
	// (pause_replica in the same transaction), and the caller waits for the worker.
	if (IsTransactionBlock())
		throw Error(sqlstate::active_sql_transaction, "run_maintenance cannot run inside a transaction block",
					"It waits for a maintenance worker that changes the source in transactions of its own.",
					"Call it on its own, outside BEGIN ... COMMIT.");
	pg::SqlValue before;
	pg::with_spi([&] {
		if (pg::catalogue_value("SELECT count(*) FROM sch_chameleon.fn_worker_slots() w WHERE w.source = $1 "
								"AND w.database = current_database() AND w.role = 'maintenance'",
								{name}) != "0")
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"a maintenance of source \"" + name + "\" is already running", "",
						"Wait until it ends: chameleon.show_status() shows the last maintenance.");
		before = pg::catalogue_value(
			"SELECT ts_last_maintenance::text FROM sch_chameleon.t_sources WHERE i_id_source = $1", {id});
	});
	pg::WorkerArgs args;
	memset(&args, 0, sizeof(args));
	args.source_id = id;
	args.database = MyDatabaseId;
	args.role = pg::WorkerRole::maintenance;
	args.owner = BOOTSTRAP_SUPERUSERID; // VACUUM of catalogue tables; it runs no user code
	args.job = full ? 1 : 0;
	strlcpy(args.source_name, name.c_str(), sizeof(args.source_name));
	BackgroundWorkerHandle *handle = nullptr;
	pg::start_worker(args, &handle);
	pg::wait_for_worker_exit(handle);
	pg::SqlValue after;
	pg::with_spi([&] {
		after = pg::catalogue_value(
			"SELECT ts_last_maintenance::text FROM sch_chameleon.t_sources WHERE i_id_source = $1", {id});
	});
	if (after == before)
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"the maintenance of source \"" + name + "\" failed", "",
					"The server log says why (look for \"maintenance of source\"); LISTEN chameleon receives "
					"the reason too.");
	PG_RETURN_VOID();
}

// fn_set_pause(id, paused): the user's pause of the source's workers, from the commit on.
CHAMELEON_FUNCTION(chameleon_set_pause) {
	int64 id = pg::int64_argument(fcinfo, 0, "id_source");
	bool paused = pg::bool_argument(fcinfo, 1, "paused");
	if (!pg::pause_callback_registered) {
		pg_call([] {
			RegisterXactCallback(pg::apply_pending_pauses, nullptr);
			RegisterSubXactCallback(pg::track_pending_pauses, nullptr);
		});
		pg::pause_callback_registered = true;
	}
	SubTransactionId subtransaction = pg_call([] { return GetCurrentSubTransactionId(); });
	pg::pending_pauses.push_back({id, paused, subtransaction});
	PG_RETURN_VOID();
}
