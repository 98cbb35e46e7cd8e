// Typed binlog events as returned by Decoder::decode. Views (string_view, pointers) refer to the
// bytes passed to decode or to Event::owned (decompressed data); keep those alive while using them.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "binlog/gtid_set.hpp"
#include "binlog/rows.hpp"
#include "binlog/table_map.hpp"

namespace chameleon::binlog {

constexpr size_t event_header_size = 19;
constexpr size_t checksum_size = 4;

struct EventHeader {
	uint32_t timestamp = 0;
	uint8_t type = 0;
	uint32_t server_id = 0;
	uint32_t event_size = 0;
	uint32_t log_pos = 0; // end position of the event in the source's binlog (0 for artificial events)
	uint16_t flags = 0;
};

enum class Flavor : uint8_t { unknown, mysql, mariadb };
enum class ChecksumAlgorithm : uint8_t { off = 0, crc32 = 1, undefined = 255 };

struct FormatDescriptionEvent {
	uint16_t binlog_version = 4;
	std::string server_version;
	uint32_t create_timestamp = 0;
	uint8_t header_length = 19;
	std::vector<uint8_t> post_header_lengths; // index: event type - 1
	ChecksumAlgorithm checksum = ChecksumAlgorithm::off;
	Flavor flavor = Flavor::unknown;
};

struct RotateEvent {
	uint64_t position = 0;
	std::string_view next_file;
};

// The status variables of a QUERY event that matter for replaying or filtering it.
struct QueryStatus {
	std::optional<uint32_t> flags2;
	std::optional<uint64_t> sql_mode;
	std::string_view catalog;
	std::optional<uint16_t> auto_increment_increment;
	std::optional<uint16_t> auto_increment_offset;
	std::optional<uint16_t> charset_client;
	std::optional<uint16_t> collation_connection;
	std::optional<uint16_t> collation_server;
	std::string_view time_zone;
	std::optional<uint16_t> lc_time_names;
	std::optional<uint16_t> collation_database;
	std::optional<uint64_t> table_map_for_update;
	std::string_view invoker_user;
	std::string_view invoker_host;
	std::vector<std::string_view> updated_databases;
	std::optional<uint32_t> microseconds;
	std::optional<uint64_t> ddl_xid; // MySQL Q_DDL_LOGGED_WITH_XID or MariaDB Q_XID
	std::optional<uint16_t> default_collation_for_utf8mb4;
	std::optional<uint8_t> explicit_defaults_for_timestamp;
	std::optional<uint8_t> sql_require_primary_key;
	std::optional<uint8_t> default_table_encryption;
	bool truncated_by_unknown_code = false; // an unknown code stopped parsing (as MySQL does)
};

struct QueryEvent {
	uint32_t thread_id = 0;
	uint32_t exec_time = 0;
	uint16_t error_code = 0;
	std::string_view database;
	std::string_view statement;
	QueryStatus status;
	bool compressed = false; // MariaDB QUERY_COMPRESSED
};

struct XidEvent {
	uint64_t xid = 0;
};

struct TableMapEvent {
	std::shared_ptr<const TableMap> table;
};

struct MysqlGtidEvent {
	bool anonymous = false;
	bool tagged = false;
	uint8_t flags = 0; // bit 0: may contain statement-based changes
	Uuid sid{};
	std::string tag;
	int64_t gno = 0;
	bool has_logical_clock = false;
	int64_t last_committed = 0;
	int64_t sequence_number = 0;
	uint64_t immediate_commit_timestamp = 0; // microseconds since the epoch, 0 when absent
	uint64_t original_commit_timestamp = 0;
	uint64_t transaction_length = 0;
	uint32_t immediate_server_version = 0;
	uint32_t original_server_version = 0;
};

struct PreviousGtidsEvent {
	MysqlGtidSet gtids;
};

struct MariadbGtidEvent {
	MariadbGtid gtid;
	uint8_t flags = 0;
	uint64_t commit_id = 0; // when flags has FL_GROUP_COMMIT_ID (2)
	bool standalone() const { return flags & 1; }
};

struct MariadbGtidListEvent {
	MariadbGtidList gtids;
	std::vector<MariadbGtid> entries; // as listed in the event (several per domain possible)
	uint8_t flags = 0;
};

struct BinlogCheckpointEvent {
	std::string_view file;
};

// ROWS_QUERY (MySQL) or ANNOTATE_ROWS (MariaDB): the statement that produced the next rows events.
struct RowsQueryEvent {
	std::string_view statement;
};

struct HeartbeatEvent {
	std::string_view file;
	uint64_t position = 0;
};

struct StopEvent {};

struct IntvarEvent {
	uint8_t kind = 0; // 1 LAST_INSERT_ID, 2 INSERT_ID
	uint64_t value = 0;
};

struct RandEvent {
	uint64_t seed1 = 0;
	uint64_t seed2 = 0;
};

struct UserVarEvent {
	std::string_view name;
	bool is_null = true;
	uint8_t value_type = 0; // Item_result: 0 STRING, 1 REAL, 2 INT, 4 DECIMAL
	uint32_t charset = 0;
	std::string_view value; // raw bytes as logged
	uint8_t flags = 0;		// bit 0: unsigned
};

struct IncidentEvent {
	uint16_t incident = 0;
	std::string_view message;
};

// TRANSACTION_PAYLOAD: the decompressed inner events (a bare event sequence without checksums)
// are in `events`; walk them with PayloadReader.
struct TransactionPayloadEvent {
	uint64_t compressed_size = 0;
	uint64_t uncompressed_size = 0;
	uint8_t compression = 0; // 0 zstd, 255 none
	std::shared_ptr<const std::vector<uint8_t>> events;
};

// An event the decoder recognised and deliberately does not interpret: unknown types flagged
// LOG_EVENT_IGNORABLE_F, and known types that carry nothing for row replication (LOAD DATA
// blocks, group replication view changes, XA prepare markers, ...).
struct SkippedEvent {
	const char *reason = "";
};

using EventBody =
	std::variant<SkippedEvent, FormatDescriptionEvent, RotateEvent, QueryEvent, XidEvent, TableMapEvent,
				 RowsEvent, MysqlGtidEvent, PreviousGtidsEvent, MariadbGtidEvent, MariadbGtidListEvent,
				 BinlogCheckpointEvent, RowsQueryEvent, HeartbeatEvent, StopEvent, IntvarEvent, RandEvent,
				 UserVarEvent, IncidentEvent, TransactionPayloadEvent>;

struct Event {
	EventHeader header;
	EventBody body;
	std::shared_ptr<const std::vector<uint8_t>> owned; // decompressed bytes the views may refer to
};

} // namespace chameleon::binlog
