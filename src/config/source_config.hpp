// Configuration of one replica source, as written in pg_chameleon 2.0 YAML: the data model, the
// parsers (one source block, or a whole pg_chameleon file), the canonical JSON form and the
// password lookup. Pure C++ (libyaml only); every error names the key path and its line.
#pragma once

#include "core/distribution.hpp"
#include "core/table_filter.hpp"
#include "core/type_map.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chameleon::config {

// A configuration that cannot be used. what() == message, a lower-case sentence that names the key
// path and the line (1-based; 0 when there is no YAML line, e.g. a password file that cannot be read).
struct ConfigError : std::runtime_error {
	ConfigError(std::string key, int line, std::string message, std::string hint);
	std::string key; // key path, e.g. "db_conn.port" or "sources.mysql.db_conn.port"; "" for YAML syntax
	int line;
	std::string message; // the full message, same as what()
	std::string hint;	 // what to do about it
};

// Something the user should know that does not stop the configuration from being used.
struct Notice {
	std::string key;
	int line;
	std::string message; // e.g. `"out_dir" at line 7 is ignored: ...`
};

struct DbConn {
	std::string host = "localhost";
	int port = 3306; // 5432 when the source type is pgsql and no port is given
	std::string user;
	std::string password;
	std::string password_file; // absolute path, see read_password()
	std::string charset = "utf8mb4";
	int connect_timeout = 10; // seconds
	std::string database;	  // required for pgsql sources
};

struct SkipEvents {
	std::vector<std::string> insert, update, delete_; // entries: "schema" or "schema.table" (origin names)
};

struct TypeOverride {
	std::string column_type;		 // MySQL information_schema column_type, e.g. "tinyint(1)"
	std::string override_to;		 // PostgreSQL type
	std::vector<std::string> tables; // "schema.table" or "*"
};

// The settings with a fixed set of values, parsed once into these (their YAML and JSON spelling
// comes from setting_name).
enum class SourceType { mysql, pgsql };
// on_error_replay / on_error_read: "continue" (disable the table / reconnect without end) or
// "exit" (the source goes to error).
enum class OnError { go_on, exit };

std::string_view setting_name(SourceType type);
std::string_view setting_name(OnError action);
std::string_view setting_name(core::ZeroDates policy);

struct SourceConfig {
	SourceType type = SourceType::mysql;
	DbConn db_conn;
	std::vector<std::pair<std::string, std::string>> schema_mappings; // origin -> destination, file order
	std::vector<std::string> limit_tables, skip_tables;				  // "schema.table" (origin names)
	std::vector<std::string> grant_select_to;						  // role names
	std::string lock_timeout = "120s";								  // PostgreSQL lock_timeout text
	int64_t my_server_id = 100;
	int replica_batch_size = 10000, replay_max_rows = 50000;
	std::string batch_retention = "1 day";		   // a PostgreSQL interval text
	int64_t copy_max_memory = 300LL * 1024 * 1024; // bytes
	int sleep_loop = 1;							   // seconds
	OnError on_error_replay = OnError::go_on;
	OnError on_error_read = OnError::exit;
	std::string auto_maintenance = "disabled"; // "disabled" or a PostgreSQL interval text
	bool gtid_enable = false;
	SkipEvents skip_events;
	bool keep_existing_schema = false;
	int net_read_timeout = 600; // seconds
	int copy_parallel_jobs = 2;
	core::ZeroDates zero_dates = core::ZeroDates::ToNull;
	bool strip_nul = true;
	int64_t verify_max_rows_per_second = 0; // verify_tables: MySQL rows read per second; 0: no limit
	std::vector<TypeOverride> type_override;
	std::vector<std::pair<int, std::vector<std::string>>> fillfactor; // factor -> tables; last listing wins
	core::DistributionRules distribution; // distribute_tables, reference_tables (Citus)
	std::vector<Notice> notices;		  // not serialised, not compared
};

// Equality of everything to_json() writes (notices are not compared).
bool operator==(const DbConn &, const DbConn &);
bool operator==(const SkipEvents &, const SkipEvents &);
bool operator==(const TypeOverride &, const TypeOverride &);
bool operator==(const SourceConfig &, const SourceConfig &);
inline bool
operator!=(const SourceConfig &a, const SourceConfig &b) {
	return !(a == b);
}

// The tables and row events the source replicates: schema_mappings, limit_tables, skip_tables and
// skip_events, as every part of the extension reads them.
core::TableFilter table_filter(const SourceConfig &config);

// The YAML of ONE entry of the `sources:` block (the mapping under the source name), or the JSON
// written by to_json().
SourceConfig parse_source(std::string_view yaml);

struct FileConfig {
	std::vector<std::pair<std::string, SourceConfig>> sources; // in file order
	std::vector<Notice> notices; // whole-file keys; a source's notices are in its SourceConfig
};

// A whole pg_chameleon configuration file. The file-level type_override and fillfactor are copied
// into every source that does not define its own.
FileConfig parse_file(std::string_view yaml);

// Throws ConfigError unless name can name a source: 1 to 47 letters, digits or underscores
// (the log tables t_log_replica_<name>_1/_2 must fit in 63 bytes).
void check_source_name(std::string_view name, int line = 0);

// Canonical JSON object with every key (defaults filled) in a fixed order; without the password
// when !with_password. parse_source() reads it back to an equal SourceConfig.
std::string to_json(const SourceConfig &, bool with_password);

// A function that throws to stop a long parse (a cancelled statement). parse_source(), parse_file()
// and load_yaml() call it every 1024 YAML events and once per source of a file; what it
// throws leaves them through their destructors (the libyaml state and the partial tree are freed).
// src/pg installs one that runs CHECK_FOR_INTERRUPTS through pg_call. nullptr, the default, checks
// nothing. One hook for the process, called from the thread that parses: set it before any parse.
using InterruptCheck = void (*)();
void set_interrupt_check(InterruptCheck check);

// The password: the literal one, the one read from password_file, or "" when neither is set.
// Throws ConfigError (naming the file) when the file cannot be read or has no matching line.
std::string read_password(const SourceConfig &);

} // namespace chameleon::config
