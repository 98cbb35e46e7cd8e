// Tables the replay copies again because a replicated statement changed their existing rows in a
// way PostgreSQL cannot reproduce (doc/ddl.md): the request, made in the replay's transaction, and
// the sync_tables copy that carries it out once no other copy of the source runs.
#pragma once

#include "pg/replication.hpp"

#include "ddl/translator.hpp"

namespace chameleon::pg {

// In the statement's transaction: the table waits (b_syncing: the replay stops at its next event,
// as for sync_tables) with the reason shown by chameleon.tables, until its copy is in place.
void request_recopy(int64 source_id, const ddl::Recopy &recopy);

// In a transaction of its own (the replay calls it when idle): starts the sync_tables copy of the
// requested tables unless a copy of the source is running; a failed start is tried again later.
void start_requested_recopies(const ReplicationSource &source);

} // namespace chameleon::pg
