// Event dispatch and the per-event body layouts (MySQL libbinlogevents / MariaDB log_event.h).
#include "binlog/decoder.hpp"

#include <cstring>
#include <zstd.h>

#include "binlog/byte_reader.hpp"
#include "binlog/crc32.hpp"
#include "binlog/event_type.hpp"
#include "binlog/zlib_inflate.hpp"

namespace chameleon::binlog {

namespace {

constexpr size_t fde_fixed_size = 2 + 50 + 4 + 1;
constexpr size_t max_payload_size = size_t(1) << 30;
constexpr size_t table_cache_limit = 4096;
constexpr uint64_t max_columns = 4096; // MySQL and MariaDB tables have at most 4096 columns

struct Version {
	int major = 0, minor = 0, patch = 0;
	bool at_least(int a, int b, int c) const {
		if (major != a)
			return major > a;
		if (minor != b)
			return minor > b;
		return patch >= c;
	}
};

Version
parse_version(std::string_view text) {
	Version v;
	int *parts[3] = {&v.major, &v.minor, &v.patch};
	size_t i = 0;
	for (int *part : parts) {
		while (i < text.size() && text[i] >= '0' && text[i] <= '9' && *part < 100000)
			*part = *part * 10 + (text[i++] - '0');
		if (i >= text.size() || text[i] != '.')
			break;
		i++;
	}
	return v;
}

bool
is_rows_v2(uint8_t type) {
	return (type >= event_type::write_rows_v2 && type <= event_type::delete_rows_v2) ||
		   type == event_type::partial_update_rows;
}

bool
is_mariadb_compressed_rows(uint8_t type) {
	return type >= event_type::write_rows_compressed_v1 && type <= event_type::delete_rows_compressed;
}

// MariaDB compression header: one byte 0x80 | algorithm << 4 | count of length bytes, then the
// uncompressed length big-endian in that many bytes, then a zlib stream (algorithm 0).
std::shared_ptr<const std::vector<uint8_t>>
mariadb_uncompress(const uint8_t *data, size_t size) {
	ByteReader in(data, size, "mariadb compressed data");
	uint8_t head = in.u8();
	if ((head & 0x80) == 0 || ((head >> 4) & 7) != 0)
		throw DecodeError("unsupported mariadb compression header 0x" + std::to_string(head));
	size_t length_bytes = head & 7;
	if (length_bytes < 1 || length_bytes > 4)
		throw DecodeError("mariadb compression header with " + std::to_string(length_bytes) +
						  " length bytes");
	size_t length = static_cast<size_t>(in.uint_be(length_bytes));
	if (length > max_payload_size)
		throw DecodeError("mariadb compressed event of " + std::to_string(length) +
						  " bytes exceeds the limit");
	size_t rest = in.remaining();
	return std::make_shared<const std::vector<uint8_t>>(zlib_uncompress(in.take(rest), rest, length));
}

std::shared_ptr<const std::vector<uint8_t>>
zstd_uncompress(const uint8_t *data, size_t size, uint64_t expected) {
	if (expected > max_payload_size)
		throw DecodeError("transaction payload of " + std::to_string(expected) + " bytes exceeds the limit");
	auto out = std::make_shared<std::vector<uint8_t>>();
	out->resize(std::min<size_t>(expected, size_t(1) << 20));
	std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx *)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
	if (!ctx)
		throw DecodeError("cannot allocate a zstd context");
	ZSTD_inBuffer input{data, size, 0};
	size_t produced = 0;
	for (;;) {
		if (produced == out->size()) {
			if (out->size() >= expected) {
				// Everything declared has arrived; the frame must end here.
				uint8_t probe;
				ZSTD_outBuffer extra{&probe, 1, 0};
				size_t r = ZSTD_decompressStream(ctx.get(), &extra, &input);
				if (ZSTD_isError(r))
					throw DecodeError(std::string("zstd: ") + ZSTD_getErrorName(r));
				if (extra.pos || r != 0)
					throw DecodeError("transaction payload expands beyond its declared " +
									  std::to_string(expected) + " bytes");
				break;
			}
			out->resize(std::min<size_t>(expected, out->size() * 2 + 1));
		}
		ZSTD_outBuffer output{out->data(), out->size(), produced};
		size_t r = ZSTD_decompressStream(ctx.get(), &output, &input);
		if (ZSTD_isError(r))
			throw DecodeError(std::string("zstd: ") + ZSTD_getErrorName(r));
		produced = output.pos;
		if (r == 0)
			break;
		if (input.pos == input.size && output.pos < output.size)
			throw DecodeError("transaction payload zstd frame is truncated");
	}
	if (produced != expected)
		throw DecodeError("transaction payload expands to " + std::to_string(produced) +
						  " bytes instead of " + std::to_string(expected));
	out->resize(produced);
	return out;
}

QueryStatus
parse_query_status(const uint8_t *data, size_t size) {
	QueryStatus s;
	ByteReader in(data, size, "query status variables");
	while (!in.at_end()) {
		uint8_t code = in.u8();
		switch (code) {
		case 0:
			s.flags2 = in.u32();
			break;
		case 1:
			s.sql_mode = in.u64();
			break;
		case 2: { // Q_CATALOG_CODE (pre-5.0.4): length, name, NUL
			size_t n = in.u8();
			s.catalog = in.take_string(n);
			in.skip(1);
			break;
		}
		case 3:
			s.auto_increment_increment = in.u16();
			s.auto_increment_offset = in.u16();
			break;
		case 4:
			s.charset_client = in.u16();
			s.collation_connection = in.u16();
			s.collation_server = in.u16();
			break;
		case 5:
			s.time_zone = in.take_string(in.u8());
			break;
		case 6:
			s.catalog = in.take_string(in.u8());
			break;
		case 7:
			s.lc_time_names = in.u16();
			break;
		case 8:
			s.collation_database = in.u16();
			break;
		case 9:
			s.table_map_for_update = in.u64();
			break;
		case 10:
			in.skip(4);
			break; // Q_MASTER_DATA_WRITTEN_CODE
		case 11:
			s.invoker_user = in.take_string(in.u8());
			s.invoker_host = in.take_string(in.u8());
			break;
		case 12: { // Q_UPDATED_DB_NAMES: count, NUL-terminated names; 254 = too many to list
			uint8_t count = in.u8();
			if (count == 254)
				break;
			for (uint8_t i = 0; i < count; i++) {
				const uint8_t *start = in.position();
				size_t n = 0;
				while (in.u8() != 0)
					n++;
				s.updated_databases.emplace_back(reinterpret_cast<const char *>(start), n);
			}
			break;
		}
		case 13:
			s.microseconds = in.u24();
			break;
		case 16:
			s.explicit_defaults_for_timestamp = in.u8();
			break;
		case 17:
			s.ddl_xid = in.u64();
			break;
		case 18:
			s.default_collation_for_utf8mb4 = in.u16();
			break;
		case 19:
			s.sql_require_primary_key = in.u8();
			break;
		case 20:
			s.default_table_encryption = in.u8();
			break;
		case 128:
			s.microseconds = in.u24();
			break; // MariaDB Q_HRNOW
		case 129:
			s.ddl_xid = in.u64();
			break; // MariaDB Q_XID
		case 130:
			in.skip(1);
			break; // MariaDB Q_GTID_FLAGS3
		case 131:
			in.skip(size_t(in.u8()) * 4);
			break; // MariaDB Q_CHARACTER_SET_COLLATIONS
		default:
			// Like the server: an unknown code ends the parse, the rest is not interpretable.
			s.truncated_by_unknown_code = true;
			return s;
		}
	}
	return s;
}

MysqlGtidEvent
parse_gtid(const uint8_t *body, size_t size, bool anonymous) {
	MysqlGtidEvent g;
	g.anonymous = anonymous;
	ByteReader in(body, size, "gtid event");
	g.flags = in.u8();
	std::memcpy(g.sid.data(), in.take(16), 16);
	g.gno = static_cast<int64_t>(in.u64());
	if (in.at_end() || *in.position() != 2) // logical clock type code, absent before 5.7.4
		return g;
	in.skip(1);
	g.has_logical_clock = true;
	g.last_committed = static_cast<int64_t>(in.u64());
	g.sequence_number = static_cast<int64_t>(in.u64());
	if (in.remaining() >= 7) {
		uint64_t immediate = in.u56();
		if (immediate & (1ull << 55)) {
			g.immediate_commit_timestamp = immediate & ~(1ull << 55);
			g.original_commit_timestamp = in.u56();
		} else {
			g.immediate_commit_timestamp = g.original_commit_timestamp = immediate;
		}
	}
	if (!in.at_end())
		g.transaction_length = in.lenenc();
	if (in.remaining() >= 4) {
		uint32_t immediate = in.u32();
		if (immediate & (1u << 31)) {
			g.immediate_server_version = immediate & ~(1u << 31);
			g.original_server_version = in.u32();
		} else {
			g.immediate_server_version = g.original_server_version = immediate;
		}
	}
	return g;
}

int64_t
zigzag(uint64_t v) {
	return (v & 1) ? -static_cast<int64_t>(v >> 1) - 1 : static_cast<int64_t>(v >> 1);
}

// GTID_TAGGED_LOG_EVENT: MySQL serialization library message, version 2:
// version byte, varlen payload size (whole message), varlen last non-ignorable field id,
// then (varlen field id, field value) pairs.
MysqlGtidEvent
parse_tagged_gtid(const uint8_t *body, size_t size) {
	MysqlGtidEvent g;
	g.tagged = true;
	ByteReader in(body, size, "gtid_tagged event");
	uint8_t version = in.u8();
	if (version != 2)
		throw DecodeError("unsupported gtid_tagged serialization version " + std::to_string(version));
	uint64_t payload_size = in.serialized_varlen();
	uint64_t last_required_field = in.serialized_varlen();
	if (payload_size < in.offset() || payload_size - in.offset() > in.remaining())
		throw DecodeError("gtid_tagged payload size " + std::to_string(payload_size) +
						  " does not fit the event");
	ByteReader fields(in.position(), static_cast<size_t>(payload_size - in.offset()), "gtid_tagged fields");
	bool original_timestamp_seen = false;
	bool original_version_seen = false;
	bool tag_seen = false;
	while (!fields.at_end()) {
		uint64_t id = fields.serialized_varlen();
		switch (id) {
		case 0:
			g.flags = static_cast<uint8_t>(fields.serialized_varlen());
			break;
		case 1:
			for (uint8_t &b : g.sid) {
				uint64_t v = fields.serialized_varlen();
				if (v > 255)
					throw DecodeError("gtid_tagged uuid byte out of range");
				b = static_cast<uint8_t>(v);
			}
			break;
		case 2:
			g.gno = zigzag(fields.serialized_varlen());
			break;
		case 3: {
			uint64_t n = fields.serialized_varlen();
			if (n > 32)
				throw DecodeError("gtid_tagged tag longer than 32 characters");
			g.tag.assign(fields.take_string(static_cast<size_t>(n)));
			tag_seen = true;
			break;
		}
		case 4:
			g.last_committed = zigzag(fields.serialized_varlen());
			break;
		case 5:
			g.sequence_number = zigzag(fields.serialized_varlen());
			break;
		case 6:
			g.immediate_commit_timestamp = fields.serialized_varlen();
			break;
		case 7:
			g.original_commit_timestamp = fields.serialized_varlen();
			original_timestamp_seen = true;
			break;
		case 8:
			g.transaction_length = fields.serialized_varlen();
			break;
		case 9:
			g.immediate_server_version = static_cast<uint32_t>(fields.serialized_varlen());
			break;
		case 10:
			g.original_server_version = static_cast<uint32_t>(fields.serialized_varlen());
			original_version_seen = true;
			break;
		case 11:
			fields.serialized_varlen();
			break; // commit group ticket
		default:
			if (id <= last_required_field)
				throw DecodeError("gtid_tagged has unknown required field " + std::to_string(id));
			// Unknown optional fields come last and their size is unknown: stop here.
			fields.skip(fields.remaining());
		}
	}
	if (!tag_seen)
		throw DecodeError("gtid_tagged event without a tag");
	g.has_logical_clock = true;
	if (!original_timestamp_seen)
		g.original_commit_timestamp = g.immediate_commit_timestamp;
	if (!original_version_seen)
		g.original_server_version = g.immediate_server_version;
	return g;
}

TransactionPayloadEvent
parse_transaction_payload(const uint8_t *body, size_t size) {
	TransactionPayloadEvent p;
	ByteReader in(body, size, "transaction_payload event");
	bool have_uncompressed_size = false;
	for (;;) {
		uint64_t field = in.lenenc();
		if (field == 0) // end of the header fields
			break;
		size_t len = in.lenenc_length();
		ByteReader value(in.take(len), len, "transaction_payload header field");
		switch (field) {
		case 1:
			p.compressed_size = value.lenenc();
			break;
		case 2:
			p.compression = static_cast<uint8_t>(value.lenenc());
			break;
		case 3:
			p.uncompressed_size = value.lenenc();
			have_uncompressed_size = true;
			break;
		default:
			break; // later, optional fields
		}
	}
	size_t data_size = in.remaining();
	if (p.compressed_size != data_size)
		throw DecodeError("transaction_payload declares " + std::to_string(p.compressed_size) +
						  " compressed bytes but carries " + std::to_string(data_size));
	const uint8_t *data = in.take(data_size);
	if (p.compression == 255) {
		p.uncompressed_size = data_size;
		p.events = std::make_shared<const std::vector<uint8_t>>(data, data + data_size);
	} else if (p.compression == 0) {
		if (!have_uncompressed_size)
			throw DecodeError("transaction_payload without an uncompressed size");
		p.events = zstd_uncompress(data, data_size, p.uncompressed_size);
	} else {
		throw DecodeError("transaction_payload compression type " + std::to_string(p.compression) +
						  " unknown");
	}
	return p;
}

MariadbGtidEvent
mariadb_gtid_event(ByteReader &in, uint32_t server_id) {
	MariadbGtidEvent g;
	g.gtid.sequence = in.u64();
	g.gtid.domain_id = in.u32();
	g.gtid.server_id = server_id;
	g.flags = in.u8();
	if (g.flags & 2)
		g.commit_id = in.u64();
	return g;
}

MariadbGtidListEvent
mariadb_gtid_list_event(ByteReader &in) {
	MariadbGtidListEvent l;
	uint32_t head = in.u32();
	uint32_t count = head & 0x0fffffff;
	l.flags = static_cast<uint8_t>(head >> 28);
	if (count > in.remaining() / 16)
		in.fail_truncated(size_t(count) * 16);
	l.entries.reserve(count);
	for (uint32_t i = 0; i < count; i++) {
		MariadbGtid g;
		g.domain_id = in.u32();
		g.server_id = in.u32();
		g.sequence = in.u64();
		l.entries.push_back(g);
		l.gtids.add(g);
	}
	return l;
}

// MySQL 8.0.26+: length-encoded (field, value) pairs until a field 0.
HeartbeatEvent
heartbeat_v2_event(ByteReader &in) {
	HeartbeatEvent hb;
	while (!in.at_end()) {
		uint64_t field = in.lenenc();
		if (field == 0)
			break;
		size_t n = in.lenenc_length();
		ByteReader value(in.take(n), n, "heartbeat_v2 field");
		if (field == 1)
			hb.file = value.take_rest_string();
		else if (field == 2)
			hb.position = value.lenenc();
	}
	return hb;
}

UserVarEvent
user_var_event(ByteReader &in) {
	UserVarEvent u;
	uint32_t n = in.u32();
	u.name = in.take_string(n);
	u.is_null = in.u8() != 0;
	if (!u.is_null) {
		u.value_type = in.u8();
		u.charset = in.u32();
		uint32_t len = in.u32();
		u.value = in.take_string(len);
		if (!in.at_end())
			u.flags = in.u8();
	}
	return u;
}

} // namespace

uint32_t
Decoder::event_size_at(const uint8_t *data, size_t available) {
	if (available < event_header_size)
		throw DecodeError("event header truncated: " + std::to_string(available) + " of 19 bytes");
	uint32_t size = static_cast<uint32_t>(data[9]) | static_cast<uint32_t>(data[10]) << 8 |
					static_cast<uint32_t>(data[11]) << 16 | static_cast<uint32_t>(data[12]) << 24;
	if (size < event_header_size)
		throw DecodeError(std::string(event_type_name(data[4])) + " event size " + std::to_string(size) +
						  " is smaller than its header");
	if (size > available)
		throw DecodeError(std::string(event_type_name(data[4])) + " event of " + std::to_string(size) +
						  " bytes truncated to " + std::to_string(available));
	return size;
}

std::shared_ptr<const TableMap>
Decoder::table(uint64_t table_id) const {
	auto it = tables_.find(table_id);
	return it == tables_.end() ? nullptr : it->second;
}

size_t
Decoder::post_header_length(uint8_t type, size_t fallback) const {
	if (type >= 1 && type <= format_.post_header_lengths.size())
		return format_.post_header_lengths[type - 1];
	return fallback;
}

Event
Decoder::decode(const uint8_t *data, size_t size) {
	return decode_event(data, size, false);
}

Event
Decoder::decode_event(const uint8_t *data, size_t size, bool inside_payload) {
	Event event;
	EventHeader &h = event.header;
	if (size < event_header_size)
		throw DecodeError("event of " + std::to_string(size) + " bytes is shorter than the 19-byte header");
	ByteReader in(data, size, "event header");
	h.timestamp = in.u32();
	h.type = in.u8();
	h.server_id = in.u32();
	h.event_size = in.u32();
	h.log_pos = in.u32();
	h.flags = in.u16();
	try {
		if (h.event_size != size)
			throw DecodeError("header event_size " + std::to_string(h.event_size) + " but " +
							  std::to_string(size) + " bytes given");
		if (h.type == event_type::format_description) {
			if (inside_payload)
				throw DecodeError("format_description inside a transaction payload");
			event.body = decode_format_description(data, size);
			return event;
		}
		size_t body_size = size - event_header_size;
		if (!inside_payload && checksum_ == ChecksumAlgorithm::crc32) {
			if (body_size < checksum_size)
				throw DecodeError("event too short for its crc32");
			body_size -= checksum_size;
			const uint8_t *stored = data + size - checksum_size;
			uint32_t expected = static_cast<uint32_t>(stored[0]) | static_cast<uint32_t>(stored[1]) << 8 |
								static_cast<uint32_t>(stored[2]) << 16 |
								static_cast<uint32_t>(stored[3]) << 24;
			uint32_t actual = verify_checksums_ ? crc32(0, data, size - checksum_size) : expected;
			if (actual != expected)
				throw DecodeError("crc32 mismatch: stored " + std::to_string(expected) + ", computed " +
								  std::to_string(actual));
		}
		event.body = decode_body(h, data + event_header_size, body_size, inside_payload, event.owned);
	} catch (const DecodeError &e) {
		throw DecodeError(std::string(event_type_name(h.type)) + " event (type " + std::to_string(h.type) +
						  ", log position " + std::to_string(h.log_pos) + "): " + e.what());
	}
	return event;
}

EventBody
Decoder::decode_format_description(const uint8_t *event, size_t size) {
	FormatDescriptionEvent f;
	const uint8_t *body = event + event_header_size;
	size_t body_size = size - event_header_size;
	ByteReader in(body, body_size, "format_description event");
	f.binlog_version = in.u16();
	std::string_view version = in.take_string(50);
	f.server_version.assign(version.substr(0, version.find('\0')));
	f.create_timestamp = in.u32();
	f.header_length = in.u8();
	if (f.binlog_version != 4 || f.header_length != event_header_size)
		throw DecodeError("binlog version " + std::to_string(f.binlog_version) + " with " +
						  std::to_string(f.header_length) + "-byte headers is not supported (v4 only)");
	bool mariadb = f.server_version.find("MariaDB") != std::string::npos ||
				   f.server_version.find("-maria") != std::string::npos;
	f.flavor = mariadb ? Flavor::mariadb : Flavor::mysql;
	Version v = parse_version(f.server_version);
	// Servers from MySQL 5.6.1 / MariaDB 5.3 end the FDE with the checksum algorithm byte and a
	// CRC32 (always present in the FDE, even with binlog_checksum=NONE); older ones with neither,
	// whatever the last bytes look like (a 5.5 FDE reads 8 there).
	bool checksum_aware = mariadb ? v.at_least(5, 3, 0) : v.at_least(5, 6, 1);
	size_t tail = checksum_aware ? 1 + checksum_size : 0;
	if (in.remaining() < tail)
		in.fail_truncated(tail);
	size_t lengths = in.remaining() - tail;
	const uint8_t *post = in.take(lengths);
	f.post_header_lengths.assign(post, post + lengths);
	if (checksum_aware) {
		uint8_t alg = in.u8();
		if (alg != 0 && alg != 1)
			throw DecodeError("unknown checksum algorithm " + std::to_string(alg));
		f.checksum = static_cast<ChecksumAlgorithm>(alg);
		// The server sets LOG_EVENT_BINLOG_IN_USE_F in the file without recomputing the CRC:
		// check it with that flag cleared.
		uint8_t flags[2] = {static_cast<uint8_t>(event[17] & ~log_event_binlog_in_use_f), event[18]};
		uint32_t actual = crc32(crc32(crc32(0, event, 17), flags, 2), event + 19, size - 19 - checksum_size);
		const uint8_t *stored = event + size - checksum_size;
		uint32_t expected = static_cast<uint32_t>(stored[0]) | static_cast<uint32_t>(stored[1]) << 8 |
							static_cast<uint32_t>(stored[2]) << 16 | static_cast<uint32_t>(stored[3]) << 24;
		if (actual != expected)
			throw DecodeError("crc32 mismatch: stored " + std::to_string(expected) + ", computed " +
							  std::to_string(actual));
	} else {
		f.checksum = ChecksumAlgorithm::off;
	}
	format_ = f;
	checksum_ = f.checksum;
	tables_.clear();
	return f;
}

EventBody
Decoder::decode_table_map(const uint8_t *body, size_t size) {
	size_t table_id_size = post_header_length(event_type::table_map, 8) == 6 ? 4 : 6;
	if (size < table_id_size)
		throw DecodeError("table_map event truncated");
	uint64_t table_id = 0;
	for (size_t i = table_id_size; i-- > 0;)
		table_id = table_id << 8 | body[i];
	// Servers repeat the same TABLE_MAP before every transaction: reuse the parsed one.
	auto found = tables_.find(table_id);
	if (found != tables_.end() && found->second->raw_body.size() == size &&
		std::memcmp(found->second->raw_body.data(), body, size) == 0)
		return TableMapEvent{found->second};
	auto map = std::make_shared<TableMap>(
		parse_table_map(body, size, table_id_size, format_.flavor == Flavor::mariadb));
	if (table_map_hook_)
		table_map_hook_(*map);
	if (tables_.size() >= table_cache_limit && found == tables_.end())
		tables_.clear();
	tables_[table_id] = map;
	return TableMapEvent{map};
}

EventBody
Decoder::decode_rows(const EventHeader &header, const uint8_t *body, size_t size,
					 std::shared_ptr<const std::vector<uint8_t>> &owned) {
	RowsEvent r;
	uint8_t type = header.type;
	r.type = type;
	r.log_pos = header.log_pos;
	r.version = is_rows_v2(type) || type >= event_type::write_rows_compressed ? 2 : 1;
	r.partial = type == event_type::partial_update_rows;
	switch (type) {
	case event_type::write_rows_v1:
	case event_type::write_rows_v2:
	case event_type::write_rows_compressed_v1:
	case event_type::write_rows_compressed:
		r.kind = RowsKind::write;
		break;
	case event_type::delete_rows_v1:
	case event_type::delete_rows_v2:
	case event_type::delete_rows_compressed_v1:
	case event_type::delete_rows_compressed:
		r.kind = RowsKind::remove;
		break;
	default:
		r.kind = RowsKind::update;
	}
	// MariaDB compressed rows events have the post-header of their uncompressed counterpart.
	uint8_t layout_type = type;
	if (is_mariadb_compressed_rows(type))
		layout_type =
			static_cast<uint8_t>((type >= event_type::write_rows_compressed ? event_type::write_rows_v2
																			: event_type::write_rows_v1) +
								 static_cast<int>(r.kind == RowsKind::write	   ? 0
												  : r.kind == RowsKind::update ? 1
																			   : 2));
	size_t post_len = post_header_length(layout_type, r.version == 2 ? 10 : 8);
	size_t table_id_size = post_len == 6 ? 4 : 6;
	ByteReader in(body, size, "rows event");
	r.table_id = in.uint_le(table_id_size);
	r.flags = in.u16();
	if (r.version == 2) {
		uint16_t extra = in.u16();
		if (extra < 2)
			throw DecodeError("extra data length " + std::to_string(extra) + " below 2");
		r.extra_data = in.take_string(extra - 2u);
	}
	// The column count bounds the bitmaps ((n + 7) / 8 bytes each), not the rest of the event:
	// a row of NULLs in a wide table is shorter than its column count.
	uint64_t declared_columns = in.lenenc();
	if (declared_columns > max_columns)
		throw DecodeError("rows event declares " + std::to_string(declared_columns) + " columns");
	size_t columns = static_cast<size_t>(declared_columns);
	r.column_count = static_cast<uint32_t>(columns);
	size_t bitmap = (columns + 7) / 8;
	const uint8_t *first = in.take(bitmap);
	const uint8_t *second = r.kind == RowsKind::update ? in.take(bitmap) : nullptr;
	if (r.kind == RowsKind::write) {
		r.columns_after = first;
	} else if (r.kind == RowsKind::remove) {
		r.columns_before = first;
	} else {
		r.columns_before = first;
		r.columns_after = second;
	}
	r.rows_size = in.remaining();
	r.rows = in.take(r.rows_size);
	if (is_mariadb_compressed_rows(type)) {
		owned = mariadb_uncompress(r.rows, r.rows_size);
		r.rows = owned->data();
		r.rows_size = owned->size();
	}
	r.table = table(r.table_id);
	if (!r.table && r.rows_size)
		throw DecodeError("no table_map for table id " + std::to_string(r.table_id));
	if (r.table && columns > r.table->columns.size())
		throw DecodeError("rows event has " + std::to_string(columns) + " columns, the table_map of " +
						  r.table->database + "." + r.table->table + " has " +
						  std::to_string(r.table->columns.size()));
	return r;
}

EventBody
Decoder::decode_body(const EventHeader &header, const uint8_t *body, size_t size, bool inside_payload,
					 std::shared_ptr<const std::vector<uint8_t>> &owned) {
	uint8_t type = header.type;
	ByteReader in(body, size, event_type_name(type));
	switch (type) {
	case event_type::query:
	case event_type::query_compressed: {
		QueryEvent q;
		size_t post_len = post_header_length(event_type::query, 13);
		q.thread_id = in.u32();
		q.exec_time = in.u32();
		size_t db_len = in.u8();
		q.error_code = in.u16();
		size_t status_len = 0;
		if (post_len >= 13) {
			status_len = in.u16();
			in.skip(post_len - 13);
		}
		q.status = parse_query_status(in.take(status_len), status_len);
		q.database = in.take_string(db_len);
		in.skip(1);
		if (type == event_type::query_compressed) {
			q.compressed = true;
			size_t n = in.remaining();
			owned = mariadb_uncompress(in.take(n), n);
			q.statement = std::string_view(reinterpret_cast<const char *>(owned->data()), owned->size());
		} else {
			q.statement = in.take_rest_string();
		}
		return q;
	}
	case event_type::xid:
		return XidEvent{in.u64()};
	case event_type::rotate: {
		RotateEvent r;
		if (post_header_length(event_type::rotate, 8) >= 8)
			r.position = in.u64();
		r.next_file = in.take_rest_string();
		return r;
	}
	case event_type::table_map:
		return decode_table_map(body, size);
	case event_type::write_rows_v1:
	case event_type::update_rows_v1:
	case event_type::delete_rows_v1:
	case event_type::write_rows_v2:
	case event_type::update_rows_v2:
	case event_type::delete_rows_v2:
	case event_type::partial_update_rows:
	case event_type::write_rows_compressed_v1:
	case event_type::update_rows_compressed_v1:
	case event_type::delete_rows_compressed_v1:
	case event_type::write_rows_compressed:
	case event_type::update_rows_compressed:
	case event_type::delete_rows_compressed:
		return decode_rows(header, body, size, owned);
	case event_type::gtid:
	case event_type::anonymous_gtid:
		return parse_gtid(body, size, type == event_type::anonymous_gtid);
	case event_type::gtid_tagged:
		return parse_tagged_gtid(body, size);
	case event_type::previous_gtids:
		return PreviousGtidsEvent{MysqlGtidSet::decode(body, size)};
	case event_type::mariadb_gtid:
		return mariadb_gtid_event(in, header.server_id);
	case event_type::mariadb_gtid_list:
		return mariadb_gtid_list_event(in);
	case event_type::binlog_checkpoint: {
		uint32_t n = in.u32();
		return BinlogCheckpointEvent{in.take_string(n)};
	}
	case event_type::annotate_rows:
		return RowsQueryEvent{in.take_rest_string()};
	case event_type::rows_query:
		in.skip(1); // length byte, truncated at 255: the text runs to the end
		return RowsQueryEvent{in.take_rest_string()};
	case event_type::heartbeat:
		return HeartbeatEvent{in.take_rest_string(), header.log_pos};
	case event_type::heartbeat_v2:
		return heartbeat_v2_event(in);
	case event_type::stop:
		return StopEvent{};
	case event_type::intvar: {
		IntvarEvent i;
		i.kind = in.u8();
		i.value = in.u64();
		return i;
	}
	case event_type::rand: {
		RandEvent r;
		r.seed1 = in.u64();
		r.seed2 = in.u64();
		return r;
	}
	case event_type::user_var:
		return user_var_event(in);
	case event_type::incident: {
		IncidentEvent i;
		i.incident = in.u16();
		if (!in.at_end())
			i.message = in.take_string(in.u8());
		return i;
	}
	case event_type::transaction_payload:
		if (inside_payload)
			throw DecodeError("transaction payload nested in a transaction payload");
		return parse_transaction_payload(body, size);
	case event_type::start_encryption:
		throw DecodeError("encrypted binlog files are not supported (read them through the server)");
	case event_type::begin_load_query:
	case event_type::execute_load_query:
	case event_type::append_block:
	case event_type::delete_file:
		return SkippedEvent{"statement-based load data"};
	case event_type::transaction_context:
	case event_type::view_change:
		return SkippedEvent{"group replication"};
	case event_type::xa_prepare:
		return SkippedEvent{"xa prepare marker"};
	case event_type::ignorable:
		return SkippedEvent{"ignorable event"};
	default:
		if (header.flags & log_event_ignorable_f)
			return SkippedEvent{"unknown event flagged ignorable"};
		throw DecodeError("unknown event type " + std::to_string(type) + " without the ignorable flag");
	}
}

PayloadReader::PayloadReader(Decoder &decoder, const TransactionPayloadEvent &payload)
	: decoder_(decoder), events_(payload.events) {}

bool
PayloadReader::next(Event &out) {
	if (!events_ || offset_ >= events_->size())
		return false;
	const uint8_t *at = events_->data() + offset_;
	uint32_t size = Decoder::event_size_at(at, events_->size() - offset_);
	out = decoder_.decode_event(at, size, true);
	out.owned = events_;
	offset_ += size;
	return true;
}

} // namespace chameleon::binlog
