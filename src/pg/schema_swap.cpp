// The end of init_replica and sync_tables: the copies, in loading schemas, replace the
// destination schemas or tables in one transaction, and the tables enter the catalogue with their
// consistent points. A failure before it leaves the destination untouched.
#include "pg/init_copy.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue_batches.hpp"
#include "pg/citus.hpp"
#include "pg/existing_tables.hpp"
#include "pg/maintenance.hpp"
#include "pg/spi.hpp"

#include "common/error.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"

namespace chameleon::pg::init {

namespace {

using core::quote_ident;

bool
schema_exists(const std::string &schema) {
	return spi_value("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1",
					 {schema}) != "0";
}

// A destination schema this source created: init_replica may replace it later.
void
record_created_schema(const Source &source, const std::string &schema) {
	catalogue_exec("INSERT INTO sch_chameleon.t_source_schemas (i_id_source, v_schema_name) "
				   "VALUES ($1, $2) ON CONFLICT DO NOTHING",
				   {source.id, schema});
}

// Moves a copied table (and the enum types it owns) from its loading schema to its destination,
// in place of the table of the same name and its enum types.
void
move_table_in(const Source &source, const QueuedTable &queued) {
	const std::string &destination = queued.destination_schema;
	const std::string &loading = queued.loading_schema;
	const core::TableLayout &layout = queued.layout;
	std::vector<std::string> old_types;
	std::optional<ReplicaTable> old = replica_table(source.id, queued.origin_schema, queued.table);
	if (old && old->layout_json)
		old_types = core::owned_enum_types(core::layout_from_json(*old->layout_json));
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

void
require_all_copied(const Source &source) {
	if (std::optional<std::pair<std::string, std::string>> failed = uncopied_table(source.id))
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"init_replica could not copy table \"" + failed->first + "\"", failed->second,
					"Fix the cause and run chameleon.init_replica() again.");
}

// After a sync that copied every replicated table again while the source does not replicate
// (resync_source, or sync_tables of every table), nothing before the copies' consistent points is
// needed: the reader resumes at the earliest of them, as after init_replica, and batches read
// before are dropped. This is the way back from a read position the MySQL server has purged.
void
resume_from_copies_if_complete(int64 source_id) {
	const int64 id = source_id;
	if (!sync_copied_every_table(id))
		return;
	drop_unreplayed_batches(id);
	start_at_copy_points(id);
	replayed_up_to_received(id);
	change_source_status(source_id, core::StatusChange::resynced);
	pg_call([] {
		ereport(LOG,
				(errmsg("every table of the source was copied again: replication resumes from the copies")));
	});
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

} // namespace

void
drop_loading_schemas(int64 source_id, size_t mappings) {
	run_transaction([&] {
		for (size_t m = 0; m < mappings; m++)
			spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(loading_schema(source_id, m)) + " CASCADE");
	});
}

// The loading schemas replace the destination schemas (with keep_existing_schema, the tables
// created in them join the existing ones).
void
replace_destination_schemas(const Source &source) {
	// Checked again in the transaction that drops them: schemas change between add_source and now.
	check_destination_schemas(source);
	spi_exec("SET LOCAL lock_timeout = " + core::quote_literal(source.config.lock_timeout));
	citus::sequential_ddl();
	const auto &mappings = source.config.schema_mappings;
	for (size_t m = 0; m < mappings.size(); m++) {
		const std::string &destination = mappings[m].second;
		std::string loading = loading_schema(source.id, m);
		if (source.config.keep_existing_schema) {
			if (!schema_exists(destination)) {
				spi_exec("CREATE SCHEMA " + quote_ident(destination));
				record_created_schema(source, destination);
			}
			for (const QueuedTable &queued : queued_tables(source.id, loading))
				move_table_in(source, queued);
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

// The copies replace the destination schemas; the tables enter the catalogue.
void
swap_in(const Source &source, const mysql::BinlogCoordinates &empty_point) {
	run_transaction([&] {
		require_all_copied(source);
		replace_destination_schemas(source);
		register_copied_tables(source.id);
		restore_foreign_keys(source.id, false);
		// Replication starts at the earliest consistent point; the source is consistent once
		// replay passes the latest one (the high watermark). With no table at all, both are the
		// point read for the empty source (replication starts there, and picks up the tables MySQL
		// creates later).
		start_at_copy_points(source.id, empty_point);
		change_source_status(source.id, core::StatusChange::init_done);
		notify_state("init_done", source.id, "the initial copy is done");
	});
}

// The copies of a sync replace their tables one by one; the tables are replicated again from
// their new consistent points. For refresh_schema, tables MySQL no longer has are dropped.
void
swap_tables_in(const Source &source, const SyncRequest &request) {
	run_transaction([&] {
		const int64 id = source.id;
		if (std::optional<std::pair<std::string, std::string>> failed = uncopied_table(id))
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"sync_tables could not copy table \"" + failed->first + "\"", failed->second,
						"Fix the cause and run chameleon.sync_tables() again.");
		spi_exec("SET LOCAL lock_timeout = " + core::quote_literal(source.config.lock_timeout));
		citus::sequential_ddl();
		for (const QueuedTable &queued : queued_tables(id)) {
			if (!queued.in_place())
				move_table_in(source, queued);
			// why and how often a replicated statement had the table copied again stays (doc/ddl.md)
			register_copied_table(id, queued.origin_schema, queued.table);
		}
		if (!request.schema.empty())
			for (const auto &[schema, table] : unregister_uncopied_tables(id, request.schema))
				spi_exec("DROP TABLE IF EXISTS " + quote_ident(schema) + "." +
						 quote_ident(core::pg_table_name(table)));
		// a re-copy requested by the replay for a table MySQL no longer has: the replay must not wait
		release_uncopied_syncs(id);
		const auto &mappings = source.config.schema_mappings;
		for (size_t m = 0; m < mappings.size(); m++)
			spi_exec("DROP SCHEMA IF EXISTS " + quote_ident(loading_schema(source.id, m)) + " CASCADE");
		catalogue_exec("UPDATE sch_chameleon.t_sources SET jsb_sync_request = jsb_sync_request - 'error' "
					   "WHERE i_id_source = $1",
					   {id});
		restore_foreign_keys(source.id, false);
		resume_from_copies_if_complete(source.id);
	});
}

// pgsql sources are copied, not replicated: the source is initialised and consistent.
void
swap_in_pgsql(const Source &source, const pgsql::SourceSchema &schema) {
	run_transaction([&] {
		require_all_copied(source);
		replace_destination_schemas(source);
		create_pgsql_foreign_keys(source, schema);
		unregister_tables(source.id);
		change_source_status(source.id, core::StatusChange::init_done);
		notify_state("init_done", source.id, "the initial copy is done");
		catalogue_exec("UPDATE sch_chameleon.t_sources SET b_consistent = true WHERE i_id_source = $1",
					   {source.id});
	});
}

} // namespace chameleon::pg::init
