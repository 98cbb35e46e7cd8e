// Dynamic background workers of a source (see workers.hpp). A worker's main loop is C++: it
// runs inside one guard, and a failure is recorded in the catalogue (status error and the
// reason) by the role's own handler before the worker exits.
#include "pg/workers.hpp"

#include "pg/boundary.hpp"
#include "pg/extension_version.hpp"
#include "pg/init_replica.hpp"
#include "pg/launcher.hpp"
#include "pg/maintenance.hpp"
#include "pg/replication.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/verify.hpp"

#include "common/error.hpp"

#include <csignal>
#include <cstring>

namespace chameleon::pg {

namespace {

volatile sig_atomic_t stop_signal_received = false;
WorkerSlot *current_slot = nullptr;
std::string owner_name; // "name", read when the worker starts (a failed transaction cannot read it)

// SIGTERM: remember the request, and cancel what PostgreSQL is doing so that a long
// statement (an index build, a lock wait) ends at its next interrupt check.
void
handle_sigterm(int) {
	int saved_errno = errno;
	stop_signal_received = true;
	InterruptPending = true;
	QueryCancelPending = true;
	SetLatch(MyLatch);
	errno = saved_errno;
}

void
run_role(const WorkerArgs &args) {
	switch (args.role) {
	case WorkerRole::init:
		run_init_replica(args);
		return;
	case WorkerRole::copy:
		run_copy_job(args);
		return;
	case WorkerRole::reader:
		run_reader(args);
		return;
	case WorkerRole::replay:
		run_replay(args);
		return;
	case WorkerRole::manager:
		run_manager(args);
		return;
	case WorkerRole::maintenance:
		run_maintenance_worker(args);
		return;
	case WorkerRole::verify:
		run_verify(args);
		return;
	case WorkerRole::launcher:
		break;
	}
	throw Error(sqlstate::internal_error,
				std::string("no worker main for role ") + worker_role_name(args.role));
}

// What the catalogue says after a stop or a failure; a failure to record it is only logged, so
// that the original error is the one reported.
void
record_outcome(const WorkerArgs &args, bool stopped, const std::string &message) {
	try {
		// The SIGTERM that stopped the worker also asked to cancel the statement then running; that
		// request is served by now and must not cancel the recording.
		QueryCancelPending = false;
		pg_call([] { AbortCurrentTransaction(); });
		if (args.role == WorkerRole::init || args.role == WorkerRole::copy) {
			if (stopped)
				init_worker_stopped(args);
			else
				init_worker_failed(args, message);
		} else if (args.role == WorkerRole::verify) {
			verify_worker_ended(args, stopped, message);
		} else if (args.role == WorkerRole::reader || args.role == WorkerRole::replay) {
			if (stopped)
				replication_worker_stopped(args);
			else
				replication_worker_failed(args, message);
		}
	} catch (const std::exception &error) {
		pg_call([&] {
			ereport(LOG, (errmsg("could not record the outcome of %s: %s", MyBgworkerEntry->bgw_name,
								 error.what())));
		});
	}
}

void
record_stop(const WorkerArgs &args) {
	record_outcome(args, true, "");
}

void
record_failure(const WorkerArgs &args, const std::string &message) {
	record_outcome(args, false, message);
}

// The message, its detail and its hint: the detail often holds the reason (which check failed,
// the server's own error), and the status reason must say what to fix, not only the server log.
// A right the owner lacks (PostgreSQL's own permission errors) is named as such: the worker runs as
// the owner.
std::string
captured_message(const WorkerArgs &args, const CapturedError &error) {
	const char *message = error.pg_error ? error.pg_error->message : error.message;
	const char *detail = error.pg_error ? error.pg_error->detail : error.detail;
	const char *hint = error.pg_error ? error.pg_error->hint : error.hint;
	std::string text = message ? message : "";
	if (detail && *detail)
		text += std::string(": ") + detail;
	int code = error.pg_error ? error.pg_error->sqlerrcode : error.sqlerrcode;
	if (error.from_postgres && code == ERRCODE_INSUFFICIENT_PRIVILEGE) {
		text += " HINT: " + owner_rights_hint(owner_name, args.source_name) +
				(hint && *hint ? std::string(" ") + hint : std::string());
	} else if (hint && *hint)
		text += std::string(" HINT: ") + hint;
	return text;
}

// Every message a worker logs names its role and source (its database, for a manager) in a
// CONTEXT line; log_line_prefix's %a shows the same as application_name.
void
worker_log_context(void *argument) {
	const auto *args = static_cast<const WorkerArgs *>(argument);
	if (args->role == WorkerRole::manager)
		errcontext("pg_chameleon manager of database \"%s\"", args->source_name);
	else
		errcontext("pg_chameleon %s worker of source \"%s\"", worker_role_name(args->role),
				   args->source_name);
}

} // namespace

bool
stop_requested() {
	return stop_signal_received;
}

void
check_stop() {
	if (stop_signal_received)
		throw StopRequested();
	pg_call([] {
		CHECK_FOR_INTERRUPTS();
		// SIGHUP: settings such as log_min_messages or statement_timeout apply from here on
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	});
}

WorkerSlot *
my_slot() {
	return current_slot;
}

const std::string &
worker_owner_name() {
	return owner_name;
}

pid_t
start_worker(const WorkerArgs &args, BackgroundWorkerHandle **handle) {
	if (!OidIsValid(args.owner))
		throw Error(sqlstate::internal_error, std::string("the ") + worker_role_name(args.role) +
												  " worker of source \"" + args.source_name +
												  "\" has no owner");
	BackgroundWorker worker;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "pg_chameleon", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "chameleon_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_chameleon %s %s", worker_role_name(args.role),
			 args.source_name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_chameleon %s", worker_role_name(args.role));
	static_assert(sizeof(WorkerArgs) <= BGW_EXTRALEN, "worker arguments fit in bgw_extra");
	memcpy(worker.bgw_extra, &args, sizeof(args));
	worker.bgw_notify_pid = MyProcPid;

	BackgroundWorkerHandle *started = nullptr;
	if (!pg_call([&] { return RegisterDynamicBackgroundWorker(&worker, &started); }))
		throw Error(
			sqlstate::object_not_in_prerequisite_state,
			std::string("could not start the ") + worker_role_name(args.role) + " worker of source \"" +
				args.source_name + "\"",
			"All background worker slots are in use.",
			"Raise \"max_worker_processes\" (and \"pg_chameleon.max_workers\") and restart the server.");
	pid_t pid = 0;
	BgwHandleStatus status = pg_call([&] { return WaitForBackgroundWorkerStartup(started, &pid); });
	if (status != BGWH_STARTED)
		throw Error(sqlstate::object_not_in_prerequisite_state,
					std::string("the ") + worker_role_name(args.role) + " worker of source \"" +
						args.source_name + "\" did not start",
					"", "Check the server log for the reason.");
	if (handle)
		*handle = started;
	return pid;
}

void
wait_for_worker_exit(BackgroundWorkerHandle *handle) {
	pg_call([&] { return WaitForBackgroundWorkerShutdown(handle); });
}

} // namespace chameleon::pg

void
chameleon_worker_main(Datum) {
	using namespace chameleon::pg;

	static WorkerArgs args; // the log context callback reads it until the process exits
	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
	static ErrorContextCallback log_context;
	log_context.callback = worker_log_context;
	log_context.arg = &args;
	log_context.previous = nullptr;
	error_context_stack = &log_context;
	pqsignal(SIGTERM, handle_sigterm);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	// The worker has the rights of the source's owner, and no other (doc/security.md): it connects
	// as the owner, and SECURITY_LOCAL_USERID_CHANGE keeps user code (triggers, default expressions,
	// domain checks) from changing roles with SET ROLE or SET SESSION AUTHORIZATION. Catalogue
	// statements switch to the catalogue's owner one at a time (CatalogueRights).
	BackgroundWorkerInitializeConnectionByOid(args.database, args.owner, 0);
	SetUserIdAndSecContext(args.owner, SECURITY_LOCAL_USERID_CHANGE);
	// The replay applies changes another server has already checked, as PostgreSQL's apply worker
	// does: ordinary triggers and rules do not fire, nor do foreign key checks (ENABLE REPLICA and
	// ENABLE ALWAYS triggers do).
	if (args.role == WorkerRole::replay)
		SetConfigOption("session_replication_role", "replica", PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname(MyBgworkerEntry->bgw_name);
	// a manager's name is its database's, for the process title only
	current_slot =
		claim_slot(args.role, args.source_id, args.role == WorkerRole::manager ? "" : args.source_name);
	if (current_slot == nullptr) {
		ereport(LOG, (errmsg("%s is already running", MyBgworkerEntry->bgw_name)));
		proc_exit(0);
	}

	CapturedError error;
	bool failed = false;
	bool stopped = false;
	try {
		pg_call([] { StartTransactionCommand(); });
		owner_name = role_name(args.owner);
		pg_call([] { CommitTransactionCommand(); });
		// a manager serves a catalogue of another version by putting its sources in error
		if (args.role != WorkerRole::manager)
			run_transaction([] { require_matching_catalogue(); });
		run_role(args);
	} catch (const StopRequested &) {
		stopped = true;
	} catch (...) {
		if (stop_signal_received)
			stopped = true;
		else {
			capture_current_exception(error);
			keep_captured(error);
			failed = true;
		}
	}
	if (stopped) {
		record_stop(args);
		proc_exit(0);
	}
	if (failed) {
		record_failure(args, captured_message(args, error));
		raise_captured(error, MyBgworkerEntry->bgw_name);
	}
	proc_exit(0);
}
