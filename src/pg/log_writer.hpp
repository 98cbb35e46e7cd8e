// The reader's writes to the source's log (sch_chameleon.t_log_replica): events are gathered into
// chunks (core::LogChunkWriter) and each chunk is one log row, keyed by its batch and the id of its
// last event. A chunk goes to the log when a MySQL transaction starts and the chunk has reached
// chunk_target bytes, so that chunks end at transaction boundaries; a transaction that alone
// outgrows chunk_limit is cut, but a chunk never holds the start of a transaction after events of
// another one that was cut, so that the events of an unfinished transaction can always be removed
// whole (drop_from).
#pragma once

#include "pg/pg_headers.hpp"

#include "core/log_chunk.hpp"

#include <cstdint>
#include <string_view>

namespace chameleon::pg {

class LogWriter {
  public:
	explicit LogWriter(int64 source_id);

	// The next event of the batch, with its id (1, 2, ... in the batch). In an open transaction.
	void add_rows(int64 batch_id, int64 event_id, core::LogRecordKind kind, bool transaction_start,
				  uint64_t position, int64 event_time_us, uint32_t rows, std::string_view schema,
				  std::string_view table, std::string_view table_map, std::string_view event);
	void add_statement(int64 batch_id, int64 event_id, uint64_t position, int64 event_time_us,
					   std::string_view database, std::string_view statement, std::string_view time_zone);
	// A MySQL transaction starts with event first_event: the chunk gathered so far goes to the log
	// when it is big enough.
	void transaction_starts(int64 first_event);
	// Writes what is gathered, in the open transaction.
	void flush();
	// Removes events first_event and after from the log and the chunk: they belong to a MySQL
	// transaction that will never be complete. In the transaction that wrote them.
	void drop_from(int64 first_event);
	// Drops what is gathered: its transaction was rolled back.
	void forget();
	// The log segment the rows go to from now on (what is gathered must have been written).
	void set_segment(int64 segment) { segment_ = segment; }

  private:
	static constexpr size_t chunk_target = 6000;	 // stays inline in the row, compressed or not
	static constexpr size_t chunk_limit = 64 * 1024; // a large transaction's chunks

	void write(const core::LogChunkWriter &chunk, int64 first_event);
	void after_add(int64 batch_id, int64 event_id);

	int64 source_id_;
	int64 segment_ = 0;
	int64 batch_id_ = 0;
	int64 first_event_ = 0;		  // of the chunk
	int64 transaction_event_ = 0; // the first event of the MySQL transaction being read
	core::LogChunkWriter chunk_;
	MemoryContext context_ = nullptr;
	SPIPlanPtr plan_ = nullptr;
};

} // namespace chameleon::pg
