// init_replica: the consistent initial copy of a source (see init_replica.hpp).
//
// The init worker (coordinator) checks the server, reads the table list, creates every table
// in a loading schema per destination schema and queues them in t_init_tables; it then starts
// copy_parallel_jobs - 1 copy workers and copies tables itself. Each table is copied in its
// own MySQL snapshot whose binlog coordinates become the table's consistent point; its rows,
// indexes and queue entry commit together. When every table is copied, the coordinator swaps
// the loading schemas in, registers the tables for replication and marks the source
// initialised. A failure leaves the destination schemas untouched.
#include "pg/init_replica.hpp"

#include "pg/boundary.hpp"
#include "pg/copy_loader.hpp"
#include "pg/existing_tables.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"

#include "common/error.hpp"
#include "config/source_config.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"
#include "core/table_filter.hpp"
#include "ddl/translator.hpp"
#include "mysql/copy_producer.hpp"
#include "mysql/schema_layout.hpp"
#include "mysql/schema_reader.hpp"
#include "mysql/server_checks.hpp"
#include "mysql/source_params.hpp"
#include "pgsql/catalog_reader.hpp"
#include "pgsql/copy_out.hpp"
#include "pgsql/source_params.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <vector>

namespace chameleon::pg {

namespace {

using core::quote_ident;

struct Source {
	int64 id = 0;
	std::string name;
	config::SourceConfig config;
	// Added or altered by a role that is not a superuser: a pgsql source must then authenticate
	// with its password (t_sources.b_password_required).
	bool password_required = false;
};

// A table of the queue, as a copy worker claims it.
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

std::string
id_text(int64 id) {
	return std::to_string(id);
}

Source
read_source(int64 source_id) {
	Source source;
	source.id = source_id;
	std::vector<SqlRow> rows =
		catalogue_query("SELECT t_source, jsb_config::text, b_password_required FROM sch_chameleon.t_sources "
						"WHERE i_id_source = $1::bigint",
						{id_text(source_id)});
	if (rows.empty())
		throw Error(sqlstate::undefined_object, "source " + id_text(source_id) + " no longer exists");
	source.name = *rows[0][0];
	source.config = config::parse_source(*rows[0][1]);
	source.password_required = rows[0][2] == "t";
	return source;
}

std::vector<std::string>
origin_schemas(const config::SourceConfig &config) {
	std::vector<std::string> schemas;
	for (const auto &mapping : config.schema_mappings)
		schemas.push_back(mapping.first);
	return schemas;
}

// The connection to a pgsql source; values travel in the encoding of this database.
pgsql::ConnectionParams
pgsql_params(const Source &source) {
	pgsql::ConnectionParams params =
		pgsql::connection_params(source.config, pg_call([] { return GetDatabaseEncodingName(); }));
	params.require_password = source.password_required;
	return params;
}

// What sync_tables (or refresh_schema) asked for: tables as (MySQL schema, table), or every table of
// one MySQL schema.
struct SyncRequest {
	std::vector<std::pair<std::string, std::string>> tables;
	std::string schema;

	bool wants(const std::string &origin_schema, const std::string &table) const {
		if (!schema.empty())
			return origin_schema == schema;
		return std::find(tables.begin(), tables.end(), std::make_pair(origin_schema, table)) != tables.end();
	}
};

// Takes the request out of its shared memory segment (and releases the segment), records it in
// t_sources.jsb_sync_request, and reads it.
SyncRequest
read_sync_request(int64 source_id, dsm_handle handle) {
	SyncRequest request;
	std::string id = std::to_string(source_id);
	char *text = pg_call([&] {
		dsm_segment *segment = dsm_attach(handle);
		if (segment == nullptr)
			ereport(ERROR, (errmsg("the sync_tables request is gone")));
		char *copy = pstrdup(static_cast<const char *>(dsm_segment_address(segment)));
		dsm_unpin_segment(handle);
		dsm_detach(segment);
		return copy;
	});
	catalogue_exec(
		"UPDATE sch_chameleon.t_sources SET jsb_sync_request = $2::jsonb WHERE i_id_source = $1::bigint",
		{id, std::string(text)});
	request.schema =
		catalogue_value("SELECT coalesce(jsb_sync_request ->> 'schema', '') FROM sch_chameleon.t_sources "
						"WHERE i_id_source = $1::bigint",
						{id})
			.value_or("");
	for (const SqlRow &row : catalogue_query("SELECT t ->> 0, t ->> 1 FROM sch_chameleon.t_sources, "
											 "jsonb_array_elements(jsb_sync_request -> 'tables') t "
											 "WHERE i_id_source = $1::bigint",
											 {id}))
		if (row[0] && row[1]) // sync_tables refuses NULL names; a NULL here names no table
			request.tables.emplace_back(*row[0], *row[1]);
	return request;
}

// The tables of a sync that MySQL has and the configured filters keep.
std::vector<mysql::TableInfo>
tables_to_sync(const Source &source, const SyncRequest &request) {
	mysql::Connection connection(mysql::connection_params(source.config));
	std::vector<mysql::TableInfo> tables =
		mysql::read_tables(connection, config::table_filter(source.config), origin_schemas(source.config));
	tables.erase(std::remove_if(
					 tables.begin(), tables.end(),
					 [&](const mysql::TableInfo &table) { return !request.wants(table.schema, table.name); }),
				 tables.end());
	return tables;
}

// The loading schema of the n-th mapping: short, unique per source, never a user's name.
std::string
loading_schema(int64 source_id, size_t mapping_index) {
	return "_chameleon_load_" + id_text(source_id) + "_" + std::to_string(mapping_index);
}

void
log_message(const std::string &text) {
	pg_call([&] { ereport(LOG, (errmsg_internal("%s", text.c_str()))); });
}

// Fails with every check that is an error, and what to do about it.
void
require_prerequisites(const Source &source) {
	mysql::CheckRequest request;
	request.connection = mysql::connection_params(source.config);
	request.origin_schemas = origin_schemas(source.config);
	request.gtid_enable = source.config.gtid_enable;
	request.my_server_id = source.config.my_server_id;
	std::string failures;
	for (const mysql::CheckRow &row : mysql::check_server(request))
		if (row.status == "error")
			failures += (failures.empty() ? "" : "; ") + row.name + ": " + row.value;
	if (!failures.empty())
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"source \"" + source.name + "\" does not meet the prerequisites for replication",
					failures,
					"Run SELECT * FROM chameleon.check_source('" + source.name + "') and fix each error.");
}

// The fillfactor the configuration gives schema.table (origin names), set on its copy in loading.
void
apply_fillfactor(const config::SourceConfig &config, const std::string &schema, const std::string &table,
				 const std::string &loading) {
	int factor = 0;
	const std::string qualified = schema + "." + table;
	for (const auto &[value, tables] : config.fillfactor)
		for (const std::string &name : tables)
			if (name == "*" || name == qualified)
				factor = value;
	if (factor != 0)
		spi_exec("ALTER TABLE " + quote_ident(loading) + "." + quote_ident(core::pg_table_name(table)) +
				 " SET (fillfactor = " + std::to_string(factor) + ")");
}

core::MapContext
map_context(const Source &source, const std::string &origin_schema, const std::string &table,
			const std::string &destination, bool postgis) {
	core::MapContext context;
	context.origin_schema = origin_schema;
	context.table = table;
	context.destination_schema = destination;
	context.postgis_available = postgis;
	context.zero_dates =
		source.config.zero_dates == "error" ? core::ZeroDates::Error : core::ZeroDates::ToNull;
	for (const config::TypeOverride &override : source.config.type_override)
		context.type_overrides.push_back({override.column_type, override.override_to, override.tables});
	return context;
}

// The status before init_replica claimed the source: a stopped copy changes nothing, so the
// source returns to it.
std::string status_before_init;

// Claims the source for the copy: the status becomes initialising unless another process got
// there first or the source is replicating.
void
claim_source(int64 source_id) {
	std::vector<SqlRow> rows = catalogue_query(
		"UPDATE sch_chameleon.t_sources s SET enm_status = 'initialising', t_status_reason = NULL, "
		"ts_status_changed = clock_timestamp() "
		"FROM (SELECT enm_status FROM sch_chameleon.t_sources WHERE i_id_source = $1::bigint FOR UPDATE) old "
		"WHERE s.i_id_source = $1::bigint AND old.enm_status NOT IN ('initialising', 'running', 'syncing') "
		"RETURNING old.enm_status::text",
		{id_text(source_id)});
	if (rows.empty())
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"the source is already being copied or replicated", "",
					"Look at chameleon.show_status() for its state.");
	status_before_init = *rows[0][0];
	catalogue_exec("DELETE FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint",
				   {id_text(source_id)});
}

core::TableLayout
final_layout(const Source &source, const mysql::TableInfo &table, const std::string &destination,
			 bool postgis) {
	return mysql::map_table(table, map_context(source, table.schema, table.name, destination, postgis))
		.layout;
}

void
queue_table(const Source &source, const core::TableLayout &layout, const std::string &loading, int64_t rows,
			int64_t bytes) {
	catalogue_exec("INSERT INTO sch_chameleon.t_init_tables (i_id_source, v_schema_origin, v_table_name, "
				   "v_schema_name, v_schema_loading, i_estimated_rows, i_estimated_bytes, jsb_layout) "
				   "VALUES ($1::bigint, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::jsonb)",
				   {id_text(source.id), layout.origin_schema, layout.table, layout.destination_schema,
					loading, std::to_string(rows), std::to_string(bytes), core::to_json(layout)});
}

void
add_index_statement(const Source &source, const std::string &origin_schema, const std::string &table,
					const std::string &statement) {
	catalogue_exec(
		"UPDATE sch_chameleon.t_init_tables SET t_index_statements = array_append(t_index_statements, $4) "
		"WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
		{id_text(source.id), origin_schema, table, statement});
}

size_t
mapping_index(const config::SourceConfig &config, const std::string &origin_schema) {
	size_t m = 0;
	while (m < config.schema_mappings.size() && config.schema_mappings[m].first != origin_schema)
		m++;
	return m;
}

// The loading schemas a copy creates, by mapping.
using LoadingSchemas = std::set<size_t>;

void
create_loading_schema(const Source &source, size_t mapping, LoadingSchemas &created) {
	if (created.insert(mapping).second)
		spi_exec("CREATE SCHEMA " + quote_ident(loading_schema(source.id, mapping)));
}

// Drops the loading schemas a stopped copy left. Without keep_existing_schema every destination
// schema is replaced by its loading schema, which is created now even for a mapping without tables;
// with it, a loading schema is created only for a mapping that has a table to create, so that a
// source whose tables all exist needs no right to create schemas in the database.
void
create_loading_schemas(const Source &source, LoadingSchemas &created) {
	for (size_t m = 0; m < source.config.schema_mappings.size(); m++)
		spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(loading_schema(source.id, m)) + " CASCADE");
	if (!source.config.keep_existing_schema)
		for (size_t m = 0; m < source.config.schema_mappings.size(); m++)
			create_loading_schema(source, m, created);
}

bool
schema_exists(const std::string &schema) {
	return spi_value("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1",
					 {schema}) != "0";
}

// Refuses the destination schemas the source may not use or replace, naming each and the fix
// (sch_chameleon.fn_check_destination_schemas: system schemas, the extension's own, public, and a
// schema this source did not create unless keep_existing_schema is set and the owner owns it).
void
check_destination_schemas(const Source &source) {
	catalogue_exec("SELECT sch_chameleon.fn_check_destination_schemas(t_source, jsb_config || "
				   "jsonb_build_object('keep_existing_schema', $2::boolean), rol_owner) "
				   "FROM sch_chameleon.t_sources WHERE i_id_source = $1::bigint",
				   {id_text(source.id), source.config.keep_existing_schema ? "true" : "false"});
}

// A destination schema this source created: init_replica may replace it later.
void
record_created_schema(const Source &source, const std::string &schema) {
	catalogue_exec("INSERT INTO sch_chameleon.t_source_schemas (i_id_source, v_schema_name) "
				   "VALUES ($1::bigint, $2) ON CONFLICT DO NOTHING",
				   {id_text(source.id), schema});
}

// keep_existing_schema: the table is loaded where it is, with the types it has; the foreign keys
// that involve it are set aside until the copy is in place.
void
queue_existing_table(const Source &source, const mysql::TableInfo &table, const core::TableLayout &layout) {
	core::TableLayout adopted = adopt_existing_table(layout, table.schema + "." + table.name);
	set_aside_foreign_keys(source.id, adopted.destination_schema, adopted.destination_table);
	queue_table(source, adopted, adopted.destination_schema, static_cast<int64_t>(table.estimated_rows),
				static_cast<int64_t>(table.data_length));
}

// Refuses, before anything is created, two MySQL tables that would have the same PostgreSQL name
// in one destination schema (core::pg_table_name), naming both.
void
check_table_names(const Source &source, const std::vector<mysql::TableInfo> &tables) {
	const auto &mappings = source.config.schema_mappings;
	for (size_t m = 0; m < mappings.size(); m++) {
		std::vector<std::string> names, qualified;
		for (const mysql::TableInfo &table : tables)
			if (mappings[mapping_index(source.config, table.schema)].second == mappings[m].second) {
				names.push_back(table.name);
				qualified.push_back(table.schema + "." + table.name);
			}
		core::NameCollision collision = core::find_collision(names, false);
		if (!collision.found())
			continue;
		throw Error(
			sqlstate::duplicate_object,
			"MySQL tables \"" + qualified[collision.first] + "\" and \"" + qualified[collision.second] +
				"\" would both be table \"" + mappings[m].second + "." + collision.pg_name +
				"\" in PostgreSQL",
			"A name longer than 63 bytes is cut and given a hash suffix (doc/security.md, \"Names\").",
			"Rename one of the tables in MySQL, or leave one out with skip_tables.");
	}
}

// Creates the loading schemas and the empty tables, and queues the tables.
void
prepare_tables(const Source &source, const std::vector<mysql::TableInfo> &tables) {
	check_table_names(source, tables);
	bool postgis = spi_value("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") != "0";
	const auto &mappings = source.config.schema_mappings;
	LoadingSchemas created;
	create_loading_schemas(source, created);
	for (const mysql::TableInfo &table : tables) {
		size_t m = mapping_index(source.config, table.schema);
		const std::string &destination = mappings[m].second;
		if (source.config.keep_existing_schema &&
			table_exists(destination, core::pg_table_name(table.name))) {
			queue_existing_table(source, table, final_layout(source, table, destination, postgis));
			continue;
		}
		create_loading_schema(source, m, created);
		std::string loading = loading_schema(source.id, m);
		mysql::MappedTable for_loading =
			mysql::map_table(table, map_context(source, table.schema, table.name, loading, postgis));
		for (const std::string &notice : for_loading.notices)
			log_message("init_replica of source \"" + source.name + "\": " + notice);
		ddl::TableDefinition definition =
			ddl::table_definition(for_loading.layout, for_loading.columns, table.comment, true);
		for (const auto *part : {&definition.create, &definition.comments})
			for (const std::string &statement : *part)
				spi_exec(statement);
		apply_fillfactor(source.config, table.schema, table.name, loading);
		queue_table(source, final_layout(source, table, destination, postgis), loading,
					static_cast<int64_t>(table.estimated_rows), static_cast<int64_t>(table.data_length));
		for (const std::string &statement : definition.indexes)
			add_index_statement(source, table.schema, table.name, statement);
	}
}

std::optional<QueuedTable>
claim_table(int64 source_id) {
	std::vector<SqlRow> rows = catalogue_query(
		"UPDATE sch_chameleon.t_init_tables SET enm_state = 'copying', i_pid = pg_backend_pid(), "
		"ts_started = clock_timestamp() "
		"WHERE (i_id_source, v_schema_origin, v_table_name) = ("
		"  SELECT i_id_source, v_schema_origin, v_table_name FROM sch_chameleon.t_init_tables "
		"  WHERE i_id_source = $1::bigint AND enm_state = 'pending' "
		"  AND NOT EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables f "
		"                  WHERE f.i_id_source = $1::bigint AND f.enm_state = 'failed') "
		"  ORDER BY i_estimated_bytes DESC NULLS LAST, v_schema_origin, v_table_name "
		"  LIMIT 1 FOR UPDATE SKIP LOCKED) "
		"RETURNING v_schema_origin, v_table_name, v_schema_loading, jsb_layout::text, "
		"  array_length(t_index_statements, 1), v_schema_name, coalesce(t_pg_snapshot, ''), "
		"  coalesce(t_pg_copy, '')",
		{id_text(source_id)});
	if (rows.empty())
		return std::nullopt;
	QueuedTable table;
	table.origin_schema = *rows[0][0];
	table.table = *rows[0][1];
	table.loading_schema = *rows[0][2];
	table.destination_schema = *rows[0][5];
	table.pg_snapshot = *rows[0][6];
	table.pg_copy_statement = *rows[0][7];
	table.layout = core::layout_from_json(*rows[0][3]);
	table.layout.destination_schema = table.loading_schema;
	int statements = rows[0][4] ? std::stoi(*rows[0][4]) : 0;
	for (int i = 1; i <= statements; i++)
		table.index_statements.push_back(
			*catalogue_value("SELECT t_index_statements[$4::int] FROM sch_chameleon.t_init_tables "
							 "WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
							 {id_text(source_id), table.origin_schema, table.table, std::to_string(i)}));
	return table;
}

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
			"t_row_data, t_reason) VALUES ($1::bigint, $2, $3, $4, $5, $6)",
			{id_text(source_id), queued.origin_schema, queued.table, row.key, row.data, row.reason});
}

// Identity and serial columns continue after the copied values (MySQL's AUTO_INCREMENT counter).
void
continue_sequences(const std::string &table) {
	for (const SqlRow &column :
		 spi_query("SELECT quote_ident(a.attname), pg_get_serial_sequence($1, a.attname) FROM pg_attribute a "
				   "WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped "
				   "AND pg_get_serial_sequence($1, a.attname) IS NOT NULL",
				   {table}))
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
	catalogue_exec("UPDATE sch_chameleon.t_init_tables SET enm_state = 'copied', i_rows = $4::bigint, "
				   "i_bytes = $5::bigint, i_discarded = $6::bigint, ts_finished = clock_timestamp(), "
				   "t_binlog_name = nullif($7, ''), i_binlog_position = nullif($8, '0')::bigint, "
				   "t_gtid_set = nullif($9, '') "
				   "WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
				   {id_text(source.id), queued.origin_schema, queued.table, std::to_string(loaded.rows),
					std::to_string(loaded.bytes), std::to_string(loaded.discarded), coordinates.file,
					std::to_string(coordinates.position), coordinates.gtid_set});
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
	options.zero_dates_to_null = source.config.zero_dates != "error";
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
	if (source.config.type == "pgsql")
		copy_pgsql_table(source, queued);
	else
		copy_mysql_table(source, queued);
	set_progress("", 0, 0);
	log_message("init_replica of source \"" + source.name + "\" copied " + queued.origin_schema + "." +
				queued.table);
}

void
mark_table_failed(int64 source_id, const QueuedTable &queued, const std::string &message) {
	run_transaction([&] {
		catalogue_exec("UPDATE sch_chameleon.t_init_tables SET enm_state = 'failed', t_error = $4, "
					   "ts_finished = clock_timestamp() "
					   "WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
					   {id_text(source_id), queued.origin_schema, queued.table, message});
	});
}

// Copies queued tables until none is left (or one failed).
void
copy_queued_tables(const Source &source) {
	for (;;) {
		check_stop();
		std::optional<QueuedTable> queued;
		run_transaction([&] { queued = claim_table(source.id); });
		if (!queued)
			return;
		try {
			copy_table(source, *queued);
		} catch (const StopRequested &) {
			throw;
		} catch (const std::exception &error) {
			if (stop_requested())
				throw StopRequested();
			mark_table_failed(source.id, *queued, error.what());
			throw;
		}
	}
}

void
drop_loading_schemas(int64 source_id, size_t mappings) {
	run_transaction([&] {
		for (size_t m = 0; m < mappings; m++)
			spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(loading_schema(source_id, m)) + " CASCADE");
	});
}

// Moves a copied table (and the enum types it owns) from its loading schema to its destination,
// in place of the table of the same name and its enum types.
void
move_table_in(const Source &source, const std::string &table, const std::string &loading,
			  const core::TableLayout &layout) {
	const std::string &destination = layout.destination_schema;
	std::vector<std::string> old_types;
	if (SqlValue old_layout = catalogue_value("SELECT jsb_layout::text FROM sch_chameleon.t_replica_tables "
											  "WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND "
											  "v_table_name = $3 AND jsb_layout IS NOT NULL",
											  {id_text(source.id), layout.origin_schema, table}))
		old_types = core::owned_enum_types(core::layout_from_json(*old_layout));
	const std::string &pg_table = layout.destination_table;
	spi_exec("DROP TABLE IF EXISTS " + quote_ident(destination) + "." + quote_ident(pg_table));
	for (const std::string &type : old_types)
		spi_exec("DROP TYPE IF EXISTS " + quote_ident(destination) + "." + quote_ident(type));
	spi_exec("ALTER TABLE " + quote_ident(loading) + "." + quote_ident(pg_table) + " SET SCHEMA " +
			 quote_ident(destination));
	for (const std::string &type : core::owned_enum_types(layout))
		spi_exec("ALTER TYPE " + quote_ident(loading) + "." + quote_ident(type) + " SET SCHEMA " +
				 quote_ident(destination));
	for (const std::string &role : source.config.grant_select_to)
		if (spi_value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {role}) != "0")
			spi_exec("GRANT SELECT ON " + quote_ident(destination) + "." + quote_ident(pg_table) + " TO " +
					 quote_ident(role));
}

// The loading schemas replace the destination schemas (with keep_existing_schema, the tables
// created in them join the existing ones).
void
replace_destination_schemas(const Source &source) {
	// Checked again in the transaction that drops them: schemas change between add_source and now.
	check_destination_schemas(source);
	spi_exec("SET LOCAL lock_timeout = " + core::quote_literal(source.config.lock_timeout));
	const auto &mappings = source.config.schema_mappings;
	for (size_t m = 0; m < mappings.size(); m++) {
		const std::string &destination = mappings[m].second;
		std::string loading = loading_schema(source.id, m);
		if (source.config.keep_existing_schema) {
			if (!schema_exists(destination)) {
				spi_exec("CREATE SCHEMA " + quote_ident(destination));
				record_created_schema(source, destination);
			}
			for (const SqlRow &row :
				 catalogue_query("SELECT v_table_name, jsb_layout::text FROM sch_chameleon.t_init_tables "
								 "WHERE i_id_source = $1::bigint AND v_schema_loading = $2",
								 {id_text(source.id), loading}))
				move_table_in(source, *row[0], loading, core::layout_from_json(*row[1]));
			spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(loading) + " CASCADE");
			continue;
		}
		spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(destination) + " CASCADE");
		spi_exec("ALTER SCHEMA " + quote_ident(loading) + " RENAME TO " + quote_ident(destination));
		record_created_schema(source, destination);
		for (const std::string &role : source.config.grant_select_to) {
			if (spi_value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {role}) == "0") {
				pg_call([&] {
					ereport(WARNING,
							(errmsg("role \"%s\" of \"grant_select_to\" does not exist", role.c_str()),
							 errhint("Create the role and grant it SELECT on schema \"%s\".",
									 destination.c_str())));
				});
				continue;
			}
			spi_exec("GRANT USAGE ON SCHEMA " + quote_ident(destination) + " TO " + quote_ident(role));
			spi_exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + quote_ident(destination) + " TO " +
					 quote_ident(role));
		}
	}
}

void
require_all_copied(const Source &source) {
	std::vector<SqlRow> failed = catalogue_query(
		"SELECT v_schema_origin || '.' || v_table_name, coalesce(t_error, enm_state::text) "
		"FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint AND enm_state <> 'copied' "
		"ORDER BY enm_state DESC LIMIT 1",
		{id_text(source.id)});
	if (!failed.empty())
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"init_replica could not copy table \"" + *failed[0][0] + "\"", *failed[0][1],
					"Fix the cause and run chameleon.init_replica() again.");
}

// The copies replace the destination schemas; the tables enter the catalogue.
void
swap_in(const Source &source, const mysql::BinlogCoordinates &empty_point) {
	// The consistent points of the copies; with no table at all, the point read for the empty
	// source (replication starts there, and picks up the tables MySQL creates later).
	const std::string points =
		"(SELECT t_binlog_name, i_binlog_position, t_gtid_set FROM sch_chameleon.t_init_tables WHERE "
		"i_id_source = $1::bigint UNION ALL SELECT $2, $3::bigint, nullif($4, '') WHERE $2 <> '' AND NOT "
		"EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint))";
	std::vector<SqlValue> point_params = {id_text(source.id), empty_point.file,
										  std::to_string(empty_point.position), empty_point.gtid_set};
	run_transaction([&] {
		require_all_copied(source);
		replace_destination_schemas(source);
		catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1::bigint",
					   {id_text(source.id)});
		catalogue_exec(
			"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
			"v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, t_gtid_set, jsb_layout) "
			"SELECT i_id_source, v_schema_origin, v_schema_name, v_table_name, "
			"ARRAY(SELECT jsonb_array_elements_text(jsb_layout -> 'key')), t_binlog_name, i_binlog_position, "
			"t_gtid_set, jsb_layout FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint",
			{id_text(source.id)});
		restore_foreign_keys(source.id, false);
		// Replication starts at the earliest consistent point; the source is consistent once
		// replay passes the latest one (the high watermark).
		catalogue_exec(
			"UPDATE sch_chameleon.t_last_received r SET t_binlog_name = p.t_binlog_name, "
			"i_binlog_position = p.i_binlog_position, t_gtid_set = p.t_gtid_set, ts_last_received = NULL "
			"FROM (SELECT * FROM " +
				points +
				" x ORDER BY t_binlog_name, i_binlog_position LIMIT 1) p "
				"WHERE r.i_id_source = $1::bigint",
			point_params);
		catalogue_exec(
			"UPDATE sch_chameleon.t_sources s SET enm_status = 'initialised', t_status_reason = NULL, "
			"ts_status_changed = clock_timestamp(), t_binlog_name = h.t_binlog_name, "
			"i_binlog_position = h.i_binlog_position, t_gtid_set = h.t_gtid_set, b_consistent = false "
			"FROM (SELECT * FROM " +
				points +
				" x ORDER BY t_binlog_name DESC, i_binlog_position DESC LIMIT 1) h "
				"WHERE s.i_id_source = $1::bigint",
			point_params);
	});
}

void
set_source_status(int64 source_id, const char *status, const std::string &reason) {
	run_transaction([&] {
		catalogue_exec("UPDATE sch_chameleon.t_sources SET enm_status = $2::sch_chameleon.en_src_status, "
					   "t_status_reason = nullif($3, ''), ts_status_changed = clock_timestamp() "
					   "WHERE i_id_source = $1::bigint AND enm_status = 'initialising'",
					   {id_text(source_id), status, reason});
	});
}

size_t
mapping_count(int64 source_id) {
	size_t count = 0;
	run_transaction([&] { count = read_source(source_id).config.schema_mappings.size(); });
	return count;
}

// After a sync that copied every replicated table again while the source does not replicate
// (resync_source, or sync_tables of every table), nothing before the copies' consistent points is
// needed: the reader resumes at the earliest of them, as after init_replica, and batches read
// before are dropped. This is the way back from a read position the MySQL server has purged.
void
resume_from_copies_if_complete(int64 source_id) {
	std::string id = id_text(source_id);
	bool complete =
		catalogue_value(
			"SELECT NOT s.b_run_requested AND s.enm_status <> 'running' AND NOT EXISTS (SELECT 1 FROM "
			"sch_chameleon.t_replica_tables r WHERE r.i_id_source = s.i_id_source AND NOT EXISTS (SELECT 1 "
			"FROM sch_chameleon.t_init_tables i WHERE i.i_id_source = r.i_id_source AND i.v_schema_origin = "
			"r.v_schema_origin AND i.v_table_name = r.v_table_name)) FROM sch_chameleon.t_sources s WHERE "
			"s.i_id_source = $1::bigint",
			{id}) == "t";
	if (!complete)
		return;
	catalogue_exec(
		"DELETE FROM sch_chameleon.t_log_replica WHERE i_id_source = $1::bigint AND i_id_batch IN (SELECT "
		"i_id_batch FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1::bigint AND NOT b_replayed)",
		{id});
	catalogue_exec(
		"DELETE FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1::bigint AND NOT b_replayed", {id});
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_received r SET t_binlog_name = p.t_binlog_name, "
		"i_binlog_position = p.i_binlog_position, t_gtid_set = p.t_gtid_set, ts_last_received = NULL "
		"FROM (SELECT t_binlog_name, i_binlog_position, t_gtid_set FROM sch_chameleon.t_init_tables "
		"      WHERE i_id_source = $1::bigint ORDER BY t_binlog_name, i_binlog_position LIMIT 1) p "
		"WHERE r.i_id_source = $1::bigint",
		{id});
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = r.t_binlog_name, i_binlog_position = "
		"r.i_binlog_position, t_gtid_set = r.t_gtid_set FROM sch_chameleon.t_last_received r WHERE "
		"r.i_id_source = p.i_id_source AND p.i_id_source = $1::bigint",
		{id});
	catalogue_exec(
		"UPDATE sch_chameleon.t_sources s SET enm_status = CASE WHEN enm_status = 'error' THEN 'stopped' "
		"ELSE enm_status END, t_status_reason = NULL, ts_status_changed = clock_timestamp(), "
		"t_binlog_name = h.t_binlog_name, i_binlog_position = h.i_binlog_position, t_gtid_set = "
		"h.t_gtid_set, "
		"b_consistent = false FROM (SELECT t_binlog_name, i_binlog_position, t_gtid_set FROM "
		"sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint ORDER BY t_binlog_name DESC, "
		"i_binlog_position DESC LIMIT 1) h WHERE s.i_id_source = $1::bigint",
		{id});
	log_message("every table of the source was copied again: replication resumes from the copies");
}

// The copies of a sync replace their tables one by one; the tables are replicated again from
// their new consistent points. For refresh_schema, tables MySQL no longer has are dropped.
void
swap_tables_in(const Source &source, const SyncRequest &request) {
	run_transaction([&] {
		std::string id = id_text(source.id);
		std::vector<SqlRow> failed = catalogue_query(
			"SELECT v_schema_origin || '.' || v_table_name, coalesce(t_error, enm_state::text) "
			"FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint AND enm_state <> "
			"'copied' LIMIT 1",
			{id});
		if (!failed.empty())
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"sync_tables could not copy table \"" + *failed[0][0] + "\"", *failed[0][1],
						"Fix the cause and run chameleon.sync_tables() again.");
		spi_exec("SET LOCAL lock_timeout = " + core::quote_literal(source.config.lock_timeout));
		for (const SqlRow &row :
			 catalogue_query("SELECT v_schema_origin, v_table_name, v_schema_name, v_schema_loading, "
							 "jsb_layout::text FROM sch_chameleon.t_init_tables "
							 "WHERE i_id_source = $1::bigint",
							 {id})) {
			const std::string &origin = *row[0], &table = *row[1], &destination = *row[2], &loading = *row[3];
			if (loading != destination)
				move_table_in(source, table, loading, core::layout_from_json(*row[4]));
			// why and how often a replicated statement had the table copied again stays (doc/ddl.md)
			catalogue_exec(
				"WITH old AS (DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1::bigint AND "
				"v_schema_origin = $2 AND v_table_name = $3 RETURNING t_recopy_reason, i_recopies) "
				"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
				"v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, t_gtid_set, jsb_layout, "
				"t_recopy_reason, i_recopies) "
				"SELECT i_id_source, v_schema_origin, v_schema_name, v_table_name, "
				"ARRAY(SELECT jsonb_array_elements_text(jsb_layout -> 'key')), t_binlog_name, "
				"i_binlog_position, t_gtid_set, jsb_layout, (SELECT t_recopy_reason FROM old), "
				"coalesce((SELECT i_recopies FROM old), 0) FROM sch_chameleon.t_init_tables "
				"WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
				{id, origin, table});
		}
		if (!request.schema.empty())
			for (const SqlRow &row : catalogue_query(
					 "DELETE FROM sch_chameleon.t_replica_tables r WHERE i_id_source = $1::bigint AND "
					 "v_schema_origin = $2 AND NOT EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables i WHERE "
					 "i.i_id_source = r.i_id_source AND i.v_schema_origin = r.v_schema_origin AND "
					 "i.v_table_name = r.v_table_name) RETURNING v_schema_name, v_table_name",
					 {id, request.schema}))
				spi_exec("DROP TABLE IF EXISTS " + quote_ident(*row[0]) + "." +
						 quote_ident(core::pg_table_name(*row[1])));
		// a re-copy requested by the replay for a table MySQL no longer has: the replay must not wait
		catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_syncing = false, t_disabled_reason = "
					   "'MySQL no longer has the table: it was not copied again' WHERE i_id_source = "
					   "$1::bigint AND b_syncing AND NOT b_recopy_requested",
					   {id});
		const auto &mappings = source.config.schema_mappings;
		for (size_t m = 0; m < mappings.size(); m++)
			spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(loading_schema(source.id, m)) + " CASCADE");
		catalogue_exec("UPDATE sch_chameleon.t_sources SET jsb_sync_request = jsb_sync_request - 'error' "
					   "WHERE i_id_source = $1::bigint",
					   {id});
		restore_foreign_keys(source.id, false);
		resume_from_copies_if_complete(source.id);
	});
}

// Copies the queued tables with copy_parallel_jobs workers (this one included).
void
copy_with_helpers(const WorkerArgs &args, const Source &source, size_t table_count,
				  const std::function<void()> &finish) {
	set_slot_state(my_slot(), "copying");
	std::vector<BackgroundWorkerHandle *> helpers;
	try {
		int jobs = std::min<int>(source.config.copy_parallel_jobs, static_cast<int>(table_count));
		for (int job = 1; job < jobs; job++) {
			WorkerArgs copy_args = args;
			copy_args.role = WorkerRole::copy;
			copy_args.job = job;
			BackgroundWorkerHandle *handle = nullptr;
			start_worker(copy_args, &handle);
			helpers.push_back(handle);
		}
		copy_queued_tables(source);
		set_slot_state(my_slot(), "waiting for the copy jobs");
		for (BackgroundWorkerHandle *handle : helpers)
			wait_for_worker_exit(handle);
		helpers.clear();
		set_slot_state(my_slot(), "swapping the copies in");
		finish();
	} catch (...) {
		for (BackgroundWorkerHandle *handle : helpers)
			pg_call([&] { TerminateBackgroundWorker(handle); });
		for (BackgroundWorkerHandle *handle : helpers)
			pg_call([&] { return WaitForBackgroundWorkerShutdown(handle); });
		throw;
	}
}

// pgsql sources: the enum types, then the tables in the loading schemas, queued with the
// exported snapshot and their COPY statement; constraints and indexes come after the rows.
void
prepare_pgsql_tables(const Source &source, const pgsql::SourceSchema &schema, const std::string &snapshot) {
	LoadingSchemas created;
	create_loading_schemas(source, created);
	std::set<std::pair<size_t, int>> created_enums; // (mapping, enum)
	for (const pgsql::SourceTable &table : schema.tables) {
		size_t m = mapping_index(source.config, table.schema);
		for (const pgsql::SourceColumn &column : table.columns)
			if (column.enum_index >= 0 && created_enums.insert({m, column.enum_index}).second)
				spi_exec(pgsql::create_enum_statement(schema.enums[static_cast<size_t>(column.enum_index)],
													  loading_schema(source.id, m)));
	}
	for (const pgsql::SourceTable &table : schema.tables) {
		size_t m = mapping_index(source.config, table.schema);
		std::string loading = loading_schema(source.id, m);
		for (const std::string &statement : pgsql::create_table_statements(table, loading, schema.enums))
			spi_exec(statement);
		apply_fillfactor(source.config, table.schema, table.name, loading);
		core::TableLayout layout;
		layout.origin_schema = table.schema;
		layout.table = table.name;
		layout.destination_schema = source.config.schema_mappings[m].second;
		layout.destination_table = table.name;
		for (const std::string &name : pgsql::copied_columns(table)) {
			core::LayoutColumn column;
			column.mysql.name = name;
			layout.columns.push_back(column);
		}
		queue_table(source, layout, loading, table.estimated_rows, table.estimated_bytes);
		catalogue_exec(
			"UPDATE sch_chameleon.t_init_tables SET t_pg_snapshot = $4, t_pg_copy = $5 "
			"WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
			{id_text(source.id), table.schema, table.name, snapshot, pgsql::copy_out_statement(table)});
		for (const std::string &statement : pgsql::index_statements(table, loading))
			add_index_statement(source, table.schema, table.name, statement);
	}
}

// The foreign keys between copied tables, NOT VALID then validated (the copies share one
// snapshot, so they hold unless rows were discarded).
void
create_pgsql_foreign_keys(const Source &source, const pgsql::SourceSchema &schema) {
	auto copied = [&](const std::string &origin_schema, const std::string &name) {
		for (const pgsql::SourceTable &table : schema.tables)
			if (table.schema == origin_schema && table.name == name)
				return true;
		return false;
	};
	const auto &mappings = source.config.schema_mappings;
	for (const pgsql::SourceTable &table : schema.tables)
		for (const pgsql::SourceForeignKey &key : table.foreign_keys) {
			std::string described =
				"foreign key \"" + key.name + "\" of table \"" + table.schema + "." + table.name + "\"";
			if (!copied(key.referenced_schema, key.referenced_table)) {
				pg_call([&] {
					ereport(NOTICE,
							(errmsg("%s is not created: table \"%s.%s\" is not copied", described.c_str(),
									key.referenced_schema.c_str(), key.referenced_table.c_str())));
				});
				continue;
			}
			const std::string &destination = mappings[mapping_index(source.config, table.schema)].second;
			const std::string &referenced =
				mappings[mapping_index(source.config, key.referenced_schema)].second;
			spi_exec(pgsql::foreign_key_statement(table, key, destination, referenced));
			std::string error;
			if (!run_subtransaction(
					[&] {
						spi_exec("ALTER TABLE " + quote_ident(destination) + "." + quote_ident(table.name) +
								 " VALIDATE CONSTRAINT " + quote_ident(key.name));
					},
					&error))
				pg_call([&] {
					ereport(WARNING,
							(errmsg("%s does not hold for the copied rows: it stays NOT VALID",
									described.c_str()),
							 errdetail("%s", error.c_str()),
							 errhint("Look at chameleon.discarded_rows, fix the rows, then validate it.")));
				});
		}
}

// pgsql sources are copied, not replicated: the source is initialised and consistent.
void
swap_in_pgsql(const Source &source, const pgsql::SourceSchema &schema) {
	run_transaction([&] {
		require_all_copied(source);
		replace_destination_schemas(source);
		create_pgsql_foreign_keys(source, schema);
		catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1::bigint",
					   {id_text(source.id)});
		catalogue_exec(
			"UPDATE sch_chameleon.t_sources SET enm_status = 'initialised', t_status_reason = NULL, "
			"ts_status_changed = clock_timestamp(), b_consistent = true WHERE i_id_source = $1::bigint",
			{id_text(source.id)});
	});
}

// A pgsql source: every table is copied in the one snapshot this connection exports and keeps
// open until the copies are done.
void
run_pgsql_copy(const WorkerArgs &args, const Source &source) {
	if (source.config.keep_existing_schema)
		throw Error(sqlstate::feature_not_supported,
					"keep_existing_schema is not supported for pgsql sources", "",
					"Set keep_existing_schema: false for source \"" + source.name + "\".");
	set_slot_state(my_slot(), "reading the table list");
	pgsql::Connection exporter(pgsql_params(source));
	exporter.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	std::string snapshot = *exporter.query("SELECT pg_catalog.pg_export_snapshot()").at(0).at(0);
	pgsql::SourceSchema schema =
		pgsql::read_schema(exporter, config::table_filter(source.config), origin_schemas(source.config));
	for (const std::string &notice : schema.notices)
		log_message("init_replica of source \"" + source.name + "\": " + notice);
	run_transaction([&] { prepare_pgsql_tables(source, schema, snapshot); });
	log_message("init_replica of source \"" + source.name + "\": " + std::to_string(schema.tables.size()) +
				" tables to copy with " + std::to_string(source.config.copy_parallel_jobs) + " jobs");
	copy_with_helpers(args, source, schema.tables.size(), [&] { swap_in_pgsql(source, schema); });
	exporter.execute("COMMIT");
	log_message("init_replica of source \"" + source.name + "\" is done");
}

void
run_full_copy(const WorkerArgs &args) {
	Source source;
	run_transaction([&] {
		source = read_source(args.source_id);
		claim_source(source.id);
	});
	run_transaction([&] { check_destination_schemas(source); });
	if (source.config.type == "pgsql") {
		run_pgsql_copy(args, source);
		return;
	}
	set_slot_state(my_slot(), "checking the server");
	require_prerequisites(source);

	set_slot_state(my_slot(), "reading the table list");
	std::vector<mysql::TableInfo> tables;
	{
		mysql::Connection connection(mysql::connection_params(source.config));
		tables = mysql::read_tables(connection, config::table_filter(source.config),
									origin_schemas(source.config));
	}
	run_transaction([&] { prepare_tables(source, tables); });
	log_message("init_replica of source \"" + source.name + "\": " + std::to_string(tables.size()) +
				" tables to copy with " + std::to_string(source.config.copy_parallel_jobs) + " jobs");
	// A source whose schemas hold no table yet (an application's new database, built while the
	// replica runs) starts at the server's position now.
	mysql::BinlogCoordinates empty_point;
	if (tables.empty()) {
		mysql::SnapshotSession session(mysql::connection_params(source.config));
		empty_point = session.begin_snapshot(true);
		session.commit();
	}
	copy_with_helpers(args, source, tables.size(), [&] { swap_in(source, empty_point); });
	log_message("init_replica of source \"" + source.name + "\" is done");
}

// sync_tables: the tables are marked syncing while they are copied (the replay waits at their
// first event: events after the copy's snapshot must reach the new copy), then each copy replaces
// its table with its new consistent point, from which the replay goes on.
void
run_sync(const WorkerArgs &args) {
	Source source;
	SyncRequest request;
	run_transaction([&] {
		source = read_source(args.source_id);
		request = read_sync_request(source.id, args.request);
		catalogue_exec("DELETE FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint",
					   {id_text(source.id)});
	});
	set_slot_state(my_slot(), "checking the server");
	require_prerequisites(source);
	set_slot_state(my_slot(), "reading the table list");
	std::vector<mysql::TableInfo> tables = tables_to_sync(source, request);
	run_transaction([&] {
		for (const mysql::TableInfo &table : tables)
			catalogue_exec(
				"UPDATE sch_chameleon.t_replica_tables SET b_replica_enabled = false, b_syncing = true, "
				"t_disabled_reason = CASE WHEN t_disabled_reason LIKE 're-copying: %' AND b_syncing THEN "
				"t_disabled_reason ELSE 'sync_tables is copying it' END, ts_disabled = clock_timestamp() "
				"WHERE i_id_source = $1::bigint AND v_schema_origin = $2 AND v_table_name = $3",
				{id_text(source.id), table.schema, table.name});
		prepare_tables(source, tables);
	});
	log_message("sync_tables of source \"" + source.name + "\": " + std::to_string(tables.size()) +
				" tables to copy");
	copy_with_helpers(args, source, tables.size(), [&] { swap_tables_in(source, request); });
	log_message("sync_tables of source \"" + source.name + "\" is done");
}

} // namespace

void
run_init_replica(const WorkerArgs &args) {
	if (args.job == sync_job)
		run_sync(args);
	else
		run_full_copy(args);
}

void
run_copy_job(const WorkerArgs &args) {
	Source source;
	run_transaction([&] { source = read_source(args.source_id); });
	set_slot_state(my_slot(), "copying");
	copy_queued_tables(source);
}

void
copy_schema(int64 source_id) {
	Source source = read_source(source_id);
	source.config.keep_existing_schema = false; // copy_schema creates every table
	check_destination_schemas(source);
	// It runs in the caller's transaction, from a SECURITY DEFINER function: what it creates and
	// drops, it does with the rights of the source's owner, as the workers do.
	RoleRights owner(source_owner(source.id), false);
	std::vector<mysql::TableInfo> tables;
	{
		mysql::Connection connection(mysql::connection_params(source.config));
		tables = mysql::read_tables(connection, config::table_filter(source.config),
									origin_schemas(source.config));
	}
	catalogue_exec("DELETE FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint",
				   {id_text(source.id)});
	prepare_tables(source, tables);
	for (const SqlRow &statement :
		 catalogue_query("SELECT unnest(t_index_statements) FROM sch_chameleon.t_init_tables "
						 "WHERE i_id_source = $1::bigint",
						 {id_text(source.id)}))
		spi_exec(*statement[0]);
	replace_destination_schemas(source);
	catalogue_exec("DELETE FROM sch_chameleon.t_init_tables WHERE i_id_source = $1::bigint",
				   {id_text(source.id)});
	pg_call([&] {
		ereport(NOTICE, (errmsg("copy_schema of source \"%s\" created %zu tables", source.name.c_str(),
								tables.size())));
	});
}

// After a failed or stopped sync the old copies stay; the tables wait, disabled, with the reason.
void
sync_ended(const WorkerArgs &args, const std::string &reason) {
	drop_loading_schemas(args.source_id, mapping_count(args.source_id));
	run_transaction([&] {
		restore_foreign_keys(args.source_id, true);
		catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET t_disabled_reason = $2, b_syncing = false "
					   "WHERE i_id_source = $1::bigint AND b_syncing",
					   {id_text(args.source_id), reason});
		catalogue_exec("UPDATE sch_chameleon.t_sources SET jsb_sync_request = jsb_sync_request || "
					   "jsonb_build_object('error', $2::text) WHERE i_id_source = $1::bigint",
					   {id_text(args.source_id), reason});
	});
}

void
init_worker_stopped(const WorkerArgs &args) {
	if (args.role != WorkerRole::init)
		return;
	if (args.job == sync_job) {
		sync_ended(args, "sync_tables was stopped before the copy was complete; run it again");
		return;
	}
	drop_loading_schemas(args.source_id, mapping_count(args.source_id));
	run_transaction([&] { restore_foreign_keys(args.source_id, true); });
	if (!status_before_init.empty())
		set_source_status(args.source_id, status_before_init.c_str(),
						  "init_replica was stopped before the copy was complete; nothing changed");
}

void
init_worker_failed(const WorkerArgs &args, const std::string &message) {
	if (args.role != WorkerRole::init)
		return;
	if (args.job == sync_job) {
		sync_ended(args, "sync_tables failed: " + message);
		return;
	}
	drop_loading_schemas(args.source_id, mapping_count(args.source_id));
	run_transaction([&] { restore_foreign_keys(args.source_id, true); });
	set_source_status(args.source_id, "error", message);
}

} // namespace chameleon::pg
