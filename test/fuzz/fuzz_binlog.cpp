// libFuzzer entry point: arbitrary bytes as a binlog file (magic added when missing) through the
// file reader, decoder, row reader and every text/JSON rendering. Only DecodeError may escape
// the decoder; anything else (crash, sanitizer report, other exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "binlog/decode_error.hpp"
#include "binlog/file_reader.hpp"

using namespace chameleon::binlog;

namespace {

void
render_rows(const RowsEvent &rows, std::string &scratch) {
	RowReader reader(rows);
	std::vector<Value> before, after;
	while (reader.next(before, after)) {
		for (const std::vector<Value> *image : {&before, &after}) {
			if (image->empty())
				continue;
			for (size_t i = 0; i < image->size(); i++) {
				scratch.clear();
				try {
					append_text(scratch, (*image)[i], rows.table->columns[i]);
				} catch (const DecodeError &) {
					// invalid decimal digits or binary JSON are reported, never rendered
				}
			}
			scratch.clear();
			try {
				append_row_json(scratch, *image, *rows.table);
			} catch (const DecodeError &) {
			}
		}
	}
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
	std::vector<uint8_t> file;
	if (size < 4 || std::string(reinterpret_cast<const char *>(data), 4) != "\xfe"
																			"bin")
		file.assign(magic, magic + 4);
	file.insert(file.end(), data, data + size);
	std::string scratch;
	try {
		BinlogFileReader reader(std::move(file), "fuzz");
		Event event;
		while (reader.next(event)) {
			if (auto *rows = std::get_if<RowsEvent>(&event.body)) {
				try {
					render_rows(*rows, scratch);
				} catch (const DecodeError &) {
				}
			} else if (auto *previous = std::get_if<PreviousGtidsEvent>(&event.body)) {
				scratch = previous->gtids.format();
				MysqlGtidSet::parse(scratch);
			} else if (auto *list = std::get_if<MariadbGtidListEvent>(&event.body)) {
				scratch = list->gtids.format();
				MariadbGtidList::parse(scratch);
			}
		}
	} catch (const DecodeError &) {
	}
	return 0;
}
