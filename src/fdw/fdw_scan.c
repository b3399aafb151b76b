/*
 * src/fdw/fdw_scan.c
 *		The executor's side of a foreign table of the CRM: the request the
 *		plan made (fdw.c), filled with the values known when the scan
 *		starts, then one row per record.
 *
 * As the set-returning functions (functions.c), with the same pager
 * (pager.c): a paged enquiry asks for the next page only when the executor
 * wants more rows than it has, so a LIMIT stops the requests; unless the
 * server's option read_ahead is n > 0: then, once a full page arrives, up
 * to n pages after it are asked for at once (a full page says there may be
 * more), and read in order.  A scan that does the query's LIMIT and OFFSET
 * (fdw.c) starts at the OFFSET and returns LIMIT rows at most, whatever the
 * API answers.  A row's column is the
 * record's field of the same name in camelCase, through the column type's
 * input function; "data" (jsonb) is the whole record.
 *
 * Requests are transfers of transfer.c: started, then finished when their
 * answer is needed.  A scan under an asynchronous Append (async_capable)
 * returns no row instead of waiting, and the Append waits on all its scans'
 * transfers at once (ForeignAsyncRequest, ForeignAsyncConfigureWait,
 * ForeignAsyncNotify, as postgres_fdw's); any other scan waits for its own.
 * Invariants:
 *	 - the account is the foreign table's server, used by the role that
 *	   checks permissions for this table (the view owner's for a view);
 *	 - a pushed value that is NULL makes no request: "column = NULL" holds
 *	   for no row;
 *	 - an IN list makes the requests once per distinct value that is not
 *	   NULL, one value after the other, the next only when the executor
 *	   wants more rows (fdw_deparse.c: their rows are disjoint);
 *	 - a column shows the record's field, NULL when the record lacks it or
 *	   holds JSON null; only a request parameter, which is not a field of the
 *	   record (fdw_resources.c), shows the value the query gave;
 *	 - a row that does not satisfy the pushed conditions is left out, whatever
 *	   the API answered (a hostile or mistaken answer cannot widen a query),
 *	   and so is a get-by-key answer that is not a record with that key;
 *	 - pages asked for ahead start where the pages before them end if those
 *	   are full; when one is not (the end, or an answer of more rows than
 *	   asked for), the requests after it are dropped and paging goes on
 *	   from where the rows read end: rows are never skipped or repeated;
 *	 - a scan's memory is its own: a row's values live in the per-tuple
 *	   memory, a page and its request in one of read_ahead + 1 page contexts
 *	   (the page read, then the requests on their way), each reset when
 *	   reused; a transfer stops when its context is reset (transfer.c), so
 *	   a rescan, the scan's end or an error stops it;
 *	 - a rescan (a nested loop's next outer row) evaluates the values again.
 */
#include "postgres.h"

#include "executor/execAsync.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "storage/latch.h"

#include "fdw.h"

typedef struct ColumnReader
{
	char	   *wire;			/* NULL: the whole record ("data" of type jsonb) */
	FmgrInfo	input;
	Oid			ioparam;
	int32		typmod;
	bool		dropped;
	bool		param;			/* a request parameter: shows the value given */
} ColumnReader;

/*
 * A pushed value, evaluated when the scan starts, kept as text (for a
 * path or query parameter, and a column that shows it) and as JSON (for a
 * body field): one, or an IN list's distinct values that are not NULL.
 */
typedef struct GivenValue
{
	const char *wire;
	const GofiveField *field;	/* the body field it is sent as, or NULL */
	GofiveTarget target;
	bool		many;
	int			n;				/* 0: no row can match */
	char	  **texts;
	char	  **jsons;
} GivenValue;

/* A request and, once answered, the page read from it. */
typedef struct PageSlot
{
	MemoryContext cxt;			/* the request, its answer, the page */
	GofiveApiTransfer call;
	int			take;			/* rows asked for (a paged enquiry) */
} PageSlot;

typedef struct GofiveScan
{
	const GofiveResource *res;
	const GofiveOperation *op;
	bool		use_get;
	List	   *wires;
	List	   *values;			/* ExprStates of the pushed values */
	int			list_index;		/* which of them is an IN list, or -1 */
	ExprState  *recheck;		/* the pushed conditions, checked on each row */
	GofivePager pager;			/* the plan's paging: page size (0: one
								 * request), the OFFSET, and the LIMIT, also
								 * the rows returned at most */
	const GofiveAccount *account;
	int			ncolumns;
	ColumnReader *columns;		/* per column of the scan's tuple */
	bool		async;			/* under an asynchronous Append */
	int			wait_fd;		/* for the Append's wait (async), or -1 */
	MemoryContext scan_cxt;		/* the values and requests of this scan; reset
								 * per rescan */
	int			read_ahead;		/* pages asked for ahead of the one read */
	int			nslots;			/* read_ahead + 1 */
	PageSlot   *slots;			/* a ring: the page read, then the requests
								 * on their way, oldest first */
	int			current;		/* the slot of the page read */
	int			in_flight;		/* requests on their way, in the slots after it */
	/* this scan (until a rescan) */
	bool		started;
	GivenValue *given_values;	/* per pushed value */
	int			choice;			/* which value of the IN list is asked for */
	int			nchoices;		/* how many (1 without an IN list) */
	GofiveCall *calls;			/* per value of the IN list (or the one):
								 * path and body, without take and skip */
	char	 ***givens;			/* per value: per column, the text given, or NULL */
	GofiveCall	call;			/* the request being asked (of st->choice) */
	char	  **given;			/* its givens */
	Jsonb	   *page;			/* an array of records, or the one record */
	bool		single;			/* page is one record (get-by-key) */
	int			count;
	int			next;
	int			returned;		/* rows returned since the scan started */
	bool		last;			/* no request after this one */
	bool		waiting;		/* (async) no row yet: a transfer is on its way */
} GofiveScan;

/*
 * A reader per column of the scan's tuple: the relation's columns, or the
 * columns the query uses (scan_tlist, Vars of relid) for a scan without a
 * relation of its own.
 */
static void
init_columns(GofiveScan *st, TupleDesc desc, Oid relid, List *scan_tlist)
{
	st->ncolumns = desc->natts;
	st->columns = palloc0(sizeof(ColumnReader) * desc->natts);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		ColumnReader *c = &st->columns[i];
		const char *name;
		Oid			input;

		c->dropped = att->attisdropped;
		if (c->dropped)
			continue;
		name = scan_tlist == NIL ? NameStr(att->attname) :
			get_attname(relid, ((Var *) list_nth_node(TargetEntry, scan_tlist, i)->expr)->varattno,
						false);
		c->wire = (strcmp(name, "data") == 0 && att->atttypid == JSONBOID) ?
			NULL : gofive_wire_name(name);
		c->param = c->wire && gofive_is_request_parameter(st->res, c->wire);
		getTypeInputInfo(att->atttypid, &input, &c->ioparam);
		fmgr_info(input, &c->input);
		c->typmod = att->atttypmod;
	}
}

void
gofive_fdw_begin_scan(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	GofiveScan  *st;
	GofiveAccountProblem problem;
	RangeTblEntry *rte;
	Oid			userid;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	st = palloc0(sizeof(GofiveScan));
	st->res = gofive_find_resource(strVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_RESOURCE)));
	st->use_get = intVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_USE_GET)) != 0;
	st->op = gofive_find_operation(st->use_get ? st->res->get_op : st->res->list_op);
	st->wires = (List *) list_nth(plan->fdw_private, GOFIVE_PRIVATE_WIRES);
	gofive_pager_init(&st->pager, st->op, intVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_TAKE)),
					  intVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_OFFSET)),
					  intVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_LIMIT)));
	st->list_index = intVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_LIST));
	/* fdw_exprs: the pushed values, then the pushed conditions as one (fdw.c) */
	st->values = ExecInitExprList(list_truncate(list_copy(plan->fdw_exprs),
												list_length(plan->fdw_exprs) - 1),
								  &node->ss.ps);
	st->recheck = ExecInitQual(make_ands_implicit((Expr *) llast(plan->fdw_exprs)),
							   &node->ss.ps);
	/* a scan that does the LIMIT (scanrelid 0) scans its one relation */
	rte = exec_rt_fetch(plan->scan.scanrelid > 0 ? plan->scan.scanrelid :
						(Index) bms_singleton_member(plan->fs_relids), node->ss.ps.state);
	userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	st->account = gofive_lookup_account(GetForeignServer(plan->fs_server)->servername,
										userid, &problem);
	if (st->account == NULL)
		gofive_raise_account_problem(&problem);
	init_columns(st, node->ss.ss_ScanTupleSlot->tts_tupleDescriptor, rte->relid,
				 plan->fdw_scan_tlist);
	st->scan_cxt = AllocSetContextCreate(node->ss.ps.state->es_query_cxt, "gofive foreign scan",
										 ALLOCSET_DEFAULT_SIZES);
	/* pages ahead: only for paged enquiries */
	st->read_ahead = (st->use_get || st->pager.take == 0) ? 0 :
		gofive_server_read_ahead(GetForeignServer(plan->fs_server));
	st->nslots = st->read_ahead + 1;
	st->slots = palloc0(sizeof(PageSlot) * st->nslots);
	for (int i = 0; i < st->nslots; i++)
		st->slots[i].cxt = AllocSetContextCreate(node->ss.ps.state->es_query_cxt,
												 "gofive foreign scan page",
												 ALLOCSET_DEFAULT_SIZES);
	st->current = st->nslots - 1;	/* the first request goes into slot 0 */
	/* the executor decided (nodeForeignscan.c): an Append waits for us */
	st->async = node->ss.ps.async_capable;
	st->wait_fd = st->async ? gofive_transfer_wait_fd(node->ss.ps.state->es_query_cxt) : -1;
	node->fdw_state = st;
}

static Jsonb *
jsonb_of(const char *text)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
}

/*
 * Remember a pushed value for the columns of that wire name that are
 * request parameters rather than record fields (date_from, event_type_ids):
 * they show the value the query gave, which the API alone applied.  A
 * record field shows the record's value only, so each row is checked
 * against what was asked.
 */
static void
remember_given(GofiveScan *st, char **given, const char *wire, char *text)
{
	for (int i = 0; i < st->ncolumns; i++)
		if (st->columns[i].param && strcmp(st->columns[i].wire, wire) == 0)
			given[i] = text;
}

/* Add a value to g unless one with the same text is there. */
static void
add_value(GivenValue *g, Datum value, Oid type)
{
	char	   *text = gofive_datum_text(value, type);
	StringInfoData json;

	for (int i = 0; i < g->n; i++)
		if (strcmp(g->texts[i], text) == 0)
			return;
	initStringInfo(&json);
	gofive_append_wire_value(&json, g->field, value, type);	/* the field's form */
	g->texts[g->n] = text;
	g->jsons[g->n++] = json.data;
}

/* Evaluate a pushed value (an IN list: its distinct values, NULLs left out). */
static void
evaluate(ForeignScanState *node, ExprState *state, GivenValue *g)
{
	Oid			type = exprType((Node *) state->expr);
	bool		isnull;
	Datum		value = ExecEvalExpr(state, node->ss.ps.ps_ExprContext, &isnull);
	Oid			element = g->many ? get_element_type(type) : InvalidOid;
	Datum	   *items = &value;
	bool	   *nulls = &isnull;
	int			n = 1;

	if (g->many && !isnull)
	{
		n = gofive_array_items(value, element, &items, &nulls);
		type = element;
	}
	g->n = 0;
	g->texts = palloc(sizeof(char *) * n);
	g->jsons = palloc(sizeof(char *) * n);
	for (int i = 0; i < n && !isnull; i++)
		if (!nulls[i])
			add_value(g, items[i], type);
}

/*
 * Evaluate the pushed values, in scan_cxt; false when one has no value
 * (no row can match: nothing is asked).
 */
static bool
evaluate_values(ForeignScanState *node, GofiveScan *st)
{
	ListCell   *w;
	ListCell   *v;
	int			i = 0;

	st->given_values = palloc0(sizeof(GivenValue) * Max(list_length(st->wires), 1));
	st->nchoices = 1;
	forboth(w, st->wires, v, st->values)
	{
		GivenValue *g = &st->given_values[i++];

		g->wire = strVal(lfirst(w));
		g->target = gofive_filter_target(st->res, g->wire, st->use_get);
		g->field = gofive_find_field(st->op->fields, g->wire);
		g->many = (i - 1 == st->list_index);
		evaluate(node, lfirst(v), g);
		if (g->n == 0)
		{
			st->nchoices = 0;
			return false;
		}
		if (g->many)
			st->nchoices = g->n;
	}
	return true;
}

/* The slot of the oldest request on its way (or of the next one sent). */
static PageSlot *
oldest_slot(GofiveScan *st)
{
	return &st->slots[(st->current + 1) % st->nslots];
}

/*
 * Drop the requests on their way (their pages are not wanted: past the end,
 * or asked for at positions that an answer of an unexpected size made
 * wrong; the pager asks next from where the pages read end).
 */
static void
drop_requests(GofiveScan *st)
{
	for (int i = 0; i < st->in_flight; i++)
		MemoryContextReset(st->slots[(st->current + 1 + i) % st->nslots].cxt);
	st->in_flight = 0;
}

/* Paging from the start, for the request of st->choice. */
static void
start_paging(GofiveScan *st)
{
	drop_requests(st);
	gofive_pager_restart(&st->pager);
	st->page = NULL;
	st->count = st->next = 0;
	st->last = false;
}

/*
 * The request for the IN list's value choice (or the one request), with
 * the columns' given values: its path and body, validated, in
 * calls[choice] and givens[choice].
 */
static void
make_call(GofiveScan *st, int choice)
{
	char	  **given = palloc0(sizeof(char *) * st->ncolumns);
	const char **texts;
	StringInfoData fields;
	Jsonb	   *filter = NULL;
	int			nargs = 0;

	st->givens[choice] = given;
	while (st->op->args[nargs].sql_name)
		nargs++;
	texts = palloc0(sizeof(char *) * (nargs + 1));
	initStringInfo(&fields);
	for (int i = 0; i < list_length(st->wires); i++)
	{
		GivenValue *g = &st->given_values[i];
		int			which = g->many ? choice : 0;

		remember_given(st, given, g->wire, g->texts[which]);
		if (g->target == GOFIVE_TO_BODY)
		{
			appendStringInfoString(&fields, fields.len ? ", " : "{");
			escape_json(&fields, g->wire);
			appendStringInfo(&fields, ": %s", g->jsons[which]);
			continue;
		}
		for (int a = 0; st->op->args[a].sql_name; a++)
		{
			const GofiveArg *arg = &st->op->args[a];

			/* the get-by-key path has one parameter, whatever its name */
			if ((g->target == GOFIVE_TO_PATH && arg->kind == GOFIVE_ARG_PATH) ||
				(g->target == GOFIVE_TO_QUERY && arg->kind == GOFIVE_ARG_QUERY &&
				 strcmp(arg->wire_name, g->wire) == 0))
				texts[a] = g->texts[which];
		}
	}
	if (fields.len)
	{
		appendStringInfoChar(&fields, '}');
		filter = jsonb_of(fields.data);
	}
	if (st->res->defaults && !st->use_get)
		filter = filter ? DatumGetJsonbP(DirectFunctionCall2(jsonb_concat,
															 JsonbPGetDatum(jsonb_of(st->res->defaults)),
															 JsonbPGetDatum(filter)))
			: jsonb_of(st->res->defaults);
	if (st->pager.take > 0)
	{
		if (filter == NULL)
			filter = jsonb_of("{}");
		/* validated with the first page's paging fields, sent with each page's */
		st->calls[choice] = gofive_make_call(st->op, texts, NULL,
											 gofive_pager_first_body(&st->pager, filter));
		st->calls[choice].body = filter;
	}
	else
		st->calls[choice] = gofive_make_call(st->op, texts, NULL, filter);
}

/* Ask for the IN list's value choice next, paging from the start. */
static void
use_choice(GofiveScan *st, int choice)
{
	st->choice = choice;
	st->call = st->calls[choice];
	st->given = st->givens[choice];
	start_paging(st);
}

/*
 * Send the next request (a page from send_skip, or the record) into the
 * slot after those on their way; whatever that slot held is freed (with
 * read_ahead 0, the page read, which is then used up).
 */
static void
send_request(GofiveScan *st)
{
	PageSlot   *slot = &st->slots[(st->current + 1 + st->in_flight) % st->nslots];
	ErrorContextCallback context;
	MemoryContext old;
	Jsonb	   *body;

	if (slot == &st->slots[st->current])
	{
		st->page = NULL;		/* used up: its memory goes now */
		st->count = st->next = 0;
	}
	MemoryContextReset(slot->cxt);
	old = MemoryContextSwitchTo(slot->cxt);
	body = gofive_pager_next_body(&st->pager, st->call.body, &slot->take);
	gofive_push_operation(&context, st->op->name);
	gofive_api_start(&slot->call, slot->cxt, st->account, st->op->name, st->op->method,
					 st->call.path,
					 body ? JsonbToCString(NULL, &body->root, VARSIZE(body)) : NULL);
	gofive_pop_context(&context);
	st->in_flight++;
	MemoryContextSwitchTo(old);
}

/*
 * After a full page, ask for up to read_ahead pages ahead of it, as far as
 * the LIMIT goes: they are on their way while this one is read.
 */
static void
send_ahead(GofiveScan *st)
{
	while (!st->last && st->in_flight < st->read_ahead && gofive_pager_may_send(&st->pager))
		send_request(st);
}

/* A get-by-key answer: the record, or none (outcome.c's "no record", or not a JSON object). */
static void
read_record(GofiveScan *st, GofiveOutcome *out)
{
	Jsonb	   *data = gofive_no_record(out, st->op) ? NULL :
		gofive_result_or_raise(st->op->name, out, st->op);

	st->last = true;
	st->single = true;
	st->page = (data && JB_ROOT_IS_OBJECT(data)) ? data : NULL;
	st->count = st->page ? 1 : 0;
}

/* A page of an enquiry or list, of a request for take rows. */
static void
read_page(GofiveScan *st, GofiveOutcome *out, int take)
{
	/* the pages asked for ahead started where a page of take rows would end */
	if (!gofive_pager_read(&st->pager, gofive_result_or_raise(st->op->name, out, st->op), take,
						   &st->page, &st->count))
		drop_requests(st);
	st->last = st->pager.last;
}

/*
 * The answer of the oldest request, whose transfer is done, becomes the
 * page read (the previous page is freed); false when the request had to be
 * sent again (a 401: with a new token; a timeout after a pause, api.c) and
 * is on its way once more.
 */
static bool
receive(GofiveScan *st, PageSlot *slot)
{
	GofiveOutcome out;
	MemoryContext old;
	int			previous = st->current;

	if (!gofive_api_answered(&slot->call, &out))
		return false;
	st->current = slot - st->slots;
	st->in_flight--;
	if (previous != st->current)
		MemoryContextReset(st->slots[previous].cxt);
	old = MemoryContextSwitchTo(slot->cxt);
	st->next = 0;
	if (st->use_get)
		read_record(st, &out);
	else
		read_page(st, &out, slot->take);
	MemoryContextSwitchTo(old);
	return true;
}

/*
 * Whether the request on its way has been answered and read (a page, or
 * the record); if not, and the scan must not wait (async), false, and the
 * Append is to wake when it is answered.
 */
static bool
await_answer(GofiveScan *st, bool may_wait)
{
	PageSlot   *slot = oldest_slot(st);
	ErrorContextCallback context;
	bool		answered = false;

	/* a wait that a cancel request or statement_timeout ends names the operation */
	gofive_push_operation(&context, st->op->name);
	while (!answered)
	{
		if (!gofive_transfer_done(&slot->call.transfer))
		{
			if (!may_wait)
			{
				gofive_transfer_want(&slot->call.transfer);
				break;
			}
			gofive_transfer_wait(&slot->call.transfer);
		}
		answered = receive(st, slot);
	}
	gofive_pop_context(&context);
	return answered;
}

/* Which column a value that its type refuses was meant for. */
static void
column_context(void *arg)
{
	Form_pg_attribute att = (Form_pg_attribute) arg;

	if (att)
		errcontext("column \"%s\" of a foreign table of the CRM (record field \"%s\")",
				   NameStr(att->attname), gofive_wire_name(NameStr(att->attname)));
}

static void
fill_slot(GofiveScan *st, TupleTableSlot *slot, JsonbValue *record)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	bool		is_object = record->type == jbvBinary && JsonContainerIsObject(record->val.binary.data);
	ErrorContextCallback context;

	context.callback = column_context;
	context.arg = NULL;
	context.previous = error_context_stack;
	error_context_stack = &context;

	for (int i = 0; i < desc->natts; i++)
	{
		ColumnReader *c = &st->columns[i];
		JsonbValue *v;
		char	   *text;

		slot->tts_isnull[i] = true;
		if (c->dropped)
			continue;
		if (c->wire == NULL)
		{
			slot->tts_values[i] = JsonbPGetDatum(JsonbValueToJsonb(record));
			slot->tts_isnull[i] = false;
			continue;
		}
		if (c->param)
			text = st->given[i];	/* the value given, or NULL */
		else if (!is_object ||
				 (v = getKeyJsonValueFromContainer(record->val.binary.data, c->wire,
												   strlen(c->wire), NULL)) == NULL)
			text = NULL;		/* the record lacks the field */
		else
			text = gofive_json_value_text(v);	/* NULL for JSON null */
		if (text == NULL)
			continue;
		context.arg = TupleDescAttr(desc, i);
		slot->tts_values[i] = InputFunctionCall(&c->input, text, c->ioparam, c->typmod);
		slot->tts_isnull[i] = false;
	}
	error_context_stack = context.previous;
	ExecStoreVirtualTuple(slot);
}

/* Evaluate the pushed values and validate every request, at the scan's start. */
static void
start_scan(ForeignScanState *node, GofiveScan *st)
{
	MemoryContext old = MemoryContextSwitchTo(st->scan_cxt);
	bool		any = evaluate_values(node, st);

	st->started = true;
	st->returned = 0;
	start_paging(st);
	/* every value's request is made and validated before the first is sent */
	st->calls = palloc(sizeof(GofiveCall) * Max(st->nchoices, 1));
	st->givens = palloc(sizeof(char **) * Max(st->nchoices, 1));
	for (int c = 0; c < st->nchoices; c++)
		make_call(st, c);
	MemoryContextSwitchTo(old);
	if (any)
		use_choice(st, 0);
	st->last = !any;
}

/*
 * The next record the API answered (asking for more as needed), or NULL:
 * at the end of the scan, or (not may_wait) when the request for more is
 * on its way (st->waiting).
 */
static JsonbValue *
next_record(GofiveScan *st, bool may_wait)
{
	JsonbValue *single;

	st->waiting = false;
	while (st->next >= st->count)
	{
		if (st->in_flight > 0)
		{
			if (!await_answer(st, may_wait))
			{
				st->waiting = true;
				return NULL;
			}
			/* a full page: while it is read, the next ones are on their way */
			send_ahead(st);
		}
		else if (!st->last)
			send_request(st);
		else if (st->choice + 1 < st->nchoices)
			use_choice(st, st->choice + 1);	/* the IN list's next value */
		else
			return NULL;
	}
	if (!st->single)
		return getIthJsonbValueFromContainer(&st->page->root, st->next++);
	st->next++;
	single = palloc(sizeof(JsonbValue));
	single->type = jbvBinary;
	single->val.binary.data = &st->page->root;
	single->val.binary.len = VARSIZE(st->page);
	return single;
}

/*
 * The next row.  Its values live in the per-tuple memory, which the
 * executor resets before it asks for the next.  A row that does not
 * satisfy the conditions sent is left out: the API is not trusted to
 * have filtered (a hostile or mistaken answer must not put another
 * customer's record into a query's result).
 */
TupleTableSlot *
gofive_fdw_iterate_scan(ForeignScanState *node)
{
	GofiveScan  *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	MemoryContext old;
	JsonbValue *record;

	ExecClearTuple(slot);
	st->waiting = false;
	/* the transfers on their way (this scan's, other scans') move along */
	gofive_transfer_poll();
	if (!st->started)
		start_scan(node, st);
	for (;;)
	{
		/* the LIMIT holds even when the API answers more rows than asked for */
		if (st->pager.limit > 0 && st->returned >= st->pager.limit)
			return slot;
		old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
		record = next_record(st, !st->async);
		if (record == NULL)
		{
			MemoryContextSwitchTo(old);
			return slot;
		}
		fill_slot(st, slot, record);
		econtext->ecxt_scantuple = slot;
		if (ExecQual(st->recheck, econtext))
		{
			MemoryContextSwitchTo(old);
			st->returned++;
			return slot;
		}
		MemoryContextSwitchTo(old);
		ExecClearTuple(slot);
		ResetExprContext(econtext);
	}
}

/* Stop the transfers and free the pages (transfer.c: a reset stops a transfer). */
static void
drop_pages(GofiveScan *st)
{
	for (int i = 0; i < st->nslots; i++)
		MemoryContextReset(st->slots[i].cxt);
	st->in_flight = 0;
	st->page = NULL;
	st->count = st->next = 0;
	st->waiting = false;
}

void
gofive_fdw_rescan(ForeignScanState *node)
{
	GofiveScan  *st = node->fdw_state;

	st->started = false;
	drop_pages(st);
	MemoryContextReset(st->scan_cxt);
}

void
gofive_fdw_end_scan(ForeignScanState *node)
{
	GofiveScan  *st = node->fdw_state;

	/* the rest lives in the query's memory; its descriptor closes with it */
	if (st)
		drop_pages(st);
}

/* ---- asynchronous execution under an Append (as postgres_fdw's) ---- */

/*
 * Answer the Append's request: a row, the end of the scan, or "pending"
 * when the rows are on their way (the Append then waits on st->wait_fd and
 * calls gofive_fdw_async_notify).
 */
static void
produce(AsyncRequest *areq)
{
	GofiveScan  *st = ((ForeignScanState *) areq->requestee)->fdw_state;
	TupleTableSlot *result = areq->requestee->ExecProcNodeReal(areq->requestee);

	if (!TupIsNull(result))
		ExecAsyncRequestDone(areq, result);
	else if (st->waiting)
		ExecAsyncRequestPending(areq);
	else
		ExecAsyncRequestDone(areq, NULL);
}

void
gofive_fdw_async_request(AsyncRequest *areq)
{
	produce(areq);
}

void
gofive_fdw_async_configure_wait(AsyncRequest *areq)
{
	GofiveScan  *st = ((ForeignScanState *) areq->requestee)->fdw_state;
	AppendState *requestor = (AppendState *) areq->requestor;

	Assert(areq->callback_pending);
	/* readable when the transfers move on, or while ours is done but unread */
	AddWaitEventToSet(requestor->as_eventset, WL_SOCKET_READABLE, st->wait_fd, NULL, areq);
}

void
gofive_fdw_async_notify(AsyncRequest *areq)
{
	/* the Append's wait may not wake for interrupts: check them here */
	CHECK_FOR_INTERRUPTS();
	produce(areq);
}
