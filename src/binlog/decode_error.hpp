// The single exception type of the binlog decoder: a malformed or unsupported binlog input.
#pragma once
#include <stdexcept>
#include <string>

namespace chameleon::binlog {

class DecodeError : public std::runtime_error {
  public:
	explicit DecodeError(const std::string &message) : std::runtime_error(message) {}
};

} // namespace chameleon::binlog
