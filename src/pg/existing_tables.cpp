// keep_existing_schema: reloading existing PostgreSQL tables in place (see existing_tables.hpp).
#include "pg/existing_tables.hpp"

#include "pg/spi.hpp"

#include "common/error.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"

#include <functional>

namespace chameleon::pg {

namespace {

using core::quote_ident;

std::string
qualified(const std::string &schema, const std::string &table) {
	return quote_ident(schema) + "." + quote_ident(table);
}

// Runs body with search_path = pg_catalog, so that format_type, pg_get_indexdef and
// pg_get_constraintdef qualify every name they print.
template <typename Body>
auto
with_qualified_names(Body body) {
	SqlValue saved = spi_value("SELECT current_setting('search_path')");
	spi_exec("SELECT set_config('search_path', 'pg_catalog', true)");
	auto result = body();
	spi_exec("SELECT set_config('search_path', $1, true)", {saved});
	return result;
}

} // namespace

bool
table_exists(const std::string &schema, const std::string &table) {
	return spi_value("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
					 "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
					 {schema, table}) != "0";
}

core::TableLayout
adopt_existing_table(core::TableLayout layout, const std::string &mysql_name) {
	std::string table = qualified(layout.destination_schema, layout.destination_table);
	std::vector<SqlRow> types = with_qualified_names([&] {
		return spi_query("SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull "
						 "FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 "
						 "AND NOT a.attisdropped",
						 {SqlParam::regclass(table)});
	});
	for (core::LayoutColumn &column : layout.columns) {
		const SqlRow *found = nullptr;
		for (const SqlRow &row : types)
			if (*row[0] == core::pg_column_name(column.mysql.name))
				found = &row;
		if (found == nullptr)
			throw Error(
				sqlstate::object_not_in_prerequisite_state,
				"table \"" + layout.destination_schema + "." + layout.destination_table +
					"\" has no column \"" + column.mysql.name + "\" of MySQL table \"" + mysql_name + "\"",
				"keep_existing_schema reloads the existing PostgreSQL tables, which need every column "
				"of their MySQL tables.",
				"Add the column to the PostgreSQL table, or set keep_existing_schema: false to let "
				"init_replica create the tables.");
		column.pg_type = *(*found)[1];
		column.nullable = *(*found)[2] == "t";
		column.enum_type.clear(); // the user's type, not one the replica owns
		column.identity = false;
	}
	return layout;
}

void
set_aside_foreign_keys(int64 source_id, const std::string &schema, const std::string &table) {
	std::vector<SqlRow> keys = with_qualified_names([&] {
		return catalogue_query(
			"INSERT INTO sch_chameleon.t_saved_foreign_keys (i_id_source, v_schema_name, v_table_name, "
			"v_constraint_name, t_definition, b_validated) "
			"SELECT $1, n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated "
			"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE k.contype = 'f' AND $2 IN (k.conrelid, k.confrelid) "
			"ON CONFLICT DO NOTHING RETURNING v_schema_name, v_table_name, v_constraint_name",
			{source_id, SqlParam::regclass(qualified(schema, table))});
	});
	for (const SqlRow &key : keys)
		spi_exec("ALTER TABLE " + qualified(*key[0], *key[1]) + " DROP CONSTRAINT " + quote_ident(*key[2]));
}

std::vector<std::string>
empty_existing_table(const std::string &schema, const std::string &table) {
	std::string name = qualified(schema, table);
	// Key constraints first (their indexes go with them), then the other indexes; rebuilt in
	// the same order.
	std::vector<SqlRow> objects = with_qualified_names([&] {
		return spi_query(
			"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', $1, k.conname), "
			"       format('ALTER TABLE %s ADD CONSTRAINT %I %s', $1, k.conname, "
			"pg_get_constraintdef(k.oid)), "
			"       k.contype = 'p' AS first, k.conname AS name "
			"FROM pg_constraint k WHERE k.conrelid = $2 AND k.contype IN ('p', 'u', 'x') "
			"UNION ALL "
			"SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), false, "
			"       NULL FROM pg_index i WHERE i.indrelid = $2 AND NOT EXISTS ("
			"  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid "
			"  AND k.contype IN ('p', 'u', 'x')) "
			"ORDER BY 3 DESC, 4 NULLS LAST, 2",
			{name, SqlParam::regclass(name)});
	});
	std::vector<std::string> rebuild;
	for (const SqlRow &object : objects) {
		spi_exec(*object[0]);
		rebuild.push_back(*object[1]);
	}
	spi_exec("TRUNCATE " + name);
	return rebuild;
}

void
restore_foreign_keys(int64 source_id, bool validate_now) {
	catalogue_exec("SELECT sch_chameleon.fn_restore_foreign_keys($1)", {source_id});
	if (validate_now)
		catalogue_exec("SELECT sch_chameleon.fn_validate_foreign_keys($1, true)", {source_id});
}

} // namespace chameleon::pg
