// Checks and conversions of configuration value texts; see config_values.hpp.
#include "config/config_values.hpp"

#include "common/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <regex>
#include <string>
#include <vector>

namespace chameleon::config {

namespace {

std::string_view
trim(std::string_view text) {
	while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
		text.remove_prefix(1);
	while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
		text.remove_suffix(1);
	return text;
}

bool
full_match(std::string_view text, const std::regex &pattern) {
	return std::regex_match(text.begin(), text.end(), pattern);
}

} // namespace

std::optional<int64_t>
parse_integer(std::string_view text) {
	bool negative = false;
	if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
		negative = text.front() == '-';
		text.remove_prefix(1);
	}
	if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front())) ||
		!std::isdigit(static_cast<unsigned char>(text.back())))
		return std::nullopt;
	int64_t value = 0;
	for (char c : text) {
		if (c == '_')
			continue;
		if (!std::isdigit(static_cast<unsigned char>(c)))
			return std::nullopt;
		int digit = c - '0';
		if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
			return std::nullopt;
		value = value * 10 + digit;
	}
	return negative ? -value : value;
}

std::optional<bool>
parse_boolean(std::string_view text) {
	std::string word = ascii_lower(text);
	if (word == "true" || word == "yes" || word == "on")
		return true;
	if (word == "false" || word == "no" || word == "off")
		return false;
	return std::nullopt;
}

std::optional<int64_t>
parse_byte_size(std::string_view text) {
	static const std::regex pattern(R"(([0-9]+)\s*([kKmMgG]?)[bB]?)");
	std::match_results<std::string_view::const_iterator> match;
	text = trim(text);
	if (!std::regex_match(text.begin(), text.end(), match, pattern))
		return std::nullopt;
	auto number = parse_integer(match[1].str());
	if (!number || *number <= 0)
		return std::nullopt;
	int64_t scale = 1;
	switch (match[2].length() ? ascii_lower(match[2].str()[0]) : 0) {
	case 'k':
		scale = 1024;
		break;
	case 'm':
		scale = int64_t{1024} * 1024;
		break;
	case 'g':
		scale = int64_t{1024} * 1024 * 1024;
		break;
	default:
		break;
	}
	if (*number > std::numeric_limits<int64_t>::max() / scale)
		return std::nullopt;
	return *number * scale;
}

bool
is_interval_text(std::string_view text) {
	static const std::regex iso8601(
		R"(P(?=[0-9T])([0-9]+(\.[0-9]+)?Y)?([0-9]+(\.[0-9]+)?M)?([0-9]+(\.[0-9]+)?W)?([0-9]+(\.[0-9]+)?D)?)"
		R"((T(?=[0-9])([0-9]+(\.[0-9]+)?H)?([0-9]+(\.[0-9]+)?M)?([0-9]+(\.[0-9]+)?S)?)?)");
	static const std::string unit =
		"(microseconds?|us|usecs?|milliseconds?|ms|msecs?|seconds?|s|secs?|minutes?|m|mins?|hours?|h|hrs?|"
		"days?|d|weeks?|w|months?|mons?|years?|y|yrs?|decades?|decs?|century|centuries|c|cent|"
		"millennium|millennia|mils?)";
	static const std::string number = R"([+-]?[0-9]+(\.[0-9]+)?)";
	static const std::regex number_token(number + unit + "?");
	static const std::regex unit_token(unit);
	static const std::regex time_token(R"([+-]?[0-9]+:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9]+)?)?)");

	std::string value = ascii_lower(trim(text));
	if (value.empty())
		return false;
	if (full_match(trim(text), iso8601))
		return true;
	if (value.front() == '@')
		value.erase(0, 1);

	std::vector<std::string> tokens;
	for (std::size_t pos = 0; pos < value.size();) {
		std::size_t start = value.find_first_not_of(" \t", pos);
		if (start == std::string::npos)
			break;
		std::size_t end = value.find_first_of(" \t", start);
		tokens.push_back(value.substr(start, end == std::string::npos ? std::string::npos : end - start));
		pos = end == std::string::npos ? value.size() : end;
	}
	if (!tokens.empty() && tokens.back() == "ago")
		tokens.pop_back();
	bool has_quantity = false;
	for (const auto &token : tokens) {
		if (full_match(token, number_token) || full_match(token, time_token))
			has_quantity = true;
		else if (!full_match(token, unit_token))
			return false;
	}
	return has_quantity;
}

bool
is_lock_timeout_text(std::string_view text) {
	static const std::regex pattern(R"([0-9]+\s*(us|ms|s|min|h|d)?)");
	return full_match(trim(text), pattern);
}

bool
is_type_name_text(std::string_view text) {
	static const std::regex pattern(
		R"([A-Za-z_][A-Za-z0-9_.]*( [A-Za-z_][A-Za-z0-9_]*)*)"
		R"((\([A-Za-z0-9_]+(, ?[A-Za-z0-9_]+)*\))?( [A-Za-z_][A-Za-z0-9_]*)*(\[\])*)");
	return full_match(text, pattern);
}

std::size_t
edit_distance(std::string_view a, std::string_view b) {
	// optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
	std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
	for (std::size_t i = 0; i <= a.size(); ++i)
		d[i][0] = i;
	for (std::size_t j = 0; j <= b.size(); ++j)
		d[0][j] = j;
	for (std::size_t i = 1; i <= a.size(); ++i)
		for (std::size_t j = 1; j <= b.size(); ++j) {
			d[i][j] = std::min(
				{d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
		}
	return d[a.size()][b.size()];
}

} // namespace chameleon::config
