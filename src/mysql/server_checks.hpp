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

// The read position a replicated source has stored: still on the server, and kept long enough?
struct StoredPosition {
	std::string file;
	unsigned long long position = 0;
	double age_seconds = 0; // since the last event read at that position (the replica's read lag)
	std::string source;		// for the hints
};
// Never throws for a server-side problem: each one becomes a row.
std::vector<CheckRow> check_stored_position(const ConnectionParams &params, const StoredPosition &stored);

// Pure helpers, unit-tested.
struct BinlogFile {
	std::string name;
	unsigned long long size = 0;
};
// The rows of check_stored_position from the server's SHOW BINARY LOGS and its binlog retention
// in seconds (0: binlogs are never expired).
std::vector<CheckRow> stored_position_rows(const std::vector<BinlogFile> &binlogs, double expire_seconds,
										   const StoredPosition &stored);
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
