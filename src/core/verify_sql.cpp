// The SQL of data verification: canonical text per column type on both sides, range hashes,
// range rows and the key walk (see verify_sql.hpp).
#include "core/verify_sql.hpp"

#include "core/pg_names.hpp"
#include "core/sql_quote.hpp"

#include <initializer_list>

namespace chameleon::core {

namespace {

bool
is_one_of(const std::string &value, std::initializer_list<const char *> names) {
	for (const char *name : names)
		if (value == name)
			return true;
	return false;
}

bool
is_string_type(const LayoutColumn &column) {
	return column.form == ValueForm::AsIs && column.pg_type != "boolean" &&
		   is_one_of(column.mysql.data_type,
					 {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum"});
}

bool
is_float_type(const LayoutColumn &column) {
	return column.form == ValueForm::AsIs && is_one_of(column.mysql.data_type, {"float", "double", "real"}) &&
		   is_one_of(column.pg_type, {"real", "double precision"});
}

// MySQL prints every fractional digit of the column's precision; PostgreSQL drops trailing zeros.
std::string
trim_fraction(const LayoutColumn &column, const std::string &text) {
	if (column.mysql.datetime_precision.value_or(0) == 0)
		return text;
	return "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + text + "))";
}

// Significant digits of a float compared on both sides: 6 for real, 15 for double precision,
// as mantissa (an integer) and decimal exponent, computed by each server in IEEE doubles.
CanonicalColumn
float_column(const std::string &my, const std::string &pg, bool single) {
	std::string shift = single ? "5" : "14";
	std::string my_exponent = "FLOOR(LOG10(ABS(" + my + ")))";
	std::string pg_value = pg + "::float8";
	std::string pg_exponent = "floor(log(abs(" + pg_value + ")))";
	return {"IF(" + my + " = 0, '0', CONCAT(CAST(ROUND(" + my + " / POW(10, " + my_exponent + " - " + shift +
				")) AS SIGNED), 'e', " + my_exponent + "))",
			"CASE WHEN " + pg_value + " = 0 THEN '0' ELSE round(" + pg_value + " / 10::float8 ^ (" +
				pg_exponent + " - " + shift + "))::bigint::text || 'e' || " + pg_exponent +
				"::bigint::text END"};
}

// The replica's EWKB (little-endian, as MySQL writes WKB) back in MySQL's internal form, as hex:
// the SRID (4 bytes) first, then the WKB without the SRID flag 0x20000000 and the SRID after the
// type word; plain WKB (SRID 0) gets a zero SRID.
std::string
mysql_geometry_hex(const std::string &ewkb) {
	return "CASE WHEN get_byte(" + ewkb + ", 4) & 32 = 0 THEN '00000000' || encode(" + ewkb +
		   ", 'hex') ELSE encode(substring(" + ewkb + " from 6 for 4) || substring(" + ewkb +
		   " from 1 for 4) || set_byte('\\x00'::bytea, 0, get_byte(" + ewkb + ", 4) & 223) || substring(" +
		   ewkb + " from 10), 'hex') END";
}

enum class KeyOrder { native, string, binary, none };

KeyOrder
key_order(const LayoutColumn &column) {
	if (is_string_type(column) && column.mysql.data_type != "enum")
		return KeyOrder::string;
	if (column.form == ValueForm::Bytea)
		return KeyOrder::binary;
	bool native_form = column.form == ValueForm::AsIs || column.form == ValueForm::ZeroDateToNull ||
					   column.form == ValueForm::TimestampUtc || column.form == ValueForm::Interval;
	if (native_form && column.pg_type != "boolean" &&
		is_one_of(column.mysql.data_type,
				  {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
				   "date", "datetime", "timestamp", "time", "year"}))
		return KeyOrder::native;
	return KeyOrder::none;
}

std::vector<const LayoutColumn *>
key_columns(const TableLayout &layout) {
	std::vector<const LayoutColumn *> keys;
	for (const std::string &name : layout.key)
		if (const LayoutColumn *column = find_column(layout, name))
			keys.push_back(column);
	return keys;
}

std::string
mysql_table(const TableLayout &layout) {
	return mysql_ident(layout.origin_schema) + "." + mysql_ident(layout.table);
}

std::string
pg_table(const TableLayout &layout) {
	return quote_ident(layout.destination_schema) + "." + quote_ident(layout.destination_table);
}

// A field of the row text: its length and text, or N for NULL (so NULL differs from '').
std::string
mysql_field(const std::string &expression) {
	return "IFNULL(CONCAT(CHAR_LENGTH(" + expression + "), ':', " + expression + "), 'N')";
}

std::string
pg_field(const std::string &expression) {
	return "coalesce(length(" + expression + ") || ':' || " + expression + ", 'N')";
}

// MySQL's test for a zero date (month or day 0), NULL for NULL.
std::string
mysql_zero_date(const std::string &name) {
	return "MONTH(" + name + ") = 0 OR DAYOFMONTH(" + name + ") = 0";
}

// A column in MySQL's row text: its canonical expression, or a cheaper one CONCAT_WS prints the
// same: integers and decimals bare (as CAST(... AS CHAR) prints them, at half the cost), utf8mb4
// strings relabelled rather than converted (one collation for CONCAT_WS), dates and datetimes
// without fraction bare once zero dates are NULL.
std::string
mysql_hash_field(const LayoutColumn &column) {
	std::string name = mysql_ident(column.mysql.name);
	if (column.form == ValueForm::AsIs && column.pg_type != "boolean" &&
		is_one_of(column.mysql.data_type,
				  {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric"}))
		return name;
	if (is_string_type(column) && column.mysql.charset == "utf8mb4")
		return name + " COLLATE utf8mb4_bin";
	if (column.form == ValueForm::ZeroDateToNull && column.mysql.datetime_precision.value_or(0) == 0)
		return "IF(" + mysql_zero_date(name) + ", NULL, " + name + ")";
	return canonical_column(column).mysql;
}

// The text a range hash reads per row: the fields joined by U+001F (CONCAT_WS skips NULLs), then
// one digit per column that can be NULL (null_digit), 1 for NULL (a zero date is NULL too);
// core::row_hash_text builds the same text from PostgreSQL's values. Only a value holding U+001F
// could hide a shift between adjacent columns, and the rows of a differing range are compared
// field by field.
std::string
mysql_row_text(const TableLayout &layout) {
	std::string text = "CONCAT(CONCAT_WS(_utf8mb4 X'1F'";
	std::string nulls;
	for (const LayoutColumn &column : layout.columns) {
		text += ", " + mysql_hash_field(column);
		if (!null_digit(column))
			continue;
		std::string name = mysql_ident(column.mysql.name);
		bool zero_dates = column.form == ValueForm::ZeroDateToNull || column.form == ValueForm::TimestampUtc;
		nulls += zero_dates ? ", IFNULL(" + mysql_zero_date(name) + ", 1)" : ", ISNULL(" + name + ")";
	}
	return text + ")" + nulls + ")";
}

std::string
mysql_key_text(const TableLayout &layout) {
	std::string text = "CONCAT_WS(','";
	for (const LayoutColumn *column : key_columns(layout))
		text += ", " + mysql_field(canonical_column(*column).mysql);
	return text + ")";
}

std::string
pg_key_text(const TableLayout &layout) {
	std::string text = "concat_ws(','";
	for (const LayoutColumn *column : key_columns(layout))
		text += ", " + pg_field(canonical_column(*column).pg);
	return text + ")";
}

// The order of a key column and a bound value in it, on each side.
std::string
mysql_order_expression(const LayoutColumn &column) {
	std::string name = mysql_ident(column.mysql.name);
	return key_order(column) == KeyOrder::string ? "CAST(CONVERT(" + name + " USING utf8mb4) AS BINARY)"
												 : name;
}

std::string
mysql_bound_value(const LayoutColumn &column, const KeyBound &bound, size_t index) {
	switch (key_order(column)) {
	case KeyOrder::string:
		return "CAST(CONVERT(" + mysql_literal(bound.mysql[index]) + " USING utf8mb4) AS BINARY)";
	case KeyOrder::binary:
		return "X" + mysql_literal(bound.canonical[index]);
	default:
		return mysql_literal(bound.mysql[index]);
	}
}

std::string
pg_order_expression(const LayoutColumn &column) {
	std::string name = quote_column(column.mysql.name);
	return key_order(column) == KeyOrder::string ? "(" + name + "::text COLLATE \"C\")" : name;
}

std::string
pg_bound_value(const LayoutColumn &column, int parameter) {
	std::string param = "$" + std::to_string(parameter);
	switch (key_order(column)) {
	case KeyOrder::string:
		return "(" + param + "::text COLLATE \"C\")";
	case KeyOrder::binary:
		return "decode(" + param + ", 'hex')";
	default:
		return param + "::" + column.pg_type;
	}
}

// Lexicographic comparison of the key with a bound: after the bound (>) or up to it (<=).
std::string
key_compare(const std::vector<std::string> &order, const std::vector<std::string> &values, bool after) {
	std::string result = "(";
	std::string prefix;
	for (size_t i = 0; i < order.size(); i++) {
		if (i > 0)
			result += " OR ";
		const char *op = after ? " > " : i + 1 < order.size() ? " < " : " <= ";
		result += "(" + prefix + order[i] + op + values[i] + ")";
		prefix += order[i] + " = " + values[i] + " AND ";
	}
	return result + ")";
}

std::string
mysql_range_condition(const TableLayout &layout, const std::optional<KeyBound> &lower,
					  const std::optional<KeyBound> &upper) {
	std::vector<const LayoutColumn *> keys = key_columns(layout);
	std::vector<std::string> order;
	order.reserve(keys.size());
	for (const LayoutColumn *column : keys)
		order.push_back(mysql_order_expression(*column));
	std::string condition = "TRUE";
	for (int side = 0; side < 2; side++) {
		const std::optional<KeyBound> &bound = side == 0 ? lower : upper;
		if (!bound)
			continue;
		std::vector<std::string> values;
		for (size_t i = 0; i < keys.size(); i++)
			values.push_back(mysql_bound_value(*keys[i], *bound, i));
		condition += " AND " + key_compare(order, values, side == 0);
	}
	return condition;
}

std::string
pg_range_condition(const TableLayout &layout, bool lower, bool upper) {
	std::vector<const LayoutColumn *> keys = key_columns(layout);
	std::vector<std::string> order;
	order.reserve(keys.size());
	for (const LayoutColumn *column : keys)
		order.push_back(pg_order_expression(*column));
	std::string condition = "TRUE";
	int parameter = 1;
	for (int side = 0; side < 2; side++) {
		if (!(side == 0 ? lower : upper))
			continue;
		std::vector<std::string> values;
		values.reserve(keys.size());
		for (const LayoutColumn *column : keys)
			values.push_back(pg_bound_value(*column, parameter++));
		condition += " AND " + key_compare(order, values, side == 0);
	}
	return condition;
}

} // namespace

std::string
mysql_literal(std::string_view text) {
	std::string out = "'";
	for (char c : text) {
		if (c == '\'' || c == '\\')
			out += '\\';
		if (c == '\0') {
			out += "\\0";
			continue;
		}
		out += c;
	}
	return out + "'";
}

std::string
mysql_ident(std::string_view name) {
	std::string out = "`";
	for (char c : name) {
		if (c == '`')
			out += '`';
		out += c;
	}
	return out + "`";
}

CanonicalColumn
canonical_column(const LayoutColumn &column) {
	std::string my = mysql_ident(column.mysql.name);
	std::string pg = quote_column(column.mysql.name);
	const std::string &type = column.mysql.data_type;
	if (column.pg_type == "boolean")
		return {"IF(" + my + " IS NULL, NULL, IF(" + my + " + 0 <> 0, 'true', 'false'))", pg + "::text"};
	switch (column.form) {
	case ValueForm::BitString:
		return {"LPAD(BIN(" + my + " + 0), " + std::to_string(column.bit_length) + ", '0')", pg + "::text"};
	case ValueForm::Bytea:
		return {"LOWER(HEX(" + my + "))", "encode(" + pg + ", 'hex')"};
	case ValueForm::Geometry:
	case ValueForm::GeometryBytea:
		return {"LOWER(HEX(" + my + "))",
				mysql_geometry_hex(column.form == ValueForm::Geometry ? "ST_AsEWKB(" + pg + ", 'NDR')" : pg)};
	case ValueForm::Vector:
		// MySQL's float32 values, little-endian, as hex; PostgreSQL's float4send is big-endian
		return {"LOWER(HEX(" + my + "))",
				"CASE WHEN " + pg +
					" IS NULL THEN NULL ELSE coalesce((SELECT string_agg(substr(h, 7, 2) || "
					"substr(h, 5, 2) || substr(h, 3, 2) || substr(h, 1, 2), '' ORDER BY n) FROM unnest(" +
					pg +
					") WITH ORDINALITY AS e(v, n), LATERAL encode(float4send(e.v), 'hex') AS h), '') END"};
	case ValueForm::Json:
		return {"JSON_NORMALIZE(" + my + ")", pg + "::text", true};
	case ValueForm::SetToArray:
		return {"CONVERT(" + my + " USING utf8mb4)", "array_to_string(" + pg + ", ',')"};
	case ValueForm::ZeroDateToNull:
	case ValueForm::TimestampUtc: {
		std::string text = trim_fraction(column, "CAST(" + my + " AS CHAR)");
		if (column.form == ValueForm::TimestampUtc)
			text = "CONCAT(" + text + ", '+00')";
		return {"IF(MONTH(" + my + ") = 0 OR DAYOFMONTH(" + my + ") = 0, NULL, " + text + ")", pg + "::text"};
	}
	case ValueForm::Inet:
		return {"CAST(" + my + " AS CHAR)", "host(" + pg + ")"};
	case ValueForm::Interval:
		return {trim_fraction(column, "CAST(" + my + " AS CHAR)"), pg + "::text"};
	default:
		break;
	}
	if (is_float_type(column))
		return float_column(my, pg, column.pg_type == "real");
	if (type == "year")
		return {"CAST(" + my + " + 0 AS CHAR)", pg + "::text"};
	if (is_string_type(column))
		return {"CONVERT(" + my + " USING utf8mb4)", pg + "::text"};
	return {"CAST(" + my + " AS CHAR)", pg + "::text"};
}

bool
key_has_ranges(const TableLayout &layout) {
	std::vector<const LayoutColumn *> keys = key_columns(layout);
	if (keys.empty() || keys.size() != layout.key.size())
		return false;
	for (const LayoutColumn *column : keys)
		if (key_order(*column) == KeyOrder::none)
			return false;
	return true;
}

std::string
mysql_range_hash(const TableLayout &layout, const std::optional<KeyBound> &lower,
				 const std::optional<KeyBound> &upper) {
	return "SELECT COUNT(*), COALESCE(SUM(CRC32(" + mysql_row_text(layout) + ")), 0) FROM " +
		   mysql_table(layout) + " WHERE " + mysql_range_condition(layout, lower, upper);
}

std::string
pg_range_text(const TableLayout &layout, bool lower, bool upper) {
	std::string text = "concat(concat_ws(E'\\x1f'";
	std::string nulls;
	for (const LayoutColumn &column : layout.columns) {
		text += ", " + canonical_column(column).pg;
		if (null_digit(column))
			nulls += ", (" + quote_column(column.mysql.name) + " IS NULL)::int";
	}
	return "SELECT " + text + ")" + nulls + ") FROM " + pg_table(layout) + " WHERE " +
		   pg_range_condition(layout, lower, upper);
}

bool
null_digit(const LayoutColumn &column) {
	return column.mysql.nullable || column.form == ValueForm::ZeroDateToNull ||
		   column.form == ValueForm::TimestampUtc;
}

std::vector<bool>
null_digits(const TableLayout &layout) {
	std::vector<bool> digits;
	digits.reserve(layout.columns.size());
	for (const LayoutColumn &column : layout.columns)
		digits.push_back(null_digit(column));
	return digits;
}

bool
has_json(const TableLayout &layout) {
	for (const LayoutColumn &column : layout.columns)
		if (canonical_column(column).json)
			return true;
	return false;
}

std::string
pg_range_values(const TableLayout &layout, bool lower, bool upper) {
	std::string sql = "SELECT ";
	for (size_t i = 0; i < layout.columns.size(); i++)
		sql += (i > 0 ? ", " : "") + canonical_column(layout.columns[i]).pg;
	return sql + " FROM " + pg_table(layout) + " WHERE " + pg_range_condition(layout, lower, upper);
}

std::string
mysql_range_rows(const TableLayout &layout, const std::optional<KeyBound> &lower,
				 const std::optional<KeyBound> &upper) {
	std::string sql = "SELECT " + mysql_key_text(layout);
	for (const LayoutColumn &column : layout.columns)
		sql += ", " + canonical_column(column).mysql;
	return sql + " FROM " + mysql_table(layout) + " WHERE " + mysql_range_condition(layout, lower, upper);
}

std::string
pg_range_rows(const TableLayout &layout, bool lower, bool upper) {
	std::string sql = "SELECT " + pg_key_text(layout);
	for (const LayoutColumn &column : layout.columns)
		sql += ", " + canonical_column(column).pg;
	return sql + " FROM " + pg_table(layout) + " WHERE " + pg_range_condition(layout, lower, upper);
}

std::string
mysql_next_bound(const TableLayout &layout, const std::optional<KeyBound> &lower,
				 const std::optional<KeyBound> &upper, int64_t step) {
	std::vector<const LayoutColumn *> keys = key_columns(layout);
	std::string sql = "SELECT ";
	std::string order;
	for (const LayoutColumn *column : keys) {
		sql +=
			(key_order(*column) == KeyOrder::native ? "CAST(" + mysql_ident(column->mysql.name) + " AS CHAR)"
													: canonical_column(*column).mysql) +
			", ";
		order += (order.empty() ? "" : ", ") + mysql_order_expression(*column);
	}
	for (size_t i = 0; i < keys.size(); i++)
		sql += (i > 0 ? ", " : "") + canonical_column(*keys[i]).mysql;
	return sql + " FROM " + mysql_table(layout) + " WHERE " + mysql_range_condition(layout, lower, upper) +
		   " ORDER BY " + order + " LIMIT 1 OFFSET " + std::to_string(step - 1);
}

std::vector<std::string>
pg_bound_params(const std::optional<KeyBound> &lower, const std::optional<KeyBound> &upper) {
	std::vector<std::string> params;
	for (const std::optional<KeyBound> *bound : {&lower, &upper})
		if (*bound)
			params.insert(params.end(), (*bound)->canonical.begin(), (*bound)->canonical.end());
	return params;
}

} // namespace chameleon::core
