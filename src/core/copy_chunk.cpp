// Chunks of COPY text and their bounded queue (see copy_chunk.hpp).
#include "core/copy_chunk.hpp"

#include "core/background_thread.hpp"

namespace chameleon::core {

std::string_view
CopyChunk::lines(size_t first, size_t last) const {
	size_t begin = first == 0 ? 0 : line_ends[first - 1];
	size_t end = last == 0 ? 0 : line_ends[last - 1];
	return std::string_view(text).substr(begin, end - begin);
}

void
CopyChunk::clear() {
	text.clear();
	line_ends.clear();
	rejected.clear();
	source_bytes = 0;
}

bool
ChunkQueue::push(CopyChunk &&chunk) {
	std::unique_lock<std::mutex> lock(mutex_);
	changed_.wait(lock, [&] { return cancelled_ || chunks_.size() < capacity_; });
	if (cancelled_)
		return false;
	chunks_.push_back(std::move(chunk));
	changed_.notify_all();
	return true;
}

void
ChunkQueue::finish() {
	std::lock_guard<std::mutex> lock(mutex_);
	finished_ = true;
	changed_.notify_all();
}

void
ChunkQueue::fail(std::exception_ptr error) {
	std::lock_guard<std::mutex> lock(mutex_);
	error_ = std::move(error);
	finished_ = true;
	changed_.notify_all();
}

ChunkQueue::Pop
ChunkQueue::pop(CopyChunk &out, std::chrono::milliseconds timeout) {
	std::unique_lock<std::mutex> lock(mutex_);
	changed_.wait_for(lock, timeout, [&] { return !chunks_.empty() || finished_; });
	if (!chunks_.empty()) {
		out = std::move(chunks_.front());
		chunks_.pop_front();
		changed_.notify_all();
		return Pop::chunk;
	}
	if (error_)
		std::rethrow_exception(error_);
	return finished_ ? Pop::finished : Pop::timeout;
}

void
ChunkQueue::cancel() {
	std::lock_guard<std::mutex> lock(mutex_);
	cancelled_ = true;
	changed_.notify_all();
}

bool
ChunkQueue::cancelled() const {
	std::lock_guard<std::mutex> lock(mutex_);
	return cancelled_;
}

ProducerThread::ProducerThread(ChunkQueue &queue, std::function<void()> produce)
	: queue_(queue), thread_(start_thread_without_signals(
						 [&queue, produce = std::move(produce)] {
							 try {
								 produce();
							 } catch (...) {
								 queue.fail(std::current_exception());
							 }
						 },
						 "initial copy's reader thread")) {}

ProducerThread::~ProducerThread() {
	queue_.cancel();
	thread_.join();
}

} // namespace chameleon::core
