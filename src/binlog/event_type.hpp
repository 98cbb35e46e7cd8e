// Binlog event type codes of MySQL and MariaDB, and their lower-case names for messages.
#pragma once
#include <cstdint>

namespace chameleon::binlog {

namespace event_type {
constexpr uint8_t unknown = 0;
constexpr uint8_t start_v3 = 1;
constexpr uint8_t query = 2;
constexpr uint8_t stop = 3;
constexpr uint8_t rotate = 4;
constexpr uint8_t intvar = 5;
constexpr uint8_t slave = 7;
constexpr uint8_t append_block = 9;
constexpr uint8_t delete_file = 11;
constexpr uint8_t rand = 13;
constexpr uint8_t user_var = 14;
constexpr uint8_t format_description = 15;
constexpr uint8_t xid = 16;
constexpr uint8_t begin_load_query = 17;
constexpr uint8_t execute_load_query = 18;
constexpr uint8_t table_map = 19;
constexpr uint8_t write_rows_v0 = 20;
constexpr uint8_t update_rows_v0 = 21;
constexpr uint8_t delete_rows_v0 = 22;
constexpr uint8_t write_rows_v1 = 23;
constexpr uint8_t update_rows_v1 = 24;
constexpr uint8_t delete_rows_v1 = 25;
constexpr uint8_t incident = 26;
constexpr uint8_t heartbeat = 27;
constexpr uint8_t ignorable = 28;
constexpr uint8_t rows_query = 29;
constexpr uint8_t write_rows_v2 = 30;
constexpr uint8_t update_rows_v2 = 31;
constexpr uint8_t delete_rows_v2 = 32;
constexpr uint8_t gtid = 33;
constexpr uint8_t anonymous_gtid = 34;
constexpr uint8_t previous_gtids = 35;
constexpr uint8_t transaction_context = 36;
constexpr uint8_t view_change = 37;
constexpr uint8_t xa_prepare = 38;
constexpr uint8_t partial_update_rows = 39;
constexpr uint8_t transaction_payload = 40;
constexpr uint8_t heartbeat_v2 = 41;
constexpr uint8_t gtid_tagged = 42;
// MariaDB
constexpr uint8_t annotate_rows = 160;
constexpr uint8_t binlog_checkpoint = 161;
constexpr uint8_t mariadb_gtid = 162;
constexpr uint8_t mariadb_gtid_list = 163;
constexpr uint8_t start_encryption = 164;
constexpr uint8_t query_compressed = 165;
constexpr uint8_t write_rows_compressed_v1 = 166;
constexpr uint8_t update_rows_compressed_v1 = 167;
constexpr uint8_t delete_rows_compressed_v1 = 168;
constexpr uint8_t write_rows_compressed = 169;
constexpr uint8_t update_rows_compressed = 170;
constexpr uint8_t delete_rows_compressed = 171;
} // namespace event_type

// Header flag bits.
constexpr uint16_t log_event_binlog_in_use_f = 0x1;
constexpr uint16_t log_event_ignorable_f = 0x80;

// "query", "write_rows_v2", ...; "unknown" for codes it does not know.
const char *event_type_name(uint8_t type);

} // namespace chameleon::binlog
