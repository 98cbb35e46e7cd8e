// Worker slots in shared memory (see worker_slots.hpp).
#include "pg/worker_slots.hpp"

#include "pg/workers.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

namespace chameleon::pg {

int max_workers_guc = 16;

namespace {

SharedState *state = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

Size
shared_size() {
	return add_size(offsetof(SharedState, slots), mul_size(sizeof(WorkerSlot), max_workers_guc));
}

void
on_request() {
	if (previous_request_hook)
		previous_request_hook();
	RequestAddinShmemSpace(shared_size());
	RequestNamedLWLockTranche("pg_chameleon", 1);
}

void
on_startup() {
	if (previous_startup_hook)
		previous_startup_hook();
	attach_shared_memory();
}

void
release_slot(int, Datum slot_datum) {
	auto *slot = reinterpret_cast<WorkerSlot *>(DatumGetPointer(slot_datum));
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	if (slot->pid == MyProcPid)
		slot->in_use = false;
	LWLockRelease(state->lock);
	ConditionVariableBroadcast(&state->slot_released);
}

bool
process_alive(pid_t pid) {
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

} // namespace

const char *
worker_role_name(WorkerRole role) {
	switch (role) {
	case WorkerRole::launcher:
		return "launcher";
	case WorkerRole::reader:
		return "reader";
	case WorkerRole::replay:
		return "replay";
	case WorkerRole::init:
		return "init";
	case WorkerRole::copy:
		return "copy";
	case WorkerRole::manager:
		return "manager";
	case WorkerRole::maintenance:
		return "maintenance";
	case WorkerRole::verify:
		return "verify";
	}
	return "unknown";
}

void
request_shared_memory() {
	previous_request_hook = shmem_request_hook;
	shmem_request_hook = on_request;
	previous_startup_hook = shmem_startup_hook;
	shmem_startup_hook = on_startup;
}

void
attach_shared_memory() {
	bool found;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	state = static_cast<SharedState *>(ShmemInitStruct("pg_chameleon", shared_size(), &found));
	if (!found) {
		memset(state, 0, shared_size());
		state->lock = &(GetNamedLWLockTranche("pg_chameleon"))->lock;
		state->slot_count = max_workers_guc;
		state->next_generation = 1;
		ConditionVariableInit(&state->replay_progress);
		ConditionVariableInit(&state->slot_released);
	}
	LWLockRelease(AddinShmemInitLock);
}

SharedState *
shared_state() {
	return state;
}

WorkerSlot *
claim_slot(WorkerRole role, int64 source_id, const char *source_name) {
	WorkerSlot *claimed = nullptr;
	bool duplicate = false;
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	// One reader, one replay, one init and one verify worker per source, one manager per database:
	// a second one (two starters racing) gets no slot.
	if (role == WorkerRole::reader || role == WorkerRole::replay || role == WorkerRole::init ||
		role == WorkerRole::manager || role == WorkerRole::maintenance || role == WorkerRole::verify)
		for (int i = 0; i < state->slot_count; i++) {
			const WorkerSlot *slot = &state->slots[i];
			if (slot->in_use && slot->role == role && slot->database == MyDatabaseId &&
				slot->source_id == source_id && process_alive(slot->pid))
				duplicate = true;
		}
	for (int i = 0; i < state->slot_count && !duplicate; i++) {
		WorkerSlot *slot = &state->slots[i];
		if (slot->in_use && process_alive(slot->pid))
			continue;
		memset(slot, 0, sizeof(*slot));
		slot->in_use = true;
		slot->role = role;
		slot->pid = MyProcPid;
		slot->database = MyDatabaseId;
		slot->source_id = source_id;
		strlcpy(slot->source_name, source_name ? source_name : "", sizeof(slot->source_name));
		strlcpy(slot->state, "starting", sizeof(slot->state));
		slot->started_at = GetCurrentTimestamp();
		slot->state_changed_at = slot->started_at;
		slot->generation = state->next_generation++;
		slot->latch = MyLatch;
		claimed = slot;
		break;
	}
	LWLockRelease(state->lock);
	if (duplicate)
		return nullptr;
	if (claimed == nullptr)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED), errmsg("no free pg_chameleon worker slot"),
				 errdetail("All %d slots set by \"pg_chameleon.max_workers\" are in use.", state->slot_count),
				 errhint("Increase \"pg_chameleon.max_workers\" and restart the server.")));
	on_shmem_exit(release_slot, PointerGetDatum(claimed));
	return claimed;
}

void
set_slot_state(WorkerSlot *slot, const char *new_state) {
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	strlcpy(slot->state, new_state, sizeof(slot->state));
	slot->state_changed_at = GetCurrentTimestamp();
	LWLockRelease(state->lock);
}

void
hold_source(Oid database, int64 source_id, TimestampTz until) {
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	SourceHold *free_hold = nullptr;
	TimestampTz now = GetCurrentTimestamp();
	for (SourceHold &hold : state->holds) {
		if (hold.database == database && hold.source_id == source_id) {
			hold.until = until;
			LWLockRelease(state->lock);
			return;
		}
		if (free_hold == nullptr && hold.until < now)
			free_hold = &hold;
	}
	if (free_hold != nullptr)
		*free_hold = {database, source_id, until};
	LWLockRelease(state->lock);
}

void
release_source(Oid database, int64 source_id) {
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	for (SourceHold &hold : state->holds)
		if (hold.database == database && hold.source_id == source_id)
			hold.until = 0;
	LWLockRelease(state->lock);
}

bool
source_held(Oid database, int64 source_id) {
	bool held = false;
	TimestampTz now = GetCurrentTimestamp();
	LWLockAcquire(state->lock, LW_SHARED);
	for (const SourceHold &hold : state->holds)
		if (hold.database == database && hold.source_id == source_id && hold.until > now)
			held = true;
	LWLockRelease(state->lock);
	return held;
}

void
wake_worker(int64 source_id, WorkerRole role) {
	LWLockAcquire(state->lock, LW_SHARED);
	for (int i = 0; i < state->slot_count; i++) {
		const WorkerSlot *slot = &state->slots[i];
		if (slot->in_use && slot->role == role && slot->source_id == source_id &&
			slot->database == MyDatabaseId && slot->latch != nullptr)
			SetLatch(slot->latch);
	}
	LWLockRelease(state->lock);
}

void
announce_replay_progress() {
	ConditionVariableBroadcast(&state->replay_progress);
}

void
wait_for_replay_progress(long timeout_ms) {
	(void)ConditionVariableTimedSleep(&state->replay_progress, timeout_ms, PG_WAIT_EXTENSION);
	CHECK_FOR_INTERRUPTS();
}

void
wait_for_slot_release(long timeout_ms) {
	(void)ConditionVariableTimedSleep(&state->slot_released, timeout_ms, PG_WAIT_EXTENSION);
	CHECK_FOR_INTERRUPTS();
}

void
set_pause(int64 source_id, PauseReason reason, bool paused) {
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	for (int i = 0; i < state->slot_count; i++) {
		WorkerSlot *slot = &state->slots[i];
		if (!slot->in_use || slot->source_id != source_id || slot->database != MyDatabaseId ||
			(slot->role != WorkerRole::reader && slot->role != WorkerRole::replay))
			continue;
		(reason == PauseReason::user ? slot->paused_by_user : slot->paused_for_maintenance) = paused;
		if (slot->latch != nullptr)
			SetLatch(slot->latch);
	}
	LWLockRelease(state->lock);
}

void
set_my_pause(PauseReason reason, bool paused) {
	WorkerSlot *slot = my_slot();
	if (slot == nullptr)
		return;
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	(reason == PauseReason::user ? slot->paused_by_user : slot->paused_for_maintenance) = paused;
	LWLockRelease(state->lock);
}

bool
pause_requested() {
	WorkerSlot *slot = my_slot();
	if (slot == nullptr)
		return false;
	LWLockAcquire(state->lock, LW_SHARED);
	bool paused = slot->paused_by_user || slot->paused_for_maintenance;
	LWLockRelease(state->lock);
	return paused;
}

int
unpaused_workers(int64 source_id) {
	int count = 0;
	LWLockAcquire(state->lock, LW_SHARED);
	for (int i = 0; i < state->slot_count; i++) {
		const WorkerSlot *slot = &state->slots[i];
		if (slot->in_use && slot->source_id == source_id && slot->database == MyDatabaseId &&
			(slot->role == WorkerRole::reader || slot->role == WorkerRole::replay) &&
			strcmp(slot->state, "paused") != 0 && process_alive(slot->pid))
			count++;
	}
	LWLockRelease(state->lock);
	return count;
}

int
copy_live_slots(WorkerSlot *out, int capacity) {
	int count = 0;
	LWLockAcquire(state->lock, LW_SHARED);
	for (int i = 0; i < state->slot_count && count < capacity; i++) {
		const WorkerSlot *slot = &state->slots[i];
		if (slot->in_use && process_alive(slot->pid))
			out[count++] = *slot;
	}
	LWLockRelease(state->lock);
	return count;
}

} // namespace chameleon::pg
