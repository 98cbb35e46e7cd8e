// Tests of the interrupt check: a long parse calls it, and what it throws leaves the parser cleanly
// (src/pg installs one that turns a query cancel into a PgError exception).
#include "config/source_config.hpp"
#include "config/yaml_document.hpp"
#include "config_test_support.hpp"

#include <stdexcept>

using namespace chameleon::config;
using chameleon::config::testing::repeat;

namespace {

// The interrupt check seen by the tests: counts its calls, throws Cancelled from call number cancel_at.
struct Cancelled : std::runtime_error {
	Cancelled() : std::runtime_error("canceling statement due to user request") {}
};
int interrupt_calls = 0;
int cancel_at = 0; // 0: never

void
counting_check() {
	++interrupt_calls;
	if (cancel_at > 0 && interrupt_calls >= cancel_at)
		throw Cancelled();
}

// Installs counting_check for one test and removes it whatever happens.
struct InterruptHook {
	explicit InterruptHook(int cancel = 0) {
		interrupt_calls = 0;
		cancel_at = cancel;
		set_interrupt_check(counting_check);
	}
	~InterruptHook() { set_interrupt_check(nullptr); }
	InterruptHook(const InterruptHook &) = delete;
	InterruptHook &operator=(const InterruptHook &) = delete;
};

// A flow list of count plain scalars: count + 2 events or so.
std::string
long_list(int count) {
	return "[" + repeat("x, ", count - 1) + "x]";
}

} // namespace

TEST_CASE("the interrupt check is called during a long parse", "[config][yaml][interrupt]") {
	InterruptHook hook;
	YamlNode root = load_yaml(long_list(100000));
	CHECK(root.items.size() == 100000);
	CHECK(interrupt_calls >= 90); // once every 1024 events

	// and once per source of a file
	interrupt_calls = 0;
	parse_file("sources:\n  a: {db_conn: {user: u}, schema_mappings: {s: a}}\n  b: {db_conn: {user: u}, "
			   "schema_mappings: {t: b}}\n");
	CHECK(interrupt_calls == 2); // the text is far shorter than 1024 events
}

TEST_CASE("an exception thrown by the interrupt check leaves the parser cleanly",
		  "[config][yaml][interrupt]") {
	std::string yaml = "a: &a [" + repeat("{k: v, l: [1, 2]}, ", 5000) + "x]\nb: [*a, *a]\n";
	{
		InterruptHook hook(10);
		CHECK_THROWS_AS(load_yaml(yaml), Cancelled);
		CHECK(interrupt_calls == 10);
		CHECK_THROWS_AS(parse_source(yaml), Cancelled);
		CHECK_THROWS_AS(parse_file(yaml), Cancelled);
	}
	// without the hook the same text is read again: nothing was left behind
	YamlNode root = load_yaml(yaml);
	CHECK(root.entries.at(1).second.items.size() == 2);
}
