// The launcher and the per-database managers (see launcher.hpp). Their loops follow pg_cron's
// hygiene: latch waits that exit on postmaster death, SIGHUP reloads.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue.hpp"
#include "pg/extension_version.hpp"
#include "pg/launcher.hpp"
#include "pg/maintenance.hpp"
#include "pg/replication.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/worker_slots.hpp"

#include "common/error.hpp"

#include <cstring>
#include <algorithm>
#include <exception>
#include <map>

namespace chameleon::pg {

namespace {

constexpr long launcher_naptime_ms = 1000;

// Status never shows a dead process as working: a source left initialising by a worker that
// is gone (a crash, a server restart) is put in error with the reason.
void
repair_abandoned_sources() {
	for (const SqlRow &row : catalogue_query(
			 "SELECT i_id_source FROM sch_chameleon.t_sources s WHERE enm_status = 'initialising' AND NOT "
			 "EXISTS (SELECT 1 FROM sch_chameleon.fn_worker_slots() w WHERE w.source = s.t_source AND "
			 "w.database = current_database() AND w.role IN ('init', 'copy'))"))
		change_source_status(
			std::stoll(*row[0]), core::StatusChange::init_abandoned,
			"init_replica ended without finishing (its worker died, or the server restarted); "
			"run chameleon.init_replica() again");
}

// The crash-loop rule. A source that should replicate but has no workers lost them without a
// clean stop (a crash, a kill, a crash restart of the whole server). Each restart the launcher
// makes is recorded in sch_chameleon.t_worker_restarts, which a crash restart of the postmaster
// does not wipe; a clean stop of the workers clears it. The n-th restart within the window waits
// 2^(n-1) seconds after the previous one (backoff), and after max_restarts restarts within the
// window the source goes to error instead of being restarted again.
constexpr int max_restarts = 5;
constexpr const char *restart_window = "5 minutes";
constexpr double max_backoff_seconds = 60;
constexpr double start_grace_seconds =
	5; // started a moment ago: its workers may not have claimed their slots yet

// Restarts the workers of `source` (id, name) if the rule allows it now; puts it in error when
// it has died too often.
void
resume_source(const SqlRow &source) {
	int64 id = std::stoll(*source[0]);
	const std::string &name = *source[1];
	Oid owner = static_cast<Oid>(std::stoul(*source[2]));
	int restarts = 0;
	double since_last = 0;
	std::string last_restart;
	run_transaction([&] {
		SqlRow row = catalogue_query(
			"SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - max(ts_restart)), "
			"0), coalesce(to_char(max(ts_restart), 'YYYY-MM-DD HH24:MI:SS TZ'), '') FROM "
			"sch_chameleon.t_worker_restarts WHERE i_id_source = $1 AND ts_restart > "
			"clock_timestamp() - $2",
			{id, SqlParam::interval(std::string(restart_window))})[0];
		restarts = std::stoi(*row[0]);
		since_last = std::stod(*row[1]);
		last_restart = *row[2];
	});
	// Restarted a moment ago: its workers may not have claimed their slots yet, and are not dead.
	if (restarts > 0 && since_last < start_grace_seconds)
		return;
	if (restarts >= max_restarts) {
		std::string reason = "the replication workers died " + std::to_string(restarts + 1) +
							 " times within " + restart_window +
							 " without stopping cleanly (last restart at " + last_restart +
							 "); the server log says why (look for \"terminated by signal\")";
		run_transaction([&] {
			change_source_status(id, core::StatusChange::failed, reason);
			// enable_replica and start_replica begin a new count
			catalogue_exec("DELETE FROM sch_chameleon.t_worker_restarts WHERE i_id_source = $1", {id});
			notify_state("source_error", id, reason);
		});
		pg_call([&] {
			ereport(WARNING, (errmsg("pg_chameleon launcher: source \"%s\" put in error: %s", name.c_str(),
									 reason.c_str()),
							  errhint("Fix the cause, then run chameleon.enable_replica() and "
									  "chameleon.start_replica().")));
		});
		return;
	}
	double backoff = restarts == 0 ? 0 : std::min(max_backoff_seconds, double(1 << (restarts - 1)));
	if (restarts > 0 && since_last < backoff)
		return;
	// The workers connect as the source's owner: one that cannot (dropped, NOLOGIN, no CONNECT) puts
	// the source in error with the reason instead of workers failing at their start.
	bool can_run = false;
	run_transaction([&] {
		std::string problem;
		try {
			require_owner_can_run(owner, name);
		} catch (const Error &error) {
			problem = std::string(error.what()) + ": " + error.detail + " HINT: " + error.hint;
		}
		if (!problem.empty()) {
			change_source_status(id, core::StatusChange::failed, problem);
			notify_state("source_error", id, problem);
			pg_call([&] {
				ereport(WARNING, (errmsg("pg_chameleon launcher: source \"%s\" put in error: %s",
										 name.c_str(), problem.c_str())));
			});
			return;
		}
		can_run = true;
		catalogue_exec("INSERT INTO sch_chameleon.t_worker_restarts (i_id_source) VALUES ($1)", {id});
	});
	if (!can_run)
		return;
	pg_call([&] {
		ereport(LOG,
				(errmsg("pg_chameleon launcher: starting the workers of source \"%s\" (restart %d within %s)",
						name.c_str(), restarts + 1, restart_window)));
	});
	start_replication_workers(id, name, MyDatabaseId, owner);
}

// Sources that should replicate but lack a worker (the rows of `sources`) get their workers back
// under the crash-loop rule.
void
resume_sources(const std::vector<SqlRow> &sources) {
	for (const SqlRow &row : sources) {
		if (source_held(MyDatabaseId, std::stoll(*row[0])))
			continue; // stop_replica is stopping it
		resume_source(row);
	}
}

// A catalogue of another version than the library's: the sources that should replicate go to
// error saying what to do (the status change uses only columns every version has), and no worker
// is started.
void
stop_mismatched_sources() {
	std::string reason;
	try {
		require_matching_catalogue();
		return;
	} catch (const Error &error) {
		reason = std::string(error.what()) + ": " + error.detail + " HINT: " + error.hint;
	}
	for (const SqlRow &row :
		 catalogue_query("SELECT i_id_source, t_source FROM sch_chameleon.t_sources WHERE "
						 "b_run_requested"))
		if (change_source_status(std::stoll(*row[0]), core::StatusChange::failed, reason))
			pg_call([&] {
				ereport(WARNING, (errmsg("pg_chameleon manager: source \"%s\" put in error: %s",
										 row[1]->c_str(), reason.c_str())));
			});
}

// One round of a manager: false when the database needs none (no extension, or no source that
// should replicate), so that an idle database is not held open (DROP DATABASE would wait for it).
bool
watch_sources() {
	bool needed = true;
	try {
		std::vector<SqlRow> sources;
		run_transaction([&] {
			if (spi_value("SELECT pg_catalog.count(*) FROM pg_catalog.pg_extension WHERE extname "
						  "OPERATOR(pg_catalog.=) 'pg_chameleon'") == "0") {
				needed = false;
				return;
			}
			if (catalogue_version() != library_version) {
				stop_mismatched_sources();
				needed = false;
				return;
			}
			repair_abandoned_sources();
			needed =
				catalogue_value("SELECT count(*) FROM sch_chameleon.t_sources WHERE b_run_requested") != "0";
			sources = catalogue_query(
				"SELECT s.i_id_source, s.t_source, s.rol_owner::oid FROM sch_chameleon.t_sources s "
				"WHERE s.b_run_requested AND s.enm_status = 'running' AND (SELECT count(*) FROM "
				"sch_chameleon.fn_worker_slots() w WHERE w.source = s.t_source AND w.database = "
				"current_database() AND w.role IN ('reader', 'replay')) < 2");
		});
		resume_sources(sources);
	} catch (const StopRequested &) {
		throw;
	} catch (const std::exception &error) {
		pg_call([&] { ereport(LOG, (errmsg("pg_chameleon manager: %s", error.what()))); });
	}
	return needed;
}

// The databases a manager may serve: every one that accepts connections and is no template.
std::vector<std::pair<Oid, std::string>>
list_databases() {
	std::vector<std::pair<Oid, std::string>> databases;
	pg_call([] {
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
	});
	try {
		Relation relation = pg_call([] { return table_open(DatabaseRelationId, AccessShareLock); });
		TableScanDesc scan = pg_call([&] { return table_beginscan_catalog(relation, 0, nullptr); });
		for (;;) {
			HeapTuple tuple = pg_call([&] { return heap_getnext(scan, ForwardScanDirection); });
			if (!HeapTupleIsValid(tuple))
				break;
			auto *database = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
			if (database->datallowconn && !database->datistemplate)
				databases.emplace_back(database->oid, NameStr(database->datname));
		}
		pg_call([&] {
			table_endscan(scan);
			table_close(relation, AccessShareLock);
			PopActiveSnapshot();
			CommitTransactionCommand();
		});
	} catch (...) {
		pg_call([] { AbortCurrentTransaction(); });
		throw;
	}
	return databases;
}

// How long the launcher waits before it starts the manager of a database again (its last one
// ended: the database has no extension, or the manager failed).
constexpr int64 manager_retry_us = 30 * USECS_PER_SEC;
std::map<Oid, TimestampTz> next_manager_start;

// Starts a manager in every database that has none; a database where the last one ended gets
// a new one after manager_retry_us.
void
supervise_databases() {
	try {
		std::vector<std::pair<Oid, std::string>> databases = list_databases();
		int capacity = shared_state()->slot_count;
		std::vector<WorkerSlot> slots(capacity);
		int count = copy_live_slots(slots.data(), capacity);
		TimestampTz now = GetCurrentTimestamp();
		for (const auto &[oid, name] : databases) {
			bool running = false;
			for (int i = 0; i < count; i++)
				running = running || (slots[i].role == WorkerRole::manager && slots[i].database == oid);
			if (running || now < next_manager_start[oid])
				continue;
			next_manager_start[oid] = now + manager_retry_us;
			WorkerArgs args;
			memset(&args, 0, sizeof(args));
			args.database = oid;
			args.role = WorkerRole::manager;
			// The manager reads the catalogue and starts workers (as their sources' owners); it runs
			// no user code, as the bootstrap superuser the launcher itself runs as.
			args.owner = BOOTSTRAP_SUPERUSERID;
			strlcpy(args.source_name, name.c_str(), sizeof(args.source_name));
			start_worker(args, nullptr);
		}
	} catch (const std::exception &error) {
		pg_call([&] { ereport(LOG, (errmsg("pg_chameleon launcher: %s", error.what()))); });
	}
}

} // namespace

void
run_manager(const WorkerArgs &args) {
	(void)args;
	set_slot_state(my_slot(), "watching");
	for (;;) {
		check_stop();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			pg_call([] { ProcessConfigFile(PGC_SIGHUP); });
		}
		if (!watch_sources())
			return; // nothing to watch here: the launcher looks again later
		watch_maintenance();
		pg_call([] {
			(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, launcher_naptime_ms,
							PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		});
	}
}

void
register_launcher() {
	BackgroundWorker worker;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "pg_chameleon", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "chameleon_launcher_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "pg_chameleon launcher", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "pg_chameleon launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

} // namespace chameleon::pg

void
chameleon_launcher_main(Datum) {
	using namespace chameleon::pg;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	// No database: the launcher reads only the shared catalogue pg_database.
	BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
	pgstat_report_appname("pg_chameleon launcher");

	WorkerSlot *slot = claim_slot(WorkerRole::launcher, 0, "");
	set_slot_state(slot, "watching");

	for (;;) {
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		supervise_databases();
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, launcher_naptime_ms,
						PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
