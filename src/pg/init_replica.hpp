// init_replica: the consistent initial copy of a source, run by an init worker (the
// coordinator) and copy_parallel_jobs - 1 copy workers that share the table queue.
#pragma once

#include "pg/workers.hpp"

#include <string>

namespace chameleon::pg {

// WorkerArgs::job of an init worker that runs sync_tables / refresh_schema.
constexpr int64 sync_job = 1;

// Worker mains.
void run_init_replica(const WorkerArgs &args);
void run_copy_job(const WorkerArgs &args);

// copy_schema, in the calling transaction: creates the destination schemas with the tables,
// indexes and enum types of the mapped MySQL schemas, without data.
void copy_schema(int64 source_id);

// What the catalogue says after an init or copy worker stopped on request or failed.
void init_worker_stopped(const WorkerArgs &args);
void init_worker_failed(const WorkerArgs &args, const std::string &message);

} // namespace chameleon::pg
