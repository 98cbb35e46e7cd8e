// A YAML document read with libyaml into a small tree that keeps the 1-based line of every node,
// so that configuration errors can point at the line the user wrote.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chameleon::config {

// Limits of load_yaml(): whatever the input, the tree stays small and shallow. Every node counts
// yaml_node_bytes on top of its text; a node copied by an alias, or kept for an anchor, counts again.
constexpr std::size_t max_yaml_bytes = 16u << 20; // the tree, aliases expanded
constexpr std::size_t yaml_node_bytes = 64;
constexpr std::size_t max_yaml_depth = 64; // nested lists and mappings; a whole file needs 6
// The text. The stored JSON form of an accepted configuration is parsed again: to_json() writes a
// byte in at most 6 ("\u0007"), so that form must fit too.
constexpr std::size_t max_yaml_input_bytes = 128u << 20;
static_assert(max_yaml_input_bytes > 6 * max_yaml_bytes, "the JSON form of a configuration must fit");

struct YamlNode {
	enum class Kind { scalar, sequence, mapping };
	Kind kind = Kind::scalar;
	std::string text;  // scalar value, as written (no type resolution)
	bool plain = true; // scalar written without quotes, block style or tag: only these can be null
	int line = 1;
	std::vector<YamlNode> items;						// sequence elements
	std::vector<std::pair<YamlNode, YamlNode>> entries; // mapping key/value pairs, in file order

	// YAML null: an empty value, ~ or null (plain scalars only).
	bool is_null() const;
	// "a list", "a mapping" or a quoted scalar, for error messages.
	std::string describe() const;
};

// Parses one YAML document (an empty input gives a null scalar at line 1). Anchors and aliases are
// expanded. Throws ConfigError with libyaml's problem and line on malformed input, when the input
// holds more than one document, when a scalar holds a NUL character (naming its key path), or when
// a limit above is passed. The tree is never deeper than max_yaml_depth, so the recursive
// destruction and copies of YamlNode are bounded. Calls the interrupt check every 1024
// events.
YamlNode load_yaml(std::string_view text);

// Runs the function given to set_interrupt_check(), if any.
void check_interrupts();

// "\0" for each NUL character, for messages (PostgreSQL's messages end at the first NUL).
std::string printable(std::string_view text);

} // namespace chameleon::config
