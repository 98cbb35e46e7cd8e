// A connection to a MySQL or MariaDB server (MariaDB Connector/C), with errors turned into
// chameleon::Error values that say what to fix. No PostgreSQL header may be included here.
#pragma once

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

enum class Flavour { mysql, mariadb };

struct ServerVersion {
	std::string text; // as SELECT VERSION() returns it
	Flavour flavour = Flavour::mysql;
	int major = 0, minor = 0, patch = 0;

	bool at_least(int want_major, int want_minor, int want_patch = 0) const {
		if (major != want_major)
			return major > want_major;
		if (minor != want_minor)
			return minor > want_minor;
		return patch >= want_patch;
	}
};

ServerVersion parse_server_version(std::string_view version);

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
