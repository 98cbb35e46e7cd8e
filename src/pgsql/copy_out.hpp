// The reading half of the copy of a PostgreSQL source table: COPY ... TO STDOUT on the source,
// its rows (already in COPY text form) handed to the loading process in chunks through the
// bounded queue, so that the memory of a copy never depends on the table's size.
#pragma once

#include "core/copy_chunk.hpp"
#include "pgsql/connection.hpp"

#include <cstddef>
#include <string>

namespace chameleon::pgsql {

// Runs COPY `statement` on the connection and streams its rows into the queue, then finishes it
// (run it in a core::ProducerThread; the connection must not be used meanwhile). Returns early
// when the queue is cancelled, abandoning the COPY with the connection.
void copy_out(Connection &connection, const std::string &statement, core::ChunkQueue &queue,
			  size_t chunk_bytes);

} // namespace chameleon::pgsql
