// Whole-file binlog reader: bounds-checked walk over the event-size chain.
#include "binlog/file_reader.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "binlog/decode_error.hpp"

namespace chameleon::binlog {

namespace {

std::vector<uint8_t>
read_file(const std::string &path)
{
	std::FILE *f = std::fopen(path.c_str(), "rb");
	if (!f)
		throw DecodeError("cannot open binlog file " + path + ": " + std::strerror(errno));
	std::vector<uint8_t> bytes;
	uint8_t buffer[1 << 16];
	size_t n;
	while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
		bytes.insert(bytes.end(), buffer, buffer + n);
	bool failed = std::ferror(f);
	std::fclose(f);
	if (failed)
		throw DecodeError("cannot read binlog file " + path);
	return bytes;
}

} // namespace

BinlogFileReader::BinlogFileReader(const std::string &path) : name_(path), bytes_(read_file(path))
{
	check_magic();
}

BinlogFileReader::BinlogFileReader(std::vector<uint8_t> bytes, std::string name)
	: name_(std::move(name)), bytes_(std::move(bytes))
{
	check_magic();
}

void
BinlogFileReader::check_magic()
{
	static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
	if (bytes_.size() < 4 || std::memcmp(bytes_.data(), magic, 4) != 0)
		throw DecodeError(name_ + " is not a binlog file (no \\xfebin magic)");
}

bool
BinlogFileReader::next(Event &out)
{
	try {
		if (payload_) {
			in_payload_ = true;
			if (payload_->next(out))
				return true;
			payload_.reset();
			in_payload_ = false;
		}
		if (position_ >= bytes_.size())
			return false;
		event_offset_ = position_;
		uint32_t size = Decoder::event_size_at(bytes_.data() + position_, bytes_.size() - position_);
		out = decoder_.decode(bytes_.data() + position_, size);
		position_ += size;
		if (auto *payload = std::get_if<TransactionPayloadEvent>(&out.body)) {
			payload_event_ = *payload;
			payload_ = std::make_unique<PayloadReader>(decoder_, payload_event_);
		}
		return true;
	} catch (const DecodeError &e) {
		std::string where = name_ + " offset " + std::to_string(event_offset_);
		if (in_payload_ && payload_)
			where += " (transaction payload, inner offset " + std::to_string(payload_->offset()) + ")";
		payload_.reset();
		in_payload_ = false;
		position_ = bytes_.size(); // a broken chain cannot be resynchronised
		throw DecodeError(where + ": " + e.what());
	}
}

} // namespace chameleon::binlog
