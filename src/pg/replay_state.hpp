// What the parts of the replay worker share: the replicated tables of the source with their
// prepared statements, one log row (event) of a batch, the batch's decoder, and the rule for a
// table whose replay fails (on_error_replay). The loop and the replayed-up-to marker are in
// replay.cpp, the row apply in row_apply.cpp, the statement apply in statement_apply.cpp.
#pragma once

#include "pg/catalogue_batches.hpp"
#include "pg/copy_loader.hpp"
#include "pg/replication.hpp"
#include "pg/spi.hpp"

#include "binlog/decoder.hpp"
#include "core/table_layout.hpp"
#include "ddl/row_effect.hpp"
#include "replay/pg_value.hpp"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chameleon::pg {

struct TableState {
	core::TableLayout layout;
	bool enabled = true;
	bool syncing = false;	// sync_tables is copying it: the replay waits at its events
	std::string point_file; // consistent point; empty: consistent from the start
	int64_t point_position = 0;
	// A Citus table (src/pg/citus.hpp): rows go in by INSERT, never by COPY into the coordinator's
	// table, and an update never sets the distribution column (PostgreSQL name; "" for a reference table).
	bool citus = false;
	std::string distribution_column;
	// Prepared statements, made on first use.
	SPIPlanPtr insert_plan = nullptr;
	SPIPlanPtr update_plan = nullptr;
	SPIPlanPtr delete_plan = nullptr;
	SPIPlanPtr delete_keys_plan = nullptr; // the net effect's DELETE of many keys
	SPIPlanPtr update_rows_plan = nullptr; // the net effect's UPDATE of many rows
	SPIPlanPtr insert_rows_plan = nullptr; // the net effect's INSERT of many rows (Citus tables)
	std::shared_ptr<CopyLoader> loader;	   // the net effect's COPY
};

using TableKey = std::pair<std::string, std::string>; // MySQL schema and table

// One row of the source's log: a rows event (raw, with its TABLE_MAP) or a statement.
struct LogEvent {
	int64_t batch_id = 0;
	int64_t id = 0;
	std::string schema, table, kind, file;
	int64_t position = 0;
	int64_t event_time = 0;
	// A rows event and its TABLE_MAP are read in place in the log chunk that holds them, which the
	// event keeps alive: a held event costs no copy of its bytes.
	std::shared_ptr<const std::string> chunk;
	std::string_view event_bytes, table_map_bytes;
	std::string statement;
	int64_t rows = 0;
	bool transaction_start = false;	   // the first event the reader logged of its MySQL transaction
	ddl::StatementTime statement_time; // of a statement: for NOW() in existing rows
};

// A replay error of one table, handled by on_error_replay.
struct TableError {
	std::string message;
	std::string sqlstate;
	std::string sql;
	std::string key;
};

// on_error_replay: exit: the replay stops; the error log entry is written after the rollback.
// A statement failed because a node of the cluster (a Citus worker node) could not be reached
// (SQLSTATE class 08): no table is at fault, so none is disabled; the round is rolled back and the
// replay tries it again until the node is back.
class NodeUnreachable : public std::runtime_error {
  public:
	using std::runtime_error::runtime_error;
};

class ReplayStopped : public std::runtime_error {
  public:
	ReplayStopped(const std::string &message, std::string detail, ReplayError entry, std::string sqlstate)
		: std::runtime_error(message), detail(std::move(detail)), entry(std::move(entry)),
		  sqlstate(std::move(sqlstate)) {}
	std::string detail;
	ReplayError entry;
	std::string sqlstate;
};

class ReplayContext {
  public:
	explicit ReplayContext(const ReplicationSource &source);

	const ReplicationSource &source() const { return source_; }
	const replay::ValuePolicy &policy() const { return policy_; }
	binlog::Decoder &decoder() { return decoder_; }

	// Whether the decoder is made for this FORMAT_DESCRIPTION (raw bytes; "" for none): the batches
	// of one binlog file share it, and a round goes on from one to the next with the same decoder.
	bool decodes(const std::string &format_description) const {
		return decoder_ready_ && format_description == decoder_format_;
	}
	// Decodes the FORMAT_DESCRIPTION into a fresh decoder, unless decodes() says it is in use.
	void use_format(const std::string &format_description);

	// The TABLE_MAP of a rows event as the decoder holds it, with what replay::layout_mismatch says
	// of it against the table's layout; decoded and checked only the first time in a batch (the
	// events of a table share their TABLE_MAP but for its header), and again after the layouts
	// changed.
	struct CheckedTableMap {
		std::shared_ptr<const binlog::TableMap> map;
		std::string mismatch;
	};
	const CheckedTableMap &checked_table_map(std::string_view bytes, const core::TableLayout &layout);

	// The replicated tables, read from t_replica_tables again only when a statement, a copy or an
	// error changed them since the last read.
	void load_tables();
	void tables_changed() { tables_version_.clear(); }
	TableState *find(const std::string &schema, const std::string &table);
	bool syncing(const std::string &schema, const std::string &table);
	bool syncing_any() const;
	const std::map<TableKey, TableState> &tables() const { return tables_; }

	// A failed table: under on_error_replay: continue it is disabled and the error logged; under
	// exit (or a missing right) ReplayStopped is thrown.
	void table_failed(const LogEvent &event, TableState &table, const TableError &failure);

  private:
	const ReplicationSource &source_;
	replay::ValuePolicy policy_;
	binlog::Decoder decoder_;
	std::string decoder_format_;
	bool decoder_ready_ = false;
	std::map<TableKey, TableState> tables_;
	std::string tables_version_;
	// By the TABLE_MAP's body: MySQL writes one before every rows event, the same but for its header.
	std::unordered_map<std::string, CheckedTableMap> table_maps_;
	std::string lookup_key_; // reused for every lookup
};

std::string qualified(const core::TableLayout &layout);

// Whether an event at (file, position) is older than the table's copy (its rows are in it).
bool before_point(const std::string &file, int64_t position, const TableState &table);

// Applies the statement of a "ddl" log event at its place; returns true when the transaction must
// commit right after it (new enum labels are usable only after a commit).
bool apply_statement(ReplayContext &context, const LogEvent &event);

} // namespace chameleon::pg
