// The MySQL connection settings of a configured source.
#pragma once

#include "config/source_config.hpp"
#include "mysql/connection.hpp"

namespace chameleon::mysql {

// Reads the password (literal or password_file) too; throws config::ConfigError when it cannot.
inline ConnectionParams
connection_params(const config::SourceConfig &source) {
	ConnectionParams params;
	params.host = source.db_conn.host;
	params.port = source.db_conn.port;
	params.user = source.db_conn.user;
	params.password = config::read_password(source);
	params.charset = source.db_conn.charset;
	params.connect_timeout = source.db_conn.connect_timeout;
	params.read_timeout = source.net_read_timeout;
	return params;
}

} // namespace chameleon::mysql
