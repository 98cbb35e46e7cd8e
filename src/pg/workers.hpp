// Dynamic background workers of a source (init coordinator, parallel copy jobs; later the
// reader and the replay worker): starting them, their common entry point and stop handling.
#pragma once

#include "pg/pg_headers.hpp"
#include "pg/worker_slots.hpp"

#include <stdexcept>
#include <string>

namespace chameleon::pg {

// What a worker is started with (stored in bgw_extra).
struct WorkerArgs {
	int64 source_id;
	Oid database;
	WorkerRole role;
	int64 job;
	char source_name[NAMEDATALEN];
	dsm_handle request; // a pinned segment holding a text request (sync_tables), or 0
	Oid owner;			// the source's owner: the worker connects as this role (doc/security.md)
};

// Registers a worker and waits until it runs (args.owner must be set: the caller checks with
// require_owner_can_run that the owner may run workers); throws chameleon::Error when it cannot start.
// With a handle, the worker notifies this process when it exits (see wait_for_worker_exit).
pid_t start_worker(const WorkerArgs &args, BackgroundWorkerHandle **handle);
void wait_for_worker_exit(BackgroundWorkerHandle *handle);

// Thrown by check_stop() when a stop was requested (SIGTERM) so that the worker unwinds,
// records its state and exits cleanly.
class StopRequested : public std::runtime_error {
  public:
	StopRequested() : std::runtime_error("stop requested") {}
};

// Between two steps of a worker loop: throws StopRequested after SIGTERM, raises a pending cancel,
// and reloads the configuration after SIGHUP.
void check_stop();
bool stop_requested();

// The running worker's slot (for progress reports).
WorkerSlot *my_slot();

// The name of the role the worker runs as (the source's owner), quoted, for messages.
const std::string &worker_owner_name();

} // namespace chameleon::pg

extern "C" PGDLLEXPORT void chameleon_worker_main(Datum argument);
