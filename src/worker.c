/*
 * worker.c
 *		A delivery worker: a background worker, started by the launcher
 *		(launcher.c) for one database where gofive is installed, that delivers
 *		that database's gofive.outbox.
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
 *
 * An answer never stops the worker: it is read and judged (outcome.c) in a
 * subtransaction, and whatever that raises fails the row.  For what nothing
 * can catch (a crash), the claim already counts the attempt (worker_db.c),
 * so a row that keeps killing the worker ends dead after max_attempts.
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
#include "utils/resowner.h"
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
	bool		release_pending;	/* the circuit opened while judging */
} WorkerState;

static WorkerState ws;
static ErrorContextCallback process_context;

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
	SpinLockAcquire(&gofive_slot->mutex);
	gofive_slot->circuit = ws.circuit;
	gofive_slot->circuit_until = ws.circuit_until;
	SpinLockRelease(&gofive_slot->mutex);
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
		elog(LOG, "probing the API after an outage");
	}
	if (ws.circuit == CIRCUIT_OPEN)
		return false;
	/* half open: one probe at a time */
	return ws.circuit == CIRCUIT_CLOSED || gofive_delivery_in_flight() == 0;
}

/* Give the claimed, unsent rows back (their attempts too). */
static void
release_ready(void)
{
	ws.release_pending = false;
	gofive_db_release(ws.ready);
	while (ws.ready != NIL)
	{
		Job		   *job = (Job *) linitial(ws.ready);

		ws.ready = list_delete_first(ws.ready);
		MemoryContextDelete(job->cxt);
	}
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
	elog(LOG, "the API looks unavailable; pausing deliveries for " INT64_FORMAT " ms",
		 cooldown);

	/*
	 * Give back what was claimed but not sent, so it is not held: in a
	 * transaction of its own, so after the one that judges answers.
	 */
	if (IsTransactionState())
		ws.release_pending = true;
	else
		release_ready();
}

static void
note_outage(bool outage, TimestampTz now)
{
	if (!outage)
	{
		if (ws.circuit != CIRCUIT_CLOSED)
			elog(LOG, "the API answers again");
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
		pg_atomic_fetch_add_u64(&gofive_slot->dead, 1);
		return;
	}
	job->status = "pending";
	job->next_at = TimestampTzPlusMilliseconds(now, gofive_backoff_ms(attempt, retry_after));
	if (!counts && ws.circuit_until > job->next_at)
		job->next_at = ws.circuit_until;
	pg_atomic_fetch_add_u64(&gofive_slot->retried, 1);
}

/*
 * The data of an answer as kept on the row: only for answers of at most
 * gofive.keep_response_size bytes, converted in a context of its own so
 * that the parser's garbage goes at once.
 */
static Jsonb *
kept_response(Job *job, GofiveOutcome *out)
{
	MemoryContext cxt;
	Jsonb	   *data;
	Jsonb	   *copy = NULL;

	if (out->reading != GF_READ_JSON || out->raw_len > (size_t) gofive_keep_response_size)
		return NULL;
	if (out->data)
		return out->data;
	cxt = AllocSetContextCreate(job->cxt, "gofive response", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	data = gofive_outcome_data(out);
	MemoryContextSwitchTo(job->cxt);
	if (data)
	{
		copy = palloc(VARSIZE(data));
		memcpy(copy, data, VARSIZE(data));
	}
	MemoryContextDelete(cxt);
	out->data = NULL;
	return copy;
}

static void
record_failed(Job *job, const char *error, const char *last_error)
{
	job->status = "failed";
	job->error = pstrdup(error);
	gofive_set_last_error(last_error ? last_error : error);
	pg_atomic_fetch_add_u64(&gofive_slot->failed, 1);
}

/*
 * Read and judge a finished job's answer (outcome.c decides what it
 * means), then act on it.  Everything that can raise on what the API sent
 * comes before the first change to the worker's state.
 */
static void
judge(Job *job, TimestampTz now)
{
	MemoryContext old = MemoryContextSwitchTo(job->cxt);
	const GfOperation *op = gofive_find_operation(job->operation);
	bool		counts = (ws.circuit == CIRCUIT_CLOSED);
	GofiveOutcome out;
	GofiveJudgement j;
	Jsonb	   *response;

	job->counted = 1;
	if (job->result != CURLE_OK && !job->resp.too_large)
	{
		memset(&out, 0, sizeof(out));
		out.business_code = -1;
		out.transport_error = job->result == CURLE_OPERATION_TIMEDOUT ?
			"the API did not answer in time" : curl_easy_strerror(job->result);
	}
	else
		gofive_read_answer(&job->resp, &out);
	j = gofive_judge(&out, op, op != NULL);
	response = (j.action == GF_ACT_SUCCEED || j.verdict == GF_ITEMS_FAILED) ?
		kept_response(job, &out) : NULL;

	job->http_status = (int) out.http_status;
	job->business_code = out.business_code;
	job->messages = out.messages;
	note_outage(j.outage, now);

	switch (j.action)
	{
		case GF_ACT_SUCCEED:
			job->status = "succeeded";
			job->response = response;
			pg_atomic_fetch_add_u64(&gofive_slot->succeeded, 1);
			break;
		case GF_ACT_FAIL:
			job->response = response;
			if (j.verdict == GF_ITEMS_FAILED)
			{
				/* Update Product Stock: some items were refused */
				job->messages = out.item_failures;
				record_failed(job, j.summary, out.item_failures);
			}
			else if (j.verdict == GF_REJECTED || j.verdict == GF_BUSINESS_FAILURE)
				record_failed(job, j.summary, job->messages);
			else
				record_failed(job, j.summary, NULL);
			break;
		case GF_ACT_RENEW_TOKEN_AND_RETRY:
			/* renew the token (for everybody) before the next request; retry this one soon */
			gofive_token_refused(job->account, job->token_id);
			job->error = j.summary;
			gofive_set_last_error(job->error);
			schedule_retry(job, now, 0, true);
			break;
		case GF_ACT_RETRY:
			job->error = j.summary;
			gofive_set_last_error(job->error);
			if (j.verdict == GF_THROTTLED && out.retry_after > 0)
				ws.paused_until = TimestampTzPlusMilliseconds(now, gofive_retry_after_ms(out.retry_after));
			schedule_retry(job, now, Max(out.retry_after, 0),
						   counts || j.verdict == GF_THROTTLED);
			break;
	}
	MemoryContextSwitchTo(old);
}

/* The answer could not be read or judged at all: the row fails, the worker goes on. */
static void
unreadable_answer(Job *job, const char *why)
{
	MemoryContext old = MemoryContextSwitchTo(job->cxt);
	char	   *error = psprintf("the API's answer could not be read: %s", why);

	elog(LOG, "request %lld: %s", (long long) job->id, error);
	job->counted = 1;
	job->next_at = 0;
	job->response = NULL;
	job->messages = NULL;
	record_failed(job, error, NULL);
	MemoryContextSwitchTo(old);
}

/*
 * Judge one job in a subtransaction (as PL/pgSQL runs a block with an
 * EXCEPTION clause): whatever reading the answer raises fails the row, and
 * never the worker.  The caller has a transaction open.
 */
typedef struct JudgeStep
{
	Job		   *job;
	TimestampTz now;
} JudgeStep;

static void
judge_step(void *arg)
{
	JudgeStep  *step = (JudgeStep *) arg;

	judge(step->job, step->now);
}

static void
judge_safely(Job *job, TimestampTz now)
{
	JudgeStep	step = {job, now};
	char	   *why = gofive_db_try(judge_step, &step);

	if (why != NULL)
	{
		unreadable_answer(job, why);
		pfree(why);
	}

	/* the answer itself is no longer needed */
	if (job->resp.body.data)
	{
		pfree(job->resp.body.data);
		job->resp.body.data = NULL;
		job->resp.body.len = job->resp.body.maxlen = 0;
	}
}

/* ---- the loop ---- */

static int
slots_used(void)
{
	return gofive_delivery_in_flight() + list_length(ws.finished);
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

	claimed = gofive_db_exchange(finished, claim ? gofive_batch_size : 0);
	gofive_db_resolve_accounts(claimed);
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
		pg_atomic_sub_fetch_u32(&gofive_slot->in_flight, list_length(finished));
		list_free(finished);
		ws.finished = NIL;
		/* an ordering key may have been released */
		ws.more_to_claim = true;
	}
}

/* A token for one account, had once per round of starts. */
typedef struct RoundToken
{
	const uint8 *key;
	char	   *token;			/* NULL: none could be had */
	uint64		token_id;
	bool		outage;			/* why not: the API looks unavailable */
	char	   *error;			/* why not */
} RoundToken;

/*
 * The token for an account, asked for once per round (in the round's
 * memory context).  A failure is kept: an outage (no connection, 5xx)
 * stops the round; credentials the API refuses, or missing settings, stop
 * only that account's requests.
 */
static RoundToken *
token_for(List **round, const GofiveAccount *acct, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	RoundToken *rt;
	ListCell   *lc;

	foreach(lc, *round)
	{
		rt = (RoundToken *) lfirst(lc);
		if (memcmp(rt->key, acct->key, GOFIVE_ACCOUNT_KEY_LEN) == 0)
		{
			MemoryContextSwitchTo(old);
			return rt;
		}
	}
	rt = palloc0(sizeof(RoundToken));
	rt->key = acct->key;
	PG_TRY();
	{
		rt->token = gofive_get_token(acct, &rt->token_id);
	}
	PG_CATCH();
	{
		ErrorData  *err;

		MemoryContextSwitchTo(cxt);
		err = CopyErrorData();
		FlushErrorState();
		rt->token = NULL;
		rt->error = pstrdup(err->message);
		rt->outage = (err->sqlerrcode == ERRCODE_GOFIVE_TRANSPORT ||
					  err->sqlerrcode == ERRCODE_GOFIVE_SERVER_ERROR);
		elog(LOG, "no token%s%s: %s", acct->server ? " for account " : "",
			 acct->server ? acct->server : "", err->message);
		FreeErrorData(err);
	}
	PG_END_TRY();
	*round = lappend(*round, rt);
	MemoryContextSwitchTo(old);
	return rt;
}

/*
 * A request that cannot be sent now (its account cannot be used, or the
 * API refused its credentials): it is retried like a failed attempt, and
 * ends dead if that goes on; it holds its slot until that is recorded.
 */
static void
finish_unsent(Job *job, const char *why, TimestampTz now)
{
	MemoryContext old = MemoryContextSwitchTo(job->cxt);

	job->error = psprintf("not sent: %s", why);
	gofive_set_last_error(job->error);
	schedule_retry(job, now, 0, true);
	MemoryContextSwitchTo(old);
	if (ws.finished == NIL)
		ws.first_finished_at = now;
	ws.finished = lappend(ws.finished, job);
	pg_atomic_fetch_add_u32(&gofive_slot->in_flight, 1);
}

static void
start_ready(TimestampTz now)
{
	MemoryContext cxt;
	List	   *round = NIL;
	ListCell   *lc;

	if (ws.ready == NIL || slots_used() >= gofive_max_concurrency || !may_send(now))
		return;
	cxt = AllocSetContextCreate(TopMemoryContext, "gofive round", ALLOCSET_SMALL_SIZES);
	while (ws.ready != NIL && slots_used() < gofive_max_concurrency && may_send(now))
	{
		Job		   *job = (Job *) linitial(ws.ready);
		RoundToken *rt = job->account ? token_for(&round, job->account, cxt) : NULL;

		if (rt && rt->token == NULL && rt->outage)
		{
			gofive_set_last_error(rt->error);
			note_outage(true, now);
			if (ws.circuit == CIRCUIT_CLOSED)
				ws.paused_until = TimestampTzPlusMilliseconds(now, gofive_retry_base_ms);
			break;
		}
		ws.ready = list_delete_first(ws.ready);
		if (rt == NULL || rt->token == NULL)
		{
			finish_unsent(job, rt ? rt->error : job->account_problem, now);
			continue;
		}
		job->token_id = rt->token_id;
		gofive_delivery_start(job, rt->token);
		pg_atomic_fetch_add_u32(&gofive_slot->in_flight, 1);
		pg_atomic_fetch_add_u64(&gofive_slot->sent, 1);
	}
	foreach(lc, round)
	{
		RoundToken *rt = (RoundToken *) lfirst(lc);

		if (rt->token)
			explicit_bzero(rt->token, strlen(rt->token));
	}
	MemoryContextDelete(cxt);
}

/* Judge what has finished, in one transaction (for the subtransactions). */
static void
collect_finished(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	Job		   *job;
	TimestampTz now = GetCurrentTimestamp();
	bool		in_xact = false;

	while ((job = gofive_delivery_next_done()) != NULL)
	{
		if (!in_xact)
		{
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			MemoryContextSwitchTo(cxt);
			in_xact = true;
		}
		judge_safely(job, now);
		if (ws.finished == NIL)
			ws.first_finished_at = now;
		ws.finished = lappend(ws.finished, job);
	}
	if (in_xact)
	{
		/* no XID was taken: nothing is written or waited for */
		CommitTransactionCommand();
		MemoryContextSwitchTo(cxt);
	}
	if (ws.release_pending)
		release_ready();
}

/* Record when enough has finished, or it waited long enough, or all is done. */
static bool
time_to_record(TimestampTz now)
{
	if (ws.finished == NIL)
		return false;
	return gofive_delivery_in_flight() == 0 ||
		list_length(ws.finished) >= Max(1, gofive_max_concurrency * 3 / 4) ||
		now >= TimestampTzPlusMilliseconds(ws.first_finished_at, RECORD_AFTER_MS);
}

static long
ms_until(TimestampTz then, TimestampTz now)
{
	return then <= now ? 0 : (long) ((then - now) / 1000) + 1;
}

/* gofive is not (or no longer) installed here: say so, and leave for good. */
static pg_attribute_noreturn() void
leave_not_installed(void)
{
	SpinLockAcquire(&gofive_slot->mutex);
	gofive_slot->not_installed = true;
	SpinLockRelease(&gofive_slot->mutex);
	proc_exit(0);
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

	if (!gofive_db_extension_ready())
		leave_not_installed();	/* DROP EXTENSION gofive */
	if (may_send(now))
	{
		TimestampTz due = gofive_db_next_due();

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
	if (!gofive_db_extension_ready())
		leave_not_installed();	/* woken by DROP EXTENSION gofive */
	ws.more_to_claim = true;
}

static void
reload_if_asked(void)
{
	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
}

static void
purge_if_due(TimestampTz now)
{
	if (now < ws.next_purge)
		return;
	ws.next_purge = TimestampTzPlusMilliseconds(now, PURGE_EVERY_MS);
	(void) gofive_db_purge();
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
		gofive_worker_heartbeat(now);

		{
			bool		record = time_to_record(now);
			bool		claim = wants_claim(now);

			if (record || claim)
				exchange(record, claim);
		}
		start_ready(now);

		if (gofive_delivery_in_flight() > 0)
		{
			report("delivering");
			gofive_delivery_wait(ws.finished != NIL ? RECORD_AFTER_MS : POLL_MS);
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

/*
 * A delivery worker, started by the launcher on the slot given as its
 * argument, for the slot's database.  It leaves (for good) when gofive is
 * not installed there, and exits on any error: the launcher starts it again.
 */
void
gofive_worker_main(Datum arg)
{
	int			recovered;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (!gofive_attach_slot(DatumGetInt32(arg)))
		proc_exit(0);			/* its database is held (DROP DATABASE) */
	strlcpy(ws.database, gofive_slot->database, sizeof(ws.database));
	/* every message this process logs names it (errcontext.c) */
	gofive_push_context(&process_context,
						MemoryContextStrdup(TopMemoryContext,
											psprintf("gofive worker for database \"%s\"", ws.database)));
	BackgroundWorkerInitializeConnectionByOid(gofive_slot->dboid, InvalidOid, 0);
	pgstat_report_appname(WORKER_NAME);

	if (!gofive_db_extension_ready())
		leave_not_installed();
	/* from here on, the worker's SQL runs as gofive_worker, not as superuser */
	if (!gofive_become_worker_role())
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"gofive_worker\" does not exist"),
				 errhint("Run ALTER EXTENSION gofive UPDATE, or create the extension again.")));
	report("starting");
	gofive_delivery_init();
	recovered = gofive_db_recover_sending();
	if (recovered > 0)
		elog(LOG, "%d requests were being sent when the worker stopped; sending them again",
			 recovered);
	ws.more_to_claim = true;
	ws.next_purge = GetCurrentTimestamp();
	deliver_forever();
}
