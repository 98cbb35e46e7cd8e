// Catch2 tests of the chunk queue between a copy's reading thread and the loading process, and
// of the thread that fills it: bounded, ends or fails once, and cancellable.
#include <catch2/catch.hpp>

#include "core/copy_chunk.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>

using namespace chameleon::core;
using namespace std::chrono_literals;

namespace {

CopyChunk
chunk_of(const std::string &line) {
	CopyChunk chunk;
	chunk.text = line + "\n";
	chunk.line_ends.push_back(static_cast<uint32_t>(chunk.text.size()));
	return chunk;
}

} // namespace

TEST_CASE("chunks arrive in order, then the end", "[copy_chunk]") {
	ChunkQueue queue(2);
	{
		ProducerThread producer(queue, [&] {
			for (int i = 0; i < 5; i++)
				if (!queue.push(chunk_of("row " + std::to_string(i))))
					return; // Catch2 assertions belong to the test's thread
			queue.finish();
		});
		CopyChunk chunk;
		for (int i = 0; i < 5; i++) {
			REQUIRE(queue.pop(chunk, 5s) == ChunkQueue::Pop::chunk);
			CHECK(chunk.lines(0, 1) == "row " + std::to_string(i) + "\n");
		}
		CHECK(queue.pop(chunk, 5s) == ChunkQueue::Pop::finished);
	}
}

TEST_CASE("the producer's exception reaches the consumer", "[copy_chunk]") {
	ChunkQueue queue(2);
	ProducerThread producer(queue, [] { throw std::runtime_error("the source went away"); });
	CopyChunk chunk;
	CHECK_THROWS_WITH(queue.pop(chunk, 5s), "the source went away");
}

TEST_CASE("a producer blocked on a full queue stops when the consumer leaves", "[copy_chunk]") {
	ChunkQueue queue(1);
	std::atomic<bool> refused{false};
	{
		ProducerThread producer(queue, [&] {
			while (queue.push(chunk_of("row"))) {
			}
			refused = true;
		});
		CopyChunk chunk;
		REQUIRE(queue.pop(chunk, 5s) == ChunkQueue::Pop::chunk);
	} // the destructor cancels the queue and joins the thread
	CHECK(refused);
	CHECK(queue.cancelled());
}
