/*
 * worker.h
 *		The outbox worker's pieces: one delivery job, the database side
 *		(worker_db.c) and the network side (delivery.c).
 */
#ifndef GOFIVE_WORKER_H
#define GOFIVE_WORKER_H

#include "postgres.h"

#include <curl/curl.h>

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "gofive.h"
#include "outbox.h"

/* One claimed outbox row, from claim to recorded outcome. */
typedef struct Job
{
	MemoryContext cxt;			/* everything of this job lives here */
	int64		id;
	char	   *operation;
	char	   *method;
	char	   *path;
	char	   *body;			/* JSON text, or NULL */
	char	   *request_id;
	int			attempts;		/* attempts before this one */
	char	   *account_name;	/* gofive.outbox.account; NULL: the default account */
	Oid			enqueued_by;

	/* its account, resolved after the claim (worker_account.c) */
	GofiveAccount *account;		/* NULL: it cannot be used, see account_problem */
	char	   *account_problem;
	uint64		token_id;		/* of the token it was sent with */

	/* the transfer */
	CURL	   *easy;
	struct curl_slist *headers;
	GofiveHttpResponse resp;
	char		errbuf[CURL_ERROR_SIZE];
	CURLcode	result;
	TimestampTz started;
	double		ms;

	/* the outcome, set when the transfer is done */
	const char *status;			/* pending, succeeded, failed, dead */
	int			counted;		/* 1 if this attempt counts */
	TimestampTz next_at;		/* for pending */
	int			http_status;	/* 0 when there was no answer */
	int			business_code;	/* -1 when none */
	char	   *messages;
	Jsonb	   *response;
	char	   *error;
} Job;

/* worker_db.c: short transactions of their own */
extern bool gofive_db_extension_ready(void);
extern int	gofive_db_recover_sending(void);
extern List *gofive_db_exchange(List *finished, int claim_limit);
extern void gofive_db_release(List *jobs);
extern TimestampTz gofive_db_next_due(void);
extern int64 gofive_db_purge(void);

/* worker_account.c: each claimed job's account, for its enqueuer */
extern void gofive_db_resolve_accounts(List *jobs);
extern char *gofive_db_try(void (*step) (void *), void *arg);

/* delivery.c: the transfers in flight, on one curl multi handle */
extern void gofive_delivery_init(void);
extern void gofive_delivery_start(Job *job, const char *bearer);
extern void gofive_delivery_wait(int timeout_ms);
extern Job *gofive_delivery_next_done(void);
extern int	gofive_delivery_in_flight(void);

#endif							/* GOFIVE_WORKER_H */
