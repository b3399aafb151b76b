/*
 * worker_db.c
 *		The worker's side of the outbox table.  Every function runs one short
 *		transaction of its own: no transaction is ever open while requests
 *		are on the network.
 *
 * A claim marks rows 'sending' and commits before anything is sent; an
 * outcome is committed (synchronously) before the request's concurrency
 * slot is given back.  So after a crash, the rows still 'sending' are exactly those that
 * may or may not have been sent, and gofive_db_recover_sending() queues them again
 * (at least once, with the same X-Request-Id).
 *
 * The claim counts the attempt (attempts + 1), so that a row whose answer
 * kills the worker in a way nothing can catch still ends dead after
 * gofive.max_attempts claims; recording gives the attempt back when it does
 * not count (the circuit breaker was open), and so does a release.  A row
 * whose outcome cannot be recorded is recorded as failed, alone.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/dbcommands.h"
#include "utils/fmgroids.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "worker.h"

/*
 * Every statement here runs as the role gofive_worker with search_path
 * pinned to pg_catalog (privilege.c), and follows privilege.c's rule all
 * the same: every relation, function, type and operator qualified.
 */
#define PENDING		"'pending'::gofive.request_status"
#define OP_EQ		" OPERATOR(pg_catalog.=) "

/* a pending row that no earlier row of its ordering key holds back */
#define READY_WHERE \
	" o.status" OP_EQ PENDING \
	"   AND (o.ordering_key IS NULL OR NOT EXISTS (" \
	"        SELECT 1 FROM gofive.outbox p" \
	"         WHERE p.ordering_key" OP_EQ "o.ordering_key AND p.id OPERATOR(pg_catalog.<) o.id" \
	"           AND p.status" OP_EQ "ANY ('{pending,sending}'::gofive.request_status[])))"

#define CLAIM_SQL \
	"WITH c AS (" \
	"  SELECT o.id FROM gofive.outbox o" \
	"   WHERE" READY_WHERE \
	"     AND o.next_attempt_at OPERATOR(pg_catalog.<=) pg_catalog.now()" \
	"   ORDER BY o.id LIMIT $1" \
	"   FOR UPDATE SKIP LOCKED)" \
	" UPDATE gofive.outbox o SET status = 'sending'::gofive.request_status," \
	"        last_attempt_at = pg_catalog.now()," \
	"        attempts = o.attempts OPERATOR(pg_catalog.+) 1" \
	"   FROM c WHERE o.id" OP_EQ "c.id" \
	" RETURNING o.id, o.operation, o.method, o.path, o.body::pg_catalog.text," \
	"           o.request_id::pg_catalog.text, o.attempts OPERATOR(pg_catalog.-) 1," \
	"           o.account, o.enqueued_by::pg_catalog.oid"

/*
 * gofive.outbox.history with one more attempt (the jsonb_build_object
 * arguments): the last 9 attempts and this one, 10 in all, oldest first.
 */
#define HISTORY_WITH(entry) \
	"coalesce((SELECT pg_catalog.jsonb_agg(h.e ORDER BY h.n)" \
	"            FROM pg_catalog.jsonb_array_elements(o.history) WITH ORDINALITY AS h(e, n)" \
	"           WHERE h.n OPERATOR(pg_catalog.>) (pg_catalog.jsonb_array_length(o.history)" \
	"                 OPERATOR(pg_catalog.-) 9))," \
	"          '[]'::pg_catalog.jsonb)" \
	"  OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(" \
	entry "))"

#define RECORD_SQL \
	"UPDATE gofive.outbox o SET" \
	"   status = u.status::gofive.request_status," \
	"   attempts = o.attempts OPERATOR(pg_catalog.-) 1 OPERATOR(pg_catalog.+) u.counted," \
	"   next_attempt_at = coalesce(u.next_at, o.next_attempt_at)," \
	"   finished_at = CASE WHEN u.status" OP_EQ "ANY ('{succeeded,failed,dead}'::pg_catalog.text[])" \
	"                      THEN pg_catalog.now() END," \
	"   http_status = u.http_status, business_code = u.business_code," \
	"   messages = u.messages, response = u.response, last_error = u.error," \
	"   duration_ms = u.ms," \
	"   history = " HISTORY_WITH( \
	"       'at', o.last_attempt_at," \
	"       'outcome', CASE WHEN u.status" OP_EQ "'pending'::pg_catalog.text" \
	"                  THEN 'retry'::pg_catalog.text ELSE u.status END," \
	"       'http_status', u.http_status, 'error', u.error, 'messages', u.messages," \
	"       'duration_ms', pg_catalog.round(u.ms::pg_catalog.numeric, 1)") \
	"  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)," \
	"                  pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6)," \
	"                  pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9)," \
	"                  pg_catalog.unnest($10))" \
	"       AS u(id, status, counted, next_at, http_status, business_code," \
	"            messages, response, error, ms)" \
	" WHERE o.id" OP_EQ "u.id"

#define RELEASE_SQL \
	"UPDATE gofive.outbox o SET status = " PENDING "," \
	"       attempts = o.attempts OPERATOR(pg_catalog.-) 1" \
	" WHERE o.id" OP_EQ "ANY ($1) AND o.status" OP_EQ "'sending'::gofive.request_status"

/* $1: gofive.max_attempts; the attempt of a row left sending was counted at its claim */
#define RECOVER_SQL \
	"UPDATE gofive.outbox o SET" \
	"   status = CASE WHEN o.attempts OPERATOR(pg_catalog.>=) $1" \
	"                 THEN 'dead'::gofive.request_status ELSE " PENDING " END," \
	"   finished_at = CASE WHEN o.attempts OPERATOR(pg_catalog.>=) $1 THEN pg_catalog.now() END," \
	"   last_error = CASE WHEN o.attempts OPERATOR(pg_catalog.>=) $1" \
	"     THEN 'the worker stopped while sending it, on each of its attempts'::pg_catalog.text" \
	"     ELSE o.last_error END," \
	"   history = " HISTORY_WITH( \
	"       'at', o.last_attempt_at," \
	"       'outcome', CASE WHEN o.attempts OPERATOR(pg_catalog.>=) $1" \
	"                  THEN 'dead'::pg_catalog.text ELSE 'retry'::pg_catalog.text END," \
	"       'http_status', NULL::pg_catalog.int4," \
	"       'error', 'the worker stopped while sending it'::pg_catalog.text," \
	"       'messages', NULL::pg_catalog.text, 'duration_ms', NULL::pg_catalog.numeric") \
	" WHERE o.status" OP_EQ "'sending'::gofive.request_status"

/* the earliest due time of a pending row that no earlier row of its key holds back */
#define NEXT_DUE_SQL \
	"SELECT pg_catalog.min(o.next_attempt_at) FROM gofive.outbox o WHERE" READY_WHERE

static SPIPlanPtr claim_plan = NULL;
static SPIPlanPtr record_plan = NULL;

static void
begin_xact(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
}

static void
end_xact(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}


/*
 * Whether this database has the version of gofive this library serves (no
 * SQL: catalog look-ups).  Another version (the library was upgraded, the
 * extension not yet) is logged once, and noted in the slot so that the
 * launcher adds nothing misleading: the worker leaves, and ALTER EXTENSION
 * ... UPDATE calls it back (utility.c).
 */
bool
gofive_db_extension_ready(void)
{
	static bool warned = false;
	bool		ready;
	char	   *version;

	StartTransactionCommand();
	version = gofive_installed_version();
	ready = version != NULL && strcmp(version, GOFIVE_VERSION) == 0;
	if (version != NULL && !ready)
	{
		/* the library was upgraded before ALTER EXTENSION ... UPDATE */
		if (!warned)
			ereport(LOG,
					(errmsg("gofive %s is installed in database \"%s\", but the library is gofive %s: nothing is delivered there",
							version, get_database_name(MyDatabaseId), GOFIVE_VERSION),
					 errhint("Run ALTER EXTENSION gofive UPDATE in that database.")));
		warned = true;
		gofive_note_other_version();
	}
	CommitTransactionCommand();
	return ready;
}

int
gofive_db_recover_sending(void)
{
	int			n;
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(gofive_max_attempts)};

	begin_xact();
	if (SPI_execute_with_args(RECOVER_SQL, 1, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not recover rows left sending");
	n = (int) SPI_processed;
	end_xact();
	return n;
}

static int
compare_jobs(const ListCell *a, const ListCell *b)
{
	int64		x = ((Job *) lfirst(a))->id;
	int64		y = ((Job *) lfirst(b))->id;

	return (x > y) - (x < y);
}

static Job *
job_from_tuple(HeapTuple tuple, TupleDesc desc)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "gofive job",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Job		   *job = palloc0(sizeof(Job));
	bool		isnull;

	job->cxt = cxt;
	job->id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
	job->operation = SPI_getvalue(tuple, desc, 2);
	job->method = SPI_getvalue(tuple, desc, 3);
	job->path = SPI_getvalue(tuple, desc, 4);
	job->body = SPI_getvalue(tuple, desc, 5);	/* NULL when null */
	job->request_id = SPI_getvalue(tuple, desc, 6);
	job->attempts = DatumGetInt32(SPI_getbinval(tuple, desc, 7, &isnull));
	job->account_name = SPI_getvalue(tuple, desc, 8);	/* NULL: the default account */
	job->enqueued_by = DatumGetObjectId(SPI_getbinval(tuple, desc, 9, &isnull));
	job->business_code = -1;
	MemoryContextSwitchTo(old);
	return job;
}

/* Claim up to limit ready rows, oldest first: a list (in caller) of Jobs. */
static List *
claim_rows(int limit, MemoryContext caller)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(limit)};
	List	   *jobs = NIL;

	if (SPI_execute_plan(gofive_prepare_once(&claim_plan, CLAIM_SQL, 1, types),
						 values, NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "claim failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Job		   *job = job_from_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		MemoryContext old = MemoryContextSwitchTo(caller);

		jobs = lappend(jobs, job);
		MemoryContextSwitchTo(old);
	}
	list_sort(jobs, compare_jobs);
	return jobs;
}

/*
 * Commit this transaction without waiting for its WAL to reach disk.  Safe
 * for claims and releases: if one is lost in a crash, its rows are pending
 * again, which is where the recovery after the crash would put them anyway;
 * and any later outcome is committed synchronously, which flushes the claim
 * before it.  Outcomes themselves are always committed synchronously: a
 * request's slot is given back only once its outcome is durable.
 */
static void
commit_without_waiting(void)
{
	(void) set_config_option("synchronous_commit", "off", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
}

static Datum
int8_array(List *jobs)
{
	int			n = list_length(jobs);
	Datum	   *elems = palloc(sizeof(Datum) * n);
	int			i = 0;
	ListCell   *lc;

	foreach(lc, jobs)
		elems[i++] = Int64GetDatum(((Job *) lfirst(lc))->id);
	return gofive_array(INT8OID, n, elems, NULL);
}

/* Give claimed but unsent rows back (the circuit opened). */
void
gofive_db_release(List *jobs)
{
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1];

	if (jobs == NIL)
		return;
	begin_xact();
	commit_without_waiting();
	values[0] = int8_array(jobs);
	if (SPI_execute_with_args(RELEASE_SQL, 1, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not release claimed rows");
	end_xact();
}

/* An array column for record_rows: one element per job. */
typedef struct Column
{
	Oid			elemtype;
	Datum	   *values;
	bool	   *nulls;
} Column;

#define NCOLS 10

/* Record the outcomes of finished jobs, in one statement. */
static void
record_rows(List *jobs)
{
	static Oid	types[NCOLS] = {INT8ARRAYOID, TEXTARRAYOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID,
		INT4ARRAYOID, INT4ARRAYOID, TEXTARRAYOID, JSONBARRAYOID, TEXTARRAYOID, FLOAT8ARRAYOID};
	static Oid	elemtypes[NCOLS] = {INT8OID, TEXTOID, INT4OID, TIMESTAMPTZOID,
		INT4OID, INT4OID, TEXTOID, JSONBOID, TEXTOID, FLOAT8OID};
	int			n = list_length(jobs);
	Column		cols[NCOLS];
	Datum		values[NCOLS];
	int			i = 0;
	ListCell   *lc;

	for (int c = 0; c < NCOLS; c++)
	{
		cols[c].elemtype = elemtypes[c];
		cols[c].values = palloc0(sizeof(Datum) * n);
		cols[c].nulls = palloc0(sizeof(bool) * n);
	}
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);

		cols[0].values[i] = Int64GetDatum(job->id);
		cols[1].values[i] = CStringGetTextDatum(job->status);
		cols[2].values[i] = Int32GetDatum(job->counted);
		cols[3].values[i] = TimestampTzGetDatum(job->next_at);
		cols[3].nulls[i] = (job->next_at == 0);
		cols[4].values[i] = Int32GetDatum(job->http_status);
		cols[4].nulls[i] = (job->http_status == 0);
		cols[5].values[i] = Int32GetDatum(job->business_code);
		cols[5].nulls[i] = (job->business_code < 0);
		cols[6].values[i] = job->messages ? CStringGetTextDatum(job->messages) : (Datum) 0;
		cols[6].nulls[i] = (job->messages == NULL);
		cols[7].values[i] = job->response ? JsonbPGetDatum(job->response) : (Datum) 0;
		cols[7].nulls[i] = (job->response == NULL);
		cols[8].values[i] = job->error ? CStringGetTextDatum(job->error) : (Datum) 0;
		cols[8].nulls[i] = (job->error == NULL);
		cols[9].values[i] = Float8GetDatum(job->ms);
		i++;
	}
	for (int c = 0; c < NCOLS; c++)
		values[c] = gofive_array(cols[c].elemtype, n, cols[c].values, cols[c].nulls);
	if (SPI_execute_plan(gofive_prepare_once(&record_plan, RECORD_SQL, NCOLS, types),
						 values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not record outcomes");
}

/*
 * Run step(arg) in a subtransaction (as PL/pgSQL runs a block with an
 * EXCEPTION clause): NULL when it went through, else the message of what it
 * raised (in the caller's memory context), everything it did rolled back.
 * The caller has a transaction open.
 */
char *
gofive_db_try(void (*step) (void *), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *volatile why = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		step(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *err;

		MemoryContextSwitchTo(cxt);
		err = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		why = pstrdup(err->message);
		FreeErrorData(err);
	}
	PG_END_TRY();
	return why;
}

static void
record_step(void *jobs)
{
	record_rows((List *) jobs);
}

/* Record jobs in a subtransaction; false (and *why) if that raised. */
static bool
try_record(List *jobs, char **why)
{
	*why = gofive_db_try(record_step, jobs);
	return *why == NULL;
}

/*
 * Record the outcomes; if the batch fails, each job alone, and a job that
 * still cannot be recorded as it is, as failed without its answer.
 */
static void
record_safely(List *jobs)
{
	ListCell   *lc;
	char	   *why;

	if (try_record(jobs, &why))
		return;
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);
		List	   *one = list_make1(job);

		if (try_record(one, &why))
			continue;
		elog(LOG, "request %lld: could not record its outcome: %s",
			 (long long) job->id, why);
		job->status = "failed";
		job->counted = 1;
		job->next_at = 0;
		job->response = NULL;
		job->messages = NULL;
		job->error = psprintf("the API's answer could not be recorded: %s", why);
		gofive_set_last_error(job->error);
		record_rows(one);
	}
}

/*
 * One short transaction: record the outcomes of finished jobs (if any), and
 * claim up to claim_limit ready rows (if positive), returning them, oldest
 * first.  Doing both at once halves the commits the worker waits for.
 */
List *
gofive_db_exchange(List *finished, int claim_limit)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *claimed = NIL;

	begin_xact();
	if (finished != NIL)
		record_safely(finished);
	else
		commit_without_waiting();
	if (claim_limit > 0)
		claimed = claim_rows(claim_limit, caller);
	end_xact();
	return claimed;
}

/* When the earliest pending row is due (0: none pending). */
TimestampTz
gofive_db_next_due(void)
{
	TimestampTz due = 0;
	bool		isnull = true;

	begin_xact();
	if (SPI_execute(NEXT_DUE_SQL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			due = DatumGetTimestampTz(d);
	}
	end_xact();
	return due;
}

/* Delete succeeded rows older than gofive.retention. */
int64
gofive_db_purge(void)
{
	int64		n;

	begin_xact();
	n = gofive_purge_expired(true, InvalidOid);
	end_xact();
	return n;
}
