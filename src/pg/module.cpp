// Module entry: _PG_init defines the GUCs, asks for shared memory, registers the launcher
// background worker and lets a cancel stop a long configuration parse. Loaded without
// shared_preload_libraries (a Citus worker node, where the coordinator's CREATE EXTENSION is
// propagated) it sets up nothing: the catalogue exists, and every function refuses to run.
#include "pg/pg_headers.hpp"

#include "config/source_config.hpp"
#include "pg/boundary.hpp"
#include "pg/launcher.hpp"
#include "pg/worker_slots.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void); // NOLINT(bugprone-reserved-identifier): the name PostgreSQL calls
}

namespace {

// Called by the configuration parser every few thousand YAML events: a cancel or a
// statement_timeout becomes a PgError, which leaves the parser through its destructors (libyaml's
// state, the partial tree) and is re-raised unchanged at the SQL boundary.
void
check_config_interrupts() {
	chameleon::pg::pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

} // namespace

void
_PG_init(void) {
	using namespace chameleon::pg;

	// Loaded later (CREATE EXTENSION on a Citus worker node): the catalogue only, without the
	// server-wide setting, shared memory or launcher that only a preloaded library may set up;
	// every function refuses to run (require_preloaded).
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("pg_chameleon.max_workers", "Maximum number of pg_chameleon worker processes.",
							"Each source uses up to three (reader, replay, init); the launcher uses one, and "
							"each database with the extension one manager.",
							&max_workers_guc, 16, 2, 1024, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("pg_chameleon");
	request_shared_memory();
	register_launcher();
	// set in the postmaster, inherited by every backend and worker
	chameleon::config::set_interrupt_check(check_config_interrupts);
}
