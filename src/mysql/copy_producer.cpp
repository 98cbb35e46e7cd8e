// The reading half of a table copy (see copy_producer.hpp).
#include "mysql/copy_producer.hpp"

#include "common/error.hpp"
#include "core/text_charset.hpp"

#include <algorithm>

namespace chameleon::mysql {

namespace {

constexpr size_t rejected_value_limit = 1000; // bytes of each value kept in t_discarded_rows

// The value for t_discarded_rows: at most rejected_value_limit bytes, NUL as \0, bytes that are not
// UTF-8 as \xNN (core::append_readable), so that the catalogue row is valid text.
void
append_readable(std::string &out, const char *value, unsigned long length) {
	if (value == nullptr) {
		out += "NULL";
		return;
	}
	std::string_view kept(value, std::min<size_t>(length, rejected_value_limit));
	for (size_t start = 0; start <= kept.size();) {
		size_t nul = kept.find('\0', start);
		core::append_readable(kept.substr(start, nul == std::string_view::npos ? nul : nul - start), out);
		if (nul == std::string_view::npos)
			break;
		out += "\\0";
		start = nul + 1;
	}
	if (kept.size() < length)
		out += "...";
}

} // namespace

CopyProducer::CopyProducer(const core::TableLayout &layout, core::ChunkQueue &queue,
						   const CopyOptions &options)
	: layout_(layout), queue_(queue), options_(options) {
	for (const core::LayoutColumn &column : layout.columns) {
		core::ValueOptions value;
		value.bit_length = column.bit_length;
		value.strip_nul = options.strip_nul;
		value.zero_dates_to_null = options.zero_dates_to_null;
		// text arrives in the connection's charset (the server converts each column to it)
		if (core::is_character_type(column.mysql.data_type))
			value.text_charset = core::charset_by_name(options.charset);
		value_options_.push_back(value);
	}
	for (const std::string &name : layout.key)
		for (size_t i = 0; i < layout.columns.size(); i++)
			if (layout.columns[i].mysql.name == name)
				key_columns_.push_back(i);
}

void
CopyProducer::row(const char *const *values, const unsigned long *lengths, unsigned int count) {
	if (count != layout_.columns.size())
		throw Error(sqlstate::data_corrupted,
					"table \"" + layout_.origin_schema + "." + layout_.table + "\" returned " +
						std::to_string(count) + " columns instead of " +
						std::to_string(layout_.columns.size()),
					"", "The table changed during the copy; run the copy again.");
	size_t line_start = chunk_.text.size();
	for (unsigned int i = 0; i < count; i++) {
		if (i > 0)
			chunk_.text += '\t';
		std::optional<std::string_view> value;
		if (values[i] != nullptr)
			value = std::string_view(values[i], lengths[i]);
		core::ValueStatus status =
			core::append_copy_field(layout_.columns[i].form, value, chunk_.text, scratch_, value_options_[i]);
		if (status == core::ValueStatus::Ok || status == core::ValueStatus::ZeroDateAsNull)
			continue;
		chunk_.text.resize(line_start);
		std::string problem;
		if (status == core::ValueStatus::InvalidText)
			core::append_utf8(value_options_[i].text_charset, *value, scratch_, &problem);
		else
			problem = status == core::ValueStatus::ZeroDateRejected
						  ? "zero date rejected by zero_dates: error"
					  : status == core::ValueStatus::NulByte
						  ? "NUL byte in a text value, which PostgreSQL cannot store (strip_nul: false)"
						  : "value not in the form its type needs";
		reject(values, lengths, count, i, problem);
		return;
	}
	chunk_.text += '\n';
	chunk_.line_ends.push_back(static_cast<uint32_t>(chunk_.text.size()));
	for (unsigned int i = 0; i < count; i++)
		chunk_.source_bytes += lengths[i];
	if (chunk_.text.size() >= options_.chunk_bytes) {
		if (!queue_.push(std::move(chunk_)))
			return;
		chunk_.clear();
	}
}

void
CopyProducer::reject(const char *const *values, const unsigned long *lengths, unsigned int count,
					 size_t column, const std::string &problem) {
	core::RejectedRow rejected;
	for (size_t k = 0; k < key_columns_.size(); k++) {
		size_t i = key_columns_[k];
		rejected.key += (k ? ", " : "") + layout_.columns[i].mysql.name + "=";
		append_readable(rejected.key, values[i], lengths[i]);
	}
	for (unsigned int i = 0; i < count; i++) {
		rejected.data += (i ? ", " : "") + layout_.columns[i].mysql.name + "=";
		append_readable(rejected.data, values[i], lengths[i]);
	}
	rejected.reason = "column \"" + layout_.columns[column].mysql.name + "\": " + problem;
	chunk_.rejected.push_back(std::move(rejected));
}

bool
CopyProducer::cancelled() {
	return queue_.cancelled();
}

void
CopyProducer::progress(std::uint64_t rows, std::uint64_t bytes) {
	rows_read = rows;
	bytes_read = bytes;
}

void
CopyProducer::flush() {
	if (chunk_.rows() > 0 || !chunk_.rejected.empty())
		queue_.push(std::move(chunk_));
	chunk_.clear();
}

void
produce_rows(SnapshotSession &session, const TableInfo &table, CopyProducer &producer,
			 core::ChunkQueue &queue) {
	StreamResult result = session.stream_rows(table, producer);
	if (!result.cancelled)
		producer.flush();
	queue.finish();
}

} // namespace chameleon::mysql
