// Maintenance of a source (doc/architecture.md, "Maintenance"): pausing its reader and replay
// workers at a boundary, the maintenance worker that VACUUMs the source's log storage and the
// catalogue tables that churn, auto_maintenance and batch_retention from the manager, and the
// state-change notifications on channel "chameleon".
#pragma once

#include "pg/workers.hpp"

#include <string>

namespace chameleon::pg {

// At the start of a reader or replay worker: the pause the catalogue records (pause_replica, a
// maintenance under way) applies to it too.
void load_pause_state(int64 source_id);

// Between two units of work of a reader or replay worker, holding no transaction: while a pause is
// requested, the slot shows "paused" and the worker sleeps (a stop request still ends it); then
// the slot shows running_state again.
void wait_while_paused(const char *running_state);

// The maintenance worker: pause, VACUUM (args.job 1: VACUUM FULL of the log storage), resume.
void run_maintenance_worker(const WorkerArgs &args);

// The manager's part, once per round: a maintenance worker that died left its source marked; the
// mark is cleared and the workers resume. Expired log segments are dropped (batch_retention).
// Then the maintenance auto_maintenance makes due starts.
void watch_maintenance();

// Sends a state change on channel "chameleon" when the current transaction commits (the JSON of
// sch_chameleon.fn_notify, doc/sql-api.md). In a transaction with SPI connected.
void notify_state(const std::string &event, int64 source_id, const std::string &message,
				  const std::string &table = "");

} // namespace chameleon::pg
