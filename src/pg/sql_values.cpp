// Conversions between SQL arguments/results and C++ values (see sql_values.hpp).
#include "pg/sql_values.hpp"

#include "pg/boundary.hpp"

namespace chameleon::pg {

std::string
text_argument(FunctionCallInfo fcinfo, int number) {
	char *value = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(number)); });
	std::string copy(value);
	pfree(value);
	return copy;
}

std::string
jsonb_argument(FunctionCallInfo fcinfo, int number) {
	char *value = pg_call([&] {
		Jsonb *jsonb = PG_GETARG_JSONB_P(number);
		return JsonbToCString(nullptr, &jsonb->root, VARSIZE(jsonb));
	});
	std::string copy(value);
	pfree(value);
	return copy;
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
