// Recursive-descent parser for MySQL/MariaDB table DDL (CREATE/ALTER/DROP/RENAME/TRUNCATE TABLE,
// CREATE/DROP INDEX). Expressions are not interpreted: their raw text is kept. Parenthesised groups are
// skipped iteratively, so input nesting depth cannot exhaust the stack.
#include "ddl/parser.hpp"

#include "common/ascii.hpp"

#include <algorithm>
#include <initializer_list>
#include <limits>

namespace chameleon::ddl {

namespace {

bool
one_of(std::string_view word, std::initializer_list<std::string_view> candidates) {
	for (std::string_view candidate : candidates)
		if (equal_ignoring_case(word, candidate))
			return true;
	return false;
}

// Reserved words that cannot be unquoted names and that the grammar below relies on.
bool
is_reserved(std::string_view word) {
	return one_of(word,
				  {"ADD",		 "ALL",		 "ALTER",	 "AND",		  "AS",		 "ASC",		   "BETWEEN",
				   "BY",		 "CASCADE",	 "CHANGE",	 "CHARACTER", "CHECK",	 "COLLATE",	   "COLUMN",
				   "CONSTRAINT", "CONVERT",	 "CREATE",	 "CROSS",	  "DEFAULT", "DELETE",	   "DESC",
				   "DISTINCT",	 "DROP",	 "EXISTS",	 "FOREIGN",	  "FROM",	 "FULLTEXT",   "GENERATED",
				   "IF",		 "IGNORE",	 "IN",		 "INDEX",	  "INSERT",	 "INTO",	   "IS",
				   "KEY",		 "KEYS",	 "LIKE",	 "LIMIT",	  "LOCK",	 "NOT",		   "NULL",
				   "ON",		 "OR",		 "ORDER",	 "PARTITION", "PRIMARY", "REFERENCES", "RENAME",
				   "REPLACE",	 "RESTRICT", "SELECT",	 "SET",		  "SPATIAL", "STORED",	   "TABLE",
				   "TO",		 "UNIQUE",	 "UNSIGNED", "UPDATE",	  "USING",	 "VALUES",	   "VIRTUAL",
				   "WHERE",		 "WITH",	 "ZEROFILL"});
}

// Table options that may be written without '=' (any other option needs 'name = value').
bool
is_known_table_option(std::string_view word) {
	return one_of(word, {"ENGINE",
						 "AUTO_INCREMENT",
						 "AVG_ROW_LENGTH",
						 "CHECKSUM",
						 "TABLE_CHECKSUM",
						 "COMMENT",
						 "COMPRESSION",
						 "CONNECTION",
						 "DELAY_KEY_WRITE",
						 "ENCRYPTION",
						 "ENCRYPTED",
						 "ENCRYPTION_KEY_ID",
						 "INSERT_METHOD",
						 "KEY_BLOCK_SIZE",
						 "MAX_ROWS",
						 "MIN_ROWS",
						 "PACK_KEYS",
						 "PASSWORD",
						 "ROW_FORMAT",
						 "STATS_AUTO_RECALC",
						 "STATS_PERSISTENT",
						 "STATS_SAMPLE_PAGES",
						 "TABLESPACE",
						 "STORAGE",
						 "PAGE_CHECKSUM",
						 "PAGE_COMPRESSED",
						 "PAGE_COMPRESSION_LEVEL",
						 "TRANSACTIONAL",
						 "IETF_QUOTES",
						 "SEQUENCE",
						 "SECONDARY_ENGINE",
						 "SECONDARY_ENGINE_ATTRIBUTE",
						 "ENGINE_ATTRIBUTE",
						 "AUTOEXTEND_SIZE",
						 "TYPE"});
}

bool
is_partition_operation(std::string_view first, std::string_view second) {
	if (equal_ignoring_case(first, "PARTITION"))
		return equal_ignoring_case(second, "BY");
	if (one_of(first, {"REMOVE", "UPGRADE"}))
		return equal_ignoring_case(second, "PARTITIONING");
	return one_of(first, {"ADD", "DROP", "TRUNCATE", "COALESCE", "REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK",
						  "OPTIMIZE", "REBUILD", "REPAIR", "DISCARD", "IMPORT", "CONVERT"}) &&
		   equal_ignoring_case(second, "PARTITION");
}

class Parser {
  public:
	Parser(std::string_view sql, std::vector<Token> tokens) : sql_(sql), tokens_(std::move(tokens)) {}

	Statement statement() {
		Statement result = dispatch();
		if (!at_end())
			fail("end of statement");
		return result;
	}

  private:
	// ---- token access -------------------------------------------------------------------------------

	const Token &current() const { return tokens_[pos_]; }

	const Token &ahead(std::size_t n) const { return tokens_[std::min(pos_ + n, tokens_.size() - 1)]; }

	bool at_end() const { return current().kind == TokenKind::end; }

	void advance() {
		if (!at_end())
			++pos_;
	}

	static bool is_keyword(const Token &token, std::string_view keyword) {
		return token.kind == TokenKind::word && equal_ignoring_case(token.text, keyword);
	}

	static bool is_punct(const Token &token, std::string_view text) {
		return token.kind == TokenKind::punctuation && token.text == text;
	}

	bool peek_keyword(std::string_view keyword, std::size_t n = 0) const {
		return is_keyword(ahead(n), keyword);
	}

	bool peek_punct(std::string_view text, std::size_t n = 0) const { return is_punct(ahead(n), text); }

	bool accept(std::string_view keyword) {
		if (!peek_keyword(keyword))
			return false;
		advance();
		return true;
	}

	bool accept_punct(std::string_view text) {
		if (!peek_punct(text))
			return false;
		advance();
		return true;
	}

	void expect(std::string_view keyword) {
		if (!accept(keyword))
			fail(ascii_lower(keyword));
	}

	void expect_punct(std::string_view text) {
		if (!accept_punct(text))
			fail("\"" + std::string(text) + "\"");
	}

	bool accept_if_exists() {
		if (!(peek_keyword("IF") && peek_keyword("EXISTS", 1)))
			return false;
		pos_ += 2;
		return true;
	}

	bool accept_if_not_exists() {
		if (!(peek_keyword("IF") && peek_keyword("NOT", 1) && peek_keyword("EXISTS", 2)))
			return false;
		pos_ += 3;
		return true;
	}

	[[noreturn]] void fail(const std::string &expected) const {
		const Token &token = current();
		std::string found = token.kind == TokenKind::end ? "unexpected end of statement"
														 : "unexpected \"" + token.text + "\"";
		throw ParseError(found + " at offset " + std::to_string(token.offset) + ", expected " + expected,
						 token.offset);
	}

	// Source text from token `first` up to (excluding) token `last`.
	std::string raw(std::size_t first, std::size_t last) const {
		if (last <= first)
			return {};
		std::size_t begin = tokens_[first].offset;
		return std::string(sql_.substr(begin, tokens_[last - 1].end - begin));
	}

	std::string raw_to_end(std::size_t first) {
		while (!at_end())
			advance();
		return raw(first, pos_);
	}

	// Skips a balanced '(' ... ')' group starting at the current token; returns the raw text inside.
	std::string parenthesized() {
		if (!peek_punct("("))
			fail("\"(\"");
		std::size_t open = pos_;
		std::size_t depth = 0;
		do {
			if (at_end()) {
				pos_ = open;
				fail("a closing \")\" for this parenthesis");
			}
			if (peek_punct("("))
				++depth;
			else if (peek_punct(")"))
				--depth;
			advance();
		} while (depth > 0);
		return raw(open + 1, pos_ - 1);
	}

	// ---- names and literals -------------------------------------------------------------------------

	bool is_name(const Token &token) const {
		return token.kind == TokenKind::quoted_identifier ||
			   (token.kind == TokenKind::word && !is_reserved(token.text));
	}

	std::string name(const std::string &what) {
		if (!is_name(current()))
			fail(what);
		std::string result = current().text;
		advance();
		return result;
	}

	QualifiedName qualified_name(const std::string &what) {
		QualifiedName result;
		result.name = name(what);
		if (accept_punct(".")) {
			result.schema = std::move(result.name);
			result.name = name(what);
		}
		return result;
	}

	bool is_string() const { return current().kind == TokenKind::string; }

	// One string literal, adjacent literals concatenated ('a' 'b' is 'ab').
	std::string string_literal(const std::string &what) {
		if (!is_string())
			fail(what);
		std::string result;
		while (is_string()) {
			result += current().text;
			advance();
		}
		return result;
	}

	std::uint64_t unsigned_number(const std::string &what) {
		const Token &token = current();
		bool digits =
			token.kind == TokenKind::number && !token.text.empty() &&
			std::all_of(token.text.begin(), token.text.end(), [](char c) { return c >= '0' && c <= '9'; });
		if (!digits || token.text.size() > 19)
			fail(what);
		std::uint64_t value = std::stoull(token.text);
		advance();
		return value;
	}

	int small_number(const std::string &what) {
		std::size_t start = pos_;
		std::uint64_t value = unsigned_number(what);
		if (value > 100000) {
			pos_ = start;
			fail(what + " (at most 100000)");
		}
		return static_cast<int>(value);
	}

	// Charset or collation name: identifier, string, or BINARY/DEFAULT keywords.
	std::string charset_name(const std::string &what) {
		if (is_string())
			return ascii_lower(string_literal(what));
		if (current().kind == TokenKind::quoted_identifier || current().kind == TokenKind::word) {
			std::string result = ascii_lower(current().text);
			advance();
			return result;
		}
		fail(what);
	}

	// CHARACTER SET / CHARSET / CHAR SET at the current token: consumes the keywords.
	bool accept_charset_keyword() {
		if ((peek_keyword("CHARACTER") || peek_keyword("CHAR")) && peek_keyword("SET", 1)) {
			pos_ += 2;
			return true;
		}
		return accept("CHARSET");
	}

	// ---- statements -------------------------------------------------------------------------------

	Statement dispatch() {
		if (current().kind != TokenKind::word)
			return Unsupported{"not a table DDL statement"};
		if (peek_keyword("CREATE"))
			return create();
		if (peek_keyword("ALTER"))
			return alter();
		if (peek_keyword("DROP"))
			return drop();
		if (peek_keyword("RENAME"))
			return peek_keyword("TABLE", 1) || peek_keyword("TABLES", 1) ? rename_table() : unsupported(2);
		if (peek_keyword("TRUNCATE"))
			return truncate();
		return unsupported(1);
	}

	// Skips the rest of a statement that is valid MySQL but not table DDL.
	Unsupported unsupported(std::size_t words) {
		std::string reason;
		for (std::size_t i = 0; i < words && current().kind == TokenKind::word; ++i) {
			reason += (reason.empty() ? "" : " ") + ascii_lower(current().text);
			advance();
		}
		while (!at_end())
			advance();
		return Unsupported{reason + " statement"};
	}

	Statement create() {
		std::size_t start = pos_;
		advance();
		bool or_replace = false;
		if (peek_keyword("OR") && peek_keyword("REPLACE", 1)) {
			pos_ += 2;
			or_replace = true;
		}
		bool temporary = accept("TEMPORARY");
		if (peek_keyword("TABLE"))
			return create_table(or_replace, temporary);
		if (!temporary) {
			std::size_t modifiers = 0;
			while (one_of(ahead(modifiers).text, {"UNIQUE", "FULLTEXT", "SPATIAL", "ONLINE", "OFFLINE"}) &&
				   ahead(modifiers).kind == TokenKind::word)
				++modifiers;
			if (peek_keyword("INDEX", modifiers))
				return create_index(or_replace);
		}
		return create_unsupported(start);
	}

	Unsupported create_unsupported(std::size_t start) {
		static const std::initializer_list<std::string_view> objects = {
			"VIEW",	   "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT",	 "DATABASE",
			"SCHEMA",  "USER",	  "ROLE",	   "SEQUENCE", "SERVER", "TABLESPACE",
			"LOGFILE", "PACKAGE", "SPATIAL",   "RESOURCE", "SYNONYM"};
		std::string object;
		for (std::size_t i = start + 1;
			 i < tokens_.size() && tokens_[i].kind != TokenKind::end && object.empty(); ++i)
			if (tokens_[i].kind == TokenKind::word && one_of(tokens_[i].text, objects))
				object = ascii_lower(tokens_[i].text);
		pos_ = start;
		if (object.empty())
			return unsupported(2);
		raw_to_end(start);
		return Unsupported{"create " + object + " statement"};
	}

	Statement create_table(bool or_replace, bool temporary) {
		CreateTable table;
		table.or_replace = or_replace;
		table.temporary = temporary;
		expect("TABLE");
		table.if_not_exists = accept_if_not_exists();
		table.table = qualified_name("a table name");
		if (accept("LIKE")) {
			table.like = qualified_name("a table name");
			return table;
		}
		if (peek_punct("(") && peek_keyword("LIKE", 1)) {
			advance();
			advance();
			table.like = qualified_name("a table name");
			expect_punct(")");
			return table;
		}
		if (peek_punct("(") &&
			!(peek_keyword("SELECT", 1) || peek_keyword("WITH", 1) || peek_punct("(", 1))) {
			advance();
			do {
				table_element(table.columns, table.keys);
			} while (accept_punct(","));
			expect_punct(")");
		}
		table_options(table.options, true);
		if (peek_keyword("PARTITION"))
			table.partitioning = partitioning();
		bool select_prefix = accept("IGNORE") || accept("REPLACE");
		bool as = accept("AS");
		if (as || select_prefix || peek_keyword("SELECT") || peek_keyword("WITH") || peek_punct("(") ||
			peek_keyword("TABLE") || peek_keyword("VALUES")) {
			if (at_end())
				fail("a query");
			table.select = raw_to_end(pos_);
		}
		if (table.columns.empty() && table.select.empty())
			fail("a column list, LIKE or a query");
		return table;
	}

	// PARTITION BY ... up to the end of the statement or to a following [AS] SELECT.
	std::string partitioning() {
		std::size_t start = pos_;
		while (!at_end() && !peek_keyword("AS") && !peek_keyword("SELECT") && !peek_keyword("IGNORE") &&
			   !peek_keyword("REPLACE")) {
			if (peek_punct("("))
				parenthesized();
			else
				advance();
		}
		return raw(start, pos_);
	}

	bool starts_key() const {
		if (current().kind != TokenKind::word)
			return false;
		if (peek_keyword("CHECK"))
			return peek_punct("(", 1);
		return one_of(current().text,
					  {"CONSTRAINT", "PRIMARY", "UNIQUE", "INDEX", "KEY", "FULLTEXT", "SPATIAL", "FOREIGN"});
	}

	void table_element(std::vector<Column> &columns, std::vector<Key> &keys) {
		if (starts_key()) {
			keys.push_back(key(nullptr));
			return;
		}
		if (peek_keyword("PERIOD") && peek_keyword("FOR", 1))
			fail("a column or key definition (PERIOD FOR is not supported)");
		if (!is_name(current()))
			fail("a column definition");
		columns.push_back(column_definition());
	}

	// ---- columns ----------------------------------------------------------------------------------

	Column column_definition() {
		Column column;
		column.name = name("a column name");
		data_type(column);
		column_attributes(column);
		column.column_type = format_column_type(column);
		return column;
	}

	void optional_length(Column &column) {
		if (accept_punct("(")) {
			column.length = unsigned_number("a length");
			expect_punct(")");
		}
	}

	void optional_precision_scale(Column &column) {
		if (accept_punct("(")) {
			column.precision = small_number("a precision");
			if (accept_punct(","))
				column.scale = small_number("a scale");
			expect_punct(")");
		}
	}

	void optional_fsp(Column &column) {
		if (accept_punct("(")) {
			column.fsp = small_number("a fractional seconds precision");
			expect_punct(")");
		}
	}

	void value_list(Column &column) {
		expect_punct("(");
		do {
			column.values.push_back(string_literal("a quoted value"));
		} while (accept_punct(","));
		expect_punct(")");
	}

	void data_type(Column &column) {
		if (current().kind != TokenKind::word)
			fail("a data type");
		std::string word = ascii_lower(current().text);
		std::size_t type_start = pos_;
		advance();
		auto then = [&](std::string_view keyword) { return accept(keyword); };
		auto &type = column.type;

		if (word == "national" || word == "nchar" || word == "nvarchar") {
			column.charset = "utf8mb3";
			if (word == "national") {
				if (accept("VARCHAR"))
					word = "varchar";
				else if (accept("CHAR") || accept("CHARACTER"))
					word = "char";
				else
					fail("char or varchar after national");
			}
			if (word == "nvarchar")
				word = "varchar";
			if (word == "nchar")
				word = "char";
			if (word == "char" && then("VARYING"))
				word = "varchar";
		} else if (word == "character" || word == "char") {
			word = then("VARYING") ? "varchar" : "char";
		} else if (word == "double") {
			then("PRECISION");
		} else if (word == "long") {
			if (then("VARBINARY"))
				word = "mediumblob";
			else {
				if (then("CHAR") || then("CHARACTER"))
					expect("VARYING");
				else
					then("VARCHAR");
				word = "mediumtext";
			}
		}

		static const std::pair<const char *, const char *> synonyms[] = {
			{"integer", "int"},
			{"int1", "tinyint"},
			{"int2", "smallint"},
			{"int3", "mediumint"},
			{"int4", "int"},
			{"int8", "bigint"},
			{"middleint", "mediumint"},
			{"dec", "decimal"},
			{"numeric", "decimal"},
			{"fixed", "decimal"},
			{"real", "double"},
			{"float4", "float"},
			{"float8", "double"},
			{"geomcollection", "geometrycollection"}};
		for (const auto &[synonym, canonical] : synonyms)
			if (word == synonym)
				word = canonical;

		type = word;
		if (one_of(word, {"tinyint", "smallint", "mediumint", "int", "bigint", "bit", "char", "binary",
						  "year", "text", "blob", "vector"})) {
			optional_length(column);
			if (word == "vector" && !column.length)
				fail("a vector dimension");
		} else if (word == "varchar" || word == "varbinary") {
			if (!peek_punct("("))
				fail("a length for " + word);
			optional_length(column);
		} else if (word == "bool" || word == "boolean") {
			type = "tinyint";
			column.length = 1;
			column.declared_boolean = true;
		} else if (one_of(word, {"decimal", "float", "double"})) {
			optional_precision_scale(column);
			if (word == "float" && column.precision && !column.scale) {
				// FLOAT(p) chooses the storage type from the precision and keeps no width.
				if (*column.precision > 53) {
					pos_ = type_start;
					fail("a float precision of at most 53");
				}
				type = *column.precision > 24 ? "double" : "float";
				column.precision.reset();
			}
		} else if (one_of(word, {"time", "datetime", "timestamp"})) {
			optional_fsp(column);
		} else if (word == "enum" || word == "set") {
			value_list(column);
		} else if (word == "serial") {
			type = "bigint";
			column.is_unsigned = true;
			column.nullable = false;
			column.auto_increment = true;
			column.unique_key = true;
			column.declared_serial = true;
		} else if (!one_of(word, {"date", "tinytext", "mediumtext", "longtext", "tinyblob", "mediumblob",
								  "longblob", "json", "geometry", "point", "linestring", "polygon",
								  "multipoint", "multilinestring", "multipolygon", "geometrycollection",
								  "inet4", "inet6", "uuid"})) {
			pos_ = type_start;
			fail("a data type");
		}
	}

	bool at_column_end() const {
		return at_end() || peek_punct(",") || peek_punct(")") || peek_keyword("FIRST") ||
			   peek_keyword("AFTER");
	}

	void column_attributes(Column &column) {
		while (!at_column_end()) {
			if (peek_keyword("NOT") && peek_keyword("NULL", 1)) {
				pos_ += 2;
				column.nullable = false;
			} else if (accept("NULL")) {
				column.nullable = true;
			} else if (peek_keyword("SERIAL") && peek_keyword("DEFAULT", 1) && peek_keyword("VALUE", 2)) {
				pos_ += 3;
				column.nullable = false;
				column.auto_increment = true;
				column.unique_key = true;
			} else if (accept("DEFAULT")) {
				column.default_value = default_value();
			} else if (peek_keyword("ON") && peek_keyword("UPDATE", 1)) {
				pos_ += 2;
				std::size_t value_start = pos_;
				column.on_update = default_value();
				if (column.on_update.kind != DefaultKind::current_timestamp) {
					pos_ = value_start;
					fail("CURRENT_TIMESTAMP after ON UPDATE");
				}
			} else if (accept("AUTO_INCREMENT")) {
				column.auto_increment = true;
			} else if (accept("UNIQUE")) {
				accept("KEY");
				column.unique_key = true;
			} else if (peek_keyword("PRIMARY")) {
				advance();
				expect("KEY");
				column.primary_key = true;
			} else if (accept("KEY")) {
				column.primary_key = true;
			} else if (accept("COMMENT")) {
				column.comment = string_literal("a quoted comment");
			} else if (accept("COLLATE")) {
				column.collation = charset_name("a collation name");
			} else if (accept_charset_keyword()) {
				column.charset = charset_name("a character set name");
			} else if (accept("BINARY")) {
				column.binary = true;
			} else if (accept("ASCII")) {
				column.charset = "latin1";
			} else if (accept("UNICODE")) {
				column.charset = "ucs2";
			} else if (accept("BYTE")) {
				column.charset = "binary";
			} else if (accept("UNSIGNED")) {
				column.is_unsigned = true;
			} else if (accept("SIGNED")) {
				column.is_unsigned = false;
			} else if (accept("ZEROFILL")) {
				column.zerofill = true;
				column.is_unsigned = true;
			} else if (peek_keyword("COLUMN_FORMAT") || peek_keyword("STORAGE")) {
				advance();
				if (!(accept("FIXED") || accept("DYNAMIC") || accept("DEFAULT") || accept("DISK") ||
					  accept("MEMORY")))
					fail("a column format or storage");
			} else if (peek_keyword("ENGINE_ATTRIBUTE") || peek_keyword("SECONDARY_ENGINE_ATTRIBUTE")) {
				advance();
				accept_punct("=");
				string_literal("a quoted attribute");
			} else if (peek_keyword("GENERATED") || peek_keyword("AS")) {
				if (accept("GENERATED")) {
					expect("ALWAYS");
				}
				expect("AS");
				column.generated_expression = parenthesized();
			} else if (accept("STORED") || accept("PERSISTENT")) {
				column.stored = true;
			} else if (accept("VIRTUAL")) {
				column.stored = false;
			} else if (accept("INVISIBLE")) {
				column.invisible = true;
			} else if (accept("VISIBLE")) {
				column.invisible = false;
			} else if (peek_keyword("REFERENCES")) {
				column.references = reference();
			} else if (peek_keyword("CONSTRAINT") || peek_keyword("CHECK")) {
				column.checks.push_back(check_constraint());
			} else if (accept("SRID")) {
				column.srid = static_cast<std::uint32_t>(std::min<std::uint64_t>(
					unsigned_number("an SRID"), std::numeric_limits<std::uint32_t>::max()));
			} else if (accept("REF_SYSTEM_ID")) {
				accept_punct("=");
				column.srid = static_cast<std::uint32_t>(std::min<std::uint64_t>(
					unsigned_number("an SRID"), std::numeric_limits<std::uint32_t>::max()));
			} else if (accept("COMPRESSED")) {
				if (accept_punct("="))
					name("a compression method");
			} else if ((peek_keyword("WITH") || peek_keyword("WITHOUT")) && peek_keyword("SYSTEM", 1)) {
				pos_ += 2;
				expect("VERSIONING");
			} else {
				fail("a column attribute");
			}
		}
	}

	bool is_current_timestamp_word(const Token &token) const {
		return token.kind == TokenKind::word &&
			   one_of(token.text, {"CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"});
	}

	// The value of DEFAULT, ON UPDATE or ALTER COLUMN ... SET DEFAULT.
	DefaultValue default_value() {
		DefaultValue value;
		std::size_t start = pos_;
		const Token &token = current();
		if (accept("NULL")) {
			value.kind = DefaultKind::null;
		} else if (is_string()) {
			value.introducer = token.introducer;
			value.kind = DefaultKind::string;
			value.value = string_literal("a string");
		} else if (token.kind == TokenKind::number) {
			value.kind = DefaultKind::number;
			value.value = token.text;
			advance();
		} else if ((is_punct(token, "-") || is_punct(token, "+")) && ahead(1).kind == TokenKind::number) {
			value.kind = DefaultKind::number;
			value.value = (token.text == "-" ? "-" : "") + ahead(1).text;
			pos_ += 2;
		} else if (token.kind == TokenKind::hex_literal || token.kind == TokenKind::bit_literal) {
			value.kind = DefaultKind::bit_or_hex;
			value.value = token.text;
			advance();
		} else if (accept("TRUE") || accept("FALSE")) {
			value.kind = DefaultKind::number;
			value.value = equal_ignoring_case(token.text, "TRUE") ? "1" : "0";
		} else if (is_current_timestamp_word(token)) {
			bool needs_parentheses = equal_ignoring_case(token.text, "NOW");
			advance();
			value.kind = DefaultKind::current_timestamp;
			if (accept_punct("(")) {
				if (!peek_punct(")"))
					value.fsp = small_number("a fractional seconds precision");
				expect_punct(")");
			} else if (needs_parentheses) {
				fail("\"(\" after NOW");
			}
		} else if (peek_punct("(")) {
			value.kind = DefaultKind::expression;
			value.value = parenthesized();
		} else if (peek_keyword("NEXT") && peek_keyword("VALUE", 1) && peek_keyword("FOR", 2)) {
			pos_ += 3;
			qualified_name("a sequence name");
			value.kind = DefaultKind::expression;
		} else if (token.kind == TokenKind::word && peek_punct("(", 1) && !is_reserved(token.text)) {
			advance();
			parenthesized();
			value.kind = DefaultKind::expression;
		} else if (token.kind == TokenKind::word &&
				   one_of(token.text, {"CURRENT_DATE", "CURRENT_TIME", "CURRENT_USER", "CURRENT_ROLE",
									   "UTC_DATE", "UTC_TIME", "UTC_TIMESTAMP", "SYSDATE"})) {
			advance();
			value.kind = DefaultKind::expression;
		} else {
			fail("a default value");
		}
		value.raw = raw(start, pos_);
		if (value.kind == DefaultKind::expression && value.value.empty())
			value.value = value.raw;
		return value;
	}

	ReferentialAction referential_action() {
		if (accept("RESTRICT"))
			return ReferentialAction::restrict;
		if (accept("CASCADE"))
			return ReferentialAction::cascade;
		if (accept("SET")) {
			if (accept("NULL"))
				return ReferentialAction::set_null;
			expect("DEFAULT");
			return ReferentialAction::set_default;
		}
		if (accept("NO")) {
			expect("ACTION");
			return ReferentialAction::no_action;
		}
		fail("a referential action");
	}

	Reference reference() {
		Reference result;
		expect("REFERENCES");
		result.table = qualified_name("a referenced table name");
		if (accept_punct("(")) {
			do {
				result.columns.push_back(name("a referenced column name"));
				if (peek_punct("(")) // prefix lengths are accepted by the grammar and ignored by MySQL
					parenthesized();
				accept("ASC") || accept("DESC");
			} while (accept_punct(","));
			expect_punct(")");
		}
		while (true) {
			if (accept("MATCH")) {
				if (!(peek_keyword("FULL") || peek_keyword("PARTIAL") || peek_keyword("SIMPLE")))
					fail("full, partial or simple");
				result.match = ascii_lower(current().text);
				advance();
			} else if (peek_keyword("ON") && peek_keyword("DELETE", 1)) {
				pos_ += 2;
				result.on_delete = referential_action();
			} else if (peek_keyword("ON") && peek_keyword("UPDATE", 1)) {
				pos_ += 2;
				result.on_update = referential_action();
			} else {
				return result;
			}
		}
	}

	CheckConstraint check_constraint() {
		CheckConstraint check;
		if (accept("CONSTRAINT") && !peek_keyword("CHECK"))
			check.name = name("a constraint name");
		expect("CHECK");
		check.expression = parenthesized();
		check.enforced = enforcement();
		return check;
	}

	std::optional<bool> enforcement() {
		if (accept("ENFORCED"))
			return true;
		if (peek_keyword("NOT") && peek_keyword("ENFORCED", 1)) {
			pos_ += 2;
			return false;
		}
		return std::nullopt;
	}

	// ---- keys -------------------------------------------------------------------------------------

	void key_parts(Key &key) {
		expect_punct("(");
		do {
			KeyPart part;
			if (peek_punct("(")) {
				part.expression = parenthesized();
			} else {
				part.column = name("a key column name");
				if (accept_punct("(")) {
					part.prefix_length = unsigned_number("a key prefix length");
					expect_punct(")");
				}
			}
			if (accept("DESC"))
				part.descending = true;
			else
				accept("ASC");
			key.parts.push_back(std::move(part));
		} while (accept_punct(","));
		expect_punct(")");
	}

	void index_type(Key &key) {
		if (accept("USING") || accept("TYPE")) {
			if (!(peek_keyword("BTREE") || peek_keyword("HASH") || peek_keyword("RTREE")))
				fail("btree, hash or rtree");
			key.using_method = ascii_lower(current().text);
			advance();
		}
	}

	void index_options(Key &key) {
		while (true) {
			if (peek_keyword("USING") || peek_keyword("TYPE")) {
				index_type(key);
			} else if (accept("KEY_BLOCK_SIZE")) {
				accept_punct("=");
				unsigned_number("a key block size");
			} else if (accept("COMMENT")) {
				key.comment = string_literal("a quoted comment");
			} else if (accept("INVISIBLE") || accept("IGNORED")) {
				key.invisible = true;
			} else if (accept("VISIBLE")) {
				key.invisible = false;
			} else if (peek_keyword("NOT") && peek_keyword("IGNORED", 1)) {
				pos_ += 2;
				key.invisible = false;
			} else if (peek_keyword("WITH") && peek_keyword("PARSER", 1)) {
				pos_ += 2;
				name("a parser name");
			} else if (peek_keyword("ENGINE_ATTRIBUTE") || peek_keyword("SECONDARY_ENGINE_ATTRIBUTE")) {
				advance();
				accept_punct("=");
				string_literal("a quoted attribute");
			} else {
				return;
			}
		}
	}

	// Optional index name before USING or the key part list.
	std::string optional_index_name() {
		if (peek_punct("(") || peek_keyword("USING") || peek_keyword("TYPE") || peek_keyword("ON"))
			return {};
		return name("an index name or \"(\"");
	}

	// A key or constraint definition; if_not_exists, when given, receives MariaDB's IF NOT EXISTS.
	Key key(bool *if_not_exists) {
		Key key;
		auto allow_if_not_exists = [&]() {
			if (if_not_exists && accept_if_not_exists())
				*if_not_exists = true;
		};
		if (accept("CONSTRAINT")) {
			allow_if_not_exists();
			if (!(peek_keyword("PRIMARY") || peek_keyword("UNIQUE") || peek_keyword("FOREIGN") ||
				  peek_keyword("CHECK")))
				key.constraint_name = name("a constraint name");
		}
		if (accept("PRIMARY")) {
			expect("KEY");
			key.kind = KeyKind::primary;
		} else if (accept("UNIQUE")) {
			key.kind = KeyKind::unique;
			if (accept("INDEX") || accept("KEY"))
				allow_if_not_exists();
			key.name = optional_index_name();
		} else if (accept("FOREIGN")) {
			expect("KEY");
			key.kind = KeyKind::foreign;
			allow_if_not_exists();
			if (!peek_punct("("))
				key.name = name("a foreign key name or \"(\"");
			key_parts(key);
			key.references = reference();
			return key;
		} else if (peek_keyword("CHECK")) {
			std::string constraint_name = key.constraint_name;
			key.kind = KeyKind::check;
			key.check = check_constraint();
			key.check->name = constraint_name;
			return key;
		} else if (accept("FULLTEXT") || accept("SPATIAL")) {
			key.kind = equal_ignoring_case(tokens_[pos_ - 1].text, "FULLTEXT") ? KeyKind::fulltext
																			   : KeyKind::spatial;
			if (accept("INDEX") || accept("KEY"))
				allow_if_not_exists();
			key.name = optional_index_name();
		} else if (accept("INDEX") || accept("KEY")) {
			key.kind = KeyKind::index;
			allow_if_not_exists();
			key.name = optional_index_name();
		} else {
			fail("a key definition");
		}
		if (!key.constraint_name.empty() && key.kind != KeyKind::primary && key.kind != KeyKind::unique)
			fail("a primary, unique, foreign key or check after CONSTRAINT");
		index_type(key);
		key_parts(key);
		index_options(key);
		return key;
	}

	// ---- table options ----------------------------------------------------------------------------

	std::string option_value(const std::string &option) {
		const Token &token = current();
		if (is_string())
			return string_literal("a value for " + option);
		if (peek_punct("("))
			return parenthesized();
		if ((is_punct(token, "-") || is_punct(token, "+")) && ahead(1).kind == TokenKind::number) {
			std::string value = (token.text == "-" ? "-" : "") + ahead(1).text;
			pos_ += 2;
			return value;
		}
		if (token.kind == TokenKind::word || token.kind == TokenKind::quoted_identifier ||
			token.kind == TokenKind::number || token.kind == TokenKind::hex_literal) {
			std::string value = token.text;
			advance();
			return value;
		}
		fail("a value for " + option);
	}

	bool starts_table_option() const {
		const Token &token = current();
		if (token.kind != TokenKind::word)
			return false;
		if (peek_keyword("DEFAULT"))
			return peek_keyword("CHARACTER", 1) || peek_keyword("CHARSET", 1) || peek_keyword("COLLATE", 1) ||
				   peek_keyword("CHAR", 1);
		if (((peek_keyword("CHARACTER") || peek_keyword("CHAR")) && peek_keyword("SET", 1)) ||
			peek_keyword("CHARSET") || peek_keyword("COLLATE") || peek_keyword("UNION"))
			return true;
		if ((peek_keyword("DATA") || peek_keyword("INDEX")) && peek_keyword("DIRECTORY", 1))
			return true;
		if (peek_keyword("WITH") && peek_keyword("SYSTEM", 1))
			return true;
		if (peek_keyword("START") && peek_keyword("TRANSACTION", 1))
			return true;
		if (is_reserved(token.text))
			return false;
		return is_known_table_option(token.text) || peek_punct("=", 1);
	}

	// Table options; in CREATE TABLE they may be separated by commas, in ALTER TABLE a comma ends them.
	void table_options(std::vector<TableOption> &options, bool commas_allowed) {
		while (true) {
			if (commas_allowed && peek_punct(",")) {
				advance();
				if (!starts_table_option())
					fail("a table option");
			}
			if (!starts_table_option())
				return;
			options.push_back(table_option());
		}
	}

	TableOption table_option() {
		TableOption option;
		accept("DEFAULT");
		if (accept_charset_keyword()) {
			option.name = "character set";
		} else if (accept("COLLATE")) {
			option.name = "collate";
		} else if (peek_keyword("WITH") || peek_keyword("START")) {
			option.name = ascii_lower(current().text + " " + ahead(1).text);
			pos_ += 2;
			if (option.name == "with system") {
				expect("VERSIONING");
				option.name += " versioning";
			}
			return option;
		} else if (peek_keyword("DIRECTORY", 1)) {
			option.name = ascii_lower(current().text) + " directory";
			pos_ += 2;
		} else {
			option.name = ascii_lower(current().text);
			advance();
		}
		accept_punct("=");
		option.value = option_value(option.name);
		if (option.name == "character set" || option.name == "collate" || option.name == "type")
			option.value = ascii_lower(option.value);
		if (option.name == "type") // TYPE is the pre-5.5 spelling of ENGINE
			option.name = "engine";
		return option;
	}

	// ---- ALTER TABLE ------------------------------------------------------------------------------

	Statement alter() {
		std::size_t start = pos_;
		advance();
		AlterTable alter;
		while (true) {
			if (accept("ONLINE"))
				alter.online = true;
			else if (accept("IGNORE"))
				alter.ignore = true;
			else if (!accept("OFFLINE"))
				break;
		}
		if (!accept("TABLE")) {
			pos_ = start;
			return unsupported(2);
		}
		alter.if_exists = accept_if_exists();
		alter.table = qualified_name("a table name");
		wait_clause();
		if (at_end())
			return alter;
		do {
			if (alter_command(alter.commands))
				break; // partition clauses and ORDER BY run to the end of the statement
		} while (accept_punct(","));
		return alter;
	}

	// MariaDB's WAIT n / NOWAIT lock timeout clause.
	void wait_clause() {
		if (accept("WAIT"))
			unsigned_number("a wait timeout");
		else
			accept("NOWAIT");
	}

	ColumnPosition column_position() {
		ColumnPosition position;
		if (accept("FIRST"))
			position.first = true;
		else if (accept("AFTER"))
			position.after = name("a column name after AFTER");
		return position;
	}

	AlterOption alter_option() {
		AlterOption option;
		option.name = ascii_lower(current().text);
		advance();
		if (option.name == "algorithm" || option.name == "lock") {
			accept_punct("=");
			if (current().kind != TokenKind::word)
				fail("a value for " + option.name);
			option.value = ascii_lower(current().text);
			advance();
		} else if (option.name == "with" || option.name == "without") {
			expect("VALIDATION");
			option.name += " validation";
		} else if (option.name == "discard" || option.name == "import") {
			expect("TABLESPACE");
			option.name += " tablespace";
		}
		return option;
	}

	bool starts_alter_option() const {
		if (peek_keyword("ALGORITHM") || peek_keyword("LOCK") || peek_keyword("FORCE"))
			return true;
		if ((peek_keyword("WITH") || peek_keyword("WITHOUT")) && peek_keyword("VALIDATION", 1))
			return true;
		return (peek_keyword("DISCARD") || peek_keyword("IMPORT")) && peek_keyword("TABLESPACE", 1);
	}

	// Parses one ALTER TABLE sub-command; returns true when it consumed the rest of the statement.
	bool alter_command(std::vector<AlterCommand> &commands) {
		std::size_t start = pos_;
		if (current().kind == TokenKind::word && is_partition_operation(current().text, ahead(1).text)) {
			PartitionMaintenance maintenance;
			maintenance.operation = ascii_lower(current().text + " " + ahead(1).text);
			maintenance.raw = raw_to_end(start);
			commands.emplace_back(std::move(maintenance));
			return true;
		}
		if (accept("ADD"))
			alter_add(commands);
		else if (accept("DROP"))
			commands.emplace_back(alter_drop());
		else if (accept("CHANGE"))
			commands.emplace_back(alter_change(false));
		else if (accept("MODIFY"))
			commands.emplace_back(alter_change(true));
		else if (accept("RENAME"))
			commands.emplace_back(alter_rename());
		else if (accept("ALTER"))
			commands.emplace_back(alter_alter());
		else if (peek_keyword("CONVERT") && peek_keyword("TO", 1)) {
			pos_ += 2;
			ConvertCharset convert;
			if (!accept_charset_keyword())
				fail("character set");
			convert.charset = charset_name("a character set name");
			if (accept("COLLATE"))
				convert.collation = charset_name("a collation name");
			commands.emplace_back(std::move(convert));
		} else if (peek_keyword("ORDER") && peek_keyword("BY", 1)) {
			pos_ += 2;
			if (at_end())
				fail("a column name");
			commands.emplace_back(OrderBy{raw_to_end(pos_)});
			return true;
		} else if ((peek_keyword("DISABLE") || peek_keyword("ENABLE")) && peek_keyword("KEYS", 1)) {
			commands.emplace_back(ToggleKeys{peek_keyword("ENABLE")});
			pos_ += 2;
		} else if (starts_alter_option()) {
			commands.emplace_back(alter_option());
		} else if (starts_table_option()) {
			SetTableOptions options;
			table_options(options.options, false);
			commands.emplace_back(std::move(options));
		} else {
			fail("an ALTER TABLE command");
		}
		return false;
	}

	void alter_add(std::vector<AlterCommand> &commands) {
		bool column_keyword = accept("COLUMN");
		if (!column_keyword && starts_key()) {
			AddKey add;
			add.key = key(&add.if_not_exists);
			commands.emplace_back(std::move(add));
			return;
		}
		bool if_not_exists = accept_if_not_exists();
		if (accept_punct("(")) {
			std::vector<Column> columns;
			std::vector<Key> keys;
			do {
				table_element(columns, keys);
			} while (accept_punct(","));
			expect_punct(")");
			for (Column &column : columns)
				commands.emplace_back(AddColumn{std::move(column), {}, if_not_exists});
			for (Key &key : keys)
				commands.emplace_back(AddKey{std::move(key), if_not_exists});
			return;
		}
		AddColumn add;
		add.if_not_exists = if_not_exists;
		if (!is_name(current()))
			fail("a column definition");
		add.column = column_definition();
		add.position = column_position();
		commands.emplace_back(std::move(add));
	}

	AlterCommand alter_drop() {
		DropKey drop;
		if (accept("PRIMARY")) {
			expect("KEY");
			drop.kind = DropKeyKind::primary;
			return drop;
		}
		if (accept("INDEX") || accept("KEY"))
			drop.kind = DropKeyKind::index;
		else if (accept("FOREIGN")) {
			expect("KEY");
			drop.kind = DropKeyKind::foreign;
		} else if (accept("CHECK"))
			drop.kind = DropKeyKind::check;
		else if (accept("CONSTRAINT"))
			drop.kind = DropKeyKind::constraint;
		else {
			accept("COLUMN");
			DropColumn column;
			column.if_exists = accept_if_exists();
			column.name = name("a column name");
			accept("RESTRICT") || accept("CASCADE");
			return column;
		}
		drop.if_exists = accept_if_exists();
		drop.name = name("a key or constraint name");
		return drop;
	}

	AlterCommand alter_change(bool is_modify) {
		ChangeColumn change;
		change.is_modify = is_modify;
		accept("COLUMN");
		change.if_exists = accept_if_exists();
		if (!is_modify)
			change.old_name = name("a column name");
		change.column = column_definition();
		if (is_modify)
			change.old_name = change.column.name;
		change.position = column_position();
		return change;
	}

	AlterCommand alter_rename() {
		if (accept("COLUMN")) {
			RenameColumn rename;
			rename.old_name = name("a column name");
			expect("TO");
			rename.new_name = name("a new column name");
			return rename;
		}
		if (accept("INDEX") || accept("KEY")) {
			RenameKey rename;
			rename.old_name = name("an index name");
			expect("TO");
			rename.new_name = name("a new index name");
			return rename;
		}
		accept("TO") || accept("AS") || accept_punct("=");
		return RenameTo{qualified_name("a new table name")};
	}

	AlterCommand alter_alter() {
		if (accept("INDEX") || accept("KEY")) {
			AlterKeyVisibility visibility;
			visibility.name = name("an index name");
			if (accept("INVISIBLE") || accept("IGNORED")) {
				visibility.invisible = true;
			} else if (accept("NOT")) {
				expect("IGNORED");
			} else if (!accept("VISIBLE")) {
				fail("visible or invisible");
			}
			return visibility;
		}
		if (accept("CHECK") || accept("CONSTRAINT")) {
			AlterCheckEnforcement check;
			check.name = name("a constraint name");
			std::optional<bool> enforced = enforcement();
			if (!enforced)
				fail("enforced or not enforced");
			check.enforced = *enforced;
			return check;
		}
		accept("COLUMN");
		std::string column = name("a column name");
		if (accept("SET")) {
			if (accept("DEFAULT"))
				return AlterColumnDefault{column, default_value()};
			if (accept("VISIBLE"))
				return AlterColumnVisibility{column, false};
			if (accept("INVISIBLE"))
				return AlterColumnVisibility{column, true};
			fail("default, visible or invisible");
		}
		if (accept("DROP")) {
			expect("DEFAULT");
			return AlterColumnDefault{column, {}};
		}
		fail("set or drop");
	}

	// ---- other statements -------------------------------------------------------------------------

	Statement drop() {
		std::size_t start = pos_;
		advance();
		bool temporary = accept("TEMPORARY");
		if (accept("TABLE") || accept("TABLES")) {
			DropTable drop;
			drop.temporary = temporary;
			drop.if_exists = accept_if_exists();
			do {
				drop.tables.push_back(qualified_name("a table name"));
			} while (accept_punct(","));
			wait_clause();
			accept("RESTRICT") || accept("CASCADE");
			return drop;
		}
		if (!temporary && accept("INDEX")) {
			DropIndex drop;
			accept("ONLINE") || accept("OFFLINE");
			drop.if_exists = accept_if_exists();
			drop.name = name("an index name");
			expect("ON");
			drop.table = qualified_name("a table name");
			wait_clause();
			index_statement_options(drop.options);
			return drop;
		}
		if (temporary)
			fail("table");
		pos_ = start;
		return unsupported(2);
	}

	void index_statement_options(std::vector<AlterOption> &options) {
		while (peek_keyword("ALGORITHM") || peek_keyword("LOCK"))
			options.push_back(alter_option());
	}

	Statement create_index(bool or_replace) {
		CreateIndex create;
		create.or_replace = or_replace;
		create.key.kind = KeyKind::index;
		while (!accept("INDEX")) {
			if (accept("UNIQUE"))
				create.key.kind = KeyKind::unique;
			else if (accept("FULLTEXT"))
				create.key.kind = KeyKind::fulltext;
			else if (accept("SPATIAL"))
				create.key.kind = KeyKind::spatial;
			else
				advance(); // ONLINE / OFFLINE
		}
		create.if_not_exists = accept_if_not_exists();
		create.key.name = name("an index name");
		index_type(create.key);
		expect("ON");
		create.table = qualified_name("a table name");
		wait_clause();
		key_parts(create.key);
		index_options(create.key);
		index_statement_options(create.options);
		return create;
	}

	Statement truncate() {
		advance();
		accept("TABLE");
		TruncateTable truncate;
		truncate.table = qualified_name("a table name");
		wait_clause();
		return truncate;
	}

	Statement rename_table() {
		pos_ += 2;
		RenameTable rename;
		accept_if_exists();
		do {
			TableRename pair;
			pair.from = qualified_name("a table name");
			wait_clause();
			expect("TO");
			pair.to = qualified_name("a new table name");
			rename.renames.push_back(std::move(pair));
		} while (accept_punct(","));
		return rename;
	}

	std::string_view sql_;
	std::vector<Token> tokens_;
	std::size_t pos_ = 0;
};

bool
is_word(const Token &token, std::initializer_list<std::string_view> candidates) {
	return token.kind == TokenKind::word && one_of(token.text, candidates);
}

// A CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT whose body is a BEGIN ... END block containing ';'.
bool
starts_compound_program(const std::vector<Token> &tokens, std::size_t first) {
	if (!is_word(tokens[first], {"CREATE"}))
		return false;
	bool program = false;
	for (std::size_t i = first + 1; i < tokens.size(); ++i) {
		const Token &token = tokens[i];
		if (token.kind == TokenKind::end || (token.kind == TokenKind::punctuation && token.text == ";"))
			return false;
		if (!program && is_word(token, {"TABLE", "INDEX", "VIEW"}))
			return false;
		if (is_word(token, {"TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"}))
			program = true;
		else if (program && is_word(token, {"BEGIN"}))
			return true;
	}
	return false;
}

// Splits the token stream on top-level ';' into statements, each terminated by an end token. A stored
// program with a BEGIN ... END body runs to the end of the input (a binlog QUERY event holds one statement).
std::vector<std::vector<Token>>
split_statements(std::vector<Token> tokens) {
	std::vector<std::vector<Token>> statements;
	std::vector<Token> statement;
	bool compound = false;
	for (std::size_t i = 0; i < tokens.size(); ++i) {
		Token &token = tokens[i];
		if (statement.empty())
			compound = starts_compound_program(tokens, i);
		bool separator = !compound && token.kind == TokenKind::punctuation && token.text == ";";
		if (separator || token.kind == TokenKind::end) {
			if (!statement.empty()) {
				Token end;
				end.kind = TokenKind::end;
				end.offset = end.end = token.offset;
				statement.push_back(end);
				statements.push_back(std::move(statement));
				statement.clear();
			}
			continue;
		}
		statement.push_back(std::move(token));
	}
	return statements;
}

} // namespace

std::vector<Statement>
parse(std::string_view sql, const ParseOptions &options) {
	std::vector<Statement> result;
	for (std::vector<Token> &tokens : split_statements(tokenize(sql, options)))
		result.push_back(Parser(sql, std::move(tokens)).statement());
	return result;
}

Statement
parse_one(std::string_view sql, const ParseOptions &options) {
	std::vector<std::vector<Token>> statements = split_statements(tokenize(sql, options));
	if (statements.empty())
		throw ParseError("empty statement at offset 0, expected a statement", 0);
	if (statements.size() > 1) {
		std::size_t offset = statements[1].front().offset;
		throw ParseError("unexpected \"" + statements[1].front().text + "\" at offset " +
							 std::to_string(offset) + ", expected a single statement",
						 offset);
	}
	return Parser(sql, std::move(statements.front())).statement();
}

} // namespace chameleon::ddl
