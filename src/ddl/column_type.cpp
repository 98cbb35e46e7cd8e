// Rebuilds information_schema.COLUMNS.COLUMN_TYPE from a parsed column definition.
#include "ddl/parser.hpp"

namespace chameleon::ddl {

namespace {

// Display width MySQL <= 8.0.18 and MariaDB give an integer column declared without one.
std::uint64_t
default_display_width(const std::string &type, bool is_unsigned) {
	if (type == "tinyint")
		return is_unsigned ? 3 : 4;
	if (type == "smallint")
		return is_unsigned ? 5 : 6;
	if (type == "mediumint")
		return is_unsigned ? 8 : 9;
	if (type == "int")
		return is_unsigned ? 10 : 11;
	return 20; // bigint
}

std::string
quote_value(const std::string &value) {
	std::string quoted = "'";
	for (char c : value) {
		if (c == '\'')
			quoted += '\'';
		quoted += c;
	}
	return quoted + "'";
}

} // namespace

std::string
format_column_type(const Column &column, ColumnTypeStyle style) {
	const std::string &type = column.type;
	std::string result = type;
	bool numeric = false;
	if (type == "tinyint" || type == "smallint" || type == "mediumint" || type == "int" || type == "bigint") {
		numeric = true;
		std::optional<std::uint64_t> width = column.length;
		if (style == ColumnTypeStyle::legacy && !width)
			width = default_display_width(type, column.is_unsigned);
		bool shown = style == ColumnTypeStyle::legacy || column.zerofill ||
					 (type == "tinyint" && width == std::uint64_t{1});
		if (width && shown)
			result += "(" + std::to_string(*width) + ")";
	} else if (type == "decimal") {
		numeric = true;
		result += "(" + std::to_string(column.precision.value_or(10)) + "," +
				  std::to_string(column.scale.value_or(0)) + ")";
	} else if (type == "float" || type == "double") {
		numeric = true;
		if (column.precision && column.scale)
			result += "(" + std::to_string(*column.precision) + "," + std::to_string(*column.scale) + ")";
	} else if (type == "bit" || type == "char" || type == "binary") {
		result += "(" + std::to_string(column.length.value_or(1)) + ")";
	} else if (type == "varchar" || type == "varbinary" || type == "vector") {
		result += "(" + std::to_string(column.length.value_or(0)) + ")";
	} else if (type == "year") {
		if (style == ColumnTypeStyle::legacy)
			result += "(" + std::to_string(column.length.value_or(4)) + ")";
	} else if (type == "time" || type == "datetime" || type == "timestamp") {
		if (column.fsp && *column.fsp > 0)
			result += "(" + std::to_string(*column.fsp) + ")";
	} else if (type == "enum" || type == "set") {
		result += "(";
		for (std::size_t i = 0; i < column.values.size(); ++i)
			result += (i ? "," : "") + quote_value(column.values[i]);
		result += ")";
	}
	if (numeric && column.is_unsigned)
		result += " unsigned";
	if (numeric && column.zerofill)
		result += " zerofill";
	return result;
}

} // namespace chameleon::ddl
