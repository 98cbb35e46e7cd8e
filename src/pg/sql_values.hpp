// Conversions between SQL arguments/results and C++ values for the SQL-callable functions,
// each going through pg_call so that C++ frames that own resources are never longjmp'ed over.
#pragma once

#include "pg/pg_headers.hpp"

#include <string>

namespace chameleon::pg {

// Throws chameleon::Error null_value_not_allowed ("argument "name" must not be null", with a
// detail and a hint for the names of the API) when argument `number` is NULL. Every argument
// getter below calls it: a function declared STRICT never sees a NULL, but one called directly
// (or declared CALLED ON NULL INPUT) must not read a NULL Datum.
void require_argument(FunctionCallInfo fcinfo, int number, const char *name);

std::string text_argument(FunctionCallInfo fcinfo, int number, const char *name);
std::string jsonb_argument(FunctionCallInfo fcinfo, int number, const char *name);
bool bool_argument(FunctionCallInfo fcinfo, int number, const char *name);
int64 int64_argument(FunctionCallInfo fcinfo, int number, const char *name);
Interval *interval_argument(FunctionCallInfo fcinfo, int number, const char *name);
Datum text_datum(const std::string &text);
Datum jsonb_datum(const std::string &json);

// The tuple store of a materialised set-returning function, filled row by row.
class ResultSet {
  public:
	explicit ResultSet(FunctionCallInfo fcinfo);
	void add(Datum *values, bool *nulls);

  private:
	ReturnSetInfo *info_;
};

} // namespace chameleon::pg
