// chameleon.binlog_events(path): decodes a binlog file and returns one row per event, with
// the rows of row events as jsonb — the debugging tool for an event replication stops on,
// and the SQL face of the decoder for the regression tests on the fixture binlogs.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/sql_values.hpp"

#include "binlog/decode_error.hpp"
#include "binlog/event_type.hpp"
#include "binlog/file_reader.hpp"
#include "common/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

using namespace chameleon;
using chameleon::pg::pg_call;

namespace {

struct EventRow {
	int64_t position = 0;
	std::string type;
	int64_t timestamp = 0;
	int64_t server_id = 0;
	int64_t end_position = 0;
	bool in_payload = false;
	std::string schema;
	std::string table;
	std::string info;
	std::string rows_json; // empty: NULL
};

std::string
mysql_gtid_text(const binlog::MysqlGtidEvent &gtid) {
	if (gtid.anonymous)
		return "anonymous";
	std::string text = binlog::format_uuid(gtid.sid);
	if (!gtid.tag.empty())
		text += ":" + gtid.tag;
	return text + ":" + std::to_string(gtid.gno);
}

// The table, statement or position an event is about, for the info column.
void
describe_body(const binlog::Event &event, EventRow &row) {
	std::visit(
		[&](const auto &body) {
			using Body = std::decay_t<decltype(body)>;
			if constexpr (std::is_same_v<Body, binlog::FormatDescriptionEvent>) {
				row.info = "server " + body.server_version + ", checksum " +
						   (body.checksum == binlog::ChecksumAlgorithm::crc32 ? "crc32" : "off");
			} else if constexpr (std::is_same_v<Body, binlog::RotateEvent>) {
				row.info = std::string(body.next_file) + ":" + std::to_string(body.position);
			} else if constexpr (std::is_same_v<Body, binlog::QueryEvent>) {
				row.schema = std::string(body.database);
				row.info = std::string(body.statement);
			} else if constexpr (std::is_same_v<Body, binlog::XidEvent>) {
				row.info = "xid " + std::to_string(body.xid);
			} else if constexpr (std::is_same_v<Body, binlog::TableMapEvent>) {
				row.schema = body.table->database;
				row.table = body.table->table;
				row.info = "table id " + std::to_string(body.table->table_id) + ", " +
						   std::to_string(body.table->columns.size()) + " columns";
			} else if constexpr (std::is_same_v<Body, binlog::RowsEvent>) {
				row.schema = body.table->database;
				row.table = body.table->table;
			} else if constexpr (std::is_same_v<Body, binlog::MysqlGtidEvent>) {
				row.info = mysql_gtid_text(body);
			} else if constexpr (std::is_same_v<Body, binlog::PreviousGtidsEvent> ||
								 std::is_same_v<Body, binlog::MariadbGtidListEvent>) {
				row.info = body.gtids.format(); // MySQL's GTID set or MariaDB's list
			} else if constexpr (std::is_same_v<Body, binlog::MariadbGtidEvent>) {
				row.info = std::to_string(body.gtid.domain_id) + "-" + std::to_string(body.gtid.server_id) +
						   "-" + std::to_string(body.gtid.sequence);
			} else if constexpr (std::is_same_v<Body, binlog::BinlogCheckpointEvent>) {
				row.info = std::string(body.file);
			} else if constexpr (std::is_same_v<Body, binlog::RowsQueryEvent>) {
				row.info = std::string(body.statement);
			} else if constexpr (std::is_same_v<Body, binlog::HeartbeatEvent>) {
				row.info = std::string(body.file) + ":" + std::to_string(body.position);
			} else if constexpr (std::is_same_v<Body, binlog::IncidentEvent>) {
				row.info = std::string(body.message);
			} else if constexpr (std::is_same_v<Body, binlog::TransactionPayloadEvent>) {
				row.info = std::to_string(body.compressed_size) + " bytes compressed, " +
						   std::to_string(body.uncompressed_size) + " uncompressed";
			} else if constexpr (std::is_same_v<Body, binlog::SkippedEvent>) {
				row.info = body.reason;
			}
		},
		event.body);
}

// [{"before": {...}, "after": {...}}, ...] with only the images the event kind has.
std::string
rows_json(const binlog::RowsEvent &rows) {
	std::string json = "[";
	std::vector<binlog::Value> before, after;
	binlog::RowReader reader(rows);
	bool first = true;
	while (reader.next(before, after)) {
		json += first ? "{" : ", {";
		first = false;
		if (!before.empty()) {
			json += "\"before\": ";
			binlog::append_row_json(json, before, *rows.table);
		}
		if (!after.empty()) {
			json += before.empty() ? "\"after\": " : ", \"after\": ";
			binlog::append_row_json(json, after, *rows.table);
		}
		json += "}";
	}
	return json + "]";
}

} // namespace

CHAMELEON_FUNCTION(chameleon_binlog_events) {
	if (!pg_call([] { return superuser(); }))
		throw Error(sqlstate::insufficient_privilege, "permission denied to read binlog files",
					"chameleon.binlog_events reads files on the database server.", "Run it as a superuser.");
	std::string path = pg::text_argument(fcinfo, 0, "path");
	int64 start = pg::int64_argument(fcinfo, 1, "start_position");
	int64 limit = PG_ARGISNULL(2) ? -1 : PG_GETARG_INT64(2); // NULL: every event

	if (FILE *file = fopen(path.c_str(), "rb"))
		fclose(file);
	else
		throw Error(errno == ENOENT ? sqlstate::undefined_file : sqlstate::io_error,
					"could not open binlog file \"" + path + "\": " + strerror(errno), "",
					"Give the absolute path of a binlog file readable by the database server's user.");

	pg::ResultSet result(fcinfo);
	binlog::BinlogFileReader reader(path);
	binlog::Event event;
	int64 returned = 0;
	for (;;) {
		pg_call([] { CHECK_FOR_INTERRUPTS(); });
		if (limit >= 0 && returned >= limit)
			break;
		EventRow row;
		try {
			if (!reader.next(event))
				break;
			row.position = static_cast<int64_t>(reader.offset());
			if (row.position < start)
				continue;
			row.type = binlog::event_type_name(event.header.type);
			row.timestamp = event.header.timestamp;
			row.server_id = event.header.server_id;
			row.end_position = event.header.log_pos;
			row.in_payload = reader.in_payload();
			describe_body(event, row);
			if (const auto *rows = std::get_if<binlog::RowsEvent>(&event.body))
				row.rows_json = rows_json(*rows);
		} catch (const binlog::DecodeError &error) {
			// Show what could be decoded, then the event that could not, and stop.
			row = EventRow{};
			row.position = static_cast<int64_t>(reader.offset());
			row.type = "error";
			row.info = error.what();
		}
		Datum values[10] = {Int64GetDatum(row.position),
							pg::text_datum(row.type),
							TimestampTzGetDatum(time_t_to_timestamptz(row.timestamp)),
							Int64GetDatum(row.server_id),
							Int64GetDatum(row.end_position),
							BoolGetDatum(row.in_payload),
							row.schema.empty() ? (Datum)0 : pg::text_datum(row.schema),
							row.table.empty() ? (Datum)0 : pg::text_datum(row.table),
							row.info.empty() ? (Datum)0 : pg::text_datum(row.info),
							row.rows_json.empty() ? (Datum)0 : pg::jsonb_datum(row.rows_json)};
		bool nulls[10] = {false,
						  false,
						  row.type == "error",
						  row.type == "error",
						  row.type == "error",
						  false,
						  row.schema.empty(),
						  row.table.empty(),
						  row.info.empty(),
						  row.rows_json.empty()};
		result.add(values, nulls);
		returned++;
		if (row.type == "error")
			break;
	}
	return (Datum)0;
}
