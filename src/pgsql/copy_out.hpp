// The reading half of the copy of a PostgreSQL source table: a thread runs COPY ... TO STDOUT on
// the source and hands the rows, already in COPY text form, to the loading process in chunks
// through the bounded queue, so that the memory of a copy never depends on the table's size.
#pragma once

#include "core/copy_chunk.hpp"
#include "pgsql/connection.hpp"

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

namespace chameleon::pgsql {

class CopyOutThread {
  public:
	// Starts COPY `statement` on the connection (which must not be used meanwhile) and streams
	// it into the queue; the queue ends with finish() or fail(error).
	CopyOutThread(Connection &connection, std::string statement, core::ChunkQueue &queue, size_t chunk_bytes);
	// Cancels the queue and waits for the thread; an unfinished COPY is abandoned with the connection.
	~CopyOutThread();
	CopyOutThread(const CopyOutThread &) = delete;
	CopyOutThread &operator=(const CopyOutThread &) = delete;

	std::atomic<std::uint64_t> rows_read{0};

  private:
	void run(Connection &connection, const std::string &statement, size_t chunk_bytes);

	core::ChunkQueue &queue_;
	std::thread thread_;
};

} // namespace chameleon::pgsql
