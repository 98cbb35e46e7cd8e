// Helpers of the live tests: the sandbox MariaDB from the environment (MY_HOST, MY_PORT, MY_USER,
// MY_PASSWORD, MY_ROOT_CNF), root statements through the mariadb client, unique schema names and
// a stream reader that decodes the events with the binlog decoder (rows events only for the
// live_* schemas of these tests).
#pragma once

#include "binlog/decoder.hpp"
#include "binlog/value.hpp"
#include "mysql/binlog_stream.hpp"
#include "mysql/connection.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace live {

inline std::string
env(const char *name, const char *fallback) {
	const char *value = std::getenv(name);
	return value && *value ? value : fallback;
}

inline chameleon::mysql::ConnectionParams
repl_params() {
	chameleon::mysql::ConnectionParams params;
	params.host = env("MY_HOST", "127.0.0.1");
	params.port = std::stoi(env("MY_PORT", "33306"));
	params.user = env("MY_USER", "repl");
	params.password = env("MY_PASSWORD", "secret");
	params.connect_timeout = 5;
	return params;
}

// Runs SQL as root with the mariadb client (the replication user may not write); returns the
// output rows, tab-separated, without column names. Throws on failure.
inline std::vector<std::string>
root(const std::string &sql) {
	std::string cnf = env("MY_ROOT_CNF", "/var/tmp/pg_chameleon_sandbox/mariadb.cnf");
	char script[] = "/tmp/chameleon_live_XXXXXX";
	int fd = mkstemp(script);
	if (fd < 0)
		throw std::runtime_error("mkstemp failed");
	std::string text = "SET time_zone = '+00:00';\n" + sql + ";\n";
	bool written = write(fd, text.data(), text.size()) == ssize_t(text.size());
	::close(fd);
	if (!written)
		throw std::runtime_error("could not write " + std::string(script));
	std::string command = "mariadb --defaults-file='" + cnf + "' -uroot -N -B < " + script + " 2>&1";
	FILE *pipe = popen(command.c_str(), "r");
	std::string output;
	char buffer[4096];
	size_t got;
	while (pipe && (got = fread(buffer, 1, sizeof buffer, pipe)) > 0)
		output.append(buffer, got);
	int status = pipe ? pclose(pipe) : -1;
	unlink(script);
	if (status != 0)
		throw std::runtime_error("root SQL failed: " + sql + "\n" + output);
	std::vector<std::string> rows;
	size_t start = 0;
	while (start < output.size()) {
		size_t end = output.find('\n', start);
		if (end == std::string::npos)
			end = output.size();
		rows.push_back(output.substr(start, end - start));
		start = end + 1;
	}
	return rows;
}

// A schema name no other test run uses.
inline std::string
unique_schema(const std::string &tag) {
	static std::atomic<int> counter{0};
	return "live_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// A replica server id no other test or run uses at the same time (the server drops an older dump
// connection with the same id).
inline uint32_t
unique_server_id() {
	static std::atomic<uint32_t> counter{0};
	return 100000 + (uint32_t(getpid()) % 100000) * 10 + counter++ % 10;
}

inline chameleon::mysql::BinlogPosition
master_status(chameleon::mysql::Connection &connection) {
	auto rows = connection.query("SHOW MASTER STATUS");
	if (rows.empty() || !rows[0][0] || !rows[0][1])
		throw std::runtime_error("SHOW MASTER STATUS returned nothing: is log_bin on?");
	return {*rows[0][0], std::stoull(*rows[0][1])};
}

// An event as the tests look at it: its type, position and decoded body, plus the rows of
// rows events rendered as text (the raw buffer does not outlive the next read).
struct Seen {
	uint8_t type = 0;
	bool artificial = false;
	chameleon::mysql::BinlogPosition next;
	chameleon::binlog::Event event; // its views are valid only until the next read
	std::string table;				// "schema.table" of a TABLE_MAP or rows event
	std::vector<std::vector<std::string>> rows;
	std::string text; // ROTATE next file, ANNOTATE statement, HEARTBEAT file
};

class Reader {
  public:
	explicit Reader(chameleon::mysql::BinlogStream &stream) : stream_(stream) {
		decoder_.set_checksum(stream.checksum_crc32() ? chameleon::binlog::ChecksumAlgorithm::crc32
													  : chameleon::binlog::ChecksumAlgorithm::off);
	}

	// The next event, decoded; false at the end of the binlog (non-blocking streams).
	bool next(Seen &seen) {
		auto raw = stream_.next();
		if (!raw)
			return false;
		seen = Seen();
		seen.type = raw->type;
		seen.artificial = raw->artificial;
		seen.next = raw->next;
		// rows events of other tests' tables (the sandbox is shared) are not decoded
		bool rows_event = (raw->type >= 23 && raw->type <= 25) || (raw->type >= 30 && raw->type <= 32);
		if (rows_event && raw->size > 25) {
			uint64_t table_id = 0;
			for (int i = 5; i >= 0; i--)
				table_id = table_id << 8 | raw->data[19 + i];
			auto table = decoder_.table(table_id);
			if (table && table->database.rfind("live_", 0) != 0)
				return true;
		}
		seen.event = decoder_.decode(raw->data, raw->size);
		using namespace chameleon::binlog;
		if (auto *rows = std::get_if<RowsEvent>(&seen.event.body)) {
			seen.table = rows->table->database + "." + rows->table->table;
			RowReader reader(*rows);
			std::vector<Value> before, after;
			while (reader.next(before, after)) {
				std::vector<std::string> row;
				for (size_t i = 0; i < after.size(); i++)
					row.push_back(to_text(after[i], rows->table->columns[i]));
				seen.rows.push_back(std::move(row));
			}
		} else if (auto *map = std::get_if<TableMapEvent>(&seen.event.body)) {
			seen.table = map->table->database + "." + map->table->table;
		} else if (auto *rotate = std::get_if<RotateEvent>(&seen.event.body)) {
			seen.text = std::string(rotate->next_file);
		} else if (auto *annotate = std::get_if<RowsQueryEvent>(&seen.event.body)) {
			seen.text = std::string(annotate->statement);
		} else if (auto *heartbeat = std::get_if<HeartbeatEvent>(&seen.event.body)) {
			seen.text = std::string(heartbeat->file);
		}
		return true;
	}

	// Reads until `match` accepts an event or the deadline passes; false on timeout or end.
	template <typename Match>
	bool until(std::chrono::seconds timeout, Match match, std::vector<Seen> *all = nullptr) {
		auto deadline = std::chrono::steady_clock::now() + timeout;
		Seen seen;
		while (std::chrono::steady_clock::now() < deadline && next(seen)) {
			if (all)
				all->push_back(seen);
			if (match(seen))
				return true;
		}
		return false;
	}

  private:
	chameleon::mysql::BinlogStream &stream_;
	chameleon::binlog::Decoder decoder_;
};

} // namespace live
