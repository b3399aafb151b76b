/*
 * shmem.c
 *		The small piece of shared memory between the backends and the outbox
 *		worker: the worker's latch (to wake it at commit) and its statistics.
 *
 * It exists only when gofive is in shared_preload_libraries; without it,
 * requests are still queued, and delivered once a worker runs.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "gofive.h"
#include "outbox.h"

GofiveShared *gofive_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static bool wake_at_commit = false;
static bool xact_callback_registered = false;

static void
request_shmem(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(GofiveShared)));
}

static void
startup_shmem(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	gofive_shared = ShmemInitStruct("gofive", sizeof(GofiveShared), &found);
	if (!found)
	{
		memset(gofive_shared, 0, sizeof(GofiveShared));
		SpinLockInit(&gofive_shared->mutex);
		strlcpy(gofive_shared->state, "not started", sizeof(gofive_shared->state));
		pg_atomic_init_u32(&gofive_shared->in_flight, 0);
		pg_atomic_init_u64(&gofive_shared->sent, 0);
		pg_atomic_init_u64(&gofive_shared->succeeded, 0);
		pg_atomic_init_u64(&gofive_shared->failed, 0);
		pg_atomic_init_u64(&gofive_shared->retried, 0);
		pg_atomic_init_u64(&gofive_shared->dead, 0);
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

static void
wake_on_commit(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (wake_at_commit && gofive_shared)
			{
				Latch	   *latch = gofive_shared->worker_latch;

				if (latch)
					SetLatch(latch);
			}
			wake_at_commit = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* a prepared transaction is found by the worker's periodic look */
			wake_at_commit = false;
			break;
		default:
			break;
	}
}

/* Ask for the worker to be woken when the current transaction commits. */
void
gofive_wake_worker_at_commit(void)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(wake_on_commit, NULL);
		xact_callback_registered = true;
	}
	wake_at_commit = true;
}

void
gofive_set_worker_state(const char *state)
{
	if (!gofive_shared)
		return;
	SpinLockAcquire(&gofive_shared->mutex);
	strlcpy(gofive_shared->state, state, sizeof(gofive_shared->state));
	SpinLockRelease(&gofive_shared->mutex);
}

void
gofive_set_last_error(const char *error)
{
	if (!gofive_shared)
		return;
	SpinLockAcquire(&gofive_shared->mutex);
	strlcpy(gofive_shared->last_error, error ? error : "", sizeof(gofive_shared->last_error));
	SpinLockRelease(&gofive_shared->mutex);
}

/* ---- gofive.worker_stats(), behind the view gofive.worker ---- */

PG_FUNCTION_INFO_V1(gofive_worker_stats);

static const char *
circuit_name(GofiveCircuit c)
{
	return c == CIRCUIT_OPEN ? "open" : (c == CIRCUIT_HALF_OPEN ? "half-open" : "closed");
}

Datum
gofive_worker_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[13];
	bool		nulls[13] = {0};
	GofiveShared snap;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "gofive.worker_stats must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	if (gofive_shared == NULL)
	{
		for (int i = 0; i < 13; i++)
			nulls[i] = true;
		values[2] = CStringGetTextDatum("not preloaded");
		nulls[2] = false;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
	}

	SpinLockAcquire(&gofive_shared->mutex);
	memcpy(&snap, gofive_shared, offsetof(GofiveShared, in_flight));
	SpinLockRelease(&gofive_shared->mutex);

	values[0] = Int32GetDatum(snap.worker_pid);
	nulls[0] = (snap.worker_pid == 0);
	values[1] = CStringGetTextDatum(snap.database);
	nulls[1] = (snap.database[0] == '\0');
	values[2] = CStringGetTextDatum(snap.state);
	values[3] = TimestampTzGetDatum(snap.started_at);
	nulls[3] = (snap.started_at == 0);
	values[4] = Int32GetDatum((int32) pg_atomic_read_u32(&gofive_shared->in_flight));
	values[5] = Int64GetDatum((int64) pg_atomic_read_u64(&gofive_shared->sent));
	values[6] = Int64GetDatum((int64) pg_atomic_read_u64(&gofive_shared->succeeded));
	values[7] = Int64GetDatum((int64) pg_atomic_read_u64(&gofive_shared->failed));
	values[8] = Int64GetDatum((int64) pg_atomic_read_u64(&gofive_shared->retried));
	values[9] = Int64GetDatum((int64) pg_atomic_read_u64(&gofive_shared->dead));
	values[10] = CStringGetTextDatum(circuit_name(snap.circuit));
	values[11] = TimestampTzGetDatum(snap.circuit_until);
	nulls[11] = (snap.circuit != CIRCUIT_OPEN);
	/* the API's messages may quote other roles' requests */
	values[12] = CStringGetTextDatum(snap.last_error);
	nulls[12] = (snap.last_error[0] == '\0' || !gofive_is_admin(GetUserId()));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static void
forget_worker(int code, Datum arg)
{
	SpinLockAcquire(&gofive_shared->mutex);
	gofive_shared->worker_latch = NULL;
	gofive_shared->worker_pid = 0;
	strlcpy(gofive_shared->state, "stopped", sizeof(gofive_shared->state));
	SpinLockRelease(&gofive_shared->mutex);
}

/* Publish the worker's latch; it is withdrawn when the worker exits. */
void
gofive_publish_worker(const char *database)
{
	SpinLockAcquire(&gofive_shared->mutex);
	gofive_shared->worker_latch = MyLatch;
	gofive_shared->worker_pid = MyProcPid;
	gofive_shared->started_at = GetCurrentTimestamp();
	strlcpy(gofive_shared->database, database, sizeof(gofive_shared->database));
	gofive_shared->circuit = CIRCUIT_CLOSED;
	SpinLockRelease(&gofive_shared->mutex);
	pg_atomic_write_u32(&gofive_shared->in_flight, 0);
	before_shmem_exit(forget_worker, (Datum) 0);
}
