// Reads a binlog file (magic \xfebin, then events) and yields decoded events with their offsets,
// expanding TRANSACTION_PAYLOAD events into their inner events. Files are streamed through a
// bounded buffer, so binlogs of any size are read in constant memory (the largest event).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binlog/decode_error.hpp"
#include "binlog/decoder.hpp"

namespace chameleon::binlog {

class BinlogFileReader {
  public:
	static constexpr size_t default_buffer_size = size_t(1) << 20;

	// Opens the file and checks the magic; throws DecodeError. The buffer starts at buffer_size
	// bytes and grows only to hold an event larger than it.
	explicit BinlogFileReader(const std::string &path, size_t buffer_size = default_buffer_size);
	// Reads from bytes already in memory (a file image, magic included).
	explicit BinlogFileReader(std::vector<uint8_t> bytes, std::string name = "memory");
	~BinlogFileReader();
	BinlogFileReader(const BinlogFileReader &) = delete;
	BinlogFileReader &operator=(const BinlogFileReader &) = delete;

	// Decodes the next event; false at the end of the file. A TRANSACTION_PAYLOAD is returned
	// itself, then its inner events one by one (with in_payload() true); all of them report the
	// payload's offset. Views in an event read from a file are valid until the next call (an
	// in-memory image keeps them valid for the reader's lifetime; inner events own their bytes).
	// A file that ends inside an event throws DecodeError ("... ends inside an event ...") and a
	// later call retries that event, for a file still being written; any other error ends the
	// reading (the event chain cannot be resynchronised).
	bool next(Event &out);
	uint64_t offset() const { return event_offset_; } // file offset of the event just returned
	bool in_payload() const { return in_payload_; }
	Decoder &decoder() { return decoder_; }

  private:
	void check_magic();
	size_t available() const { return end_ - begin_; }
	uint64_t fill(size_t wanted);
	[[noreturn]] void fail_truncated(uint64_t needed, uint64_t remaining);
	[[noreturn]] void fail(const DecodeError &error);

	std::string name_;
	int fd_ = -1; // -1 for an in-memory image
	std::vector<uint8_t> buffer_;
	size_t begin_ = 0;				  // first unconsumed byte in buffer_
	size_t end_ = 0;				  // end of the bytes read into buffer_
	uint64_t buffer_file_offset_ = 0; // file offset of buffer_[0]
	uint64_t event_offset_ = 0;
	bool in_payload_ = false;
	bool failed_ = false;
	Decoder decoder_;
	std::unique_ptr<PayloadReader> payload_;
	TransactionPayloadEvent payload_event_;
};

} // namespace chameleon::binlog
