// The reader worker of a source: streams the MySQL binlog from the stored position, keeps the
// row events of replicated tables (and the statements of mapped schemas) in the source's log
// storage, and commits them in batches together with the position after them, so that after
// any crash it resumes exactly where the last committed batch ends. A batch always ends at a
// MySQL transaction boundary and never spans two binlog files.
#include "pg/replication.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue_batches.hpp"
#include "pg/log_writer.hpp"
#include "pg/maintenance.hpp"
#include "pg/rights.hpp"

#include "binlog/decode_error.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_type.hpp"
#include "binlog/gtid_set.hpp"
#include "common/error.hpp"
#include "core/table_filter.hpp"
#include "mysql/binlog_stream.hpp"
#include "mysql/source_params.hpp"

#include <chrono>
#include <map>
#include <variant>

namespace chameleon::pg {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto batch_max_age = std::chrono::milliseconds(200); // lag bound while events keep coming
constexpr int idle_heartbeat_ms = 100;
constexpr int idle_batch_wait_ms = 10; // a stream silent for this long at a transaction boundary is idle

core::LogRecordKind
record_kind(binlog::RowsKind kind) {
	switch (kind) {
	case binlog::RowsKind::write:
		return core::LogRecordKind::insert;
	case binlog::RowsKind::update:
		return core::LogRecordKind::update;
	case binlog::RowsKind::remove:
		return core::LogRecordKind::remove;
	}
	return core::LogRecordKind::insert;
}

core::EventKind
filter_kind(binlog::RowsKind kind) {
	switch (kind) {
	case binlog::RowsKind::write:
		return core::EventKind::Insert;
	case binlog::RowsKind::update:
		return core::EventKind::Update;
	case binlog::RowsKind::remove:
		return core::EventKind::Delete;
	}
	return core::EventKind::Insert;
}

bool
is_statement(std::string_view statement, std::string_view word) {
	if (statement.size() < word.size())
		return false;
	for (size_t i = 0; i < word.size(); i++)
		if (std::toupper(static_cast<unsigned char>(statement[i])) != word[i])
			return false;
	return statement.size() == word.size() || statement[word.size()] == ' ' || statement[word.size()] == ';';
}

// A statement run from another default database may still name a mapped schema
// (CREATE TABLE shop.t ...): such statements are kept for the replay to parse.
bool
mentions_mapped_schema(std::string_view statement, const config::SourceConfig &config) {
	for (const auto &mapping : config.schema_mappings)
		if (statement.find(mapping.first) != std::string_view::npos)
			return true;
	return false;
}

// The open batch: a PostgreSQL transaction holding the events logged since the last commit.
class BatchWriter {
  public:
	explicit BatchWriter(const ReplicationSource &source) : source_(source), log_(source.id) {}

	bool open() const { return transaction_open_; }
	int64_t rows() const { return rows_; }
	Clock::time_point opened_at() const { return opened_at_; }

	void add_rows_event(const binlog::RowsEvent &rows, const std::vector<uint8_t> &table_map,
						const uint8_t *event, size_t size, const mysql::BinlogPosition &start,
						uint32_t event_time, int64_t row_count) {
		begin_batch(start);
		events_++;
		log_.chunks().add_rows(
			events_, record_kind(rows.kind), events_ == transaction_first_event_, start.position,
			static_cast<int64>(event_time) * 1000000, static_cast<uint32_t>(row_count), rows.table->database,
			rows.table->table,
			std::string_view(reinterpret_cast<const char *>(table_map.data()), table_map.size()),
			std::string_view(reinterpret_cast<const char *>(event), size));
		rows_ += row_count;
	}

	// The statement's time keeps its microseconds when the server logged them (the values of NOW()
	// in existing rows depend on it), and its session time zone (doc/ddl.md).
	void add_statement(std::string_view database, const binlog::QueryEvent &query,
					   const mysql::BinlogPosition &start, uint32_t event_time) {
		begin_batch(start);
		events_++;
		log_.chunks().add_statement(events_, start.position,
									static_cast<int64>(event_time) * 1000000 +
										query.status.microseconds.value_or(0),
									database, query.statement, query.status.time_zone);
	}

	// Commits the open batch (if any) with the position after its last transaction; without an
	// open batch, records the position alone (filtered events and heartbeats move it too).
	void commit(const mysql::BinlogPosition &next, const std::string &gtid_set,
				std::optional<uint32_t> event_time, bool caught_up) {
		if (!transaction_open_)
			start_transaction();
		log_.chunks().flush();
		if (batch_id_ != 0)
			close_batch(batch_id_, next, gtid_set, rows_);
		record_received(source_.id, next, gtid_set, server_identity_, event_time, caught_up);
		finish_transaction();
		// The replay sleeps until there is something to replay.
		if (batch_id_ != 0)
			pg_call([&] { wake_worker(source_.id, WorkerRole::replay); });
		batch_id_ = 0;
		events_ = 0;
		rows_ = 0;
	}

	// The events logged from here on belong to one MySQL transaction, until the next mark.
	void mark_transaction_start() {
		transaction_first_event_ = events_ + 1;
		rows_before_transaction_ = rows_;
		log_.chunks().transaction_starts(transaction_first_event_);
	}

	// Whether events of the MySQL transaction being read (since mark_transaction_start) are logged.
	bool transaction_logged() const { return batch_id_ != 0 && events_ >= transaction_first_event_; }

	// Removes the events of the MySQL transaction being read (since mark_transaction_start) from the
	// log: it will never be complete (the server stopped while writing it). Returns how many events
	// were removed.
	int64_t discard_transaction() {
		if (batch_id_ == 0 || events_ < transaction_first_event_)
			return 0;
		int64_t removed = events_ - transaction_first_event_ + 1;
		log_.drop_from(transaction_first_event_);
		events_ = transaction_first_event_ - 1;
		rows_ = rows_before_transaction_;
		if (events_ == 0) {
			delete_batch(batch_id_);
			batch_id_ = 0;
		}
		return removed;
	}

	void abandon() {
		log_.forget();
		segment_ = -1; // a segment started in the rolled-back transaction is gone with it
		if (transaction_open_)
			pg_call([] { AbortCurrentTransaction(); });
		transaction_open_ = false;
		batch_id_ = 0;
		events_ = 0;
		rows_ = 0;
	}

	// A binlog file starts (a batch never spans two): its FORMAT_DESCRIPTION, and the size of the
	// CRC32 its events end with.
	void set_format_description(std::vector<uint8_t> bytes, size_t checksum_size) {
		format_description_ = std::move(bytes);
		log_.chunks().set_checksum_size(checksum_size);
	}
	// The server the positions committed from now on belong to.
	void set_server_identity(const std::string &identity) { server_identity_ = identity; }

  private:
	void start_transaction() {
		pg_call([] {
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			SPI_connect();
			PushActiveSnapshot(GetTransactionSnapshot());
		});
		transaction_open_ = true;
		opened_at_ = Clock::now();
	}

	void finish_transaction() {
		pg_call([] {
			SPI_finish();
			PopActiveSnapshot();
			CommitTransactionCommand();
		});
		transaction_open_ = false;
	}

	void begin_batch(const mysql::BinlogPosition &start) {
		if (!transaction_open_)
			start_transaction();
		if (batch_id_ != 0)
			return;
		use_current_segment();
		batch_id_ = open_batch(source_.id, start, format_description_, segment_);
		log_.use_batch(batch_id_, segment_);
	}

	// A batch opens in the newest log segment of the source; the reader starts a new one when it is
	// older than a quarter of batch_retention (1 s to 1 h), so that retention can drop whole
	// segments (doc/architecture.md, "Log storage and retention").
	void use_current_segment() {
		if (segment_ < 0) {
			std::optional<LogSegment> newest = newest_log_segment(source_.id, source_.config.batch_retention);
			if (!newest)
				throw Error(sqlstate::internal_error, "source \"" + source_.name + "\" has no log segment",
							"", "Add the source again (drop_source, add_source).");
			segment_ = newest->segment;
			segment_span_ = std::chrono::milliseconds(newest->span_ms);
			segment_started_ = Clock::now() - std::chrono::milliseconds(newest->age_ms);
		}
		if (Clock::now() - segment_started_ >= segment_span_) {
			add_log_segment(source_.id, segment_ + 1);
			segment_++;
			segment_started_ = Clock::now();
		}
	}

	const ReplicationSource &source_;
	bool transaction_open_ = false;
	Clock::time_point opened_at_;
	int64_t batch_id_ = 0;
	int64_t segment_ = -1; // -1: read from the catalogue when the next batch opens
	Clock::time_point segment_started_;
	std::chrono::milliseconds segment_span_{0};
	int64_t events_ = 0;
	int64_t rows_ = 0;
	int64_t transaction_first_event_ = 1;
	int64_t rows_before_transaction_ = 0;
	std::vector<uint8_t> format_description_;
	std::string server_identity_;
	LogWriter log_;
};

// The executed GTID set, in the flavour of the server.
class GtidTracker {
  public:
	explicit GtidTracker(const std::string &start) {
		if (start.empty())
			return;
		if (start.find(':') != std::string::npos)
			mysql_ = binlog::MysqlGtidSet::parse(start);
		else
			mariadb_ = binlog::MariadbGtidList::parse(start);
	}

	void begin(const binlog::Event &event) {
		if (const auto *gtid = std::get_if<binlog::MysqlGtidEvent>(&event.body)) {
			if (!gtid->anonymous)
				pending_mysql_ = *gtid;
		} else if (const auto *gtid = std::get_if<binlog::MariadbGtidEvent>(&event.body)) {
			pending_mariadb_ = gtid->gtid;
		}
	}

	// The transaction begun will never commit (its end is not in the binlog).
	void abandon() {
		pending_mysql_.reset();
		pending_mariadb_.reset();
	}

	void commit() {
		if (pending_mysql_) {
			mysql_.add(pending_mysql_->sid, pending_mysql_->tag, pending_mysql_->gno);
			pending_mysql_.reset();
		}
		if (pending_mariadb_) {
			mariadb_.add(*pending_mariadb_);
			pending_mariadb_.reset();
		}
	}

	std::string text() const {
		std::string mysql = mysql_.format();
		return mysql.empty() ? mariadb_.format() : mysql;
	}

  private:
	binlog::MysqlGtidSet mysql_;
	binlog::MariadbGtidList mariadb_;
	std::optional<binlog::MysqlGtidEvent> pending_mysql_;
	std::optional<binlog::MariadbGtid> pending_mariadb_;
};

void
discard_incomplete_transaction(BatchWriter &writer, GtidTracker &gtids, const ReplicationSource &source,
							   const mysql::BinlogPosition &at) {
	int64_t events = writer.discard_transaction();
	gtids.abandon();
	std::string text = "reader of source \"" + source.name +
					   "\" discarded an incomplete MySQL transaction (" + std::to_string(events) +
					   " row events) before " + at.text();
	pg_call([&] {
		ereport(WARNING,
				(errmsg_internal("%s", text.c_str()),
				 errdetail("The binlog file ends inside the transaction: the MySQL server stopped while "
						   "writing it and rolled it back when it restarted.")));
	});
}

// The stored position belongs to the server that wrote it: on another server (a failover behind
// the same address) it names other events, or none. A GTID start is valid on any server that has
// the same GTIDs.
void
check_server_identity(const ReplicationSource &source, const mysql::BinlogStream &stream, bool by_gtid) {
	if (source.server_identity.empty() || source.server_identity == stream.server_identity())
		return;
	if (by_gtid) {
		std::string text = "reader of source \"" + source.name +
						   "\" resumes by GTID on another MySQL server (" + source.server_identity +
						   " before, " + stream.server_identity() + " now)";
		pg_call([&] { ereport(LOG, (errmsg_internal("%s", text.c_str()))); });
		return;
	}
	throw Error(
		sqlstate::object_not_in_prerequisite_state,
		"the MySQL server of source \"" + source.name + "\" is not the server its binlog position belongs to",
		"The position \"" + source.read_position.text() + "\" was read from the server with " +
			source.server_identity + "; the server now answering has " + stream.server_identity() + ".",
		"Binlog positions of one server mean nothing on another. Set \"gtid_enable: true\" with "
		"chameleon.alter_source() to resume by GTID on a server that has the same transactions, or "
		"copy the source again with chameleon.init_replica().");
}

} // namespace

// The stream options of the source: where to resume, how to reconnect.
mysql::StreamOptions
stream_options(const ReplicationSource &source) {
	const config::SourceConfig &config = source.config;
	mysql::StreamOptions options;
	options.connection = mysql::connection_params(config);
	options.server_id = static_cast<uint32_t>(config.my_server_id);
	options.start = source.read_position;
	if (config.gtid_enable && !source.read_gtid.empty())
		options.gtid_start = source.read_gtid;
	options.follow = true;
	// A short heartbeat ends the last batch of a burst soon after the burst (the server sends it
	// only when it has nothing else to send); idle commits stay one per sleep_loop.
	options.heartbeat_ms = idle_heartbeat_ms;
	options.reconnect.max_attempts = config.on_error_read == config::OnError::go_on ? 1000000 : 5;
	options.reconnect.on_retry = [name = source.name](const mysql::RetryNotice &notice) {
		std::string text = "reader of source \"" + name + "\" lost the MySQL connection (" + notice.reason +
						   "); reconnecting to resume at " + notice.resume.text() + ", attempt " +
						   std::to_string(notice.attempt);
		pg_call([&] { ereport(WARNING, (errmsg_internal("%s", text.c_str()))); });
	};
	return options;
}

// One reading of the binlog: the events of the stream go into batches, transaction by transaction.
class StreamReader {
  public:
	StreamReader(const ReplicationSource &source, const mysql::BinlogStream &stream)
		: source_(source), config_(source.config), filter_(config::table_filter(source.config)),
		  gtids_(source.read_gtid), writer_(source), position_(source.read_position), committed_(position_),
		  idle_commit_interval_(std::chrono::seconds(std::max(1, source.config.sleep_loop))),
		  last_idle_commit_(Clock::now() - idle_commit_interval_) {
		decoder_.set_checksum(stream.checksum_crc32() ? binlog::ChecksumAlgorithm::crc32
													  : binlog::ChecksumAlgorithm::off);
		writer_.set_server_identity(stream.server_identity());
	}

	// Reads until stopped or failed; what is not committed is rolled back on a failure. Returns true
	// when a pause is requested, after committing what was read up to the last MySQL transaction
	// boundary.
	bool run(mysql::BinlogStream &stream) {
		try {
			for (;;) {
				check_stop();
				if (!in_transaction_ && pause_requested()) {
					if (writer_.open())
						writer_.commit(committed_, gtids_.text(), last_event_time_, false);
					return true;
				}
				std::optional<mysql::RawEvent> raw = stream.next();
				if (!raw)
					break;
				add(*raw);
				// At a transaction boundary, a batch is committed as soon as the server has nothing
				// more to send, rather than at its next heartbeat: the reader has caught up.
				if (!in_transaction_ && writer_.open() && !stream.input_ready(idle_batch_wait_ms)) {
					writer_.commit(committed_, gtids_.text(), last_event_time_, true);
					last_idle_commit_ = Clock::now();
				}
			}
		} catch (...) {
			writer_.abandon();
			throw;
		}
		return false;
	}

  private:
	void add(const mysql::RawEvent &raw) {
		mysql::BinlogPosition start = position_;
		start.position = raw.next.position >= raw.size ? raw.next.position - raw.size : 0;
		binlog::Event event = decoder_.decode(raw.data, raw.size);
		position_ = raw.next;
		// Lag is measured from the time of the last change read: the FORMAT_DESCRIPTION the
		// server sends first carries the time its file was created, hours ago maybe.
		if (!raw.artificial && event.header.timestamp != 0 &&
			(std::holds_alternative<binlog::RowsEvent>(event.body) ||
			 std::holds_alternative<binlog::QueryEvent>(event.body) ||
			 std::holds_alternative<binlog::XidEvent>(event.body)))
			last_event_time_ = event.header.timestamp;

		switch (raw.type) {
		case binlog::event_type::heartbeat:
		case binlog::event_type::heartbeat_v2:
			// Idle at the end of the binlog: everything read so far is committed, and lag is
			// zero (recorded once per sleep_loop while nothing happens). The server sends a
			// heartbeat once it has sent everything up to the position it names: between
			// transactions, the events since the last one (a new file's FORMAT_DESCRIPTION,
			// GTID_LIST or PREVIOUS_GTIDS, MariaDB's BINLOG_CHECKPOINT) are passed too, and the
			// position moves to the end of the binlog at once (wait_for_catchup compares with it).
			if (!in_transaction_) {
				bool moved = committed_.file != position_.file || committed_.position != position_.position;
				committed_ = position_;
				if (writer_.open() || moved || Clock::now() - last_idle_commit_ >= idle_commit_interval_) {
					writer_.commit(committed_, gtids_.text(), last_event_time_, true);
					last_idle_commit_ = Clock::now();
				}
				// The replay, with nothing to replay, moves its position to this one when woken.
				if (moved)
					pg_call([&] { wake_worker(source_.id, WorkerRole::replay); });
			}
			return;
		case binlog::event_type::rotate:
			// A transaction is never split over two files: one still open here was cut short
			// (the server crashed while writing it, and went on to a new file after its
			// restart). MySQL rolled it back; so does the replica, as MySQL's own replicas do.
			if (in_transaction_)
				discard_incomplete_transaction(writer_, gtids_, source_, start);
			in_transaction_ = false;
			table_maps_.clear();
			if (writer_.open())
				writer_.commit(committed_, gtids_.text(), last_event_time_, false);
			committed_ = position_;
			return;
		case binlog::event_type::format_description:
			writer_.set_format_description(std::vector<uint8_t>(raw.data, raw.data + raw.size),
										   decoder_.event_checksum_size());
			return;
		case binlog::event_type::table_map:
			table_maps_[std::get<binlog::TableMapEvent>(event.body).table->table_id] =
				std::vector<uint8_t>(raw.data, raw.data + raw.size);
			return;
		case binlog::event_type::gtid:
		case binlog::event_type::gtid_tagged:
		case binlog::event_type::mariadb_gtid:
			gtids_.begin(event);
			begin_transaction();
			return;
		case binlog::event_type::xid:
			end_transaction(false);
			return;
		default:
			break;
		}
		if (const auto *query = std::get_if<binlog::QueryEvent>(&event.body))
			add_query(*query, start, event.header.timestamp);
		else if (const auto *rows = std::get_if<binlog::RowsEvent>(&event.body))
			add_rows(*rows, raw, start, event.header.timestamp);
	}

	void add_query(const binlog::QueryEvent &query, const mysql::BinlogPosition &start, uint32_t timestamp) {
		if (is_statement(query.statement, "BEGIN") || is_statement(query.statement, "XA START")) {
			begin_transaction();
			return;
		}
		if (is_statement(query.statement, "COMMIT") || is_statement(query.statement, "XA COMMIT")) {
			end_transaction(false);
			return;
		}
		// Inside a transaction, SAVEPOINT and RELEASE SAVEPOINT change nothing: the transaction goes
		// on, in the same batch.
		if (in_transaction_ &&
			(is_statement(query.statement, "SAVEPOINT") || is_statement(query.statement, "RELEASE")))
			return;
		if (in_transaction_ && is_statement(query.statement, "ROLLBACK TO")) {
			if (writer_.transaction_logged())
				rollback_to_savepoint_kept(start);
			return;
		}
		// Any other statement ends a transaction in MySQL (DDL commits implicitly).
		if (filter_.destination_schema(query.database) || mentions_mapped_schema(query.statement, config_))
			writer_.add_statement(query.database, query, start, timestamp);
		end_transaction(true);
	}

	// MySQL writes ROLLBACK TO SAVEPOINT only when the transaction changed a non-transactional
	// table (otherwise it removes the undone events from the binlog): the rollback keeps those
	// changes and undoes the others, and the binlog does not say which events were which. They stay
	// as logged, and the user is told where.
	void rollback_to_savepoint_kept(const mysql::BinlogPosition &at) {
		std::string text = "reader of source \"" + source_.name +
						   "\" replicates the changes a ROLLBACK TO SAVEPOINT undid at " + at.text();
		pg_call([&] {
			ereport(WARNING,
					(errmsg_internal("%s", text.c_str()),
					 errdetail("The MySQL transaction changed a non-transactional table: the rollback kept "
							   "those changes and undid the changes to transactional tables since the "
							   "savepoint, which the binlog still holds."),
					 errhint("Compare the tables with chameleon.verify_tables() and copy again those that "
							 "differ with chameleon.sync_tables().")));
		});
	}

	void add_rows(const binlog::RowsEvent &rows, const mysql::RawEvent &raw,
				  const mysql::BinlogPosition &start, uint32_t timestamp) {
		// Rows belong to a transaction, even where the server wrote none around them (after a
		// statement that ended the previous one): no batch is committed before its end.
		if (!in_transaction_)
			begin_transaction();
		const binlog::TableMap &table = *rows.table;
		if (!filter_.replicates_table(table.database, table.table) ||
			filter_.skips_event(filter_kind(rows.kind), table.database, table.table))
			return;
		auto map = table_maps_.find(rows.table_id);
		if (map == table_maps_.end())
			throw Error(sqlstate::data_corrupted,
						"rows event at " + start.text() + " has no TABLE_MAP in its transaction");
		// Decoding every row validates the event now, where the position is precise.
		binlog::RowReader reader(rows);
		std::vector<binlog::Value> before, after;
		int64_t count = 0;
		while (reader.next(before, after))
			count++;
		writer_.add_rows_event(rows, map->second, raw.data, raw.size, start, timestamp, count);
	}

	void begin_transaction() {
		if (!in_transaction_)
			writer_.mark_transaction_start();
		in_transaction_ = true;
	}

	// At a transaction boundary the batch is committed when it is due: a statement (force), the
	// batch size reached, or the batch open for batch_max_age.
	void end_transaction(bool force) {
		in_transaction_ = false;
		gtids_.commit();
		table_maps_.clear();
		committed_ = position_;
		bool due = force || writer_.rows() >= config_.replica_batch_size ||
				   (writer_.open() && Clock::now() - writer_.opened_at() >= batch_max_age);
		if (due)
			writer_.commit(committed_, gtids_.text(), last_event_time_, false);
	}

	const ReplicationSource &source_;
	const config::SourceConfig &config_;
	core::TableFilter filter_;
	binlog::Decoder decoder_;
	GtidTracker gtids_;
	BatchWriter writer_;
	std::map<uint64_t, std::vector<uint8_t>> table_maps_; // of the current transaction
	mysql::BinlogPosition position_;
	mysql::BinlogPosition committed_; // the last transaction boundary
	std::optional<uint32_t> last_event_time_;
	bool in_transaction_ = false;
	const Clock::duration idle_commit_interval_;
	Clock::time_point last_idle_commit_;
};

// Reads the binlog from the source's committed position until stopped or failed; true when it
// returns for a pause (the MySQL connection then closes).
bool
read_binlog(const ReplicationSource &source) {
	mysql::StreamOptions options = stream_options(source);
	set_slot_state(my_slot(), "connecting");
	mysql::BinlogStream stream(options);
	check_server_identity(source, stream, !options.gtid_start.empty());
	StreamReader reader(source, stream);
	set_slot_state(my_slot(), "streaming");
	return reader.run(stream);
}

void
run_reader(const WorkerArgs &args) {
	// The reader runs no user code and writes only the catalogue: its session search path is the one
	// catalogue statements use, which spares CatalogueRights a setting change for every event logged.
	pg_call([] { SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION); });
	load_pause_state(args.source_id);
	for (;;) {
		wait_while_paused("connecting");
		ReplicationSource source = load_replication_source(args.source_id);
		try {
			if (!read_binlog(source))
				return;
		} catch (const mysql::ServerChanged &change) {
			// A failover behind the same address: what was read from the old server and not committed
			// is gone with the rolled-back batch; by GTID the reader starts again, on the new server,
			// right after the last committed transaction.
			if (!source.config.gtid_enable || source.read_gtid.empty())
				throw;
			std::string text = "reader of source \"" + source.name +
							   "\" reached another MySQL server; resuming by GTID after \"" +
							   source.read_gtid + "\"";
			pg_call([&] {
				ereport(LOG, (errmsg_internal("%s", text.c_str()),
							  errdetail_internal("%s", change.detail.c_str())));
			});
		}
	}
}

} // namespace chameleon::pg
