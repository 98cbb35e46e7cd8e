// Server prerequisite checks for chameleon.check_source (see server_checks.hpp).
#include "mysql/server_checks.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace chameleon::mysql {

namespace {

std::string
upper(std::string text) {
	std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
	return text;
}

std::string
quote_literal(const std::string &text) {
	std::string quoted = "'";
	for (char c : text) {
		if (c == '\'' || c == '\\')
			quoted += c;
		quoted += c;
	}
	return quoted + "'";
}

// Privileges of one "GRANT priv, priv ON target TO ..." line.
void
add_grant_line(const std::string &line, GrantedPrivileges &granted) {
	std::string text = upper(line);
	if (text.rfind("GRANT ", 0) != 0)
		return;
	size_t on = text.find(" ON ");
	if (on == std::string::npos)
		return;
	std::string privileges = text.substr(6, on - 6);
	size_t to = text.find(" TO ", on);
	std::string target = line.substr(on + 4, (to == std::string::npos ? line.size() : to) - on - 4);
	bool global = target == "*.*";
	std::vector<std::string> names;
	size_t start = 0;
	while (start <= privileges.size()) {
		size_t comma = privileges.find(',', start);
		std::string name =
			privileges.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
		name.erase(0, name.find_first_not_of(' '));
		name.erase(name.find_last_not_of(' ') + 1);
		names.push_back(name);
		if (comma == std::string::npos)
			break;
		start = comma + 1;
	}
	for (const std::string &name : names) {
		if (global) {
			if (name == "ALL PRIVILEGES" || name == "ALL")
				granted.all = true;
			else if (name == "REPLICATION SLAVE" || name == "REPLICATION REPLICA")
				granted.replication_slave = true;
			else if (name == "REPLICATION CLIENT" || name == "BINLOG MONITOR" || name == "SUPER")
				granted.replication_client = true;
			else if (name == "RELOAD")
				granted.reload = true;
			else if (name == "SELECT")
				granted.global_select = true;
		} else if (name == "SELECT" || name == "ALL PRIVILEGES" || name == "ALL") {
			std::string schema = target.substr(0, target.find('.'));
			schema.erase(std::remove(schema.begin(), schema.end(), '`'), schema.end());
			granted.schemas_with_select.push_back(schema);
		}
	}
}

CheckRow
privilege_row(const char *privilege, bool granted, const std::string &user) {
	if (granted)
		return {std::string("privilege ") + privilege, "ok", "granted", ""};
	return {std::string("privilege ") + privilege, "error", "missing",
			std::string("Run on the MySQL server: GRANT ") + privilege + " ON *.* TO '" + user +
				"'@'<host>';"};
}

// The privileges the user needs, from SHOW GRANTS.
void
add_privilege_rows(Connection &connection, const CheckRequest &request, std::vector<CheckRow> &rows) {
	std::vector<std::string> grant_lines;
	for (const Row &row : connection.query("SHOW GRANTS"))
		if (!row.empty() && row[0])
			grant_lines.push_back(*row[0]);
	GrantedPrivileges granted = parse_grants(grant_lines);
	const std::string &user = request.connection.user;
	rows.push_back(privilege_row("REPLICATION SLAVE", granted.all || granted.replication_slave, user));
	rows.push_back(privilege_row("REPLICATION CLIENT", granted.all || granted.replication_client, user));
	rows.push_back(privilege_row("RELOAD", granted.all || granted.reload, user));
	for (const std::string &schema : request.origin_schemas) {
		bool can_select = granted.all || granted.global_select ||
						  std::find(granted.schemas_with_select.begin(), granted.schemas_with_select.end(),
									schema) != granted.schemas_with_select.end();
		// NOLINTBEGIN(performance-inefficient-string-concatenation): one hint per schema, cold path
		rows.push_back({"privilege SELECT on " + schema, can_select ? "ok" : "error",
						can_select ? "granted" : "missing",
						can_select ? ""
								   : "Run on the MySQL server: GRANT SELECT ON `" + schema + "`.* TO '" +
										 user + "'@'<host>';"});
		// NOLINTEND(performance-inefficient-string-concatenation)
	}
}

// The server settings replication depends on: the binary log, its format and row image, row
// metadata, checksums, server_id and GTIDs.
void
add_setting_rows(Connection &connection, const CheckRequest &request, std::vector<CheckRow> &rows) {
	bool mariadb = connection.version().flavour == Flavour::mariadb;
	std::map<std::string, std::string> variables;
	for (const Row &row : connection.query(
			 "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image', "
			 "'binlog_row_metadata', 'binlog_row_value_options', 'binlog_checksum', 'server_id', "
			 "'gtid_mode', "
			 "'gtid_binlog_pos', 'binlog_transaction_compression')"))
		if (row.size() == 2 && row[0] && row[1])
			variables[*row[0]] = *row[1];
	auto variable = [&](const char *name) -> std::optional<std::string> {
		auto found = variables.find(name);
		if (found == variables.end())
			return std::nullopt;
		return upper(found->second);
	};
	const char *config_file =
		mariadb ? "the [mariadbd] section of the server configuration" : "the [mysqld] section of my.cnf";

	auto log_bin = variable("log_bin");
	bool binlog_on = log_bin && *log_bin == "ON";
	rows.push_back({"log_bin", binlog_on ? "ok" : "error", log_bin.value_or("unknown"),
					binlog_on ? ""
							  : std::string("Enable the binary log: set log_bin and server_id in ") +
									config_file + " and restart the server."});

	auto format = variable("binlog_format");
	bool row_format = format && *format == "ROW";
	rows.push_back({"binlog_format", row_format ? "ok" : "error", format.value_or("unknown"),
					row_format ? ""
							   : std::string("Set binlog_format=ROW in ") + config_file +
									 " (SET GLOBAL binlog_format='ROW' applies to new sessions only)."});

	auto image = variable("binlog_row_image");
	if (!image)
		rows.push_back({"binlog_row_image", "ok", "not available (always FULL before MySQL 5.6)", ""});
	else
		rows.push_back(
			{"binlog_row_image", *image == "FULL" ? "ok" : "error", *image,
			 *image == "FULL" ? "" : std::string("Set binlog_row_image=FULL in ") + config_file + "."});

	auto metadata = variable("binlog_row_metadata");
	if (!metadata)
		rows.push_back({"binlog_row_metadata", "warning", "not available on this server version",
						"Column names and signedness come from information_schema; schema changes must reach "
						"PostgreSQL through the replicated DDL. MySQL 8.0.1+ and MariaDB 10.5+ offer FULL."});
	else
		rows.push_back({"binlog_row_metadata", *metadata == "FULL" ? "ok" : "warning", *metadata,
						*metadata == "FULL" ? ""
											: std::string("Set binlog_row_metadata=FULL in ") + config_file +
												  " so that every row event carries its column names."});

	if (auto value_options = variable("binlog_row_value_options")) {
		bool partial = value_options->find("PARTIAL_JSON") != std::string::npos;
		rows.push_back(
			{"binlog_row_value_options", partial ? "error" : "ok",
			 value_options->empty() ? "(empty)" : *value_options,
			 partial ? "Set binlog_row_value_options='' so that JSON updates are logged whole." : ""});
	}

	if (auto checksum = variable("binlog_checksum"))
		rows.push_back({"binlog_checksum", "ok", *checksum, ""});

	auto server_id = variable("server_id");
	bool distinct_id = server_id && *server_id != "0" && *server_id != std::to_string(request.my_server_id);
	rows.push_back({"server_id", distinct_id ? "ok" : "error", server_id.value_or("unknown"),
					distinct_id
						? ""
						: (server_id && *server_id == "0"
							   ? std::string("Set a non-zero server_id in ") + config_file + "."
							   : "Choose a \"my_server_id\" for the source that differs from the server's "
								 "server_id and from every replica's.")});

	if (mariadb) {
		auto position = variable("gtid_binlog_pos");
		rows.push_back(
			{"gtid", "ok",
			 position && !position->empty() ? "MariaDB GTID " + *position : "MariaDB GTID (none yet)", ""});
	} else {
		auto mode = variable("gtid_mode");
		bool on = mode && *mode == "ON";
		bool problem = request.gtid_enable && !on;
		rows.push_back({"gtid", problem ? "error" : "ok", "gtid_mode=" + mode.value_or("unavailable"),
						problem ? "Set gtid_mode=ON and enforce_gtid_consistency=ON on the server, or set "
								  "\"gtid_enable: false\" in the source."
								: ""});
	}
}

void
add_position_row(Connection &connection, std::vector<CheckRow> &rows) {
	const ServerVersion &version = connection.version();
	bool mariadb = version.flavour == Flavour::mariadb;
	const char *config_file =
		mariadb ? "the [mariadbd] section of the server configuration" : "the [mysqld] section of my.cnf";
	const char *status_statement =
		!mariadb && version.at_least(8, 2) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
	try {
		std::vector<Row> status = connection.query(status_statement);
		if (!status.empty() && status[0].size() >= 2 && status[0][0] && status[0][1])
			rows.push_back({"binary log position", "ok", *status[0][0] + ":" + *status[0][1], ""});
		else
			rows.push_back({"binary log position", "error", "no binary log",
							std::string("Enable the binary log in ") + config_file + "."});
	} catch (const Error &error) {
		rows.push_back({"binary log position", "error", error.what(),
						"Grant REPLICATION CLIENT (BINLOG MONITOR on MariaDB) to the user."});
	}
}

// The mapped schemas and the tables of limit_tables.
void
add_object_rows(Connection &connection, const CheckRequest &request, std::vector<CheckRow> &rows) {
	for (const std::string &schema : request.origin_schemas) {
		auto found = connection.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " +
									  quote_literal(schema));
		rows.push_back({"schema " + schema, found.empty() ? "error" : "ok",
						found.empty() ? "missing" : "exists",
						found.empty() ? "Create the MySQL schema, or correct \"schema_mappings\"." : ""});
	}
	for (const std::string &table : request.limit_tables) {
		size_t dot = table.find('.');
		auto found = connection.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
									  quote_literal(table.substr(0, dot)) + " AND TABLE_NAME = " +
									  quote_literal(dot == std::string::npos ? "" : table.substr(dot + 1)));
		rows.push_back(
			{"table " + table, found.empty() ? "warning" : "ok", found.empty() ? "missing" : "exists",
			 found.empty() ? "The table in \"limit_tables\" does not exist yet; it is replicated once "
							 "it is created."
						   : ""});
	}
}

} // namespace

GrantedPrivileges
parse_grants(const std::vector<std::string> &grant_lines) {
	GrantedPrivileges granted;
	for (const std::string &line : grant_lines)
		add_grant_line(line, granted);
	return granted;
}

std::vector<CheckRow>
check_server(const CheckRequest &request) {
	std::vector<CheckRow> rows;
	const std::string where = request.connection.host + ":" + std::to_string(request.connection.port);
	std::unique_ptr<Connection> connection;
	try {
		connection = std::make_unique<Connection>(request.connection);
	} catch (const Error &error) {
		if (std::string(error.sqlstate) == sqlstate::invalid_authorization) {
			rows.push_back({"connection", "ok", where, ""});
			rows.push_back({"credentials", "error", error.detail, error.hint});
		} else {
			rows.push_back({"connection", "error", error.detail, error.hint});
		}
		return rows;
	}
	rows.push_back({"connection", "ok", where, ""});
	rows.push_back({"credentials", "ok", request.connection.user, ""});

	const ServerVersion &version = connection->version();
	bool mariadb = version.flavour == Flavour::mariadb;
	bool supported = mariadb ? version.at_least(10, 0) : version.at_least(5, 5);
	rows.push_back({"server version", supported ? "ok" : "error",
					std::string(mariadb ? "MariaDB " : "MySQL ") + version.text,
					supported ? "" : "Upgrade the server: MySQL 5.5 or later, or MariaDB 10.0 or later."});

	add_privilege_rows(*connection, request, rows);
	add_setting_rows(*connection, request, rows);
	add_position_row(*connection, rows);
	add_object_rows(*connection, request, rows);
	return rows;
}

std::vector<CheckRow>
stored_position_rows(const std::vector<BinlogFile> &binlogs, double expire_seconds,
					 const StoredPosition &stored) {
	std::vector<CheckRow> rows;
	std::string where = stored.file + ":" + std::to_string(stored.position);
	std::string resync = "SELECT chameleon.resync_source('" + stored.source + "');";
	auto file = std::find_if(binlogs.begin(), binlogs.end(),
							 [&](const BinlogFile &binlog) { return binlog.name == stored.file; });
	if (file == binlogs.end())
		rows.push_back(
			{"stored read position", "error", where + " (the file is no longer on the server)",
			 "The binlog was purged before the replica read it: copy every table again and continue "
			 "from the copies with " +
				 resync});
	else if (stored.position > file->size)
		rows.push_back(
			{"stored read position", "error",
			 where + " (beyond the end of the file, " + std::to_string(file->size) + " bytes)",
			 "The server's binlog is not the one the replica read (restored or replaced): " + resync});
	else
		rows.push_back({"stored read position", "ok", where, ""});
	if (expire_seconds > 0 && stored.age_seconds > expire_seconds)
		rows.push_back(
			{"binlog retention", "warning",
			 std::to_string(static_cast<long long>(expire_seconds)) + " s, shorter than the replica's " +
				 std::to_string(static_cast<long long>(stored.age_seconds)) + " s of read lag",
			 "Binlogs may be purged before the replica reads them: raise binlog_expire_logs_seconds "
			 "(expire_logs_days before MySQL 8 and MariaDB 10.6) above the longest lag the replica may "
			 "have, or start the replica."});
	return rows;
}

std::vector<CheckRow>
check_stored_position(const ConnectionParams &params, const StoredPosition &stored) {
	try {
		Connection connection(params);
		std::vector<BinlogFile> binlogs;
		for (const Row &row : connection.query("SHOW BINARY LOGS"))
			if (row.size() >= 2 && row[0] && row[1])
				binlogs.push_back({*row[0], std::stoull(*row[1])});
		double expire_seconds = 0;
		try {
			auto rows = connection.query("SELECT @@global.binlog_expire_logs_seconds");
			if (!rows.empty() && rows[0][0])
				expire_seconds = std::stod(*rows[0][0]);
		} catch (const Error &) { // before MySQL 8 and MariaDB 10.6: days only
			auto rows = connection.query("SELECT @@global.expire_logs_days");
			if (!rows.empty() && rows[0][0])
				expire_seconds = std::stod(*rows[0][0]) * 86400;
		}
		return stored_position_rows(binlogs, expire_seconds, stored);
	} catch (const Error &error) {
		return {{"stored read position", "error", error.what(), error.hint}};
	}
}

} // namespace chameleon::mysql
