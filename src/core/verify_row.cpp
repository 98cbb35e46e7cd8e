// Row text, CRC32 and canonical JSON of the PostgreSQL side of a range hash (see verify_row.hpp).
#include "core/verify_row.hpp"

#include <algorithm>
#include <utility>
#include <zlib.h>

namespace chameleon::core {

namespace {

class JsonCanonicaliser {
  public:
	explicit JsonCanonicaliser(std::string_view text) : text_(text) {}

	std::optional<std::string> run() {
		std::string out;
		if (!value(out, 0))
			return std::nullopt;
		skip_space();
		if (pos_ != text_.size())
			return std::nullopt;
		return out;
	}

  private:
	static constexpr int max_depth = 1000;

	void skip_space() {
		while (pos_ < text_.size() &&
			   (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
			pos_++;
	}

	bool literal(std::string &out, std::string_view word) {
		if (text_.substr(pos_, word.size()) != word)
			return false;
		out += word;
		pos_ += word.size();
		return true;
	}

	// A string as written, quotes included.
	bool string(std::string &out) {
		size_t start = pos_++;
		while (pos_ < text_.size() && text_[pos_] != '"')
			pos_ += text_[pos_] == '\\' ? 2 : 1;
		if (pos_ >= text_.size())
			return false;
		pos_++;
		out += text_.substr(start, pos_ - start);
		return true;
	}

	bool number(std::string &out) {
		size_t start = pos_;
		while (pos_ < text_.size() &&
			   std::string_view("+-0123456789.eE").find(text_[pos_]) != std::string_view::npos)
			pos_++;
		std::optional<std::string> canonical = canonical_json_number(text_.substr(start, pos_ - start));
		if (!canonical)
			return false;
		out += *canonical;
		return true;
	}

	bool object(std::string &out, int depth) {
		pos_++;
		std::vector<std::pair<std::string, std::string>> members;
		skip_space();
		if (pos_ < text_.size() && text_[pos_] == '}')
			pos_++;
		else
			for (;;) {
				skip_space();
				std::string key, member;
				if (pos_ >= text_.size() || text_[pos_] != '"' || !string(key))
					return false;
				skip_space();
				if (pos_ >= text_.size() || text_[pos_++] != ':' || !value(member, depth + 1))
					return false;
				members.emplace_back(key.substr(1, key.size() - 2), std::move(member));
				skip_space();
				if (pos_ < text_.size() && text_[pos_] == ',') {
					pos_++;
					continue;
				}
				if (pos_ >= text_.size() || text_[pos_++] != '}')
					return false;
				break;
			}
		std::stable_sort(members.begin(), members.end(),
						 [](const auto &a, const auto &b) { return a.first < b.first; });
		out += '{';
		for (size_t i = 0; i < members.size(); i++) {
			out += i > 0 ? ",\"" : "\"";
			out += members[i].first;
			out += "\":";
			out += members[i].second;
		}
		out += '}';
		return true;
	}

	bool array(std::string &out, int depth) {
		pos_++;
		out += '[';
		skip_space();
		if (pos_ < text_.size() && text_[pos_] == ']') {
			pos_++;
			out += ']';
			return true;
		}
		for (bool first = true;; first = false) {
			if (!first)
				out += ',';
			if (!value(out, depth + 1))
				return false;
			skip_space();
			if (pos_ < text_.size() && text_[pos_] == ',') {
				pos_++;
				continue;
			}
			if (pos_ >= text_.size() || text_[pos_++] != ']')
				return false;
			out += ']';
			return true;
		}
	}

	bool value(std::string &out, int depth) {
		skip_space();
		if (pos_ >= text_.size() || depth > max_depth)
			return false;
		switch (text_[pos_]) {
		case '{':
			return object(out, depth);
		case '[':
			return array(out, depth);
		case '"':
			return string(out);
		case 't':
			return literal(out, "true");
		case 'f':
			return literal(out, "false");
		case 'n':
			return literal(out, "null");
		default:
			return number(out);
		}
	}

	std::string_view text_;
	size_t pos_ = 0;
};

bool
is_digit(char c) {
	return c >= '0' && c <= '9';
}

} // namespace

std::string
row_hash_text(const CanonicalRow &values, const std::vector<bool> &null_digit) {
	std::string text;
	bool first = true;
	for (const std::optional<std::string> &value : values)
		if (value) {
			if (!first)
				text += '\x1f';
			first = false;
			text += *value;
		}
	for (size_t i = 0; i < values.size(); i++)
		if (null_digit[i])
			text += values[i] ? '0' : '1';
	return text;
}

std::uint32_t
row_crc32(std::string_view text) {
	uLong crc = crc32(0L, Z_NULL, 0);
	// zlib takes a uInt length: feed long texts in pieces
	while (!text.empty()) {
		size_t piece = std::min<size_t>(text.size(), 1u << 30);
		crc = crc32(crc, reinterpret_cast<const Bytef *>(text.data()), static_cast<uInt>(piece));
		text.remove_prefix(piece);
	}
	return static_cast<std::uint32_t>(crc);
}

std::optional<std::string>
canonical_json(std::string_view json) {
	return JsonCanonicaliser(json).run();
}

std::optional<std::string>
canonical_json_number(std::string_view number) {
	size_t pos = 0;
	bool negative = false;
	if (pos < number.size() && number[pos] == '-') {
		negative = true;
		pos++;
	}
	std::string digits;
	long point = 0; // digits before the decimal point
	while (pos < number.size() && is_digit(number[pos])) {
		digits += number[pos++];
		point++;
	}
	if (digits.empty())
		return std::nullopt;
	if (pos < number.size() && number[pos] == '.') {
		pos++;
		size_t start = pos;
		while (pos < number.size() && is_digit(number[pos]))
			digits += number[pos++];
		if (pos == start)
			return std::nullopt;
	}
	long exponent = 0;
	if (pos < number.size() && (number[pos] == 'e' || number[pos] == 'E')) {
		pos++;
		bool negative_exponent = false;
		if (pos < number.size() && (number[pos] == '+' || number[pos] == '-'))
			negative_exponent = number[pos++] == '-';
		size_t start = pos;
		while (pos < number.size() && is_digit(number[pos])) {
			if (exponent < 100000000)
				exponent = exponent * 10 + (number[pos] - '0');
			pos++;
		}
		if (pos == start)
			return std::nullopt;
		if (negative_exponent)
			exponent = -exponent;
	}
	if (pos != number.size())
		return std::nullopt;
	size_t first = digits.find_first_not_of('0');
	if (first == std::string::npos)
		return std::string("0.0E0");
	point -= static_cast<long>(first);
	digits.erase(0, first);
	digits.erase(digits.find_last_not_of('0') + 1);
	std::string out = negative ? "-" : "";
	out += digits[0];
	out += '.';
	out += digits.size() > 1 ? digits.substr(1) : "0";
	return out + "E" + std::to_string(point - 1 + exponent);
}

} // namespace chameleon::core
