/*
 * src/outbox/shmem.c
 *		The shared memory between the backends, the launcher and the delivery
 *		workers: one slot per worker (gofive.max_workers of them) with its
 *		latch and statistics, and the launcher's latch and its list of
 *		databases that just ran CREATE EXTENSION gofive.
 *
 * It exists only when gofive is in shared_preload_libraries; without it,
 * requests are still queued, and delivered once a worker runs.
 *
 * Invariants: a slot is taken (dboid set) and freed only by the launcher;
 * it stays taken while its database's worker is started again (after an
 * error, or once a hold ends), so a database never loses its slot to
 * another by a restart; its worker_pid and worker_latch are set and cleared
 * only by its worker.
 * A backend finds the worker of its database by dboid, under the slot's
 * spinlock.
 */
#include "postgres.h"

#include <signal.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "common/hashfn.h"
#include "commands/dbcommands.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "gofive.h"
#include "outbox.h"

GofiveControl *gofive_control = NULL;
GofiveWorkerSlot *gofive_slot = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static bool wake_at_commit = false;
static bool register_at_commit = false;
static bool maintain_at_commit = false;	/* gofive_purge() ran */
static bool wake_after_locks = false;	/* committed: wake once the locks are gone */
static bool maintain_after_locks = false;	/* and ask for maintenance */
static bool xact_callback_registered = false;

/* the databases this backend holds: released when its transaction ends */
static Oid	held_here[GOFIVE_MAX_HOLDS];
static int	nheld_here = 0;

static void release_holds_here(void);

static Size
control_size(void)
{
	return add_size(offsetof(GofiveControl, slots),
					mul_size(sizeof(GofiveWorkerSlot), gofive_max_workers));
}

static void
request_shmem(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(control_size()));
}

static void
init_slot(GofiveWorkerSlot *slot)
{
	memset(slot, 0, sizeof(*slot));
	SpinLockInit(&slot->mutex);
	strlcpy(slot->state, "free", sizeof(slot->state));
	pg_atomic_init_u32(&slot->in_flight, 0);
	pg_atomic_init_u64(&slot->sent, 0);
	pg_atomic_init_u64(&slot->succeeded, 0);
	pg_atomic_init_u64(&slot->failed, 0);
	pg_atomic_init_u64(&slot->retried, 0);
	pg_atomic_init_u64(&slot->dead, 0);
	pg_atomic_init_u32(&slot->maintain, 0);
	pg_atomic_init_u32(&slot->lanes_gen, 0);
}

static void
startup_shmem(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	gofive_control = ShmemInitStruct("gofive", control_size(), &found);
	if (!found)
	{
		memset(gofive_control, 0, offsetof(GofiveControl, slots));
		SpinLockInit(&gofive_control->mutex);
		gofive_control->nslots = gofive_max_workers;
		for (int i = 0; i < gofive_max_workers; i++)
			init_slot(&gofive_control->slots[i]);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Called from _PG_init while preloading. */
void
gofive_shmem_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
}

/* ---- waking the worker of this database, or the launcher, at commit ---- */

static void
wake_worker(Oid dboid, bool maintain)
{
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		GofiveWorkerSlot *slot = &gofive_control->slots[i];
		Latch	   *latch = NULL;

		SpinLockAcquire(&slot->mutex);
		if (slot->dboid == dboid)
		{
			latch = slot->worker_latch;
			if (maintain)
				pg_atomic_write_u32(&slot->maintain, 1);
		}
		SpinLockRelease(&slot->mutex);
		if (latch)
			SetLatch(latch);
	}
}

static void
register_database(Oid dboid)
{
	Latch	   *latch;

	SpinLockAcquire(&gofive_control->mutex);
	if (gofive_control->nregistered < GOFIVE_MAX_REGISTRATIONS)
		gofive_control->registered[gofive_control->nregistered++] = dboid;
	else
		gofive_control->rescan = true;
	latch = gofive_control->launcher_latch;
	SpinLockRelease(&gofive_control->mutex);
	if (latch)
		SetLatch(latch);
}

/*
 * The worker is woken only once the committed transaction has sent its
 * catalog invalidations and released its locks: XACT_EVENT_COMMIT comes
 * before both, so a worker woken there could claim a row and still see,
 * in its caches, the catalogs as they were before the transaction (say, a
 * REVOKE USAGE on an account committed with the request).
 */
static void
wake_after_release(ResourceReleasePhase phase, bool isCommit, bool isTopLevel, void *arg)
{
	if (phase != RESOURCE_RELEASE_AFTER_LOCKS || !isTopLevel)
		return;
	/* committed or not, and visible: the launcher may start workers again */
	if (nheld_here > 0)
		release_holds_here();
	if (!wake_after_locks)
		return;
	wake_after_locks = false;
	if (isCommit && gofive_control)
		wake_worker(MyDatabaseId, maintain_after_locks);
	maintain_after_locks = false;
}

static void
at_commit(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			wake_after_locks = wake_at_commit;
			maintain_after_locks = maintain_at_commit;
			if (gofive_control && register_at_commit)
				register_database(MyDatabaseId);
			wake_at_commit = register_at_commit = maintain_at_commit = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* a prepared transaction is found by the worker's periodic look */
			wake_at_commit = register_at_commit = maintain_at_commit = false;
			break;
		default:
			break;
	}
}

static void
ensure_callback(void)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(at_commit, NULL);
		RegisterResourceReleaseCallback(wake_after_release, NULL);
		xact_callback_registered = true;
	}
}

/* Ask for the worker to be woken when the current transaction commits. */
void
gofive_wake_worker_at_commit(void)
{
	ensure_callback();
	wake_at_commit = true;
}

/* CREATE EXTENSION gofive: ask the launcher to serve this database at commit. */
void
gofive_register_database_at_commit(void)
{
	ensure_callback();
	register_at_commit = true;
}

/* ---- the worker's side ---- */

static void
release_slot(int code, Datum arg)
{
	bool		mine;

	SpinLockAcquire(&gofive_slot->mutex);
	/* a restarted launcher may have given the slot to another worker */
	mine = (gofive_slot->worker_pid == MyProcPid);
	if (mine)
	{
		gofive_slot->worker_latch = NULL;
		gofive_slot->worker_pid = 0;
		strlcpy(gofive_slot->state, gofive_slot->not_installed ? "not installed" : "stopped",
				sizeof(gofive_slot->state));
	}
	SpinLockRelease(&gofive_slot->mutex);
	if (mine)
		pg_atomic_write_u32(&gofive_slot->in_flight, 0);
}

/*
 * A new worker takes its slot, unless the slot's database is held (a DROP
 * DATABASE is waiting for it to go): then false, and it must leave at once.
 */
bool
gofive_attach_slot(int index)
{
	GofiveWorkerSlot *slot = &gofive_control->slots[index];

	/*
	 * Publish first, then look for a hold: a holder sets its hold before it
	 * looks for the pid, so either it sees this pid and stops us, or we see
	 * its hold.
	 */
	SpinLockAcquire(&slot->mutex);
	slot->worker_latch = MyLatch;
	slot->worker_pid = MyProcPid;
	slot->started_at = GetCurrentTimestamp();
	slot->not_installed = false;
	slot->other_version = false;
	slot->circuit = CIRCUIT_CLOSED;
	strlcpy(slot->state, "starting", sizeof(slot->state));
	SpinLockRelease(&slot->mutex);
	if (gofive_database_held(slot->dboid))
	{
		SpinLockAcquire(&slot->mutex);
		slot->worker_latch = NULL;
		slot->worker_pid = 0;
		SpinLockRelease(&slot->mutex);
		return false;
	}
	gofive_slot = slot;
	pg_atomic_write_u32(&slot->in_flight, 0);
	before_shmem_exit(release_slot, (Datum) 0);
	return true;
}

/* The launcher gives a free slot to a database: statistics start afresh. */
void
gofive_take_slot(GofiveWorkerSlot *slot, Oid dboid, const char *database)
{
	SpinLockAcquire(&slot->mutex);
	slot->dboid = dboid;
	strlcpy(slot->database, database, sizeof(slot->database));
	slot->worker_pid = 0;
	slot->worker_latch = NULL;
	slot->not_installed = false;
	slot->other_version = false;
	slot->started_at = 0;
	slot->circuit = CIRCUIT_CLOSED;
	slot->circuit_until = 0;
	slot->last_error[0] = '\0';
	slot->last_error_at = 0;
	strlcpy(slot->state, OidIsValid(dboid) ? "starting" : "free", sizeof(slot->state));
	SpinLockRelease(&slot->mutex);
	pg_atomic_write_u32(&slot->in_flight, 0);
	pg_atomic_write_u64(&slot->heartbeat, 0);
	pg_atomic_write_u64(&slot->sent, 0);
	pg_atomic_write_u64(&slot->succeeded, 0);
	pg_atomic_write_u64(&slot->failed, 0);
	pg_atomic_write_u64(&slot->retried, 0);
	pg_atomic_write_u64(&slot->dead, 0);
	pg_atomic_write_u32(&slot->maintain, 0);
	slot->nlanes = 0;
}

/*
 * The worker found another version of gofive than the library's, and said
 * so: the launcher, which sees it leave as from a database without gofive,
 * adds nothing (launcher.c).
 */
void
gofive_note_other_version(void)
{
	if (!gofive_slot)
		return;
	SpinLockAcquire(&gofive_slot->mutex);
	gofive_slot->other_version = true;
	SpinLockRelease(&gofive_slot->mutex);
}

void
gofive_set_worker_state(const char *state)
{
	if (!gofive_slot)
		return;
	SpinLockAcquire(&gofive_slot->mutex);
	strlcpy(gofive_slot->state, state, sizeof(gofive_slot->state));
	SpinLockRelease(&gofive_slot->mutex);
}

void
gofive_set_last_error(const char *error)
{
	if (!gofive_slot)
		return;
	SpinLockAcquire(&gofive_slot->mutex);
	strlcpy(gofive_slot->last_error, error ? error : "", sizeof(gofive_slot->last_error));
	gofive_slot->last_error_at = (error && *error) ? GetCurrentTimestamp() : gofive_slot->last_error_at;
	SpinLockRelease(&gofive_slot->mutex);
}

/* The worker's loop turned (at least every IDLE_LOOK_MS while it runs). */
void
gofive_worker_heartbeat(TimestampTz now)
{
	if (gofive_slot)
		pg_atomic_write_u64(&gofive_slot->heartbeat, (uint64) now);
}

/*
 * Holds: databases that must have no worker for now.  A statement that
 * needs a database without other connections (DROP DATABASE, ALTER
 * DATABASE ... RENAME or SET TABLESPACE, CREATE DATABASE ... TEMPLATE)
 * holds it, stops its worker and waits for it to go (launcher.c's utility
 * hook); the launcher starts none there until the hold is released, or
 * expires after a minute should the holder die without releasing it.  The database keeps
 * its slot meanwhile (launcher.c).
 *
 * A hold is released when the holder's transaction ends, once its locks are
 * gone (or at once, when the statement fails): by then a rename or a drop
 * is committed and visible.  Each release counts in holds_ended, so the
 * launcher reads pg_database again (the new name, or the database gone)
 * before it starts a worker there.
 */
#define HOLD_MS 60000

bool
gofive_database_held(Oid dboid)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		held = false;

	SpinLockAcquire(&gofive_control->mutex);
	for (int i = 0; i < GOFIVE_MAX_HOLDS; i++)
		if (gofive_control->holds[i].dboid == dboid && now < gofive_control->holds[i].until)
			held = true;
	SpinLockRelease(&gofive_control->mutex);
	return held;
}

/* How many holds were released so far (the launcher compares). */
uint32
gofive_holds_ended(void)
{
	uint32		n;

	SpinLockAcquire(&gofive_control->mutex);
	n = gofive_control->holds_ended;
	SpinLockRelease(&gofive_control->mutex);
	return n;
}

static void
set_hold(Oid dboid, bool hold)
{
	TimestampTz now = GetCurrentTimestamp();
	int			free_entry = -1;
	bool		ended = false;
	Latch	   *launcher = NULL;

	SpinLockAcquire(&gofive_control->mutex);
	for (int i = 0; i < GOFIVE_MAX_HOLDS; i++)
	{
		GofiveHold *h = &gofive_control->holds[i];

		if (h->dboid == dboid || now >= h->until)
		{
			if (h->dboid == dboid && now < h->until)
				ended = true;
			h->dboid = InvalidOid;
			if (free_entry < 0)
				free_entry = i;
		}
	}
	if (hold && free_entry >= 0)
	{
		gofive_control->holds[free_entry].dboid = dboid;
		gofive_control->holds[free_entry].until = TimestampTzPlusMilliseconds(now, HOLD_MS);
	}
	if (!hold && ended)
	{
		gofive_control->holds_ended++;
		launcher = gofive_control->launcher_latch;
	}
	SpinLockRelease(&gofive_control->mutex);
	if (launcher)
		SetLatch(launcher);
}

/* Forget that this backend holds dboid; false if it did not. */
static bool
forget_held_here(Oid dboid)
{
	for (int i = 0; i < nheld_here; i++)
		if (held_here[i] == dboid)
		{
			held_here[i] = held_here[--nheld_here];
			return true;
		}
	return false;
}

/* The holder's transaction ended: release what it holds. */
static void
release_holds_here(void)
{
	while (nheld_here > 0)
		set_hold(held_here[--nheld_here], false);
}

/* Stop the worker of the database, waiting up to 10 s for it to exit. */
static void
stop_worker(Oid dboid)
{
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		GofiveWorkerSlot *slot = &gofive_control->slots[i];
		pid_t		pid = 0;

		SpinLockAcquire(&slot->mutex);
		if (slot->dboid == dboid)
			pid = slot->worker_pid;
		SpinLockRelease(&slot->mutex);
		if (pid == 0)
			continue;
		(void) kill(pid, SIGTERM);
		for (int waited = 0; waited < 10000; waited += 10)
		{
			bool		gone;

			SpinLockAcquire(&slot->mutex);
			gone = (slot->worker_pid != pid);
			SpinLockRelease(&slot->mutex);
			if (gone)
				break;
			CHECK_FOR_INTERRUPTS();
			pg_usleep(10 * 1000L);
		}
	}
}

/*
 * Hold a database (stopping its worker) until the current transaction ends;
 * or release it now (the statement failed).
 */
void
gofive_hold_database(Oid dboid, bool hold)
{
	if (gofive_control == NULL || !OidIsValid(dboid))
		return;
	if (!hold)
	{
		(void) forget_held_here(dboid);
		set_hold(dboid, false);
		return;
	}
	ensure_callback();
	(void) forget_held_here(dboid);
	/* beyond GOFIVE_MAX_HOLDS in one transaction, a hold lasts until it expires */
	if (nheld_here < GOFIVE_MAX_HOLDS)
		held_here[nheld_here++] = dboid;
	set_hold(dboid, true);
	stop_worker(dboid);
}

/* ---- what backends see ---- */

/* The slot serving this database, copied; false if none. */
static bool
my_slot(GofiveWorkerSlot *copy, int *index)
{
	if (gofive_control == NULL)
		return false;
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		GofiveWorkerSlot *slot = &gofive_control->slots[i];
		bool		mine;

		SpinLockAcquire(&slot->mutex);
		mine = (slot->dboid == MyDatabaseId);
		if (mine)
			memcpy(copy, slot, offsetof(GofiveWorkerSlot, in_flight));
		SpinLockRelease(&slot->mutex);
		if (mine)
		{
			*index = i;
			return true;
		}
	}
	return false;
}

/*
 * Why no worker serves this database, or NULL when one does (or is being
 * started).  For gofive.worker and for the warning at enqueue.
 */
const char *
gofive_unserved_reason(void)
{
	GofiveWorkerSlot slot;
	int			index;
	pid_t		launcher_pid;

	if (gofive_control == NULL)
		return "gofive is not in shared_preload_libraries";
	if (RecoveryInProgress())
		return "this server is a standby: requests are delivered by the primary";
	if (gofive_database && *gofive_database && strcmp(gofive_database, get_database_name(MyDatabaseId)) != 0)
		return psprintf("gofive.database is set to \"%s\"", gofive_database);
	if (my_slot(&slot, &index))
		return NULL;
	SpinLockAcquire(&gofive_control->mutex);
	launcher_pid = gofive_control->launcher_pid;
	SpinLockRelease(&gofive_control->mutex);
	if (launcher_pid == 0)
		return "the gofive launcher is not running";
	for (int i = 0; i < gofive_control->nslots; i++)
	{
		bool		free_slot;

		SpinLockAcquire(&gofive_control->slots[i].mutex);
		free_slot = !OidIsValid(gofive_control->slots[i].dboid);
		SpinLockRelease(&gofive_control->slots[i].mutex);
		if (free_slot)
			return NULL;		/* about to be served */
	}
	return psprintf("gofive.max_workers (%d) databases are served already", gofive_control->nslots);
}

/* ---- gofive_worker_stats(), behind the view gofive.worker ---- */

PG_FUNCTION_INFO_V1(gofive_worker_stats);

static const char *
circuit_name(GofiveCircuit c)
{
	return c == CIRCUIT_OPEN ? "open" : (c == CIRCUIT_HALF_OPEN ? "half-open" : "closed");
}

#define STATS_COLUMNS 16

/*
 * The worker is healthy when it runs, its loop turned within this long
 * (it turns at least every 10 s, the idle look), and its circuit is closed.
 */
#define HEALTHY_WITHIN_MS 60000

/* The row for a database no worker serves: the state says why. */
static Datum
unserved_row(TupleDesc tupdesc, const char *reason)
{
	Datum		values[STATS_COLUMNS];
	bool		nulls[STATS_COLUMNS];

	for (int i = 0; i < STATS_COLUMNS; i++)
		nulls[i] = true;
	values[1] = CStringGetTextDatum(get_database_name(MyDatabaseId));
	nulls[1] = false;
	values[2] = CStringGetTextDatum(reason ? psprintf("not served: %s", reason) : "starting");
	nulls[2] = false;
	values[15] = BoolGetDatum(false);	/* healthy */
	nulls[15] = false;
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

Datum
gofive_worker_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[STATS_COLUMNS];
	bool		nulls[STATS_COLUMNS] = {0};
	GofiveWorkerSlot snap;
	GofiveWorkerSlot *slot;
	const char *reason;
	int			index;

	gofive_check_version();
	reason = gofive_unserved_reason();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "gofive_worker_stats must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	if (gofive_control == NULL)
	{
		/* as before: state "not preloaded" */
		for (int i = 0; i < STATS_COLUMNS; i++)
			nulls[i] = true;
		values[2] = CStringGetTextDatum("not preloaded");
		nulls[2] = false;
		values[15] = BoolGetDatum(false);	/* healthy */
		nulls[15] = false;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
	}
	if (reason != NULL || !my_slot(&snap, &index))
		PG_RETURN_DATUM(unserved_row(tupdesc, reason));
	slot = &gofive_control->slots[index];

	values[0] = Int32GetDatum(snap.worker_pid);
	nulls[0] = (snap.worker_pid == 0);
	values[1] = CStringGetTextDatum(snap.database);
	values[2] = CStringGetTextDatum(snap.state);
	values[3] = TimestampTzGetDatum(snap.started_at);
	nulls[3] = (snap.started_at == 0);
	values[4] = Int32GetDatum((int32) pg_atomic_read_u32(&slot->in_flight));
	values[5] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->sent));
	values[6] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->succeeded));
	values[7] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->failed));
	values[8] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->retried));
	values[9] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->dead));
	values[10] = CStringGetTextDatum(circuit_name(snap.circuit));
	values[11] = TimestampTzGetDatum(snap.circuit_until);
	nulls[11] = (snap.circuit != CIRCUIT_OPEN);
	/* the API's messages may quote other roles' requests */
	values[12] = CStringGetTextDatum(snap.last_error);
	nulls[12] = (snap.last_error[0] == '\0' || !gofive_is_admin(GetUserId()));
	/* for everybody: when, not what */
	{
		TimestampTz beat = (TimestampTz) pg_atomic_read_u64(&slot->heartbeat);

		values[13] = TimestampTzGetDatum(beat);
		nulls[13] = (beat == 0);
		values[14] = TimestampTzGetDatum(snap.last_error_at);
		nulls[14] = (snap.last_error_at == 0);
		values[15] = BoolGetDatum(snap.worker_pid != 0 && beat != 0 &&
								  !TimestampDifferenceExceeds(beat, GetCurrentTimestamp(),
															  HEALTHY_WITHIN_MS) &&
								  snap.circuit == CIRCUIT_CLOSED);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- the lanes, for gofive.accounts ---- */

/*
 * Publish the worker's lanes.  Readers copy without a lock and try again
 * while the generation is odd or changed under them (a sequence lock): the
 * copy is too large for a spinlock.
 */
void
gofive_publish_lanes(const GofiveLaneStat *lanes, int n)
{
	if (!gofive_slot)
		return;
	pg_atomic_fetch_add_u32(&gofive_slot->lanes_gen, 1);	/* odd: being written */
	pg_write_barrier();
	gofive_slot->nlanes = Min(n, GOFIVE_MAX_LANES);
	memcpy(gofive_slot->lanes, lanes, sizeof(GofiveLaneStat) * gofive_slot->nlanes);
	pg_write_barrier();
	pg_atomic_fetch_add_u32(&gofive_slot->lanes_gen, 1);	/* even: stable */
}

/* A stable copy of a slot's lanes into lanes; how many. */
static int
copy_lanes(GofiveWorkerSlot *slot, GofiveLaneStat *lanes)
{
	for (;;)
	{
		uint32		before = pg_atomic_read_u32(&slot->lanes_gen);
		int			n;

		pg_read_barrier();
		n = Min(slot->nlanes, GOFIVE_MAX_LANES);
		memcpy(lanes, slot->lanes, sizeof(GofiveLaneStat) * n);
		pg_read_barrier();
		if (before % 2 == 0 && pg_atomic_read_u32(&slot->lanes_gen) == before)
			return n;
		CHECK_FOR_INTERRUPTS();
		pg_usleep(100);
	}
}

/*
 * gofive_purge() ran: once it has committed, the worker purges and compacts
 * at its next turn.  Not before: a worker that looked while the purge's
 * rows were still there would find nothing worth compacting.
 */
void
gofive_request_maintenance(void)
{
	gofive_wake_worker_at_commit();
	maintain_at_commit = true;
}

/* In the worker: whether maintenance was asked for (and no longer is). */
bool
gofive_maintenance_requested(void)
{
	return gofive_slot && pg_atomic_exchange_u32(&gofive_slot->maintain, 0) != 0;
}

PG_FUNCTION_INFO_V1(gofive_account_stats);

#define LANE_COLUMNS 13

static void
lane_row(ReturnSetInfo *rsinfo, const GofiveLaneStat *l)
{
	Datum		values[LANE_COLUMNS];
	bool		nulls[LANE_COLUMNS] = {0};

	values[0] = CStringGetTextDatum(l->account);
	nulls[0] = l->default_account;
	values[1] = ObjectIdGetDatum(l->role);
	values[2] = CStringGetTextDatum(l->state);
	values[3] = TimestampTzGetDatum(l->until);
	nulls[3] = (l->until == 0);
	values[4] = Int32GetDatum(l->in_flight);
	values[5] = Float8GetDatum(l->rate_limit);
	nulls[5] = (l->rate_limit <= 0);
	values[6] = Int64GetDatum((int64) l->sent);
	values[7] = Int64GetDatum((int64) l->succeeded);
	values[8] = Int64GetDatum((int64) l->failed);
	values[9] = Int64GetDatum((int64) l->retried);
	values[10] = CStringGetTextDatum(l->problem);
	nulls[10] = (l->problem[0] == '\0');
	values[11] = CStringGetTextDatum(l->last_error);
	nulls[11] = (l->last_error[0] == '\0');
	values[12] = TimestampTzGetDatum(l->last_error_at);
	nulls[12] = (l->last_error_at == 0);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * gofive_account_stats(): this database's worker's lanes (nothing when no
 * worker serves it).  Behind the view gofive.accounts, which decides who
 * sees the errors.
 */
Datum
gofive_account_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GofiveWorkerSlot copy;
	GofiveLaneStat *lanes;
	int			index;
	int			n;

	gofive_check_version();
	InitMaterializedSRF(fcinfo, 0);
	if (gofive_control == NULL || !my_slot(&copy, &index))
		return (Datum) 0;
	lanes = palloc(sizeof(GofiveLaneStat) * GOFIVE_MAX_LANES);
	n = copy_lanes(&gofive_control->slots[index], lanes);
	for (int i = 0; i < n; i++)
		lane_row(rsinfo, &lanes[i]);
	return (Datum) 0;
}

/* ---- where a request is queued ---- */

/* This database's origin: the cluster's system identifier and the database's oid. */
int64
gofive_origin_of_database(void)
{
	static int64 origin = 0;

	if (origin == 0)
	{
		uint64		parts[2] = {GetSystemIdentifier(), (uint64) MyDatabaseId};

		origin = (int64) hash_bytes_extended((const unsigned char *) parts, sizeof(parts), 0);
		if (origin == 0)
			origin = 1;
	}
	return origin;
}

PG_FUNCTION_INFO_V1(gofive_origin);

Datum
gofive_origin(PG_FUNCTION_ARGS)
{
	gofive_check_version();		/* a column default: once per transaction */
	PG_RETURN_INT64(gofive_origin_of_database());
}
