// The log rows the reader writes to sch_chameleon.t_log_replica: buffered (at most max_rows rows
// or max_bytes bytes, in a memory context of their own, reset after each insert) and inserted a
// group at a time with one INSERT ... SELECT FROM unnest(arrays), so that a stream of small
// events costs one executor start per group instead of one per event.
#pragma once

#include "pg/pg_headers.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chameleon::pg {

struct LogRow {
	int64 batch_id = 0;
	int64 event_id = 0;
	std::string_view schema, table, kind, file;
	int64 position = 0;
	int64 event_time_us = 0; // epoch microseconds (a statement's keep what the server logged)
	std::optional<std::string_view> event, table_map, statement;
	std::optional<std::string_view> time_zone; // a statement's session time zone, when logged
	int32 rows = 0;
	bool transaction_start = false;
};

class LogRows {
  public:
	explicit LogRows(int64 source_id);

	// Copies the row into the buffer; inserts the buffer when it is full. In an open transaction.
	void add(const LogRow &row);
	// Inserts what is buffered, in the open transaction.
	void flush();
	// Drops what is buffered: its transaction was rolled back.
	void forget();
	// The log segment the rows go to from now on (what is buffered must have been inserted).
	void set_segment(int64 segment) { segment_ = segment; }

  private:
	static constexpr size_t max_rows = 512;
	static constexpr size_t max_bytes = 4 * 1024 * 1024;
	static constexpr int column_count = 13; // the array parameters, after source id

	Datum copy_bytes(std::string_view bytes);
	void push(int column, std::optional<Datum> value);

	int64 source_id_;
	int64 segment_ = 0;
	MemoryContext context_ = nullptr;
	std::array<std::vector<Datum>, column_count> values_;
	std::array<std::vector<char>, column_count> nulls_; // 'n' for NULL
	std::vector<bool> transaction_starts_;
	size_t count_ = 0;
	size_t bytes_ = 0;
	SPIPlanPtr plan_ = nullptr;
};

} // namespace chameleon::pg
