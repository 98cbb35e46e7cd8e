// The libpq connection settings of a configured pgsql source.
#pragma once

#include "config/source_config.hpp"
#include "pgsql/connection.hpp"

#include <string>

namespace chameleon::pgsql {

// Reads the password (literal or password_file) too; throws config::ConfigError when it cannot.
// Values travel in client_encoding: the encoding of the destination database.
inline ConnectionParams
connection_params(const config::SourceConfig &source, const std::string &client_encoding) {
	ConnectionParams params;
	params.host = source.db_conn.host;
	params.port = source.db_conn.port;
	params.user = source.db_conn.user;
	params.password = config::read_password(source);
	params.database = source.db_conn.database;
	params.connect_timeout = source.db_conn.connect_timeout;
	params.client_encoding = client_encoding;
	return params;
}

} // namespace chameleon::pgsql
