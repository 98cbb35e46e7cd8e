// Whose rights SQL runs with (see rights.hpp).
#include "pg/rights.hpp"

#include "pg/boundary.hpp"
#include "pg/spi.hpp"

#include "common/error.hpp"

#include <cstring>

namespace chameleon::pg {

namespace {

constexpr const char *catalogue_search_path = "pg_catalog, pg_temp";

} // namespace

Oid
catalogue_owner() {
	return pg_call([] {
		Oid schema = get_namespace_oid("sch_chameleon", false);
		HeapTuple tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(schema));
		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for namespace %u", schema);
		Oid owner = reinterpret_cast<Form_pg_namespace>(GETSTRUCT(tuple))->nspowner;
		ReleaseSysCache(tuple);
		return owner;
	});
}

CatalogueRights::CatalogueRights() {
	Oid owner = catalogue_owner();
	pg_call([&] {
		GetUserIdAndSecContext(&saved_user_, &saved_context_);
		// The search path of the session is the owner's (its role settings, what its triggers set):
		// catalogue statements never resolve a name through it.
		if (namespace_search_path == nullptr || strcmp(namespace_search_path, catalogue_search_path) != 0) {
			nest_level_ = NewGUCNestLevel();
			(void)set_config_option("search_path", catalogue_search_path, PGC_USERSET, PGC_S_SESSION,
									GUC_ACTION_SAVE, true, 0, false);
		}
		SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
	});
}

CatalogueRights::~CatalogueRights() {
	SetUserIdAndSecContext(saved_user_, saved_context_);
	if (nest_level_ < 0)
		return;
	try {
		pg_call([&] { AtEOXact_GUC(true, nest_level_); });
	} catch (...) {
		// Only a failing assign hook could get here; the transaction's end restores the setting.
	}
}

RoleRights::RoleRights(Oid role, bool restricted) {
	GetUserIdAndSecContext(&saved_user_, &saved_context_);
	SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE |
									 (restricted ? SECURITY_RESTRICTED_OPERATION : 0));
}

RoleRights::~RoleRights() {
	SetUserIdAndSecContext(saved_user_, saved_context_);
}

std::string
role_name(Oid role) {
	char *name = pg_call([&] { return GetUserNameFromId(role, true); });
	if (name == nullptr)
		return "role with OID " + std::to_string(role);
	return std::string("\"") + name + "\"";
}

void
require_owner_can_run(Oid owner, const std::string &source_name) {
	bool exists = false, can_login = false;
	pg_call([&] {
		HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(owner));
		if (HeapTupleIsValid(tuple)) {
			exists = true;
			can_login = reinterpret_cast<Form_pg_authid>(GETSTRUCT(tuple))->rolcanlogin;
			ReleaseSysCache(tuple);
		}
	});
	std::string transfer =
		"A superuser can give the source to another role: SELECT chameleon.alter_source_owner('" +
		source_name + "', 'role');";
	if (!exists)
		throw Error(sqlstate::undefined_object,
					"the owner of source \"" + source_name + "\" no longer exists",
					"The role with OID " + std::to_string(owner) +
						" that owned it was dropped; the workers of a source run as its owner.",
					transfer);
	std::string name = role_name(owner);
	if (!can_login)
		throw Error(sqlstate::insufficient_privilege,
					"role " + name + ", the owner of source \"" + source_name + "\", cannot log in",
					"The workers of a source connect to the database as its owner.",
					"ALTER ROLE " + name + " LOGIN; or: " + transfer);
	if (pg_call([&] { return pg_database_aclcheck(MyDatabaseId, owner, ACL_CONNECT); }) != ACLCHECK_OK) {
		char *database = pg_call([] { return get_database_name(MyDatabaseId); });
		std::string quoted = database ? std::string("\"") + database + "\"" : "this database";
		throw Error(sqlstate::insufficient_privilege,
					"role " + name + ", the owner of source \"" + source_name +
						"\", may not connect to database " + quoted,
					"The workers of a source connect to the database as its owner.",
					"GRANT CONNECT ON DATABASE " + quoted + " TO " + name + "; or: " + transfer);
	}
}

std::string
owner_rights_hint(const std::string &name, const std::string &source_name) {
	return "The workers of source \"" + source_name + "\" run with the rights of its owner, " + name +
		   ": grant " + name +
		   " what it lacks, or have a superuser give the source to another role with "
		   "chameleon.alter_source_owner().";
}

} // namespace chameleon::pg
