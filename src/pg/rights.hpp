// Whose rights SQL runs with (doc/security.md, "What runs as whom").
//
// The workers of a source connect as the source's owner, so the copy, the replay and the DDL they
// run (and every trigger, default, domain check or index expression those reach) have exactly the
// owner's rights. The catalogue (schema sch_chameleon) is private to the extension's owner; each
// statement that reads or writes it runs inside a CatalogueRights scope, which switches the current
// user to the owner of sch_chameleon for that statement only, as PostgreSQL itself does around
// maintenance work (SetUserIdAndSecContext with SECURITY_LOCAL_USERID_CHANGE), with the search path
// pinned to pg_catalog, pg_temp. Catalogue statements name only the catalogue and built-in
// functions: no user code runs inside such a scope.
#pragma once

#include "pg/pg_headers.hpp"

#include <string>

namespace chameleon::pg {

// The owner of schema sch_chameleon: the role that created the extension.
Oid catalogue_owner();

// For the lifetime of the object: current user = the catalogue's owner, search_path =
// pg_catalog, pg_temp. Needs an open transaction; never spans a commit.
class CatalogueRights {
  public:
	CatalogueRights();
	~CatalogueRights();
	CatalogueRights(const CatalogueRights &) = delete;
	CatalogueRights &operator=(const CatalogueRights &) = delete;

  private:
	Oid saved_user_ = InvalidOid;
	int saved_context_ = 0;
	int nest_level_ = -1;
};

// For the lifetime of the object: current user = role, with SECURITY_LOCAL_USERID_CHANGE (no SET
// ROLE or SET SESSION AUTHORIZATION inside), and SECURITY_RESTRICTED_OPERATION when asked (no
// temporary objects either, as PostgreSQL's maintenance commands).
class RoleRights {
  public:
	RoleRights(Oid role, bool restricted);
	~RoleRights();
	RoleRights(const RoleRights &) = delete;
	RoleRights &operator=(const RoleRights &) = delete;

  private:
	Oid saved_user_ = InvalidOid;
	int saved_context_ = 0;
};

// The role's name, or "role with OID n" when it no longer exists.
std::string role_name(Oid role);

// Throws chameleon::Error unless the owner of the source can run its workers: the role exists, may
// log in (background workers connect as it) and may connect to this database.
void require_owner_can_run(Oid owner, const std::string &source_name);

// A hint for an error raised with the rights of the owner (its name as role_name gives it).
std::string owner_rights_hint(const std::string &owner_name, const std::string &source_name);

} // namespace chameleon::pg
