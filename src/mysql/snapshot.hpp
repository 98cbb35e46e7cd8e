// The MySQL side of the initial copy: one session holding a consistent snapshot, the binlog
// coordinates that match it, and a streaming row reader whose memory use does not depend on the
// table size (mysql_use_result; values handed over as pointers into the client's row buffer).
#pragma once

#include "mysql/connection.hpp"
#include "mysql/schema_reader.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace chameleon::mysql {

struct BinlogCoordinates {
	std::string file;
	std::uint64_t position = 0;
	// MySQL: @@global.gtid_executed; MariaDB: BINLOG_GTID_POS(file, position). Empty when the
	// server has no GTID for the position (MariaDB before any GTID event, MySQL with GTIDs off).
	std::string gtid_set;
};

// Receives the rows of stream_rows. values[i] == nullptr for NULL; otherwise values[i] points at
// lengths[i] bytes (not NUL-terminated in general, may contain NUL bytes) valid only during the call.
class RowSink {
  public:
	virtual ~RowSink() = default;
	virtual void row(const char *const *values, const unsigned long *lengths, unsigned int count) = 0;
	// Polled every SnapshotSession::poll_interval rows: true stops the copy (stream_rows returns
	// with cancelled set). The default never cancels.
	virtual bool cancelled() { return false; }
	// Called every poll_interval rows and once at the end: rows and value bytes read so far.
	virtual void progress(std::uint64_t /*rows*/, std::uint64_t /*bytes*/) {}
};

struct StreamResult {
	std::uint64_t rows = 0;
	std::uint64_t bytes = 0; // sum of the value lengths
	bool cancelled = false;
};

// The SELECT list stream_rows uses, one expression per column in ordinal order, chosen so that the
// text protocol returns what core::to_pg_text expects for the column's ValueForm (FLOAT goes through
// a DOUBLE so that all its digits arrive; everything else is returned as stored). Exposed for tests
// and logs.
std::string select_list(const TableInfo &table);

class SnapshotSession {
  public:
	static constexpr std::uint64_t poll_interval = 4096;

	// Connects and prepares the session: time_zone '+00:00' (TIMESTAMP values in UTC), NAMES
	// utf8mb4 (every character arrives intact whatever the column charset), net_read_timeout and
	// net_write_timeout = params.read_timeout, sql_mode '' (no ANSI_QUOTES, PAD_CHAR_TO_FULL_LENGTH
	// or NO_ZERO_DATE surprises), REPEATABLE READ.
	explicit SnapshotSession(const ConnectionParams &params);
	~SnapshotSession();
	SnapshotSession(const SnapshotSession &) = delete;
	SnapshotSession &operator=(const SnapshotSession &) = delete;

	// Starts the snapshot transaction and returns the binlog coordinates it corresponds to: every
	// transaction committed before them is visible, none after.
	// MariaDB: START TRANSACTION WITH CONSISTENT SNAPSHOT, then Binlog_snapshot_file/_position
	// (the server records them atomically with the snapshot) and BINLOG_GTID_POS of them; no lock.
	// MySQL: FLUSH TABLES WITH READ LOCK, START TRANSACTION WITH CONSISTENT SNAPSHOT, SHOW MASTER
	// STATUS (SHOW BINARY LOG STATUS on 8.2+) and @@global.gtid_executed, UNLOCK TABLES: the global
	// read lock lasts only for these statements. It needs the RELOAD privilege; when
	// lock_for_position is false (lock not allowed) a MySQL server is refused, since there is no
	// other way to tie a position to the snapshot (LOCK INSTANCE FOR BACKUP does not block DML).
	BinlogCoordinates begin_snapshot(bool lock_for_position);

	// Non-transactional tables (MyISAM, Aria, MEMORY...): LOCK TABLES t READ, then the coordinates
	// read while the lock is held; copy the table with stream_rows, then unlock_tables(). LOCK TABLES
	// ends any open transaction, so use a session without a snapshot (another SnapshotSession, or
	// this one after commit()). Needs the LOCK TABLES privilege.
	BinlogCoordinates lock_table_and_read_position(const TableInfo &table);
	void unlock_tables();

	// SELECT <select_list> FROM `schema`.`table`, streamed row by row into sink. Throws
	// chameleon::Error naming the table and the rows read so far when the query or the transfer
	// fails. After a cancellation the query is killed and the session stays usable.
	StreamResult stream_rows(const TableInfo &table, RowSink &sink);

	// Ends the snapshot transaction (read-only: a rollback).
	void commit();

	Connection &connection() { return *connection_; }

  private:
	BinlogCoordinates read_binlog_status();
	std::string binlog_gtid_pos(const BinlogCoordinates &coordinates);
	void kill_running_query();

	ConnectionParams params_;
	std::unique_ptr<Connection> connection_;
	bool in_snapshot_ = false;
	bool tables_locked_ = false;
};

} // namespace chameleon::mysql
