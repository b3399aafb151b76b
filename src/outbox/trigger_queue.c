/*
 * src/outbox/trigger_queue.c
 *		A row trigger's requests, inserted a statement at a time.
 *
 * gofive_enqueue_trigger as a row trigger is called once per row; inserting
 * each row's request on its own (an executor run of a one-row INSERT, the
 * switch to the outbox's owner) cost more than the ERP's row.  So the
 * requests of consecutive rows wait here, and are queued together
 * (gofive_enqueue_rows, as a statement trigger's are: one INSERT into the
 * outbox, or from 100 on one batch of gofive.intake) when:
 *
 *	- the statement whose triggers made them ends: the query's
 *	  ExecutorFinish, where its AFTER triggers fire, or the utility
 *	  statement's (COPY fires them without an executor of its own); not a
 *	  query that a trigger runs in between (a foreign key's check);
 *	- anything else goes into the outbox (gofive_enqueue, another
 *	  trigger's rows): it goes in after them;
 *	- 10,000 wait, or one comes that cannot join them: another operation,
 *	  role, security context, account (gofive.server) or query depth;
 *	- the transaction commits or is prepared (deferred triggers fire
 *	  then), or the next top-level query starts when they were made outside
 *	  any statement we saw (gofive loaded by the trigger's first call).
 *
 * Invariants: requests are inserted in the order their rows came, as the
 * role and with the account of their trigger's call, and end as their rows
 * do: an aborted (sub)transaction's waiting requests are dropped with it.
 * A request of a deeper subtransaction (a trigger's exception block, say)
 * does not wait: the ones waiting from outer levels go in first, in that
 * subtransaction, and are kept here too ("provisional") until it ends:
 * should it be rolled back, they wait again, to go in at their own level;
 * once it is committed into theirs, they are in and are let go.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/executor.h"
#include "tcop/utility.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "gofive.h"
#include "outbox.h"

#define WAITING_MAX 10000

typedef struct Waiting
{
	MemoryContext cxt;			/* the requests' values; in TopTransactionContext */
	const GofiveOperation *op;
	Oid			userid;
	int			sec_context;
	char	   *server;			/* gofive.server when they came */
	int			nest_level;		/* of the rows */
	int			provisional;	/* 0, or the deeper level they went in at */
	int			finish_depth;	/* the executor's and the utility statements' */
	int			utility_depth;	/* depths when they came */
	int			n;
	Datum		bodies[WAITING_MAX];
	bool		body_nulls[WAITING_MAX];
	Datum		keys[WAITING_MAX];
	bool		key_nulls[WAITING_MAX];
} Waiting;

static Waiting *waiting = NULL;
static bool inserting = false;
static int	finish_depth = 0;		/* ExecutorFinish calls under way */
static int	utility_depth = 0;	/* ProcessUtility calls under way */

static ExecutorStart_hook_type prev_executor_start = NULL;
static ExecutorFinish_hook_type prev_executor_finish = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

static const char *
current_server(void)
{
	return gofive_server ? gofive_server : "";
}

static void
drop_waiting(void)
{
	waiting->n = 0;
	waiting->provisional = 0;
	MemoryContextReset(waiting->cxt);
}

/*
 * Insert the waiting requests, as the role and with the account they came
 * with.  At their own nest level they are then let go; at a deeper one they
 * are kept, provisional, until it ends.
 */
static void
insert_waiting(void)
{
	Oid			userid;
	int			sec_context;
	int			guc_level = -1;
	int			level = GetCurrentTransactionNestLevel();
	bool		pushed = false;
	Waiting    *w = waiting;

	if (w == NULL || w->n == 0 || w->provisional || inserting)
		return;
	Assert(level >= w->nest_level);
	inserting = true;
	GetUserIdAndSecContext(&userid, &sec_context);
	SetUserIdAndSecContext(w->userid, w->sec_context);
	if (strcmp(w->server, current_server()) != 0)
	{
		guc_level = NewGUCNestLevel();
		(void) set_config_option("gofive.server", w->server, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	/* at commit (deferred triggers) no query runs: the insert needs a snapshot */
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	/* an error aborts the (sub)transaction, which drops them (below) */
	gofive_enqueue_rows(w->op->name, w->op->method, w->op->path, w->n, w->bodies,
						w->body_nulls, w->keys, w->key_nulls);
	if (pushed)
		PopActiveSnapshot();
	if (guc_level >= 0)
		AtEOXact_GUC(true, guc_level);
	SetUserIdAndSecContext(userid, sec_context);
	inserting = false;
	if (level == w->nest_level)
		drop_waiting();
	else
		w->provisional = level;
}

/*
 * Insert the waiting requests now (before anything else goes into the
 * outbox): at a deeper nest level than theirs, provisionally.
 */
void
gofive_flush_row_requests(void)
{
	if (waiting && waiting->n > 0 && !waiting->provisional)
		insert_waiting();
}

/* Whether a request made now may wait with those waiting. */
static bool
may_join(const GofiveOperation *op, Oid userid, int sec_context)
{
	return waiting->op == op && waiting->userid == userid &&
		waiting->sec_context == sec_context &&
		strcmp(waiting->server, current_server()) == 0;
}

/*
 * Queue a row's request (its body converted, its ordering key or NULL),
 * for insertion with those of the following rows.
 */
void
gofive_queue_row_request(const GofiveOperation *op, Jsonb *body, const char *key)
{
	int			level = GetCurrentTransactionNestLevel();
	Oid			userid;
	int			sec_context;
	MemoryContext old;
	int			i;

	GetUserIdAndSecContext(&userid, &sec_context);
	if (waiting && waiting->n > 0 && (waiting->provisional || waiting->nest_level != level))
	{
		/* a deeper level's: the outer ones go in first, provisionally; it does not wait */
		(void) gofive_enqueue_row(op->name, op->method, op->path, body, key);
		return;
	}
	if (waiting && waiting->n > 0 &&
		(!may_join(op, userid, sec_context) || waiting->finish_depth != finish_depth ||
		 waiting->utility_depth != utility_depth))
		insert_waiting();
	if (waiting == NULL)
	{
		waiting = MemoryContextAllocZero(TopTransactionContext, sizeof(Waiting));
		waiting->cxt = AllocSetContextCreate(TopTransactionContext, "gofive row requests",
											 ALLOCSET_DEFAULT_SIZES);
	}
	old = MemoryContextSwitchTo(waiting->cxt);
	if (waiting->n == 0)
	{
		waiting->op = op;
		waiting->userid = userid;
		waiting->sec_context = sec_context;
		waiting->server = pstrdup(current_server());
		waiting->nest_level = level;
		waiting->finish_depth = finish_depth;
		waiting->utility_depth = utility_depth;
	}
	i = waiting->n++;
	waiting->bodies[i] = PointerGetDatum(palloc(VARSIZE(body)));
	memcpy(DatumGetPointer(waiting->bodies[i]), body, VARSIZE(body));
	waiting->body_nulls[i] = false;
	waiting->key_nulls[i] = (key == NULL);
	waiting->keys[i] = key ? CStringGetTextDatum(key) : (Datum) 0;
	MemoryContextSwitchTo(old);
	if (waiting->n == WAITING_MAX)
		insert_waiting();
}

/* ---- when they go in ---- */

/* Rows made outside any statement we saw start: before the next top-level query. */
static void
gofive_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (waiting && waiting->n > 0 && finish_depth == 0 && utility_depth == 0 &&
		waiting->finish_depth == 0 && waiting->utility_depth == 0)
		gofive_flush_row_requests();
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* A query's AFTER triggers have fired: its rows' requests go in. */
static void
gofive_executor_finish(QueryDesc *queryDesc)
{
	finish_depth++;
	PG_TRY();
	{
		if (prev_executor_finish)
			prev_executor_finish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		finish_depth--;
	}
	PG_END_TRY();
	if (waiting && waiting->n > 0 && waiting->finish_depth > finish_depth)
		gofive_flush_row_requests();
}

/* A utility statement (COPY) is done: the requests of its rows go in. */
static void
gofive_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					   ProcessUtilityContext context, ParamListInfo params,
					   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	utility_depth++;
	PG_TRY();
	{
		if (prev_process_utility)
			prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
								 dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		utility_depth--;
	}
	PG_END_TRY();
	if (waiting && waiting->n > 0 && waiting->utility_depth > utility_depth &&
		waiting->finish_depth >= finish_depth && IsTransactionState())
		gofive_flush_row_requests();
}

static void
at_xact_event(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			gofive_flush_row_requests();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			/* its memory goes with TopTransactionContext */
			waiting = NULL;
			inserting = false;
			break;
		default:
			break;
	}
}

static void
at_subxact_event(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
				 void *arg)
{
	int			level = GetCurrentTransactionNestLevel();

	if (event == SUBXACT_EVENT_ABORT_SUB)
		inserting = false;
	if (waiting == NULL || waiting->n == 0)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		if (waiting->nest_level >= level)
			drop_waiting();		/* the rows are rolled back: so are their requests */
		else if (waiting->provisional >= level)
			waiting->provisional = 0;	/* their insert is: they wait again */
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		if (waiting->nest_level == level)
			waiting->nest_level = level - 1;	/* they belong to the parent now */
		if (waiting->provisional == level)
		{
			waiting->provisional = level - 1;
			if (waiting->provisional == waiting->nest_level)
				drop_waiting(); /* in at their own level: let go */
		}
	}
}

void
gofive_install_trigger_queue(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = gofive_executor_start;
	prev_executor_finish = ExecutorFinish_hook;
	ExecutorFinish_hook = gofive_executor_finish;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = gofive_process_utility;
	RegisterXactCallback(at_xact_event, NULL);
	RegisterSubXactCallback(at_subxact_event, NULL);
}
