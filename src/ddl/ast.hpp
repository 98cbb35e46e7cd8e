// AST of the MySQL/MariaDB table DDL statements read from binlog QUERY events: plain structs,
// one std::variant alternative per statement kind. Names keep their schema part (empty when absent).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chameleon::ddl {

struct QualifiedName {
	std::string schema; // empty when the statement did not qualify the name
	std::string name;
};

enum class DefaultKind {
	none,			   // no DEFAULT clause (or DROP DEFAULT)
	null,			   // DEFAULT NULL
	string,			   // DEFAULT 'text': value holds the unescaped text
	number,			   // DEFAULT 12 / -1.5 / TRUE: value holds the number (TRUE -> 1, FALSE -> 0)
	bit_or_hex,		   // DEFAULT b'0' / 0x1F / X'1F': value holds the literal as written
	current_timestamp, // CURRENT_TIMESTAMP[(n)], NOW([n]), LOCALTIME[STAMP][(n)]: fsp holds n
	expression,		   // anything else, e.g. (uuid()) or CURRENT_DATE: value holds the raw text
};

struct DefaultValue {
	DefaultKind kind = DefaultKind::none;
	std::string value;
	std::optional<int> fsp; // only for current_timestamp with an explicit precision
	std::string raw;		// the clause's value exactly as written
	std::string introducer; // charset introducer of a string literal (_utf8mb4'x' -> "utf8mb4")
};

enum class ReferentialAction { unspecified, restrict, cascade, set_null, set_default, no_action };

struct Reference {
	QualifiedName table;
	std::vector<std::string> columns;
	std::string match; // "full", "partial", "simple" or empty
	ReferentialAction on_delete = ReferentialAction::unspecified;
	ReferentialAction on_update = ReferentialAction::unspecified;
};

struct CheckConstraint {
	std::string name;		// CONSTRAINT name, empty when absent
	std::string expression; // raw text inside the parentheses
	std::optional<bool> enforced;
};

struct Column {
	std::string name;
	std::string type; // canonical lower-case type name: int, varchar, decimal, double, enum, ...
	std::optional<std::uint64_t> length; // char/binary/text/blob/bit/year length, integer display width
	std::optional<int> precision;		 // decimal/float/double M
	std::optional<int> scale;			 // decimal/float/double D
	std::optional<int> fsp;				 // time/datetime/timestamp fractional seconds precision
	bool is_unsigned = false;
	bool zerofill = false;
	bool declared_boolean = false;	 // declared BOOL/BOOLEAN (stored as tinyint(1))
	bool declared_serial = false;	 // declared SERIAL (bigint unsigned not null auto_increment unique)
	bool binary = false;			 // BINARY attribute of a character type (binary collation)
	std::string charset;			 // lower-case; "utf8mb3" for NATIONAL/NCHAR types
	std::string collation;			 // lower-case
	std::vector<std::string> values; // enum/set values, unescaped
	std::optional<bool> nullable;	 // unset: not said; true: NULL; false: NOT NULL
	DefaultValue default_value;
	DefaultValue on_update; // kind none or current_timestamp
	bool auto_increment = false;
	std::optional<std::string> comment;
	std::optional<std::string> generated_expression; // raw text of AS (expr)
	bool stored = false;							 // STORED / PERSISTENT generated column
	bool primary_key = false;						 // inline PRIMARY KEY or KEY
	bool unique_key = false;						 // inline UNIQUE [KEY] (and SERIAL)
	std::optional<Reference> references;
	std::vector<CheckConstraint> checks;
	std::optional<bool> invisible; // unset: not said; INVISIBLE / VISIBLE
	std::optional<std::uint32_t> srid;
	std::string column_type; // information_schema.COLUMNS.COLUMN_TYPE, MySQL 5.7 / MariaDB style
};

struct KeyPart {
	std::string column;							// empty for a functional key part
	std::optional<std::uint64_t> prefix_length; // col(10)
	std::string expression;						// raw text of a functional key part ((expr))
	bool descending = false;
};

enum class KeyKind { primary, unique, index, fulltext, spatial, foreign, check };

struct Key {
	KeyKind kind = KeyKind::index;
	std::string constraint_name; // CONSTRAINT name, empty when absent
	std::string name;			 // index name, empty when absent
	std::vector<KeyPart> parts;
	std::string using_method; // "btree", "hash", "rtree" or empty
	std::optional<std::string> comment;
	bool invisible = false;
	std::optional<Reference> references;  // foreign keys
	std::optional<CheckConstraint> check; // check constraints
};

struct TableOption {
	std::string name;  // lower-case, canonical: "engine", "character set", "collate", "auto_increment", ...
	std::string value; // unquoted; "default" for CHARACTER SET DEFAULT
};

struct CreateTable {
	QualifiedName table;
	bool temporary = false;
	bool if_not_exists = false;
	bool or_replace = false; // MariaDB CREATE OR REPLACE TABLE
	std::vector<Column> columns;
	std::vector<Key> keys;
	std::vector<TableOption> options;
	std::string partitioning;		   // raw text from PARTITION BY to its end
	std::optional<QualifiedName> like; // CREATE TABLE t LIKE other
	std::string select;				   // raw text of the query of CREATE TABLE ... [AS] SELECT
};

struct DropTable {
	bool temporary = false;
	bool if_exists = false;
	std::vector<QualifiedName> tables;
};

struct TruncateTable {
	QualifiedName table;
};

struct TableRename {
	QualifiedName from;
	QualifiedName to;
};

struct RenameTable {
	std::vector<TableRename> renames;
};

struct ColumnPosition {
	bool first = false;
	std::string after; // AFTER column, empty when absent
};

struct AddColumn {
	Column column;
	ColumnPosition position;
	bool if_not_exists = false;
};

struct DropColumn {
	std::string name;
	bool if_exists = false;
};

// CHANGE old new_definition, or MODIFY definition (then old_name == column.name).
struct ChangeColumn {
	std::string old_name;
	Column column;
	ColumnPosition position;
	bool is_modify = false;
	bool if_exists = false;
};

struct RenameColumn {
	std::string old_name;
	std::string new_name;
};

// ALTER COLUMN c SET DEFAULT v (default_value.kind != none) or DROP DEFAULT (kind == none).
struct AlterColumnDefault {
	std::string column;
	DefaultValue default_value;
};

struct AlterColumnVisibility {
	std::string column;
	bool invisible = false;
};

struct AddKey {
	Key key;
	bool if_not_exists = false;
};

enum class DropKeyKind { primary, index, foreign, check, constraint };

struct DropKey {
	DropKeyKind kind = DropKeyKind::index;
	std::string name; // empty for PRIMARY KEY
	bool if_exists = false;
};

struct RenameKey {
	std::string old_name;
	std::string new_name;
};

struct AlterKeyVisibility {
	std::string name;
	bool invisible = false;
};

// ALTER CHECK|CONSTRAINT name [NOT] ENFORCED
struct AlterCheckEnforcement {
	std::string name;
	bool enforced = true;
};

struct RenameTo {
	QualifiedName new_name;
};

struct ConvertCharset {
	std::string charset; // lower-case; "default" for CONVERT TO CHARACTER SET DEFAULT
	std::string collation;
};

// Table options given to ALTER TABLE (ENGINE=, [DEFAULT] CHARACTER SET, COMMENT=, AUTO_INCREMENT=, ...).
struct SetTableOptions {
	std::vector<TableOption> options;
};

// Clauses that change how the ALTER runs, not the table: ALGORITHM, LOCK, FORCE,
// WITH/WITHOUT VALIDATION, DISCARD/IMPORT TABLESPACE.
struct AlterOption {
	std::string name;  // lower-case
	std::string value; // lower-case, empty when the clause has no value
};

struct OrderBy {
	std::string raw; // raw text after ORDER BY
};

// ADD/DROP/TRUNCATE/COALESCE/REORGANIZE/EXCHANGE/ANALYZE/CHECK/OPTIMIZE/REBUILD/REPAIR/DISCARD/IMPORT
// PARTITION, REMOVE/UPGRADE PARTITIONING and PARTITION BY: always the last clause of an ALTER TABLE.
struct PartitionMaintenance {
	std::string operation; // lower-case, e.g. "add partition", "remove partitioning", "partition by"
	std::string raw;	   // raw text of the whole clause
};

struct ToggleKeys {
	bool enable = false; // ENABLE KEYS / DISABLE KEYS
};

using AlterCommand =
	std::variant<AddColumn, DropColumn, ChangeColumn, RenameColumn, AlterColumnDefault, AlterColumnVisibility,
				 AddKey, DropKey, RenameKey, AlterKeyVisibility, AlterCheckEnforcement, RenameTo,
				 ConvertCharset, SetTableOptions, AlterOption, OrderBy, PartitionMaintenance, ToggleKeys>;

struct AlterTable {
	QualifiedName table;
	bool if_exists = false; // MariaDB ALTER TABLE IF EXISTS
	bool online = false;
	bool ignore = false;
	std::vector<AlterCommand> commands;
};

struct CreateIndex {
	QualifiedName table;
	Key key; // kind index, unique, fulltext or spatial
	bool if_not_exists = false;
	bool or_replace = false;
	std::vector<AlterOption> options; // ALGORITHM=, LOCK=
};

struct DropIndex {
	QualifiedName table;
	std::string name;
	bool if_exists = false;
	std::vector<AlterOption> options;
};

// A valid statement that is not a table DDL this parser handles (CREATE VIEW, GRANT, SET, BEGIN, ...):
// the caller ignores it. Table DDL that cannot be parsed raises ParseError instead.
struct Unsupported {
	std::string reason;
};

using Statement = std::variant<CreateTable, DropTable, TruncateTable, RenameTable, AlterTable, CreateIndex,
							   DropIndex, Unsupported>;

} // namespace chameleon::ddl
