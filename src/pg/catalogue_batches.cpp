// The batches and positions of the catalogue (see catalogue_batches.hpp).
#include "pg/catalogue_batches.hpp"

#include "pg/spi.hpp"

namespace chameleon::pg {

namespace {

std::string
hex(const std::vector<uint8_t> &bytes) {
	static const char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size() * 2);
	for (uint8_t byte : bytes) {
		out += digits[byte >> 4];
		out += digits[byte & 15];
	}
	return out;
}

} // namespace

// ---- the reader

std::optional<ReadPosition>
read_position(int64 source_id) {
	std::vector<SqlRow> rows =
		catalogue_query("SELECT t_binlog_name, i_binlog_position, t_gtid_set, t_server_identity "
						"FROM sch_chameleon.t_last_received WHERE i_id_source = $1",
						{source_id});
	if (rows.empty() || !rows[0][0])
		return std::nullopt;
	return ReadPosition{{*rows[0][0], static_cast<uint64_t>(std::stoull(*rows[0][1]))},
						rows[0][2].value_or(""),
						rows[0][3].value_or("")};
}

std::optional<LogSegment>
newest_log_segment(int64 source_id, const std::string &batch_retention) {
	std::vector<SqlRow> rows = catalogue_query(
		"SELECT i_segment, (extract(epoch FROM clock_timestamp() - ts_created) * 1000)::bigint, "
		"(greatest(1, least(3600, extract(epoch FROM $2) / 4)) * 1000)::bigint "
		"FROM sch_chameleon.t_log_segments WHERE i_id_source = $1 ORDER BY i_segment DESC LIMIT 1",
		{source_id, SqlParam::interval(batch_retention)});
	if (rows.empty())
		return std::nullopt;
	return LogSegment{std::stoll(*rows[0][0]), std::stoll(*rows[0][1]), std::stoll(*rows[0][2])};
}

void
add_log_segment(int64 source_id, int64 segment) {
	catalogue_exec("SELECT sch_chameleon.fn_add_log_segment($1, $2)", {source_id, segment});
}

int64
open_batch(int64 source_id, const mysql::BinlogPosition &start,
		   const std::vector<uint8_t> &format_description, int64 segment) {
	return std::stoll(*catalogue_value(
		"INSERT INTO sch_chameleon.t_replica_batch (i_id_source, t_binlog_name, i_binlog_position, "
		"b_format_description, i_segment) VALUES ($1, $2, $3, decode($4, 'hex'), $5) RETURNING i_id_batch",
		{source_id, start.file, start.position, hex(format_description), segment}));
}

void
close_batch(int64 batch_id, const mysql::BinlogPosition &end, const std::string &gtid_set, int64 rows) {
	catalogue_exec(
		"UPDATE sch_chameleon.t_replica_batch SET t_binlog_name_end = $2, i_binlog_position_end = $3, "
		"t_gtid_set = nullif($4, ''), b_processed = true, ts_processed = clock_timestamp(), "
		"i_rows = $5 WHERE i_id_batch = $1",
		{batch_id, end.file, end.position, gtid_set, rows});
}

void
delete_batch(int64 batch_id) {
	catalogue_exec("DELETE FROM sch_chameleon.t_replica_batch WHERE i_id_batch = $1", {batch_id});
}

void
record_received(int64 source_id, const mysql::BinlogPosition &next, const std::string &gtid_set,
				const std::string &server_identity, std::optional<uint32_t> event_time, bool caught_up) {
	catalogue_exec("UPDATE sch_chameleon.t_last_received SET t_binlog_name = $2, i_binlog_position = $3, "
				   "t_gtid_set = nullif($4, ''), t_server_identity = $5, ts_last_received = CASE WHEN $6 "
				   "THEN clock_timestamp() WHEN $7 THEN to_timestamp($8) ELSE ts_last_received END "
				   "WHERE i_id_source = $1",
				   {source_id, next.file, next.position, gtid_set, server_identity, caught_up,
					event_time.has_value(), static_cast<int64>(event_time.value_or(0))});
}

// ---- the replay

std::optional<PendingBatch>
oldest_unreplayed_batch(int64 source_id) {
	std::vector<SqlRow> rows = catalogue_query(
		"SELECT b.i_id_batch, b.b_format_description, CASE WHEN p.i_id_batch = b.i_id_batch THEN "
		"p.i_id_event ELSE 0 END, b.i_segment, b.t_binlog_name FROM sch_chameleon.t_replica_batch b "
		"JOIN sch_chameleon.t_last_replayed p USING (i_id_source) WHERE b.i_id_source = $1 AND "
		"b.b_processed AND NOT b.b_replayed ORDER BY b.i_id_batch LIMIT 1",
		{source_id});
	if (rows.empty())
		return std::nullopt;
	SqlRow &row = rows[0];
	return PendingBatch{std::stoll(*row[0]), row[1].value_or(""), std::stoll(*row[2]), std::stoll(*row[3]),
						*row[4]};
}

int64
newest_committed_batch(int64 source_id) {
	std::vector<SqlRow> rows =
		catalogue_query("SELECT coalesce(max(i_id_batch), 0) FROM sch_chameleon.t_replica_batch "
						"WHERE i_id_source = $1 AND b_processed",
						{source_id});
	return std::stoll(*rows[0][0]);
}

std::vector<LogChunkRow>
batch_chunks(int64 source_id, int64 segment, int64 batch_id, int64 after_event, int limit) {
	std::vector<LogChunkRow> chunks;
	for (SqlRow &row : catalogue_query(
			 "SELECT i_id_event, i_events, b_events FROM sch_chameleon.t_log_replica WHERE i_id_source = $1 "
			 "AND i_segment = $2 AND i_id_batch = $3 AND i_id_event > $4 ORDER BY i_id_event LIMIT $5",
			 {source_id, segment, batch_id, after_event, limit}))
		chunks.push_back({std::stoll(*row[0]), std::stoll(*row[1]), std::move(*row[2])});
	return chunks;
}

void
record_replayed(int64 source_id, int64 batch_id, int64 event_id, const std::string &file, int64 position,
				int64 event_time) {
	catalogue_exec("UPDATE sch_chameleon.t_last_replayed SET i_id_batch = $2, i_id_event = $3, "
				   "t_binlog_name = $4, i_binlog_position = $5, ts_last_replayed = to_timestamp($6) "
				   "WHERE i_id_source = $1",
				   {source_id, batch_id, event_id, file, position, event_time});
}

void
count_replayed(int64 batch_id, int64 replayed, int64 skipped, int64 statements) {
	catalogue_exec("UPDATE sch_chameleon.t_replica_batch SET i_replayed = i_replayed + $2, "
				   "i_skipped = i_skipped + $3, i_ddl = i_ddl + $4 WHERE i_id_batch = $1",
				   {batch_id, replayed, skipped, statements});
}

void
finish_batch(int64 source_id, int64 batch_id) {
	catalogue_exec(
		"UPDATE sch_chameleon.t_replica_batch SET b_replayed = true, ts_replayed = clock_timestamp() "
		"WHERE i_id_batch = $1",
		{batch_id});
	catalogue_exec("UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = b.t_binlog_name_end, "
				   "i_binlog_position = b.i_binlog_position_end, t_gtid_set = b.t_gtid_set FROM "
				   "sch_chameleon.t_replica_batch b WHERE p.i_id_source = $1 AND b.i_id_batch = $2",
				   {source_id, batch_id});
}

// The reader may commit a batch (and its position) meanwhile: the check that nothing is pending is
// repeated in the statement that reads the position, in one snapshot, so the marker never passes an
// unreplayed batch.
void
follow_reader(int64 source_id) {
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = r.t_binlog_name, "
		"i_binlog_position = r.i_binlog_position, t_gtid_set = r.t_gtid_set, "
		"ts_last_replayed = r.ts_last_received FROM sch_chameleon.t_last_received r "
		"WHERE p.i_id_source = $1 AND r.i_id_source = p.i_id_source AND "
		"(p.t_binlog_name IS DISTINCT FROM r.t_binlog_name OR p.i_binlog_position IS DISTINCT FROM "
		"r.i_binlog_position OR p.ts_last_replayed IS DISTINCT FROM r.ts_last_received) AND "
		"NOT EXISTS (SELECT 1 FROM sch_chameleon.t_replica_batch b WHERE b.i_id_source = $1 "
		"AND b.b_processed AND NOT b.b_replayed)",
		{source_id});
}

void
mark_consistent(int64 source_id) {
	catalogue_exec(
		"UPDATE sch_chameleon.t_sources s SET b_consistent = true FROM sch_chameleon.t_last_replayed p "
		"WHERE s.i_id_source = $1 AND p.i_id_source = s.i_id_source AND NOT s.b_consistent AND "
		"p.t_binlog_name IS NOT NULL AND (s.t_binlog_name IS NULL OR "
		"(sch_chameleon.fn_binlog_order(p.t_binlog_name), p.i_binlog_position) >= "
		"(sch_chameleon.fn_binlog_order(s.t_binlog_name), s.i_binlog_position))",
		{source_id});
}

void
drop_unreplayed_batches(int64 source_id) {
	catalogue_exec("DELETE FROM sch_chameleon.t_log_replica WHERE i_id_source = $1 AND i_id_batch IN (SELECT "
				   "i_id_batch FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1 AND NOT b_replayed)",
				   {source_id});
	catalogue_exec("DELETE FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1 AND NOT b_replayed",
				   {source_id});
}

void
replayed_up_to_received(int64 source_id) {
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = r.t_binlog_name, i_binlog_position = "
		"r.i_binlog_position, t_gtid_set = r.t_gtid_set FROM sch_chameleon.t_last_received r WHERE "
		"r.i_id_source = p.i_id_source AND p.i_id_source = $1",
		{source_id});
}

std::optional<CatchupState>
catchup_state(const std::string &source_name, const mysql::BinlogPosition &target) {
	std::vector<SqlRow> rows = catalogue_query(
		"SELECT s.enm_status::text, coalesce(s.t_status_reason, ''), "
		"coalesce((sch_chameleon.fn_binlog_order(p.t_binlog_name), p.i_binlog_position) >= "
		"(sch_chameleon.fn_binlog_order($2), $3), false), "
		"coalesce(p.t_gtid_set, '') "
		"FROM sch_chameleon.t_sources s JOIN sch_chameleon.t_last_replayed p USING (i_id_source) "
		"WHERE s.t_source = $1",
		{source_name, target.file, target.position});
	if (rows.empty())
		return std::nullopt;
	return CatchupState{*rows[0][0], *rows[0][1], rows[0][2] == "t", *rows[0][3]};
}

void
validate_foreign_keys(int64 source_id, bool now) {
	catalogue_exec("SELECT sch_chameleon.fn_validate_foreign_keys($1, $2)", {source_id, now});
}

// ---- the replay's error log

void
log_replay_error(const ReplayError &error) {
	catalogue_exec(
		"INSERT INTO sch_chameleon.t_error_log (i_id_source, i_id_batch, v_schema_name, v_table_name, "
		"t_table_pkey, t_binlog_name, i_binlog_position, t_sql, t_sqlstate, t_error_message) VALUES "
		"($1, $2, $3, nullif($4, ''), nullif($5, ''), $6, $7, nullif($8, ''), $9, $10)",
		{error.source_id, error.batch_id, error.schema, error.table, error.key, error.file, error.position,
		 error.sql, error.sqlstate, error.message});
}

} // namespace chameleon::pg
