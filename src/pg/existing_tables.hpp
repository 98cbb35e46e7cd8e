// keep_existing_schema: the copy reloads PostgreSQL tables that already exist in place. Their
// definitions stay (column types, defaults, grants, views, triggers); their indexes and key
// constraints are dropped around the load and rebuilt; the foreign keys from and to them are
// set aside in t_saved_foreign_keys and re-created once the copy is in place.
#pragma once

#include "pg/pg_headers.hpp"

#include "core/table_layout.hpp"

#include <string>
#include <vector>

namespace chameleon::pg {

// An ordinary or partitioned table schema.table exists.
bool table_exists(const std::string &schema, const std::string &table);

// The layout with the column types of the existing table layout.destination_schema.table, which
// must have every MySQL column (by name); mysql_name names the MySQL table in the error.
core::TableLayout adopt_existing_table(core::TableLayout layout, const std::string &mysql_name);

// Records the foreign keys from and to schema.table in t_saved_foreign_keys and drops them.
void set_aside_foreign_keys(int64 source_id, const std::string &schema, const std::string &table);

// In the copy's transaction: drops the indexes and key constraints of schema.table and
// truncates it; returns the statements that rebuild them, to run after the load.
std::vector<std::string> empty_existing_table(const std::string &schema, const std::string &table);

// Re-creates the foreign keys set aside (NOT VALID); they are validated once the source is
// consistent, or at once with validate_now (after a failed copy).
void restore_foreign_keys(int64 source_id, bool validate_now);

} // namespace chameleon::pg
