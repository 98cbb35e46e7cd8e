// Buffered, grouped inserts of the reader's log rows; see log_rows.hpp.
#include "pg/log_rows.hpp"

#include "pg/boundary.hpp"
#include "pg/rights.hpp"

#include "common/error.hpp"

#include <memory>

namespace chameleon::pg {

namespace {

// Array parameter types, in column order: i_id_batch, i_id_event, v_schema_name, v_table_name,
// enm_binlog_event, t_binlog_name, i_binlog_position, ts_event, b_event, b_table_map, i_rows,
// t_query, t_time_zone, then b_transaction_start; the segment is one value for all rows.
constexpr Oid element_types[] = {INT8OID, INT8OID,	TEXTOID,  TEXTOID, TEXTOID, TEXTOID, INT8OID,
								 INT8OID, BYTEAOID, BYTEAOID, INT4OID, TEXTOID, TEXTOID};

const char *const insert_sql =
	"INSERT INTO sch_chameleon.t_log_replica (i_id_source, i_id_batch, i_id_event, v_schema_name, "
	"v_table_name, enm_binlog_event, t_binlog_name, i_binlog_position, ts_event, b_event, b_table_map, "
	"i_rows, t_query, t_time_zone, b_transaction_start, i_segment) "
	"SELECT $1, b, e, s, t, k::sch_chameleon.en_binlog_event, f, p, "
	"'epoch'::timestamptz + ts * interval '1 microsecond', ev, tm, r, qy, z, st, $16 "
	"FROM unnest($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) AS u(b, e, s, t, k, f, p, ts, "
	"ev, tm, r, qy, z, st)";

MemoryContext
create_context() {
	constexpr Size initial_block = Size{8} * 1024;
	constexpr Size max_block = Size{8} * 1024 * 1024;
	return pg_call([] {
		return AllocSetContextCreate(TopMemoryContext, "pg_chameleon log rows", 0, initial_block, max_block);
	});
}

} // namespace

LogRows::LogRows(int64 source_id) : source_id_(source_id), context_(create_context()) {}

Datum
LogRows::copy_bytes(std::string_view bytes) {
	bytes_ += bytes.size();
	return pg_call([&] {
		auto *value = static_cast<struct varlena *>(MemoryContextAlloc(context_, VARHDRSZ + bytes.size()));
		SET_VARSIZE(value, VARHDRSZ + bytes.size());
		memcpy(VARDATA(value), bytes.data(), bytes.size());
		return PointerGetDatum(value);
	});
}

void
LogRows::push(int column, std::optional<Datum> value) {
	values_[column].push_back(value.value_or(Datum(0)));
	nulls_[column].push_back(value ? ' ' : 'n');
}

void
LogRows::add(const LogRow &row) {
	auto optional_varlena = [&](const std::optional<std::string_view> &bytes) -> std::optional<Datum> {
		if (!bytes)
			return std::nullopt;
		return copy_bytes(*bytes);
	};
	push(0, Int64GetDatum(row.batch_id));
	push(1, Int64GetDatum(row.event_id));
	push(2, copy_bytes(row.schema));
	push(3, copy_bytes(row.table));
	push(4, copy_bytes(row.kind));
	push(5, copy_bytes(row.file));
	push(6, Int64GetDatum(row.position));
	push(7, Int64GetDatum(row.event_time_us));
	push(8, optional_varlena(row.event));
	push(9, optional_varlena(row.table_map));
	push(10, Int32GetDatum(row.rows));
	push(11, optional_varlena(row.statement));
	push(12, optional_varlena(row.time_zone));
	transaction_starts_.push_back(row.transaction_start);
	count_++;
	if (count_ >= max_rows || bytes_ >= max_bytes)
		flush();
}

void
LogRows::flush() {
	if (count_ == 0)
		return;
	CatalogueRights rights; // the log storage is part of the catalogue
	if (plan_ == nullptr) {
		Oid types[column_count + 3];
		types[0] = INT8OID;
		for (int i = 0; i < column_count; i++)
			types[i + 1] = pg_call([&] { return get_array_type(element_types[i]); });
		types[column_count + 1] = BOOLARRAYOID;
		types[column_count + 2] = INT8OID;
		plan_ = pg_call([&] {
			SPIPlanPtr plan = SPI_prepare(insert_sql, column_count + 3, types);
			if (plan != nullptr)
				SPI_keepplan(plan);
			return plan;
		});
		if (plan_ == nullptr)
			throw Error(sqlstate::internal_error, "could not prepare the insert into the replication log");
	}
	Datum parameters[column_count + 3];
	parameters[0] = Int64GetDatum(source_id_);
	int dims[1] = {static_cast<int>(count_)};
	int lower_bounds[1] = {1};
	for (int i = 0; i < column_count; i++) {
		std::unique_ptr<bool[]> nulls(new bool[count_]);
		for (size_t row = 0; row < count_; row++)
			nulls[row] = nulls_[i][row] == 'n';
		parameters[i + 1] = pg_call([&] {
			MemoryContext previous = MemoryContextSwitchTo(context_);
			int16 length;
			bool by_value;
			char alignment;
			get_typlenbyvalalign(element_types[i], &length, &by_value, &alignment);
			ArrayType *array = construct_md_array(values_[i].data(), nulls.get(), 1, dims, lower_bounds,
												  element_types[i], length, by_value, alignment);
			MemoryContextSwitchTo(previous);
			return PointerGetDatum(array);
		});
	}
	std::vector<Datum> starts;
	starts.reserve(count_);
	for (bool start : transaction_starts_)
		starts.push_back(BoolGetDatum(start));
	parameters[column_count + 1] = pg_call([&] {
		MemoryContext previous = MemoryContextSwitchTo(context_);
		ArrayType *array =
			construct_array(starts.data(), static_cast<int>(count_), BOOLOID, 1, true, TYPALIGN_CHAR);
		MemoryContextSwitchTo(previous);
		return PointerGetDatum(array);
	});
	parameters[column_count + 2] = Int64GetDatum(segment_);
	int result = pg_call([&] { return SPI_execute_plan(plan_, parameters, nullptr, false, 0); });
	if (result != SPI_OK_INSERT || SPI_processed != count_)
		throw Error(sqlstate::internal_error, "could not write to the replication log");
	forget();
}

void
LogRows::forget() {
	for (int i = 0; i < column_count; i++) {
		values_[i].clear();
		nulls_[i].clear();
	}
	transaction_starts_.clear();
	count_ = 0;
	bytes_ = 0;
	pg_call([&] { MemoryContextReset(context_); });
}

} // namespace chameleon::pg
