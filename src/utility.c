/*
 * utility.c
 *		The statements the launcher must hear about, through
 *		ProcessUtility_hook (installed only when gofive is preloaded):
 *
 *	 - CREATE EXTENSION gofive, ALTER EXTENSION gofive UPDATE: at commit, the
 *	   launcher serves this database (a worker leaves a database whose gofive
 *	   is another version than the library's);
 *	 - DROP EXTENSION gofive: refused while requests are undelivered
 *	   (pending or sending), unless gofive.drop_undelivered is on, which
 *	   turns the refusal into a warning with their count; at commit, the
 *	   worker is woken to leave;
 *	 - CREATE TRIGGER ... gofive_enqueue_trigger(...): its arguments are
 *	   checked against the table (trigger_check.c);
 *	 - statements that need a database without other connections (DROP
 *	   DATABASE, ALTER DATABASE ... RENAME TO or SET TABLESPACE, CREATE
 *	   DATABASE ... TEMPLATE): the database is held, so its worker is
 *	   stopped and none is started, for as long as the statement runs.
 *	   Without this, the worker's connection would make them fail with
 *	   "database is being accessed by other users".
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

#include "gofive.h"
#include "outbox.h"

static ProcessUtility_hook_type prev_utility = NULL;

bool		gofive_drop_undelivered = false;

static bool
names_gofive(List *objects)
{
	ListCell   *lc;

	foreach(lc, objects)
		if (strcmp(strVal(lfirst(lc)), "gofive") == 0)
			return true;
	return false;
}

/*
 * The requests of this database's outbox that are not delivered yet, all
 * roles' (counted as the outbox's owner: row-level security would hide
 * other roles' rows).  The outbox is locked as the DROP will lock it, so
 * that none is added or claimed between the count and the drop.
 */
static int64
count_undelivered(Oid relid)
{
	GofiveRaised saved;
	int64		n;
	bool		isnull;

	LockRelationOid(relid, AccessExclusiveLock);
	gofive_become_owner(&saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT pg_catalog.count(*) FROM gofive.outbox"
					" WHERE status OPERATOR(pg_catalog.=) ANY"
					" ('{pending,sending}'::gofive.request_status[])", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not count the undelivered requests");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	gofive_restore_user(&saved);
	return n;
}

/*
 * DROP EXTENSION gofive, by a role that may drop it: refuse while requests
 * are undelivered (they would be lost without a word), unless
 * gofive.drop_undelivered is on; then warn with their count.
 */
static void
check_drop_extension(void)
{
	Oid			ext = get_extension_oid("gofive", true);
	Oid			nsp = get_namespace_oid("gofive", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("outbox", nsp) : InvalidOid;
	int64		n;

	/* not there, or not the caller's to drop: the DROP itself says so */
	if (!OidIsValid(ext) || !OidIsValid(relid) ||
		!pg_extension_ownercheck(ext, GetUserId()))
		return;
	n = count_undelivered(relid);
	if (n == 0)
		return;
	if (gofive_drop_undelivered)
	{
		ereport(WARNING,
				(errmsg_plural("dropping %lld undelivered request",
							   "dropping %lld undelivered requests", n, (long long) n),
				 errdetail("gofive.drop_undelivered is on.")));
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_IN_USE),
			 errmsg_plural("cannot drop extension gofive: %lld request is not delivered yet",
						   "cannot drop extension gofive: %lld requests are not delivered yet",
						   n, (long long) n),
			 errhint("See them in gofive.queue (status pending or sending). Wait for the worker "
					 "to deliver them, delete them from gofive.outbox as its owner, or "
					 "SET gofive.drop_undelivered = on to drop them with the extension.")));
}

/* The database a statement needs without connections, or InvalidOid. */
static Oid
database_to_hold(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_DropdbStmt:
			return get_database_oid(((DropdbStmt *) stmt)->dbname, true);
		case T_RenameStmt:
			if (((RenameStmt *) stmt)->renameType == OBJECT_DATABASE)
				return get_database_oid(((RenameStmt *) stmt)->subname, true);
			return InvalidOid;
		case T_AlterDatabaseStmt:
			foreach(lc, ((AlterDatabaseStmt *) stmt)->options)
				if (strcmp(((DefElem *) lfirst(lc))->defname, "tablespace") == 0)
					return get_database_oid(((AlterDatabaseStmt *) stmt)->dbname, true);
			return InvalidOid;
		case T_CreatedbStmt:
			foreach(lc, ((CreatedbStmt *) stmt)->options)
				if (strcmp(((DefElem *) lfirst(lc))->defname, "template") == 0)
					return get_database_oid(defGetString((DefElem *) lfirst(lc)), true);
			return InvalidOid;
		default:
			return InvalidOid;
	}
}

static void
run_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			ProcessUtilityContext context, ParamListInfo params,
			QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_utility)
		prev_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
}

static void
gofive_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			   ProcessUtilityContext context, ParamListInfo params,
			   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	Oid			held = database_to_hold(stmt);

	if (!OidIsValid(held))
	{
		bool		dropping_gofive = IsA(stmt, DropStmt) &&
			((DropStmt *) stmt)->removeType == OBJECT_EXTENSION &&
			names_gofive(((DropStmt *) stmt)->objects);

		if (dropping_gofive)
			check_drop_extension();
		run_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		if (IsA(stmt, CreateTrigStmt))
			gofive_check_create_trigger((CreateTrigStmt *) stmt);
		if ((IsA(stmt, CreateExtensionStmt) &&
			 strcmp(((CreateExtensionStmt *) stmt)->extname, "gofive") == 0) ||
			(IsA(stmt, AlterExtensionStmt) &&
			 strcmp(((AlterExtensionStmt *) stmt)->extname, "gofive") == 0))
			gofive_register_database_at_commit();
		else if (dropping_gofive)
			gofive_wake_worker_at_commit();
		return;
	}

	gofive_hold_database(held, true);
	PG_TRY();
	{
		run_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	}
	PG_CATCH();
	{
		gofive_hold_database(held, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	/* a dropped database stays held until the launcher has forgotten it */
	if (!IsA(stmt, DropdbStmt))
		gofive_hold_database(held, false);
}

void
gofive_install_utility_hook(void)
{
	prev_utility = ProcessUtility_hook;
	ProcessUtility_hook = gofive_utility;
}
