/*
 * src/outbox/launcher.c
 *		The launcher: one background worker per cluster (registered when gofive
 *		is preloaded) that starts a delivery worker (worker.c) for every
 *		database where gofive is installed, up to gofive.max_workers; and the
 *		ProcessUtility_hook through which the statements it must hear about
 *		reach it (at the end of this file).
 *
 * The launcher connects to no database; it reads the shared catalog
 * pg_database.  It cannot see which databases have the extension, so it
 * lets a worker find out: every database it has not met before (at its
 * start, and when one is created) gets a worker, which stays if gofive is
 * installed there and otherwise leaves at once, marking its slot
 * "not installed".  CREATE EXTENSION gofive tells the launcher at commit
 * (the utility hook below, shmem.c), so a new installation is served
 * within a second; DROP EXTENSION makes the worker leave the same way.  Template databases,
 * and databases that do not allow connections, are never served.
 *
 * A worker that exits for any other reason (an error, SIGTERM) is started
 * again after RESTART_MS.  A held database (a statement needs it without
 * connections: DROP DATABASE, ALTER DATABASE ... RENAME; the utility hook
 * below) gets no worker until it is released.
 *
 * Invariant: a database keeps its slot from its worker's start until it is
 * no longer served: gofive is not installed there (or is another version:
 * the worker said so), the database is gone, or gofive.database names
 * another.  While its worker is started again (after an error, or once a
 * hold ends) the slot stays its own, so a database waiting for a slot does
 * not take it.  Before starting a worker after a hold ended, the launcher
 * reads pg_database again: the database may have a new name, or be gone.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "gofive.h"
#include "outbox.h"

#define LAUNCHER_NAME	"gofive launcher"
#define WORKER_NAME		"gofive worker"
#define NAPTIME_MS		5000	/* look for new and dropped databases */
#define RESTART_MS		1000	/* after a worker exited on an error */
#define RETRY_MS		5000	/* after no background worker could be had */

typedef enum DbStatus
{
	DB_UNKNOWN,					/* not yet looked at: a worker will tell */
	DB_INSTALLED,				/* has gofive (served, or waiting for a slot) */
	DB_NOT_INSTALLED
} DbStatus;

typedef struct KnownDb
{
	Oid			oid;			/* hash key */
	char		name[NAMEDATALEN];
	DbStatus	status;
	bool		seen;			/* in the last scan of pg_database */
	int			slot;			/* its slot (its worker runs, or will again); -1: none */
	TimestampTz start_after;
	bool		warned;			/* "not served" logged */
} KnownDb;

static HTAB *known = NULL;
static ErrorContextCallback process_context;
static BackgroundWorkerHandle **handles = NULL;	/* per slot; NULL: no worker runs */
static uint32 scanned_holds_ended = 0;	/* gofive_holds_ended() at the last scan */

void
gofive_register_launcher(void)
{
	BackgroundWorker worker = {0};

	strlcpy(worker.bgw_name, LAUNCHER_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_type, LAUNCHER_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_library_name, "gofive", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "gofive_launcher_main", BGW_MAXLEN);
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	RegisterBackgroundWorker(&worker);
}

static bool
wanted(KnownDb *db)
{
	return db->status != DB_NOT_INSTALLED &&
		(gofive_database == NULL || *gofive_database == '\0' ||
		 strcmp(gofive_database, db->name) == 0);
}

/* ---- pg_database ---- */

/* Note every database that could be served; forget those that are gone. */
static void
scan_databases(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tuple;
	HASH_SEQ_STATUS status;
	KnownDb    *db;

	hash_seq_init(&status, known);
	while ((db = hash_seq_search(&status)) != NULL)
		db->seen = false;

	/* first: a hold released after this is seen by the next scan */
	scanned_holds_ended = gofive_holds_ended();
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database form = (Form_pg_database) GETSTRUCT(tuple);
		bool		found;

		if (!form->datallowconn || form->datistemplate)
			continue;
		db = hash_search(known, &form->oid, HASH_ENTER, &found);
		if (!found)
		{
			db->status = DB_UNKNOWN;
			db->slot = -1;
			db->start_after = 0;
			db->warned = false;
		}
		strlcpy(db->name, NameStr(form->datname), NAMEDATALEN);
		db->seen = true;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	PopActiveSnapshot();
	CommitTransactionCommand();

	hash_seq_init(&status, known);
	while ((db = hash_seq_search(&status)) != NULL)
		if (!db->seen && db->slot < 0)
			(void) hash_search(known, &db->oid, HASH_REMOVE, NULL);
}

/*
 * CREATE EXTENSION gofive committed in these databases: look at them again.
 * True when there were any (a new database needs a scan to be named).
 */
static bool
take_registrations(void)
{
	Oid			oids[GOFIVE_MAX_REGISTRATIONS];
	int			n;
	bool		rescan;
	HASH_SEQ_STATUS status;
	KnownDb    *db;

	SpinLockAcquire(&gofive_control->mutex);
	n = gofive_control->nregistered;
	memcpy(oids, gofive_control->registered, sizeof(Oid) * n);
	gofive_control->nregistered = 0;
	rescan = gofive_control->rescan;
	gofive_control->rescan = false;
	SpinLockRelease(&gofive_control->mutex);

	for (int i = 0; i < n; i++)
	{
		bool		found;

		db = hash_search(known, &oids[i], HASH_ENTER, &found);
		if (!found)
		{
			db->slot = -1;
			db->seen = false;
			db->name[0] = '\0';		/* filled in by the next scan */
		}
		db->status = DB_INSTALLED;
		db->start_after = 0;
		db->warned = false;
	}
	if (rescan)
	{
		hash_seq_init(&status, known);
		while ((db = hash_seq_search(&status)) != NULL)
			if (db->status == DB_NOT_INSTALLED)
				db->status = DB_UNKNOWN;
	}
	return n > 0 || rescan;
}

/* ---- the workers ---- */

static void
give_up_slot(KnownDb *db)
{
	gofive_take_slot(&gofive_control->slots[db->slot], InvalidOid, "");
	db->slot = -1;
}

/*
 * Workers that exited: note what they found.  A database without gofive
 * gives its slot up; any other keeps it, to be started again there.
 */
static void
reap_workers(TimestampTz now)
{
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		GofiveWorkerSlot *slot = &gofive_control->slots[i];
		pid_t		pid;
		Oid			dboid;
		bool		not_installed;
		bool		other_version;
		KnownDb    *db;

		if (handles[i] == NULL || GetBackgroundWorkerPid(handles[i], &pid) != BGWH_STOPPED)
			continue;
		pfree(handles[i]);
		handles[i] = NULL;
		SpinLockAcquire(&slot->mutex);
		dboid = slot->dboid;
		not_installed = slot->not_installed;
		other_version = slot->other_version;
		SpinLockRelease(&slot->mutex);

		db = hash_search(known, &dboid, HASH_FIND, NULL);
		if (db == NULL || db->slot != i)
		{
			gofive_take_slot(slot, InvalidOid, "");
			continue;
		}
		if (not_installed)
		{
			/* another version: the worker said so, and how to update */
			if (db->status == DB_INSTALLED && !other_version)
				elog(LOG, "gofive is no longer installed in database \"%s\"", db->name);
			db->status = DB_NOT_INSTALLED;
			give_up_slot(db);
		}
		else
			db->start_after = TimestampTzPlusMilliseconds(now, RESTART_MS);
	}
}

/* Databases gone or no longer wanted give their slots up once their workers are gone. */
static void
give_up_unserved(void)
{
	HASH_SEQ_STATUS status;
	KnownDb    *db;

	hash_seq_init(&status, known);
	while ((db = hash_seq_search(&status)) != NULL)
		if (db->slot >= 0 && handles[db->slot] == NULL && (!db->seen || !wanted(db)))
			give_up_slot(db);
}

/* Stop the workers of databases that are no longer wanted (gofive.database). */
static void
stop_unwanted(void)
{
	HASH_SEQ_STATUS status;
	KnownDb    *db;

	hash_seq_init(&status, known);
	while ((db = hash_seq_search(&status)) != NULL)
		if (db->slot >= 0 && handles[db->slot] != NULL && (!wanted(db) || !db->seen))
			TerminateBackgroundWorker(handles[db->slot]);
}

static int
free_slot(void)
{
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		bool		is_free;

		SpinLockAcquire(&gofive_control->slots[i].mutex);
		is_free = !OidIsValid(gofive_control->slots[i].dboid);
		SpinLockRelease(&gofive_control->slots[i].mutex);
		if (is_free && handles[i] == NULL)
			return i;
	}
	return -1;
}

static void
start_worker(KnownDb *db, int index, TimestampTz now)
{
	BackgroundWorker worker = {0};

	gofive_take_slot(&gofive_control->slots[index], db->oid, db->name);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s for database \"%s\"", WORKER_NAME, db->name);
	strlcpy(worker.bgw_type, WORKER_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_library_name, "gofive", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "gofive_worker_main", BGW_MAXLEN);
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	worker.bgw_main_arg = Int32GetDatum(index);
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handles[index]))
	{
		gofive_take_slot(&gofive_control->slots[index], InvalidOid, "");
		handles[index] = NULL;
		db->slot = -1;
		db->start_after = TimestampTzPlusMilliseconds(now, RETRY_MS);
		if (!db->warned && db->status == DB_INSTALLED)
			ereport(LOG,
					(errmsg("database \"%s\" is not served: no background worker is free",
							db->name),
					 errhint("Raise max_worker_processes.")));
		db->warned = true;
		return;
	}
	db->slot = index;
	db->warned = false;
}

/*
 * Start a worker for every database that wants one: first in the slots
 * they kept, then those known to have gofive; say once per database what
 * cannot be served and why.  False when pg_database must be read first (a
 * hold ended since the last scan: a database may be renamed or gone).
 */
static bool
start_wanted(TimestampTz now, TimestampTz *next_start)
{
	for (int pass = 0; pass < 3; pass++)
	{
		HASH_SEQ_STATUS status;
		KnownDb    *db;

		hash_seq_init(&status, known);
		while ((db = hash_seq_search(&status)) != NULL)
		{
			int			index;

			if ((pass == 0) != (db->slot >= 0) ||
				(pass > 0 && (pass == 1) != (db->status == DB_INSTALLED)) ||
				(db->slot >= 0 && handles[db->slot] != NULL) ||
				!db->seen || !wanted(db))
				continue;
			if (now < db->start_after || gofive_database_held(db->oid))
			{
				*next_start = Min(*next_start, Max(db->start_after,
												   TimestampTzPlusMilliseconds(now, 100)));
				continue;
			}
			if (gofive_holds_ended() != scanned_holds_ended)
			{
				hash_seq_term(&status);
				return false;
			}
			if (db->slot >= 0)
			{
				start_worker(db, db->slot, now);
				continue;
			}
			if ((index = free_slot()) < 0)
			{
				if (!db->warned && db->status == DB_INSTALLED)
					ereport(LOG,
							(errmsg("database \"%s\" is not served: gofive.max_workers (%d) databases are served already",
									db->name, gofive_control->nslots),
							 errhint("Raise gofive.max_workers (and max_worker_processes), then restart the server.")));
				db->warned = (db->status == DB_INSTALLED);
				continue;
			}
			start_worker(db, index, now);
		}
	}
	return true;
}

/* ---- the loop ---- */

static void
launcher_exit(int code, Datum arg)
{
	SpinLockAcquire(&gofive_control->mutex);
	gofive_control->launcher_latch = NULL;
	gofive_control->launcher_pid = 0;
	SpinLockRelease(&gofive_control->mutex);
}

static void
publish_launcher(void)
{
	SpinLockAcquire(&gofive_control->mutex);
	gofive_control->launcher_latch = MyLatch;
	gofive_control->launcher_pid = MyProcPid;
	SpinLockRelease(&gofive_control->mutex);
	before_shmem_exit(launcher_exit, (Datum) 0);
}

/*
 * Free slots a previous launcher left taken: their workers are gone or
 * will find their database as it is (a restarted launcher meets them all
 * as unknown databases, so nothing is lost).
 */
static void
free_stale_slots(void)
{
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		pid_t		pid;

		SpinLockAcquire(&gofive_control->slots[i].mutex);
		pid = gofive_control->slots[i].worker_pid;
		SpinLockRelease(&gofive_control->slots[i].mutex);
		if (pid != 0)
			(void) kill(pid, SIGTERM);
		gofive_take_slot(&gofive_control->slots[i], InvalidOid, "");
	}
}

void
gofive_launcher_main(Datum arg)
{
	HASHCTL		ctl = {0};
	TimestampTz next_scan = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname(LAUNCHER_NAME);
	gofive_push_context(&process_context, LAUNCHER_NAME);	/* names it in the log */

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(KnownDb);
	known = hash_create("gofive databases", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	handles = MemoryContextAllocZero(TopMemoryContext,
									 sizeof(BackgroundWorkerHandle *) * gofive_control->nslots);
	free_stale_slots();
	publish_launcher();

	for (;;)
	{
		TimestampTz now;
		TimestampTz next_start;
		long		timeout;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		ResetLatch(MyLatch);
		now = GetCurrentTimestamp();
		if (take_registrations() || now >= next_scan ||
			gofive_holds_ended() != scanned_holds_ended)
		{
			scan_databases();
			next_scan = TimestampTzPlusMilliseconds(now, NAPTIME_MS);
		}
		reap_workers(now);
		stop_unwanted();
		give_up_unserved();
		next_start = next_scan;
		if (!start_wanted(now, &next_start))
			continue;			/* read pg_database first */

		timeout = Max(1, (long) ((Min(next_scan, next_start) - now) / 1000));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(timeout, NAPTIME_MS), PG_WAIT_EXTENSION);
	}
}

/* ---- the statements the launcher must hear about ---- */

/*
 * Through ProcessUtility_hook (installed only when gofive is preloaded):
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
 *	   slot up (above).
 */

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
