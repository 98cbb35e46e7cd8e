// The prerequisites a MySQL/MariaDB server must meet before a source can be copied and
// replicated, checked one by one, each with a status and a hint (chameleon.check_source).
#pragma once

#include "mysql/connection.hpp"

#include <string>
#include <vector>

namespace chameleon::mysql {

struct CheckRow {
	std::string name;
	std::string status; // ok | warning | error
	std::string value;
	std::string hint;
};

struct CheckRequest {
	ConnectionParams connection;
	std::vector<std::string> origin_schemas;
	std::vector<std::string> limit_tables; // "schema.table"
	bool gtid_enable = false;
	long long my_server_id = 0;
};

// Never throws for a server-side problem: each one becomes a row. Connection problems
// become the "connection" / "credentials" rows and end the list.
std::vector<CheckRow> check_server(const CheckRequest &request);

// Pure helpers, unit-tested.
struct GrantedPrivileges {
	bool all = false;
	bool replication_slave = false;
	bool replication_client = false;
	bool reload = false;
	bool global_select = false;
	std::vector<std::string> schemas_with_select; // from "ON `db`.*" grants
};
GrantedPrivileges parse_grants(const std::vector<std::string> &grant_lines);

} // namespace chameleon::mysql
