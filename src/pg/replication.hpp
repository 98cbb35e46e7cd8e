// Continuous replication: the reader and replay workers of a source and what they share.
#pragma once

#include "pg/workers.hpp"

#include "config/source_config.hpp"
#include "mysql/binlog_stream.hpp"

#include <string>

namespace chameleon::pg {

struct ReplicationSource {
	int64 id = 0;
	std::string name;
	config::SourceConfig config;
	mysql::BinlogPosition read_position; // where the reader resumes
	std::string read_gtid;
	std::string server_identity; // of the server read_position belongs to ("" before the first read)
};

// Reads the source and its reader position in a transaction of its own.
ReplicationSource load_replication_source(int64 source_id);

void run_reader(const WorkerArgs &args);
void run_replay(const WorkerArgs &args);

// After a reader or replay worker stopped cleanly (stop_replica, a server shutdown): the
// crash-loop count of the source starts again (doc/architecture.md).
void replication_worker_stopped(const WorkerArgs &args);

// After a reader or replay worker failed: the source is in error with the reason, and the
// other worker of the source is asked to stop.
void replication_worker_failed(const WorkerArgs &args, const std::string &message);

// Starts the reader and the replay worker of a source unless they run already; they connect as
// owner (the caller has checked it with require_owner_can_run).
void start_replication_workers(int64 source_id, const std::string &source_name, Oid database, Oid owner);

// The configuration of a source; an error when there is no such source.
config::SourceConfig source_config(const std::string &name);

// What wait_for_catchup waits for: MySQL's binary log position now and, with gtid_enable, the
// GTIDs the server has executed (MariaDB's position list or MySQL's set), read on one connection.
struct CatchupTarget {
	mysql::BinlogPosition position;
	std::string gtids;
};
CatchupTarget current_master_target(const config::SourceConfig &config);

// Waits until the replay of the running source has passed caught_up_at: true, or false at the
// deadline; an error when the source stops in error or does not replicate.
bool wait_until_replayed(const std::string &name, const CatchupTarget &caught_up_at, TimestampTz deadline);

} // namespace chameleon::pg
