// Helpers shared by the configuration tests: capture a ConfigError, a minimal valid source block,
// repeated text for the size and depth limits.
#pragma once

#include "config/source_config.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace chameleon::config::testing {

// The smallest source block parse_source() accepts.
inline const std::string minimal_source = "db_conn:\n"
										  "  user: usr_replica\n"
										  "schema_mappings:\n"
										  "  shop: shop_pg\n";

// `text` written `times` times in a row.
inline std::string
repeat(const std::string &text, int times) {
	std::string result;
	result.reserve(text.size() * static_cast<std::size_t>(times));
	for (int i = 0; i < times; ++i)
		result += text;
	return result;
}

// Runs parse and returns the ConfigError it throws; fails the test when nothing is thrown.
template <typename Parse>
ConfigError
error_of(Parse parse) {
	try {
		parse();
	} catch (const ConfigError &error) {
		return error;
	}
	FAIL("no ConfigError was thrown");
	throw std::logic_error("unreachable");
}

inline ConfigError
source_error(const std::string &yaml) {
	return error_of([&] { parse_source(yaml); });
}

inline ConfigError
file_error(const std::string &yaml) {
	return error_of([&] { parse_file(yaml); });
}

} // namespace chameleon::config::testing
