// A connection to a MySQL or MariaDB server (MariaDB Connector/C), with errors turned into
// chameleon::Error values that say what to fix. No PostgreSQL header may be included here.
#pragma once

#include "core/server_version.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef struct st_mysql MYSQL;

namespace chameleon::mysql {

struct ConnectionParams {
	std::string host = "localhost";
	int port = 3306;
	std::string user;
	std::string password;
	std::string charset = "utf8mb4";
	int connect_timeout = 10;
	int read_timeout = 600;
	std::string database;
};

using core::Flavour;
using core::parse_server_version;
using core::ServerVersion;

// A MySQL identifier quoted with backquotes (embedded backquotes doubled).
std::string quote_name(std::string_view name);

using Row = std::vector<std::optional<std::string>>;

class Connection {
  public:
	// Connects, or throws chameleon::Error naming the server and what to check.
	explicit Connection(const ConnectionParams &params);
	~Connection();
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	// Runs a statement and returns all its rows (for small results: checks, metadata).
	std::vector<Row> query(std::string_view sql);
	void execute(std::string_view sql);
	const ServerVersion &version() const { return version_; }
	MYSQL *handle() { return handle_; }
	std::string describe() const; // "host:port" for messages

  private:
	[[noreturn]] void fail(std::string_view sql);

	MYSQL *handle_ = nullptr;
	ConnectionParams params_;
	ServerVersion version_;
};

} // namespace chameleon::mysql
