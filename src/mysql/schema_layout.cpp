// The PostgreSQL side of a MySQL table read from information_schema (see schema_layout.hpp).
#include "mysql/schema_layout.hpp"

#include "common/error.hpp"
#include "core/pg_names.hpp"
#include "ddl/translator.hpp"

namespace chameleon::mysql {

namespace {

core::LayoutIndex
map_index(const TableInfo &table, const IndexInfo &index, std::vector<std::string> &notices) {
	core::LayoutIndex mapped;
	mapped.mysql_name = index.primary ? "PRIMARY" : index.name;
	mapped.kind = index.primary	 ? core::IndexKind::primary
				  : index.unique ? core::IndexKind::unique
								 : core::IndexKind::index;
	bool prefix = false;
	for (const IndexPart &part : index.parts) {
		if (!part.expression.empty() || part.column.empty()) {
			mapped.functional = true;
			continue;
		}
		prefix = prefix || part.prefix_length.has_value();
		mapped.columns.push_back(part.column);
		mapped.descending.push_back(part.descending);
	}
	std::string what = "index " + mapped.mysql_name + " of " + table.schema + "." + table.name;
	if (index.type == "FULLTEXT" || index.type == "SPATIAL" || index.type == "RTREE") {
		notices.push_back(what + " (" + index.type + ") is not created in PostgreSQL");
		mapped.kind = core::IndexKind::skipped;
		return mapped;
	}
	if (mapped.functional) {
		notices.push_back(what + " has an expression part and is not created in PostgreSQL");
		mapped.kind = core::IndexKind::skipped;
		return mapped;
	}
	if (prefix && mapped.kind != core::IndexKind::primary) {
		notices.push_back(what + " is on column prefixes and is not created in PostgreSQL");
		if (mapped.kind == core::IndexKind::index)
			mapped.kind = core::IndexKind::skipped;
		return mapped; // a unique prefix key is not created but can still address rows
	}
	if (prefix)
		notices.push_back("primary key of " + table.schema + "." + table.name +
						  " on column prefixes is created on the whole columns");
	mapped.pg_name = ddl::pg_index_name(table.name, mapped.mysql_name, false);
	return mapped;
}

} // namespace

MappedTable
map_table(const TableInfo &table, const core::MapContext &context) {
	MappedTable mapped;
	core::TableLayout &layout = mapped.layout;
	layout.origin_schema = table.schema;
	layout.table = table.name;
	layout.destination_schema = context.destination_schema;
	layout.destination_table = core::pg_table_name(table.name);
	std::vector<std::string> names;
	for (const ColumnInfo &column : table.columns)
		names.push_back(column.name);
	core::NameCollision collision = core::find_collision(names, true);
	if (collision.found())
		throw Error(sqlstate::duplicate_object,
					"columns \"" + names[collision.first] + "\" and \"" + names[collision.second] +
						"\" of MySQL table \"" + table.schema + "." + table.name +
						"\" have the same PostgreSQL name \"" + collision.pg_name + "\"",
					"", "Rename one of the columns in MySQL (see doc/security.md, \"Names\").");
	for (const ColumnInfo &column : table.columns) {
		core::PgColumnType pg = core::map_column(column, context);
		for (const std::string &notice : pg.notices)
			mapped.notices.push_back("column " + column.name + ": " + notice);
		layout.columns.push_back(ddl::layout_column(column, pg));
		mapped.columns.push_back(std::move(pg));
	}
	for (const IndexInfo &index : table.indexes)
		layout.indexes.push_back(map_index(table, index, mapped.notices));
	layout.key = core::choose_key(layout);
	if (layout.key.empty())
		mapped.notices.push_back(
			"table " + table.schema + "." + table.name +
			" has no primary key and no unique key on NOT NULL columns: it is copied but "
			"not replicated");
	return mapped;
}

} // namespace chameleon::mysql
