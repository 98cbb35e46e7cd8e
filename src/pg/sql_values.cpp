// Conversions between SQL arguments/results and C++ values (see sql_values.hpp).
#include "pg/sql_values.hpp"

#include "pg/boundary.hpp"

#include "common/error.hpp"

#include <cstring>

namespace chameleon::pg {

namespace {

struct NullArgumentText {
	const char *name;
	const char *detail;
	const char *hint;
};

// The same words as sch_chameleon.fn_require_arguments, which checks the arguments of the
// PL/pgSQL API functions.
const NullArgumentText null_argument_texts[] = {
	{"name", "NULL does not name a source.",
	 "Give the name of a source; SELECT source FROM chameleon.sources; lists them."},
	{"config", "NULL is not a configuration.", "Give the YAML configuration as text."},
	{"wait", "NULL is neither true nor false.",
	 "Give wait => true to wait until the copy is done, or leave it out to return at once."},
	{"timeout", "NULL is not a duration.",
	 "Give an interval such as '5 min', or leave it out for the default."},
	{"path", "NULL is not a file name.",
	 "Give the absolute path of a binlog file readable by the database server's user."},
	{"start_position", "NULL is not a position.",
	 "Give the position of the first event to show, or leave it out to start at the beginning of the "
	 "file."},
};

} // namespace

void
require_argument(FunctionCallInfo fcinfo, int number, const char *name) {
	if (number < fcinfo->nargs && !PG_ARGISNULL(number))
		return;
	std::string detail = "NULL stands for no value here.";
	std::string hint = std::string("Give a value for \"") + name + "\".";
	for (const NullArgumentText &text : null_argument_texts)
		if (strcmp(text.name, name) == 0) {
			detail = text.detail;
			hint = text.hint;
		}
	throw Error(sqlstate::null_value_not_allowed, std::string("argument \"") + name + "\" must not be null",
				detail, hint);
}

std::string
text_argument(FunctionCallInfo fcinfo, int number, const char *name) {
	require_argument(fcinfo, number, name);
	char *value = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(number)); });
	std::string copy(value);
	pfree(value);
	return copy;
}

std::string
jsonb_argument(FunctionCallInfo fcinfo, int number, const char *name) {
	require_argument(fcinfo, number, name);
	char *value = pg_call([&] {
		Jsonb *jsonb = PG_GETARG_JSONB_P(number);
		return JsonbToCString(nullptr, &jsonb->root, VARSIZE(jsonb));
	});
	std::string copy(value);
	pfree(value);
	return copy;
}

bool
bool_argument(FunctionCallInfo fcinfo, int number, const char *name) {
	require_argument(fcinfo, number, name);
	return PG_GETARG_BOOL(number);
}

int64
int64_argument(FunctionCallInfo fcinfo, int number, const char *name) {
	require_argument(fcinfo, number, name);
	return PG_GETARG_INT64(number);
}

Interval *
interval_argument(FunctionCallInfo fcinfo, int number, const char *name) {
	require_argument(fcinfo, number, name);
	return PG_GETARG_INTERVAL_P(number);
}

Datum
text_datum(const std::string &text) {
	return pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(text.data(), text.size())); });
}

Datum
jsonb_datum(const std::string &json) {
	return pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}

ResultSet::ResultSet(FunctionCallInfo fcinfo) : info_(reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo)) {
	pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
}

void
ResultSet::add(Datum *values, bool *nulls) {
	pg_call([&] { tuplestore_putvalues(info_->setResult, info_->setDesc, values, nulls); });
}

} // namespace chameleon::pg
