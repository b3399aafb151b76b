/*
 * src/version.c
 *		The version of gofive installed in this database, against the
 *		library's (GOFIVE_VERSION, the control file's default_version).
 *
 * The library is installed once for the cluster; a database's objects
 * follow only at ALTER EXTENSION gofive UPDATE.  In between, the library's
 * SQL would meet the objects of another version and fail with whatever
 * they lack (a column, a function).  So every SQL-callable entry point
 * calls gofive_check_version() first: an error naming both versions, with
 * SQLSTATE VNCFG and the hint to update (README, "Upgrading"); the worker
 * does not deliver there (worker_db.c).
 *
 * Invariants: the check costs one catalog look-up per transaction once it
 * has passed (the trigger runs per row), and a failure is looked at again
 * on the next call (ALTER EXTENSION ... UPDATE may come in the same
 * transaction).  Nothing is checked while gofive's own scripts run (CREATE
 * EXTENSION gofive VERSION '1.0', ALTER EXTENSION gofive UPDATE: the
 * released scripts may use the library, a validator or a column default,
 * while the version is another) nor in a binary upgrade (pg_upgrade
 * creates the extension at its old version, then its servers, which the
 * validator sees).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "gofive.h"

/* The version of gofive installed in this database, or NULL (catalog look-ups, no SQL). */
char *
gofive_installed_version(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("gofive"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			version = TextDatumGetCString(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return version;
}

/* Whether one of gofive's own scripts is running (CREATE or ALTER EXTENSION gofive). */
static bool
in_gofive_script(void)
{
	return creating_extension &&
		CurrentExtensionObject == get_extension_oid("gofive", true);
}

/*
 * Raise VNCFG unless this database has the library's version of gofive.
 * The first call of every SQL-callable function (and CREATE TRIGGER with
 * gofive_enqueue_trigger).
 */
void
gofive_check_version(void)
{
	static LocalTransactionId passed = InvalidLocalTransactionId;
	char	   *version;

	if (passed != InvalidLocalTransactionId && passed == MyProc->lxid)
		return;
	if (IsBinaryUpgrade || in_gofive_script())
		return;
	version = gofive_installed_version();
	if (version != NULL && strcmp(version, GOFIVE_VERSION) == 0)
	{
		passed = MyProc->lxid;
		return;
	}
	if (version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_NOT_CONFIGURED),
				 errmsg("gofive is not installed in this database"),
				 errhint("Run CREATE EXTENSION gofive.")));
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_NOT_CONFIGURED),
			 errmsg("gofive %s is installed in this database, but the library is gofive %s",
					version, GOFIVE_VERSION),
			 errdetail("Nothing is called, queued or delivered here until the extension is updated."),
			 errhint("Run ALTER EXTENSION gofive UPDATE.")));
}
