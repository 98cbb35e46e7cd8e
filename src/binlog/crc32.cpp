// CRC-32 of binlog events, computed by zlib (same polynomial; zlib's implementation is
// several times faster than a table-driven loop, and the checksum is on every event's path).
#include "binlog/crc32.hpp"

#include <zlib.h>

#include <algorithm>

namespace chameleon::binlog {

uint32_t
crc32(uint32_t crc, const uint8_t *data, size_t size) {
	uLong running = crc;
	while (size > 0) {
		uInt piece = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
		running = ::crc32(running, data, piece);
		data += piece;
		size -= piece;
	}
	return static_cast<uint32_t>(running);
}

} // namespace chameleon::binlog
