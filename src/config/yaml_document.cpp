// Builds the YamlNode tree from libyaml's event stream and turns libyaml's errors into ConfigError.
#include "config/yaml_document.hpp"

#include "config/source_config.hpp"

#include <yaml.h>

#include <algorithm>
#include <map>

namespace chameleon::config {

namespace {

// The interrupt check is called once every this many events.
constexpr unsigned interrupt_interval = 1024;

InterruptCheck interrupt_check = nullptr;

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

std::string
megabytes(std::size_t bytes) {
	return std::to_string(bytes >> 20) + " MB";
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

// The size of a finished node, known without walking it: the bytes it counts against max_yaml_bytes
// and its height (0 for a scalar, 1 + the highest child for a list or a mapping).
struct Size {
	std::size_t bytes = 0;
	std::size_t height = 0;
};

// Builds the tree without recursion: the open lists and mappings are on an explicit stack, whose
// depth is checked before each push, and each node's size is summed as it is completed.
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
		for (unsigned events = 1;; ++events) {
			if (events % interrupt_interval == 0)
				check_interrupts();
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
		Size size;
	};

	struct Anchored {
		YamlNode node;
		Size size;
	};

	// Returns true at the end of the stream.
	bool handle(const yaml_event_t &event, YamlNode &root, bool &have_document) {
		int line = line_of(event.start_mark);
		switch (event.type) {
		case YAML_STREAM_END_EVENT:
			return true;
		case YAML_DOCUMENT_START_EVENT:
			if (have_document)
				throw ConfigError("", line,
								  "invalid YAML at line " + std::to_string(line) + ": more than one document",
								  "remove the second document (the line \"---\") or load it separately");
			have_document = true;
			return false;
		case YAML_SCALAR_EVENT: {
			std::string_view value(reinterpret_cast<const char *>(event.data.scalar.value),
								   event.data.scalar.length);
			if (value.find('\0') != std::string_view::npos)
				throw nul_error(value, line);
			Size size{yaml_node_bytes + value.size(), 0};
			count(size.bytes, line);
			YamlNode node;
			node.kind = YamlNode::Kind::scalar;
			node.line = line;
			node.text.assign(value);
			node.plain =
				event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && event.data.scalar.tag == nullptr;
			if (event.data.scalar.anchor)
				remember(reinterpret_cast<const char *>(event.data.scalar.anchor), node, size, line);
			complete(std::move(node), size, root);
			return false;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			check_depth(stack.size() + 1, line);
			OpenNode open;
			open.node.kind =
				event.type == YAML_SEQUENCE_START_EVENT ? YamlNode::Kind::sequence : YamlNode::Kind::mapping;
			open.node.line = line;
			open.size = {yaml_node_bytes, 1};
			count(open.size.bytes, line);
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
				open.node.entries.reserve(open.node.items.size() / 2);
				for (std::size_t i = 0; i + 1 < open.node.items.size(); i += 2)
					open.node.entries.emplace_back(std::move(open.node.items[i]),
												   std::move(open.node.items[i + 1]));
				open.node.items.clear();
				open.node.items.shrink_to_fit();
			}
			if (!open.anchor.empty())
				remember(open.anchor, open.node, open.size, line);
			complete(std::move(open.node), open.size, root);
			return false;
		}
		case YAML_ALIAS_EVENT: {
			std::string name = reinterpret_cast<const char *>(event.data.alias.anchor);
			auto found = anchors.find(name);
			if (found == anchors.end())
				throw ConfigError("", line,
								  "invalid YAML at line " + std::to_string(line) + ": unknown alias \"*" +
									  name + "\"",
								  "define the anchor \"&" + name + "\" before using it");
			const Size size = found->second.size;
			check_depth(stack.size() + size.height, line);
			count(size.bytes, line);
			complete(YamlNode(found->second.node), size, root);
			return false;
		}
		default:
			return false;
		}
	}

	// Adds bytes to the total, refusing the document before the node is copied when it passes the limit.
	void count(std::size_t bytes, int line) {
		total_bytes += bytes;
		if (total_bytes > max_yaml_bytes)
			throw ConfigError("", line,
							  "invalid YAML at line " + std::to_string(line) +
								  ": the configuration expands to more than " + megabytes(max_yaml_bytes) +
								  " (aliases expanded)",
							  "remove aliases that repeat large values, and shorten long values");
	}

	void check_depth(std::size_t depth, int line) const {
		if (depth > max_yaml_depth)
			throw ConfigError("", line,
							  "invalid YAML at line " + std::to_string(line) +
								  ": lists and mappings are nested more than " +
								  std::to_string(max_yaml_depth) + " levels deep",
							  "a configuration needs only a few levels: check the brackets and the "
							  "indentation, and remove the extra nesting");
	}

	// The key path of the scalar being read, in the form ConfigError::key uses ("db_conn.password";
	// the items of a list have the path of the list).
	std::string current_path(bool *is_key) const {
		std::string path;
		*is_key = false;
		for (const OpenNode &open : stack) {
			if (open.node.kind != YamlNode::Kind::mapping)
				continue;
			bool at_value = open.node.items.size() % 2 == 1;
			*is_key = !at_value;
			if (!at_value)
				continue;
			const YamlNode &key = open.node.items.back();
			path +=
				(path.empty() ? "" : ".") + (key.kind == YamlNode::Kind::scalar ? printable(key.text) : "?");
		}
		if (!stack.empty() && stack.back().node.kind != YamlNode::Kind::mapping)
			*is_key = false;
		return path;
	}

	// PostgreSQL text cannot hold a NUL character, and its messages would stop at it.
	ConfigError nul_error(std::string_view value, int line) const {
		bool is_key;
		std::string path = current_path(&is_key);
		std::string where = " at line " + std::to_string(line);
		if (is_key) {
			path += (path.empty() ? "" : ".") + printable(value);
			return ConfigError(path, line,
							   "invalid key \"" + path + "\"" + where + ": it contains a NUL character (\\0)",
							   "names cannot hold the NUL character: remove the \\0 escape");
		}
		return ConfigError(path, line,
						   (path.empty() ? "invalid value" : "invalid value for \"" + path + "\"") + where +
							   ": the text contains a NUL character (\\0)",
						   "PostgreSQL text cannot hold the NUL character: remove the \\0 escape");
	}

	// Keeps a copy of an anchored node for the aliases that follow; the copy counts against the limit.
	void remember(const std::string &anchor, const YamlNode &node, const Size &size, int line) {
		count(size.bytes, line);
		anchors[anchor] = Anchored{node, size};
	}

	void complete(YamlNode node, const Size &size, YamlNode &root) {
		if (stack.empty()) {
			root = std::move(node);
			return;
		}
		OpenNode &parent = stack.back();
		parent.node.items.push_back(std::move(node));
		parent.size.bytes += size.bytes;
		parent.size.height = std::max(parent.size.height, size.height + 1);
	}

	std::string_view text;
	yaml_parser_t parser;
	std::vector<OpenNode> stack;
	std::map<std::string, Anchored> anchors;
	std::size_t total_bytes = 0;
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
	return is_null() ? "nothing" : "\"" + printable(text) + "\"";
}

void
set_interrupt_check(InterruptCheck check) {
	interrupt_check = check;
}

void
check_interrupts() {
	if (interrupt_check)
		interrupt_check();
}

std::string
printable(std::string_view text) {
	std::string result;
	result.reserve(text.size());
	for (char c : text)
		if (c == '\0')
			result += "\\0";
		else
			result += c;
	return result;
}

YamlNode
load_yaml(std::string_view text) {
	if (text.size() > max_yaml_input_bytes)
		throw ConfigError("", 0, "the configuration is larger than " + megabytes(max_yaml_input_bytes),
						  "give the configuration text itself: a pg_chameleon configuration is a few "
						  "kilobytes");
	TreeBuilder builder(text);
	return builder.build();
}

} // namespace chameleon::config
