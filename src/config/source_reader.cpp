// parse_source() and parse_file(): walk the YAML tree, check every key and value, fill defaults,
// and report unknown keys with a hint (did you mean ..., wrong indentation, whole-file key).
#include "config/config_values.hpp"
#include "config/source_config.hpp"
#include "config/yaml_document.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <map>
#include <optional>
#include <set>

namespace chameleon::config {

namespace {

using Kind = YamlNode::Kind;

const std::vector<std::string> source_keys = {"type",
											  "db_conn",
											  "schema_mappings",
											  "limit_tables",
											  "skip_tables",
											  "grant_select_to",
											  "lock_timeout",
											  "my_server_id",
											  "replica_batch_size",
											  "replay_max_rows",
											  "batch_retention",
											  "copy_max_memory",
											  "copy_mode",
											  "out_dir",
											  "sleep_loop",
											  "on_error_replay",
											  "on_error_read",
											  "auto_maintenance",
											  "gtid_enable",
											  "skip_events",
											  "keep_existing_schema",
											  "net_read_timeout",
											  "copy_parallel_jobs",
											  "zero_dates",
											  "strip_nul",
											  "verify_max_rows_per_second",
											  "type_override",
											  "fillfactor",
											  "distribute_tables",
											  "reference_tables"};
const std::vector<std::string> db_conn_keys = {
	"host", "port", "user", "password", "password_file", "charset", "connect_timeout", "database"};
const std::vector<std::string> file_keys = {"pid_dir",		 "log_dir",		"log_dest",	   "log_level",
											"log_days_keep", "rollbar_key", "rollbar_env", "pg_conn",
											"type_override", "fillfactor",	"sources"};
const std::vector<std::string> skip_event_keys = {"insert", "update", "delete"};
const std::vector<std::string> type_override_keys = {"override_to", "override_tables"};
const std::vector<std::string> fillfactor_keys = {"tables"};
// libyaml refuses implicit keys of more than 1024 characters, and the JSON form has only those.
constexpr std::size_t max_column_type_bytes = 1000;

const std::map<std::string, std::string> ignored_source_keys = {
	{"copy_mode", "the initial copy streams rows into COPY inside the server, without intermediate files"},
	{"out_dir", "the initial copy writes no csv files"},
};
const std::map<std::string, std::string> ignored_file_keys = {
	{"pid_dir", "the replica runs in PostgreSQL background workers, which have no pid files"},
	{"log_dir", "messages go to the PostgreSQL server log"},
	{"log_dest", "messages go to the PostgreSQL server log"},
	{"log_level", "the PostgreSQL settings log_min_messages and client_min_messages decide what is logged"},
	{"log_days_keep", "the PostgreSQL server log is rotated by the server's own settings"},
	{"rollbar_key", "rollbar notifications are not supported (deprecated since pg_chameleon 2.0.20)"},
	{"rollbar_env", "rollbar notifications are not supported (deprecated since pg_chameleon 2.0.20)"},
	{"pg_conn", "the destination is the database where the extension is installed"},
};

bool
contains(const std::vector<std::string> &names, const std::string &name) {
	return std::find(names.begin(), names.end(), name) != names.end();
}

std::string
quoted(std::string_view text) {
	return "\"" + std::string(text) + "\"";
}

std::string
at_line(int line) {
	return line > 0 ? " at line " + std::to_string(line) : "";
}

std::string
join(const std::vector<std::string> &names) {
	std::string result;
	for (const auto &name : names)
		result += (result.empty() ? "" : ", ") + name;
	return result;
}

std::optional<std::string>
closest_key(const std::string &key, const std::vector<std::string> &candidates) {
	std::string normalised;
	for (char c : key)
		normalised += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	std::size_t allowed = normalised.size() >= 5 ? 2 : 1;
	std::optional<std::string> best;
	std::size_t best_distance = allowed + 1;
	for (const auto &candidate : candidates) {
		bool prefix = normalised.size() >= 4 && candidate.rfind(normalised, 0) == 0;
		std::size_t distance = prefix ? 0 : edit_distance(normalised, candidate);
		if (distance < best_distance) {
			best_distance = distance;
			best = candidate;
		}
	}
	return best;
}

[[noreturn]] void
fail_value(const std::string &path, int line, const std::string &detail, const std::string &hint) {
	throw ConfigError(path, line, "invalid value for " + quoted(path) + at_line(line) + ": " + detail, hint);
}

[[noreturn]] void
fail_unknown(const std::string &path, int line, const std::string &hint) {
	throw ConfigError(path, line, "unknown key " + quoted(path) + at_line(line), hint);
}

[[noreturn]] void
fail_missing(const std::string &path, const std::string &where, int line, const std::string &hint) {
	throw ConfigError(path, line, "missing required key " + quoted(path) + " in " + where + at_line(line),
					  hint);
}

// Hint for an unknown key: the caller's special cases first, then "did you mean", then the list.
std::string
unknown_key_hint(const std::string &key, const std::vector<std::string> &known, const std::string &where) {
	if (auto suggestion = closest_key(key, known))
		return "did you mean " + quoted(*suggestion) + "?";
	return "remove it; the keys of " + where + " are: " + join(known);
}

// Calls visit(key, value) for each entry of a mapping whose keys are names, rejecting duplicates.
template <typename Visit>
void
for_each_entry(const YamlNode &mapping, const std::string &path_prefix, Visit visit) {
	std::map<std::string, int> seen;
	for (const auto &[key, value] : mapping.entries) {
		if (key.kind != Kind::scalar || key.is_null())
			throw ConfigError(path_prefix, key.line,
							  "invalid key" + at_line(key.line) + ": expected a name, got " + key.describe(),
							  "keys are plain names followed by a colon");
		auto [previous, inserted] = seen.emplace(key.text, key.line);
		if (!inserted)
			throw ConfigError(path_prefix + key.text, key.line,
							  "duplicate key " + quoted(path_prefix + key.text) + at_line(key.line),
							  "it is already given at line " + std::to_string(previous->second) +
								  ": keep only one");
		visit(key, value);
	}
}

void
require_kind(const YamlNode &value, Kind kind, const std::string &path, const std::string &expected) {
	if (value.kind != kind)
		fail_value(path, value.line, "expected " + expected + ", got " + value.describe(),
				   kind == Kind::sequence ? "write a list: one \"- item\" per line, or [a, b]"
				   : kind == Kind::mapping
					   ? "write a mapping: one \"key: value\" per line, indented below " + quoted(path)
					   : "write a single value, not a list or a mapping");
}

const std::string &
scalar_text(const YamlNode &value, const std::string &path, const std::string &expected) {
	require_kind(value, Kind::scalar, path, expected);
	return value.text;
}

std::string
non_empty_text(const YamlNode &value, const std::string &path, const std::string &expected) {
	const std::string &text = scalar_text(value, path, expected);
	if (value.is_null() || text.empty())
		fail_value(path, value.line, "expected " + expected + ", got nothing", "write " + expected);
	return text;
}

int64_t
integer_in(const YamlNode &value, const std::string &path, int64_t min, int64_t max) {
	std::string expected = max == INT_MAX && min == 1
							   ? "a positive integer"
							   : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
	const std::string &text = scalar_text(value, path, expected);
	auto number = parse_integer(text);
	if (!number || *number < min || *number > max)
		fail_value(path, value.line, "expected " + expected + ", got " + quoted(text),
				   "write a whole number (quotes are allowed)");
	return *number;
}

bool
boolean(const YamlNode &value, const std::string &path) {
	const std::string &text = scalar_text(value, path, "true or false");
	auto result = parse_boolean(text);
	if (!result)
		fail_value(path, value.line, "expected true or false, got " + quoted(text),
				   "write true/false, yes/no or on/off");
	return *result;
}

std::string
one_of(const YamlNode &value, const std::string &path, const std::vector<std::string> &choices) {
	std::string expected;
	for (std::size_t i = 0; i < choices.size(); ++i)
		expected += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + quoted(choices[i]);
	const std::string &text = scalar_text(value, path, expected);
	if (!contains(choices, text))
		fail_value(path, value.line, "expected " + expected + ", got " + quoted(text),
				   "write one of " + join(choices));
	return text;
}

// "schema.table" (or also "schema" when whole schemas are allowed); returns the schema.
std::optional<std::string>
schema_of_entry(const std::string &entry, bool schema_alone_allowed) {
	std::size_t dot = entry.find('.');
	if (dot == std::string::npos)
		return schema_alone_allowed && !entry.empty() ? std::optional<std::string>(entry) : std::nullopt;
	if (dot == 0 || dot + 1 == entry.size() || entry.find('.', dot + 1) != std::string::npos)
		return std::nullopt;
	return entry.substr(0, dot);
}

// A list entry naming a table: "schema.table", or "*" when all_tables_allowed.
std::string
table_entry(const YamlNode &item, const std::string &path, bool all_tables_allowed) {
	std::string expected = all_tables_allowed ? "\"schema.table\" or \"*\"" : "\"schema.table\"";
	std::string text = non_empty_text(item, path, expected);
	if (!(all_tables_allowed && text == "*") && !schema_of_entry(text, false))
		fail_value(path, item.line, quoted(text) + " is not of the form schema.table",
				   "write each entry as " + expected);
	return text;
}

std::vector<std::string>
table_list(const YamlNode &value, const std::string &path, bool all_tables_allowed) {
	std::vector<std::string> tables;
	if (value.is_null())
		return tables;
	require_kind(value, Kind::sequence, path, "a list of tables");
	for (const auto &item : value.items)
		tables.push_back(table_entry(item, path, all_tables_allowed));
	return tables;
}

std::vector<TypeOverride>
read_type_override(const YamlNode &value, const std::string &path) {
	std::vector<TypeOverride> overrides;
	if (value.is_null())
		return overrides;
	require_kind(value, Kind::mapping, path, "a mapping of MySQL column types");
	for_each_entry(value, path + ".", [&](const YamlNode &key, const YamlNode &body) {
		std::string entry_path = path + "." + key.text;
		if (key.text.size() > max_column_type_bytes)
			fail_value(
				path, key.line,
				"the column type is longer than " + std::to_string(max_column_type_bytes) + " bytes",
				"libyaml cannot read such a long key back from the stored JSON: override a shorter type");
		TypeOverride override_entry;
		override_entry.column_type = key.text;
		if (body.is_null())
			fail_missing(entry_path + ".override_to", quoted(entry_path), key.line,
						 "give override_to (a PostgreSQL type) and override_tables (a list) under " +
							 quoted(key.text));
		require_kind(body, Kind::mapping, entry_path, "a mapping with override_to and override_tables");
		std::optional<int> tables_line;
		for_each_entry(body, entry_path + ".", [&](const YamlNode &field, const YamlNode &field_value) {
			std::string field_path = entry_path + "." + field.text;
			if (field.text == "override_to") {
				override_entry.override_to =
					non_empty_text(field_value, field_path, "a PostgreSQL type name");
				if (!is_type_name_text(override_entry.override_to))
					fail_value(field_path, field_value.line,
							   quoted(override_entry.override_to) + " is not a type name",
							   "write a PostgreSQL type such as boolean, smallint or numeric(10,2)");
			} else if (field.text == "override_tables") {
				override_entry.tables = table_list(field_value, field_path, true);
				tables_line = field_value.line;
			} else {
				fail_unknown(field_path, field.line,
							 unknown_key_hint(field.text, type_override_keys, quoted(entry_path)));
			}
		});
		if (override_entry.override_to.empty())
			fail_missing(entry_path + ".override_to", quoted(entry_path), key.line,
						 "add override_to: <PostgreSQL type>");
		if (!tables_line)
			fail_missing(entry_path + ".override_tables", quoted(entry_path), key.line,
						 "add override_tables: [\"*\"] for every table, or a list of schema.table");
		if (override_entry.tables.empty())
			fail_value(entry_path + ".override_tables", *tables_line, "expected at least one table or \"*\"",
					   "write [\"*\"] for every table");
		overrides.push_back(std::move(override_entry));
	});
	return overrides;
}

std::vector<std::pair<int, std::vector<std::string>>>
read_fillfactor(const YamlNode &value, const std::string &path) {
	std::vector<std::pair<int, std::vector<std::string>>> factors;
	if (value.is_null())
		return factors;
	require_kind(value, Kind::mapping, path, "a mapping of fill factors");
	std::map<int, int> factor_lines;
	for_each_entry(value, path + ".", [&](const YamlNode &key, const YamlNode &body) {
		std::string entry_path = path + "." + key.text;
		int factor = static_cast<int>(integer_in(key, entry_path, 10, 100));
		auto [previous, inserted] = factor_lines.emplace(factor, key.line);
		if (!inserted)
			throw ConfigError(entry_path, key.line, "duplicate key " + quoted(entry_path) + at_line(key.line),
							  "fill factor " + std::to_string(factor) + " is already given at line " +
								  std::to_string(previous->second) + ": keep only one");
		std::vector<std::string> tables;
		if (!body.is_null()) {
			require_kind(body, Kind::mapping, entry_path, "a mapping with tables");
			for_each_entry(body, entry_path + ".", [&](const YamlNode &field, const YamlNode &field_value) {
				if (field.text != "tables")
					fail_unknown(entry_path + "." + field.text, field.line,
								 unknown_key_hint(field.text, fillfactor_keys, quoted(entry_path)));
				tables = table_list(field_value, entry_path + ".tables", true);
			});
		}
		factors.emplace_back(factor, std::move(tables));
	});
	return factors;
}

// Reads one source block. Lines are kept for the checks that need the whole block.
class SourceReader {
  public:
	SourceReader(std::string prefix, int block_line) : prefix(std::move(prefix)), block_line(block_line) {}

	SourceConfig read(const YamlNode &block) {
		std::string block_name =
			prefix.empty() ? "source block" : quoted(prefix.substr(0, prefix.size() - 1));
		if (block.is_null())
			throw ConfigError(
				prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1), block_line,
				"the " + (prefix.empty() ? std::string("source configuration") : "source " + block_name) +
					at_line(block_line) + " is empty",
				"give at least db_conn (with user) and schema_mappings");
		if (block.kind != Kind::mapping)
			throw ConfigError(prefix, block.line,
							  "invalid source configuration" + at_line(block.line) +
								  ": expected a mapping of keys, got " + block.describe(),
							  "write the source as \"key: value\" lines: db_conn, schema_mappings, ...");
		for_each_entry(block, prefix,
					   [&](const YamlNode &key, const YamlNode &value) { read_key(key, value); });
		finish();
		return std::move(config);
	}

	bool has_key(const std::string &key) const { return given.count(key) > 0; }
	const std::vector<int> &mapping_lines() const { return destination_lines; }

  private:
	struct OriginUse {
		std::string path, entry, schema;
		int line;
	};

	std::string path(const std::string &key) const { return prefix + key; }

	void read_key(const YamlNode &key_node, const YamlNode &value) {
		const std::string &key = key_node.text;
		const std::string key_path = path(key);
		given[key] = key_node.line;
		if (auto ignored = ignored_source_keys.find(key); ignored != ignored_source_keys.end()) {
			config.notices.push_back(
				{key_path, key_node.line,
				 quoted(key_path) + at_line(key_node.line) + " is ignored: " + ignored->second});
			return;
		}
		if (!contains(source_keys, key))
			fail_unknown(key_path, key_node.line, unknown_source_key_hint(key, value));
		if (value.is_null()) {
			null_keys.insert(key);
			return;
		}
		if (key == "type")
			config.type = one_of(value, key_path, {"mysql", "pgsql"}) == "pgsql" ? SourceType::pgsql
																				 : SourceType::mysql;
		else if (key == "db_conn")
			read_db_conn(value, key_path);
		else if (key == "schema_mappings")
			read_schema_mappings(value, key_path);
		else if (key == "limit_tables")
			config.limit_tables = origin_table_list(value, key_path, false);
		else if (key == "distribute_tables")
			read_distribute_tables(value, key_path);
		else if (key == "reference_tables")
			read_reference_tables(value, key_path);
		else if (key == "skip_tables")
			config.skip_tables = origin_table_list(value, key_path, false);
		else if (key == "grant_select_to")
			read_roles(value, key_path);
		else if (key == "lock_timeout")
			config.lock_timeout =
				checked_text(value, key_path, is_lock_timeout_text, "a lock timeout such as \"120s\"",
							 "write a number with an optional unit ms, s, min, h or d");
		else if (key == "my_server_id")
			config.my_server_id = integer_in(value, key_path, 1, 4294967295LL);
		else if (key == "replica_batch_size")
			config.replica_batch_size = static_cast<int>(integer_in(value, key_path, 1, INT_MAX));
		else if (key == "replay_max_rows")
			config.replay_max_rows = static_cast<int>(integer_in(value, key_path, 1, INT_MAX));
		else if (key == "batch_retention")
			config.batch_retention =
				checked_text(value, key_path, is_interval_text, "a PostgreSQL interval such as \"1 day\"",
							 "write an interval such as \"1 day\", \"12 hours\" or \"P1D\"");
		else if (key == "copy_max_memory")
			read_copy_max_memory(value, key_path);
		else if (key == "sleep_loop")
			config.sleep_loop = static_cast<int>(integer_in(value, key_path, 1, INT_MAX));
		else if (key == "on_error_replay")
			config.on_error_replay =
				one_of(value, key_path, {"continue", "exit"}) == "exit" ? OnError::exit : OnError::go_on;
		else if (key == "on_error_read")
			config.on_error_read =
				one_of(value, key_path, {"continue", "exit"}) == "exit" ? OnError::exit : OnError::go_on;
		else if (key == "auto_maintenance")
			read_auto_maintenance(value, key_path);
		else if (key == "gtid_enable")
			config.gtid_enable = boolean(value, key_path);
		else if (key == "skip_events")
			read_skip_events(value, key_path);
		else if (key == "keep_existing_schema")
			config.keep_existing_schema = boolean(value, key_path);
		else if (key == "net_read_timeout")
			config.net_read_timeout = static_cast<int>(integer_in(value, key_path, 1, INT_MAX));
		else if (key == "copy_parallel_jobs")
			config.copy_parallel_jobs = static_cast<int>(integer_in(value, key_path, 1, 64));
		else if (key == "zero_dates")
			config.zero_dates = one_of(value, key_path, {"null", "error"}) == "error"
									? core::ZeroDates::Error
									: core::ZeroDates::ToNull;
		else if (key == "strip_nul")
			config.strip_nul = boolean(value, key_path);
		else if (key == "verify_max_rows_per_second")
			config.verify_max_rows_per_second = integer_in(value, key_path, 0, 1000000000);
		else if (key == "type_override")
			config.type_override = read_type_override(value, key_path);
		else if (key == "fillfactor")
			config.fillfactor = read_fillfactor(value, key_path);
	}

	std::string unknown_source_key_hint(const std::string &key, const YamlNode &value) const {
		if (key == "sources" && prefix.empty())
			return "this is a whole configuration file: load it with chameleon.load_config(), or give "
				   "add_source only "
				   "the block under one source name";
		if (contains(db_conn_keys, key))
			return quoted(key) + " belongs under \"db_conn\": indent it below \"db_conn:\"";
		if (contains(file_keys, key))
			return quoted(key) +
				   " is a key of the whole configuration file, not of a source: remove it, or load the "
				   "whole file with chameleon.load_config()";
		if (value.kind == Kind::mapping && prefix.empty())
			for (const auto &[inner_key, inner_value] : value.entries)
				if (inner_key.text == "db_conn" || inner_key.text == "schema_mappings")
					return quoted(key) +
						   " looks like the source name: give only the block under it (db_conn, "
						   "schema_mappings, ...) and the name as the first argument of add_source";
		return unknown_key_hint(key, source_keys, "a source");
	}

	void read_db_conn(const YamlNode &value, const std::string &db_conn_path) {
		require_kind(value, Kind::mapping, db_conn_path,
					 "a mapping of connection settings (host, port, user, ...)");
		db_conn_line = value.line;
		DbConn &conn = config.db_conn;
		for_each_entry(value, db_conn_path + ".", [&](const YamlNode &key_node, const YamlNode &field) {
			const std::string &key = key_node.text;
			std::string field_path = db_conn_path + "." + key;
			if (!contains(db_conn_keys, key))
				fail_unknown(
					field_path, key_node.line,
					contains(source_keys, key)
						? quoted(key) +
							  " is a source key, not a connection setting: move it out of \"db_conn\" "
							  "to the level of \"db_conn\" (check the indentation)"
						: unknown_key_hint(key, db_conn_keys, "\"db_conn\""));
			if (field.is_null())
				return;
			db_conn_given[key] = key_node.line;
			if (key == "host")
				conn.host = non_empty_text(field, field_path, "a host name or address");
			else if (key == "port")
				conn.port = static_cast<int>(integer_in(field, field_path, 1, 65535));
			else if (key == "user")
				conn.user = non_empty_text(field, field_path, "a user name");
			else if (key == "password")
				conn.password = scalar_text(field, field_path, "a password");
			else if (key == "password_file")
				read_password_file(field, field_path);
			else if (key == "charset")
				read_charset(field, field_path);
			else if (key == "connect_timeout")
				conn.connect_timeout = static_cast<int>(integer_in(field, field_path, 1, INT_MAX));
			else if (key == "database")
				conn.database = scalar_text(field, field_path, "a database name");
		});
	}

	void read_password_file(const YamlNode &field, const std::string &field_path) {
		const std::string &file = scalar_text(field, field_path, "an absolute file path");
		if (!file.empty() && file.front() != '/')
			fail_value(
				field_path, field.line, quoted(file) + " is not an absolute path",
				"the file is read by the PostgreSQL server process: give its full path, starting with /");
		config.db_conn.password_file = file;
	}

	void read_charset(const YamlNode &field, const std::string &field_path) {
		std::string charset = non_empty_text(field, field_path, "a MySQL character set name");
		for (char c : charset)
			if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
				fail_value(field_path, field.line, quoted(charset) + " is not a character set name",
						   "write a MySQL character set such as utf8mb4");
		if (charset == "utf8" || charset == "utf8mb3")
			config.notices.push_back(
				{field_path, field.line,
				 quoted(field_path) + at_line(field.line) + " is " + quoted(charset) +
					 ": MySQL's 3-byte utf8 cannot carry 4-byte characters such as emoji; utf8mb4 "
					 "is recommended"});
		config.db_conn.charset = charset;
	}

	void read_schema_mappings(const YamlNode &value, const std::string &mappings_path) {
		require_kind(value, Kind::mapping, mappings_path, "a mapping of origin schema: destination schema");
		std::map<std::string, std::pair<std::string, int>> destinations;
		for_each_entry(
			value, mappings_path + ".", [&](const YamlNode &origin, const YamlNode &destination_node) {
				std::string entry_path = mappings_path + "." + origin.text;
				std::string destination =
					non_empty_text(destination_node, entry_path, "a destination schema name");
				if (destination.size() > 63)
					fail_value(entry_path, destination_node.line,
							   "destination schema " + quoted(destination) + " is longer than 63 bytes",
							   "PostgreSQL truncates longer names: choose a shorter name");
				if (destination == "sch_chameleon" || destination == "chameleon" ||
					destination.rfind("pg_", 0) == 0)
					fail_value(entry_path, destination_node.line,
							   "destination schema " + quoted(destination) + " is reserved",
							   "choose a schema name that is not sch_chameleon, chameleon or pg_*");
				auto [previous, inserted] =
					destinations.emplace(destination, std::make_pair(origin.text, origin.line));
				if (!inserted)
					fail_value(entry_path, destination_node.line,
							   "destination schema " + quoted(destination) +
								   " is already the destination of " + quoted(previous->second.first) +
								   " at line " + std::to_string(previous->second.second),
							   "each origin schema needs its own destination schema");
				config.schema_mappings.emplace_back(origin.text, destination);
				destination_lines.push_back(origin.line);
			});
		schema_mappings_line = value.line;
	}

	std::vector<std::string> origin_table_list(const YamlNode &value, const std::string &list_path,
											   bool schema_alone_allowed) {
		std::string expected = schema_alone_allowed ? "\"schema\" or \"schema.table\"" : "\"schema.table\"";
		require_kind(value, Kind::sequence, list_path, "a list of " + expected);
		std::vector<std::string> entries;
		for (const auto &item : value.items) {
			std::string entry = non_empty_text(item, list_path, expected);
			auto schema = schema_of_entry(entry, schema_alone_allowed);
			if (!schema)
				fail_value(list_path, item.line, quoted(entry) + " is not of the form " + expected,
						   "write each entry as " + expected + " with the MySQL (origin) names");
			origin_uses.push_back({list_path, entry, *schema, item.line});
			entries.push_back(std::move(entry));
		}
		return entries;
	}

	// An entry of distribute_tables or reference_tables: "schema.table" or "schema.*".
	std::string distribution_entry(const YamlNode &node, const std::string &entry_path,
								   const std::string &text) {
		auto schema = schema_of_entry(text, false);
		if (!schema)
			fail_value(entry_path, node.line,
					   quoted(text) + " is not of the form \"schema.table\" or \"schema.*\"",
					   "write each entry as \"schema.table\" or \"schema.*\" with the MySQL (origin) names");
		origin_uses.push_back({entry_path, text, *schema, node.line});
		return text;
	}

	// distribute_tables: {"schema.table" or "schema.*": distribution column}.
	void read_distribute_tables(const YamlNode &value, const std::string &key_path) {
		require_kind(value, Kind::mapping, key_path, "a mapping of \"schema.table\" or \"schema.*\": column");
		for_each_entry(value, key_path + ".", [&](const YamlNode &entry, const YamlNode &column) {
			std::string entry_path = key_path + "." + entry.text;
			std::string name = distribution_entry(entry, entry_path, entry.text);
			config.distribution.distribute.emplace_back(
				name, non_empty_text(column, entry_path, "the MySQL name of the distribution column"));
		});
		check_distribution_overlap(value.line);
	}

	// reference_tables: ["schema.table" or "schema.*", ...].
	void read_reference_tables(const YamlNode &value, const std::string &key_path) {
		require_kind(value, Kind::sequence, key_path, "a list of \"schema.table\" or \"schema.*\"");
		for (const auto &item : value.items)
			config.distribution.reference.push_back(distribution_entry(
				item, key_path, non_empty_text(item, key_path, "\"schema.table\" or \"schema.*\"")));
		check_distribution_overlap(value.line);
	}

	// One entry in both lists would make the table both distributed and a reference table.
	void check_distribution_overlap(int line) const {
		for (const auto &[entry, column] : config.distribution.distribute)
			for (const std::string &reference : config.distribution.reference)
				if (entry == reference)
					fail_value(path("reference_tables"), line,
							   quoted(entry) + " is in both distribute_tables and reference_tables",
							   "list each table in one of distribute_tables and reference_tables");
	}

	void read_roles(const YamlNode &value, const std::string &roles_path) {
		require_kind(value, Kind::sequence, roles_path, "a list of role names");
		for (const auto &item : value.items)
			config.grant_select_to.push_back(non_empty_text(item, roles_path, "a role name"));
	}

	std::string checked_text(const YamlNode &value, const std::string &key_path,
							 bool (*valid)(std::string_view), const std::string &expected,
							 const std::string &hint) {
		const std::string &text = scalar_text(value, key_path, expected);
		if (!valid(text))
			fail_value(key_path, value.line, "expected " + expected + ", got " + quoted(text), hint);
		return text;
	}

	void read_copy_max_memory(const YamlNode &value, const std::string &key_path) {
		const std::string &text = scalar_text(value, key_path, "a size such as \"300M\"");
		auto bytes = parse_byte_size(text);
		if (!bytes)
			fail_value(key_path, value.line, "expected a size such as \"300M\", got " + quoted(text),
					   "write a positive number of bytes, optionally followed by k (kilobytes), M "
					   "(megabytes) or G (gigabytes)");
		config.copy_max_memory = *bytes;
	}

	void read_auto_maintenance(const YamlNode &value, const std::string &key_path) {
		const std::string &text = scalar_text(value, key_path, "\"disabled\" or an interval");
		auto flag = parse_boolean(text);
		if (text == "disabled" || (flag && !*flag))
			config.auto_maintenance = "disabled";
		else if (is_interval_text(text))
			config.auto_maintenance = text;
		else
			fail_value(key_path, value.line,
					   "expected \"disabled\" or a PostgreSQL interval, got " + quoted(text),
					   "write disabled, or an interval such as \"1 day\"");
	}

	void read_skip_events(const YamlNode &value, const std::string &events_path) {
		require_kind(value, Kind::mapping, events_path, "a mapping with insert, update and delete lists");
		for_each_entry(value, events_path + ".", [&](const YamlNode &key, const YamlNode &list) {
			std::string list_path = events_path + "." + key.text;
			if (!contains(skip_event_keys, key.text))
				fail_unknown(list_path, key.line,
							 unknown_key_hint(key.text, skip_event_keys, "\"skip_events\""));
			if (list.is_null())
				return;
			auto entries = origin_table_list(list, list_path, true);
			SkipEvents &events = config.skip_events;
			(key.text == "insert"	? events.insert
			 : key.text == "update" ? events.update
									: events.delete_) = std::move(entries);
		});
	}

	// Checks that need the whole block: required keys, origins, type-dependent settings.
	void finish() {
		std::string block_name =
			prefix.empty() ? "the source block" : quoted(prefix.substr(0, prefix.size() - 1));
		if (!has_key("db_conn") || null_keys.count("db_conn"))
			fail_missing(path("db_conn"), block_name, has_key("db_conn") ? given["db_conn"] : block_line,
						 "add db_conn with at least user (and host, port, password or password_file)");
		const std::string db_conn_path = path("db_conn");
		if (config.db_conn.user.empty())
			fail_missing(db_conn_path + ".user", quoted(db_conn_path), db_conn_line,
						 "add user: <MySQL user> under db_conn");
		if (db_conn_given.count("password") && db_conn_given.count("password_file") &&
			!config.db_conn.password.empty() && !config.db_conn.password_file.empty())
			throw ConfigError(db_conn_path + ".password_file", db_conn_given["password_file"],
							  "conflicting keys " + quoted(db_conn_path + ".password") + " and " +
								  quoted(db_conn_path + ".password_file") +
								  at_line(db_conn_given["password_file"]),
							  "give the password either inline or in a file, not both");
		if (!has_key("schema_mappings"))
			fail_missing(
				path("schema_mappings"), block_name, block_line,
				"add schema_mappings with one \"origin_schema: destination_schema\" line per MySQL schema");
		if (config.schema_mappings.empty())
			fail_value(path("schema_mappings"),
					   null_keys.count("schema_mappings") ? given["schema_mappings"] : schema_mappings_line,
					   "expected at least one origin_schema: destination_schema pair",
					   "schema mappings cannot be empty: name the schemas to replicate");
		check_origins();
		if (config.type == SourceType::pgsql) {
			if (config.db_conn.database.empty())
				fail_missing(
					db_conn_path + ".database", quoted(db_conn_path), db_conn_line,
					"a pgsql source reads one PostgreSQL database: add database: <name> under db_conn");
			if (!db_conn_given.count("port"))
				config.db_conn.port = 5432;
		} else if (!config.db_conn.database.empty()) {
			int line = db_conn_given["database"];
			config.notices.push_back(
				{db_conn_path + ".database", line,
				 quoted(db_conn_path + ".database") + at_line(line) +
					 " is ignored: a mysql source reads the schemas named in schema_mappings"});
		}
	}

	void check_origins() const {
		std::set<std::string> origins;
		std::string origin_list;
		for (const auto &[origin, destination] : config.schema_mappings) {
			origins.insert(origin);
			origin_list += (origin_list.empty() ? "" : ", ") + origin;
		}
		for (const auto &use : origin_uses)
			if (!origins.count(use.schema))
				fail_value(use.path, use.line,
						   "schema " + quoted(use.schema) + " of " + quoted(use.entry) +
							   " is not an origin schema of schema_mappings",
						   "use the MySQL schema names of schema_mappings (" + origin_list + "), or add " +
							   quoted(use.schema) + " to schema_mappings");
	}

	std::string prefix; // "" for parse_source, "sources.<name>." in a whole file
	int block_line;
	SourceConfig config;
	std::map<std::string, int> given;		  // source keys seen -> line
	std::set<std::string> null_keys;		  // source keys given without a value
	std::map<std::string, int> db_conn_given; // db_conn keys with a value -> line
	int db_conn_line = 0, schema_mappings_line = 0;
	std::vector<int> destination_lines; // line of each schema_mappings entry
	std::vector<OriginUse> origin_uses;
};

// The bytes a copy of the global type_override or fillfactor adds to a source, counted as the YAML tree
// counts them (text plus yaml_node_bytes per node).
std::size_t
copy_bytes(const std::vector<std::string> &tables) {
	std::size_t bytes = 2 * yaml_node_bytes;
	for (const auto &table : tables)
		bytes += yaml_node_bytes + table.size();
	return bytes;
}

std::size_t
copy_bytes(const std::vector<TypeOverride> &overrides) {
	std::size_t bytes = 0;
	for (const auto &entry : overrides)
		bytes += 3 * yaml_node_bytes + entry.column_type.size() + entry.override_to.size() +
				 copy_bytes(entry.tables);
	return bytes;
}

std::size_t
copy_bytes(const std::vector<std::pair<int, std::vector<std::string>>> &factors) {
	std::size_t bytes = 0;
	for (const auto &[factor, tables] : factors)
		bytes += 2 * yaml_node_bytes + copy_bytes(tables);
	return bytes;
}

// The global type_override and fillfactor are copied into every source without its own: a large block
// and many sources would multiply the memory that the limit of the YAML tree bounds.
class CopyBudget {
  public:
	void add(const std::string &key, int line, std::size_t bytes) {
		total += bytes;
		if (total > max_yaml_bytes)
			throw ConfigError(key, line,
							  "the global " + quoted(key) + at_line(line) +
								  ", copied into every source, expands to more than " +
								  std::to_string(max_yaml_bytes >> 20) + " MB",
							  "give " + quoted(key) + " only to the sources that need it, or shorten it");
	}

  private:
	std::size_t total = 0;
};

// Sources of one file may not share a destination schema (the catalogue refuses it at add_source).
class DestinationRegistry {
  public:
	void add(const std::string &source, const SourceConfig &config, const std::vector<int> &lines) {
		for (std::size_t i = 0; i < config.schema_mappings.size(); ++i) {
			const auto &[origin, destination] = config.schema_mappings[i];
			auto [previous, inserted] = owners.emplace(destination, std::make_pair(source, lines[i]));
			// NOLINTBEGIN(performance-inefficient-string-concatenation): fail_value throws
			if (!inserted)
				fail_value("sources." + source + ".schema_mappings." + origin, lines[i],
						   "destination schema " + quoted(destination) + " is already used by source " +
							   quoted(previous->second.first) + " at line " +
							   std::to_string(previous->second.second),
						   "a destination schema can belong to one source only");
			// NOLINTEND(performance-inefficient-string-concatenation)
		}
	}

  private:
	std::map<std::string, std::pair<std::string, int>> owners;
};

} // namespace

SourceConfig
parse_source(std::string_view yaml) {
	YamlNode block = load_yaml(yaml);
	SourceReader reader("", block.line);
	return reader.read(block);
}

FileConfig
parse_file(std::string_view yaml) {
	YamlNode root = load_yaml(yaml);
	if (root.is_null())
		throw ConfigError("", root.line, "the configuration file is empty", "give at least a sources: block");
	if (root.kind != Kind::mapping)
		throw ConfigError(
			"", root.line,
			"invalid configuration file" + at_line(root.line) + ": expected a mapping of keys, got " +
				root.describe(),
			"a pg_chameleon configuration file has global keys, type_override, fillfactor and sources");
	FileConfig file;
	std::optional<std::vector<TypeOverride>> type_override;
	std::optional<std::vector<std::pair<int, std::vector<std::string>>>> fillfactor;
	int type_override_line = 0, fillfactor_line = 0;
	const YamlNode *sources = nullptr;
	int sources_line = 0;
	for_each_entry(root, "", [&](const YamlNode &key_node, const YamlNode &value) {
		const std::string &key = key_node.text;
		if (auto ignored = ignored_file_keys.find(key); ignored != ignored_file_keys.end())
			file.notices.push_back(
				{key, key_node.line,
				 quoted(key) + at_line(key_node.line) + " is ignored: " + ignored->second});
		else if (key == "type_override") {
			type_override = read_type_override(value, key);
			type_override_line = key_node.line;
		} else if (key == "fillfactor") {
			fillfactor = read_fillfactor(value, key);
			fillfactor_line = key_node.line;
		} else if (key == "sources") {
			sources = &value;
			sources_line = key_node.line;
		} else
			fail_unknown(key, key_node.line,
						 contains(source_keys, key) || contains(db_conn_keys, key)
							 ? quoted(key) + " is a source key: put it in a source block under \"sources:\""
							 : unknown_key_hint(key, file_keys, "a configuration file"));
	});
	if (!sources)
		fail_missing("sources", "the configuration file", root.line,
					 "add sources: with one block per source name");
	if (sources->is_null() || (sources->kind == Kind::mapping && sources->entries.empty()))
		fail_value("sources", sources_line, "expected at least one source",
				   "add one block per source name under sources:");
	require_kind(*sources, Kind::mapping, "sources", "a mapping of source names");

	DestinationRegistry destinations;
	CopyBudget copies;
	const std::size_t type_override_bytes = type_override ? copy_bytes(*type_override) : 0;
	const std::size_t fillfactor_bytes = fillfactor ? copy_bytes(*fillfactor) : 0;
	for_each_entry(*sources, "sources.", [&](const YamlNode &name, const YamlNode &block) {
		check_interrupts();
		check_source_name(name.text, name.line);
		SourceReader reader("sources." + name.text + ".", name.line);
		SourceConfig source = reader.read(block);
		if (type_override && !reader.has_key("type_override")) {
			copies.add("type_override", type_override_line, type_override_bytes);
			source.type_override = *type_override;
		}
		if (fillfactor && !reader.has_key("fillfactor")) {
			copies.add("fillfactor", fillfactor_line, fillfactor_bytes);
			source.fillfactor = *fillfactor;
		}
		destinations.add(name.text, source, reader.mapping_lines());
		file.sources.emplace_back(name.text, std::move(source));
	});
	return file;
}

} // namespace chameleon::config
