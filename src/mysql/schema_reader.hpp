// What the initial copy needs to know about the MySQL/MariaDB tables of a source, read from
// information_schema in a handful of queries (not one per table): columns, indexes, the
// replication key and foreign keys. Names are matched exactly (case-sensitive).
#pragma once

#include "core/table_filter.hpp"
#include "core/type_map.hpp"
#include "mysql/connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chameleon::mysql {

enum class Generated { no, virtual_, stored };

// A column as core::map_column takes it, plus what the copy must know besides.
// Generated columns are read and copied as plain values: MySQL expressions cannot be translated
// into PostgreSQL generation expressions in general, and the binlog's full row images carry the
// computed values too, so the destination column is an ordinary column holding the same values.
struct ColumnInfo : core::MysqlColumn {
	Generated generated = Generated::no;
	std::string generation_expression; // empty unless generated
	bool invisible = false;			   // MySQL 8.0.23+ / MariaDB 10.3+ INVISIBLE: still copied
};

struct IndexPart {
	std::string column;				  // empty for a functional part
	std::optional<int> prefix_length; // SUB_PART: prefix index on the first N characters/bytes
	std::string expression;			  // MySQL 8.0.13+ functional key part
	bool descending = false;
};

struct IndexInfo {
	std::string name; // "PRIMARY" for the primary key
	bool primary = false;
	bool unique = false;
	std::string type; // BTREE, HASH, FULLTEXT, SPATIAL, RTREE as information_schema says
	std::vector<IndexPart> parts;
};

struct ForeignKeyInfo {
	std::string name;
	std::vector<std::string> columns;
	std::string referenced_schema, referenced_table;
	std::vector<std::string> referenced_columns;
	std::string on_update, on_delete; // CASCADE, SET NULL, RESTRICT, NO ACTION, SET DEFAULT
};

struct TableInfo {
	std::string schema, name;
	std::string engine;
	// The engine takes part in START TRANSACTION WITH CONSISTENT SNAPSHOT (InnoDB/XtraDB, TokuDB,
	// RocksDB). Aria is not: even TRANSACTIONAL=1 Aria tables have no MVCC snapshot, so they are
	// copied like MyISAM, MEMORY, ARCHIVE, CSV... under a table lock.
	bool transactional = false;
	std::uint64_t estimated_rows = 0; // TABLE_ROWS: an estimate for InnoDB
	std::uint64_t avg_row_length = 0;
	std::uint64_t data_length = 0;
	std::string comment;
	std::vector<ColumnInfo> columns; // ordinal order
	std::vector<IndexInfo> indexes;	 // PRIMARY first, then by name
	// The primary key, else the unique index with every column NOT NULL and no prefix or
	// functional part (fewest columns first, then by name). Empty: the table has no usable key
	// and is copied but cannot be replicated.
	std::vector<std::string> replication_key;
	std::string replication_key_index; // name of the index it comes from
	std::vector<ForeignKeyInfo> foreign_keys;
};

// Base tables of origin_schemas that filter replicates, sorted by schema then name. MariaDB
// JSON columns (LONGTEXT with a json_valid() check) are reported with data_type "json".
// Throws chameleon::Error when a query fails.
std::vector<TableInfo> read_tables(Connection &connection, const core::TableFilter &filter,
								   const std::vector<std::string> &origin_schemas);

// Members of an enum(...)/set(...) COLUMN_TYPE: quotes doubled ('') and backslash escapes
// (\\ as information_schema shows a backslash, and \' \n \t \0 \r \Z) undone.
std::vector<std::string> parse_enum_members(std::string_view column_type);

} // namespace chameleon::mysql
