// Slicing-by-4 table-driven CRC-32 (reflected polynomial 0xEDB88320), no zlib dependency.
#include "binlog/crc32.hpp"

#include <array>

namespace chameleon::binlog {

namespace {

using CrcTables = std::array<std::array<uint32_t, 256>, 4>;

CrcTables
make_tables()
{
	CrcTables tables{};
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int bit = 0; bit < 8; bit++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		tables[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (size_t t = 1; t < 4; t++)
			tables[t][i] = (tables[t - 1][i] >> 8) ^ tables[0][tables[t - 1][i] & 0xff];
	return tables;
}

const CrcTables crc_tables = make_tables();

} // namespace

uint32_t
crc32(uint32_t crc, const uint8_t *data, size_t size)
{
	uint32_t c = ~crc;
	while (size >= 4) {
		c ^= static_cast<uint32_t>(data[0]) | static_cast<uint32_t>(data[1]) << 8 |
		     static_cast<uint32_t>(data[2]) << 16 | static_cast<uint32_t>(data[3]) << 24;
		c = crc_tables[3][c & 0xff] ^ crc_tables[2][(c >> 8) & 0xff] ^ crc_tables[1][(c >> 16) & 0xff] ^
		    crc_tables[0][c >> 24];
		data += 4;
		size -= 4;
	}
	while (size--)
		c = crc_tables[0][(c ^ *data++) & 0xff] ^ (c >> 8);
	return ~c;
}

} // namespace chameleon::binlog
