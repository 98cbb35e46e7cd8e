// GTID set arithmetic, text and binary forms for MySQL (uuid[:tag]:intervals) and MariaDB (d-s-n lists).
#include "binlog/gtid_set.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cstdint>

#include "binlog/byte_reader.hpp"
#include "binlog/decode_error.hpp"

namespace chameleon::binlog {

namespace {

int
hex_value(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

std::string_view
trim(std::string_view s) {
	while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
		s.remove_suffix(1);
	return s;
}

template <class T>
T
parse_number(std::string_view text, const char *what) {
	T v{};
	auto r = std::from_chars(text.data(), text.data() + text.size(), v);
	if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
		throw DecodeError(std::string("invalid ") + what + " '" + std::string(text) + "'");
	return v;
}

bool
valid_tag(std::string_view tag) {
	if (tag.empty() || tag.size() > 32)
		return false;
	if (!((tag[0] >= 'a' && tag[0] <= 'z') || tag[0] == '_'))
		return false;
	return std::all_of(tag.begin(), tag.end(),
					   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string
normalise_tag(std::string_view tag) {
	std::string lower(tag);
	for (char &c : lower)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	if (!lower.empty() && !valid_tag(lower))
		throw DecodeError("invalid gtid tag '" + std::string(tag) + "'");
	return lower;
}

// Calls f with each non-empty, trimmed member of a comma-separated list.
template <typename F>
void
for_each_member(std::string_view text, F f) {
	text = trim(text);
	while (!text.empty()) {
		size_t comma = text.find(',');
		std::string_view member = trim(text.substr(0, comma));
		text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
		if (!member.empty())
			f(member);
	}
}

} // namespace

std::string
format_uuid(const Uuid &uuid) {
	static const char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(36);
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out.push_back('-');
		out.push_back(digits[uuid[i] >> 4]);
		out.push_back(digits[uuid[i] & 15]);
	}
	return out;
}

Uuid
parse_uuid(std::string_view text) {
	Uuid uuid{};
	size_t n = 0;
	for (size_t i = 0; i < text.size(); i++) {
		if (text[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23) && text.size() == 36)
			continue;
		int hi = hex_value(text[i]);
		int lo = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
		if (hi < 0 || lo < 0 || n >= 16)
			throw DecodeError("invalid uuid '" + std::string(text) + "'");
		uuid[n++] = static_cast<uint8_t>(hi << 4 | lo);
		i++;
	}
	if (n != 16)
		throw DecodeError("invalid uuid '" + std::string(text) + "'");
	return uuid;
}

MysqlGtidSet
MysqlGtidSet::parse(std::string_view text) {
	MysqlGtidSet set;
	for_each_member(text, [&](std::string_view member) {
		size_t colon = member.find(':');
		Uuid uuid = parse_uuid(trim(member.substr(0, colon)));
		std::string tag;
		while (colon != std::string_view::npos) {
			member = member.substr(colon + 1);
			colon = member.find(':');
			std::string_view item = trim(member.substr(0, colon));
			if (item.empty())
				throw DecodeError("empty interval in gtid set");
			if (!(item[0] >= '0' && item[0] <= '9')) {
				tag = normalise_tag(item);
				continue;
			}
			size_t dash = item.find('-');
			int64_t first = parse_number<int64_t>(item.substr(0, dash), "gtid interval");
			int64_t last = dash == std::string_view::npos
							   ? first
							   : parse_number<int64_t>(item.substr(dash + 1), "gtid interval");
			set.add_interval(uuid, tag, first, last);
		}
	});
	return set;
}

std::string
MysqlGtidSet::format() const {
	std::string out;
	const Uuid *current = nullptr;
	for (const auto &[key, list] : sets_) {
		if (!current || *current != key.first) {
			if (current)
				out.push_back(',');
			out.append(format_uuid(key.first));
			current = &key.first;
		}
		if (!key.second.empty()) {
			out.push_back(':');
			out.append(key.second);
		}
		for (const GnoInterval &iv : list) {
			out.push_back(':');
			out.append(std::to_string(iv.first));
			if (iv.last != iv.first) {
				out.push_back('-');
				out.append(std::to_string(iv.last));
			}
		}
	}
	return out;
}

namespace {

void
append_le64(std::string &out, uint64_t value) {
	for (int i = 0; i < 8; i++)
		out.push_back(static_cast<char>(value >> (8 * i)));
}

// MySQL's serialization varlen: n bytes little endian, the low n - 1 bits set and the next one
// clear, the value above them (nine bytes: 0xff, then the value).
void
append_serialized_varlen(std::string &out, uint64_t value) {
	for (unsigned bytes = 1; bytes <= 8; bytes++)
		if (value < (uint64_t(1) << (7 * bytes))) {
			uint64_t raw = (value << bytes) | ((uint64_t(1) << (bytes - 1)) - 1);
			for (unsigned i = 0; i < bytes; i++)
				out.push_back(static_cast<char>(raw >> (8 * i)));
			return;
		}
	out.push_back(static_cast<char>(0xff));
	append_le64(out, value);
}

} // namespace

// Gtid_set::encode: 8 bytes (format byte 1 in the top byte and n_sids in bits 8..55 when tagged,
// n_sids otherwise), then per sid: uuid, [varlen tag], interval count, [start, end) pairs.
MysqlGtidSet
MysqlGtidSet::decode(const uint8_t *body, size_t size) {
	ByteReader in(body, size, "previous_gtids event");
	uint64_t head = in.u64();
	bool tagged = (head >> 56) == 1;
	if ((head >> 56) > 1)
		throw DecodeError("unknown gtid set format " + std::to_string(head >> 56));
	uint64_t sids = tagged ? (head >> 8) & ((1ull << 48) - 1) : head;
	if (sids > in.remaining() / 24)
		in.fail_truncated(sids * 24);
	MysqlGtidSet set;
	for (uint64_t i = 0; i < sids; i++) {
		Uuid uuid;
		std::memcpy(uuid.data(), in.take(16), 16);
		std::string_view tag;
		if (tagged) {
			uint64_t n = in.serialized_varlen();
			if (n > 32)
				throw DecodeError("gtid tag longer than 32 characters");
			tag = in.take_string(static_cast<size_t>(n));
		}
		uint64_t intervals = in.u64();
		if (intervals > in.remaining() / 16)
			in.fail_truncated(intervals * 16);
		for (uint64_t k = 0; k < intervals; k++) {
			int64_t start = static_cast<int64_t>(in.u64());
			int64_t end = static_cast<int64_t>(in.u64());
			if (start < 1 || end <= start)
				throw DecodeError("invalid gtid interval [" + std::to_string(start) + ", " +
								  std::to_string(end) + ")");
			set.add_interval(uuid, tag, start, end - 1);
		}
	}
	return set;
}

std::string
MysqlGtidSet::encode() const {
	bool tagged = false;
	for (const auto &[key, list] : sets_)
		tagged = tagged || !key.second.empty();
	uint64_t count = sets_.size();
	std::string out;
	append_le64(out, tagged ? (uint64_t(1) << 56) | (count << 8) | 1 : count);
	for (const auto &[key, list] : sets_) {
		out.append(reinterpret_cast<const char *>(key.first.data()), key.first.size());
		if (tagged) {
			append_serialized_varlen(out, key.second.size());
			out.append(key.second);
		}
		append_le64(out, list.size());
		for (const GnoInterval &interval : list) {
			append_le64(out, static_cast<uint64_t>(interval.first));
			append_le64(out, static_cast<uint64_t>(interval.last + 1)); // [start, end)
		}
	}
	return out;
}

void
MysqlGtidSet::add(const Uuid &uuid, std::string_view tag, int64_t gno) {
	add_interval(uuid, tag, gno, gno);
}

void
MysqlGtidSet::add_interval(const Uuid &uuid, std::string_view tag, int64_t first, int64_t last) {
	if (first < 1 || last < first || last == INT64_MAX)
		throw DecodeError("invalid gtid interval " + std::to_string(first) + "-" + std::to_string(last));
	std::vector<GnoInterval> &list = sets_[Key(uuid, normalise_tag(tag))];
	// Insert, then merge overlapping or adjacent neighbours.
	auto it = std::lower_bound(list.begin(), list.end(), first,
							   [](const GnoInterval &iv, int64_t v) { return iv.last < v - 1; });
	GnoInterval merged{first, last};
	auto stop = it;
	while (stop != list.end() && stop->first <= last + 1) {
		merged.first = std::min(merged.first, stop->first);
		merged.last = std::max(merged.last, stop->last);
		++stop;
	}
	it = list.erase(it, stop);
	list.insert(it, merged);
}

void
MysqlGtidSet::add(const MysqlGtidSet &other) {
	for (const auto &[key, list] : other.sets_)
		for (const GnoInterval &iv : list)
			add_interval(key.first, key.second, iv.first, iv.last);
}

bool
MysqlGtidSet::contains(const Uuid &uuid, std::string_view tag, int64_t gno) const {
	auto found = sets_.find(Key(uuid, normalise_tag(tag)));
	if (found == sets_.end())
		return false;
	const auto &list = found->second;
	auto it = std::lower_bound(list.begin(), list.end(), gno,
							   [](const GnoInterval &iv, int64_t v) { return iv.last < v; });
	return it != list.end() && it->first <= gno;
}

bool
MysqlGtidSet::contains(const MysqlGtidSet &other) const {
	for (const auto &[key, list] : other.sets_) {
		auto found = sets_.find(key);
		if (found == sets_.end())
			return false;
		for (const GnoInterval &iv : list) {
			const auto &mine = found->second;
			auto it = std::lower_bound(mine.begin(), mine.end(), iv.first,
									   [](const GnoInterval &m, int64_t v) { return m.last < v; });
			if (it == mine.end() || it->first > iv.first || it->last < iv.last)
				return false;
		}
	}
	return true;
}

MariadbGtidList
MariadbGtidList::parse(std::string_view text) {
	MariadbGtidList list;
	for_each_member(text, [&](std::string_view member) {
		size_t dash1 = member.find('-');
		size_t dash2 = dash1 == std::string_view::npos ? dash1 : member.find('-', dash1 + 1);
		if (dash2 == std::string_view::npos)
			throw DecodeError("invalid mariadb gtid '" + std::string(member) + "'");
		MariadbGtid gtid;
		gtid.domain_id = parse_number<uint32_t>(member.substr(0, dash1), "gtid domain");
		gtid.server_id =
			parse_number<uint32_t>(member.substr(dash1 + 1, dash2 - dash1 - 1), "gtid server id");
		gtid.sequence = parse_number<uint64_t>(member.substr(dash2 + 1), "gtid sequence");
		list.add(gtid);
	});
	return list;
}

std::string
MariadbGtidList::format() const {
	std::string out;
	for (const MariadbGtid &g : gtids_) {
		if (!out.empty())
			out.push_back(',');
		out.append(std::to_string(g.domain_id)).push_back('-');
		out.append(std::to_string(g.server_id)).push_back('-');
		out.append(std::to_string(g.sequence));
	}
	return out;
}

void
MariadbGtidList::add(const MariadbGtid &gtid) {
	auto it = std::lower_bound(gtids_.begin(), gtids_.end(), gtid.domain_id,
							   [](const MariadbGtid &g, uint32_t d) { return g.domain_id < d; });
	if (it != gtids_.end() && it->domain_id == gtid.domain_id)
		*it = gtid;
	else
		gtids_.insert(it, gtid);
}

bool
MariadbGtidList::contains(const MariadbGtid &gtid) const {
	auto it = std::lower_bound(gtids_.begin(), gtids_.end(), gtid.domain_id,
							   [](const MariadbGtid &g, uint32_t d) { return g.domain_id < d; });
	return it != gtids_.end() && it->domain_id == gtid.domain_id && it->sequence >= gtid.sequence;
}

bool
gtids_cover(std::string_view replayed, std::string_view target) {
	if (target.find_first_not_of(" \t\n") == std::string_view::npos)
		return true;
	if (target.find(':') != std::string_view::npos)
		return MysqlGtidSet::parse(replayed).contains(MysqlGtidSet::parse(target));
	MariadbGtidList executed = MariadbGtidList::parse(replayed);
	MariadbGtidList wanted = MariadbGtidList::parse(target);
	for (const MariadbGtid &gtid : wanted.gtids())
		if (!executed.contains(gtid))
			return false;
	return true;
}

} // namespace chameleon::binlog
