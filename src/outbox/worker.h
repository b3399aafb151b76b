/*
 * src/outbox/worker.h
 *		The delivery worker's pieces (src/outbox/), one section per file,
 *		each declaring what that file defines: the loop and the judging of
 *		answers (worker.c), the schedule — lanes, accounts, their circuit
 *		breakers, pauses, rate limits and tokens, and the retry backoff
 *		(worker_schedule.c) — the outbox table's side (worker_db.c, with
 *		worker_claim.c and worker_record.c for the common cases of claiming
 *		rows and recording outcomes) and the network's (delivery.c).  What the rest of the outbox shares with the
 *		worker (settings, shared memory, privilege.c's plans) is outbox.h.
 *
 * Words used throughout:
 *	 - an account is what a request is sent with: a base URL and three
 *	   credentials (GofiveAccount.key); its delivery state (circuit, pause,
 *	   rate limit, token, requests in flight) is its own, so that one
 *	   account's outage or quota never delays another's requests;
 *	 - a lane is an account name (NULL: the default account) and the role
 *	   that enqueued: gofive.outbox.account and enqueued_by.  A lane maps to
 *	   one account (the role's user mapping); claims go round-robin over the
 *	   lanes of an account;
 *	 - a group is a lane and an ordering key: its requests go one at a time,
 *	   in id order, and a blocked group blocks only itself.
 */
#ifndef GOFIVE_WORKER_H
#define GOFIVE_WORKER_H

#include "postgres.h"

#include <curl/curl.h>

#include "nodes/pg_list.h"
#include "storage/itemptr.h"
#include "utils/jsonb.h"

#include "client.h"
#include "outbox.h"

typedef struct Account Account;
typedef struct Lane Lane;

/* What a transfer is for. */
typedef enum JobKind
{
	JOB_REQUEST,				/* an outbox row */
	JOB_TOKEN					/* an account's token (auth.c builds and reads it) */
} JobKind;

/* One outbox row from its claim to its recorded outcome, or one token request. */
typedef struct Job
{
	MemoryContext cxt;			/* everything of this job lives here */
	JobKind		kind;
	Account    *account;		/* what it is sent with */
	Lane	   *lane;			/* JOB_REQUEST: whose it is */

	/* the row, as claimed */
	int64		id;
	char	   *operation;
	char	   *method;
	char	   *path;
	char	   *body;			/* JSON text, or NULL */
	char	   *request_id;
	char	   *ordering_key;	/* NULL: none */
	int			attempts;		/* attempts recorded before this one */
	TimestampTz due;			/* its next_attempt_at when claimed */
	ItemPointerData tid;		/* the version claimed, if known (worker_claim.c) */
	bool		marked;			/* marked sending before it went out (not idempotent) */

	/* the transfer */
	CURL	   *easy;
	struct curl_slist *headers;	/* its own line, then shared ones (delivery.c) */
	struct SharedHeaders *shared_headers;
	GofiveHttpResponse resp;
	char		errbuf[CURL_ERROR_SIZE];
	CURLcode	result;
	TimestampTz started;
	double		ms;
	uint64		token_id;		/* of the token it was sent with */

	/* the answer as judged (outcome.c), then what becomes of the row */
	GofiveJudgement judgement;
	int			retry_after;	/* seconds, or -1 */
	bool		unreadable;		/* the answer could not even be judged */
	const char *status;			/* pending, succeeded, failed, dead */
	TimestampTz next_at;		/* for pending */
	int			http_status;	/* 0 when there was no answer */
	int			business_code;	/* -1 when none */
	char	   *messages;
	Jsonb	   *response;
	char	   *error;
	bool		final;			/* succeeded, failed or dead: its group moves on */
} Job;

/* ---- worker.c ---- */
extern PGDLLEXPORT void gofive_worker_main(Datum arg);

/* ---- worker_schedule.c: lanes, accounts, what may be sent now ---- */

/* How many rows a lane may claim now, for the claim query. */
typedef struct LaneQuota
{
	Lane	   *lane;
	const char *account_name;	/* "" for the default account */
	Oid			role;
	int			quota;
} LaneQuota;

extern void gofive_schedule_init(void);
extern void gofive_schedule_reload(void);
extern void gofive_schedule_set_lanes(List *names, List *roles);
extern bool gofive_schedule_lanes_stale(void);
extern void gofive_schedule_mark_lanes_stale(void);
extern void gofive_schedule_forget_idle(void);
extern void gofive_schedule_resolve(void);
extern void gofive_schedule_lanes_of(List **names, List **roles);
extern const char *gofive_lane_problem(Lane *lane);
extern const char *gofive_lane_server(Lane *lane);
extern Oid	gofive_lane_role(Lane *lane);
extern void gofive_schedule_attach(Job *job, Lane *lane);
extern void gofive_schedule_detach(Job *job);
extern List *gofive_schedule_quotas(TimestampTz now, int *total);
extern List *gofive_schedule_pick(List *claimed, TimestampTz now);
extern void gofive_schedule_claim_after(Lane *lane, TimestampTz *due, int64 *id);
extern void gofive_schedule_claim_from_start(void);
extern void gofive_schedule_claimed(List *quotas, List *claimed);
extern bool gofive_schedule_ahead_will_do(List *ahead, TimestampTz now);
extern const char *gofive_schedule_bearer(Job *job);
extern const GofiveAccount *gofive_account_of(Account *account);
extern void gofive_schedule_started(Job *job);
extern int	gofive_schedule_in_flight(void);
extern void gofive_schedule_finished(Job *job, const GofiveJudgement *j, int retry_after,
									 TimestampTz now);
extern void gofive_schedule_unreadable(Job *job, TimestampTz now);
extern void gofive_schedule_start_tokens(TimestampTz now);
extern void gofive_schedule_token_done(Job *job, TimestampTz now);
extern TimestampTz gofive_schedule_next_event(TimestampTz now);
extern int64 gofive_schedule_backoff_ms(int attempt, int retry_after_s);
extern bool gofive_schedule_any_open(TimestampTz *until);
extern void gofive_schedule_publish(TimestampTz now);

/* ---- worker_db.c: the outbox table, in the turn's transaction ---- */
extern void gofive_db_begin(void);
extern void gofive_db_commit(void);
extern char *gofive_db_try(void (*step) (void *), void *arg);
extern bool gofive_db_extension_ready(void);
extern bool gofive_request_idempotent(const char *operation, const char *method,
									  const char *body);
extern void gofive_db_discover_lanes(void);
extern List *gofive_db_claim(List *quotas, int64 *busy, int nbusy);
extern bool gofive_db_intake_left(void);
extern List *gofive_db_mark(List *jobs);
extern void gofive_db_record(List *jobs);
extern void gofive_db_free_job(Job *job);
extern TimestampTz gofive_db_next_due(List *names, List *roles, int64 *busy, int nbusy);
extern void gofive_db_sweep_groups(void);
extern void gofive_db_recover(int64 *in_flight, int n_in_flight);
#define GOFIVE_COMPACT_NOT_TRIED (-1)	/* gofive_db_maintain: nothing purged or asked */
extern int	gofive_db_maintain(bool purge, bool compact_anyway);

/* ---- worker_claim.c: the claim's common case, without the executor ---- */

/* The claim's columns (CLAIM_SQL's, worker_db.c), from 0. */
typedef enum ClaimedColumn
{
	CL_LANE, CL_ID, CL_OPERATION, CL_METHOD, CL_PATH, CL_BODY, CL_REQUEST_ID, CL_ATTEMPTS,
	CL_ORDERING_KEY, CL_COPIED, CL_DUE, CL_NCOLS
} ClaimedColumn;

/*
 * A claimed row, deformed once (heap_getattr per column walks the tuple each
 * time).  Its text columns (operation to ordering_key) are C strings.
 */
typedef struct ClaimedRow
{
	Datum		values[CL_NCOLS];
	bool		nulls[CL_NCOLS];
	ItemPointerData tid;		/* the version claimed; invalid from CLAIM_SQL */
} ClaimedRow;

extern bool gofive_claim_direct(List *quotas, const TimestampTz *after_due,
								const int64 *after_id, const int64 *busy, int nbusy,
								int64 origin, ClaimedRow **rows, int *nrows);

/* ---- worker_record.c: what an outcome sets on its row, and recording it without the executor ---- */

/* the attempts a row's history keeps, oldest first */
#define GOFIVE_HISTORY_KEEP 10

/* The columns an outcome sets. */
typedef enum OutcomeColumn
{
	OC_STATUS,
	OC_ATTEMPTS,
	OC_NEXT_ATTEMPT_AT,			/* null: unchanged */
	OC_LAST_ATTEMPT_AT,
	OC_FINISHED_AT,
	OC_HTTP_STATUS,
	OC_BUSINESS_CODE,
	OC_MESSAGES,
	OC_RESPONSE,
	OC_LAST_ERROR,
	OC_DURATION_MS,
	OC_HISTORY,
	OC_NCOLS
} OutcomeColumn;

extern bool gofive_outcome_value(const Job *job, OutcomeColumn col, Datum *value);
extern List *gofive_record_direct(List *jobs, Jsonb **entries);

/* ---- delivery.c: the transfers in flight, on one curl multi handle ---- */
extern void gofive_delivery_init(void);
extern void gofive_delivery_start(Job *job, const GofiveAccount *acct, const char *method,
								  const char *url, const char *bearer, const char *request_id,
								  const char *content_type, const char *body);
extern void gofive_delivery_wait(int timeout_ms);
extern Job *gofive_delivery_next_done(void);
extern bool gofive_delivery_has_done(void);
extern int	gofive_delivery_in_flight(void);
extern void gofive_delivery_note_in_flight(List *unrecorded, bool changed);
extern int64 *gofive_delivery_busy_ids(List *unrecorded, int *n);
extern int64 *gofive_delivery_read_in_flight(int *n);

#endif							/* GOFIVE_WORKER_H */
