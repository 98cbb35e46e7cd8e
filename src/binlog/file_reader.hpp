// Reads a binlog file (magic \xfebin, then events) and yields decoded events with their offsets,
// expanding TRANSACTION_PAYLOAD events into their inner events.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binlog/decoder.hpp"

namespace chameleon::binlog {

class BinlogFileReader {
public:
	// Reads the whole file into memory and checks the magic; throws DecodeError.
	explicit BinlogFileReader(const std::string &path);
	// Reads from bytes already in memory (a file image, magic included).
	explicit BinlogFileReader(std::vector<uint8_t> bytes, std::string name = "memory");

	// Decodes the next event. A TRANSACTION_PAYLOAD is returned itself, then its inner events
	// one by one (with in_payload() true); all of them report the payload's offset.
	bool next(Event &out);
	uint64_t offset() const { return event_offset_; } // file offset of the event just returned
	bool in_payload() const { return in_payload_; }
	Decoder &decoder() { return decoder_; }

private:
	void check_magic();

	std::string name_;
	std::vector<uint8_t> bytes_;
	size_t position_ = 4;
	uint64_t event_offset_ = 0;
	bool in_payload_ = false;
	Decoder decoder_;
	std::unique_ptr<PayloadReader> payload_;
	TransactionPayloadEvent payload_event_;
};

} // namespace chameleon::binlog
