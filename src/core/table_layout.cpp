// Table layout helpers and its JSON form (a writer and a small reader for this format only).
#include "core/table_layout.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "common/ascii.hpp"
#include "common/error.hpp"
#include "core/pg_names.hpp"

namespace chameleon::core {

namespace {

const char *const form_names[] = {
	"as_is", "boolean", "bit_string", "zero_date_to_null", "timestamp_utc", "interval", "set_to_array",
	"bytea", "json",	"geometry",	  "geometry_bytea",	   "uuid",			"inet",		"vector"};
const char *const kind_names[] = {"primary", "unique", "index", "check", "skipped"};

// ---- writer -------------------------------------------------------------------------------------

void
write_string(std::string &out, std::string_view text) {
	out += '"';
	for (char c : text) {
		auto u = static_cast<unsigned char>(c);
		if (c == '"' || c == '\\') {
			out += '\\';
			out += c;
		} else if (u < 0x20) {
			char buf[8];
			std::snprintf(buf, sizeof buf, "\\u%04x", u);
			out += buf;
		} else
			out += c;
	}
	out += '"';
}

class Writer {
  public:
	explicit Writer(std::string &out) : out_(out) {}
	void open(char c) {
		out_ += c;
		first_ = true;
	}
	void close(char c) {
		out_ += c;
		first_ = false;
	}
	void key(const char *name) {
		comma();
		write_string(out_, name);
		out_ += ':';
		first_ = true;
	}
	void string(std::string_view value) {
		comma();
		write_string(out_, value);
	}
	void raw(const std::string &value) {
		comma();
		out_ += value;
	}
	void boolean(bool value) { raw(value ? "true" : "false"); }
	void strings(const std::vector<std::string> &values) {
		comma();
		open('[');
		for (const std::string &v : values)
			string(v);
		close(']');
	}
	void comma() {
		if (!first_)
			out_ += ',';
		first_ = false;
	}

  private:
	std::string &out_;
	bool first_ = true;
};

template <class T>
void
optional_number(Writer &w, const char *name, const std::optional<T> &value) {
	if (!value)
		return;
	w.key(name);
	w.raw(std::to_string(*value));
}

void
write_mysql(Writer &w, const MysqlColumn &c) {
	w.open('{');
	w.key("name"), w.string(c.name);
	w.key("data_type"), w.string(c.data_type);
	w.key("column_type"), w.string(c.column_type);
	w.key("unsigned"), w.boolean(c.unsigned_);
	optional_number(w, "char_length", c.char_length);
	optional_number(w, "precision", c.precision);
	optional_number(w, "scale", c.scale);
	optional_number(w, "datetime_precision", c.datetime_precision);
	w.key("enum_values"), w.strings(c.enum_values);
	w.key("nullable"), w.boolean(c.nullable);
	w.key("auto_increment"), w.boolean(c.auto_increment);
	if (c.default_value)
		w.key("default_value"), w.string(*c.default_value);
	w.key("default_is_expression"), w.boolean(c.default_is_expression);
	w.key("on_update_current_timestamp"), w.boolean(c.on_update_current_timestamp);
	w.key("declared_boolean"), w.boolean(c.declared_boolean);
	w.key("comment"), w.string(c.comment);
	w.key("charset"), w.string(c.charset);
	w.close('}');
}

// ---- reader -------------------------------------------------------------------------------------

struct Json {
	enum class Type { null, boolean, number, string, array, object } type = Type::null;
	bool boolean = false;
	std::string text; // number (as written) or string
	std::vector<Json> items;
	std::map<std::string, Json, std::less<>> members;
};

[[noreturn]] void
corrupt(const std::string &what) {
	throw Error(sqlstate::data_corrupted, "invalid table layout JSON: " + what);
}

class Reader {
  public:
	explicit Reader(std::string_view text) : text_(text) {}

	Json document() {
		Json value = parse(0);
		skip_space();
		if (pos_ != text_.size())
			corrupt("trailing characters");
		return value;
	}

  private:
	void skip_space() {
		while (pos_ < text_.size() &&
			   (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r'))
			++pos_;
	}
	bool accept(char c) {
		skip_space();
		if (pos_ < text_.size() && text_[pos_] == c) {
			++pos_;
			return true;
		}
		return false;
	}
	void expect(char c) {
		if (!accept(c))
			corrupt(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
	}
	bool word(std::string_view w) {
		if (text_.substr(pos_, w.size()) != w)
			return false;
		pos_ += w.size();
		return true;
	}

	Json parse(int depth) {
		if (depth > 16)
			corrupt("nested too deeply");
		skip_space();
		Json value;
		if (pos_ >= text_.size())
			corrupt("unexpected end");
		char c = text_[pos_];
		if (c == '{') {
			++pos_;
			value.type = Json::Type::object;
			if (accept('}'))
				return value;
			do {
				skip_space();
				std::string key = string();
				expect(':');
				value.members[key] = parse(depth + 1);
			} while (accept(','));
			expect('}');
		} else if (c == '[') {
			++pos_;
			value.type = Json::Type::array;
			if (accept(']'))
				return value;
			do
				value.items.push_back(parse(depth + 1));
			while (accept(','));
			expect(']');
		} else if (c == '"') {
			value.type = Json::Type::string;
			value.text = string();
		} else if (word("true") || word("false")) {
			value.type = Json::Type::boolean;
			value.boolean = c == 't';
		} else if (word("null")) {
			value.type = Json::Type::null;
		} else {
			std::size_t start = pos_;
			while (pos_ < text_.size() && (text_[pos_] == '-' || (text_[pos_] >= '0' && text_[pos_] <= '9')))
				++pos_;
			if (start == pos_)
				corrupt("unexpected character at offset " + std::to_string(pos_));
			value.type = Json::Type::number;
			value.text = std::string(text_.substr(start, pos_ - start));
		}
		return value;
	}

	std::string string() {
		if (pos_ >= text_.size() || text_[pos_] != '"')
			corrupt("expected a string at offset " + std::to_string(pos_));
		std::string out;
		for (++pos_; pos_ < text_.size(); ++pos_) {
			char c = text_[pos_];
			if (c == '"') {
				++pos_;
				return out;
			}
			if (c != '\\') {
				out += c;
				continue;
			}
			if (++pos_ >= text_.size())
				break;
			c = text_[pos_];
			if (c == 'u') {
				// the writer escapes only control characters this way
				if (pos_ + 4 >= text_.size())
					break;
				out += static_cast<char>(std::stoi(std::string(text_.substr(pos_ + 1, 4)), nullptr, 16));
				pos_ += 4;
			} else if (c == 'n')
				out += '\n';
			else if (c == 't')
				out += '\t';
			else if (c == 'r')
				out += '\r';
			else
				out += c;
		}
		corrupt("unterminated string");
	}

	std::string_view text_;
	std::size_t pos_ = 0;
};

const Json &
member(const Json &object, const char *name, Json::Type type) {
	auto it = object.members.find(name);
	if (it == object.members.end())
		corrupt(std::string("missing \"") + name + "\"");
	if (it->second.type != type)
		corrupt(std::string("\"") + name + "\" has the wrong type");
	return it->second;
}

std::string
get_string(const Json &object, const char *name) {
	return member(object, name, Json::Type::string).text;
}

bool
get_bool(const Json &object, const char *name) {
	return member(object, name, Json::Type::boolean).boolean;
}

template <class T>
std::optional<T>
get_optional_number(const Json &object, const char *name) {
	auto it = object.members.find(name);
	if (it == object.members.end())
		return std::nullopt;
	if (it->second.type != Json::Type::number)
		corrupt(std::string("\"") + name + "\" is not a number");
	return static_cast<T>(std::stoll(it->second.text));
}

std::vector<std::string>
get_strings(const Json &object, const char *name) {
	std::vector<std::string> out;
	for (const Json &item : member(object, name, Json::Type::array).items) {
		if (item.type != Json::Type::string)
			corrupt(std::string("\"") + name + "\" holds a non-string");
		out.push_back(item.text);
	}
	return out;
}

template <class E, std::size_t N>
E
get_enum(const Json &object, const char *name, const char *const (&names)[N]) {
	std::string text = get_string(object, name);
	for (std::size_t i = 0; i < N; ++i)
		if (text == names[i])
			return static_cast<E>(i);
	corrupt(std::string("unknown \"") + name + "\" value \"" + text + "\"");
}

MysqlColumn
read_mysql(const Json &j) {
	MysqlColumn c;
	c.name = get_string(j, "name");
	c.data_type = get_string(j, "data_type");
	c.column_type = get_string(j, "column_type");
	c.unsigned_ = get_bool(j, "unsigned");
	c.char_length = get_optional_number<std::int64_t>(j, "char_length");
	c.precision = get_optional_number<int>(j, "precision");
	c.scale = get_optional_number<int>(j, "scale");
	c.datetime_precision = get_optional_number<int>(j, "datetime_precision");
	c.enum_values = get_strings(j, "enum_values");
	c.nullable = get_bool(j, "nullable");
	c.auto_increment = get_bool(j, "auto_increment");
	if (j.members.count("default_value"))
		c.default_value = get_string(j, "default_value");
	c.default_is_expression = get_bool(j, "default_is_expression");
	c.on_update_current_timestamp = get_bool(j, "on_update_current_timestamp");
	c.declared_boolean = get_bool(j, "declared_boolean");
	c.comment = get_string(j, "comment");
	c.charset = get_string(j, "charset");
	return c;
}

} // namespace

std::vector<std::string>
choose_key(const TableLayout &layout) {
	for (const LayoutIndex &index : layout.indexes)
		if (index.kind == IndexKind::primary)
			return index.columns;
	for (const LayoutIndex &index : layout.indexes) {
		if (index.kind != IndexKind::unique || index.functional || index.columns.empty())
			continue;
		bool not_null = std::all_of(index.columns.begin(), index.columns.end(), [&](const std::string &name) {
			const LayoutColumn *column = find_column(layout, name);
			return column && !column->mysql.nullable;
		});
		if (not_null)
			return index.columns;
	}
	return {};
}

std::vector<std::string>
owned_enum_types(const TableLayout &layout) {
	std::vector<std::string> types;
	for (const LayoutColumn &column : layout.columns)
		if (!column.enum_type.empty())
			types.push_back(column.enum_type);
	return types;
}

const LayoutColumn *
find_column(const TableLayout &layout, std::string_view mysql_name) {
	for (const LayoutColumn &column : layout.columns)
		if (equal_ignoring_case(column.mysql.name, mysql_name))
			return &column;
	return nullptr;
}

const LayoutIndex *
find_index(const TableLayout &layout, std::string_view mysql_name) {
	for (const LayoutIndex &index : layout.indexes)
		if (equal_ignoring_case(index.mysql_name, mysql_name))
			return &index;
	return nullptr;
}

const char *
value_form_name(ValueForm form) {
	return form_names[static_cast<int>(form)];
}

std::string
to_json(const TableLayout &layout) {
	std::string out;
	Writer w(out);
	w.open('{');
	w.key("origin_schema"), w.string(layout.origin_schema);
	w.key("table"), w.string(layout.table);
	w.key("destination_schema"), w.string(layout.destination_schema);
	w.key("destination_table"), w.string(layout.destination_table);
	w.key("columns"), w.comma(), w.open('[');
	for (const LayoutColumn &c : layout.columns) {
		w.comma();
		w.open('{');
		w.key("mysql"), w.comma(), write_mysql(w, c.mysql);
		w.key("pg_name"), w.string(pg_column_name(c.mysql.name)); // for readers; derived when read
		w.key("pg_type"), w.string(c.pg_type);
		w.key("form"), w.string(value_form_name(c.form));
		w.key("bit_length"), w.raw(std::to_string(c.bit_length));
		w.key("enum_type"), w.string(c.enum_type);
		w.key("nullable"), w.boolean(c.nullable);
		w.key("identity"), w.boolean(c.identity);
		w.close('}');
	}
	w.close(']');
	w.key("indexes"), w.comma(), w.open('[');
	for (const LayoutIndex &i : layout.indexes) {
		w.comma();
		w.open('{');
		w.key("mysql_name"), w.string(i.mysql_name);
		w.key("kind"), w.string(kind_names[static_cast<int>(i.kind)]);
		w.key("columns"), w.strings(i.columns);
		w.key("descending"), w.comma(), w.open('[');
		for (bool d : i.descending)
			w.boolean(d);
		w.close(']');
		w.key("functional"), w.boolean(i.functional);
		w.key("pg_name"), w.string(i.pg_name);
		w.key("check_expression"), w.string(i.check_expression);
		w.close('}');
	}
	w.close(']');
	w.key("key"), w.strings(layout.key);
	w.close('}');
	return out;
}

TableLayout
layout_from_json(std::string_view json) {
	Json root = Reader(json).document();
	if (root.type != Json::Type::object)
		corrupt("not an object");
	TableLayout layout;
	layout.origin_schema = get_string(root, "origin_schema");
	layout.table = get_string(root, "table");
	layout.destination_schema = get_string(root, "destination_schema");
	layout.destination_table = get_string(root, "destination_table");
	for (const Json &j : member(root, "columns", Json::Type::array).items) {
		LayoutColumn c;
		c.mysql = read_mysql(member(j, "mysql", Json::Type::object));
		c.pg_type = get_string(j, "pg_type");
		c.form = get_enum<ValueForm>(j, "form", form_names);
		c.bit_length = get_optional_number<int>(j, "bit_length").value_or(0);
		c.enum_type = get_string(j, "enum_type");
		c.nullable = get_bool(j, "nullable");
		c.identity = get_bool(j, "identity");
		layout.columns.push_back(std::move(c));
	}
	for (const Json &j : member(root, "indexes", Json::Type::array).items) {
		LayoutIndex i;
		i.mysql_name = get_string(j, "mysql_name");
		i.kind = get_enum<IndexKind>(j, "kind", kind_names);
		i.columns = get_strings(j, "columns");
		for (const Json &d : member(j, "descending", Json::Type::array).items) {
			if (d.type != Json::Type::boolean)
				corrupt("\"descending\" holds a non-boolean");
			i.descending.push_back(d.boolean);
		}
		if (i.descending.size() != i.columns.size())
			corrupt("\"descending\" and \"columns\" differ in length");
		i.functional = get_bool(j, "functional");
		i.pg_name = get_string(j, "pg_name");
		i.check_expression = get_string(j, "check_expression");
		layout.indexes.push_back(std::move(i));
	}
	layout.key = get_strings(root, "key");
	return layout;
}

} // namespace chameleon::core
