// The MySQL side of chameleon.import_python_catalogue (doc/migrating.md): the layout of every table
// a source's configuration keeps, read from MySQL and mapped as init_replica maps it, with the
// column types of the PostgreSQL table the Python pg_chameleon created (as keep_existing_schema
// adopts them). The rest of the import is SQL (chameleon.import_python_catalogue).
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/existing_tables.hpp"
#include "pg/init_copy.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"

#include "config/source_config.hpp"
#include "core/pg_names.hpp"
#include "mysql/connection.hpp"
#include "mysql/schema_layout.hpp"
#include "mysql/schema_reader.hpp"
#include "mysql/source_params.hpp"

#include <string>
#include <vector>

using namespace chameleon;

namespace {

struct ImportedTable {
	std::string origin_schema, table;
	bool exists = false; // the PostgreSQL table is there
	std::string layout;	 // JSON
};

} // namespace

// sch_chameleon.fn_import_layouts(config jsonb): one row per MySQL table the configuration keeps.
CHAMELEON_FUNCTION(chameleon_import_layouts) {
	pg::Source source;
	source.config = config::parse_source(pg::jsonb_argument(fcinfo, 0, "config"));
	const config::SourceConfig &config = source.config;
	std::vector<mysql::TableInfo> tables;
	{
		mysql::Connection connection(mysql::connection_params(config));
		tables =
			mysql::read_tables(connection, config::table_filter(config), pg::init::origin_schemas(config));
	}
	std::vector<ImportedTable> imported;
	pg::with_spi([&] {
		bool postgis = pg::spi_value("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") != "0";
		for (const mysql::TableInfo &table : tables) {
			const std::string &destination =
				config.schema_mappings[pg::init::mapping_index(config, table.schema)].second;
			core::TableLayout layout =
				mysql::map_table(
					table, pg::init::map_context(source, table.schema, table.name, destination, postgis))
					.layout;
			bool exists = pg::table_exists(destination, core::pg_table_name(table.name));
			if (exists)
				layout = pg::adopt_existing_table(layout, table.schema + "." + table.name);
			imported.push_back({table.schema, table.name, exists, core::to_json(layout)});
		}
	});
	pg::ResultSet result(fcinfo);
	for (const ImportedTable &table : imported) {
		Datum values[4] = {pg::text_datum(table.origin_schema), pg::text_datum(table.table),
						   BoolGetDatum(table.exists), pg::jsonb_datum(table.layout)};
		bool nulls[4] = {false, false, false, false};
		result.add(values, nulls);
	}
	return (Datum)0;
}
