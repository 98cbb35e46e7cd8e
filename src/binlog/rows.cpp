// Row image decoding: the per-type binary layouts of MySQL/MariaDB row-based replication.
#include "binlog/rows.hpp"

#include <cstring>

#include "binlog/decode_error.hpp"
#include "binlog/event_type.hpp"

namespace chameleon::binlog {

namespace {

constexpr uint64_t partial_json_updates = 1;

inline uint64_t
le(const uint8_t *p, size_t n) {
	uint64_t v = 0;
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

inline uint64_t
be(const uint8_t *p, size_t n) {
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

inline void
need(const uint8_t *p, const uint8_t *end, size_t n) {
	if (n > static_cast<size_t>(end - p))
		throw DecodeError("value needs " + std::to_string(n) + " bytes, only " + std::to_string(end - p) +
						  " left in the row image");
}

inline int64_t
sign_extend(uint64_t v, unsigned bits) {
	uint64_t m = 1ull << (bits - 1);
	return static_cast<int64_t>((v ^ m) - m);
}

const uint8_t *
integer(const Column &column, const uint8_t *p, const uint8_t *end, size_t n, Value &out) {
	need(p, end, n);
	uint64_t raw = le(p, n);
	if (column.is_unsigned) {
		out.kind = ValueKind::uint64;
		out.u64 = raw;
	} else {
		out.kind = ValueKind::int64;
		out.i64 = sign_extend(raw, static_cast<unsigned>(n * 8));
	}
	return p + n;
}

// Fractional seconds stored big-endian in (fsp + 1) / 2 bytes, scaled to microseconds.
uint32_t
fraction_micros(const uint8_t *p, uint8_t fsp) {
	switch (fsp) {
	case 1:
	case 2:
		return static_cast<uint32_t>(p[0]) * 10000;
	case 3:
	case 4:
		return static_cast<uint32_t>(be(p, 2)) * 100;
	case 5:
	case 6:
		return static_cast<uint32_t>(be(p, 3));
	default:
		return 0;
	}
}

void
check_fraction(uint32_t micros) {
	if (micros > 999999)
		throw DecodeError("fractional seconds " + std::to_string(micros) + " out of range");
}

const uint8_t *
time2(const Column &column, const uint8_t *p, const uint8_t *end, Value &out) {
	size_t frac_bytes = (column.fsp + 1) / 2;
	need(p, end, 3 + frac_bytes);
	// Packed as ((int part << 24) + fraction), stored with an offset so that it sorts as unsigned;
	// negative values keep a fraction complemented to the next second.
	int64_t int_part = static_cast<int64_t>(be(p, 3)) - 0x800000;
	int64_t frac = 0;
	switch (column.fsp) {
	case 1:
	case 2:
		frac = p[3];
		if (int_part < 0 && frac) {
			int_part++;
			frac -= 0x100;
		}
		frac *= 10000;
		break;
	case 3:
	case 4:
		frac = static_cast<int64_t>(be(p + 3, 2));
		if (int_part < 0 && frac) {
			int_part++;
			frac -= 0x10000;
		}
		frac *= 100;
		break;
	case 5:
	case 6:
		frac = static_cast<int64_t>(be(p + 3, 3));
		if (int_part < 0 && frac) {
			int_part++;
			frac -= 0x1000000;
		}
		break;
	default:
		break;
	}
	int64_t packed = int_part * (1 << 24) + frac;
	out.kind = ValueKind::time;
	out.fsp = column.fsp;
	Temporal &t = out.temporal;
	t.negative = packed < 0;
	uint64_t magnitude = t.negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
	uint64_t hms = magnitude >> 24;
	t.microsecond = static_cast<uint32_t>(magnitude % (1 << 24));
	t.hour = static_cast<uint16_t>((hms >> 12) % (1 << 10));
	t.minute = static_cast<uint8_t>((hms >> 6) % 64);
	t.second = static_cast<uint8_t>(hms % 64);
	check_fraction(t.microsecond);
	return p + 3 + frac_bytes;
}

const uint8_t *
datetime2(const Column &column, const uint8_t *p, const uint8_t *end, Value &out) {
	size_t frac_bytes = (column.fsp + 1) / 2;
	need(p, end, 5 + frac_bytes);
	uint64_t packed = be(p, 5);
	if (packed < 0x8000000000ull)
		throw DecodeError("negative datetime2 value");
	packed -= 0x8000000000ull;
	uint64_t ymd = packed >> 17;
	uint64_t ym = ymd >> 5;
	uint64_t hms = packed % (1 << 17);
	out.kind = ValueKind::datetime;
	out.fsp = column.fsp;
	Temporal &t = out.temporal;
	t.year = static_cast<uint16_t>(ym / 13);
	t.month = static_cast<uint8_t>(ym % 13);
	t.day = static_cast<uint8_t>(ymd % 32);
	t.hour = static_cast<uint16_t>(hms >> 12);
	t.minute = static_cast<uint8_t>((hms >> 6) % 64);
	t.second = static_cast<uint8_t>(hms % 64);
	t.microsecond = fraction_micros(p + 5, column.fsp);
	check_fraction(t.microsecond);
	out.zero_date = t.year == 0 || t.month == 0 || t.day == 0;
	return p + 5 + frac_bytes;
}

const uint8_t *
length_prefixed(const uint8_t *p, const uint8_t *end, size_t length_bytes, ValueKind kind, Value &out) {
	need(p, end, length_bytes);
	uint64_t len = le(p, length_bytes);
	p += length_bytes;
	need(p, end, len);
	out.kind = kind;
	out.data = p;
	out.size = static_cast<uint32_t>(len);
	return p + len;
}

} // namespace

namespace {

// The date and time types, in their legacy (before MySQL 5.6.4) and current row formats.
const uint8_t *
temporal_value(const Column &column, const uint8_t *p, const uint8_t *end, Value &out) {
	switch (column.real_type) {
	case ColumnType::year:
		need(p, end, 1);
		out.kind = ValueKind::year;
		out.i64 = p[0] ? 1900 + p[0] : 0;
		return p + 1;
	case ColumnType::date:
	case ColumnType::newdate: {
		need(p, end, 3);
		uint32_t v = static_cast<uint32_t>(le(p, 3));
		out.kind = ValueKind::date;
		out.temporal = Temporal{};
		out.temporal.day = v & 31;
		out.temporal.month = (v >> 5) & 15;
		out.temporal.year = static_cast<uint16_t>(v >> 9);
		out.zero_date = out.temporal.year == 0 || out.temporal.month == 0 || out.temporal.day == 0;
		return p + 3;
	}
	case ColumnType::time: {
		// Legacy TIME: signed HHMMSS as a 3-byte integer.
		need(p, end, 3);
		int64_t v = sign_extend(le(p, 3), 24);
		out.kind = ValueKind::time;
		out.temporal = Temporal{};
		out.temporal.negative = v < 0;
		uint64_t m = static_cast<uint64_t>(v < 0 ? -v : v);
		out.temporal.hour = static_cast<uint16_t>(m / 10000);
		out.temporal.minute = static_cast<uint8_t>(m / 100 % 100);
		out.temporal.second = static_cast<uint8_t>(m % 100);
		return p + 3;
	}
	case ColumnType::datetime: {
		// Legacy DATETIME: YYYYMMDDhhmmss as an 8-byte integer.
		need(p, end, 8);
		uint64_t v = le(p, 8);
		uint64_t date = v / 1000000;
		uint64_t clock = v % 1000000;
		out.kind = ValueKind::datetime;
		out.temporal = Temporal{};
		out.temporal.year = static_cast<uint16_t>(date / 10000 % 10000);
		out.temporal.month = static_cast<uint8_t>(date / 100 % 100);
		out.temporal.day = static_cast<uint8_t>(date % 100);
		out.temporal.hour = static_cast<uint16_t>(clock / 10000);
		out.temporal.minute = static_cast<uint8_t>(clock / 100 % 100);
		out.temporal.second = static_cast<uint8_t>(clock % 100);
		out.zero_date = out.temporal.year == 0 || out.temporal.month == 0 || out.temporal.day == 0;
		return p + 8;
	}
	case ColumnType::timestamp:
		need(p, end, 4);
		out.kind = ValueKind::timestamp;
		out.temporal = Temporal{};
		out.epoch_seconds = static_cast<int64_t>(le(p, 4));
		out.zero_date = out.epoch_seconds == 0;
		return p + 4;
	case ColumnType::timestamp2: {
		size_t frac_bytes = (column.fsp + 1) / 2;
		need(p, end, 4 + frac_bytes);
		out.kind = ValueKind::timestamp;
		out.fsp = column.fsp;
		out.temporal = Temporal{};
		out.epoch_seconds = static_cast<int64_t>(be(p, 4));
		out.temporal.microsecond = fraction_micros(p + 4, column.fsp);
		check_fraction(out.temporal.microsecond);
		out.zero_date = out.epoch_seconds == 0 && out.temporal.microsecond == 0;
		return p + 4 + frac_bytes;
	}
	case ColumnType::datetime2:
		return datetime2(column, p, end, out);
	case ColumnType::time2:
		out.temporal = Temporal{};
		return time2(column, p, end, out);
	default:
		throw DecodeError("column type " + std::to_string(static_cast<int>(column.real_type)) +
						  " is not a date or time type");
	}
}

} // namespace

const uint8_t *
decode_value(const Column &column, const uint8_t *p, const uint8_t *end, Value &out) {
	out.fsp = 0;
	out.zero_date = false;
	switch (column.real_type) {
	case ColumnType::tiny:
		return integer(column, p, end, 1, out);
	case ColumnType::short_int:
		return integer(column, p, end, 2, out);
	case ColumnType::int24:
		return integer(column, p, end, 3, out);
	case ColumnType::long_int:
		return integer(column, p, end, 4, out);
	case ColumnType::longlong:
		return integer(column, p, end, 8, out);
	case ColumnType::float_type: {
		need(p, end, 4);
		uint32_t bits = static_cast<uint32_t>(le(p, 4));
		out.kind = ValueKind::float32;
		std::memcpy(&out.f32, &bits, 4);
		return p + 4;
	}
	case ColumnType::double_type: {
		need(p, end, 8);
		uint64_t bits = le(p, 8);
		out.kind = ValueKind::float64;
		std::memcpy(&out.f64, &bits, 8);
		return p + 8;
	}
	case ColumnType::newdecimal: {
		size_t n = decimal_binary_size(column.precision, column.scale);
		need(p, end, n);
		out.kind = ValueKind::decimal;
		out.data = p;
		out.size = static_cast<uint32_t>(n);
		out.precision = column.precision;
		out.scale = column.scale;
		return p + n;
	}
	case ColumnType::year:
	case ColumnType::date:
	case ColumnType::newdate:
	case ColumnType::time:
	case ColumnType::datetime:
	case ColumnType::timestamp:
	case ColumnType::timestamp2:
	case ColumnType::datetime2:
	case ColumnType::time2:
		return temporal_value(column, p, end, out);
	case ColumnType::string:
	case ColumnType::varchar:
	case ColumnType::var_string:
		return length_prefixed(p, end, column.max_length > 255 ? 2 : 1, ValueKind::string, out);
	case ColumnType::blob:
	case ColumnType::tiny_blob:
	case ColumnType::medium_blob:
	case ColumnType::long_blob:
		return length_prefixed(p, end, column.length_bytes, ValueKind::string, out);
	case ColumnType::json:
		return length_prefixed(p, end, column.length_bytes, ValueKind::json, out);
	case ColumnType::geometry:
		return length_prefixed(p, end, column.length_bytes, ValueKind::geometry, out);
	case ColumnType::vector: {
		const uint8_t *next = length_prefixed(p, end, column.length_bytes, ValueKind::vector, out);
		if (out.size % 4)
			throw DecodeError("vector value of " + std::to_string(out.size) +
							  " bytes is not a whole number of float32");
		return next;
	}
	case ColumnType::enum_type:
		need(p, end, column.length_bytes);
		out.kind = ValueKind::enum_index;
		out.u64 = le(p, column.length_bytes);
		return p + column.length_bytes;
	case ColumnType::set:
		need(p, end, column.length_bytes);
		out.kind = ValueKind::set_bits;
		out.u64 = le(p, column.length_bytes);
		return p + column.length_bytes;
	case ColumnType::bit: {
		size_t n = (column.bit_count + 7) / 8;
		need(p, end, n);
		out.kind = ValueKind::bit;
		out.u64 = be(p, n);
		return p + n;
	}
	case ColumnType::null_type:
		out.kind = ValueKind::null;
		return p;
	default:
		throw DecodeError("no row format for column type " +
						  std::to_string(static_cast<int>(column.real_type)));
	}
}

namespace {

size_t
count_bits(const uint8_t *bitmap, size_t bits) {
	size_t n = 0;
	for (size_t i = 0; i < bits; i++)
		n += (bitmap[i / 8] >> (i % 8)) & 1;
	return n;
}

inline bool
bit_set(const uint8_t *bitmap, size_t i) {
	return (bitmap[i / 8] >> (i % 8)) & 1;
}

} // namespace

RowReader::RowReader(const RowsEvent &event)
	: event_(event), pos_(event.rows), end_(event.rows + event.rows_size) {
	if (!event.table)
		throw DecodeError(std::string(event_type_name(event.type)) + " event for table id " +
						  std::to_string(event.table_id) + " without a preceding table_map");
	if (event.column_count > event.table->columns.size())
		throw DecodeError(std::string(event_type_name(event.type)) + " event for " + event.table->database +
						  "." + event.table->table + " has " + std::to_string(event.column_count) +
						  " columns, its table_map " + std::to_string(event.table->columns.size()));
	if (event.columns_before)
		present_before_ = count_bits(event.columns_before, event.column_count);
	if (event.columns_after)
		present_after_ = count_bits(event.columns_after, event.column_count);
}

std::string
RowReader::where() const {
	const TableMap &t = *event_.table;
	return std::string(event_type_name(event_.type)) + " event (log position " +
		   std::to_string(event_.log_pos) + ") row " + std::to_string(rows_read_ + 1) + " table " +
		   t.database + "." + t.table;
}

void
RowReader::fail_row(const std::string &problem) const {
	throw DecodeError(where() + ": " + problem);
}

void
RowReader::fail_value(size_t column, const std::string &problem) const {
	const Column &c = event_.table->columns[column];
	std::string name = c.name.empty() ? "@" + std::to_string(column + 1) : c.name;
	throw DecodeError(where() + " column " + name + " (" + column_type_name(c.real_type) + "): " + problem);
}

void
RowReader::read_image(const uint8_t *present, std::vector<Value> &out, bool after_image) {
	const TableMap &table = *event_.table;
	size_t column_count = event_.column_count;
	out.resize(table.columns.size());
	size_t present_count = after_image ? present_after_ : present_before_;
	const uint8_t *partial_bits = nullptr;
	if (after_image && event_.partial) {
		// PARTIAL_UPDATE_ROWS after image: value options, then one bit per JSON column.
		if (pos_ >= end_)
			fail_row("truncated value options");
		uint8_t options = *pos_++;
		if (options >= 251)
			fail_row("value options wider than one byte");
		if (options & partial_json_updates) {
			size_t json_columns = 0;
			for (size_t i = 0; i < column_count; i++)
				json_columns += bit_set(present, i) && table.columns[i].real_type == ColumnType::json;
			size_t n = (json_columns + 7) / 8;
			if (n > static_cast<size_t>(end_ - pos_))
				fail_row("truncated partial json bitmap");
			partial_bits = pos_;
			pos_ += n;
		}
	}
	size_t null_bytes = (present_count + 7) / 8;
	if (null_bytes > static_cast<size_t>(end_ - pos_))
		fail_row("truncated null bitmap");
	const uint8_t *nulls = pos_;
	pos_ += null_bytes;
	size_t image_index = 0;
	size_t json_index = 0;
	for (size_t i = 0; i < table.columns.size(); i++) {
		Value &v = out[i];
		if (i >= column_count || !bit_set(present, i)) {
			v.kind = ValueKind::missing;
			continue;
		}
		const Column &column = table.columns[i];
		bool is_null = bit_set(nulls, image_index++);
		if (partial_bits && column.real_type == ColumnType::json) {
			bool partial = bit_set(partial_bits, json_index++);
			if (partial && !is_null)
				fail_value(i, "partial json update (binlog_row_value_options=PARTIAL_JSON) is not "
							  "supported: set binlog_row_value_options='' on the source");
		}
		if (is_null) {
			v.kind = ValueKind::null;
			continue;
		}
		try {
			pos_ = decode_value(column, pos_, end_, v);
		} catch (const DecodeError &e) {
			fail_value(i, e.what());
		}
	}
}

bool
RowReader::next(std::vector<Value> &before, std::vector<Value> &after) {
	if (pos_ >= end_)
		return false;
	const uint8_t *start = pos_;
	switch (event_.kind) {
	case RowsKind::write:
		before.clear();
		read_image(event_.columns_after, after, true);
		break;
	case RowsKind::remove:
		after.clear();
		read_image(event_.columns_before, before, false);
		break;
	case RowsKind::update:
		read_image(event_.columns_before, before, false);
		read_image(event_.columns_after, after, true);
		break;
	}
	if (pos_ == start) // an image without columns would repeat forever
		fail_row("row image holds no column");
	rows_read_++;
	return true;
}

} // namespace chameleon::binlog
