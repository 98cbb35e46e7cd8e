// The order of binary log positions (see binlog_position.hpp).
#include "core/binlog_position.hpp"

namespace chameleon::core {

namespace {

struct FileName {
	std::string_view base;
	std::string_view number; // digits without leading zeros; empty when the name has no number
	bool numbered = false;
};

FileName
split(std::string_view name) {
	FileName file{name, {}, false};
	size_t dot = name.rfind('.');
	if (dot == std::string_view::npos || dot + 1 == name.size())
		return file;
	std::string_view digits = name.substr(dot + 1);
	for (char c : digits)
		if (c < '0' || c > '9')
			return file;
	size_t first = digits.find_first_not_of('0');
	file.base = name.substr(0, dot);
	file.number = first == std::string_view::npos ? std::string_view() : digits.substr(first);
	file.numbered = true;
	return file;
}

} // namespace

int
compare_binlog_files(std::string_view a, std::string_view b) {
	FileName x = split(a), y = split(b);
	if (!x.numbered || !y.numbered || x.base != y.base)
		return a.compare(b);
	// numbers of any length: the longer one is larger, equal lengths compare digit by digit
	if (x.number.size() != y.number.size())
		return x.number.size() < y.number.size() ? -1 : 1;
	return x.number.compare(y.number);
}

bool
binlog_position_before(std::string_view file_a, uint64_t position_a, std::string_view file_b,
					   uint64_t position_b) {
	int files = compare_binlog_files(file_a, file_b);
	return files < 0 || (files == 0 && position_a < position_b);
}

} // namespace chameleon::core
