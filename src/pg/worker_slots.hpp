// Worker slots in shared memory: one per running pg_chameleon process (the launcher, a manager
// per database with the extension, and the reader, replay, init and copy workers of each source), so that SQL
// can show exactly which processes run and never report a dead one as running.
#pragma once

#include "pg/pg_headers.hpp"

namespace chameleon::pg {

enum class WorkerRole : int { launcher = 0, reader, replay, init, copy, manager, maintenance, verify };

const char *worker_role_name(WorkerRole role);

struct WorkerSlot {
	bool in_use;
	WorkerRole role;
	pid_t pid;
	Oid database;
	int64 source_id;
	char source_name[NAMEDATALEN];
	char state[64];
	char table[2 * NAMEDATALEN]; // the table being copied: "schema.table"
	uint64 rows;				 // progress of the current step
	uint64 bytes;
	TimestampTz started_at;
	TimestampTz state_changed_at;
	uint64 generation;
	Latch *latch; // the process's latch, set by wake_worker
	// A reader or replay worker pauses at its next boundary while either is set (src/pg/maintenance)
	bool paused_by_user;		 // pause_replica
	bool paused_for_maintenance; // run_maintenance
};

// A source the launcher must not restart for a while: stop_replica holds it from before it signals
// the workers until its transaction (which clears b_run_requested) has committed.
struct SourceHold {
	Oid database;
	int64 source_id;
	TimestampTz until;
};
constexpr int max_source_holds = 64;

struct SharedState {
	LWLock *lock;
	uint64 next_generation;
	SourceHold holds[max_source_holds];
	// Broadcast by a replay worker after each commit that moved its marker (wait_for_catchup).
	ConditionVariable replay_progress;
	// Broadcast when a process releases its slot (stop_replica waits for the workers to exit).
	ConditionVariable slot_released;
	int slot_count;
	WorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
};

extern int max_workers_guc;

void request_shared_memory();
void attach_shared_memory();
SharedState *shared_state();

// Claims a slot for the calling process and releases it automatically at process exit; nullptr
// when the source already has a live worker of that role (reader, replay, init).
WorkerSlot *claim_slot(WorkerRole role, int64 source_id, const char *source_name);
void set_slot_state(WorkerSlot *slot, const char *state);

// Holds (or releases) a source against launcher restarts; held until `until`.
void hold_source(Oid database, int64 source_id, TimestampTz until);
void release_source(Oid database, int64 source_id);
bool source_held(Oid database, int64 source_id);

// Sets the latch of the live worker of that role for the source (in the current database), if any:
// the reader wakes the replay when it commits a batch.
void wake_worker(int64 source_id, WorkerRole role);

// The replay worker's commit moved its marker: every waiter on replay_progress looks again.
void announce_replay_progress();
// Sleeps until some replay worker announces progress or timeout_ms pass; interruptible. The caller
// checks its condition before each call and calls ConditionVariableCancelSleep when done.
void wait_for_replay_progress(long timeout_ms);

// Sleeps until some process releases its slot or timeout_ms pass; interruptible. As
// wait_for_replay_progress: check before each call, ConditionVariableCancelSleep when done.
void wait_for_slot_release(long timeout_ms);

// Why a reader or replay worker pauses (doc/architecture.md, "Maintenance").
enum class PauseReason { user, maintenance };

// Sets or clears a pause reason on the reader and replay slots of the source in this database, and
// wakes them.
void set_pause(int64 source_id, PauseReason reason, bool paused);
// Sets or clears a pause reason on the calling worker's own slot.
void set_my_pause(PauseReason reason, bool paused);
// Whether the calling worker's slot has a pause reason set.
bool pause_requested();
// The live reader and replay workers of the source in this database that have not paused yet.
int unpaused_workers(int64 source_id);

// A consistent copy of the slots in use whose process is alive; returns the count.
int copy_live_slots(WorkerSlot *out, int capacity);

} // namespace chameleon::pg
