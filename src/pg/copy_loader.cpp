// The writing half of a table copy (see copy_loader.hpp).
#include "pg/copy_loader.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"

#include <cstring>

namespace chameleon::pg {

namespace {

// What the COPY callback reads: set for the duration of one CopyFrom call.
std::string_view copy_input;
size_t copy_offset = 0;

int
read_copy_input(void *buffer, int, int max_bytes) {
	size_t count = std::min(copy_input.size() - copy_offset, static_cast<size_t>(max_bytes));
	memcpy(buffer, copy_input.data() + copy_offset, count);
	copy_offset += count;
	return static_cast<int>(count);
}

uint64
copy_from_text(const char *schema, const char *table, List *column_names) {
	Oid namespace_oid = get_namespace_oid(schema, false);
	Oid relation_oid = get_relname_relid(table, namespace_oid);
	if (!OidIsValid(relation_oid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
						errmsg("relation \"%s.%s\" does not exist", schema, table)));
	Relation relation = table_open(relation_oid, RowExclusiveLock);
	ParseState *parse_state = make_parsestate(nullptr);
	ParseNamespaceItem *item =
		addRangeTableEntryForRelation(parse_state, relation, RowExclusiveLock, nullptr, false, false);
	item->p_rte->requiredPerms = ACL_INSERT;
	// BeginCopyFrom checks no right (COPY's own DoCopy does): the same checks here, against the
	// current user (the source's owner in a worker).
	ExecCheckRTPerms(list_make1(item->p_rte), true);
	if (check_enable_rls(relation_oid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row-level security applies to table \"%s.%s\" for role \"%s\"", schema, table,
						GetUserNameFromId(GetUserId(), false)),
				 errdetail("Rows are loaded with COPY, which row-level security does not allow."),
				 errhint("Let the table's owner bypass its policies (ALTER TABLE ... NO FORCE ROW LEVEL "
						 "SECURITY), or load it as a role that bypasses them.")));
	CopyFromState copy =
		BeginCopyFrom(parse_state, relation, nullptr, nullptr, false, read_copy_input, column_names, NIL);
	uint64 rows = CopyFrom(copy);
	EndCopyFrom(copy);
	free_parsestate(parse_state);
	table_close(relation, NoLock);
	return rows;
}

} // namespace

CopyLoader::CopyLoader(std::string schema, std::string table, std::vector<std::string> columns,
					   std::vector<size_t> key_columns)
	: schema_(std::move(schema)), table_(std::move(table)), columns_(std::move(columns)),
	  key_columns_(std::move(key_columns)) {}

uint64_t
CopyLoader::copy_rows(std::string_view text) {
	copy_input = text;
	copy_offset = 0;
	List *names = pg_call([&] {
		List *list = NIL;
		for (const std::string &column : columns_)
			list = lappend(list, makeString(pstrdup(column.c_str())));
		return list;
	});
	return pg_call([&] { return copy_from_text(schema_.c_str(), table_.c_str(), names); });
}

uint64_t
CopyLoader::load(const core::CopyChunk &chunk, std::vector<core::RejectedRow> &discarded) {
	return load_range(chunk, 0, chunk.rows(), discarded);
}

uint64_t
CopyLoader::load_range(const core::CopyChunk &chunk, size_t first, size_t last,
					   std::vector<core::RejectedRow> &discarded) {
	if (first >= last)
		return 0;
	uint64_t loaded = 0;
	std::string error;
	if (run_subtransaction([&] { loaded = copy_rows(chunk.lines(first, last)); }, &error))
		return loaded;
	if (last - first == 1) {
		discarded.push_back(describe(chunk.lines(first, last), error));
		return 0;
	}
	size_t middle = first + (last - first) / 2;
	return load_range(chunk, first, middle, discarded) + load_range(chunk, middle, last, discarded);
}

core::RejectedRow
CopyLoader::describe(std::string_view line, const std::string &error) const {
	if (!line.empty() && line.back() == '\n')
		line.remove_suffix(1);
	std::vector<std::string_view> fields;
	size_t start = 0;
	while (start <= line.size()) {
		size_t tab = line.find('\t', start);
		fields.push_back(
			line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
		if (tab == std::string_view::npos)
			break;
		start = tab + 1;
	}
	core::RejectedRow row;
	for (size_t k = 0; k < key_columns_.size(); k++) {
		size_t i = key_columns_[k];
		row.key += (k ? ", " : "") + columns_[i] + "=" + std::string(i < fields.size() ? fields[i] : "");
	}
	row.data = std::string(line);
	row.reason = error;
	return row;
}

} // namespace chameleon::pg
