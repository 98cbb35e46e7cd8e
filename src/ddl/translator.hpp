// Translation of one parsed MySQL table DDL statement (ast.hpp) into the PostgreSQL statements and
// table layout changes the replay applies in its transaction. See the notes on Translation for what
// the replay worker must do with the result.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/table_layout.hpp"
#include "core/type_map.hpp"
#include "ddl/ast.hpp"
#include "ddl/parser.hpp"
#include "ddl/row_effect.hpp"

namespace chameleon::ddl {

struct TableRef {
	std::string schema; // MySQL origin schema
	std::string table;	// MySQL table
	bool operator==(const TableRef &other) const { return schema == other.schema && table == other.table; }
};

struct LayoutChange {
	enum class Kind {
		create,	 // a new replicated table: layout holds it
		replace, // same table, new layout
		drop,	 // table no longer replicated (dropped, or moved out of the mapped schemas)
		rename,	 // table (old name) now has layout (whose names are the new ones)
	};
	Kind kind = Kind::create;
	TableRef table; // the name before the change
	std::optional<core::TableLayout> layout;
};

// A statement that cannot be mirrored: the tables to disable (or re-copy) and why.
struct TableError {
	std::vector<TableRef> tables;
	std::string message;
	std::string hint;
};

// A table whose existing rows only MySQL can tell after the statement (doc/ddl.md): the replay
// applies the statement and copies the table again; reason names the statement kind.
struct Recopy {
	TableRef table; // the name after the statement
	std::string reason;
};

// The result for one statement. When error is set, statements and layout_changes are empty.
//
// Rules for the replay worker:
//  - Run statements in order, then store layout_changes in order, in the same transaction.
//  - Bind row values by column name through the layout, never by position: PostgreSQL appends added
//    columns while the layout keeps MySQL's order (ADD COLUMN ... FIRST/AFTER, CHANGE ... AFTER).
//  - commit_after: the statements added enum labels (ALTER TYPE ... ADD VALUE). PostgreSQL accepts
//    that in a transaction block but rejects any use of the new labels until the transaction commits,
//    so the worker commits right after this statement, before applying further row events.
//  - needs_copy: tables that entered replication without their rows in PostgreSQL: a table renamed
//    into the mapping from a table that was not replicated (gh-ost's "_t_gho TO t" when _t_gho is
//    outside limit_tables), or a keyless table that got a usable key. The translator has created
//    nothing for the renamed-in ones (it does not know their columns); the caller copies them (as
//    init does) and ignores their row events until then.
//  - recopy: tables whose existing rows MySQL changed in a way PostgreSQL cannot reproduce (values
//    computed per row, conversions that differ, a statement it cannot classify): the caller applies
//    the statements and copies those tables again, as sync_tables does.
//  - A layout whose key is empty is not replicable: row events of such a table are skipped.
struct Translation {
	std::vector<std::string> statements;
	std::vector<LayoutChange> layout_changes;
	std::vector<std::string> notices;
	std::optional<TableError> error;
	std::vector<TableRef> needs_copy;
	std::vector<Recopy> recopy;
	bool commit_after = false;
	bool ignored = false; // not about a replicated table (or a table entering replication)
};

struct TranslatorContext {
	std::map<std::string, std::string> schema_mappings; // origin MySQL schema -> PostgreSQL schema
	std::vector<core::TypeOverride> type_overrides;
	bool postgis_available = false;
	core::ZeroDates zero_dates = core::ZeroDates::ToNull;
	ColumnTypeStyle column_type_style = ColumnTypeStyle::legacy; // how the source shows COLUMN_TYPE
	// The current layout of a replicated table (origin schema, table), nullopt when not replicated.
	std::function<std::optional<core::TableLayout>(const std::string &, const std::string &)> layout;
	// Whether (origin schema, table) is inside the mapping and the filters (core::TableFilter).
	std::function<bool(const std::string &, const std::string &)> replicates;
};

// Name of a PostgreSQL index or constraint mirroring MySQL index (or CHECK) mysql_name of table:
// "<table>_<name>", with an "_<8 hex>" hash suffix when the name contains '_' or for a CHECK (so that
// names cannot collide) or when longer than 63 bytes (cut first). The primary key's MySQL name is
// PRIMARY, and its constraint is "<table>_pkey". Objects are renamed when their table or MySQL index is
// renamed, so the name always derives from the current names.
std::string pg_index_name(const std::string &table, const std::string &mysql_name, bool check);

// The column of a layout for a MySQL column and its mapping.
core::LayoutColumn layout_column(const core::MysqlColumn &mysql, const core::PgColumnType &pg);

// Statements creating a table from its layout: `create` makes its enum types and the table with
// its checks (and its primary key unless keys_after_data), `indexes` its other indexes (and then
// its primary key), `comments` the table and column comments. An initial copy runs `indexes`
// after loading the rows; pg holds the mapped columns, for defaults and comments.
struct TableDefinition {
	std::vector<std::string> create;
	std::vector<std::string> indexes;
	std::vector<std::string> comments;
};
TableDefinition table_definition(const core::TableLayout &layout, const std::vector<core::PgColumnType> &pg,
								 const std::string &table_comment, bool keys_after_data);

class Translator {
  public:
	explicit Translator(TranslatorContext context) : context_(std::move(context)) {}

	// default_database: the QUERY event's database, used for names without a schema. when: the
	// statement's time and session time zone, for the values of NOW() and the like in existing rows;
	// without it such a statement re-copies its table.
	Translation translate(const Statement &statement, const std::string &default_database,
						  const std::optional<StatementTime> &when = std::nullopt) const;

  private:
	TranslatorContext context_;
};

} // namespace chameleon::ddl
