// ConfigError, equality of configurations and the source-name rule.
#include "config/source_config.hpp"

#include <tuple>

namespace chameleon::config {

std::string_view
setting_name(SourceType type) {
	return type == SourceType::pgsql ? "pgsql" : "mysql";
}

std::string_view
setting_name(OnError action) {
	return action == OnError::exit ? "exit" : "continue";
}

std::string_view
setting_name(core::ZeroDates policy) {
	return policy == core::ZeroDates::Error ? "error" : "null";
}

namespace {

// Hints are complete sentences (PostgreSQL's message style): capitalised, ending with a period.
std::string
as_sentence(std::string text) {
	if (text.empty())
		return text;
	if (text[0] >= 'a' && text[0] <= 'z')
		text[0] = static_cast<char>(text[0] - 'a' + 'A');
	char last = text.back();
	if (last != '.' && last != '?' && last != '!')
		text += '.';
	return text;
}

} // namespace

ConfigError::ConfigError(std::string key, int line, std::string message, std::string hint)
	: std::runtime_error(message), key(std::move(key)), line(line), message(std::move(message)),
	  hint(as_sentence(std::move(hint))) {}

bool
operator==(const DbConn &a, const DbConn &b) {
	return std::tie(a.host, a.port, a.user, a.password, a.password_file, a.charset, a.connect_timeout,
					a.database) == std::tie(b.host, b.port, b.user, b.password, b.password_file, b.charset,
											b.connect_timeout, b.database);
}

bool
operator==(const SkipEvents &a, const SkipEvents &b) {
	return std::tie(a.insert, a.update, a.delete_) == std::tie(b.insert, b.update, b.delete_);
}

bool
operator==(const TypeOverride &a, const TypeOverride &b) {
	return std::tie(a.column_type, a.override_to, a.tables) ==
		   std::tie(b.column_type, b.override_to, b.tables);
}

core::TableFilter
table_filter(const SourceConfig &config) {
	core::SkipEvents skip{config.skip_events.insert, config.skip_events.update, config.skip_events.delete_};
	return core::TableFilter(config.schema_mappings, config.limit_tables, config.skip_tables, skip);
}

bool
operator==(const SourceConfig &a, const SourceConfig &b) {
	return std::tie(a.type, a.db_conn, a.schema_mappings, a.limit_tables, a.skip_tables, a.grant_select_to,
					a.lock_timeout, a.my_server_id, a.replica_batch_size, a.replay_max_rows,
					a.batch_retention, a.copy_max_memory, a.sleep_loop, a.on_error_replay, a.on_error_read,
					a.auto_maintenance, a.gtid_enable, a.skip_events, a.keep_existing_schema,
					a.net_read_timeout, a.copy_parallel_jobs, a.zero_dates, a.strip_nul,
					a.verify_max_rows_per_second, a.type_override, a.fillfactor, a.distribution.distribute,
					a.distribution.reference) ==
		   std::tie(b.type, b.db_conn, b.schema_mappings, b.limit_tables, b.skip_tables, b.grant_select_to,
					b.lock_timeout, b.my_server_id, b.replica_batch_size, b.replay_max_rows,
					b.batch_retention, b.copy_max_memory, b.sleep_loop, b.on_error_replay, b.on_error_read,
					b.auto_maintenance, b.gtid_enable, b.skip_events, b.keep_existing_schema,
					b.net_read_timeout, b.copy_parallel_jobs, b.zero_dates, b.strip_nul,
					b.verify_max_rows_per_second, b.type_override, b.fillfactor, b.distribution.distribute,
					b.distribution.reference);
}

void
check_source_name(std::string_view name, int line) {
	constexpr std::size_t max_length = 63 - (sizeof("t_log_replica_") - 1) - (sizeof("_1") - 1);
	bool valid = !name.empty() && name.size() <= max_length;
	for (char c : name)
		valid =
			valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
	if (valid)
		return;
	std::string where = line > 0 ? " at line " + std::to_string(line) : "";
	throw ConfigError("sources." + std::string(name), line,
					  "invalid source name \"" + std::string(name) + "\"" + where,
					  "use 1 to " + std::to_string(max_length) +
						  " letters, digits or underscores: the name is part of the log table names");
}

} // namespace chameleon::config
