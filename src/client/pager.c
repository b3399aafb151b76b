/*
 * src/client/pager.c
 *		How the API pages an enquiry or a list: the one description of it,
 *		used by the set-returning functions (functions.c), the foreign
 *		tables' scans (fdw_scan.c), and EXPLAIN's text of a scan
 *		(fdw_deparse.c, with the plan's paging from fdw.c).
 *
 * An operation is paged when its catalog entry names take and skip body
 * fields (take_field, skip_field): a request asks for take rows from the
 * skip-th on, its body the filter with the two set (replacing any the
 * filter has).  A page's rows are the array in the answer's data (data
 * itself, or its first array member); totals, where an answer has them,
 * are not relied on.  A page of fewer rows than asked for is the last, and
 * so is the one that reaches the limit, if there is one.  The next page
 * starts where the rows read end, so an answer of more rows than asked for
 * moves it on by as many: rows are never skipped or repeated.  An
 * operation that is not paged makes one request, with the filter as it is.
 *
 * The pager holds numbers only: it neither sends nor waits, and the bodies
 * it makes are allocated in the current memory context.  Its user takes
 * each request's body from gofive_pager_next_body() and gives the answers,
 * in the order asked, to gofive_pager_read().  It may ask for pages ahead
 * of the one it reads (fdw_scan.c's read_ahead): they start where the pages
 * before them would end if full; when gofive_pager_read() says they no
 * longer fit, their user drops them, and the next request starts where the
 * rows read end.
 *
 * Invariants:
 *	 - take is 0 (not paged) or positive;
 *	 - skip, where the rows read end, is send_skip, where the next request
 *	   starts, whenever no request is on its way;
 *	 - with a limit, the requests ask for limit rows at most in all;
 *	 - take and skip are sent as int32: a page that would start beyond
 *	   PG_INT32_MAX is not asked for, the page before it is the last;
 *	 - EXPLAIN's text of the paging (gofive_pager_describe) and the first
 *	   request's body come from the same numbers and the same text.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "client.h"
#include "gofive.h"

/* The paging members of a body, as the requests and EXPLAIN write them. */
static void
append_paging(StringInfo s, const GofiveOperation *op, int take, int64 skip)
{
	appendStringInfo(s, "\"%s\": %d, \"%s\": %d", op->take_field, take, op->skip_field,
					 (int) skip);
}

/* The filter with take and skip set. */
static Jsonb *
paged_body(const GofivePager *pg, Jsonb *filter, int take, int64 skip)
{
	StringInfoData members;
	Jsonb	   *paging;

	initStringInfo(&members);
	appendStringInfoChar(&members, '{');
	append_paging(&members, pg->op, take, skip);
	appendStringInfoChar(&members, '}');
	paging = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(members.data)));
	if (filter == NULL)
		return paging;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(filter),
											  JsonbPGetDatum(paging)));
}

/* The rows the first request asks for: a page, or the limit if less. */
static int
first_take(const GofivePager *pg)
{
	return pg->limit > 0 ? Min(pg->take, pg->limit) : pg->take;
}

/* The rows the next request asks for: a page, or what the limit leaves. */
static int
next_take(const GofivePager *pg)
{
	int64		asked = pg->send_skip - pg->start;

	return pg->limit > 0 ? (int) Min(pg->take, pg->limit - asked) : pg->take;
}

/*
 * The paging of an operation: pages of take rows (ignored, and 0, when the
 * operation is not paged or op is NULL) from start, limit rows at most in
 * all (0: no limit).
 */
void
gofive_pager_init(GofivePager *pg, const GofiveOperation *op, int take, int start, int limit)
{
	memset(pg, 0, sizeof(*pg));
	pg->op = op;
	pg->take = (op != NULL && op->take_field != NULL) ? take : 0;
	pg->start = start;
	pg->limit = limit;
	gofive_pager_restart(pg);
}

/*
 * A foreign scan's paging, as planned (fdw.c): pages of gofive.page_size
 * rows, or of the LIMIT's if it is less, from the OFFSET.
 */
void
gofive_pager_plan(GofivePager *pg, const GofiveOperation *op, int limit, int offset)
{
	int			take = (limit > 0 && limit < gofive_page_size) ? limit : gofive_page_size;

	gofive_pager_init(pg, op, take, offset, limit);
}

/* A paging member of the filter as an int; VNVAL naming it when out of range. */
static int
filter_int(Jsonb *filter, const char *key, int otherwise)
{
	JsonbValue *v;
	Datum		n;

	if (filter == NULL || !JB_ROOT_IS_OBJECT(filter))
		return otherwise;
	v = getKeyJsonValueFromContainer(&filter->root, key, strlen(key), NULL);
	if (v == NULL || v->type != jbvNumeric)
		return otherwise;
	n = NumericGetDatum(v->val.numeric);
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(PG_INT32_MIN)))) < 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(PG_INT32_MAX)))) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("field \"%s\" must be an integer between %d and %d", key, PG_INT32_MIN, PG_INT32_MAX)));
	return DatumGetInt32(DirectFunctionCall1(numeric_int4, n));
}

/*
 * A set-returning function's paging, from its filter: the filter's own take
 * and skip, or pages of gofive.page_size rows from the first; take must be
 * positive.
 */
void
gofive_pager_from_filter(GofivePager *pg, const GofiveOperation *op, Jsonb *filter)
{
	int			take = filter_int(filter, op->take_field, gofive_page_size);
	int			start = filter_int(filter, op->skip_field, 0);

	if (take <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("field \"%s\" must be positive", op->take_field)));
	gofive_pager_init(pg, op, take, start, 0);
}

/* Paging from the first page again (a new value to ask for, a rescan). */
void
gofive_pager_restart(GofivePager *pg)
{
	pg->skip = pg->send_skip = pg->start;
	pg->last = false;
}

/* Whether another request may be sent: not after the last page, nor past the limit. */
bool
gofive_pager_may_send(const GofivePager *pg)
{
	return !pg->last && (pg->limit == 0 || pg->send_skip - pg->start < pg->limit) &&
		pg->send_skip <= PG_INT32_MAX;
}

/*
 * The first request's body, to validate the request with before anything
 * is sent: the filter, with the first page's take and skip if paged.
 */
Jsonb *
gofive_pager_first_body(const GofivePager *pg, Jsonb *filter)
{
	if (pg->take == 0)
		return filter;
	return paged_body(pg, filter, first_take(pg), pg->start);
}

/*
 * The next request's body: the filter, with take and skip set if paged;
 * *asked is the rows it asks for (0: not paged).  The request after it
 * starts where this one's rows end.
 */
Jsonb *
gofive_pager_next_body(GofivePager *pg, Jsonb *filter, int *asked)
{
	Jsonb	   *body;

	*asked = next_take(pg);
	if (pg->take == 0)
		return filter;
	body = paged_body(pg, filter, *asked, pg->send_skip);
	pg->send_skip += *asked;
	return body;
}

/*
 * The array of rows in a page's data: data itself, or its first array
 * member; NULL if none.
 */
static Jsonb *
page_rows(Jsonb *data)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (data == NULL || JB_ROOT_IS_SCALAR(data))
		return NULL;
	if (JB_ROOT_IS_ARRAY(data))
		return data;
	it = JsonbIteratorInit(&data->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_VALUE && v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data))
			return JsonbValueToJsonb(&v);
	return NULL;
}

/*
 * Read the answer's data to the oldest request on its way, which asked for
 * asked rows: *rows is its array of rows (NULL: none), *count how many.
 * False when the requests asked for after it no longer fit (it is the last
 * page, or it holds other than asked rows): they are to be dropped, and
 * the next request starts where the rows read end.
 */
bool
gofive_pager_read(GofivePager *pg, Jsonb *data, int asked, Jsonb **rows, int *count)
{
	*rows = page_rows(data);
	*count = *rows ? (int) JsonContainerSize(&(*rows)->root) : 0;
	pg->skip += *count;
	pg->last = (pg->take == 0 || *count < asked ||
				(pg->limit > 0 && pg->skip - pg->start >= pg->limit) ||
				pg->skip > PG_INT32_MAX);
	if (!pg->last && *count == asked)
		return true;
	pg->send_skip = pg->skip;
	return false;
}

/*
 * EXPLAIN's text of the paging: the first request's take and skip, as its
 * body has them, after the body's other members in body (their text,
 * without braces); nothing when not paged.
 */
void
gofive_pager_describe(StringInfo body, const GofivePager *pg)
{
	if (pg->take == 0)
		return;
	appendStringInfoString(body, body->len ? ", " : "");
	append_paging(body, pg->op, first_take(pg), pg->start);
}
