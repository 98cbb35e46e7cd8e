// Module entry: _PG_init checks that the library is preloaded, defines the GUCs, asks for
// shared memory and registers the launcher background worker.
#include "pg/pg_headers.hpp"

#include "pg/launcher.hpp"
#include "pg/worker_slots.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void); // NOLINT(bugprone-reserved-identifier): the name PostgreSQL calls
}

namespace chameleon::pg {
char *database_name_guc = nullptr;
}

void
_PG_init(void) {
	using namespace chameleon::pg;

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("pg_chameleon must be loaded through \"shared_preload_libraries\""),
						errdetail("Its background workers and shared memory are set up at server start."),
						errhint("Add pg_chameleon to \"shared_preload_libraries\" in postgresql.conf and "
								"restart the server.")));

	DefineCustomStringVariable("pg_chameleon.database_name",
							   "Database in which the pg_chameleon launcher runs the replication workers.",
							   "The extension must be created in this database.", &database_name_guc,
							   "postgres", PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("pg_chameleon.max_workers", "Maximum number of pg_chameleon worker processes.",
							"Each source uses up to three (reader, replay, init); the launcher uses one.",
							&max_workers_guc, 16, 2, 1024, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("pg_chameleon");

	request_shared_memory();
	register_launcher();
}
