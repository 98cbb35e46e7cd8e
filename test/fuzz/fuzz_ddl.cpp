// libFuzzer target for the DDL parser: any input must either parse or raise ParseError.
// Build: clang++-14 -std=c++17 -fsanitize=fuzzer,address,undefined -Isrc test/fuzz/fuzz_ddl.cpp src/ddl/*.cpp
// run.sh seeds it with the statements of test/unit/ddl/corpus.cpp (one file per statement).
#include "ddl/parser.hpp"
#include "ddl/summary.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	std::string_view sql(reinterpret_cast<const char *>(data), size);
	chameleon::ddl::ParseOptions options;
	options.ansi_quotes = size > 0 && data[0] == '"';
	try {
		for (const chameleon::ddl::Statement &statement : chameleon::ddl::parse(sql, options))
			chameleon::ddl::summarize(statement);
	} catch (const chameleon::ddl::ParseError &) {
	}
	return 0;
}
