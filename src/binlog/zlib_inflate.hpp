// Minimal zlib (RFC 1950/1951) decompressor for MariaDB compressed binlog events, so that the
// decoder needs no libz.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chameleon::binlog {

// Decompresses one zlib stream that must expand to exactly expected_size bytes; the Adler-32
// trailer is verified. Throws DecodeError on any malformed or oversized input.
std::vector<uint8_t> zlib_uncompress(const uint8_t *data, size_t size, size_t expected_size);

} // namespace chameleon::binlog
