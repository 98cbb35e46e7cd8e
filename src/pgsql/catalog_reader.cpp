// Reads the tables of a PostgreSQL source (see catalog_reader.hpp). Every name the catalogue
// functions print is schema-qualified: the session's search_path is emptied first.
#include "pgsql/catalog_reader.hpp"

#include "common/error.hpp"

#include <map>
#include <set>

namespace chameleon::pgsql {

namespace {

std::string
text(const Value &value) {
	return value.value_or("");
}

std::string
rule(const std::string &code) {
	if (code == "r")
		return "RESTRICT";
	if (code == "c")
		return "CASCADE";
	if (code == "n")
		return "SET NULL";
	if (code == "d")
		return "SET DEFAULT";
	return "NO ACTION";
}

void
read_columns(Connection &connection, SourceTable &table, const std::string &oid, SourceSchema &schema,
			 std::map<std::string, int> &enum_by_oid) {
	for (const Row &row : connection.query(
			 "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
			 "  pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '' OR pg_get_serial_sequence($2, "
			 "a.attname) "
			 "  IS NOT NULL, CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END, "
			 "  col_description(a.attrelid, a.attnum), "
			 "  CASE WHEN t.typtype = 'e' THEN t.oid WHEN e.typtype = 'e' THEN e.oid END, e.oid IS NOT NULL, "
			 "  t.typtype, CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, "
			 "  coalesce(e.typtype, '') "
			 "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
			 "LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A' "
			 "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
			 "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
			 {oid, table.qualified_name})) {
		SourceColumn column;
		column.name = text(row[0]);
		column.type = text(row[1]);
		column.not_null = text(row[2]) == "t";
		column.identity = text(row[4]) == "t";
		column.generated = text(row[5]);
		column.comment = text(row[6]);
		if (!column.identity && column.generated.empty() && row[3]) {
			if (row[3]->find("nextval(") != std::string::npos)
				schema.notices.push_back("the default of column \"" + table.schema + "." + table.name + "." +
										 column.name +
										 "\" uses a sequence the column does not own: not copied");
			else
				column.default_expression = row[3];
		}
		std::string type_kind = text(row[9]), element_kind = text(row[11]);
		if (row[7]) {
			auto found = enum_by_oid.find(*row[7]);
			if (found == enum_by_oid.end()) {
				std::vector<Row> type = connection.query(
					"SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text "
					"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
					"JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.oid = $1::oid GROUP BY 1, 2",
					{row[7]});
				SourceEnum source_enum;
				source_enum.schema = text(type.at(0)[0]);
				source_enum.name = text(type.at(0)[1]);
				source_enum.labels = parse_text_array(text(type.at(0)[2]));
				found = enum_by_oid.emplace(*row[7], static_cast<int>(schema.enums.size())).first;
				schema.enums.push_back(std::move(source_enum));
			}
			column.enum_index = found->second;
			column.enum_array = text(row[8]) == "t";
		} else if (type_kind == "d") {
			column.type = text(row[10]);
			schema.notices.push_back("column \"" + table.schema + "." + table.name + "." + column.name +
									 "\" has a domain type: created with its base type " + column.type +
									 ", without the domain's constraints");
		} else if (type_kind == "c" || element_kind == "c" || element_kind == "d") {
			throw Error(sqlstate::feature_not_supported,
						"column \"" + table.schema + "." + table.name + "." + column.name + "\" has type " +
							text(row[1]) + ", which init_replica cannot carry over",
						"Composite types, and arrays of composite or domain types, are not copied.",
						"Add the table to skip_tables, or change the column to a built-in type.");
		}
		table.columns.push_back(std::move(column));
	}
}

void
read_keys_and_indexes(Connection &connection, SourceTable &table, const std::string &oid) {
	for (const Row &row : connection.query("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
										   "WHERE conrelid = $1::oid AND contype IN ('p', 'u', 'x', 'c') "
										   "AND conislocal ORDER BY contype <> 'p', conname",
										   {oid}))
		table.constraints.push_back({text(row[0]), text(row[1])});
	for (const Row &row :
		 connection.query("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
						  "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::oid "
						  "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
						  "i.indexrelid AND k.conrelid = i.indrelid) ORDER BY c.relname",
						  {oid}))
		table.indexes.push_back(text(row[0]));
	for (const Row &row : connection.query(
			 "SELECT k.conname, "
			 "  ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a "
			 "        ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text, "
			 "  rn.nspname, rc.relname, "
			 "  ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a "
			 "        ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)::text, "
			 "  k.confupdtype, k.confdeltype, k.confmatchtype = 'f', k.condeferrable, k.condeferred "
			 "FROM pg_constraint k JOIN pg_class rc ON rc.oid = k.confrelid "
			 "JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
			 "WHERE k.conrelid = $1::oid AND k.contype = 'f' AND k.conislocal ORDER BY k.conname",
			 {oid})) {
		SourceForeignKey key;
		key.name = text(row[0]);
		key.columns = parse_text_array(text(row[1]));
		key.referenced_schema = text(row[2]);
		key.referenced_table = text(row[3]);
		key.referenced_columns = parse_text_array(text(row[4]));
		key.on_update = rule(text(row[5]));
		key.on_delete = rule(text(row[6]));
		key.match_full = text(row[7]) == "t";
		key.deferrable = text(row[8]) == "t";
		key.initially_deferred = text(row[9]) == "t";
		table.foreign_keys.push_back(std::move(key));
	}
}

// Enum types keep their names, unless two of them would share a name in one destination schema.
void
name_enums(SourceSchema &schema) {
	for (SourceEnum &type : schema.enums)
		type.destination_name = type.name;
	std::set<std::string> schemas;
	for (const SourceTable &table : schema.tables)
		schemas.insert(table.schema);
	for (const std::string &name : schemas) {
		std::map<std::string, int> used; // destination name -> enum, in this destination schema
		for (const SourceTable &table : schema.tables)
			for (const SourceColumn &column : table.columns)
				if (table.schema == name && column.enum_index >= 0) {
					SourceEnum &type = schema.enums[static_cast<size_t>(column.enum_index)];
					auto [at, inserted] = used.emplace(type.destination_name, column.enum_index);
					if (!inserted && at->second != column.enum_index)
						type.destination_name = type.schema + "_" + type.name;
				}
	}
}

} // namespace

SourceSchema
read_schema(Connection &connection, const core::TableFilter &filter,
			const std::vector<std::string> &schemas) {
	connection.execute("SELECT pg_catalog.set_config('search_path', '', false)");
	SourceSchema schema;
	std::map<std::string, int> enum_by_oid;
	for (const std::string &name : schemas) {
		std::vector<Row> tables = connection.query(
			"SELECT c.oid, n.nspname, c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
			"  c.relkind = 'p', coalesce(obj_description(c.oid, 'pg_class'), ''), "
			"  greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid) "
			"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname",
			{name});
		if (tables.empty() &&
			connection.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", {name}).empty())
			throw Error(
				sqlstate::undefined_object,
				"schema \"" + name + "\" of \"schema_mappings\" does not exist in the PostgreSQL source at " +
					connection.describe(),
				"", "Fix schema_mappings of the source: its keys are schemas of the source database.");
		for (const Row &row : tables) {
			if (!filter.replicates_table(text(row[1]), text(row[2])))
				continue;
			SourceTable table;
			table.schema = text(row[1]);
			table.name = text(row[2]);
			table.qualified_name = text(row[3]);
			table.partitioned = text(row[4]) == "t";
			table.comment = text(row[5]);
			table.estimated_rows = std::stoll(text(row[6]));
			table.estimated_bytes = std::stoll(text(row[7]));
			read_columns(connection, table, text(row[0]), schema, enum_by_oid);
			read_keys_and_indexes(connection, table, text(row[0]));
			schema.tables.push_back(std::move(table));
		}
	}
	name_enums(schema);
	return schema;
}

} // namespace chameleon::pgsql
