// The source status machine (see source_status.hpp).
#include "core/source_status.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace chameleon::core {

namespace {

using S = SourceStatus;
using C = StatusChange;

// A source that no worker uses: init_replica, copy_schema may take it.
const std::vector<SourceStatus> idle = {S::ready, S::initialised, S::synced, S::stopped, S::error};

constexpr std::array<std::string_view, 8> status_names = {"ready",	"initialising", "initialised", "syncing",
														  "synced", "stopped",		"running",	   "error"};

constexpr std::array<std::string_view, 12> change_names = {
	"init_started", "init_done", "init_stopped", "init_failed", "init_abandoned", "schema_copied",
	"started",		"stopped",	 "failed",		 "enabled",		"resynced",		  "imported"};

} // namespace

const std::vector<StatusRule> &
status_rules() {
	static const std::vector<StatusRule> rules = {
		{C::init_started, idle, S::initialising, std::nullopt, "the init worker of init_replica"},
		{C::init_done, {S::initialising}, S::initialised, std::nullopt, "the init worker, after the swap"},
		{C::init_stopped, {S::initialising}, std::nullopt, std::nullopt, "the init worker, stopped"},
		{C::init_failed, {S::initialising}, S::error, std::nullopt, "the init worker, failed"},
		{C::init_abandoned, {S::initialising}, S::error, std::nullopt, "the manager"},
		{C::schema_copied, idle, S::ready, std::nullopt, "copy_schema"},
		{C::started, {S::initialised, S::synced, S::stopped}, S::running, true, "start_replica"},
		{C::stopped, {S::running}, S::stopped, std::nullopt, "stop_replica"},
		{C::failed, {S::running}, S::error, false, "the reader, the replay or the manager"},
		{C::enabled, {S::error}, S::stopped, false, "enable_replica"},
		{C::resynced, {S::error}, S::stopped, std::nullopt, "the init worker of a sync of every table"},
		{C::imported, {S::ready}, std::nullopt, std::nullopt, "import_python_catalogue"},
	};
	return rules;
}

const StatusRule &
status_rule(StatusChange change) {
	for (const StatusRule &rule : status_rules())
		if (rule.change == change)
			return rule;
	throw std::logic_error("status change without a rule");
}

std::optional<SourceStatus>
next_status(SourceStatus from, StatusChange change, std::optional<SourceStatus> back_to) {
	const StatusRule &rule = status_rule(change);
	if (std::find(rule.from.begin(), rule.from.end(), from) == rule.from.end())
		return std::nullopt;
	if (rule.to)
		return rule.to;
	if (!back_to || std::find(idle.begin(), idle.end(), *back_to) == idle.end())
		return std::nullopt;
	return back_to;
}

std::string_view
status_name(SourceStatus status) {
	return status_names.at(static_cast<size_t>(status));
}

std::optional<SourceStatus>
parse_status(std::string_view name) {
	for (size_t i = 0; i < status_names.size(); i++)
		if (status_names[i] == name)
			return static_cast<SourceStatus>(i);
	return std::nullopt;
}

std::string_view
change_name(StatusChange change) {
	return change_names.at(static_cast<size_t>(change));
}

std::optional<StatusChange>
parse_change(std::string_view name) {
	for (size_t i = 0; i < change_names.size(); i++)
		if (change_names[i] == name)
			return static_cast<StatusChange>(i);
	return std::nullopt;
}

} // namespace chameleon::core
