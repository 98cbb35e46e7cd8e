// Rows events (WRITE/UPDATE/DELETE v1 and v2, PARTIAL_UPDATE, MariaDB compressed) and the
// streaming reader that decodes their row images one row at a time into reusable vectors.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/table_map.hpp"
#include "binlog/value.hpp"

namespace chameleon::binlog {

enum class RowsKind : uint8_t { write, update, remove };

constexpr uint16_t rows_flag_stmt_end = 0x1;

struct RowsEvent {
	RowsKind kind = RowsKind::write;
	uint8_t type = 0;	  // event type code, for messages
	uint8_t version = 1;  // 1 (MySQL 5.5 / MariaDB) or 2 (MySQL 5.6+)
	bool partial = false; // PARTIAL_UPDATE_ROWS (binlog_row_value_options=PARTIAL_JSON)
	uint64_t table_id = 0;
	uint16_t flags = 0;
	std::shared_ptr<const TableMap> table;
	uint32_t column_count = 0;
	const uint8_t *columns_before = nullptr; // present-columns bitmap of the before image
	const uint8_t *columns_after = nullptr;	 // ... of the after image (updates: its own bitmap)
	const uint8_t *rows = nullptr;
	size_t rows_size = 0;
	std::string_view extra_data; // v2 extra row info (NDB, partition id), unparsed
	uint32_t log_pos = 0;		 // header log_pos, for messages

	bool is_statement_end() const { return flags & rows_flag_stmt_end; }
};

// Reads the rows of a RowsEvent: write fills `after`, delete fills `before`, update both; the
// other vector is left empty. Columns outside an image are ValueKind::missing. The values point
// into the event buffer: use them before that buffer is released.
class RowReader {
  public:
	explicit RowReader(const RowsEvent &event);
	bool next(std::vector<Value> &before, std::vector<Value> &after);
	size_t rows_read() const { return rows_read_; }

  private:
	void read_image(const uint8_t *present, std::vector<Value> &out, bool after_image);
	std::string where() const;
	[[noreturn]] void fail_row(const std::string &problem) const;
	[[noreturn]] void fail_value(size_t column, const std::string &problem) const;

	const RowsEvent &event_;
	const uint8_t *pos_;
	const uint8_t *end_;
	size_t present_before_ = 0;
	size_t present_after_ = 0;
	size_t rows_read_ = 0;
};

// Decodes one column value of a row image starting at p (not past end); returns the byte after it.
const uint8_t *decode_value(const Column &column, const uint8_t *p, const uint8_t *end, Value &out);

} // namespace chameleon::binlog
