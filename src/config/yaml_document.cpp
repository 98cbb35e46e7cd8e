// Builds the YamlNode tree from libyaml's event stream and turns libyaml's errors into ConfigError.
#include "config/yaml_document.hpp"

#include "config/source_config.hpp"

#include <yaml.h>

#include <algorithm>
#include <map>

namespace chameleon::config {

namespace {

// Aliases are expanded by copying; this bounds the copies (a "billion laughs" document).
constexpr std::size_t max_nodes = 200000;

int
line_of(const yaml_mark_t &mark) {
	return static_cast<int>(mark.line) + 1;
}

int
line_at_offset(std::string_view text, std::size_t offset) {
	offset = std::min(offset, text.size());
	return 1 + static_cast<int>(
				   std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

std::size_t
count_nodes(const YamlNode &node) {
	std::size_t count = 1;
	for (const auto &item : node.items)
		count += count_nodes(item);
	for (const auto &[key, value] : node.entries)
		count += count_nodes(key) + count_nodes(value);
	return count;
}

ConfigError
syntax_error(const yaml_parser_t &parser, std::string_view text) {
	std::string problem = parser.problem ? parser.problem : "unknown error";
	int line;
	if (parser.error == YAML_READER_ERROR) {
		line = line_at_offset(text, parser.problem_offset);
		problem += " (the text must be UTF-8)";
	} else {
		line = line_of(parser.problem_mark);
		if (parser.context)
			problem += std::string(" (") + parser.context + " at line " +
					   std::to_string(line_of(parser.context_mark)) + ")";
	}
	return ConfigError("", line, "invalid YAML at line " + std::to_string(line) + ": " + problem,
					   "check the indentation (spaces, not tabs) and the quoting near line " +
						   std::to_string(line));
}

class TreeBuilder {
  public:
	explicit TreeBuilder(std::string_view text) : text(text) {
		if (!yaml_parser_initialize(&parser))
			throw ConfigError("", 0, "could not initialise the YAML parser", "the server is out of memory");
		yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char *>(text.data()),
									 text.size());
	}
	~TreeBuilder() { yaml_parser_delete(&parser); }
	TreeBuilder(const TreeBuilder &) = delete;
	TreeBuilder &operator=(const TreeBuilder &) = delete;

	YamlNode build() {
		YamlNode root;
		root.kind = YamlNode::Kind::scalar;
		bool have_document = false;
		for (;;) {
			Event event;
			if (!yaml_parser_parse(&parser, &event.value))
				throw syntax_error(parser, text);
			event.owned = true;
			if (handle(event.value, root, have_document))
				return root;
		}
	}

  private:
	// A parsed event, freed even when handling it throws.
	struct Event {
		yaml_event_t value;
		bool owned = false;
		Event() = default;
		Event(const Event &) = delete;
		Event &operator=(const Event &) = delete;
		~Event() {
			if (owned)
				yaml_event_delete(&value);
		}
	};

	struct OpenNode {
		YamlNode node;
		std::string anchor;
	};

	// Returns true at the end of the stream.
	bool handle(const yaml_event_t &event, YamlNode &root, bool &have_document) {
		switch (event.type) {
		case YAML_STREAM_END_EVENT:
			return true;
		case YAML_DOCUMENT_START_EVENT:
			if (have_document)
				throw ConfigError("", line_of(event.start_mark),
								  "invalid YAML at line " + std::to_string(line_of(event.start_mark)) +
									  ": more than one document",
								  "remove the second document (the line \"---\") or load it separately");
			have_document = true;
			return false;
		case YAML_SCALAR_EVENT: {
			YamlNode node;
			node.kind = YamlNode::Kind::scalar;
			node.line = line_of(event.start_mark);
			node.text.assign(reinterpret_cast<const char *>(event.data.scalar.value),
							 event.data.scalar.length);
			node.plain =
				event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && event.data.scalar.tag == nullptr;
			remember(event.data.scalar.anchor, node);
			complete(std::move(node), root);
			return false;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			OpenNode open;
			open.node.kind =
				event.type == YAML_SEQUENCE_START_EVENT ? YamlNode::Kind::sequence : YamlNode::Kind::mapping;
			open.node.line = line_of(event.start_mark);
			const yaml_char_t *anchor = event.type == YAML_SEQUENCE_START_EVENT
											? event.data.sequence_start.anchor
											: event.data.mapping_start.anchor;
			if (anchor)
				open.anchor = reinterpret_cast<const char *>(anchor);
			stack.push_back(std::move(open));
			return false;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			OpenNode open = std::move(stack.back());
			stack.pop_back();
			if (open.node.kind == YamlNode::Kind::mapping) {
				for (std::size_t i = 0; i + 1 < open.node.items.size(); i += 2)
					open.node.entries.emplace_back(std::move(open.node.items[i]),
												   std::move(open.node.items[i + 1]));
				open.node.items.clear();
			}
			if (!open.anchor.empty())
				anchors[open.anchor] = open.node;
			complete(std::move(open.node), root);
			return false;
		}
		case YAML_ALIAS_EVENT: {
			std::string name = reinterpret_cast<const char *>(event.data.alias.anchor);
			auto found = anchors.find(name);
			int line = line_of(event.start_mark);
			if (found == anchors.end())
				throw ConfigError("", line,
								  "invalid YAML at line " + std::to_string(line) + ": unknown alias \"*" +
									  name + "\"",
								  "define the anchor \"&" + name + "\" before using it");
			expanded_nodes += count_nodes(found->second);
			if (expanded_nodes > max_nodes)
				throw ConfigError("", line,
								  "invalid YAML at line " + std::to_string(line) +
									  ": aliases expand to too many nodes",
								  "write the repeated blocks out instead of nesting aliases");
			complete(YamlNode(found->second), root);
			return false;
		}
		default:
			return false;
		}
	}

	void remember(const yaml_char_t *anchor, const YamlNode &node) {
		if (anchor)
			anchors[reinterpret_cast<const char *>(anchor)] = node;
	}

	void complete(YamlNode node, YamlNode &root) {
		if (stack.empty())
			root = std::move(node);
		else
			stack.back().node.items.push_back(std::move(node));
	}

	std::string_view text;
	yaml_parser_t parser;
	std::vector<OpenNode> stack;
	std::map<std::string, YamlNode> anchors;
	std::size_t expanded_nodes = 0;
};

} // namespace

bool
YamlNode::is_null() const {
	return kind == Kind::scalar && plain &&
		   (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL");
}

std::string
YamlNode::describe() const {
	switch (kind) {
	case Kind::sequence:
		return "a list";
	case Kind::mapping:
		return "a mapping";
	case Kind::scalar:
		break;
	}
	return is_null() ? "nothing" : "\"" + text + "\"";
}

YamlNode
load_yaml(std::string_view text) {
	TreeBuilder builder(text);
	return builder.build();
}

} // namespace chameleon::config
