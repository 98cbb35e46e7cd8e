// Hand-built events: header/FDE/checksum rules, QUERY status variables, rows v1/v2 layouts,
// unknown events, MariaDB compression, GTID events and GTID set arithmetic.
#include <catch2/catch.hpp>

#include "binlog/decode_error.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_type.hpp"
#include "binlog/zlib_inflate.hpp"
#include "binlog_test_util.hpp"

using namespace chameleon::binlog;
using namespace binlog_test;

namespace {

std::string
error_of(Decoder &decoder, const Bytes &event) {
	try {
		decoder.decode(event.data(), event.size());
	} catch (const DecodeError &e) {
		return e.what();
	}
	return "";
}

// TABLE_MAP db.t(id INT NOT NULL, name VARCHAR(20) NULL, score INT UNSIGNED? NULL) with table id 7.
Bytes
table_map_body(bool with_signedness) {
	Bytes b;
	put_le(b, 7, 6);
	put_le(b, 1, 2);
	b.push_back(2);
	put_str(b, "db");
	b.push_back(0);
	b.push_back(1);
	put_str(b, "t");
	b.push_back(0);
	b.push_back(3);
	b.insert(b.end(), {3, 15, 3}); // LONG, VARCHAR, LONG
	b.push_back(2);
	put_le(b, 80, 2);	// VARCHAR(20) utf8mb4
	b.push_back(0b110); // nullable: name, score
	if (with_signedness) {
		b.insert(b.end(), {1, 1, 0b01000000}); // second numeric column unsigned
		b.insert(b.end(), {4, 14, 2, 'i', 'd', 4, 'n', 'a', 'm', 'e', 5, 's', 'c', 'o', 'r', 'e'});
		b.insert(b.end(), {8, 1, 0});
	}
	return b;
}

Bytes
zlib_stored(const std::string &data) {
	Bytes z{0x78, 0x01, 0x01};
	put_le(z, data.size(), 2);
	put_le(z, ~data.size() & 0xffff, 2);
	put_str(z, data);
	uint32_t a = 1, b = 0;
	for (unsigned char c : data) {
		a = (a + c) % 65521;
		b = (b + a) % 65521;
	}
	put_be(z, b << 16 | a, 4);
	return z;
}

Bytes
mariadb_compressed(const std::string &data) {
	Bytes out{0x81, static_cast<uint8_t>(data.size())};
	Bytes z = zlib_stored(data);
	out.insert(out.end(), z.begin(), z.end());
	return out;
}

} // namespace

TEST_CASE("binlog crc32 matches the zlib check value", "[binlog][events]") {
	const std::string check = "123456789";
	CHECK(crc32(0, reinterpret_cast<const uint8_t *>(check.data()), check.size()) == 0xCBF43926u);
	CHECK(crc32(crc32(0, reinterpret_cast<const uint8_t *>(check.data()), 4),
				reinterpret_cast<const uint8_t *>(check.data()) + 4, 5) == 0xCBF43926u);
}

TEST_CASE("binlog format description: checksum rules and flavours", "[binlog][events]") {
	Decoder mysql8;
	Event e = mysql8.decode(make_fde("8.0.36", 1, true, 0x1).data(), make_fde("8.0.36", 1, true, 0x1).size());
	auto &fde = std::get<FormatDescriptionEvent>(e.body);
	CHECK(fde.server_version == "8.0.36");
	CHECK(fde.checksum == ChecksumAlgorithm::crc32);
	CHECK(fde.flavor == Flavor::mysql);
	CHECK(mysql8.checksum() == ChecksumAlgorithm::crc32);

	Bytes corrupt = make_fde("8.0.36", 1, true);
	corrupt[30] ^= 1;
	Decoder d2;
	CHECK(error_of(d2, corrupt).find("crc32 mismatch") != std::string::npos);

	Decoder old;
	Bytes fde55 = make_fde("5.5.27-log", 0, false);
	fde55.insert(fde55.end() - 0, {});
	old.decode(fde55.data(), fde55.size());
	CHECK(old.checksum() == ChecksumAlgorithm::off);

	Decoder maria;
	Bytes fde_maria = make_fde("10.11.19-MariaDB-log", 1, true);
	maria.decode(fde_maria.data(), fde_maria.size());
	CHECK(maria.flavor() == Flavor::mariadb);

	Decoder none;
	Bytes fde_none = make_fde("5.7.20-log", 0, true);
	none.decode(fde_none.data(), fde_none.size());
	CHECK(none.checksum() == ChecksumAlgorithm::off);
	Bytes xid;
	put_le(xid, 99, 8);
	Event x = none.decode(make_event(16, xid, false).data(), make_event(16, xid, false).size());
	CHECK(std::get<XidEvent>(x.body).xid == 99);
}

TEST_CASE("binlog checksums verified once need not be verified again", "[binlog][events]") {
	Bytes xid;
	put_le(xid, 7, 8);
	Bytes event = make_event(16, xid, true);
	event.back() ^= 1; // a wrong stored crc32
	Decoder verifying;
	verifying.set_checksum(ChecksumAlgorithm::crc32);
	CHECK(error_of(verifying, event).find("crc32 mismatch") != std::string::npos);
	Decoder trusting;
	trusting.set_checksum(ChecksumAlgorithm::crc32);
	trusting.set_verify_checksums(false);
	Event x = trusting.decode(event.data(), event.size());
	CHECK(std::get<XidEvent>(x.body).xid == 7); // the checksum is still stripped from the body
}

TEST_CASE("binlog query, rotate, xid, unknown and truncated events", "[binlog][events]") {
	Decoder d;
	Bytes fde = make_fde("8.0.36", 1, true);
	d.decode(fde.data(), fde.size());

	Bytes q;
	put_le(q, 42, 4); // thread id
	put_le(q, 3, 4);  // exec time
	q.push_back(4);	  // db length
	put_le(q, 0, 2);  // error code
	Bytes status;
	status.push_back(0);
	put_le(status, 0x4000, 4); // flags2
	status.push_back(1);
	put_le(status, 0x40000000, 8); // sql_mode
	status.push_back(6);
	status.push_back(3);
	put_str(status, "std"); // catalog
	status.push_back(4);
	put_le(status, 45, 2);
	put_le(status, 46, 2);
	put_le(status, 255, 2);
	status.push_back(12);
	status.push_back(2);
	put_str(status, "shop");
	status.push_back(0);
	put_str(status, "log");
	status.push_back(0);
	put_le(q, status.size(), 2);
	q.insert(q.end(), status.begin(), status.end());
	put_str(q, "shop");
	q.push_back(0);
	put_str(q, "ALTER TABLE t ADD c INT");
	Bytes query = make_event(event_type::query, q, true);
	Event e = d.decode(query.data(), query.size());
	auto &qe = std::get<QueryEvent>(e.body);
	CHECK(qe.thread_id == 42);
	CHECK(qe.database == "shop");
	CHECK(qe.statement == "ALTER TABLE t ADD c INT");
	CHECK(qe.status.flags2 == 0x4000u);
	CHECK(qe.status.sql_mode == 0x40000000u);
	CHECK(qe.status.catalog == "std");
	CHECK(qe.status.charset_client == 45);
	CHECK(qe.status.collation_server == 255);
	CHECK(qe.status.updated_databases == std::vector<std::string_view>{"shop", "log"});

	Bytes r;
	put_le(r, 4, 8);
	put_str(r, "binlog.000002");
	Bytes rotate = make_event(event_type::rotate, r, true);
	auto re = std::get<RotateEvent>(d.decode(rotate.data(), rotate.size()).body);
	CHECK(re.position == 4);
	CHECK(re.next_file == "binlog.000002");

	Bytes unknown = make_event(99, {1, 2, 3}, true, 0, 4242);
	std::string message = error_of(d, unknown);
	CHECK(message.find("unknown event type 99") != std::string::npos);
	CHECK(message.find("log position 4242") != std::string::npos);
	Bytes ignorable = make_event(99, {1, 2, 3}, true, log_event_ignorable_f);
	CHECK(std::holds_alternative<SkippedEvent>(d.decode(ignorable.data(), ignorable.size()).body));

	Bytes short_xid = make_event(event_type::xid, {1, 2}, true);
	CHECK(error_of(d, short_xid).find("xid event") != std::string::npos);
	Bytes header_only{1, 2, 3};
	CHECK_THROWS_AS(d.decode(header_only.data(), header_only.size()), DecodeError);
	CHECK_THROWS_AS(Decoder::event_size_at(query.data(), query.size() - 1), DecodeError);
}

TEST_CASE("binlog rows v1 and v2 with null bitmaps, minimal images and extra data", "[binlog][events]") {
	Decoder d;
	Bytes fde = make_fde("8.0.36", 0, true);
	d.decode(fde.data(), fde.size());
	Bytes tm = make_event(event_type::table_map, table_map_body(true), false);
	auto table = std::get<TableMapEvent>(d.decode(tm.data(), tm.size()).body).table;
	CHECK(table->columns[2].is_unsigned);
	CHECK(table->columns[1].name == "name");
	CHECK(table->primary_key == std::vector<uint16_t>{0});
	// The same TABLE_MAP again is served from the cache.
	CHECK(std::get<TableMapEvent>(d.decode(tm.data(), tm.size()).body).table == table);

	// WRITE_ROWS_V1: two rows; the second has name NULL.
	Bytes w;
	put_le(w, 7, 6);
	put_le(w, rows_flag_stmt_end, 2);
	w.push_back(3);
	w.push_back(0b111);
	w.push_back(0b000);
	put_le(w, 1, 4);
	w.insert(w.end(), {2, 'h', 'i'});
	put_le(w, 4000000000u, 4);
	w.push_back(0b010);
	put_le(w, 2, 4);
	put_le(w, 5, 4);
	Bytes write = make_event(event_type::write_rows_v1, w, false);
	Event we = d.decode(write.data(), write.size());
	auto &rows = std::get<RowsEvent>(we.body);
	CHECK(rows.is_statement_end());
	RowReader reader(rows);
	std::vector<Value> before, after;
	REQUIRE(reader.next(before, after));
	CHECK(before.empty());
	CHECK(after[0].i64 == 1);
	CHECK(after[1].bytes() == "hi");
	CHECK(after[2].u64 == 4000000000u);
	REQUIRE(reader.next(before, after));
	CHECK(after[1].kind == ValueKind::null);
	CHECK(after[2].u64 == 5);
	CHECK_FALSE(reader.next(before, after));

	// UPDATE_ROWS_V2 with extra data; before image has all columns, after image only column 3.
	Bytes u;
	put_le(u, 7, 6);
	put_le(u, 0, 2);
	put_le(u, 5, 2);
	u.insert(u.end(), {1, 1, 9}); // partition info
	u.push_back(3);
	u.push_back(0b111);
	u.push_back(0b100);
	u.push_back(0b000);
	put_le(u, 1, 4);
	u.insert(u.end(), {2, 'h', 'i'});
	put_le(u, 7, 4);
	u.push_back(0b0);
	put_le(u, 8, 4);
	Bytes update = make_event(event_type::update_rows_v2, u, false);
	Event ue = d.decode(update.data(), update.size());
	auto &urows = std::get<RowsEvent>(ue.body);
	CHECK(urows.extra_data.size() == 3);
	RowReader ureader(urows);
	REQUIRE(ureader.next(before, after));
	CHECK(before[2].u64 == 7);
	CHECK(after[0].kind == ValueKind::missing);
	CHECK(after[2].u64 == 8);
	std::string json;
	append_row_json(json, after, *urows.table);
	CHECK(json == "{\"score\": 8}");

	// A row cut short names the event, table and column.
	Bytes cut(w.begin(), w.end() - 2);
	Bytes broken = make_event(event_type::write_rows_v1, cut, false);
	Event be = d.decode(broken.data(), broken.size());
	RowReader breader(std::get<RowsEvent>(be.body));
	REQUIRE(breader.next(before, after));
	std::string message;
	try {
		breader.next(before, after);
	} catch (const DecodeError &e) {
		message = e.what();
	}
	CHECK(message.find("write_rows_v1") != std::string::npos);
	CHECK(message.find("db.t column score") != std::string::npos);

	// Rows for a table id without TABLE_MAP.
	Bytes orphan = w;
	orphan[0] = 8;
	Bytes orphan_event = make_event(event_type::write_rows_v1, orphan, false);
	CHECK(error_of(d, orphan_event).find("no table_map for table id 8") != std::string::npos);
}

TEST_CASE("binlog rows of NULLs in a wide table are shorter than the column count", "[binlog][events]") {
	// db.w with 40 nullable INT columns: a row of NULLs takes 5 + 5 bytes after the count of 40.
	Decoder d;
	Bytes fde = make_fde("10.11.6-MariaDB", 0, true);
	d.decode(fde.data(), fde.size());
	Bytes t;
	put_le(t, 9, 6);
	put_le(t, 1, 2);
	t.push_back(2);
	put_str(t, "db");
	t.push_back(0);
	t.push_back(1);
	put_str(t, "w");
	t.push_back(0);
	t.push_back(40);
	t.insert(t.end(), 40, 3);
	t.push_back(0);
	t.insert(t.end(), 5, 0xff);
	Bytes tm = make_event(event_type::table_map, t, false);
	d.decode(tm.data(), tm.size());
	Bytes w;
	put_le(w, 9, 6);
	put_le(w, rows_flag_stmt_end, 2);
	w.push_back(40);
	w.insert(w.end(), 5, 0xff); // present columns
	w.insert(w.end(), 5, 0xff); // all NULL
	Bytes write = make_event(event_type::write_rows_v1, w, false);
	Event e = d.decode(write.data(), write.size());
	RowReader reader(std::get<RowsEvent>(e.body));
	std::vector<Value> before, after;
	REQUIRE(reader.next(before, after));
	REQUIRE(after.size() == 40);
	for (const Value &v : after)
		CHECK(v.kind == ValueKind::null);
	CHECK_FALSE(reader.next(before, after));
	// The bitmaps themselves must fit.
	Bytes cut(w.begin(), w.begin() + 12);
	Bytes broken = make_event(event_type::write_rows_v1, cut, false);
	CHECK(error_of(d, broken).find("truncated") != std::string::npos);
}

TEST_CASE("binlog table map hook supplies signedness and logical types", "[binlog][events]") {
	Decoder d;
	d.set_table_map_hook([](TableMap &t) {
		if (!t.columns[2].signedness_known)
			t.columns[2].is_unsigned = true;
	});
	Bytes tm = make_event(event_type::table_map, table_map_body(false), false);
	auto table = std::get<TableMapEvent>(d.decode(tm.data(), tm.size()).body).table;
	CHECK(table->columns[2].is_unsigned);
	CHECK_FALSE(table->columns[0].is_unsigned);
	CHECK(table->columns[1].max_length == 80);
}

TEST_CASE("binlog mariadb compressed query and rows events", "[binlog][events]") {
	std::string sql = "INSERT INTO t VALUES (1),(2),(3),(4),(5) /* hello hello hello hello */";
	Bytes deflated = {0x78, 0x9c, 0xf3, 0xf4, 0x0b, 0x76, 0x0d, 0x0a, 0x51, 0xf0, 0xf4, 0x0b, 0xf1, 0x57,
					  0x28, 0x51, 0x08, 0x73, 0xf4, 0x09, 0x75, 0x0d, 0x56, 0xd0, 0x30, 0xd4, 0xd4, 0xd1,
					  0x30, 0x02, 0x62, 0x63, 0x20, 0x36, 0x01, 0x62, 0x53, 0x4d, 0x05, 0x7d, 0x2d, 0x85,
					  0x8c, 0xd4, 0x9c, 0x9c, 0x7c, 0x2c, 0xa4, 0x96, 0x3e, 0x00, 0x75, 0xb0, 0x12, 0xda};
	std::vector<uint8_t> plain = zlib_uncompress(deflated.data(), deflated.size(), sql.size());
	CHECK(std::string(plain.begin(), plain.end()) == sql);
	CHECK_THROWS_AS(zlib_uncompress(deflated.data(), deflated.size(), sql.size() - 1), DecodeError);
	Bytes corrupt = deflated;
	corrupt[20] ^= 0x10;
	CHECK_THROWS_AS(zlib_uncompress(corrupt.data(), corrupt.size(), sql.size()), DecodeError);

	Decoder d;
	Bytes fde = make_fde("10.11.19-MariaDB-log", 1, true);
	d.decode(fde.data(), fde.size());
	Bytes q = compressed_query_prefix();
	q.push_back(0x81);
	q.push_back(static_cast<uint8_t>(sql.size()));
	q.insert(q.end(), deflated.begin(), deflated.end());
	Bytes query = make_event(event_type::query_compressed, q, true);
	Event e = d.decode(query.data(), query.size());
	auto &qe = std::get<QueryEvent>(e.body);
	CHECK(qe.compressed);
	CHECK(qe.statement == sql);

	Bytes tm = make_event(event_type::table_map, table_map_body(true), true);
	d.decode(tm.data(), tm.size());
	Bytes row;
	row.push_back(0b000);
	put_le(row, 9, 4);
	row.insert(row.end(), {1, 'z'});
	put_le(row, 10, 4);
	Bytes w;
	put_le(w, 7, 6);
	put_le(w, 1, 2);
	w.push_back(3);
	w.push_back(0b111);
	Bytes packed = mariadb_compressed(std::string(row.begin(), row.end()));
	w.insert(w.end(), packed.begin(), packed.end());
	Bytes write = make_event(event_type::write_rows_compressed_v1, w, true);
	Event we = d.decode(write.data(), write.size());
	auto &rows = std::get<RowsEvent>(we.body);
	RowReader reader(rows);
	std::vector<Value> before, after;
	REQUIRE(reader.next(before, after));
	CHECK(after[0].i64 == 9);
	CHECK(after[1].bytes() == "z");
	CHECK(after[2].u64 == 10);
}

TEST_CASE("binlog gtid events of both flavours", "[binlog][events][gtid]") {
	Decoder d;
	Bytes fde = make_fde("8.0.36", 0, true);
	d.decode(fde.data(), fde.size());
	Bytes g{0};
	Uuid sid = parse_uuid("3e11fa47-71ca-11e1-9e33-c80aa9429562");
	g.insert(g.end(), sid.begin(), sid.end());
	put_le(g, 23, 8);
	g.push_back(2);
	put_le(g, 10, 8);
	put_le(g, 11, 8);
	put_le(g, 1700000000000001ull | (1ull << 55), 7);
	put_le(g, 1700000000000000ull, 7);
	g.push_back(200);
	put_le(g, 80036, 4);
	Bytes gtid = make_event(event_type::gtid, g, false);
	auto ge = std::get<MysqlGtidEvent>(d.decode(gtid.data(), gtid.size()).body);
	CHECK(ge.gno == 23);
	CHECK(ge.sid == sid);
	CHECK(ge.last_committed == 10);
	CHECK(ge.sequence_number == 11);
	CHECK(ge.immediate_commit_timestamp == 1700000000000001ull);
	CHECK(ge.original_commit_timestamp == 1700000000000000ull);
	CHECK(ge.transaction_length == 200);
	CHECK(ge.immediate_server_version == 80036);

	Bytes mg;
	put_le(mg, 100, 8);
	put_le(mg, 3, 4);
	mg.push_back(2);
	put_le(mg, 77, 8);
	Bytes mgtid = make_event(event_type::mariadb_gtid, mg, false);
	auto me = std::get<MariadbGtidEvent>(d.decode(mgtid.data(), mgtid.size()).body);
	CHECK(me.gtid == MariadbGtid{3, 1, 100});
	CHECK(me.commit_id == 77);

	Bytes list;
	put_le(list, 2, 4);
	for (uint32_t domain : {0u, 1u}) {
		put_le(list, domain, 4);
		put_le(list, 5, 4);
		put_le(list, 1000 + domain, 8);
	}
	Bytes list_event = make_event(event_type::mariadb_gtid_list, list, false);
	auto le_ = std::get<MariadbGtidListEvent>(d.decode(list_event.data(), list_event.size()).body);
	CHECK(le_.gtids.format() == "0-5-1000,1-5-1001");
}

TEST_CASE("binlog gtid sets: parse, format, contains, add", "[binlog][gtid]") {
	MysqlGtidSet set = MysqlGtidSet::parse("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7-9:11,\n"
										   "55778904-0299-11f1-b1b8-4ef0c4956feb:Tag_1:1-3:7");
	CHECK(set.format() ==
		  "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9:11,55778904-0299-11f1-b1b8-4ef0c4956feb:tag_1:1-3:7");
	Uuid a = parse_uuid("3e11fa47-71ca-11e1-9e33-c80aa9429562");
	CHECK(set.contains(a, "", 8));
	CHECK_FALSE(set.contains(a, "", 6));
	CHECK_FALSE(set.contains(a, "tag_1", 1));
	set.add(a, "", 6);
	set.add(a, "", 10);
	CHECK(set.format().rfind("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-11,", 0) == 0);
	CHECK(set.contains(MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:2-4:6")));
	CHECK_FALSE(set.contains(MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:2-12")));
	CHECK(MysqlGtidSet::parse("").empty());
	CHECK_THROWS_AS(MysqlGtidSet::parse("not-a-uuid:1"), DecodeError);
	CHECK_THROWS_AS(MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-1"), DecodeError);
	CHECK_THROWS_AS(MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:9bad:1"), DecodeError);

	MariadbGtidList list = MariadbGtidList::parse("1-2-5, 0-1-100");
	CHECK(list.format() == "0-1-100,1-2-5");
	CHECK(list.contains({0, 9, 50}));
	CHECK_FALSE(list.contains({0, 1, 101}));
	CHECK_FALSE(list.contains({2, 1, 1}));
	list.add({0, 3, 101});
	CHECK(list.format() == "0-3-101,1-2-5");
	CHECK_THROWS_AS(MariadbGtidList::parse("0-1"), DecodeError);
}
