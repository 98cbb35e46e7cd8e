// CRC-32 (ISO-HDLC, the zlib polynomial) as used by binlog_checksum=CRC32.
#pragma once
#include <cstddef>
#include <cstdint>

namespace chameleon::binlog {

// Continues a running CRC: pass 0 to start; crc32(crc32(0, a), b) == crc32 of a followed by b.
uint32_t crc32(uint32_t crc, const uint8_t *data, size_t size);

} // namespace chameleon::binlog
