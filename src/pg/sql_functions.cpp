// SQL-callable functions of the foundation: configuration parsing, the server checks of
// check_source, the worker slots, and the boundary self-test used by the regression tests.
#include "pg/pg_headers.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"
#include "pg/worker_slots.hpp"

#include "common/error.hpp"
#include "config/source_config.hpp"
#include "mysql/server_checks.hpp"
#include "mysql/source_params.hpp"

#include <string>
#include <vector>

using namespace chameleon;
using chameleon::pg::jsonb_argument;
using chameleon::pg::jsonb_datum;
using chameleon::pg::pg_call;
using chameleon::pg::ResultSet;
using chameleon::pg::text_argument;
using chameleon::pg::text_datum;

namespace {

void
report_notices(const std::vector<config::Notice> &notices) {
	for (const config::Notice &notice : notices)
		pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", notice.message.c_str()))); });
}

// The server reads a password file with its own rights: only roles that may read server
// files may name one. The caller is the outer user, not the owner of the SECURITY DEFINER
// API function that parses the configuration.
void
require_right_to_read_password_file(const config::SourceConfig &source) {
	if (source.db_conn.password_file.empty())
		return;
	if (pg_call([] { return has_privs_of_role(GetOuterUserId(), ROLE_PG_READ_SERVER_FILES); }))
		return;
	throw Error(sqlstate::insufficient_privilege, "permission denied to use \"db_conn.password_file\"",
				"The server reads that file with its own rights.",
				"Ask a superuser to grant you pg_read_server_files, or give the password in "
				"\"db_conn.password\".");
}

bool
caller_is_superuser() {
	return pg_call([] { return superuser_arg(GetOuterUserId()); });
}

// A pgsql source is read by the server's own libpq: without a password, the server's Unix socket
// and its trust, peer or ident rules would let any role that may add sources in as any user of
// that server (postgres_fdw and dblink refuse it the same way). Only a superuser may leave the
// password out. The caller is the outer user, as for password files.
void
require_password_for_pgsql(const config::SourceConfig &source) {
	if (source.type != config::SourceType::pgsql || !source.db_conn.password.empty() ||
		!source.db_conn.password_file.empty())
		return;
	if (caller_is_superuser())
		return;
	throw Error(sqlstate::insufficient_privilege, "password is required for a pgsql source",
				"Only a superuser may configure a pgsql source without \"db_conn.password\" or "
				"\"db_conn.password_file\".",
				"Give the password of db_conn.user in \"db_conn.password\", or ask a superuser to add the "
				"source.");
}

} // namespace

CHAMELEON_FUNCTION(chameleon_parse_source) {
	config::SourceConfig source = config::parse_source(text_argument(fcinfo, 0, "config"));
	require_right_to_read_password_file(source);
	require_password_for_pgsql(source);
	report_notices(source.notices);
	return jsonb_datum(config::to_json(source, true));
}

CHAMELEON_FUNCTION(chameleon_parse_config_file) {
	config::FileConfig file = config::parse_file(text_argument(fcinfo, 0, "config"));
	report_notices(file.notices);
	ResultSet result(fcinfo);
	for (const auto &[name, source] : file.sources) {
		require_right_to_read_password_file(source);
		require_password_for_pgsql(source);
	}
	for (const auto &[name, source] : file.sources) {
		report_notices(source.notices);
		Datum values[2] = {text_datum(name), jsonb_datum(config::to_json(source, true))};
		bool nulls[2] = {false, false};
		result.add(values, nulls);
	}
	return (Datum)0;
}

// Whether the role calling the API (the outer user, not the owner of the SECURITY DEFINER function)
// is a superuser: add_source, alter_source and load_config record in t_sources.b_password_required
// that a pgsql source configured by anyone else must authenticate with its password.
CHAMELEON_FUNCTION(chameleon_caller_is_superuser) {
	(void)fcinfo;
	return BoolGetDatum(caller_is_superuser());
}

// The role calling the API: the outer user (SET ROLE, SET SESSION AUTHORIZATION, or the session
// user), not the owner of the SECURITY DEFINER function. It becomes the owner of the sources it adds,
// and the API checks it against the owner of the source it acts on.
CHAMELEON_FUNCTION(chameleon_outer_user) {
	(void)fcinfo;
	return ObjectIdGetDatum(pg_call([] { return GetOuterUserId(); }));
}

// Runs one statement on the user's objects (the plpgsql parts of the catalogue that create, validate
// or restore foreign keys and move identities on) with the rights of the source's owner, as a
// security-restricted operation: no user code they reach runs with the catalogue owner's rights.
CHAMELEON_FUNCTION(chameleon_execute_as_owner) {
	int64 source_id = pg::int64_argument(fcinfo, 0, "id_source");
	std::string statement = text_argument(fcinfo, 1, "statement");
	pg::with_spi([&] {
		Oid owner = pg::source_owner(source_id);
		pg::RoleRights rights(owner, true);
		pg::spi_exec(statement);
	});
	PG_RETURN_VOID();
}

CHAMELEON_FUNCTION(chameleon_check_source) {
	config::SourceConfig source = config::parse_source(jsonb_argument(fcinfo, 0, "config"));
	ResultSet result(fcinfo);
	std::vector<mysql::CheckRow> rows;
	if (source.type != config::SourceType::mysql) {
		rows.push_back({"source type", "warning", std::string(config::setting_name(source.type)),
						"Only MySQL and MariaDB sources have server checks; a pgsql source is checked when "
						"init_replica connects to it."});
	} else {
		mysql::CheckRequest request;
		for (const auto &mapping : source.schema_mappings)
			request.origin_schemas.push_back(mapping.first);
		request.limit_tables = source.limit_tables;
		request.gtid_enable = source.gtid_enable;
		request.my_server_id = source.my_server_id;
		try {
			request.connection = mysql::connection_params(source);
			rows = mysql::check_server(request);
		} catch (const config::ConfigError &error) {
			rows.push_back({"credentials", "error", error.message, error.hint});
		}
	}
	for (const mysql::CheckRow &row : rows) {
		Datum values[4] = {text_datum(row.name), text_datum(row.status), text_datum(row.value),
						   text_datum(row.hint)};
		bool nulls[4] = {false, false, row.value.empty(), row.hint.empty()};
		result.add(values, nulls);
	}
	return (Datum)0;
}

CHAMELEON_FUNCTION(chameleon_check_stored_position) {
	std::string config_json = jsonb_argument(fcinfo, 0, "config");
	mysql::StoredPosition stored;
	stored.file = text_argument(fcinfo, 1, "file");
	stored.position = static_cast<unsigned long long>(pg::int64_argument(fcinfo, 2, "position"));
	pg::require_argument(fcinfo, 3, "age_seconds");
	stored.age_seconds = PG_GETARG_FLOAT8(3);
	stored.source = text_argument(fcinfo, 4, "name");
	config::SourceConfig source = config::parse_source(config_json);
	ResultSet result(fcinfo);
	for (const mysql::CheckRow &row :
		 mysql::check_stored_position(mysql::connection_params(source), stored)) {
		Datum values[4] = {text_datum(row.name), text_datum(row.status), text_datum(row.value),
						   text_datum(row.hint)};
		bool nulls[4] = {false, false, false, row.hint.empty()};
		result.add(values, nulls);
	}
	return (Datum)0;
}

CHAMELEON_FUNCTION(chameleon_worker_slots) {
	int capacity = pg::shared_state()->slot_count;
	std::vector<pg::WorkerSlot> slots(capacity);
	int count = pg::copy_live_slots(slots.data(), capacity);
	ResultSet result(fcinfo);
	for (int i = 0; i < count; i++) {
		const pg::WorkerSlot &slot = slots[i];
		char *database = pg_call([&] { return get_database_name(slot.database); });
		Datum values[7] = {
			text_datum(pg::worker_role_name(slot.role)),
			text_datum(slot.source_name),
			Int32GetDatum(slot.pid),
			text_datum(slot.state),
			TimestampTzGetDatum(slot.started_at),
			TimestampTzGetDatum(slot.state_changed_at),
			database ? pg_call([&] { return DirectFunctionCall1(namein, CStringGetDatum(database)); })
					 : (Datum)0};
		bool nulls[7] = {false, slot.source_name[0] == '\0', false, false, false, false, database == nullptr};
		result.add(values, nulls);
	}
	return (Datum)0;
}

CHAMELEON_FUNCTION(chameleon_boundary_selftest) {
	std::string kind = text_argument(fcinfo, 0, "kind");
	if (kind == "cpp_error")
		throw Error(sqlstate::invalid_parameter_value, "self-test error raised in C++",
					"The detail survives.", "The hint survives.");
	if (kind == "std_exception")
		throw std::runtime_error("self-test standard exception");
	if (kind == "bad_alloc")
		throw std::bad_alloc();
	if (kind == "pg_error")
		pg_call([] { return DirectFunctionCall1(int4in, CStringGetDatum("not a number")); });
	if (kind == "spi_long_error") // the error outlives the SPI procedure context it was raised in
		pg::with_spi([] { pg::spi_exec("SELECT repeat('\u00e9rr ', 2000)::int"); });
	if (kind == "pg_error_caught") {
		try {
			pg_call([] { return DirectFunctionCall1(int4in, CStringGetDatum("not a number")); });
		} catch (const pg::PgError &error) {
			return text_datum(std::string("caught: ") + error.what());
		}
	}
	return text_datum("no error for " + kind);
}
