// The order of binary log positions. A server names its binlog files <base>.<number>, the number
// zero-padded to six digits and growing past them (mysql-bin.999999 is followed by
// mysql-bin.1000000), so names compare by base, then by number, never as plain strings.
#pragma once

#include <cstdint>
#include <string_view>

namespace chameleon::core {

// < 0, 0, > 0 as file a comes before, is, or comes after file b.
int compare_binlog_files(std::string_view a, std::string_view b);

// Whether (file_a, position_a) comes strictly before (file_b, position_b).
bool binlog_position_before(std::string_view file_a, uint64_t position_a, std::string_view file_b,
							uint64_t position_b);

} // namespace chameleon::core
