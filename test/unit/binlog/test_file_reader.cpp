// BinlogFileReader streaming: the same events and offsets as an in-memory image whatever the
// buffer size, events larger than the buffer, files that end inside an event (and then grow),
// and the messages of files that cannot be read.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "binlog/decode_error.hpp"
#include "binlog/event_type.hpp"
#include "binlog/file_reader.hpp"
#include "fixtures.hpp"

using namespace chameleon::binlog;

namespace {

std::vector<uint8_t>
read_bytes(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	REQUIRE(in.good());
	return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A temporary file removed at the end of the test.
struct TempFile {
	std::string path;
	TempFile() {
		char name[] = "/tmp/chameleon_reader_XXXXXX";
		int fd = mkstemp(name);
		REQUIRE(fd >= 0);
		close(fd);
		path = name;
	}
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	~TempFile() { std::remove(path.c_str()); }
	void write(const std::vector<uint8_t> &bytes, size_t from, size_t to, bool append) const {
		std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
		out.write(reinterpret_cast<const char *>(bytes.data() + from),
				  static_cast<std::streamsize>(to - from));
	}
};

// Everything the walk reports, rendered while each event's views are valid.
std::vector<std::string>
walk(BinlogFileReader &reader) {
	std::vector<std::string> out;
	Event ev;
	while (reader.next(ev)) {
		std::string line = std::to_string(reader.offset()) + " " + event_type_name(ev.header.type) +
						   (reader.in_payload() ? " inner" : "");
		if (auto *rows = std::get_if<RowsEvent>(&ev.body)) {
			RowReader rr(*rows);
			std::vector<Value> before, after;
			while (rr.next(before, after)) {
				line += " ";
				append_row_json(line, before.empty() ? after : before, *rows->table);
			}
		} else if (auto *query = std::get_if<QueryEvent>(&ev.body)) {
			line += " " + std::string(query->statement);
		}
		out.push_back(line);
	}
	return out;
}

std::string
fixture(const std::string &name) {
	return fixture_path("mysql-binlogs/" + name);
}

// A QUERY event (binlog v4 layout, 13-byte post-header, no status variables, no checksum).
std::vector<uint8_t>
query_event(const std::string &statement, uint32_t log_pos) {
	std::vector<uint8_t> e(19, 0);
	e[4] = 2;
	e.insert(e.end(), 13, 0); // thread id, exec time, db length 0, error code, status length 0
	e.push_back(0);			  // the empty database name's NUL
	e.insert(e.end(), statement.begin(), statement.end());
	uint32_t size = static_cast<uint32_t>(e.size());
	for (int i = 0; i < 4; i++) {
		e[9 + i] = static_cast<uint8_t>(size >> (8 * i));
		e[13 + i] = static_cast<uint8_t>(log_pos >> (8 * i));
	}
	return e;
}

} // namespace

TEST_CASE("binlog file reader: streaming matches the in-memory image at every buffer size",
		  "[binlog][reader]") {
	const char *files[] = {
		"mysql_binlog_connector_java/mysql-bin.checksum-crc32",
		"mysql_binlog_connector_java/mysql-bin.compressed",
		"mysql_sync_mysqlbinlog_text/all_datatype.v2.extracted.binlog",
		"rust_mysql_common/mariadb-bin.000001",
		"rust_mysql_common/transaction_compression.000001",
		"rust_mysql_common/json-opaque.binlog",
	};
	for (const char *file : files) {
		INFO(file);
		BinlogFileReader memory(read_bytes(fixture(file)), file);
		std::vector<std::string> expected = walk(memory);
		REQUIRE(expected.size() > 3);
		for (size_t buffer : {size_t(1), size_t(64), size_t(1000), BinlogFileReader::default_buffer_size}) {
			INFO("buffer " << buffer);
			BinlogFileReader streamed(fixture(file), buffer);
			CHECK(walk(streamed) == expected);
		}
	}
}

TEST_CASE("binlog file reader: events larger than the buffer", "[binlog][reader]") {
	// An FDE without checksums, a 3 MiB query, a small query: the big one crosses the default
	// 1 MiB buffer and the buffer refills around it.
	std::vector<uint8_t> source = read_bytes(fixture("mysql_binlog_connector_java/mysql-bin.checksum-none"));
	uint32_t fde_size = static_cast<uint32_t>(source[13]) | static_cast<uint32_t>(source[14]) << 8;
	std::vector<uint8_t> file(source.begin(), source.begin() + 4 + fde_size);
	std::string big(3 << 20, 'x');
	big.replace(0, 7, "SELECT ");
	big.back() = 'y';
	std::vector<uint8_t> e1 = query_event(big, 0);
	std::vector<uint8_t> e2 = query_event("COMMIT", 0);
	size_t big_offset = file.size();
	file.insert(file.end(), e1.begin(), e1.end());
	size_t small_offset = file.size();
	file.insert(file.end(), e2.begin(), e2.end());
	TempFile temp;
	temp.write(file, 0, file.size(), false);
	for (size_t buffer : {size_t(100), BinlogFileReader::default_buffer_size}) {
		BinlogFileReader reader(temp.path, buffer);
		Event ev;
		REQUIRE(reader.next(ev));
		CHECK(reader.offset() == 4);
		REQUIRE(reader.next(ev));
		CHECK(reader.offset() == big_offset);
		REQUIRE(std::holds_alternative<QueryEvent>(ev.body));
		CHECK(std::get<QueryEvent>(ev.body).statement == big);
		REQUIRE(reader.next(ev));
		CHECK(reader.offset() == small_offset);
		CHECK(std::get<QueryEvent>(ev.body).statement == "COMMIT");
		CHECK_FALSE(reader.next(ev));
	}
}

TEST_CASE("binlog file reader: a file that ends inside an event, then grows", "[binlog][reader]") {
	std::string name = fixture("mysql_binlog_connector_java/mysql-bin.checksum-crc32");
	std::vector<uint8_t> bytes = read_bytes(name);
	BinlogFileReader memory(bytes, "whole");
	std::vector<std::string> expected = walk(memory);
	// The offsets of the 3rd and 4th events: cut inside the 3rd's header, then inside its body.
	std::vector<uint64_t> offsets;
	offsets.reserve(expected.size());
	for (const std::string &line : expected)
		offsets.push_back(std::stoull(line.substr(0, line.find(' '))));
	uint64_t third = offsets[2], fourth = offsets[3];
	for (uint64_t cut : {third + 10, fourth - 1}) {
		INFO("cut at " << cut);
		TempFile temp;
		temp.write(bytes, 0, cut, false);
		BinlogFileReader reader(temp.path, 64);
		Event ev;
		REQUIRE(reader.next(ev));
		REQUIRE(reader.next(ev));
		std::string needs = cut == third + 10
								? "the event needs 19 bytes, 10 remain"
								: "the event needs " + std::to_string(fourth - third) + " bytes, " +
									  std::to_string(fourth - 1 - third) + " remain";
		std::string message = "binlog file \"" + temp.path + "\" ends inside an event at offset " +
							  std::to_string(third) + ": " + needs;
		CHECK_THROWS_WITH(reader.next(ev), message);
		CHECK_THROWS_WITH(reader.next(ev), message); // still there, not skipped
		// The writer completes the file: reading resumes at that event.
		temp.write(bytes, cut, bytes.size(), true);
		std::vector<std::string> rest = walk(reader);
		CHECK(rest == std::vector<std::string>(expected.begin() + 2, expected.end()));
	}

	// An in-memory image cut the same way says the same.
	std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(fourth - 1));
	BinlogFileReader reader(cut, "cut");
	Event ev;
	REQUIRE(reader.next(ev));
	REQUIRE(reader.next(ev));
	CHECK_THROWS_WITH(reader.next(ev), Catch::Contains("binlog file \"cut\" ends inside an event at offset " +
													   std::to_string(third)));
}

TEST_CASE("binlog file reader: files that cannot be read", "[binlog][reader]") {
	CHECK_THROWS_WITH(
		BinlogFileReader(std::string("/nonexistent/mysql-bin.000001")),
		"could not open binlog file \"/nonexistent/mysql-bin.000001\": No such file or directory");
	TempFile temp;
	std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
	temp.write(text, 0, text.size(), false);
	CHECK_THROWS_WITH(BinlogFileReader(temp.path), "\"" + temp.path +
													   "\" is not a binlog file: it does not start with the "
													   "magic bytes \\xfebin");
	temp.write(text, 0, 0, false);
	CHECK_THROWS_WITH(BinlogFileReader(temp.path), Catch::Contains("is not a binlog file"));
	// Magic only: a valid, empty binlog.
	std::vector<uint8_t> magic = {0xfe, 'b', 'i', 'n'};
	temp.write(magic, 0, magic.size(), false);
	BinlogFileReader empty(temp.path);
	Event ev;
	CHECK_FALSE(empty.next(ev));
}
