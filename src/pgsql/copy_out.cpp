// The reading half of the copy of a PostgreSQL source table (see copy_out.hpp).
#include "pgsql/copy_out.hpp"

#include "common/error.hpp"

#include <libpq-fe.h>

#include <poll.h>

namespace chameleon::pgsql {

void
copy_out(Connection &connection, const std::string &statement, core::ChunkQueue &queue, size_t chunk_bytes) {
	PGconn *handle = connection.handle();
	PGresult *started = PQexec(handle, statement.c_str());
	ExecStatusType status = PQresultStatus(started);
	PQclear(started);
	if (status != PGRES_COPY_OUT)
		throw Error(sqlstate::external_routine_exception,
					"the PostgreSQL source at " + connection.describe() +
						" refused the copy: " + connection.last_error(),
					"statement: " + statement, "Check that db_conn.user may read the table on the source.");
	core::CopyChunk chunk;
	for (;;) {
		char *row = nullptr;
		int length = PQgetCopyData(handle, &row, 1);
		if (length == 0) { // nothing buffered: wait for the socket, looking at cancellation in between
			if (queue.cancelled())
				return;
			pollfd socket{PQsocket(handle), POLLIN, 0};
			poll(&socket, 1, 100);
			if (!PQconsumeInput(handle))
				break; // the error is reported below
			continue;
		}
		if (length < 0)
			break;
		chunk.text.append(row, static_cast<size_t>(length));
		chunk.line_ends.push_back(static_cast<uint32_t>(chunk.text.size()));
		chunk.source_bytes += static_cast<uint64_t>(length);
		PQfreemem(row);
		if (chunk.text.size() >= chunk_bytes) {
			if (!queue.push(std::move(chunk)))
				return;
			chunk = core::CopyChunk();
		}
	}
	PGresult *finished = PQgetResult(handle);
	status = PQresultStatus(finished);
	PQclear(finished);
	while (PGresult *more = PQgetResult(handle))
		PQclear(more);
	if (status != PGRES_COMMAND_OK)
		throw Error(sqlstate::external_routine_exception,
					"the copy from the PostgreSQL source at " + connection.describe() +
						" failed: " + connection.last_error(),
					"statement: " + statement,
					"Run chameleon.init_replica() again once the source is reachable.");
	if (chunk.rows() > 0 && !queue.push(std::move(chunk)))
		return;
	queue.finish();
}

} // namespace chameleon::pgsql
