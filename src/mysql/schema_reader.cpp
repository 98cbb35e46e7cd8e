// information_schema reader for the initial copy (see schema_reader.hpp). Every SELECT names its
// columns with lower-case aliases, since MySQL 8 returns information_schema names upper-case.
#include "mysql/schema_reader.hpp"

#include "common/ascii.hpp"
#include "common/error.hpp"

#include <mysql.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>

namespace chameleon::mysql {

namespace {

using Key = std::pair<std::string, std::string>; // schema, table

bool
contains_word(const std::string &lower_text, std::string_view word) {
	return lower_text.find(word) != std::string::npos;
}

// 'text' for a MySQL statement, escaped by the client library for the connection's charset.
std::string
quote_string(Connection &connection, std::string_view text) {
	std::string out(text.size() * 2 + 3, '\0');
	out[0] = '\'';
	unsigned long length = mysql_real_escape_string(connection.handle(), &out[1], text.data(), text.size());
	out.resize(length + 1);
	out += '\'';
	return out;
}

const std::string &
text(const Row &row, std::size_t i) {
	static const std::string empty;
	return row[i] ? *row[i] : empty;
}

std::optional<long long>
number(const Row &row, std::size_t i) {
	if (!row[i] || row[i]->empty())
		return std::nullopt;
	return std::strtoll(row[i]->c_str(), nullptr, 10);
}

std::uint64_t
unsigned_number(const Row &row, std::size_t i) {
	return row[i] ? std::strtoull(row[i]->c_str(), nullptr, 10) : 0;
}

bool
transactional_engine(const std::string &engine) {
	std::string e = ascii_lower(engine);
	return e == "innodb" || e == "xtradb" || e == "tokudb" || e == "rocksdb";
}

// EXTRA of information_schema.COLUMNS: the generated kind (MySQL and MariaDB 10.2+ say
// "VIRTUAL GENERATED"/"STORED GENERATED", older MariaDB "VIRTUAL"/"PERSISTENT").
Generated
generated_kind(const std::string &extra_lower) {
	if (contains_word(extra_lower, "stored generated") || contains_word(extra_lower, "persistent"))
		return Generated::stored;
	if (contains_word(extra_lower, "virtual"))
		return Generated::virtual_;
	return Generated::no;
}

// MySQL (not MariaDB) shows CURRENT_TIMESTAMP defaults raw, without DEFAULT_GENERATED before 8.0.
bool
is_current_timestamp(const std::string &value) {
	return ascii_lower(value).rfind("current_timestamp", 0) == 0;
}

void
fill_defaults(ColumnInfo &column, const Row &row, std::size_t i, const std::string &extra_lower,
			  const ServerVersion &version) {
	if (!row[i])
		return;
	column.default_value = *row[i];
	if (version.flavour == Flavour::mariadb)
		// MariaDB 10.2.7+ shows every default as SQL text: 'quoted', NULL, current_timestamp(), (expr)
		column.default_is_expression = version.at_least(10, 2, 7);
	else
		column.default_is_expression = contains_word(extra_lower, "default_generated") ||
									   ((column.data_type == "timestamp" || column.data_type == "datetime") &&
										is_current_timestamp(*row[i]));
}

// The ON DELETE / ON UPDATE rule of constraint name in a SHOW CREATE TABLE text; RESTRICT, the
// default, when the clause is absent (MySQL and MariaDB do not print it).
std::string
foreign_key_rule(const std::string &ddl, const std::string &name, std::string_view clause) {
	static const char *const rules[] = {"CASCADE", "SET NULL", "SET DEFAULT", "NO ACTION", "RESTRICT"};
	std::size_t start = ddl.find("CONSTRAINT " + quote_name(name) + " FOREIGN KEY");
	if (start == std::string::npos)
		return "RESTRICT";
	std::size_t end = ddl.find('\n', start);
	std::string_view line = std::string_view(ddl).substr(start, end == std::string::npos ? end : end - start);
	// the clauses follow the last ')' (the referenced column list); names cannot fool the search
	std::size_t close = line.rfind(')');
	std::string_view tail = close == std::string_view::npos ? line : line.substr(close);
	std::size_t at = tail.find(clause);
	if (at == std::string_view::npos)
		return "RESTRICT";
	std::string_view rule = tail.substr(at + clause.size());
	for (const char *candidate : rules)
		if (rule.substr(0, std::strlen(candidate)) == candidate)
			return candidate;
	return "RESTRICT";
}

std::string
in_list(Connection &connection, const std::vector<std::string> &schemas) {
	std::string list;
	for (const std::string &schema : schemas) {
		if (!list.empty())
			list += ',';
		list += quote_string(connection, schema);
	}
	return list;
}

} // namespace

std::vector<std::string>
parse_enum_members(std::string_view column_type) {
	std::vector<std::string> members;
	std::size_t open = column_type.find('(');
	if (open == std::string_view::npos)
		return members;
	std::size_t i = open + 1;
	while (i < column_type.size()) {
		char c = column_type[i];
		if (c == ')')
			break;
		if (c != '\'') {
			++i;
			continue;
		}
		std::string member;
		for (++i; i < column_type.size(); ++i) {
			char m = column_type[i];
			if (m == '\'') {
				if (i + 1 < column_type.size() && column_type[i + 1] == '\'') {
					member += '\'';
					++i;
					continue;
				}
				++i;
				break;
			}
			if (m == '\\' && i + 1 < column_type.size()) {
				char next = column_type[++i];
				switch (next) {
				case 'n':
					member += '\n';
					break;
				case 't':
					member += '\t';
					break;
				case 'r':
					member += '\r';
					break;
				case '0':
					member += '\0';
					break;
				case 'Z':
					member += '\x1a';
					break;
				default:
					member += next;
				}
				continue;
			}
			member += m;
		}
		members.push_back(std::move(member));
	}
	return members;
}

namespace {

// The tables read so far, found again by the (schema, table) of the rows that follow.
struct TableSet {
	std::vector<TableInfo> tables;
	std::map<Key, std::size_t> index_of;

	TableInfo *find(const Row &row) {
		auto found = index_of.find({text(row, 0), text(row, 1)});
		return found == index_of.end() ? nullptr : &tables[found->second];
	}
};

// The base tables of the schemas that the filter keeps, in (schema, table) order.
// information_schema compares names with a case-insensitive collation on some servers: the
// WHERE clauses only narrow the result, exact names are checked here.
TableSet
read_table_list(Connection &connection, const core::TableFilter &filter,
				const std::vector<std::string> &origin_schemas, const std::string &schemas) {
	TableSet set;
	std::vector<TableInfo> &tables = set.tables;
	auto wanted_schema = [&](const std::string &schema) {
		return std::find(origin_schemas.begin(), origin_schemas.end(), schema) != origin_schemas.end();
	};
	for (const Row &row : connection.query(
			 "SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, ENGINE AS engine, "
			 "TABLE_ROWS AS table_rows, AVG_ROW_LENGTH AS avg_row_length, DATA_LENGTH AS data_length, "
			 "TABLE_COMMENT AS table_comment FROM information_schema.TABLES "
			 "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (" +
			 schemas + ")")) {
		TableInfo table;
		table.schema = text(row, 0);
		table.name = text(row, 1);
		if (!wanted_schema(table.schema) || !filter.replicates_table(table.schema, table.name))
			continue;
		table.engine = text(row, 2);
		table.transactional = transactional_engine(table.engine);
		table.estimated_rows = unsigned_number(row, 3);
		table.avg_row_length = unsigned_number(row, 4);
		table.data_length = unsigned_number(row, 5);
		table.comment = text(row, 6);
		tables.push_back(std::move(table));
	}
	std::sort(tables.begin(), tables.end(), [](const TableInfo &a, const TableInfo &b) {
		return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
	});
	for (std::size_t i = 0; i < tables.size(); ++i)
		set.index_of[{tables[i].schema, tables[i].name}] = i;
	return set;
}

void
read_columns(Connection &connection, const std::string &schemas, TableSet &set) {
	const ServerVersion &version = connection.version();
	for (const Row &row : connection.query(
			 "SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, COLUMN_NAME AS column_name, "
			 "DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable, "
			 "COLUMN_DEFAULT AS column_default, EXTRA AS extra, CHARACTER_MAXIMUM_LENGTH AS char_length, "
			 "NUMERIC_PRECISION AS numeric_precision, NUMERIC_SCALE AS numeric_scale, "
			 "DATETIME_PRECISION AS datetime_precision, CHARACTER_SET_NAME AS charset, "
			 "COLUMN_COMMENT AS column_comment, GENERATION_EXPRESSION AS generation_expression "
			 "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (" +
			 schemas + ") ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION")) {
		TableInfo *table = set.find(row);
		if (table == nullptr)
			continue;
		ColumnInfo column;
		column.name = text(row, 2);
		column.data_type = ascii_lower(text(row, 3));
		column.column_type = text(row, 4);
		column.unsigned_ = contains_word(ascii_lower(column.column_type), "unsigned");
		column.nullable = text(row, 5) == "YES";
		const std::string extra = ascii_lower(text(row, 7));
		const std::string &type = column.data_type;
		if (type == "char" || type == "varchar" || type == "binary" || type == "varbinary")
			column.char_length = number(row, 8);
		if (type == "decimal" || type == "bit") {
			if (std::optional<long long> p = number(row, 9))
				column.precision = static_cast<int>(*p);
			if (type == "decimal")
				if (std::optional<long long> s = number(row, 10))
					column.scale = static_cast<int>(*s);
		}
		if (type == "time" || type == "datetime" || type == "timestamp")
			if (std::optional<long long> fsp = number(row, 11))
				column.datetime_precision = static_cast<int>(*fsp);
		if (type == "enum" || type == "set")
			column.enum_values = parse_enum_members(column.column_type);
		column.auto_increment = contains_word(extra, "auto_increment");
		column.on_update_current_timestamp = contains_word(extra, "on update");
		column.invisible = contains_word(extra, "invisible");
		column.generated = generated_kind(extra);
		if (column.generated != Generated::no)
			column.generation_expression = text(row, 14);
		else
			fill_defaults(column, row, 6, extra, version);
		column.charset = text(row, 12);
		column.comment = text(row, 13);
		table->columns.push_back(std::move(column));
	}
}

// MariaDB's JSON is an alias of LONGTEXT with CHECK (json_valid(`col`)).
void
mark_mariadb_json(Connection &connection, const std::string &schemas, TableSet &set) {
	for (const Row &row :
		 connection.query("SELECT CONSTRAINT_SCHEMA AS table_schema, TABLE_NAME AS table_name, "
						  "CHECK_CLAUSE AS check_clause "
						  "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (" +
						  schemas + ") AND CHECK_CLAUSE LIKE 'json\\_valid(%'")) {
		TableInfo *table = set.find(row);
		if (table == nullptr)
			continue;
		for (ColumnInfo &column : table->columns) {
			std::string quoted = column.name;
			std::string::size_type at = 0;
			while ((at = quoted.find('`', at)) != std::string::npos) {
				quoted.insert(at, 1, '`');
				at += 2;
			}
			if (column.data_type == "longtext" && text(row, 2) == "json_valid(`" + quoted + "`)") {
				column.data_type = "json";
				column.column_type = "json";
			}
		}
	}
}

void
read_indexes(Connection &connection, const std::string &schemas, TableSet &set) {
	const ServerVersion &version = connection.version();
	const bool mariadb = version.flavour == Flavour::mariadb;
	const bool has_expression = !mariadb && version.at_least(8, 0, 13);
	for (const Row &row : connection.query(
			 std::string(
				 "SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, INDEX_NAME AS index_name, "
				 "NON_UNIQUE AS non_unique, COLUMN_NAME AS column_name, SUB_PART AS sub_part, "
				 "INDEX_TYPE AS index_type, COLLATION AS collation, ") +
			 (has_expression ? "EXPRESSION" : "NULL") +
			 " AS expression FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (" + schemas +
			 ") ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")) {
		TableInfo *table = set.find(row);
		if (table == nullptr)
			continue;
		const std::string &name = text(row, 2);
		if (table->indexes.empty() || table->indexes.back().name != name) {
			IndexInfo index;
			index.name = name;
			index.primary = name == "PRIMARY";
			index.unique = text(row, 3) == "0";
			index.type = text(row, 6);
			table->indexes.push_back(std::move(index));
		}
		IndexPart part;
		part.column = text(row, 4);
		if (std::optional<long long> sub_part = number(row, 5))
			part.prefix_length = static_cast<int>(*sub_part);
		part.descending = text(row, 7) == "D";
		part.expression = text(row, 8);
		table->indexes.back().parts.push_back(std::move(part));
	}
}

void
read_foreign_keys(Connection &connection, const std::string &schemas, TableSet &set) {
	for (const Row &row : connection.query(
			 "SELECT k.TABLE_SCHEMA AS table_schema, k.TABLE_NAME AS table_name, "
			 "k.CONSTRAINT_NAME AS constraint_name, k.COLUMN_NAME AS column_name, "
			 "k.REFERENCED_TABLE_SCHEMA AS referenced_schema, k.REFERENCED_TABLE_NAME AS referenced_table, "
			 "k.REFERENCED_COLUMN_NAME AS referenced_column, r.UPDATE_RULE AS update_rule, "
			 "r.DELETE_RULE AS delete_rule "
			 "FROM information_schema.KEY_COLUMN_USAGE k LEFT JOIN "
			 "information_schema.REFERENTIAL_CONSTRAINTS r "
			 "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
			 "AND r.TABLE_NAME = k.TABLE_NAME "
			 "WHERE k.TABLE_SCHEMA IN (" +
			 schemas +
			 ") AND k.REFERENCED_TABLE_NAME IS NOT NULL "
			 "ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION")) {
		TableInfo *table = set.find(row);
		if (table == nullptr)
			continue;
		const std::string &name = text(row, 2);
		if (table->foreign_keys.empty() || table->foreign_keys.back().name != name) {
			ForeignKeyInfo key;
			key.name = name;
			key.referenced_schema = text(row, 4);
			key.referenced_table = text(row, 5);
			key.on_update = text(row, 7);
			key.on_delete = text(row, 8);
			table->foreign_keys.push_back(std::move(key));
		}
		table->foreign_keys.back().columns.push_back(text(row, 3));
		table->foreign_keys.back().referenced_columns.push_back(text(row, 6));
	}

	// MariaDB lists REFERENTIAL_CONSTRAINTS rows only to users with more than SELECT on the table
	// (a replication user sees none): the rules are then read from SHOW CREATE TABLE.
	for (TableInfo &table : set.tables) {
		bool missing = std::any_of(table.foreign_keys.begin(), table.foreign_keys.end(),
								   [](const ForeignKeyInfo &key) { return key.on_delete.empty(); });
		if (!missing)
			continue;
		std::vector<Row> create =
			connection.query("SHOW CREATE TABLE " + quote_name(table.schema) + "." + quote_name(table.name));
		const std::string ddl = !create.empty() && create[0].size() > 1 ? text(create[0], 1) : std::string();
		for (ForeignKeyInfo &key : table.foreign_keys)
			if (key.on_delete.empty()) {
				key.on_delete = foreign_key_rule(ddl, key.name, "ON DELETE ");
				key.on_update = foreign_key_rule(ddl, key.name, "ON UPDATE ");
			}
	}
}

// Indexes in an exact order, PRIMARY first; the replication key is the primary key, else the
// smallest unique key on NOT NULL columns without prefixes.
void
choose_replication_keys(std::vector<TableInfo> &tables) {
	for (TableInfo &table : tables) {
		// ORDER BY INDEX_NAME used the server's collation: make the order exact and PRIMARY first.
		std::sort(table.indexes.begin(), table.indexes.end(), [](const IndexInfo &a, const IndexInfo &b) {
			return std::make_pair(!a.primary, a.name) < std::make_pair(!b.primary, b.name);
		});
		auto not_null = [&](const std::string &name) {
			for (const ColumnInfo &column : table.columns)
				if (column.name == name)
					return !column.nullable;
			return false;
		};
		const IndexInfo *best = nullptr;
		for (const IndexInfo &index : table.indexes) {
			if (index.primary) {
				best = &index;
				break;
			}
			if (!index.unique)
				continue;
			bool usable = std::all_of(index.parts.begin(), index.parts.end(), [&](const IndexPart &part) {
				return !part.column.empty() && !part.prefix_length && not_null(part.column);
			});
			if (usable && (best == nullptr || index.parts.size() < best->parts.size()))
				best = &index;
		}
		if (best != nullptr) {
			table.replication_key_index = best->name;
			for (const IndexPart &part : best->parts)
				table.replication_key.push_back(part.column);
		}
	}
}

} // namespace

std::vector<TableInfo>
read_tables(Connection &connection, const core::TableFilter &filter,
			const std::vector<std::string> &origin_schemas) {
	if (origin_schemas.empty())
		return {};
	const std::string schemas = in_list(connection, origin_schemas);
	TableSet set = read_table_list(connection, filter, origin_schemas, schemas);
	if (set.tables.empty())
		return {};
	read_columns(connection, schemas, set);
	const ServerVersion &version = connection.version();
	if (version.flavour == Flavour::mariadb && version.at_least(10, 2, 0))
		mark_mariadb_json(connection, schemas, set);
	read_indexes(connection, schemas, set);
	read_foreign_keys(connection, schemas, set);
	choose_replication_keys(set.tables);
	return std::move(set.tables);
}

} // namespace chameleon::mysql
