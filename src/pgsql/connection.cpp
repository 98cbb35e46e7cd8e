// A libpq connection to a PostgreSQL source database (see connection.hpp).
#include "pgsql/connection.hpp"

#include "common/error.hpp"

#include <libpq-fe.h>

#include <memory>

namespace chameleon::pgsql {

namespace {

struct ResultDeleter {
	void operator()(PGresult *result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string
trimmed(std::string text) {
	while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
		text.pop_back();
	return text;
}

} // namespace

Connection::Connection(const ConnectionParams &params) : params_(params) {
	std::string port = std::to_string(params.port);
	std::string timeout = std::to_string(params.connect_timeout);
	const char *keywords[] = {"host",
							  "port",
							  "user",
							  "password",
							  "dbname",
							  "connect_timeout",
							  "client_encoding",
							  "application_name",
							  nullptr};
	const char *values[] = {params.host.c_str(),
							port.c_str(),
							params.user.c_str(),
							params.password.empty() ? nullptr : params.password.c_str(),
							params.database.c_str(),
							timeout.c_str(),
							params.client_encoding.c_str(),
							"pg_chameleon",
							nullptr};
	handle_ = PQconnectdbParams(keywords, values, 0);
	if (handle_ == nullptr)
		throw std::bad_alloc();
	if (PQstatus(handle_) != CONNECTION_OK) {
		std::string message = last_error();
		PQfinish(handle_);
		handle_ = nullptr;
		bool denied = message.find("password") != std::string::npos ||
					  message.find("authentication") != std::string::npos;
		throw Error(denied ? sqlstate::invalid_authorization : sqlstate::connection_failure,
					"could not connect to the PostgreSQL source at " + describe(), message,
					denied
						? "Check db_conn.user and the password of the source, and the pg_hba.conf of that "
						  "server."
						: "Check db_conn.host, port and database of the source, and that the server accepts "
						  "connections from this host.");
	}
	if (params.require_password && !PQconnectionUsedPassword(handle_)) {
		PQfinish(handle_);
		handle_ = nullptr;
		throw Error(
			sqlstate::insufficient_privilege,
			"password is required to connect to the PostgreSQL source at " + describe(),
			"The source was configured by a role that is not a superuser, and the server did not ask "
			"for the password (trust, peer or ident authentication).",
			"Make the pg_hba.conf of that server require a password for db_conn.user (scram-sha-256), "
			"or have a superuser alter the source.");
	}
	execute("SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; "
			"SET extra_float_digits = 3; SET bytea_output = 'hex'");
}

Connection::~Connection() {
	if (handle_ != nullptr)
		PQfinish(handle_);
}

std::string
Connection::describe() const {
	return "\"" + params_.host + ":" + std::to_string(params_.port) + "/" + params_.database + "\"";
}

std::string
Connection::last_error() const {
	return trimmed(PQerrorMessage(handle_));
}

std::vector<Row>
Connection::query(const std::string &sql, const std::vector<Value> &params) {
	std::vector<const char *> values;
	values.reserve(params.size());
	for (const Value &param : params)
		values.push_back(param ? param->c_str() : nullptr);
	Result result(params.empty() ? PQexec(handle_, sql.c_str())
								 : PQexecParams(handle_, sql.c_str(), static_cast<int>(values.size()),
												nullptr, values.data(), nullptr, nullptr, 0));
	ExecStatusType status = PQresultStatus(result.get());
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
		std::string message = trimmed(PQresultErrorMessage(result.get()));
		throw Error(sqlstate::external_routine_exception,
					"the PostgreSQL source at " + describe() + " refused a query: " + message,
					std::string("SQLSTATE ") + (state ? state : "unknown") + "; query: " + sql,
					"Check that db_conn.user may read the mapped schemas of the source.");
	}
	std::vector<Row> rows;
	int columns = PQnfields(result.get());
	for (int r = 0; r < PQntuples(result.get()); r++) {
		Row row;
		for (int c = 0; c < columns; c++)
			row.push_back(PQgetisnull(result.get(), r, c) ? Value() : Value(PQgetvalue(result.get(), r, c)));
		rows.push_back(std::move(row));
	}
	return rows;
}

void
Connection::execute(const std::string &sql, const std::vector<Value> &params) {
	query(sql, params);
}

} // namespace chameleon::pgsql
