// Live binlog transport (see binlog_stream.hpp).
//
// Connector/C's mariadb_rpl sends COM_BINLOG_DUMP; the packets are then read with
// mysql_net_read_packet rather than mariadb_rpl_fetch, for three reasons found in the library's
// source (libmariadb/mariadb_rpl.c, 3.3): mariadb_rpl_fetch parses every event and fails with
// CR_UNKNOWN_BINLOG_EVENT on a type it does not know unless the event is flagged ignorable, which
// MySQL 8's TRANSACTION_PAYLOAD (40) is not, so compressed MySQL transactions would stop the stream;
// it decodes every ROTATE after the first wrongly (3.3.20); and it copies each packet (and again
// each row image) before we could hand the bytes on. Reading the packet directly yields the event
// exactly as the server sent it, whatever its type, and the decoder verifies the CRC.
//
// A MySQL GTID start needs COM_BINLOG_DUMP_GTID, which mariadb_rpl cannot send: it goes through
// the connection's own command function, with the GTID set in the binary form MySQL's
// Gtid_set::encode writes (binlog/gtid_set.hpp, tested byte for byte against MySQL's
// PREVIOUS_GTIDS events). No MySQL server runs in the test suite: this command is checked against
// MySQL's source (com_binlog_dump_gtid), not against a live server.
#include "mysql/binlog_stream.hpp"

#include "binlog/decode_error.hpp"
#include "binlog/gtid_set.hpp"
#include "common/error.hpp"

#include <mysql.h>
#include <mariadb_rpl.h>
#include <ma_pvio.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

namespace chameleon::mysql {

namespace {

constexpr size_t header_size = 19;
constexpr uint8_t rotate_event = 4;
constexpr uint8_t format_description_event = 15;
constexpr uint8_t heartbeat_event = 27;
constexpr uint16_t artificial_flag = 0x20;

uint32_t
le32(const uint8_t *p) {
	return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

uint64_t
le64(const uint8_t *p) {
	return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32;
}

// Errors after which the same position can be asked for again on a new connection.
bool
connection_lost(unsigned int code) {
	return code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR || code == CR_CONNECTION_ERROR ||
		   code == CR_CONN_HOST_ERROR;
}

// A MariaDB GTID list: domain-server-sequence triples separated by commas.
bool
valid_mariadb_gtid_list(const std::string &text) {
	int dashes = 0;
	bool digit = false;
	for (char c : text) {
		if (c >= '0' && c <= '9') {
			digit = true;
		} else if (c == '-' && digit && dashes < 2) {
			dashes++;
			digit = false;
		} else if (c == ',' && digit && dashes == 2) {
			dashes = 0;
			digit = false;
		} else if (c != ' ') {
			return false;
		}
	}
	return digit && dashes == 2;
}

} // namespace

BinlogStream::BinlogStream(StreamOptions options) : options_(std::move(options)) {
	position_ = options_.start;
	try {
		open(false);
	} catch (...) {
		close();
		throw;
	}
}

BinlogStream::~BinlogStream() {
	close();
}

unsigned long
BinlogStream::thread_id() const {
	return connection_ ? mysql_thread_id(connection_->handle()) : 0;
}

void
BinlogStream::close() {
	if (rpl_ != nullptr) {
		mariadb_rpl_close(rpl_);
		rpl_ = nullptr;
	}
	connection_.reset();
}

void
BinlogStream::open(bool resuming) {
	ConnectionParams params = options_.connection;
	// In follow mode the server speaks at least every heartbeat: a much longer silence means the
	// connection is dead even if TCP has not noticed.
	if (options_.follow && options_.heartbeat_ms > 0)
		params.read_timeout = std::min(params.read_timeout, options_.heartbeat_ms * 3 / 1000 + 10);
	connection_ = std::make_unique<Connection>(params);
	flavour_ = connection_->version().flavour;

	// Positions of one server mean nothing on another (a failover behind the same address):
	// a reconnection must reach the server the stream started on.
	auto identity =
		connection_->query(flavour_ == Flavour::mysql ? "SELECT @@global.server_id, @@global.server_uuid"
													  : "SELECT @@global.server_id, NULL");
	std::string server = "server_id " + (identity.empty() || !identity[0][0] ? "?" : *identity[0][0]);
	if (!identity.empty() && identity[0].size() > 1 && identity[0][1])
		server += ", uuid " + *identity[0][1];
	if (resuming && server != server_identity_)
		throw ServerChanged(
			sqlstate::object_not_in_prerequisite_state,
			"the MySQL server at " + connection_->describe() +
				" is not the server this binlog stream was reading",
			"The stream was reading the server with " + server_identity_ + " at \"" + position_.text() +
				"\"; the server now answering has " + server + ".",
			"Binlog positions of one server mean nothing on another. With \"gtid_enable: true\" "
			"the reader resumes on the new server by GTID; without it, copy the source again "
			"with chameleon.init_replica().");
	server_identity_ = server;

	by_gtid_ = !options_.gtid_start.empty() && !(resuming && !position_.file.empty());
	std::string mysql_gtid_set;
	if (by_gtid_ && flavour_ == Flavour::mysql) {
		try {
			mysql_gtid_set = binlog::MysqlGtidSet::parse(options_.gtid_start).encode();
		} catch (const binlog::DecodeError &error) {
			throw Error(sqlstate::invalid_parameter_value,
						"invalid MySQL GTID set \"" + options_.gtid_start + "\"", error.what(),
						"Use the form \"uuid:1-100,uuid2:1-5\", as SELECT @@global.gtid_executed shows it.");
		}
	}
	if (by_gtid_ && flavour_ == Flavour::mariadb && !valid_mariadb_gtid_list(options_.gtid_start))
		throw Error(sqlstate::invalid_parameter_value,
					"invalid MariaDB GTID position \"" + options_.gtid_start + "\"",
					"A MariaDB GTID position is a list of domain-server-sequence triples.",
					"Use the form \"0-1-100\" or \"0-1-100,1-2-5\", as SELECT @@gtid_binlog_pos shows it.");

	auto rows = connection_->query("SELECT @@global.binlog_checksum");
	checksum_crc32_ = !rows.empty() && rows[0][0] && *rows[0][0] == "CRC32";
	file_crc32_ = checksum_crc32_;
	// Declares this replica checksum-aware (without it the server refuses with 1236 when the
	// binlog has checksums); MySQL 8.0.26+ reads the source_ name.
	connection_->execute("SET @master_binlog_checksum = @@global.binlog_checksum, "
						 "@source_binlog_checksum = @@global.binlog_checksum");
	if (options_.follow && options_.heartbeat_ms > 0) {
		std::string period = std::to_string(uint64_t(options_.heartbeat_ms) * 1000000ULL);
		connection_->execute("SET @master_heartbeat_period = " + period +
							 ", @source_heartbeat_period = " + period);
	}
	if (flavour_ == Flavour::mariadb) {
		// MARIA_SLAVE_CAPABILITY_GTID: real GTID, ANNOTATE_ROWS and GTID_LIST events, not dummies.
		connection_->execute("SET @mariadb_slave_capability = 4");
		if (by_gtid_)
			connection_->execute("SET @slave_connect_state = '" + options_.gtid_start +
								 "', @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0");
	}

	chain_known_ = !by_gtid_;
	if (by_gtid_ && flavour_ == Flavour::mysql) {
		send_dump_gtid(mysql_gtid_set);
		at_end_ = false;
		return;
	}
	rpl_ = mariadb_rpl_init(connection_->handle());
	if (rpl_ == nullptr)
		throw Error(sqlstate::internal_error, "could not start binlog replication",
					mysql_error(connection_->handle()), "The MariaDB Connector/C library may be too old.");
	unsigned int flags = options_.follow ? 0 : MARIADB_RPL_BINLOG_DUMP_NON_BLOCK;
	if (flavour_ == Flavour::mariadb)
		flags |= MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS;
	// With a GTID start the server ignores the file name and position: it sends an empty name.
	std::string file = by_gtid_ ? std::string() : position_.file;
	unsigned long start = by_gtid_ ? 4 : static_cast<unsigned long>(position_.position);
	mariadb_rpl_optionsv(rpl_, MARIADB_RPL_SERVER_ID, static_cast<unsigned int>(options_.server_id));
	mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FLAGS, flags);
	mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FILENAME, file.c_str(), file.size());
	mariadb_rpl_optionsv(rpl_, MARIADB_RPL_START, start);
	if (mariadb_rpl_open(rpl_) != 0)
		fail_read();
	at_end_ = false;
}

// COM_BINLOG_DUMP_GTID: flags (2), server id (4), file name length (4) and name (none: the set
// decides), position (8), GTID set length (4) and set, all little endian.
void
BinlogStream::send_dump_gtid(const std::string &encoded_set) {
	constexpr uint16_t non_block = 0x01, through_gtid = 0x04;
	constexpr auto com_binlog_dump_gtid = static_cast<enum enum_server_command>(0x1e);
	std::string packet;
	auto append = [&](uint64_t value, int bytes) {
		for (int i = 0; i < bytes; i++)
			packet.push_back(static_cast<char>(value >> (8 * i)));
	};
	append(uint16_t(through_gtid | (options_.follow ? 0 : non_block)), 2);
	append(options_.server_id, 4);
	append(0, 4);
	append(4, 8);
	append(encoded_set.size(), 4);
	packet += encoded_set;
	MYSQL *handle = connection_->handle();
	if (handle->methods->db_command(handle, com_binlog_dump_gtid, packet.data(), packet.size(), 1, nullptr) !=
		0)
		fail_read();
}

void
BinlogStream::fail_read() {
	MYSQL *handle = connection_->handle();
	unsigned int code = mysql_errno(handle);
	std::string message = mysql_error(handle);
	std::string detail = message + " (MySQL error " + std::to_string(code) + ")";
	// Another replication client uses our server id: MariaDB says 4052 (ER_SLAVE_SAME_ID), MySQL
	// reports it as a 1236 whose message names the server id.
	if (code == 4052 || (code == ER_MASTER_FATAL_ERROR_READING_BINLOG &&
						 message.find("same server_uuid/server_id") != std::string::npos))
		throw Error(
			sqlstate::object_not_in_prerequisite_state,
			"another replication client with server id " + std::to_string(options_.server_id) +
				" is connected to the MySQL server at " + connection_->describe(),
			detail,
			"Give this source a \"my_server_id\" that no other source or replica of that server uses.");
	if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
		std::string where = by_gtid_ ? "GTID position \"" + options_.gtid_start + "\""
									 : "binlog position \"" + position_.text() + "\"";
		throw Error(sqlstate::object_not_in_prerequisite_state,
					where + " is no longer available on the MySQL server", detail,
					"Copy every table again and continue from the copies with chameleon.resync_source() "
					"(no init_replica needed), and keep binary logs longer on the MySQL server "
					"(binlog_expire_logs_seconds / expire_logs_days) than the replica may lag.");
	}
	if (code == ER_SPECIFIC_ACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_ERROR)
		throw Error(sqlstate::insufficient_privilege,
					"MySQL user \"" + options_.connection.user + "\" may not read the binary log", detail,
					"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO the replication user.");
	if (connection_lost(code))
		throw Error(sqlstate::connection_failure,
					"lost the replication connection to MySQL server at " + connection_->describe(), detail,
					"Check that the MySQL server is running and reachable; replication resumes from \"" +
						position_.text() + "\".");
	throw Error(sqlstate::external_routine_exception,
				"MySQL server at " + connection_->describe() + " failed the binlog dump at \"" +
					position_.text() + "\": " + message,
				detail, "Check the MySQL server's error log.");
}

bool
BinlogStream::input_ready(int wait_ms) const {
	if (!connection_)
		return false;
	MYSQL *handle = connection_->handle();
	const MARIADB_PVIO *pvio = handle->net.pvio;
	if (pvio == nullptr)
		return false;
	// What the library read ahead and next() has not taken yet.
	if (pvio->cache != nullptr && pvio->cache + pvio->cache_size > pvio->cache_pos)
		return true;
	pollfd socket{static_cast<int>(mysql_get_socket(handle)), POLLIN, 0};
	int ready = poll(&socket, 1, wait_ms);
	return ready != 0; // an error too: next() reports it
}

std::optional<RawEvent>
BinlogStream::next() {
	int attempt = 0;
	for (;;) {
		if (stopped_ || at_end_)
			return std::nullopt;
		MYSQL *handle = connection_->handle();
		unsigned long length = mysql_net_read_packet(handle);
		if (length == static_cast<unsigned long>(packet_error)) {
			unsigned int code = mysql_errno(handle);
			if (!connection_lost(code) || attempt >= options_.reconnect.max_attempts)
				fail_read();
			// Reconnect with exponential backoff, resuming after the last event returned.
			RetryNotice notice;
			notice.reason = std::string(mysql_error(handle)) + " (MySQL error " + std::to_string(code) + ")";
			for (;;) {
				close();
				attempt++;
				retries_++;
				notice.attempt = attempt;
				notice.delay_seconds =
					std::min(options_.reconnect.max_delay,
							 options_.reconnect.initial_delay * double(1ULL << std::min(attempt - 1, 30)));
				notice.resume = position_;
				if (options_.reconnect.on_retry)
					options_.reconnect.on_retry(notice);
				auto wake = std::chrono::steady_clock::now() +
							std::chrono::duration_cast<std::chrono::steady_clock::duration>(
								std::chrono::duration<double>(notice.delay_seconds));
				while (!stopped_ && std::chrono::steady_clock::now() < wake)
					std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
						wake - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
				if (stopped_)
					return std::nullopt;
				try {
					open(true);
					break;
				} catch (const Error &error) {
					if (std::strcmp(error.sqlstate, sqlstate::connection_failure) != 0 ||
						attempt >= options_.reconnect.max_attempts)
						throw;
					notice.reason = std::string(error.what()) + ": " + error.detail;
				}
			}
			replaying_ = true;
			continue;
		}
		const uint8_t *packet = handle->net.read_pos;
		if (packet[0] == 0xFE && length < 9) { // EOF: end of the binlog in non-blocking mode
			at_end_ = true;
			return std::nullopt;
		}
		if (packet[0] != 0x00 || length < 1 + header_size || le32(packet + 1 + 9) != length - 1)
			throw Error(
				sqlstate::data_corrupted,
				"MySQL server at " + connection_->describe() + " sent a malformed binlog packet",
				"After \"" + position_.text() + "\": packet of " + std::to_string(length) +
					" bytes starting with byte " + std::to_string(packet[0]) + ".",
				"Check the MySQL server's error log; restarting the replica resumes from this position.");
		RawEvent event;
		event.data = packet + 1;
		event.size = length - 1;
		event.type = event.data[4];
		uint16_t flags = uint16_t(event.data[17] | event.data[18] << 8);
		event.artificial = (flags & artificial_flag) != 0 || event.type == heartbeat_event;
		// On reconnection the server starts again with a fake ROTATE naming the resume position
		// and, past position 4, the file's FORMAT_DESCRIPTION (log_pos 0): the caller has both
		// already. A fake ROTATE naming anything else is news: the server went on to another file
		// (a crashed server's file ends without a ROTATE).
		if (replaying_) {
			bool resent_format = event.type == format_description_event && le32(event.data + 13) == 0;
			bool fake_rotate = event.type == rotate_event && event.artificial;
			if (resent_format || (fake_rotate && names_position(event, position_)))
				continue;
			if (event.type != heartbeat_event)
				replaying_ = false;
		}
		track(event);
		return event;
	}
}

// A ROTATE event's target: the 8-byte position, then the file name up to the checksum.
BinlogPosition
BinlogStream::rotate_target(const RawEvent &event) const {
	BinlogPosition target;
	if (event.size < header_size + 8)
		return target;
	size_t name_end = event.size - (file_crc32_ && event.size >= header_size + 8 + 4 ? 4 : 0);
	target.file.assign(reinterpret_cast<const char *>(event.data + header_size + 8),
					   name_end - header_size - 8);
	target.position = le64(event.data + header_size);
	return target;
}

bool
BinlogStream::names_position(const RawEvent &event, const BinlogPosition &position) const {
	BinlogPosition target = rotate_target(event);
	return target.file == position.file && target.position == position.position;
}

// A real event of the file must start exactly where the previous one ended: anything else means
// the position no longer describes what is being read (the server skipped or repeated bytes, or
// the events come from another file than the one recorded), and continuing would record events
// under a position they do not have. A dump started by GTID legitimately skips the transactions
// the replica has already (MySQL anywhere in the stream; MariaDB after the file's first events,
// and per domain): there, the position may only move forward.
void
BinlogStream::verify_start(const RawEvent &event, uint64_t next_position) const {
	if (!chain_known_ || next_position < event.size)
		return;
	uint64_t start = next_position - event.size;
	bool skips_allowed = by_gtid_;
	if (start == position_.position || (skips_allowed && start > position_.position))
		return;
	throw Error(sqlstate::data_corrupted,
				"binlog event from MySQL server at " + connection_->describe() + " does not start where \"" +
					position_.text() + "\" ends",
				"The event of type " + std::to_string(event.type) + " and " + std::to_string(event.size) +
					" bytes ends at position " + std::to_string(next_position) + ", so it starts at " +
					std::to_string(start) + ". The replica stops rather than record events under a " +
					"position they do not have.",
				"Check the MySQL server's error log (a crash or a restored binlog). Restarting the replica "
				"resumes from the last committed position; if the error persists, copy the source again "
				"with chameleon.init_replica().");
}

// log_pos is 32 bits: the high part of the position carries over past 4 GiB.
uint64_t
BinlogStream::widen(uint32_t log_pos) const {
	uint64_t next = (position_.position & ~uint64_t(0xFFFFFFFF)) | log_pos;
	if (next < position_.position && position_.position - next > 0x80000000ULL)
		next += uint64_t(1) << 32;
	return next;
}

void
BinlogStream::track(RawEvent &event) {
	const uint8_t *data = event.data;
	uint32_t log_pos = le32(data + 13);
	if (event.type == rotate_event && event.size >= header_size + 8) {
		if (!event.artificial && log_pos != 0)
			verify_start(event, widen(log_pos));
		position_ = rotate_target(event);
		// After a GTID start the server skips to the GTID once it has named the file.
		chain_known_ = chain_known_ || !event.artificial || !by_gtid_;
	} else if (event.type == format_description_event) {
		// checksum-aware servers end it with the algorithm byte and a CRC32 slot
		if (event.size >= header_size + 57 + 5)
			file_crc32_ = data[event.size - 5] == 1;
		if (log_pos != 0) {
			verify_start(event, log_pos);
			position_.position = log_pos;
		}
	} else if (log_pos != 0) {
		// Artificial events (MariaDB's GTID_LIST after a GTID start, heartbeats) carry the position
		// the server has reached; they never move it back.
		uint64_t next = widen(log_pos);
		if (!event.artificial) {
			verify_start(event, next);
			position_.position = next;
			chain_known_ = true;
		} else if (next > position_.position) {
			position_.position = next;
		}
	}
	event.next = position_;
}

} // namespace chameleon::mysql
