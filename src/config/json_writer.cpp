// to_json(): the canonical JSON form of a SourceConfig. Every key is written, in a fixed order, so
// that the text is stable and parse_source() (JSON is YAML flow syntax) reads back an equal value.
#include "config/source_config.hpp"

#include <cstdio>

namespace chameleon::config {

namespace {

// Length of the UTF-8 sequence starting at text[i] and its code point; 1 and the byte if invalid.
std::pair<std::size_t, uint32_t>
decode_utf8(std::string_view text, std::size_t i) {
	unsigned char lead = static_cast<unsigned char>(text[i]);
	std::size_t length = lead < 0x80		   ? 1
						 : (lead >> 5) == 0x6  ? 2
						 : (lead >> 4) == 0xE  ? 3
						 : (lead >> 3) == 0x1E ? 4
											   : 0;
	if (length == 0 || i + length > text.size())
		return {1, lead};
	uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
	for (std::size_t k = 1; k < length; ++k) {
		unsigned char next = static_cast<unsigned char>(text[i + k]);
		if ((next & 0xC0) != 0x80)
			return {1, lead};
		code = (code << 6) | (next & 0x3F);
	}
	return {length, code};
}

// Characters that YAML 1.1 rejects unescaped, or reads as line breaks (NEL, U+2028, U+2029) and folds.
bool
needs_escape(uint32_t code) {
	return code < 0x20 || (code >= 0x7F && code < 0xA0) || code == 0x2028 || code == 0x2029 ||
		   code == 0xFEFF || code == 0xFFFE || code == 0xFFFF;
}

class JsonWriter {
  public:
	void string(std::string_view text) {
		out += '"';
		for (std::size_t i = 0; i < text.size();) {
			auto [length, code] = decode_utf8(text, i);
			char c = text[i];
			if (c == '"' || c == '\\') {
				out += '\\';
				out += c;
			} else if (c == '\n') {
				out += "\\n";
			} else if (c == '\t') {
				out += "\\t";
			} else if (c == '\r') {
				out += "\\r";
			} else if (needs_escape(code)) {
				char escaped[8];
				std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(code));
				out += escaped;
			} else {
				out.append(text.substr(i, length));
			}
			i += length;
		}
		out += '"';
	}

	void key(std::string_view name) {
		separate();
		string(name);
		out += ": ";
		first = true; // the value that follows needs no separator
	}

	void value(std::string_view text) {
		separate();
		string(text);
	}
	void value(int64_t number) {
		separate();
		out += std::to_string(number);
	}
	void value(bool flag) {
		separate();
		out += flag ? "true" : "false";
	}
	void value(const std::vector<std::string> &texts) {
		open('[');
		for (const auto &text : texts)
			value(text);
		close(']');
	}

	void open(char bracket) {
		separate();
		out += bracket;
		first = true;
	}
	void close(char bracket) {
		out += bracket;
		first = false;
	}

	std::string take() { return std::move(out); }

  private:
	void separate() {
		if (!first)
			out += ", ";
		first = false;
	}

	std::string out;
	bool first = true; // nothing written yet at this level, or just after a key
};

template <typename T>
void
field(JsonWriter &json, std::string_view name, const T &value) {
	json.key(name);
	json.value(value);
}

} // namespace

std::string
to_json(const SourceConfig &config, bool with_password) {
	JsonWriter json;
	json.open('{');
	field(json, "type", std::string(setting_name(config.type)));

	json.key("db_conn");
	json.open('{');
	const DbConn &conn = config.db_conn;
	field(json, "host", conn.host);
	field(json, "port", int64_t{conn.port});
	field(json, "user", conn.user);
	if (with_password)
		field(json, "password", conn.password);
	field(json, "password_file", conn.password_file);
	field(json, "charset", conn.charset);
	field(json, "connect_timeout", int64_t{conn.connect_timeout});
	field(json, "database", conn.database);
	json.close('}');

	json.key("schema_mappings");
	json.open('{');
	for (const auto &[origin, destination] : config.schema_mappings)
		field(json, origin, destination);
	json.close('}');

	field(json, "limit_tables", config.limit_tables);
	field(json, "skip_tables", config.skip_tables);
	field(json, "grant_select_to", config.grant_select_to);
	field(json, "lock_timeout", config.lock_timeout);
	field(json, "my_server_id", config.my_server_id);
	field(json, "replica_batch_size", int64_t{config.replica_batch_size});
	field(json, "replay_max_rows", int64_t{config.replay_max_rows});
	field(json, "batch_retention", config.batch_retention);
	field(json, "copy_max_memory", config.copy_max_memory);
	field(json, "sleep_loop", int64_t{config.sleep_loop});
	field(json, "on_error_replay", std::string(setting_name(config.on_error_replay)));
	field(json, "on_error_read", std::string(setting_name(config.on_error_read)));
	field(json, "auto_maintenance", config.auto_maintenance);
	field(json, "gtid_enable", config.gtid_enable);

	json.key("skip_events");
	json.open('{');
	field(json, "insert", config.skip_events.insert);
	field(json, "update", config.skip_events.update);
	field(json, "delete", config.skip_events.delete_);
	json.close('}');

	field(json, "keep_existing_schema", config.keep_existing_schema);
	field(json, "net_read_timeout", int64_t{config.net_read_timeout});
	field(json, "copy_parallel_jobs", int64_t{config.copy_parallel_jobs});
	field(json, "zero_dates", std::string(setting_name(config.zero_dates)));
	field(json, "strip_nul", config.strip_nul);
	field(json, "verify_max_rows_per_second", config.verify_max_rows_per_second);

	json.key("distribute_tables");
	json.open('{');
	for (const auto &[entry, column] : config.distribution.distribute)
		field(json, entry, column);
	json.close('}');
	field(json, "reference_tables", config.distribution.reference);

	json.key("type_override");
	json.open('{');
	for (const auto &override_entry : config.type_override) {
		json.key(override_entry.column_type);
		json.open('{');
		field(json, "override_to", override_entry.override_to);
		field(json, "override_tables", override_entry.tables);
		json.close('}');
	}
	json.close('}');

	json.key("fillfactor");
	json.open('{');
	for (const auto &[factor, tables] : config.fillfactor) {
		json.key(std::to_string(factor));
		json.open('{');
		field(json, "tables", tables);
		json.close('}');
	}
	json.close('}');

	json.close('}');
	return json.take();
}

} // namespace chameleon::config
