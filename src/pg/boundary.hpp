// The C++ / PostgreSQL firewall. Two tools, used everywhere in src/pg:
//  - CHAMELEON_FUNCTION(name) defines a SQL-callable function whose body runs inside a
//    guard: any C++ exception leaving the body becomes an ereport(ERROR) raised only after
//    every C++ frame of the body has been unwound (destructors done).
//  - pg_call(f) runs code that calls into PostgreSQL from C++ that owns resources: an
//    ereport(ERROR) inside it is caught with PG_TRY and rethrown as a PgError exception, so
//    no longjmp crosses a C++ destructor. The callable must itself own nothing with a
//    destructor (plain PostgreSQL calls only).
#pragma once

#include "pg/pg_headers.hpp"

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

namespace chameleon::pg {

// A PostgreSQL error caught by pg_call, travelling through C++ frames.
class PgError : public std::exception {
  public:
	explicit PgError(ErrorData *data) : data_(data) {}
	const char *what() const noexcept override {
		return data_ && data_->message ? data_->message : "postgresql error";
	}
	ErrorData *data() const { return data_; }

  private:
	ErrorData *data_;
};

[[noreturn]] void throw_pg_error(MemoryContext caller_context);

template <typename Func>
auto
pg_call(Func &&func) -> decltype(func()) {
	using Result = decltype(func());
	static_assert(std::is_void_v<Result> || std::is_scalar_v<Result>, "pg_call returns only scalar values");
	MemoryContext caller_context = CurrentMemoryContext;
	bool volatile failed = false;
	if constexpr (std::is_void_v<Result>) {
		PG_TRY();
		{ func(); }
		PG_CATCH();
		{ failed = true; }
		PG_END_TRY();
		if (failed)
			throw_pg_error(caller_context);
	} else {
		Result volatile result{};
		PG_TRY();
		{ result = func(); }
		PG_CATCH();
		{ failed = true; }
		PG_END_TRY();
		if (failed)
			throw_pg_error(caller_context);
		return result;
	}
}

// What an exception carried, copied into PostgreSQL memory so that it can be reported
// after the C++ handler has ended.
struct CapturedError {
	ErrorData *pg_error = nullptr; // a PgError: rethrown as it was
	int sqlerrcode = 0;
	char *message = nullptr;
	char *detail = nullptr;
	char *hint = nullptr;
};

// Called inside a catch (...) handler: classifies the exception in flight.
void capture_current_exception(CapturedError &out) noexcept;
[[noreturn]] void raise_captured(const CapturedError &error, const char *function_name);
// Moves what a captured error holds into TopMemoryContext, so that it survives the abort of the
// transaction it was raised in (background workers record the error after that abort).
void keep_captured(CapturedError &error);

template <typename Body>
Datum
invoke_guarded(const char *function_name, Body body, FunctionCallInfo fcinfo) {
	CapturedError error;
	try {
		return body(fcinfo);
	} catch (...) {
		capture_current_exception(error);
	}
	raise_captured(error, function_name);
}

} // namespace chameleon::pg

#define CHAMELEON_FUNCTION(name)                                                                             \
	static Datum name##_body(FunctionCallInfo fcinfo);                                                       \
	extern "C" {                                                                                             \
	PG_FUNCTION_INFO_V1(name);                                                                               \
	}                                                                                                        \
	Datum name(PG_FUNCTION_ARGS) {                                                                           \
		return chameleon::pg::invoke_guarded(#name, name##_body, fcinfo);                                    \
	}                                                                                                        \
	static Datum name##_body(FunctionCallInfo fcinfo)
