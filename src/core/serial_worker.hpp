// One background thread that runs tasks one after another, in the order they are given: the
// replay folds rows events there while it applies the net effects folded before (src/pg/
// row_apply.cpp). The thread blocks every signal (it must never run the server's signal
// handlers); a task must not throw and must not touch what the caller uses until the task is done
// (done() or wait()). The destructor drops the tasks not started and waits for the running one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace chameleon::core {

class SerialWorker {
  public:
	SerialWorker() = default;
	~SerialWorker();
	SerialWorker(const SerialWorker &) = delete;
	SerialWorker &operator=(const SerialWorker &) = delete;

	// Queues a task (the thread starts with the first); returns its number: 1, 2, ... `weight` is
	// what queued() counts of it (rows to fold, say).
	uint64_t submit(std::function<void()> task, size_t weight = 1);
	// Whether task `number` (and so every task before it) is done.
	bool done(uint64_t number) const;
	void wait(uint64_t number);
	void wait_all();
	// The weight of the tasks not done yet.
	size_t queued() const;

  private:
	struct Task {
		std::function<void()> run;
		size_t weight;
	};
	void loop();

	mutable std::mutex mutex_;
	std::condition_variable changed_;
	std::deque<Task> tasks_;
	uint64_t submitted_ = 0;
	uint64_t finished_ = 0;
	size_t queued_weight_ = 0;
	bool stopping_ = false;
	std::thread thread_;
};

} // namespace chameleon::core
