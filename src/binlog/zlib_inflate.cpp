// Canonical-Huffman DEFLATE decoder (stored, fixed and dynamic blocks) with zlib framing.
#include "binlog/zlib_inflate.hpp"

#include <array>
#include <string>

#include "binlog/decode_error.hpp"

namespace chameleon::binlog {

namespace {

[[noreturn]] void
fail(const std::string &problem) {
	throw DecodeError("invalid zlib data in compressed event: " + problem);
}

class BitInput {
  public:
	BitInput(const uint8_t *data, size_t size) : data_(data), size_(size) {}

	unsigned bits(unsigned n) {
		unsigned v = 0;
		for (unsigned i = 0; i < n; i++)
			v |= bit() << i;
		return v;
	}
	unsigned bit() {
		if (byte_ >= size_)
			fail("truncated stream");
		unsigned b = (data_[byte_] >> bit_) & 1;
		if (++bit_ == 8) {
			bit_ = 0;
			byte_++;
		}
		return b;
	}
	void align() {
		if (bit_) {
			bit_ = 0;
			byte_++;
		}
	}
	uint8_t byte() {
		if (byte_ >= size_)
			fail("truncated stream");
		return data_[byte_++];
	}
	size_t position() const { return byte_; }

  private:
	const uint8_t *data_;
	size_t size_;
	size_t byte_ = 0;
	unsigned bit_ = 0;
};

constexpr unsigned max_bits = 15;

// Canonical Huffman code given by the code length of each symbol.
class Huffman {
  public:
	void build(const uint8_t *lengths, unsigned symbol_count) {
		counts_.fill(0);
		for (unsigned s = 0; s < symbol_count; s++)
			counts_[lengths[s]]++;
		counts_[0] = 0;
		int left = 1;
		for (unsigned len = 1; len <= max_bits; len++) {
			left = left * 2 - counts_[len];
			if (left < 0)
				fail("over-subscribed huffman code");
		}
		std::array<uint16_t, max_bits + 1> offsets{};
		for (unsigned len = 1; len < max_bits; len++)
			offsets[len + 1] = static_cast<uint16_t>(offsets[len] + counts_[len]);
		for (unsigned s = 0; s < symbol_count; s++)
			if (lengths[s])
				symbols_[offsets[lengths[s]]++] = static_cast<uint16_t>(s);
	}

	unsigned decode(BitInput &in) const {
		int code = 0;
		int first = 0;
		int index = 0;
		for (unsigned len = 1; len <= max_bits; len++) {
			code |= static_cast<int>(in.bit());
			int count = counts_[len];
			if (code - first < count)
				return symbols_[static_cast<size_t>(index + code - first)];
			index += count;
			first = (first + count) << 1;
			code <<= 1;
		}
		fail("invalid huffman code");
	}

  private:
	std::array<uint16_t, max_bits + 1> counts_{};
	std::array<uint16_t, 288> symbols_{};
};

constexpr uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,	15,	 17,  19,  23, 27,
									  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
									  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t distance_base[30] = {1,	  2,	3,	  4,	5,	  7,	9,	  13,	 17,	25,
										33,	  49,	65,	  97,	129,  193,	257,  385,	 513,	769,
										1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,	 3,	 3,	 4,	 4,	 5,	 5,	 6,
										6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class Inflater {
  public:
	Inflater(BitInput &in, std::vector<uint8_t> &out, size_t limit) : in_(in), out_(out), limit_(limit) {}

	void run() {
		bool last;
		do {
			last = in_.bit();
			switch (in_.bits(2)) {
			case 0:
				stored();
				break;
			case 1:
				fixed();
				break;
			case 2:
				dynamic();
				break;
			default:
				fail("reserved block type");
			}
		} while (!last);
	}

  private:
	void put(uint8_t b) {
		if (out_.size() >= limit_)
			fail("expands beyond its declared size");
		out_.push_back(b);
	}

	void stored() {
		in_.align();
		unsigned len = in_.byte() | in_.byte() << 8;
		unsigned nlen = in_.byte() | in_.byte() << 8;
		if ((len ^ 0xffff) != nlen)
			fail("stored block length mismatch");
		while (len--)
			put(in_.byte());
	}

	void fixed() {
		std::array<uint8_t, 288> lengths{};
		for (unsigned s = 0; s < 288; s++)
			lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
		Huffman literal;
		literal.build(lengths.data(), 288);
		std::array<uint8_t, 30> distance_lengths;
		distance_lengths.fill(5);
		Huffman distance;
		distance.build(distance_lengths.data(), 30);
		codes(literal, distance);
	}

	void dynamic() {
		unsigned literal_count = in_.bits(5) + 257;
		unsigned distance_count = in_.bits(5) + 1;
		unsigned code_count = in_.bits(4) + 4;
		if (literal_count > 286 || distance_count > 30)
			fail("too many codes");
		static constexpr uint8_t order[19] = {16, 17, 18, 0, 8,	 7, 9,	6, 10, 5,
											  11, 4,  12, 3, 13, 2, 14, 1, 15};
		std::array<uint8_t, 19> code_lengths{};
		for (unsigned i = 0; i < code_count; i++)
			code_lengths[order[i]] = static_cast<uint8_t>(in_.bits(3));
		Huffman code_length_code;
		code_length_code.build(code_lengths.data(), 19);
		std::array<uint8_t, 316> lengths{};
		unsigned n = 0;
		while (n < literal_count + distance_count) {
			unsigned symbol = code_length_code.decode(in_);
			if (symbol < 16) {
				lengths[n++] = static_cast<uint8_t>(symbol);
				continue;
			}
			uint8_t repeated = 0;
			unsigned times;
			if (symbol == 16) {
				if (n == 0)
					fail("repeat without a previous length");
				repeated = lengths[n - 1];
				times = 3 + in_.bits(2);
			} else if (symbol == 17) {
				times = 3 + in_.bits(3);
			} else {
				times = 11 + in_.bits(7);
			}
			if (n + times > literal_count + distance_count)
				fail("too many code lengths");
			while (times--)
				lengths[n++] = repeated;
		}
		if (lengths[256] == 0)
			fail("no end-of-block code");
		Huffman literal;
		literal.build(lengths.data(), literal_count);
		Huffman distance;
		distance.build(lengths.data() + literal_count, distance_count);
		codes(literal, distance);
	}

	void codes(const Huffman &literal, const Huffman &distance) {
		for (;;) {
			unsigned symbol = literal.decode(in_);
			if (symbol < 256) {
				put(static_cast<uint8_t>(symbol));
				continue;
			}
			if (symbol == 256)
				return;
			symbol -= 257;
			if (symbol >= 29)
				fail("invalid length code");
			size_t len = length_base[symbol] + in_.bits(length_extra[symbol]);
			unsigned dsym = distance.decode(in_);
			if (dsym >= 30)
				fail("invalid distance code");
			size_t dist = distance_base[dsym] + in_.bits(distance_extra[dsym]);
			if (dist > out_.size())
				fail("distance before the start of the output");
			while (len--)
				put(out_[out_.size() - dist]);
		}
	}

	BitInput &in_;
	std::vector<uint8_t> &out_;
	size_t limit_;
};

uint32_t
adler32(const std::vector<uint8_t> &data) {
	uint32_t a = 1;
	uint32_t b = 0;
	for (uint8_t byte : data) {
		a = (a + byte) % 65521;
		b = (b + a) % 65521;
	}
	return b << 16 | a;
}

} // namespace

std::vector<uint8_t>
zlib_uncompress(const uint8_t *data, size_t size, size_t expected_size) {
	if (size < 6)
		fail("shorter than a zlib stream");
	if ((data[0] & 0x0f) != 8 || (data[0] * 256 + data[1]) % 31 != 0 || (data[1] & 0x20))
		fail("bad zlib header");
	BitInput in(data + 2, size - 2);
	std::vector<uint8_t> out;
	out.reserve(expected_size < (1u << 24) ? expected_size : (1u << 24));
	Inflater(in, out, expected_size).run();
	in.align();
	uint32_t stored = 0;
	for (int i = 0; i < 4; i++)
		stored = stored << 8 | in.byte();
	if (out.size() != expected_size)
		fail("expands to " + std::to_string(out.size()) + " bytes instead of " +
			 std::to_string(expected_size));
	if (stored != adler32(out))
		fail("adler-32 mismatch");
	return out;
}

} // namespace chameleon::binlog
