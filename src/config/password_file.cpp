// read_password(): the inline password, or the one in db_conn.password_file. The file holds either
// the password alone on its first line, or pgpass-like lines host:port:user:password ("*" matches
// anything, "\:" and "\\" escape) of which the first that matches db_conn is used.
#include "config/source_config.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

namespace chameleon::config {

namespace {

const char *const password_file_key = "db_conn.password_file";

std::string
in_file(const std::string &file) {
	return "password file \"" + file + "\"";
}

std::size_t
unescaped_colons(std::string_view line) {
	std::size_t count = 0;
	for (std::size_t i = 0; i < line.size(); ++i) {
		if (line[i] == '\\')
			++i;
		else if (line[i] == ':')
			++count;
	}
	return count;
}

// host, port, user and password of a pgpass-like line (the password is the rest of the line);
// nullopt when the line has fewer than three separators.
std::optional<std::array<std::string, 4>>
split_pgpass_line(std::string_view line) {
	std::array<std::string, 4> fields;
	std::size_t field = 0;
	for (std::size_t i = 0; i < line.size(); ++i) {
		if (line[i] == '\\' && i + 1 < line.size())
			fields[field] += line[++i];
		else if (line[i] == ':' && field < 3)
			++field;
		else
			fields[field] += line[i];
	}
	if (field < 3)
		return std::nullopt;
	return fields;
}

bool
field_matches(const std::string &pattern, const std::string &value) {
	return pattern == "*" || pattern == value;
}

std::vector<std::string>
read_lines(const std::string &file) {
	std::error_code status;
	if (std::filesystem::is_directory(file, status))
		throw ConfigError(password_file_key, 0, "could not read " + in_file(file) + ": it is a directory",
						  "give the path of the file that holds the password");
	std::ifstream input(file, std::ios::binary);
	if (!input)
		throw ConfigError(password_file_key, 0,
						  "could not open " + in_file(file) + ": " + std::strerror(errno),
						  "check that the file exists and that the operating-system user of the PostgreSQL "
						  "server can read it");
	std::vector<std::string> lines;
	for (std::string line; std::getline(input, line);) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		lines.push_back(std::move(line));
	}
	if (input.bad())
		throw ConfigError(password_file_key, 0,
						  "could not read " + in_file(file) + ": " + std::strerror(errno),
						  "check that the operating-system user of the PostgreSQL server can read it");
	return lines;
}

} // namespace

std::string
read_password(const SourceConfig &config) {
	const DbConn &conn = config.db_conn;
	if (!conn.password.empty() || conn.password_file.empty())
		return conn.password;
	const std::string &file = conn.password_file;
	std::vector<std::string> lines = read_lines(file);
	if (lines.empty() || (lines.size() == 1 && lines.front().empty()))
		throw ConfigError(password_file_key, 0, in_file(file) + " is empty",
						  "write the password on the first line, or lines host:port:user:password");

	const std::string &first = lines.front();
	bool pgpass_format = (!first.empty() && first.front() == '#') || unescaped_colons(first) >= 3;
	if (!pgpass_format) {
		if (first.empty())
			throw ConfigError(password_file_key, 1, "line 1 of " + in_file(file) + " is empty",
							  "write the password alone on the first line");
		return first;
	}

	for (std::size_t index = 0; index < lines.size(); ++index) {
		const std::string &line = lines[index];
		if (line.empty() || line.front() == '#')
			continue;
		int line_number = static_cast<int>(index) + 1;
		auto fields = split_pgpass_line(line);
		if (!fields)
			throw ConfigError(password_file_key, line_number,
							  "line " + std::to_string(line_number) + " of " + in_file(file) +
								  " is not of the form host:port:user:password",
							  "write one host:port:user:password per line (\"*\" matches anything, escape : "
							  "and \\ with \\)");
		const auto &[host, port, user, password] = *fields;
		if (field_matches(host, conn.host) && field_matches(port, std::to_string(conn.port)) &&
			field_matches(user, conn.user))
			return password;
	}
	throw ConfigError(password_file_key, 0,
					  "no line of " + in_file(file) + " matches host \"" + conn.host + "\", port " +
						  std::to_string(conn.port) + " and user \"" + conn.user + "\"",
					  "add a line " + conn.host + ":" + std::to_string(conn.port) + ":" + conn.user +
						  ":<password> (\"*\" matches anything)");
}

} // namespace chameleon::config
