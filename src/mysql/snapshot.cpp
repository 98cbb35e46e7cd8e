// Consistent snapshot, binlog coordinates and streaming row reader (see snapshot.hpp).
#include "mysql/snapshot.hpp"

#include "common/error.hpp"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include <cstdlib>

namespace chameleon::mysql {

namespace {

std::string
table_name(const TableInfo &table) {
	return quote_name(table.schema) + "." + quote_name(table.name);
}

bool
connection_lost(unsigned int code) {
	return code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR;
}

} // namespace

std::string
select_list(const TableInfo &table) {
	std::string list;
	for (const ColumnInfo &column : table.columns) {
		if (!list.empty())
			list += ", ";
		if (column.data_type == "float") {
			// The text protocol prints FLOAT with 6 significant digits (MariaDB 10.11: 3.40282e38).
			// Multiplied by 1e0 it becomes the DOUBLE holding exactly the same value,
			// printed with all its digits; PostgreSQL's real input rounds that back to the same float.
			list += "(" + quote_name(column.name) + " * 1e0)";
		} else
			list += quote_name(column.name);
	}
	return list;
}

SnapshotSession::SnapshotSession(const ConnectionParams &params)
	: params_(params), connection_(std::make_unique<Connection>(params)) {
	const std::string timeout = std::to_string(params.read_timeout > 0 ? params.read_timeout : 600);
	const ServerVersion &version = connection_->version();
	std::string statement_limit;
	if (version.flavour == Flavour::mariadb)
		statement_limit = ", SESSION max_statement_time = 0";
	else if (version.at_least(5, 7, 8))
		statement_limit = ", SESSION max_execution_time = 0";
	connection_->execute("SET NAMES utf8mb4");
	connection_->execute(
		"SET SESSION time_zone = '+00:00', SESSION sql_mode = '', SESSION net_read_timeout = " + timeout +
		", SESSION net_write_timeout = " + timeout + statement_limit);
	connection_->execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
}

SnapshotSession::~SnapshotSession() {
	try {
		if (tables_locked_)
			connection_->execute("UNLOCK TABLES");
		if (in_snapshot_)
			connection_->execute("ROLLBACK");
	} catch (...) {
		// closing the connection ends both anyway
	}
}

BinlogCoordinates
SnapshotSession::read_binlog_status() {
	const ServerVersion &version = connection_->version();
	const bool binary_log_status = version.flavour == Flavour::mysql && version.at_least(8, 2, 0);
	std::vector<Row> rows =
		connection_->query(binary_log_status ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS");
	if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1])
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"binary logging is disabled on MySQL server at " + connection_->describe(),
					"SHOW MASTER STATUS returned no row.",
					"Enable the binary log (log_bin, binlog_format=ROW) and restart the MySQL server.");
	BinlogCoordinates coordinates;
	coordinates.file = *rows[0][0];
	coordinates.position = std::strtoull(rows[0][1]->c_str(), nullptr, 10);
	return coordinates;
}

std::string
SnapshotSession::binlog_gtid_pos(const BinlogCoordinates &coordinates) {
	if (connection_->version().flavour == Flavour::mysql) {
		std::vector<Row> rows = connection_->query("SELECT @@GLOBAL.gtid_executed");
		return !rows.empty() && rows[0][0] ? *rows[0][0] : std::string();
	}
	// MariaDB computes the GTID position of any binlog offset from the file's GTID_LIST event.
	std::string file(coordinates.file.size() * 2 + 1, '\0');
	file.resize(mysql_real_escape_string(connection_->handle(), file.data(), coordinates.file.data(),
										 coordinates.file.size()));
	std::vector<Row> rows = connection_->query("SELECT BINLOG_GTID_POS('" + file + "', " +
											   std::to_string(coordinates.position) + ")");
	return !rows.empty() && rows[0][0] ? *rows[0][0] : std::string();
}

BinlogCoordinates
SnapshotSession::begin_snapshot(bool lock_for_position) {
	if (in_snapshot_ || tables_locked_)
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"a snapshot or table lock is already open on MySQL server at " + connection_->describe(),
					"", "Call commit() or unlock_tables() before starting a new snapshot.");
	if (connection_->version().flavour == Flavour::mariadb) {
		connection_->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
		in_snapshot_ = true;
		BinlogCoordinates coordinates;
		for (const Row &row : connection_->query("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
			if (row.size() < 2 || !row[0] || !row[1])
				continue;
			if (*row[0] == "Binlog_snapshot_file")
				coordinates.file = *row[1];
			else if (*row[0] == "Binlog_snapshot_position")
				coordinates.position = std::strtoull(row[1]->c_str(), nullptr, 10);
		}
		if (coordinates.file.empty())
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"binary logging is disabled on MariaDB server at " + connection_->describe(),
						"Binlog_snapshot_file is empty.",
						"Enable the binary log (log_bin, binlog_format=ROW) and restart the MariaDB server.");
		coordinates.gtid_set = binlog_gtid_pos(coordinates);
		return coordinates;
	}
	if (!lock_for_position)
		throw Error(sqlstate::feature_not_supported,
					"a consistent copy from MySQL server at " + connection_->describe() +
						" needs a global read lock",
					"MySQL ties binlog coordinates to a snapshot only under FLUSH TABLES WITH READ LOCK.",
					"Allow the short global read lock taken at the start of the copy.");
	if (mysql_query(connection_->handle(), "FLUSH TABLES WITH READ LOCK") != 0) {
		unsigned int code = mysql_errno(connection_->handle());
		throw Error(code == ER_SPECIFIC_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR ||
							code == ER_ACCESS_DENIED_ERROR
						? sqlstate::insufficient_privilege
						: sqlstate::external_routine_exception,
					"could not take the global read lock on MySQL server at " + connection_->describe(),
					std::string(mysql_error(connection_->handle())) + " (MySQL error " +
						std::to_string(code) + ")",
					"Grant RELOAD to the replication user; the lock is held only while the snapshot starts.");
	}
	tables_locked_ = true;
	BinlogCoordinates coordinates;
	try {
		connection_->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
		in_snapshot_ = true;
		coordinates = read_binlog_status();
		coordinates.gtid_set = binlog_gtid_pos(coordinates);
	} catch (...) {
		unlock_tables();
		throw;
	}
	unlock_tables();
	return coordinates;
}

BinlogCoordinates
SnapshotSession::lock_table_and_read_position(const TableInfo &table) {
	if (in_snapshot_ || tables_locked_)
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"cannot lock table " + table_name(table) + " while a snapshot or lock is open", "",
					"LOCK TABLES would end the snapshot: copy non-transactional tables in another session "
					"or after commit().");
	const std::string sql = "LOCK TABLES " + table_name(table) + " READ";
	if (mysql_real_query(connection_->handle(), sql.data(), sql.size()) != 0) {
		unsigned int code = mysql_errno(connection_->handle());
		bool denied = code == ER_TABLEACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR ||
					  code == ER_SPECIFIC_ACCESS_DENIED_ERROR;
		throw Error(denied ? sqlstate::insufficient_privilege : sqlstate::external_routine_exception,
					"could not lock table " + table_name(table) + " for its copy",
					std::string(mysql_error(connection_->handle())) + " (MySQL error " +
						std::to_string(code) + ")",
					denied ? "Grant LOCK TABLES on the schema to the replication user: a non-transactional "
							 "table (engine " +
								 table.engine + ") can be copied consistently only under a read lock."
						   : "");
	}
	tables_locked_ = true;
	try {
		BinlogCoordinates coordinates = read_binlog_status();
		coordinates.gtid_set = binlog_gtid_pos(coordinates);
		return coordinates;
	} catch (...) {
		unlock_tables();
		throw;
	}
}

void
SnapshotSession::unlock_tables() {
	tables_locked_ = false;
	connection_->execute("UNLOCK TABLES");
}

void
SnapshotSession::commit() {
	in_snapshot_ = false;
	connection_->execute("COMMIT");
}

void
SnapshotSession::kill_running_query() {
	Connection killer(params_);
	killer.execute("KILL QUERY " + std::to_string(mysql_thread_id(connection_->handle())));
}

StreamResult
SnapshotSession::stream_rows(const TableInfo &table, RowSink &sink) {
	MYSQL *handle = connection_->handle();
	const std::string sql = "SELECT " + select_list(table) + " FROM " + table_name(table);
	StreamResult result;
	auto fail = [&](const char *what) {
		unsigned int code = mysql_errno(handle);
		bool lost = connection_lost(code);
		if (lost)
			in_snapshot_ = tables_locked_ = false;
		throw Error(lost ? sqlstate::connection_failure : sqlstate::external_routine_exception,
					std::string(what) + " table " + table_name(table) + " on MySQL server at " +
						connection_->describe() + " failed after " + std::to_string(result.rows) + " rows",
					std::string(mysql_error(handle)) + " (MySQL error " + std::to_string(code) + ")",
					lost
						? "The connection was lost and the snapshot with it: restart the copy. If the server "
						  "is up, raise net_write_timeout (the copy's read_timeout) or check the server log."
						: "Statement: " + sql);
	};
	if (mysql_real_query(handle, sql.data(), sql.size()) != 0)
		fail("reading");
	MYSQL_RES *rows = mysql_use_result(handle);
	if (rows == nullptr)
		fail("reading");
	// Frees the result; unless every row was read, the query is killed first so that freeing it
	// does not read the rest of the table.
	struct Guard {
		SnapshotSession &session;
		MYSQL_RES *rows;
		bool done = false;
		Guard(SnapshotSession &session, MYSQL_RES *rows) : session(session), rows(rows) {}
		Guard(const Guard &) = delete;
		Guard &operator=(const Guard &) = delete;
		~Guard() {
			if (!done) {
				try {
					session.kill_running_query();
				} catch (...) {
					// the rest of the rows is then read and dropped by mysql_free_result
				}
			}
			mysql_free_result(rows);
		}
	} guard{*this, rows};
	const unsigned int count = mysql_num_fields(rows);
	std::uint64_t until_poll = poll_interval;
	while (MYSQL_ROW values = mysql_fetch_row(rows)) {
		const unsigned long *lengths = mysql_fetch_lengths(rows);
		sink.row(values, lengths, count);
		++result.rows;
		for (unsigned int i = 0; i < count; ++i)
			result.bytes += lengths[i];
		if (--until_poll == 0) {
			until_poll = poll_interval;
			sink.progress(result.rows, result.bytes);
			if (sink.cancelled()) {
				result.cancelled = true;
				return result;
			}
		}
	}
	if (mysql_errno(handle) != 0) {
		guard.done = true;
		fail("reading");
	}
	guard.done = true;
	sink.progress(result.rows, result.bytes);
	return result;
}

} // namespace chameleon::mysql
