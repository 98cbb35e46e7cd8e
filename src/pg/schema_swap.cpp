// The end of init_replica and sync_tables: the copies, in loading schemas, replace the
// destination schemas or tables in one transaction, and the tables enter the catalogue with their
// consistent points. A failure before it leaves the destination untouched.
#include "pg/init_copy.hpp"

#include "pg/boundary.hpp"
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
move_table_in(const Source &source, const std::string &table, const std::string &loading,
			  const core::TableLayout &layout) {
	const std::string &destination = layout.destination_schema;
	std::vector<std::string> old_types;
	if (SqlValue old_layout = catalogue_value("SELECT jsb_layout::text FROM sch_chameleon.t_replica_tables "
											  "WHERE i_id_source = $1 AND v_schema_origin = $2 AND "
											  "v_table_name = $3 AND jsb_layout IS NOT NULL",
											  {source.id, layout.origin_schema, table}))
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

void
require_all_copied(const Source &source) {
	std::vector<SqlRow> failed =
		catalogue_query("SELECT v_schema_origin || '.' || v_table_name, coalesce(t_error, enm_state::text) "
						"FROM sch_chameleon.t_init_tables WHERE i_id_source = $1 AND enm_state <> 'copied' "
						"ORDER BY enm_state DESC LIMIT 1",
						{source.id});
	if (!failed.empty())
		throw Error(sqlstate::object_not_in_prerequisite_state,
					"init_replica could not copy table \"" + *failed[0][0] + "\"", *failed[0][1],
					"Fix the cause and run chameleon.init_replica() again.");
}

// After a sync that copied every replicated table again while the source does not replicate
// (resync_source, or sync_tables of every table), nothing before the copies' consistent points is
// needed: the reader resumes at the earliest of them, as after init_replica, and batches read
// before are dropped. This is the way back from a read position the MySQL server has purged.
void
resume_from_copies_if_complete(int64 source_id) {
	const int64 id = source_id;
	bool complete =
		catalogue_value(
			"SELECT NOT s.b_run_requested AND s.enm_status <> 'running' AND NOT EXISTS (SELECT 1 FROM "
			"sch_chameleon.t_replica_tables r WHERE r.i_id_source = s.i_id_source AND NOT EXISTS (SELECT 1 "
			"FROM sch_chameleon.t_init_tables i WHERE i.i_id_source = r.i_id_source AND i.v_schema_origin = "
			"r.v_schema_origin AND i.v_table_name = r.v_table_name)) FROM sch_chameleon.t_sources s WHERE "
			"s.i_id_source = $1",
			{id}) == "t";
	if (!complete)
		return;
	catalogue_exec("DELETE FROM sch_chameleon.t_log_replica WHERE i_id_source = $1 AND i_id_batch IN (SELECT "
				   "i_id_batch FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1 AND NOT b_replayed)",
				   {id});
	catalogue_exec("DELETE FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1 AND NOT b_replayed",
				   {id});
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_received r SET t_binlog_name = p.t_binlog_name, "
		"i_binlog_position = p.i_binlog_position, t_gtid_set = p.t_gtid_set, ts_last_received = NULL "
		"FROM (SELECT t_binlog_name, i_binlog_position, t_gtid_set FROM sch_chameleon.t_init_tables "
		"      WHERE i_id_source = $1 ORDER BY sch_chameleon.fn_binlog_order(t_binlog_name), "
		"i_binlog_position LIMIT 1) p "
		"WHERE r.i_id_source = $1",
		{id});
	catalogue_exec(
		"UPDATE sch_chameleon.t_last_replayed p SET t_binlog_name = r.t_binlog_name, i_binlog_position = "
		"r.i_binlog_position, t_gtid_set = r.t_gtid_set FROM sch_chameleon.t_last_received r WHERE "
		"r.i_id_source = p.i_id_source AND p.i_id_source = $1",
		{id});
	change_source_status(source_id, core::StatusChange::resynced);
	catalogue_exec(
		"UPDATE sch_chameleon.t_sources s SET t_binlog_name = h.t_binlog_name, i_binlog_position = "
		"h.i_binlog_position, t_gtid_set = h.t_gtid_set, b_consistent = false FROM (SELECT t_binlog_name, "
		"i_binlog_position, t_gtid_set FROM "
		"sch_chameleon.t_init_tables WHERE i_id_source = $1 ORDER BY "
		"sch_chameleon.fn_binlog_order(t_binlog_name) DESC, "
		"i_binlog_position DESC LIMIT 1) h WHERE s.i_id_source = $1",
		{id});
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
			for (const SqlRow &row :
				 catalogue_query("SELECT v_table_name, jsb_layout::text FROM sch_chameleon.t_init_tables "
								 "WHERE i_id_source = $1 AND v_schema_loading = $2",
								 {source.id, loading}))
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

// The copies replace the destination schemas; the tables enter the catalogue.
void
swap_in(const Source &source, const mysql::BinlogCoordinates &empty_point) {
	// The consistent points of the copies; with no table at all, the point read for the empty
	// source (replication starts there, and picks up the tables MySQL creates later).
	const std::string points =
		"(SELECT t_binlog_name, i_binlog_position, t_gtid_set FROM sch_chameleon.t_init_tables WHERE "
		"i_id_source = $1 UNION ALL SELECT $2, $3, nullif($4, '') WHERE $2 <> '' AND NOT "
		"EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables WHERE i_id_source = $1))";
	std::vector<SqlParam> point_params = {source.id, empty_point.file, empty_point.position,
										  empty_point.gtid_set};
	run_transaction([&] {
		require_all_copied(source);
		replace_destination_schemas(source);
		catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1", {source.id});
		catalogue_exec(
			"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
			"v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, t_gtid_set, jsb_layout) "
			"SELECT i_id_source, v_schema_origin, v_schema_name, v_table_name, "
			"ARRAY(SELECT jsonb_array_elements_text(jsb_layout -> 'key')), t_binlog_name, i_binlog_position, "
			"t_gtid_set, jsb_layout FROM sch_chameleon.t_init_tables WHERE i_id_source = $1",
			{source.id});
		restore_foreign_keys(source.id, false);
		// Replication starts at the earliest consistent point; the source is consistent once
		// replay passes the latest one (the high watermark).
		catalogue_exec(
			"UPDATE sch_chameleon.t_last_received r SET t_binlog_name = p.t_binlog_name, "
			"i_binlog_position = p.i_binlog_position, t_gtid_set = p.t_gtid_set, ts_last_received = NULL "
			"FROM (SELECT * FROM " +
				points +
				" x ORDER BY sch_chameleon.fn_binlog_order(t_binlog_name), i_binlog_position LIMIT 1) p "
				"WHERE r.i_id_source = $1",
			point_params);
		change_source_status(source.id, core::StatusChange::init_done);
		notify_state("init_done", source.id, "the initial copy is done");
		catalogue_exec(
			"UPDATE sch_chameleon.t_sources s SET t_binlog_name = h.t_binlog_name, "
			"i_binlog_position = h.i_binlog_position, t_gtid_set = h.t_gtid_set, b_consistent = false "
			"FROM (SELECT * FROM " +
				points +
				" x ORDER BY sch_chameleon.fn_binlog_order(t_binlog_name) DESC, i_binlog_position DESC LIMIT "
				"1) h "
				"WHERE s.i_id_source = $1",
			point_params);
	});
}

// The copies of a sync replace their tables one by one; the tables are replicated again from
// their new consistent points. For refresh_schema, tables MySQL no longer has are dropped.
void
swap_tables_in(const Source &source, const SyncRequest &request) {
	run_transaction([&] {
		const int64 id = source.id;
		std::vector<SqlRow> failed = catalogue_query(
			"SELECT v_schema_origin || '.' || v_table_name, coalesce(t_error, enm_state::text) "
			"FROM sch_chameleon.t_init_tables WHERE i_id_source = $1 AND enm_state <> "
			"'copied' LIMIT 1",
			{id});
		if (!failed.empty())
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"sync_tables could not copy table \"" + *failed[0][0] + "\"", *failed[0][1],
						"Fix the cause and run chameleon.sync_tables() again.");
		spi_exec("SET LOCAL lock_timeout = " + core::quote_literal(source.config.lock_timeout));
		citus::sequential_ddl();
		for (const SqlRow &row :
			 catalogue_query("SELECT v_schema_origin, v_table_name, v_schema_name, v_schema_loading, "
							 "jsb_layout::text FROM sch_chameleon.t_init_tables "
							 "WHERE i_id_source = $1",
							 {id})) {
			const std::string &origin = *row[0], &table = *row[1], &destination = *row[2], &loading = *row[3];
			if (loading != destination)
				move_table_in(source, table, loading, core::layout_from_json(*row[4]));
			// why and how often a replicated statement had the table copied again stays (doc/ddl.md)
			catalogue_exec(
				"WITH old AS (DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1 AND "
				"v_schema_origin = $2 AND v_table_name = $3 RETURNING t_recopy_reason, i_recopies) "
				"INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_origin, v_schema_name, "
				"v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, t_gtid_set, jsb_layout, "
				"t_recopy_reason, i_recopies) "
				"SELECT i_id_source, v_schema_origin, v_schema_name, v_table_name, "
				"ARRAY(SELECT jsonb_array_elements_text(jsb_layout -> 'key')), t_binlog_name, "
				"i_binlog_position, t_gtid_set, jsb_layout, (SELECT t_recopy_reason FROM old), "
				"coalesce((SELECT i_recopies FROM old), 0) FROM sch_chameleon.t_init_tables "
				"WHERE i_id_source = $1 AND v_schema_origin = $2 AND v_table_name = $3",
				{id, origin, table});
		}
		if (!request.schema.empty())
			for (const SqlRow &row : catalogue_query(
					 "DELETE FROM sch_chameleon.t_replica_tables r WHERE i_id_source = $1 AND "
					 "v_schema_origin = $2 AND NOT EXISTS (SELECT 1 FROM sch_chameleon.t_init_tables i WHERE "
					 "i.i_id_source = r.i_id_source AND i.v_schema_origin = r.v_schema_origin AND "
					 "i.v_table_name = r.v_table_name) RETURNING v_schema_name, v_table_name",
					 {id, request.schema}))
				spi_exec("DROP TABLE IF EXISTS " + quote_ident(*row[0]) + "." +
						 quote_ident(core::pg_table_name(*row[1])));
		// a re-copy requested by the replay for a table MySQL no longer has: the replay must not wait
		catalogue_exec("UPDATE sch_chameleon.t_replica_tables SET b_syncing = false, t_disabled_reason = "
					   "'MySQL no longer has the table: it was not copied again' WHERE i_id_source = "
					   "$1 AND b_syncing AND NOT b_recopy_requested",
					   {id});
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
		catalogue_exec("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1", {source.id});
		change_source_status(source.id, core::StatusChange::init_done);
		notify_state("init_done", source.id, "the initial copy is done");
		catalogue_exec("UPDATE sch_chameleon.t_sources SET b_consistent = true WHERE i_id_source = $1",
					   {source.id});
	});
}

} // namespace chameleon::pg::init
