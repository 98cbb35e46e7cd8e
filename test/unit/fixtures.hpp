// Locates the test fixtures the project ships in test/fixtures/ (binlogs, a Python-tool catalogue).
#pragma once
#include <string>

inline std::string
fixture_path(const std::string &relative) {
	return std::string(CHAMELEON_SOURCE_ROOT) + "/test/fixtures/" + relative;
}
