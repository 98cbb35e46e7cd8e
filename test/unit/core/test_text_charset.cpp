// Catch2 tests of the text conversion shared by the initial copy and the replay (core/text_charset)
// and of its use by the value conversions (core/value_text).
#include <catch2/catch.hpp>

#include "core/text_charset.hpp"
#include "core/value_text.hpp"

using namespace chameleon::core;
using namespace std::string_literals;

namespace {

// append_utf8's result: the converted text, or "!" and the problem.
std::string
convert(TextCharset charset, const std::string &bytes) {
	std::string out = "prefix:", problem;
	if (!append_utf8(charset, bytes, out, &problem)) {
		CHECK(out == "prefix:");
		return "!" + problem;
	}
	return out.substr(7);
}

} // namespace

TEST_CASE("UTF-8 is checked as PostgreSQL checks it", "[text_charset]") {
	CHECK(convert(TextCharset::utf8, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	CHECK(convert(TextCharset::utf8, "a\0b"s) == "a\0b"s); // NUL is left to strip_nul
	CHECK(convert(TextCharset::utf8, "caf\xe9") == "!not valid utf8mb4 text: byte 0xe9 at offset 3");
	CHECK(convert(TextCharset::utf8, "\xed\xa0\x80") ==
		  "!not valid utf8mb4 text: byte 0xed at offset 0");					 // surrogate
	CHECK(convert(TextCharset::utf8, "\xed\x9f\xbf") == "\xed\x9f\xbf");		 // U+D7FF
	CHECK(convert(TextCharset::utf8, "\xc0\x80").substr(0, 1) == "!");			 // overlong
	CHECK(convert(TextCharset::utf8, "\xe0\x80\xaf").substr(0, 1) == "!");		 // overlong
	CHECK(convert(TextCharset::utf8, "\xf4\x90\x80\x80").substr(0, 1) == "!");	 // above U+10FFFF
	CHECK(convert(TextCharset::utf8, "\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf"); // U+10FFFF
	CHECK(convert(TextCharset::utf8, "ab\xc3") == "!not valid utf8mb4 text: byte 0xc3 at offset 2"); // cut
	CHECK(convert(TextCharset::utf8, "\xe2\x82z").substr(0, 1) == "!");
}

TEST_CASE("latin1 is MySQL's (Windows-1252) and every byte converts", "[text_charset]") {
	CHECK(convert(TextCharset::latin1, "caf\xe9") == "caf\xc3\xa9");
	CHECK(convert(TextCharset::latin1, "\x80\x81\x9f\xa0\xff") ==
		  "\xe2\x82\xac\xc2\x81\xc5\xb8\xc2\xa0\xc3\xbf");
}

TEST_CASE("ascii and character sets the replica does not convert accept 7-bit text only", "[text_charset]") {
	CHECK(convert(TextCharset::ascii, "plain") == "plain");
	CHECK(convert(TextCharset::ascii, "\xe9") == "!not valid ascii text: byte 0xe9 at offset 0");
	CHECK(convert(TextCharset::other, "plain") == "plain");
	CHECK(convert(TextCharset::other, "x\xb1") ==
		  "!text in a character set the replica does not convert: byte 0xb1 at offset 1");
	CHECK(charset_by_name("dec8") == TextCharset::other);
	CHECK(convert(TextCharset::none, "\xff") == "\xff");
}

TEST_CASE("other character sets are converted as MySQL stores them", "[text_charset]") {
	CHECK(convert(charset_by_name("latin2"), "\xb1\xe6") == "\xc4\x85\xc4\x87");			  // ąć
	CHECK(convert(charset_by_name("cp1251"), "\xc6\xe8\xe2") == "\xd0\x96\xd0\xb8\xd0\xb2");  // Жив
	CHECK(convert(charset_by_name("koi8r"), "\xf6") == "\xd0\x96");							  // Ж
	CHECK(convert(charset_by_name("greek"), "\xe1") == "\xce\xb1");							  // α
	CHECK(convert(charset_by_name("gbk"), "\xd6\xd0\xce\xc4") == "\xe4\xb8\xad\xe6\x96\x87"); // 中文
	CHECK(convert(charset_by_name("sjis"), "\x82\xa0") == "\xe3\x81\x82");					  // あ
	CHECK(convert(charset_by_name("ucs2"), "\x00\x41\x00\xe9"s) == "A\xc3\xa9");
	CHECK(convert(charset_by_name("utf16le"), "\x41\x00"s) == "A");
	CHECK(convert(charset_by_name("utf32"), "\x00\x01\xf6\x00"s) == "\xf0\x9f\x98\x80"); // 😀
	CHECK(convert(charset_by_name("latin2"), "") == "");
	// bytes the character set does not have: the row is refused, as the copy refuses it
	CHECK(convert(charset_by_name("gbk"), "ab\xd6") == "!not valid gbk text: byte 0xd6 at offset 2");
	CHECK(convert(charset_by_name("utf16"), "\xd8\x00"s) == "!not valid utf16 text: byte 0xd8 at offset 0");
	// even 7-bit bytes go through the conversion (they are not ASCII in ucs2)
	CHECK_FALSE(passes_unchanged(charset_by_name("latin2"), "abc"));
	ValueOptions cp1251;
	cp1251.text_charset = charset_by_name("cp1251");
	std::string out, scratch;
	CHECK(append_copy_field(ValueForm::AsIs, "\xc6\t"s, out, scratch, cp1251) == ValueStatus::Ok);
	CHECK(out == "\xd0\x96\\t");
}

TEST_CASE("character sets by name and by collation id", "[text_charset]") {
	CHECK(charset_by_name("utf8mb4") == TextCharset::utf8);
	CHECK(charset_by_name("utf8mb3") == TextCharset::utf8);
	CHECK(charset_by_name("utf8") == TextCharset::utf8);
	CHECK(charset_by_name("latin1") == TextCharset::latin1);
	CHECK(charset_by_name("ascii") == TextCharset::ascii);
	CHECK(charset_by_name("latin2") == TextCharset::converted);
	CHECK(charset_by_name("binary") == TextCharset::none);
	CHECK(charset_by_name("") == TextCharset::none);
	CHECK(charset_by_collation(8) == TextCharset::latin1);	  // latin1_swedish_ci
	CHECK(charset_by_collation(1032) == TextCharset::latin1); // MariaDB latin1_swedish_nopad_ci
	CHECK(charset_by_collation(45) == TextCharset::utf8);	  // utf8mb4_general_ci
	CHECK(charset_by_collation(255) == TextCharset::utf8);	  // utf8mb4_0900_ai_ci
	CHECK(charset_by_collation(33) == TextCharset::utf8);	  // utf8mb3_general_ci
	CHECK(charset_by_collation(11) == TextCharset::ascii);	  // ascii_general_ci
	CHECK(charset_by_collation(63) == TextCharset::none);	  // binary
	CHECK(charset_by_collation(0) == TextCharset::none);	  // not in the binlog
	CHECK(charset_by_collation(9) == TextCharset::none);	  // latin2: the layout's name decides
	CHECK(is_character_type("varchar"));
	CHECK(is_character_type("longtext"));
	CHECK_FALSE(is_character_type("varbinary"));
	CHECK_FALSE(is_character_type("enum"));
}

TEST_CASE("readable text keeps UTF-8 and shows other bytes as \\xNN", "[text_charset]") {
	std::string out;
	append_readable("caf\xc3\xa9 caf\xe9 \xed\xa0\x80", out);
	CHECK(out == "caf\xc3\xa9 caf\\xe9 \\xed\\xa0\\x80");
}

TEST_CASE("value conversions apply the text charset of text values", "[text_charset][value_text]") {
	ValueOptions latin1;
	latin1.text_charset = TextCharset::latin1;
	std::string out;
	CHECK(to_pg_text(ValueForm::AsIs, "caf\xe9", out, latin1) == ValueStatus::Ok);
	CHECK(out == "caf\xc3\xa9");
	ValueOptions utf8;
	utf8.text_charset = TextCharset::utf8;
	out.clear();
	CHECK(to_pg_text(ValueForm::AsIs, "caf\xe9", out, utf8) == ValueStatus::InvalidText);
	CHECK(out.empty());
	std::string scratch;
	CHECK(append_copy_field(ValueForm::AsIs, "caf\xe9\t"s, out, scratch, latin1) == ValueStatus::Ok);
	CHECK(out == "caf\xc3\xa9\\t");
	out.clear();
	CHECK(append_copy_field(ValueForm::AsIs, "caf\xe9"s, out, scratch, utf8) == ValueStatus::InvalidText);
	CHECK(append_copy_field(ValueForm::Json, "{\"a\": \"\xff\"}"s, out, scratch, utf8) ==
		  ValueStatus::InvalidText);
	out.clear();
	CHECK(append_copy_field(ValueForm::AsIs, "caf\xc3\xa9\n"s, out, scratch, utf8) == ValueStatus::Ok);
	CHECK(out == "caf\xc3\xa9\\n");
	// numbers and other forms are not text: no check
	out.clear();
	CHECK(to_pg_text(ValueForm::Bytea, "\xff", out, utf8) == ValueStatus::Ok);
}
