/*
 * src/outbox/worker.c
 *		A delivery worker: a background worker, started by the launcher
 *		(launcher.c) for one database where gofive is installed, that delivers
 *		that database's gofive.outbox.  This file is its loop and the judging
 *		of answers; worker.h names the other pieces.
 *
 * A turn of the loop, in one short transaction (worker_db.c):
 *	 - judge the answers that came in (outcome.c decides what they mean), in
 *	   a subtransaction per batch, each alone if the batch raises: an answer
 *	   never stops the worker; each account's state follows its answers
 *	   (worker_schedule.c);
 *	 - look for lanes when a commit woke the worker, and look their
 *	   accounts up; start token fetches where needed;
 *	 - record the outcomes when enough have come in, or they waited long
 *	   enough, or a group may be waiting for one (its successors go as soon
 *	   as it is recorded);
 *	 - claim what each account may send now, round-robin over its lanes,
 *	   from the rows an earlier claim read ahead while they will do, else
 *	   from the table; and mark those that must not be sent twice blindly;
 * then, after the commit, start the claimed requests, note them in the
 * in-flight file, and drive the transfers (curl multi) or, with nothing to
 * do, sleep on the latch until a committing enqueuer sets it, a retry falls
 * due, an account may send again, or the periodic look comes round.
 *
 * A request's slot is free as soon as its answer is in: outcomes are
 * recorded in groups of up to RECORD_BATCH, or after RECORD_AFTER_MS.  So
 * after a crash the requests sent again are those that were in flight (at
 * most gofive.max_concurrency per account) and those answered but not yet
 * recorded (at most RECORD_BATCH): each with its X-Request-Id.
 *
 * On SIGTERM (a shutdown, a DROP DATABASE, gofive.database changed) the
 * worker claims nothing more, waits up to STOP_WAIT_MS for the answers of
 * what is in flight, records every outcome it has, and leaves: nothing
 * claimed is charged an attempt it did not make.
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "replication/syncrep.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "worker.h"

#define WORKER_NAME				"gofive worker"
#define IDLE_LOOK_MS			10000	/* periodic look while idle */
#define PURGE_EVERY_MS			60000
#define COMPACT_RETRY_MS		5000	/* a compaction that had to wait */
#define POLL_MS					10		/* curl wait while requests are in flight */
#define RECORD_AFTER_MS			10		/* longest wait to record an answer */
#define RECLAIM_MS				50	/* look again for due rows while busy */
#define PUBLISH_EVERY_MS		100
#define STOP_WAIT_MS			3000	/* for the answers in flight at a stop */
#define MIN_WAIT_MS				5
#define READ_ONLY_LOOK_MS		1000	/* look again at a read-only database */

/*
 * The most answers waiting to be recorded.  A larger group costs fewer
 * commits (each a WAL flush) and statements per request, but after a crash
 * those answers are sent again (the README's bound on duplicates counts
 * them).  The data they keep is held meanwhile, so it is bounded too: by
 * what twice max_concurrency answers of keep_response_size keep, as before
 * the group grew from 2 to 4 times max_concurrency (the memory bound).
 */
#define RECORD_BATCH Min(gofive_batch_size, Max(4 * gofive_max_concurrency, 32))
#define RECORD_BYTES ((Size) 2 * gofive_max_concurrency * gofive_keep_response_size)

typedef struct WorkerState
{
	List	   *unrecorded;		/* judged, not yet recorded */
	Size		unrecorded_bytes;	/* the answers' data they keep */
	TimestampTz first_unrecorded_at;
	bool		maybe_ready;	/* rows may be due that were not claimed yet */
	bool		starved;		/* the last claim found less than it might send */
	bool		woken;			/* a commit woke the worker: new lanes, perhaps */
	List	   *ahead;			/* claimed, not picked yet: not marked, not charged */
	TimestampTz last_claim;		/* of the last claim from the table */
	TimestampTz next_look;
	TimestampTz next_purge;
	TimestampTz next_compact;	/* 0: no compaction waits */
	TimestampTz compact_since;	/* the purge that wanted it */
	TimestampTz next_publish;
	bool		stopping;
	bool		read_only;		/* the database takes no writes (a fence, a standby's promotion) */
} WorkerState;

static WorkerState ws;
static ErrorContextCallback process_context;
static MemoryContext loop_cxt = NULL;	/* reset each pass of the loop */

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
publish(TimestampTz now, bool force)
{
	TimestampTz until;
	bool		open;

	if (!force && now < ws.next_publish)
		return;
	ws.next_publish = TimestampTzPlusMilliseconds(now, PUBLISH_EVERY_MS);
	gofive_schedule_publish(now);
	open = gofive_schedule_any_open(&until);
	SpinLockAcquire(&gofive_slot->mutex);
	gofive_slot->circuit = open ? CIRCUIT_OPEN : CIRCUIT_CLOSED;
	gofive_slot->circuit_until = until;
	SpinLockRelease(&gofive_slot->mutex);
}

/* ---- judging an answer ---- */

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

	if (out->reading != GOFIVE_READ_JSON || out->raw_len > (size_t) gofive_keep_response_size)
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

/*
 * Read and judge a request's answer (outcome.c decides what it means):
 * everything that can raise on what the API sent, and nothing else.  On
 * the outbox path a 2xx must be JSON, for generic requests too: an HTML
 * page from a gateway is no success.
 */
static void
judge(Job *job)
{
	MemoryContext old = MemoryContextSwitchTo(job->cxt);
	const GofiveOperation *op = gofive_find_operation(job->operation);
	GofiveOutcome out;
	GofiveJudgement *j = &job->judgement;

	if (job->result != CURLE_OK && !job->resp.too_large)
	{
		memset(&out, 0, sizeof(out));
		out.business_code = -1;
		out.retry_after = -1;
		out.transport_error = job->result == CURLE_OPERATION_TIMEDOUT ?
			"the API did not answer in time" : curl_easy_strerror(job->result);
	}
	else
		gofive_read_answer(&job->resp, &out);
	*j = gofive_judge(&out, op, true);
	job->response = (j->action == GOFIVE_ACT_SUCCEED || j->verdict == GOFIVE_ITEMS_FAILED) ?
		kept_response(job, &out) : NULL;
	job->http_status = (int) out.http_status;
	job->business_code = out.business_code;
	job->messages = out.messages;
	job->retry_after = out.retry_after;
	if (j->verdict == GOFIVE_ITEMS_FAILED)
		job->messages = out.item_failures;	/* Update Product Stock: the items refused */
	job->error = j->action == GOFIVE_ACT_SUCCEED ? NULL : j->summary;
	MemoryContextSwitchTo(old);
}

static void
judge_all_step(void *arg)
{
	ListCell   *lc;

	foreach(lc, (List *) arg)
		judge((Job *) lfirst(lc));
}

static void
judge_one_step(void *arg)
{
	judge((Job *) arg);
}

/*
 * Judge the answers in one subtransaction, or, if that raises, each in its
 * own: one whose reading raises fails its row, never the worker.
 */
static void
judge_safely(List *jobs)
{
	ListCell   *lc;
	char	   *why;

	if (jobs == NIL || gofive_db_try(judge_all_step, jobs) == NULL)
		return;
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);

		if ((why = gofive_db_try(judge_one_step, job)) == NULL)
			continue;
		elog(LOG, "request %lld: the API's answer could not be read: %s", (long long) job->id, why);
		job->unreadable = true;
		job->response = NULL;
		job->messages = NULL;
		job->error = MemoryContextStrdup(job->cxt,
										 psprintf("the API's answer could not be read: %s", why));
	}
}

/* The answers that came in: judged, their accounts told, waiting to be recorded. */
static void
take_answers(TimestampTz now)
{
	List	   *requests = NIL;
	Job		   *job;
	ListCell   *lc;

	while ((job = gofive_delivery_next_done()) != NULL)
	{
		if (job->kind == JOB_TOKEN)
		{
			gofive_schedule_token_done(job, now);
			gofive_db_free_job(job);
			ws.maybe_ready = true;
			continue;
		}
		requests = lappend(requests, job);
	}
	judge_safely(requests);
	foreach(lc, requests)
	{
		job = (Job *) lfirst(lc);
		if (job->unreadable)
			gofive_schedule_unreadable(job, now);
		else
			gofive_schedule_finished(job, &job->judgement, job->retry_after, now);
		/* the answer itself is no longer needed */
		if (job->resp.body.data)
		{
			pfree(job->resp.body.data);
			job->resp.body.data = NULL;
		}
		if (ws.unrecorded == NIL)
			ws.first_unrecorded_at = now;
		if (job->response)
			ws.unrecorded_bytes += VARSIZE(job->response);
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			ws.unrecorded = lappend(ws.unrecorded, job);
			MemoryContextSwitchTo(old);
		}
	}
}

/* ---- a turn ---- */

static bool
keyed_final_waiting(void)
{
	ListCell   *lc;

	foreach(lc, ws.unrecorded)
	{
		Job		   *job = (Job *) lfirst(lc);

		if (job->final && job->ordering_key != NULL)
			return true;
	}
	return false;
}

/*
 * Record when enough answers (or enough of their data) wait, or the oldest
 * waited long enough, or nothing is in flight, or a group may wait for one
 * while there is room to send its next request, or the worker stops.
 */
static bool
time_to_record(TimestampTz now)
{
	if (ws.unrecorded == NIL)
		return false;
	return ws.stopping || gofive_delivery_in_flight() == 0 ||
		list_length(ws.unrecorded) >= RECORD_BATCH || ws.unrecorded_bytes >= RECORD_BYTES ||
		now >= TimestampTzPlusMilliseconds(ws.first_unrecorded_at, RECORD_AFTER_MS) ||
		(ws.starved && keyed_final_waiting());
}

/* Forget the jobs claimed ahead (nothing was written for them). */
static void
forget_ahead(void)
{
	ListCell   *lc;

	foreach(lc, ws.ahead)
		gofive_db_free_job((Job *) lfirst(lc));
	list_free(ws.ahead);
	ws.ahead = NIL;
}

/*
 * Forget the jobs claimed ahead, and read each lane from its start at the
 * next claim: a commit may have queued, cancelled or released rows, a
 * group's next row may go, lanes or accounts may have changed.
 */
static void
drop_ahead(void)
{
	forget_ahead();
	gofive_schedule_claim_from_start();
}

static void
record(void)
{
	ListCell   *lc;

	gofive_db_record(ws.unrecorded);
	foreach(lc, ws.unrecorded)
	{
		Job		   *job = (Job *) lfirst(lc);

		/* the next row of its group may go now: the table shows it, not the jobs ahead */
		if (job->ordering_key != NULL)
			drop_ahead();
		/* a retry may fall due before its lane's last row picked (rare: look from the start) */
		else if (!job->final)
			gofive_schedule_claim_from_start();
		gofive_db_free_job(job);
	}
	list_free(ws.unrecorded);
	ws.unrecorded = NIL;
	ws.unrecorded_bytes = 0;
	ws.maybe_ready = true;		/* retries and groups' next requests, perhaps */
}

/*
 * Claim what each account may send now; returns the jobs to start.  The
 * jobs an earlier claim found beyond what could go then stand in for a
 * claim while they will do: for RECLAIM_MS at most, and until a commit
 * wakes the worker or a group's outcome is recorded.
 */
static List *
claim(TimestampTz now, List *quotas, int capacity)
{
	List	   *claimed;
	List	   *picked;
	MemoryContext old;
	ListCell   *lc;

	if (ws.ahead != NIL &&
		now < TimestampTzPlusMilliseconds(ws.last_claim, RECLAIM_MS) &&
		gofive_schedule_ahead_will_do(ws.ahead, now))
	{
		claimed = ws.ahead;
		ws.ahead = NIL;
	}
	else
	{
		int64	   *busy;
		int			nbusy;

		/* they come after their lanes' last rows picked: the claim finds them again */
		forget_ahead();
		busy = gofive_delivery_busy_ids(ws.unrecorded, &nbusy);
		claimed = gofive_db_claim(quotas, busy, nbusy);
		gofive_schedule_claimed(quotas, claimed);
		ws.last_claim = now;
	}
	picked = gofive_schedule_pick(claimed, now);
	old = MemoryContextSwitchTo(TopMemoryContext);
	foreach(lc, claimed)
		if (!list_member_ptr(picked, lfirst(lc)))
			ws.ahead = lappend(ws.ahead, lfirst(lc));
	MemoryContextSwitchTo(old);
	ws.starved = list_length(picked) < capacity;
	ws.maybe_ready = !ws.starved;
	list_free(claimed);
	return gofive_db_mark(picked);
}

static bool
wants_claim(TimestampTz now)
{
	return !ws.stopping && !ShutdownRequestPending &&
		(ws.maybe_ready || ws.woken ||
		 now >= TimestampTzPlusMilliseconds(ws.last_claim, RECLAIM_MS));
}

/* Start the claimed requests, with their accounts' URLs and tokens. */
static void
start(List *jobs)
{
	ListCell   *lc;

	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);
		const GofiveAccount *acct = gofive_account_of(job->account);

		gofive_delivery_start(job, acct, job->method,
							  gofive_account_url(acct, job->path),
							  gofive_schedule_bearer(job), job->request_id,
							  "application/json", job->body);
		gofive_schedule_started(job);
	}
	list_free(jobs);
}

/*
 * Whether the turn has anything to do in a transaction: answers came in,
 * outcomes are due to be recorded, something may be claimed, or a look is
 * due.  (While requests are in flight and none ended, nothing.)
 */
static bool
turn_needed(TimestampTz now)
{
	return gofive_delivery_has_done() || time_to_record(now) || ws.woken || ws.read_only ||
		ws.maybe_ready || gofive_schedule_lanes_stale() || now >= ws.next_look ||
		(gofive_delivery_in_flight() > 0 &&
		 now >= TimestampTzPlusMilliseconds(ws.last_claim, RECLAIM_MS));
}

static void
turn(TimestampTz now)
{
	List	   *to_start = NIL;
	List	   *quotas;
	int			capacity;
	bool		recorded = false;

	gofive_db_begin();
	take_answers(now);
	/*
	 * A database that takes no writes now (default_transaction_read_only, as
	 * a high-availability manager keeps a promoted standby until the old
	 * primary is fenced): send nothing, since no outcome could be recorded.
	 */
	ws.read_only = XactReadOnly;
	if (ws.read_only)
	{
		gofive_db_commit();
		report("waiting: the database is read-only");
		return;
	}
	/* a commit that woke the worker may have brought a new lane: look (cheap) */
	if (gofive_schedule_lanes_stale() || ws.woken || now >= ws.next_look)
	{
		drop_ahead();
		gofive_db_discover_lanes();
		ws.woken = false;
		ws.maybe_ready = true;
	}
	if (now >= ws.next_look)
	{
		gofive_db_sweep_groups();
		ws.next_look = TimestampTzPlusMilliseconds(now, IDLE_LOOK_MS);
	}
	gofive_schedule_resolve();
	gofive_schedule_start_tokens(now);
	if (time_to_record(now))
	{
		record();
		recorded = true;
	}
	quotas = gofive_schedule_quotas(now, &capacity);
	if (quotas != NIL && wants_claim(now))
		to_start = claim(now, quotas, capacity);
	else if (quotas == NIL)
		ws.maybe_ready = false; /* nothing may be sent: an event will say when */
	if (gofive_db_intake_left())
		ws.maybe_ready = true;	/* the next turn moves more batches in, then claims */
	gofive_db_commit();
	if (ShutdownRequestPending)
	{
		/*
		 * Stopping (a fast shutdown, a fence): what was claimed is not sent.
		 * A marked one stays marked, and is in doubt for the next worker.
		 */
		ListCell   *lc;

		foreach(lc, to_start)
			gofive_db_free_job((Job *) lfirst(lc));
		to_start = NIL;
	}
	start(to_start);
	gofive_delivery_note_in_flight(ws.unrecorded, recorded);
	publish(now, false);
}

/* ---- sleeping ---- */

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

/* When the earliest row that may be sent falls due (0: none will by itself). */
static TimestampTz
next_due(void)
{
	List	   *names;
	List	   *roles;
	int64	   *busy;
	int			nbusy;
	TimestampTz due;

	gofive_db_begin();
	gofive_schedule_lanes_of(&names, &roles);
	busy = gofive_delivery_busy_ids(ws.unrecorded, &nbusy);
	due = gofive_db_next_due(names, roles, busy, nbusy);
	gofive_db_commit();
	return due;
}

/*
 * Nothing in flight and nothing to record: sleep until something can
 * happen (a commit sets the latch; a row falls due; an account may send
 * again; the periodic look).
 */
static void
sleep_until_work(TimestampTz now)
{
	long		timeout = ms_until(ws.next_look, now);
	TimestampTz due;
	int			rc;

	if (!gofive_db_extension_ready())
		leave_not_installed();	/* DROP EXTENSION gofive */
	if ((due = next_due()) != 0)
		timeout = Min(timeout, Max(ms_until(due, now), MIN_WAIT_MS));
	if ((due = gofive_schedule_next_event(now)) != 0)
		timeout = Min(timeout, Max(ms_until(due, now), 1));
	timeout = Min(timeout, Max(ms_until(ws.next_purge, now), 1));
	if (ws.next_compact != 0)
		timeout = Min(timeout, Max(ms_until(ws.next_compact, now), 1));
	publish(now, true);
	report(gofive_schedule_any_open(&due) ? "waiting: API unavailable" : "idle");
	rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
				   Max(timeout, 1), PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	if (rc & WL_LATCH_SET)
		ws.woken = true;
	/* a retry fell due, an account may send again: look */
	ws.maybe_ready = true;
}

/* ---- the loop ---- */

static void
reload_if_asked(void)
{
	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	gofive_schedule_reload();
	drop_ahead();
}

/*
 * Purge every minute, and when gofive_purge() asks (at its commit).  A
 * compaction that had to wait is tried again every few seconds, for as
 * long after the purge as the last try said (the table in use, or
 * statistics that do not show the purge yet).
 */
static void
maintain_if_due(TimestampTz now)
{
	bool		asked = gofive_maintenance_requested();
	int			try_ms;

	if (asked || now >= ws.next_purge)
	{
		ws.next_purge = TimestampTzPlusMilliseconds(now, PURGE_EVERY_MS);
		drop_ahead();			/* the table may be compacted */
		try_ms = gofive_db_maintain(true, asked);
		if (try_ms == GOFIVE_COMPACT_NOT_TRIED)
			return;				/* a compaction waiting goes on waiting */
		ws.compact_since = now;
	}
	else if (ws.next_compact != 0 && now >= ws.next_compact)
	{
		drop_ahead();
		try_ms = gofive_db_maintain(false, true);
	}
	else
		return;
	/* 0: compacted, or not worth it */
	ws.next_compact = (now < TimestampTzPlusMilliseconds(ws.compact_since, try_ms)) ?
		TimestampTzPlusMilliseconds(now, COMPACT_RETRY_MS) : 0;
}

/*
 * Stop: claim nothing more, wait a little for the answers in flight, record
 * every outcome there is, note what is still on the network (the next
 * worker charges it), and leave.
 */
static pg_attribute_noreturn() void
stop(void)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), STOP_WAIT_MS);

	ws.stopping = true;
	report("stopping");
	/* record what came in without waiting for a standby that may be gone */
	(void) set_config_option("synchronous_commit", "local", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SET, true, 0, false);
	while (gofive_delivery_in_flight() > 0 && GetCurrentTimestamp() < deadline)
	{
		gofive_delivery_wait(POLL_MS);
		turn(GetCurrentTimestamp());
	}
	turn(GetCurrentTimestamp());
	gofive_delivery_note_in_flight(ws.unrecorded, true);
	proc_exit(0);
}

/*
 * Whether the latch was set while the transfers were driven (a commit
 * queued rows), reset if so; and, as WL_EXIT_ON_PM_DEATH would, leave if
 * the postmaster died.  The flag is read rather than asked of WaitLatch,
 * whose zero-timeout epoll_wait was a system call on each pass of a busy
 * loop.  The latch is never slept on meanwhile, so a SetLatch sends no
 * signal either: the flag is all there is to see.
 */
static bool
latch_was_set(void)
{
	if (!PostmasterIsAlive())
		proc_exit(1);
	if (!MyLatch->is_set)
		return false;
	ResetLatch(MyLatch);
	return true;
}

static void
deliver_forever(void)
{
	for (;;)
	{
		TimestampTz now;

		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);
		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			stop();
		reload_if_asked();
		now = GetCurrentTimestamp();
		gofive_worker_heartbeat(now);

		if (turn_needed(now))
			turn(now);
		if (gofive_delivery_in_flight() > 0)
		{
			report("delivering");
			gofive_delivery_wait(ws.unrecorded != NIL ? 1 : POLL_MS);
			if (latch_was_set())
				ws.woken = true;
			continue;
		}
		if (ws.read_only)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 READ_ONLY_LOOK_MS, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			continue;
		}
		if (ws.unrecorded != NIL || ws.maybe_ready)
			continue;			/* recorded, or claimed, at the next turn */
		maintain_if_due(now);
		sleep_until_work(now);
	}
}

/*
 * SIGTERM: stop at the next turn (stop()).  A commit that waits for a
 * synchronous standby (perhaps promoted, or gone) stops waiting now, as a
 * backend's would: the outcomes are durable here, and nothing new is sent.
 */
static void
handle_sigterm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	ShutdownRequestPending = true;
	if (MyProc != NULL && MyProc->syncRepState == SYNC_REP_WAITING)
	{
		QueryCancelPending = true;
		InterruptPending = true;
	}
	SetLatch(MyLatch);
	errno = save_errno;
}

/* What a previous worker left: its in-flight file and the rows it marked. */
static void
recover(void)
{
	int			n;
	int64	   *ids = gofive_delivery_read_in_flight(&n);

	gofive_db_recover(ids, n);
	gofive_delivery_note_in_flight(NIL, true);	/* nothing of ours is out yet */
}

/*
 * Each turn's transaction and the loop context free their memory again at
 * once.  glibc would hand the freed top of the heap back to the kernel
 * (brk) and ask for it again the next turn: each shrink is a TLB flush on
 * every CPU, some 8% of the worker's CPU in test/bench/scheduler.  Keep up
 * to KEPT_FREE_MEMORY of it instead (this process only).
 */
#define KEPT_FREE_MEMORY		(32 * 1024 * 1024)
static void
keep_freed_memory(void)
{
#ifdef __GLIBC__
	(void) mallopt(M_TRIM_THRESHOLD, KEPT_FREE_MEMORY);
	(void) mallopt(M_MMAP_THRESHOLD, KEPT_FREE_MEMORY);
#endif
}

/*
 * A delivery worker, started by the launcher on the slot given as its
 * argument, for the slot's database.  It leaves (for good) when gofive is
 * not installed there, and exits on any error: the launcher starts it again.
 */
void
gofive_worker_main(Datum arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, handle_sigterm);
	BackgroundWorkerUnblockSignals();

	if (!gofive_attach_slot(DatumGetInt32(arg)))
		proc_exit(0);			/* its database is held (DROP DATABASE) */
	/* every message this process logs names it (gofive.c) */
	gofive_push_context(&process_context,
						MemoryContextStrdup(TopMemoryContext,
											psprintf("gofive worker for database \"%s\"",
													 gofive_slot->database)));
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
	keep_freed_memory();
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "gofive worker loop",
									 ALLOCSET_DEFAULT_SIZES);
	gofive_delivery_init();
	gofive_schedule_init();
	recover();
	ws.maybe_ready = true;
	ws.next_look = 0;			/* discover, and sweep the groups, at once */
	ws.next_purge = GetCurrentTimestamp();
	deliver_forever();
}
