// chameleon.verify_tables: compares each replicated table of a source between MySQL and
// PostgreSQL, range by range of its key (count and hash computed by each server, SQL from
// core/verify_sql), lists the rows of the ranges that differ, and re-reads them after the replica
// has caught up so that only real differences are recorded (doc/architecture.md, "Verification").
// Runs in a verify worker; each table's row in sch_chameleon.t_verification shows its progress.
#include "pg/verify.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue_tables.hpp"
#include "pg/replication.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"
#include "pg/workers.hpp"

#include "binlog/value.hpp"
#include "common/error.hpp"
#include "core/sql_quote.hpp"
#include "core/verify_row.hpp"
#include "core/verify_sql.hpp"
#include "mysql/connection.hpp"
#include "mysql/source_params.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>

namespace chameleon::pg {

namespace {

// Rows of one range per side: canonical key text -> canonical text of every column.
using RangeRows = std::map<std::string, core::CanonicalRow>;

// Ranges (MySQL key order) start at range_rows rows and double up to max_range_rows; a range of
// more than range_rows rows that differs is hashed again in parts of range_rows rows, and only the
// parts that differ are read row by row (at most range_rows rows of each side in memory).
constexpr int64 range_rows = 10000;
constexpr int64 max_range_rows = 160000;
constexpr int settle_attempts = 5;			// re-reads of a range whose rows keep changing
constexpr int64 catchup_timeout_ms = 60000; // per re-read
constexpr size_t kept_mismatches = 1000;	// rows listed per table (all are counted)

// verify_max_rows_per_second: after each range, sleeps until the MySQL rows read so far in this
// call have taken at least rows / limit seconds (cancellable).
class Throttle {
  public:
	explicit Throttle(int64 rows_per_second) : limit_(rows_per_second), start_(GetCurrentTimestamp()) {}

	void rows_read(int64 rows) {
		rows_ += rows;
		if (limit_ <= 0)
			return;
		TimestampTz due = start_ + static_cast<TimestampTz>(static_cast<double>(rows_) *
															static_cast<double>(USECS_PER_SEC) /
															static_cast<double>(limit_));
		for (TimestampTz now = GetCurrentTimestamp(); now < due; now = GetCurrentTimestamp()) {
			long wait_ms = static_cast<long>(std::min<TimestampTz>((due - now) / 1000 + 1, 1000));
			pg_call([&] {
				(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms,
								PG_WAIT_EXTENSION);
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
			});
		}
	}

  private:
	int64 limit_;
	TimestampTz start_;
	int64 rows_ = 0;
};

// The executor's receiver of a range's row texts: counts them and sums their CRC32 (plain C++ that
// does not throw: it runs inside the executor).
struct HashReceiver {
	DestReceiver pub;
	int64 rows = 0;
	uint64 sum = 0;

	HashReceiver() {
		pub.receiveSlot = receive;
		pub.rStartup = [](DestReceiver *, int, TupleDesc) {};
		pub.rShutdown = [](DestReceiver *) {};
		pub.rDestroy = [](DestReceiver *) {};
		pub.mydest = DestNone;
	}

	static bool receive(TupleTableSlot *slot, DestReceiver *self) {
		HashReceiver *receiver = reinterpret_cast<HashReceiver *>(self);
		bool null = false;
		Datum datum = slot_getattr(slot, 1, &null);
		receiver->rows++;
		if (!null) {
			text *row = DatumGetTextPP(datum);
			receiver->sum += core::row_crc32(std::string_view(VARDATA_ANY(row), VARSIZE_ANY_EXHDR(row)));
		}
		return true;
	}
};

struct TableResult {
	std::string state = "equal";
	int64 rows_mysql = 0, rows_pg = 0, ranges = 0, ranges_different = 0, mismatching = 0, unsettled = 0;
	std::string mismatches = "[]";
};

class TableVerifier {
  public:
	using Progress = std::function<void(const TableResult &)>;

	TableVerifier(const std::string &source, const config::SourceConfig &config, mysql::Connection &mysql,
				  Oid owner, bool replicating, core::TableLayout layout, Throttle &throttle,
				  Progress progress)
		: source_(source), config_(config), mysql_(mysql), owner_(owner), replicating_(replicating),
		  layout_(std::move(layout)), throttle_(throttle), progress_(std::move(progress)) {
		for (size_t i = 0; i < layout_.columns.size(); i++)
			if (core::canonical_column(layout_.columns[i]).json)
				json_columns_.push_back(i);
		null_digits_ = core::null_digits(layout_);
	}

	TableResult run() {
		if (!mysql_table_exists()) {
			result_.state = "missing in MySQL";
			return result_;
		}
		if (!pg_table_exists()) {
			result_.state = "missing in PostgreSQL";
			return result_;
		}
		ranged_ = core::key_has_ranges(layout_);
		std::optional<core::KeyBound> lower, upper;
		int64 size = range_rows;
		if (ranged_)
			upper = next_bound(lower, size, std::nullopt);
		for (;;) {
			check_stop();
			int64 next_size = std::min(size * 2, max_range_rows);
			std::optional<core::KeyBound> next = compare_range(lower, upper, size, next_size);
			progress_(result_);
			if (!upper)
				break;
			lower = std::move(upper);
			upper = std::move(next);
			size = next_size;
		}
		if (result_.mismatching > 0)
			result_.state = "different";
		else if (result_.unsettled > 0)
			result_.state = "unsettled";
		mismatch_json_ += "]";
		result_.mismatches = mismatch_json_;
		return result_;
	}

  private:
	bool mysql_table_exists() {
		return !mysql_
					.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
						   core::mysql_literal(layout_.origin_schema) +
						   " AND TABLE_NAME = " + core::mysql_literal(layout_.table))
					.empty();
	}

	bool pg_table_exists() {
		bool exists = false;
		run_transaction([&] {
			RoleRights rights(owner_, true);
			exists = spi_value("SELECT to_regclass($1) IS NOT NULL",
							   {core::quote_ident(layout_.destination_schema) + "." +
								core::quote_ident(layout_.destination_table)}) == SqlValue("t");
		});
		return exists;
	}

	// The key `step` rows after lower (no further than upper), or none.
	std::optional<core::KeyBound> next_bound(const std::optional<core::KeyBound> &lower, int64 step,
											 const std::optional<core::KeyBound> &upper) {
		std::vector<mysql::Row> rows = mysql_.query(core::mysql_next_bound(layout_, lower, upper, step));
		if (rows.empty())
			return std::nullopt;
		size_t keys = layout_.key.size();
		core::KeyBound bound;
		for (size_t i = 0; i < keys; i++) {
			bound.mysql.push_back(rows[0][i].value_or(""));
			bound.canonical.push_back(rows[0][keys + i].value_or(""));
		}
		return bound;
	}

	std::vector<SqlRow> pg_query(const std::string &sql, const std::vector<std::string> &params) {
		std::vector<SqlParam> values(params.begin(), params.end());
		std::vector<SqlRow> rows;
		run_transaction([&] {
			RoleRights rights(owner_, true);
			rows = spi_query(sql, values);
		});
		return rows;
	}

	// Runs a statement that returns each row's text and counts the rows and sums their CRC32 as the
	// executor produces them (no row is kept).
	HashReceiver pg_hash(const std::string &sql, const std::vector<std::string> &params) {
		HashReceiver receiver;
		run_transaction([&] {
			RoleRights rights(owner_, true);
			pg_call([&] {
				ParamListInfo list = makeParamList(static_cast<int>(params.size()));
				for (size_t i = 0; i < params.size(); i++) {
					ParamExternData &param = list->params[i];
					param.value =
						PointerGetDatum(cstring_to_text_with_len(params[i].data(), params[i].size()));
					param.isnull = false;
					param.pflags = PARAM_FLAG_CONST;
					param.ptype = TEXTOID;
				}
				SPIExecuteOptions options;
				memset(&options, 0, sizeof(options));
				options.params = list;
				options.read_only = true;
				options.dest = &receiver.pub;
				if (SPI_execute_extended(sql.c_str(), &options) < 0)
					ereport(ERROR,
							(errmsg("could not read a range of \"%s.%s\"", layout_.destination_schema.c_str(),
									layout_.destination_table.c_str())));
			});
		});
		return receiver;
	}

	struct RangeHash {
		int64 mysql_rows = 0, pg_rows = 0;
		uint64 mysql_sum = 0, pg_sum = 0;

		bool differs() const { return mysql_rows != pg_rows || mysql_sum != pg_sum; }
	};

	// Both servers count and hash a range at the same time: MySQL's statement, then `also` (more
	// MySQL statements), in a thread (plain C++, no PostgreSQL call); PostgreSQL's here.
	RangeHash hash_range(const std::optional<core::KeyBound> &lower,
						 const std::optional<core::KeyBound> &upper, const std::function<void()> &also) {
		std::string mysql_sql = core::mysql_range_hash(layout_, lower, upper);
		std::vector<mysql::Row> my;
		std::exception_ptr mysql_failure;
		std::thread mysql_thread([&] {
			try {
				my = mysql_.query(mysql_sql);
				also();
			} catch (...) {
				mysql_failure = std::current_exception();
			}
		});
		RangeHash hash;
		try {
			if (json_columns_.empty()) {
				HashReceiver receiver =
					pg_hash(core::pg_range_text(layout_, lower.has_value(), upper.has_value()),
							core::pg_bound_params(lower, upper));
				hash.pg_rows = receiver.rows;
				hash.pg_sum = receiver.sum;
			} else {
				for (SqlRow &row :
					 pg_query(core::pg_range_values(layout_, lower.has_value(), upper.has_value()),
							  core::pg_bound_params(lower, upper))) {
					canonical_json(row);
					hash.pg_sum += core::row_crc32(core::row_hash_text(row, null_digits_));
					hash.pg_rows++;
				}
			}
		} catch (...) {
			mysql_thread.join();
			throw;
		}
		mysql_thread.join();
		if (mysql_failure)
			std::rethrow_exception(mysql_failure);
		hash.mysql_rows = std::stoll(my.at(0).at(0).value_or("0"));
		hash.mysql_sum = std::stoull(my[0][1].value_or("0"));
		throttle_.rows_read(hash.mysql_rows);
		return hash;
	}

	// Compares one range of about `size` rows and returns the bound next_size rows after upper
	// (none after the last range or when the table is one range; MySQL walks to it while
	// PostgreSQL hashes). A range that differs is compared again in parts of range_rows rows.
	std::optional<core::KeyBound> compare_range(const std::optional<core::KeyBound> &lower,
												const std::optional<core::KeyBound> &upper, int64 size,
												int64 next_size) {
		std::optional<core::KeyBound> next;
		RangeHash hash = hash_range(lower, upper, [&] {
			if (ranged_ && upper)
				next = next_bound(upper, next_size, std::nullopt);
		});
		result_.ranges++;
		result_.rows_mysql += hash.mysql_rows;
		result_.rows_pg += hash.pg_rows;
		if (!hash.differs())
			return next;
		result_.ranges_different++;
		if (!ranged_ || size <= range_rows) {
			find_rows(lower, upper);
			return next;
		}
		std::optional<core::KeyBound> part_lower = lower;
		for (;;) {
			check_stop();
			std::optional<core::KeyBound> part_upper = next_bound(part_lower, range_rows, upper);
			const std::optional<core::KeyBound> &end = part_upper ? part_upper : upper;
			if (hash_range(part_lower, end, [] {}).differs())
				find_rows(part_lower, end);
			if (!part_upper)
				break;
			part_lower = std::move(part_upper);
		}
		return next;
	}

	// jsonb's text of the JSON columns in MariaDB's JSON_NORMALIZE form.
	void canonical_json(core::CanonicalRow &values) const {
		for (size_t i : json_columns_)
			if (values[i])
				values[i] = core::canonical_json(*values[i]).value_or(*values[i]);
	}

	RangeRows mysql_rows(const std::optional<core::KeyBound> &lower,
						 const std::optional<core::KeyBound> &upper) {
		RangeRows rows;
		for (mysql::Row &row : mysql_.query(core::mysql_range_rows(layout_, lower, upper)))
			rows[row[0].value_or("")] = std::vector<std::optional<std::string>>(row.begin() + 1, row.end());
		throttle_.rows_read(static_cast<int64>(rows.size()));
		return rows;
	}

	RangeRows pg_rows(const std::optional<core::KeyBound> &lower,
					  const std::optional<core::KeyBound> &upper) {
		RangeRows rows;
		for (SqlRow &row : pg_query(core::pg_range_rows(layout_, lower.has_value(), upper.has_value()),
									core::pg_bound_params(lower, upper))) {
			core::CanonicalRow values(row.begin() + 1, row.end());
			canonical_json(values);
			rows[row[0].value_or("")] = std::move(values);
		}
		return rows;
	}

	// The rows that differ: MySQL's rows are read, then (while replication runs) the replica is
	// waited for past MySQL's position after that read, then PostgreSQL's rows and MySQL's again.
	// A row MySQL kept unchanged across the two reads and PostgreSQL holds differently is a real
	// difference; a row that changed in MySQL meanwhile is read again (settle_attempts times).
	void find_rows(const std::optional<core::KeyBound> &lower, const std::optional<core::KeyBound> &upper) {
		std::set<std::string> pending; // empty: every key of the range
		for (int attempt = 0; attempt < settle_attempts; attempt++) {
			RangeRows first = mysql_rows(lower, upper);
			// A replica that did not catch up in time proves nothing: its differing rows are read again.
			bool caught_up = true;
			if (replicating_) {
				TimestampTz deadline = GetCurrentTimestamp() + catchup_timeout_ms * 1000;
				CatchupTarget target = current_master_target(config_);
				run_transaction([&] { caught_up = wait_until_replayed(source_, target, deadline); });
			}
			RangeRows replica = pg_rows(lower, upper);
			RangeRows second = mysql_rows(lower, upper);
			std::set<std::string> keys;
			for (const RangeRows *rows : {&first, &replica, &second})
				for (const auto &row : *rows)
					if (attempt == 0 || pending.count(row.first))
						keys.insert(row.first);
			std::set<std::string> changing;
			for (const std::string &key : keys) {
				const auto *before = find(first, key), *pg = find(replica, key), *after = find(second, key);
				if (!same(before, after) || !caught_up) {
					if (!same(pg, after))
						changing.insert(key);
				} else if (!same(before, pg)) {
					add_mismatch(before, pg);
				}
			}
			if (changing.empty())
				return;
			pending = std::move(changing);
		}
		result_.unsettled += static_cast<int64>(pending.size());
	}

	static const std::vector<std::optional<std::string>> *find(const RangeRows &rows,
															   const std::string &key) {
		auto found = rows.find(key);
		return found == rows.end() ? nullptr : &found->second;
	}

	static bool same(const std::vector<std::optional<std::string>> *a,
					 const std::vector<std::optional<std::string>> *b) {
		return a == nullptr ? b == nullptr : b != nullptr && *a == *b;
	}

	void append_row(const std::vector<std::optional<std::string>> *row, bool key_only) {
		if (row == nullptr) {
			mismatch_json_ += "null";
			return;
		}
		mismatch_json_ += "{";
		bool first = true;
		for (size_t i = 0; i < layout_.columns.size(); i++) {
			const std::string &name = layout_.columns[i].mysql.name;
			bool is_key = std::find(layout_.key.begin(), layout_.key.end(), name) != layout_.key.end();
			if (key_only && !is_key)
				continue;
			mismatch_json_ += first ? "" : ", ";
			first = false;
			binlog::append_json_string(mismatch_json_, name);
			mismatch_json_ += ": ";
			if ((*row)[i])
				binlog::append_json_string(mismatch_json_, *(*row)[i]);
			else
				mismatch_json_ += "null";
		}
		mismatch_json_ += "}";
	}

	void add_mismatch(const std::vector<std::optional<std::string>> *mysql_row,
					  const std::vector<std::optional<std::string>> *pg_row) {
		if (static_cast<size_t>(result_.mismatching++) >= kept_mismatches)
			return;
		mismatch_json_ += result_.mismatching > 1 ? ", {\"key\": " : "{\"key\": ";
		append_row(mysql_row ? mysql_row : pg_row, true);
		mismatch_json_ += ", \"mysql\": ";
		append_row(mysql_row, false);
		mismatch_json_ += ", \"postgresql\": ";
		append_row(pg_row, false);
		mismatch_json_ += "}";
	}

	const std::string &source_;
	const config::SourceConfig &config_;
	mysql::Connection &mysql_;
	Oid owner_;
	bool replicating_;
	bool ranged_ = false;
	core::TableLayout layout_;
	Throttle &throttle_;
	Progress progress_;
	std::vector<size_t> json_columns_;
	std::vector<bool> null_digits_;
	TableResult result_;
	std::string mismatch_json_ = "[";
};

// The t_verification row of a table: its counts so far, and its state.
void
record_table(int64 source_id, const std::string &mysql_table, const TableResult &result,
			 const std::string &state, bool finished) {
	run_transaction([&] {
		catalogue_exec("UPDATE sch_chameleon.t_verification SET t_state = $3, i_rows_mysql = $4, "
					   "i_rows_pg = $5, i_ranges = $6, i_ranges_different = $7, i_mismatching_rows = $8, "
					   "i_unsettled_rows = $9, jsb_mismatches = $10, ts_started = CASE WHEN t_state = "
					   "'queued' THEN clock_timestamp() ELSE ts_started END, ts_finished = CASE WHEN $11 "
					   "THEN clock_timestamp() END WHERE i_id_source = $1 AND v_mysql_table = $2",
					   {source_id, mysql_table, state, result.rows_mysql, result.rows_pg, result.ranges,
						result.ranges_different, result.mismatching, result.unsettled,
						SqlParam::jsonb(result.mismatches), finished});
	});
}

// The request verify_tables left in a pinned segment ({"tables": ..., "resync": ...}), released here.
std::string
take_request(dsm_handle handle) {
	char *text = pg_call([&] {
		dsm_segment *segment = dsm_attach(handle);
		if (segment == nullptr)
			ereport(ERROR, (errmsg("the verify_tables request is gone")));
		char *copy = pstrdup(static_cast<const char *>(dsm_segment_address(segment)));
		dsm_unpin_segment(handle);
		dsm_detach(segment);
		return copy;
	});
	return text;
}

} // namespace

void
run_verify(const WorkerArgs &args) {
	// PostgreSQL's text of the values compared (core/verify_sql.hpp)
	pg_call([] {
		SetConfigOption("TimeZone", "UTC", PGC_USERSET, PGC_S_SESSION);
		SetConfigOption("DateStyle", "ISO, YMD", PGC_USERSET, PGC_S_SESSION);
		SetConfigOption("IntervalStyle", "postgres", PGC_USERSET, PGC_S_SESSION);
	});
	std::string request = take_request(args.request);
	std::string name = args.source_name;
	int64 source_id = args.source_id, run = args.job;
	config::SourceConfig config;
	bool replicating = false, resync = false;
	std::vector<std::pair<std::string, std::string>> layouts; // MySQL name, layout JSON
	run_transaction([&] {
		config = source_config(name);
		std::vector<SqlRow> rows = catalogue_query(
			"SELECT enm_status = 'running', ($2 ->> 'resync')::boolean, ($2 -> 'tables')::text FROM "
			"sch_chameleon.t_sources WHERE i_id_source = $1",
			{source_id, SqlParam::jsonb(request)});
		if (rows.empty())
			throw Error(sqlstate::undefined_object, "source \"" + name + "\" was dropped");
		replicating = *rows[0][0] == "t";
		resync = *rows[0][1] == "t";
		for (const ReplicaTable &table : replica_tables(source_id, *rows[0][2]))
			if (table.layout_json)
				layouts.emplace_back(table.origin_schema + "." + table.table, *table.layout_json);
		// every table of the run is listed, queued, before the first is read
		for (const auto &entry : layouts) {
			core::TableLayout layout = core::layout_from_json(entry.second);
			catalogue_exec("DELETE FROM sch_chameleon.t_verification WHERE i_id_source = $1 AND "
						   "v_mysql_table = $2",
						   {source_id, entry.first});
			catalogue_exec(
				"INSERT INTO sch_chameleon.t_verification (i_id_source, i_run, v_mysql_table, "
				"v_pg_table, t_state, i_rows_mysql, i_rows_pg, i_ranges, i_ranges_different, "
				"i_mismatching_rows, i_unsettled_rows, jsb_mismatches, ts_started) VALUES "
				"($1, $2, $3, $4, 'queued', 0, 0, 0, 0, 0, 0, '[]', "
				"clock_timestamp())",
				{source_id, run, entry.first, layout.destination_schema + "." + layout.destination_table});
		}
	});
	std::unique_ptr<mysql::Connection> connection;
	if (!layouts.empty()) {
		connection = std::make_unique<mysql::Connection>(mysql::connection_params(config));
		connection->execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = ''");
	}
	Throttle throttle(config.verify_max_rows_per_second);
	for (const auto &entry : layouts) {
		const std::string &mysql_table = entry.first;
		core::TableLayout layout = core::layout_from_json(entry.second);
		set_slot_state(my_slot(), "verifying");
		strlcpy(my_slot()->table, mysql_table.c_str(), sizeof(my_slot()->table));
		TableResult result;
		record_table(source_id, mysql_table, result, "running", false);
		if (layout.key.empty())
			result.state = "not verified: no key";
		else
			result = TableVerifier(name, config, *connection, args.owner, replicating, layout, throttle,
								   [&](const TableResult &so_far) {
									   my_slot()->rows = static_cast<uint64>(so_far.rows_mysql);
									   record_table(source_id, mysql_table, so_far, "running", false);
								   })
						 .run();
		record_table(source_id, mysql_table, result, result.state, true);
	}
	if (!resync)
		return;
	// resync => true: the tables that differ are copied again (sync_tables); when that cannot start,
	// the reason is the resync column of their rows.
	run_transaction([&] {
		std::optional<std::string> different = verified_different_tables(source_id, run);
		if (!different)
			return;
		std::string error;
		bool requested = run_subtransaction(
			[&] {
				catalogue_exec(
					"SELECT sch_chameleon.fn_request_sync($1, jsonb_build_object('tables', $2), false)",
					{name, SqlParam::jsonb(*different)});
			},
			&error);
		catalogue_exec("UPDATE sch_chameleon.t_verification SET t_resync = $3 WHERE i_id_source = $1 "
					   "AND i_run = $2 AND t_state IN ('different', 'missing in PostgreSQL')",
					   {source_id, run, requested ? std::string("requested") : "failed: " + error});
	});
}

void
verify_worker_ended(const WorkerArgs &args, bool stopped, const std::string &message) {
	run_transaction([&] {
		catalogue_exec(
			"UPDATE sch_chameleon.t_verification SET t_state = $3, ts_finished = clock_timestamp() "
			"WHERE i_id_source = $1 AND i_run = $2 AND t_state IN ('queued', 'running')",
			{args.source_id, args.job, stopped ? "stopped" : "failed: " + message});
	});
}

} // namespace chameleon::pg

using namespace chameleon;

// fn_verify_tables(source text, tables jsonb, run bigint, resync boolean, wait boolean): tables is
// a JSON array of MySQL [schema, table] pairs or JSON null for every table. Starts the verify
// worker with that request, and with wait waits until it exits.
CHAMELEON_FUNCTION(chameleon_verify_tables) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	std::string tables = pg::jsonb_argument(fcinfo, 1, "tables");
	int64 run = pg::int64_argument(fcinfo, 2, "run");
	bool resync = pg::bool_argument(fcinfo, 3, "resync");
	bool wait = pg::bool_argument(fcinfo, 4, "wait");
	pg::WorkerArgs args;
	memset(&args, 0, sizeof(args));
	pg::with_spi([&] {
		std::vector<pg::SqlRow> rows = pg::catalogue_query(
			"SELECT i_id_source, rol_owner::oid FROM sch_chameleon.t_sources WHERE t_source = $1", {name});
		if (rows.empty())
			throw Error(sqlstate::undefined_object, "source \"" + name + "\" does not exist");
		args.source_id = std::stoll(*rows[0][0]);
		args.owner = static_cast<Oid>(std::stoul(*rows[0][1]));
	});
	pg::require_owner_can_run(args.owner, name);
	std::string request =
		std::string("{\"resync\": ") + (resync ? "true" : "false") + ", \"tables\": " + tables + "}";
	// The request goes in a pinned segment: the worker reads it and unpins it.
	dsm_segment *segment = pg::pg_call([&] {
		dsm_segment *created = dsm_create(request.size() + 1, 0);
		memcpy(dsm_segment_address(created), request.c_str(), request.size() + 1);
		dsm_pin_segment(created);
		return created;
	});
	args.database = MyDatabaseId;
	args.role = pg::WorkerRole::verify;
	args.job = run;
	args.request = dsm_segment_handle(segment);
	strlcpy(args.source_name, name.c_str(), sizeof(args.source_name));
	BackgroundWorkerHandle *handle = nullptr;
	try {
		pg::start_worker(args, &handle);
	} catch (...) {
		pg::pg_call([&] {
			dsm_unpin_segment(dsm_segment_handle(segment));
			dsm_detach(segment);
		});
		throw;
	}
	pg::pg_call([&] { dsm_detach(segment); });
	if (wait)
		pg::wait_for_worker_exit(handle);
	PG_RETURN_VOID();
}
