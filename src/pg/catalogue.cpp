// Sources in the catalogue (see catalogue.hpp): finding and loading them, and their status.
#include "pg/catalogue.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"
#include "pg/sql_values.hpp"

#include "common/error.hpp"

namespace chameleon::pg {

namespace {

Error
no_such_source(const std::string &name) {
	return Error(sqlstate::undefined_object, "source \"" + name + "\" does not exist", "",
				 "List the sources with: SELECT source FROM chameleon.sources;");
}

Error
source_gone(int64 source_id) {
	return Error(sqlstate::undefined_object, "source " + std::to_string(source_id) + " no longer exists", "",
				 "It was dropped while this worked on it: nothing is left to do for it.");
}

Source
source_from_row(const SqlRow &row) {
	Source source;
	source.id = std::stoll(*row[0]);
	source.name = *row[1];
	source.owner = static_cast<Oid>(std::stoul(*row[2]));
	source.config = config::parse_source(*row[3]);
	source.password_required = row[4] == "t";
	return source;
}

const char *const source_columns =
	"SELECT i_id_source, t_source, rol_owner::oid, jsb_config::text, b_password_required "
	"FROM sch_chameleon.t_sources ";

} // namespace

int64
find_source(const std::string &name, Oid *owner) {
	std::vector<SqlRow> rows = catalogue_query(
		"SELECT i_id_source, rol_owner::oid FROM sch_chameleon.t_sources WHERE t_source = $1", {name});
	if (rows.empty())
		throw no_such_source(name);
	if (owner)
		*owner = static_cast<Oid>(std::stoul(*rows[0][1]));
	return std::stoll(*rows[0][0]);
}

Source
load_source(int64 source_id) {
	std::vector<SqlRow> rows =
		catalogue_query(std::string(source_columns) + "WHERE i_id_source = $1", {source_id});
	if (rows.empty())
		throw source_gone(source_id);
	return source_from_row(rows[0]);
}

Source
load_source(const std::string &name) {
	std::vector<SqlRow> rows = catalogue_query(std::string(source_columns) + "WHERE t_source = $1", {name});
	if (rows.empty())
		throw no_such_source(name);
	return source_from_row(rows[0]);
}

Oid
source_owner(int64 source_id) {
	SqlValue owner = catalogue_value(
		"SELECT rol_owner::oid FROM sch_chameleon.t_sources WHERE i_id_source = $1", {source_id});
	if (!owner)
		throw source_gone(source_id);
	return static_cast<Oid>(std::stoul(*owner));
}

std::optional<core::SourceStatus>
change_source_status(int64 source_id, core::StatusChange change, const std::string &reason,
					 std::optional<core::SourceStatus> back_to) {
	SqlValue current = catalogue_value(
		"SELECT enm_status::text FROM sch_chameleon.t_sources WHERE i_id_source = $1 FOR UPDATE",
		{source_id});
	if (!current)
		throw source_gone(source_id);
	std::optional<core::SourceStatus> before = core::parse_status(*current);
	if (!before)
		throw Error(sqlstate::internal_error,
					"source " + std::to_string(source_id) + " has an unknown status \"" + *current + "\"");
	std::optional<core::SourceStatus> after = core::next_status(*before, change, back_to);
	if (!after)
		return std::nullopt;
	const std::optional<bool> &run_requested = core::status_rule(change).run_requested;
	catalogue_exec("UPDATE sch_chameleon.t_sources SET enm_status = $2, "
				   "t_status_reason = nullif($3, ''), ts_status_changed = clock_timestamp(), "
				   "b_run_requested = CASE WHEN $4 THEN $5 ELSE b_run_requested END WHERE i_id_source = $1",
				   {source_id,
					SqlParam::typed("sch_chameleon.en_src_status", std::string(core::status_name(*after))),
					reason, run_requested.has_value(), run_requested.value_or(false)});
	return before;
}

} // namespace chameleon::pg

using namespace chameleon;

// sch_chameleon.fn_change_source_status(source_id bigint, change text, reason text, to text): how
// the plpgsql functions change a status; `to` is the target of init_stopped and imported, '' for the
// other changes. Returns the status before, or NULL when the change does not apply from the current
// status.
CHAMELEON_FUNCTION(chameleon_change_source_status) {
	int64 source_id = pg::int64_argument(fcinfo, 0, "source_id");
	std::string change_text = pg::text_argument(fcinfo, 1, "change");
	std::string reason = pg::text_argument(fcinfo, 2, "reason");
	std::string to_text = pg::text_argument(fcinfo, 3, "to");
	std::optional<core::StatusChange> change = core::parse_change(change_text);
	if (!change)
		throw Error(sqlstate::invalid_parameter_value, "unknown status change \"" + change_text + "\"");
	std::optional<core::SourceStatus> to;
	if (!to_text.empty() && !(to = core::parse_status(to_text)))
		throw Error(sqlstate::invalid_parameter_value, "unknown source status \"" + to_text + "\"");
	std::optional<core::SourceStatus> before;
	pg::with_spi([&] { before = pg::change_source_status(source_id, *change, reason, to); });
	if (!before)
		PG_RETURN_NULL();
	std::string name(core::status_name(*before));
	PG_RETURN_DATUM(pg::text_datum(name));
}
