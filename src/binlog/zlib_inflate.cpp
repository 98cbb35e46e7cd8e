// MariaDB compressed events: zlib's inflate, fed and drained in bounded pieces.
#include "binlog/zlib_inflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <new>
#include <string>

#include "binlog/decode_error.hpp"

namespace chameleon::binlog {

namespace {

// No DEFLATE stream expands more than 1032 times: at best a 258-byte match costs 2 bits (1-bit
// length and distance codes).
constexpr size_t max_expansion = 1032;
constexpr size_t first_allocation = size_t(1) << 20;
constexpr size_t max_piece = UINT_MAX; // avail_in and avail_out are uInt

[[noreturn]] void
fail(const std::string &problem) {
	throw DecodeError("invalid zlib data in compressed event: " + problem);
}

// A z_stream set up for inflate; inflateEnd runs however the scope is left.
class Inflater {
  public:
	Inflater() {
		int r = inflateInit(&stream_);
		if (r == Z_MEM_ERROR)
			throw std::bad_alloc();
		if (r != Z_OK)
			throw DecodeError(std::string("cannot start zlib inflate: ") + zError(r));
	}
	~Inflater() { inflateEnd(&stream_); }
	Inflater(const Inflater &) = delete;
	Inflater &operator=(const Inflater &) = delete;

	z_stream *operator->() { return &stream_; }
	z_stream *get() { return &stream_; }

  private:
	z_stream stream_{};
};

} // namespace

std::vector<uint8_t>
zlib_uncompress(const uint8_t *data, size_t size, size_t expected_size) {
	if (expected_size / max_expansion > size)
		fail("declares " + std::to_string(expected_size) + " bytes, more than " + std::to_string(size) +
			 " compressed bytes can hold");
	Inflater z;
	size_t unread = size;
	std::vector<uint8_t> out(std::min(expected_size, first_allocation));
	size_t produced = 0;
	uint8_t probe = 0; // inflate writes it; never read
	for (;;) {
		if (z->avail_in == 0 && unread > 0) {
			z->next_in = const_cast<Bytef *>(data + (size - unread));
			z->avail_in = static_cast<uInt>(std::min(unread, max_piece));
			unread -= z->avail_in;
		}
		if (produced == out.size() && out.size() < expected_size)
			out.resize(std::min(expected_size, out.size() * 2));
		// Once the declared size has arrived, one spare byte tells whether the stream goes on.
		bool full = produced == expected_size;
		size_t room = std::min(out.size() - produced, max_piece);
		z->next_out = full ? &probe : out.data() + produced;
		z->avail_out = full ? 1 : static_cast<uInt>(room);
		int r = inflate(z.get(), Z_NO_FLUSH);
		if (full && z->avail_out == 0)
			fail("expands beyond its declared " + std::to_string(expected_size) + " bytes");
		if (!full)
			produced += room - z->avail_out;
		if (r == Z_STREAM_END)
			break;
		if (r == Z_OK)
			continue;
		if (r == Z_BUF_ERROR && z->avail_in == 0 && unread == 0)
			fail("truncated stream");
		if (r == Z_NEED_DICT)
			fail("needs a preset dictionary");
		if (r == Z_MEM_ERROR)
			throw std::bad_alloc();
		fail(z->msg ? z->msg : zError(r));
	}
	if (produced != expected_size)
		fail("expands to " + std::to_string(produced) + " bytes instead of " + std::to_string(expected_size));
	out.resize(produced);
	return out;
}

} // namespace chameleon::binlog
