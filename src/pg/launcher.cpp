// The launcher background worker (see launcher.hpp). Its loop follows pg_cron's hygiene:
// latch waits that exit on postmaster death, SIGHUP reloads.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/launcher.hpp"
#include "pg/replication.hpp"
#include "pg/replication.hpp"
#include "pg/spi.hpp"
#include "pg/worker_slots.hpp"

#include <cstring>
#include <deque>
#include <exception>
#include <map>

namespace chameleon::pg {

namespace {

constexpr long launcher_naptime_ms = 1000;

// Status never shows a dead process as working: a source left initialising by a worker that
// is gone (a crash, a server restart) is put in error with the reason.
void
repair_abandoned_sources() {
	spi_exec("UPDATE sch_chameleon.t_sources s SET enm_status = 'error', ts_status_changed = "
			 "clock_timestamp(), "
			 "t_status_reason = 'init_replica ended without finishing (its worker died, or the server "
			 "restarted); run chameleon.init_replica() again' "
			 "WHERE enm_status = 'initialising' AND NOT EXISTS ("
			 "  SELECT 1 FROM sch_chameleon.fn_worker_slots() w "
			 "  WHERE w.source = s.t_source AND w.database = current_database() AND w.role IN ('init', "
			 "'copy'))");
}

// Worker starts per source, to give up on a source whose workers keep dying.
std::map<int64, std::deque<TimestampTz>> recent_starts;
constexpr int max_starts = 5;
constexpr int64 start_window_us = 5 * 60 * USECS_PER_SEC;
constexpr int64 start_grace_us = 5 * USECS_PER_SEC;

// Sources that should replicate but lack a worker (after a crash or a server restart: the rows
// of `sources`) get their workers back; one whose workers died max_starts times within start_window_us is put
// in error.
void
resume_sources(const std::vector<SqlRow> &sources) {
	TimestampTz now = GetCurrentTimestamp();
	for (const SqlRow &row : sources) {
		int64 id = std::stoll(*row[0]);
		if (source_held(MyDatabaseId, id))
			continue; // stop_replica is stopping it
		std::deque<TimestampTz> &starts = recent_starts[id];
		while (!starts.empty() && now - starts.front() > start_window_us)
			starts.pop_front();
		if (!starts.empty() && now - starts.back() < start_grace_us)
			continue; // started a moment ago: its workers may not have claimed their slots yet
		if (static_cast<int>(starts.size()) >= max_starts) {
			run_transaction([&] {
				spi_exec(
					"UPDATE sch_chameleon.t_sources SET enm_status = 'error', b_run_requested = false, "
					"ts_status_changed = clock_timestamp(), t_status_reason = 'the replication workers died "
					"5 times within 5 minutes; the server log says why' WHERE i_id_source = $1::bigint",
					{*row[0]});
			});
			starts.clear();
			continue;
		}
		starts.push_back(now);
		pg_call([&] {
			ereport(LOG, (errmsg("pg_chameleon launcher: starting the workers of source \"%s\"",
								 row[1]->c_str())));
		});
		start_replication_workers(id, *row[1], MyDatabaseId);
	}
}

void
watch_sources() {
	try {
		std::vector<SqlRow> sources;
		run_transaction([&] {
			if (spi_value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_chameleon'") == "0")
				return;
			repair_abandoned_sources();
			sources =
				spi_query("SELECT s.i_id_source, s.t_source FROM sch_chameleon.t_sources s "
						  "WHERE s.b_run_requested AND s.enm_status = 'running' AND (SELECT count(*) FROM "
						  "sch_chameleon.fn_worker_slots() w WHERE w.source = s.t_source AND w.database = "
						  "current_database() AND w.role IN ('reader', 'replay')) < 2");
		});
		resume_sources(sources);
	} catch (const std::exception &error) {
		pg_call([&] { ereport(LOG, (errmsg("pg_chameleon launcher: %s", error.what()))); });
	}
}

} // namespace

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
	BackgroundWorkerInitializeConnection(database_name_guc, nullptr, 0);
	pgstat_report_appname("pg_chameleon launcher");

	WorkerSlot *slot = claim_slot(WorkerRole::launcher, 0, "");
	set_slot_state(slot, "watching");

	for (;;) {
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		watch_sources();
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, launcher_naptime_ms,
						PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
