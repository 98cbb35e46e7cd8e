// SQL from C++ inside the server (see spi.hpp).
#include "pg/spi.hpp"

#include "pg/boundary.hpp"
#include "pg/rights.hpp"

#include "common/error.hpp"

#include <stdexcept>

namespace chameleon::pg {

namespace {

// Executes under SPI; returns the number of rows, leaves them in SPI_tuptable.
uint64
execute(const std::string &sql, const std::vector<SqlParam> &params) {
	int count = static_cast<int>(params.size());
	std::vector<Oid> types(count);
	std::vector<Datum> values(count);
	std::vector<char> nulls(count, ' ');
	for (int i = 0; i < count; i++) {
		const SqlParam &param = params[i];
		types[i] = param.type();
		int32 typmod = -1;
		if (types[i] == InvalidOid)
			pg_call([&] { parseTypeString(param.type_name().c_str(), &types[i], &typmod, false); });
		if (param.is_null())
			nulls[i] = 'n';
		else if (param.from_text())
			values[i] = pg_call([&] {
				Oid input = InvalidOid;
				Oid io_param = InvalidOid;
				getTypeInputInfo(types[i], &input, &io_param);
				return OidInputFunctionCall(input, pstrdup(param.text().c_str()), io_param, typmod);
			});
		else if (types[i] == INT8OID)
			values[i] = Int64GetDatum(param.integer());
		else if (types[i] == BOOLOID)
			values[i] = BoolGetDatum(param.boolean());
		else
			values[i] = pg_call([&] {
				return PointerGetDatum(cstring_to_text_with_len(param.text().data(), param.text().size()));
			});
	}
	int result = pg_call([&] {
		return SPI_execute_with_args(sql.c_str(), count, types.data(), values.data(), nulls.data(), false, 0);
	});
	if (result < 0)
		throw std::runtime_error("SPI failed (" + std::to_string(result) + ") for: " + sql);
	return SPI_processed;
}

} // namespace

std::vector<SqlRow>
spi_query(const std::string &sql, const std::vector<SqlParam> &params) {
	uint64 count = execute(sql, params);
	std::vector<SqlRow> rows;
	if (SPI_tuptable == nullptr)
		return rows;
	TupleDesc desc = SPI_tuptable->tupdesc;
	rows.reserve(count);
	for (uint64 r = 0; r < count; r++) {
		SqlRow row;
		for (int c = 1; c <= desc->natts; c++) {
			// bytea comes raw; text, integers and booleans without their output functions (the
			// replay reads thousands of log rows a second), in the text those functions print.
			Oid type = TupleDescAttr(desc, c - 1)->atttypid;
			if (type == BYTEAOID || type == TEXTOID) {
				Datum datum = 0;
				bytea *bytes = pg_call([&]() -> bytea * {
					bool null = false;
					datum = SPI_getbinval(SPI_tuptable->vals[r], desc, c, &null);
					return null ? nullptr : DatumGetByteaPP(datum);
				});
				if (bytes == nullptr) {
					row.emplace_back(std::nullopt);
					continue;
				}
				row.emplace_back(std::string(VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes)));
				if (PointerGetDatum(bytes) != datum) // a detoasted (decompressed) copy
					pg_call([&] { pfree(bytes); });
				continue;
			}
			if (type == INT8OID || type == INT4OID || type == BOOLOID) {
				bool null = false;
				Datum datum = pg_call([&] { return SPI_getbinval(SPI_tuptable->vals[r], desc, c, &null); });
				if (null)
					row.emplace_back(std::nullopt);
				else if (type == INT8OID)
					row.emplace_back(std::to_string(DatumGetInt64(datum)));
				else if (type == INT4OID)
					row.emplace_back(std::to_string(DatumGetInt32(datum)));
				else
					row.emplace_back(DatumGetBool(datum) ? "t" : "f");
				continue;
			}
			char *text = pg_call([&] { return SPI_getvalue(SPI_tuptable->vals[r], desc, c); });
			if (text == nullptr)
				row.emplace_back(std::nullopt);
			else {
				row.emplace_back(std::string(text));
				pfree(text);
			}
		}
		rows.push_back(std::move(row));
	}
	// Everything is copied: the rows need not wait for SPI_finish (the replay reads log chunks of
	// kilobytes, many times in one transaction).
	pg_call([] { SPI_freetuptable(SPI_tuptable); });
	return rows;
}

void
spi_exec(const std::string &sql, const std::vector<SqlParam> &params) {
	execute(sql, params);
}

SqlValue
spi_value(const std::string &sql, const std::vector<SqlParam> &params) {
	std::vector<SqlRow> rows = spi_query(sql, params);
	if (rows.empty() || rows[0].empty())
		return std::nullopt;
	return rows[0][0];
}

std::vector<SqlRow>
catalogue_query(const std::string &sql, const std::vector<SqlParam> &params) {
	CatalogueRights rights;
	return spi_query(sql, params);
}

void
catalogue_exec(const std::string &sql, const std::vector<SqlParam> &params) {
	CatalogueRights rights;
	execute(sql, params);
}

SqlValue
catalogue_value(const std::string &sql, const std::vector<SqlParam> &params) {
	CatalogueRights rights;
	return spi_value(sql, params);
}

void
with_spi(const std::function<void()> &body) {
	pg_call([] { SPI_connect(); });
	try {
		body();
	} catch (...) {
		pg_call([] { SPI_finish(); });
		throw;
	}
	pg_call([] { SPI_finish(); });
}

void
run_transaction(const std::function<void()> &body) {
	pg_call([] {
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
	});
	try {
		body();
		// The commit may fail too (a deferred constraint, a two-phase PREPARE on a Citus node): the
		// transaction is then aborted here, so that the next one starts from a clean state.
		pg_call([] {
			SPI_finish();
			PopActiveSnapshot();
			CommitTransactionCommand();
		});
	} catch (...) {
		pg_call([] { AbortCurrentTransaction(); });
		throw;
	}
}

bool
run_subtransaction(const std::function<void()> &body, std::string *error, std::string *sqlstate) {
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	auto back_to_parent = [&](bool commit) {
		pg_call([&] {
			if (commit)
				ReleaseCurrentSubTransaction();
			else
				RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(context);
			CurrentResourceOwner = owner;
		});
	};
	pg_call([] { BeginInternalSubTransaction(nullptr); });
	std::exception_ptr other;
	try {
		body();
	} catch (...) {
		// Read the error before the rollback frees the memory it lives in.
		try {
			throw;
		} catch (const PgError &failure) {
			if (error)
				*error = failure.what();
			if (sqlstate)
				*sqlstate = unpack_sql_state(failure.sqlerrcode());
		} catch (const Error &failure) {
			if (error)
				*error = failure.what();
			if (sqlstate)
				*sqlstate = failure.sqlstate;
		} catch (...) {
			other = std::current_exception();
		}
		back_to_parent(false);
		if (other)
			std::rethrow_exception(other);
		return false;
	}
	back_to_parent(true);
	return true;
}

} // namespace chameleon::pg
