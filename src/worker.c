/*
 * worker.c
 *		The outbox worker: a background worker, started when gofive is in
 *		shared_preload_libraries, that delivers gofive.outbox in the database
 *		named by gofive.database.
 *
 * The loop, in one process:
 *	 - record the outcomes of finished requests (one short transaction);
 *	 - claim ready rows when fewer than max_concurrency are waiting to go
 *	   (one short transaction, FOR UPDATE SKIP LOCKED);
 *	 - start requests until max_concurrency are in flight;
 *	 - drive the transfers (curl multi), or, with nothing to do, sleep on
 *	   the latch until a committing enqueuer sets it, a retry falls due, or
 *	   the periodic look (for rows enqueued without a wake-up, such as
 *	   COMMIT PREPARED) comes round.
 * A request holds its concurrency slot until its outcome is committed, so
 * the requests that may be sent twice after a crash are at most those in
 * flight.
 *
 * Outages: when MIN_OUTAGES_TO_OPEN requests in a row find the API
 * unavailable (no connection, timeouts, 5xx), the circuit opens: nothing
 * is sent for a cool-down (retry_base doubling up to retry_max), then one
 * request probes; its success closes the circuit and the backlog drains.
 * Attempts that fail while the circuit is not closed do not count against
 * gofive.max_attempts.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "worker.h"

#define WORKER_NAME				"gofive worker"
#define IDLE_LOOK_MS			10000	/* periodic look while idle */
#define NOT_INSTALLED_LOOK_MS	1000
#define PURGE_EVERY_MS			60000
#define POLL_MS					10		/* curl wait while requests are in flight */
#define MIN_WAIT_MS				20		/* shortest idle wait */
#define RECORD_AFTER_MS			2		/* longest wait to record a finished one */
#define MIN_OUTAGES_TO_OPEN		5

typedef struct WorkerState
{
	char		database[NAMEDATALEN];
	List	   *ready;			/* claimed, not yet sent */
	List	   *finished;		/* sent, outcome known, not yet recorded */
	bool		more_to_claim;	/* the last claim may have left rows behind */
	TimestampTz first_finished_at;
	TimestampTz next_purge;
	GofiveCircuit circuit;
	TimestampTz circuit_until;
	int			outages_in_row;
	int			open_count;		/* opens since the circuit was last closed */
	TimestampTz paused_until;	/* after a 429's Retry-After */
} WorkerState;

static WorkerState ws;

void
gofive_register_worker(void)
{
	BackgroundWorker worker = {0};

	strlcpy(worker.bgw_name, WORKER_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_type, WORKER_NAME, BGW_MAXLEN);
	strlcpy(worker.bgw_library_name, "gofive", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "gofive_worker_main", BGW_MAXLEN);
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	RegisterBackgroundWorker(&worker);
}

/* ---- status, for gofive.worker and pg_stat_activity ---- */

static void
report(const char *state)
{
	static const char *reported = NULL;

	if (state == reported)
		return;					/* the states are string constants */
	reported = state;
	gofive_set_worker_state(state);
	pgstat_report_activity(STATE_RUNNING, state);
}

static void
publish_circuit(void)
{
	SpinLockAcquire(&gofive_shared->mutex);
	gofive_shared->circuit = ws.circuit;
	gofive_shared->circuit_until = ws.circuit_until;
	SpinLockRelease(&gofive_shared->mutex);
}

/* ---- the circuit breaker ---- */

static bool
may_send(TimestampTz now)
{
	if (now < ws.paused_until)
		return false;
	if (ws.circuit == CIRCUIT_OPEN && now >= ws.circuit_until)
	{
		ws.circuit = CIRCUIT_HALF_OPEN;
		publish_circuit();
		elog(LOG, "gofive worker: probing the API after an outage");
	}
	if (ws.circuit == CIRCUIT_OPEN)
		return false;
	/* half open: one probe at a time */
	return ws.circuit == CIRCUIT_CLOSED || delivery_in_flight() == 0;
}

static void
open_circuit(TimestampTz now)
{
	int64		cooldown = gofive_retry_base_ms;

	for (int i = 0; i < ws.open_count && cooldown < gofive_retry_max_ms; i++)
		cooldown *= 2;
	cooldown = Min(cooldown, (int64) gofive_retry_max_ms);
	ws.open_count++;
	ws.circuit = CIRCUIT_OPEN;
	ws.circuit_until = TimestampTzPlusMilliseconds(now, cooldown);
	publish_circuit();
	elog(LOG, "gofive worker: the API looks unavailable; pausing deliveries for " INT64_FORMAT " ms",
		 cooldown);

	/* give back what was claimed but not sent, so it is not held */
	db_release(ws.ready);
	while (ws.ready != NIL)
	{
		Job		   *job = (Job *) linitial(ws.ready);

		ws.ready = list_delete_first(ws.ready);
		MemoryContextDelete(job->cxt);
	}
}

static void
note_outage(bool outage, TimestampTz now)
{
	if (!outage)
	{
		if (ws.circuit != CIRCUIT_CLOSED)
			elog(LOG, "gofive worker: the API answers again");
		ws.outages_in_row = 0;
		ws.open_count = 0;
		if (ws.circuit != CIRCUIT_CLOSED)
		{
			ws.circuit = CIRCUIT_CLOSED;
			publish_circuit();
		}
		return;
	}
	ws.outages_in_row++;
	if (ws.circuit == CIRCUIT_HALF_OPEN ||
		(ws.circuit == CIRCUIT_CLOSED && ws.outages_in_row >= MIN_OUTAGES_TO_OPEN))
		open_circuit(now);
}

/* ---- judging an outcome ---- */

static void
schedule_retry(Job *job, TimestampTz now, int retry_after, bool counts)
{
	int			attempt = job->attempts + 1;

	job->counted = counts ? 1 : 0;
	if (counts && attempt >= gofive_max_attempts)
	{
		job->status = "dead";
		pg_atomic_fetch_add_u64(&gofive_shared->dead, 1);
		return;
	}
	job->status = "pending";
	job->next_at = TimestampTzPlusMilliseconds(now, gofive_backoff_ms(attempt, retry_after));
	if (!counts && ws.circuit_until > job->next_at)
		job->next_at = ws.circuit_until;
	pg_atomic_fetch_add_u64(&gofive_shared->retried, 1);
}

/* For operations whose items succeed or fail one by one: the failures. */
static char *
item_failures(Job *job, GofiveOutcome *out)
{
	const GfOperation *op = gf_find_operation(job->operation);

	return (op && op->item_status) ? gofive_item_failures(out->data) : NULL;
}

static void
judge(Job *job, TimestampTz now)
{
	MemoryContext old = MemoryContextSwitchTo(job->cxt);
	bool		counts = (ws.circuit == CIRCUIT_CLOSED);
	GofiveOutcome out;
	char	   *failures;

	job->counted = 1;
	if (job->result != CURLE_OK)
	{
		job->error = psprintf("%s", job->result == CURLE_OPERATION_TIMEDOUT ?
							  "the API did not answer in time" : curl_easy_strerror(job->result));
		gofive_set_last_error(job->error);
		note_outage(true, now);
		schedule_retry(job, now, 0, counts);
		MemoryContextSwitchTo(old);
		return;
	}

	gofive_parse_response(&job->resp, &out);
	job->http_status = (int) out.http_status;
	job->business_code = out.business_code;
	job->messages = out.messages;
	note_outage(gofive_is_outage(out.http_status, false), now);

	if (gofive_outcome_ok(&out) && (failures = item_failures(job, &out)) != NULL)
	{
		/* Update Product Stock: some items were refused */
		job->status = "failed";
		job->response = out.data;
		job->messages = failures;
		job->error = "some items failed";
		gofive_set_last_error(failures);
		pg_atomic_fetch_add_u64(&gofive_shared->failed, 1);
	}
	else if (gofive_outcome_ok(&out))
	{
		job->status = "succeeded";
		job->response = out.data;
		pg_atomic_fetch_add_u64(&gofive_shared->succeeded, 1);
	}
	else if (out.http_status == 401 || out.http_status == 403)
	{
		/* renew the token before the next request; retry this one soon */
		gofive_forget_token();
		job->error = psprintf("the API refused the credentials (HTTP %ld)", out.http_status);
		gofive_set_last_error(job->error);
		schedule_retry(job, now, 0, true);
	}
	else if (out.http_status == 429 || out.http_status >= 500)
	{
		job->error = psprintf("the API is unavailable (HTTP %ld)", out.http_status);
		gofive_set_last_error(job->error);
		if (out.http_status == 429 && out.retry_after > 0)
			ws.paused_until = TimestampTzPlusMilliseconds(now, out.retry_after * 1000);
		schedule_retry(job, now, out.retry_after, counts || out.http_status == 429);
	}
	else
	{
		job->status = "failed";
		job->error = psprintf("the API rejected the request (HTTP %ld)", out.http_status);
		gofive_set_last_error(job->messages ? job->messages : job->error);
		pg_atomic_fetch_add_u64(&gofive_shared->failed, 1);
	}
	MemoryContextSwitchTo(old);
}

/* ---- the loop ---- */

static int
slots_used(void)
{
	return delivery_in_flight() + list_length(ws.finished);
}

static bool
wants_claim(TimestampTz now)
{
	return ws.more_to_claim && list_length(ws.ready) < gofive_max_concurrency && may_send(now);
}

/*
 * Record what has finished and claim more, in one transaction; then give
 * the finished requests' slots back.
 */
static void
exchange(bool record, bool claim)
{
	List	   *finished = record ? ws.finished : NIL;
	List	   *claimed;
	ListCell   *lc;

	claimed = db_exchange(finished, claim ? gofive_batch_size : 0);
	if (claim)
	{
		ws.more_to_claim = (list_length(claimed) == gofive_batch_size);
		ws.ready = list_concat(ws.ready, claimed);
		list_free(claimed);
	}
	if (finished != NIL)
	{
		foreach(lc, finished)
			MemoryContextDelete(((Job *) lfirst(lc))->cxt);
		pg_atomic_sub_fetch_u32(&gofive_shared->in_flight, list_length(finished));
		list_free(finished);
		ws.finished = NIL;
		/* an ordering key may have been released */
		ws.more_to_claim = true;
	}
}

/* The token for the next requests; NULL (and an outage noted) if none. */
static const char *
token_or_null(TimestampTz now)
{
	MemoryContext cxt = CurrentMemoryContext;
	const char *volatile token = NULL;

	PG_TRY();
	{
		token = gofive_get_token();
	}
	PG_CATCH();
	{
		ErrorData  *err;

		MemoryContextSwitchTo(cxt);
		err = CopyErrorData();
		FlushErrorState();
		gofive_set_last_error(err->message);
		elog(LOG, "gofive worker: no token: %s", err->message);
		FreeErrorData(err);
		note_outage(true, now);
		if (ws.circuit == CIRCUIT_CLOSED)
			ws.paused_until = TimestampTzPlusMilliseconds(now, gofive_retry_base_ms);
	}
	PG_END_TRY();
	return token;
}

static void
start_ready(TimestampTz now)
{
	const char *token;

	if (ws.ready == NIL || slots_used() >= gofive_max_concurrency || !may_send(now))
		return;
	if ((token = token_or_null(now)) == NULL)
		return;
	while (ws.ready != NIL && slots_used() < gofive_max_concurrency && may_send(now))
	{
		Job		   *job = (Job *) linitial(ws.ready);

		ws.ready = list_delete_first(ws.ready);
		delivery_start(job, token);
		pg_atomic_fetch_add_u32(&gofive_shared->in_flight, 1);
		pg_atomic_fetch_add_u64(&gofive_shared->sent, 1);
	}
}

static void
collect_finished(void)
{
	Job		   *job;
	TimestampTz now = GetCurrentTimestamp();

	while ((job = delivery_next_done()) != NULL)
	{
		judge(job, now);
		if (ws.finished == NIL)
			ws.first_finished_at = now;
		ws.finished = lappend(ws.finished, job);
	}
}

/* Record when enough has finished, or it waited long enough, or all is done. */
static bool
time_to_record(TimestampTz now)
{
	if (ws.finished == NIL)
		return false;
	return delivery_in_flight() == 0 ||
		list_length(ws.finished) >= Max(1, gofive_max_concurrency * 3 / 4) ||
		now >= TimestampTzPlusMilliseconds(ws.first_finished_at, RECORD_AFTER_MS);
}

static long
ms_until(TimestampTz then, TimestampTz now)
{
	return then <= now ? 0 : (long) ((then - now) / 1000) + 1;
}

/*
 * Nothing in flight and nothing ready: sleep until something can happen (a
 * commit sets the latch; a retry falls due; the circuit or a 429's pause
 * ends; the periodic look).  A due row that the claim did not get is held
 * by another transaction (SKIP LOCKED): look again soon, without spinning.
 */
static void
sleep_until_work(TimestampTz now)
{
	long		timeout = IDLE_LOOK_MS;

	if (may_send(now))
	{
		TimestampTz due = db_next_due();

		if (due != 0)
			timeout = Min(timeout, Max(ms_until(due, now), MIN_WAIT_MS));
	}
	if (ws.circuit == CIRCUIT_OPEN)
		timeout = Min(timeout, Max(ms_until(ws.circuit_until, now), 1));
	if (ws.paused_until > now)
		timeout = Min(timeout, Max(ms_until(ws.paused_until, now), 1));
	report(ws.circuit == CIRCUIT_OPEN ? "waiting: API unavailable" : "idle");
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 timeout, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	ws.more_to_claim = true;
}

static void
reload_if_asked(void)
{
	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	if (strcmp(ws.database, gofive_database) != 0)
	{
		elog(LOG, "gofive worker: gofive.database changed to \"%s\"; restarting", gofive_database);
		proc_exit(1);
	}
}

static void
purge_if_due(TimestampTz now)
{
	if (now < ws.next_purge)
		return;
	ws.next_purge = TimestampTzPlusMilliseconds(now, PURGE_EVERY_MS);
	(void) db_purge();
}

static void
wait_for_extension(void)
{
	report("waiting for CREATE EXTENSION gofive");
	/* from here on, the worker's SQL runs as gofive_worker, not as superuser */
	while (!db_extension_ready() || !gofive_become_worker_role())
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 NOT_INSTALLED_LOOK_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		reload_if_asked();
	}
}

static void
deliver_forever(void)
{
	for (;;)
	{
		TimestampTz now;

		CHECK_FOR_INTERRUPTS();
		reload_if_asked();
		ResetLatch(MyLatch);
		now = GetCurrentTimestamp();

		{
			bool		record = time_to_record(now);
			bool		claim = wants_claim(now);

			if (record || claim)
				exchange(record, claim);
		}
		start_ready(now);

		if (delivery_in_flight() > 0)
		{
			report("delivering");
			delivery_wait(ws.finished != NIL ? RECORD_AFTER_MS : POLL_MS);
			collect_finished();
			continue;
		}
		if (ws.finished != NIL)
			continue;			/* recorded at the top */
		purge_if_due(now);
		if (ws.ready != NIL && may_send(now))
			continue;
		if (wants_claim(now))
		{
			exchange(false, true);
			if (ws.ready != NIL)
				continue;
		}
		sleep_until_work(now);
	}
}

void
gofive_worker_main(Datum arg)
{
	int			recovered;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	strlcpy(ws.database, gofive_database, sizeof(ws.database));
	BackgroundWorkerInitializeConnection(ws.database, NULL, 0);
	pgstat_report_appname(WORKER_NAME);

	gofive_publish_worker(ws.database);

	delivery_init();
	wait_for_extension();
	recovered = db_recover_sending();
	if (recovered > 0)
		elog(LOG, "gofive worker: %d requests were being sent when the worker stopped; sending them again",
			 recovered);
	ws.more_to_claim = true;
	ws.next_purge = GetCurrentTimestamp();
	deliver_forever();
}
