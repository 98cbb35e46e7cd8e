// The PostgreSQL side of a verification's range hash, computed here rather than in SQL (PostgreSQL
// 15 has no CRC32): the row text MySQL's CONCAT_WS builds from the canonical values, its CRC32 (as
// MySQL's CRC32()), and JSON in MariaDB's JSON_NORMALIZE form from jsonb's text.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::core {

using CanonicalRow = std::vector<std::optional<std::string>>;

// CONCAT(CONCAT_WS(U+001F, value...), a digit for each value whose null_digit is set: 1 for NULL,
// 0 otherwise), as MySQL builds it in mysql_range_hash (CONCAT_WS skips NULLs).
std::string row_hash_text(const CanonicalRow &values, const std::vector<bool> &null_digit);

// CRC-32 of the row text (the zlib polynomial, as MySQL's CRC32()).
std::uint32_t row_crc32(std::string_view text);

// MariaDB's JSON_NORMALIZE of a JSON text (jsonb's output): object keys sorted by their bytes, no
// spaces, numbers as d.dddEn (1 -> 1.0E0, 0.05 -> 5.0E-2, -0 -> 0.0E0), strings as written.
// std::nullopt when the text is not JSON.
std::optional<std::string> canonical_json(std::string_view json);

// A JSON number's text in that form; std::nullopt when it is not a JSON number.
std::optional<std::string> canonical_json_number(std::string_view number);

} // namespace chameleon::core
