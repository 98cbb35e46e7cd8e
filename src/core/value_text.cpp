// Value conversion from MySQL's text-protocol output to PostgreSQL input text, and COPY escaping.
#include "core/value_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace chameleon::core {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void
append_hex(std::string &out, const unsigned char *data, std::size_t length) {
	std::size_t start = out.size();
	out.resize(start + 2 * length);
	char *p = &out[start];
	for (std::size_t i = 0; i < length; ++i) {
		*p++ = hex_digits[data[i] >> 4];
		*p++ = hex_digits[data[i] & 0x0f];
	}
}

void
append_hex_u32(std::string &out, std::uint32_t value, bool little_endian) {
	unsigned char bytes[4];
	for (int i = 0; i < 4; ++i)
		bytes[little_endian ? i : 3 - i] = static_cast<unsigned char>(value >> (8 * i));
	append_hex(out, bytes, 4);
}

std::uint32_t
read_u32(const unsigned char *p, bool little_endian) {
	if (little_endian)
		return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
	return p[3] | (p[2] << 8) | (p[1] << 16) | (static_cast<std::uint32_t>(p[0]) << 24);
}

// Zero dates: "0000-00-00..." and any date whose month or day is zero (never valid in PostgreSQL).
bool
is_zero_date(std::string_view text) {
	if (text.size() < 10 || text[4] != '-' || text[7] != '-')
		return false;
	return (text[5] == '0' && text[6] == '0') || (text[8] == '0' && text[9] == '0');
}

// MySQL year 0 (with a valid month and day) is the proleptic Gregorian year 1 BC in PostgreSQL.
void
append_date_text(std::string_view text, std::string &out) {
	if (text.size() >= 10 && text.compare(0, 4, "0000") == 0) {
		out += "0001";
		out.append(text.substr(4));
		out += " BC";
	} else
		out.append(text);
}

ValueStatus
zero_date_status(const ValueOptions &options) {
	return options.zero_dates_to_null ? ValueStatus::ZeroDateAsNull : ValueStatus::ZeroDateRejected;
}

bool
is_decimal_text(std::string_view text) {
	return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
		return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
	});
}

bool
boolean_value(std::string_view text) {
	if (is_decimal_text(text)) {
		for (char c : text)
			if (c >= '1' && c <= '9')
				return true;
		return false;
	}
	for (char c : text)
		if (c != '\0')
			return true;
	return false;
}

void
append_bit_string(std::string_view bytes, int bit_length, std::string &out) {
	const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
	const long long byte_count = static_cast<long long>(bytes.size());
	for (int i = bit_length - 1; i >= 0; --i) {
		long long byte = byte_count - 1 - i / 8;
		bool set = byte >= 0 && ((data[byte] >> (i % 8)) & 1) != 0;
		out += set ? '1' : '0';
	}
}

void
append_set_array(std::string_view text, std::string &out) {
	out += '{';
	if (!text.empty()) {
		out += '"';
		for (char c : text) {
			if (c == ',') {
				out += "\",\"";
				continue;
			}
			if (c == '"' || c == '\\')
				out += '\\';
			out += c;
		}
		out += '"';
	}
	out += '}';
}

// MySQL's internal geometry value (SRID as 4 bytes little-endian, then WKB) -> EWKB hex: the SRID
// flag 0x20000000 in the type word and the SRID after it, both in the WKB's byte order. SRID 0 -> WKB.
bool
append_ewkb_hex(std::string_view value, std::string &out) {
	const auto *data = reinterpret_cast<const unsigned char *>(value.data());
	if (value.size() < 9 || data[4] > 1)
		return false;
	std::uint32_t srid = read_u32(data, true);
	const unsigned char *wkb = data + 4;
	if (srid == 0) {
		append_hex(out, wkb, value.size() - 4);
		return true;
	}
	bool little_endian = wkb[0] == 1;
	append_hex(out, wkb, 1);
	append_hex_u32(out, read_u32(wkb + 1, little_endian) | 0x20000000u, little_endian);
	append_hex_u32(out, srid, little_endian);
	append_hex(out, wkb + 5, value.size() - 9);
	return true;
}

bool
append_vector(std::string_view value, std::string &out) {
	if (value.size() % 4 != 0)
		return false;
	const auto *data = reinterpret_cast<const unsigned char *>(value.data());
	out += '{';
	char buffer[32];
	for (std::size_t i = 0; i < value.size(); i += 4) {
		std::uint32_t bits = read_u32(data + i, true);
		float number;
		std::memcpy(&number, &bits, sizeof number);
		auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
		if (i > 0)
			out += ',';
		out.append(buffer, result.ptr);
	}
	out += '}';
	return true;
}

} // namespace

ValueStatus
to_pg_text(ValueForm form, std::string_view text, std::string &out, const ValueOptions &options) {
	switch (form) {
	case ValueForm::AsIs:
	case ValueForm::Json:
		return append_utf8(options.text_charset, text, out, nullptr) ? ValueStatus::Ok
																	 : ValueStatus::InvalidText;
	case ValueForm::Interval:
	case ValueForm::Uuid:
	case ValueForm::Inet:
		out.append(text);
		return ValueStatus::Ok;
	case ValueForm::Boolean:
		out += boolean_value(text) ? 't' : 'f';
		return ValueStatus::Ok;
	case ValueForm::BitString:
		append_bit_string(text, options.bit_length, out);
		return ValueStatus::Ok;
	case ValueForm::ZeroDateToNull:
		if (is_zero_date(text))
			return zero_date_status(options);
		append_date_text(text, out);
		return ValueStatus::Ok;
	case ValueForm::TimestampUtc:
		if (is_zero_date(text))
			return zero_date_status(options);
		out.append(text);
		out += "+00";
		return ValueStatus::Ok;
	case ValueForm::SetToArray:
		append_set_array(text, out);
		return ValueStatus::Ok;
	case ValueForm::Bytea:
		out += "\\x";
		append_hex(out, reinterpret_cast<const unsigned char *>(text.data()), text.size());
		return ValueStatus::Ok;
	case ValueForm::Geometry:
		return append_ewkb_hex(text, out) ? ValueStatus::Ok : ValueStatus::Invalid;
	case ValueForm::GeometryBytea: {
		std::size_t start = out.size();
		out += "\\x";
		if (append_ewkb_hex(text, out))
			return ValueStatus::Ok;
		out.resize(start);
		return ValueStatus::Invalid;
	}
	case ValueForm::Vector:
		return append_vector(text, out) ? ValueStatus::Ok : ValueStatus::Invalid;
	}
	return ValueStatus::Invalid;
}

namespace {

// The bytes COPY text must escape: the escape byte for each, 0 for the others, and NUL marked 1.
struct CopyEscapes {
	char byte[256] = {};
	constexpr CopyEscapes() {
		byte[static_cast<unsigned char>('\\')] = '\\';
		byte[static_cast<unsigned char>('\t')] = 't';
		byte[static_cast<unsigned char>('\n')] = 'n';
		byte[static_cast<unsigned char>('\r')] = 'r';
		byte[0] = 1;
	}
};
constexpr CopyEscapes copy_escapes;

} // namespace

bool
copy_escape(std::string_view text, std::string &out, bool strip_nul) {
	const unsigned char *run = reinterpret_cast<const unsigned char *>(text.data());
	const unsigned char *end = run + text.size();
	for (const unsigned char *p = run; p < end; ++p) {
		char escaped = copy_escapes.byte[*p];
		if (escaped == 0)
			continue;
		out.append(reinterpret_cast<const char *>(run), reinterpret_cast<const char *>(p));
		run = p + 1;
		if (escaped == 1) { // NUL
			if (!strip_nul)
				return false;
			continue;
		}
		out += '\\';
		out += escaped;
	}
	out.append(reinterpret_cast<const char *>(run), reinterpret_cast<const char *>(end));
	return true;
}

ValueStatus
append_copy_field(ValueForm form, std::optional<std::string_view> text, std::string &out,
				  std::string &scratch, const ValueOptions &options) {
	if (!text) {
		out += "\\N";
		return ValueStatus::Ok;
	}
	switch (form) {
	case ValueForm::AsIs:
	case ValueForm::Json:
		if (!passes_unchanged(options.text_charset, *text))
			break; // converted (or refused) by to_pg_text below
		return copy_escape(*text, out, options.strip_nul) ? ValueStatus::Ok : ValueStatus::NulByte;
	case ValueForm::Interval:
	case ValueForm::Uuid:
	case ValueForm::Inet:
		return copy_escape(*text, out, options.strip_nul) ? ValueStatus::Ok : ValueStatus::NulByte;
	case ValueForm::Bytea:
		// hex digits need no escaping: only the leading backslash is doubled
		out += "\\\\x";
		append_hex(out, reinterpret_cast<const unsigned char *>(text->data()), text->size());
		return ValueStatus::Ok;
	default:
		break;
	}
	scratch.clear();
	ValueStatus status = to_pg_text(form, *text, scratch, options);
	if (status == ValueStatus::ZeroDateAsNull)
		out += "\\N";
	if (status != ValueStatus::Ok)
		return status;
	return copy_escape(scratch, out, options.strip_nul) ? ValueStatus::Ok : ValueStatus::NulByte;
}

} // namespace chameleon::core
