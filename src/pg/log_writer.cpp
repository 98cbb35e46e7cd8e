// Chunked writes of the reader's events to the source's log; see log_writer.hpp.
#include "pg/log_writer.hpp"

#include "pg/boundary.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"

#include "common/error.hpp"

namespace chameleon::pg {

namespace {

const char *const insert_sql = "INSERT INTO sch_chameleon.t_log_replica (i_id_source, i_segment, i_id_batch, "
							   "i_id_event, i_events, b_events) VALUES ($1, $2, $3, $4, $5, $6)";

MemoryContext
create_context() {
	constexpr Size initial_block = Size{8} * 1024;
	constexpr Size max_block = Size{1} * 1024 * 1024;
	return pg_call([] {
		return AllocSetContextCreate(TopMemoryContext, "pg_chameleon log chunk", 0, initial_block, max_block);
	});
}

} // namespace

LogWriter::LogWriter(int64 source_id)
	: source_id_(source_id),
	  chunker_(chunk_target, chunk_limit,
			   [this](const core::LogChunkWriter &chunk, int64_t first_event) { write(chunk, first_event); }),
	  context_(create_context()) {}

LogWriter::~LogWriter() {
	try {
		pg_call([&] {
			if (plan_ != nullptr)
				SPI_freeplan(plan_);
			MemoryContextDelete(context_);
		});
	} catch (...) { // NOLINT(bugprone-empty-catch): nothing to do about it here
	}
}

void
LogWriter::write(const core::LogChunkWriter &chunk, int64 first_event) {
	CatalogueRights rights; // the log storage is part of the catalogue
	if (plan_ == nullptr) {
		Oid types[] = {INT8OID, INT8OID, INT8OID, INT8OID, INT4OID, BYTEAOID};
		plan_ = pg_call([&] {
			SPIPlanPtr plan = SPI_prepare(insert_sql, 6, types);
			if (plan != nullptr)
				SPI_keepplan(plan);
			return plan;
		});
		if (plan_ == nullptr)
			throw Error(sqlstate::internal_error, "could not prepare the insert into the replication log");
	}
	const std::string &bytes = chunk.bytes();
	Datum parameters[6];
	parameters[0] = Int64GetDatum(source_id_);
	parameters[1] = Int64GetDatum(segment_);
	parameters[2] = Int64GetDatum(batch_id_);
	parameters[3] = Int64GetDatum(first_event + static_cast<int64>(chunk.events()) - 1);
	parameters[4] = Int32GetDatum(static_cast<int32>(chunk.events()));
	parameters[5] = pg_call([&] {
		auto *value = static_cast<struct varlena *>(MemoryContextAlloc(context_, VARHDRSZ + bytes.size()));
		SET_VARSIZE(value, VARHDRSZ + bytes.size());
		memcpy(VARDATA(value), bytes.data(), bytes.size());
		return PointerGetDatum(value);
	});
	int result = pg_call([&] { return SPI_execute_plan(plan_, parameters, nullptr, false, 0); });
	pg_call([&] { MemoryContextReset(context_); });
	if (result != SPI_OK_INSERT || SPI_processed != 1)
		throw Error(sqlstate::internal_error, "could not write to the replication log");
}

void
LogWriter::drop_from(int64 first_event) {
	if (chunker_.drop_from(first_event))
		catalogue_exec(
			"DELETE FROM sch_chameleon.t_log_replica WHERE i_id_source = $1 AND i_segment = $2 AND "
			"i_id_batch = $3 AND i_id_event - i_events + 1 >= $4",
			{source_id_, segment_, batch_id_, first_event});
}

void
LogWriter::forget() {
	chunker_.clear();
	pg_call([&] { MemoryContextReset(context_); });
}

} // namespace chameleon::pg
