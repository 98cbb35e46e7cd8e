// The writing half of a table copy: loads chunks of COPY text into a table with PostgreSQL's
// own COPY FROM machinery, in-process (no file, no client round trip). A chunk PostgreSQL
// rejects is bisected in subtransactions until each bad row is isolated; those rows are
// returned with PostgreSQL's error so that the caller records them in t_discarded_rows.
#pragma once

#include "pg/pg_headers.hpp"

#include "core/copy_chunk.hpp"

#include <string>
#include <vector>

namespace chameleon::pg {

class CopyLoader {
  public:
	// The table (schema and name, unquoted) and the columns to fill, in the order of the COPY text.
	CopyLoader(std::string schema, std::string table, std::vector<std::string> columns,
			   std::vector<size_t> key_columns);

	// Loads the rows of a chunk; rows PostgreSQL refuses are appended to discarded. Needs an open
	// transaction. Returns the rows loaded.
	uint64_t load(const core::CopyChunk &chunk, std::vector<core::RejectedRow> &discarded);

	// Loads COPY text as it is, in the current (sub)transaction; a refused row raises the error.
	uint64_t copy_rows(std::string_view text);

  private:
	uint64_t load_range(const core::CopyChunk &chunk, size_t first, size_t last,
						std::vector<core::RejectedRow> &discarded);
	core::RejectedRow describe(std::string_view line, const std::string &error) const;

	std::string schema_;
	std::string table_;
	std::vector<std::string> columns_;
	std::vector<size_t> key_columns_;
};

} // namespace chameleon::pg
