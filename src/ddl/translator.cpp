// MySQL table DDL -> PostgreSQL statements and table layout changes (see translator.hpp).
#include "ddl/translator.hpp"

#include <algorithm>
#include <cstdio>

#include "common/error.hpp"
#include "core/sql_quote.hpp"
#include "ddl/lexer.hpp"

namespace chameleon::ddl {

using core::IndexKind;
using core::LayoutColumn;
using core::LayoutIndex;
using core::quote_ident;
using core::quote_literal;
using core::TableLayout;

namespace {

constexpr std::size_t max_identifier = 63;

// A statement part that cannot be mirrored for the table being translated.
struct Untranslatable {
	std::string message;
	std::string hint;
};

std::string
lower(std::string_view text) {
	std::string out(text);
	for (char &c : out)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return out;
}

bool
same_name(std::string_view a, std::string_view b) {
	return lower(a) == lower(b);
}

std::string
qualified(const std::string &schema, const std::string &name) {
	return quote_ident(schema) + "." + quote_ident(name);
}

std::string
table_sql(const TableLayout &layout) {
	return qualified(layout.destination_schema, layout.destination_table);
}

std::string
alter_sql(const TableLayout &layout) {
	return "ALTER TABLE " + table_sql(layout) + " ";
}

std::string
label_list(const std::vector<std::string> &labels) {
	std::string out;
	for (const std::string &label : labels)
		out += (out.empty() ? "" : ", ") + quote_literal(label);
	return out;
}

// MySQL's DEFAULT clause in the form core::MysqlColumn holds it.
void
set_default(core::MysqlColumn &m, const DefaultValue &d) {
	m.default_value.reset();
	m.default_is_expression = false;
	switch (d.kind) {
	case DefaultKind::none:
		return;
	case DefaultKind::null:
		m.default_value = "NULL";
		m.default_is_expression = true;
		return;
	case DefaultKind::string:
	case DefaultKind::number:
		m.default_value = d.value;
		return;
	case DefaultKind::bit_or_hex:
		m.default_value = d.value;
		m.default_is_expression = true;
		return;
	case DefaultKind::current_timestamp:
		m.default_value = "CURRENT_TIMESTAMP";
		m.default_is_expression = true;
		return;
	case DefaultKind::expression:
		m.default_value = d.raw.empty() ? d.value : d.raw;
		m.default_is_expression = true;
		return;
	}
}

class Session {
  public:
	Session(const TranslatorContext &context, const std::string &default_database)
		: ctx_(context), default_database_(default_database) {}

	Translation run(const Statement &statement) {
		std::visit([this](const auto &s) { handle(s); }, statement);
		out_.ignored = out_.statements.empty() && out_.layout_changes.empty() && out_.needs_copy.empty() &&
					   !out_.error && out_.notices.empty();
		return std::move(out_);
	}

  private:
	// ---- names and state ----------------------------------------------------------------------------

	TableRef resolve(const QualifiedName &name) const {
		return {name.schema.empty() ? default_database_ : name.schema, name.name};
	}

	std::optional<std::string> destination(const std::string &schema) const {
		auto it = ctx_.schema_mappings.find(schema);
		if (it == ctx_.schema_mappings.end())
			return std::nullopt;
		return it->second;
	}

	// The layout as earlier parts of this statement left it.
	std::optional<TableLayout> lookup(const TableRef &ref) const {
		auto it = pending_.find({ref.schema, ref.table});
		if (it != pending_.end())
			return it->second;
		if (!destination(ref.schema) || !ctx_.layout)
			return std::nullopt;
		return ctx_.layout(ref.schema, ref.table);
	}

	bool replicates(const TableRef &ref) const {
		return destination(ref.schema) && (!ctx_.replicates || ctx_.replicates(ref.schema, ref.table));
	}

	void record(LayoutChange::Kind kind, const TableRef &old, std::optional<TableLayout> layout) {
		pending_[{old.schema, old.table}] = kind == LayoutChange::Kind::replace ? layout : std::nullopt;
		if (layout)
			pending_[{layout->origin_schema, layout->table}] = layout;
		out_.layout_changes.push_back({kind, old, std::move(layout)});
	}

	void notice(const TableLayout &layout, const std::string &text) {
		out_.notices.push_back(layout.origin_schema + "." + layout.table + ": " + text);
	}

	void fail(const TableRef &table, const Untranslatable &why) {
		out_ = Translation{};
		out_.error = TableError{{table}, why.message, why.hint};
	}

	core::MapContext map_context(const TableLayout &layout) const {
		core::MapContext m;
		m.origin_schema = layout.origin_schema;
		m.table = layout.table;
		m.destination_schema = layout.destination_schema;
		m.type_overrides = ctx_.type_overrides;
		m.postgis_available = ctx_.postgis_available;
		m.zero_dates = ctx_.zero_dates;
		return m;
	}

	core::MysqlColumn to_mysql(const Column &c) const {
		core::MysqlColumn m;
		m.name = c.name;
		m.data_type = c.type;
		m.column_type = format_column_type(c, ctx_.column_type_style);
		m.unsigned_ = c.is_unsigned;
		m.enum_values = c.values;
		m.nullable = c.nullable.value_or(true) && !c.primary_key && !c.declared_serial;
		m.auto_increment = c.auto_increment || c.declared_serial;
		set_default(m, c.default_value);
		m.on_update_current_timestamp = c.on_update.kind == DefaultKind::current_timestamp;
		m.declared_boolean = c.declared_boolean;
		m.comment = c.comment.value_or("");
		m.charset = c.charset;
		return m;
	}

	// Maps a column of layout (whose names are current); notices are recorded.
	core::PgColumnType map(const TableLayout &layout, const core::MysqlColumn &m) {
		core::PgColumnType pg;
		try {
			pg = core::map_column(m, map_context(layout));
		} catch (const Error &e) {
			throw Untranslatable{e.what(), e.hint};
		}
		for (const std::string &n : pg.notices)
			notice(layout, n);
		return pg;
	}

	static LayoutColumn layout_column(const core::MysqlColumn &m, const core::PgColumnType &pg) {
		LayoutColumn c;
		c.mysql = m;
		c.pg_type = pg.sql_type;
		c.form = pg.form;
		c.bit_length = pg.bit_length;
		c.enum_type = pg.is_enum ? pg.enum_type_name : "";
		c.nullable = pg.nullable;
		c.identity = pg.identity;
		return c;
	}

	static std::string column_sql(const LayoutColumn &c, const core::PgColumnType &pg) {
		std::string sql = quote_ident(c.mysql.name) + " " + c.pg_type;
		if (c.identity)
			sql += " GENERATED BY DEFAULT AS IDENTITY";
		if (!c.nullable)
			sql += " NOT NULL";
		if (pg.default_sql)
			sql += " DEFAULT " + *pg.default_sql;
		return sql;
	}

	std::string create_type_sql(const TableLayout &layout, const core::PgColumnType &pg) const {
		return "CREATE TYPE " + qualified(layout.destination_schema, pg.enum_type_name) + " AS ENUM (" +
			   label_list(pg.enum_labels) + ")";
	}

	void comment_column(const TableLayout &layout, const std::string &column, const std::string &comment) {
		out_.statements.push_back("COMMENT ON COLUMN " + table_sql(layout) + "." + quote_ident(column) + " IS " +
								  (comment.empty() ? "NULL" : quote_literal(comment)));
	}

	static std::size_t column_index(const TableLayout &layout, const std::string &name) {
		for (std::size_t i = 0; i < layout.columns.size(); ++i)
			if (same_name(layout.columns[i].mysql.name, name))
				return i;
		throw Untranslatable{"column \"" + name + "\" of table \"" + layout.origin_schema + "." + layout.table +
								 "\" is not in the replicated layout",
							 "Re-synchronise the table."};
	}

	// ---- indexes and checks -----------------------------------------------------------------------

	static std::string unused_index_name(const TableLayout &layout, const std::string &base) {
		std::string name = base;
		for (int n = 2; core::find_index(layout, name); ++n)
			name = base + "_" + std::to_string(n);
		return name;
	}

	// CHECK expression in PostgreSQL, when made only of the table's columns, literals, comparisons,
	// arithmetic and AND/OR/NOT/IS/NULL/IN/BETWEEN.
	static std::optional<std::string> check_sql(const std::string &expression, const TableLayout &layout) {
		std::vector<Token> tokens;
		try {
			tokens = tokenize(expression);
		} catch (const ParseError &) {
			return std::nullopt;
		}
		static const char *const keywords[] = {"and", "or", "not", "is", "null", "in", "between", "true", "false"};
		static const char *const operators[] = {"(", ")", ",", "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/"};
		std::string out;
		for (std::size_t i = 0; i < tokens.size() && tokens[i].kind != TokenKind::end; ++i) {
			const Token &t = tokens[i];
			std::string piece;
			bool call = i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::punctuation && tokens[i + 1].text == "(";
			std::string word = lower(t.text);
			switch (t.kind) {
			case TokenKind::word:
				if (std::any_of(std::begin(keywords), std::end(keywords), [&](const char *k) { return word == k; })) {
					piece = t.text;
					for (char &c : piece)
						if (c >= 'a' && c <= 'z')
							c = static_cast<char>(c - 'a' + 'A');
					break;
				}
				[[fallthrough]];
			case TokenKind::quoted_identifier: {
				const LayoutColumn *c = core::find_column(layout, t.text);
				if (!c || call)
					return std::nullopt;
				piece = quote_ident(c->mysql.name);
				break;
			}
			case TokenKind::string:
				if (!t.introducer.empty())
					return std::nullopt;
				piece = quote_literal(t.text);
				break;
			case TokenKind::number:
				piece = t.text;
				break;
			case TokenKind::punctuation:
				if (!std::any_of(std::begin(operators), std::end(operators), [&](const char *o) { return t.text == o; }))
					return std::nullopt;
				piece = t.text == "!=" ? "<>" : t.text;
				break;
			default:
				return std::nullopt;
			}
			out += (out.empty() ? "" : " ") + piece;
		}
		if (out.empty())
			return std::nullopt;
		return out;
	}

	// The layout entry for a MySQL key (nullopt for a foreign key, which is not created).
	std::optional<LayoutIndex> make_index(const TableLayout &layout, const Key &key) {
		LayoutIndex index;
		if (key.kind == KeyKind::foreign) {
			notice(layout, "foreign key " + (key.constraint_name.empty() ? key.name : key.constraint_name) +
							   " not created during replication (foreign keys are created at detach)");
			return std::nullopt;
		}
		if (key.kind == KeyKind::check) {
			const CheckConstraint &check = *key.check;
			index.kind = IndexKind::check;
			index.mysql_name = !check.name.empty() ? check.name : key.constraint_name;
			if (index.mysql_name.empty())
				index.mysql_name = unused_index_name(layout, layout.table + "_chk_1");
			std::optional<std::string> sql = check_sql(check.expression, layout);
			if (check.enforced == false)
				notice(layout, "CHECK " + index.mysql_name + " is NOT ENFORCED: not created");
			else if (!sql)
				notice(layout, "CHECK " + index.mysql_name + " (" + check.expression +
								   ") not created: only simple expressions are translated");
			else
				index.pg_name = pg_index_name(layout.table, index.mysql_name, true);
			index.check_expression = sql.value_or("");
			return index;
		}
		index.kind = key.kind == KeyKind::primary  ? IndexKind::primary
					 : key.kind == KeyKind::unique ? IndexKind::unique
												   : IndexKind::index;
		bool prefix = false;
		for (const KeyPart &part : key.parts) {
			if (part.column.empty()) {
				index.functional = true;
				continue;
			}
			index.columns.push_back(layout.columns[column_index(layout, part.column)].mysql.name);
			index.descending.push_back(part.descending);
			prefix = prefix || part.prefix_length.has_value();
		}
		if (key.kind == KeyKind::primary)
			index.mysql_name = "PRIMARY";
		else {
			index.mysql_name = !key.name.empty() ? key.name : key.constraint_name;
			if (index.mysql_name.empty())
				index.mysql_name = unused_index_name(layout, index.columns.empty() ? "functional_index" : index.columns[0]);
		}
		const char *why = key.kind == KeyKind::fulltext  ? "FULLTEXT indexes are not translated"
						  : key.kind == KeyKind::spatial ? "SPATIAL indexes are not translated"
						  : index.functional			 ? "functional key parts are not translated"
						  : prefix && index.kind != IndexKind::primary
							  ? "prefix key parts are not translated"
							  : nullptr;
		if (why) {
			notice(layout, "index " + index.mysql_name + " not created: " + why);
			if (index.kind != IndexKind::unique || index.functional)
				index.kind = IndexKind::skipped;
			return index;
		}
		if (prefix)
			notice(layout, "primary key on column prefixes created on the whole columns");
		index.pg_name = pg_index_name(layout.table, index.mysql_name, false);
		return index;
	}

	static std::string column_list(const LayoutIndex &index, bool with_order) {
		std::string out;
		for (std::size_t i = 0; i < index.columns.size(); ++i)
			out += (i ? ", " : "") + quote_ident(index.columns[i]) +
				   (with_order && index.descending[i] ? " DESC" : "");
		return out;
	}

	// The statement creating the PostgreSQL object of index (which has a pg_name).
	static std::string create_index_sql(const TableLayout &layout, const LayoutIndex &index) {
		switch (index.kind) {
		case IndexKind::primary:
			return alter_sql(layout) + "ADD CONSTRAINT " + quote_ident(index.pg_name) + " PRIMARY KEY (" +
				   column_list(index, false) + ")";
		case IndexKind::check:
			return alter_sql(layout) + "ADD CONSTRAINT " + quote_ident(index.pg_name) + " CHECK (" +
				   index.check_expression + ")";
		default:
			return std::string(index.kind == IndexKind::unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
				   quote_ident(index.pg_name) + " ON " + table_sql(layout) + " (" + column_list(index, true) + ")";
		}
	}

	static std::string drop_index_sql(const TableLayout &layout, const LayoutIndex &index) {
		if (index.kind == IndexKind::primary)
			return alter_sql(layout) + "DROP CONSTRAINT " + quote_ident(index.pg_name);
		if (index.kind == IndexKind::check) // PostgreSQL drops a check with the columns it uses
			return alter_sql(layout) + "DROP CONSTRAINT IF EXISTS " + quote_ident(index.pg_name);
		return "DROP INDEX " + qualified(layout.destination_schema, index.pg_name);
	}

	// emit false: the caller creates the index itself (CREATE TABLE).
	void add_index(TableLayout &layout, const LayoutIndex &index, bool emit = true) {
		if (emit && !index.pg_name.empty())
			out_.statements.push_back(create_index_sql(layout, index));
		if (index.kind == IndexKind::primary) {
			for (const std::string &name : index.columns) { // MySQL makes key columns NOT NULL
				LayoutColumn &c = layout.columns[column_index(layout, name)];
				c.mysql.nullable = false;
				c.nullable = false;
			}
			layout.indexes.insert(layout.indexes.begin(), index);
		} else
			layout.indexes.push_back(index);
	}

	void add_key(TableLayout &layout, const Key &key, bool if_not_exists) {
		std::string name = key.kind == KeyKind::primary ? "PRIMARY" : key.name;
		if (!name.empty() && core::find_index(layout, name)) {
			if (if_not_exists) {
				notice(layout, "index " + name + " already exists");
				return;
			}
			throw Untranslatable{"index \"" + name + "\" already exists in the replicated layout",
								 "Re-synchronise the table."};
		}
		if (std::optional<LayoutIndex> index = make_index(layout, key))
			add_index(layout, *index);
	}

	void drop_key(TableLayout &layout, const std::string &mysql_name, bool if_exists) {
		auto it = std::find_if(layout.indexes.begin(), layout.indexes.end(),
							   [&](const LayoutIndex &i) { return same_name(i.mysql_name, mysql_name); });
		if (it == layout.indexes.end()) {
			notice(layout, "index or constraint " + mysql_name + (if_exists ? " does not exist" : " is not replicated") +
							   ": nothing to drop");
			return;
		}
		if (!it->pg_name.empty())
			out_.statements.push_back(drop_index_sql(layout, *it));
		layout.indexes.erase(it);
	}

	// ---- CREATE TABLE -----------------------------------------------------------------------------

	// Statements creating the table of layout, its enum types, indexes and comments. pg holds the
	// mapped columns (for defaults and comments); table_comment may be empty.
	void create_table(const TableLayout &layout, const std::vector<core::PgColumnType> &pg,
					  const std::string &table_comment) {
		for (std::size_t i = 0; i < pg.size(); ++i)
			if (pg[i].is_enum)
				out_.statements.push_back(create_type_sql(layout, pg[i]));
		std::string sql = "CREATE TABLE " + table_sql(layout) + " (";
		for (std::size_t i = 0; i < pg.size(); ++i)
			sql += (i ? ", " : "") + column_sql(layout.columns[i], pg[i]);
		for (const LayoutIndex &index : layout.indexes) {
			if (index.pg_name.empty())
				continue;
			if (index.kind == IndexKind::primary)
				sql += ", CONSTRAINT " + quote_ident(index.pg_name) + " PRIMARY KEY (" + column_list(index, false) + ")";
			else if (index.kind == IndexKind::check)
				sql += ", CONSTRAINT " + quote_ident(index.pg_name) + " CHECK (" + index.check_expression + ")";
		}
		out_.statements.push_back(sql + ")");
		for (const LayoutIndex &index : layout.indexes)
			if (!index.pg_name.empty() && (index.kind == IndexKind::unique || index.kind == IndexKind::index))
				out_.statements.push_back(create_index_sql(layout, index));
		if (!table_comment.empty())
			out_.statements.push_back("COMMENT ON TABLE " + table_sql(layout) + " IS " + quote_literal(table_comment));
		for (std::size_t i = 0; i < pg.size(); ++i)
			if (!pg[i].comment.empty())
				comment_column(layout, layout.columns[i].mysql.name, pg[i].comment);
	}

	static std::string option(const std::vector<TableOption> &options, const char *name) {
		for (const TableOption &o : options)
			if (o.name == name)
				return o.value;
		return {};
	}

	TableLayout empty_layout(const TableRef &ref) const {
		TableLayout layout;
		layout.origin_schema = ref.schema;
		layout.table = ref.table;
		layout.destination_schema = *destination(ref.schema);
		layout.destination_table = ref.table;
		return layout;
	}

	void drop_table(const TableLayout &layout) {
		out_.statements.push_back("DROP TABLE IF EXISTS " + table_sql(layout));
		for (const std::string &type : core::owned_enum_types(layout))
			out_.statements.push_back("DROP TYPE IF EXISTS " + qualified(layout.destination_schema, type));
	}

	void handle(const CreateTable &s) {
		if (s.temporary)
			return;
		TableRef ref = resolve(s.table);
		if (!replicates(ref))
			return;
		try {
			std::optional<TableLayout> existing = lookup(ref);
			if (existing && s.if_not_exists && !s.or_replace) {
				notice(*existing, "CREATE TABLE IF NOT EXISTS: the table exists, nothing done");
				return;
			}
			if (existing && !s.or_replace)
				throw Untranslatable{"table \"" + ref.schema + "." + ref.table + "\" is already replicated",
									 "Re-synchronise the table."};
			if (!s.select.empty())
				throw Untranslatable{"CREATE TABLE ... SELECT logged as a statement: its rows are not in the binlog",
									 "Use binlog_format=ROW (MySQL then logs the CREATE TABLE with its columns and "
									 "the rows), and re-synchronise the table."};
			TableLayout layout = empty_layout(ref);
			std::vector<core::PgColumnType> pg;
			std::string comment = option(s.options, "comment");
			if (s.like) {
				TableRef source = resolve(*s.like);
				std::optional<TableLayout> from = lookup(source);
				if (!from)
					throw Untranslatable{"CREATE TABLE ... LIKE " + source.schema + "." + source.table +
											 ": the source table is not replicated, its columns are unknown",
										 "Synchronise the new table from MySQL."};
				for (const LayoutColumn &c : from->columns) {
					pg.push_back(map(layout, c.mysql));
					layout.columns.push_back(layout_column(c.mysql, pg.back()));
				}
				for (LayoutIndex index : from->indexes) {
					if (!index.pg_name.empty())
						index.pg_name = pg_index_name(layout.table, index.mysql_name, index.kind == IndexKind::check);
					layout.indexes.push_back(index);
				}
				comment.clear();
			} else {
				std::vector<Key> keys;
				std::vector<CheckConstraint> checks;
				for (const Column &c : s.columns) {
					if (c.generated_expression)
						notice(layout, "generated column " + c.name +
										   " created as a plain column: its values come from the row events");
					core::MysqlColumn m = to_mysql(c);
					for (const Key &k : s.keys)
						if (k.kind == KeyKind::primary)
							for (const KeyPart &p : k.parts)
								if (same_name(p.column, c.name))
									m.nullable = false;
					pg.push_back(map(layout, m));
					layout.columns.push_back(layout_column(m, pg.back()));
					if (c.primary_key)
						keys.push_back(Key{KeyKind::primary, "", "", {KeyPart{c.name, {}, "", false}}, "", {}, false, {}, {}});
					if (c.unique_key || c.declared_serial)
						keys.push_back(Key{KeyKind::unique, "", "", {KeyPart{c.name, {}, "", false}}, "", {}, false, {}, {}});
					for (const CheckConstraint &check : c.checks)
						checks.push_back(check);
				}
				keys.insert(keys.end(), s.keys.begin(), s.keys.end());
				for (const CheckConstraint &check : checks) {
					Key k;
					k.kind = KeyKind::check;
					k.check = check;
					keys.push_back(k);
				}
				for (const Key &k : keys)
					if (std::optional<LayoutIndex> index = make_index(layout, k))
						add_index(layout, *index, false);
			}
			layout.key = core::choose_key(layout);
			if (layout.key.empty())
				notice(layout, "no primary key nor NOT NULL unique key: row events are not replicated");
			if (existing) {
				drop_table(*existing);
				record(LayoutChange::Kind::drop, ref, std::nullopt);
			}
			create_table(layout, pg, comment);
			record(LayoutChange::Kind::create, ref, layout);
		} catch (const Untranslatable &why) {
			fail(ref, why);
		}
	}

	// ---- DROP, TRUNCATE, RENAME -------------------------------------------------------------------

	void handle(const DropTable &s) {
		if (s.temporary)
			return;
		for (const QualifiedName &name : s.tables) {
			TableRef ref = resolve(name);
			if (std::optional<TableLayout> layout = lookup(ref)) {
				drop_table(*layout);
				record(LayoutChange::Kind::drop, ref, std::nullopt);
			}
		}
	}

	void handle(const TruncateTable &s) {
		if (std::optional<TableLayout> layout = lookup(resolve(s.table)))
			out_.statements.push_back("TRUNCATE TABLE " + table_sql(*layout));
	}

	// Renames layout's table (and the objects whose names derive from it) to target; returns false
	// when target is outside the mapped schemas (the table was then dropped).
	bool rename_table(TableLayout &layout, const TableRef &target) {
		std::optional<std::string> schema = destination(target.schema);
		if (!schema) {
			notice(layout, "renamed to " + target.schema + "." + target.table +
							   ", outside the mapped schemas: dropped from the replica");
			drop_table(layout);
			return false;
		}
		if (*schema != layout.destination_schema) {
			out_.statements.push_back(alter_sql(layout) + "SET SCHEMA " + quote_ident(*schema));
			for (const std::string &type : core::owned_enum_types(layout))
				out_.statements.push_back("ALTER TYPE " + qualified(layout.destination_schema, type) + " SET SCHEMA " +
										  quote_ident(*schema));
			layout.destination_schema = *schema;
		}
		if (target.table != layout.destination_table) {
			out_.statements.push_back(alter_sql(layout) + "RENAME TO " + quote_ident(target.table));
			layout.destination_table = target.table;
		}
		layout.origin_schema = target.schema;
		layout.table = target.table;
		for (LayoutIndex &index : layout.indexes)
			rename_index_object(layout, index, index.mysql_name);
		for (LayoutColumn &c : layout.columns)
			rename_enum_type(layout, c);
		return true;
	}

	// Keeps the PostgreSQL name of index derived from the current table and MySQL index names.
	void rename_index_object(const TableLayout &layout, LayoutIndex &index, const std::string &mysql_name) {
		index.mysql_name = mysql_name;
		if (index.pg_name.empty())
			return;
		std::string name = pg_index_name(layout.table, mysql_name, index.kind == IndexKind::check);
		if (name == index.pg_name)
			return;
		if (index.kind == IndexKind::primary || index.kind == IndexKind::check)
			out_.statements.push_back(alter_sql(layout) + "RENAME CONSTRAINT " + quote_ident(index.pg_name) + " TO " +
									  quote_ident(name));
		else
			out_.statements.push_back("ALTER INDEX " + qualified(layout.destination_schema, index.pg_name) +
									  " RENAME TO " + quote_ident(name));
		index.pg_name = name;
	}

	// Keeps the enum type name of c derived from the current table and column names.
	void rename_enum_type(const TableLayout &layout, LayoutColumn &c) {
		if (!c.enum_type.empty()) {
			std::string name = core::enum_type_name(layout.table, c.mysql.name);
			if (name != c.enum_type)
				out_.statements.push_back("ALTER TYPE " + qualified(layout.destination_schema, c.enum_type) +
										  " RENAME TO " + quote_ident(name));
			c.enum_type = name;
		}
		if (!c.enum_type.empty())
			c.pg_type = qualified(layout.destination_schema, c.enum_type);
	}

	void rename(const TableRef &from, const TableRef &to) {
		std::optional<TableLayout> layout = lookup(from);
		if (!layout) {
			if (replicates(to)) {
				out_.needs_copy.push_back(to);
				out_.notices.push_back(to.schema + "." + to.table + ": renamed from " + from.schema + "." + from.table +
									   ", which is not replicated: the table must be copied");
				pending_[{from.schema, from.table}] = std::nullopt;
			}
			return;
		}
		if (rename_table(*layout, to))
			record(LayoutChange::Kind::rename, from, *layout);
		else
			record(LayoutChange::Kind::drop, from, std::nullopt);
	}

	void handle(const RenameTable &s) {
		for (const TableRename &r : s.renames)
			rename(resolve(r.from), resolve(r.to));
	}

	// ---- ALTER TABLE ------------------------------------------------------------------------------

	static bool is_numeric_type(const std::string &pg_type) {
		static const char *const names[] = {"smallint", "integer", "bigint", "numeric", "real", "double precision"};
		return std::any_of(std::begin(names), std::end(names),
						   [&](const char *n) { return pg_type.compare(0, std::string_view(n).size(), n) == 0; });
	}

	// USING expression converting column name from old's type to new_type.
	static std::string cast_sql(const std::string &name, const LayoutColumn &old, const std::string &new_type,
								bool new_enum) {
		std::string c = quote_ident(name);
		if (!old.enum_type.empty() || new_enum)
			return c + "::text::" + new_type;
		if (new_type == "boolean" && is_numeric_type(old.pg_type))
			return "(" + c + " <> 0)";
		if (old.pg_type == "boolean" && is_numeric_type(new_type))
			return c + "::integer::" + new_type;
		return c + "::" + new_type;
	}

	// The value MySQL gives existing rows for a new NOT NULL column without a default.
	static std::optional<std::string> implicit_default(const core::MysqlColumn &m, const core::PgColumnType &pg) {
		if (pg.is_enum)
			return pg.enum_labels.empty() ? std::nullopt : std::optional<std::string>(quote_literal(pg.enum_labels[0]));
		switch (pg.form) {
		case core::ValueForm::Boolean:
			return "false";
		case core::ValueForm::BitString:
			return "B'" + std::string(static_cast<std::size_t>(pg.bit_length), '0') + "'";
		case core::ValueForm::SetToArray:
			return "'{}'";
		case core::ValueForm::Bytea:
			return "''";
		case core::ValueForm::Json:
			return "'null'";
		case core::ValueForm::Interval:
			return "'00:00:00'";
		case core::ValueForm::AsIs:
			break;
		default:
			return std::nullopt;
		}
		if (pg.overridden)
			return std::nullopt;
		static const char *const numbers[] = {"tinyint", "smallint", "mediumint", "int", "bigint", "decimal",
											  "float",	 "double",	 "year"};
		static const char *const strings[] = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"};
		auto in = [&](const auto &list) {
			return std::any_of(std::begin(list), std::end(list), [&](const char *n) { return m.data_type == n; });
		};
		if (in(numbers))
			return "0";
		if (in(strings))
			return "''";
		return std::nullopt;
	}

	void move_column(TableLayout &layout, std::size_t index, const ColumnPosition &position) {
		if (!position.first && position.after.empty())
			return;
		LayoutColumn c = layout.columns[index];
		layout.columns.erase(layout.columns.begin() + static_cast<std::ptrdiff_t>(index));
		std::size_t at = position.first ? 0 : column_index(layout, position.after) + 1;
		layout.columns.insert(layout.columns.begin() + static_cast<std::ptrdiff_t>(at), c);
	}

	void add_column(TableLayout &layout, const AddColumn &a) {
		const Column &c = a.column;
		if (core::find_column(layout, c.name)) {
			if (a.if_not_exists) {
				notice(layout, "column " + c.name + " already exists");
				return;
			}
			throw Untranslatable{"column \"" + c.name + "\" already exists in the replicated layout",
								 "Re-synchronise the table."};
		}
		if (c.generated_expression)
			notice(layout, "generated column " + c.name + " added as a plain column: its values come from the row events");
		core::MysqlColumn m = to_mysql(c);
		core::PgColumnType pg = map(layout, m);
		LayoutColumn column = layout_column(m, pg);
		if (pg.is_enum)
			out_.statements.push_back(create_type_sql(layout, pg));
		std::optional<std::string> fill;
		if (!column.nullable && !column.identity && !pg.default_sql)
			fill = implicit_default(m, pg);
		core::PgColumnType with_fill = pg;
		if (fill)
			with_fill.default_sql = fill;
		out_.statements.push_back(alter_sql(layout) + "ADD COLUMN " + column_sql(column, with_fill));
		if (fill) // existing rows get MySQL's implicit default; new rows carry their values
			out_.statements.push_back(alter_sql(layout) + "ALTER COLUMN " + quote_ident(c.name) + " DROP DEFAULT");
		if (!pg.comment.empty())
			comment_column(layout, c.name, pg.comment);
		layout.columns.push_back(column);
		move_column(layout, layout.columns.size() - 1, a.position);
		Key key;
		key.parts.push_back(KeyPart{c.name, {}, "", false});
		if (c.primary_key) {
			key.kind = KeyKind::primary;
			add_key(layout, key, false);
		}
		if (c.unique_key || c.declared_serial) {
			key.kind = KeyKind::unique;
			add_key(layout, key, false);
		}
		for (const CheckConstraint &check : c.checks) {
			Key k;
			k.kind = KeyKind::check;
			k.check = check;
			add_key(layout, k, false);
		}
	}

	void drop_column(TableLayout &layout, const DropColumn &d) {
		if (!core::find_column(layout, d.name) && d.if_exists) {
			notice(layout, "column " + d.name + " does not exist");
			return;
		}
		std::size_t at = column_index(layout, d.name);
		LayoutColumn c = layout.columns[at];
		out_.statements.push_back(alter_sql(layout) + "DROP COLUMN " + quote_ident(c.mysql.name));
		if (!c.enum_type.empty())
			out_.statements.push_back("DROP TYPE " + qualified(layout.destination_schema, c.enum_type));
		layout.columns.erase(layout.columns.begin() + static_cast<std::ptrdiff_t>(at));
		// MySQL removes the column from its indexes; PostgreSQL drops them: re-create the rest.
		std::vector<LayoutIndex> kept;
		for (LayoutIndex index : layout.indexes) {
			auto it = std::find(index.columns.begin(), index.columns.end(), c.mysql.name);
			if (it == index.columns.end()) {
				kept.push_back(index);
				continue;
			}
			index.descending.erase(index.descending.begin() + (it - index.columns.begin()));
			index.columns.erase(it);
			if (index.columns.empty() && !index.functional)
				continue;
			if (!index.pg_name.empty())
				out_.statements.push_back(create_index_sql(layout, index));
			kept.push_back(index);
		}
		layout.indexes = kept;
	}

	// enum -> enum; returns true when the type was rebuilt (the column's default is then dropped).
	bool change_enum(TableLayout &layout, LayoutColumn &old, const core::PgColumnType &pg, bool had_default) {
		const std::string name = old.mysql.name; // already renamed
		const std::vector<std::string> &labels = old.mysql.enum_values;
		const std::vector<std::string> &next = pg.enum_labels;
		std::size_t matched = 0;
		for (const std::string &label : next)
			if (matched < labels.size() && label == labels[matched])
				++matched;
		bool only_added = matched == labels.size();
		rename_enum_type(layout, old);
		if (labels == next)
			return false;
		std::string type = qualified(layout.destination_schema, old.enum_type);
		if (only_added) {
			for (std::size_t i = 0; i < next.size(); ++i) {
				if (std::find(labels.begin(), labels.end(), next[i]) != labels.end())
					continue;
				std::string where = i > 0 ? " AFTER " + quote_literal(next[i - 1])
											: " BEFORE " + quote_literal(next[1]);
				out_.statements.push_back("ALTER TYPE " + type + " ADD VALUE IF NOT EXISTS " + quote_literal(next[i]) +
										  (labels.empty() ? "" : where));
			}
			out_.commit_after = true;
			return false;
		}
		// removed or reordered labels: a new type, the column converted through text
		std::string retired = core::enum_type_name(layout.table, name + "~old");
		out_.statements.push_back("ALTER TYPE " + type + " RENAME TO " + quote_ident(retired));
		out_.statements.push_back(create_type_sql(layout, pg));
		if (had_default)
			out_.statements.push_back(alter_sql(layout) + "ALTER COLUMN " + quote_ident(name) + " DROP DEFAULT");
		out_.statements.push_back(alter_sql(layout) + "ALTER COLUMN " + quote_ident(name) + " TYPE " + type +
								  " USING " + quote_ident(name) + "::text::" + type);
		out_.statements.push_back("DROP TYPE " + qualified(layout.destination_schema, retired));
		return true;
	}

	void change_column(TableLayout &layout, const ChangeColumn &ch) {
		if (!core::find_column(layout, ch.old_name) && ch.if_exists) {
			notice(layout, "column " + ch.old_name + " does not exist");
			return;
		}
		std::size_t at = column_index(layout, ch.old_name);
		LayoutColumn &old = layout.columns[at];
		const Column &c = ch.column;
		std::string name = c.name;
		std::string prefix = alter_sql(layout) + "ALTER COLUMN " + quote_ident(name) + " ";
		if (name != old.mysql.name) {
			if (core::find_column(layout, name) && !same_name(name, old.mysql.name))
				throw Untranslatable{"column \"" + name + "\" already exists in the replicated layout",
									 "Re-synchronise the table."};
			out_.statements.push_back(alter_sql(layout) + "RENAME COLUMN " + quote_ident(old.mysql.name) + " TO " +
									  quote_ident(name));
			for (LayoutIndex &index : layout.indexes)
				for (std::string &col : index.columns)
					if (col == old.mysql.name)
						col = name;
			old.mysql.name = name;
		}
		core::MysqlColumn m = to_mysql(c);
		const LayoutIndex *primary = core::find_index(layout, "PRIMARY");
		if (primary && std::find(primary->columns.begin(), primary->columns.end(), name) != primary->columns.end())
			m.nullable = false;
		core::PgColumnType pg = map(layout, m);
		bool had_default = old.mysql.default_value && *old.mysql.default_value != "NULL";
		bool default_changed =
			m.default_value != old.mysql.default_value || m.default_is_expression != old.mysql.default_is_expression;
		bool type_changed = old.pg_type != pg.sql_type || !old.enum_type.empty() || pg.is_enum;
		if (old.identity && !pg.identity)
			out_.statements.push_back(prefix + "DROP IDENTITY IF EXISTS");
		if (!old.enum_type.empty() && pg.is_enum)
			type_changed = change_enum(layout, old, pg, had_default);
		if (had_default && (type_changed || default_changed))
			out_.statements.push_back(prefix + "DROP DEFAULT");
		if (type_changed && old.pg_type != pg.sql_type) {
			if (pg.is_enum)
				out_.statements.push_back(create_type_sql(layout, pg));
			out_.statements.push_back(prefix + "TYPE " + pg.sql_type + " USING " +
									  cast_sql(name, old, pg.sql_type, pg.is_enum));
			if (!old.enum_type.empty())
				out_.statements.push_back("DROP TYPE " + qualified(layout.destination_schema, old.enum_type));
		}
		if (old.nullable != pg.nullable)
			out_.statements.push_back(prefix + (pg.nullable ? "DROP NOT NULL" : "SET NOT NULL"));
		if (!old.identity && pg.identity)
			out_.statements.push_back(prefix + "ADD GENERATED BY DEFAULT AS IDENTITY");
		if (pg.default_sql && (type_changed || default_changed || out_.commit_after)) {
			// a label added in this transaction is usable only through a run-time cast
			std::string value = pg.is_enum && out_.commit_after ? *pg.default_sql + "::text::" + pg.sql_type
																: *pg.default_sql;
			out_.statements.push_back(prefix + "SET DEFAULT " + value);
		}
		if (m.comment != old.mysql.comment)
			comment_column(layout, name, m.comment);
		old = layout_column(m, pg);
		move_column(layout, at, ch.position);
	}

	void rename_column(TableLayout &layout, const RenameColumn &r) {
		LayoutColumn &old = layout.columns[column_index(layout, r.old_name)];
		out_.statements.push_back(alter_sql(layout) + "RENAME COLUMN " + quote_ident(old.mysql.name) + " TO " +
								  quote_ident(r.new_name));
		for (LayoutIndex &index : layout.indexes)
			for (std::string &col : index.columns)
				if (col == old.mysql.name)
					col = r.new_name;
		old.mysql.name = r.new_name;
		rename_enum_type(layout, old);
	}

	void alter_default(TableLayout &layout, const AlterColumnDefault &a) {
		LayoutColumn &c = layout.columns[column_index(layout, a.column)];
		std::string prefix = alter_sql(layout) + "ALTER COLUMN " + quote_ident(c.mysql.name) + " ";
		set_default(c.mysql, a.default_value);
		core::PgColumnType pg = map(layout, c.mysql);
		out_.statements.push_back(prefix + (pg.default_sql ? "SET DEFAULT " + *pg.default_sql : "DROP DEFAULT"));
	}

	void partition(const TableLayout &layout, const PartitionMaintenance &p) {
		static const char *const data_changing[] = {"truncate partition", "drop partition", "exchange partition",
													"discard partition", "import partition"};
		if (std::any_of(std::begin(data_changing), std::end(data_changing),
						[&](const char *op) { return p.operation == op; }))
			throw Untranslatable{"ALTER TABLE " + layout.origin_schema + "." + layout.table + " " + p.operation +
									 " changes rows without row events: it cannot be mirrored",
								 "Re-synchronise the table."};
	}

	// Returns false when the table left the replica (renamed out of the mapped schemas).
	bool alter_command(TableLayout &layout, const AlterCommand &command) {
		if (auto *a = std::get_if<AddColumn>(&command))
			add_column(layout, *a);
		else if (auto *d = std::get_if<DropColumn>(&command))
			drop_column(layout, *d);
		else if (auto *ch = std::get_if<ChangeColumn>(&command))
			change_column(layout, *ch);
		else if (auto *r = std::get_if<RenameColumn>(&command))
			rename_column(layout, *r);
		else if (auto *def = std::get_if<AlterColumnDefault>(&command))
			alter_default(layout, *def);
		else if (auto *k = std::get_if<AddKey>(&command))
			add_key(layout, k->key, k->if_not_exists);
		else if (auto *dk = std::get_if<DropKey>(&command)) {
			if (dk->kind == DropKeyKind::foreign)
				notice(layout, "DROP FOREIGN KEY " + dk->name + " ignored (foreign keys are created at detach)");
			else
				drop_key(layout, dk->kind == DropKeyKind::primary ? "PRIMARY" : dk->name, dk->if_exists);
		} else if (auto *rk = std::get_if<RenameKey>(&command)) {
			auto it = std::find_if(layout.indexes.begin(), layout.indexes.end(),
								   [&](const LayoutIndex &i) { return same_name(i.mysql_name, rk->old_name); });
			if (it == layout.indexes.end())
				notice(layout, "index " + rk->old_name + " is not replicated: nothing to rename");
			else
				rename_index_object(layout, *it, rk->new_name);
		} else if (auto *e = std::get_if<AlterCheckEnforcement>(&command)) {
			auto it = std::find_if(layout.indexes.begin(), layout.indexes.end(),
								   [&](const LayoutIndex &i) { return same_name(i.mysql_name, e->name); });
			if (it == layout.indexes.end() || it->kind != IndexKind::check || it->check_expression.empty())
				notice(layout, "constraint " + e->name + " is not replicated: enforcement unchanged");
			else if (!e->enforced && !it->pg_name.empty()) {
				out_.statements.push_back(drop_index_sql(layout, *it));
				it->pg_name.clear();
			} else if (e->enforced && it->pg_name.empty()) {
				it->pg_name = pg_index_name(layout.table, it->mysql_name, true);
				out_.statements.push_back(create_index_sql(layout, *it));
			}
		} else if (auto *to = std::get_if<RenameTo>(&command))
			return rename_table(layout, resolve(to->new_name));
		else if (auto *o = std::get_if<SetTableOptions>(&command)) {
			for (const TableOption &option : o->options)
				if (option.name == "comment")
					out_.statements.push_back("COMMENT ON TABLE " + table_sql(layout) + " IS " +
											  (option.value.empty() ? "NULL" : quote_literal(option.value)));
		} else if (auto *ao = std::get_if<AlterOption>(&command)) {
			if (ao->name == "import tablespace" || ao->name == "discard tablespace")
				throw Untranslatable{"ALTER TABLE " + layout.origin_schema + "." + layout.table + " " + ao->name +
										 " changes rows without row events: it cannot be mirrored",
									 "Re-synchronise the table."};
		} else if (auto *p = std::get_if<PartitionMaintenance>(&command))
			partition(layout, *p);
		// CONVERT TO CHARACTER SET (PostgreSQL stores UTF-8), ORDER BY, visibility, ENABLE/DISABLE KEYS: no-op
		return true;
	}

	// Applies commands to the table's layout; records the change and the key's consequences.
	void alter(const TableRef &ref, const std::vector<AlterCommand> &commands) {
		std::optional<TableLayout> found = lookup(ref);
		if (!found)
			return;
		TableLayout layout = *found;
		try {
			for (const AlterCommand &command : commands)
				if (!alter_command(layout, command)) {
					record(LayoutChange::Kind::drop, ref, std::nullopt);
					return;
				}
		} catch (const Untranslatable &why) {
			fail(ref, why);
			return;
		}
		std::vector<std::string> key = core::choose_key(layout);
		if (found->key.empty() && !key.empty()) {
			notice(layout, "the table has a usable key now: it must be copied again");
			out_.needs_copy.push_back({layout.origin_schema, layout.table});
		} else if (!found->key.empty() && key.empty())
			notice(layout, "no primary key nor NOT NULL unique key left: row events are no longer replicated");
		layout.key = key;
		bool renamed = layout.origin_schema != ref.schema || layout.table != ref.table;
		record(renamed ? LayoutChange::Kind::rename : LayoutChange::Kind::replace, ref, layout);
	}

	void handle(const AlterTable &s) { alter(resolve(s.table), s.commands); }

	void handle(const CreateIndex &s) {
		AddKey add;
		add.key = s.key;
		add.if_not_exists = s.if_not_exists;
		alter(resolve(s.table), {add});
	}

	void handle(const DropIndex &s) {
		DropKey drop;
		drop.kind = DropKeyKind::index;
		drop.name = s.name;
		drop.if_exists = s.if_exists;
		alter(resolve(s.table), {drop});
	}

	void handle(const Unsupported &) {}

	const TranslatorContext &ctx_;
	const std::string &default_database_;
	Translation out_;
	std::map<std::pair<std::string, std::string>, std::optional<TableLayout>> pending_;
};

} // namespace

std::string
pg_index_name(const std::string &table, const std::string &mysql_name, bool check) {
	std::string name = table + "_" + mysql_name;
	if (!check && mysql_name.find('_') == std::string::npos && name.size() <= max_identifier)
		return name;
	// FNV-1a, 32 bits, over the kind, table and index names
	std::uint32_t hash = 2166136261u;
	std::string key = (check ? "check:" : "index:") + table + '\0' + mysql_name;
	for (char c : key) {
		hash ^= static_cast<unsigned char>(c);
		hash *= 16777619u;
	}
	std::size_t keep = max_identifier - 9;
	if (name.size() > keep) {
		while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80)
			--keep; // do not split a UTF-8 character
		name.resize(keep);
	}
	char suffix[10];
	std::snprintf(suffix, sizeof suffix, "_%08x", static_cast<unsigned>(hash));
	return name + suffix;
}

Translation
Translator::translate(const Statement &statement, const std::string &default_database) const {
	return Session(context_, default_database).run(statement);
}

} // namespace chameleon::ddl
