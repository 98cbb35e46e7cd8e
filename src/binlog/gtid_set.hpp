// GTID sets of both flavours, to record "executed up to": MySQL uuid[:tag]:intervals sets and
// MariaDB domain-server-sequence lists. Parse, format, contains, add.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chameleon::binlog {

using Uuid = std::array<uint8_t, 16>;

std::string format_uuid(const Uuid &uuid);
Uuid parse_uuid(std::string_view text); // throws DecodeError

struct GnoInterval {
	int64_t first = 0; // inclusive
	int64_t last = 0;  // inclusive
	bool operator==(const GnoInterval &o) const { return first == o.first && last == o.last; }
};

// MySQL GTID set: for each (server uuid, tag) a sorted list of disjoint, non-adjacent intervals.
// Text form: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,uuid2:tag:1-3"; tags (MySQL 8.3+) are
// lower-case, up to 32 characters of [a-z0-9_] starting with a letter or '_'.
class MysqlGtidSet {
  public:
	using Key = std::pair<Uuid, std::string>; // tag "" for untagged

	static MysqlGtidSet parse(std::string_view text);
	std::string format() const;
	// The binary form MySQL's Gtid_set::encode writes (the body of PREVIOUS_GTIDS, the data of
	// COM_BINLOG_DUMP_GTID): the tagged format when some (uuid, tag) has a tag, else the original.
	std::string encode() const;
	// Reads that binary form; throws DecodeError.
	static MysqlGtidSet decode(const uint8_t *body, size_t size);

	void add(const Uuid &uuid, std::string_view tag, int64_t gno);
	void add_interval(const Uuid &uuid, std::string_view tag, int64_t first, int64_t last);
	void add(const MysqlGtidSet &other);
	bool contains(const Uuid &uuid, std::string_view tag, int64_t gno) const;
	bool contains(const MysqlGtidSet &other) const;
	bool empty() const { return sets_.empty(); }
	const std::map<Key, std::vector<GnoInterval>> &intervals() const { return sets_; }
	bool operator==(const MysqlGtidSet &o) const { return sets_ == o.sets_; }

  private:
	std::map<Key, std::vector<GnoInterval>> sets_;
};

struct MariadbGtid {
	uint32_t domain_id = 0;
	uint32_t server_id = 0;
	uint64_t sequence = 0;
	bool operator==(const MariadbGtid &o) const {
		return domain_id == o.domain_id && server_id == o.server_id && sequence == o.sequence;
	}
};

// MariaDB GTID position: the last GTID of each replication domain, "0-1-100,1-2-5".
class MariadbGtidList {
  public:
	static MariadbGtidList parse(std::string_view text);
	std::string format() const;

	// Records gtid as the position of its domain (it replaces the domain's previous GTID).
	void add(const MariadbGtid &gtid);
	// True when the domain's recorded sequence is at or past gtid's.
	bool contains(const MariadbGtid &gtid) const;
	const std::vector<MariadbGtid> &gtids() const { return gtids_; }
	bool empty() const { return gtids_.empty(); }
	bool operator==(const MariadbGtidList &o) const { return gtids_ == o.gtids_; }

  private:
	std::vector<MariadbGtid> gtids_; // sorted by domain, one per domain
};

// True when the executed GTIDs `replayed` include every transaction of `target`, both in the
// text form of one flavour: MySQL sets ("uuid:1-100") or MariaDB positions ("0-1-100"). An empty
// target is covered by anything. Throws DecodeError on malformed text.
bool gtids_cover(std::string_view replayed, std::string_view target);

} // namespace chameleon::binlog
