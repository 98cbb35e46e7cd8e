// TABLE_MAP event contents: the column types, per-type metadata and optional metadata of a table,
// which the rows events that follow refer to by table id.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::binlog {

// MySQL field type codes as they appear in TABLE_MAP (enum_field_types).
enum class ColumnType : uint8_t {
	decimal = 0, // pre-5.0 DECIMAL, never in rows events
	tiny = 1,
	short_int = 2,
	long_int = 3,
	float_type = 4,
	double_type = 5,
	null_type = 6,
	timestamp = 7,
	longlong = 8,
	int24 = 9,
	date = 10,
	time = 11,
	datetime = 12,
	year = 13,
	newdate = 14,
	varchar = 15,
	bit = 16,
	timestamp2 = 17,
	datetime2 = 18,
	time2 = 19,
	typed_array = 20,
	vector = 242,
	invalid = 243,
	bool_type = 244,
	json = 245,
	newdecimal = 246,
	enum_type = 247,
	set = 248,
	tiny_blob = 249,
	medium_blob = 250,
	long_blob = 251,
	blob = 252,
	var_string = 253,
	string = 254,
	geometry = 255,
};

// "long", "varchar", "newdecimal", ... for messages.
const char *column_type_name(ColumnType type);

// What the source column really is when the binlog cannot say it. MariaDB sends INET6 and UUID
// as BINARY(16) (type STRING, real type STRING, length 16, binary charset: the in-memory form,
// network order for INET6, canonical order for UUID); only the catalog knows which. The reader
// sets this from information_schema through Decoder::set_table_map_hook.
enum class LogicalType : uint8_t { none, inet6, uuid };

constexpr uint32_t binary_charset = 63;

struct Column {
	ColumnType type = ColumnType::null_type;	  // as written in the TABLE_MAP type array
	ColumnType real_type = ColumnType::null_type; // STRING resolved to ENUM/SET from metadata
	uint16_t metadata = 0;						  // raw per-type metadata as MySQL prints it
	uint32_t max_length = 0;					  // CHAR/VARCHAR byte length (decides 1 or 2 length bytes)
	uint8_t length_bytes = 0; // BLOB/TEXT/JSON/GEOMETRY/VECTOR length prefix; ENUM/SET size
	uint8_t precision = 0;	  // NEWDECIMAL
	uint8_t scale = 0;		  // NEWDECIMAL
	uint8_t fsp = 0;		  // TIME2/DATETIME2/TIMESTAMP2 fractional digits
	uint8_t bit_count = 0;	  // BIT(n): n
	bool nullable = true;
	bool is_unsigned = false;	   // from SIGNEDNESS metadata, or set by the caller
	bool signedness_known = false; // true when the binlog carried SIGNEDNESS
	bool visible = true;
	bool in_primary_key = false;
	uint16_t primary_key_prefix = 0; // PRIMARY_KEY_WITH_PREFIX prefix length, 0 = whole column
	uint32_t charset = 0;			 // collation id, 0 when not known
	uint32_t vector_dimensions = 0;
	LogicalType logical = LogicalType::none;
	std::string name; // empty when the binlog has no COLUMN_NAME metadata
	std::vector<std::string> enum_values;
	std::vector<std::string> set_values;

	bool is_binary() const { return charset == binary_charset; }
	bool is_numeric() const;   // counts in the SIGNEDNESS bitmap
	bool is_character() const; // counts in the charset lists
};

struct TableMap {
	uint64_t table_id = 0;
	uint16_t flags = 0;
	std::string database;
	std::string table;
	std::vector<Column> columns;
	std::vector<uint16_t> primary_key; // column indexes, in key order
	uint32_t default_charset = 0;
	bool has_column_names = false;
	std::string raw_body; // event body, to recognise a repeated identical TABLE_MAP cheaply
};

// Parses a TABLE_MAP body (after the common header, without checksum). table_id_size is 6
// (post-header length 8) or 4 (post-header length 6).
// mariadb: the event comes from a MariaDB server, whose SIGNEDNESS bitmap counts YEAR columns.
TableMap parse_table_map(const uint8_t *body, size_t size, size_t table_id_size, bool mariadb = false);

// Sets Column::logical from the catalog: data_types_by_ordinal[i] is the DATA_TYPE of column i
// (information_schema.COLUMNS, by ORDINAL_POSITION). "inet6" and "uuid" (any case) mark the
// column when the binlog has it as the fixed 16-byte STRING MariaDB sends them as; any other
// type, a shorter list or a column the binlog shows differently (the table changed since) is
// left unmarked.
void mark_logical_types(TableMap &table, const std::vector<std::string> &data_types_by_ordinal);

} // namespace chameleon::binlog
