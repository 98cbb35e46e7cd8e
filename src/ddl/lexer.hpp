// Tokeniser for MySQL/MariaDB statements: quoting, literals, comments and versioned comments
// (/*!NNNNN ... */ and /*M!NNNNNN ... */ whose content is read as SQL).
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::ddl {

// Raised for any statement the lexer or parser cannot read; the message names the token and its offset.
class ParseError : public std::runtime_error {
  public:
	ParseError(const std::string &message, std::size_t offset)
		: std::runtime_error(message), offset_(offset) {}
	std::size_t offset() const { return offset_; }

  private:
	std::size_t offset_;
};

struct LexerOptions {
	bool ansi_quotes = false;		   // sql_mode ANSI_QUOTES: "x" is an identifier
	bool no_backslash_escapes = false; // sql_mode NO_BACKSLASH_ESCAPES
	// Version of the server that wrote the statement (MySQL 8.0.36: 80036, MariaDB 10.6.12: 100612), 0 when
	// unknown. Versioned comments newer than it are plain comments; when unknown they are all read as SQL,
	// except MariaDB's never-executed /*M!999999 ... */ sentinel. /*M!...*/ is plain comment for MySQL (<
	// 100000).
	unsigned long server_version = 0;
};

enum class TokenKind {
	word,			   // unquoted identifier or keyword; text as written
	quoted_identifier, // `name` (or "name" under ANSI_QUOTES); text unescaped
	string,			   // 'text' or "text"; text unescaped, introducer holds _charset / N
	number,			   // 12, 1.5, .5e3 (no sign)
	hex_literal,	   // 0x1F, X'1F'; text as written
	bit_literal,	   // b'01', 0b01; text as written
	punctuation,	   // one or more operator characters: ( ) , ; . = <= ...
	end,
};

struct Token {
	TokenKind kind = TokenKind::end;
	std::string text;
	std::size_t offset = 0; // byte offset of the token's first character in the input
	std::size_t end = 0;	// byte offset just past its last character
	std::string introducer; // strings only: "utf8mb4" for _utf8mb4'x', "n" for N'x'
};

// Tokenises the whole input; the last token is always of kind end.
std::vector<Token> tokenize(std::string_view sql, const LexerOptions &options = {});

} // namespace chameleon::ddl
