/*
 * src/outbox/privilege.c
 *		Whose rights gofive's SQL runs with, and the one way to raise them;
 *		and how the outbox's fixed statements are run: plans prepared once
 *		per process, arrays for statements that take a batch of rows.
 *
 * No SQL function of gofive is SECURITY DEFINER.  Everything a caller
 * supplies, and everything that may run code of the caller's choosing (a
 * type's cast to json or output function in a trigger, a domain's check),
 * runs with the caller's own rights.  Only fixed statements on
 * gofive.outbox run with the rights of the table's owner (the superuser who
 * created the extension), between gofive_become_owner() and
 * gofive_restore_user(), the way PostgreSQL's RI triggers run their queries
 * (ri_triggers.c): the user id is switched with
 * SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION, and
 * search_path is pinned to "pg_catalog, pg_temp", so that nothing a role
 * planted in a schema of its search_path, nor in pg_temp, can be picked up.
 *
 * The rule for every SQL text that runs raised (here, in the worker, or in
 * the install script's views and policies), wherever the next one is
 * written:
 *	 - qualify every relation, function, type and cast target with its
 *	   schema (gofive.outbox, pg_catalog.now(), pg_catalog.text[]);
 *	 - compare with OPERATOR(pg_catalog.=) and friends, never a bare
 *	   operator: an enum or other user type makes the bare one resolvable
 *	   to an operator in any schema of the search_path;
 *	 - take values as parameters ($1), never by formatting them in;
 *	 - run nothing user-defined inside the switch: convert values first.
 *
 * The worker (worker.c) does not switch here: it connects as the bootstrap
 * superuser and then runs all its SQL as the role gofive_worker, which may
 * read and write the outbox and nothing else (gofive_become_worker_role).
 *
 * Requests belong to the role that enqueued them (gofive.outbox.enqueued_by:
 * for trigger rows, the role whose statement fired the trigger).  Row-level
 * security shows a role its own rows; members of gofive_admin see and
 * manage all of them.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "gofive.h"
#include "outbox.h"

#define PINNED_SEARCH_PATH "pg_catalog, pg_temp"

/* The oid of gofive.outbox; an error naming the cause when it is missing. */
Oid
gofive_outbox_relid(void)
{
	Oid			nsp = get_namespace_oid("gofive", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("outbox", nsp) : InvalidOid;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table gofive.outbox does not exist"),
				 errhint("Run CREATE EXTENSION gofive in this database.")));
	return relid;
}

static Oid
outbox_owner(void)
{
	Oid			relid = gofive_outbox_relid();
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Run the following fixed statements as the owner of gofive.outbox, with
 * search_path pinned.  An error in between needs no clean-up here: aborting
 * the (sub)transaction restores the user id and the settings.
 */
void
gofive_become_owner(GofiveRaised *saved)
{
	Oid			owner = outbox_owner();

	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(owner, saved->sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	saved->guc_nest_level = NewGUCNestLevel();
	(void) set_config_option("search_path", PINNED_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

void
gofive_restore_user(const GofiveRaised *saved)
{
	AtEOXact_GUC(true, saved->guc_nest_level);
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

/* Whether role may see and manage every request (a member of gofive_admin). */
bool
gofive_is_admin(Oid role)
{
	Oid			admin = get_role_oid("gofive_admin", true);

	return superuser_arg(role) || (OidIsValid(admin) && has_privs_of_role(role, admin));
}

/*
 * The worker: from now on, run as gofive_worker with search_path pinned to
 * pg_catalog alone.  Called once, outside a transaction, so every later
 * transaction starts (and, on abort, ends) as that role.  False when the
 * role does not exist (yet).
 */
bool
gofive_become_worker_role(void)
{
	Oid			role;

	StartTransactionCommand();
	role = get_role_oid("gofive_worker", true);
	CommitTransactionCommand();
	if (!OidIsValid(role))
		return false;
	SetConfigOption("search_path", "pg_catalog", PGC_SUSET, PGC_S_OVERRIDE);
	SetUserIdAndSecContext(role, SECURITY_LOCAL_USERID_CHANGE);
	return true;
}

/* ---- the outbox's fixed statements: plans and arrays ---- */

/* The plan for sql, prepared and kept on first use (SPI must be connected). */
SPIPlanPtr
gofive_prepare_once(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		/*
		 * A generic plan at once: these are fixed statements whose parameters
		 * (arrays of ids, lanes) do not change which plan is right, and
		 * planning them again on every execution cost the worker a seventh
		 * of its time
		 */
		SPIPlanPtr	p = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);

		if (p == NULL)
			elog(ERROR, "could not prepare \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

/* An array of n elements of elemtype; nulls may be NULL. */
Datum
gofive_array(Oid elemtype, int n, Datum *values, bool *nulls)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval, typalign));
}
