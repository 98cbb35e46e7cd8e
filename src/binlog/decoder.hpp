// Stateful decoder of raw binlog events (the same bytes from a file or from a replication
// connection): keeps the FORMAT_DESCRIPTION state and the table id -> TABLE_MAP cache.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "binlog/events.hpp"

namespace chameleon::binlog {

class Decoder {
  public:
	Decoder() = default;

	// Decodes one complete event: 19-byte header, body and, when the checksum is on, the CRC32,
	// which is verified. Views in the result point into `data` (or Event::owned).
	Event decode(const uint8_t *data, size_t size);

	// The event that starts at `data`: its header's event_size, checked against `available`.
	static uint32_t event_size_at(const uint8_t *data, size_t available);

	// Before the first FORMAT_DESCRIPTION (e.g. the artificial ROTATE of a replication stream),
	// the checksum is what the connection negotiated; set it here. A FORMAT_DESCRIPTION overrides it.
	void set_checksum(ChecksumAlgorithm algorithm) { checksum_ = algorithm; }
	ChecksumAlgorithm checksum() const { return checksum_; }
	// The bytes of the CRC32 at the end of each event: 4, or 0 without checksums.
	size_t event_checksum_size() const { return checksum_ == ChecksumAlgorithm::crc32 ? 4 : 0; }
	// Events verified once already (the replay decodes what the reader verified) need not be again;
	// their checksum is still stripped.
	void set_verify_checksums(bool verify) { verify_checksums_ = verify; }
	Flavor flavor() const { return format_.flavor; }
	const FormatDescriptionEvent &format() const { return format_; }

	// Called on each newly parsed TABLE_MAP before it is cached, so that the caller can complete
	// what the binlog lacks: signedness without binlog_row_metadata, INET6/UUID logical types.
	void set_table_map_hook(std::function<void(TableMap &)> hook) { table_map_hook_ = std::move(hook); }
	std::shared_ptr<const TableMap> table(uint64_t table_id) const;

  private:
	friend class PayloadReader;
	Event decode_event(const uint8_t *data, size_t size, bool inside_payload);
	EventBody decode_body(const EventHeader &header, const uint8_t *body, size_t size, bool inside_payload,
						  std::shared_ptr<const std::vector<uint8_t>> &owned);
	EventBody decode_format_description(const uint8_t *event, size_t size);
	EventBody decode_rows(const EventHeader &header, const uint8_t *body, size_t size,
						  std::shared_ptr<const std::vector<uint8_t>> &owned);
	EventBody decode_table_map(const uint8_t *body, size_t size);
	size_t post_header_length(uint8_t type, size_t fallback) const;

	FormatDescriptionEvent format_;
	ChecksumAlgorithm checksum_ = ChecksumAlgorithm::off;
	bool verify_checksums_ = true;
	std::unordered_map<uint64_t, std::shared_ptr<const TableMap>> tables_;
	std::function<void(TableMap &)> table_map_hook_;
};

// Walks the inner events of a TRANSACTION_PAYLOAD (no per-event checksum), decoding each with the
// decoder that produced the payload. Inner events keep the payload buffer alive via Event::owned.
class PayloadReader {
  public:
	PayloadReader(Decoder &decoder, const TransactionPayloadEvent &payload);
	bool next(Event &out);
	size_t offset() const { return offset_; } // of the next inner event within the payload

  private:
	Decoder &decoder_;
	std::shared_ptr<const std::vector<uint8_t>> events_;
	size_t offset_ = 0;
};

} // namespace chameleon::binlog
