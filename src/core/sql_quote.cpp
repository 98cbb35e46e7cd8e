// PostgreSQL identifier and literal quoting.
#include "core/sql_quote.hpp"

namespace chameleon::core {

std::string
quote_ident(std::string_view name) {
	std::string out;
	out.reserve(name.size() + 2);
	out += '"';
	for (char c : name) {
		if (c == '"')
			out += '"';
		out += c;
	}
	out += '"';
	return out;
}

std::string
quote_literal(std::string_view text) {
	std::string out;
	out.reserve(text.size() + 3);
	if (text.find('\\') != std::string_view::npos)
		out += 'E';
	out += '\'';
	for (char c : text) {
		if (c == '\'' || c == '\\')
			out += c;
		out += c;
	}
	out += '\'';
	return out;
}

} // namespace chameleon::core
