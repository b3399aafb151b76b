/*
 * src/client/request.c
 *		From an operation and its arguments to the request: the path with
 *		its parameters filled in and percent-encoded, the query string, and
 *		the validated body (a GofiveCall).  Nothing here sends.
 *
 * request.c owns the arguments-to-request step for every path: the SQL
 * values of the typed functions (functions.c, through gofive_datum_text and
 * gofive_append_wire_value), the JSON params of the outbox
 * (gofive_call_from_json), the pushed values of the foreign tables'
 * scans (fdw_scan.c); the operation by its name (gofive_operation_or_error:
 * gofive_enqueue, the triggers) or by method and path
 * (gofive_operation_at: gofive_enqueue_request); percent-encoding
 * (gofive_url_encode, also SQL's gofive_url_encode()).  All requests of
 * catalog operations are made by gofive_make_call().
 *
 * Invariants:
 *	 - a request is complete and checked before anything is sent or queued:
 *	   an argument that cannot make a valid one raises
 *	   ERRCODE_GOFIVE_INVALID_INPUT, and the body is converted and validated
 *	   by validate.c (gofive_checked_body);
 *	 - a path parameter is one non-empty segment, percent-encoded, and
 *	   never "." or "..": no value addresses another resource;
 *	 - the query string holds what the caller wrote and nothing else:
 *	   nested arrays and objects are refused rather than flattened, and
 *	   params may hold only the operation's path and query arguments (a
 *	   misspelt key is refused rather than dropped);
 *	 - what is made is allocated in the current memory context.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "client.h"
#include "convert.h"
#include "gofive.h"

/* A SQL value's text, through its type's output function. */
char *
gofive_datum_text(Datum value, Oid type)
{
	Oid			output;
	bool		varlena;

	getTypeOutputInfo(type, &output, &varlena);
	return OidOutputFunctionCall(output, value);
}

/*
 * A SQL value as JSON text, as a request sends it for field (NULL: a field
 * the catalog does not know): what gofive_sql_value (convert.c) makes of
 * it, so numbers and booleans as such and dates and times in the field's
 * form (ISO 8601 without one, whatever DateStyle says); jsonb as its text;
 * anything else its text as a string.  The body's conversion checks it.
 */
void
gofive_append_wire_value(StringInfo s, const GofiveField *field, Datum value, Oid type)
{
	Oid			base = getBaseType(type);
	JsonbValue	v;

	if (base == JSONBOID)
		appendStringInfoString(s, JsonbToCString(NULL, &DatumGetJsonbP(value)->root, 0));
	else if (!gofive_sql_value(field, value, base, NULL, &v))
		escape_json(s, gofive_datum_text(value, type));
	else if (v.type == jbvString)
		escape_json(s, pnstrdup(v.val.string.val, v.val.string.len));
	else if (v.type == jbvBool)
		appendStringInfoString(s, v.val.boolean ? "true" : "false");
	else
		appendStringInfoString(s, DatumGetCString(DirectFunctionCall1(numeric_out,
																	  NumericGetDatum(v.val.numeric))));
}

/* The same for a value whose field is not known. */
void
gofive_append_json_value(StringInfo s, Datum value, Oid type)
{
	gofive_append_wire_value(s, NULL, value, type);
}

/*
 * The text of a JSON value as a query or path parameter sends it: strings
 * unquoted, containers as JSON text, NULL for null.
 */
char *
gofive_json_value_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvNull:
			return NULL;
		default:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	}
}

/* Percent-encode one path segment or query value (RFC 3986 unreserved kept). */
char *
gofive_url_encode(const char *text)
{
	char	   *escaped = curl_easy_escape(NULL, text, 0);
	char	   *result;

	if (escaped == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	result = pstrdup(escaped);
	curl_free(escaped);
	return result;
}

/* The index of the path argument named by a template's {name}. */
static int
path_arg_index(const GofiveOperation *op, const char *name, size_t len)
{
	for (int i = 0; op->args[i].sql_name; i++)
		if (op->args[i].kind == GOFIVE_ARG_PATH &&
			strlen(op->args[i].wire_name) == len &&
			strncmp(op->args[i].wire_name, name, len) == 0)
			return i;
	elog(ERROR, "catalog entry \"%s\" has no argument for path parameter \"%.*s\"",
		 op->name, (int) len, name);
	return -1;					/* keep the compiler quiet */
}

/*
 * Fill the operation's path template.  arg_texts[i] is the text of the
 * operation's i-th SQL argument (NULL for arguments that are not in the
 * path); each value is percent-encoded as one path segment.
 */
static char *
fill_path(const GofiveOperation *op, const char *const *arg_texts)
{
	StringInfoData buf;
	const char *p = op->path;

	initStringInfo(&buf);
	while (*p)
	{
		const char *close;

		if (*p != '{' || (close = strchr(p, '}')) == NULL)
		{
			appendStringInfoChar(&buf, *p++);
			continue;
		}
		appendStringInfoString(&buf,
							   gofive_url_encode(arg_texts[path_arg_index(op, p + 1, close - p - 1)]));
		p = close + 1;
	}
	return buf.data;
}

static void
append_query(StringInfo query, const char *key, const char *value)
{
	appendStringInfo(query, "%c%s=%s", query->len ? '&' : '?',
					 gofive_url_encode(key), gofive_url_encode(value));
}

static void
raise_nested(const GofiveOperation *op, const GofiveArg *arg, const char *key, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("query parameter \"%s\" in argument \"%s\" must be a string, number, boolean or an array of them, not %s", key, arg->sql_name, what),
			 errhint("A query string has no form for nested arrays or objects.")));
}

/* One member of a query object: a scalar, or an array of scalars. */
static void
append_query_member(StringInfo query, const GofiveOperation *op, const GofiveArg *arg,
					const char *key, JsonbValue *v)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;

	if (v->type != jbvBinary)
	{
		if (v->type != jbvNull)
			append_query(query, key, gofive_json_value_text(v));
		return;
	}
	if (JsonContainerIsObject(v->val.binary.data))
		raise_nested(op, arg, key, "an object");
	/* an array: one key=value per element, in order */
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (elem.type == jbvBinary)
			raise_nested(op, arg, key, "an array holding an array or an object");
		if (elem.type != jbvNull)
			append_query(query, key, gofive_json_value_text(&elem));
	}
}

/*
 * Each key of a jsonb object as key=value; an array of scalars gives
 * repeated keys.  Nested arrays and objects are refused: flattening them
 * would send parameters nobody wrote.
 */
static void
append_query_object(StringInfo query, const GofiveOperation *op, const GofiveArg *arg, Jsonb *obj)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(obj))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("argument \"%s\" must be a JSON object", arg->sql_name)));
	it = JsonbIteratorInit(&obj->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
			append_query_member(query, op, arg, key, &v);
	}
}

/*
 * A path parameter's value is percent-encoded as one segment, but "." and
 * ".." have no encoding (curl_easy_escape leaves dots alone) and libcurl
 * would resolve them, sending the request to another resource.
 */
static void
check_path_value(const GofiveOperation *op, const GofiveArg *arg, const char *value)
{
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("argument \"%s\" must not be null", arg->sql_name)));
	if (value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("argument \"%s\" must not be empty", arg->sql_name)));
	if (strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("argument \"%s\" must not be \"%s\"", arg->sql_name, value),
				 errdetail("A path segment \".\" or \"..\" would address another resource.")));
}

/* body || {field: value}, for path arguments that the body repeats. */
static Jsonb *
with_field(Jsonb *body, const char *field, const char *value)
{
	StringInfoData obj;
	Jsonb	   *extra;

	initStringInfo(&obj);
	appendStringInfoChar(&obj, '{');
	escape_json(&obj, field);
	appendStringInfoChar(&obj, ':');
	escape_json(&obj, value);
	appendStringInfoChar(&obj, '}');
	extra = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(obj.data)));
	if (body == NULL)
		return extra;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(body),
											  JsonbPGetDatum(extra)));
}

/*
 * Build and validate the request.  arg_texts[i] is the text of the
 * operation's i-th argument when it goes in the path or the query (NULL for
 * SQL NULL); query_object is the GOFIVE_ARG_QUERY_OBJECT argument, if any; body
 * is the payload.  Raises ERRCODE_GOFIVE_INVALID_INPUT before anything is
 * sent.
 */
GofiveCall
gofive_make_call(const GofiveOperation *op, const char *const *arg_texts,
				 Jsonb *query_object, Jsonb *body)
{
	GofiveCall	call = {.op = op};
	StringInfoData query;
	bool		optional_body = false;

	initStringInfo(&query);
	for (int i = 0; op->args[i].sql_name; i++)
	{
		const GofiveArg *arg = &op->args[i];

		if (arg->kind == GOFIVE_ARG_PATH)
			check_path_value(op, arg, arg_texts[i]);
		if (arg->kind == GOFIVE_ARG_QUERY && !arg->optional && arg_texts[i] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("argument \"%s\" must not be null", arg->sql_name)));
		if (arg->kind == GOFIVE_ARG_QUERY && arg_texts[i] != NULL)
			append_query(&query, arg->wire_name, arg_texts[i]);
		if (arg->kind == GOFIVE_ARG_QUERY_OBJECT && query_object != NULL)
			append_query_object(&query, op, arg, query_object);
		if (arg->body_field && arg_texts[i] != NULL)
			body = with_field(body, arg->body_field, arg_texts[i]);
		if (arg->kind == GOFIVE_ARG_BODY && arg->optional)
			optional_body = true;
	}
	if (op->body == GOFIVE_BODY_NONE)
		body = NULL;
	if (body == NULL && optional_body)
	{
		/* an omitted optional filter: checked as {}, sent as no body */
		(void) gofive_checked_body(op, DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																		  CStringGetDatum("{}"))));
	}
	else if (op->body != GOFIVE_BODY_NONE)
		body = gofive_checked_body(op, body);
	call.body = body;
	if (strchr(op->path, '{') == NULL && query.len == 0)
		call.path = unconstify(char *, op->path);	/* the common case: nothing to fill */
	else
		call.path = psprintf("%s%s", fill_path(op, arg_texts), query.data);
	return call;
}

/* The catalog's operation of that name, or an error that names the view of them. */
const GofiveOperation *
gofive_operation_or_error(const char *name)
{
	const GofiveOperation *op = gofive_find_operation(name);

	if (op == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("unrecognized operation \"%s\"", name),
				 errhint("The operations are listed in the view gofive.operations; "
						 "use gofive_enqueue_request() for any other path.")));
	return op;
}

/* Path and query arguments go in params; the body is the payload. */
static bool
is_param(const GofiveArg *arg)
{
	return arg->kind == GOFIVE_ARG_PATH || arg->kind == GOFIVE_ARG_QUERY ||
		arg->kind == GOFIVE_ARG_QUERY_OBJECT;
}

/* The operation's arguments that params may hold, for messages: "a", "b". */
static char *
param_names(const GofiveOperation *op)
{
	StringInfoData names;

	initStringInfo(&names);
	for (int i = 0; op->args[i].sql_name; i++)
		if (is_param(&op->args[i]))
			appendStringInfo(&names, "%s\"%s\"", names.len ? ", " : "", op->args[i].sql_name);
	return names.data;
}

static bool
has_param(const GofiveOperation *op, const char *key)
{
	for (int i = 0; op->args[i].sql_name; i++)
		if (is_param(&op->args[i]) && strcmp(op->args[i].sql_name, key) == 0)
			return true;
	return false;
}

/*
 * params must be an object whose keys are path and query arguments of the
 * operation: a misspelt or misplaced key would otherwise be dropped and the
 * request queued without it.
 */
static void
check_params(const GofiveOperation *op, Jsonb *params)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(params))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("params must be a JSON object of path and query arguments")));
	it = JsonbIteratorInit(&params->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;
		char	   *names;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		if (has_param(op, key))
			continue;
		names = param_names(op);
		if (*names)
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("params has no argument \"%s\"", key),
					 errhint("The arguments params may hold for %s: %s.", op->name, names)));
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("params has no argument \"%s\"", key),
				 errhint("%s takes no path or query arguments: leave params out.", op->name)));
	}
}

/* The member params->key, or NULL when params or the member is absent or null. */
static JsonbValue *
param_value(Jsonb *params, const char *key)
{
	JsonbValue *v;

	if (params == NULL)
		return NULL;
	v = getKeyJsonValueFromContainer(&params->root, key, strlen(key), NULL);
	return (v == NULL || v->type == jbvNull) ? NULL : v;
}

/* The text of a path or query argument in params, which must be a scalar. */
static const char *
param_text(const GofiveOperation *op, const GofiveArg *arg, Jsonb *params)
{
	JsonbValue *v = param_value(params, arg->sql_name);

	if (v == NULL)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (v->type == jbvBool)
		return v->val.boolean ? "true" : "false";
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("params member \"%s\" must be a string, number or boolean, not %s", arg->sql_name,
					JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object")));
	return NULL;				/* keep the compiler quiet */
}

/* The query object in params, which must be a JSON object. */
static Jsonb *
param_object(const GofiveOperation *op, const GofiveArg *arg, Jsonb *params)
{
	JsonbValue *v = param_value(params, arg->sql_name);

	if (v == NULL)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("params member \"%s\" must be a JSON object of query parameters", arg->sql_name)));
	return JsonbValueToJsonb(v);
}

/*
 * The request for an operation from its payload (the body) and params (the
 * path and query arguments, by their SQL names, e.g. {"deal_id": 42}).
 */
GofiveCall
gofive_call_from_json(const GofiveOperation *op, Jsonb *payload, Jsonb *params)
{
	int			nargs = 0;
	const char **texts;
	Jsonb	   *query_object = NULL;

	if (params)
		check_params(op, params);
	while (op->args[nargs].sql_name)
		nargs++;
	texts = palloc0(sizeof(char *) * (nargs + 1));
	for (int i = 0; i < nargs; i++)
	{
		const GofiveArg *arg = &op->args[i];

		if (arg->kind == GOFIVE_ARG_PATH || arg->kind == GOFIVE_ARG_QUERY)
			texts[i] = param_text(op, arg, params);
		else if (arg->kind == GOFIVE_ARG_QUERY_OBJECT)
			query_object = param_object(op, arg, params);
	}
	return gofive_make_call(op, texts, query_object, payload);
}

/* Whether a path (without its query) matches an operation's template. */
static bool
path_matches(const char *template, const char *path, size_t path_len, int *literals)
{
	const char *t = template;
	const char *p = path;
	const char *end = path + path_len;

	*literals = 0;
	while (*t && p < end)
	{
		size_t		tlen = strcspn(t + 1, "/") + 1;
		size_t		plen = 1;

		while (p + plen < end && p[plen] != '/')
			plen++;
		if (t[0] != '/' || p[0] != '/')
			return false;
		if (t[1] == '{')
		{
			if (plen < 2)
				return false;	/* a parameter is one non-empty segment */
		}
		else if (tlen != plen || strncmp(t, p, tlen) != 0)
			return false;
		else
			(*literals)++;
		t += tlen;
		p += plen;
	}
	return *t == '\0' && p == end;
}

/*
 * The catalog's operation for a method and a path (a query string after
 * it aside), as the API routes them: literal segments exactly, a {param}
 * one segment, the template with most literal segments first; or NULL.
 */
const GofiveOperation *
gofive_operation_at(const char *method, const char *path)
{
	size_t		len = strcspn(path, "?#");
	const GofiveOperation *found = NULL;
	int			best = -1;

	for (int i = 0; i < gofive_operation_count; i++)
	{
		const GofiveOperation *op = &gofive_operations[i];
		int			literals;

		if (strcmp(op->method, method) == 0 && path_matches(op->path, path, len, &literals) &&
			literals > best)
		{
			found = op;
			best = literals;
		}
	}
	return found;
}

/* The text of a request's body, or NULL. */
char *
gofive_body_text(const GofiveCall *call)
{
	if (call->body == NULL)
		return NULL;
	return JsonbToCString(NULL, &call->body->root, VARSIZE(call->body));
}
