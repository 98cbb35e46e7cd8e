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
#include "pg/init_copy.hpp"

#include "pg/boundary.hpp"
#include "pg/citus.hpp"
#include "pg/existing_tables.hpp"
#include "pg/maintenance.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/worker_slots.hpp"

#include "common/error.hpp"
#include "config/source_config.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"
#include "core/table_filter.hpp"
#include "ddl/translator.hpp"
#include "mysql/schema_layout.hpp"
#include "mysql/schema_reader.hpp"
#include "mysql/server_checks.hpp"
#include "mysql/snapshot.hpp"
#include "mysql/source_params.hpp"
#include "pgsql/catalog_reader.hpp"
#include "pgsql/source_params.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

namespace chameleon::pg::init {

std::vector<std::string>
origin_schemas(const config::SourceConfig &config) {
	std::vector<std::string> schemas;
	for (const auto &mapping : config.schema_mappings)
		schemas.push_back(mapping.first);
	return schemas;
}

pgsql::ConnectionParams
pgsql_params(const Source &source) {
	pgsql::ConnectionParams params =
		pgsql::connection_params(source.config, pg_call([] { return GetDatabaseEncodingName(); }));
	params.require_password = source.password_required;
	return params;
}

std::string
loading_schema(int64 source_id, size_t mapping_index) {
	return "_chameleon_load_" + std::to_string(source_id) + "_" + std::to_string(mapping_index);
}

size_t
mapping_index(const config::SourceConfig &config, const std::string &origin_schema) {
	size_t m = 0;
	while (m < config.schema_mappings.size() && config.schema_mappings[m].first != origin_schema)
		m++;
	return m;
}

void
check_destination_schemas(const Source &source) {
	catalogue_exec("SELECT sch_chameleon.fn_check_destination_schemas(t_source, jsb_config || "
				   "jsonb_build_object('keep_existing_schema', $2), rol_owner) "
				   "FROM sch_chameleon.t_sources WHERE i_id_source = $1",
				   {source.id, source.config.keep_existing_schema});
}

core::MapContext
map_context(const Source &source, const std::string &origin_schema, const std::string &table,
			const std::string &destination, bool postgis) {
	core::MapContext context;
	context.origin_schema = origin_schema;
	context.table = table;
	context.destination_schema = destination;
	context.postgis_available = postgis;
	context.zero_dates = source.config.zero_dates;
	for (const config::TypeOverride &override : source.config.type_override)
		context.type_overrides.push_back({override.column_type, override.override_to, override.tables});
	return context;
}

namespace {

using core::quote_ident;

void
log_notice(const char *what, const std::string &source, const std::string &notice) {
	pg_call([&] { ereport(LOG, (errmsg("%s of source \"%s\": %s", what, source.c_str(), notice.c_str()))); });
}

void
log_tables_to_copy(const char *what, const Source &source, size_t tables) {
	pg_call([&] {
		ereport(LOG, (errmsg("%s of source \"%s\": %zu tables to copy with %d jobs", what,
							 source.name.c_str(), tables, source.config.copy_parallel_jobs)));
	});
}

void
log_done(const char *what, const std::string &source) {
	pg_call([&] { ereport(LOG, (errmsg("%s of source \"%s\" is done", what, source.c_str()))); });
}

// Takes the request out of its shared memory segment (and releases the segment), records it in
// t_sources.jsb_sync_request, and reads it.
SyncRequest
read_sync_request(int64 source_id, dsm_handle handle) {
	SyncRequest request;
	const int64 id = source_id;
	char *text = pg_call([&] {
		dsm_segment *segment = dsm_attach(handle);
		if (segment == nullptr)
			ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							errmsg("the sync_tables request is gone"),
							errhint("Run chameleon.sync_tables() again.")));
		char *copy = pstrdup(static_cast<const char *>(dsm_segment_address(segment)));
		dsm_unpin_segment(handle);
		dsm_detach(segment);
		return copy;
	});
	catalogue_exec("UPDATE sch_chameleon.t_sources SET jsb_sync_request = $2 WHERE i_id_source = $1",
				   {id, SqlParam::jsonb(std::string(text))});
	request.schema =
		catalogue_value("SELECT coalesce(jsb_sync_request ->> 'schema', '') FROM sch_chameleon.t_sources "
						"WHERE i_id_source = $1",
						{id})
			.value_or("");
	for (const SqlRow &row : catalogue_query("SELECT t ->> 0, t ->> 1 FROM sch_chameleon.t_sources, "
											 "jsonb_array_elements(jsb_sync_request -> 'tables') t "
											 "WHERE i_id_source = $1",
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

// The status before init_replica claimed the source: a stopped copy changes nothing, so the
// source returns to it.
std::optional<core::SourceStatus> status_before_init;

// Claims the source for the copy: the status becomes initialising unless another process got
// there first or the source is replicating.
void
claim_source(int64 source_id) {
	status_before_init = change_source_status(source_id, core::StatusChange::init_started);
	if (!status_before_init)
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"the source is already being copied or replicated", "",
					"Look at chameleon.show_status() for its state.");
	clear_init_queue(source_id);
}

core::TableLayout
final_layout(const Source &source, const mysql::TableInfo &table, const std::string &destination,
			 bool postgis) {
	return mysql::map_table(table, map_context(source, table.schema, table.name, destination, postgis))
		.layout;
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

// keep_existing_schema: the table is loaded where it is, with the types it has; the foreign keys
// that involve it are set aside until the copy is in place.
void
queue_existing_table(const Source &source, const mysql::TableInfo &table, const core::TableLayout &layout) {
	core::TableLayout adopted = adopt_existing_table(layout, table.schema + "." + table.name);
	set_aside_foreign_keys(source.id, adopted.destination_schema, adopted.destination_table);
	queue_table(source.id, adopted, adopted.destination_schema, static_cast<int64_t>(table.estimated_rows),
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
	citus::require_for(source.config);
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
		core::TableLayout layout = final_layout(source, table, destination, postgis);
		citus::check_table(source.config, layout); // before any copy: a refused table fails the init
		create_loading_schema(source, m, created);
		std::string loading = loading_schema(source.id, m);
		mysql::MappedTable for_loading =
			mysql::map_table(table, map_context(source, table.schema, table.name, loading, postgis));
		for (const std::string &notice : for_loading.notices)
			log_notice("init_replica", source.name, notice);
		ddl::TableDefinition definition =
			ddl::table_definition(for_loading.layout, for_loading.columns, table.comment, true);
		for (const auto *part : {&definition.create, &definition.comments})
			for (const std::string &statement : *part)
				spi_exec(statement);
		apply_fillfactor(source.config, table.schema, table.name, loading);
		queue_table(source.id, layout, loading, static_cast<int64_t>(table.estimated_rows),
					static_cast<int64_t>(table.data_length));
		for (const std::string &statement : definition.indexes)
			add_index_statement(source.id, table.schema, table.name, statement);
	}
}

size_t
mapping_count(int64 source_id) {
	size_t count = 0;
	run_transaction([&] { count = load_source(source_id).config.schema_mappings.size(); });
	return count;
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
		queue_table(source.id, layout, loading, table.estimated_rows, table.estimated_bytes);
		set_pgsql_copy(source.id, table.schema, table.name, snapshot, pgsql::copy_out_statement(table));
		for (const std::string &statement : pgsql::index_statements(table, loading))
			add_index_statement(source.id, table.schema, table.name, statement);
	}
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
		log_notice("init_replica", source.name, notice);
	run_transaction([&] { prepare_pgsql_tables(source, schema, snapshot); });
	log_tables_to_copy("init_replica", source, schema.tables.size());
	copy_with_helpers(args, source, schema.tables.size(), [&] { swap_in_pgsql(source, schema); });
	exporter.execute("COMMIT");
	log_done("init_replica", source.name);
}

void
run_full_copy(const WorkerArgs &args) {
	Source source;
	run_transaction([&] {
		source = load_source(args.source_id);
		claim_source(source.id);
	});
	run_transaction([&] { check_destination_schemas(source); });
	if (source.config.type == config::SourceType::pgsql) {
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
	log_tables_to_copy("init_replica", source, tables.size());
	// A source whose schemas hold no table yet (an application's new database, built while the
	// replica runs) starts at the server's position now.
	mysql::BinlogCoordinates empty_point;
	if (tables.empty()) {
		mysql::SnapshotSession session(mysql::connection_params(source.config));
		empty_point = session.begin_snapshot(true);
		session.commit();
	}
	copy_with_helpers(args, source, tables.size(), [&] { swap_in(source, empty_point); });
	log_done("init_replica", source.name);
}

// sync_tables: the tables are marked syncing while they are copied (the replay waits at their
// first event: events after the copy's snapshot must reach the new copy), then each copy replaces
// its table with its new consistent point, from which the replay goes on.
void
run_sync(const WorkerArgs &args) {
	Source source;
	SyncRequest request;
	run_transaction([&] {
		source = load_source(args.source_id);
		request = read_sync_request(source.id, args.request);
		clear_init_queue(source.id);
	});
	set_slot_state(my_slot(), "checking the server");
	require_prerequisites(source);
	set_slot_state(my_slot(), "reading the table list");
	std::vector<mysql::TableInfo> tables = tables_to_sync(source, request);
	run_transaction([&] {
		for (const mysql::TableInfo &table : tables)
			start_table_sync(source.id, table.schema, table.name);
		prepare_tables(source, tables);
	});
	log_tables_to_copy("sync_tables", source, tables.size());
	copy_with_helpers(args, source, tables.size(), [&] { swap_tables_in(source, request); });
	log_done("sync_tables", source.name);
}

} // namespace

} // namespace chameleon::pg::init

namespace chameleon::pg {

using namespace init;

void
run_init_replica(const WorkerArgs &args) {
	if (args.job == sync_job)
		run_sync(args);
	else
		run_full_copy(args);
}

void
copy_schema(int64 source_id) {
	Source source = load_source(source_id);
	source.config.keep_existing_schema = false; // copy_schema creates every table
	check_destination_schemas(source);
	// It runs in the caller's transaction, from a SECURITY DEFINER function: what it creates and
	// drops, it does with the rights of the source's owner, as the workers do.
	RoleRights owner(source.owner, false);
	std::vector<mysql::TableInfo> tables;
	{
		mysql::Connection connection(mysql::connection_params(source.config));
		tables = mysql::read_tables(connection, config::table_filter(source.config),
									origin_schemas(source.config));
	}
	clear_init_queue(source.id);
	prepare_tables(source, tables);
	std::vector<QueuedTable> queued = queued_tables(source.id);
	for (const QueuedTable &table : queued)
		for (const std::string &statement : table.index_statements)
			spi_exec(statement);
	for (const QueuedTable &table : queued)
		citus::distribute(source.config, table.layout, table.loading_schema);
	replace_destination_schemas(source);
	clear_init_queue(source.id);
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
		end_table_syncs(args.source_id, reason);
		catalogue_exec("UPDATE sch_chameleon.t_sources SET jsb_sync_request = jsb_sync_request || "
					   "jsonb_build_object('error', $2) WHERE i_id_source = $1",
					   {args.source_id, reason});
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
	if (status_before_init)
		run_transaction([&] {
			change_source_status(args.source_id, core::StatusChange::init_stopped,
								 "init_replica was stopped before the copy was complete; nothing changed",
								 status_before_init);
		});
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
	run_transaction([&] { change_source_status(args.source_id, core::StatusChange::init_failed, message); });
	run_transaction([&] { notify_state("init_failed", args.source_id, message); });
}

} // namespace chameleon::pg
