// The reading half of a table copy: receives the rows SnapshotSession::stream_rows reads and
// turns them into chunks of COPY text for the PostgreSQL side, in a thread of its own. Rows that
// cannot be represented (zero dates under zero_dates: error, NUL bytes under strip_nul: false)
// travel beside the chunk as rejected rows, so that nothing is dropped silently.
#pragma once

#include "core/copy_chunk.hpp"
#include "core/table_layout.hpp"
#include "mysql/snapshot.hpp"

#include <atomic>

namespace chameleon::mysql {

struct CopyOptions {
	size_t chunk_bytes = 8 << 20; // COPY text per chunk
	bool strip_nul = true;
	bool zero_dates_to_null = true;
	std::string charset = "utf8mb4"; // the connection's (db_conn.charset): the text values arrive in it
};

class CopyProducer : public RowSink {
  public:
	CopyProducer(const core::TableLayout &layout, core::ChunkQueue &queue, const CopyOptions &options);

	void row(const char *const *values, const unsigned long *lengths, unsigned int count) override;
	bool cancelled() override;
	void progress(std::uint64_t rows, std::uint64_t bytes) override;
	// Hands over the last, partial chunk.
	void flush();

	std::atomic<std::uint64_t> rows_read{0};
	std::atomic<std::uint64_t> bytes_read{0};

  private:
	void reject(const char *const *values, const unsigned long *lengths, unsigned int count, size_t column,
				const std::string &problem);

	const core::TableLayout &layout_;
	core::ChunkQueue &queue_;
	CopyOptions options_;
	std::vector<core::ValueOptions> value_options_;
	std::vector<size_t> key_columns_;
	core::CopyChunk chunk_;
	std::string scratch_;
};

// Streams a table into the producer's queue (run it in a core::ProducerThread): stream_rows,
// then the last chunk, then the end of the queue.
void produce_rows(SnapshotSession &session, const TableInfo &table, CopyProducer &producer,
				  core::ChunkQueue &queue);

} // namespace chameleon::mysql
