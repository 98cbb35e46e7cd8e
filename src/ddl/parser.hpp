// Entry points of the MySQL/MariaDB table DDL parser: statements in, AST (ast.hpp) out.
#pragma once
#include "ddl/ast.hpp"
#include "ddl/lexer.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace chameleon::ddl {

// sql_mode flags of the QUERY event that change how the statement is tokenised.
using ParseOptions = LexerOptions;

// Splits sql on top-level ';' (quotes and comments respected) and parses each non-empty statement.
// Throws ParseError for table DDL it cannot read; other statements come back as Unsupported.
std::vector<Statement> parse(std::string_view sql, const ParseOptions &options = {});

// Parses exactly one statement (a trailing ';' is allowed).
Statement parse_one(std::string_view sql, const ParseOptions &options = {});

enum class ColumnTypeStyle {
	legacy, // MySQL <= 8.0.18 and MariaDB: integer display widths always shown (int(11)), year(4)
	mysql80 // MySQL >= 8.0.19: integer widths only for tinyint(1) and zerofill, year
};

// Rebuilds information_schema.COLUMNS.COLUMN_TYPE from a parsed column (e.g. "int(10) unsigned").
std::string format_column_type(const Column &column, ColumnTypeStyle style = ColumnTypeStyle::legacy);

} // namespace chameleon::ddl
