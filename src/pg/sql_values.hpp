// Conversions between SQL arguments/results and C++ values for the SQL-callable functions,
// each going through pg_call so that C++ frames that own resources are never longjmp'ed over.
#pragma once

#include "pg/pg_headers.hpp"

#include <string>

namespace chameleon::pg {

std::string text_argument(FunctionCallInfo fcinfo, int number);
std::string jsonb_argument(FunctionCallInfo fcinfo, int number);
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
