// The version of the loaded library against the version of the catalogue it serves
// (pg_extension.extversion): workers of one version never run against the catalogue of another,
// they stop with a status that says to run ALTER EXTENSION pg_chameleon UPDATE (doc/upgrading.md).
#pragma once

#include <string>

namespace chameleon::pg {

// The extension version this library was built for (default_version in pg_chameleon.control).
extern const char *const library_version;

// The version of the extension in the current database, "" when it has none. Needs a transaction.
std::string catalogue_version();

// Throws a chameleon::Error saying what to do when the current database's catalogue is not the
// library's version. Needs a transaction.
void require_matching_catalogue();

} // namespace chameleon::pg
