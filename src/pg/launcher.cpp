// The launcher background worker (see launcher.hpp). Its loop follows pg_cron's hygiene:
// latch waits that exit on postmaster death, SIGHUP reloads.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/launcher.hpp"
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
	run_transaction([] {
		if (spi_value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_chameleon'") == "0")
			return;
		spi_exec("UPDATE sch_chameleon.t_sources s SET enm_status = 'error', ts_status_changed = "
				 "clock_timestamp(), "
				 "t_status_reason = 'init_replica ended without finishing (its worker died, or the server "
				 "restarted); run chameleon.init_replica() again' "
				 "WHERE enm_status = 'initialising' AND NOT EXISTS ("
				 "  SELECT 1 FROM sch_chameleon.fn_worker_slots() w "
				 "  WHERE w.source = s.t_source AND w.database = current_database() AND w.role IN ('init', "
				 "'copy'))");
	});
}

void
watch_sources() {
	try {
		repair_abandoned_sources();
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
