/*
 * response.c
 *		Reading the API's answers: the three success envelopes, the business
 *		codes, the API's messages, and the SQL error for a failed call.
 *
 * REFERENCE.md section 3: envelope A is {"status":{"code":"1000",...},
 * "data":...} with the code as a string (or, in some clients, a number);
 * envelope B is {"data":...,"statusCode":1000,"httpStatusCode":200}; envelope
 * C wraps the entity once more as {"data":{"value":...}}.  Error bodies are
 * not documented beyond their messages, so every usual place for a message
 * is read: messages[], message, status.description, errors (a list, or an
 * ASP.NET {"field":["..."]} object), error_description and error.
 */
#include "postgres.h"

#include <limits.h>

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "gofive.h"

#define DETAIL_MAX_BYTES 2000

/* Parse text as JSON; NULL when it is not valid JSON. */
Jsonb *
gofive_parse_json(const char *text, size_t len)
{
	JsonLexContext *lex;
	char	   *copy;

	if (len == 0)
		return NULL;
	copy = pnstrdup(text, len);
	if (pg_verifymbstr(copy, (int) len, true) == false)
		return NULL;
	lex = makeJsonLexContextCstringLen(copy, (int) len, GetDatabaseEncoding(), true);
	if (pg_parse_json(lex, &nullSemAction) != JSON_SUCCESS)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(copy)));
}

static JsonbValue *
object_key(JsonbContainer *container, const char *key)
{
	if (container == NULL || !JsonContainerIsObject(container))
		return NULL;
	return getKeyJsonValueFromContainer(container, key, strlen(key), NULL);
}

static JsonbContainer *
as_container(JsonbValue *v)
{
	return (v && v->type == jbvBinary) ? v->val.binary.data : NULL;
}

/* An integer from a JSON number or a numeric string ("1000"); -1 if neither. */
static int
json_int(JsonbValue *v)
{
	char	   *text;
	char	   *end;
	long		n;

	if (v == NULL)
		return -1;
	if (v->type == jbvNumeric)
		text = DatumGetCString(DirectFunctionCall1(numeric_out,
												   NumericGetDatum(v->val.numeric)));
	else if (v->type == jbvString)
		text = pnstrdup(v->val.string.val, v->val.string.len);
	else
		return -1;
	n = strtol(text, &end, 10);
	if (end == text || *end != '\0' || n < 0 || n > INT_MAX)
		return -1;
	return (int) n;
}

static void
append_message(StringInfo buf, const char *s, int len)
{
	if (len <= 0)
		return;
	if (buf->len > 0)
		appendStringInfoString(buf, "; ");
	appendBinaryStringInfo(buf, s, len);
}

/* Collect every string in v (recursively through arrays and objects). */
static void
collect_strings(StringInfo buf, JsonbValue *v, int depth)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;

	if (v == NULL || depth > 4)
		return;
	if (v->type == jbvString)
	{
		append_message(buf, v->val.string.val, v->val.string.len);
		return;
	}
	if (v->type != jbvBinary)
		return;
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok == WJB_ELEM || tok == WJB_VALUE)
			collect_strings(buf, &elem, depth + 1);
	}
}

static char *
extract_messages(JsonbContainer *root, int business_code)
{
	StringInfoData buf;
	JsonbContainer *status = as_container(object_key(root, "status"));

	initStringInfo(&buf);
	collect_strings(&buf, object_key(root, "messages"), 0);
	collect_strings(&buf, object_key(root, "message"), 0);
	if (business_code != GOFIVE_CODE_SUCCESS)
		collect_strings(&buf, object_key(status, "description"), 0);
	collect_strings(&buf, object_key(root, "errors"), 0);
	collect_strings(&buf, object_key(root, "error_description"), 0);
	if (buf.len == 0)
	{
		collect_strings(&buf, object_key(root, "error"), 0);
		collect_strings(&buf, object_key(root, "title"), 0);
	}
	return buf.len > 0 ? buf.data : NULL;
}

/*
 * The envelope's data.  Envelope C's {"value": ...} wrapper (possibly with
 * its own statusCode/httpStatusCode beside it) is taken off.
 */
static Jsonb *
unwrap_data(JsonbValue *data)
{
	JsonbContainer *c = as_container(data);

	if (c && JsonContainerIsObject(c) && object_key(c, "value") != NULL)
	{
		int			keys = JsonContainerSize(c);
		int			known = 1 + (object_key(c, "statusCode") != NULL) +
			(object_key(c, "httpStatusCode") != NULL);

		if (keys == known)
			data = object_key(c, "value");
	}
	return data ? JsonbValueToJsonb(data) : NULL;
}

void
gofive_parse_response(const GofiveHttpResponse *resp, GofiveOutcome *out)
{
	JsonbContainer *root;
	JsonbValue *data;

	memset(out, 0, sizeof(*out));
	out->http_status = resp->status;
	out->raw = resp->body.data;
	out->retry_after = resp->retry_after;
	out->business_code = -1;
	out->body = gofive_parse_json(resp->body.data, resp->body.len);
	if (out->body == NULL)
		return;

	root = &out->body->root;
	if (!JsonContainerIsObject(root))
	{
		out->data = out->body;
		return;
	}
	out->business_code = json_int(object_key(as_container(object_key(root, "status")), "code"));
	if (out->business_code < 0 && object_key(root, "httpStatusCode") != NULL)
		out->business_code = json_int(object_key(root, "statusCode"));
	out->messages = extract_messages(root, out->business_code);

	data = object_key(root, "data");
	out->data = data ? unwrap_data(data) : out->body;
}

bool
gofive_outcome_ok(const GofiveOutcome *out)
{
	return out->http_status >= 200 && out->http_status < 300 &&
		(out->business_code < 0 || out->business_code == GOFIVE_CODE_SUCCESS);
}

static int
detail_response(const GofiveOutcome *out)
{
	const char *raw = out->raw ? out->raw : "";
	int			len = strlen(raw);

	if (len == 0)
		return errdetail("The response body is empty.");
	if (len > DETAIL_MAX_BYTES)
		len = pg_mbcliplen(raw, len, DETAIL_MAX_BYTES);
	return errdetail("Response: %.*s%s", len, raw,
					 len < (int) strlen(raw) ? " ..." : "");
}

/* Raise the SQL error that matches a failed outcome. */
void
gofive_raise_for_outcome(const char *opname, const GofiveOutcome *out)
{
	long		status = out->http_status;
	const char *msg = out->messages;
	char		code_text[32] = "";

	if (out->business_code >= 0)
		snprintf(code_text, sizeof(code_text), ", code %d", out->business_code);

	if (status == 401 || status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_AUTH_FAILED),
				 errmsg("gofive %s failed: the API refused the credentials (HTTP %ld)%s%s",
						opname, status, msg ? ": " : "", msg ? msg : ""),
				 detail_response(out),
				 errhint("Check gofive.client_id, gofive.client_secret and gofive.subscription_key.")));
	if (status == 429 || status >= 500)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_SERVER_ERROR),
				 errmsg("gofive %s failed: the API is unavailable (HTTP %ld)%s%s",
						opname, status, msg ? ": " : "", msg ? msg : ""),
				 detail_response(out),
				 out->retry_after >= 0 ?
				 errhint("The API asks to retry after %d seconds.", out->retry_after) : 0));
	if ((status >= 200 && status < 300) || (status >= 400 && status < 500))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_API_REJECTED),
				 errmsg("gofive %s failed: the API rejected the request (HTTP %ld%s)%s%s",
						opname, status, code_text, msg ? ": " : "", msg ? msg : ""),
				 detail_response(out)));
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_SERVER_ERROR),
			 errmsg("gofive %s failed: unexpected HTTP status %ld", opname, status),
			 detail_response(out)));
}

/*
 * Update Product Stock answers 200 with one {productCode, qty, isSuccess,
 * error} per item: the items that failed, as "code: error" joined, or NULL.
 */
char *
gofive_item_failures(Jsonb *data)
{
	StringInfoData buf;
	int			n;

	if (data == NULL || !JB_ROOT_IS_ARRAY(data) || JB_ROOT_IS_SCALAR(data))
		return NULL;
	initStringInfo(&buf);
	n = JsonContainerSize(&data->root);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(&data->root, i);
		JsonbContainer *c = as_container(item);
		JsonbValue *ok = object_key(c, "isSuccess");
		JsonbValue *code;
		StringInfoData why;

		if (ok == NULL || ok->type != jbvBool || ok->val.boolean)
			continue;
		code = object_key(c, "productCode");
		initStringInfo(&why);
		collect_strings(&why, object_key(c, "error"), 0);
		if (buf.len > 0)
			appendStringInfoString(&buf, "; ");
		if (code && code->type == jbvString)
			appendStringInfo(&buf, "%.*s: ", code->val.string.len, code->val.string.val);
		appendStringInfoString(&buf, why.len > 0 ? why.data : "failed");
	}
	return buf.len > 0 ? buf.data : NULL;
}
