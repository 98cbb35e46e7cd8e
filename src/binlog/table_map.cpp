// Parsing of TABLE_MAP events: column types, per-type metadata, null bitmap and the optional
// metadata fields of binlog_row_metadata (MySQL 8 / MariaDB 10.5+).
#include "binlog/table_map.hpp"

#include <algorithm>
#include <cctype>

#include "binlog/byte_reader.hpp"

namespace chameleon::binlog {

const char *
column_type_name(ColumnType type) {
	switch (type) {
	case ColumnType::decimal:
		return "decimal";
	case ColumnType::tiny:
		return "tiny";
	case ColumnType::short_int:
		return "short";
	case ColumnType::long_int:
		return "long";
	case ColumnType::float_type:
		return "float";
	case ColumnType::double_type:
		return "double";
	case ColumnType::null_type:
		return "null";
	case ColumnType::timestamp:
		return "timestamp";
	case ColumnType::longlong:
		return "longlong";
	case ColumnType::int24:
		return "int24";
	case ColumnType::date:
		return "date";
	case ColumnType::time:
		return "time";
	case ColumnType::datetime:
		return "datetime";
	case ColumnType::year:
		return "year";
	case ColumnType::newdate:
		return "newdate";
	case ColumnType::varchar:
		return "varchar";
	case ColumnType::bit:
		return "bit";
	case ColumnType::timestamp2:
		return "timestamp2";
	case ColumnType::datetime2:
		return "datetime2";
	case ColumnType::time2:
		return "time2";
	case ColumnType::typed_array:
		return "typed_array";
	case ColumnType::vector:
		return "vector";
	case ColumnType::invalid:
		return "invalid";
	case ColumnType::bool_type:
		return "bool";
	case ColumnType::json:
		return "json";
	case ColumnType::newdecimal:
		return "newdecimal";
	case ColumnType::enum_type:
		return "enum";
	case ColumnType::set:
		return "set";
	case ColumnType::tiny_blob:
		return "tiny_blob";
	case ColumnType::medium_blob:
		return "medium_blob";
	case ColumnType::long_blob:
		return "long_blob";
	case ColumnType::blob:
		return "blob";
	case ColumnType::var_string:
		return "var_string";
	case ColumnType::string:
		return "string";
	case ColumnType::geometry:
		return "geometry";
	}
	return "unknown";
}

bool
Column::is_numeric() const {
	switch (real_type) {
	case ColumnType::tiny:
	case ColumnType::short_int:
	case ColumnType::int24:
	case ColumnType::long_int:
	case ColumnType::longlong:
	case ColumnType::newdecimal:
	case ColumnType::float_type:
	case ColumnType::double_type:
	case ColumnType::decimal:
		return true;
	default:
		return false;
	}
}

bool
Column::is_character() const {
	switch (real_type) {
	case ColumnType::string:
	case ColumnType::var_string:
	case ColumnType::varchar:
	case ColumnType::blob:
	case ColumnType::tiny_blob:
	case ColumnType::medium_blob:
	case ColumnType::long_blob:
	case ColumnType::geometry: // the server counts GEOMETRY (a BLOB underneath) as a character column
	case ColumnType::vector:   // MySQL 9 lists VECTOR (binary charset) among the character columns
		return true;
	default:
		return false;
	}
}

namespace {

constexpr size_t max_table_columns = 4096; // MySQL and MariaDB hard limit

// Optional metadata field codes (enum Optional_metadata_field_type).
enum OptionalField : uint8_t {
	signedness = 1,
	default_charset = 2,
	column_charset = 3,
	column_name = 4,
	set_str_value = 5,
	enum_str_value = 6,
	geometry_type = 7,
	simple_primary_key = 8,
	primary_key_with_prefix = 9,
	enum_and_set_default_charset = 10,
	enum_and_set_column_charset = 11,
	column_visibility = 12,
	vector_dimensionality = 13,
};

[[noreturn]] void
fail_column(const TableMap &map, size_t index, const std::string &problem) {
	throw DecodeError("table_map of " + map.database + "." + map.table + " column " +
					  std::to_string(index + 1) + " (" + column_type_name(map.columns[index].type) +
					  "): " + problem);
}

void
read_type_metadata(TableMap &map, size_t index, ByteReader &meta) {
	Column &col = map.columns[index];
	col.real_type = col.type;
	switch (col.type) {
	case ColumnType::float_type:
	case ColumnType::double_type:
		col.metadata = meta.u8();
		break;
	case ColumnType::blob:
	case ColumnType::tiny_blob:
	case ColumnType::medium_blob:
	case ColumnType::long_blob:
	case ColumnType::geometry:
	case ColumnType::json:
	case ColumnType::vector:
		col.metadata = meta.u8();
		col.length_bytes = static_cast<uint8_t>(col.metadata);
		if (col.length_bytes < 1 || col.length_bytes > 4)
			fail_column(map, index,
						"length prefix size " + std::to_string(col.length_bytes) + " is not 1 to 4");
		if (col.type != ColumnType::geometry && col.type != ColumnType::json &&
			col.type != ColumnType::vector)
			col.real_type = ColumnType::blob;
		break;
	case ColumnType::varchar:
	case ColumnType::var_string:
		col.metadata = meta.u16();
		col.max_length = col.metadata;
		break;
	case ColumnType::bit: {
		uint8_t bits = meta.u8();
		uint8_t bytes = meta.u8();
		col.metadata = static_cast<uint16_t>(bytes << 8 | bits);
		col.bit_count = static_cast<uint8_t>(bytes * 8 + bits);
		if (bits > 7 || col.bit_count > 64 || col.bit_count == 0)
			fail_column(map, index, "invalid bit metadata " + std::to_string(col.metadata));
		break;
	}
	case ColumnType::newdecimal: {
		col.precision = meta.u8();
		col.scale = meta.u8();
		col.metadata = static_cast<uint16_t>(col.precision << 8 | col.scale);
		if (col.precision == 0 || col.precision > 65 || col.scale > 30 || col.scale > col.precision)
			fail_column(map, index,
						"invalid decimal precision " + std::to_string(col.precision) + " scale " +
							std::to_string(col.scale));
		break;
	}
	case ColumnType::string:
	case ColumnType::enum_type:
	case ColumnType::set: {
		uint8_t byte0 = meta.u8();
		uint8_t byte1 = meta.u8();
		col.metadata = static_cast<uint16_t>(byte0 << 8 | byte1);
		uint8_t real = byte0;
		uint32_t length = byte1;
		if ((byte0 & 0x30) != 0x30) {
			// CHAR longer than 255 bytes: two high bits of the length are stored inverted in byte0.
			real = static_cast<uint8_t>(byte0 | 0x30);
			length = byte1 | (((byte0 & 0x30) ^ 0x30) << 4);
		}
		col.real_type = static_cast<ColumnType>(real);
		if (col.type != ColumnType::string)
			col.real_type = col.type;
		if (col.real_type == ColumnType::enum_type || col.real_type == ColumnType::set) {
			col.length_bytes = byte1;
			bool valid = col.real_type == ColumnType::enum_type ? (byte1 == 1 || byte1 == 2)
																: (byte1 >= 1 && byte1 <= 8);
			if (!valid)
				fail_column(map, index, "invalid enum/set size " + std::to_string(byte1));
		} else if (col.real_type == ColumnType::string) {
			col.max_length = length;
		} else {
			fail_column(map, index, "unknown real type " + std::to_string(real));
		}
		break;
	}
	case ColumnType::timestamp2:
	case ColumnType::datetime2:
	case ColumnType::time2:
		col.metadata = meta.u8();
		col.fsp = static_cast<uint8_t>(col.metadata);
		if (col.fsp > 6)
			fail_column(map, index, "fractional precision " + std::to_string(col.fsp) + " above 6");
		break;
	case ColumnType::tiny:
	case ColumnType::short_int:
	case ColumnType::int24:
	case ColumnType::long_int:
	case ColumnType::longlong:
	case ColumnType::null_type:
	case ColumnType::timestamp:
	case ColumnType::date:
	case ColumnType::time:
	case ColumnType::datetime:
	case ColumnType::year:
	case ColumnType::newdate:
		break;
	default:
		fail_column(map, index, "unsupported column type " + std::to_string(static_cast<int>(col.type)));
	}
}

size_t
count_columns(const TableMap &map, bool (*pred)(const Column &)) {
	size_t n = 0;
	for (const Column &col : map.columns)
		n += pred(col) ? 1 : 0;
	return n;
}

bool
numeric_column(const Column &c) {
	return c.is_numeric();
}
// MariaDB's SIGNEDNESS bitmap also has a bit for YEAR (an unsigned type there).
bool
mariadb_numeric_column(const Column &c) {
	return c.is_numeric() || c.real_type == ColumnType::year;
}
bool
character_column(const Column &c) {
	return c.is_character();
}
bool
enum_or_set_column(const Column &c) {
	return c.real_type == ColumnType::enum_type || c.real_type == ColumnType::set;
}
bool
enum_column(const Column &c) {
	return c.real_type == ColumnType::enum_type;
}
bool
set_column(const Column &c) {
	return c.real_type == ColumnType::set;
}
bool
vector_column(const Column &c) {
	return c.type == ColumnType::vector;
}

// Bitmap with one bit per selected column, most significant bit first.
void
read_msb_bitmap(TableMap &map, ByteReader &field, bool (*pred)(const Column &), void (*set)(Column &, bool)) {
	size_t n = count_columns(map, pred);
	const uint8_t *bits = field.take((n + 7) / 8);
	size_t i = 0;
	for (Column &col : map.columns) {
		if (!pred(col))
			continue;
		set(col, (bits[i / 8] >> (7 - i % 8)) & 1);
		i++;
	}
}

// DEFAULT_CHARSET layout: default collation, then (index among selected columns, collation) pairs.
void
read_default_charset(TableMap &map, ByteReader &field, bool (*pred)(const Column &), bool is_table_default) {
	uint32_t def = static_cast<uint32_t>(field.lenenc());
	if (is_table_default)
		map.default_charset = def;
	std::vector<Column *> selected;
	for (Column &col : map.columns)
		if (pred(col)) {
			col.charset = def;
			selected.push_back(&col);
		}
	while (!field.at_end()) {
		uint64_t index = field.lenenc();
		uint32_t charset = static_cast<uint32_t>(field.lenenc());
		if (index >= selected.size())
			throw DecodeError("table_map of " + map.database + "." + map.table +
							  ": charset exception for column number " + std::to_string(index) + " of " +
							  std::to_string(selected.size()));
		selected[index]->charset = charset;
	}
}

void
read_column_charsets(TableMap &map, ByteReader &field, bool (*pred)(const Column &)) {
	for (Column &col : map.columns)
		if (pred(col))
			col.charset = static_cast<uint32_t>(field.lenenc());
}

void
read_string_values(TableMap &map, ByteReader &field, bool (*pred)(const Column &),
				   std::vector<std::string> Column::*values) {
	for (Column &col : map.columns) {
		if (!pred(col))
			continue;
		uint64_t count = field.lenenc();
		if (count > field.remaining())
			field.fail_truncated(count);
		(col.*values).reserve(count);
		for (uint64_t i = 0; i < count; i++) {
			size_t len = field.lenenc_length();
			(col.*values).emplace_back(field.take_string(len));
		}
	}
}

void
mark_primary_key(TableMap &map, uint64_t index, uint64_t prefix) {
	if (index >= map.columns.size())
		throw DecodeError("table_map of " + map.database + "." + map.table + ": primary key column " +
						  std::to_string(index + 1) + " beyond " + std::to_string(map.columns.size()) +
						  " columns");
	map.columns[index].in_primary_key = true;
	map.columns[index].primary_key_prefix = static_cast<uint16_t>(prefix);
	map.primary_key.push_back(static_cast<uint16_t>(index));
}

void
read_optional_metadata(TableMap &map, ByteReader &in, bool mariadb) {
	while (!in.at_end()) {
		uint8_t type = in.u8();
		size_t len = in.lenenc_length();
		ByteReader field(in.take(len), len, "table_map optional metadata");
		switch (type) {
		case signedness:
			read_msb_bitmap(map, field, mariadb ? mariadb_numeric_column : numeric_column,
							[](Column &c, bool v) {
								if (c.real_type == ColumnType::year)
									return;
								c.is_unsigned = v;
								c.signedness_known = true;
							});
			break;
		case default_charset:
			read_default_charset(map, field, character_column, true);
			break;
		case column_charset:
			read_column_charsets(map, field, character_column);
			break;
		case column_name:
			for (Column &col : map.columns) {
				size_t n = field.lenenc_length();
				col.name.assign(field.take_string(n));
			}
			map.has_column_names = true;
			break;
		case set_str_value:
			read_string_values(map, field, set_column, &Column::set_values);
			break;
		case enum_str_value:
			read_string_values(map, field, enum_column, &Column::enum_values);
			break;
		case simple_primary_key:
			while (!field.at_end())
				mark_primary_key(map, field.lenenc(), 0);
			break;
		case primary_key_with_prefix:
			while (!field.at_end()) {
				uint64_t index = field.lenenc();
				mark_primary_key(map, index, field.lenenc());
			}
			break;
		case enum_and_set_default_charset:
			read_default_charset(map, field, enum_or_set_column, false);
			break;
		case enum_and_set_column_charset:
			read_column_charsets(map, field, enum_or_set_column);
			break;
		case column_visibility:
			read_msb_bitmap(
				map, field, [](const Column &) { return true; }, [](Column &c, bool v) { c.visible = v; });
			break;
		case vector_dimensionality:
			for (Column &col : map.columns)
				if (vector_column(col))
					col.vector_dimensions = static_cast<uint32_t>(field.lenenc());
			break;
		default:
			// geometry_type and fields added by later servers carry nothing the decoder needs;
			// their length prefix lets them be skipped safely.
			break;
		}
	}
}

} // namespace

TableMap
parse_table_map(const uint8_t *body, size_t size, size_t table_id_size, bool mariadb) {
	TableMap map;
	map.raw_body.assign(reinterpret_cast<const char *>(body), size);
	ByteReader in(body, size, "table_map event");
	map.table_id = in.uint_le(table_id_size);
	map.flags = in.u16();
	size_t db_len = in.u8();
	map.database.assign(in.take_string(db_len));
	in.skip(1);
	size_t table_len = in.u8();
	map.table.assign(in.take_string(table_len));
	in.skip(1);
	size_t column_count = in.lenenc_length();
	if (column_count > max_table_columns)
		throw DecodeError("table_map of " + map.database + "." + map.table + " has " +
						  std::to_string(column_count) + " columns, more than the server limit " +
						  std::to_string(max_table_columns));
	const uint8_t *types = in.take(column_count);
	map.columns.resize(column_count);
	for (size_t i = 0; i < column_count; i++)
		map.columns[i].type = static_cast<ColumnType>(types[i]);
	size_t meta_len = in.lenenc_length();
	ByteReader meta(in.take(meta_len), meta_len, "table_map column metadata");
	for (size_t i = 0; i < column_count; i++)
		read_type_metadata(map, i, meta);
	if (!meta.at_end())
		throw DecodeError("table_map of " + map.database + "." + map.table + ": " +
						  std::to_string(meta.remaining()) + " bytes of column metadata left over");
	const uint8_t *nulls = in.take((column_count + 7) / 8);
	for (size_t i = 0; i < column_count; i++)
		map.columns[i].nullable = (nulls[i / 8] >> (i % 8)) & 1;
	read_optional_metadata(map, in, mariadb);
	return map;
}

void
mark_logical_types(TableMap &table, const std::vector<std::string> &data_types_by_ordinal) {
	size_t n = std::min(table.columns.size(), data_types_by_ordinal.size());
	for (size_t i = 0; i < n; i++) {
		Column &c = table.columns[i];
		std::string type = data_types_by_ordinal[i];
		for (char &ch : type)
			ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
		bool fixed16 = c.real_type == ColumnType::string && c.max_length == 16;
		if (fixed16 && type == "inet6")
			c.logical = LogicalType::inet6;
		else if (fixed16 && type == "uuid")
			c.logical = LogicalType::uuid;
	}
}

} // namespace chameleon::binlog
