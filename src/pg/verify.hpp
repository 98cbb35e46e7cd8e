// The verify worker of chameleon.verify_tables (doc/architecture.md, "Verification").
#pragma once

#include "pg/workers.hpp"

#include <string>

namespace chameleon::pg {

// The worker's main: verifies the tables of its request (args.job is the run's number).
void run_verify(const WorkerArgs &args);
// After a stop or a failure: the run's tables not verified yet say so.
void verify_worker_ended(const WorkerArgs &args, bool stopped, const std::string &message);

} // namespace chameleon::pg
