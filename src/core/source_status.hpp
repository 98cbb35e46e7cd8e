// The lifecycle of a source: its statuses, the changes between them and who makes each one.
// src/pg/catalogue.cpp applies them; doc/architecture.md ("Source status") shows the machine.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace chameleon::core {

// The values of sch_chameleon.en_src_status. syncing and synced exist in the type since 1.0
// (the Python tool's names) but no change enters them.
enum class SourceStatus { ready, initialising, initialised, syncing, synced, stopped, running, error };

enum class StatusChange {
	init_started,	// the init worker claims the source for init_replica
	init_done,		// the copies are swapped in
	init_stopped,	// init_replica stopped before the end: back to the status before it
	init_failed,	// the copy failed
	init_abandoned, // the manager finds no live init worker for an initialising source
	schema_copied,	// copy_schema: empty tables, nothing to replicate yet
	started,		// start_replica
	stopped,		// stop_replica, once the workers are gone
	failed,			// a reader or replay worker failed, or the manager gave up restarting them
	enabled,		// enable_replica
	resynced,		// sync copied every table again: an error source may start again
	imported,		// import_python_catalogue: a new source takes the Python tool's status
};

struct StatusRule {
	StatusChange change;
	std::vector<SourceStatus> from;
	std::optional<SourceStatus> to;	   // nullopt: the status given as back_to (init_stopped)
	std::optional<bool> run_requested; // t_sources.b_run_requested after the change, when it sets it
	const char *made_by;
};

// Every allowed change, in the order doc/architecture.md lists them.
const std::vector<StatusRule> &status_rules();

const StatusRule &status_rule(StatusChange change);

// The status after `change` from `from`; nullopt when the change does not apply from `from`.
// init_stopped and imported go to back_to, which must be a status no worker uses (ready,
// initialised, synced, stopped, error).
std::optional<SourceStatus> next_status(SourceStatus from, StatusChange change,
										std::optional<SourceStatus> back_to = std::nullopt);

std::string_view status_name(SourceStatus status);
std::optional<SourceStatus> parse_status(std::string_view name);
std::string_view change_name(StatusChange change);
std::optional<StatusChange> parse_change(std::string_view name);

} // namespace chameleon::core
