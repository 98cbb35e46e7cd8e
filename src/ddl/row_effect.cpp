// Statement-time values of DEFAULT clauses and value-keeping column changes (see row_effect.hpp).
#include "ddl/row_effect.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/ascii.hpp"

namespace chameleon::ddl {

namespace {

constexpr std::int64_t us_per_second = 1000000;
constexpr std::int64_t seconds_per_day = 86400;

// The function name and its precision in text such as "now()", "(CURRENT_TIMESTAMP(3))",
// "utc_timestamp": spaces and outer parentheses removed.
TimeDefault
parse_time_call(std::string text) {
	text.erase(
		std::remove_if(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; }),
		text.end());
	text = ascii_lower(text);
	while (text.size() >= 2 && text.front() == '(' && text.back() == ')')
		text = text.substr(1, text.size() - 2);
	std::string name = text, argument;
	std::size_t open = text.find('(');
	if (open != std::string::npos) {
		if (text.back() != ')')
			return {};
		name = text.substr(0, open);
		argument = text.substr(open + 1, text.size() - open - 2);
	}
	if (!argument.empty() && (argument.size() > 1 || argument[0] < '0' || argument[0] > '6'))
		return {};
	int fsp = argument.empty() ? 0 : argument[0] - '0';
	static const char *const local[] = {"current_timestamp", "now", "localtime", "localtimestamp"};
	if (std::any_of(std::begin(local), std::end(local), [&](const char *n) { return name == n; }))
		return {TimeFunction::local_timestamp, fsp};
	if (name == "utc_timestamp")
		return {TimeFunction::utc_timestamp, fsp};
	if ((name == "curdate" || name == "current_date") && argument.empty())
		return {TimeFunction::local_date, 0};
	if (name == "utc_date" && argument.empty())
		return {TimeFunction::utc_date, 0};
	return {};
}

// Civil date of a day number counted from 1970-01-01 (H. Hinnant's algorithm).
void
civil_from_days(std::int64_t days, int &year, unsigned &month, unsigned &day) {
	days += 719468;
	std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	auto doe = static_cast<unsigned>(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = static_cast<int>(y + (month <= 2));
}

std::int64_t
floor_div(std::int64_t a, std::int64_t b) {
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

// "YYYY-MM-DD[ HH:MM:SS[.f…]]" of a wall-clock time in microseconds, fsp fractional digits (truncated).
std::string
format_wall_clock(std::int64_t us, bool with_time, int fsp) {
	std::int64_t seconds = floor_div(us, us_per_second);
	auto micros = static_cast<long>(us - seconds * us_per_second);
	std::int64_t days = floor_div(seconds, seconds_per_day);
	auto second_of_day = static_cast<long>(seconds - days * seconds_per_day);
	int year = 0;
	unsigned month = 0, day = 0;
	civil_from_days(days, year, month, day);
	char buffer[64];
	if (!with_time) {
		std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", year, month, day);
		return buffer;
	}
	std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02ld:%02ld:%02ld", year, month, day,
				  second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
	std::string out = buffer;
	if (fsp > 0) {
		std::snprintf(buffer, sizeof buffer, "%06ld", micros);
		out += "." + std::string(buffer, static_cast<std::size_t>(fsp));
	}
	return out;
}

int
integer_rank(const std::string &type) {
	static const char *const ranks[] = {"tinyint", "smallint", "mediumint", "int", "bigint"};
	for (std::size_t i = 0; i < std::size(ranks); ++i)
		if (type == ranks[i])
			return static_cast<int>(i);
	return -1;
}

int
text_rank(const std::string &type) {
	static const char *const ranks[] = {"tinytext", "text", "mediumtext", "longtext"};
	static const char *const blobs[] = {"tinyblob", "blob", "mediumblob", "longblob"};
	for (std::size_t i = 0; i < std::size(ranks); ++i)
		if (type == ranks[i] || type == blobs[i])
			return static_cast<int>(i);
	return -1;
}

} // namespace

TimeDefault
time_default(const DefaultValue &value) {
	if (value.kind == DefaultKind::current_timestamp)
		return {TimeFunction::local_timestamp, value.fsp.value_or(0)};
	if (value.kind == DefaultKind::expression)
		return parse_time_call(value.raw.empty() ? value.value : value.raw);
	return {};
}

std::optional<int>
utc_offset_seconds(const std::string &time_zone) {
	static const char *const utc[] = {"utc", "etc/utc", "gmt", "etc/gmt", "universal", "zulu"};
	std::string zone = ascii_lower(time_zone);
	if (std::any_of(std::begin(utc), std::end(utc), [&](const char *n) { return zone == n; }))
		return 0;
	// [+-]H:MM or [+-]HH:MM
	auto digit = [&](std::size_t i) { return i < zone.size() && zone[i] >= '0' && zone[i] <= '9'; };
	std::size_t colon = zone.find(':');
	if (zone.size() < 5 || (zone[0] != '+' && zone[0] != '-') || (colon != 2 && colon != 3) ||
		zone.size() != colon + 3 || !digit(1) || !digit(colon - 1) || !digit(colon + 1) || !digit(colon + 2))
		return std::nullopt;
	int hours = std::stoi(zone.substr(1, colon - 1));
	int minutes = std::stoi(zone.substr(colon + 1));
	if (hours > 14 || minutes > 59)
		return std::nullopt;
	char sign = zone[0];
	int offset = hours * 3600 + minutes * 60;
	return sign == '-' ? -offset : offset;
}

std::optional<std::string>
statement_time_literal(const TimeDefault &f, const std::string &data_type, int column_fsp,
					   const StatementTime &when) {
	if (f.function == TimeFunction::none)
		return std::nullopt;
	bool utc = f.function == TimeFunction::utc_timestamp || f.function == TimeFunction::utc_date;
	bool date_only = f.function == TimeFunction::local_date || f.function == TimeFunction::utc_date;
	int fsp = date_only ? 0 : std::min(f.fsp, column_fsp);
	std::optional<int> offset = utc_offset_seconds(when.time_zone);
	// NOW() on a TIMESTAMP column is the statement's instant, whatever the session's zone.
	if (data_type == "timestamp" && f.function == TimeFunction::local_timestamp)
		return "'" + format_wall_clock(when.epoch_us, true, fsp) + "+00'";
	if (!offset)
		return std::nullopt;
	std::int64_t local_us = when.epoch_us + static_cast<std::int64_t>(*offset) * us_per_second;
	std::int64_t wall = utc ? when.epoch_us : local_us;
	if (date_only)
		wall = floor_div(wall, seconds_per_day * us_per_second) * seconds_per_day * us_per_second;
	if (data_type == "datetime")
		return "'" + format_wall_clock(wall, true, fsp) + "'";
	if (data_type == "date")
		return "'" + format_wall_clock(wall, false, 0) + "'";
	if (data_type == "timestamp") // a wall clock read in the session's zone
		return "'" + format_wall_clock(wall - static_cast<std::int64_t>(*offset) * us_per_second, true, fsp) +
			   "+00'";
	return std::nullopt;
}

bool
keeps_values(const std::string &old_type, const std::string &new_type) {
	if (core::normalize_column_type(old_type) == core::normalize_column_type(new_type))
		return true;
	core::MysqlColumn a = core::from_column_type("old", old_type);
	core::MysqlColumn b = core::from_column_type("new", new_type);
	if (integer_rank(a.data_type) >= 0 && integer_rank(b.data_type) >= 0)
		return a.unsigned_ == b.unsigned_ && integer_rank(b.data_type) >= integer_rank(a.data_type);
	if (text_rank(a.data_type) >= 0 && text_rank(b.data_type) >= 0)
		return (a.data_type.find("blob") == std::string::npos) ==
				   (b.data_type.find("blob") == std::string::npos) &&
			   text_rank(b.data_type) >= text_rank(a.data_type);
	if (a.data_type != b.data_type || a.unsigned_ != b.unsigned_)
		return false;
	const std::string &type = a.data_type;
	if (type == "varchar" || type == "varbinary")
		return b.char_length.value_or(0) >= a.char_length.value_or(0);
	if (type == "decimal") // as many integer digits or more, as many fractional digits or more
		return b.scale.value_or(0) >= a.scale.value_or(0) &&
			   b.precision.value_or(10) - b.scale.value_or(0) >=
				   a.precision.value_or(10) - a.scale.value_or(0);
	if (type == "datetime" || type == "timestamp" || type == "time")
		return b.datetime_precision.value_or(0) >= a.datetime_precision.value_or(0);
	if (type == "enum") // values convert by label: every old label must remain
		return std::all_of(a.enum_values.begin(), a.enum_values.end(), [&](const std::string &label) {
			return std::find(b.enum_values.begin(), b.enum_values.end(), label) != b.enum_values.end();
		});
	if (type == "set") // members are bits in label order: labels may only be appended
		return b.enum_values.size() >= a.enum_values.size() &&
			   std::equal(a.enum_values.begin(), a.enum_values.end(), b.enum_values.begin());
	return false;
}

} // namespace chameleon::ddl
