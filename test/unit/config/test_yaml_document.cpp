// Tests of the YAML tree: lines, null and quoted scalars, aliases, syntax errors.
#include "config/source_config.hpp"
#include "config/yaml_document.hpp"
#include "config_test_support.hpp"

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;

TEST_CASE("the tree keeps kinds, texts and 1-based lines", "[config][yaml]") {
	YamlNode root = load_yaml("a: 1\nb:\n  - x\n  - 'y'\nc: {d: e}\n");
	REQUIRE(root.kind == YamlNode::Kind::mapping);
	REQUIRE(root.entries.size() == 3);
	CHECK(root.entries[0].first.text == "a");
	CHECK(root.entries[0].first.line == 1);
	CHECK(root.entries[0].second.text == "1");
	const YamlNode &list = root.entries[1].second;
	REQUIRE(list.kind == YamlNode::Kind::sequence);
	REQUIRE(list.items.size() == 2);
	CHECK(list.items[1].text == "y");
	CHECK(list.items[1].line == 4);
	CHECK_FALSE(list.items[1].plain);
	CHECK(root.entries[2].second.kind == YamlNode::Kind::mapping);
	CHECK(root.entries[2].second.entries[0].second.text == "e");
}

TEST_CASE("null is an empty value, ~ or null, never a quoted text", "[config][yaml]") {
	YamlNode root = load_yaml("a:\nb: ~\nc: null\nd: NULL\ne: ''\nf: \"null\"\ng: !!str null\n");
	CHECK(root.entries[0].second.is_null());
	CHECK(root.entries[1].second.is_null());
	CHECK(root.entries[2].second.is_null());
	CHECK(root.entries[3].second.is_null());
	CHECK_FALSE(root.entries[4].second.is_null());
	CHECK_FALSE(root.entries[5].second.is_null());
	CHECK_FALSE(root.entries[6].second.is_null());
	CHECK(load_yaml("").is_null());
	CHECK(load_yaml("# only a comment\n").is_null());
}

TEST_CASE("anchors and aliases are expanded", "[config][yaml]") {
	YamlNode root = load_yaml("a: &conn {user: u, host: h}\nb: *conn\n");
	const YamlNode &copy = root.entries[1].second;
	REQUIRE(copy.kind == YamlNode::Kind::mapping);
	CHECK(copy.entries[1].second.text == "h");
}

TEST_CASE("alias bombs are refused", "[config][yaml]") {
	std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
	for (int level = 1; level < 9; ++level)
		yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + std::string("*a") +
				std::to_string(level - 1) + ", *a" + std::to_string(level - 1) + ", *a" +
				std::to_string(level - 1) + ", *a" + std::to_string(level - 1) + ", *a" +
				std::to_string(level - 1) + ", *a" + std::to_string(level - 1) + ", *a" +
				std::to_string(level - 1) + ", *a" + std::to_string(level - 1) + "]\n";
	ConfigError error = error_of([&] { load_yaml(yaml); });
	CHECK_THAT(error.what(), Contains("expands to more than 16 MB"));
}

TEST_CASE("malformed YAML gives libyaml's problem and the line", "[config][yaml]") {
	ConfigError error = error_of([] { load_yaml("a: 1\nb: [1, 2\nc: 3\n"); });
	CHECK(error.key.empty());
	CHECK(error.line >= 2);
	CHECK_THAT(error.what(), Contains("invalid YAML at line"));
	CHECK_FALSE(error.hint.empty());

	error = error_of([] { load_yaml("a: 1\n b: 2\n"); });
	CHECK(error.line == 2);
	CHECK_THAT(error.what(), Contains("invalid YAML at line 2: mapping values are not allowed"));

	error = error_of([] { load_yaml("a:\n\t- 1\n"); });
	CHECK(error.line == 2);

	error = error_of([] { load_yaml("a: b\n---\nc: d\n"); });
	CHECK(error.line == 2);
	CHECK_THAT(error.what(), Contains("more than one document"));

	error = error_of([] { load_yaml("a: *missing\n"); });
	CHECK_THAT(error.what(), Contains("invalid YAML at line 1"));

	error = error_of([] { load_yaml("a: 1\nb: \"\xff\"\n"); });
	CHECK(error.line == 2);
	CHECK_THAT(error.what(), Contains("UTF-8"));
}
