// The statement apply of the replay: a MySQL statement of the log is parsed, translated with the
// table layouts of the catalogue and run at its place in the stream, and the layout changes it
// makes are stored in the same transaction, so that the rows events after it use the new layout.
#include "pg/replay_state.hpp"

#include "pg/boundary.hpp"
#include "pg/catalogue_tables.hpp"
#include "pg/citus.hpp"
#include "pg/recopy.hpp"
#include "pg/rights.hpp"

#include "common/error.hpp"
#include "core/table_filter.hpp"
#include "ddl/lexer.hpp"
#include "ddl/parser.hpp"
#include "ddl/translator.hpp"
#include "mysql/connection.hpp"

namespace chameleon::pg {

namespace {

ddl::TranslatorContext
translator_context(ReplayContext &replay, const LogEvent &event) {
	ddl::TranslatorContext context;
	const config::SourceConfig &config = replay.source().config;
	for (const auto &[origin, destination] : config.schema_mappings)
		context.schema_mappings[origin] = destination;
	for (const config::TypeOverride &override : config.type_override)
		context.type_overrides.push_back({override.column_type, override.override_to, override.tables});
	context.postgis_available =
		spi_value("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") != "0";
	context.zero_dates = config.zero_dates;
	mysql::ServerVersion version = mysql::parse_server_version(replay.decoder().format().server_version);
	context.column_type_style = version.flavour == mysql::Flavour::mysql && version.at_least(8, 0, 19)
									? ddl::ColumnTypeStyle::mysql80
									: ddl::ColumnTypeStyle::legacy;
	context.layout = [&replay, &event](const std::string &schema,
									   const std::string &table) -> std::optional<core::TableLayout> {
		TableState *found = replay.find(schema, table);
		// a copy taken after the statement has its effect already (sync_tables, re-copies)
		if (found == nullptr || before_point(event.file, event.position, *found))
			return std::nullopt;
		return found->layout;
	};
	auto filter = std::make_shared<core::TableFilter>(config::table_filter(config));
	context.replicates = [filter](const std::string &schema, const std::string &table) {
		return filter->replicates_table(schema, table);
	};
	return context;
}

// The catalogue follows a layout change of the translated statement.
void
store_layout_change(int64_t source_id, const ddl::LayoutChange &change) {
	switch (change.kind) {
	case ddl::LayoutChange::Kind::create:
		register_created_table(source_id, *change.layout);
		return;
	case ddl::LayoutChange::Kind::replace:
	case ddl::LayoutChange::Kind::rename:
		change_table_layout(source_id, change.table.schema, change.table.table, *change.layout);
		return;
	case ddl::LayoutChange::Kind::drop:
		unregister_table(source_id, change.table.schema, change.table.table);
		return;
	}
}

// A table that entered replication without its rows (renamed in from an unreplicated table, or a
// keyless table that got a key) waits, disabled, for chameleon.sync_tables.
void
mark_needs_copy(int64_t source_id, const ddl::TableRef &table, const std::string &statement) {
	std::string reason = "its rows are not in PostgreSQL after: " + statement.substr(0, 200) +
						 "; copy it with chameleon.sync_tables()";
	if (!disable_table(source_id, table.schema, table.table, reason))
		register_uncopied_table(source_id, table.schema, table.table, reason);
}

// A statement that cannot be mirrored: its tables are disabled (or the source stops).
void
statement_failed(ReplayContext &context, const LogEvent &event, const std::vector<ddl::TableRef> &tables,
				 const std::string &message, const std::string &state = sqlstate::feature_not_supported) {
	TableError failure{message, state, event.statement, ""};
	TableState none;
	if (tables.empty()) {
		context.table_failed(event, none, failure);
		return;
	}
	for (const ddl::TableRef &ref : tables) {
		LogEvent about = event;
		about.schema = ref.schema;
		about.table = ref.table;
		TableState *found = context.find(ref.schema, ref.table);
		context.table_failed(about, found == nullptr ? none : *found, failure);
	}
}

} // namespace

bool
apply_statement(ReplayContext &context, const LogEvent &event) {
	std::vector<ddl::Statement> statements;
	try {
		statements = ddl::parse(event.statement);
	} catch (const ddl::ParseError &error) {
		statement_failed(context, event, {},
						 std::string("the statement could not be parsed: ") + error.what());
		return false;
	}
	const ReplicationSource &source = context.source();
	ddl::Translator translator(translator_context(context, event));
	bool commit_now = false;
	for (const ddl::Statement &statement : statements) {
		if (std::holds_alternative<ddl::Unsupported>(statement))
			continue;
		ddl::Translation translation = translator.translate(statement, event.schema, event.statement_time);
		if (translation.ignored)
			continue;
		if (translation.error) {
			statement_failed(context, event, translation.error->tables,
							 translation.error->message + ". " + translation.error->hint);
			continue;
		}
		std::string error, state;
		bool ok = run_subtransaction(
			[&] {
				for (const std::string &sql : translation.statements)
					spi_exec(sql);
				for (const ddl::LayoutChange &change : translation.layout_changes) {
					store_layout_change(source.id, change);
					if (change.kind == ddl::LayoutChange::Kind::create) // a new table of a Citus rule
						citus::distribute(source.config, *change.layout, change.layout->destination_schema);
				}
				for (const ddl::TableRef &table : translation.needs_copy)
					mark_needs_copy(source.id, table, event.statement);
				for (const ddl::Recopy &recopy : translation.recopy)
					request_recopy(source.id, recopy);
			},
			&error, &state);
		// a table copied again needs none of the statement's work: its copy replaces it
		if (!ok && !translation.recopy.empty() &&
			run_subtransaction(
				[&] {
					for (const ddl::Recopy &recopy : translation.recopy)
						request_recopy(source.id, recopy);
				},
				&error, &state))
			ok = true;
		if (!ok) {
			std::vector<ddl::TableRef> affected;
			for (const ddl::LayoutChange &change : translation.layout_changes)
				affected.push_back(change.table);
			statement_failed(context, event, affected, error, state);
			continue;
		}
		for (const std::string &notice : translation.notices) {
			std::string text = "replay of source \"" + source.name + "\": " + notice;
			pg_call([&] { ereport(LOG, (errmsg_internal("%s", text.c_str()))); });
		}
		commit_now = commit_now || translation.commit_after;
		context.tables_changed(); // layouts changed: reload them (and their plans) for what follows
		context.load_tables();
	}
	return commit_now;
}

} // namespace chameleon::pg
