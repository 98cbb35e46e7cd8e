// The error type that plain C++ code (MySQL access, workers' logic) throws to report a
// user-facing problem; the PostgreSQL boundary turns it into an ereport with the same parts.
#pragma once

#include <stdexcept>
#include <string>

namespace chameleon {

// SQLSTATE codes used by the plain C++ side (the boundary maps them to ERRCODE_* values).
namespace sqlstate {
constexpr const char *invalid_parameter_value = "22023";
constexpr const char *null_value_not_allowed = "22004";
constexpr const char *config_file_error = "F0000";
constexpr const char *connection_failure = "08006";
constexpr const char *connection_exception = "08000";
constexpr const char *invalid_authorization = "28000";
constexpr const char *object_not_in_prerequisite_state = "55000";
constexpr const char *undefined_object = "42704";
constexpr const char *duplicate_object = "42710";
constexpr const char *feature_not_supported = "0A000";
constexpr const char *data_corrupted = "XX001";
constexpr const char *internal_error = "XX000";
constexpr const char *undefined_file = "58P01";
constexpr const char *io_error = "58030";
constexpr const char *insufficient_privilege = "42501";
constexpr const char *external_routine_exception = "38000";
constexpr const char *datatype_mismatch = "42804";
constexpr const char *active_sql_transaction = "25001";
constexpr const char *insufficient_resources = "53000";
} // namespace sqlstate

class Error : public std::runtime_error {
  public:
	Error(const char *state, const std::string &message, std::string detail = {}, std::string hint = {})
		: std::runtime_error(message), sqlstate(state), detail(std::move(detail)), hint(std::move(hint)) {}

	const char *sqlstate;
	std::string detail;
	std::string hint;
};

} // namespace chameleon
