/*
 * src/outbox/worker_schedule.c
 *		What the delivery worker may send now, and to whom: its lanes and
 *		accounts (worker.h says what those are), each account's circuit
 *		breaker, 429 pause, rate limit and token, the fair share of its lanes,
 *		and when a failed request is tried again.
 *
 * Invariants:
 *	 - every piece of delivery state belongs to an account (its credentials),
 *	   never to the worker: an account's outage, pause, refused credentials
 *	   or quota give no other account's request a moment's delay, and each
 *	   account has gofive.max_concurrency requests in flight of its own;
 *	 - nothing here waits on the network: a token is fetched on the worker's
 *	   multi handle like a request (JOB_TOKEN), or, while another process
 *	   fetches it, looked for again later;
 *	 - within an account, claims go round-robin over its lanes, so a role's
 *	   bulk backlog delays another role's request by about one round;
 *	 - an attempt counts when a request is handed to the network, and only
 *	   then: a request that cannot go (no token, a cool-down) is not claimed;
 *	 - a lane whose account cannot be used (no USAGE, no user mapping,
 *	   settings missing, credentials refused) keeps its requests waiting,
 *	   uncharged, and says why in gofive.accounts; it is looked up again when
 *	   a catalog it depends on changes.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "worker.h"

#define MIN_OUTAGES_TO_OPEN		5	/* requests in a row that find the API unavailable */
#define TOKEN_BUSY_LOOK_MS		100 /* another process fetches the token: look again */
#define ERROR_TEXT				256
#define AHEAD_FACTOR			4	/* a claim finds up to this many times what may go now */

typedef enum TokenState
{
	TOKEN_NONE,					/* none held: look in the cache, or fetch one */
	TOKEN_HELD,					/* a copy in token[] */
	TOKEN_FETCHING				/* our fetch is on the network */
} TokenState;

struct Account
{
	MemoryContext cxt;			/* the account's copy (secrets: wiped when freed) */
	GofiveAccount *acct;
	int			nlanes;			/* lanes that send with it */
	int			in_flight;
	int			rr;				/* round-robin: the lane to serve first */
	int			counted;		/* scratch: jobs of a list, counted */

	/* the circuit breaker */
	GofiveCircuit circuit;
	TimestampTz circuit_until;
	int			outages_in_row;
	int			open_count;		/* opens since the circuit last closed */

	/* a 429's pause; credentials refused by the token endpoint */
	TimestampTz paused_until;
	TimestampTz refused_until;
	int			refused_count;
	char	   *problem;		/* cannot be used at all (settings missing), or NULL */

	/* the rate limit: a token bucket of rate requests a second, one second deep */
	double		rate;
	double		allowance;
	TimestampTz refilled_at;

	/* the bearer token */
	TokenState	token_state;
	char		token[GOFIVE_TOKEN_MAX_BYTES + 1];
	uint64		token_id;
	TimestampTz token_look_at;	/* BUSY: when to look again */

	char		last_error[ERROR_TEXT];
	TimestampTz last_error_at;
	uint64		sent;
	uint64		succeeded;
	uint64		failed;
	uint64		retried;
	uint64		dead;
};

struct Lane
{
	char	   *server;			/* gofive.outbox.account; NULL: the default account */
	Oid			role;			/* enqueued_by */
	Account    *account;		/* NULL: it cannot send, see problem */
	char	   *problem;
	bool		seen;			/* found by the last discovery */
	bool		filled;			/* the last claim found its whole quota: it may have more */
	TimestampTz after_due;		/* its last row picked, (due, id): the next */
	int64		after_id;		/* claim starts after it (DT_NOBEGIN, 0: from the start) */
	int			counted;		/* scratch: jobs of a list, counted */
	int			jobs;			/* claimed jobs not yet recorded */
	uint64		sent;
	uint64		succeeded;
	uint64		failed;
	uint64		retried;
};

static List *lanes = NIL;		/* Lane, in TopMemoryContext */
static List *accounts = NIL;	/* Account */
static bool resolve_all = true; /* a catalog or a setting an account depends on changed */
static bool lanes_stale = true; /* look for lanes again */

/* ---- looking accounts up again when their catalogs change ---- */

static void
catalog_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	resolve_all = true;
}

void
gofive_schedule_init(void)
{
	/* servers, wrappers, user mappings, roles and memberships decide who may use what */
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, catalog_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(FOREIGNDATAWRAPPEROID, catalog_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, catalog_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, catalog_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMMEMROLE, catalog_changed, (Datum) 0);
}

/* The settings were reloaded: the default account may have changed. */
void
gofive_schedule_reload(void)
{
	resolve_all = true;
}

/* ---- accounts ---- */

static const char *
copy_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

static Account *
find_account(const GofiveAccount *a)
{
	ListCell   *lc;

	foreach(lc, accounts)
	{
		Account    *acc = (Account *) lfirst(lc);

		if (memcmp(acc->acct->key, a->key, GOFIVE_ACCOUNT_KEY_LEN) == 0)
			return acc;
	}
	return NULL;
}

/* The account with these credentials, made if new; its settings refreshed. */
static Account *
account_for(const GofiveAccount *a)
{
	Account    *acc = find_account(a);
	MemoryContext old;

	if (acc != NULL)
	{
		/* the key holds URL and credentials; the rest may have changed */
		acc->acct->timeout_ms = a->timeout_ms;
		acc->acct->connect_timeout_ms = a->connect_timeout_ms;
		acc->acct->ssl_verify = a->ssl_verify;
		acc->acct->rate_limit = a->rate_limit;
		acc->rate = a->rate_limit;
		acc->problem = NULL;	/* looked up again: settings may have been fixed */
		return acc;
	}
	acc = MemoryContextAllocZero(TopMemoryContext, sizeof(Account));
	acc->cxt = AllocSetContextCreate(TopMemoryContext, "gofive account", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(acc->cxt);
	acc->acct = palloc(sizeof(GofiveAccount));
	*acc->acct = *a;
	acc->acct->server = copy_or_null(a->server);
	acc->acct->base_url = pstrdup(a->base_url);
	acc->acct->client_id = pstrdup(a->client_id);
	acc->acct->client_secret = pstrdup(a->client_secret);
	acc->acct->subscription_key = pstrdup(a->subscription_key);
	acc->acct->ca_file = pstrdup(a->ca_file);
	MemoryContextSwitchTo(old);
	acc->circuit = CIRCUIT_CLOSED;
	acc->rate = a->rate_limit;
	acc->allowance = Max(1.0, acc->rate);
	acc->refilled_at = GetCurrentTimestamp();
	acc->token_state = TOKEN_NONE;
	old = MemoryContextSwitchTo(TopMemoryContext);
	accounts = lappend(accounts, acc);
	MemoryContextSwitchTo(old);
	return acc;
}

static void
wipe(const char *s)
{
	if (s)
		explicit_bzero((char *) s, strlen(s));
}

/* Forget an account nobody uses any more, its secrets wiped first. */
static void
free_account(Account *acc)
{
	wipe(acc->acct->client_secret);
	wipe(acc->acct->subscription_key);
	wipe(acc->acct->client_id);
	explicit_bzero(acc->token, sizeof(acc->token));
	MemoryContextDelete(acc->cxt);
	accounts = list_delete_ptr(accounts, acc);
	pfree(acc);
}

static void
set_last_error(Account *acc, const char *error)
{
	strlcpy(acc->last_error, error, sizeof(acc->last_error));
	acc->last_error_at = GetCurrentTimestamp();
	gofive_set_last_error(error);
}

/* ---- lanes ---- */

static bool
same_server(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static Lane *
find_lane(const char *server, Oid role)
{
	ListCell   *lc;

	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);

		if (lane->role == role && same_server(lane->server, server))
			return lane;
	}
	return NULL;
}

static void
detach(Lane *lane)
{
	if (lane->account)
		lane->account->nlanes--;
	lane->account = NULL;
	if (lane->problem)
		pfree(lane->problem);
	lane->problem = NULL;
}

/*
 * The lanes that have undelivered requests, as discovery found them (server
 * names, "" for the default account, and roles).  Lanes not found are
 * forgotten once none of their jobs is left.
 */
void
gofive_schedule_set_lanes(List *names, List *roles)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	ListCell   *lc;
	ListCell   *ln;
	ListCell   *lr;

	foreach(lc, lanes)
		((Lane *) lfirst(lc))->seen = false;
	forboth(ln, names, lr, roles)
	{
		const char *name = (const char *) lfirst(ln);
		const char *server = *name ? name : NULL;
		Oid			role = lfirst_oid(lr);
		Lane	   *lane = find_lane(server, role);

		if (lane == NULL)
		{
			lane = palloc0(sizeof(Lane));
			lane->server = server ? pstrdup(server) : NULL;
			lane->role = role;
			lane->after_due = DT_NOBEGIN;
			lanes = lappend(lanes, lane);
		}
		lane->seen = true;
	}
	MemoryContextSwitchTo(old);
	lanes_stale = false;
	gofive_schedule_forget_idle();
}

bool
gofive_schedule_lanes_stale(void)
{
	return lanes_stale;
}

void
gofive_schedule_mark_lanes_stale(void)
{
	lanes_stale = true;
}

/* Forget lanes discovery no longer finds, and accounts no lane uses. */
void
gofive_schedule_forget_idle(void)
{
	List	   *unused = NIL;
	ListCell   *lc;

	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);

		if (lane->seen || lane->jobs > 0)
			continue;
		detach(lane);
		if (lane->server)
			pfree(lane->server);
		lanes = foreach_delete_current(lanes, lc);
		pfree(lane);
	}
	foreach(lc, accounts)
	{
		Account    *acc = (Account *) lfirst(lc);

		if (acc->nlanes == 0 && acc->in_flight == 0 && acc->token_state != TOKEN_FETCHING)
			unused = lappend(unused, acc);
	}
	foreach(lc, unused)
		free_account((Account *) lfirst(lc));
	list_free(unused);
}

/*
 * Look each lane's account up (for the role that enqueued, as when it
 * enqueued: USAGE, a user mapping, all three credentials), when new or when
 * something it depends on changed.  In a transaction: the catalogs are read
 * through the caches (account.c), with no SQL.
 */
void
gofive_schedule_resolve(void)
{
	bool		all = resolve_all;
	ListCell   *lc;

	resolve_all = false;
	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);
		GofiveAccountProblem problem;
		GofiveAccount *a;

		if (!all && (lane->account != NULL || lane->problem != NULL))
			continue;
		detach(lane);
		a = gofive_lookup_account(lane->server, lane->role, &problem);
		if (a == NULL)
		{
			lane->problem = MemoryContextStrdup(TopMemoryContext, problem.message);
			continue;
		}
		lane->account = account_for(a);
		lane->account->nlanes++;
		wipe(a->client_secret);
		wipe(a->subscription_key);
	}
}

const char *
gofive_lane_problem(Lane *lane)
{
	return lane->problem;
}

const char *
gofive_lane_server(Lane *lane)
{
	return lane->server ? lane->server : "";
}

Oid
gofive_lane_role(Lane *lane)
{
	return lane->role;
}

static int	room(Account *acc, TimestampTz now);

/*
 * The lanes that may send now (for the next-due look): names ("" default),
 * roles.  A lane whose account waits (a pause, an open circuit) is left
 * out: the account's own next event wakes the worker for it, and its due
 * rows must not keep the worker spinning.
 */
void
gofive_schedule_lanes_of(List **names, List **roles)
{
	TimestampTz now = GetCurrentTimestamp();
	ListCell   *lc;

	*names = NIL;
	*roles = NIL;
	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);

		if (lane->account == NULL || room(lane->account, now) == 0)
			continue;
		*names = lappend(*names, (char *) gofive_lane_server(lane));
		*roles = lappend_oid(*roles, lane->role);
	}
}

/* A job claimed for a lane: it sends with the lane's account. */
void
gofive_schedule_attach(Job *job, Lane *lane)
{
	job->lane = lane;
	job->account = lane->account;
	lane->jobs++;
}

/* The job's outcome is recorded (or it was not picked): the lane may go. */
void
gofive_schedule_detach(Job *job)
{
	if (job->lane)
		job->lane->jobs--;
	job->lane = NULL;
}

/* ---- what an account may send now ---- */

static void
refill(Account *acc, TimestampTz now)
{
	if (acc->rate <= 0)
		return;
	if (now > acc->refilled_at)
	{
		double		seconds = (double) (now - acc->refilled_at) / USECS_PER_SEC;

		acc->allowance = Min(Max(1.0, acc->rate), acc->allowance + seconds * acc->rate);
	}
	acc->refilled_at = now;
}

/* A copy of the account's token from the cache, if one is held there. */
static bool
have_token(Account *acc)
{
	if (acc->token_state == TOKEN_FETCHING)
		return false;
	if (gofive_token_peek(acc->acct, acc->token, &acc->token_id) != NULL)
	{
		acc->token_state = TOKEN_HELD;
		return true;
	}
	explicit_bzero(acc->token, sizeof(acc->token));
	acc->token_state = TOKEN_NONE;
	return false;
}

/* Requests the account may start now (before the token). */
static int
room(Account *acc, TimestampTz now)
{
	int			n = gofive_max_concurrency - acc->in_flight;

	if (acc->problem || now < acc->refused_until || now < acc->paused_until)
		return 0;
	if (acc->circuit == CIRCUIT_OPEN && now >= acc->circuit_until)
	{
		acc->circuit = CIRCUIT_HALF_OPEN;
		elog(LOG, "probing the API of %s after an outage",
			 acc->acct->server ? psprintf("account \"%s\"", acc->acct->server) : "the default account");
	}
	if (acc->circuit == CIRCUIT_OPEN)
		return 0;
	if (acc->circuit == CIRCUIT_HALF_OPEN)
		n = (acc->in_flight == 0) ? 1 : 0;	/* one probe at a time */
	if (acc->rate > 0)
	{
		refill(acc, now);
		n = Min(n, (int) acc->allowance);
	}
	return Max(n, 0);
}

static int
capacity(Account *acc, TimestampTz now)
{
	int			n = room(acc, now);

	return (n > 0 && have_token(acc)) ? n : 0;
}

/*
 * What each lane may claim now: its account's capacity, the same for every
 * lane of the account (the claim over-fetches, gofive_schedule_pick deals
 * out).  An account that sends freely (circuit closed, no rate limit) has
 * its lanes claim ahead: AHEAD_FACTOR times gofive.max_concurrency shared
 * among them (gofive.batch_size at most), kept for the next turns
 * (gofive_schedule_ahead_will_do), so that a backlog costs a claim per
 * several turns, not one per turn.
 * *total: the capacity of all the accounts together.
 */
List *
gofive_schedule_quotas(TimestampTz now, int *total)
{
	List	   *quotas = NIL;
	ListCell   *lc;

	*total = 0;
	foreach(lc, accounts)
		*total += capacity((Account *) lfirst(lc), now);
	if (*total == 0)
		return NIL;
	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);
		LaneQuota  *q;
		int			n;

		if (lane->account == NULL || (n = capacity(lane->account, now)) == 0)
			continue;
		q = palloc(sizeof(LaneQuota));
		q->lane = lane;
		q->account_name = lane->server ? lane->server : "";
		q->role = lane->role;
		q->quota = n;
		if (lane->account->circuit == CIRCUIT_CLOSED && lane->account->rate <= 0)
			q->quota = Max(n, Min(gofive_batch_size, AHEAD_FACTOR * gofive_max_concurrency /
								  Max(lane->account->nlanes, 1)));
		quotas = lappend(quotas, q);
	}
	return quotas;
}

/*
 * Deal the claimed jobs out: per account, round-robin over its lanes (each
 * lane's jobs in the order claimed) up to what the account may send; the
 * rest are dropped (nothing was written for them).  Returns the picked jobs.
 */
List *
gofive_schedule_pick(List *claimed, TimestampTz now)
{
	List	   *picked = NIL;
	ListCell   *la;

	foreach(la, accounts)
	{
		Account    *acc = (Account *) lfirst(la);
		int			n = capacity(acc, now);
		int			nl = 0;
		List	  **per_lane;
		Lane	  **which;
		ListCell   *lc;
		Job		   *job;
		int			i;

		if (n == 0)
			continue;
		per_lane = palloc0(sizeof(List *) * list_length(lanes));
		which = palloc0(sizeof(Lane *) * list_length(lanes));
		foreach(lc, claimed)
		{
			job = (Job *) lfirst(lc);
			if (job->lane->account != acc)
				continue;
			for (i = 0; i < nl && which[i] != job->lane; i++)
				;
			if (i == nl)
				which[nl++] = job->lane;
			per_lane[i] = lappend(per_lane[i], job);
		}
		/* round-robin, starting one lane further each time */
		for (int taken = 0, idle = 0; nl > 0 && taken < n && idle < nl;)
		{
			i = acc->rr++ % nl;
			if (per_lane[i] == NIL)
			{
				idle++;
				continue;
			}
			idle = 0;
			job = (Job *) linitial(per_lane[i]);
			picked = lappend(picked, job);
			/* each lane's jobs are picked in the order claimed: (due, id) */
			job->lane->after_due = job->due;
			job->lane->after_id = job->id;
			per_lane[i] = list_delete_first(per_lane[i]);
			taken++;
			if (acc->rate > 0)
				acc->allowance -= 1.0;
		}
		pfree(per_lane);
		pfree(which);
	}
	return picked;
}

/*
 * Where a lane's next claim starts: after its last row picked.  Every row of
 * the lane before it, in claim order (due, id), was picked, is in flight or
 * waits to be recorded, or was not ready then; rows that become ready later
 * come with an event that makes the next claim start from the start again:
 * a commit that wakes the worker (an enqueue, a release, a retry by hand),
 * an outcome recorded for a group (its next row goes) or for a retry (due
 * later than the claim that sent it, as a rule, but not always before the
 * rows picked since), batches moved in from the intake, the periodic look.
 * So the claim steps over neither the rows in flight nor the index entries
 * of the rows finished since the last vacuum, which are the lane's oldest.
 */
void
gofive_schedule_claim_after(Lane *lane, TimestampTz *due, int64 *id)
{
	*due = lane->after_due;
	*id = lane->after_id;
}

/* The next claim of every lane starts from the start. */
void
gofive_schedule_claim_from_start(void)
{
	ListCell   *lc;

	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);

		lane->after_due = DT_NOBEGIN;
		lane->after_id = 0;
	}
}

/* How many of the jobs each lane and each account has, in their counted fields. */
static void
count_jobs(List *jobs)
{
	ListCell   *lc;

	foreach(lc, lanes)
		((Lane *) lfirst(lc))->counted = 0;
	foreach(lc, accounts)
		((Account *) lfirst(lc))->counted = 0;
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);

		job->lane->counted++;
		if (job->account)
			job->account->counted++;
	}
}

/* A claim found these jobs for these quotas: note which lanes may have more. */
void
gofive_schedule_claimed(List *quotas, List *claimed)
{
	ListCell   *lc;

	count_jobs(claimed);
	foreach(lc, quotas)
	{
		LaneQuota  *q = (LaneQuota *) lfirst(lc);

		q->lane->filled = (q->lane->counted >= q->quota);
	}
}

/*
 * Whether the jobs claimed ahead (not picked by an earlier turn) can stand
 * in for a claim now: each account that may send has at least as many of
 * them as it may send, and each of its lanes that filled its quota at the
 * claim has some left (a lane that did not had every due row claimed, so
 * round-robin stays fair).  Each job is given its lane's account again: an
 * account looked up anew since the claim replaces the old one.
 */
bool
gofive_schedule_ahead_will_do(List *ahead, TimestampTz now)
{
	ListCell   *lc;

	foreach(lc, ahead)
	{
		Job		   *job = (Job *) lfirst(lc);

		job->account = job->lane->account;
	}
	count_jobs(ahead);
	foreach(lc, accounts)
	{
		Account    *acc = (Account *) lfirst(lc);

		if (acc->counted < capacity(acc, now))
			return false;
	}
	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);

		if (lane->filled && lane->counted == 0 &&
			lane->account != NULL && capacity(lane->account, now) > 0)
			return false;
	}
	return true;
}

const GofiveAccount *
gofive_account_of(Account *acc)
{
	return acc->acct;
}

/* The account's bearer token for a picked job (held: pick checked it). */
const char *
gofive_schedule_bearer(Job *job)
{
	job->token_id = job->account->token_id;
	return job->account->token;
}

void
gofive_schedule_started(Job *job)
{
	job->account->in_flight++;
	job->account->sent++;
	job->lane->sent++;
	pg_atomic_fetch_add_u32(&gofive_slot->in_flight, 1);
	pg_atomic_fetch_add_u64(&gofive_slot->sent, 1);
}

int
gofive_schedule_in_flight(void)
{
	int			n = 0;
	ListCell   *lc;

	foreach(lc, accounts)
		n += ((Account *) lfirst(lc))->in_flight;
	return n;
}

/* ---- the circuit breaker, per account ---- */

static const char *
account_label(Account *acc)
{
	return acc->acct->server ? psprintf("account \"%s\"", acc->acct->server) : "the default account";
}

static void
open_circuit(Account *acc, TimestampTz now)
{
	int64		cooldown = gofive_retry_base_ms;

	for (int i = 0; i < acc->open_count && cooldown < gofive_retry_max_ms; i++)
		cooldown *= 2;
	cooldown = Min(cooldown, (int64) gofive_retry_max_ms);
	acc->open_count++;
	acc->circuit = CIRCUIT_OPEN;
	acc->circuit_until = TimestampTzPlusMilliseconds(now, cooldown);
	elog(LOG, "the API of %s looks unavailable; pausing its deliveries for " INT64_FORMAT " ms",
		 account_label(acc), cooldown);
}

static void
note_outage(Account *acc, bool outage, TimestampTz now)
{
	if (!outage)
	{
		if (acc->circuit != CIRCUIT_CLOSED)
			elog(LOG, "the API of %s answers again", account_label(acc));
		acc->outages_in_row = 0;
		acc->open_count = 0;
		acc->circuit = CIRCUIT_CLOSED;
		return;
	}
	acc->outages_in_row++;
	if (acc->circuit == CIRCUIT_HALF_OPEN ||
		(acc->circuit == CIRCUIT_CLOSED && acc->outages_in_row >= MIN_OUTAGES_TO_OPEN))
		open_circuit(acc, now);
}

/* ---- the retry schedule ---- */

/*
 * A Retry-After the worker honours: at most gofive.retry_max, so that an
 * API that asks for a day (or sends garbage that reads as one) can neither
 * park a row, and the rows of its ordering key behind it, nor pause an
 * account for that long.
 */
static int64
retry_after_ms(int retry_after_s)
{
	return Min((int64) Max(retry_after_s, 0) * 1000, (int64) gofive_retry_max_ms);
}

/*
 * Exponential backoff with jitter: attempt n waits between half and all of
 * min(retry_max, retry_base * 2^(n-1)), so that requests that failed
 * together do not come back together.  A Retry-After from the API (429,
 * 503) is honoured as the least delay, up to retry_max.
 */
int64
gofive_schedule_backoff_ms(int attempt, int retry_after_s)
{
	int64		delay = gofive_retry_base_ms;
	int64		jittered;

	for (int i = 1; i < attempt && delay < gofive_retry_max_ms; i++)
		delay *= 2;
	delay = Min(delay, (int64) gofive_retry_max_ms);
	jittered = delay / 2 + (int64) (pg_prng_double(&pg_global_prng_state) * (delay - delay / 2));
	if (retry_after_s > 0)
		jittered = Max(jittered, retry_after_ms(retry_after_s));
	return jittered;
}

/* A failed attempt: dead when it was the last, else pending until its retry. */
static void
schedule_retry(Job *job, TimestampTz now, int retry_after)
{
	Account    *acc = job->account;
	int			attempt = job->attempts + 1;

	if (attempt >= gofive_max_attempts)
	{
		job->status = "dead";
		job->final = true;
		acc->dead++;
		pg_atomic_fetch_add_u64(&gofive_slot->dead, 1);
		return;
	}
	job->status = "pending";
	job->next_at = TimestampTzPlusMilliseconds(now, gofive_schedule_backoff_ms(attempt, retry_after));
	/* not before the account may send again */
	job->next_at = Max(job->next_at, Max(acc->paused_until, acc->circuit == CIRCUIT_OPEN ?
										 acc->circuit_until : 0));
	acc->retried++;
	job->lane->retried++;
	pg_atomic_fetch_add_u64(&gofive_slot->retried, 1);
}

/*
 * A request's answer was judged (worker.c): its account's state follows it,
 * and job->status says what becomes of the row.
 */
void
gofive_schedule_finished(Job *job, const GofiveJudgement *j, int retry_after, TimestampTz now)
{
	Account    *acc = job->account;

	acc->in_flight--;
	pg_atomic_sub_fetch_u32(&gofive_slot->in_flight, 1);
	note_outage(acc, j->outage, now);
	switch (j->action)
	{
		case GOFIVE_ACT_SUCCEED:
			job->status = "succeeded";
			job->final = true;
			acc->succeeded++;
			job->lane->succeeded++;
			pg_atomic_fetch_add_u64(&gofive_slot->succeeded, 1);
			break;
		case GOFIVE_ACT_FAIL:
			job->status = "failed";
			job->final = true;
			acc->failed++;
			job->lane->failed++;
			pg_atomic_fetch_add_u64(&gofive_slot->failed, 1);
			set_last_error(acc, job->messages && j->verdict != GOFIVE_UNREADABLE ?
						   job->messages : job->error);
			break;
		case GOFIVE_ACT_RENEW_TOKEN_AND_RETRY:
			/* renew the token, for everybody, before the account's next request */
			gofive_token_refused(acc->acct, job->token_id);
			acc->token_state = TOKEN_NONE;
			set_last_error(acc, job->error);
			schedule_retry(job, now, 0);
			break;
		case GOFIVE_ACT_RETRY:
			set_last_error(acc, job->error);
			if (j->verdict == GOFIVE_THROTTLED)
			{
				/* the account's quota: nothing of it goes for a while */
				acc->paused_until = Max(acc->paused_until,
										TimestampTzPlusMilliseconds(now, retry_after > 0 ?
																	retry_after_ms(retry_after) :
																	gofive_retry_base_ms));
				elog(LOG, "%s is throttled (HTTP 429); pausing its deliveries until %s",
					 account_label(acc), timestamptz_to_str(acc->paused_until));
			}
			schedule_retry(job, now, Max(retry_after, 0));
			break;
	}
}

/* A request that could not be judged at all: it fails, its account goes on. */
void
gofive_schedule_unreadable(Job *job, TimestampTz now)
{
	Account    *acc = job->account;

	acc->in_flight--;
	pg_atomic_sub_fetch_u32(&gofive_slot->in_flight, 1);
	job->status = "failed";
	job->final = true;
	acc->failed++;
	job->lane->failed++;
	pg_atomic_fetch_add_u64(&gofive_slot->failed, 1);
	set_last_error(acc, job->error);
}

/* ---- tokens, fetched on the worker's multi handle ---- */

typedef struct TokenStart
{
	Account    *acc;
	char	   *url;
	char	   *form;
} TokenStart;

static void
build_token_request(void *arg)
{
	TokenStart *ts = (TokenStart *) arg;

	gofive_token_request(ts->acc->acct, &ts->url, &ts->form);
}

/* Start fetching the account's token; false when it cannot be asked for. */
static bool
start_token_fetch(Account *acc, TimestampTz now)
{
	TokenStart	ts = {acc, NULL, NULL};
	char	   *why;
	MemoryContext cxt;
	Job		   *job;

	why = gofive_db_try(build_token_request, &ts);
	if (why != NULL)
	{
		/* a setting the default account needs is not set */
		ErrorData	err = {0};

		err.sqlerrcode = ERRCODE_GOFIVE_NOT_CONFIGURED;
		err.message = why;
		gofive_token_fetch_failed(acc->acct, &err);
		acc->problem = MemoryContextStrdup(acc->cxt, why);
		set_last_error(acc, why);
		return false;
	}
	cxt = AllocSetContextCreate(TopMemoryContext, "gofive token job", ALLOCSET_SMALL_SIZES);
	job = MemoryContextAllocZero(cxt, sizeof(Job));
	job->cxt = cxt;
	job->kind = JOB_TOKEN;
	job->account = acc;
	job->business_code = -1;
	gofive_delivery_start(job, acc->acct, "POST", ts.url, NULL, NULL,
						  "application/x-www-form-urlencoded", ts.form);
	/* libcurl keeps no copy of a body: the job's copy lives until the transfer ends */
	wipe(ts.form);
	acc->token_state = TOKEN_FETCHING;
	return true;
}

/*
 * Accounts that have lanes and may send, but hold no token: take one from
 * the cache, or start fetching it, or (another process fetches it) look
 * again soon.
 */
void
gofive_schedule_start_tokens(TimestampTz now)
{
	ListCell   *lc;

	foreach(lc, accounts)
	{
		Account    *acc = (Account *) lfirst(lc);

		if (acc->nlanes == 0 || acc->token_state == TOKEN_FETCHING ||
			now < acc->token_look_at || room(acc, now) == 0 || have_token(acc))
			continue;
		switch (gofive_token_claim_fetch(acc->acct))
		{
			case GOFIVE_FETCH_BUSY:
				acc->token_look_at = TimestampTzPlusMilliseconds(now, TOKEN_BUSY_LOOK_MS);
				break;
			case GOFIVE_FETCH_MINE:
			case GOFIVE_FETCH_UNCACHED:
				(void) start_token_fetch(acc, now);
				break;
		}
	}
}

typedef struct TokenRead
{
	Job		   *job;
	char	   *token;
	TimestampTz until;
} TokenRead;

static void
read_token(void *arg)
{
	TokenRead  *tr = (TokenRead *) arg;

	tr->token = gofive_token_from_answer(tr->job->account->acct, &tr->job->resp, &tr->until);
}

/* The error a token fetch ended with, for those who wait for it. */
static ErrorData *
token_error(int sqlstate, const char *message)
{
	ErrorData  *err = palloc0(sizeof(ErrorData));

	err->sqlerrcode = sqlstate;
	err->message = pstrdup(message);
	return err;
}

/* The credentials were refused: leave the account alone for a cool-down. */
static void
refuse(Account *acc, TimestampTz now)
{
	int64		cooldown = gofive_retry_base_ms;

	for (int i = 0; i < acc->refused_count && cooldown < gofive_retry_max_ms; i++)
		cooldown *= 2;
	acc->refused_count++;
	acc->refused_until = TimestampTzPlusMilliseconds(now, Min(cooldown, (int64) gofive_retry_max_ms));
}

/*
 * Our token fetch for an account ended.  What its answer means is
 * outcome.c's (gofive_judge_token): reading the token runs in a
 * subtransaction (gofive_db_try: the turn's transaction is open, worker.c),
 * and only says whether a 200 held a usable token, and why not.
 */
void
gofive_schedule_token_done(Job *job, TimestampTz now)
{
	Account    *acc = job->account;
	TokenRead	tr = {job, NULL, 0};
	GofiveJudgement j;
	char	   *why;

	acc->token_state = TOKEN_NONE;
	if (job->result != CURLE_OK)
		why = psprintf("could not reach the token endpoint: %s",
					   job->result == CURLE_OPERATION_TIMEDOUT ? "it did not answer in time" :
					   curl_easy_strerror(job->result));
	else
		why = gofive_db_try(read_token, &tr);
	j = gofive_judge_token(job->result != CURLE_OK ? 0 : job->resp.status, why == NULL);
	if (j.action == GOFIVE_ACT_SUCCEED)
	{
		acc->token_id = gofive_token_fetched(acc->acct, tr.token, tr.until);
		wipe(tr.token);
		acc->refused_count = 0;
		acc->refused_until = 0;
		acc->problem = NULL;
		note_outage(acc, false, now);
		return;
	}
	Assert(why != NULL);		/* a usable token is a 200's (auth.c) */
	set_last_error(acc, why);
	gofive_token_fetch_failed(acc->acct, token_error(j.sqlstate, why));
	if (j.action == GOFIVE_ACT_RETRY)
		/* no answer, or the API is busy or down: an outage of the account */
		note_outage(acc, j.outage, now);
	else
		/* the credentials were refused: the account waits a cool-down */
		refuse(acc, now);
}

/* ---- when to look again ---- */

/*
 * The earliest moment an account that has lanes may send again, for the
 * worker's sleep: a circuit's cool-down, a pause, a refusal's cool-down, a
 * look at another process's token fetch, the rate limit's next request.  0:
 * none is waiting.
 */
TimestampTz
gofive_schedule_next_event(TimestampTz now)
{
	TimestampTz next = 0;
	ListCell   *lc;

#define CONSIDER(t) do { if ((t) > now && (next == 0 || (t) < next)) next = (t); } while (0)
	foreach(lc, accounts)
	{
		Account    *acc = (Account *) lfirst(lc);

		if (acc->nlanes == 0)
			continue;
		if (acc->circuit == CIRCUIT_OPEN)
			CONSIDER(acc->circuit_until);
		CONSIDER(acc->paused_until);
		CONSIDER(acc->refused_until);
		CONSIDER(acc->token_look_at);
		if (acc->rate > 0 && acc->allowance < 1.0)
			CONSIDER(TimestampTzPlusMilliseconds(acc->refilled_at,
												 (int64) ((1.0 - acc->allowance) * 1000.0 / acc->rate) + 1));
	}
#undef CONSIDER
	return next;
}

/* Whether any account's circuit is open (for gofive.worker); its end. */
bool
gofive_schedule_any_open(TimestampTz *until)
{
	ListCell   *lc;
	bool		open = false;

	*until = 0;
	foreach(lc, accounts)
	{
		Account    *acc = (Account *) lfirst(lc);

		if (acc->nlanes > 0 && acc->circuit != CIRCUIT_CLOSED)
		{
			if (!open || acc->circuit_until < *until)
				*until = acc->circuit_until;
			open = true;
		}
	}
	return open;
}

/* ---- gofive.accounts ---- */

static const char *
state_name(Lane *lane, TimestampTz now, TimestampTz *until)
{
	Account    *acc = lane->account;

	*until = 0;
	if (acc == NULL || acc->problem)
		return "unusable";
	if (now < acc->refused_until)
	{
		*until = acc->refused_until;
		return "refused";
	}
	if (acc->circuit == CIRCUIT_OPEN)
	{
		*until = acc->circuit_until;
		return "open";
	}
	if (acc->circuit == CIRCUIT_HALF_OPEN)
		return "half-open";
	if (now < acc->paused_until)
	{
		*until = acc->paused_until;
		return "paused";
	}
	return "closed";
}

/* Publish every lane's state in the worker's slot (shmem.c), for gofive.accounts. */
void
gofive_schedule_publish(TimestampTz now)
{
	GofiveLaneStat *stats = palloc0(sizeof(GofiveLaneStat) * GOFIVE_MAX_LANES);
	int			n = 0;
	ListCell   *lc;

	foreach(lc, lanes)
	{
		Lane	   *lane = (Lane *) lfirst(lc);
		GofiveLaneStat *s = &stats[n];
		Account    *acc = lane->account;

		if (n == GOFIVE_MAX_LANES)
			break;
		s->default_account = (lane->server == NULL);
		strlcpy(s->account, lane->server ? lane->server : "", sizeof(s->account));
		s->role = lane->role;
		strlcpy(s->state, state_name(lane, now, &s->until), sizeof(s->state));
		s->in_flight = acc ? acc->in_flight : 0;
		s->rate_limit = acc ? acc->rate : 0;
		s->sent = lane->sent;
		s->succeeded = lane->succeeded;
		s->failed = lane->failed;
		s->retried = lane->retried;
		strlcpy(s->problem, lane->problem ? lane->problem : (acc && acc->problem ? acc->problem : ""),
				sizeof(s->problem));
		if (acc)
		{
			strlcpy(s->last_error, acc->last_error, sizeof(s->last_error));
			s->last_error_at = acc->last_error_at;
		}
		n++;
	}
	gofive_publish_lanes(stats, n);
	pfree(stats);
}
