// Tokeniser for MySQL/MariaDB statements (see lexer.hpp).
#include "ddl/lexer.hpp"

#include <cctype>

namespace chameleon::ddl {

namespace {

bool
is_word_char(char c) {
	unsigned char u = static_cast<unsigned char>(c);
	return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

bool
is_digit(char c) {
	return c >= '0' && c <= '9';
}

std::string
describe(std::string_view sql, std::size_t offset) {
	return "offset " + std::to_string(offset) + " (near \"" + std::string(sql.substr(offset, 20)) + "\")";
}

class Lexer {
  public:
	Lexer(std::string_view sql, const LexerOptions &options) : sql_(sql), options_(options) {}

	std::vector<Token> run() {
		while (true) {
			skip_blanks_and_comments();
			if (pos_ >= sql_.size())
				break;
			lex_token();
		}
		if (in_versioned_comment_)
			throw ParseError("unterminated versioned comment starting at " + describe(sql_, versioned_start_),
							 versioned_start_);
		Token end;
		end.kind = TokenKind::end;
		end.offset = end.end = sql_.size();
		tokens_.push_back(end);
		return std::move(tokens_);
	}

  private:
	char peek(std::size_t ahead = 0) const { return pos_ + ahead < sql_.size() ? sql_[pos_ + ahead] : '\0'; }

	void skip_blanks_and_comments() {
		while (pos_ < sql_.size()) {
			char c = sql_[pos_];
			if (std::isspace(static_cast<unsigned char>(c))) {
				++pos_;
			} else if (c == '#') { // NOLINT(bugprone-branch-clone): '#' and '-- ' comments apart
				skip_to_line_end();
			} else if (c == '-' && peek(1) == '-' &&
					   (pos_ + 2 >= sql_.size() || std::isspace(static_cast<unsigned char>(peek(2))) ||
						std::iscntrl(static_cast<unsigned char>(peek(2))))) {
				skip_to_line_end();
			} else if (c == '/' && peek(1) == '*') {
				open_comment();
			} else if (c == '*' && peek(1) == '/' && in_versioned_comment_) {
				in_versioned_comment_ = false;
				pos_ += 2;
			} else {
				return;
			}
		}
	}

	bool executed(unsigned long version, bool mariadb_only) const {
		constexpr unsigned long never_executed = 999999;
		constexpr unsigned long first_mariadb_version = 100000;
		if (version >= never_executed)
			return false;
		if (options_.server_version == 0)
			return true;
		if (mariadb_only && options_.server_version < first_mariadb_version)
			return false;
		return version <= options_.server_version;
	}

	void skip_to_line_end() {
		while (pos_ < sql_.size() && sql_[pos_] != '\n')
			++pos_;
	}

	void open_comment() {
		std::size_t start = pos_;
		bool versioned = peek(2) == '!' || ((peek(2) == 'M' || peek(2) == 'm') && peek(3) == '!');
		if (versioned && !in_versioned_comment_) {
			bool mariadb_only = peek(2) != '!';
			pos_ += mariadb_only ? 4 : 3;
			unsigned long version = 0;
			for (int digits = 0; digits < 6 && is_digit(peek()); ++digits, ++pos_)
				version = version * 10 + static_cast<unsigned long>(peek() - '0');
			if (executed(version, mariadb_only)) {
				in_versioned_comment_ = true;
				versioned_start_ = start;
				return;
			}
		}
		std::size_t close = sql_.find("*/", pos_ + 2);
		if (close == std::string_view::npos)
			throw ParseError("unterminated comment starting at " + describe(sql_, start), start);
		pos_ = close + 2;
	}

	void push(TokenKind kind, std::string text, std::size_t start, std::string introducer = {}) {
		Token token;
		token.kind = kind;
		token.text = std::move(text);
		token.offset = start;
		token.end = pos_;
		token.introducer = std::move(introducer);
		tokens_.push_back(std::move(token));
	}

	bool follows_dot(std::size_t start) const {
		return !tokens_.empty() && tokens_.back().kind == TokenKind::punctuation &&
			   tokens_.back().text == "." && tokens_.back().end == start;
	}

	bool follows_name(std::size_t start) const {
		return !tokens_.empty() && tokens_.back().end == start &&
			   (tokens_.back().kind == TokenKind::word ||
				tokens_.back().kind == TokenKind::quoted_identifier);
	}

	void lex_token() {
		std::size_t start = pos_;
		char c = sql_[pos_];
		if (c == '\'' || (c == '"' && !options_.ansi_quotes)) {
			push(TokenKind::string, read_quoted(c), start);
		} else if (c == '`' || c == '"') {
			push(TokenKind::quoted_identifier, read_quoted(c), start);
		} else if (is_digit(c) && !follows_dot(start)) { // NOLINT(bugprone-branch-clone): as ".5" below
			lex_number_or_word(start);
		} else if (c == '.' && is_digit(peek(1)) && !follows_name(start)) {
			lex_number_or_word(start);
		} else if (is_word_char(c)) {
			lex_word(start);
		} else {
			lex_punctuation(start);
		}
	}

	void lex_word(std::size_t start) {
		while (pos_ < sql_.size() && is_word_char(sql_[pos_]))
			++pos_;
		std::string word(sql_.substr(start, pos_ - start));
		char next = peek();
		bool quote_follows = next == '\'' || (next == '"' && !options_.ansi_quotes);
		if (quote_follows && word.size() > 1 && word[0] == '_') {
			std::string introducer = word.substr(1);
			for (char &ch : introducer)
				ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
			push(TokenKind::string, read_quoted(next), start, introducer);
		} else if (next == '\'' && word.size() == 1 && (word == "n" || word == "N")) {
			push(TokenKind::string, read_quoted(next), start, "n");
		} else if (next == '\'' && word.size() == 1 &&
				   (word == "x" || word == "X" || word == "b" || word == "B")) {
			read_quoted(next);
			bool hex = word == "x" || word == "X";
			push(hex ? TokenKind::hex_literal : TokenKind::bit_literal,
				 std::string(sql_.substr(start, pos_ - start)), start);
		} else {
			push(TokenKind::word, std::move(word), start);
		}
	}

	void lex_number_or_word(std::size_t start) {
		if (sql_[pos_] == '0' && (peek(1) == 'x' || peek(1) == 'b')) {
			bool hex = peek(1) == 'x';
			std::size_t end = pos_ + 2;
			while (end < sql_.size() && (hex ? std::isxdigit(static_cast<unsigned char>(sql_[end]))
											 : (sql_[end] == '0' || sql_[end] == '1')))
				++end;
			if (end > pos_ + 2 && (end >= sql_.size() || !is_word_char(sql_[end]))) {
				pos_ = end;
				push(hex ? TokenKind::hex_literal : TokenKind::bit_literal,
					 std::string(sql_.substr(start, pos_ - start)), start);
				return;
			}
		}
		std::size_t end = pos_;
		while (end < sql_.size() && is_digit(sql_[end]))
			++end;
		if (end < sql_.size() && sql_[end] == '.') {
			++end;
			while (end < sql_.size() && is_digit(sql_[end]))
				++end;
		}
		if (end < sql_.size() && (sql_[end] == 'e' || sql_[end] == 'E')) {
			std::size_t exponent = end + 1;
			if (exponent < sql_.size() && (sql_[exponent] == '+' || sql_[exponent] == '-'))
				++exponent;
			if (exponent < sql_.size() && is_digit(sql_[exponent])) {
				while (exponent < sql_.size() && is_digit(sql_[exponent]))
					++exponent;
				end = exponent;
			}
		}
		if (end < sql_.size() && is_word_char(sql_[end]) && sql_[start] != '.') {
			lex_word(start); // MySQL identifiers may begin with digits: 1col
			return;
		}
		pos_ = end;
		push(TokenKind::number, std::string(sql_.substr(start, pos_ - start)), start);
	}

	void lex_punctuation(std::size_t start) {
		static const char *const multi[] = {
			"<=>", "->>", "<=", ">=", "<>", "!=", "||", "&&", "<<", ">>", ":=", "->"};
		for (const char *op : multi) {
			std::string_view candidate(op);
			if (sql_.substr(pos_, candidate.size()) == candidate) {
				pos_ += candidate.size();
				push(TokenKind::punctuation, std::string(candidate), start);
				return;
			}
		}
		++pos_;
		push(TokenKind::punctuation, std::string(1, sql_[start]), start);
	}

	// Reads a quoted string or identifier starting at pos_ (the opening quote); returns it unescaped.
	std::string read_quoted(char quote) {
		std::size_t start = pos_;
		bool backslash_escapes = quote != '`' && !options_.no_backslash_escapes;
		std::string text;
		++pos_;
		while (pos_ < sql_.size()) {
			char c = sql_[pos_];
			if (c == quote) {
				if (peek(1) == quote) {
					text += quote;
					pos_ += 2;
					continue;
				}
				++pos_;
				return text;
			}
			if (c == '\\' && backslash_escapes && pos_ + 1 < sql_.size()) {
				text += unescape(sql_[pos_ + 1]);
				pos_ += 2;
				continue;
			}
			text += c;
			++pos_;
		}
		const char *what = quote == '`' ? "identifier" : "string";
		throw ParseError(std::string("unterminated quoted ") + what + " starting at " + describe(sql_, start),
						 start);
	}

	static std::string unescape(char c) {
		switch (c) {
		case '0':
			return std::string(1, '\0');
		case 'b':
			return "\b";
		case 'n':
			return "\n";
		case 'r':
			return "\r";
		case 't':
			return "\t";
		case 'Z':
			return "\x1a";
		case '%':
			return "\\%";
		case '_':
			return "\\_";
		default:
			return std::string(1, c);
		}
	}

	std::string_view sql_;
	LexerOptions options_;
	std::size_t pos_ = 0;
	bool in_versioned_comment_ = false;
	std::size_t versioned_start_ = 0;
	std::vector<Token> tokens_;
};

} // namespace

std::vector<Token>
tokenize(std::string_view sql, const LexerOptions &options) {
	return Lexer(sql, options).run();
}

} // namespace chameleon::ddl
