// A table of a PostgreSQL source (type: pgsql) as its catalogue describes it, and the statements
// that re-create it in the destination database: columns with their types (enum types carried
// over, domains as their base type), defaults, identities, stored generated columns, comments,
// key and check constraints, indexes and foreign keys. Pure C++: the reading is in catalog_reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chameleon::pgsql {

struct SourceEnum {
	std::string schema; // the source schema of the type
	std::string name;
	std::vector<std::string> labels; // in sort order
	std::string destination_name;	 // its name in the destination schema
};

struct SourceColumn {
	std::string name;
	std::string type;		 // format_type with qualified names; for an enum, unused
	int enum_index = -1;	 // index in the enum list when the type (or its element) is an enum
	bool enum_array = false; // the type is an array of that enum
	bool not_null = false;
	std::optional<std::string> default_expression; // none for identity and generated columns
	bool identity = false;						   // identity column, or serial (owned sequence)
	std::string generated;						   // expression of a stored generated column
	std::string comment;
};

struct SourceConstraint {
	std::string name;
	std::string definition; // pg_get_constraintdef: PRIMARY KEY (...), UNIQUE (...), CHECK (...), EXCLUDE ...
};

struct SourceForeignKey {
	std::string name;
	std::vector<std::string> columns;
	std::string referenced_schema, referenced_table; // source names
	std::vector<std::string> referenced_columns;
	std::string on_update, on_delete; // NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT
	bool match_full = false;
	bool deferrable = false, initially_deferred = false;
};

struct SourceTable {
	std::string schema, name;
	std::string qualified_name; // as the source's quote_ident writes it: schema.name, quoted when needed
	bool partitioned = false;	// rows are read from the partitions too; the copy is one table
	std::string comment;
	std::vector<SourceColumn> columns;
	std::vector<SourceConstraint> constraints; // primary key first
	std::vector<std::string> indexes;		   // pg_get_indexdef with qualified names
	std::vector<SourceForeignKey> foreign_keys;
	int64_t estimated_rows = 0, estimated_bytes = 0;
};

// The elements of a text[] as PostgreSQL prints it: {a,"b c","d\\"e"}.
std::vector<std::string> parse_text_array(const std::string &array);

// CREATE TABLE schema.table with the columns, then COMMENT statements. enums: the source's enum
// types, created in `schema` under their destination names.
std::vector<std::string> create_table_statements(const SourceTable &table, const std::string &schema,
												 const std::vector<SourceEnum> &enums);

// CREATE TYPE schema.name AS ENUM (...).
std::string create_enum_statement(const SourceEnum &type, const std::string &schema);

// Statements run after the rows are loaded: constraints (primary key first), then indexes.
// Throws chameleon::Error when an index definition does not name its source table as expected.
std::vector<std::string> index_statements(const SourceTable &table, const std::string &schema);

// ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, in the destination schemas.
std::string foreign_key_statement(const SourceTable &table, const SourceForeignKey &key,
								  const std::string &schema, const std::string &referenced_schema);

// The columns COPY reads and writes: every column but the generated ones.
std::vector<std::string> copied_columns(const SourceTable &table);

// COPY (SELECT ...) TO STDOUT for the source side (ONLY for a plain table, so that inheritance
// children are not copied twice).
std::string copy_out_statement(const SourceTable &table);

} // namespace chameleon::pgsql
