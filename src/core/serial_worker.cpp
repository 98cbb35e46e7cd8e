// A thread that runs tasks in order; see serial_worker.hpp.
#include "core/serial_worker.hpp"

#include "core/background_thread.hpp"

namespace chameleon::core {

SerialWorker::~SerialWorker() {
	{
		std::lock_guard<std::mutex> lock(mutex_);
		stopping_ = true;
		tasks_.clear();
		changed_.notify_all();
	}
	if (thread_.joinable())
		thread_.join();
}

uint64_t
SerialWorker::submit(std::function<void()> task, size_t weight) {
	if (!thread_.joinable())
		thread_ = start_thread_without_signals([this] { loop(); }, "replay's fold thread");
	std::lock_guard<std::mutex> lock(mutex_);
	tasks_.push_back({std::move(task), weight});
	queued_weight_ += weight;
	changed_.notify_all();
	return ++submitted_;
}

void
SerialWorker::loop() {
	std::unique_lock<std::mutex> lock(mutex_);
	for (;;) {
		changed_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
		if (stopping_)
			return;
		Task task = std::move(tasks_.front());
		tasks_.pop_front();
		lock.unlock();
		task.run();
		task.run = nullptr; // what the task holds goes before it counts as done
		lock.lock();
		finished_++;
		queued_weight_ -= task.weight;
		changed_.notify_all();
	}
}

bool
SerialWorker::done(uint64_t number) const {
	std::lock_guard<std::mutex> lock(mutex_);
	return finished_ >= number;
}

void
SerialWorker::wait(uint64_t number) {
	std::unique_lock<std::mutex> lock(mutex_);
	changed_.wait(lock, [&] { return finished_ >= number; });
}

void
SerialWorker::wait_all() {
	std::unique_lock<std::mutex> lock(mutex_);
	changed_.wait(lock, [&] { return finished_ >= submitted_; });
}

size_t
SerialWorker::queued() const {
	std::lock_guard<std::mutex> lock(mutex_);
	return queued_weight_;
}

} // namespace chameleon::core
