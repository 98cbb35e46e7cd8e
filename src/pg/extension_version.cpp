// Library and catalogue versions (see extension_version.hpp).
#include "pg/pg_headers.hpp"

#include "pg/extension_version.hpp"
#include "pg/spi.hpp"

#include "common/error.hpp"

namespace chameleon::pg {

const char *const library_version = CHAMELEON_VERSION; // from the Makefile

std::string
catalogue_version() {
	return spi_value("SELECT coalesce(pg_catalog.max(extversion), '') FROM pg_catalog.pg_extension "
					 "WHERE extname OPERATOR(pg_catalog.=) 'pg_chameleon'")
		.value_or("");
}

void
require_matching_catalogue() {
	std::string installed = catalogue_version();
	if (installed == library_version)
		return;
	std::string database = spi_value("SELECT pg_catalog.current_database()").value_or("");
	throw Error(sqlstate::object_not_in_prerequisite_state,
				std::string("the pg_chameleon library is version ") + library_version +
					" but the catalogue of database \"" + database + "\" is version " + installed,
				"The server loaded a newer or older pg_chameleon than the one this database's extension was "
				"created or updated for; no worker runs until both agree.",
				std::string("Run ALTER EXTENSION pg_chameleon UPDATE; in database \"") + database +
					"\", then chameleon.enable_replica() and chameleon.start_replica() for each source "
					"(doc/upgrading.md).");
}

} // namespace chameleon::pg
