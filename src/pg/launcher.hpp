// The launcher: a static background worker, one per cluster, connected to no database. It lists
// the databases of the cluster and starts a manager worker in each one (as pglogical's supervisor
// does); the manager stays while its database has sources that should replicate and restarts
// those that lost their workers, under the crash-loop rule.
#pragma once

#include "pg/workers.hpp"

namespace chameleon::pg {

void register_launcher();

// The manager of one database (a dynamic worker started by the launcher): returns when the
// database has no pg_chameleon extension or no source that should replicate, or when asked to stop.
void run_manager(const WorkerArgs &args);

} // namespace chameleon::pg

extern "C" PGDLLEXPORT void chameleon_launcher_main(Datum argument);
