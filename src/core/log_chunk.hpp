// The format of the source's log: each log row holds a chunk of consecutive events of one batch
// (rows events with their TABLE_MAPs, and statements) as records one after another, so that the
// reader stores one row per few kilobytes of binlog instead of one per event, and the replay reads
// them back the same way. Integers are big-endian (the upgrade from catalogue 1.4 builds one-event
// chunks in SQL with int8send). Records:
//   table     1, u16 schema length, schema, u16 table length, table, u32 length, TABLE_MAP event
//   rows      2 (insert) | 3 (update) | 4 (delete), u8 flags, u64 position, i64 event time (epoch
//             microseconds), u32 rows, u16 table record (its index among the chunk's table
//             records), u32 length, rows event
//   statement 5, u8 flags, u64 position, i64 event time, u16 length, database, u16 length, session
//             time zone, u32 length, statement
// flags: 1 = the first event the reader logged of its MySQL transaction. Table records are no
// events; a rows record refers to a table record before it in the same chunk. MySQL writes a
// TABLE_MAP before every rows event; those of one table differ only in their common header (time,
// position) and their CRC32 (when the binlog has checksums), and share one table record.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::core {

enum class LogRecordKind : uint8_t { table = 1, insert = 2, update = 3, remove = 4, statement = 5 };

// The common header of every binlog event (v4): what TABLE_MAPs of the same table differ in.
constexpr size_t binlog_event_header_size = 19;

// A TABLE_MAP event without its common header and its CRC32 (checksum_size: 4, or 0 when the binlog
// has no checksums).
inline std::string_view
table_map_body(std::string_view table_map, size_t checksum_size) {
	size_t start = std::min(table_map.size(), binlog_event_header_size);
	size_t end = table_map.size() - start >= checksum_size ? table_map.size() - checksum_size : start;
	return table_map.substr(start, end - start);
}

// One event of a chunk as the replay reads it; the views point into the chunk.
struct LogRecord {
	LogRecordKind kind = LogRecordKind::insert;
	bool transaction_start = false;
	uint64_t position = 0;
	int64_t event_time_us = 0;
	uint32_t rows = 0;
	std::string_view schema, table; // a rows event's table; a statement's default database in schema
	std::string_view table_map;		// a rows event's TABLE_MAP event
	std::string_view event;			// a rows event
	std::string_view statement, time_zone;
};

// Builds one chunk. A rows event brings a table record with it the first time its table (names and
// TABLE_MAP body) appears in the chunk.
class LogChunkWriter {
  public:
	// checksum_size: of the events' CRC32 (4, or 0 without checksums).
	explicit LogChunkWriter(size_t checksum_size = 0) : checksum_size_(checksum_size) {}
	void set_checksum_size(size_t checksum_size) { checksum_size_ = checksum_size; }

	void add_rows(LogRecordKind kind, bool transaction_start, uint64_t position, int64_t event_time_us,
				  uint32_t rows, std::string_view schema, std::string_view table, std::string_view table_map,
				  std::string_view event);
	void add_statement(bool transaction_start, uint64_t position, int64_t event_time_us,
					   std::string_view database, std::string_view statement, std::string_view time_zone);

	const std::string &bytes() const { return bytes_; }
	size_t events() const { return events_; }
	bool empty() const { return events_ == 0; }
	void clear();

	// Keeps the first `events` events and returns the others as a chunk of their own (with the table
	// records they need).
	LogChunkWriter split(size_t events);

  private:
	struct Table {
		std::string schema, table, table_map;
	};
	uint16_t table_index(std::string_view schema, std::string_view table, std::string_view table_map);
	void add(const LogRecord &record);

	size_t checksum_size_;
	std::string bytes_;
	size_t events_ = 0;
	std::vector<Table> tables_;
};

// How the reader cuts a batch's events into chunks (one log row each). A chunk is complete when a
// MySQL transaction starts and the chunk holds target_bytes or more, so that chunks end at
// transaction boundaries. A transaction that alone passes limit_bytes is cut; the first of its
// chunks starts with its first event, so that a chunk never holds the start of a transaction after
// events of an earlier one once it is cut. That keeps every event of an unfinished transaction
// removable whole: drop_from.
class LogChunker {
  public:
	// Called with each complete chunk and the id of its first event.
	using Sink = std::function<void(const LogChunkWriter &chunk, int64_t first_event)>;

	LogChunker(size_t target_bytes, size_t limit_bytes, Sink sink)
		: target_bytes_(target_bytes), limit_bytes_(limit_bytes), sink_(std::move(sink)) {}

	// The events' CRC32 size from now on (what is gathered must have been handed over).
	void set_checksum_size(size_t checksum_size) { chunk_.set_checksum_size(checksum_size); }
	// A MySQL transaction starts with event first_event (event ids count 1, 2, ... in a batch).
	void transaction_starts(int64_t first_event);
	void add_rows(int64_t event_id, LogRecordKind kind, bool transaction_start, uint64_t position,
				  int64_t event_time_us, uint32_t rows, std::string_view schema, std::string_view table,
				  std::string_view table_map, std::string_view event);
	// A statement is a MySQL transaction of its own.
	void add_statement(int64_t event_id, uint64_t position, int64_t event_time_us, std::string_view database,
					   std::string_view statement, std::string_view time_zone);
	// Hands over what is gathered (the batch ends).
	void flush();
	// Removes events first_event and after, which belong to one MySQL transaction. Returns true
	// when some of them were handed over already: in chunks that begin at or after first_event.
	bool drop_from(int64_t first_event);
	// Forgets what is gathered.
	void clear() { chunk_.clear(); }

  private:
	void after_add(int64_t event_id);

	size_t target_bytes_, limit_bytes_;
	Sink sink_;
	LogChunkWriter chunk_;
	int64_t first_event_ = 0;		// of the chunk
	int64_t transaction_event_ = 0; // the first event of the transaction being read
};

// The events of a chunk, in order. Throws chameleon::Error (data_corrupted) when the chunk is
// malformed: a length past its end, an unknown record, a rows record without its table record.
std::vector<LogRecord> read_log_chunk(std::string_view chunk);

} // namespace chameleon::core
