// Catch2 tests of the serial worker: tasks run in order on one thread with every signal blocked,
// done() and wait() see them finish, queued() counts what is left, and the destructor drops what
// has not started.
#include <catch2/catch.hpp>

#include "core/serial_worker.hpp"

#include <atomic>
#include <chrono>
#include <pthread.h>
#include <csignal>
#include <thread>
#include <vector>

using chameleon::core::SerialWorker;

TEST_CASE("serial worker: tasks run in order, off the caller's thread") {
	SerialWorker worker;
	std::vector<int> order; // written by the worker only, read after wait_all
	std::thread::id runner;
	uint64_t last = 0;
	for (int i = 0; i < 1000; i++)
		last = worker.submit([&order, &runner, i] {
			order.push_back(i);
			runner = std::this_thread::get_id();
		});
	CHECK(last == 1000);
	worker.wait_all();
	REQUIRE(order.size() == 1000);
	for (int i = 0; i < 1000; i++)
		REQUIRE(order[i] == i);
	CHECK(runner != std::this_thread::get_id());
	CHECK(worker.done(last));
	CHECK(worker.queued() == 0);
}

TEST_CASE("serial worker: every signal is blocked in its thread, none in the caller's") {
	SerialWorker worker;
	bool blocked_term = false, blocked_int = false;
	worker.submit([&] {
		sigset_t mask;
		pthread_sigmask(SIG_SETMASK, nullptr, &mask);
		blocked_term = sigismember(&mask, SIGTERM) == 1;
		blocked_int = sigismember(&mask, SIGINT) == 1;
	});
	worker.wait_all();
	CHECK(blocked_term);
	CHECK(blocked_int);
	sigset_t mine;
	pthread_sigmask(SIG_SETMASK, nullptr, &mine);
	CHECK(sigismember(&mine, SIGTERM) == 0);
}

TEST_CASE("serial worker: done, wait and queued follow a task held back") {
	SerialWorker worker;
	std::atomic<bool> release{false};
	uint64_t first = worker.submit(
		[&] {
			while (!release)
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
		},
		10);
	uint64_t second = worker.submit([] {}, 5);
	CHECK(second == first + 1);
	CHECK_FALSE(worker.done(first));
	CHECK_FALSE(worker.done(second));
	CHECK(worker.queued() == 15);
	release = true;
	worker.wait(first);
	CHECK(worker.done(first));
	worker.wait(second);
	CHECK(worker.done(second));
	CHECK(worker.queued() == 0);
}

TEST_CASE("serial worker: the destructor drops the tasks not started and waits for the running one") {
	std::atomic<int> ran{0};
	std::atomic<bool> started{false}, release{false};
	// Lets the running task end half a second from now, long after the destructor has dropped the
	// queued tasks (it does so first, then waits for the running one).
	std::thread releaser;
	{
		SerialWorker worker;
		worker.submit([&] {
			started = true;
			while (!release)
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
			ran++;
		});
		for (int i = 0; i < 100; i++)
			worker.submit([&] { ran++; });
		while (!started)
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		releaser = std::thread([&] {
			std::this_thread::sleep_for(std::chrono::milliseconds(500));
			release = true;
		});
	}
	releaser.join();
	CHECK(ran == 1);
}

TEST_CASE("serial worker: a worker given nothing starts no thread and stops at once") {
	SerialWorker worker;
	CHECK(worker.queued() == 0);
	CHECK(worker.done(0));
	worker.wait_all();
}
