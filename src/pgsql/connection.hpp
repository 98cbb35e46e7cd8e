// A libpq connection to a PostgreSQL source database (type: pgsql), with errors turned into
// chameleon::Error values that say what to fix. No PostgreSQL server header may be included here.
#pragma once

#include <optional>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;

namespace chameleon::pgsql {

struct ConnectionParams {
	std::string host = "localhost";
	int port = 5432;
	std::string user;
	std::string password;
	std::string database;
	int connect_timeout = 10;
	std::string client_encoding = "UTF8"; // the destination database's encoding
	// The source was configured by a role that is not a superuser: the server must have asked for
	// the password (postgres_fdw's password_required), else the connection is refused. Without
	// this, trust, peer or ident authentication would let that role in with the server's identity.
	bool require_password = false;
};

using Value = std::optional<std::string>;
using Row = std::vector<Value>;

class Connection {
  public:
	// Connects, or throws chameleon::Error naming the server and what to check. The session reads
	// and writes values in the forms the destination parses whatever its settings: ISO dates,
	// UTC, hex bytea, exact floats.
	explicit Connection(const ConnectionParams &params);
	~Connection();
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	// Runs a statement with $1..$n text parameters and returns its rows as text.
	std::vector<Row> query(const std::string &sql, const std::vector<Value> &params = {});
	void execute(const std::string &sql, const std::vector<Value> &params = {});
	PGconn *handle() { return handle_; }
	std::string describe() const; // "host:port/database" for messages
	// The error of the last failed call, as libpq reports it.
	std::string last_error() const;

  private:
	PGconn *handle_ = nullptr;
	ConnectionParams params_;
};

} // namespace chameleon::pgsql
