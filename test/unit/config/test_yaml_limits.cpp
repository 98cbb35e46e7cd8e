// Tests of the limits of the YAML reader: nesting depth, expanded size, input size, NUL characters.
#include "config/source_config.hpp"
#include "config/yaml_document.hpp"
#include "config_test_support.hpp"

#include <sys/resource.h>

#include <chrono>

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;

namespace {

constexpr int deep = 100000;

// Runs parse, which must throw a ConfigError, and returns it with the seconds it took.
template <typename Parse>
std::pair<ConfigError, double>
timed_error(Parse parse) {
	auto start = std::chrono::steady_clock::now();
	ConfigError error = error_of(parse);
	std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
	return {error, seconds.count()};
}

// Peak resident memory of this process, in bytes.
std::size_t
peak_memory() {
	rusage usage{};
	getrusage(RUSAGE_SELF, &usage);
	return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

} // namespace

TEST_CASE("100,000 nested flow mappings are refused at the depth limit, quickly", "[config][yaml][limits]") {
	std::string yaml = repeat("{a: ", deep) + "x" + std::string(deep, '}');
	auto [error, seconds] = timed_error([&] { load_yaml(yaml); });
	CHECK_THAT(error.what(), Contains("invalid YAML at line 1: lists and mappings are nested more than 64 "
									  "levels deep"));
	CHECK(error.line == 1);
	CHECK_FALSE(error.hint.empty());
	CHECK(seconds < 2);
	// through the source reader too
	CHECK_THAT(source_error(yaml).what(), Contains("more than 64 levels deep"));
	CHECK_THAT(file_error(yaml).what(), Contains("more than 64 levels deep"));
}

TEST_CASE("100,000 nested flow lists are refused at the depth limit, quickly", "[config][yaml][limits]") {
	std::string yaml = std::string(deep, '[') + std::string(deep, ']');
	auto [error, seconds] = timed_error([&] { load_yaml(yaml); });
	CHECK_THAT(error.what(), Contains("more than 64 levels deep"));
	CHECK(seconds < 2);
	// unbalanced: the limit is met before the missing brackets
	CHECK_THAT(source_error(std::string(deep, '[')).what(), Contains("more than 64 levels deep"));
}

TEST_CASE("100,000 nested block lists and deep block mappings are refused", "[config][yaml][limits]") {
	std::string yaml = repeat("- ", deep) + "x\n";
	auto [error, seconds] = timed_error([&] { load_yaml(yaml); });
	CHECK_THAT(error.what(), Contains("more than 64 levels deep"));
	CHECK(seconds < 2);

	std::string mapping;
	for (int level = 0; level < 100; ++level)
		mapping += std::string(static_cast<std::size_t>(level), ' ') + "a:\n";
	error = error_of([&] { load_yaml(mapping); });
	CHECK(error.line == 65); // the 65th mapping opens at the key of line 65
	CHECK_THAT(error.what(), Contains("invalid YAML at line 65"));
}

TEST_CASE("64 levels are accepted, 65 are not", "[config][yaml][limits]") {
	YamlNode root = load_yaml(std::string(64, '[') + "x" + std::string(64, ']'));
	const YamlNode *node = &root;
	int levels = 0;
	while (node->kind == YamlNode::Kind::sequence) {
		++levels;
		node = &node->items.at(0);
	}
	CHECK(levels == 64);
	CHECK(node->text == "x");
	CHECK_THAT(error_of([] { load_yaml(std::string(65, '[') + std::string(65, ']')); }).what(),
			   Contains("more than 64 levels deep"));
}

TEST_CASE("aliases cannot build a tree deeper than the limit", "[config][yaml][limits]") {
	// each anchor adds 40 levels to the one before it
	std::string yaml = "a0: &a0 x\n";
	for (int level = 1; level <= 3; ++level)
		yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " " + std::string(40, '[') +
				"*a" + std::to_string(level - 1) + std::string(40, ']') + "\n";
	ConfigError error = error_of([&] { load_yaml(yaml); });
	CHECK_THAT(error.what(), Contains("more than 64 levels deep"));
	CHECK(error.line == 3);
}

TEST_CASE("an alias that repeats a large value is refused by the size limit, in little memory",
		  "[config][yaml][limits]") {
	// 1 MB value, repeated 3000 times: 3 GB once expanded
	std::string yaml =
		"big: &big \"" + std::string(1 << 20, 'x') + "\"\ncopies: [" + repeat("*big, ", 2999) + "*big]\n";
	std::size_t before = peak_memory();
	auto [error, seconds] = timed_error([&] { load_yaml(yaml); });
	std::size_t growth = peak_memory() - before;
	CHECK_THAT(error.what(),
			   Contains("invalid YAML at line 2: the configuration expands to more than 16 MB"));
	CHECK_THAT(error.hint, Contains("Remove aliases that repeat large values"));
	CHECK(error.key.empty());
	CHECK(growth < (128u << 20));
	CHECK(seconds < 2);
	CHECK_THAT(source_error(yaml).what(), Contains("expands to more than 16 MB"));
}

TEST_CASE("anchors nested around a large value count each copy they keep", "[config][yaml][limits]") {
	std::string yaml = "a: ";
	for (int level = 0; level < 60; ++level)
		yaml += "&a" + std::to_string(level) + " [";
	yaml += "\"" + std::string(3 << 20, 'x') + "\"" + std::string(60, ']') + "\n";
	CHECK_THAT(error_of([&] { load_yaml(yaml); }).what(), Contains("expands to more than 16 MB"));
}

TEST_CASE("a document up to the size limit is read", "[config][yaml][limits]") {
	// 8 MB of text, counted twice (the value and its anchored copy), stays under 16 MB
	std::string yaml = "a: &a \"" + std::string(7 << 20, 'y') + "\"\nb: [1, 2]\n";
	YamlNode root = load_yaml(yaml);
	CHECK(root.entries.at(0).second.text.size() == (7u << 20));
	CHECK(root.entries.at(1).second.items.size() == 2);
	CHECK_THAT(error_of([] { load_yaml("a: &a \"" + std::string(17 << 20, 'y') + "\"\n"); }).what(),
			   Contains("expands to more than 16 MB"));
}

TEST_CASE("an input larger than 128 MB is refused before it is parsed", "[config][yaml][limits]") {
	std::string yaml(max_yaml_input_bytes + 1, ' ');
	ConfigError error = error_of([&] { load_yaml(yaml); });
	CHECK(std::string(error.what()) == "the configuration is larger than 128 MB");
	CHECK(error.line == 0);
	CHECK_FALSE(error.hint.empty());
}

TEST_CASE("a global type_override copied into many sources is bounded", "[config][yaml][limits]") {
	std::string tables;
	for (int i = 0; i < 3000; ++i)
		tables += (i ? ", " : "") + std::string("s.table_") + std::to_string(i);
	std::string yaml = "type_override:\n  \"tinyint(1)\":\n    override_to: boolean\n    override_tables: [" +
					   tables + "]\nsources:\n";
	for (int i = 0; i < 100; ++i)
		yaml += "  s" + std::to_string(i) + ": {db_conn: {user: u}, schema_mappings: {s: d" +
				std::to_string(i) + "}}\n";
	ConfigError error = file_error(yaml);
	CHECK(error.key == "type_override");
	CHECK(error.line == 1);
	CHECK_THAT(error.what(), Contains("the global \"type_override\" at line 1, copied into every source, "
									  "expands to more than 16 MB"));
	// the same block for a few sources is fine
	std::string few = yaml.substr(0, yaml.find("  s5:"));
	CHECK(parse_file(few).sources.size() == 5);
}

TEST_CASE("a NUL character in a value or a key is refused with its key path and line",
		  "[config][yaml][limits]") {
	std::string yaml = "db_conn:\n  user: u\n  password: \"a\\0b\"\nschema_mappings:\n  shop: shop_pg\n";
	ConfigError error = source_error(yaml);
	CHECK(error.key == "db_conn.password");
	CHECK(error.line == 3);
	CHECK(std::string(error.what()) ==
		  "invalid value for \"db_conn.password\" at line 3: the text contains a NUL character (\\0)");
	CHECK_THAT(error.hint, Contains("remove the \\0 escape"));

	// the other escapes of NUL, in a list, in a whole file
	error = source_error("db_conn: {user: u}\nschema_mappings: {shop: shop_pg}\nlimit_tables: [shop.a, "
						 "\"shop.b\\x00\"]\n");
	CHECK(error.key == "limit_tables");
	CHECK(error.line == 3);
	error = file_error("sources:\n  mysql:\n    db_conn:\n      user: \"\\u0000\"\n");
	CHECK(error.key == "sources.mysql.db_conn.user");
	CHECK(error.line == 4);

	// in a key: the path shows it as \0
	error = source_error("db_conn:\n  \"us\\0er\": u\n");
	CHECK(error.key == "db_conn.us\\0er");
	CHECK(error.line == 2);
	CHECK_THAT(error.what(),
			   Contains("invalid key \"db_conn.us\\0er\" at line 2: it contains a NUL character"));

	// a top-level value has no key
	error = error_of([] { load_yaml("\"\\0\""); });
	CHECK(error.key.empty());
	CHECK_THAT(error.what(), Contains("invalid value at line 1"));
}
