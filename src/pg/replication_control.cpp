// Starting, stopping and watching the reader and replay workers of a source: the SQL functions
// behind start_replica, stop_replica and wait_for_catchup, and what a failed worker records.
#include "pg/replication.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue.hpp"
#include "pg/catalogue_batches.hpp"
#include "pg/maintenance.hpp"
#include "pg/extension_version.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"

#include "binlog/gtid_set.hpp"
#include "common/error.hpp"
#include "core/pg_names.hpp"
#include "core/table_filter.hpp"
#include "mysql/connection.hpp"
#include "mysql/schema_reader.hpp"
#include "mysql/source_params.hpp"

#include <csignal>
#include <cstring>

namespace chameleon::pg {

namespace {

// The live reader and replay workers of a source in this database.
std::vector<WorkerSlot>
replication_workers(const std::string &source_name, Oid database) {
	int capacity = shared_state()->slot_count;
	std::vector<WorkerSlot> slots(capacity);
	slots.resize(copy_live_slots(slots.data(), capacity));
	std::vector<WorkerSlot> found;
	for (const WorkerSlot &slot : slots)
		if ((slot.role == WorkerRole::reader || slot.role == WorkerRole::replay) &&
			slot.database == database && source_name == slot.source_name)
			found.push_back(slot);
	return found;
}

int64
source_id_of(const std::string &name, Oid *owner = nullptr) {
	int64 id = 0;
	with_spi([&] { id = find_source(name, owner); });
	return id;
}

int64
interval_milliseconds(Interval *interval) {
	return (interval->time +
			(interval->day + interval->month * static_cast<int64>(DAYS_PER_MONTH)) * USECS_PER_DAY) /
		   1000;
}

} // namespace

// The configuration of a source; an error when there is no such source.
config::SourceConfig
source_config(const std::string &name) {
	config::SourceConfig config;
	with_spi([&] { config = load_source(name).config; });
	return config;
}

CatchupTarget
current_master_target(const config::SourceConfig &config) {
	mysql::Connection connection(mysql::connection_params(config));
	const mysql::ServerVersion &version = connection.version();
	bool mysql_flavour = version.flavour == mysql::Flavour::mysql;
	std::vector<mysql::Row> rows = connection.query(
		mysql_flavour && version.at_least(8, 2) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS");
	if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1])
		throw Error(sqlstate::object_not_in_prerequisite_state, "the MySQL server reports no binary log", "",
					"Enable the binary log (log_bin) on the server.");
	CatchupTarget target{{*rows[0][0], static_cast<uint64_t>(std::stoull(*rows[0][1]))}, ""};
	if (config.gtid_enable) {
		rows = connection.query(mysql_flavour ? "SELECT @@global.gtid_executed"
											  : "SELECT @@global.gtid_binlog_pos");
		if (!rows.empty() && rows[0][0])
			target.gtids = *rows[0][0];
	}
	return target;
}

bool
wait_until_replayed(const std::string &name, const CatchupTarget &caught_up_at, TimestampTz deadline) {
	const mysql::BinlogPosition &target = caught_up_at.position;
	// With GTIDs the target holds across a failover, where file names of one server say nothing
	// about another's.
	const std::string &target_gtids = caught_up_at.gtids;
	for (;;) {
		bool reached = false;
		std::string status, reason;
		pg::with_spi([&] {
			std::optional<pg::CatchupState> state = pg::catchup_state(name, target);
			if (!state)
				throw Error(sqlstate::undefined_object,
							"source \"" + name + "\" was dropped during wait_for_catchup", "",
							"Add the source again if it is still needed.");
			status = state->status;
			reason = state->reason;
			reached =
				target_gtids.empty() ? state->reached : binlog::gtids_cover(state->gtid_set, target_gtids);
		});
		if (reached) {
			ConditionVariableCancelSleep();
			return true;
		}
		// NOLINTBEGIN(performance-inefficient-string-concatenation): throws, leaving the loop
		if (status == "error")
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"source \"" + name + "\" stopped with an error before catching up", reason,
						"The reason ends with what to do; chameleon.show_status('" + name +
							"') shows it again, and chameleon.show_errors('" + name +
							"') lists replay errors.");
		if (status != "running")
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"source \"" + name + "\" is not replicating (status " + status + ")", "",
						"Start it with SELECT chameleon.start_replica('" + name + "');");
		// NOLINTEND(performance-inefficient-string-concatenation)
		if (GetCurrentTimestamp() >= deadline) {
			ConditionVariableCancelSleep();
			return false;
		}
		// Woken by the replay's next commit; the timeout notices a worker that stopped without one.
		long remaining_ms = static_cast<long>((deadline - GetCurrentTimestamp()) / 1000) + 1;
		pg_call([&] { pg::wait_for_replay_progress(std::min(remaining_ms, 1000L)); });
	}
}

ReplicationSource
load_replication_source(int64 source_id) {
	ReplicationSource source;
	source.id = source_id;
	run_transaction([&] {
		Source loaded = load_source(source_id);
		source.name = loaded.name;
		source.config = std::move(loaded.config);
		std::optional<ReadPosition> position = read_position(source_id);
		if (!position)
			throw Error(sqlstate::object_not_in_prerequisite_state,
						"source \"" + source.name + "\" has no binlog position to replicate from", "",
						"Run chameleon.init_replica() first.");
		source.read_position = position->position;
		source.read_gtid = position->gtid_set;
		source.server_identity = position->server_identity;
	});
	return source;
}

void
start_replication_workers(int64 source_id, const std::string &source_name, Oid database, Oid owner) {
	release_source(database, source_id);
	std::vector<WorkerSlot> running = replication_workers(source_name, database);
	for (WorkerRole role : {WorkerRole::reader, WorkerRole::replay}) {
		bool found = false;
		for (const WorkerSlot &slot : running)
			found = found || slot.role == role;
		if (found)
			continue;
		WorkerArgs args;
		memset(&args, 0, sizeof(args));
		args.source_id = source_id;
		args.database = database;
		args.role = role;
		args.owner = owner;
		strlcpy(args.source_name, source_name.c_str(), sizeof(args.source_name));
		start_worker(args, nullptr);
	}
}

void
replication_worker_stopped(const WorkerArgs &args) {
	run_transaction([&] {
		catalogue_exec("DELETE FROM sch_chameleon.t_worker_restarts WHERE i_id_source = $1",
					   {args.source_id});
	});
}

void
replication_worker_failed(const WorkerArgs &args, const std::string &message) {
	run_transaction([&] {
		change_source_status(args.source_id, core::StatusChange::failed,
							 std::string(worker_role_name(args.role)) + ": " + message);
		notify_state("source_error", args.source_id,
					 std::string(worker_role_name(args.role)) + ": " + message);
	});
	for (const WorkerSlot &slot : replication_workers(args.source_name, args.database))
		if (slot.pid != MyProcPid)
			kill(slot.pid, SIGTERM);
}

} // namespace chameleon::pg

using namespace chameleon;
using chameleon::pg::pg_call;

CHAMELEON_FUNCTION(chameleon_start_workers) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	pg::with_spi([] { pg::require_matching_catalogue(); });
	Oid owner = InvalidOid;
	int64 id = pg::source_id_of(name, &owner);
	pg::require_owner_can_run(owner, name);
	pg::start_replication_workers(id, name, MyDatabaseId, owner);
	PG_RETURN_VOID();
}

CHAMELEON_FUNCTION(chameleon_stop_workers) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	int64 timeout_ms = pg::interval_milliseconds(pg::interval_argument(fcinfo, 1, "timeout"));
	TimestampTz deadline = GetCurrentTimestamp() + timeout_ms * 1000;
	// The launcher must not restart the workers before this transaction (which clears
	// b_run_requested) commits.
	pg::hold_source(MyDatabaseId, pg::source_id_of(name), deadline + 30 * USECS_PER_SEC);
	for (const pg::WorkerSlot &slot : pg::replication_workers(name, MyDatabaseId))
		kill(slot.pid, SIGTERM);
	// Woken as each worker exits; the timeout notices one that died without releasing its slot.
	while (!pg::replication_workers(name, MyDatabaseId).empty()) {
		if (GetCurrentTimestamp() >= deadline) {
			ConditionVariableCancelSleep();
			PG_RETURN_BOOL(false);
		}
		pg_call([] { pg::wait_for_slot_release(100); });
	}
	ConditionVariableCancelSleep();
	PG_RETURN_BOOL(true);
}

CHAMELEON_FUNCTION(chameleon_wait_for_catchup) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	int64 timeout_ms = pg::interval_milliseconds(pg::interval_argument(fcinfo, 1, "timeout"));
	TimestampTz deadline = GetCurrentTimestamp() + timeout_ms * 1000;
	PG_RETURN_BOOL(
		pg::wait_until_replayed(name, pg::current_master_target(pg::source_config(name)), deadline));
}

namespace {

Datum
text_array_datum(const std::vector<std::string> &values) {
	std::vector<Datum> elements;
	elements.reserve(values.size());
	for (const std::string &value : values)
		elements.push_back(pg::text_datum(value));
	return pg_call([&] {
		return PointerGetDatum(construct_array(elements.data(), static_cast<int>(elements.size()), TEXTOID,
											   -1, false, TYPALIGN_INT));
	});
}

// The PostgreSQL names of MySQL columns (core::pg_column_name).
std::vector<std::string>
pg_column_names(const std::vector<std::string> &mysql_names) {
	std::vector<std::string> names;
	names.reserve(mysql_names.size());
	for (const std::string &name : mysql_names)
		names.push_back(core::pg_column_name(name));
	return names;
}

} // namespace

// The foreign keys of the mapped MySQL schemas, with the PostgreSQL names of their tables and
// columns (core/pg_names), for the statements that create them.
CHAMELEON_FUNCTION(chameleon_mysql_foreign_keys) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	config::SourceConfig config = pg::source_config(name);
	std::vector<std::string> schemas;
	for (const auto &mapping : config.schema_mappings)
		schemas.push_back(mapping.first);
	mysql::Connection connection(mysql::connection_params(config));
	core::TableFilter filter = config::table_filter(config);
	std::vector<mysql::TableInfo> tables = mysql::read_tables(connection, filter, schemas);
	pg::ResultSet result(fcinfo);
	for (const mysql::TableInfo &table : tables)
		for (const mysql::ForeignKeyInfo &key : table.foreign_keys) {
			Datum values[9] = {pg::text_datum(key.name),
							   pg::text_datum(table.schema),
							   pg::text_datum(core::pg_table_name(table.name)),
							   text_array_datum(pg_column_names(key.columns)),
							   pg::text_datum(key.referenced_schema),
							   pg::text_datum(core::pg_table_name(key.referenced_table)),
							   text_array_datum(pg_column_names(key.referenced_columns)),
							   pg::text_datum(key.on_update.empty() ? "RESTRICT" : key.on_update),
							   pg::text_datum(key.on_delete.empty() ? "RESTRICT" : key.on_delete)};
			bool nulls[9] = {};
			result.add(values, nulls);
		}
	return (Datum)0;
}
