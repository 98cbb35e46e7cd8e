// A connection to a MySQL or MariaDB server (see connection.hpp).
#include "mysql/connection.hpp"

#include "common/error.hpp"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include <cstdlib>

namespace chameleon::mysql {

Connection::Connection(const ConnectionParams &params) : params_(params) {
	handle_ = mysql_init(nullptr);
	if (handle_ == nullptr)
		throw std::bad_alloc();
	unsigned int connect_timeout = static_cast<unsigned int>(params.connect_timeout);
	unsigned int read_timeout = static_cast<unsigned int>(params.read_timeout);
	mysql_options(handle_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_options(handle_, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
	mysql_options(handle_, MYSQL_SET_CHARSET_NAME, params.charset.c_str());
	if (!mysql_real_connect(handle_, params.host.c_str(), params.user.c_str(), params.password.c_str(),
							params.database.empty() ? nullptr : params.database.c_str(),
							static_cast<unsigned int>(params.port), nullptr, 0)) {
		unsigned int code = mysql_errno(handle_);
		std::string message = mysql_error(handle_);
		mysql_close(handle_);
		handle_ = nullptr;
		std::string where = describe();
		if (code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR)
			throw Error(sqlstate::invalid_authorization,
						"MySQL server at " + where + " refused the credentials of user \"" + params.user +
							"\"",
						message,
						"Check \"db_conn.user\" and the password, and that the account may connect from this "
						"host.");
		if (code == CR_CONN_HOST_ERROR || code == CR_CONNECTION_ERROR || code == CR_UNKNOWN_HOST ||
			code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR)
			throw Error(sqlstate::connection_failure, "could not connect to MySQL server at " + where,
						message,
						"Check \"db_conn.host\" and \"db_conn.port\", and that the server is running and "
						"reachable from the PostgreSQL server.");
		throw Error(sqlstate::connection_exception, "could not connect to MySQL server at " + where, message,
					"Check the \"db_conn\" settings of the source.");
	}
	version_ = parse_server_version(mysql_get_server_info(handle_));
}

Connection::~Connection() {
	if (handle_ != nullptr)
		mysql_close(handle_);
}

std::string
Connection::describe() const {
	return params_.host + ":" + std::to_string(params_.port);
}

void
Connection::fail(std::string_view sql) {
	unsigned int code = mysql_errno(handle_);
	bool lost = code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR;
	throw Error(lost ? sqlstate::connection_failure : sqlstate::external_routine_exception,
				"MySQL server at " + describe() + " failed a statement: " + mysql_error(handle_),
				"Statement: " + std::string(sql) + " (MySQL error " + std::to_string(code) + ")",
				lost ? "Check that the MySQL server is running and reachable." : "");
}

void
Connection::execute(std::string_view sql) {
	if (mysql_real_query(handle_, sql.data(), sql.size()) != 0)
		fail(sql);
	MYSQL_RES *result = mysql_store_result(handle_);
	if (result != nullptr)
		mysql_free_result(result);
	else if (mysql_errno(handle_) != 0)
		fail(sql);
}

std::vector<Row>
Connection::query(std::string_view sql) {
	if (mysql_real_query(handle_, sql.data(), sql.size()) != 0)
		fail(sql);
	MYSQL_RES *result = mysql_store_result(handle_);
	if (result == nullptr) {
		if (mysql_errno(handle_) != 0)
			fail(sql);
		return {};
	}
	std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> owned(result, mysql_free_result);
	unsigned int fields = mysql_num_fields(result);
	std::vector<Row> rows;
	rows.reserve(mysql_num_rows(result));
	while (MYSQL_ROW values = mysql_fetch_row(result)) {
		unsigned long *lengths = mysql_fetch_lengths(result);
		Row row;
		row.reserve(fields);
		for (unsigned int i = 0; i < fields; i++) {
			if (values[i] == nullptr)
				row.emplace_back(std::nullopt);
			else
				row.emplace_back(std::string(values[i], lengths[i]));
		}
		rows.push_back(std::move(row));
	}
	return rows;
}

std::string
quote_name(std::string_view name) {
	std::string out = "`";
	for (char c : name) {
		if (c == '`')
			out += '`';
		out += c;
	}
	out += '`';
	return out;
}

} // namespace chameleon::mysql
