// Decoder of MySQL's binary JSON format (sql-common/json_binary.cc layout) straight to text,
// without building a document tree.
#include "binlog/json_binary.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "binlog/decode_error.hpp"
#include "binlog/value.hpp"

namespace chameleon::binlog {

namespace {

enum JsonType : uint8_t {
	small_object = 0x00,
	large_object = 0x01,
	small_array = 0x02,
	large_array = 0x03,
	literal = 0x04,
	int16 = 0x05,
	uint16 = 0x06,
	int32 = 0x07,
	uint32 = 0x08,
	int64 = 0x09,
	uint64 = 0x0a,
	double_type = 0x0b,
	string_type = 0x0c,
	opaque = 0x0f,
};

constexpr int max_depth = 150;

[[noreturn]] void
fail(const std::string &problem) {
	throw DecodeError("invalid binary json: " + problem);
}

uint64_t
read_le(const uint8_t *p, size_t n) {
	uint64_t v = 0;
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

// Variable-length length: 7 bits a byte, least significant first, at most 5 bytes.
uint32_t
read_varlen(const uint8_t *&p, const uint8_t *end) {
	uint64_t len = 0;
	for (int i = 0; i < 5; i++) {
		if (p >= end)
			fail("truncated length");
		uint8_t b = *p++;
		len |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (len > UINT32_MAX)
				fail("length too large");
			return static_cast<uint32_t>(len);
		}
	}
	fail("length longer than 5 bytes");
}

void
append_integer(std::string &out, int64_t v) {
	char buf[24];
	auto r = std::to_chars(buf, buf + sizeof buf, v);
	out.append(buf, r.ptr);
}

void
append_unsigned(std::string &out, uint64_t v) {
	char buf[24];
	auto r = std::to_chars(buf, buf + sizeof buf, v);
	out.append(buf, r.ptr);
}

// MySQL prints JSON doubles in their shortest form, exponent without '+' or leading zeros,
// and keeps a ".0" on integral values so that they stay doubles.
void
append_json_double(std::string &out, double d) {
	if (!std::isfinite(d))
		fail("non-finite double");
	char buf[40];
	auto r = std::to_chars(buf, buf + sizeof buf, d);
	std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
	size_t e = text.find('e');
	if (e == std::string_view::npos) {
		out.append(text);
		if (text.find('.') == std::string_view::npos)
			out.append(".0");
		return;
	}
	out.append(text.substr(0, e + 1));
	size_t i = e + 1;
	if (text[i] == '+')
		i++;
	else if (text[i] == '-')
		out.push_back(text[i++]);
	while (i + 1 < text.size() && text[i] == '0')
		i++;
	out.append(text.substr(i));
}

// Opaque temporal values hold MySQL's packed longlong: (date-time integer part << 24) | micros.
void
append_packed_temporal(std::string &out, uint8_t field_type, int64_t packed) {
	bool negative = packed < 0;
	uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
	uint64_t micros = magnitude % (1 << 24);
	uint64_t ymdhms = magnitude >> 24;
	out.push_back('"');
	if (field_type == 11) { // TIME
		if (negative)
			out.push_back('-');
		append_padded(out, (ymdhms >> 12) % (1 << 10), 2);
		out.push_back(':');
		append_padded(out, (ymdhms >> 6) % 64, 2);
		out.push_back(':');
		append_padded(out, ymdhms % 64, 2);
		out.push_back('.');
		append_padded(out, micros, 6);
	} else {
		uint64_t ymd = ymdhms >> 17;
		uint64_t ym = ymd >> 5;
		uint64_t hms = ymdhms % (1 << 17);
		append_padded(out, ym / 13, 4);
		out.push_back('-');
		append_padded(out, ym % 13, 2);
		out.push_back('-');
		append_padded(out, ymd % 32, 2);
		if (field_type != 10) { // DATETIME, TIMESTAMP
			out.push_back(' ');
			append_padded(out, hms >> 12, 2);
			out.push_back(':');
			append_padded(out, (hms >> 6) % 64, 2);
			out.push_back(':');
			append_padded(out, hms % 64, 2);
			out.push_back('.');
			append_padded(out, micros, 6);
		}
	}
	out.push_back('"');
}

void
append_base64(std::string &out, const uint8_t *p, size_t n) {
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		out.push_back(alphabet[v >> 18]);
		out.push_back(alphabet[(v >> 12) & 63]);
		out.push_back(alphabet[(v >> 6) & 63]);
		out.push_back(alphabet[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = p[i] << 16;
		out.push_back(alphabet[v >> 18]);
		out.push_back(alphabet[(v >> 12) & 63]);
		out.append("==");
	} else if (n - i == 2) {
		uint32_t v = p[i] << 16 | p[i + 1] << 8;
		out.push_back(alphabet[v >> 18]);
		out.push_back(alphabet[(v >> 12) & 63]);
		out.push_back(alphabet[(v >> 6) & 63]);
		out.push_back('=');
	}
}

void
append_opaque(std::string &out, const uint8_t *p, const uint8_t *end) {
	if (p >= end)
		fail("truncated opaque value");
	uint8_t field_type = *p++;
	uint32_t len = read_varlen(p, end);
	if (len > static_cast<size_t>(end - p))
		fail("opaque value beyond the document");
	switch (field_type) {
	case 246: // NEWDECIMAL: precision, scale, packed digits
		if (len < 2)
			fail("truncated opaque decimal");
		append_decimal(out, p + 2, len - 2, p[0], p[1]);
		return;
	case 10: // DATE
	case 11: // TIME
	case 12: // DATETIME
	case 7:	 // TIMESTAMP
		if (len < 8)
			fail("truncated opaque temporal value");
		append_packed_temporal(out, field_type, static_cast<int64_t>(read_le(p, 8)));
		return;
	default:
		out.append("\"base64:type");
		append_unsigned(out, field_type);
		out.push_back(':');
		append_base64(out, p, len);
		out.push_back('"');
	}
}

class JsonWriter {
  public:
	// A well-formed document visits each stored value once; a crafted one can point many entries
	// at the same container. The budget keeps the work proportional to the document size.
	JsonWriter(std::string &out, size_t document_size) : out_(out), budget_(4 * document_size + 64) {}

	// A value of `type` whose bytes start at p; containers span [p, end).
	void value(uint8_t type, const uint8_t *p, const uint8_t *end, int depth) {
		if (depth > max_depth)
			fail("nested deeper than " + std::to_string(max_depth));
		if (budget_ == 0)
			fail("values are shared between containers");
		budget_--;
		switch (type) {
		case small_object:
		case large_object:
			container(p, end, type == large_object, true, depth);
			return;
		case small_array:
		case large_array:
			container(p, end, type == large_array, false, depth);
			return;
		case literal:
			need(p, end, 1);
			literal_value(*p);
			return;
		case int16:
			need(p, end, 2);
			append_integer(out_, static_cast<int16_t>(read_le(p, 2)));
			return;
		case uint16:
			need(p, end, 2);
			append_unsigned(out_, read_le(p, 2));
			return;
		case int32:
			need(p, end, 4);
			append_integer(out_, static_cast<int32_t>(read_le(p, 4)));
			return;
		case uint32:
			need(p, end, 4);
			append_unsigned(out_, read_le(p, 4));
			return;
		case int64:
			need(p, end, 8);
			append_integer(out_, static_cast<int64_t>(read_le(p, 8)));
			return;
		case uint64:
			need(p, end, 8);
			append_unsigned(out_, read_le(p, 8));
			return;
		case double_type: {
			need(p, end, 8);
			uint64_t bits = read_le(p, 8);
			double d;
			std::memcpy(&d, &bits, sizeof d);
			append_json_double(out_, d);
			return;
		}
		case string_type: {
			uint32_t len = read_varlen(p, end);
			need(p, end, len);
			append_json_string(out_, std::string_view(reinterpret_cast<const char *>(p), len));
			return;
		}
		case opaque:
			append_opaque(out_, p, end);
			return;
		default:
			fail("unknown value type " + std::to_string(type));
		}
	}

  private:
	static void need(const uint8_t *p, const uint8_t *end, size_t n) {
		if (n > static_cast<size_t>(end - p))
			fail("value beyond the document");
	}

	void literal_value(uint8_t v) {
		switch (v) {
		case 0:
			out_.append("null");
			return;
		case 1:
			out_.append("true");
			return;
		case 2:
			out_.append("false");
			return;
		default:
			fail("unknown literal " + std::to_string(v));
		}
	}

	void container(const uint8_t *base, const uint8_t *end, bool large, bool is_object, int depth) {
		size_t off = large ? 4 : 2;
		need(base, end, 2 * off);
		uint64_t count = read_le(base, off);
		uint64_t bytes = read_le(base + off, off);
		if (bytes > static_cast<size_t>(end - base))
			fail("container larger than its document");
		const uint8_t *limit = base + bytes;
		size_t key_entry = off + 2;
		size_t value_entry = 1 + off;
		size_t header = 2 * off;
		size_t keys_size = is_object ? count * key_entry : 0;
		if (count > bytes || header + keys_size + count * value_entry > bytes)
			fail("container entries beyond its size");
		out_.push_back(is_object ? '{' : '[');
		for (uint64_t i = 0; i < count; i++) {
			if (i)
				out_.append(", ");
			if (is_object) {
				const uint8_t *key = base + header + i * key_entry;
				uint64_t key_offset = read_le(key, off);
				uint64_t key_len = read_le(key + off, 2);
				if (key_offset > bytes || key_len > bytes - key_offset)
					fail("object key beyond the object");
				append_json_string(
					out_, std::string_view(reinterpret_cast<const char *>(base + key_offset), key_len));
				out_.append(": ");
			}
			const uint8_t *entry = base + header + keys_size + i * value_entry;
			uint8_t type = entry[0];
			bool inlined = type == literal || type == int16 || type == uint16 ||
						   (large && (type == int32 || type == uint32));
			if (inlined) {
				value(type, entry + 1, entry + 1 + off, depth + 1);
			} else {
				uint64_t value_offset = read_le(entry + 1, off);
				if (value_offset >= bytes)
					fail("value offset beyond its container");
				value(type, base + value_offset, limit, depth + 1);
			}
		}
		out_.push_back(is_object ? '}' : ']');
	}

	std::string &out_;
	size_t budget_;
};

} // namespace

void
append_json_binary(std::string &out, const uint8_t *data, size_t size) {
	if (size == 0) {
		out.append("null");
		return;
	}
	JsonWriter(out, size).value(data[0], data + 1, data + size, 0);
}

} // namespace chameleon::binlog
