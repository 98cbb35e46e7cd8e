// chameleon.verify_tables: compares each replicated table of a source between MySQL and
// PostgreSQL, range by range of its key (count and hash computed by each server, SQL from
// core/verify_sql), lists the rows of the ranges that differ, and re-reads them after the replica
// has caught up so that only real differences are recorded (doc/architecture.md, "Verification").
// Runs in the caller's session; the results go to sch_chameleon.t_verification.
#include "pg/boundary.hpp"
#include "pg/replication.hpp"
#include "pg/rights.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"

#include "binlog/value.hpp"
#include "common/error.hpp"
#include "core/sql_quote.hpp"
#include "core/verify_row.hpp"
#include "core/verify_sql.hpp"
#include "mysql/connection.hpp"
#include "mysql/source_params.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <thread>

namespace chameleon::pg {

namespace {

// Rows of one range per side: canonical key text -> canonical text of every column.
using RangeRows = std::map<std::string, core::CanonicalRow>;

constexpr int64 range_rows = 10000;			// rows per range (MySQL key order)
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

struct TableResult {
	std::string state = "equal";
	int64 rows_mysql = 0, rows_pg = 0, ranges = 0, ranges_different = 0, mismatching = 0, unsettled = 0;
	std::string mismatches = "[]";
};

class TableVerifier {
  public:
	TableVerifier(const std::string &source, const config::SourceConfig &config, mysql::Connection &mysql,
				  Oid owner, bool replicating, core::TableLayout layout, Throttle &throttle)
		: source_(source), config_(config), mysql_(mysql), owner_(owner), replicating_(replicating),
		  layout_(std::move(layout)), throttle_(throttle) {
		for (size_t i = 0; i < layout_.columns.size(); i++)
			if (core::canonical_column(layout_.columns[i]).json)
				json_columns_.push_back(i);
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
		if (ranged_)
			upper = next_bound(lower);
		for (;;) {
			std::optional<core::KeyBound> next = compare_range(lower, upper);
			if (!upper)
				break;
			lower = std::move(upper);
			upper = std::move(next);
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
		with_spi([&] {
			RoleRights rights(owner_, true);
			exists = spi_value("SELECT to_regclass($1) IS NOT NULL",
							   {core::quote_ident(layout_.destination_schema) + "." +
								core::quote_ident(layout_.destination_table)}) == SqlValue("t");
		});
		return exists;
	}

	std::optional<core::KeyBound> next_bound(const std::optional<core::KeyBound> &lower) {
		std::vector<mysql::Row> rows = mysql_.query(core::mysql_next_bound(layout_, lower, range_rows));
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
		with_spi([&] {
			RoleRights rights(owner_, true);
			rows = spi_query(sql, values);
		});
		return rows;
	}

	// Compares one range and returns the bound after upper (none after the last range or when the
	// table is one range). Both servers hash the range at the same time: MySQL's statement, then
	// the walk to the next bound, in a thread (plain C++, no PostgreSQL call); PostgreSQL's here.
	std::optional<core::KeyBound> compare_range(const std::optional<core::KeyBound> &lower,
												const std::optional<core::KeyBound> &upper) {
		std::string mysql_sql = core::mysql_range_hash(layout_, lower, upper);
		std::vector<mysql::Row> my;
		std::optional<core::KeyBound> next;
		std::exception_ptr mysql_failure;
		std::thread mysql_thread([&] {
			try {
				my = mysql_.query(mysql_sql);
				if (ranged_ && upper)
					next = next_bound(upper);
			} catch (...) {
				mysql_failure = std::current_exception();
			}
		});
		int64 pg_rows = 0;
		uint64 pg_sum = 0;
		try {
			for (SqlRow &row : pg_query(core::pg_range_values(layout_, lower.has_value(), upper.has_value()),
										core::pg_bound_params(lower, upper))) {
				canonical_json(row);
				pg_sum += core::row_crc32(core::row_hash_text(row));
				pg_rows++;
			}
		} catch (...) {
			mysql_thread.join();
			throw;
		}
		mysql_thread.join();
		if (mysql_failure)
			std::rethrow_exception(mysql_failure);
		result_.ranges++;
		int64 rows = std::stoll(my.at(0).at(0).value_or("0"));
		result_.rows_mysql += rows;
		throttle_.rows_read(rows);
		result_.rows_pg += pg_rows;
		if (rows != pg_rows || std::stoull(my[0][1].value_or("0")) != pg_sum) {
			result_.ranges_different++;
			find_rows(lower, upper);
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
				caught_up = wait_until_replayed(source_, current_master_target(config_), deadline);
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
	std::vector<size_t> json_columns_;
	TableResult result_;
	std::string mismatch_json_ = "[";
};

} // namespace

} // namespace chameleon::pg

using namespace chameleon;

// fn_verify_tables(source text, tables jsonb): tables is a JSON array of MySQL [schema, table]
// pairs or JSON null for every table. Returns the run's number in t_verification.
CHAMELEON_FUNCTION(chameleon_verify_tables) {
	std::string name = pg::text_argument(fcinfo, 0, "name");
	std::string tables = pg::jsonb_argument(fcinfo, 1, "tables");
	if (pg::pg_call([] { return IsolationUsesXactSnapshot(); }))
		throw Error(
			sqlstate::object_not_in_prerequisite_state, "verify_tables needs a transaction in READ COMMITTED",
			"It reads the replica again after it has caught up, which a transaction snapshot would hide.",
			"Call it outside an explicit transaction, or in one at READ COMMITTED.");
	config::SourceConfig config = pg::source_config(name);
	std::string source_id, run;
	Oid owner = InvalidOid;
	bool replicating = false;
	std::vector<std::pair<std::string, std::string>> layouts; // MySQL name, layout JSON
	pg::with_spi([&] {
		std::vector<pg::SqlRow> rows =
			pg::catalogue_query("SELECT i_id_source::text, rol_owner::oid::text, enm_status = 'running', "
								"nextval('sch_chameleon.s_verification_run')::text FROM "
								"sch_chameleon.t_sources WHERE t_source = $1",
								{name});
		source_id = *rows.at(0)[0];
		owner = static_cast<Oid>(std::stoul(*rows[0][1]));
		replicating = *rows[0][2] == "t";
		run = *rows[0][3];
		for (pg::SqlRow &row : pg::catalogue_query(
				 "SELECT v_schema_origin || '.' || v_table_name, jsb_layout::text FROM "
				 "sch_chameleon.t_replica_tables "
				 "WHERE i_id_source = $1::bigint AND jsb_layout IS NOT NULL AND ($2::jsonb = 'null' "
				 "OR $2::jsonb @> jsonb_build_array(jsonb_build_array(v_schema_origin, v_table_name))) ORDER "
				 "BY 1",
				 {source_id, tables}))
			layouts.emplace_back(*row[0], *row[1]);
	});
	std::unique_ptr<mysql::Connection> connection;
	if (!layouts.empty()) {
		connection = std::make_unique<mysql::Connection>(mysql::connection_params(config));
		connection->execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = ''");
	}
	pg::Throttle throttle(config.verify_max_rows_per_second);
	for (const auto &entry : layouts) {
		const std::string &mysql_table = entry.first;
		core::TableLayout layout = core::layout_from_json(entry.second);
		pg::SqlValue started;
		pg::with_spi([&] { started = pg::spi_value("SELECT clock_timestamp()::text"); });
		pg::TableResult result;
		if (layout.key.empty())
			result.state = "not verified: no key";
		else
			result = pg::TableVerifier(name, config, *connection, owner, replicating, layout, throttle).run();
		pg::with_spi([&] {
			pg::catalogue_exec("DELETE FROM sch_chameleon.t_verification WHERE i_id_source = $1::bigint AND "
							   "v_mysql_table = $2",
							   {source_id, mysql_table});
			pg::catalogue_exec("INSERT INTO sch_chameleon.t_verification (i_id_source, i_run, v_mysql_table, "
							   "v_pg_table, t_state, "
							   "i_rows_mysql, i_rows_pg, i_ranges, i_ranges_different, i_mismatching_rows, "
							   "i_unsettled_rows, "
							   "jsb_mismatches, ts_started, ts_finished) VALUES ($1::bigint, $2::bigint, $3, "
							   "$4, $5, $6::bigint, "
							   "$7::bigint, $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::jsonb, "
							   "$13::timestamptz, clock_timestamp())",
							   {source_id, run, mysql_table,
								layout.destination_schema + "." + layout.destination_table, result.state,
								std::to_string(result.rows_mysql), std::to_string(result.rows_pg),
								std::to_string(result.ranges), std::to_string(result.ranges_different),
								std::to_string(result.mismatching), std::to_string(result.unsettled),
								result.mismatches, *started});
		});
	}
	PG_RETURN_INT64(std::stoll(run));
}
