// Text and JSON renderings of decoded column values, and the packed DECIMAL digit decoder.
#include "binlog/value.hpp"

#include <arpa/inet.h>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "binlog/decode_error.hpp"
#include "binlog/json_binary.hpp"

namespace chameleon::binlog {

namespace {

constexpr int digits_per_word = 9;
constexpr int bytes_for_digits[digits_per_word + 1] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t powers_of_ten[digits_per_word + 1] = {1,		 10,	  100,		1000,	   10000,
														 100000, 1000000, 10000000, 100000000, 1000000000};

template <class T>
void
append_number(std::string &out, T v) {
	char buf[48];
	auto r = std::to_chars(buf, buf + sizeof buf, v);
	out.append(buf, r.ptr);
}

template <class T>
void
append_float(std::string &out, T v) {
	if (std::isnan(v))
		out.append("NaN");
	else if (std::isinf(v))
		out.append(v < 0 ? "-Infinity" : "Infinity");
	else
		append_number(out, v);
}

void
append_fraction(std::string &out, uint32_t microsecond, int fsp) {
	if (fsp <= 0)
		return;
	out.push_back('.');
	char digits[6];
	uint32_t v = microsecond;
	for (int i = 5; i >= 0; i--) {
		digits[i] = static_cast<char>('0' + v % 10);
		v /= 10;
	}
	out.append(digits, static_cast<size_t>(fsp > 6 ? 6 : fsp));
}

void
append_date(std::string &out, const Temporal &t) {
	append_padded(out, t.year, 4);
	out.push_back('-');
	append_padded(out, t.month, 2);
	out.push_back('-');
	append_padded(out, t.day, 2);
}

void
append_clock(std::string &out, const Temporal &t, int fsp) {
	append_padded(out, t.hour, 2);
	out.push_back(':');
	append_padded(out, t.minute, 2);
	out.push_back(':');
	append_padded(out, t.second, 2);
	append_fraction(out, t.microsecond, fsp);
}

// Proleptic Gregorian calendar date of a day count since 1970-01-01.
Temporal
civil_from_days(int64_t days) {
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t day_of_era = days - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t mp = (5 * day_of_year + 2) / 153;
	Temporal t;
	t.day = static_cast<uint8_t>(day_of_year - (153 * mp + 2) / 5 + 1);
	t.month = static_cast<uint8_t>(mp < 10 ? mp + 3 : mp - 9);
	t.year = static_cast<uint16_t>(year_of_era + era * 400 + (t.month <= 2 ? 1 : 0));
	return t;
}

void
append_timestamp(std::string &out, const Value &value) {
	if (value.zero_date) {
		out.append("0000-00-00 00:00:00");
		append_fraction(out, 0, value.fsp);
		out.append("+00");
		return;
	}
	int64_t seconds = value.epoch_seconds;
	int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
	int64_t rest = seconds - days * 86400;
	Temporal t = civil_from_days(days);
	t.hour = static_cast<uint16_t>(rest / 3600);
	t.minute = static_cast<uint8_t>(rest / 60 % 60);
	t.second = static_cast<uint8_t>(rest % 60);
	t.microsecond = value.temporal.microsecond;
	append_date(out, t);
	out.push_back(' ');
	append_clock(out, t, value.fsp);
	out.append("+00");
}

void
append_hex(std::string &out, const uint8_t *p, size_t n) {
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out.push_back(digits[p[i] >> 4]);
		out.push_back(digits[p[i] & 15]);
	}
}

void
append_labels(std::string &out, uint64_t bits, const std::vector<std::string> &labels) {
	bool first = true;
	for (size_t i = 0; i < labels.size() && i < 64; i++) {
		if (!(bits >> i & 1))
			continue;
		if (!first)
			out.push_back(',');
		out.append(labels[i]);
		first = false;
	}
}

bool
set_has_unknown_bits(uint64_t bits, size_t labels) {
	return labels < 64 && (bits >> labels) != 0;
}

void
append_vector(std::string &out, const Value &value) {
	out.push_back('[');
	for (uint32_t i = 0; i + 4 <= value.size; i += 4) {
		uint32_t bits = static_cast<uint32_t>(value.data[i]) | static_cast<uint32_t>(value.data[i + 1]) << 8 |
						static_cast<uint32_t>(value.data[i + 2]) << 16 |
						static_cast<uint32_t>(value.data[i + 3]) << 24;
		float f;
		std::memcpy(&f, &bits, sizeof f);
		if (i)
			out.push_back(',');
		append_float(out, f);
	}
	out.push_back(']');
}

// INET6 and UUID are BINARY(16) in the row image, which (like every BINARY(n)) the server logs
// without its trailing zero bytes: '2001:db8::' arrives as 4 bytes. Restore the 16.
std::array<uint8_t, 16>
sixteen_bytes(const Value &value, const char *type) {
	if (value.size > 16)
		throw DecodeError(std::string(type) + " value has " + std::to_string(value.size) +
						  " bytes, more than 16");
	std::array<uint8_t, 16> bytes{};
	if (value.size)
		std::memcpy(bytes.data(), value.data, value.size);
	return bytes;
}

void
append_inet6(std::string &out, const Value &value) {
	std::array<uint8_t, 16> bytes = sixteen_bytes(value, "inet6");
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf))
		throw DecodeError("inet6 value cannot be formatted");
	out.append(buf);
}

void
append_uuid(std::string &out, const Value &value) {
	std::array<uint8_t, 16> bytes = sixteen_bytes(value, "uuid");
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out.push_back('-');
		append_hex(out, bytes.data() + i, 1);
	}
}

bool
enum_label_known(const Value &value, const Column &column) {
	return value.u64 >= 1 && value.u64 <= column.enum_values.size();
}

} // namespace

int64_t
Value::time_micros() const {
	int64_t micros =
		((static_cast<int64_t>(temporal.hour) * 60 + temporal.minute) * 60 + temporal.second) * 1000000 +
		temporal.microsecond;
	return temporal.negative ? -micros : micros;
}

size_t
decimal_binary_size(int precision, int scale) {
	int integer_digits = precision - scale;
	int size = integer_digits / digits_per_word * 4 + bytes_for_digits[integer_digits % digits_per_word] +
			   scale / digits_per_word * 4 + bytes_for_digits[scale % digits_per_word];
	return static_cast<size_t>(size);
}

void
append_decimal(std::string &out, const uint8_t *packed, size_t size, int precision, int scale) {
	if (precision < 1 || precision > 65 || scale < 0 || scale > 30 || scale > precision)
		throw DecodeError("invalid decimal precision " + std::to_string(precision) + " scale " +
						  std::to_string(scale));
	if (size != decimal_binary_size(precision, scale))
		throw DecodeError("decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ") has " +
						  std::to_string(size) + " bytes instead of " +
						  std::to_string(decimal_binary_size(precision, scale)));
	// The sign is the inverted top bit; negative numbers are stored with every byte inverted.
	uint8_t mask = (packed[0] & 0x80) ? 0 : 0xff;
	size_t pos = 0;
	auto read_group = [&](size_t nbytes, uint32_t limit) {
		uint32_t v = 0;
		for (size_t i = 0; i < nbytes; i++) {
			uint8_t b = packed[pos] ^ mask;
			if (pos == 0)
				b ^= 0x80;
			v = (v << 8) | b;
			pos++;
		}
		if (v >= limit)
			throw DecodeError("invalid decimal digits in decimal(" + std::to_string(precision) + "," +
							  std::to_string(scale) + ")");
		return v;
	};
	char digits[80];
	size_t n = 0;
	auto put = [&](uint32_t v, int width) {
		for (int i = width - 1; i >= 0; i--) {
			digits[n + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
			v /= 10;
		}
		n += static_cast<size_t>(width);
	};
	int integer_digits = precision - scale;
	int leading = integer_digits % digits_per_word;
	if (leading)
		put(read_group(static_cast<size_t>(bytes_for_digits[leading]), powers_of_ten[leading]), leading);
	for (int i = 0; i < integer_digits / digits_per_word; i++)
		put(read_group(4, powers_of_ten[digits_per_word]), digits_per_word);
	size_t integer_end = n;
	for (int i = 0; i < scale / digits_per_word; i++)
		put(read_group(4, powers_of_ten[digits_per_word]), digits_per_word);
	int trailing = scale % digits_per_word;
	if (trailing)
		put(read_group(static_cast<size_t>(bytes_for_digits[trailing]), powers_of_ten[trailing]), trailing);

	size_t first = 0;
	while (first < integer_end && digits[first] == '0')
		first++;
	bool all_zero = true;
	for (size_t i = first; i < n && all_zero; i++)
		all_zero = digits[i] == '0';
	if (mask && !all_zero)
		out.push_back('-');
	if (first == integer_end)
		out.push_back('0');
	else
		out.append(digits + first, integer_end - first);
	if (scale) {
		out.push_back('.');
		out.append(digits + integer_end, n - integer_end);
	}
}

void
append_text(std::string &out, const Value &value, const Column &column) {
	switch (value.kind) {
	case ValueKind::missing:
	case ValueKind::null:
		return;
	case ValueKind::int64:
		append_number(out, value.i64);
		return;
	case ValueKind::uint64:
		append_number(out, value.u64);
		return;
	case ValueKind::float32:
		append_float(out, value.f32);
		return;
	case ValueKind::float64:
		append_float(out, value.f64);
		return;
	case ValueKind::decimal:
		append_decimal(out, value.data, value.size, value.precision, value.scale);
		return;
	case ValueKind::date:
		append_date(out, value.temporal);
		return;
	case ValueKind::time:
		if (value.temporal.negative)
			out.push_back('-');
		append_clock(out, value.temporal, value.fsp);
		return;
	case ValueKind::datetime:
		append_date(out, value.temporal);
		out.push_back(' ');
		append_clock(out, value.temporal, value.fsp);
		return;
	case ValueKind::timestamp:
		append_timestamp(out, value);
		return;
	case ValueKind::year:
		append_padded(out, static_cast<uint64_t>(value.i64), 4);
		return;
	case ValueKind::string:
		if (column.logical == LogicalType::inet6)
			append_inet6(out, value);
		else if (column.logical == LogicalType::uuid)
			append_uuid(out, value);
		else
			out.append(value.bytes());
		return;
	case ValueKind::enum_index:
		if (enum_label_known(value, column))
			out.append(column.enum_values[value.u64 - 1]);
		else if (value.u64 == 0 || !column.enum_values.empty())
			return; // MySQL's empty "error" value, or an index outside the known labels
		else
			append_number(out, value.u64);
		return;
	case ValueKind::set_bits:
		if (!column.set_values.empty() && !set_has_unknown_bits(value.u64, column.set_values.size()))
			append_labels(out, value.u64, column.set_values);
		else
			append_number(out, value.u64);
		return;
	case ValueKind::bit:
		for (int i = column.bit_count ? column.bit_count - 1 : 63; i >= 0; i--)
			out.push_back((value.u64 >> i & 1) ? '1' : '0');
		return;
	case ValueKind::json:
		append_json_binary(out, value.data, value.size);
		return;
	case ValueKind::geometry:
		out.append(value.bytes());
		return;
	case ValueKind::vector:
		append_vector(out, value);
		return;
	}
}

std::string
to_text(const Value &value, const Column &column) {
	std::string out;
	append_text(out, value, column);
	return out;
}

bool
is_valid_utf8(std::string_view text) {
	const auto *p = reinterpret_cast<const uint8_t *>(text.data());
	const uint8_t *end = p + text.size();
	while (p < end) {
		uint8_t c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t len;
		uint32_t min;
		uint32_t cp;
		if ((c & 0xe0) == 0xc0) {
			len = 2, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if (static_cast<size_t>(end - p) < len)
			return false;
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += len;
	}
	return true;
}

void
append_json_string(std::string &out, std::string_view text) {
	out.push_back('"');
	for (char ch : text) {
		auto c = static_cast<unsigned char>(ch);
		switch (c) {
		case '"':
			out.append("\\\"");
			break;
		case '\\':
			out.append("\\\\");
			break;
		case '\b':
			out.append("\\b");
			break;
		case '\f':
			out.append("\\f");
			break;
		case '\n':
			out.append("\\n");
			break;
		case '\r':
			out.append("\\r");
			break;
		case '\t':
			out.append("\\t");
			break;
		default:
			if (c < 0x20) {
				out.append("\\u00");
				append_hex(out, &c, 1);
			} else {
				out.push_back(ch);
			}
		}
	}
	out.push_back('"');
}

void
append_json_value(std::string &out, const Value &value, const Column &column) {
	switch (value.kind) {
	case ValueKind::missing:
	case ValueKind::null:
		out.append("null");
		return;
	case ValueKind::int64:
	case ValueKind::uint64:
	case ValueKind::decimal:
	case ValueKind::year:
		append_text(out, value, column);
		return;
	case ValueKind::bit:
		append_number(out, value.u64);
		return;
	case ValueKind::float32:
	case ValueKind::float64: {
		double d = value.kind == ValueKind::float32 ? value.f32 : value.f64;
		if (std::isfinite(d)) {
			append_text(out, value, column);
		} else {
			std::string text;
			append_text(text, value, column);
			append_json_string(out, text);
		}
		return;
	}
	case ValueKind::json:
		append_json_binary(out, value.data, value.size);
		return;
	case ValueKind::vector:
		append_vector(out, value);
		return;
	case ValueKind::enum_index:
		if (enum_label_known(value, column))
			append_json_string(out, column.enum_values[value.u64 - 1]);
		else
			append_number(out, value.u64);
		return;
	case ValueKind::set_bits:
		if (!column.set_values.empty() && !set_has_unknown_bits(value.u64, column.set_values.size())) {
			std::string labels;
			append_labels(labels, value.u64, column.set_values);
			append_json_string(out, labels);
		} else {
			append_number(out, value.u64);
		}
		return;
	case ValueKind::string:
	case ValueKind::geometry:
		if (value.kind == ValueKind::string && column.logical != LogicalType::none) {
			std::string text;
			append_text(text, value, column);
			append_json_string(out, text);
		} else if (value.kind == ValueKind::string && !column.is_binary() && is_valid_utf8(value.bytes())) {
			append_json_string(out, value.bytes());
		} else {
			out.append("\"\\\\x");
			append_hex(out, value.data, value.size);
			out.push_back('"');
		}
		return;
	case ValueKind::date:
	case ValueKind::time:
	case ValueKind::datetime:
	case ValueKind::timestamp: {
		std::string text;
		append_text(text, value, column);
		append_json_string(out, text);
		return;
	}
	}
}

void
append_row_json(std::string &out, const std::vector<Value> &row, const TableMap &table) {
	out.push_back('{');
	bool first = true;
	for (size_t i = 0; i < row.size() && i < table.columns.size(); i++) {
		if (row[i].kind == ValueKind::missing)
			continue;
		if (!first)
			out.append(", ");
		first = false;
		const Column &column = table.columns[i];
		if (!column.name.empty())
			append_json_string(out, column.name);
		else
			append_json_string(out, "@" + std::to_string(i + 1));
		out.append(": ");
		append_json_value(out, row[i], column);
	}
	out.push_back('}');
}

void
append_padded(std::string &out, uint64_t v, int width) {
	char buf[24];
	int n = 0;
	do {
		buf[n++] = static_cast<char>('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = n; i < width; i++)
		out.push_back('0');
	while (n)
		out.push_back(buf[--n]);
}

} // namespace chameleon::binlog
