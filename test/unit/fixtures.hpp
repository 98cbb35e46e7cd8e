// Locates the shared test fixtures (../shared beside the checkout, or $CHAMELEON_SHARED).
#pragma once
#include <cstdlib>
#include <string>

inline std::string
shared_path(const std::string &relative) {
	const char *env = std::getenv("CHAMELEON_SHARED");
	std::string base = env && *env ? env : std::string(CHAMELEON_SOURCE_ROOT) + "/../shared";
	return base + "/" + relative;
}
