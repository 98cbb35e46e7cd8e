// The launcher: a static background worker, one per cluster, that watches the sources of
// the database named by pg_chameleon.database_name.
#pragma once

namespace chameleon::pg {

extern char *database_name_guc;

void register_launcher();

} // namespace chameleon::pg

extern "C" PGDLLEXPORT void chameleon_launcher_main(Datum argument);
