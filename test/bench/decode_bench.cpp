// Benchmark driver (built by decode_bench.sh): decodes every row of the tables of SCHEMA in a binlog
// file read from disk ("file PATH") or streamed from the server ("stream FILE HOST PORT USER
// PASSWORD", non-blocking to the end of FILE), optionally rendering each value as text (--text), or
// checking every value against the row decode_bench.sh generated (--check).
// Rows events of other schemas (other users of the sandbox) are skipped undecoded. Prints
// "ROWS SECONDS WRONG_VALUES".
#include "binlog/decoder.hpp"
#include "binlog/value.hpp"
#include "common/error.hpp"
#include "mysql/binlog_stream.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace chameleon;

namespace {

struct Counter {
	std::string schema;
	bool text = false;
	bool check = false; // compare every value with what decode_bench.sh generated for the row
	uint64_t rows = 0;
	uint64_t wrong_values = 0;
	std::string buffer;
	std::vector<binlog::Value> before, after;

	// Row i of decode_bench.sh: (i, i * 7919, customer-%08d, i % 100000 . i % 100, FROM_UNIXTIME(1600000000 +
	// i)), the timestamp's text in UTC.
	void check_row(const binlog::RowsEvent &event) {
		char expected[5][48];
		std::snprintf(expected[0], sizeof expected[0], "%llu", static_cast<unsigned long long>(rows));
		std::snprintf(expected[1], sizeof expected[1], "%llu", static_cast<unsigned long long>(rows * 7919));
		std::snprintf(expected[2], sizeof expected[2], "customer-%08llu",
					  static_cast<unsigned long long>(rows));
		std::snprintf(expected[3], sizeof expected[3], "%llu.%02llu",
					  static_cast<unsigned long long>(rows % 100000),
					  static_cast<unsigned long long>(rows % 100));
		std::time_t created = static_cast<std::time_t>(1600000000 + rows);
		std::tm utc{};
		gmtime_r(&created, &utc);
		std::strftime(expected[4], sizeof expected[4], "%Y-%m-%d %H:%M:%S+00", &utc);
		for (size_t i = 0; i < 5 && i < after.size(); i++) {
			buffer.clear();
			binlog::append_text(buffer, after[i], event.table->columns[i]);
			wrong_values += buffer != expected[i];
		}
		wrong_values += after.size() == 5 ? 0 : 1;
	}

	// Decodes one raw event unless it is a rows event of another schema; counts its rows.
	void add(binlog::Decoder &decoder, const uint8_t *data, size_t size) {
		uint8_t type = data[4];
		if (((type >= 23 && type <= 25) || (type >= 30 && type <= 32)) && size > 25) {
			uint64_t table_id = 0;
			for (int i = 5; i >= 0; i--)
				table_id = table_id << 8 | data[19 + i];
			auto table = decoder.table(table_id);
			if (table && table->database != schema)
				return;
		}
		binlog::Event event = decoder.decode(data, size);
		auto *rows_event = std::get_if<binlog::RowsEvent>(&event.body);
		if (rows_event == nullptr)
			return;
		binlog::RowReader reader(*rows_event);
		while (reader.next(before, after)) {
			rows++;
			if (check)
				check_row(*rows_event);
			else if (text) {
				buffer.clear();
				for (size_t i = 0; i < after.size(); i++)
					binlog::append_text(buffer, after[i], rows_event->table->columns[i]);
			}
		}
	}
};

uint64_t
from_file(const std::string &path, Counter &counter) {
	int fd = open(path.c_str(), O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
	size_t size = static_cast<size_t>(st.st_size);
	void *mapped = size ? mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (mapped == MAP_FAILED)
		throw std::runtime_error("cannot map " + path);
	const uint8_t *bytes = static_cast<const uint8_t *>(mapped);
	if (size < 4 || std::memcmp(bytes,
								"\xfe"
								"bin",
								4) != 0) {
		munmap(mapped, size);
		throw std::runtime_error(path + " is not a binlog file");
	}
	binlog::Decoder decoder;
	for (size_t at = 4; at < size;) {
		uint32_t event_size = binlog::Decoder::event_size_at(bytes + at, size - at);
		counter.add(decoder, bytes + at, event_size);
		at += event_size;
	}
	munmap(mapped, size);
	return counter.rows;
}

uint64_t
from_stream(char **argv, Counter &counter) {
	mysql::StreamOptions options;
	options.start.file = argv[0];
	options.connection.host = argv[1];
	options.connection.port = std::stoi(argv[2]);
	options.connection.user = argv[3];
	options.connection.password = argv[4];
	options.server_id = 990001;
	options.follow = false;
	mysql::BinlogStream stream(options);
	binlog::Decoder decoder;
	decoder.set_checksum(stream.checksum_crc32() ? binlog::ChecksumAlgorithm::crc32
												 : binlog::ChecksumAlgorithm::off);
	while (auto raw = stream.next()) {
		counter.add(decoder, raw->data, raw->size);
		if (raw->next.file != options.start.file) // rotated past the benchmark's file
			break;
	}
	return counter.rows;
}

} // namespace

int
main(int argc, char **argv) {
	Counter counter;
	int first = 1;
	if (argc > 1 && std::strcmp(argv[1], "--text") == 0) {
		counter.text = true;
		first = 2;
	} else if (argc > 1 && std::strcmp(argv[1], "--check") == 0) {
		counter.check = true;
		first = 2;
	}
	if (argc > first)
		counter.schema = argv[first++];
	bool file = argc == first + 2 && std::strcmp(argv[first], "file") == 0;
	bool stream = argc == first + 6 && std::strcmp(argv[first], "stream") == 0;
	if (!file && !stream) {
		std::fprintf(
			stderr, "usage: %s [--text | --check] SCHEMA (file PATH | stream FILE HOST PORT USER PASSWORD)\n",
			argv[0]);
		return 2;
	}
	try {
		auto start = std::chrono::steady_clock::now();
		uint64_t rows = file ? from_file(argv[first + 1], counter) : from_stream(argv + first + 1, counter);
		std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
		std::printf("%llu %.3f %llu\n", static_cast<unsigned long long>(rows), elapsed.count(),
					static_cast<unsigned long long>(counter.wrong_values));
	} catch (const Error &error) {
		std::fprintf(stderr, "error: %s (%s) %s\n", error.what(), error.detail.c_str(), error.hint.c_str());
		return 1;
	} catch (const std::exception &error) {
		std::fprintf(stderr, "error: %s\n", error.what());
		return 1;
	}
	return 0;
}
