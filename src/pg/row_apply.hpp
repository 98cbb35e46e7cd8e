// The row apply of the replay: the rows events of a round are folded per table by key
// (core::RowFold, on a second thread: core::SerialWorker) and applied as their net effect — one DELETE of the
// keys whose row ends deleted, the replaced rows updated in place (or deleted and copied, for statements of
// many rows), one in-process COPY of the new rows — when the round flushes (before a statement, when the held
// rows reach replay_max_rows or the log chunks they are read from held_bytes_limit, at the end of the round;
// a table whose changes do not fold, every 10,000 changes). A table whose net effect fails is applied again
// event by event, row by row, so that on_error_replay names the failing row.
#pragma once

#include "pg/replay_state.hpp"

#include "core/row_fold.hpp"
#include "core/serial_worker.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chameleon::pg {

// The parameters of a net effect's statements in the delete-and-copy form: the key arrays of the
// DELETE of the deleted (and replaced) keys, and the COPY text of the replaced and new rows.
struct CopyForm {
	std::vector<SqlValue> key_arrays; // array literals, one per key column
	size_t deleted = 0;				  // keys in them
	std::string copy_text;			  // empty for a Citus table (its rows go by INSERT)
	size_t copied = 0;				  // rows in it
};

class RowApplier {
  public:
	explicit RowApplier(ReplayContext &context) : context_(context) {}

	// Takes a rows event of the round: folds it, or counts it skipped (a table not replicated,
	// disabled, or not yet at its consistent point).
	void add(LogEvent event);

	// Applies everything held, in the current transaction.
	void flush();

	// What is held must be applied (flush) once it reaches replay_max_rows rows or these bytes of
	// log chunks: the folded rows take about as much memory again.
	static constexpr size_t held_bytes_limit = size_t{32} << 20;
	bool must_flush(int64_t max_rows) const {
		return held_rows_ >= max_rows || held_bytes_ >= held_bytes_limit;
	}

	// Forgets what is held and counted: the round's transaction was rolled back.
	void discard();

	// Rows applied and skipped since the last call (the batch counters).
	std::pair<int64_t, int64_t> take_counts();

  private:
	// Builds `form` from a net effect; in_place: the replaced rows are left out (updated in place).
	static void build_copy_form(const core::RowFold::NetEffect &effect, const std::vector<size_t> &key,
								bool in_place, bool with_copy_text, CopyForm &form);

	// One table's held changes. The fold, the key mask and the copy form belong to the folder
	// thread while a task of the table is not done (last_fold); the rest to the replay's thread.
	struct Pending {
		core::RowFold fold;
		std::deque<LogEvent> events;	  // for the event-by-event apply after a failure
		int64_t rows = 0;				  // of the events
		std::vector<size_t> key_columns;  // positions in an image
		std::vector<bool> key_mask;		  // by column: part of the key
		uint64_t last_fold = 0;			  // the folder's number of the last task of the table
		int64_t next_cut_check;			  // the rows from which the table is checked for a cut
		std::optional<CopyForm> prepared; // built by the folder for a cut table (cut())
		Pending(const std::vector<size_t> &key_columns, size_t column_count, int64_t first_cut_check)
			: fold(key_columns), key_columns(key_columns), key_mask(column_count, false),
			  next_cut_check(first_cut_check) {
			for (size_t column : key_columns)
				key_mask[column] = true;
		}
		// Whether the net effect replaces rows in place rather than deleting and copying them: for
		// rows changed by single-row statements (see flush_table).
		bool replaces_in_place(const core::TableLayout &layout) const;
	};

	void fold_event(Pending &pending, const binlog::TableMap &table_map, const binlog::RowsEvent &rows,
					const core::TableLayout &layout);
	void flush_table(const TableKey &name, Pending &pending);
	// Cuts a table's held changes off, to be applied once folded (apply_cut); its next changes are
	// held anew.
	void cut(const TableKey &name);
	// Applies the cut changes in the order they were cut: those whose fold is done while the folder
	// has work for the time of the apply (or more than one is waiting, or none of their events went
	// to the folder); all of them when all is set.
	void apply_cut(bool all);
	// Applies one table's held changes, after those cut before them (and forgets them).
	void flush_held_table(const TableKey &name);
	// Frees applied changes on the folder thread.
	void release(std::unique_ptr<Pending> pending);
	// effect: needed only for the in-place form and Citus tables (nullptr allowed otherwise).
	void apply_net_effect(TableState &table, const core::RowFold::NetEffect *effect, bool in_place,
						  const CopyForm &form, TableError &failure);
	int64_t apply_event_by_rows(const LogEvent &event, TableState &table);
	void apply_row(TableState &table, const binlog::TableMap &table_map, binlog::RowsKind kind,
				   const std::vector<binlog::Value> &before, const std::vector<binlog::Value> &after,
				   TableError &failure);
	// The columns of a rows event's images with their conversions, worked out once per event.
	struct EventColumns {
		const core::TableLayout &layout;
		const binlog::TableMap &table_map;
		std::vector<replay::ColumnConversion> conversions;
		EventColumns(const core::TableLayout &layout, const binlog::TableMap &table_map)
			: layout(layout), table_map(table_map) {
			for (size_t i = 0; i < layout.columns.size() && i < table_map.columns.size(); i++)
				conversions.push_back(replay::prepare_column(table_map.columns[i], layout.columns[i]));
		}
	};
	// only: the columns to convert (the others are left NULL); all when nullptr.
	void image_text(const EventColumns &columns, const std::vector<binlog::Value> &image, core::RowImage &out,
					TableError &failure, const std::vector<bool> *only = nullptr);
	void insert_rows(TableState &table, const core::RowFold::NetEffect &effect, bool in_place,
					 TableError &failure);
	SPIPlanPtr prepare(const std::string &sql, int count);
	void execute(SPIPlanPtr plan, const std::vector<SqlValue> &params, int expected_result,
				 const std::string &what, TableError &failure, uint64 expected_rows = 1);

	ReplayContext &context_;
	std::map<TableKey, std::unique_ptr<Pending>> pending_; // at a fixed address: the folder writes in it
	std::deque<std::pair<TableKey, std::unique_ptr<Pending>>> cut_; // in the order they were cut
	int64_t held_rows_ = 0;
	size_t held_bytes_ = 0;								 // of the distinct log chunks the held events are in
	std::shared_ptr<const std::string> last_held_chunk_; // the chunk of the last event held
	int64_t replayed_ = 0, skipped_ = 0;
	CopyForm copy_form_; // reused for the net effects whose form is built here
	// The thread that folds rows events while the replay applies what it cut before: declared last,
	// so that it stops before the held changes it folds into are freed.
	core::SerialWorker folder_;
};

} // namespace chameleon::pg
