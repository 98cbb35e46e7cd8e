// MySQL text -> UTF-8 (see text_charset.hpp).
#include "core/text_charset.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include <iconv.h>

namespace chameleon::core {

namespace {

// The length of the valid UTF-8 sequence at text[i], 0 when it is not one (RFC 3629, as
// PostgreSQL's pg_utf8_islegal: no overlong form, no surrogate, nothing above U+10FFFF).
std::size_t
utf8_sequence(std::string_view text, std::size_t i) {
	auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
	unsigned char b = byte(i);
	if (b < 0x80)
		return 1;
	std::size_t length = b >= 0xC2 && b <= 0xDF	  ? 2
						 : b >= 0xE0 && b <= 0xEF ? 3
						 : b >= 0xF0 && b <= 0xF4 ? 4
												  : 0;
	if (length == 0 || i + length > text.size())
		return 0;
	unsigned char second = byte(i + 1);
	unsigned char low = 0x80, high = 0xBF;
	if (b == 0xE0)
		low = 0xA0;
	else if (b == 0xED)
		high = 0x9F;
	else if (b == 0xF0)
		low = 0x90;
	else if (b == 0xF4)
		high = 0x8F;
	if (second < low || second > high)
		return 0;
	for (std::size_t k = 2; k < length; ++k)
		if ((byte(i + k) & 0xC0) != 0x80)
			return 0;
	return length;
}

// Offset of the first byte that is not valid text in charset, or npos.
std::size_t
first_invalid(TextCharset charset, std::string_view bytes) {
	for (std::size_t i = 0; i < bytes.size();) {
		auto b = static_cast<unsigned char>(bytes[i]);
		if (b < 0x80) {
			++i;
			continue;
		}
		if (charset != TextCharset::utf8)
			return i; // ascii, other; and converted ones are never passed unchanged (see below)
		std::size_t length = utf8_sequence(bytes, i);
		if (length == 0)
			return i;
		i += length;
	}
	return std::string_view::npos;
}

// Windows-1252 0x80-0x9F as MySQL's latin1 reads them.
constexpr std::uint16_t latin1_c1[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
										 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
										 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
										 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void
append_code_point(std::uint32_t c, std::string &out) {
	if (c < 0x80) {
		out += static_cast<char>(c);
	} else if (c < 0x800) {
		out += static_cast<char>(0xC0 | (c >> 6));
		out += static_cast<char>(0x80 | (c & 0x3F));
	} else {
		out += static_cast<char>(0xE0 | (c >> 12));
		out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (c & 0x3F));
	}
}

std::string
charset_problem(TextCharset charset, std::string_view bytes, std::size_t bad) {
	char where[48];
	std::snprintf(where, sizeof where, "byte 0x%02x at offset %zu", static_cast<unsigned char>(bytes[bad]),
				  bad);
	if (charset == TextCharset::other)
		return std::string("text in a character set the replica does not convert: ") + where;
	if (charset == TextCharset::converted)
		return std::string("not valid ") + charset.mysql_name + " text: " + where;
	return std::string("not valid ") + (charset == TextCharset::ascii ? "ascii" : "utf8mb4") +
		   " text: " + where;
}

// MySQL's character sets that are neither UTF-8, latin1 nor ascii, by the names glibc's iconv knows
// them by (MySQL's ucs2, utf16 and utf32 are big-endian). The few MySQL has and glibc lacks (dec8,
// hp8, keybcs2, macce, swe7, geostd8) stay "other".
struct IconvName {
	const char *mysql;
	const char *iconv;
};
constexpr IconvName iconv_names[] = {
	{"armscii8", "ARMSCII-8"}, {"big5", "BIG5"},
	{"cp1250", "CP1250"},	   {"cp1251", "CP1251"},
	{"cp1256", "CP1256"},	   {"cp1257", "CP1257"},
	{"cp850", "IBM850"},	   {"cp852", "IBM852"},
	{"cp866", "IBM866"},	   {"cp932", "CP932"},
	{"eucjpms", "EUC-JP-MS"},  {"euckr", "EUC-KR"},
	{"gb2312", "EUC-CN"},	   {"gbk", "GBK"},
	{"gb18030", "GB18030"},	   {"greek", "ISO-8859-7"},
	{"hebrew", "ISO-8859-8"},  {"koi8r", "KOI8-R"},
	{"koi8u", "KOI8-U"},	   {"latin2", "ISO-8859-2"},
	{"latin5", "ISO-8859-9"},  {"latin7", "ISO-8859-13"},
	{"macroman", "MACINTOSH"}, {"sjis", "SHIFT_JIS"},
	{"tis620", "TIS-620"},	   {"ucs2", "UCS-2BE"},
	{"ujis", "EUC-JP"},		   {"utf16", "UTF-16BE"},
	{"utf16le", "UTF-16LE"},   {"utf32", "UTF-32BE"},
};

// One iconv descriptor per character set and thread (the copy converts in its reader thread),
// opened on first use and kept: opening one loads a conversion module.
iconv_t
descriptor(const char *iconv_name) {
	thread_local std::map<std::string, iconv_t> open;
	auto found = open.find(iconv_name);
	if (found != open.end())
		return found->second;
	iconv_t cd = iconv_open("UTF-8", iconv_name);
	open.emplace(iconv_name, cd);
	return cd;
}

// Converts with iconv; the offset of the first byte it refuses, or npos when all converted.
std::size_t
convert_with_iconv(TextCharset charset, std::string_view bytes, std::string &out) {
	if (bytes.empty())
		return std::string_view::npos;
	iconv_t cd = descriptor(charset.iconv_name);
	if (cd == reinterpret_cast<iconv_t>(-1))
		return 0;
	iconv(cd, nullptr, nullptr, nullptr, nullptr); // back to the initial shift state
	std::size_t start = out.size();
	char *in = const_cast<char *>(bytes.data()); // iconv's interface; it does not write there
	std::size_t in_left = bytes.size();
	while (in_left > 0) {
		std::size_t used = out.size();
		out.resize(used + in_left * 4 + 16);
		char *to = out.data() + used;
		std::size_t to_left = out.size() - used;
		std::size_t result = iconv(cd, &in, &in_left, &to, &to_left);
		out.resize(out.size() - to_left);
		if (result == static_cast<std::size_t>(-1) && errno != E2BIG) {
			std::size_t bad = bytes.size() - in_left;
			out.resize(start);
			return bad;
		}
	}
	return std::string_view::npos;
}

} // namespace

bool
is_character_type(std::string_view data_type) {
	for (const char *type : {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"})
		if (data_type == type)
			return true;
	return false;
}

TextCharset
charset_by_name(std::string_view name) {
	if (name.empty() || name == "binary")
		return TextCharset::none;
	if (name == "utf8mb4" || name == "utf8mb3" || name == "utf8")
		return TextCharset::utf8;
	if (name == "latin1")
		return TextCharset::latin1;
	if (name == "ascii")
		return TextCharset::ascii;
	for (const IconvName &known : iconv_names)
		if (name == known.mysql)
			return {TextCharset::converted, known.mysql, known.iconv};
	return TextCharset::other;
}

TextCharset
charset_by_collation(std::uint32_t id) {
	if (id >= 1024 && id < 2048)
		id -= 1024; // MariaDB's NO PAD collations
	switch (id) {
	case 5:
	case 8:
	case 15:
	case 31:
	case 47:
	case 48:
	case 49:
	case 94:
		return TextCharset::latin1;
	case 11:
	case 65:
		return TextCharset::ascii;
	case 33:
	case 45:
	case 46:
	case 76:
	case 83:
	case 223:
		return TextCharset::utf8;
	default:
		break;
	}
	if ((id >= 192 && id <= 247) || (id >= 255 && id <= 323))
		return TextCharset::utf8; // utf8mb3 and utf8mb4 UCA collations
	return TextCharset::none;
}

bool
passes_unchanged(TextCharset charset, std::string_view bytes) {
	if (charset == TextCharset::converted)
		return false; // even 7-bit bytes are not ASCII in ucs2 or utf16
	return charset == TextCharset::none || first_invalid(charset, bytes) == std::string_view::npos;
}

bool
append_utf8(TextCharset charset, std::string_view bytes, std::string &out, std::string *problem) {
	if (charset == TextCharset::latin1) {
		for (char c : bytes) {
			auto b = static_cast<unsigned char>(c);
			append_code_point(b >= 0x80 && b < 0xA0 ? latin1_c1[b - 0x80] : b, out);
		}
		return true;
	}
	if (charset == TextCharset::converted) {
		std::size_t bad = convert_with_iconv(charset, bytes, out);
		if (bad == std::string_view::npos)
			return true;
		if (problem)
			*problem = charset_problem(charset, bytes, bad < bytes.size() ? bad : bytes.size() - 1);
		return false;
	}
	std::size_t bad = charset == TextCharset::none ? std::string_view::npos : first_invalid(charset, bytes);
	if (bad == std::string_view::npos) {
		out.append(bytes);
		return true;
	}
	if (problem)
		*problem = charset_problem(charset, bytes, bad);
	return false;
}

void
append_readable(std::string_view bytes, std::string &out) {
	for (std::size_t i = 0; i < bytes.size();) {
		std::size_t length = utf8_sequence(bytes, i);
		if (length == 0) {
			char hex[8];
			std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(bytes[i]));
			out += hex;
			++i;
			continue;
		}
		out.append(bytes.substr(i, length));
		i += length;
	}
}

} // namespace chameleon::core
