// Module entry: _PG_init checks that the library is preloaded, defines the GUCs, asks for
// shared memory, registers the launcher background worker and lets a cancel stop a long
// configuration parse.
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

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("pg_chameleon must be loaded through \"shared_preload_libraries\""),
						errdetail("Its background workers and shared memory are set up at server start."),
						errhint("Add pg_chameleon to \"shared_preload_libraries\" in postgresql.conf and "
								"restart the server.")));

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
