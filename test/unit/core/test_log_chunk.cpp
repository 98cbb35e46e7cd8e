// Catch2 tests of the log chunk format: events written are read back in order with their fields,
// a table record is written once per chunk, split keeps every event on one side, the byte layout is
// the documented one (the 1.4 -> 1.5 upgrade builds chunks in SQL), and a malformed chunk of any
// length is refused with an error, never read past its end.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "core/log_chunk.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <string>

using namespace chameleon::core;

namespace {

void
add_three(LogChunkWriter &writer) {
	writer.add_rows(LogRecordKind::insert, true, 120, 1700000000000000, 2, "shop", "orders", "MAP-orders",
					"EV1");
	writer.add_rows(LogRecordKind::update, false, 180, 1700000000000000, 1, "shop", "orders", "MAP-orders",
					"EV2");
	writer.add_statement(true, 260, 1700000001000005, "shop", "ALTER TABLE orders ADD x int", "+02:00");
}

} // namespace

TEST_CASE("log chunk: events come back in order with their fields", "[log_chunk]") {
	LogChunkWriter writer;
	add_three(writer);
	writer.add_rows(LogRecordKind::remove, false, 300, 1700000002000000, 3, "shop", "items", "MAP-items",
					"EV3");
	REQUIRE(writer.events() == 4);
	std::vector<LogRecord> records = read_log_chunk(writer.bytes());
	REQUIRE(records.size() == 4);
	CHECK(records[0].kind == LogRecordKind::insert);
	CHECK(records[0].transaction_start);
	CHECK(records[0].position == 120);
	CHECK(records[0].event_time_us == 1700000000000000);
	CHECK(records[0].rows == 2);
	CHECK(records[0].schema == "shop");
	CHECK(records[0].table == "orders");
	CHECK(records[0].table_map == "MAP-orders");
	CHECK(records[0].event == "EV1");
	CHECK(records[1].kind == LogRecordKind::update);
	CHECK_FALSE(records[1].transaction_start);
	CHECK(records[1].table_map == "MAP-orders");
	CHECK(records[1].event == "EV2");
	CHECK(records[2].kind == LogRecordKind::statement);
	CHECK(records[2].schema == "shop");
	CHECK(records[2].statement == "ALTER TABLE orders ADD x int");
	CHECK(records[2].time_zone == "+02:00");
	CHECK(records[2].event_time_us == 1700000001000005);
	CHECK(records[3].kind == LogRecordKind::remove);
	CHECK(records[3].table == "items");
	CHECK(records[3].rows == 3);
}

TEST_CASE("log chunk: a table record is written once per chunk, again when its TABLE_MAP changes",
		  "[log_chunk]") {
	LogChunkWriter once;
	for (int i = 0; i < 10; i++)
		once.add_rows(LogRecordKind::insert, false, 4 + i, 0, 1, "s", "t", std::string(100, 'm'), "e");
	LogChunkWriter changed;
	for (int i = 0; i < 10; i++)
		changed.add_rows(LogRecordKind::insert, false, 4 + i, 0, 1, "s", "t",
						 std::string(100, static_cast<char>('m' + i % 2)), "e");
	CHECK(changed.bytes().size() == once.bytes().size() + (2 + 1 + 2 + 1 + 4 + 100 + 1));
	std::vector<LogRecord> records = read_log_chunk(changed.bytes());
	REQUIRE(records.size() == 10);
	CHECK(records[3].table_map == std::string(100, 'n'));
	CHECK(records[4].table_map == std::string(100, 'm'));
}

TEST_CASE("log chunk: TABLE_MAPs that differ only in their event header and CRC32 share a table record",
		  "[log_chunk]") {
	const std::string body(60, 'b');
	auto table_map = [&](char header, char crc) {
		return std::string(19, header) + body + std::string(4, crc);
	};
	LogChunkWriter writer(4);
	for (char header = 'a'; header < 'e'; header++)
		writer.add_rows(LogRecordKind::update, false, 4, 0, 1, "s", "t", table_map(header, header), "e");
	LogChunkWriter single(4);
	single.add_rows(LogRecordKind::update, false, 4, 0, 1, "s", "t", table_map('a', 'a'), "e");
	const size_t table_record = 1 + 2 + 1 + 2 + 1 + 4 + 83;
	CHECK(writer.bytes().size() == single.bytes().size() + 3 * (single.bytes().size() - table_record));
	for (const LogRecord &record : read_log_chunk(writer.bytes()))
		CHECK(record.table_map == table_map('a', 'a')); // the first one's bytes
	// Without checksums the last 4 bytes are the TABLE_MAP's own: maps that differ there do not share.
	LogChunkWriter no_checksum(0);
	no_checksum.add_rows(LogRecordKind::update, false, 4, 0, 1, "s", "t", table_map('a', 'a'), "e");
	no_checksum.add_rows(LogRecordKind::update, false, 5, 0, 1, "s", "t", table_map('a', 'z'), "e");
	CHECK(read_log_chunk(no_checksum.bytes())[1].table_map == table_map('a', 'z'));
	// and the same TABLE_MAP of another table never shares
	LogChunkWriter other(4);
	other.add_rows(LogRecordKind::update, false, 4, 0, 1, "s", "t", table_map('a', 'a'), "e");
	other.add_rows(LogRecordKind::update, false, 5, 0, 1, "s", "u", table_map('b', 'b'), "e");
	CHECK(read_log_chunk(other.bytes())[1].table == "u");
	CHECK(table_map_body(std::string(19, 'h') + body + "crc!", 4) == body);
	CHECK(table_map_body(std::string(19, 'h') + body, 0) == body);
	CHECK(table_map_body("short", 4).empty());
	CHECK(table_map_body(std::string(21, 'h'), 4).empty());
}

TEST_CASE("log chunk: the byte layout is the documented one", "[log_chunk]") {
	LogChunkWriter writer;
	writer.add_rows(LogRecordKind::remove, true, 0x0102, -1, 7, "a", "bc", "M", "EV");
	const std::string expected = std::string("\x01\x00\x01"
											 "a"
											 "\x00\x02"
											 "bc"
											 "\x00\x00\x00\x01"
											 "M",
											 13) +
								 std::string("\x04\x01"
											 "\x00\x00\x00\x00\x00\x00\x01\x02"
											 "\xff\xff\xff\xff\xff\xff\xff\xff"
											 "\x00\x00\x00\x07"
											 "\x00\x00"
											 "\x00\x00\x00\x02"
											 "EV",
											 30);
	CHECK(writer.bytes() == expected);
}

TEST_CASE("log chunk: split keeps the first events and moves the others with their tables", "[log_chunk]") {
	for (size_t at = 0; at <= 3; at++) {
		LogChunkWriter head;
		add_three(head);
		LogChunkWriter tail = head.split(at);
		CHECK(head.events() == at);
		CHECK(tail.events() == 3 - at);
		std::vector<LogRecord> first = read_log_chunk(head.bytes());
		std::vector<LogRecord> rest = read_log_chunk(tail.bytes());
		REQUIRE(first.size() + rest.size() == 3);
		std::vector<uint64_t> positions;
		for (const auto *part : {&first, &rest})
			for (const LogRecord &record : *part)
				positions.push_back(record.position);
		CHECK(positions == std::vector<uint64_t>{120, 180, 260});
		if (at == 1) {
			CHECK(rest[0].table_map == "MAP-orders"); // the tail carries its own table record
			CHECK(rest[0].event == "EV2");
		}
	}
}

TEST_CASE("log chunk: an empty chunk has no events; clear empties a writer", "[log_chunk]") {
	CHECK(read_log_chunk("").empty());
	LogChunkWriter writer;
	add_three(writer);
	writer.clear();
	CHECK(writer.empty());
	CHECK(writer.bytes().empty());
}

TEST_CASE("log chunk: a malformed chunk is refused, never read past its end", "[log_chunk]") {
	LogChunkWriter writer;
	add_three(writer);
	const std::string &whole = writer.bytes();
	// every truncation that does not end on a record boundary
	size_t refused = 0;
	for (size_t length = 1; length < whole.size(); length++) {
		try {
			read_log_chunk(std::string_view(whole).substr(0, length));
		} catch (const chameleon::Error &error) {
			CHECK(std::string(error.sqlstate) == chameleon::sqlstate::data_corrupted);
			refused++;
		}
	}
	CHECK(refused == whole.size() - 4); // all but the 3 record boundaries inside it
	CHECK_THROWS_AS(read_log_chunk("\x09"), chameleon::Error);
	// a rows record naming a table record the chunk does not have
	LogChunkWriter rows;
	rows.add_rows(LogRecordKind::insert, false, 1, 0, 1, "s", "t", "M", "E");
	std::string no_table = rows.bytes().substr(1 + 2 + 1 + 2 + 1 + 4 + 1);
	CHECK_THROWS_WITH(read_log_chunk(no_table), Catch::Contains("refers to table record 0 of 0"));
}

namespace {

// A log as the reader's LogWriter keeps it: the chunks handed over, by their first event.
struct Log {
	std::map<int64_t, std::vector<LogRecord>> chunks;
	std::vector<std::string> bytes; // keeps what the records point into
	std::vector<bool> ends_at_boundary;

	LogChunker chunker(size_t target, size_t limit) {
		return LogChunker(target, limit, [this](const LogChunkWriter &chunk, int64_t first_event) {
			bytes.push_back(chunk.bytes());
			std::vector<LogRecord> records = read_log_chunk(bytes.back());
			REQUIRE(records.size() == chunk.events());
			REQUIRE(chunks.count(first_event) == 0);
			chunks[first_event] = records;
		});
	}
	// What LogWriter::drop_from deletes when the chunker says some events were handed over.
	void delete_from(int64_t first_event) {
		for (auto chunk = chunks.lower_bound(first_event); chunk != chunks.end();)
			chunk = chunks.erase(chunk);
	}
	// The events in the log, by id: (id, position).
	std::vector<std::pair<int64_t, uint64_t>> events() const {
		std::vector<std::pair<int64_t, uint64_t>> out;
		for (const auto &[first, records] : chunks)
			for (size_t i = 0; i < records.size(); i++)
				out.emplace_back(first + static_cast<int64_t>(i), records[i].position);
		return out;
	}
};

// The reader's side: a transaction of `sizes` events (each event's size in bytes), ids from next.
void
add_transaction(LogChunker &chunker, int64_t &next, const std::vector<size_t> &sizes) {
	chunker.transaction_starts(next);
	for (size_t i = 0; i < sizes.size(); i++, next++)
		chunker.add_rows(next, LogRecordKind::insert, i == 0, static_cast<uint64_t>(next) * 10, 0, 1, "s",
						 "t", "MAP", std::string(sizes[i], 'e'));
}

} // namespace

TEST_CASE("log chunker: small transactions make chunks that end at transaction boundaries", "[log_chunk]") {
	Log log;
	LogChunker chunker = log.chunker(1000, 4000);
	int64_t next = 1;
	std::vector<int64_t> transaction_starts;
	for (int t = 0; t < 50; t++) {
		transaction_starts.push_back(next);
		add_transaction(chunker, next, {100, 200, 50, 120});
	}
	chunker.flush();
	std::vector<std::pair<int64_t, uint64_t>> events = log.events();
	REQUIRE(events.size() == 200);
	for (size_t i = 0; i < events.size(); i++)
		CHECK(events[i] == std::make_pair(static_cast<int64_t>(i + 1), static_cast<uint64_t>(i + 1) * 10));
	CHECK(log.chunks.size() > 10);
	for (const auto &[first, records] : log.chunks) {
		CHECK(std::find(transaction_starts.begin(), transaction_starts.end(), first) !=
			  transaction_starts.end());
		CHECK(records.size() % 4 == 0); // whole transactions
		CHECK(records.front().transaction_start);
	}
}

TEST_CASE("log chunker: a large transaction is cut, its first chunk starting with its first event",
		  "[log_chunk]") {
	Log log;
	LogChunker chunker = log.chunker(1000, 4000);
	int64_t next = 1;
	add_transaction(chunker, next, {300, 300});					   // events 1-2
	add_transaction(chunker, next, std::vector<size_t>(100, 500)); // events 3-102
	chunker.flush();
	REQUIRE(log.events().size() == 102);
	REQUIRE(log.chunks.count(1) == 1);
	CHECK(log.chunks[1].size() == 2); // the small transaction alone
	REQUIRE(log.chunks.count(3) == 1);
	CHECK(log.chunks[3].front().transaction_start);
	CHECK(log.chunks.size() > 10); // 50,000 bytes in chunks of at most 4,000 and one event
	for (const std::string &bytes : log.bytes)
		CHECK(bytes.size() < 4000 + 600);
}

TEST_CASE("log chunker: an unfinished transaction is removed whole, wherever it began", "[log_chunk]") {
	// Random transactions, then one that never ends, cut at a random event: after drop_from (and the
	// delete it asks for) and a flush, the log holds exactly the events before that transaction.
	std::mt19937 random(12); // NOLINT(cert-msc51-cpp): the same cases in every run, so a failure repeats
	for (int round = 0; round < 300; round++) {
		Log log;
		LogChunker chunker = log.chunker(1000, 3000);
		int64_t next = 1;
		int transactions = static_cast<int>(random() % 20);
		for (int t = 0; t < transactions; t++) {
			std::vector<size_t> sizes(1 + random() % 12);
			for (size_t &size : sizes)
				size = 1 + random() % 700;
			add_transaction(chunker, next, sizes);
		}
		const int64_t unfinished = next;
		std::vector<size_t> sizes(1 + random() % 40);
		for (size_t &size : sizes)
			size = 1 + random() % 700;
		add_transaction(chunker, next, sizes);
		if (chunker.drop_from(unfinished))
			log.delete_from(unfinished);
		chunker.flush();
		std::vector<std::pair<int64_t, uint64_t>> events = log.events();
		REQUIRE(events.size() == static_cast<size_t>(unfinished - 1));
		for (size_t i = 0; i < events.size(); i++)
			REQUIRE(events[i].first == static_cast<int64_t>(i + 1));
	}
}

TEST_CASE("log chunker: a statement is a transaction of its own; clear forgets", "[log_chunk]") {
	Log log;
	LogChunker chunker = log.chunker(10, 4000);
	int64_t next = 1;
	add_transaction(chunker, next, {50});
	chunker.add_statement(next++, 99, 0, "s", "CREATE TABLE x (a int)", "");
	chunker.flush();
	REQUIRE(log.chunks.size() == 2); // the statement started a transaction: the chunk was due
	CHECK(log.chunks[2].front().kind == LogRecordKind::statement);
	CHECK(log.chunks[2].front().transaction_start);
	add_transaction(chunker, next, {5});
	chunker.clear();
	chunker.flush();
	CHECK(log.chunks.size() == 2);
}
