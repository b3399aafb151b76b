/*
 * utility.c
 *		The statements the launcher must hear about, through
 *		ProcessUtility_hook (installed only when gofive is preloaded):
 *
 *	 - CREATE EXTENSION gofive, ALTER EXTENSION gofive UPDATE: at commit, the
 *	   launcher serves this database (a worker leaves a database whose gofive
 *	   is another version than the library's);
 *	 - CREATE TRIGGER ... gofive_enqueue_trigger(...): its arguments are
 *	   checked against the table (trigger_check.c);
 *	 - statements that need a database without other connections (DROP
 *	   DATABASE, ALTER DATABASE ... RENAME TO or SET TABLESPACE, CREATE
 *	   DATABASE ... TEMPLATE): the database is held, so its worker is
 *	   stopped and none is started, until the statement's transaction
 *	   ends (or the statement fails).  Without this, the worker's
 *	   connection would make them fail with "database is being accessed
 *	   by other users".  The database keeps its worker slot meanwhile; a
 *	   renamed one is served under its new name, a dropped one gives its
 *	   slot up (launcher.c).
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"

#include "gofive.h"
#include "outbox.h"

static ProcessUtility_hook_type prev_utility = NULL;

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
		run_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		if (IsA(stmt, CreateTrigStmt))
			gofive_check_create_trigger((CreateTrigStmt *) stmt);
		if ((IsA(stmt, CreateExtensionStmt) &&
			 strcmp(((CreateExtensionStmt *) stmt)->extname, "gofive") == 0) ||
			(IsA(stmt, AlterExtensionStmt) &&
			 strcmp(((AlterExtensionStmt *) stmt)->extname, "gofive") == 0))
			gofive_register_database_at_commit();
		return;
	}

	/* released when the transaction ends, the rename or drop then visible */
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
}

void
gofive_install_utility_hook(void)
{
	prev_utility = ProcessUtility_hook;
	ProcessUtility_hook = gofive_utility;
}
