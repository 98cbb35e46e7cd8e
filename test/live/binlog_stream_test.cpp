// Live tests of BinlogStream against the sandbox MariaDB: catch-up from file/position, ROTATE,
// follow mode and heartbeats, GTID start, unavailable positions (1236) and reconnection.
#include "live_env.hpp"

#include "common/error.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace chameleon;
using live::Reader;
using live::Seen;
using mysql::BinlogPosition;
using mysql::BinlogStream;
using mysql::StreamOptions;

namespace {

constexpr uint8_t xid_event = 16;
constexpr uint8_t table_map_event = 19;
constexpr uint8_t write_rows_v1 = 23;
constexpr uint8_t annotate_rows_event = 160;
constexpr uint8_t gtid_event = 162;
constexpr uint8_t heartbeat_event = 27;
constexpr uint8_t rotate_event = 4;
constexpr uint8_t format_description_event = 15;

StreamOptions
options_from(const BinlogPosition &start, bool follow) {
	StreamOptions options;
	options.connection = live::repl_params();
	options.server_id = live::unique_server_id();
	options.start = start;
	options.follow = follow;
	return options;
}

std::string
create_table(const std::string &schema) {
	live::root(
		"CREATE DATABASE " + schema + ";\nCREATE TABLE " + schema +
		".t (id int primary key, k bigint, c varchar(50), amount decimal(12,2), created timestamp NULL)");
	return schema + ".t";
}

// The rows of `table` in the events seen, first column = id.
std::vector<std::vector<std::string>>
rows_of(const std::vector<Seen> &events, const std::string &table) {
	std::vector<std::vector<std::string>> rows;
	for (const Seen &seen : events)
		if (seen.type == write_rows_v1 && seen.table == table)
			rows.insert(rows.end(), seen.rows.begin(), seen.rows.end());
	return rows;
}

} // namespace

TEST_CASE("catch-up from file and position reads a committed transaction", "[live][stream]") {
	std::string schema = live::unique_schema("catchup");
	std::string table = create_table(schema);
	mysql::Connection connection(live::repl_params());
	BinlogPosition before = live::master_status(connection);
	live::root("INSERT INTO " + table +
			   " VALUES (1, -5, 'abc', 12.34, '2024-01-02 03:04:05'), (2, 9000000000, NULL, -0.50, NULL)");
	BinlogPosition after = live::master_status(connection);

	BinlogStream stream(options_from(before, false));
	Reader reader(stream);
	std::vector<Seen> events;
	Seen seen;
	while (reader.next(seen))
		events.push_back(seen);

	// the stream starts with the fake ROTATE to the requested position, then the file's FORMAT_DESCRIPTION
	REQUIRE(events.size() >= 7);
	CHECK(events[0].type == rotate_event);
	CHECK(events[0].artificial);
	CHECK(events[0].text == before.file);
	CHECK(events[0].next.text() == before.text());
	CHECK(events[1].type == format_description_event);
	CHECK(events[1].next.text() == before.text());

	// our transaction: GTID, ANNOTATE_ROWS, TABLE_MAP, WRITE_ROWS, XID, the GTID right at `before`
	size_t at = 2;
	while (at < events.size() && events[at].type != gtid_event)
		at++;
	REQUIRE(at + 4 < events.size());
	CHECK(events[at].type == gtid_event);
	CHECK(events[at + 1].type == annotate_rows_event);
	CHECK(events[at + 1].text.find("INSERT INTO " + table) != std::string::npos);
	CHECK(events[at + 2].type == table_map_event);
	CHECK(events[at + 2].table == table);
	CHECK(events[at + 3].type == write_rows_v1);
	CHECK(events[at + 4].type == xid_event);
	CHECK(events[at + 4].next.text() == after.text());

	auto rows = rows_of(events, table);
	REQUIRE(rows.size() == 2);
	CHECK(rows[0] == std::vector<std::string>{"1", "-5", "abc", "12.34", "2024-01-02 03:04:05+00"});
	CHECK(rows[1] == std::vector<std::string>{"2", "9000000000", "", "-0.50", ""});

	// positions only grow, the end is at least where SHOW MASTER STATUS was
	for (size_t i = 3; i < events.size(); i++)
		CHECK(events[i].next.position > events[i - 1].next.position);
	CHECK(stream.position().file == after.file);
	CHECK(stream.position().position >= after.position);
	CHECK_FALSE(stream.next().has_value()); // stays at the end
	live::root("DROP DATABASE " + schema);
}

TEST_CASE("ROTATE after FLUSH BINARY LOGS gives the next file and position", "[live][stream]") {
	mysql::Connection connection(live::repl_params());
	BinlogPosition before = live::master_status(connection);
	connection.execute("FLUSH BINARY LOGS");
	BinlogPosition after = live::master_status(connection);
	REQUIRE(after.file != before.file);

	BinlogStream stream(options_from(before, false));
	Reader reader(stream);
	std::vector<Seen> events;
	bool found = reader.until(
		std::chrono::seconds(30),
		[&](const Seen &seen) { return seen.type == rotate_event && !seen.artificial; }, &events);
	REQUIRE(found);
	CHECK(events.back().text == after.file);
	CHECK(events.back().next.text() == after.file + ":4");
	CHECK(stream.position().text() == after.file + ":4");

	// then (after MariaDB's fake ROTATE to the same place) the new file's FORMAT_DESCRIPTION at 4
	Seen seen;
	REQUIRE(reader.next(seen));
	if (seen.type == rotate_event) {
		CHECK(seen.artificial);
		CHECK(seen.next.text() == after.file + ":4");
		REQUIRE(reader.next(seen));
	}
	CHECK(seen.type == format_description_event);
	CHECK(seen.next.file == after.file);
	CHECK(seen.next.position > 4);
	while (reader.next(seen))
		;
	CHECK(stream.position().file == after.file);
	CHECK(stream.position().position >= after.position);
}

TEST_CASE("follow mode receives a later commit and heartbeats when idle", "[live][stream]") {
	std::string schema = live::unique_schema("follow");
	std::string table = create_table(schema);
	mysql::Connection connection(live::repl_params());
	StreamOptions options = options_from(live::master_status(connection), true);
	options.heartbeat_ms = 1000;
	BinlogStream stream(options);
	Reader reader(stream);

	live::root("INSERT INTO " + table + " VALUES (7, 1, 'later', 1.00, NULL)");
	std::vector<Seen> events;
	REQUIRE(reader.until(
		std::chrono::seconds(20), [&](const Seen &seen) { return seen.type == xid_event; }, &events));
	auto rows = rows_of(events, table);
	REQUIRE(rows.size() == 1);
	CHECK(rows[0][2] == "later");

	BinlogPosition last = stream.position();
	Seen heartbeat;
	REQUIRE(reader.until(std::chrono::seconds(20), [&](const Seen &seen) {
		heartbeat = seen;
		return seen.type == heartbeat_event;
	}));
	CHECK(heartbeat.artificial);
	CHECK(heartbeat.text == stream.position().file);
	CHECK(stream.position().position >= last.position);

	stream.stop();
	CHECK_FALSE(stream.next().has_value());
	live::root("DROP DATABASE " + schema);
}

TEST_CASE("start from a MariaDB GTID position", "[live][stream][gtid]") {
	std::string schema = live::unique_schema("gtid");
	std::string table = create_table(schema);
	std::string gtid = live::root("SELECT @@global.gtid_binlog_pos").at(0);
	REQUIRE_FALSE(gtid.empty());
	live::root("INSERT INTO " + table + " VALUES (11, 2, 'by gtid', 3.00, NULL)");
	std::string gtid_after = live::root("SELECT @@global.gtid_binlog_pos").at(0);

	StreamOptions options = options_from({}, false);
	options.gtid_start = gtid;
	BinlogStream stream(options);
	Reader reader(stream);
	std::vector<Seen> events;
	Seen seen;
	while (reader.next(seen))
		events.push_back(seen);

	REQUIRE_FALSE(events.empty());
	CHECK(events[0].type == rotate_event);
	CHECK_FALSE(events[0].next.file.empty());
	// the first transaction is the one after the GTID position
	std::vector<std::string> gtids;
	for (const Seen &event : events)
		if (auto *g = std::get_if<binlog::MariadbGtidEvent>(&event.event.body))
			gtids.push_back(std::to_string(g->gtid.domain_id) + "-" + std::to_string(g->gtid.server_id) +
							"-" + std::to_string(g->gtid.sequence));
	REQUIRE_FALSE(gtids.empty());
	CHECK(gtid_after.find(gtids.front()) != std::string::npos);
	auto rows = rows_of(events, table);
	REQUIRE(rows.size() == 1);
	CHECK(rows[0][2] == "by gtid");
	live::root("DROP DATABASE " + schema);
}

TEST_CASE("an invalid GTID position is refused", "[live][stream][gtid]") {
	StreamOptions options = options_from({}, false);
	options.gtid_start = "0-1";
	try {
		BinlogStream stream(options);
		FAIL("no error");
	} catch (const Error &error) {
		CHECK(std::string(error.sqlstate) == "22023");
		CHECK_FALSE(error.hint.empty());
	}
}

TEST_CASE("a position the server does not have gives 1236 as 55000 with a hint", "[live][stream]") {
	mysql::Connection connection(live::repl_params());
	BinlogPosition current = live::master_status(connection);
	std::vector<BinlogPosition> missing = {{"mysql-bin.999999", 4}, {current.file, 5}};
	for (const BinlogPosition &start : missing) {
		INFO(start.text());
		BinlogStream stream(options_from(start, false));
		try {
			while (stream.next())
				;
			FAIL("no error");
		} catch (const Error &error) {
			CHECK(std::string(error.sqlstate) == "55000");
			CHECK(std::string(error.what()) ==
				  "binlog position \"" + start.text() + "\" is no longer available on the MySQL server");
			CHECK(error.detail.find("1236") != std::string::npos);
			CHECK(error.hint.find("chameleon.resync_source()") != std::string::npos);
		}
	}
}

TEST_CASE("a killed dump connection is resumed without loss or duplicate", "[live][stream][reconnect]") {
	std::string schema = live::unique_schema("reconnect");
	std::string table = create_table(schema);
	mysql::Connection connection(live::repl_params());
	StreamOptions options = options_from(live::master_status(connection), true);
	std::vector<mysql::RetryNotice> notices;
	options.reconnect.initial_delay = 0.1;
	options.reconnect.on_retry = [&](const mysql::RetryNotice &notice) { notices.push_back(notice); };
	BinlogStream stream(options);
	Reader reader(stream);

	live::root("INSERT INTO " + table + " VALUES (1, 1, 'one', 1.00, NULL)");
	std::vector<Seen> events;
	REQUIRE(reader.until(
		std::chrono::seconds(20), [&](const Seen &seen) { return seen.type == write_rows_v1; }, &events));
	// stop between the rows event and its XID: the resumed stream must still decode and continue
	auto dump = live::root("SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = " +
						   std::to_string(stream.thread_id()));
	REQUIRE(dump.size() == 1);
	CHECK(dump[0].rfind("Binlog Dump", 0) == 0);
	live::root("KILL " + std::to_string(stream.thread_id()));
	live::root("INSERT INTO " + table + " VALUES (2, 2, 'two', 2.00, NULL);\nINSERT INTO " + table +
			   " VALUES (3, 3, 'three', 3.00, NULL)");

	REQUIRE(reader.until(
		std::chrono::seconds(30),
		[&](const Seen &seen) {
			return seen.type == write_rows_v1 && seen.table == table && !seen.rows.empty() &&
				   seen.rows[0][0] == "3";
		},
		&events));
	CHECK(stream.retries() >= 1);
	REQUIRE_FALSE(notices.empty());
	CHECK(notices[0].attempt == 1);
	CHECK(notices[0].reason.find("2013") != std::string::npos);

	auto rows = rows_of(events, table);
	REQUIRE(rows.size() == 3);
	CHECK(rows[0][0] == "1");
	CHECK(rows[1][0] == "2");
	CHECK(rows[2][0] == "3");
	// no event twice: positions strictly grow after the first one (heartbeats repeat the position)
	std::set<std::string> positions;
	for (size_t i = 1; i < events.size(); i++) {
		if (events[i].type == heartbeat_event)
			continue;
		CHECK(positions.insert(events[i].next.text()).second);
	}
	CHECK(std::count_if(events.begin(), events.end(),
						[](const Seen &seen) { return seen.type == format_description_event; }) == 1);
	live::root("DROP DATABASE " + schema);
}

TEST_CASE("a GTID position the server cannot serve gives 1236 as 55000", "[live][stream][gtid]") {
	StreamOptions options = options_from({}, false);
	options.gtid_start = "0-1-999999999";
	BinlogStream stream(options);
	try {
		while (stream.next())
			;
		FAIL("no error");
	} catch (const Error &error) {
		CHECK(std::string(error.sqlstate) == "55000");
		CHECK(std::string(error.what()) ==
			  "GTID position \"0-1-999999999\" is no longer available on the MySQL server");
		CHECK(error.detail.find("1236") != std::string::npos);
	}
}
