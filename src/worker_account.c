/*
 * worker_account.c
 *		The account of each request the worker claimed: the row's account
 *		(gofive.outbox.account; NULL for the default one) as used by the role
 *		that enqueued it.
 *
 * The worker runs as gofive_worker, which may not read user mappings with
 * SQL; the catalogs are read here through the caches (account.c), which
 * check no rights.  USAGE on the server and a user mapping are checked for
 * the enqueuer, as they were when the request was queued, so that revoking
 * USAGE or dropping the mapping also stops requests already queued.  A
 * request whose account cannot be used keeps the reason, and is not sent
 * (worker.c).  One short transaction per claim, with no XID: nothing is
 * written.
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "worker.h"

/* One account looked up for this claim: (name, role) -> account or problem. */
typedef struct Resolved
{
	const char *name;
	Oid			role;
	GofiveAccount *account;
	GofiveAccountProblem problem;
} Resolved;

static bool
same_name(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static const char *
copy_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

/* A copy of the account in the current memory context (the job's). */
static GofiveAccount *
copy_account(const GofiveAccount *a)
{
	GofiveAccount *c = palloc(sizeof(GofiveAccount));

	*c = *a;
	c->server = copy_or_null(a->server);
	c->base_url = pstrdup(a->base_url);
	c->client_id = pstrdup(a->client_id);
	c->client_secret = pstrdup(a->client_secret);
	c->subscription_key = pstrdup(a->subscription_key);
	c->ca_file = pstrdup(a->ca_file);
	return c;
}

static Resolved *
resolve(List **done, const char *name, Oid role)
{
	ListCell   *lc;
	Resolved   *r;

	foreach(lc, *done)
	{
		r = (Resolved *) lfirst(lc);
		if (r->role == role && same_name(r->name, name))
			return r;
	}
	r = palloc0(sizeof(Resolved));
	r->name = name;
	r->role = role;
	r->account = gofive_lookup_account(name, role, &r->problem);
	*done = lappend(*done, r);
	return r;
}

void
gofive_db_resolve_accounts(List *jobs)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *done = NIL;
	ListCell   *lc;

	if (jobs == NIL)
		return;
	StartTransactionCommand();
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);
		Resolved   *r = resolve(&done, job->account_name, job->enqueued_by);
		MemoryContext old = MemoryContextSwitchTo(job->cxt);

		if (r->account)
			job->account = copy_account(r->account);
		else
			job->account_problem = pstrdup(r->problem.message);
		MemoryContextSwitchTo(old);
	}
	CommitTransactionCommand();
	MemoryContextSwitchTo(caller);
}
