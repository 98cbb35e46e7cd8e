// The launcher background worker (see launcher.hpp). Its loop follows pg_cron's hygiene:
// latch waits that exit on postmaster death, SIGHUP reloads.
#include "pg/pg_headers.hpp"

#include "pg/launcher.hpp"
#include "pg/worker_slots.hpp"

#include <cstring>

namespace chameleon::pg {

namespace {

constexpr long launcher_naptime_ms = 1000;

} // namespace

void
register_launcher()
{
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
chameleon_launcher_main(Datum)
{
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
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, launcher_naptime_ms,
		                 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
