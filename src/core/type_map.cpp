// Lossless MySQL/MariaDB -> PostgreSQL column type map (see doc/types.md for the table and policies).
#include "core/type_map.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "common/ascii.hpp"
#include "common/error.hpp"
#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"

namespace chameleon::core {

namespace {

bool
is_space(char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view
trim(std::string_view text) {
	while (!text.empty() && is_space(text.front()))
		text.remove_prefix(1);
	while (!text.empty() && is_space(text.back()))
		text.remove_suffix(1);
	return text;
}

bool
starts_with(std::string_view text, std::string_view prefix) {
	return text.substr(0, prefix.size()) == prefix;
}

bool
is_digit(char c) {
	return c >= '0' && c <= '9';
}

// [+-]digits[.digits][e[+-]digits] or [+-].digits[...]
bool
is_number(std::string_view text) {
	std::size_t i = 0;
	if (i < text.size() && (text[i] == '+' || text[i] == '-'))
		++i;
	std::size_t digits = 0;
	while (i < text.size() && is_digit(text[i]))
		++i, ++digits;
	if (i < text.size() && text[i] == '.') {
		++i;
		while (i < text.size() && is_digit(text[i]))
			++i, ++digits;
	}
	if (digits == 0)
		return false;
	if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
		++i;
		if (i < text.size() && (text[i] == '+' || text[i] == '-'))
			++i;
		std::size_t exponent = 0;
		while (i < text.size() && is_digit(text[i]))
			++i, ++exponent;
		if (exponent == 0)
			return false;
	}
	return i == text.size();
}

// ---- column_type parsing ------------------------------------------------------------------------

struct Alias {
	const char *spelling;
	const char *data_type;
};

// DDL spellings -> the data_type information_schema reports.
constexpr Alias aliases[] = {
	{"integer", "int"},
	{"int1", "tinyint"},
	{"int2", "smallint"},
	{"int3", "mediumint"},
	{"middleint", "mediumint"},
	{"int4", "int"},
	{"int8", "bigint"},
	{"dec", "decimal"},
	{"numeric", "decimal"},
	{"fixed", "decimal"},
	{"double precision", "double"},
	{"real", "double"},
	{"float4", "float"},
	{"float8", "double"},
	{"character", "char"},
	{"nchar", "char"},
	{"national char", "char"},
	{"national character", "char"},
	{"character varying", "varchar"},
	{"char varying", "varchar"},
	{"nvarchar", "varchar"},
	{"national varchar", "varchar"},
	{"national char varying", "varchar"},
	{"national character varying", "varchar"},
	{"nchar varchar", "varchar"},
	{"nchar varying", "varchar"},
	{"long", "mediumtext"},
	{"long varchar", "mediumtext"},
	{"long char varying", "mediumtext"},
	{"long varbinary", "mediumblob"},
	{"geomcollection", "geometrycollection"},
};

std::string
canonical_data_type(std::string_view spelling) {
	std::string lower = ascii_lower(spelling);
	const Alias *alias = std::find_if(std::begin(aliases), std::end(aliases),
									  [&](const Alias &a) { return lower == a.spelling; });
	return alias == std::end(aliases) ? lower : alias->data_type;
}

// Members of enum('a','b''c'): single-quoted, quotes doubled (as COLUMN_TYPE shows them).
std::vector<std::string>
parse_members(std::string_view args) {
	std::vector<std::string> members;
	std::size_t i = 0;
	while (i < args.size()) {
		if (args[i] != '\'') {
			++i;
			continue;
		}
		std::string member;
		for (++i; i < args.size(); ++i) {
			if (args[i] == '\'') {
				if (i + 1 < args.size() && args[i + 1] == '\'') {
					member += '\'';
					++i;
					continue;
				}
				++i;
				break;
			}
			member += args[i];
		}
		members.push_back(std::move(member));
	}
	return members;
}

std::vector<int>
parse_numbers(std::string_view args) {
	std::vector<int> numbers;
	int value = 0;
	bool any = false;
	for (char c : args) {
		if (is_digit(c)) {
			value = value * 10 + (c - '0');
			any = true;
		} else if (c == ',') {
			numbers.push_back(any ? value : 0);
			value = 0;
			any = false;
		}
	}
	if (any)
		numbers.push_back(value);
	return numbers;
}

// ---- base map -----------------------------------------------------------------------------------

// What a default literal must become, by the PostgreSQL type.
enum class Target {
	Number,
	Boolean,
	Bit,
	Bytea,
	Date,
	Timestamp,
	TimestampTz,
	Interval,
	SetArray,
	Text,
	None
};

struct Base {
	std::string sql_type;
	ValueForm form = ValueForm::AsIs;
	Target target = Target::Text;
	int bit_length = 0;
	bool is_enum = false;
};

bool
is_geometry(const std::string &type) {
	static const char *const names[] = {
		"geometry",	  "point",			 "linestring",	 "polygon",
		"multipoint", "multilinestring", "multipolygon", "geometrycollection"};
	return std::any_of(std::begin(names), std::end(names), [&](const char *n) { return type == n; });
}

std::string
with_length(const char *type, long long length) {
	return std::string(type) + "(" + std::to_string(length) + ")";
}

bool
labels_fit(const std::vector<std::string> &labels) {
	return std::all_of(labels.begin(), labels.end(),
					   [](const std::string &label) { return label.size() <= max_identifier; });
}

std::optional<Base>
base_map(const MysqlColumn &c, const MapContext &context, std::vector<std::string> &notices) {
	const std::string &t = c.data_type;
	if (t == "tinyint" || t == "bool" || t == "boolean")
		return Base{"smallint", ValueForm::AsIs, Target::Number};
	if (t == "smallint")
		return Base{c.unsigned_ ? "integer" : "smallint", ValueForm::AsIs, Target::Number};
	if (t == "mediumint")
		return Base{"integer", ValueForm::AsIs, Target::Number};
	if (t == "int")
		return Base{c.unsigned_ ? "bigint" : "integer", ValueForm::AsIs, Target::Number};
	if (t == "bigint")
		return Base{c.unsigned_ ? "numeric(20)" : "bigint", ValueForm::AsIs, Target::Number};
	if (t == "decimal")
		return Base{"numeric(" + std::to_string(c.precision.value_or(10)) + "," +
						std::to_string(c.scale.value_or(0)) + ")",
					ValueForm::AsIs, Target::Number};
	if (t == "float") {
		bool is_double = c.precision && !c.scale && *c.precision > 24;
		return Base{is_double ? "double precision" : "real", ValueForm::AsIs, Target::Number};
	}
	if (t == "double")
		return Base{"double precision", ValueForm::AsIs, Target::Number};
	if (t == "bit") {
		int n = c.precision.value_or(1);
		if (n == 1)
			return Base{"boolean", ValueForm::Boolean, Target::Boolean, 1};
		return Base{with_length("bit", n), ValueForm::BitString, Target::Bit, n};
	}
	if (t == "year")
		return Base{"smallint", ValueForm::AsIs, Target::Number};
	if (t == "date")
		return Base{"date", ValueForm::ZeroDateToNull, Target::Date};
	if (t == "datetime")
		return Base{"timestamp(" + std::to_string(c.datetime_precision.value_or(0)) + ") without time zone",
					ValueForm::ZeroDateToNull, Target::Timestamp};
	if (t == "timestamp")
		return Base{"timestamp(" + std::to_string(c.datetime_precision.value_or(0)) + ") with time zone",
					ValueForm::TimestampUtc, Target::TimestampTz};
	if (t == "time")
		return Base{"interval", ValueForm::Interval, Target::Interval};
	if (t == "char" || t == "varchar") {
		long long length = c.char_length.value_or(t == "char" ? 1 : 0);
		if (length == 0) {
			notices.push_back("column \"" + c.name + "\": " + t +
							  "(0) mapped to text (PostgreSQL character types need a length of at least 1)");
			return Base{"text", ValueForm::AsIs, Target::Text};
		}
		return Base{with_length(t == "char" ? "character" : "character varying", length), ValueForm::AsIs,
					Target::Text};
	}
	if (t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext")
		return Base{"text", ValueForm::AsIs, Target::Text};
	if (t == "binary" || t == "varbinary" || t == "tinyblob" || t == "blob" || t == "mediumblob" ||
		t == "longblob")
		return Base{"bytea", ValueForm::Bytea, Target::Bytea};
	if (t == "enum") {
		if (!labels_fit(c.enum_values)) {
			notices.push_back("column \"" + c.name +
							  "\": enum mapped to text because a member is longer than 63 bytes, the "
							  "PostgreSQL limit for enum labels");
			return Base{"text", ValueForm::AsIs, Target::Text};
		}
		Base base{"", ValueForm::AsIs, Target::Text};
		base.is_enum = true;
		return base;
	}
	if (t == "set")
		return Base{"text[]", ValueForm::SetToArray, Target::SetArray};
	if (t == "json")
		return Base{"jsonb", ValueForm::Json, Target::Text};
	if (is_geometry(t)) {
		if (context.postgis_available)
			return Base{"geometry", ValueForm::Geometry, Target::None};
		return Base{"bytea", ValueForm::GeometryBytea, Target::None};
	}
	if (t == "inet4" || t == "inet6")
		return Base{"inet", ValueForm::Inet, Target::Text};
	if (t == "uuid")
		return Base{"uuid", ValueForm::Uuid, Target::Text};
	if (t == "vector")
		return Base{"real[]", ValueForm::Vector, Target::None};
	return std::nullopt;
}

// ---- type_override ------------------------------------------------------------------------------

const TypeOverride *
find_override(const MysqlColumn &c, const MapContext &context) {
	if (context.type_overrides.empty())
		return nullptr;
	std::string key = normalize_column_type(c.column_type);
	std::string qualified = context.origin_schema + "." + context.table;
	for (const TypeOverride &o : context.type_overrides) {
		if (normalize_column_type(o.column_type) != key)
			continue;
		for (const std::string &table : o.tables)
			if (table == "*" || table == qualified)
				return &o;
	}
	return nullptr;
}

// The default-literal target of a PostgreSQL type written by the user.
Target
target_of(std::string_view sql_type) {
	std::string t = ascii_lower(trim(sql_type));
	std::string head = t.substr(0, t.find('('));
	head = std::string(trim(head));
	if (!t.empty() && t.back() == ']')
		return Target::SetArray;
	static const char *const numbers[] = {
		"smallint", "integer", "int",  "int2",	 "int4",   "int8",	"bigint",
		"numeric",	"decimal", "real", "float4", "float8", "float", "double precision"};
	if (std::any_of(std::begin(numbers), std::end(numbers), [&](const char *n) { return head == n; }))
		return Target::Number;
	if (head == "boolean" || head == "bool")
		return Target::Boolean;
	if (starts_with(head, "bit") || head == "varbit")
		return Target::Bit;
	if (head == "bytea")
		return Target::Bytea;
	if (head == "date")
		return Target::Date;
	if (head == "timestamptz" ||
		(starts_with(head, "timestamp") && t.find("with time zone") != std::string::npos &&
		 t.find("without") == std::string::npos))
		return Target::TimestampTz;
	if (starts_with(head, "timestamp"))
		return Target::Timestamp;
	if (head == "interval" || starts_with(head, "time"))
		return Target::Interval;
	return Target::Text;
}

bool
is_identity_type(std::string_view sql_type) {
	std::string t = ascii_lower(trim(sql_type));
	return t == "smallint" || t == "integer" || t == "int" || t == "bigint" || t == "int2" || t == "int4" ||
		   t == "int8";
}

// The value conversion once an override changed the PostgreSQL type.
ValueForm
overridden_form(const std::optional<Base> &base, Target target) {
	if (target == Target::Boolean)
		return ValueForm::Boolean;
	if (!base)
		return target == Target::Bytea ? ValueForm::Bytea : ValueForm::AsIs;
	ValueForm form = base->form;
	switch (target) {
	case Target::Bit:
		return form == ValueForm::Boolean ? ValueForm::BitString : form;
	case Target::Bytea:
		return form == ValueForm::Geometry || form == ValueForm::GeometryBytea ? ValueForm::GeometryBytea
																			   : ValueForm::Bytea;
	case Target::SetArray:
		return form;
	default:
		break;
	}
	if (form == ValueForm::SetToArray)
		return ValueForm::AsIs; // the MySQL text "a,b"
	bool temporal = target == Target::Date || target == Target::Timestamp || target == Target::TimestampTz;
	if ((form == ValueForm::ZeroDateToNull || form == ValueForm::TimestampUtc) && !temporal)
		return ValueForm::AsIs; // zero dates kept as MySQL wrote them
	return form;
}

// ---- defaults -----------------------------------------------------------------------------------

// Strips parentheses enclosing the whole text: "((x))" -> "x".
std::string_view
strip_parentheses(std::string_view text) {
	for (;;) {
		text = trim(text);
		if (text.size() < 2 || text.front() != '(' || text.back() != ')')
			return text;
		int depth = 0;
		bool in_quote = false;
		for (std::size_t i = 0; i < text.size(); ++i) {
			char c = text[i];
			if (in_quote) {
				if (c == '\\')
					++i;
				else if (c == '\'')
					in_quote = false;
				continue;
			}
			if (c == '\'')
				in_quote = true;
			else if (c == '(')
				++depth;
			else if (c == ')' && --depth == 0 && i + 1 != text.size())
				return text; // "(a) + (b)"
		}
		text = text.substr(1, text.size() - 2);
	}
}

// 'text' (optionally _charset'text') -> the text, '' and backslash escapes undone. nullopt otherwise.
std::optional<std::string>
unquote_string(std::string_view text) {
	if (!text.empty() && text.front() == '_') {
		std::size_t quote = text.find('\'');
		if (quote == std::string_view::npos)
			return std::nullopt;
		text.remove_prefix(quote);
	}
	if (text.size() < 2 || text.front() != '\'' || text.back() != '\'')
		return std::nullopt;
	std::string out;
	for (std::size_t i = 1; i + 1 < text.size(); ++i) {
		char c = text[i];
		if (c == '\'') {
			if (text[i + 1] != '\'' || i + 2 >= text.size())
				return std::nullopt;
			++i;
		} else if (c == '\\' && i + 2 < text.size()) {
			c = text[++i];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '0':
				c = '\0';
				break;
			default:
				break;
			}
		}
		out += c;
	}
	return out;
}

// b'0101' / B'0101' -> "0101"; 0x1F / X'1F' -> bits of the hex digits. nullopt if neither.
std::optional<std::string>
literal_bits(std::string_view text) {
	std::string_view digits;
	bool hex = false;
	if (text.size() >= 3 && (text[0] == 'b' || text[0] == 'B') && text[1] == '\'' && text.back() == '\'')
		digits = text.substr(2, text.size() - 3);
	else if (text.size() >= 3 && (text[0] == 'x' || text[0] == 'X') && text[1] == '\'' && text.back() == '\'')
		digits = text.substr(2, text.size() - 3), hex = true;
	else if (text.size() >= 3 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		digits = text.substr(2), hex = true;
	else
		return std::nullopt;
	std::string bits;
	for (char c : digits) {
		if (!hex) {
			if (c != '0' && c != '1')
				return std::nullopt;
			bits += c;
			continue;
		}
		int v;
		char l = ascii_lower(c);
		if (is_digit(l))
			v = l - '0';
		else if (l >= 'a' && l <= 'f')
			v = l - 'a' + 10;
		else
			return std::nullopt;
		for (int b = 3; b >= 0; --b)
			bits += ((v >> b) & 1) ? '1' : '0';
	}
	return bits;
}

std::string
bits_to_hex(const std::string &bits) {
	std::string padded(std::string((4 - bits.size() % 4) % 4, '0') + bits);
	std::string hex;
	for (std::size_t i = 0; i < padded.size(); i += 4) {
		int v = 0;
		for (std::size_t b = 0; b < 4; ++b)
			v = v * 2 + (padded[i + b] - '0');
		hex += "0123456789abcdef"[v];
	}
	return hex;
}

// Decimal integer text -> binary digits (arbitrary length, no sign).
std::optional<std::string>
decimal_to_bits(std::string_view text) {
	if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit))
		return std::nullopt;
	std::string number(text);
	std::string bits;
	while (!(number.empty() || number == "0")) {
		std::string quotient;
		int remainder = 0;
		for (char c : number) {
			int v = remainder * 10 + (c - '0');
			if (!quotient.empty() || v / 2 != 0)
				quotient += static_cast<char>('0' + v / 2);
			remainder = v % 2;
		}
		bits.insert(bits.begin(), static_cast<char>('0' + remainder));
		number = quotient;
	}
	return bits.empty() ? "0" : bits;
}

std::string
fit_bits(const std::string &bits, int length) {
	if (static_cast<int>(bits.size()) > length)
		return bits.substr(bits.size() - length);
	return std::string(length - bits.size(), '0') + bits;
}

bool
is_current_timestamp(const std::string &lower) {
	static const char *const names[] = {"current_timestamp", "now", "localtimestamp", "localtime"};
	for (const char *name : names) {
		std::string_view n(name);
		if (lower == n)
			return name != std::string_view("now");
		if (starts_with(lower, n) && lower.size() > n.size() + 1 && lower[n.size()] == '(' &&
			lower.back() == ')' &&
			std::all_of(lower.begin() + static_cast<std::ptrdiff_t>(n.size()) + 1, lower.end() - 1, is_digit))
			return true;
	}
	return false;
}

struct DefaultInput {
	const MysqlColumn &column;
	Target target;
	int bit_length;
	std::vector<std::string> &notices;

	std::optional<std::string> drop(const std::string &value, const char *why) const {
		notices.push_back("column \"" + column.name + "\": default " + value + " dropped: " + why);
		return std::nullopt;
	}
};

std::optional<std::string>
translate_literal(const DefaultInput &in, const std::string &value, bool from_expression) {
	// bit/hex literals: always when written as SQL; as plain values only where MySQL shows them so
	std::optional<std::string> bits;
	if (from_expression || in.target == Target::Bit || in.target == Target::Boolean ||
		in.target == Target::Bytea)
		bits = literal_bits(value);
	switch (in.target) {
	case Target::Number:
		if (is_number(value))
			return std::string(value[0] == '+' ? value.substr(1) : value);
		if (bits && bits->size() <= 64) {
			auto v = std::accumulate(bits->begin(), bits->end(), 0ull,
									 [](unsigned long long sum, char b) { return sum * 2 + (b - '0'); });
			return std::to_string(v);
		}
		return in.drop(quote_literal(value), "not a number");
	case Target::Boolean:
		if (bits)
			return bits->find('1') == std::string::npos ? "false" : "true";
		if (is_number(value))
			return value.find_first_of("123456789") == std::string::npos ? "false" : "true";
		{
			std::string lower = ascii_lower(value);
			if (lower == "true" || lower == "false")
				return lower;
		}
		return in.drop(quote_literal(value), "not a boolean value");
	case Target::Bit: {
		if (!bits)
			bits = decimal_to_bits(value);
		if (!bits)
			return in.drop(quote_literal(value), "not a bit value");
		return "B'" + (in.bit_length > 0 ? fit_bits(*bits, in.bit_length) : *bits) + "'";
	}
	case Target::Bytea:
		if (bits && bits->size() % 8 == 0)
			return quote_literal("\\x" + bits_to_hex(*bits));
		{
			std::string out;
			to_pg_text(ValueForm::Bytea, value, out, {});
			return quote_literal(out);
		}
	case Target::Date:
	case Target::Timestamp:
	case Target::TimestampTz: {
		std::string out;
		ValueForm form =
			in.target == Target::TimestampTz ? ValueForm::TimestampUtc : ValueForm::ZeroDateToNull;
		if (to_pg_text(form, value, out, {}) != ValueStatus::Ok)
			return in.drop(quote_literal(value), "zero dates do not exist in PostgreSQL");
		return quote_literal(out);
	}
	case Target::SetArray: {
		std::string out;
		to_pg_text(ValueForm::SetToArray, value, out, {});
		return quote_literal(out);
	}
	case Target::Interval:
	case Target::Text:
		return quote_literal(value);
	case Target::None:
		break;
	}
	return in.drop(quote_literal(value), "no default translation for this type");
}

std::optional<std::string>
translate_default(const DefaultInput &in) {
	const MysqlColumn &c = in.column;
	if (!c.default_value)
		return std::nullopt;
	if (!c.default_is_expression)
		return translate_literal(in, *c.default_value, false);
	std::string_view text = strip_parentheses(*c.default_value);
	std::string lower = ascii_lower(text);
	if (lower == "null")
		return std::nullopt;
	if (std::optional<std::string> s = unquote_string(text))
		return translate_literal(in, *s, false);
	if (lower == "true" || lower == "false")
		return translate_literal(in, lower == "true" ? "1" : "0", true);
	if (is_number(text) || literal_bits(text))
		return translate_literal(in, std::string(text), true);
	if (is_current_timestamp(lower)) {
		if (in.target == Target::Timestamp || in.target == Target::TimestampTz)
			return "CURRENT_TIMESTAMP";
		if (in.target == Target::Date)
			return "CURRENT_DATE";
		return in.drop(*c.default_value, "CURRENT_TIMESTAMP is not a value of this type");
	}
	if (lower == "current_date" || lower == "curdate()" || lower == "current_date()") {
		if (in.target == Target::Date || in.target == Target::Timestamp || in.target == Target::TimestampTz)
			return "CURRENT_DATE";
		return in.drop(*c.default_value, "CURRENT_DATE is not a value of this type");
	}
	return in.drop(*c.default_value, "expression not translated");
}

// Fills what column_type tells and the caller left out.
MysqlColumn
complete(const MysqlColumn &column) {
	MysqlColumn c = column;
	if (column.column_type.empty()) {
		c.data_type = canonical_data_type(c.data_type);
		return c;
	}
	MysqlColumn parsed = from_column_type(column.name, column.column_type);
	c.data_type = column.data_type.empty() ? parsed.data_type : canonical_data_type(column.data_type);
	c.unsigned_ = column.unsigned_ || parsed.unsigned_;
	c.declared_boolean = column.declared_boolean || parsed.declared_boolean;
	c.auto_increment = column.auto_increment || parsed.auto_increment;
	c.nullable = column.nullable && parsed.nullable; // SERIAL is NOT NULL
	if (!c.char_length)
		c.char_length = parsed.char_length;
	if (!c.precision)
		c.precision = parsed.precision;
	if (!c.scale)
		c.scale = parsed.scale;
	if (!c.datetime_precision)
		c.datetime_precision = parsed.datetime_precision;
	if (c.enum_values.empty())
		c.enum_values = parsed.enum_values;
	c.column_type = parsed.column_type;
	return c;
}

} // namespace

std::string
normalize_column_type(std::string_view column_type) {
	std::string out;
	bool in_quote = false;
	bool pending_space = false;
	for (char c : trim(column_type)) {
		if (in_quote) {
			out += c;
			if (c == '\'')
				in_quote = false; // a doubled quote re-enters on the next character
			continue;
		}
		if (is_space(c)) {
			pending_space = true;
			continue;
		}
		bool tight = c == '(' || c == ')' || c == ',';
		if (pending_space && !out.empty() && !tight && out.back() != '(' && out.back() != ',')
			out += ' ';
		pending_space = false;
		if (c == '\'')
			in_quote = true;
		out += ascii_lower(c);
	}
	return out;
}

MysqlColumn
from_column_type(std::string name, std::string_view column_type) {
	MysqlColumn c;
	c.name = std::move(name);
	std::string_view text = trim(column_type);
	std::string_view head = text, args, tail;
	bool has_args = false;
	std::size_t open = text.find('(');
	if (open != std::string_view::npos) {
		std::size_t close = open + 1;
		bool in_quote = false;
		for (; close < text.size(); ++close) {
			if (text[close] == '\'')
				in_quote = !in_quote; // '' toggles twice
			else if (text[close] == ')' && !in_quote)
				break;
		}
		head = text.substr(0, open);
		args = text.substr(open + 1, std::min(close, text.size()) - open - 1);
		tail = close < text.size() ? text.substr(close + 1) : std::string_view();
		has_args = true;
	}
	// words: the type name, then attributes (unsigned, signed, zerofill) in head or tail
	std::string type_name, attributes;
	bool zerofill = false;
	auto read_words = [&](std::string_view part) {
		std::size_t i = 0;
		while (i < part.size()) {
			while (i < part.size() && is_space(part[i]))
				++i;
			std::size_t start = i;
			while (i < part.size() && !is_space(part[i]))
				++i;
			if (start == i)
				break;
			std::string word = ascii_lower(part.substr(start, i - start));
			if (word == "unsigned")
				c.unsigned_ = true;
			else if (word == "zerofill")
				zerofill = true;
			else if (word != "signed")
				type_name += (type_name.empty() ? "" : " ") + word;
		}
	};
	read_words(head);
	read_words(tail);
	c.data_type = canonical_data_type(type_name);
	if (c.data_type == "bool" || c.data_type == "boolean") {
		c.data_type = "tinyint";
		c.declared_boolean = true;
		c.column_type = "tinyint(1)";
		return c;
	}
	if (c.data_type == "serial") {
		c.data_type = "bigint";
		c.unsigned_ = true;
		c.auto_increment = true;
		c.nullable = false;
		c.column_type = "bigint(20) unsigned";
		return c;
	}
	if (c.data_type == "enum" || c.data_type == "set") {
		c.enum_values = parse_members(args);
		c.column_type = std::string(text);
		return c;
	}
	std::vector<int> numbers = parse_numbers(args);
	const std::string &t = c.data_type;
	if (t == "char" || t == "varchar" || t == "binary" || t == "varbinary") {
		if (!numbers.empty())
			c.char_length = numbers[0];
		else if (t == "char" || t == "binary")
			c.char_length = 1;
	} else if (t == "decimal") {
		c.precision = !numbers.empty() ? numbers[0] : 10;
		c.scale = numbers.size() > 1 ? numbers[1] : 0;
	} else if (t == "float" || t == "double") {
		if (!numbers.empty())
			c.precision = numbers[0];
		if (numbers.size() > 1)
			c.scale = numbers[1];
	} else if (t == "bit") {
		c.precision = numbers.empty() ? 1 : numbers[0];
	} else if (t == "time" || t == "datetime" || t == "timestamp") {
		c.datetime_precision = numbers.empty() ? 0 : numbers[0];
	}
	if (type_name == t)
		c.column_type = std::string(text);
	else { // a DDL alias: rebuild the COLUMN_TYPE MySQL would show
		c.column_type = t;
		if (has_args)
			c.column_type += "(" + std::string(args) + ")";
		if (c.unsigned_)
			c.column_type += " unsigned";
		if (zerofill)
			c.column_type += " zerofill";
	}
	return c;
}

std::optional<ZeroDates>
parse_zero_dates(std::string_view policy) {
	if (policy == "null")
		return ZeroDates::ToNull;
	if (policy == "error")
		return ZeroDates::Error;
	return std::nullopt;
}

bool
valid_override_type(std::string_view override_to) {
	if (trim(override_to).empty())
		return false;
	std::size_t quotes = 0;
	for (char c : override_to) {
		auto u = static_cast<unsigned char>(c);
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || u >= 0x80 || c == ' ' ||
				  c == '_' || c == ',' || c == '.' || c == '(' || c == ')' || c == '[' || c == ']' ||
				  c == '"';
		if (!ok)
			return false;
		quotes += c == '"';
	}
	return quotes % 2 == 0;
}

std::string
enum_type_name(std::string_view table, std::string_view column) {
	std::string name = "enum_";
	name.append(table);
	name += '_';
	name.append(column);
	if (column.find('_') == std::string_view::npos && name.size() <= max_identifier)
		return name;
	char suffix[10];
	std::snprintf(suffix, sizeof suffix, "_%08x",
				  static_cast<unsigned>(name_hash(std::string(table) + '\0' + std::string(column))));
	return std::string(utf8_prefix(name, max_identifier - 9)) + suffix;
}

PgColumnType
map_column(const MysqlColumn &column, const MapContext &context) {
	MysqlColumn c = complete(column);
	PgColumnType pg;
	pg.nullable = c.nullable;
	pg.comment = c.comment;

	std::optional<Base> base = base_map(c, context, pg.notices);
	const TypeOverride *o = find_override(c, context);
	Target target;
	if (o) {
		if (!valid_override_type(o->override_to))
			throw Error(sqlstate::invalid_parameter_value,
						"invalid type_override target \"" + o->override_to + "\"",
						"The override for \"" + o->column_type + "\" must be a PostgreSQL type name.");
		pg.sql_type = std::string(trim(o->override_to));
		pg.overridden = true;
		target = target_of(pg.sql_type);
		pg.form = overridden_form(base, target);
		if (pg.form == ValueForm::BitString)
			pg.bit_length = c.precision.value_or(1);
	} else if (base) {
		target = base->target;
		pg.form = base->form;
		pg.bit_length = base->bit_length;
		if (base->is_enum) {
			pg.is_enum = true;
			pg.enum_type_name = enum_type_name(context.table, c.name);
			pg.enum_labels = c.enum_values;
			pg.sql_type = context.destination_schema.empty() ? quote_ident(pg.enum_type_name)
															 : quote_ident(context.destination_schema) + "." +
																   quote_ident(pg.enum_type_name);
		} else
			pg.sql_type = base->sql_type;
	} else
		throw Error(sqlstate::feature_not_supported,
					"MySQL type \"" + c.column_type + "\" of column \"" + c.name +
						"\" has no PostgreSQL mapping",
					"Table \"" + context.origin_schema + "." + context.table + "\".",
					"Add a type_override entry for \"" + normalize_column_type(c.column_type) + "\".");

	if (c.auto_increment) {
		if (is_identity_type(pg.sql_type)) {
			pg.identity = true;
			pg.nullable = false;
		} else
			pg.notices.push_back("column \"" + c.name +
								 "\": auto_increment not carried over: " + pg.sql_type +
								 " cannot be an identity column (replicated values are kept as they are)");
	}
	bool zero_date_form = pg.form == ValueForm::ZeroDateToNull || pg.form == ValueForm::TimestampUtc;
	if (zero_date_form && !pg.nullable && context.zero_dates == ZeroDates::ToNull) {
		pg.nullable = true;
		pg.notices.push_back(
			"column \"" + c.name +
			"\": NOT NULL dropped because zero dates are replicated as NULL (zero_dates: null)");
	}
	if (!pg.identity)
		pg.default_sql = translate_default(DefaultInput{c, target, pg.bit_length, pg.notices});
	if (c.on_update_current_timestamp)
		pg.notices.push_back(
			"column \"" + c.name +
			"\": ON UPDATE CURRENT_TIMESTAMP not translated (replicated rows carry the value "
			"MySQL set)");
	return pg;
}

} // namespace chameleon::core
