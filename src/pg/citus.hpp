// Replication into a Citus cluster (doc/scale-out.md): the tables a source distributes or makes
// reference tables (core/distribution.hpp), created as such by the initial copy, sync_tables and a
// replicated CREATE TABLE; what the replay needs to know of them; and the two-phase commit that
// makes a replay transaction atomic across the coordinator and the worker nodes.
#pragma once

#include "config/source_config.hpp"
#include "core/table_layout.hpp"

#include <map>
#include <string>
#include <utility>

namespace chameleon::pg::citus {

// Throws chameleon::Error when the configuration distributes tables but the citus extension is
// not installed in the current database, or asks for keep_existing_schema with it.
void require_for(const config::SourceConfig &config);

// Throws chameleon::Error (with a hint) when the table cannot be distributed as configured.
void check_table(const config::SourceConfig &config, const core::TableLayout &layout);

// Makes the table (named by layout.destination_table in schema), once its rows and indexes are in,
// a distributed or reference table as configured: Citus moves its local rows to the shards
// through its COPY routing in the current transaction. Nothing for a local table.
void distribute(const config::SourceConfig &config, const core::TableLayout &layout,
				const std::string &schema);

// With citus installed: the current transaction reaches each worker node over one connection
// (citus.multi_shard_modify_mode = sequential), so that the tables and schemas it drops, moves and
// renames may follow each other (Citus refuses a schema command after a parallel operation).
void sequential_ddl();

// PostgreSQL schema and table -> distribution column ("" for a reference table) of every Citus table
// of the current database; empty without citus.
std::map<std::pair<std::string, std::string>, std::string> citus_tables();

// Makes Citus commit the current transaction with two-phase commit on every worker node it
// modified, so that rows written on the worker nodes and the replay position written on the
// coordinator commit together (without it a transaction that modified one worker node commits
// that node first, in one phase, then the coordinator).
void use_two_phase_commit();

} // namespace chameleon::pg::citus
