// The reader's writes to the source's log (sch_chameleon.t_log_replica): the events of a batch are
// cut into chunks by core::LogChunker (log_chunk.hpp says how and why), and each chunk is one log
// row, keyed by its batch and the id of its last event.
#pragma once

#include "pg/pg_headers.hpp"

#include "core/log_chunk.hpp"

#include <cstdint>
#include <string_view>

namespace chameleon::pg {

class LogWriter {
  public:
	explicit LogWriter(int64 source_id);
	// Frees the memory context and the prepared insert: each reading of the binlog (after a pause,
	// a failover) has a writer of its own.
	~LogWriter();
	LogWriter(const LogWriter &) = delete; // the chunker writes through this
	LogWriter &operator=(const LogWriter &) = delete;

	// The events of the open batch; see core::LogChunker. In an open transaction.
	core::LogChunker &chunks() { return chunker_; }
	// The batch and the log segment the chunks go to from now on (what is gathered must have been
	// written).
	void use_batch(int64 batch_id, int64 segment) {
		batch_id_ = batch_id;
		segment_ = segment;
	}
	// Removes events first_event and after of the batch from the log and from what is gathered.
	void drop_from(int64 first_event);
	// Drops what is gathered: its transaction was rolled back.
	void forget();

  private:
	static constexpr size_t chunk_target = 6000;	 // stays in the row (STORAGE MAIN, with lz4)
	static constexpr size_t chunk_limit = 64 * 1024; // a large transaction's chunks

	void write(const core::LogChunkWriter &chunk, int64 first_event);

	int64 source_id_;
	int64 batch_id_ = 0;
	int64 segment_ = 0;
	core::LogChunker chunker_;
	MemoryContext context_ = nullptr;
	SPIPlanPtr plan_ = nullptr;
};

} // namespace chameleon::pg
