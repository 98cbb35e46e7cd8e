// Bounds-checked little/big-endian reader over a byte range; every overrun throws DecodeError.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "binlog/decode_error.hpp"

namespace chameleon::binlog {

class ByteReader {
  public:
	// `what` names the structure being read, for error messages (e.g. "table_map event at 1234").
	ByteReader(const uint8_t *data, size_t size, const char *what = "event")
		: begin_(data), pos_(data), end_(data + size), what_(what) {}

	size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
	size_t offset() const { return static_cast<size_t>(pos_ - begin_); }
	bool at_end() const { return pos_ == end_; }
	const uint8_t *position() const { return pos_; }

	void need(size_t n) const {
		if (n > remaining())
			fail_truncated(n);
	}
	const uint8_t *take(size_t n) {
		need(n);
		const uint8_t *p = pos_;
		pos_ += n;
		return p;
	}
	void skip(size_t n) { take(n); }
	std::string_view take_string(size_t n) {
		return std::string_view(reinterpret_cast<const char *>(take(n)), n);
	}
	std::string_view take_rest_string() { return take_string(remaining()); }

	uint8_t u8() { return *take(1); }
	uint16_t u16() { return static_cast<uint16_t>(uint_le(2)); }
	uint32_t u24() { return static_cast<uint32_t>(uint_le(3)); }
	uint32_t u32() { return static_cast<uint32_t>(uint_le(4)); }
	uint64_t u56() { return uint_le(7); }
	uint64_t u64() { return uint_le(8); }

	uint64_t uint_le(size_t n) {
		const uint8_t *p = take(n);
		uint64_t v = 0;
		for (size_t i = n; i-- > 0;)
			v = (v << 8) | p[i];
		return v;
	}
	uint64_t uint_be(size_t n) {
		const uint8_t *p = take(n);
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++)
			v = (v << 8) | p[i];
		return v;
	}

	// MySQL length-encoded integer (net_field_length): <251 one byte, 0xfc 2 bytes, 0xfd 3, 0xfe 8.
	uint64_t lenenc() {
		uint8_t first = u8();
		if (first < 251)
			return first;
		switch (first) {
		case 0xfc:
			return uint_le(2);
		case 0xfd:
			return uint_le(3);
		case 0xfe:
			return uint_le(8);
		default:
			throw DecodeError(std::string("invalid length-encoded integer prefix 0x") + hex_byte(first) +
							  " in " + what_ + " at byte " + std::to_string(offset() - 1));
		}
	}
	// A length read from the input, checked against what is left so that it can be used safely.
	size_t lenenc_length() {
		uint64_t n = lenenc();
		if (n > remaining())
			fail_truncated(n);
		return static_cast<size_t>(n);
	}

	// MySQL serialization library varlen integer: the count of trailing one bits of the first
	// byte gives the number of extra bytes; 0xff means 8 raw bytes follow.
	uint64_t serialized_varlen() {
		need(1);
		uint8_t first = *pos_;
		unsigned ones = 0;
		while (ones < 8 && (first >> ones) & 1)
			ones++;
		if (ones == 8) {
			skip(1);
			return u64();
		}
		uint64_t raw = uint_le(ones + 1);
		return raw >> (ones + 1);
	}

	[[noreturn]] void fail_truncated(uint64_t wanted) const {
		throw DecodeError(std::string(what_) + " is truncated: needs " + std::to_string(wanted) +
						  " more bytes at byte " + std::to_string(offset()) + ", has " +
						  std::to_string(remaining()));
	}

  private:
	static std::string hex_byte(uint8_t b) {
		static const char digits[] = "0123456789abcdef";
		return std::string{digits[b >> 4], digits[b & 15]};
	}

	const uint8_t *begin_;
	const uint8_t *pos_;
	const uint8_t *end_;
	const char *what_;
};

} // namespace chameleon::binlog
