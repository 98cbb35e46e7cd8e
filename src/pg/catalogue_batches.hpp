// The catalogue's batches and positions of a source: the batches the reader commits
// (sch_chameleon.t_replica_batch) in the source's log segments (t_log_segments), the position read
// up to (t_last_received), the replayed-up-to marker (t_last_replayed), the source's consistency
// and the replay's error log (t_error_log). The only C++ that reads and writes them, but for the
// maintenance worker's retention and VACUUM (maintenance.cpp). Every function needs SPI connected
// (with_spi, run_transaction).
#pragma once

#include "pg/pg_headers.hpp"

#include "mysql/binlog_stream.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chameleon::pg {

// ---- the reader: log segments, batches, the position read up to

// Where the reader resumes, on which server; nullopt when the source has no position (init_replica
// has not run).
struct ReadPosition {
	mysql::BinlogPosition position;
	std::string gtid_set;
	std::string server_identity;
};
std::optional<ReadPosition> read_position(int64 source_id);

// The newest log segment of a source, its age and the span after which the reader starts a new
// one (a quarter of batch_retention, 1 s to 1 h); nullopt when the source has none.
struct LogSegment {
	int64 segment = 0;
	int64 age_ms = 0;
	int64 span_ms = 0;
};
std::optional<LogSegment> newest_log_segment(int64 source_id, const std::string &batch_retention);
void add_log_segment(int64 source_id, int64 segment);

// Opens a batch starting at `start` in log segment `segment`, with the FORMAT_DESCRIPTION event of
// its binlog file (raw bytes); returns its id.
int64 open_batch(int64 source_id, const mysql::BinlogPosition &start,
				 const std::vector<uint8_t> &format_description, int64 segment);
// The batch is complete: it ends before `end`, after the transactions of gtid_set ("" for none).
void close_batch(int64 batch_id, const mysql::BinlogPosition &end, const std::string &gtid_set, int64 rows);
// A batch whose every event was removed (an incomplete MySQL transaction).
void delete_batch(int64 batch_id);

// The reader has read up to `next` on the server server_identity. The time of the last change read
// becomes now when caught_up, else event_time when there is one, else stays.
void record_received(int64 source_id, const mysql::BinlogPosition &next, const std::string &gtid_set,
					 const std::string &server_identity, std::optional<uint32_t> event_time, bool caught_up);

// ---- the replay: batches to replay, their log, the replayed-up-to marker

// The oldest batch the reader committed and the replay has not finished.
struct PendingBatch {
	int64 id = 0;
	std::string format_description; // raw bytes; "" when the batch has none
	int64 after_event = 0;			// the marker's event in it: the events up to it are applied
	int64 segment = 0;				// the batch's log segment: only its partition is read
	std::string file;				// the binlog file of every event of the batch
};
std::optional<PendingBatch> oldest_unreplayed_batch(int64 source_id);

// The newest batch the reader has committed (0: none).
int64 newest_committed_batch(int64 source_id);

// Log rows of a batch (t_log_replica): chunks of events, after_event excluded, at most limit.
struct LogChunkRow {
	int64 last_event = 0; // the id of its last event
	int64 events = 0;	  // how many events it holds
	std::string bytes;	  // core::read_log_chunk
};
std::vector<LogChunkRow> batch_chunks(int64 source_id, int64 segment, int64 batch_id, int64 after_event,
									  int limit);

// The marker moves to event event_id of the batch, at (file, position), of time event_time (Unix
// seconds).
void record_replayed(int64 source_id, int64 batch_id, int64 event_id, const std::string &file, int64 position,
					 int64 event_time);
// Adds to the batch's counters of replayed and skipped rows and applied statements.
void count_replayed(int64 batch_id, int64 replayed, int64 skipped, int64 statements);
// Every event of the batch is applied: it is replayed, and the marker moves to its end.
void finish_batch(int64 source_id, int64 batch_id);
// Nothing is pending: the marker follows the position read up to.
void follow_reader(int64 source_id);
// The source becomes consistent once the marker has passed the high watermark of the last copy.
void mark_consistent(int64 source_id);
// A sync copied every table again (resume_from_copies_if_complete): the batches not replayed go
// with their log, and the marker moves to the position read up to (start_at_copy_points set it).
void drop_unreplayed_batches(int64 source_id);
void replayed_up_to_received(int64 source_id);

// wait_for_catchup: the source's status and its reason, whether the marker has reached target, and
// the GTID set replayed; nullopt when there is no such source.
struct CatchupState {
	std::string status;
	std::string reason;
	bool reached = false;
	std::string gtid_set;
};
std::optional<CatchupState> catchup_state(const std::string &source_name,
										  const mysql::BinlogPosition &target);

// keep_existing_schema: validates the foreign keys set aside for the copy (now: at once, else only
// once the source is consistent).
void validate_foreign_keys(int64 source_id, bool now);

// ---- the replay's error log (t_error_log)

struct ReplayError {
	int64 source_id = 0;
	int64 batch_id = 0;
	std::string schema, table; // "" for no table
	std::string key;		   // the row's key; "" for none
	std::string file;
	int64 position = 0;
	std::string sql; // "" for none
	std::string sqlstate;
	std::string message;
};
void log_replay_error(const ReplayError &error);

} // namespace chameleon::pg
