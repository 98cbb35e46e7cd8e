// The replay worker of a source: applies the batches the reader committed, in binlog order, to
// the replicated tables. A round is one PostgreSQL transaction: it takes the events of the
// unreplayed batches, oldest first, from the replayed-up-to marker on, folds their rows by table and key
// (row_apply), applies statements at their place (statement_apply), and moves the marker (batch,
// event, position) in the same commit, so that a crash never applies an event twice or skips one.
// A round ends only between two MySQL transactions, so a MySQL transaction becomes visible all at
// once. The worker sleeps until the reader wakes it.
#include "pg/replay_state.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue_tables.hpp"
#include "pg/citus.hpp"
#include "pg/maintenance.hpp"
#include "pg/recopy.hpp"
#include "pg/rights.hpp"
#include "pg/row_apply.hpp"

#include "common/error.hpp"
#include "core/binlog_position.hpp"
#include "core/log_chunk.hpp"
#include "core/sql_quote.hpp"

#include <chrono>

namespace chameleon::pg {

namespace {

using Clock = std::chrono::steady_clock;

constexpr long idle_wait_ms = 1000; // the reader's latch wakes the replay sooner
constexpr auto round_time_budget = std::chrono::milliseconds(500); // then the round ends at a transaction end
constexpr int chunks_per_fetch = 64; // log rows of a few kilobytes each (log_writer.hpp)

} // namespace

std::string
qualified(const core::TableLayout &layout) {
	return core::quote_ident(layout.destination_schema) + "." + core::quote_ident(layout.destination_table);
}

bool
before_point(const std::string &file, int64_t position, const TableState &table) {
	if (table.point_file.empty())
		return false;
	return core::binlog_position_before(file, static_cast<uint64_t>(position), table.point_file,
										static_cast<uint64_t>(table.point_position));
}

ReplayContext::ReplayContext(const ReplicationSource &source) : source_(source) {
	policy_.zero_dates_to_null = source.config.zero_dates != core::ZeroDates::Error;
	policy_.strip_nul = source.config.strip_nul;
}

void
ReplayContext::use_format(const std::string &format_description) {
	if (decodes(format_description))
		return;
	decoder_ = binlog::Decoder();
	// MariaDB INET6/UUID columns look like BINARY(16) in the binlog: the layout tells.
	decoder_.set_table_map_hook([this](binlog::TableMap &table_map) {
		TableState *table = find(table_map.database, table_map.table);
		if (table == nullptr)
			return;
		const core::TableLayout &layout = table->layout;
		std::vector<std::string> data_types;
		for (const core::LayoutColumn &column : layout.columns)
			data_types.push_back(column.mysql.data_type);
		binlog::mark_logical_types(table_map, data_types);
		// Signedness comes from the layout: MariaDB writes the SIGNEDNESS bits shifted for tables
		// with generated columns.
		if (table_map.columns.size() == layout.columns.size())
			for (size_t i = 0; i < layout.columns.size(); i++)
				if (table_map.columns[i].is_numeric()) {
					table_map.columns[i].is_unsigned = layout.columns[i].mysql.unsigned_;
					table_map.columns[i].signedness_known = true;
				}
	});
	// The reader verified every event's checksum before logging it.
	decoder_.set_verify_checksums(false);
	if (!format_description.empty())
		decoder_.decode(reinterpret_cast<const uint8_t *>(format_description.data()),
						format_description.size());
	decoder_format_ = format_description;
	decoder_ready_ = true;
	table_maps_.clear();
}

const ReplayContext::CheckedTableMap &
ReplayContext::checked_table_map(std::string_view bytes, const core::TableLayout &layout) {
	lookup_key_.assign(core::table_map_body(bytes, decoder_.event_checksum_size()));
	auto found = table_maps_.find(lookup_key_);
	// The decoder maps a table id to the last TABLE_MAP decoded with it: decode this one again
	// when another took its id since.
	if (found != table_maps_.end() && decoder_.table(found->second.map->table_id) == found->second.map)
		return found->second;
	binlog::Event event = decoder_.decode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
	CheckedTableMap checked;
	checked.map = std::get<binlog::TableMapEvent>(event.body).table;
	checked.mismatch = replay::layout_mismatch(*checked.map, layout);
	return table_maps_[lookup_key_] = std::move(checked);
}

void
ReplayContext::load_tables() {
	std::vector<ReplicaTable> rows = replica_tables(source_.id);
	std::string version;
	for (const ReplicaTable &row : rows)
		version += row.origin_schema + "." + row.table + ":" + row.row_version + ";";
	if (version == tables_version_)
		return;
	for (auto &[name, table] : tables_)
		for (SPIPlanPtr plan : {table.insert_plan, table.update_plan, table.delete_plan,
								table.delete_keys_plan, table.update_rows_plan, table.insert_rows_plan})
			if (plan)
				pg_call([&] { SPI_freeplan(plan); });
	tables_.clear();
	auto citus_tables = citus::citus_tables();
	for (ReplicaTable &row : rows) {
		TableState state;
		state.enabled = row.enabled;
		state.syncing = row.syncing;
		state.point_file = std::move(row.binlog_file);
		state.point_position = static_cast<int64_t>(row.binlog_position);
		if (row.layout_json)
			state.layout = core::layout_from_json(*row.layout_json);
		auto citus_table =
			citus_tables.find({state.layout.destination_schema, state.layout.destination_table});
		if (citus_table != citus_tables.end()) {
			state.citus = true;
			state.distribution_column = citus_table->second;
		}
		tables_[{row.origin_schema, row.table}] = std::move(state);
	}
	tables_version_ = version;
	table_maps_.clear(); // checked against the layouts of before
}

TableState *
ReplayContext::find(const std::string &schema, const std::string &table) {
	auto found = tables_.find({schema, table});
	return found == tables_.end() ? nullptr : &found->second;
}

bool
ReplayContext::syncing(const std::string &schema, const std::string &table) {
	TableState *found = find(schema, table);
	return found != nullptr && found->syncing;
}

bool
ReplayContext::syncing_any() const {
	for (const auto &[name, table] : tables_)
		if (table.syncing)
			return true;
	return false;
}

void
ReplayContext::table_failed(const LogEvent &event, TableState &table, const TableError &failure) {
	ReplayError entry{source_.id, event.batch_id, event.schema, event.table,	  failure.key,
					  event.file, event.position, failure.sql,	failure.sqlstate, failure.message};
	if (failure.sqlstate.rfind("08", 0) == 0) // a connection to a node failed: no problem of the table
		throw NodeUnreachable(failure.message);
	// A right the owner lacks is no problem of one table: the source stops, whatever the policy.
	if (source_.config.on_error_replay == config::OnError::exit ||
		failure.sqlstate == sqlstate::insufficient_privilege)
		throw ReplayStopped("replay of table \"" + event.schema + "." + event.table + "\" failed at " +
								event.file + ":" + std::to_string(event.position) + ": " + failure.message,
							failure.key.empty() ? "" : "Row " + failure.key + ".", entry, failure.sqlstate);
	log_replay_error(entry);
	disable_table(source_.id, event.schema, event.table, failure.message);
	table.enabled = false;
	notify_state("table_disabled", source_.id, failure.message, event.schema + "." + event.table);
	std::string text = "replay of source \"" + source_.name + "\" disabled table " + event.schema + "." +
					   event.table + ": " + failure.message;
	pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text.c_str()))); });
}

namespace {

const char *
kind_name(core::LogRecordKind kind) {
	switch (kind) {
	case core::LogRecordKind::insert:
		return "insert";
	case core::LogRecordKind::update:
		return "update";
	case core::LogRecordKind::remove:
		return "delete";
	case core::LogRecordKind::statement:
	case core::LogRecordKind::table:
		break;
	}
	return "ddl";
}

// The event of a chunk record (which points into chunk); the batch's events all come from the
// batch's binlog file.
LogEvent
log_event(int64_t batch_id, const std::string &file, int64_t id, const core::LogRecord &record,
		  const std::shared_ptr<const std::string> &chunk) {
	constexpr int64_t microseconds = 1000000;
	LogEvent event;
	event.batch_id = batch_id;
	event.id = id;
	event.schema = record.schema;
	event.table = record.table;
	event.kind = kind_name(record.kind);
	event.file = file;
	event.position = static_cast<int64_t>(record.position);
	event.event_time = record.event_time_us / microseconds;
	event.chunk = chunk;
	event.event_bytes = record.event;
	event.table_map_bytes = record.table_map;
	event.rows = record.rows;
	event.statement = record.statement;
	event.transaction_start = record.transaction_start || record.kind == core::LogRecordKind::statement;
	event.statement_time = {record.event_time_us, std::string(record.time_zone)};
	return event;
}

// An event of the log: its batch and its number in the batch. Batches are replayed in order.
struct EventRef {
	int64_t batch = 0;
	int64_t event = 0;
	bool operator==(const EventRef &other) const { return batch == other.batch && event == other.event; }
	bool operator<(const EventRef &other) const {
		return batch < other.batch || (batch == other.batch && event < other.event);
	}
};

// The events of a table being copied by sync_tables wait for its copy, and a statement for every
// copy; when the waiting event is inside a MySQL transaction, the round restarts and ends before
// that transaction.
struct MustEndBefore {
	std::optional<EventRef> event; // none: the round is that transaction, it waits for the copy
};

class Replayer {
  public:
	explicit Replayer(const ReplicationSource &source) : source_(source), context_(source), rows_(context_) {}

	// One transaction of work; false when there was nothing to replay.
	bool step() {
		bool worked = false;
		try {
			std::optional<EventRef> end_before;
			for (;;) {
				try {
					run_transaction([&] { worked = replay_round(end_before); });
					break;
				} catch (const MustEndBefore &restart) {
					// The round's transaction was rolled back: what it held and learnt is gone.
					rows_.discard();
					context_.tables_changed();
					worked = false;
					if (!restart.event)
						break; // it is waiting for a copy
					end_before = restart.event;
				}
			}
		} catch (const NodeUnreachable &failure) {
			wait_for_node(failure.what());
			return false;
		} catch (const PgError &error) {
			// the commit (two-phase commit on the worker nodes) could not reach a node
			if (ERRCODE_TO_CATEGORY(error.sqlerrcode()) != ERRCODE_CONNECTION_EXCEPTION)
				throw;
			wait_for_node(error.what());
			return false;
		} catch (const ReplayStopped &stop) {
			rows_.discard();
			context_.tables_changed();
			// on_error_replay: exit. The failed transaction is gone; its error log entry is not.
			run_transaction([&] { log_replay_error(stop.entry); });
			if (stop.sqlstate == sqlstate::insufficient_privilege)
				throw Error(sqlstate::insufficient_privilege, stop.what(), stop.detail,
							owner_rights_hint(worker_owner_name(), source_.name));
			throw Error(sqlstate::object_not_in_prerequisite_state, stop.what(), stop.detail,
						"Fix the table, or run chameleon.sync_tables() for it, then enable_replica and "
						"start_replica.");
		}
		pg_call([] { announce_replay_progress(); });
		return worked;
	}

  private:
	// The round was rolled back because a node was unreachable: it runs again after a second.
	void wait_for_node(const std::string &message) {
		rows_.discard();
		context_.tables_changed();
		std::string text = "replay of source \"" + source_.name + "\" waits for a node: " + message;
		pg_call([&] {
			ereport(WARNING, (errmsg_internal("%s", text.c_str())));
			(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000L,
							PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		});
	}

	// What a round has taken so far: the marker's part of the last event (without its bytes), and
	// where the round must end.
	struct Round {
		std::optional<EventRef> end_before;
		int64_t batch_id = 0;
		std::string file; // every event of a batch comes from one binlog file
		int64_t after_event = 0;
		Clock::time_point started = Clock::now();
		int64_t rows = 0, statements = 0;
		std::optional<EventRef> first;			   // the round's first event
		std::optional<EventRef> transaction_first; // first event of the MySQL transaction being applied
		LogEvent last;
		bool stopped = false;
		int finished_batches = 0;
		bool full(int64_t max_rows) const {
			return rows >= max_rows || Clock::now() - started >= round_time_budget;
		}
	};

	// One round: the events of the unreplayed batches after the marker, oldest first, until the
	// round has applied replay_max_rows rows or run for round_time_budget (then it ends at the next
	// MySQL transaction's start, or at the end of its batch), or before end_before, or when no batch
	// committed before the round began is left. A round goes on from one batch to the next so that
	// a backlog is folded in large rounds; the rows it holds are applied before the decoder changes
	// (at a new binlog file).
	bool replay_round(std::optional<EventRef> end_before) {
		std::optional<PendingBatch> batch = oldest_unreplayed_batch(source_.id);
		if (!batch) {
			// Nothing pending: everything the reader committed is replayed.
			follow_reader(source_.id);
			mark_consistent();
			return false;
		}
		// The round takes only batches committed before it read the tables' state: a table whose
		// copy (sync_tables) starts later has a copy snapshot after all of their events, and the
		// events after it wait for the copy, which a later round sees.
		int64_t last_batch = newest_committed_batch(source_.id);
		context_.load_tables();
		Round round{end_before};
		bool worked = false;
		for (;;) {
			if (!context_.decodes(batch->format_description))
				rows_.flush(); // its events are decoded with the decoder they were made for
			context_.use_format(batch->format_description);
			round.batch_id = batch->id;
			round.file = batch->file;
			round.after_event = batch->after_event;
			bool batch_done = take_batch(*batch, round);
			worked = worked || batch_done || round.last.batch_id == batch->id;
			if (!batch_done) {
				rows_.flush();
				record_progress(batch->id, round, false);
				break;
			}
			record_progress(batch->id, round, true);
			if (round.full(source_.config.replay_max_rows) || (end_before && end_before->batch <= batch->id))
				break;
			batch = oldest_unreplayed_batch(source_.id);
			if (!batch || batch->id > last_batch)
				break;
		}
		rows_.flush();
		// The rows applied at the end go to the round's last batch's counts.
		auto [replayed, skipped] = rows_.take_counts();
		if (replayed != 0 || skipped != 0)
			count_replayed(round.batch_id, replayed, skipped, 0);
		if (round.finished_batches > 0)
			mark_consistent();
		return worked;
	}

	// The events of the batch after the marker, until the round stops; true when the batch is done.
	bool take_batch(const PendingBatch &batch, Round &round) {
		for (;;) {
			std::vector<LogChunkRow> chunks =
				batch_chunks(source_.id, batch.segment, batch.id, round.after_event, chunks_per_fetch);
			for (LogChunkRow &chunk : chunks) {
				take_chunk(chunk, round);
				if (round.stopped)
					return false;
			}
			if (chunks.size() < static_cast<size_t>(chunks_per_fetch))
				return true;
		}
	}

	// The events of a log chunk after the marker, until the round stops.
	void take_chunk(LogChunkRow &chunk, Round &round) {
		auto bytes = std::make_shared<const std::string>(std::move(chunk.bytes));
		std::vector<core::LogRecord> records = core::read_log_chunk(*bytes); // they point into it
		if (static_cast<int64_t>(records.size()) != chunk.events)
			throw Error(sqlstate::data_corrupted,
						"the replication log of source \"" + source_.name + "\" holds a chunk of " +
							std::to_string(records.size()) + " events where " + std::to_string(chunk.events) +
							" were written (batch " + std::to_string(round.batch_id) + ", event " +
							std::to_string(chunk.last_event) + ")",
						"", "Copy the source again with chameleon.init_replica().");
		int64_t id = chunk.last_event - static_cast<int64_t>(records.size());
		for (const core::LogRecord &record : records) {
			if (++id <= round.after_event)
				continue;
			check_stop();
			if (!take_event(log_event(round.batch_id, round.file, id, record, bytes), round)) {
				round.stopped = true;
				return;
			}
		}
	}

	// Applies the event (rows are folded, a statement applied at its place), or returns false when
	// the round ends before it; false too after a statement the round must commit right after.
	bool take_event(LogEvent event, Round &round) {
		bool starts_transaction = event.transaction_start || event.kind == "ddl";
		EventRef here{event.batch_id, event.id};
		if (starts_transaction && round.first &&
			(here == round.end_before || round.full(source_.config.replay_max_rows)))
			return false;
		if (event.kind == "ddl" ? context_.syncing_any() : context_.syncing(event.schema, event.table)) {
			if (!starts_transaction && round.transaction_first && round.first) {
				// Inside a transaction begun in this round: end the round before it.
				if (*round.first < *round.transaction_first)
					throw MustEndBefore{round.transaction_first};
				// The round is that transaction: nothing can be applied until the copy is in place.
				throw MustEndBefore{};
			}
			return false;
		}
		if (starts_transaction)
			round.transaction_first = here;
		if (!round.first)
			round.first = here;
		round.last.batch_id = event.batch_id;
		round.last.id = event.id;
		round.last.file = event.file;
		round.last.position = event.position;
		round.last.event_time = event.event_time;
		round.after_event = event.id;
		if (event.kind == "ddl") {
			rows_.flush();
			round.statements++;
			return !apply_statement(context_, event); // new enum labels become usable only after a commit
		}
		round.rows += event.rows;
		rows_.add(std::move(event));
		if (rows_.must_flush(source_.config.replay_max_rows))
			rows_.flush(); // memory stays bounded; the transaction goes on
		return true;
	}

	// The marker (when the round took an event of the batch), the batch's statements and the rows
	// counted so far; a batch whose every event is applied is done.
	void record_progress(int64_t batch_id, Round &round, bool batch_done) {
		const LogEvent &last = round.last;
		if (last.batch_id == batch_id)
			record_replayed(source_.id, batch_id, last.id, last.file, last.position, last.event_time);
		auto [replayed, skipped] = rows_.take_counts();
		count_replayed(batch_id, replayed, skipped, round.statements);
		round.statements = 0;
		if (batch_done) {
			finish_batch(source_.id, batch_id);
			round.finished_batches++;
		}
	}

	// The source is consistent once replay has passed the high watermark of the last copy.
	void mark_consistent() {
		pg::mark_consistent(source_.id);
		// keep_existing_schema: the foreign keys set aside for the copy hold again once consistent.
		validate_foreign_keys(source_.id, false);
	}

	const ReplicationSource &source_;
	ReplayContext context_;
	RowApplier rows_;
};

} // namespace

void
run_replay(const WorkerArgs &args) {
	ReplicationSource source = load_replication_source(args.source_id);
	Replayer replayer(source);
	load_pause_state(args.source_id);
	set_slot_state(my_slot(), "replaying");
	for (;;) {
		check_stop();
		// Between two rounds: everything applied is committed, and no lock is held.
		wait_while_paused("replaying");
		if (replayer.step())
			continue;
		start_requested_recopies(source);
		pg_call([] {
			(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, idle_wait_ms,
							PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		});
	}
}

} // namespace chameleon::pg
