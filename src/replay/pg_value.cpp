// Binlog row values -> PostgreSQL input text through the MySQL text-protocol form of each value, and
// the TABLE_MAP / layout consistency check.
#include "replay/pg_value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string_view>

#include "binlog/decode_error.hpp"
#include "binlog/json_binary.hpp"
#include "core/value_text.hpp"

namespace chameleon::replay {

namespace {

using binlog::ColumnType;
using binlog::ValueKind;

bool
one_of(ColumnType type, std::initializer_list<ColumnType> types) {
	return std::find(types.begin(), types.end(), type) != types.end();
}

bool
is_integer(ColumnType type) {
	return one_of(type, {ColumnType::tiny, ColumnType::short_int, ColumnType::int24, ColumnType::long_int,
						 ColumnType::longlong});
}

bool
is_geometry(const std::string &type) {
	return type == "geometry" || type == "point" || type == "linestring" || type == "polygon" ||
		   type == "multipoint" || type == "multilinestring" || type == "multipolygon" ||
		   type == "geometrycollection";
}

// Whether a binlog column type (TABLE_MAP real type) is what MySQL writes for the layout's column.
bool
compatible(ColumnType type, const core::MysqlColumn &m) {
	const std::string &t = m.data_type;
	const auto blobs = {ColumnType::tiny_blob, ColumnType::blob, ColumnType::medium_blob,
						ColumnType::long_blob};
	if (t == "tinyint" || t == "bool" || t == "boolean")
		return type == ColumnType::tiny;
	if (t == "smallint")
		return type == ColumnType::short_int;
	if (t == "mediumint")
		return type == ColumnType::int24;
	if (t == "int")
		return type == ColumnType::long_int;
	if (t == "bigint")
		return type == ColumnType::longlong;
	if (t == "decimal")
		return type == ColumnType::newdecimal;
	if (t == "float" || t == "double") {
		// as in core::map_column: float(p) with p > 24 is a DOUBLE
		bool is_double = t == "double" || (m.precision && !m.scale && *m.precision > 24);
		return type == (is_double ? ColumnType::double_type : ColumnType::float_type);
	}
	if (t == "bit")
		return type == ColumnType::bit;
	if (t == "year")
		return type == ColumnType::year;
	if (t == "date")
		return one_of(type, {ColumnType::date, ColumnType::newdate});
	if (t == "datetime")
		return one_of(type, {ColumnType::datetime, ColumnType::datetime2});
	if (t == "timestamp")
		return one_of(type, {ColumnType::timestamp, ColumnType::timestamp2});
	if (t == "time")
		return one_of(type, {ColumnType::time, ColumnType::time2});
	if (t == "char" || t == "varchar" || t == "binary" || t == "varbinary")
		return one_of(type, {ColumnType::string, ColumnType::varchar, ColumnType::var_string});
	if (t == "inet4" || t == "inet6" || t == "uuid")
		return type == ColumnType::string;
	if (t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext" || t == "tinyblob" ||
		t == "blob" || t == "mediumblob" || t == "longblob")
		return one_of(type, blobs);
	if (t == "json") // MySQL's binary JSON, or MariaDB's LONGTEXT
		return type == ColumnType::json || one_of(type, blobs);
	if (t == "enum")
		return type == ColumnType::enum_type;
	if (t == "set")
		return type == ColumnType::set;
	if (is_geometry(t))
		return type == ColumnType::geometry;
	if (t == "vector") // MySQL 9 VECTOR, MariaDB 11.7 VECTOR (a VARBINARY)
		return one_of(type, {ColumnType::vector, ColumnType::varchar});
	return false;
}

int
integer_bytes(ColumnType type) {
	switch (type) {
	case ColumnType::tiny:
		return 1;
	case ColumnType::short_int:
		return 2;
	case ColumnType::int24:
		return 3;
	case ColumnType::long_int:
		return 4;
	default:
		return 8;
	}
}

// MySQL writes doubles in their shortest round-trip form with exponents without "+" (1e38).
void
append_double(std::string &out, double number) {
	if (std::isnan(number)) {
		out += "NaN";
		return;
	}
	if (std::isinf(number)) {
		out += number < 0 ? "-Infinity" : "Infinity";
		return;
	}
	char buffer[32];
	auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
	for (const char *p = buffer; p < result.ptr; ++p)
		if (*p != '+')
			out += *p;
}

void
append_inet4(std::string &out, std::string_view bytes) {
	for (std::size_t i = 0; i < 4; ++i) {
		if (i > 0)
			out += '.';
		out += std::to_string(i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0);
	}
}

const std::vector<std::string> &
labels_of(const std::vector<std::string> &binlog_labels, const core::MysqlColumn &m) {
	return binlog_labels.empty() ? m.enum_values : binlog_labels;
}

struct Rendering {
	std::string scratch;
	std::string_view text;
	std::string problem;
};

// The text the initial copy reads from MySQL for the value (see append_pg_text). False, with
// r.problem set, when the value has no such text.
bool
mysql_text(const binlog::Value &value, const ColumnConversion &conversion, Rendering &r) {
	const binlog::Column &column = *conversion.column;
	const core::LayoutColumn &target = *conversion.target;
	const core::MysqlColumn &m = target.mysql;
	std::string &s = r.scratch;
	switch (value.kind) {
	case ValueKind::missing:
		r.problem = "the column is not in the row image";
		return false;
	case ValueKind::null:
		break; // handled by the caller
	case ValueKind::int64:
		if (!column.signedness_known && m.unsigned_) {
			// without SIGNEDNESS metadata the decoder reads every integer as signed
			int bits = 8 * integer_bytes(column.real_type);
			uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
			s = std::to_string(static_cast<uint64_t>(value.i64) & mask);
		} else
			binlog::append_text(s, value, column);
		break;
	case ValueKind::float32:
		// the initial copy selects FLOAT columns as DOUBLE (col * 1e0): the same value, all its digits
		append_double(s, static_cast<double>(value.f32));
		break;
	case ValueKind::float64:
		append_double(s, value.f64);
		break;
	case ValueKind::timestamp:
		binlog::append_text(s, value, column);
		s.resize(s.size() - 3); // "+00": MySQL's session time zone is UTC and writes none
		break;
	case ValueKind::uint64:
	case ValueKind::decimal:
	case ValueKind::date:
	case ValueKind::time:
	case ValueKind::datetime:
	case ValueKind::year:
		binlog::append_text(s, value, column);
		break;
	case ValueKind::json:
		binlog::append_json_binary(s, value.data, value.size);
		break;
	case ValueKind::bit: {
		// BIT(n) reaches the initial copy as its (n + 7) / 8 big-endian bytes
		int bits = std::min(column.bit_count ? int{column.bit_count} : m.precision.value_or(1), 64);
		for (int byte = (bits + 7) / 8 - 1; byte >= 0; --byte)
			s += static_cast<char>(value.u64 >> (8 * byte));
		break;
	}
	case ValueKind::enum_index: {
		const std::vector<std::string> &labels = labels_of(column.enum_values, m);
		if (value.u64 > labels.size()) {
			r.problem = "ENUM index " + std::to_string(value.u64) + " is beyond the column's " +
						std::to_string(labels.size()) + " labels";
			return false;
		}
		if (value.u64 == 0 && !target.enum_type.empty() &&
			std::find(labels.begin(), labels.end(), "") == labels.end()) {
			r.problem = "ENUM value '' (index 0, what MySQL stores for an invalid value) is not a label of "
						"the PostgreSQL enum type";
			return false;
		}
		if (value.u64 > 0)
			r.text = labels[value.u64 - 1];
		return true;
	}
	case ValueKind::set_bits: {
		const std::vector<std::string> &labels = labels_of(column.set_values, m);
		if (labels.size() < 64 && value.u64 >> labels.size()) {
			r.problem = "SET value " + std::to_string(value.u64) + " has members beyond the column's " +
						std::to_string(labels.size()) + " labels";
			return false;
		}
		bool first = true;
		for (std::size_t i = 0; i < labels.size(); ++i) {
			if (!(value.u64 >> i & 1))
				continue;
			if (!first)
				s += ',';
			s += labels[i];
			first = false;
		}
		break;
	}
	case ValueKind::string:
		switch (conversion.string_kind) {
		case StringKind::binary: {
			// the server logs BINARY(n) without its trailing zero bytes; MySQL returns all n
			uint64_t length = static_cast<uint64_t>(m.char_length.value_or(column.max_length));
			if (value.size > length) {
				r.problem = "BINARY value of " + std::to_string(value.size) + " bytes in a BINARY(" +
							std::to_string(length) + ") column";
				return false;
			}
			s.assign(value.bytes());
			s.resize(length, '\0');
			break;
		}
		case StringKind::inet4:
			if (value.size > 4) {
				r.problem = "INET4 value of " + std::to_string(value.size) + " bytes";
				return false;
			}
			append_inet4(s, value.bytes());
			break;
		case StringKind::inet6:
		case StringKind::uuid: {
			bool marked =
				column.logical == (conversion.string_kind == StringKind::uuid ? binlog::LogicalType::uuid
																			  : binlog::LogicalType::inet6);
			if (!marked) {
				r.problem = "the binlog column is not marked as " + m.data_type +
							" (binlog::mark_logical_types was not applied to its TABLE_MAP)";
				return false;
			}
			binlog::append_text(s, value, column);
			break;
		}
		case StringKind::plain:
			r.text = value.bytes();
			return true;
		}
		break;
	case ValueKind::geometry:
	case ValueKind::vector:
		r.text = value.bytes();
		return true;
	}
	r.text = s;
	return true;
}

void
set_problem(std::string *problem, std::string text) {
	if (problem)
		*problem = std::move(text);
}

std::string
describe(const binlog::Column &c) {
	return binlog::column_type_name(c.real_type);
}

// What differs between a TABLE_MAP column and the layout's; empty when nothing does.
std::string
column_difference(const binlog::Column &c, const core::MysqlColumn &m) {
	if (!compatible(c.real_type, m))
		return " is " + describe(c) + " in the binlog but " + m.column_type + " in the layout";
	if (is_integer(c.real_type) && c.signedness_known && c.is_unsigned != m.unsigned_)
		return std::string(" is ") + (c.is_unsigned ? "unsigned" : "signed") + " in the binlog but " +
			   m.column_type + " in the layout";
	if (c.real_type == ColumnType::newdecimal && m.precision &&
		(c.precision != *m.precision || c.scale != m.scale.value_or(0)))
		return " is decimal(" + std::to_string(c.precision) + "," + std::to_string(c.scale) +
			   ") in the binlog but " + m.column_type + " in the layout";
	if (c.real_type == ColumnType::bit && c.bit_count != m.precision.value_or(1))
		return " is bit(" + std::to_string(c.bit_count) + ") in the binlog but " + m.column_type +
			   " in the layout";
	if (one_of(c.real_type, {ColumnType::time2, ColumnType::datetime2, ColumnType::timestamp2}) &&
		m.datetime_precision && c.fsp != *m.datetime_precision)
		return " has " + std::to_string(c.fsp) + " fractional digits in the binlog but " +
			   std::to_string(*m.datetime_precision) + " in the layout";
	if (m.data_type == "binary" && m.char_length && c.max_length != *m.char_length)
		return " is binary(" + std::to_string(c.max_length) + ") in the binlog but " + m.column_type +
			   " in the layout";
	if (c.real_type == ColumnType::enum_type && !c.enum_values.empty() && c.enum_values != m.enum_values)
		return " has other ENUM labels in the binlog than in the layout (" + m.column_type + ")";
	if (c.real_type == ColumnType::set && !c.set_values.empty() && c.set_values != m.enum_values)
		return " has other SET labels in the binlog than in the layout (" + m.column_type + ")";
	return {};
}

// The character set of a binlog text value: the column's collation in the TABLE_MAP (current even
// after a change the layout missed), else the layout's charset, else utf8mb4.
core::TextCharset
text_charset(const binlog::Column &column, const core::MysqlColumn &m) {
	if (!core::is_character_type(m.data_type))
		return core::TextCharset::none;
	core::TextCharset from_binlog = core::charset_by_collation(column.charset);
	if (from_binlog != core::TextCharset::none)
		return from_binlog;
	return m.charset.empty() ? core::TextCharset::utf8 : core::charset_by_name(m.charset);
}

} // namespace

ColumnConversion
prepare_column(const binlog::Column &column, const core::LayoutColumn &target) {
	ColumnConversion conversion;
	conversion.column = &column;
	conversion.target = &target;
	conversion.compatible = compatible(column.real_type, target.mysql);
	conversion.charset = text_charset(column, target.mysql);
	const std::string &t = target.mysql.data_type;
	conversion.string_kind = t == "binary"	? StringKind::binary
							 : t == "inet4" ? StringKind::inet4
							 : t == "inet6" ? StringKind::inet6
							 : t == "uuid"	? StringKind::uuid
											: StringKind::plain;
	return conversion;
}

Outcome
append_pg_text(const binlog::Value &value, const binlog::Column &column, const core::LayoutColumn &target,
			   const ValuePolicy &policy, std::string &out, std::string *problem) {
	return append_pg_text(value, prepare_column(column, target), policy, out, problem);
}

Outcome
append_pg_text(const binlog::Value &value, const ColumnConversion &conversion, const ValuePolicy &policy,
			   std::string &out, std::string *problem) {
	const core::LayoutColumn &target = *conversion.target;
	if (value.kind == ValueKind::null)
		return Outcome::null;
	if (!conversion.compatible) {
		set_problem(problem, "the binlog column is " + describe(*conversion.column) + " but the layout has " +
								 target.mysql.column_type +
								 ": the table changed since its layout was recorded");
		return Outcome::invalid;
	}
	Rendering r;
	try {
		if (!mysql_text(value, conversion, r)) {
			set_problem(problem, std::move(r.problem));
			return Outcome::invalid;
		}
	} catch (const binlog::DecodeError &e) {
		set_problem(problem, e.what());
		return Outcome::invalid;
	}
	core::ValueOptions options;
	options.bit_length = target.bit_length;
	options.zero_dates_to_null = policy.zero_dates_to_null;
	options.strip_nul = policy.strip_nul;
	options.text_charset = conversion.charset;
	const std::size_t start = out.size();
	switch (core::to_pg_text(target.form, r.text, out, options)) {
	case core::ValueStatus::Ok:
		break;
	case core::ValueStatus::ZeroDateAsNull:
		return Outcome::null;
	case core::ValueStatus::ZeroDateRejected:
		return Outcome::zero_date_rejected;
	case core::ValueStatus::InvalidText:
		if (problem)
			core::append_utf8(options.text_charset, r.text, out, problem);
		return Outcome::text_rejected;
	case core::ValueStatus::Invalid:
	case core::ValueStatus::NulByte:
		out.resize(start);
		set_problem(problem, std::string("value not in the form PostgreSQL type ") + target.pg_type +
								 " needs (" + core::value_form_name(target.form) + ")");
		return Outcome::invalid;
	}
	// PostgreSQL text cannot hold NUL bytes: removed or refused, as the initial copy's COPY escaping does
	if (out.find('\0', start) != std::string::npos) {
		if (!policy.strip_nul) {
			out.resize(start);
			return Outcome::nul_rejected;
		}
		out.erase(std::remove(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '\0'), out.end());
	}
	return Outcome::value;
}

std::string
layout_mismatch(const binlog::TableMap &table_map, const core::TableLayout &layout) {
	const std::string table = layout.origin_schema + "." + layout.table;
	if (table_map.columns.size() != layout.columns.size())
		return "table " + table + " has " + std::to_string(table_map.columns.size()) +
			   " columns in the binlog but " + std::to_string(layout.columns.size()) + " in its layout";
	for (std::size_t i = 0; i < layout.columns.size(); ++i) {
		const binlog::Column &c = table_map.columns[i];
		const core::MysqlColumn &m = layout.columns[i].mysql;
		const std::string where =
			"column " + std::to_string(i + 1) + " (\"" + m.name + "\") of table " + table;
		if (table_map.has_column_names && c.name != m.name)
			return where + " is named \"" + c.name + "\" in the binlog";
		std::string difference = column_difference(c, m);
		if (!difference.empty())
			return where + difference;
	}
	return {};
}

} // namespace chameleon::replay
