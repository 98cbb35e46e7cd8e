// What the three parts of an init worker share: the coordinator (init_replica.cpp), the copy
// job (copy_job.cpp) and the schema swap (schema_swap.cpp).
#pragma once

#include "pg/catalogue.hpp"
#include "pg/catalogue_tables.hpp"

#include "core/table_layout.hpp"
#include "mysql/snapshot.hpp"
#include "pgsql/catalog_reader.hpp"
#include "pgsql/connection.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace chameleon::pg::init {

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

std::vector<std::string> origin_schemas(const config::SourceConfig &config);

// The connection to a pgsql source; values travel in the encoding of this database.
pgsql::ConnectionParams pgsql_params(const Source &source);

// The loading schema of the n-th mapping: short, unique per source, never a user's name.
std::string loading_schema(int64 source_id, size_t mapping_index);

// The index of the mapping of origin_schema in the configuration.
size_t mapping_index(const config::SourceConfig &config, const std::string &origin_schema);

// The type map's context for one table of the source (its type_override and zero_dates).
core::MapContext map_context(const Source &source, const std::string &origin_schema, const std::string &table,
							 const std::string &destination, bool postgis);

// Refuses the destination schemas the source may not use or replace, naming each and the fix
// (sch_chameleon.fn_check_destination_schemas: system schemas, the extension's own, public, and a
// schema this source did not create unless keep_existing_schema is set and the owner owns it).
void check_destination_schemas(const Source &source);

// copy_job.cpp: copies queued tables until none is left (or one failed).
void copy_queued_tables(const Source &source);

// schema_swap.cpp
void drop_loading_schemas(int64 source_id, size_t mappings);
// The loading schemas replace the destination schemas (with keep_existing_schema, the tables
// created in them join the existing ones).
void replace_destination_schemas(const Source &source);
// The copies replace the destination schemas; the tables enter the catalogue; the source is
// initialised.
void swap_in(const Source &source, const mysql::BinlogCoordinates &empty_point);
// The copies of a sync replace their tables one by one; the tables are replicated again from
// their new consistent points. For refresh_schema, tables MySQL no longer has are dropped.
void swap_tables_in(const Source &source, const SyncRequest &request);
// pgsql sources are copied, not replicated: the source is initialised and consistent.
void swap_in_pgsql(const Source &source, const pgsql::SourceSchema &schema);

} // namespace chameleon::pg::init
