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

// A PostgreSQL error caught by pg_call, travelling through C++ frames. It owns a copy of every
// field in C++ memory: the memory context the error was raised in (an SPI procedure's, a
// transaction's) may be freed before the error is reported, so nothing here points into it.
class PgError : public std::exception {
  public:
	struct Fields {
		int elevel = 0;
		int sqlerrcode = 0;
		int saved_errno = 0;
		int cursorpos = 0;
		int internalpos = 0;
		const char *filename = nullptr; // string constants of the server binary, never freed
		int lineno = 0;
		const char *funcname = nullptr;
		const char *domain = nullptr;
		const char *context_domain = nullptr;
		std::string message, detail, detail_log, hint, context, schema_name, table_name, column_name,
			datatype_name, constraint_name, internalquery;
	};

	explicit PgError(Fields fields) : fields_(std::move(fields)) {}
	const char *what() const noexcept override {
		return fields_.message.empty() ? "postgresql error" : fields_.message.c_str();
	}
	int sqlerrcode() const { return fields_.sqlerrcode; }
	const Fields &fields() const { return fields_; }

  private:
	Fields fields_;
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
	ErrorData *pg_error = nullptr; // a PgError, copied into the current memory context: rethrown as it was
	int sqlerrcode = 0;
	char *message = nullptr;
	char *detail = nullptr;
	char *hint = nullptr;
	bool from_postgres = false; // raised by PostgreSQL (a PgError), not by the C++ side
};

// Called inside a catch (...) handler: classifies the exception in flight.
void capture_current_exception(CapturedError &out) noexcept;
[[noreturn]] void raise_captured(const CapturedError &error, const char *function_name);
// Moves what a captured error holds into TopMemoryContext, so that it survives the abort of the
// transaction it was raised in (background workers record the error after that abort).
void keep_captured(CapturedError &error);

// Throws chameleon::Error unless the library was loaded through shared_preload_libraries: loaded
// later (by CREATE EXTENSION on a Citus worker node) it has no shared memory and no launcher.
void require_preloaded();

template <typename Body>
Datum
invoke_guarded(const char *function_name, Body body, FunctionCallInfo fcinfo) {
	CapturedError error;
	try {
		require_preloaded();
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
