// Catch2 main for the unit test binaries; kept alone because it is slow to compile.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
