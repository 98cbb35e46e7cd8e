// The row apply of the replay: folding the round's rows events by key and applying the net effect,
// or event by event and row by row after a failure; see row_apply.hpp and doc/architecture.md.
#include "pg/row_apply.hpp"

#include "pg/boundary.hpp"
#include "pg/citus.hpp"

#include "common/error.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"
#include "core/text_charset.hpp"
#include "core/value_text.hpp"

#include <algorithm>
#include <exception>
#include <optional>

namespace chameleon::pg {

namespace {

using core::quote_column;

// Positions in the layout (= binlog) column order of the columns of the table's key.
std::vector<size_t>
key_columns(const core::TableLayout &layout) {
	std::vector<size_t> positions;
	for (const std::string &key : layout.key)
		for (size_t i = 0; i < layout.columns.size(); i++)
			if (layout.columns[i].mysql.name == key)
				positions.push_back(i);
	return positions;
}

// Appends a value to a PostgreSQL array literal ("{" already written).
void
append_array_element(std::string &array, const SqlValue &value) {
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

// DELETE of many keys: one array parameter per key column.
std::string
delete_keys_sql(const core::TableLayout &layout, const std::vector<size_t> &key) {
	if (key.size() == 1)
		return "DELETE FROM " + qualified(layout) + " WHERE " + quote_column(layout.key[0]) +
			   " = ANY($1::" + layout.columns[key[0]].pg_type + "[])";
	std::string unnest, names, match;
	for (size_t k = 0; k < key.size(); k++) {
		std::string column = "c" + std::to_string(k);
		unnest += (k ? ", $" : "$") + std::to_string(k + 1) + "::text[]";
		names += (k ? ", " : "") + column;
		match += (k ? " AND t." : "t.") + quote_column(layout.key[k]) + " = v." + column +
				 "::" + layout.columns[key[k]].pg_type;
	}
	return "DELETE FROM " + qualified(layout) + " AS t USING unnest(" + unnest + ") AS v(" + names +
		   ") WHERE " + match;
}

// UPDATE of many rows by key to their final images: one array parameter per column.
std::string
update_rows_sql(const core::TableLayout &layout, const std::vector<size_t> &key) {
	std::string set, unnest, names, match;
	for (size_t i = 0; i < layout.columns.size(); i++) {
		std::string column = "c" + std::to_string(i);
		std::string value = "v." + column + "::" + layout.columns[i].pg_type;
		unnest += (i ? ", $" : "$") + std::to_string(i + 1) + "::text[]";
		names += (i ? ", " : "") + column;
		if (std::find(key.begin(), key.end(), i) != key.end())
			match += (match.empty() ? "t." : " AND t.") + quote_column(layout.columns[i].mysql.name) + " = " +
					 value;
		else
			set += (set.empty() ? "" : ", ") + quote_column(layout.columns[i].mysql.name) + " = " + value;
	}
	return "UPDATE " + qualified(layout) + " AS t SET " + set + " FROM unnest(" + unnest + ") AS v(" + names +
		   ") WHERE " + match;
}

// INSERT of many rows (a Citus table, where COPY into the coordinator's table would not reach the
// shards): one array parameter per column.
std::string
insert_rows_sql(const core::TableLayout &layout) {
	std::string columns, values, unnest, names;
	for (size_t i = 0; i < layout.columns.size(); i++) {
		std::string column = "c" + std::to_string(i);
		columns += (i ? ", " : "") + quote_column(layout.columns[i].mysql.name);
		values += (i ? ", v." : "v.") + column + "::" + layout.columns[i].pg_type;
		unnest += (i ? ", $" : "$") + std::to_string(i + 1) + "::text[]";
		names += (i ? ", " : "") + column;
	}
	return "INSERT INTO " + qualified(layout) + " (" + columns + ") SELECT " + values + " FROM unnest(" +
		   unnest + ") AS v(" + names + ")";
}

// A row with text that is not valid in its character set: it goes to t_discarded_rows, as the
// initial copy's rows do, and the table goes on replicating. Thrown by image_text; the fold refuses
// the event, and the event-by-event apply discards the row.
struct DiscardedRow : Error {
	DiscardedRow(const std::string &reason, std::string key, std::string data)
		: Error(sqlstate::invalid_parameter_value, reason), key(std::move(key)), data(std::move(data)) {}
	std::string key, data;
};

// "column=value, ..." of an image (of its key columns only, when key), as valid text: a value that
// cannot be converted shows its bytes (core::append_readable).
std::string
readable_image(const core::TableLayout &layout, const binlog::TableMap &table_map,
			   const std::vector<binlog::Value> &image, const replay::ValuePolicy &policy, bool key) {
	std::string text;
	for (size_t i = 0; i < layout.columns.size(); i++) {
		const std::string &name = layout.columns[i].mysql.name;
		if (key && std::find(layout.key.begin(), layout.key.end(), name) == layout.key.end())
			continue;
		text += (text.empty() ? "" : ", ") + name + "=";
		std::string value;
		replay::Outcome outcome =
			replay::append_pg_text(image[i], table_map.columns[i], layout.columns[i], policy, value, nullptr);
		if (outcome == replay::Outcome::value)
			core::append_readable(value, text);
		else if (outcome == replay::Outcome::null)
			text += "NULL";
		else
			core::append_readable(image[i].bytes(), text);
	}
	return text;
}

void
discard_row(int64_t source_id, const LogEvent &event, const DiscardedRow &row) {
	catalogue_exec("INSERT INTO sch_chameleon.t_discarded_rows (i_id_source, i_id_batch, v_schema_name, "
				   "v_table_name, t_row_key, t_row_data, t_reason) "
				   "VALUES ($1, $2, $3, $4, $5, $6, $7)",
				   {source_id, event.batch_id, event.schema, event.table, row.key, row.data, row.what()});
}

std::string
key_text(const core::TableLayout &layout, const std::vector<SqlValue> &values) {
	std::string text;
	for (size_t position : key_columns(layout))
		text += (text.empty() ? "" : ", ") + layout.columns[position].mysql.name + "=" +
				values[position].value_or("NULL");
	return text;
}

} // namespace

// The changes held of a table whose keys are almost all distinct, from which they are applied.
constexpr int64_t unfolded_flush_rows = 10000;
// The rows per event (on average, in a table's flush) from which replaced rows are deleted and
// copied rather than updated in place, and from which a table is cut without waiting for its fold.
constexpr int64_t rows_per_event_for_copy = 16;

void
RowApplier::add(LogEvent event) {
	TableState *table = context_.find(event.schema, event.table);
	if (table == nullptr || !table->enabled || table->layout.key.empty() ||
		before_point(event.file, event.position, *table)) {
		skipped_ += event.rows;
		return;
	}
	const ReplayContext::CheckedTableMap &checked =
		context_.checked_table_map(event.table_map_bytes, table->layout);
	TableKey name{event.schema, event.table};
	if (!checked.mismatch.empty()) {
		std::string mismatch = checked.mismatch;
		// The events before this one were made for the layout the table has: they go in first.
		flush_held_table(name);
		if (table->enabled)
			context_.table_failed(event, *table, {mismatch, sqlstate::datatype_mismatch, "", ""});
		skipped_ += event.rows;
		return;
	}
	binlog::Event rows_event = context_.decoder().decode(
		reinterpret_cast<const uint8_t *>(event.event_bytes.data()), event.event_bytes.size());
	auto held = pending_.find(name);
	if (held == pending_.end())
		held =
			pending_
				.emplace(name, std::make_unique<Pending>(key_columns(table->layout),
														 table->layout.columns.size(), unfolded_flush_rows))
				.first;
	Pending &pending = *held->second;
	// The task keeps what the rows are read from (the event's log chunk; a compressed event's rows
	// are in the decoded event's own buffer) and the TABLE_MAP; the table's layout stays until the
	// next flush, which waits for the folder.
	auto fold = [this, &pending, map = checked.map, body = std::get<binlog::RowsEvent>(rows_event.body),
				 owned = rows_event.owned, chunk = event.chunk, layout = &table->layout] {
		try {
			fold_event(pending, *map, body, *layout);
		} catch (...) {
			(void)pending.fold.refuse(); // the event-by-event apply reports what failed
		}
	};
	// An event of a few rows (OLTP traffic) is folded here, once its table's events handed over
	// before it are folded: handing it over would cost more than its fold. While they are not (the
	// last event of a large statement), it is handed over too: waiting for them would stall this
	// thread at every statement.
	if (event.rows >= rows_per_event_for_copy || !folder_.done(pending.last_fold))
		pending.last_fold = folder_.submit(fold, static_cast<size_t>(event.rows));
	else
		fold();
	held_rows_ += event.rows;
	pending.rows += event.rows;
	if (event.chunk != last_held_chunk_) {
		last_held_chunk_ = event.chunk;
		held_bytes_ += event.chunk->size();
	}
	pending.events.push_back(std::move(event));
	// Holding changes pays when they fold (keys changed again and again: OLTP traffic). A table
	// whose changes do not fold (a batch job's statements, each row once) is cut every
	// unfolded_flush_rows rows and applied while the next are folded: a net effect of 10,000 rows
	// applies faster than one of 50,000 (doc/performance.md, "OLTP traffic"). Statements of many rows
	// each are taken not to fold; single-row ones are, unless at least 90 % of their keys differ.
	if (pending.rows >= pending.next_cut_check) {
		pending.next_cut_check = pending.rows + unfolded_flush_rows;
		if (pending.rows >= rows_per_event_for_copy * static_cast<int64_t>(pending.events.size()))
			cut(name);
		else {
			folder_.wait(pending.last_fold);
			if (pending.fold.keys() * 10 >= pending.fold.changes() * 9)
				cut(name);
		}
	}
	apply_cut(false);
}

void
RowApplier::fold_event(Pending &pending, const binlog::TableMap &table_map, const binlog::RowsEvent &rows,
					   const core::TableLayout &layout) {
	if (pending.fold.refused())
		return;
	binlog::RowReader reader(rows);
	std::vector<binlog::Value> before_values, after_values;
	core::RowImage before, after;
	TableError ignored;
	const EventColumns columns(layout, table_map);
	try {
		while (reader.next(before_values, after_values)) {
			switch (rows.kind) {
			case binlog::RowsKind::write:
				image_text(columns, after_values, after, ignored);
				(void)pending.fold.insert(std::move(after));
				break;
			// Of a before image the fold needs only the key.
			case binlog::RowsKind::remove:
				image_text(columns, before_values, before, ignored, &pending.key_mask);
				(void)pending.fold.remove(before);
				break;
			case binlog::RowsKind::update:
				image_text(columns, before_values, before, ignored, &pending.key_mask);
				image_text(columns, after_values, after, ignored);
				(void)pending.fold.update(before, std::move(after));
				break;
			}
			if (pending.fold.refused())
				return; // applied event by event at the flush, which names what fails
		}
	} catch (const Error &) {
		// A value the table cannot take: the event-by-event apply reports it.
		(void)pending.fold.refuse();
	}
}

void
RowApplier::cut(const TableKey &name) {
	auto held = pending_.find(name);
	Pending &pending = *held->second;
	// The folder also builds the statements' parameters of a table applied in the delete-and-copy
	// form, once its last fold is done, so that this thread only runs the statements. Not for a
	// table it folded none of (apply_cut applies that one at once).
	const TableState *table = context_.find(name.first, name.second);
	if (pending.last_fold != 0 && table != nullptr && !table->citus &&
		!pending.replaces_in_place(table->layout))
		pending.last_fold = folder_.submit(
			[&pending] {
				if (pending.fold.refused())
					return;
				try {
					pending.prepared.emplace();
					build_copy_form(pending.fold.net_effect(), pending.key_columns, false, true,
									*pending.prepared);
				} catch (...) {
					pending.prepared.reset(); // built at the apply instead
				}
			},
			static_cast<size_t>(pending.rows));
	cut_.emplace_back(held->first, std::move(held->second));
	pending_.erase(held);
}

void
RowApplier::apply_cut(bool all) {
	while (!cut_.empty()) {
		auto &[name, pending] = cut_.front();
		if (all)
			folder_.wait(pending->last_fold);
		else if (!folder_.done(pending->last_fold) ||
				 (pending->last_fold != 0 && folder_.queued() < static_cast<size_t>(unfolded_flush_rows) &&
				  cut_.size() < 2))
			return;
		held_rows_ -= pending->rows;
		flush_table(name, *pending);
		release(std::move(pending));
		cut_.pop_front();
	}
}

void
RowApplier::release(std::unique_ptr<Pending> pending) {
	// Freeing a table's folded rows (every value a string) takes the folder no longer than it would
	// the replay, which has the apply to do meanwhile. The task holds the only reference: one kept
	// here until after the submit would, whenever the folder ran the task first, free them here.
	folder_.submit([applied = std::shared_ptr<Pending>(std::move(pending))] {}, 0);
}

void
RowApplier::flush_held_table(const TableKey &name) {
	apply_cut(true);
	auto held = pending_.find(name);
	if (held == pending_.end())
		return;
	folder_.wait(held->second->last_fold);
	held_rows_ -= held->second->rows;
	flush_table(held->first, *held->second);
	release(std::move(held->second));
	pending_.erase(held);
}

void
RowApplier::flush() {
	apply_cut(true);
	folder_.wait_all();
	for (auto &[name, pending] : pending_) {
		flush_table(name, *pending);
		release(std::move(pending));
	}
	pending_.clear();
	held_rows_ = 0;
	held_bytes_ = 0;
	last_held_chunk_.reset();
}

void
RowApplier::discard() {
	folder_.wait_all();
	cut_.clear();
	pending_.clear();
	held_rows_ = 0;
	held_bytes_ = 0;
	last_held_chunk_.reset();
	replayed_ = skipped_ = 0;
}

std::pair<int64_t, int64_t>
RowApplier::take_counts() {
	std::pair<int64_t, int64_t> counts{replayed_, skipped_};
	replayed_ = skipped_ = 0;
	return counts;
}

void
RowApplier::flush_table(const TableKey &name, Pending &pending) {
	TableState *table = context_.find(name.first, name.second);
	int64_t rows = pending.rows;
	if (table != nullptr && table->citus) // rows on the worker nodes commit with the position
		citus::use_two_phase_commit();
	if (table != nullptr && table->enabled && !pending.fold.refused()) {
		auto applied = [&](const core::RowFold::NetEffect *effect, bool in_place, const CopyForm &form) {
			TableError failure;
			return run_subtransaction([&] { apply_net_effect(*table, effect, in_place, form, failure); },
									  &failure.message, &failure.sqlstate);
		};
		if (pending.prepared && !table->citus) { // built by the folder (cut())
			bool done = applied(nullptr, false, *pending.prepared);
			pending.prepared.reset(); // not held until the folder frees the rest
			if (done) {
				replayed_ += rows;
				return;
			}
		} else {
			core::RowFold::NetEffect effect = pending.fold.net_effect();
			// A unique value that moves between rows may fail the in-place form, never the other one.
			for (bool in_place :
				 {!effect.replaced.empty() && pending.replaces_in_place(table->layout), false}) {
				build_copy_form(effect, pending.key_columns, in_place, !table->citus, copy_form_);
				if (applied(&effect, in_place, copy_form_)) {
					replayed_ += rows;
					return;
				}
				if (!in_place)
					break;
			}
		}
	}
	// The net effect failed (or the fold refused a change): the events again, one by one, so that a
	// failure names its row; the table is disabled at the first failing event.
	for (const LogEvent &event : pending.events) {
		if (table == nullptr || !table->enabled) {
			skipped_ += event.rows;
			continue;
		}
		int64_t applied = apply_event_by_rows(event, *table);
		replayed_ += applied;
		skipped_ += event.rows - applied;
	}
}

// The net effect: one DELETE of the keys whose stored row ends deleted (and, unless replaced in
// place, of those whose stored row is replaced), one UPDATE of the rows replaced in place, one COPY
// of the new rows (and of the replaced rows, unless replaced in place).
void
RowApplier::apply_net_effect(TableState &table, const core::RowFold::NetEffect *effect, bool in_place,
							 const CopyForm &form, TableError &failure) {
	const core::TableLayout &layout = table.layout;
	std::vector<size_t> key = key_columns(layout);
	if (form.deleted > 0) {
		failure.sql = delete_keys_sql(layout, key);
		if (!table.delete_keys_plan)
			table.delete_keys_plan = prepare(failure.sql, static_cast<int>(key.size()));
		failure.key = std::to_string(form.deleted) + " keys";
		execute(table.delete_keys_plan, form.key_arrays, SPI_OK_DELETE, "a delete", failure, form.deleted);
	}
	if (in_place) {
		std::vector<SqlValue> arrays(layout.columns.size(), std::string("{"));
		for (const core::RowImage *image : effect->replaced)
			for (size_t i = 0; i < layout.columns.size(); i++)
				append_array_element(*arrays[i], (*image)[i]);
		for (SqlValue &array : arrays)
			*array += '}';
		failure.sql = update_rows_sql(layout, key);
		if (!table.update_rows_plan)
			table.update_rows_plan = prepare(failure.sql, static_cast<int>(layout.columns.size()));
		failure.key = std::to_string(effect->replaced.size()) + " keys";
		execute(table.update_rows_plan, arrays, SPI_OK_UPDATE, "an update", failure, effect->replaced.size());
	}
	if (table.citus) {
		insert_rows(table, *effect, in_place, failure);
		return;
	}
	if (form.copied == 0)
		return;
	if (!table.loader) {
		std::vector<std::string> columns;
		for (const core::LayoutColumn &column : layout.columns)
			columns.push_back(core::pg_column_name(column.mysql.name));
		table.loader = std::make_shared<CopyLoader>(layout.destination_schema, layout.destination_table,
													columns, std::vector<size_t>{});
	}
	failure.sql =
		"COPY " + qualified(layout) + " FROM the final rows of " + std::to_string(form.copied) + " keys";
	failure.key.clear();
	table.loader->copy_rows(form.copy_text);
}

// Plain C++ (it runs on the folder thread too): array literals of the keys to delete, and the COPY
// text of the rows to copy.
void
RowApplier::build_copy_form(const core::RowFold::NetEffect &effect, const std::vector<size_t> &key,
							bool in_place, bool with_copy_text, CopyForm &form) {
	form.key_arrays.assign(key.size(), std::string("{"));
	form.deleted = effect.deleted_keys.size() + (in_place ? 0 : effect.replaced.size());
	for (const core::RowImage &values : effect.deleted_keys)
		for (size_t k = 0; k < key.size(); k++)
			append_array_element(*form.key_arrays[k], values[k]);
	if (!in_place)
		for (const core::RowImage *image : effect.replaced)
			for (size_t k = 0; k < key.size(); k++)
				append_array_element(*form.key_arrays[k], (*image)[key[k]]);
	for (SqlValue &array : form.key_arrays)
		*array += '}';
	form.copy_text.clear();
	form.copied = 0;
	if (!with_copy_text)
		return;
	auto add_copy_line = [&](const core::RowImage &image) {
		for (size_t i = 0; i < image.size(); i++) {
			if (i > 0)
				form.copy_text += '\t';
			if (image[i])
				core::copy_escape(*image[i], form.copy_text, true);
			else
				form.copy_text += "\\N";
		}
		form.copy_text += '\n';
		form.copied++;
	};
	if (!in_place)
		for (const core::RowImage *image : effect.replaced)
			add_copy_line(*image);
	for (const core::RowImage *image : effect.inserted)
		add_copy_line(*image);
}

// Rows changed by single-row statements (OLTP traffic: the same keys again and again) are replaced
// in place, which keeps PostgreSQL's HOT updates and adds no index entries for unchanged indexed
// values; rows changed by statements of many rows each (a batch job) are deleted and copied,
// set-based, which is faster for them (doc/performance.md, "OLTP traffic").
bool
RowApplier::Pending::replaces_in_place(const core::TableLayout &layout) const {
	return layout.key.size() < layout.columns.size() &&
		   rows < rows_per_event_for_copy * static_cast<int64_t>(events.size());
}

// The net effect's new rows (and replaced rows, unless replaced in place) into a Citus table: one
// INSERT ... SELECT FROM unnest, which the coordinator routes to the shards.
void
RowApplier::insert_rows(TableState &table, const core::RowFold::NetEffect &effect, bool in_place,
						TableError &failure) {
	const core::TableLayout &layout = table.layout;
	std::vector<SqlValue> arrays(layout.columns.size(), std::string("{"));
	size_t rows = 0;
	auto add = [&](const core::RowImage &image) {
		for (size_t i = 0; i < layout.columns.size(); i++)
			append_array_element(*arrays[i], image[i]);
		rows++;
	};
	if (!in_place)
		for (const core::RowImage *image : effect.replaced)
			add(*image);
	for (const core::RowImage *image : effect.inserted)
		add(*image);
	if (rows == 0)
		return;
	for (SqlValue &array : arrays)
		*array += '}';
	failure.sql = insert_rows_sql(layout);
	if (!table.insert_rows_plan)
		table.insert_rows_plan = prepare(failure.sql, static_cast<int>(layout.columns.size()));
	failure.key = std::to_string(rows) + " keys";
	execute(table.insert_rows_plan, arrays, SPI_OK_INSERT, "an insert", failure, rows);
}

// Applies one rows event row by row in a subtransaction; returns the rows applied (0 when the event
// failed: the table is then disabled, or ReplayStopped thrown, by on_error_replay).
int64_t
RowApplier::apply_event_by_rows(const LogEvent &event, TableState &table) {
	std::shared_ptr<const binlog::TableMap> map =
		context_.checked_table_map(event.table_map_bytes, table.layout).map;
	const binlog::TableMap &table_map = *map;
	binlog::Event rows_event = context_.decoder().decode(
		reinterpret_cast<const uint8_t *>(event.event_bytes.data()), event.event_bytes.size());
	const auto &rows = std::get<binlog::RowsEvent>(rows_event.body);
	int64_t applied = 0;
	TableError failure;
	bool ok = run_subtransaction(
		[&] {
			binlog::RowReader reader(rows);
			std::vector<binlog::Value> before, after;
			while (reader.next(before, after)) {
				try {
					apply_row(table, table_map, rows.kind, before, after, failure);
					applied++;
				} catch (const DiscardedRow &row) {
					discard_row(context_.source().id, event, row);
				}
			}
		},
		&failure.message, &failure.sqlstate);
	if (ok)
		return applied;
	context_.table_failed(event, table, failure);
	return 0;
}

// Converts the values of an image into PostgreSQL text, in layout (= binlog) column order.
void
RowApplier::image_text(const EventColumns &columns, const std::vector<binlog::Value> &image,
					   core::RowImage &out, TableError &failure, const std::vector<bool> *only) {
	const core::TableLayout &layout = columns.layout;
	const binlog::TableMap &table_map = columns.table_map;
	out.clear();
	for (size_t i = 0; i < layout.columns.size(); i++) {
		if (only != nullptr && !(*only)[i]) {
			out.emplace_back(std::nullopt);
			continue;
		}
		std::string text, problem;
		replay::Outcome outcome =
			replay::append_pg_text(image[i], columns.conversions[i], context_.policy(), text, &problem);
		switch (outcome) {
		case replay::Outcome::value:
			out.emplace_back(std::move(text));
			break;
		case replay::Outcome::null:
			out.emplace_back(std::nullopt);
			break;
		case replay::Outcome::text_rejected:
			throw DiscardedRow("column \"" + layout.columns[i].mysql.name + "\": " + problem,
							   readable_image(layout, table_map, image, context_.policy(), true),
							   readable_image(layout, table_map, image, context_.policy(), false));
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

SPIPlanPtr
RowApplier::prepare(const std::string &sql, int count) {
	std::vector<Oid> types(count, TEXTOID);
	return pg_call([&] {
		SPIPlanPtr plan = SPI_prepare(sql.c_str(), count, types.data());
		if (plan != nullptr)
			SPI_keepplan(plan);
		return plan;
	});
}

void
RowApplier::execute(SPIPlanPtr plan, const std::vector<SqlValue> &params, int expected_result,
					const std::string &what, TableError &failure, uint64 expected_rows) {
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
						  std::to_string(expected_rows) + ": the PostgreSQL table no longer matches MySQL";
		failure.sqlstate = sqlstate::object_not_in_prerequisite_state;
		throw Error(sqlstate::object_not_in_prerequisite_state, failure.message);
	}
}

// One row by its key, with prepared INSERT, UPDATE and DELETE statements.
void
RowApplier::apply_row(TableState &table, const binlog::TableMap &table_map, binlog::RowsKind kind,
					  const std::vector<binlog::Value> &before, const std::vector<binlog::Value> &after,
					  TableError &failure) {
	const core::TableLayout &layout = table.layout;
	const EventColumns event_columns(layout, table_map);
	std::vector<SqlValue> new_values, old_values;
	std::vector<size_t> key_index = key_columns(layout);
	auto cast = [&](size_t column, int parameter) {
		return "$" + std::to_string(parameter) + "::" + layout.columns[column].pg_type;
	};
	switch (kind) {
	case binlog::RowsKind::write: {
		image_text(event_columns, after, new_values, failure);
		std::string columns, values;
		for (size_t i = 0; i < layout.columns.size(); i++) {
			columns += (i ? ", " : "") + quote_column(layout.columns[i].mysql.name);
			values += (i ? ", " : "") + cast(i, static_cast<int>(i) + 1);
		}
		failure.sql = "INSERT INTO " + qualified(layout) + " (" + columns + ") VALUES (" + values + ")";
		if (!table.insert_plan)
			table.insert_plan = prepare(failure.sql, static_cast<int>(layout.columns.size()));
		failure.key = key_text(layout, new_values);
		execute(table.insert_plan, new_values, SPI_OK_INSERT, "an insert", failure);
		return;
	}
	case binlog::RowsKind::update: {
		// A row whose image holds text its character set does not have is not in PostgreSQL (the copy
		// discards it too): an update to such an image removes the row, an update from one inserts it.
		std::exception_ptr new_refused;
		bool old_refused = false;
		try {
			image_text(event_columns, after, new_values, failure);
		} catch (const DiscardedRow &) {
			new_refused = std::current_exception();
		}
		try {
			image_text(event_columns, before, old_values, failure);
		} catch (const DiscardedRow &) {
			old_refused = true;
		}
		if (new_refused) {
			if (!old_refused)
				apply_row(table, table_map, binlog::RowsKind::remove, before, after, failure);
			std::rethrow_exception(new_refused); // recorded as a discarded row by the caller
		}
		if (old_refused) {
			apply_row(table, table_map, binlog::RowsKind::write, before, after, failure);
			return;
		}
		// Citus never lets an UPDATE set the distribution column, even to its value: a row that moves to
		// another value is deleted and inserted, and the others are updated without that column.
		std::optional<size_t> distribution;
		for (size_t i = 0; i < layout.columns.size() && !table.distribution_column.empty(); i++)
			if (core::pg_column_name(layout.columns[i].mysql.name) == table.distribution_column)
				distribution = i;
		if (distribution && old_values[*distribution] != new_values[*distribution]) {
			apply_row(table, table_map, binlog::RowsKind::remove, before, after, failure);
			apply_row(table, table_map, binlog::RowsKind::write, before, after, failure);
			return;
		}
		std::string set, where;
		for (size_t i = 0; i < layout.columns.size(); i++)
			if (i != distribution)
				set += (set.empty() ? "" : ", ") + quote_column(layout.columns[i].mysql.name) + " = " +
					   cast(i, static_cast<int>(i) + 1);
		for (size_t k = 0; k < key_index.size(); k++)
			where += (k ? " AND " : "") + quote_column(layout.columns[key_index[k]].mysql.name) + " = " +
					 cast(key_index[k], static_cast<int>(layout.columns.size() + k) + 1);
		failure.sql = "UPDATE " + qualified(layout) + " SET " + set + " WHERE " + where;
		if (!table.update_plan)
			table.update_plan =
				prepare(failure.sql, static_cast<int>(layout.columns.size() + key_index.size()));
		failure.key = key_text(layout, old_values);
		for (size_t index : key_index)
			new_values.push_back(old_values[index]);
		execute(table.update_plan, new_values, SPI_OK_UPDATE, "an update", failure);
		return;
	}
	case binlog::RowsKind::remove: {
		image_text(event_columns, before, old_values, failure);
		std::string where;
		for (size_t k = 0; k < key_index.size(); k++)
			where += (k ? " AND " : "") + quote_column(layout.columns[key_index[k]].mysql.name) + " = " +
					 cast(key_index[k], static_cast<int>(k) + 1);
		failure.sql = "DELETE FROM " + qualified(layout) + " WHERE " + where;
		if (!table.delete_plan)
			table.delete_plan = prepare(failure.sql, static_cast<int>(key_index.size()));
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

} // namespace chameleon::pg
