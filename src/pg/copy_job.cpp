// The copy job of init_replica and sync_tables: claims tables from the queue (t_init_tables) and
// copies each in its own snapshot, MySQL's or the pgsql source's exported one; a table's rows,
// indexes and queue entry commit together. The init worker runs it too, beside
// copy_parallel_jobs - 1 copy workers.
#include "pg/init_copy.hpp"
#include "pg/init_replica.hpp"

#include "pg/boundary.hpp"
#include "pg/citus.hpp"
#include "pg/copy_loader.hpp"
#include "pg/existing_tables.hpp"
#include "pg/spi.hpp"
#include "pg/worker_slots.hpp"

#include "common/error.hpp"
#include "core/copy_chunk.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"
#include "core/table_filter.hpp"
#include "mysql/copy_producer.hpp"
#include "mysql/schema_reader.hpp"
#include "mysql/source_params.hpp"
#include "pgsql/copy_out.hpp"

#include <chrono>
#include <optional>

namespace chameleon::pg::init {

namespace {

using core::quote_ident;

// The table as MySQL describes it now; it must still have the columns it was created with.
mysql::TableInfo
current_table_info(const Source &source, const QueuedTable &queued) {
	mysql::Connection connection(mysql::connection_params(source.config));
	core::TableFilter only_this({{queued.origin_schema, queued.loading_schema}},
								{queued.origin_schema + "." + queued.table}, {});
	std::vector<mysql::TableInfo> found = mysql::read_tables(connection, only_this, {queued.origin_schema});
	if (found.empty())
		throw Error(sqlstate::undefined_object,
					"MySQL table \"" + queued.origin_schema + "." + queued.table +
						"\" disappeared during the copy",
					"", "Run chameleon.init_replica() again.");
	std::vector<std::string> now, then;
	for (const auto &column : found[0].columns)
		now.push_back(column.name);
	for (const auto &column : queued.layout.columns)
		then.push_back(column.mysql.name);
	if (now != then)
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"MySQL table \"" + queued.origin_schema + "." + queued.table +
						"\" changed during the copy",
					"", "Run chameleon.init_replica() again once the schema change is done.");
	return found[0];
}

void
set_progress(const std::string &table, uint64_t rows, uint64_t bytes) {
	WorkerSlot *slot = my_slot();
	SharedState *state = shared_state();
	LWLockAcquire(state->lock, LW_EXCLUSIVE);
	strlcpy(slot->table, table.c_str(), sizeof(slot->table));
	slot->rows = rows;
	slot->bytes = bytes;
	LWLockRelease(state->lock);
}

void
record_discarded(int64 source_id, const QueuedTable &queued, const std::vector<core::RejectedRow> &rows) {
	for (const core::RejectedRow &row : rows)
		catalogue_exec(
			"INSERT INTO sch_chameleon.t_discarded_rows (i_id_source, v_schema_name, v_table_name, "
			"t_row_key, "
			"t_row_data, t_reason) VALUES ($1, $2, $3, $4, $5, $6)",
			{source_id, queued.origin_schema, queued.table, row.key, row.data, row.reason});
}

// Identity and serial columns continue after the copied values (MySQL's AUTO_INCREMENT counter).
void
continue_sequences(const std::string &table) {
	for (const SqlRow &column :
		 spi_query("SELECT quote_ident(a.attname), pg_get_serial_sequence($1, a.attname) FROM pg_attribute a "
				   "WHERE a.attrelid = $2 AND a.attnum > 0 AND NOT a.attisdropped "
				   "AND pg_get_serial_sequence($1, a.attname) IS NOT NULL",
				   {table, SqlParam::regclass(table)}))
		spi_exec("SELECT setval($1, coalesce(max(" + *column[0] + "), 1), max(" + *column[0] +
					 ") IS NOT NULL) FROM " + table,
				 {column[1]});
}

struct LoadedRows {
	uint64_t rows = 0, bytes = 0, discarded = 0;
};

// Loads the chunks a reader thread puts in the queue until it finishes; refused rows go to
// t_discarded_rows.
LoadedRows
load_from_queue(const Source &source, const QueuedTable &queued, core::ChunkQueue &queue) {
	std::vector<std::string> columns;
	for (const core::LayoutColumn &column : queued.layout.columns)
		columns.push_back(core::pg_column_name(column.mysql.name));
	std::vector<size_t> key_columns;
	for (const std::string &key : queued.layout.key)
		for (size_t i = 0; i < columns.size(); i++)
			if (queued.layout.columns[i].mysql.name == key)
				key_columns.push_back(i);
	CopyLoader loader(queued.loading_schema, queued.layout.destination_table, columns, key_columns);
	std::string name = queued.origin_schema + "." + queued.table;
	LoadedRows loaded;
	core::CopyChunk chunk;
	for (;;) {
		check_stop();
		core::ChunkQueue::Pop result = queue.pop(chunk, std::chrono::milliseconds(100));
		if (result == core::ChunkQueue::Pop::finished)
			return loaded;
		if (result == core::ChunkQueue::Pop::timeout)
			continue;
		std::vector<core::RejectedRow> rejected = std::move(chunk.rejected);
		loaded.rows += loader.load(chunk, rejected);
		loaded.bytes += chunk.source_bytes;
		loaded.discarded += rejected.size();
		record_discarded(source.id, queued, rejected);
		set_progress(name, loaded.rows, loaded.bytes);
	}
}

// After the rows: indexes, sequences, and the queue entry with the table's consistent point.
void
finish_table(const Source &source, const QueuedTable &queued,
			 const std::vector<std::string> &index_statements, const LoadedRows &loaded,
			 const mysql::BinlogCoordinates &coordinates) {
	for (const std::string &statement : index_statements) {
		check_stop();
		spi_exec(statement);
	}
	continue_sequences(quote_ident(queued.loading_schema) + "." +
					   quote_ident(queued.layout.destination_table));
	citus::distribute(source.config, queued.layout, queued.loading_schema);
	mark_table_copied(source.id, queued.origin_schema, queued.table, static_cast<int64_t>(loaded.rows),
					  static_cast<int64_t>(loaded.bytes), static_cast<int64_t>(loaded.discarded),
					  coordinates);
}

size_t
chunk_bytes(const config::SourceConfig &config) {
	return static_cast<size_t>(std::clamp<int64_t>(config.copy_max_memory / 4, 64 << 10, 8 << 20));
}

// Copies one MySQL table in its own snapshot; its rows, indexes and queue entry commit together.
void
copy_mysql_table(const Source &source, const QueuedTable &queued) {
	mysql::TableInfo table = current_table_info(source, queued);
	mysql::SnapshotSession session(mysql::connection_params(source.config));
	mysql::BinlogCoordinates coordinates =
		table.transactional ? session.begin_snapshot(true) : session.lock_table_and_read_position(table);

	mysql::CopyOptions options;
	options.chunk_bytes = chunk_bytes(source.config);
	options.strip_nul = source.config.strip_nul;
	options.zero_dates_to_null = source.config.zero_dates != core::ZeroDates::Error;
	options.charset = source.config.db_conn.charset;

	run_transaction([&] {
		std::vector<std::string> index_statements = queued.index_statements;
		if (queued.in_place())
			index_statements =
				empty_existing_table(queued.destination_schema, queued.layout.destination_table);
		core::ChunkQueue queue(2);
		mysql::CopyProducer producer(queued.layout, queue, options);
		LoadedRows loaded;
		{
			core::ProducerThread reader(queue, [&] { mysql::produce_rows(session, table, producer, queue); });
			loaded = load_from_queue(source, queued, queue);
		}
		finish_table(source, queued, index_statements, loaded, coordinates);
	});
	if (table.transactional)
		session.commit();
	else
		session.unlock_tables();
}

// Copies one table of a pgsql source in the snapshot the init worker exported.
void
copy_pgsql_table(const Source &source, const QueuedTable &queued) {
	pgsql::Connection connection(pgsql_params(source));
	connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	connection.execute("SET TRANSACTION SNAPSHOT " + core::quote_literal(queued.pg_snapshot));
	run_transaction([&] {
		core::ChunkQueue queue(2);
		LoadedRows loaded;
		{
			core::ProducerThread reader(queue, [&] {
				pgsql::copy_out(connection, queued.pg_copy_statement, queue, chunk_bytes(source.config));
			});
			loaded = load_from_queue(source, queued, queue);
		}
		finish_table(source, queued, queued.index_statements, loaded, {});
	});
	connection.execute("COMMIT");
}

void
copy_table(const Source &source, const QueuedTable &queued) {
	if (source.config.type == config::SourceType::pgsql)
		copy_pgsql_table(source, queued);
	else
		copy_mysql_table(source, queued);
	set_progress("", 0, 0);
	pg_call([&] {
		ereport(LOG, (errmsg("init_replica of source \"%s\" copied table \"%s.%s\"", source.name.c_str(),
							 queued.origin_schema.c_str(), queued.table.c_str())));
	});
}

} // namespace

// Copies queued tables until none is left (or one failed).
void
copy_queued_tables(const Source &source) {
	for (;;) {
		check_stop();
		std::optional<QueuedTable> queued;
		run_transaction([&] { queued = claim_queued_table(source.id); });
		if (!queued)
			return;
		try {
			copy_table(source, *queued);
		} catch (const StopRequested &) {
			throw;
		} catch (const std::exception &error) {
			if (stop_requested())
				throw StopRequested();
			run_transaction(
				[&] { mark_table_failed(source.id, queued->origin_schema, queued->table, error.what()); });
			throw;
		}
	}
}

} // namespace chameleon::pg::init

namespace chameleon::pg {

void
run_copy_job(const WorkerArgs &args) {
	Source source;
	run_transaction([&] { source = load_source(args.source_id); });
	set_slot_state(my_slot(), "copying");
	init::copy_queued_tables(source);
}

} // namespace chameleon::pg
