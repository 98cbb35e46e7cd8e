// The catalogue's sources: the one way to find and load a source, and the only code that changes
// a source's status (the machine of core/source_status.hpp, doc/architecture.md "Source status").
// Every function needs SPI connected (with_spi, run_transaction).
#pragma once

#include "pg/pg_headers.hpp"

#include "config/source_config.hpp"
#include "core/source_status.hpp"

#include <optional>
#include <string>

namespace chameleon::pg {

struct Source {
	int64 id = 0;
	std::string name;
	Oid owner = InvalidOid;
	config::SourceConfig config;
	// Added or altered by a role that is not a superuser: a pgsql source must then authenticate
	// with its password (t_sources.b_password_required).
	bool password_required = false;
};

// The source's id and owner; an error naming it when there is no such source.
int64 find_source(const std::string &name, Oid *owner = nullptr);

// The source with its configuration; an error when it does not exist (any more).
Source load_source(int64 source_id);
Source load_source(const std::string &name);

Oid source_owner(int64 source_id);

// Applies `change` to the source's status under a row lock: returns the status before, or
// nullopt when the change does not apply from the current status (nothing is written then).
// reason becomes t_status_reason ("" clears it); init_stopped returns to back_to.
std::optional<core::SourceStatus>
change_source_status(int64 source_id, core::StatusChange change, const std::string &reason = "",
					 std::optional<core::SourceStatus> back_to = std::nullopt);

} // namespace chameleon::pg
