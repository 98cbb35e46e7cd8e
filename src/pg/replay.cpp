// The replay worker of a source: applies the batches the reader committed, in binlog order, to
// the replicated tables. Each transaction applies at most replay_max_rows rows and moves the
// "replayed up to" marker (batch, event, position) in the same commit, so a crash never applies
// an event twice or skips one. An event of a table that has not reached its consistent point
// (the position its copy was taken at) is skipped; later events are applied by key.
#include "pg/replication.hpp"

#include "pg/boundary.hpp"
#include "pg/copy_loader.hpp"
#include "pg/recopy.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"

#include "binlog/decoder.hpp"
#include "common/error.hpp"
#include "core/sql_quote.hpp"
#include "core/value_text.hpp"
#include "core/table_filter.hpp"
#include "core/table_layout.hpp"
#include "ddl/lexer.hpp"
#include "ddl/parser.hpp"
#include "ddl/translator.hpp"
#include "mysql/connection.hpp"
#include "replay/pg_value.hpp"

#include <map>
#include <set>
#include <memory>

namespace chameleon::pg {

namespace {

using core::quote_ident;

constexpr long idle_wait_ms = 50;

struct TableState {
	core::TableLayout layout;
	bool enabled = true;
	bool syncing = false;	// sync_tables is copying it: the replay waits at its events
	std::string point_file; // consistent point; empty: consistent from the start
	int64_t point_position = 0;
	SPIPlanPtr insert_plan = nullptr;
	SPIPlanPtr update_plan = nullptr;
	SPIPlanPtr delete_plan = nullptr;
	SPIPlanPtr delete_many_plan = nullptr;
	// UPDATE ... FROM unnest plans, by the set of columns the event changes
	std::map<std::vector<bool>, SPIPlanPtr> update_many_plans;
	std::shared_ptr<CopyLoader> loader; // inserts
};

struct LogEvent {
	int64_t id = 0;
	std::string schema, table, kind, file;
	int64_t position = 0;
	int64_t event_time = 0;
	std::string event_bytes, table_map_bytes, statement;
	int64_t rows = 0;
	ddl::StatementTime statement_time; // of a statement: for NOW() in existing rows
};

bool
before_point(const std::string &file, int64_t position, const TableState &table) {
	if (table.point_file.empty())
		return false;
	return file < table.point_file || (file == table.point_file && position < table.point_position);
}

std::string
qualified(const core::TableLayout &layout) {
	return quote_ident(layout.destination_schema) + "." + quote_ident(layout.destination_table);
}

// on_error_replay: exit: the replay stops; the error log entry is written after the rollback.
class ReplayStopped : public std::runtime_error {
  public:
	ReplayStopped(const std::string &message, std::string detail, std::vector<SqlValue> entry,
				  std::string sqlstate)
		: std::runtime_error(message), detail(std::move(detail)), entry(std::move(entry)),
		  sqlstate(std::move(sqlstate)) {}
	std::string detail;
	std::vector<SqlValue> entry;
	std::string sqlstate;
};

// A replay error of one table, handled by on_error_replay.
struct TableError {
	std::string message;
	std::string sqlstate;
	std::string sql;
	std::string key;
};

class Replayer {
  public:
	explicit Replayer(const ReplicationSource &source) : source_(source) {
		policy_.zero_dates_to_null = source.config.zero_dates != "error";
		policy_.strip_nul = source.config.strip_nul;
	}

	// One transaction of work; false when there was nothing to replay.
	bool step() {
		bool worked = false;
		try {
			run_transaction([&] { worked = replay_some(); });
		} catch (const ReplayStopped &stop) {
			// on_error_replay: exit. The failed transaction is gone; its error log entry is not.
			run_transaction([&] { log_error(stop.entry); });
			if (stop.sqlstate == sqlstate::insufficient_privilege)
				throw Error(sqlstate::insufficient_privilege, stop.what(), stop.detail,
							owner_rights_hint(worker_owner_name(), source_.name));
			throw Error(sqlstate::object_not_in_prerequisite_state, stop.what(), stop.detail,
						"Fix the table, or run chameleon.sync_tables() for it, then enable_replica and "
						"start_replica.");
		}
		return worked;
	}

  private:
	bool replay_some() {
		std::string id = std::to_string(source_.id);
		std::vector<SqlRow> batch = catalogue_query(
			"SELECT b.i_id_batch, b.b_format_description, b.t_binlog_name_end, "
			"b.i_binlog_position_end, b.t_gtid_set, CASE WHEN p.i_id_batch = b.i_id_batch THEN p.i_id_event "
			"ELSE 0 END FROM sch_chameleon.t_replica_batch b JOIN sch_chameleon.t_last_replayed p USING "
			"(i_id_source) WHERE b.i_id_source = $1::bigint AND b.b_processed AND NOT b.b_replayed "
			"ORDER BY b.i_id_batch LIMIT 1",
			{id});
		if (batch.empty()) {
			// Nothing pending: everything the reader committed is replayed. The reader may commit
			// a batch (and its position) meanwhile: the check is repeated in the statement that
			// reads the position, in one snapshot, so the marker never passes an unreplayed batch.
			catalogue_exec(
				"UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = r.t_binlog_name, "
				"i_binlog_position = r.i_binlog_position, t_gtid_set = r.t_gtid_set, "
				"ts_last_replayed = r.ts_last_received FROM sch_chameleon.t_last_received r "
				"WHERE p.i_id_source = $1::bigint AND r.i_id_source = p.i_id_source AND "
				"(p.t_binlog_name IS DISTINCT FROM r.t_binlog_name OR p.i_binlog_position IS DISTINCT FROM "
				"r.i_binlog_position OR p.ts_last_replayed IS DISTINCT FROM r.ts_last_received) AND "
				"NOT EXISTS (SELECT 1 FROM sch_chameleon.t_replica_batch b WHERE b.i_id_source = $1::bigint "
				"AND b.b_processed AND NOT b.b_replayed)",
				{id});
			mark_consistent();
			return false;
		}
		int64_t batch_id = std::stoll(*batch[0][0]);
		int64_t after_event = std::stoll(*batch[0][5]);
		if (batch_id != decoder_batch_) {
			decoder_ = binlog::Decoder();
			// MariaDB INET6/UUID columns look like BINARY(16) in the binlog: the layout tells.
			decoder_.set_table_map_hook([this](binlog::TableMap &table_map) {
				auto found = tables_.find({table_map.database, table_map.table});
				if (found == tables_.end())
					return;
				const core::TableLayout &layout = found->second.layout;
				std::vector<std::string> data_types;
				for (const core::LayoutColumn &column : layout.columns)
					data_types.push_back(column.mysql.data_type);
				binlog::mark_logical_types(table_map, data_types);
				// Signedness comes from the layout: MariaDB writes the SIGNEDNESS bits shifted
				// for tables with generated columns.
				if (table_map.columns.size() == layout.columns.size())
					for (size_t i = 0; i < layout.columns.size(); i++)
						if (table_map.columns[i].is_numeric()) {
							table_map.columns[i].is_unsigned = layout.columns[i].mysql.unsigned_;
							table_map.columns[i].signedness_known = true;
						}
			});
			std::string format = batch[0][1].value_or("");
			if (!format.empty())
				decoder_.decode(reinterpret_cast<const uint8_t *>(format.data()), format.size());
			decoder_batch_ = batch_id;
		}
		load_tables();

		std::vector<SqlRow> rows = catalogue_query(
			"SELECT i_id_event, v_schema_name, v_table_name, enm_binlog_event::text, t_binlog_name, "
			"i_binlog_position, extract(epoch FROM ts_event)::bigint, b_event, b_table_map, i_rows, "
			"t_query, (extract(epoch FROM ts_event) * 1000000)::bigint, coalesce(t_time_zone, '') "
			"FROM sch_chameleon.t_log_replica "
			"WHERE i_id_source = $1::bigint AND i_id_batch = $2::bigint AND i_id_event > $3::bigint "
			"ORDER BY i_id_event LIMIT 200",
			{id, std::to_string(batch_id), std::to_string(after_event)});
		int64_t replayed = 0, skipped = 0, ddl = 0, rows_done = 0;
		size_t processed = 0;
		bool blocked = false;
		LogEvent last;
		for (const SqlRow &row : rows) {
			check_stop();
			LogEvent event;
			event.id = std::stoll(*row[0]);
			event.schema = *row[1];
			event.table = *row[2];
			event.kind = *row[3];
			event.file = *row[4];
			event.position = std::stoll(*row[5]);
			event.event_time = std::stoll(*row[6]);
			event.event_bytes = row[7].value_or("");
			event.table_map_bytes = row[8].value_or("");
			event.rows = std::stoll(*row[9]);
			event.statement = row[10].value_or("");
			event.statement_time = {std::stoll(*row[11]), *row[12]};
			// Events of a table sync_tables is copying wait for its copy (the copy's snapshot may be
			// older than them); a statement waits for every copy.
			if (event.kind == "ddl" ? syncing_any() : syncing(event.schema, event.table)) {
				blocked = true;
				break;
			}
			processed++;
			if (event.kind == "ddl") {
				ddl++;
				bool commit_now = apply_statement(batch_id, event);
				last = event;
				if (commit_now)
					break; // new enum labels become usable only after a commit
				continue;
			} else {
				int64_t applied = apply_rows_event(batch_id, event);
				replayed += applied;
				skipped += event.rows - applied;
			}
			rows_done += event.rows;
			last = event;
			if (rows_done >= source_.config.replay_max_rows)
				break;
		}
		bool batch_done =
			!blocked && rows.size() < 200 && (rows.empty() || last.id == std::stoll(*rows.back()[0]));
		if (processed > 0)
			catalogue_exec(
				"UPDATE sch_chameleon.t_last_replayed SET i_id_batch = $2::bigint, i_id_event = $3::bigint, "
				"t_binlog_name = $4, i_binlog_position = $5::bigint, ts_last_replayed = "
				"to_timestamp($6::bigint) "
				"WHERE i_id_source = $1::bigint",
				{id, std::to_string(batch_id), std::to_string(last.id), last.file,
				 std::to_string(last.position), std::to_string(last.event_time)});
		catalogue_exec(
			"UPDATE sch_chameleon.t_replica_batch SET i_replayed = i_replayed + $2::bigint, "
			"i_skipped = i_skipped + $3::bigint, i_ddl = i_ddl + $4::bigint WHERE i_id_batch = $1::bigint",
			{std::to_string(batch_id), std::to_string(replayed), std::to_string(skipped),
			 std::to_string(ddl)});
		if (batch_done && (rows.empty() || last.id == std::stoll(*rows.back()[0]))) {
			catalogue_exec(
				"UPDATE sch_chameleon.t_replica_batch SET b_replayed = true, ts_replayed = clock_timestamp() "
				"WHERE i_id_batch = $1::bigint",
				{std::to_string(batch_id)});
			catalogue_exec(
				"UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = b.t_binlog_name_end, "
				"i_binlog_position = b.i_binlog_position_end, t_gtid_set = b.t_gtid_set FROM "
				"sch_chameleon.t_replica_batch b WHERE p.i_id_source = $1::bigint AND b.i_id_batch = "
				"$2::bigint",
				{id, std::to_string(batch_id)});
			mark_consistent();
		}
		return processed > 0 || batch_done;
	}

	bool syncing(const std::string &schema, const std::string &table) const {
		auto found = tables_.find({schema, table});
		return found != tables_.end() && found->second.syncing;
	}

	bool syncing_any() const {
		for (const auto &[name, table] : tables_)
			if (table.syncing)
				return true;
		return false;
	}

	// The source is consistent once replay has passed the high watermark of the last copy.
	void mark_consistent() {
		catalogue_exec(
			"UPDATE sch_chameleon.t_sources s SET b_consistent = true FROM sch_chameleon.t_last_replayed p "
			"WHERE s.i_id_source = $1::bigint AND p.i_id_source = s.i_id_source AND NOT s.b_consistent AND "
			"p.t_binlog_name IS NOT NULL AND (s.t_binlog_name IS NULL OR (p.t_binlog_name, "
			"p.i_binlog_position) "
			">= (s.t_binlog_name, s.i_binlog_position))",
			{std::to_string(source_.id)});
		// keep_existing_schema: the foreign keys set aside for the copy hold again once consistent.
		catalogue_exec("SELECT sch_chameleon.fn_validate_foreign_keys($1::bigint, false)",
					   {std::to_string(source_.id)});
	}

	void load_tables() {
		std::vector<SqlRow> rows = catalogue_query(
			"SELECT v_schema_origin, v_table_name, b_replica_enabled, t_binlog_name, i_binlog_position, "
			"jsb_layout::text, xmin::text, b_syncing FROM sch_chameleon.t_replica_tables "
			"WHERE i_id_source = $1::bigint",
			{std::to_string(source_.id)});
		std::string version;
		for (const SqlRow &row : rows)
			version += *row[0] + "." + *row[1] + ":" + *row[6] + ";";
		if (version == tables_version_)
			return;
		for (auto &[name, table] : tables_) {
			for (SPIPlanPtr plan :
				 {table.insert_plan, table.update_plan, table.delete_plan, table.delete_many_plan})
				if (plan)
					pg_call([&] { SPI_freeplan(plan); });
			for (auto &entry : table.update_many_plans)
				pg_call([&] { SPI_freeplan(entry.second); });
		}
		tables_.clear();
		for (const SqlRow &row : rows) {
			TableState state;
			state.enabled = *row[2] == "t";
			state.syncing = *row[7] == "t";
			state.point_file = row[3].value_or("");
			state.point_position = row[4] ? std::stoll(*row[4]) : 0;
			if (row[5])
				state.layout = core::layout_from_json(*row[5]);
			tables_[{*row[0], *row[1]}] = std::move(state);
		}
		tables_version_ = version;
	}

	core::TableFilter table_filter() const {
		const config::SourceConfig &config = source_.config;
		core::SkipEvents skip{config.skip_events.insert, config.skip_events.update,
							  config.skip_events.delete_};
		return core::TableFilter(config.schema_mappings, config.limit_tables, config.skip_tables, skip);
	}

	ddl::TranslatorContext translator_context() {
		ddl::TranslatorContext context;
		const config::SourceConfig &config = source_.config;
		for (const auto &[origin, destination] : config.schema_mappings)
			context.schema_mappings[origin] = destination;
		for (const config::TypeOverride &override : config.type_override)
			context.type_overrides.push_back({override.column_type, override.override_to, override.tables});
		context.postgis_available =
			spi_value("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") != "0";
		context.zero_dates = config.zero_dates == "error" ? core::ZeroDates::Error : core::ZeroDates::ToNull;
		mysql::ServerVersion version = mysql::parse_server_version(decoder_.format().server_version);
		context.column_type_style = version.flavour == mysql::Flavour::mysql && version.at_least(8, 0, 19)
										? ddl::ColumnTypeStyle::mysql80
										: ddl::ColumnTypeStyle::legacy;
		context.layout = [this](const std::string &schema,
								const std::string &table) -> std::optional<core::TableLayout> {
			auto found = tables_.find({schema, table});
			// a copy taken after the statement has its effect already (sync_tables, re-copies)
			if (found == tables_.end() || before_point(statement_file_, statement_position_, found->second))
				return std::nullopt;
			return found->second.layout;
		};
		auto filter = std::make_shared<core::TableFilter>(table_filter());
		context.replicates = [filter](const std::string &schema, const std::string &table) {
			return filter->replicates_table(schema, table);
		};
		return context;
	}

	// The catalogue follows a layout change of the translated statement.
	void store_layout_change(const ddl::LayoutChange &change) {
		std::string id = std::to_string(source_.id);
		switch (change.kind) {
		case ddl::LayoutChange::Kind::create:
			catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1::bigint AND "
						   "v_schema_origin = $2 AND v_table_name = $3",
						   {id, change.layout->origin_schema, change.layout->table});
			catalogue_exec(
				"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
				"v_table_name, v_table_pkey, jsb_layout) VALUES ($1::bigint, $2, $3, $4, "
				"ARRAY(SELECT jsonb_array_elements_text($5::jsonb -> 'key')), $5::jsonb)",
				{id, change.layout->origin_schema, change.layout->destination_schema, change.layout->table,
				 core::to_json(*change.layout)});
			return;
		case ddl::LayoutChange::Kind::replace:
		case ddl::LayoutChange::Kind::rename:
			catalogue_exec(
				"UPDATE sch_chameleon.t_replica_tables SET v_schema_origin = $4, v_schema_name = $5, "
				"v_table_name = $6, v_table_pkey = ARRAY(SELECT jsonb_array_elements_text($7::jsonb -> "
				"'key')), "
				"jsb_layout = $7::jsonb WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND "
				"v_table_name = $3",
				{id, change.table.schema, change.table.table, change.layout->origin_schema,
				 change.layout->destination_schema, change.layout->table, core::to_json(*change.layout)});
			return;
		case ddl::LayoutChange::Kind::drop:
			catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1::bigint AND "
						   "v_schema_origin = $2 AND v_table_name = $3",
						   {id, change.table.schema, change.table.table});
			return;
		}
	}

	// A table that entered replication without its rows (renamed in from an unreplicated table, or a
	// keyless table that got a key) waits, disabled, for chameleon.sync_tables.
	void mark_needs_copy(const ddl::TableRef &table, const std::string &statement) {
		std::string reason = "its rows are not in PostgreSQL after: " + statement.substr(0, 200) +
							 "; copy it with chameleon.sync_tables()";
		std::vector<SqlRow> updated = catalogue_query(
			"UPDATE sch_chameleon.t_replica_tables SET b_replica_enabled = false, t_disabled_reason = $4, "
			"ts_disabled = clock_timestamp() WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND "
			"v_table_name = $3 RETURNING 1",
			{std::to_string(source_.id), table.schema, table.table, reason});
		if (updated.empty())
			catalogue_exec(
				"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
				"v_table_name, b_replica_enabled, t_disabled_reason, ts_disabled) VALUES ($1::bigint, $2, "
				"coalesce((SELECT value FROM sch_chameleon.t_sources s, "
				"jsonb_each_text(s.jsb_schema_mappings) "
				"WHERE s.i_id_source = $1::bigint AND key = $2), $2), $3, false, $4, clock_timestamp())",
				{std::to_string(source_.id), table.schema, table.table, reason});
	}

	// Translates and applies a statement of the stream at its place, with the layout changes it makes.
	// Returns true when the transaction must commit right after it (new enum labels).
	bool apply_statement(int64_t batch_id, const LogEvent &event) {
		statement_file_ = event.file;
		statement_position_ = event.position;
		std::vector<ddl::Statement> statements;
		try {
			statements = ddl::parse(event.statement);
		} catch (const ddl::ParseError &error) {
			statement_failed(batch_id, event, {},
							 std::string("the statement could not be parsed: ") + error.what());
			return false;
		}
		ddl::Translator translator(translator_context());
		bool commit_now = false;
		for (const ddl::Statement &statement : statements) {
			if (std::holds_alternative<ddl::Unsupported>(statement))
				continue;
			ddl::Translation translation =
				translator.translate(statement, event.schema, event.statement_time);
			if (translation.ignored)
				continue;
			if (translation.error) {
				statement_failed(batch_id, event, translation.error->tables,
								 translation.error->message + ". " + translation.error->hint);
				continue;
			}
			std::string error, state;
			bool ok = run_subtransaction(
				[&] {
					for (const std::string &sql : translation.statements)
						spi_exec(sql);
					for (const ddl::LayoutChange &change : translation.layout_changes)
						store_layout_change(change);
					for (const ddl::TableRef &table : translation.needs_copy)
						mark_needs_copy(table, event.statement);
					for (const ddl::Recopy &recopy : translation.recopy)
						request_recopy(source_.id, recopy);
				},
				&error, &state);
			// a table copied again needs none of the statement's work: its copy replaces it
			if (!ok && !translation.recopy.empty() &&
				run_subtransaction(
					[&] {
						for (const ddl::Recopy &recopy : translation.recopy)
							request_recopy(source_.id, recopy);
					},
					&error, &state))
				ok = true;
			if (!ok) {
				std::vector<ddl::TableRef> affected;
				for (const ddl::LayoutChange &change : translation.layout_changes)
					affected.push_back(change.table);
				statement_failed(batch_id, event, affected, error, state);
				continue;
			}
			for (const std::string &notice : translation.notices) {
				std::string text = "replay of source \"" + source_.name + "\": " + notice;
				pg_call([&] { ereport(LOG, (errmsg_internal("%s", text.c_str()))); });
			}
			commit_now = commit_now || translation.commit_after;
			tables_version_.clear(); // layouts changed: reload them (and their plans) for what follows
			load_tables();
		}
		return commit_now;
	}

	// A statement that cannot be mirrored: its tables are disabled (or the source stops).
	void statement_failed(int64_t batch_id, const LogEvent &event, const std::vector<ddl::TableRef> &tables,
						  const std::string &message,
						  const std::string &state = sqlstate::feature_not_supported) {
		TableError failure{message, state, event.statement, ""};
		if (tables.empty()) {
			TableState none;
			table_failed(batch_id, event, none, failure);
			return;
		}
		for (const ddl::TableRef &ref : tables) {
			LogEvent about = event;
			about.schema = ref.schema;
			about.table = ref.table;
			auto found = tables_.find({ref.schema, ref.table});
			TableState none;
			table_failed(batch_id, about, found == tables_.end() ? none : found->second, failure);
		}
	}

	// Applies one rows event; returns the rows applied (the others were skipped).
	int64_t apply_rows_event(int64_t batch_id, const LogEvent &event) {
		auto found = tables_.find({event.schema, event.table});
		if (found == tables_.end() || !found->second.enabled || found->second.layout.key.empty())
			return 0;
		TableState &table = found->second;
		if (before_point(event.file, event.position, table))
			return 0;
		binlog::Event map_event = decoder_.decode(
			reinterpret_cast<const uint8_t *>(event.table_map_bytes.data()), event.table_map_bytes.size());
		const auto &table_map = *std::get<binlog::TableMapEvent>(map_event.body).table;
		std::string mismatch = replay::layout_mismatch(table_map, table.layout);
		if (!mismatch.empty()) {
			table_failed(batch_id, event, table, {mismatch, sqlstate::datatype_mismatch, "", ""});
			return 0;
		}
		binlog::Event rows_event = decoder_.decode(
			reinterpret_cast<const uint8_t *>(event.event_bytes.data()), event.event_bytes.size());
		const auto &rows = std::get<binlog::RowsEvent>(rows_event.body);

		int64_t applied = 0;
		TableError failure;
		bool batched = false;
		auto apply_each_row = [&] {
			binlog::RowReader reader(rows);
			std::vector<binlog::Value> before, after;
			applied = 0;
			while (reader.next(before, after)) {
				apply_row(table, table_map, rows.kind, before, after, failure);
				applied++;
			}
		};
		bool ok = run_subtransaction(
			[&] {
				binlog::RowReader reader(rows);
				if (rows.kind == binlog::RowsKind::write) {
					batched = true;
					applied = copy_inserts(table, table_map, reader, failure);
				} else if (rows.kind == binlog::RowsKind::remove && table.layout.key.size() == 1) {
					batched = true;
					applied = delete_by_key_array(table, table_map, reader, failure);
				} else if (rows.kind == binlog::RowsKind::update && table.layout.key.size() == 1) {
					batched = true;
					applied = update_by_key_arrays(table, table_map, rows, failure);
					if (applied < 0) {
						batched = false;
						apply_each_row();
					}
				} else {
					apply_each_row();
				}
			},
			&failure.message, &failure.sqlstate);
		// A statement for many rows failed: apply them one by one to find the row, its key and
		// the statement that fails for it (or to apply them all, if the failure came from the batch).
		if (!ok && batched) {
			failure = TableError{};
			ok = run_subtransaction(apply_each_row, &failure.message, &failure.sqlstate);
		}
		if (!ok) {
			table_failed(batch_id, event, table, failure);
			return 0;
		}
		return applied;
	}

	// The rows of an insert event go in with one in-process COPY: the key-addressed apply is for
	// updates and deletes. A refused row fails the event as a failed INSERT would.
	int64_t copy_inserts(TableState &table, const binlog::TableMap &table_map, binlog::RowReader &reader,
						 TableError &failure) {
		const core::TableLayout &layout = table.layout;
		std::vector<binlog::Value> before, after;
		std::vector<SqlValue> values;
		copy_text_.clear();
		int64_t count = 0;
		while (reader.next(before, after)) {
			image_parameters(layout, table_map, after, values, failure);
			for (size_t i = 0; i < values.size(); i++) {
				if (i > 0)
					copy_text_ += '\t';
				if (values[i])
					core::copy_escape(*values[i], copy_text_, true);
				else
					copy_text_ += "\\N";
			}
			copy_text_ += '\n';
			count++;
		}
		if (!table.loader) {
			std::vector<std::string> columns;
			for (const core::LayoutColumn &column : layout.columns)
				columns.push_back(column.mysql.name);
			table.loader = std::make_shared<CopyLoader>(layout.destination_schema, layout.destination_table,
														columns, std::vector<size_t>{});
		}
		failure.sql = "COPY " + qualified(layout) + " FROM the rows of an insert event";
		table.loader->copy_rows(copy_text_);
		return count;
	}

	// The rows of a delete event of a table with a one-column key go with one DELETE ... = ANY.
	int64_t delete_by_key_array(TableState &table, const binlog::TableMap &table_map,
								binlog::RowReader &reader, TableError &failure) {
		const core::TableLayout &layout = table.layout;
		size_t key = 0;
		while (layout.columns[key].mysql.name != layout.key[0])
			key++;
		std::vector<binlog::Value> before, after;
		std::vector<SqlValue> values;
		std::string keys = "{";
		int64_t count = 0;
		while (reader.next(before, after)) {
			image_parameters(layout, table_map, before, values, failure);
			keys += count ? ",\"" : "\"";
			for (char c : *values[key]) {
				if (c == '"' || c == '\\')
					keys += '\\';
				keys += c;
			}
			keys += '"';
			count++;
		}
		keys += "}";
		if (!table.delete_many_plan) {
			failure.sql = "DELETE FROM " + qualified(layout) + " WHERE " + quote_ident(layout.key[0]) +
						  " = ANY($1::" + layout.columns[key].pg_type + "[])";
			table.delete_many_plan = prepare(failure.sql, 1);
		}
		failure.key = layout.key[0] + " in " + keys.substr(0, 200);
		execute(table.delete_many_plan, {keys}, SPI_OK_DELETE, "a delete", failure, count);
		return count;
	}

	// Appends a value to a PostgreSQL array literal.
	static void append_array_element(std::string &array, const SqlValue &value) {
		if (array.size() > 1)
			array += ',';
		if (!value) {
			array += "NULL";
			return;
		}
		array += '"';
		for (char c : *value) {
			if (c == '"' || c == '\\')
				array += '\\';
			array += c;
		}
		array += '"';
	}

	// The rows of an update event of a table with a one-column key, when no row changes its key
	// and no key repeats, go with one UPDATE ... FROM unnest(arrays) that sets only the columns
	// some row of the event changes (the others hold the before image already). Returns -1 when
	// the event does not qualify (the caller then applies its rows one by one).
	int64_t update_by_key_arrays(TableState &table, const binlog::TableMap &table_map,
								 const binlog::RowsEvent &rows, TableError &failure) {
		const core::TableLayout &layout = table.layout;
		if (layout.columns.size() < 2)
			return -1;
		size_t key = 0;
		while (layout.columns[key].mysql.name != layout.key[0])
			key++;
		std::vector<std::string> arrays(layout.columns.size(), "{");
		std::vector<bool> changed(layout.columns.size(), false);
		std::vector<SqlValue> old_values, new_values;
		std::vector<binlog::Value> before, after;
		std::set<std::string> keys;
		binlog::RowReader reader(rows);
		int64_t count = 0;
		while (reader.next(before, after)) {
			image_parameters(layout, table_map, before, old_values, failure);
			image_parameters(layout, table_map, after, new_values, failure);
			if (!old_values[key] || old_values[key] != new_values[key] ||
				!keys.insert(*old_values[key]).second)
				return -1;
			for (size_t i = 0; i < layout.columns.size(); i++) {
				append_array_element(arrays[i], new_values[i]);
				if (old_values[i] != new_values[i])
					changed[i] = true;
			}
			count++;
		}
		if (std::find(changed.begin(), changed.end(), true) == changed.end())
			changed.assign(changed.size(), true); // nothing changed: keep the statement valid
		changed[key] = true;
		std::vector<SqlValue> params;
		std::string set, names, unnest;
		for (size_t i = 0; i < layout.columns.size(); i++) {
			if (!changed[i])
				continue;
			std::string column = "c" + std::to_string(i);
			params.emplace_back(arrays[i] + "}");
			unnest += (params.size() > 1 ? ", $" : "$") + std::to_string(params.size()) + "::text[]";
			names += (params.size() > 1 ? ", " : "") + column;
			if (i != key)
				set += std::string(set.empty() ? "" : ", ") + quote_ident(layout.columns[i].mysql.name) +
					   " = v." + column + "::" + layout.columns[i].pg_type;
		}
		failure.sql = "UPDATE " + qualified(layout) + " AS t SET " + set + " FROM unnest(" + unnest +
					  ") AS v(" + names + ") WHERE t." + quote_ident(layout.key[0]) + " = v.c" +
					  std::to_string(key) + "::" + layout.columns[key].pg_type;
		SPIPlanPtr &plan = table.update_many_plans[changed];
		if (!plan)
			plan = prepare(failure.sql, static_cast<int>(params.size()));
		failure.key = layout.key[0] + " of " + std::to_string(count) + " rows";
		execute(plan, params, SPI_OK_UPDATE, "an update", failure, count);
		return count;
	}

	// Converts the values of an image into text parameters, in layout (= binlog) column order.
	void image_parameters(const core::TableLayout &layout, const binlog::TableMap &table_map,
						  const std::vector<binlog::Value> &image, std::vector<SqlValue> &out,
						  TableError &failure) {
		out.clear();
		for (size_t i = 0; i < layout.columns.size(); i++) {
			std::string text, problem;
			replay::Outcome outcome = replay::append_pg_text(image[i], table_map.columns[i],
															 layout.columns[i], policy_, text, &problem);
			switch (outcome) {
			case replay::Outcome::value:
				out.emplace_back(std::move(text));
				break;
			case replay::Outcome::null:
				out.emplace_back(std::nullopt);
				break;
			case replay::Outcome::zero_date_rejected:
				problem = "zero date rejected by zero_dates: error";
				[[fallthrough]];
			case replay::Outcome::nul_rejected:
				if (problem.empty())
					problem = "NUL byte in a text value (strip_nul: false)";
				[[fallthrough]];
			case replay::Outcome::invalid:
				failure.message = "column \"" + layout.columns[i].mysql.name + "\": " + problem;
				failure.sqlstate = sqlstate::invalid_parameter_value;
				throw Error(sqlstate::invalid_parameter_value, failure.message);
			}
		}
	}

	std::string key_text(const core::TableLayout &layout, const std::vector<SqlValue> &values) {
		std::string text;
		for (const std::string &key : layout.key)
			for (size_t i = 0; i < layout.columns.size(); i++)
				if (layout.columns[i].mysql.name == key)
					text += (text.empty() ? "" : ", ") + key + "=" + values[i].value_or("NULL");
		return text;
	}

	SPIPlanPtr prepare(const std::string &sql, int count) {
		std::vector<Oid> types(count, TEXTOID);
		return pg_call([&] {
			SPIPlanPtr plan = SPI_prepare(sql.c_str(), count, types.data());
			if (plan != nullptr)
				SPI_keepplan(plan);
			return plan;
		});
	}

	void execute(SPIPlanPtr plan, const std::vector<SqlValue> &params, int expected_result,
				 const std::string &what, TableError &failure, uint64 expected_rows = 1) {
		std::vector<Datum> values(params.size());
		std::vector<char> nulls(params.size(), ' ');
		for (size_t i = 0; i < params.size(); i++) {
			if (params[i])
				values[i] = pg_call([&] {
					return PointerGetDatum(cstring_to_text_with_len(params[i]->data(), params[i]->size()));
				});
			else
				nulls[i] = 'n';
		}
		int result = pg_call([&] { return SPI_execute_plan(plan, values.data(), nulls.data(), false, 0); });
		if (result != expected_result || SPI_processed != expected_rows) {
			failure.message = what + " changed " + std::to_string(SPI_processed) + " rows instead of " +
							  std::to_string(expected_rows) +
							  ": the PostgreSQL table no longer matches MySQL";
			failure.sqlstate = sqlstate::object_not_in_prerequisite_state;
			throw Error(sqlstate::object_not_in_prerequisite_state, failure.message);
		}
	}

	void apply_row(TableState &table, const binlog::TableMap &table_map, binlog::RowsKind kind,
				   const std::vector<binlog::Value> &before, const std::vector<binlog::Value> &after,
				   TableError &failure) {
		const core::TableLayout &layout = table.layout;
		std::vector<SqlValue> new_values, old_values;
		std::vector<size_t> key_index;
		for (const std::string &key : layout.key)
			for (size_t i = 0; i < layout.columns.size(); i++)
				if (layout.columns[i].mysql.name == key)
					key_index.push_back(i);
		auto cast = [&](size_t column, int parameter) {
			return "$" + std::to_string(parameter) + "::" + layout.columns[column].pg_type;
		};
		switch (kind) {
		case binlog::RowsKind::write: {
			image_parameters(layout, table_map, after, new_values, failure);
			if (!table.insert_plan) {
				std::string columns, values;
				for (size_t i = 0; i < layout.columns.size(); i++) {
					columns += (i ? ", " : "") + quote_ident(layout.columns[i].mysql.name);
					values += (i ? ", " : "") + cast(i, static_cast<int>(i) + 1);
				}
				failure.sql =
					"INSERT INTO " + qualified(layout) + " (" + columns + ") VALUES (" + values + ")";
				table.insert_plan = prepare(failure.sql, static_cast<int>(layout.columns.size()));
			}
			failure.key = key_text(layout, new_values);
			execute(table.insert_plan, new_values, SPI_OK_INSERT, "an insert", failure);
			return;
		}
		case binlog::RowsKind::update: {
			image_parameters(layout, table_map, after, new_values, failure);
			image_parameters(layout, table_map, before, old_values, failure);
			if (!table.update_plan) {
				std::string set, where;
				for (size_t i = 0; i < layout.columns.size(); i++)
					set += (i ? ", " : "") + quote_ident(layout.columns[i].mysql.name) + " = " +
						   cast(i, static_cast<int>(i) + 1);
				for (size_t k = 0; k < key_index.size(); k++)
					where += (k ? " AND " : "") + quote_ident(layout.columns[key_index[k]].mysql.name) +
							 " = " + cast(key_index[k], static_cast<int>(layout.columns.size() + k) + 1);
				failure.sql = "UPDATE " + qualified(layout) + " SET " + set + " WHERE " + where;
				table.update_plan =
					prepare(failure.sql, static_cast<int>(layout.columns.size() + key_index.size()));
			}
			failure.key = key_text(layout, old_values);
			for (size_t index : key_index)
				new_values.push_back(old_values[index]);
			execute(table.update_plan, new_values, SPI_OK_UPDATE, "an update", failure);
			return;
		}
		case binlog::RowsKind::remove: {
			image_parameters(layout, table_map, before, old_values, failure);
			if (!table.delete_plan) {
				std::string where;
				for (size_t k = 0; k < key_index.size(); k++)
					where += (k ? " AND " : "") + quote_ident(layout.columns[key_index[k]].mysql.name) +
							 " = " + cast(key_index[k], static_cast<int>(k) + 1);
				failure.sql = "DELETE FROM " + qualified(layout) + " WHERE " + where;
				table.delete_plan = prepare(failure.sql, static_cast<int>(key_index.size()));
			}
			failure.key = key_text(layout, old_values);
			std::vector<SqlValue> keys;
			keys.reserve(key_index.size());
			for (size_t index : key_index)
				keys.push_back(old_values[index]);
			execute(table.delete_plan, keys, SPI_OK_DELETE, "a delete", failure);
			return;
		}
		}
	}

	// on_error_replay: continue disables the table and goes on; exit stops the source.
	void log_error(const std::vector<SqlValue> &entry) {
		catalogue_exec(
			"INSERT INTO sch_chameleon.t_error_log (i_id_source, i_id_batch, v_schema_name, v_table_name, "
			"t_table_pkey, t_binlog_name, i_binlog_position, t_sql, t_sqlstate, t_error_message) VALUES "
			"($1::bigint, $2::bigint, $3, nullif($4, ''), nullif($5, ''), $6, $7::bigint, nullif($8, ''), "
			"$9, "
			"$10)",
			entry);
	}

	void table_failed(int64_t batch_id, const LogEvent &event, TableState &table, const TableError &failure) {
		std::vector<SqlValue> entry = {std::to_string(source_.id),
									   std::to_string(batch_id),
									   event.schema,
									   event.table,
									   failure.key,
									   event.file,
									   std::to_string(event.position),
									   failure.sql,
									   failure.sqlstate,
									   failure.message};
		// A right the owner lacks is no problem of one table: the source stops, whatever the policy.
		bool stop = source_.config.on_error_replay == "exit" || failure.sqlstate == "42501";
		if (!stop)
			log_error(entry);
		if (stop)
			throw ReplayStopped(
				"replay of table \"" + event.schema + "." + event.table + "\" failed at " + event.file + ":" +
					std::to_string(event.position) + ": " + failure.message,
				failure.key.empty() ? "" : "Row " + failure.key + ".", entry, failure.sqlstate);
		catalogue_exec(
			"UPDATE sch_chameleon.t_replica_tables SET b_replica_enabled = false, t_disabled_reason = $4, "
			"ts_disabled = clock_timestamp() WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND "
			"v_table_name = $3",
			{std::to_string(source_.id), event.schema, event.table, failure.message});
		table.enabled = false;
		std::string text = "replay of source \"" + source_.name + "\" disabled table " + event.schema + "." +
						   event.table + ": " + failure.message;
		pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text.c_str()))); });
	}

	const ReplicationSource &source_;
	replay::ValuePolicy policy_;
	binlog::Decoder decoder_;
	int64_t decoder_batch_ = 0;
	std::map<std::pair<std::string, std::string>, TableState> tables_;
	std::string tables_version_;
	std::string copy_text_;		 // reused for every insert event
	std::string statement_file_; // where the statement being translated starts
	int64_t statement_position_ = 0;
};

} // namespace

void
run_replay(const WorkerArgs &args) {
	ReplicationSource source = load_replication_source(args.source_id);
	Replayer replayer(source);
	set_slot_state(my_slot(), "replaying");
	for (;;) {
		check_stop();
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
