// MySQL binary JSON (the storage format of JSON columns, type 245) rendered as MySQL's JSON text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace chameleon::binlog {

// Appends the text MySQL prints for the document: {"a": 1, "b": [true, null]}, keys in stored
// order, opaque DECIMAL as a number, DATE/TIME/DATETIME as strings with 6 fractional digits,
// other opaque values as "base64:typeNN:...". Throws DecodeError on malformed input.
void append_json_binary(std::string &out, const uint8_t *data, size_t size);

} // namespace chameleon::binlog
