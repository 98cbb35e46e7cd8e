// The source status machine: every change from every status, and the names round-trip.
#include "core/source_status.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace chameleon::core;
using S = SourceStatus;
using C = StatusChange;

namespace {

const std::vector<S> all_statuses = {S::ready,	S::initialising, S::initialised, S::syncing,
									 S::synced, S::stopped,		 S::running,	 S::error};

} // namespace

TEST_CASE("every change applies exactly from the statuses its rule lists", "[source_status]") {
	// The whole machine, written out once more by hand: (change, from) -> to.
	const std::map<std::pair<C, S>, S> expected = {
		{{C::init_started, S::ready}, S::initialising},
		{{C::init_started, S::initialised}, S::initialising},
		{{C::init_started, S::synced}, S::initialising},
		{{C::init_started, S::stopped}, S::initialising},
		{{C::init_started, S::error}, S::initialising},
		{{C::init_done, S::initialising}, S::initialised},
		{{C::init_failed, S::initialising}, S::error},
		{{C::init_abandoned, S::initialising}, S::error},
		{{C::schema_copied, S::ready}, S::ready},
		{{C::schema_copied, S::initialised}, S::ready},
		{{C::schema_copied, S::synced}, S::ready},
		{{C::schema_copied, S::stopped}, S::ready},
		{{C::schema_copied, S::error}, S::ready},
		{{C::started, S::initialised}, S::running},
		{{C::started, S::synced}, S::running},
		{{C::started, S::stopped}, S::running},
		{{C::stopped, S::running}, S::stopped},
		{{C::failed, S::running}, S::error},
		{{C::enabled, S::error}, S::stopped},
		{{C::resynced, S::error}, S::stopped},
	};
	for (const StatusRule &rule : status_rules()) {
		if (rule.change == C::init_stopped || rule.change == C::imported)
			continue;
		for (S from : all_statuses) {
			auto found = expected.find({rule.change, from});
			CAPTURE(change_name(rule.change), status_name(from));
			if (found == expected.end())
				CHECK_FALSE(next_status(from, rule.change));
			else
				CHECK(next_status(from, rule.change) == found->second);
		}
	}
}

TEST_CASE("a stopped init_replica returns to the status before it, and only to an idle one",
		  "[source_status]") {
	for (S before : {S::ready, S::initialised, S::synced, S::stopped, S::error})
		CHECK(next_status(S::initialising, C::init_stopped, before) == before);
	for (S before : {S::initialising, S::running, S::syncing})
		CHECK_FALSE(next_status(S::initialising, C::init_stopped, before));
	CHECK_FALSE(next_status(S::initialising, C::init_stopped));
	CHECK_FALSE(next_status(S::running, C::init_stopped, S::stopped));
}

TEST_CASE("an imported source takes the Python tool's status, once, from ready", "[source_status]") {
	for (S old : {S::ready, S::initialised, S::stopped})
		CHECK(next_status(S::ready, C::imported, old) == old);
	CHECK_FALSE(next_status(S::ready, C::imported, S::running));
	CHECK_FALSE(next_status(S::ready, C::imported, S::initialising));
	CHECK_FALSE(next_status(S::stopped, C::imported, S::stopped));
	CHECK_FALSE(next_status(S::ready, C::imported));
}

TEST_CASE("no change enters syncing or synced, and only start_replica enters running", "[source_status]") {
	for (const StatusRule &rule : status_rules())
		for (S from : all_statuses)
			for (S back_to : all_statuses) {
				std::optional<S> to = next_status(from, rule.change, back_to);
				CHECK(to != S::syncing);
				if (to == S::running)
					CHECK(rule.change == C::started);
			}
}

TEST_CASE("the run request follows the changes that start and stop replicating", "[source_status]") {
	CHECK(status_rule(C::started).run_requested == true);
	CHECK(status_rule(C::failed).run_requested == false);
	CHECK(status_rule(C::enabled).run_requested == false);
	CHECK_FALSE(status_rule(C::stopped).run_requested); // stop_replica clears it before the workers stop
}

TEST_CASE("status and change names round-trip", "[source_status]") {
	std::set<std::string_view> names;
	for (S status : all_statuses) {
		CHECK(parse_status(status_name(status)) == status);
		names.insert(status_name(status));
	}
	CHECK(names.size() == all_statuses.size());
	for (const StatusRule &rule : status_rules())
		CHECK(parse_change(change_name(rule.change)) == rule.change);
	CHECK(status_rules().size() == 12);
	CHECK_FALSE(parse_status("paused"));
	CHECK_FALSE(parse_change("start"));
}
