// Chunks of log events: see log_chunk.hpp for the format.
#include "core/log_chunk.hpp"

#include "common/error.hpp"

#include <limits>

namespace chameleon::core {

namespace {

template <typename Integer>
void
put(std::string &out, Integer value) {
	auto bits = static_cast<std::make_unsigned_t<Integer>>(value);
	for (int shift = (sizeof(Integer) - 1) * 8; shift >= 0; shift -= 8)
		out += static_cast<char>((bits >> shift) & 0xff);
}

template <typename Length>
void
put_bytes(std::string &out, std::string_view bytes) {
	if (bytes.size() > std::numeric_limits<Length>::max())
		throw Error(sqlstate::invalid_parameter_value,
					"a log event part of " + std::to_string(bytes.size()) + " bytes is too long for the log");
	put(out, static_cast<Length>(bytes.size()));
	out.append(bytes);
}

class ChunkReader {
  public:
	explicit ChunkReader(std::string_view chunk) : chunk_(chunk) {}

	bool done() const { return at_ == chunk_.size(); }

	template <typename Integer> Integer get() {
		need(sizeof(Integer));
		std::make_unsigned_t<Integer> bits = 0;
		for (size_t i = 0; i < sizeof(Integer); i++)
			bits = static_cast<std::make_unsigned_t<Integer>>(
				(bits << 8) | static_cast<uint8_t>(chunk_[at_ + i])); // NOLINT(hicpp-signed-bitwise)
		at_ += sizeof(Integer);
		return static_cast<Integer>(bits);
	}

	template <typename Length> std::string_view bytes() {
		auto length = get<Length>();
		need(length);
		std::string_view out = chunk_.substr(at_, length);
		at_ += length;
		return out;
	}

	[[noreturn]] void corrupt(const std::string &what) const {
		throw Error(sqlstate::data_corrupted,
					"the replication log holds a malformed chunk: " + what + " at byte " +
						std::to_string(at_) + " of " + std::to_string(chunk_.size()),
					"", "Copy the source again with chameleon.init_replica().");
	}

  private:
	void need(size_t count) const {
		if (chunk_.size() - at_ < count)
			corrupt("a value runs past its end");
	}

	std::string_view chunk_;
	size_t at_ = 0;
};

} // namespace

uint16_t
LogChunkWriter::table_index(std::string_view schema, std::string_view table, std::string_view table_map) {
	for (size_t i = tables_.size(); i-- > 0;)
		if (table_map_body(tables_[i].table_map, checksum_size_) ==
				table_map_body(table_map, checksum_size_) &&
			tables_[i].schema == schema && tables_[i].table == table)
			return static_cast<uint16_t>(i);
	if (tables_.size() > std::numeric_limits<uint16_t>::max())
		throw Error(sqlstate::internal_error, "a log chunk refers to too many tables");
	bytes_ += static_cast<char>(LogRecordKind::table);
	put_bytes<uint16_t>(bytes_, schema);
	put_bytes<uint16_t>(bytes_, table);
	put_bytes<uint32_t>(bytes_, table_map);
	tables_.push_back({std::string(schema), std::string(table), std::string(table_map)});
	return static_cast<uint16_t>(tables_.size() - 1);
}

void
LogChunkWriter::add_rows(LogRecordKind kind, bool transaction_start, uint64_t position, int64_t event_time_us,
						 uint32_t rows, std::string_view schema, std::string_view table,
						 std::string_view table_map, std::string_view event) {
	uint16_t index = table_index(schema, table, table_map);
	bytes_ += static_cast<char>(kind);
	bytes_ += static_cast<char>(transaction_start ? 1 : 0);
	put(bytes_, position);
	put(bytes_, event_time_us);
	put(bytes_, rows);
	put(bytes_, index);
	put_bytes<uint32_t>(bytes_, event);
	events_++;
}

void
LogChunkWriter::add_statement(bool transaction_start, uint64_t position, int64_t event_time_us,
							  std::string_view database, std::string_view statement,
							  std::string_view time_zone) {
	bytes_ += static_cast<char>(LogRecordKind::statement);
	bytes_ += static_cast<char>(transaction_start ? 1 : 0);
	put(bytes_, position);
	put(bytes_, event_time_us);
	put_bytes<uint16_t>(bytes_, database);
	put_bytes<uint16_t>(bytes_, time_zone);
	put_bytes<uint32_t>(bytes_, statement);
	events_++;
}

void
LogChunkWriter::add(const LogRecord &record) {
	if (record.kind == LogRecordKind::statement)
		add_statement(record.transaction_start, record.position, record.event_time_us, record.schema,
					  record.statement, record.time_zone);
	else
		add_rows(record.kind, record.transaction_start, record.position, record.event_time_us, record.rows,
				 record.schema, record.table, record.table_map, record.event);
}

void
LogChunkWriter::clear() {
	bytes_.clear();
	events_ = 0;
	tables_.clear();
}

LogChunkWriter
LogChunkWriter::split(size_t events) {
	std::string whole = std::move(bytes_);
	std::vector<LogRecord> records = read_log_chunk(whole);
	clear();
	LogChunkWriter tail(checksum_size_);
	for (size_t i = 0; i < records.size(); i++)
		(i < events ? *this : tail).add(records[i]);
	return tail;
}

void
LogChunker::transaction_starts(int64_t first_event) {
	transaction_event_ = first_event;
	if (chunk_.bytes().size() >= target_bytes_)
		flush();
}

void
LogChunker::add_rows(int64_t event_id, LogRecordKind kind, bool transaction_start, uint64_t position,
					 int64_t event_time_us, uint32_t rows, std::string_view schema, std::string_view table,
					 std::string_view table_map, std::string_view event) {
	chunk_.add_rows(kind, transaction_start, position, event_time_us, rows, schema, table, table_map, event);
	after_add(event_id);
}

void
LogChunker::add_statement(int64_t event_id, uint64_t position, int64_t event_time_us,
						  std::string_view database, std::string_view statement, std::string_view time_zone) {
	transaction_starts(event_id);
	chunk_.add_statement(true, position, event_time_us, database, statement, time_zone);
	after_add(event_id);
}

void
LogChunker::after_add(int64_t event_id) {
	if (chunk_.events() == 1)
		first_event_ = event_id;
	if (chunk_.bytes().size() < limit_bytes_)
		return;
	// A transaction outgrows the chunk: what precedes it is a chunk of its own.
	if (transaction_event_ > first_event_ && transaction_event_ <= event_id) {
		LogChunkWriter transaction = chunk_.split(static_cast<size_t>(transaction_event_ - first_event_));
		sink_(chunk_, first_event_);
		chunk_ = std::move(transaction);
		first_event_ = transaction_event_;
		if (chunk_.bytes().size() < limit_bytes_)
			return;
	}
	flush();
}

void
LogChunker::flush() {
	if (chunk_.empty())
		return;
	sink_(chunk_, first_event_);
	chunk_.clear();
}

bool
LogChunker::drop_from(int64_t first_event) {
	if (!chunk_.empty() && first_event >= first_event_) {
		(void)chunk_.split(static_cast<size_t>(first_event - first_event_)); // begun in the chunk
		return false;
	}
	chunk_.clear(); // begun in chunks handed over, each of which begins at or after first_event
	return true;
}

std::vector<LogRecord>
read_log_chunk(std::string_view chunk) {
	struct Table {
		std::string_view schema, table, table_map;
	};
	std::vector<Table> tables;
	std::vector<LogRecord> records;
	ChunkReader in(chunk);
	while (!in.done()) {
		auto kind = static_cast<LogRecordKind>(in.get<uint8_t>());
		if (kind == LogRecordKind::table) {
			Table table;
			table.schema = in.bytes<uint16_t>();
			table.table = in.bytes<uint16_t>();
			table.table_map = in.bytes<uint32_t>();
			tables.push_back(table);
			continue;
		}
		if (kind != LogRecordKind::insert && kind != LogRecordKind::update && kind != LogRecordKind::remove &&
			kind != LogRecordKind::statement)
			in.corrupt("an unknown record type " + std::to_string(static_cast<int>(kind)));
		LogRecord record;
		record.kind = kind;
		record.transaction_start = (in.get<uint8_t>() & 1) != 0;
		record.position = in.get<uint64_t>();
		record.event_time_us = in.get<int64_t>();
		if (kind == LogRecordKind::statement) {
			record.schema = in.bytes<uint16_t>();
			record.time_zone = in.bytes<uint16_t>();
			record.statement = in.bytes<uint32_t>();
		} else {
			record.rows = in.get<uint32_t>();
			auto index = in.get<uint16_t>();
			if (index >= tables.size())
				in.corrupt("a rows event refers to table record " + std::to_string(index) + " of " +
						   std::to_string(tables.size()));
			record.schema = tables[index].schema;
			record.table = tables[index].table;
			record.table_map = tables[index].table_map;
			record.event = in.bytes<uint32_t>();
		}
		records.push_back(record);
	}
	return records;
}

} // namespace chameleon::core
