/*
 * src/functions.c
 *		The SQL entry points of the synchronous path.
 *
 * Every typed function, gofive_create_deal(jsonb), gofive_upsert_serial(text,
 * text, text, boolean) and the rest, is declared (by the generated install
 * script) with the same C symbol, gofive_call: it finds its catalog entry
 * from its own name, turns its arguments into a path and a body as the entry
 * says, validates the body, calls the API and returns the envelope's data.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "client.h"
#include "gofive.h"

PG_FUNCTION_INFO_V1(gofive_call);
PG_FUNCTION_INFO_V1(gofive_request);

#define FUNCTION_PREFIX "gofive_"

/*
 * The catalog entry of the SQL function being called (cached in fn_extra,
 * except for set-returning functions, whose FuncCallContext lives there).
 */
static const GofiveOperation *
operation_of(FunctionCallInfo fcinfo)
{
	bool		cache = !fcinfo->flinfo->fn_retset;
	const GofiveOperation *op = cache ? (const GofiveOperation *) fcinfo->flinfo->fn_extra : NULL;
	char	   *fname;

	if (op != NULL)
		return op;
	fname = get_func_name(fcinfo->flinfo->fn_oid);
	if (fname == NULL || strncmp(fname, FUNCTION_PREFIX, strlen(FUNCTION_PREFIX)) != 0 ||
		(op = gofive_find_operation(fname + strlen(FUNCTION_PREFIX))) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function \"%s\" is not a catalog operation",
						fname ? fname : "?")));
	if (cache)
		fcinfo->flinfo->fn_extra = unconstify(GofiveOperation *, op);
	return op;
}

/* The text form of argument i, through its type's output function. */
static char *
arg_text(FunctionCallInfo fcinfo, int i)
{
	return gofive_datum_text(PG_GETARG_DATUM(i), get_fn_expr_argtype(fcinfo->flinfo, i));
}

/*
 * Append "key": value for a scalar SQL argument to a JSON object's text.
 * A NULL is sent as null where the field is nullable, and left out
 * otherwise: the rule of every path (validate.c).
 */
static void
append_field(StringInfo obj, FunctionCallInfo fcinfo, int i, const GofiveField *field,
			 const char *key)
{
	if (PG_ARGISNULL(i) && !(field && (field->flags & GOFIVE_NULLABLE)))
		return;
	appendStringInfoString(obj, obj->len > 1 ? "," : "");
	escape_json(obj, key);
	appendStringInfoChar(obj, ':');
	if (PG_ARGISNULL(i))
		appendStringInfoString(obj, "null");
	else
		gofive_append_wire_value(obj, field, PG_GETARG_DATUM(i),
								 get_fn_expr_argtype(fcinfo->flinfo, i));
}

static Jsonb *
jsonb_from_text(const char *text)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
}

/*
 * Turn the SQL arguments into the request: the texts of path and query
 * arguments, the query object, and the body (the payload argument, or an
 * object built from scalar field arguments, each a NULL sent as null where
 * its field is nullable and left out otherwise).
 */
static GofiveCall
build_call(const GofiveOperation *op, FunctionCallInfo fcinfo)
{
	const char **texts = palloc0(sizeof(char *) * (PG_NARGS() + 1));
	Jsonb	   *query_object = NULL;
	Jsonb	   *body = NULL;
	StringInfoData fields;
	bool		has_fields = false;

	initStringInfo(&fields);
	appendStringInfoChar(&fields, '{');
	for (int i = 0; op->args[i].sql_name; i++)
	{
		const GofiveArg *arg = &op->args[i];

		if (i >= PG_NARGS())
			elog(ERROR, "the SQL declaration of %s has fewer arguments than the catalog",
				 op->name);
		switch (arg->kind)
		{
			case GOFIVE_ARG_PATH:
			case GOFIVE_ARG_QUERY:
				texts[i] = PG_ARGISNULL(i) ? NULL : arg_text(fcinfo, i);
				break;
			case GOFIVE_ARG_QUERY_OBJECT:
				query_object = PG_ARGISNULL(i) ? NULL : PG_GETARG_JSONB_P(i);
				break;
			case GOFIVE_ARG_FIELD:
				has_fields = true;
				append_field(&fields, fcinfo, i, gofive_find_field(op->fields, arg->wire_name),
							 arg->wire_name);
				break;
			case GOFIVE_ARG_BODY:
				body = PG_ARGISNULL(i) ? NULL : PG_GETARG_JSONB_P(i);
				break;
		}
	}
	appendStringInfoChar(&fields, '}');
	if (has_fields)
		body = jsonb_from_text(fields.data);
	return gofive_make_call(op, texts, query_object, body);
}

/* ---- paging through enquiries and lists (pager.c) ---- */

typedef struct PageState
{
	GofiveCall	call;			/* the request, validated with the first
								 * page's take and skip */
	GofivePager pager;
	MemoryContext page_cxt;		/* the current page and its request */
	Jsonb	   *page;			/* the rows of the current page */
	int			next;			/* next row of the page to return */
	int			count;			/* rows in the page */
} PageState;

/* The next page (or the one answer of an operation that is not paged). */
static void
fetch_page(PageState *st)
{
	const GofiveOperation *op = st->call.op;
	GofiveOutcome out;
	int			asked;
	Jsonb	   *body = gofive_pager_next_body(&st->pager, st->call.body, &asked);

	gofive_api_call(op->name, op->method, st->call.path,
					body ? JsonbToCString(NULL, &body->root, VARSIZE(body)) : NULL, NULL, &out);
	(void) gofive_pager_read(&st->pager, gofive_result_or_raise(op->name, &out, op), asked,
							 &st->page, &st->count);
	st->next = 0;
}

/*
 * The request of a set-returning operation, and its paging: a paged one's
 * from its filter (pager.c: the filter's take and skip, or
 * gofive.page_size rows from the first), validated with the first page's.
 */
static void
start_rows(PageState *st, const GofiveOperation *op, FunctionCallInfo fcinfo)
{
	Jsonb	   *filter;

	if (op->take_field == NULL)
	{
		gofive_pager_init(&st->pager, op, 0, 0, 0);
		st->call = build_call(op, fcinfo);
		return;
	}
	filter = (op->args[0].kind == GOFIVE_ARG_BODY && !PG_ARGISNULL(0)) ?
		PG_GETARG_JSONB_P(0) : jsonb_from_text("{}");
	gofive_pager_from_filter(&st->pager, op, filter);
	/* each page's take and skip replace the first page's */
	st->call = gofive_make_call(op, (const char *const *) palloc0(sizeof(char *) * 2),
								NULL, gofive_pager_first_body(&st->pager, filter));
}

/*
 * A set-returning operation: one row per record.  Paged operations ask for
 * the next page only when the query wants more rows than it has: LIMIT 10
 * makes one request.  Only the current page is kept.
 */
static Datum
call_rows(FunctionCallInfo fcinfo)
{
	FuncCallContext *funcctx;
	PageState  *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		st = palloc0(sizeof(PageState));
		start_rows(st, operation_of(fcinfo), fcinfo);
		st->page_cxt = AllocSetContextCreate(funcctx->multi_call_memory_ctx, "gofive page",
											 ALLOCSET_DEFAULT_SIZES);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = (PageState *) funcctx->user_fctx;

	if (st->page == NULL || (st->next >= st->count && gofive_pager_may_send(&st->pager)))
	{
		MemoryContext old;

		MemoryContextReset(st->page_cxt);	/* the page read is used up */
		old = MemoryContextSwitchTo(st->page_cxt);
		fetch_page(st);
		MemoryContextSwitchTo(old);
	}
	if (st->next >= st->count)
		SRF_RETURN_DONE(funcctx);
	SRF_RETURN_NEXT(funcctx,
					JsonbPGetDatum(JsonbValueToJsonb(getIthJsonbValueFromContainer(&st->page->root,
																				   st->next++))));
}

static Datum
call_one(const GofiveOperation *op, FunctionCallInfo fcinfo)
{
	GofiveCall	call;
	GofiveOutcome out;

	call = build_call(op, fcinfo);
	gofive_api_call(op->name, op->method, call.path, gofive_body_text(&call), NULL, &out);

	if (gofive_no_record(&out, op))
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(gofive_result_or_raise(op->name, &out, op));
}

Datum
gofive_call(PG_FUNCTION_ARGS)
{
	const GofiveOperation *op;
	ErrorContextCallback context;
	Datum		result;

	gofive_check_version();
	/* a set-returning one keeps its operation in its paging state */
	if (fcinfo->flinfo->fn_retset && !SRF_IS_FIRSTCALL())
		op = ((PageState *) ((FuncCallContext *) fcinfo->flinfo->fn_extra)->user_fctx)->call.op;
	else
		op = operation_of(fcinfo);
	gofive_push_operation(&context, op->name);
	result = fcinfo->flinfo->fn_retset ? call_rows(fcinfo) : call_one(op, fcinfo);
	gofive_pop_context(&context);
	return result;
}

/* ---- gofive_request: the generic escape hatch ---- */

const char *
gofive_checked_method(text *method_text)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	char	   *method = text_to_cstring(method_text);

	for (size_t i = 0; i < lengthof(methods); i++)
		if (pg_strcasecmp(method, methods[i]) == 0)
			return methods[i];
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("method must be one of GET, POST, PUT, PATCH, DELETE, not \"%s\"",
					method)));
	return NULL;				/* keep the compiler quiet */
}

/* Whether seg[0..len) is "." or "..", dots also as "%2e" or "%2E". */
static bool
is_dot_segment(const char *seg, size_t len)
{
	int			dots = 0;

	for (size_t i = 0; i < len; dots++)
	{
		if (seg[i] == '.')
			i++;
		else if (len - i >= 3 && seg[i] == '%' && seg[i + 1] == '2' &&
				 (seg[i + 2] == 'e' || seg[i + 2] == 'E'))
			i += 3;
		else
			return false;
	}
	return dots == 1 || dots == 2;
}

/* Whether the path part (before any "?" or "#") has a dot segment. */
static bool
has_dot_segment(const char *path)
{
	size_t		end = strcspn(path, "?#");

	for (size_t start = 1; start <= end;)
	{
		size_t		len = strcspn(path + start, "/?#");

		if (is_dot_segment(path + start, len))
			return true;
		start += len + 1;
	}
	return false;
}

/*
 * A path relative to gofive.base_url, already percent-encoded: it must start
 * with a single "/" (so the credentials cannot be sent to another host),
 * contain only printable ASCII without spaces, and have no "." or ".."
 * segment, which libcurl would resolve (sending "/v1/a/../b" to "/v1/b").
 */
char *
gofive_checked_path(text *path_text)
{
	char	   *path = text_to_cstring(path_text);

	if (path[0] != '/' || path[1] == '/')
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("path must start with a single \"/\", not \"%s\"", path),
				 errhint("The path is relative to gofive.base_url, e.g. /v1/deals.")));
	for (const char *p = path; *p; p++)
		if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("path must be percent-encoded ASCII without spaces"),
					 errhint("Encode path segments with gofive_url_encode().")));
	if (has_dot_segment(path))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("path must not have a \".\" or \"..\" segment, not \"%s\"", path),
				 errdetail("It would be resolved before sending, so the request would go to another path.")));
	return path;
}

/*
 * The method and path arguments (0 and 1) of gofive_request and
 * gofive_enqueue_request, checked.
 */
void
gofive_method_and_path(FunctionCallInfo fcinfo, const char **method, char **path)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("%s must not be null",
						PG_ARGISNULL(0) ? "method" : "path")));
	*method = gofive_checked_method(PG_GETARG_TEXT_PP(0));
	*path = gofive_checked_path(PG_GETARG_TEXT_PP(1));
}

static Datum
request(FunctionCallInfo fcinfo)
{
	const char *method;
	char	   *path;
	char	   *body = NULL;
	GofiveOutcome out;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	gofive_method_and_path(fcinfo, &method, &path);
	if (!PG_ARGISNULL(2))
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(2);

		body = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	}

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "gofive_request must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	gofive_api_call("request", method, path, body, NULL, &out);

	values[0] = Int32GetDatum((int32) out.http_status);
	gofive_raise_if_unreadable("request", &out);
	if (out.reading == GOFIVE_READ_JSON)
		values[1] = JsonbPGetDatum(gofive_outcome_body(&out));
	else if (out.reading == GOFIVE_READ_TEXT)
	{
		/* not JSON: return the (checked) text as a JSON string */
		StringInfoData s;

		initStringInfo(&s);
		escape_json(&s, out.raw);
		values[1] = JsonbPGetDatum(jsonb_from_text(s.data));
	}
	else
		nulls[1] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

Datum
gofive_request(PG_FUNCTION_ARGS)
{
	ErrorContextCallback context;
	Datum		result;

	gofive_check_version();
	gofive_push_operation(&context, "request");
	result = request(fcinfo);
	gofive_pop_context(&context);
	return result;
}

PG_FUNCTION_INFO_V1(gofive_url_encode_sql);

Datum
gofive_url_encode_sql(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	PG_RETURN_TEXT_P(cstring_to_text(gofive_url_encode(text_to_cstring(PG_GETARG_TEXT_PP(0)))));
}
