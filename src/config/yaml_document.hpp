// A YAML document read with libyaml into a small tree that keeps the 1-based line of every node,
// so that configuration errors can point at the line the user wrote.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chameleon::config {

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
// expanded. Throws ConfigError with libyaml's problem and line on malformed input, or when the
// input holds more than one document.
YamlNode load_yaml(std::string_view text);

} // namespace chameleon::config
