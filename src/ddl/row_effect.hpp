// How an ALTER's effect on the rows a table already holds is reproduced (doc/ddl.md): the values
// MySQL gave existing rows for a default evaluated at the statement's time, and whether a column
// change converts values the same way in MySQL and PostgreSQL. Pure functions for the translator.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/type_map.hpp"
#include "ddl/ast.hpp"

namespace chameleon::ddl {

// When MySQL ran a statement: the QUERY event's time (microseconds when the server logged them:
// MariaDB's Q_HRNOW, MySQL's Q_MICROSECONDS) and its session time zone (Q_TIME_ZONE_CODE, empty
// when not logged).
struct StatementTime {
	std::int64_t epoch_us = 0;
	std::string time_zone;
};

// The functions of a DEFAULT that MySQL evaluates once, at the statement's time.
enum class TimeFunction {
	none,			 // not a time function
	local_timestamp, // CURRENT_TIMESTAMP, NOW(), LOCALTIME, LOCALTIMESTAMP
	utc_timestamp,	 // UTC_TIMESTAMP()
	local_date,		 // CURDATE(), CURRENT_DATE
	utc_date,		 // UTC_DATE()
};

struct TimeDefault {
	TimeFunction function = TimeFunction::none;
	int fsp = 0; // the function's fractional seconds precision: NOW(3) -> 3
};

// The time function of a DEFAULT clause (also inside parentheses: (now()), (curdate())).
TimeDefault time_default(const DefaultValue &value);

// The offset from UTC of a MySQL session time zone written as an offset ("+02:00", "-5:30") or a
// name of UTC; nullopt for named zones and SYSTEM, whose offset only the source knows.
std::optional<int> utc_offset_seconds(const std::string &time_zone);

// The value, as a PostgreSQL literal, that MySQL stored in existing rows for a column of MySQL
// data_type with fractional precision column_fsp whose DEFAULT is f, at time when; nullopt when it
// cannot be known here (a type that is not date/time, a time zone that is not an offset).
std::optional<std::string> statement_time_literal(const TimeDefault &f, const std::string &data_type,
												  int column_fsp, const StatementTime &when);

// Whether changing a column from old_type to new_type (MySQL COLUMN_TYPE texts) leaves every
// existing value as it was, in MySQL as in PostgreSQL: same type, or a widening (longer varchar,
// larger integer of the same signedness, a decimal with as many integer and fractional digits or
// more, more fractional seconds digits, enum labels kept (in any order), set labels appended). Any other
// change may convert values differently.
bool keeps_values(const std::string &old_type, const std::string &new_type);

} // namespace chameleon::ddl
