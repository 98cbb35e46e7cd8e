// Live binlog transport: a replication connection (COM_BINLOG_DUMP) that hands out each event's
// raw bytes unchanged, tracks the file/position after each event, verifies that every event
// starts where the one before it ended, and reconnects on a lost connection to the same server.
// Decoding is left to chameleon::binlog::Decoder. No PostgreSQL header may be included.
#pragma once

#include "common/error.hpp"
#include "mysql/connection.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

typedef struct st_mariadb_rpl MARIADB_RPL;

namespace chameleon::mysql {

// A reconnection reached another server than the one the stream started on (a failover behind
// the same address): positions of one server mean nothing on the other.
class ServerChanged : public Error {
  public:
	using Error::Error;
};

struct BinlogPosition {
	std::string file;
	uint64_t position = 4;

	std::string text() const { return file + ":" + std::to_string(position); } // "mysql-bin.000003:1234"
};

// What the stream passes to the on_retry callback before each reconnection attempt.
struct RetryNotice {
	int attempt = 0;		  // 1 for the first retry
	double delay_seconds = 0; // waited before this attempt
	std::string reason;		  // the error that made the stream reconnect
	BinlogPosition resume;	  // where the stream resumes
};

struct ReconnectPolicy {
	int max_attempts = 10;		// 0: never reconnect, fail at the first lost connection
	double initial_delay = 0.5; // seconds, doubled after each failed attempt ...
	double max_delay = 30;		// ... up to this
	std::function<void(const RetryNotice &)> on_retry; // e.g. to log a WARNING; may be empty
};

struct StreamOptions {
	ConnectionParams connection;
	uint32_t server_id = 0; // my_server_id: must differ from the source's and from every other replica's
	BinlogPosition start;
	// GTIDs to start after (the file/position in `start` is then ignored): a MariaDB position
	// "0-1-5,1-2-7", or a MySQL GTID set "uuid:1-100" (the server sends what is not in it).
	std::string gtid_start;
	bool follow = true;		 // false: stop at the current end of the binlog; true: wait for new events
	int heartbeat_ms = 1000; // follow mode: the server sends a HEARTBEAT after this much idle time
	ReconnectPolicy reconnect;
};

struct RawEvent {
	const uint8_t *data = nullptr; // the whole event: 19-byte header, body, checksum if any;
	size_t size = 0;			   // valid until the next call to next()
	uint8_t type = 0;			   // header event type
	bool artificial = false;	   // made up by the server for this connection (fake ROTATE, HEARTBEAT)
	BinlogPosition next;		   // position after this event (file from the latest ROTATE)
};

class BinlogStream {
  public:
	// Connects, sets the checksum/capability/heartbeat variables and starts the dump. A start
	// position the server does not have is reported by the first next(), as the server does.
	explicit BinlogStream(StreamOptions options);
	~BinlogStream();
	BinlogStream(const BinlogStream &) = delete;
	BinlogStream &operator=(const BinlogStream &) = delete;

	// The next event; nullopt at the end of the binlog when !follow, or after stop(). Heartbeats
	// (follow mode) are returned too, flagged artificial. Lost connections are retried according
	// to the reconnect policy, resuming after the last event returned; events the server sends
	// again on reconnection (the fake ROTATE naming the resume position, FORMAT_DESCRIPTION) are
	// not returned twice. A fake ROTATE naming another file (the server moved on to the next
	// file, e.g. after a crash left the old one without a ROTATE) is returned. An event that does
	// not start where the previous one ended, or a server that is not the one the stream started
	// on, is an error (data_corrupted / object_not_in_prerequisite_state): never a guess.
	std::optional<RawEvent> next();

	// Whether more of the stream has arrived (read ahead by the client library, or waiting in the
	// socket), waiting at most wait_ms for it: false when the server has nothing more to send now.
	// Over TLS the read-ahead holds the decrypted bytes; what the TLS library still holds of a
	// record (a large packet read in part) is not seen: false may then come wait_ms late.
	bool input_ready(int wait_ms) const;

	// Makes next() return nullopt at the next event or heartbeat (safe from another thread).
	void stop() { stopped_ = true; }

	// True when events end with a CRC32 (the server's binlog_checksum at connection time); tell
	// the decoder before the first FORMAT_DESCRIPTION, which then states it for its file.
	bool checksum_crc32() const { return checksum_crc32_; }
	Flavour flavour() const { return flavour_; }
	const BinlogPosition &position() const { return position_; } // after the last event returned
	int retries() const { return retries_; }					 // reconnections so far
	unsigned long thread_id() const;							 // server connection id of the dump
	// "server_id 1" (MariaDB) or "server_id 1, uuid …" (MySQL): tells one server from another.
	const std::string &server_identity() const { return server_identity_; }

  private:
	void open(bool resuming);
	void close();
	void track(RawEvent &event);
	void verify_start(const RawEvent &event, uint64_t next_position) const;
	BinlogPosition rotate_target(const RawEvent &event) const;
	uint64_t widen(uint32_t log_pos) const;
	bool names_position(const RawEvent &event, const BinlogPosition &position) const;
	void send_dump_gtid(const std::string &encoded_set);
	[[noreturn]] void fail_read();

	StreamOptions options_;
	std::unique_ptr<Connection> connection_;
	MARIADB_RPL *rpl_ = nullptr;
	Flavour flavour_ = Flavour::mariadb;
	bool checksum_crc32_ = false;
	bool file_crc32_ = false; // checksum of the file being read (from its FORMAT_DESCRIPTION)
	BinlogPosition position_;
	bool by_gtid_ = false; // the current dump started from options_.gtid_start
	bool at_end_ = false;
	bool replaying_ = false; // after a reconnection, until the first new event
	// The position is a real place in the file: every real event must start there. False after
	// a GTID start until the first real event (the server skips to the GTID).
	bool chain_known_ = false;
	std::string server_identity_;
	int retries_ = 0;
	std::atomic<bool> stopped_{false};
};

} // namespace chameleon::mysql
