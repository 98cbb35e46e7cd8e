// Replication into a Citus cluster: see citus.hpp.
#include "pg/citus.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"

#include "common/error.hpp"
#include "core/distribution.hpp"
#include "core/sql_quote.hpp"

namespace chameleon::pg::citus {

namespace {

bool
installed() {
	return spi_value("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'citus'") != "0";
}

core::Distribution
distribution_of(const config::SourceConfig &config, const core::TableLayout &layout) {
	return core::distribution_of(config.distribution, layout.origin_schema, layout.table);
}

} // namespace

void
require_for(const config::SourceConfig &config) {
	if (config.distribution.empty())
		return;
	if (!installed())
		throw Error(
			sqlstate::object_not_in_prerequisite_state,
			"the source distributes tables but the extension \"citus\" is not installed in this database",
			"\"distribute_tables\" and \"reference_tables\" create Citus tables.",
			"Run CREATE EXTENSION citus (with citus first in \"shared_preload_libraries\") and add the "
			"worker nodes, or remove \"distribute_tables\" and \"reference_tables\" from the source.");
	if (config.keep_existing_schema)
		throw Error(
			sqlstate::feature_not_supported,
			"\"keep_existing_schema\" cannot be used with \"distribute_tables\" or \"reference_tables\"",
			"An existing table is reloaded in place, which Citus tables do not allow.",
			"Set keep_existing_schema to false, or remove the distribution keys.");
}

void
check_table(const config::SourceConfig &config, const core::TableLayout &layout) {
	core::check_distribution(distribution_of(config, layout), layout);
}

void
distribute(const config::SourceConfig &config, const core::TableLayout &layout, const std::string &schema) {
	core::Distribution distribution = distribution_of(config, layout);
	if (distribution.kind == core::DistributionKind::local)
		return;
	core::check_distribution(distribution, layout);
	std::string table = core::quote_ident(schema) + "." + core::quote_ident(layout.destination_table);
	if (distribution.kind == core::DistributionKind::distributed)
		spi_exec("SELECT pg_catalog.create_distributed_table($1, $2)",
				 {SqlParam::regclass(table), core::distribution_column(distribution, layout)});
	else
		spi_exec("SELECT pg_catalog.create_reference_table($1)", {SqlParam::regclass(table)});
	// the rows are on the shards now; their local copy in the coordinator's table is not visible
	spi_exec("SELECT pg_catalog.truncate_local_data_after_distributing_table($1)",
			 {SqlParam::regclass(table)});
}

void
sequential_ddl() {
	if (installed())
		spi_exec("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
}

std::map<std::pair<std::string, std::string>, std::string>
citus_tables() {
	std::map<std::pair<std::string, std::string>, std::string> tables;
	if (!installed())
		return tables;
	for (const SqlRow &row :
		 spi_query("SELECT n.nspname, c.relname, CASE WHEN p.partmethod = 'h' THEN "
				   "pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) ELSE '' END "
				   "FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid "
				   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"))
		tables[{*row[0], *row[1]}] = row[2].value_or("");
	return tables;
}

void
use_two_phase_commit() {
	// Citus has no SQL to ask for it; its own multi-node statements call this function.
	static void (*use_2pc)() = nullptr;
	if (use_2pc == nullptr)
		use_2pc = pg_call([] {
			return reinterpret_cast<void (*)()>(
				load_external_function("citus", "Use2PCForCoordinatedTransaction", true, nullptr));
		});
	pg_call([] { use_2pc(); });
}

} // namespace chameleon::pg::citus
