// The reading half of the copy of a PostgreSQL source table (see copy_out.hpp).
#include "pgsql/copy_out.hpp"

#include "common/error.hpp"

#include <libpq-fe.h>

#include <csignal>
#include <poll.h>
#include <pthread.h>

namespace chameleon::pgsql {

CopyOutThread::CopyOutThread(Connection &connection, std::string statement, core::ChunkQueue &queue,
							 size_t chunk_bytes)
	: queue_(queue) {
	// The thread must never run the server's signal handlers: it starts with every signal blocked.
	sigset_t all, previous;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	thread_ = std::thread([this, &connection, statement = std::move(statement), chunk_bytes] {
		try {
			run(connection, statement, chunk_bytes);
		} catch (...) {
			queue_.fail(std::current_exception());
		}
	});
	pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

CopyOutThread::~CopyOutThread() {
	queue_.cancel();
	thread_.join();
}

void
CopyOutThread::run(Connection &connection, const std::string &statement, size_t chunk_bytes) {
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
			if (queue_.cancelled())
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
		rows_read++;
		if (chunk.text.size() >= chunk_bytes) {
			if (!queue_.push(std::move(chunk)))
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
	if (chunk.rows() > 0 && !queue_.push(std::move(chunk)))
		return;
	queue_.finish();
}

} // namespace chameleon::pgsql
