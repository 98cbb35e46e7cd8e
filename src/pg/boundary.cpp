// The C++ / PostgreSQL firewall: converting C++ exceptions into ereport and PostgreSQL
// errors into C++ exceptions (see boundary.hpp).
#include "pg/boundary.hpp"

#include "common/error.hpp"
#include "binlog/decode_error.hpp"
#include "config/source_config.hpp"
#include "pg/worker_slots.hpp"

#include <cstring>
#include <new>

namespace chameleon::pg {

namespace {

std::string
owned(const char *text) {
	return text ? std::string(text) : std::string();
}

} // namespace

void
throw_pg_error(MemoryContext caller_context) {
	MemoryContextSwitchTo(caller_context);
	ErrorData *data = CopyErrorData();
	FlushErrorState();
	PgError::Fields fields;
	fields.elevel = data->elevel;
	fields.sqlerrcode = data->sqlerrcode;
	fields.saved_errno = data->saved_errno;
	fields.cursorpos = data->cursorpos;
	fields.internalpos = data->internalpos;
	fields.filename = data->filename;
	fields.lineno = data->lineno;
	fields.funcname = data->funcname;
	fields.domain = data->domain;
	fields.context_domain = data->context_domain;
	fields.message = owned(data->message);
	fields.detail = owned(data->detail);
	fields.detail_log = owned(data->detail_log);
	fields.hint = owned(data->hint);
	fields.context = owned(data->context);
	fields.schema_name = owned(data->schema_name);
	fields.table_name = owned(data->table_name);
	fields.column_name = owned(data->column_name);
	fields.datatype_name = owned(data->datatype_name);
	fields.constraint_name = owned(data->constraint_name);
	fields.internalquery = owned(data->internalquery);
	FreeErrorData(data);
	throw PgError(std::move(fields));
}

namespace {

// Copies a string into PostgreSQL memory without raising an error when memory is short:
// this runs inside a C++ handler, where a longjmp must not happen.
char *
copy_text(const char *text) noexcept {
	if (text == nullptr || *text == '\0')
		return nullptr;
	size_t length = strlen(text);
	char *copy = static_cast<char *>(palloc_extended(length + 1, MCXT_ALLOC_NO_OOM));
	if (copy == nullptr)
		return nullptr;
	memcpy(copy, text, length + 1);
	return copy;
}

// An ErrorData in the current memory context holding a copy of a PgError's fields, or nullptr
// when memory is short; allocations cannot raise (this runs inside a C++ handler).
ErrorData *
copy_error_data(const PgError::Fields &fields) noexcept {
	auto *data =
		static_cast<ErrorData *>(palloc_extended(sizeof(ErrorData), MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO));
	if (data == nullptr)
		return nullptr;
	data->elevel = ERROR;
	data->output_to_server = true;
	data->output_to_client = true;
	data->sqlerrcode = fields.sqlerrcode;
	data->saved_errno = fields.saved_errno;
	data->cursorpos = fields.cursorpos;
	data->internalpos = fields.internalpos;
	data->filename = fields.filename;
	data->lineno = fields.lineno;
	data->funcname = fields.funcname;
	data->domain = fields.domain;
	data->context_domain = fields.context_domain;
	data->message = copy_text(fields.message.c_str());
	data->detail = copy_text(fields.detail.c_str());
	data->detail_log = copy_text(fields.detail_log.c_str());
	data->hint = copy_text(fields.hint.c_str());
	data->context = copy_text(fields.context.c_str());
	data->schema_name = copy_text(fields.schema_name.c_str());
	data->table_name = copy_text(fields.table_name.c_str());
	data->column_name = copy_text(fields.column_name.c_str());
	data->datatype_name = copy_text(fields.datatype_name.c_str());
	data->constraint_name = copy_text(fields.constraint_name.c_str());
	data->internalquery = copy_text(fields.internalquery.c_str());
	return data;
}

int
errcode_from_sqlstate(const char *state) noexcept {
	if (state == nullptr || strlen(state) != 5)
		return ERRCODE_INTERNAL_ERROR;
	return MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
}

} // namespace

void
require_preloaded() {
	if (shared_state() == nullptr)
		throw Error(
			sqlstate::object_not_in_prerequisite_state,
			"pg_chameleon is not loaded through \"shared_preload_libraries\" on this server",
			"Without it the extension has its catalogue only: no shared memory and no background "
			"workers (a Citus worker node, where the coordinator created the extension, needs no more).",
			"Add pg_chameleon to \"shared_preload_libraries\" in postgresql.conf and restart the server to "
			"replicate into this server.");
}

void
capture_current_exception(CapturedError &out) noexcept {
	try {
		throw;
	} catch (const PgError &error) {
		out.from_postgres = true;
		out.pg_error = copy_error_data(error.fields());
		if (out.pg_error == nullptr) {
			out.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
			out.message = copy_text("out of memory");
		}
	} catch (const Error &error) {
		out.sqlerrcode = errcode_from_sqlstate(error.sqlstate);
		out.message = copy_text(error.what());
		out.detail = copy_text(error.detail.c_str());
		out.hint = copy_text(error.hint.c_str());
	} catch (const config::ConfigError &error) {
		out.sqlerrcode = ERRCODE_INVALID_PARAMETER_VALUE;
		out.message = copy_text(error.what());
		out.hint = copy_text(error.hint.c_str());
	} catch (const binlog::DecodeError &error) {
		out.sqlerrcode = ERRCODE_DATA_CORRUPTED;
		out.message = copy_text(error.what());
	} catch (const std::bad_alloc &) {
		out.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
		out.message = copy_text("out of memory");
	} catch (const std::exception &error) {
		out.sqlerrcode = ERRCODE_INTERNAL_ERROR;
		out.message = copy_text(error.what());
	} catch (...) {
		out.sqlerrcode = ERRCODE_INTERNAL_ERROR;
		out.message = copy_text("unknown c++ exception");
	}
}

void
keep_captured(CapturedError &error) {
	auto keep = [](const char *text) { return text ? MemoryContextStrdup(TopMemoryContext, text) : nullptr; };
	if (error.pg_error != nullptr) {
		ErrorData *data = error.pg_error;
		error.sqlerrcode = data->sqlerrcode;
		error.message = keep(data->message);
		error.detail = keep(data->detail);
		error.hint = keep(data->hint);
		error.pg_error = nullptr;
		return;
	}
	error.message = keep(error.message);
	error.detail = keep(error.detail);
	error.hint = keep(error.hint);
}

void
raise_captured(const CapturedError &error, const char *function_name) {
	if (error.pg_error != nullptr)
		ReThrowError(error.pg_error);
	ereport(ERROR, (errcode(error.sqlerrcode),
					errmsg_internal("%s", error.message ? error.message : "error without a message"),
					error.detail ? errdetail_internal("%s", error.detail) : 0,
					error.hint ? errhint("%s", error.hint) : 0,
					error.sqlerrcode == ERRCODE_INTERNAL_ERROR
						? errcontext("pg_chameleon function %s", function_name)
						: 0));
	pg_unreachable();
}

} // namespace chameleon::pg
