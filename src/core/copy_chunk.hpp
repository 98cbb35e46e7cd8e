// Chunks of COPY text passed from the thread that reads MySQL rows to the PostgreSQL process
// that loads them, through a queue bounded in chunks, so that the memory of a copy never
// depends on the size of the table.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chameleon::core {

// A row the reader could not turn into COPY text (a zero date under zero_dates: error, a NUL
// byte under strip_nul: false): it goes to t_discarded_rows instead of the table.
struct RejectedRow {
	std::string key;
	std::string data;
	std::string reason;
};

struct CopyChunk {
	std::string text;				 // COPY text format, one line per row
	std::vector<uint32_t> line_ends; // offset just past each row's newline
	std::vector<RejectedRow> rejected;
	uint64_t source_bytes = 0; // bytes of the MySQL values of the chunk's rows

	size_t rows() const { return line_ends.size(); }
	// The text of rows [first, last).
	std::string_view lines(size_t first, size_t last) const;
	void clear();
};

class ChunkQueue {
  public:
	explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}

	// Producer side. push blocks while the queue is full; false when the consumer cancelled.
	bool push(CopyChunk &&chunk);
	void finish();
	void fail(std::exception_ptr error);

	enum class Pop { chunk, finished, timeout };
	// Consumer side. Rethrows the producer's error. Waits at most `timeout`, so that the caller can
	// check for interrupts between waits.
	Pop pop(CopyChunk &out, std::chrono::milliseconds timeout);
	void cancel();
	bool cancelled() const;

  private:
	mutable std::mutex mutex_;
	std::condition_variable changed_;
	std::deque<CopyChunk> chunks_;
	size_t capacity_;
	bool finished_ = false;
	bool cancelled_ = false;
	std::exception_ptr error_;
};

// The thread that fills a queue: it runs `produce` with every signal blocked (it must never run
// the server's signal handlers); an exception thrown by `produce` fails the queue. `produce`
// finishes the queue itself. The destructor cancels the queue and waits for the thread.
class ProducerThread {
  public:
	ProducerThread(ChunkQueue &queue, std::function<void()> produce);
	~ProducerThread();
	ProducerThread(const ProducerThread &) = delete;
	ProducerThread &operator=(const ProducerThread &) = delete;

  private:
	ChunkQueue &queue_;
	std::thread thread_;
};

} // namespace chameleon::core
