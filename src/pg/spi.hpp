// SQL from C++ inside the server: statements with typed parameters through SPI, and
// transactions for background workers. Every call goes through pg_call, so a PostgreSQL
// error arrives as a PgError exception.
#pragma once

#include "pg/pg_headers.hpp"

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace chameleon::pg {

using SqlValue = std::optional<std::string>;
using SqlRow = std::vector<SqlValue>;

// A statement parameter: text (or NULL), a bigint from any C++ integer, a boolean, or a value of
// any other type given as its text (SqlParam::typed). Typed parameters need no cast in the SQL ($1
// is a bigint when an int64 is passed, jsonb when SqlParam::jsonb is).
class SqlParam {
  public:
	SqlParam(std::string text) : value_(std::move(text)) {}	  // NOLINT(google-explicit-constructor)
	SqlParam(const char *text) : value_(std::string(text)) {} // NOLINT(google-explicit-constructor)
	SqlParam(SqlValue text) : value_(std::move(text)) {}	  // NOLINT(google-explicit-constructor)
	SqlParam(std::nullopt_t) {}								  // NOLINT(google-explicit-constructor)
	SqlParam(bool value)
		: type_(BOOLOID), value_(std::string()), boolean_(value) {} // NOLINT(google-explicit-constructor)
	template <typename Integer,
			  std::enable_if_t<std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>, int> = 0>
	SqlParam(Integer value) // NOLINT(google-explicit-constructor)
		: type_(INT8OID), value_(std::string()), integer_(static_cast<int64>(value)) {}

	// A value of the type `type` (or of the type named `type_name`, schema-qualified, for a type
	// of the catalogue such as sch_chameleon.en_src_status), read from its text by the type's input
	// function when the statement runs, as a literal of that type would be. NULL stays NULL.
	static SqlParam typed(Oid type, SqlValue text) {
		SqlParam param(std::move(text));
		param.type_ = type;
		param.from_text_ = true;
		return param;
	}
	static SqlParam typed(std::string type_name, SqlValue text) {
		SqlParam param(std::move(text));
		param.type_ = InvalidOid;
		param.type_name_ = std::move(type_name);
		param.from_text_ = true;
		return param;
	}
	static SqlParam jsonb(SqlValue text) { return typed(JSONBOID, std::move(text)); }
	// A relation by its (qualified, quoted) name: an error when there is no such relation.
	static SqlParam regclass(SqlValue name) { return typed(REGCLASSOID, std::move(name)); }
	static SqlParam interval(SqlValue text) { return typed(INTERVALOID, std::move(text)); }

	// InvalidOid for a type given by name (type_name()), resolved when the statement runs.
	Oid type() const { return type_; }
	const std::string &type_name() const { return type_name_; }
	bool is_null() const { return !value_; }
	// Read by the type's input function (typed) rather than passed as text, bigint or boolean.
	bool from_text() const { return from_text_; }
	const std::string &text() const { return *value_; }
	int64 integer() const { return integer_; }
	bool boolean() const { return boolean_; }

  private:
	Oid type_ = TEXTOID;
	std::string type_name_;
	bool from_text_ = false;
	SqlValue value_; // the text of a TEXTOID or typed parameter; nullopt for NULL, "" for int and bool
	int64 integer_ = 0;
	bool boolean_ = false;
};

// Runs a statement with $1..$n parameters and returns its rows as text; bytea values come as
// their raw bytes. Needs an open transaction with SPI connected (see run_transaction).
std::vector<SqlRow> spi_query(const std::string &sql, const std::vector<SqlParam> &params = {});
void spi_exec(const std::string &sql, const std::vector<SqlParam> &params = {});
// The first column of the first row, or nullopt when there is no row.
SqlValue spi_value(const std::string &sql, const std::vector<SqlParam> &params = {});

// The same for statements on the catalogue (schema sch_chameleon): they run with the rights of the
// catalogue's owner and search_path = pg_catalog, pg_temp (CatalogueRights, rights.hpp), whatever
// the current user is. Every other statement runs with the current user's rights: in a worker,
// the source owner's.
std::vector<SqlRow> catalogue_query(const std::string &sql, const std::vector<SqlParam> &params = {});
void catalogue_exec(const std::string &sql, const std::vector<SqlParam> &params = {});
SqlValue catalogue_value(const std::string &sql, const std::vector<SqlParam> &params = {});

// In a SQL-callable function: runs body with SPI connected, in the calling statement's transaction.
void with_spi(const std::function<void()> &body);

// For background workers: runs body in its own transaction with SPI connected and a snapshot;
// commits when body returns, aborts and rethrows when it throws.
void run_transaction(const std::function<void()> &body);

// Inside run_transaction: runs body in a subtransaction. When body fails with a PostgreSQL error
// or a chameleon::Error, the subtransaction is rolled back and false returned with the message
// and SQLSTATE; any other exception (a stop request) is rethrown after the rollback.
bool run_subtransaction(const std::function<void()> &body, std::string *error,
						std::string *sqlstate = nullptr);

} // namespace chameleon::pg
