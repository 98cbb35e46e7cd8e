// Streaming binlog reader: a bounded buffer refilled as events are consumed, grown only for an
// event larger than it, and a bounds-checked walk over the event-size chain.
#include "binlog/file_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlog/decode_error.hpp"

namespace chameleon::binlog {

namespace {

std::string
quoted(const std::string &name) {
	return "\"" + name + "\"";
}

} // namespace

BinlogFileReader::BinlogFileReader(const std::string &path, size_t buffer_size)
	: name_(path), buffer_(std::max<size_t>(buffer_size, event_header_size)) {
	fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd_ < 0)
		throw DecodeError("could not open binlog file " + quoted(path) + ": " + std::strerror(errno));
	try {
		check_magic();
	} catch (...) {
		::close(fd_);
		throw;
	}
}

BinlogFileReader::BinlogFileReader(std::vector<uint8_t> bytes, std::string name)
	: name_(std::move(name)), buffer_(std::move(bytes)), end_(buffer_.size()) {
	check_magic();
}

BinlogFileReader::~BinlogFileReader() {
	if (fd_ >= 0)
		::close(fd_);
}

void
BinlogFileReader::check_magic() {
	static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
	if (fill(4) < 4 || std::memcmp(buffer_.data() + begin_, magic, 4) != 0)
		throw DecodeError(quoted(name_) +
						  " is not a binlog file: it does not start with the magic bytes \\xfebin");
	begin_ += 4;
}

// Makes `wanted` bytes available from begin_ when the file has them: moves the unconsumed bytes
// to the front, grows the buffer if it is smaller than `wanted`, reads until it is full or the
// file ends. Returns how many bytes are known to remain from begin_ (at least `wanted` when
// they are all there).
uint64_t
BinlogFileReader::fill(size_t wanted) {
	if (available() >= wanted || fd_ < 0)
		return available();
	if (begin_ > 0) {
		std::memmove(buffer_.data(), buffer_.data() + begin_, available());
		end_ -= begin_;
		buffer_file_offset_ += begin_;
		begin_ = 0;
	}
	if (wanted > buffer_.size()) {
		// Grow only when the file holds the whole event: a corrupt size must not allocate gigabytes.
		struct stat st;
		if (::fstat(fd_, &st) != 0)
			throw DecodeError("could not stat binlog file " + quoted(name_) + ": " + std::strerror(errno));
		uint64_t remaining = static_cast<uint64_t>(st.st_size) > buffer_file_offset_
								 ? static_cast<uint64_t>(st.st_size) - buffer_file_offset_
								 : 0;
		if (remaining < wanted)
			return std::max<uint64_t>(remaining, available());
		buffer_.resize(wanted);
	}
	while (end_ < buffer_.size()) {
		ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw DecodeError("could not read binlog file " + quoted(name_) + ": " + std::strerror(errno));
		if (n == 0)
			break;
		end_ += static_cast<size_t>(n);
	}
	return available();
}

void
BinlogFileReader::fail_truncated(uint64_t needed, uint64_t remaining) {
	throw DecodeError("binlog file " + quoted(name_) + " ends inside an event at offset " +
					  std::to_string(event_offset_) + ": the event needs " + std::to_string(needed) +
					  " bytes, " + std::to_string(remaining) + " remain");
}

void
BinlogFileReader::fail(const DecodeError &error) {
	std::string where = "binlog file " + quoted(name_) + " at offset " + std::to_string(event_offset_);
	if (in_payload_ && payload_)
		where += " (transaction payload, inner offset " + std::to_string(payload_->offset()) + ")";
	payload_.reset();
	in_payload_ = false;
	failed_ = true;
	throw DecodeError(where + ": " + error.what());
}

bool
BinlogFileReader::next(Event &out) {
	if (failed_)
		return false;
	if (payload_) {
		in_payload_ = true;
		try {
			if (payload_->next(out))
				return true;
		} catch (const DecodeError &e) {
			fail(e);
		}
		payload_.reset();
		in_payload_ = false;
	}
	event_offset_ = buffer_file_offset_ + begin_;
	uint64_t remaining = fill(event_header_size);
	if (remaining == 0)
		return false;
	// The size is in header bytes 9..12; with less than a header, report the header's 19 bytes.
	if (remaining < event_header_size)
		fail_truncated(event_header_size, remaining);
	const uint8_t *size_bytes = buffer_.data() + begin_ + 9;
	uint32_t size = static_cast<uint32_t>(size_bytes[0]) | static_cast<uint32_t>(size_bytes[1]) << 8 |
					static_cast<uint32_t>(size_bytes[2]) << 16 | static_cast<uint32_t>(size_bytes[3]) << 24;
	remaining = fill(size);
	if (remaining < size)
		fail_truncated(size, remaining);
	try {
		const uint8_t *at = buffer_.data() + begin_;
		Decoder::event_size_at(at, available()); // rejects a size smaller than the header
		out = decoder_.decode(at, size);
		begin_ += size;
		if (auto *payload = std::get_if<TransactionPayloadEvent>(&out.body)) {
			payload_event_ = *payload;
			payload_ = std::make_unique<PayloadReader>(decoder_, payload_event_);
		}
	} catch (const DecodeError &e) {
		fail(e);
	}
	return true;
}

} // namespace chameleon::binlog
