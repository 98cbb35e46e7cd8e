// Unit tests of the DDL tokeniser: quoting, literals, comments and versioned comments.
#include "ddl/lexer.hpp"

#include <catch2/catch.hpp>

using namespace chameleon::ddl;

namespace {

std::vector<std::string>
texts(const std::vector<Token> &tokens) {
	std::vector<std::string> result;
	for (const Token &token : tokens)
		if (token.kind != TokenKind::end)
			result.push_back(token.text);
	return result;
}

} // namespace

TEST_CASE("quoted identifiers and strings are unescaped", "[ddl][lexer]") {
	auto tokens = tokenize(R"(`a``b` 'it''s' 'x\'y\n' "dq\"x" `s`.`t`)");
	REQUIRE(tokens.size() == 8);
	CHECK(tokens[0].kind == TokenKind::quoted_identifier);
	CHECK(tokens[0].text == "a`b");
	CHECK(tokens[1].kind == TokenKind::string);
	CHECK(tokens[1].text == "it's");
	CHECK(tokens[2].text == "x'y\n");
	CHECK(tokens[3].kind == TokenKind::string);
	CHECK(tokens[3].text == "dq\"x");
	CHECK(texts(tokens) == std::vector<std::string>{"a`b", "it's", "x'y\n", "dq\"x", "s", ".", "t"});
}

TEST_CASE("sql_mode flags change quoting", "[ddl][lexer]") {
	LexerOptions ansi;
	ansi.ansi_quotes = true;
	auto tokens = tokenize(R"("col" 'a\b')", ansi);
	CHECK(tokens[0].kind == TokenKind::quoted_identifier);
	CHECK(tokens[1].text == "a\b");
	LexerOptions raw;
	raw.no_backslash_escapes = true;
	CHECK(tokenize(R"('a\')", raw)[0].text == "a\\");
}

TEST_CASE("literals: introducers, hex, bit, numbers", "[ddl][lexer]") {
	auto tokens = tokenize("_utf8mb4'x' N'y' X'1F' x'ab' 0x1F b'01' 0b101 12 1.5 .5 1e10 2.5E-3 1col");
	CHECK(tokens[0].kind == TokenKind::string);
	CHECK(tokens[0].introducer == "utf8mb4");
	CHECK(tokens[1].introducer == "n");
	CHECK(tokens[2].kind == TokenKind::hex_literal);
	CHECK(tokens[2].text == "X'1F'");
	CHECK(tokens[3].kind == TokenKind::hex_literal);
	CHECK(tokens[4].kind == TokenKind::hex_literal);
	CHECK(tokens[5].kind == TokenKind::bit_literal);
	CHECK(tokens[6].kind == TokenKind::bit_literal);
	for (int i = 7; i <= 11; ++i)
		CHECK(tokens[i].kind == TokenKind::number);
	CHECK(tokens[11].text == "2.5E-3");
	CHECK(tokens[12].kind == TokenKind::word);
	CHECK(tokens[12].text == "1col");
}

TEST_CASE("digits after a dot are a name, not a number", "[ddl][lexer]") {
	CHECK(texts(tokenize("db.1t")) == std::vector<std::string>{"db", ".", "1t"});
}

TEST_CASE("comments are skipped, versioned comments are read", "[ddl][lexer]") {
	auto tokens = tokenize("a # line\n b -- line\n c /* block */ d /*!50100 e */ f /*M!100101 g*/ --x");
	CHECK(texts(tokens) == std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "-", "-", "x"});
}

TEST_CASE("versioned comments follow the server version", "[ddl][lexer]") {
	LexerOptions mysql57;
	mysql57.server_version = 50744;
	CHECK(texts(tokenize("a /*!80003 SRID 0 */ b /*M!100101 c */ /*!50100 d */", mysql57)) ==
		  std::vector<std::string>{"a", "b", "d"});
	LexerOptions mariadb;
	mariadb.server_version = 100611;
	CHECK(texts(tokenize("/*M!100101 c */ /*!80003 x */", mariadb)) == std::vector<std::string>{"c", "x"});
	CHECK(tokenize("/*M!999999\\- enable the sandbox mode */").size() == 1);
}

TEST_CASE("offsets point into the input", "[ddl][lexer]") {
	auto tokens = tokenize("  CREATE  `t`");
	CHECK(tokens[0].offset == 2);
	CHECK(tokens[0].end == 8);
	CHECK(tokens[1].offset == 10);
	CHECK(tokens[2].kind == TokenKind::end);
	CHECK(tokens[2].offset == 13);
}

TEST_CASE("unterminated tokens raise ParseError with their offset", "[ddl][lexer]") {
	auto offset_of = [](const char *sql) {
		try {
			tokenize(sql);
		} catch (const ParseError &error) {
			return static_cast<long>(error.offset());
		}
		return -1L;
	};
	CHECK(offset_of("a 'abc") == 2);
	CHECK(offset_of("a `abc") == 2);
	CHECK(offset_of("a /* abc") == 2);
	CHECK(offset_of("a /*!50100 abc") == 2);
	CHECK(offset_of("'a\\'") == 0);
	CHECK_THROWS_WITH(tokenize("x 'abc"),
					  Catch::Contains("unterminated quoted string") && Catch::Contains("offset 2"));
}
