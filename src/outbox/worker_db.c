/*
 * src/outbox/worker_db.c
 *		The delivery worker's side of the outbox table: finding lanes,
 *		claiming, marking, recording, letting groups go on, recovering after
 *		a stop, holding copied requests, purging and compacting.
 *
 * The worker runs one short transaction per turn (worker.c): no transaction
 * is ever open while requests are on the network.  What it writes:
 *	 - nothing to claim a request: a claim is a read of the lanes' due rows
 *	   (outbox_due_idx), each lane's from after its last row picked
 *	   (gofive_schedule_claim_after), and the worker alone sends, keeping
 *	   what is in flight out of the next claim in memory;
 *	 - a mark (status sending, attempts + 1) before a request that must not
 *	   be sent twice blindly goes out (gofive_request_idempotent), committed
 *	   with the turn before the request is sent: after a stop, exactly those
 *	   are in doubt;
 *	 - the outcomes, in groups (the batch in one statement, each row alone if
 *	   the batch fails), with the attempt counted then for a request that was
 *	   not marked.  A request's slot is free as soon as its answer is in, so
 *	   after a crash the requests sent again are those in flight and those
 *	   whose outcomes were not recorded yet (at most 4 x
 *	   gofive.max_concurrency; worker.c);
 *	 - the batches of gofive.intake (a trigger's requests from a statement of
 *	   100 rows or more) moved into the outbox with the ids they were given
 *	   when queued, in the snapshot of the lanes' look or claim that follows
 *	   (take_in): no claim sees a batch that is not moved yet;
 *	 - an ordering key's next request waits at next_attempt_at 'infinity'
 *	   (enqueued so, outbox.c) until the one before it is final: recording
 *	   that outcome lets it go in the same transaction.  A claim still checks
 *	   that a keyed row has no unfinished row before it (two enqueuers can
 *	   cross), and a sweep lets go of a group's head that was left waiting
 *	   (an enqueue that crossed an outcome).
 * Every statement runs as the role gofive_worker with search_path pinned to
 * pg_catalog (privilege.c), and follows privilege.c's rule all the same:
 * every relation, function, type and operator qualified.  A lane's scan
 * orders by the whole index key, account and role included: under the
 * outbox's row-level security the planner does not take the lane's
 * equality conditions as leak-proof, and would otherwise sort the lane.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/heapam.h"
#include "access/tableam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "worker.h"

#define OP_EQ		" OPERATOR(pg_catalog.=) "
#define PENDING		"'pending'::gofive.request_status"
#define ACCOUNT(o)	"COALESCE(" o ".account, ''::pg_catalog.text)"
#define LANE(o, l) \
	" " ACCOUNT(o) OP_EQ l ".account AND " o ".enqueued_by" OP_EQ l ".role"
/*
 * Row c of lane l is the head of its group: it has no key; or it was never
 * sent and became due after it was queued, which only the worker's unblock,
 * a cancel's and gofive_release do, each choosing the group's head (a retry
 * by hand puts the later rows of its group back to wait, outbox.c); or no
 * unfinished row of the group comes before it.  The last check walks the
 * group's index entries from its start, those of rows finished since the
 * last vacuum included, so it is kept for the rows that need it: those due
 * since they were queued (two sessions may queue the first rows of a group
 * at once) and those sent before.
 */
#define GROUP_HEAD(c, l) \
	" (" c ".ordering_key IS NULL" \
	"  OR (" c ".last_attempt_at IS NULL AND " c ".next_attempt_at OPERATOR(pg_catalog.<>) " c ".enqueued_at)" \
	"  OR NOT EXISTS (" \
	"    SELECT FROM gofive.outbox p WHERE" LANE("p", l) \
	"       AND p.ordering_key" OP_EQ c ".ordering_key" \
	"       AND p.id OPERATOR(pg_catalog.<) " c ".id AND p.finished_at IS NULL))"
#define LANES_OF(a, r, extra) \
	"ROWS FROM (pg_catalog.unnest(" a "::pg_catalog.text[]), pg_catalog.unnest(" r "::pg_catalog.oid[])" \
	extra ")"

#define COMPACT_MIN_BYTES	(8 * 1024 * 1024)	/* outbox and indexes at least this large */
#define COMPACT_MAX_ROWS	10000	/* and at most this many rows to keep */
#define COMPACT_BUSY_TRY_MS	(10 * 60 * 1000)	/* a table in use: tried again so long */
#define COMPACT_STATS_TRY_MS	(30 * 1000) /* a purge the statistics miss: so long */
#define SWEEP_GROUPS		500 /* groups looked at per sweep */

/* ---- transactions ---- */

/*
 * The caller's memory context stays current through the transaction (the
 * worker's loop context, reset each pass): what a turn builds lives until
 * the turn's end, past the commit; SPI's results are copied out of its own.
 */
static MemoryContext turn_cxt = NULL;

/* An SPI call returns in SPI's own context: back to the turn's (SPI_RC(call)). */
static int
spi_rc(int rc)
{
	MemoryContextSwitchTo(turn_cxt);
	return rc;
}

#define SPI_RC(call) spi_rc(call)

void
gofive_db_begin(void)
{
	turn_cxt = CurrentMemoryContext;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	MemoryContextSwitchTo(turn_cxt);
}

/* Commit (synchronously, as the server's default says, when anything was written). */
void
gofive_db_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(turn_cxt);
	pgstat_report_stat(false);
}

/* A fresh snapshot for the next statement of the turn. */
static void
next_statement(void)
{
	PopActiveSnapshot();
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
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

/* ---- is gofive here, at this library's version ---- */
/*
 * Whether this database has the version of gofive this library serves (no
 * SQL: catalog look-ups).  Another version (the library was upgraded, the
 * extension not yet) is logged once, and noted in the slot so that the
 * launcher adds nothing misleading: the worker leaves, and ALTER EXTENSION
 * ... UPDATE calls it back (launcher.c's utility hook).
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

/* ---- which requests may be sent twice ---- */

/* Whether body has a non-null key (for "items[].key": every item of items has). */
static bool
has_key(Jsonb *body, const char *key)
{
	const char *brackets = strstr(key, "[].");
	JsonbValue *v;

	if (body == NULL || !JB_ROOT_IS_OBJECT(body))
		return false;
	if (brackets == NULL)
	{
		v = getKeyJsonValueFromContainer(&body->root, key, strlen(key), NULL);
		return v != NULL && v->type != jbvNull;
	}
	v = getKeyJsonValueFromContainer(&body->root, key, brackets - key, NULL);
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		return false;
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	item;
		JsonbIteratorToken tok;
		const char *field = brackets + 3;

		while ((tok = JsonbIteratorNext(&it, &item, true)) != WJB_DONE)
		{
			JsonbValue *f;

			if (tok != WJB_ELEM)
				continue;
			if (item.type != jbvBinary || !JsonContainerIsObject(item.val.binary.data))
				return false;
			f = getKeyJsonValueFromContainer(item.val.binary.data, field, strlen(field), NULL);
			if (f == NULL || f->type == jbvNull)
				return false;
		}
	}
	return true;
}

/*
 * Whether sending the request twice does no harm, by the catalog's rule for
 * its operation (a generic request: by its method).  The body is read only
 * for an upsert whose key decides.
 */
bool
gofive_request_idempotent(const char *operation, const char *method, const char *body)
{
	const GofiveOperation *op = gofive_find_operation(operation);
	bool		result;
	Jsonb	   *jb;

	if (op == NULL || op->idempotent == GOFIVE_IDEMPOTENT_BY_METHOD)
		return strcmp(method, "POST") != 0 && strcmp(method, "PATCH") != 0;
	if (op->idempotent != GOFIVE_IDEMPOTENT_WITH_KEY)
		return op->idempotent == GOFIVE_IDEMPOTENT;
	if (body == NULL)
		return false;
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(body)));
	result = has_key(jb, op->idempotent_key);
	pfree(jb);
	return result;
}

/* ---- history entries, built here rather than in SQL ---- */

/* The next pair: key and a string value (text), or a number (text NULL). */
static void
add_pair(JsonbPair *pairs, int *n, const char *key, const char *text, Numeric number)
{
	JsonbPair  *p = &pairs[(*n)++];

	p->key.type = jbvString;
	p->key.val.string.val = (char *) key;
	p->key.val.string.len = strlen(key);
	if (text)
	{
		p->value.type = jbvString;
		p->value.val.string.val = (char *) text;
		p->value.val.string.len = strlen(text);
	}
	else
	{
		p->value.type = jbvNumeric;
		p->value.val.numeric = number;
	}
	p->order = *n;
}

/*
 * [{"at": ..., "outcome": ..., "http_status": ..., "error": ..., "messages":
 * ..., "duration_ms": ...}], without the keys that would be null: the entry
 * goes into the WAL with the row's final version, once per request, and
 * h->>'error' reads NULL either way.  A jsonb array of the one entry, built
 * here (no text to parse), for HISTORY_PLUS.
 *
 * The pairs are added in jsonb's key order (shorter keys first, then by
 * bytes) and written out as they are: pushJsonbValue would sort them again
 * on every request.
 */
static Jsonb *
history_entry(TimestampTz at, const char *outcome, int http_status, const char *error,
			  const char *messages, double ms, bool timed)
{
	JsonbPair	pairs[6];
	JsonbValue	entry;
	JsonbValue	array;
	int			n = 0;
	char		when[MAXDATELEN + 1];

	if (at)
		add_pair(pairs, &n, "at", JsonEncodeDateTime(when, TimestampTzGetDatum(at),
													 TIMESTAMPTZOID, NULL), NULL);
	if (error)
		add_pair(pairs, &n, "error", error, NULL);
	add_pair(pairs, &n, "outcome", outcome, NULL);
	if (messages)
		add_pair(pairs, &n, "messages", messages, NULL);
	if (timed)					/* to a tenth, as 12.3 */
		add_pair(pairs, &n, "duration_ms", NULL,
				 int64_div_fast_to_numeric((int64) rint(ms * 10.0), 1));
	if (http_status > 0)
		add_pair(pairs, &n, "http_status", NULL, int64_to_numeric(http_status));
	entry.type = jbvObject;
	entry.val.object.nPairs = n;
	entry.val.object.pairs = pairs;
	array.type = jbvArray;
	array.val.array.nElems = 1;
	array.val.array.elems = &entry;
	array.val.array.rawScalar = false;
	return JsonbValueToJsonb(&array);
}

/* history with one more entry (a one-entry jsonb array), the oldest dropped when full */
#define HISTORY_PLUS(entry) \
	"CASE WHEN pg_catalog.jsonb_array_length(o.history) OPERATOR(pg_catalog.>=) " \
	CppAsString2(GOFIVE_HISTORY_KEEP) \
	"     THEN o.history OPERATOR(pg_catalog.-) 0 ELSE o.history END" \
	"  OPERATOR(pg_catalog.||) " entry

/* ---- lanes ---- */

static bool take_in(void);
static void unblock_taken_in(Snapshot snapshot, uint64 n);
static bool intake_left = false;	/* the last take_in left batches to move */

/* every lane with undelivered requests: a skip scan of outbox_due_idx */
#define LANES_SQL \
	"WITH RECURSIVE l(account, role) AS (" \
	"  (SELECT " ACCOUNT("o") ", o.enqueued_by FROM gofive.outbox o" \
	"    WHERE o.finished_at IS NULL ORDER BY 1, 2 LIMIT 1)" \
	"  UNION ALL" \
	"  SELECT n.account, n.role FROM l CROSS JOIN LATERAL (" \
	"    SELECT " ACCOUNT("o") " AS account, o.enqueued_by AS role FROM gofive.outbox o" \
	"     WHERE o.finished_at IS NULL" \
	"       AND ROW(" ACCOUNT("o") ", o.enqueued_by) OPERATOR(pg_catalog.>) ROW(l.account, l.role)" \
	"     ORDER BY 1, 2 LIMIT 1) n)" \
	" SELECT account, role::pg_catalog.oid FROM l"

void
gofive_db_discover_lanes(void)
{
	List	   *names = NIL;
	List	   *roles = NIL;

	(void) take_in();			/* a claim moves what is left */
	if (SPI_RC(SPI_execute(LANES_SQL, true, 0)) != SPI_OK_SELECT)
		elog(ERROR, "could not find the outbox's lanes");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		names = lappend(names, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		roles = lappend_oid(roles, DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
																  SPI_tuptable->tupdesc, 2,
																  &isnull)));
	}
	gofive_schedule_set_lanes(names, roles);
}

/* ---- claiming ---- */

/*
 * Up to quota due rows per lane, oldest due first, after the lane's last row
 * picked ($6, $7: gofive_schedule_claim_after): pending, not in flight nor
 * unrecorded ($4), and, for a keyed row, the head of its group.  "copied"
 * says that the row was queued in another database ($5: this one's origin).
 */
#define CLAIM_SQL \
	"SELECT l.n, o.id, o.operation, o.method, o.path, o.body::pg_catalog.text," \
	"       o.request_id::pg_catalog.text, o.attempts, o.ordering_key," \
	"       o.origin OPERATOR(pg_catalog.<>) $5 AS copied, o.next_attempt_at" \
	"  FROM " LANES_OF("$1", "$2", ", pg_catalog.unnest($3::pg_catalog.int4[])," \
	"                  pg_catalog.unnest($6::pg_catalog.timestamptz[])," \
	"                  pg_catalog.unnest($7::pg_catalog.int8[])") \
	"       WITH ORDINALITY AS l(account, role, quota, after_due, after_id, n)" \
	"  CROSS JOIN LATERAL (" \
	"    SELECT c.* FROM gofive.outbox c" \
	"     WHERE" LANE("c", "l") \
	"       AND ROW(c.next_attempt_at, c.id) OPERATOR(pg_catalog.>) ROW(l.after_due, l.after_id)" \
	"       AND c.next_attempt_at OPERATOR(pg_catalog.<=) pg_catalog.now()" \
	"       AND c.finished_at IS NULL" \
	"       AND c.status" OP_EQ PENDING \
	"       AND c.id OPERATOR(pg_catalog.<>) ALL ($4)" \
	"       AND" GROUP_HEAD("c", "l") \
	"     ORDER BY " ACCOUNT("c") ", c.enqueued_by, c.next_attempt_at, c.id LIMIT l.quota) o"

static SPIPlanPtr claim_plan = NULL;

static Datum
text_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i = 0;
	ListCell   *lc;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((const char *) lfirst(lc));
	return gofive_array(TEXTOID, n, elems, NULL);
}

static Datum
int8_array(int64 *ids, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = Int64GetDatum(ids[i]);
	return gofive_array(INT8OID, n, elems, NULL);
}

static Datum
job_ids(List *jobs)
{
	int64	   *ids = palloc(sizeof(int64) * Max(list_length(jobs), 1));
	int			i = 0;
	ListCell   *lc;

	foreach(lc, jobs)
		ids[i++] = ((Job *) lfirst(lc))->id;
	return int8_array(ids, i);
}

/* A text column of a claimed row, copied to the current context (NULL when null). */
static char *
claimed_text(const ClaimedRow *row, int col)
{
	return row->nulls[col] ? NULL : pstrdup(DatumGetCString(row->values[col]));
}

/*
 * A job for a claimed row, in a memory context of its own.  The default
 * sizes hold a job, its answer's buffer and its data in the first block,
 * and such contexts are reused from PostgreSQL's free list: a small one
 * (1 kB, less than a Job with its error buffer) had a block malloc'd and
 * freed for every request.
 */
static Job *
job_from_row(const ClaimedRow *row, Lane *lane)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "gofive job",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Job		   *job = palloc0(sizeof(Job));

	job->cxt = cxt;
	job->kind = JOB_REQUEST;
	job->id = DatumGetInt64(row->values[CL_ID]);
	job->operation = claimed_text(row, CL_OPERATION);
	job->method = claimed_text(row, CL_METHOD);
	job->path = claimed_text(row, CL_PATH);
	job->body = claimed_text(row, CL_BODY);	/* NULL when null */
	job->request_id = claimed_text(row, CL_REQUEST_ID);
	job->attempts = DatumGetInt32(row->values[CL_ATTEMPTS]);
	job->ordering_key = claimed_text(row, CL_ORDERING_KEY);
	job->due = DatumGetTimestampTz(row->values[CL_DUE]);
	job->tid = row->tid;
	job->business_code = -1;
	MemoryContextSwitchTo(old);
	gofive_schedule_attach(job, lane);
	return job;
}

void
gofive_db_free_job(Job *job)
{
	gofive_schedule_detach(job);
	if (job->kind == JOB_TOKEN && job->body)
		explicit_bzero(job->body, strlen(job->body));	/* the client secret */
	MemoryContextDelete(job->cxt);
}

/* ---- requests queued elsewhere (a copy of the database) ---- */

#define HOLD_SQL \
	"UPDATE gofive.outbox o SET status = 'held'::gofive.request_status," \
	"       next_attempt_at = 'infinity'::pg_catalog.timestamptz" \
	" WHERE o.id" OP_EQ "ANY ($1) AND o.status" OP_EQ PENDING " AND o.finished_at IS NULL"

#define ADOPT_SQL \
	"UPDATE gofive.outbox o SET origin = $2 WHERE o.id" OP_EQ "ANY ($1)"

/*
 * Rows the claim found that were queued in another database or cluster:
 * held for gofive_admin (gofive.copied_requests = hold), or adopted as this
 * database's and sent.  Returns the jobs to send.
 */
static List *
handle_copied(List *jobs, List *copied)
{
	static TimestampTz warned_at = 0;
	Oid			types[2] = {INT8ARRAYOID, INT8OID};
	Datum		values[2];

	if (copied == NIL)
		return jobs;
	values[0] = job_ids(copied);
	values[1] = Int64GetDatum(gofive_origin_of_database());
	if (gofive_copied_requests == GOFIVE_COPIED_SEND)
	{
		if (SPI_RC(SPI_execute_with_args(ADOPT_SQL, 2, types, values, NULL, false, 0)) != SPI_OK_UPDATE)
			elog(ERROR, "could not adopt copied requests");
		return list_concat(jobs, copied);
	}
	if (SPI_RC(SPI_execute_with_args(HOLD_SQL, 1, types, values, NULL, false, 0)) != SPI_OK_UPDATE)
		elog(ERROR, "could not hold copied requests");
	if (TimestampDifferenceExceeds(warned_at, GetCurrentTimestamp(), 60 * 1000))
	{
		ereport(WARNING,
				(errmsg("requests queued in another database or cluster are held here"),
				 errdetail("This database looks like a copy (CREATE DATABASE ... TEMPLATE, or a dump restored): its undelivered requests may have been sent by the original already. %d were held just now.",
						   list_length(copied)),
				 errhint("As gofive_admin, SELECT gofive_release_all('held') to send them, or gofive_cancel_all('held') to drop them; gofive.copied_requests = send sends such requests without holding them.")));
		warned_at = GetCurrentTimestamp();
	}
	{
		ListCell   *lc;

		foreach(lc, copied)
			gofive_db_free_job((Job *) lfirst(lc));
		list_free(copied);
	}
	return jobs;
}

static int
claimed_row_cmp(const void *a, const void *b)
{
	const ClaimedRow *x = (const ClaimedRow *) a;
	const ClaimedRow *y = (const ClaimedRow *) b;
	int64		xlane = DatumGetInt64(x->values[CL_LANE]);
	int64		ylane = DatumGetInt64(y->values[CL_LANE]);
	TimestampTz xdue = DatumGetTimestampTz(x->values[CL_DUE]);
	TimestampTz ydue = DatumGetTimestampTz(y->values[CL_DUE]);
	int64		xid = DatumGetInt64(x->values[CL_ID]);
	int64		yid = DatumGetInt64(y->values[CL_ID]);

	if (xlane != ylane)
		return xlane < ylane ? -1 : 1;
	if (xdue != ydue)
		return xdue < ydue ? -1 : 1;
	return xid < yid ? -1 : (xid > yid ? 1 : 0);
}

/*
 * The claim's rows, deformed, by lane, then as each lane's claim takes them
 * (due time, id): sorted here rather than by the query, whose sort node
 * cost more to set up on each claim than this.
 */
static ClaimedRow *
claimed_in_order(SPITupleTable *table, uint64 n)
{
	ClaimedRow *rows = palloc(sizeof(ClaimedRow) * Max(n, 1));

	Assert(table->tupdesc->natts == CL_NCOLS);
	for (uint64 r = 0; r < n; r++)
	{
		heap_deform_tuple(table->vals[r], table->tupdesc, rows[r].values, rows[r].nulls);
		for (int c = CL_OPERATION; c <= CL_ORDERING_KEY; c++)
			if (c != CL_ATTEMPTS && !rows[r].nulls[c])
				rows[r].values[c] = CStringGetDatum(TextDatumGetCString(rows[r].values[c]));
		ItemPointerSetInvalid(&rows[r].tid);
	}
	qsort(rows, n, sizeof(ClaimedRow), claimed_row_cmp);
	return rows;
}

/* The claim's rows by CLAIM_SQL, in claim order (*nrows of them). */
static ClaimedRow *
claim_by_sql(List *quotas, const TimestampTz *after_due, const int64 *after_id,
			 int64 *busy, int nbusy, int *nrows)
{
	Oid			types[7] = {TEXTARRAYOID, OIDARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8OID,
	TIMESTAMPTZARRAYOID, INT8ARRAYOID};
	Datum		values[7];
	List	   *names = NIL;
	int			n = list_length(quotas);
	Datum	   *roles = palloc(sizeof(Datum) * n);
	Datum	   *counts = palloc(sizeof(Datum) * n);
	Datum	   *dues = palloc(sizeof(Datum) * n);
	ClaimedRow *rows;
	int			i = 0;
	ListCell   *lc;

	foreach(lc, quotas)
	{
		LaneQuota  *q = (LaneQuota *) lfirst(lc);

		names = lappend(names, (char *) q->account_name);
		roles[i] = ObjectIdGetDatum(q->role);
		counts[i] = Int32GetDatum(q->quota);
		dues[i] = TimestampTzGetDatum(after_due[i]);
		i++;
	}
	values[0] = text_array(names);
	values[1] = gofive_array(OIDOID, n, roles, NULL);
	values[2] = gofive_array(INT4OID, n, counts, NULL);
	values[3] = int8_array(busy, nbusy);
	values[4] = Int64GetDatum(gofive_origin_of_database());
	values[5] = gofive_array(TIMESTAMPTZOID, n, dues, NULL);
	values[6] = int8_array((int64 *) after_id, n);
	if (SPI_RC(SPI_execute_plan(gofive_prepare_once(&claim_plan, CLAIM_SQL, 7, types),
						 values, NULL, true, 0)) != SPI_OK_SELECT)
		elog(ERROR, "claim failed");
	rows = claimed_in_order(SPI_tuptable, SPI_processed);
	*nrows = (int) SPI_processed;
	return rows;
}

/*
 * Claim up to each lane's quota of due rows (a read: nothing is written for
 * a claim), as Jobs in claim order; copied rows are held (or adopted) here.
 * busy: the ids in flight or not yet recorded.  The claim reads the indexes
 * itself (worker_claim.c), or leaves it to CLAIM_SQL.
 */
List *
gofive_db_claim(List *quotas, int64 *busy, int nbusy)
{
	int			n = list_length(quotas);
	TimestampTz *after_due;
	int64	   *after_id;
	Lane	  **lane_of;
	ClaimedRow *rows;
	int			nrows;
	List	   *jobs = NIL;
	List	   *copied = NIL;
	int			i = 0;
	ListCell   *lc;

	if (quotas == NIL)
		return NIL;
	if (!take_in())
		return NIL;				/* the next turn moves the rest first */
	after_due = palloc(sizeof(TimestampTz) * n);
	after_id = palloc(sizeof(int64) * n);
	lane_of = palloc(sizeof(Lane *) * n);
	foreach(lc, quotas)
	{
		LaneQuota  *q = (LaneQuota *) lfirst(lc);

		gofive_schedule_claim_after(q->lane, &after_due[i], &after_id[i]);
		lane_of[i++] = q->lane;
	}
	if (!gofive_claim_direct(quotas, after_due, after_id, busy, nbusy,
							 gofive_origin_of_database(), &rows, &nrows))
		rows = claim_by_sql(quotas, after_due, after_id, busy, nbusy, &nrows);
	for (int r = 0; r < nrows; r++)
	{
		Job		   *job = job_from_row(&rows[r],
									   lane_of[DatumGetInt64(rows[r].values[CL_LANE]) - 1]);
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		if (DatumGetBool(rows[r].values[CL_COPIED]))
			copied = lappend(copied, job);
		else
			jobs = lappend(jobs, job);
		MemoryContextSwitchTo(old);
	}
	return handle_copied(jobs, copied);
}

/* Whether the turn's last look at gofive.intake left batches there (then nothing was claimed). */
bool
gofive_db_intake_left(void)
{
	return intake_left;
}

/* ---- marking ---- */

#define MARK_SQL \
	"UPDATE gofive.outbox o SET status = 'sending'::gofive.request_status," \
	"       attempts = o.attempts OPERATOR(pg_catalog.+) 1, last_attempt_at = pg_catalog.now()" \
	" WHERE o.id" OP_EQ "ANY ($1) AND o.status" OP_EQ PENDING " AND o.finished_at IS NULL" \
	" RETURNING o.id"

/*
 * Mark the jobs that must not be sent twice blindly (sending, attempt
 * counted) before they go out; the commit of the turn makes it durable.
 * Returns the jobs to send: every idempotent one, and each marked one (a row
 * cancelled since the claim is not marked, and dropped).
 */
List *
gofive_db_mark(List *jobs)
{
	List	   *to_mark = NIL;
	List	   *send = NIL;
	ListCell   *lc;
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1];

	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);

		if (gofive_request_idempotent(job->operation, job->method, job->body))
			send = lappend(send, job);
		else
			to_mark = lappend(to_mark, job);
	}
	if (to_mark == NIL)
		return send;
	next_statement();
	values[0] = job_ids(to_mark);
	if (SPI_RC(SPI_execute_with_args(MARK_SQL, 1, types, values, NULL, false, 0)) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not mark requests before sending them");
	foreach(lc, to_mark)
	{
		Job		   *job = (Job *) lfirst(lc);
		bool		marked = false;

		for (uint64 r = 0; r < SPI_processed && !marked; r++)
		{
			bool		isnull;

			marked = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc,
												 1, &isnull)) == job->id;
		}
		if (marked)
		{
			job->marked = true;
			send = lappend(send, job);
		}
		else
			gofive_db_free_job(job);
	}
	list_free(to_mark);
	return send;
}

/* ---- recording ---- */

#define NCOLS 13

#define RECORD_SQL \
	"UPDATE gofive.outbox o SET" \
	"   status = u.status::gofive.request_status," \
	"   attempts = u.attempts," \
	"   next_attempt_at = COALESCE(u.next_at, o.next_attempt_at)," \
	"   last_attempt_at = u.at," \
	"   finished_at = CASE WHEN u.final THEN pg_catalog.now() END," \
	"   http_status = u.http_status, business_code = u.business_code," \
	"   messages = u.messages, response = u.response, last_error = u.error," \
	"   duration_ms = u.ms," \
	"   history = " HISTORY_PLUS("u.entry") \
	"  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)," \
	"                  pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6)," \
	"                  pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9)," \
	"                  pg_catalog.unnest($10), pg_catalog.unnest($11), pg_catalog.unnest($12)," \
	"                  pg_catalog.unnest($13))" \
	"       AS u(id, status, attempts, next_at, at, final, http_status, business_code," \
	"            messages, response, error, ms, entry)" \
	" WHERE o.id" OP_EQ "u.id"

/* the head of each group ($1-$3) that waits for the row before it: it may go */
#define UNBLOCK_SQL \
	"UPDATE gofive.outbox o SET next_attempt_at = pg_catalog.now()" \
	"  FROM (SELECT DISTINCT g.account, g.role, g.key" \
	"          FROM " LANES_OF("$1", "$2", ", pg_catalog.unnest($3::pg_catalog.text[])") \
	"               AS g(account, role, key)) g" \
	"  CROSS JOIN LATERAL (" \
	"    SELECT h.id FROM gofive.outbox h" \
	"     WHERE" LANE("h", "g") " AND h.ordering_key" OP_EQ "g.key AND h.finished_at IS NULL" \
	"     ORDER BY " ACCOUNT("h") ", h.enqueued_by, h.ordering_key, h.id LIMIT 1) head" \
	" WHERE o.id" OP_EQ "head.id" \
	"   AND o.next_attempt_at" OP_EQ "'infinity'::pg_catalog.timestamptz" \
	"   AND o.status" OP_EQ PENDING

static SPIPlanPtr record_plan = NULL;
static SPIPlanPtr unblock_plan = NULL;

/* An array column for record_rows: one element per job. */
typedef struct Column
{
	Oid			elemtype;
	Datum	   *values;
	bool	   *nulls;
} Column;

static const char *
history_outcome(const Job *job)
{
	return strcmp(job->status, "pending") == 0 ? "retry" : job->status;
}

static Jsonb *
job_history_entry(const Job *job)
{
	return history_entry(job->started, history_outcome(job), job->http_status, job->error,
						 job->messages, job->ms, true);
}

/* RECORD_SQL's parameters set alike by both ways of recording (gofive_outcome_value) */
static const struct
{
	int			param;			/* from 0 */
	OutcomeColumn column;
}			alike[] = {
	{2, OC_ATTEMPTS}, {3, OC_NEXT_ATTEMPT_AT}, {4, OC_LAST_ATTEMPT_AT}, {6, OC_HTTP_STATUS},
	{7, OC_BUSINESS_CODE}, {8, OC_MESSAGES}, {9, OC_RESPONSE}, {10, OC_LAST_ERROR},
	{11, OC_DURATION_MS}
};

static void
set_job_columns(Column *cols, int i, Job *job)
{
	cols[0].values[i] = Int64GetDatum(job->id);
	cols[1].values[i] = CStringGetTextDatum(job->status);
	cols[5].values[i] = BoolGetDatum(job->final);
	cols[12].values[i] = JsonbPGetDatum(job_history_entry(job));
	for (int a = 0; a < (int) lengthof(alike); a++)
	{
		Column	   *c = &cols[alike[a].param];

		c->nulls[i] = gofive_outcome_value(job, alike[a].column, &c->values[i]);
	}
}

/* Record the outcomes of finished jobs, in one statement (RECORD_SQL). */
static void
record_rows(List *jobs)
{
	static Oid	types[NCOLS] = {INT8ARRAYOID, TEXTARRAYOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID,
		TIMESTAMPTZARRAYOID, BOOLARRAYOID, INT4ARRAYOID, INT4ARRAYOID, TEXTARRAYOID,
	JSONBARRAYOID, TEXTARRAYOID, FLOAT8ARRAYOID, JSONBARRAYOID};
	static Oid	elemtypes[NCOLS] = {INT8OID, TEXTOID, INT4OID, TIMESTAMPTZOID,
		TIMESTAMPTZOID, BOOLOID, INT4OID, INT4OID, TEXTOID, JSONBOID, TEXTOID, FLOAT8OID,
	JSONBOID};
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
		set_job_columns(cols, i++, (Job *) lfirst(lc));
	for (int c = 0; c < NCOLS; c++)
		values[c] = gofive_array(cols[c].elemtype, n, cols[c].values, cols[c].nulls);
	if (SPI_RC(SPI_execute_plan(gofive_prepare_once(&record_plan, RECORD_SQL, NCOLS, types),
						 values, NULL, false, 0)) != SPI_OK_UPDATE)
		elog(ERROR, "could not record outcomes");
}

static void
record_step(void *jobs)
{
	record_rows((List *) jobs);
}

/*
 * Record a batch of outcomes without the executor (worker_record.c), and
 * through RECORD_SQL what that leaves.
 */
static void
record_batch_step(void *arg)
{
	List	   *jobs = (List *) arg;
	Jsonb	  **entries = palloc(sizeof(Jsonb *) * list_length(jobs));
	List	   *left;
	int			i = 0;
	ListCell   *lc;

	foreach(lc, jobs)
		entries[i++] = job_history_entry((Job *) lfirst(lc));
	left = gofive_record_direct(jobs, entries);
	if (left != NIL)
		record_rows(left);
}

/*
 * Record the outcomes; if the batch fails, each job alone (through
 * RECORD_SQL), and a job that still cannot be recorded as it is, as failed
 * without its answer.
 */
static void
record_safely(List *jobs)
{
	ListCell   *lc;
	char	   *why;

	if ((why = gofive_db_try(record_batch_step, jobs)) == NULL)
		return;
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);
		List	   *one = list_make1(job);

		if ((why = gofive_db_try(record_step, one)) == NULL)
			continue;
		elog(LOG, "request %lld: could not record its outcome: %s",
			 (long long) job->id, why);
		job->status = "failed";
		job->final = true;
		job->next_at = 0;
		job->response = NULL;
		job->messages = NULL;
		job->error = psprintf("the API's answer could not be recorded: %s", why);
		gofive_set_last_error(job->error);
		record_rows(one);
	}
}

/* ---- taking in the requests that came in bulk (gofive.intake) ---- */

/*
 * Batches are moved until TAKE_IN_REQUESTS requests at most (and at least
 * one batch) a turn, so that a bulk load of millions keeps the worker's
 * turns short; no claim is made while batches are left.
 */
#define TAKE_IN_REQUESTS 50000

/*
 * Each batch's requests become outbox rows with the request ids they were
 * given when queued.  One without a key gets its id now, and is due since
 * it was queued.  A keyed one gets the id it was given then, and waits at
 * 'infinity': its group's head is then let go as after an outcome
 * (UNBLOCK_SQL), which takes the lowest unfinished id of the group, whether
 * it came in bulk or not.  Returns the groups of the keyed ones.
 */
#define TAKE_IN_ROWS(...) \
	" FROM b CROSS JOIN LATERAL ROWS FROM (" __VA_ARGS__ "pg_catalog.unnest(b.request_ids)," \
	"      pg_catalog.unnest(b.bodies), pg_catalog.unnest(b.keys)) AS u"
#define TAKE_IN_SQL \
	"WITH s AS (SELECT i.ctid AS tid, pg_catalog.sum(i.n) OVER (ORDER BY i.ctid)" \
	"                  OPERATOR(pg_catalog.-) i.n AS before FROM gofive.intake i)," \
	" b AS (DELETE FROM gofive.intake i USING s" \
	"        WHERE i.ctid OPERATOR(pg_catalog.=) s.tid" \
	"          AND s.before OPERATOR(pg_catalog.<) " CppAsString2(TAKE_IN_REQUESTS) \
	"       RETURNING i.*)," \
	" free AS (INSERT INTO gofive.outbox (request_id, operation, method, path, body, enqueued_by," \
	"                                     account, enqueued_at, origin, next_attempt_at)" \
	"          SELECT u.request_id, b.operation, b.method, b.path, u.body, b.enqueued_by, b.account," \
	"                 b.enqueued_at, b.origin, b.enqueued_at" \
	TAKE_IN_ROWS() "(request_id, body, key)" \
	"           WHERE u.key IS NULL)," \
	" keyed AS (INSERT INTO gofive.outbox (id, request_id, operation, method, path, body, ordering_key," \
	"                                      enqueued_by, account, enqueued_at, origin, next_attempt_at)" \
	"           OVERRIDING SYSTEM VALUE" \
	"           SELECT u.id, u.request_id, b.operation, b.method, b.path, u.body, u.key, b.enqueued_by," \
	"                  b.account, b.enqueued_at, b.origin, 'infinity'::pg_catalog.timestamptz" \
	TAKE_IN_ROWS("pg_catalog.unnest(b.ids), ") "(id, request_id, body, key)" \
	"            WHERE b.keys IS NOT NULL AND u.key IS NOT NULL" \
	"           RETURNING account, enqueued_by, ordering_key)" \
	" SELECT DISTINCT " ACCOUNT("k") ", k.enqueued_by::pg_catalog.oid, k.ordering_key FROM keyed k"

/* Whether gofive.intake has a row that snapshot sees (a look at its few pages, no SQL). */
static bool
intake_has_rows(Snapshot snapshot)
{
	Oid			relid = get_relname_relid("intake", get_namespace_oid("gofive", true));
	Relation	rel;
	TableScanDesc scan;
	bool		found;

	if (!OidIsValid(relid))
		return false;			/* an older version of the extension */
	rel = table_open(relid, AccessShareLock);
	scan = table_beginscan(rel, snapshot, 0, NULL);
	found = heap_getnext(scan, ForwardScanDirection) != NULL;
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* The statement just run in snapshot is seen by the next one, in that snapshot too. */
static void
see_own_writes(void)
{
	CommandCounterIncrement();
	UpdateActiveSnapshotCommandId();
}

/*
 * Move what came in bulk into the outbox, in the snapshot of the statement
 * that follows (the lanes' look, the claim), and let that statement see the
 * moved rows.  Returns whether that snapshot shows no batch left.  A claim
 * is made only then: a request of a later transaction (a higher id) can
 * never pass an earlier one of its group that waits in gofive.intake.
 */
static bool
take_in(void)
{
	static SPIPlanPtr plan = NULL;
	Snapshot	snapshot = GetActiveSnapshot();
	uint64		n;

	intake_left = false;
	if (!intake_has_rows(snapshot))
		return true;
	if (SPI_RC(SPI_execute_snapshot(gofive_prepare_once(&plan, TAKE_IN_SQL, 0, NULL), NULL, NULL,
									snapshot, InvalidSnapshot, false, false, 0)) != SPI_OK_SELECT)
		elog(ERROR, "could not move requests from gofive.intake into gofive.outbox");
	see_own_writes();
	gofive_schedule_mark_lanes_stale();
	gofive_schedule_claim_from_start(); /* an unkeyed one is due since it was queued */
	if ((n = SPI_processed) > 0)
		unblock_taken_in(snapshot, n);
	intake_left = intake_has_rows(GetActiveSnapshot());
	return !intake_left;
}

/* Let the groups of the keyed requests just moved in (the SPI result of TAKE_IN_SQL) go on. */
static void
unblock_taken_in(Snapshot snapshot, uint64 n)
{
	static Oid	types[3] = {TEXTARRAYOID, OIDARRAYOID, TEXTARRAYOID};
	Datum	   *names;
	Datum	   *roles;
	Datum	   *keys;
	Datum		values[3];

	names = palloc(sizeof(Datum) * n);
	roles = palloc(sizeof(Datum) * n);
	keys = palloc(sizeof(Datum) * n);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		names[i] = CStringGetTextDatum(SPI_getvalue(tuple, desc, 1));
		roles[i] = SPI_getbinval(tuple, desc, 2, &isnull);
		keys[i] = CStringGetTextDatum(SPI_getvalue(tuple, desc, 3));
	}
	values[0] = gofive_array(TEXTOID, n, names, NULL);
	values[1] = gofive_array(OIDOID, n, roles, NULL);
	values[2] = gofive_array(TEXTOID, n, keys, NULL);
	if (SPI_RC(SPI_execute_snapshot(gofive_prepare_once(&unblock_plan, UNBLOCK_SQL, 3, types),
									values, NULL, snapshot, InvalidSnapshot, false, false,
									0)) != SPI_OK_UPDATE)
		elog(ERROR, "could not let the groups of requests moved from gofive.intake go on");
	see_own_writes();
}

/* The groups of the final keyed jobs: their next rows may go. */
static void
unblock_groups(List *jobs)
{
	static Oid	types[3] = {TEXTARRAYOID, OIDARRAYOID, TEXTARRAYOID};
	List	   *names = NIL;
	List	   *keys = NIL;
	Datum	   *roles = palloc(sizeof(Datum) * Max(list_length(jobs), 1));
	Datum		values[3];
	int			n = 0;
	ListCell   *lc;

	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);

		if (!job->final || job->ordering_key == NULL)
			continue;
		names = lappend(names, (char *) gofive_lane_server(job->lane));
		keys = lappend(keys, job->ordering_key);
		roles[n++] = ObjectIdGetDatum(gofive_lane_role(job->lane));
	}
	if (n == 0)
		return;
	next_statement();
	values[0] = text_array(names);
	values[1] = gofive_array(OIDOID, n, roles, NULL);
	values[2] = text_array(keys);
	if (SPI_RC(SPI_execute_plan(gofive_prepare_once(&unblock_plan, UNBLOCK_SQL, 3, types),
						 values, NULL, false, 0)) != SPI_OK_UPDATE)
		elog(ERROR, "could not let ordering keys go on");
}

/* Record what finished, and let their groups go on. */
void
gofive_db_record(List *jobs)
{
	if (jobs == NIL)
		return;
	record_safely(jobs);
	unblock_groups(jobs);
	next_statement();
}

/* ---- when the next row falls due ---- */

#define NEXT_DUE_SQL \
	"SELECT pg_catalog.min(d.t) FROM " LANES_OF("$1", "$2", "") " AS l(account, role)" \
	" CROSS JOIN LATERAL (" \
	"   SELECT c.next_attempt_at AS t FROM gofive.outbox c" \
	"    WHERE" LANE("c", "l") " AND c.finished_at IS NULL" \
	"      AND c.status" OP_EQ PENDING " AND c.id OPERATOR(pg_catalog.<>) ALL ($3)" \
	"      AND" GROUP_HEAD("c", "l") \
	"    ORDER BY " ACCOUNT("c") ", c.enqueued_by, c.next_attempt_at, c.id LIMIT 1) d" \
	" WHERE d.t OPERATOR(pg_catalog.<) 'infinity'::pg_catalog.timestamptz"

/* When the earliest row of these lanes falls due (0: none will by itself). */
TimestampTz
gofive_db_next_due(List *names, List *roles, int64 *busy, int nbusy)
{
	Oid			types[3] = {TEXTARRAYOID, OIDARRAYOID, INT8ARRAYOID};
	Datum		values[3];
	Datum	   *role_datums = palloc(sizeof(Datum) * Max(list_length(roles), 1));
	TimestampTz due = 0;
	int			i = 0;
	ListCell   *lc;

	if (names == NIL)
		return 0;
	foreach(lc, roles)
		role_datums[i++] = ObjectIdGetDatum(lfirst_oid(lc));
	values[0] = text_array(names);
	values[1] = gofive_array(OIDOID, i, role_datums, NULL);
	values[2] = int8_array(busy, nbusy);
	if (SPI_RC(SPI_execute_with_args(NEXT_DUE_SQL, 3, types, values, NULL, true, 1)) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			due = DatumGetTimestampTz(d);
	}
	return due;
}

/* ---- groups left waiting ---- */

/* the next SWEEP_GROUPS groups after ($1, $2, $3): a skip scan of outbox_group_idx */
#define GROUPS_SQL \
	"WITH RECURSIVE g(account, role, key) AS (" \
	"  (SELECT " ACCOUNT("o") ", o.enqueued_by, o.ordering_key FROM gofive.outbox o" \
	"    WHERE o.ordering_key IS NOT NULL AND o.finished_at IS NULL" \
	"      AND ROW(" ACCOUNT("o") ", o.enqueued_by, o.ordering_key) OPERATOR(pg_catalog.>)" \
	"          ROW($1::pg_catalog.text, $2::pg_catalog.regrole, $3::pg_catalog.text)" \
	"    ORDER BY 1, 2, 3 LIMIT 1)" \
	"  UNION ALL" \
	"  SELECT n.account, n.role, n.key FROM g CROSS JOIN LATERAL (" \
	"    SELECT " ACCOUNT("o") " AS account, o.enqueued_by AS role, o.ordering_key AS key" \
	"      FROM gofive.outbox o" \
	"     WHERE o.ordering_key IS NOT NULL AND o.finished_at IS NULL" \
	"       AND ROW(" ACCOUNT("o") ", o.enqueued_by, o.ordering_key) OPERATOR(pg_catalog.>)" \
	"           ROW(g.account, g.role, g.key)" \
	"     ORDER BY 1, 2, 3 LIMIT 1) n)" \
	" SELECT account, role::pg_catalog.oid, key FROM g LIMIT " CppAsString2(SWEEP_GROUPS)

/*
 * Let go of the heads of groups that wait for nothing: a request enqueued
 * while the one before it was being recorded final can be left waiting
 * (outbox.c saw the earlier one unfinished; the recording did not see the
 * new one yet).  Looks at SWEEP_GROUPS groups a call, going round all of
 * them; called on the worker's periodic look and at its start.
 */
void
gofive_db_sweep_groups(void)
{
	static char *after_account = NULL;
	static Oid	after_role = InvalidOid;
	static char *after_key = NULL;
	Oid			types[3] = {TEXTOID, OIDOID, TEXTOID};
	Datum		values[3];
	List	   *names = NIL;
	List	   *keys = NIL;
	Datum	   *roles;
	uint64		n;

	values[0] = CStringGetTextDatum(after_account ? after_account : "");
	values[1] = ObjectIdGetDatum(after_role);
	values[2] = CStringGetTextDatum(after_key ? after_key : "");
	if (SPI_RC(SPI_execute_with_args(GROUPS_SQL, 3, types, values, NULL, true, 0)) != SPI_OK_SELECT)
		elog(ERROR, "could not list ordering keys");
	n = SPI_processed;
	roles = palloc(sizeof(Datum) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		bool		isnull;

		names = lappend(names, SPI_getvalue(t, SPI_tuptable->tupdesc, 1));
		roles[i] = SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull);
		keys = lappend(keys, SPI_getvalue(t, SPI_tuptable->tupdesc, 3));
	}
	/* where the next call goes on: after the last group, or from the start */
	if (after_account)
		pfree(after_account);
	if (after_key)
		pfree(after_key);
	after_account = after_key = NULL;
	after_role = InvalidOid;
	if (n == SWEEP_GROUPS)
	{
		after_account = MemoryContextStrdup(TopMemoryContext, llast(names));
		after_role = DatumGetObjectId(roles[n - 1]);
		after_key = MemoryContextStrdup(TopMemoryContext, llast(keys));
	}
	if (n == 0)
		return;
	values[0] = text_array(names);
	values[1] = gofive_array(OIDOID, (int) n, roles, NULL);
	values[2] = text_array(keys);
	{
		Oid			utypes[3] = {TEXTARRAYOID, OIDARRAYOID, TEXTARRAYOID};

		next_statement();
		if (SPI_RC(SPI_execute_plan(gofive_prepare_once(&unblock_plan, UNBLOCK_SQL, 3, utypes),
							 values, NULL, false, 0)) != SPI_OK_UPDATE)
			elog(ERROR, "could not let ordering keys go on");
		if (SPI_processed > 0)
			elog(LOG, "%llu requests whose ordering key waited for nothing may go",
				 (unsigned long long) SPI_processed);
	}
}

/* ---- after a stop ---- */

#define LEFT_SENDING_SQL \
	"SELECT o.id, o.operation, o.method, o.body::pg_catalog.text, o.attempts," \
	"       o.origin OPERATOR(pg_catalog.<>) $1" \
	"  FROM gofive.outbox o WHERE o.status" OP_EQ "'sending'::gofive.request_status"

/*
 * A stopped worker's rows settled ($1 ids, $2 statuses, $3 errors, $4
 * history entries): SETTLE_SQL and CHARGED_SQL set what they set, then this.
 */
#define SETTLE_UPDATE "UPDATE gofive.outbox o SET status = u.status::gofive.request_status,"
#define SETTLE_REST \
	"   finished_at = CASE WHEN u.status" OP_EQ "'dead'::pg_catalog.text THEN pg_catalog.now() END," \
	"   last_error = u.error," \
	"   history = " HISTORY_PLUS("u.entry") \
	"  FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.text[])," \
	"                  pg_catalog.unnest($3::pg_catalog.text[]), pg_catalog.unnest($4::pg_catalog.jsonb[]))" \
	"       AS u(id, status, error, entry)" \
	" WHERE o.id" OP_EQ "u.id"

#define SETTLE_SQL \
	SETTLE_UPDATE \
	"   next_attempt_at = CASE WHEN u.status OPERATOR(pg_catalog.=) ANY ('{held,in_doubt}'::pg_catalog.text[])" \
	"                     THEN 'infinity'::pg_catalog.timestamptz ELSE o.next_attempt_at END," \
	SETTLE_REST

/* unmarked requests that were on the network (the in-flight file): the attempt counts */
#define CHARGE_SQL \
	"SELECT o.id, o.attempts, o.last_attempt_at FROM gofive.outbox o" \
	" WHERE o.id" OP_EQ "ANY ($1) AND o.status" OP_EQ PENDING " AND o.finished_at IS NULL"

#define CHARGED_SQL \
	SETTLE_UPDATE \
	"   attempts = o.attempts OPERATOR(pg_catalog.+) 1," \
	SETTLE_REST

#define STOPPED			"the worker stopped while sending it"
#define STOPPED_EACH	"the worker stopped while sending it, on each of its attempts"

typedef struct Settle
{
	List	   *ids;
	List	   *statuses;
	List	   *errors;
	List	   *entries;		/* Jsonb: one-entry arrays */
} Settle;

static void
settle(Settle *s, int64 id, const char *status, const char *error, Jsonb *entry)
{
	int64	   *p = palloc(sizeof(int64));

	*p = id;
	s->ids = lappend(s->ids, p);
	s->statuses = lappend(s->statuses, (char *) status);
	s->errors = lappend(s->errors, (char *) error);
	s->entries = lappend(s->entries, entry);
}

static void
apply_settle(const char *sql, Settle *s)
{
	Oid			types[4] = {INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID};
	Datum		values[4];
	int			n = list_length(s->ids);
	int64	   *ids = palloc(sizeof(int64) * Max(n, 1));
	int			i = 0;
	ListCell   *lc;

	if (n == 0)
		return;
	foreach(lc, s->ids)
		ids[i++] = *(int64 *) lfirst(lc);
	values[0] = int8_array(ids, n);
	values[1] = text_array(s->statuses);
	values[2] = text_array(s->errors);
	{
		Datum	   *entries = palloc(sizeof(Datum) * n);

		i = 0;
		foreach(lc, s->entries)
			entries[i++] = JsonbPGetDatum((Jsonb *) lfirst(lc));
		values[3] = gofive_array(JSONBOID, n, entries, NULL);
	}
	next_statement();
	if (SPI_RC(SPI_execute_with_args(sql, 4, types, values, NULL, false, 0)) != SPI_OK_UPDATE)
		elog(ERROR, "could not settle the requests left by the previous worker");
}

/*
 * The rows a previous worker left marked sending (or a 1.0 worker left
 * claimed): an idempotent one is sent again; one that may not be sent
 * twice blindly is in doubt (gofive.in_doubt); one queued elsewhere is held;
 * one whose attempts are used up is dead.  Their attempt was counted when
 * they were marked.  Returns how many were in doubt.
 */
static int
settle_left_sending(Settle *s)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(gofive_origin_of_database())};
	int			in_doubt = 0;

	if (SPI_RC(SPI_execute_with_args(LEFT_SENDING_SQL, 1, types, values, NULL, true, 0)) != SPI_OK_SELECT)
		elog(ERROR, "could not read the requests left sending");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		int			attempts = DatumGetInt32(SPI_getbinval(t, d, 5, &isnull));
		bool		copied = DatumGetBool(SPI_getbinval(t, d, 6, &isnull));
		const char *status;

		if (copied)
			status = "held";
		else if (attempts >= gofive_max_attempts)
			status = "dead";
		else if (!gofive_request_idempotent(SPI_getvalue(t, d, 2), SPI_getvalue(t, d, 3),
											SPI_getvalue(t, d, 4)) &&
				 gofive_in_doubt == GOFIVE_IN_DOUBT_HOLD)
		{
			status = "in_doubt";
			in_doubt++;
		}
		else
			status = "pending";
		settle(s, id, status, strcmp(status, "dead") == 0 ? STOPPED_EACH : STOPPED,
			   history_entry(0, strcmp(status, "pending") == 0 ? "retry" : status, 0,
							 STOPPED, NULL, 0, false));
	}
	return in_doubt;
}

/* The unmarked requests the in-flight file lists: charge their attempt. */
static void
charge_in_flight(Settle *s, int64 *ids, int n)
{
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1];

	if (n == 0)
		return;
	values[0] = int8_array(ids, n);
	next_statement();
	if (SPI_RC(SPI_execute_with_args(CHARGE_SQL, 1, types, values, NULL, true, 0)) != SPI_OK_SELECT)
		elog(ERROR, "could not read the requests that were in flight");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		int			attempts = DatumGetInt32(SPI_getbinval(t, d, 2, &isnull)) + 1;
		bool		dead = attempts >= gofive_max_attempts;

		settle(s, DatumGetInt64(SPI_getbinval(t, d, 1, &isnull)), dead ? "dead" : "pending",
			   dead ? STOPPED_EACH : STOPPED,
			   history_entry(0, dead ? "dead" : "retry", 0, STOPPED, NULL, 0, false));
	}
}

/*
 * At the worker's start, what a previous worker left: the rows it marked,
 * and those the in-flight file lists.  One transaction.
 */
void
gofive_db_recover(int64 *in_flight, int n_in_flight)
{
	Settle		marked = {0};
	Settle		charged = {0};
	int			in_doubt;

	gofive_db_begin();
	in_doubt = settle_left_sending(&marked);
	apply_settle(SETTLE_SQL, &marked);
	charge_in_flight(&charged, in_flight, n_in_flight);
	apply_settle(CHARGED_SQL, &charged);
	gofive_db_commit();
	if (marked.ids != NIL || charged.ids != NIL)
		elog(LOG, "%d requests were on their way when the previous worker stopped: %d sent again, %d in doubt",
			 list_length(marked.ids) + list_length(charged.ids),
			 list_length(marked.ids) + list_length(charged.ids) - in_doubt, in_doubt);
	if (in_doubt > 0)
		ereport(WARNING,
				(errmsg("%d requests are in doubt: they were on their way when the worker stopped, and sending them twice would do harm",
						in_doubt),
				 errhint("As gofive_admin, check in the CRM whether they arrived, then gofive_release(id) or gofive_cancel(id); gofive.in_doubt = resend sends such requests again.")));
}

/* ---- purging and compacting ---- */

#define SIZE_SQL \
	"SELECT pg_catalog.pg_total_relation_size('gofive.outbox'::pg_catalog.regclass)," \
	"       pg_catalog.pg_stat_get_live_tuples('gofive.outbox'::pg_catalog.regclass)"

#define KEEP_SQL \
	"SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE o.status" OP_EQ \
	"       'sending'::gofive.request_status), pg_catalog.array_agg(o)" \
	"  FROM (SELECT * FROM gofive.outbox LIMIT " CppAsString2(COMPACT_MAX_ROWS) " + 1) o"

#define PUT_BACK_SQL \
	"INSERT INTO gofive.outbox OVERRIDING SYSTEM VALUE" \
	" SELECT (u).* FROM pg_catalog.unnest($1::gofive.outbox[]) AS u"

/*
 * Give the space of a mostly emptied outbox back: when the table and its
 * indexes are large and hold few rows, truncate it (indexes too, which
 * VACUUM never shrinks) and put the rows kept back, under an ACCESS
 * EXCLUSIVE lock taken only if free at once.  Not while a row is marked
 * sending (the restore trigger would queue it again).
 *
 * Returns how long the worker should go on trying (ms), 0 when it is done
 * or not worth it.  A compaction worth it can have to wait: autovacuum
 * holds the table for a while after a large purge, a session may be using
 * it, a row may be on the network, and the purge's own backend reports its
 * deletions to the statistics only some time after its commit.
 */
static int
compact(void)
{
	Oid			relid = gofive_outbox_relid();
	bool		isnull;
	int64		size;
	int64		live;
	int64		kept;
	Datum		rows;

	if (SPI_RC(SPI_execute(SIZE_SQL, true, 1)) != SPI_OK_SELECT || SPI_processed != 1)
		return 0;
	size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	live = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (size < COMPACT_MIN_BYTES)
		return 0;
	if (live > COMPACT_MAX_ROWS)
		return COMPACT_STATS_TRY_MS;
	if (!ConditionalLockRelationOid(relid, AccessExclusiveLock))
		return COMPACT_BUSY_TRY_MS;
	next_statement();
	if (SPI_RC(SPI_execute(KEEP_SQL, true, 1)) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the rows to keep");
	kept = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (kept > COMPACT_MAX_ROWS)
		return 0;
	if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) > 0)
		return COMPACT_BUSY_TRY_MS;
	rows = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	if (!isnull)
		rows = SPI_datumTransfer(rows, false, -1);
	if (SPI_RC(SPI_execute("TRUNCATE gofive.outbox", false, 0)) != SPI_OK_UTILITY)
		elog(ERROR, "could not truncate gofive.outbox");
	if (!isnull)
	{
		Oid			types[1] = {get_array_type(get_rel_type_id(relid))};

		next_statement();
		if (SPI_RC(SPI_execute_with_args(PUT_BACK_SQL, 1, types, &rows, NULL, false, 0)) != SPI_OK_INSERT)
			elog(ERROR, "could not put the kept rows back");
	}
	elog(LOG, "gofive.outbox compacted from " INT64_FORMAT " bytes, " INT64_FORMAT " rows kept",
		 size, kept);
	return 0;
}

/*
 * Delete succeeded rows older than gofive.retention (if purge), then compact
 * if rows were purged or compact says so.  How long to go on trying to
 * compact (compact()), or GOFIVE_COMPACT_NOT_TRIED.
 */
int
gofive_db_maintain(bool purge, bool compact_anyway)
{
	int64		purged = 0;
	int			try_ms = GOFIVE_COMPACT_NOT_TRIED;

	gofive_db_begin();
	if (purge)
		purged = gofive_purge_expired(true, InvalidOid);
	if (purged > 0 || compact_anyway)
	{
		next_statement();
		try_ms = compact();
	}
	gofive_db_commit();
	return try_ms;
}
