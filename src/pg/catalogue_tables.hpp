// The catalogue's tables of a source: the table registry (sch_chameleon.t_replica_tables, the
// tables a source replicates) and the init queue (sch_chameleon.t_init_tables, the tables the init
// worker and the copy workers copy). The only C++ that reads and writes them.
// Every function needs SPI connected (with_spi, run_transaction).
#pragma once

#include "pg/pg_headers.hpp"

#include "core/table_layout.hpp"
#include "mysql/snapshot.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chameleon::pg {

// ---- the table registry (t_replica_tables)

// A replicated table as the registry holds it.
struct ReplicaTable {
	std::string origin_schema; // MySQL's schema and table
	std::string table;
	std::string destination_schema;
	bool enabled = true;
	bool syncing = false;	 // being copied again: the replay waits for its new consistent point
	std::string binlog_file; // its consistent point; "" when it has none
	uint64_t binlog_position = 0;
	std::optional<std::string> layout_json; // core::layout_from_json; nullopt for a table without rows
	std::string row_version;				// changes whenever the row does (its xmin)
};

// The source's replicated tables, ordered by MySQL name ("schema.table"). selection (jsonb text) narrows
// them: "null" for every table, else an array of [schema, table] pairs.
std::vector<ReplicaTable> replica_tables(int64 source_id, const std::string &selection = "null");
std::optional<ReplicaTable> replica_table(int64 source_id, const std::string &origin_schema,
										  const std::string &table);

// sync_tables copies the table again: disabled and syncing until the copy replaces it (a re-copy
// the replay requested keeps its reason).
void start_table_sync(int64 source_id, const std::string &origin_schema, const std::string &table);
// A sync that failed or stopped: its tables stay disabled, with the reason, and no longer syncing.
void end_table_syncs(int64 source_id, const std::string &reason);

// A replicated statement needs the table copied again (ddl::Recopy): disabled and syncing, the
// request counted, until the replay starts the copy.
void request_table_recopy(int64 source_id, const std::string &origin_schema, const std::string &table,
						  const std::string &reason);
// The tables whose re-copy is requested (jsonb text: an array of [schema, table]) when no init or
// copy worker of the source runs; nullopt when there is none or a copy runs.
std::optional<std::string> requested_recopies(int64 source_id, const std::string &source_name);
void clear_recopy_requests(int64 source_id);

// After init_replica: the registry becomes the queue's tables, each with its consistent point.
void register_copied_tables(int64 source_id);
// After a sync: the copied table replaces its registry entry (why and how often it was copied
// again stays).
void register_copied_table(int64 source_id, const std::string &origin_schema, const std::string &table);
// refresh_schema of origin_schema: the registered tables it did not copy (MySQL no longer has
// them) leave the registry; returns their (destination schema, MySQL table name).
std::vector<std::pair<std::string, std::string>> unregister_uncopied_tables(int64 source_id,
																			const std::string &origin_schema);
// Tables still syncing after a sync that did not copy them (MySQL no longer has them): the replay
// must not wait for them.
void release_uncopied_syncs(int64 source_id);
void unregister_tables(int64 source_id);

// The registered tables that verification run `run` found different or missing in PostgreSQL
// (jsonb text: an array of [schema, table], in MySQL name order); nullopt when there is none.
std::optional<std::string> verified_different_tables(int64 source_id, int64 run);

// Whether a sync copied every registered table of a source that does not replicate now (it can
// then resume from the copies, see resume_from_copies_if_complete in schema_swap.cpp).
bool sync_copied_every_table(int64 source_id);

// The replay: a table whose replay failed, or whose rows a statement left out of PostgreSQL, is
// disabled with the reason; false when it is not registered.
bool disable_table(int64 source_id, const std::string &origin_schema, const std::string &table,
				   const std::string &reason);
// A table that entered replication without its rows: registered disabled with the reason, in the
// destination schema its MySQL schema maps to (or one of the same name), without a layout.
void register_uncopied_table(int64 source_id, const std::string &origin_schema, const std::string &table,
							 const std::string &reason);
// A replicated statement created a table: it replaces any registry entry of that name, with no
// consistent point (its rows all come from the replay).
void register_created_table(int64 source_id, const core::TableLayout &layout);
// A replicated statement altered or renamed the table (origin_schema, table): its entry takes the
// layout's names and the layout.
void change_table_layout(int64 source_id, const std::string &origin_schema, const std::string &table,
						 const core::TableLayout &layout);
// A replicated statement dropped the table.
void unregister_table(int64 source_id, const std::string &origin_schema, const std::string &table);

// ---- the init queue (t_init_tables)

// A table of the queue.
struct QueuedTable {
	std::string origin_schema;
	std::string table;
	std::string loading_schema;
	std::string destination_schema;
	core::TableLayout layout;					// with the loading schema as destination
	std::vector<std::string> index_statements;	// built after the rows are loaded
	std::string pg_snapshot, pg_copy_statement; // pgsql sources: the exported snapshot, COPY ... TO STDOUT

	// keep_existing_schema: the existing destination table is reloaded in place.
	bool in_place() const { return loading_schema == destination_schema; }
};

void clear_init_queue(int64 source_id);
// layout has the final destination; the table is created in loading_schema.
void queue_table(int64 source_id, const core::TableLayout &layout, const std::string &loading_schema,
				 int64_t estimated_rows, int64_t estimated_bytes);
void add_index_statement(int64 source_id, const std::string &origin_schema, const std::string &table,
						 const std::string &statement);
// pgsql sources: the snapshot the table is copied in and the statement that copies it.
void set_pgsql_copy(int64 source_id, const std::string &origin_schema, const std::string &table,
					const std::string &snapshot, const std::string &copy_statement);

// Claims the next pending table (the largest first) for this backend; nullopt when none is left
// or a table failed.
std::optional<QueuedTable> claim_queued_table(int64 source_id);
// The copy is done (its consistent point is empty for a pgsql source).
void mark_table_copied(int64 source_id, const std::string &origin_schema, const std::string &table,
					   int64_t rows, int64_t bytes, int64_t discarded, const mysql::BinlogCoordinates &point);
void mark_table_failed(int64 source_id, const std::string &origin_schema, const std::string &table,
					   const std::string &error);

// Every table of the queue; with a loading schema, only those created in it.
std::vector<QueuedTable> queued_tables(int64 source_id, const std::string &loading_schema = "");
// A table not copied: ("schema.table", its error or state), a failed one first; nullopt when all are.
std::optional<std::pair<std::string, std::string>> uncopied_table(int64 source_id);
// The rows the copies discarded.
int64 discarded_rows(int64 source_id);

// Replication starts at the earliest consistent point of the copies (t_last_received) and the
// source is consistent once the replay passes the latest (t_sources' high watermark). With an
// empty queue, both are empty_point when it has a file (a source with no table yet).
void start_at_copy_points(int64 source_id, const mysql::BinlogCoordinates &empty_point = {});

} // namespace chameleon::pg
