// Case folding for SQL keywords and MySQL identifiers: ASCII only, whatever the process
// locale (a PostgreSQL backend runs under the database's LC_CTYPE, which std::tolower obeys).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace chameleon {

inline char
ascii_lower(char c) {
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string
ascii_lower(std::string_view text) {
	std::string out(text);
	for (char &c : out)
		c = ascii_lower(c);
	return out;
}

inline bool
equal_ignoring_case(std::string_view a, std::string_view b) {
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
			   return ascii_lower(x) == ascii_lower(y);
		   });
}

} // namespace chameleon
