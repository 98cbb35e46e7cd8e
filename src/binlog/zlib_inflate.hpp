// zlib (RFC 1950) decompression of MariaDB compressed binlog events, bounded by the size the
// event declares.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chameleon::binlog {

// Decompresses one zlib stream that must expand to exactly expected_size bytes; zlib verifies
// the Adler-32 trailer, bytes after it are ignored (as the server's uncompress() does). The
// output grows with the data actually decompressed, never past expected_size, and a size no
// DEFLATE stream of `size` bytes can reach is refused before anything is allocated. Throws
// DecodeError on any malformed, truncated or wrongly sized input.
std::vector<uint8_t> zlib_uncompress(const uint8_t *data, size_t size, size_t expected_size);

} // namespace chameleon::binlog
