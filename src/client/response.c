/*
 * src/client/response.c
 *		Reading the API's answers: is the body text, is it JSON, the three
 *		success envelopes, the business code and the API's messages.  What an
 *		answer *means* (success, which error, retry or not) is decided in
 *		outcome.c.
 *
 * docs/api.md, Envelopes: envelope A is {"status":{"code":"1000",...},
 * "data":...} with the code as a string (or, in some clients, a number);
 * envelope B is {"data":...,"statusCode":1000,"httpStatusCode":200}; envelope
 * C wraps the entity once more as {"data":{"value":...}}.  Error bodies are
 * not documented beyond their messages, so every usual place for a message
 * is read: messages[], message, status.description, errors (a list, or an
 * ASP.NET {"field":["..."]} object), error_description and error.
 *
 * Invariants, so that a hostile answer can neither blow memory nor put bad
 * bytes in the database nor raise a foreign SQLSTATE:
 *	 - the body is checked before anything else reads it: no NUL byte, valid
 *	   UTF-8 (then converted to the server encoding, where it must fit), at most
 *	   gofive.max_response_size bytes (http.c stops the download there);
 *	 - the envelope is read in one streaming pass (pg_parse_json with our
 *	   semantic actions): it keeps the business code, the messages (capped)
 *	   and where the data lies in the body;
 *	 - an answer of at most GOFIVE_PIECE_BYTES is turned into a jsonb tree in
 *	   that same pass, as jsonb_in would (the same values pushed in the same
 *	   order), and its data written out as jsonb at the end: one lexing of
 *	   the text, not two.  A larger one becomes jsonb only if a caller asks
 *	   (gofive_outcome_data / gofive_outcome_body), and then only the data,
 *	   parsed in place, piece by piece;
 *	 - nesting deeper than MAX_DEPTH is found before the pass, and a number
 *	   that numeric cannot hold before it reaches numeric_in, so neither way
 *	   to jsonb can fail on them.
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/namespace.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "client.h"
#include "gofive.h"

#define MAX_DEPTH			1000	/* far below what the stack allows */
#define MAX_NUMBER_DIGITS	1000	/* numeric holds more; the API sends less */
#define MAX_EXPONENT		1000	/* numeric_in's own limit */
#define MESSAGE_MAX_BYTES	4000	/* per message field */
#define MESSAGE_MAX_DEPTH	4

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

/* ---- the streaming pass over the envelope ---- */

/* The top-level fields we read; the message fields first, in message order. */
typedef enum RootField
{
	F_MESSAGES,
	F_MESSAGE,
	F_STATUS_DESCRIPTION,		/* status.description */
	F_ERRORS,
	F_ERROR_DESCRIPTION,
	F_ERROR,
	F_TITLE,
	N_MESSAGE_FIELDS,
	F_STATUS = N_MESSAGE_FIELDS,
	F_DATA,
	F_STATUS_CODE,				/* statusCode */
	F_HTTP_STATUS_CODE,
	F_OTHER
} RootField;

static const char *const root_names[] = {
	"messages", "message", NULL, "errors", "error_description", "error", "title",
	"status", "data", "statusCode", "httpStatusCode"
};

typedef enum SubField
{
	SUB_OTHER,
	SUB_CODE,					/* status.code */
	SUB_DESCRIPTION,			/* status.description */
	SUB_VALUE					/* data.value (envelope C) */
} SubField;

typedef struct Scan
{
	JsonLexContext *lex;
	char	   *base;
	char		root_kind;		/* 'o', 'a', 's' */
	RootField	field;			/* the current top-level field */
	SubField	sub;			/* the current field of status or data */
	bool		bad_number;
	char	   *status_code;	/* status.code's text, or NULL */
	char	   *statuscode;		/* statusCode's text, or NULL */
	bool		has_http_status_code;
	bool		has_data;
	size_t		data_start,
				data_end;
	bool		data_is_object;
	int			data_fields;
	int			data_known;		/* statusCode/httpStatusCode beside value */
	bool		has_value;
	size_t		value_start,
				value_end;
	StringInfoData msg[N_MESSAGE_FIELDS];	/* data NULL until a message */
	/* the answer as a jsonb tree (small answers only: build) */
	bool		build;
	JsonbParseState *tree_state;
	JsonbValue *tree;			/* the root, once closed */
} Scan;

static RootField
root_field(const char *name)
{
	for (int i = 0; i < (int) lengthof(root_names); i++)
		if (root_names[i] && strcmp(root_names[i], name) == 0)
			return (RootField) i;
	return F_OTHER;
}

/* ---- the tree, pushed as jsonb_in's semantic actions push it ---- */

static void
tree_close(Scan *s, JsonbIteratorToken token)
{
	JsonbValue *closed = pushJsonbValue(&s->tree_state, token, NULL);

	if (s->tree_state == NULL)
		s->tree = closed;
}

/*
 * A JSON number as numeric_in reads it.  A whole number of up to 18 digits
 * (ids, quantities: most of what the API sends) is converted from an int64,
 * which gives the same numeric for a fraction of numeric_in's work.
 */
static Numeric
number_value(const char *token)
{
	const char *digits = token + (*token == '-');
	size_t		len = strlen(digits);

	if (len <= 18 && strspn(digits, "0123456789") == len)
		return int64_to_numeric(strtoi64(token, NULL, 10));
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(token),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* A scalar from the lexer's token (a number already checked by number_fits). */
static void
tree_scalar(Scan *s, char *token, JsonTokenType type)
{
	JsonbValue	v;

	switch (type)
	{
		case JSON_TOKEN_STRING:
			v.type = jbvString;
			v.val.string.len = strlen(token);	/* at most GOFIVE_PIECE_BYTES */
			v.val.string.val = token;
			break;
		case JSON_TOKEN_NUMBER:
			v.type = jbvNumeric;
			v.val.numeric = number_value(token);
			break;
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			v.type = jbvBool;
			v.val.boolean = (type == JSON_TOKEN_TRUE);
			break;
		default:
			v.type = jbvNull;
			break;
	}
	if (s->tree_state == NULL)
	{
		/* the whole answer is a scalar: jsonb's raw scalar, a one-element array */
		JsonbValue	array;

		array.type = jbvArray;
		array.val.array.rawScalar = true;
		array.val.array.nElems = 1;
		pushJsonbValue(&s->tree_state, WJB_BEGIN_ARRAY, &array);
		pushJsonbValue(&s->tree_state, WJB_ELEM, &v);
		tree_close(s, WJB_END_ARRAY);
	}
	else
		pushJsonbValue(&s->tree_state,
					   s->tree_state->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE, &v);
}

/* An object's member in the tree, the last of that name (as jsonb keeps it). */
static JsonbValue *
tree_member(JsonbValue *object, const char *name)
{
	int			len = strlen(name);

	if (object == NULL || object->type != jbvObject)
		return NULL;
	for (int i = 0; i < object->val.object.nPairs; i++)
	{
		JsonbPair  *pair = &object->val.object.pairs[i];

		if (pair->key.val.string.len == len && memcmp(pair->key.val.string.val, name, len) == 0)
			return &pair->value;
	}
	return NULL;
}

/* ---- the semantic actions ---- */

static void
scan_object_start(void *state)
{
	Scan	   *s = state;

	if (s->lex->lex_level == 0)
		s->root_kind = 'o';
	else if (s->lex->lex_level == 1 && s->field == F_DATA)
		s->data_is_object = true;
	if (s->build)
		pushJsonbValue(&s->tree_state, WJB_BEGIN_OBJECT, NULL);
}

static void
scan_object_end(void *state)
{
	Scan	   *s = state;

	if (s->build)
		tree_close(s, WJB_END_OBJECT);
}

static void
scan_array_start(void *state)
{
	Scan	   *s = state;

	if (s->lex->lex_level == 0)
		s->root_kind = 'a';
	if (s->build)
		pushJsonbValue(&s->tree_state, WJB_BEGIN_ARRAY, NULL);
}

static void
scan_array_end(void *state)
{
	Scan	   *s = state;

	if (s->build)
		tree_close(s, WJB_END_ARRAY);
}

static void
scan_field_start(void *state, char *fname, bool isnull)
{
	Scan	   *s = state;
	int			level = s->lex->lex_level;

	if (s->build)
	{
		JsonbValue	key;

		key.type = jbvString;
		key.val.string.len = strlen(fname);
		key.val.string.val = fname;
		pushJsonbValue(&s->tree_state, WJB_KEY, &key);
	}
	if (level == 1)
	{
		s->field = root_field(fname);
		s->sub = SUB_OTHER;
		if (s->field == F_DATA)
		{
			s->has_data = true;
			s->data_start = s->lex->token_start - s->base;
			s->data_is_object = false;
			s->data_fields = s->data_known = 0;
			s->has_value = false;
		}
		else if (s->field == F_HTTP_STATUS_CODE)
			s->has_http_status_code = true;
	}
	else if (level == 2 && s->field == F_STATUS)
		s->sub = strcmp(fname, "code") == 0 ? SUB_CODE :
			strcmp(fname, "description") == 0 ? SUB_DESCRIPTION : SUB_OTHER;
	else if (level == 2 && s->field == F_DATA && s->data_is_object)
	{
		s->data_fields++;
		s->sub = SUB_OTHER;
		if (strcmp(fname, "value") == 0)
		{
			s->sub = SUB_VALUE;
			s->has_value = true;
			s->value_start = s->lex->token_start - s->base;
		}
		else if (strcmp(fname, "statusCode") == 0 || strcmp(fname, "httpStatusCode") == 0)
			s->data_known++;
	}
}

static void
scan_field_end(void *state, char *fname, bool isnull)
{
	Scan	   *s = state;
	int			level = s->lex->lex_level;

	if (level == 1)
	{
		if (s->field == F_DATA)
			s->data_end = s->lex->prev_token_terminator - s->base;
		s->field = F_OTHER;
	}
	else if (level == 2)
	{
		if (s->field == F_DATA && s->sub == SUB_VALUE)
			s->value_end = s->lex->prev_token_terminator - s->base;
		s->sub = SUB_OTHER;
	}
	if (fname && !s->build)		/* the tree holds it */
		pfree(fname);
}

/*
 * A number numeric_in can take: at most MAX_NUMBER_DIGITS digits and an
 * exponent within MAX_EXPONENT (the JSON lexer has checked the syntax).
 */
static bool
number_fits(const char *token)
{
	int			digits = 0;
	const char *p = token;

	for (; *p && *p != 'e' && *p != 'E'; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	if (digits > MAX_NUMBER_DIGITS)
		return false;
	if (*p)
	{
		long		exponent = 0;

		p++;
		if (*p == '+' || *p == '-')
			p++;
		for (; *p; p++)
			if ((exponent = exponent * 10 + (*p - '0')) > MAX_EXPONENT)
				return false;
	}
	return true;
}

/* Append a message string, capped at MESSAGE_MAX_BYTES (on a character boundary). */
static void
append_message(StringInfo buf, const char *s)
{
	int			len = strlen(s);
	int			room = MESSAGE_MAX_BYTES - buf->len - 2;

	if (len == 0 || room <= 0)
		return;
	if (len > room)
		len = pg_mbcliplen(s, len, room);
	if (buf->data == NULL)
		initStringInfo(buf);
	if (buf->len > 0)
		appendStringInfoString(buf, "; ");
	appendBinaryStringInfo(buf, s, len);
}

static void
scan_scalar(void *state, char *token, JsonTokenType type)
{
	Scan	   *s = state;
	int			level = s->lex->lex_level;
	bool		keep = false;

	if (level == 0)
		s->root_kind = 's';
	if (type == JSON_TOKEN_NUMBER && !number_fits(token))
	{
		s->bad_number = true;
		s->build = false;		/* numeric_in would refuse it */
	}
	if (s->build)
	{
		tree_scalar(s, token, type);
		keep = true;			/* the tree holds it */
	}

	if (level == 1 && s->field == F_STATUS_CODE && type != JSON_TOKEN_NULL)
		s->statuscode = token, keep = true;
	else if (level == 2 && s->field == F_STATUS && s->sub == SUB_CODE && type != JSON_TOKEN_NULL)
		s->status_code = token, keep = true;
	else if (type == JSON_TOKEN_STRING)
	{
		if (s->field < N_MESSAGE_FIELDS && level - 1 <= MESSAGE_MAX_DEPTH)
			append_message(&s->msg[s->field], token);
		else if (s->field == F_STATUS && s->sub == SUB_DESCRIPTION &&
				 level - 2 <= MESSAGE_MAX_DEPTH)
			append_message(&s->msg[F_STATUS_DESCRIPTION], token);
	}
	if (!keep)
		pfree(token);
}

/* Nesting deeper than limit, counted without parsing (a parser would recurse). */
static bool
too_deep(const char *text, size_t len, int limit)
{
	int			depth = 0;
	bool		in_string = false;

	for (size_t i = 0; i < len; i++)
	{
		char		c = text[i];

		if (in_string)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		}
		else if (c == '"')
			in_string = true;
		else if (c == '[' || c == '{')
		{
			if (++depth > limit)
				return true;
		}
		else if (c == ']' || c == '}')
			depth--;
	}
	return false;
}

/*
 * A business code's text as a number: >= 0, or -1 when it is not a whole
 * number (a string such as "E01", "1000.0", or out of range).
 */
static int
code_number(const char *text)
{
	char	   *end;
	long		n;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > INT_MAX)
		return -1;
	return (int) n;
}

static void
set_code(GofiveOutcome *out, const char *text)
{
	out->business_code = code_number(text);
	if (out->business_code < 0)
	{
		/* shown in messages: keep it short */
		int			len = strlen(text);

		out->bad_code = pnstrdup(text, len > 40 ? pg_mbcliplen(text, len, 40) : len);
	}
}

/* The business code: status.code, else statusCode unless it only echoes HTTP. */
static void
read_code(GofiveOutcome *out, Scan *s)
{
	if (s->status_code)
		set_code(out, s->status_code);
	else if (s->statuscode &&
			 !(s->has_http_status_code == false &&
			   code_number(s->statuscode) == (int) out->http_status))
		set_code(out, s->statuscode);
}

static char *
join_messages(Scan *s, int business_code)
{
	StringInfoData buf = {0};

	for (int f = 0; f < N_MESSAGE_FIELDS; f++)
	{
		if (f == F_STATUS_DESCRIPTION && business_code == GOFIVE_CODE_SUCCESS)
			continue;
		if ((f == F_ERROR || f == F_TITLE) && buf.len > 0)
			break;				/* read only when nothing else was */
		if (s->msg[f].len == 0)
			continue;
		if (buf.data == NULL)
			initStringInfo(&buf);
		else
			appendStringInfoString(&buf, "; ");
		appendBinaryStringInfo(&buf, s->msg[f].data, s->msg[f].len);
	}
	return buf.len > 0 ? buf.data : NULL;
}

static void
unreadable(GofiveOutcome *out, const char *why)
{
	out->reading = GOFIVE_READ_BAD;
	out->unreadable = why;
}

/* The JSON pass: the envelope into *out; not JSON or malformed noted. */
static void
scan_json(GofiveOutcome *out)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "gofive answer",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	JsonSemAction sem = {0};
	Scan		s = {0};
	JsonParseErrorType rc;

	s.base = out->raw;
	s.field = F_OTHER;
	s.build = (out->raw_len <= GOFIVE_PIECE_BYTES);
	s.lex = makeJsonLexContextCstringLen(out->raw, (int) out->raw_len,
										 GetDatabaseEncoding(), true);
	sem.semstate = &s;
	sem.object_start = scan_object_start;
	sem.object_end = scan_object_end;
	sem.array_start = scan_array_start;
	sem.array_end = scan_array_end;
	sem.object_field_start = scan_field_start;
	sem.object_field_end = scan_field_end;
	sem.scalar = scan_scalar;
	rc = pg_parse_json(s.lex, &sem);
	MemoryContextSwitchTo(old);

	if (rc == JSON_UNICODE_CODE_POINT_ZERO || rc == JSON_UNICODE_ESCAPE_FORMAT ||
		rc == JSON_UNICODE_HIGH_ESCAPE || rc == JSON_UNICODE_HIGH_SURROGATE ||
		rc == JSON_UNICODE_LOW_SURROGATE)
		unreadable(out, pstrdup(json_errdetail(rc, s.lex)));
	else if (rc != JSON_SUCCESS)
		out->reading = GOFIVE_READ_TEXT;
	else if (s.bad_number)
		unreadable(out, "it holds a number out of range");
	else
	{
		JsonbValue *data = s.tree;

		out->reading = GOFIVE_READ_JSON;
		out->data_start = 0;
		out->data_end = out->raw_len;
		if (s.root_kind == 'o')
		{
			read_code(out, &s);
			out->messages = join_messages(&s, out->business_code);
			if (s.has_data && s.data_is_object && s.has_value &&
				s.data_fields == 1 + s.data_known)
			{
				out->data_start = s.value_start, out->data_end = s.value_end;
				data = tree_member(tree_member(s.tree, "data"), "value");
			}
			else if (s.has_data)
			{
				out->data_start = s.data_start, out->data_end = s.data_end;
				data = tree_member(s.tree, "data");
			}
		}
		if (s.build && data != NULL)
			out->data = JsonbValueToJsonb(data);
	}
	MemoryContextDelete(cxt);
}

/*
 * Convert the (valid UTF-8) answer to the server encoding, in chunks so
 * that an unconvertible character is a finding, not an error; false (and
 * the answer unreadable) when one cannot be represented.  SQL_ASCII takes
 * the bytes as they are, as PostgreSQL does.
 */
static bool
to_server_encoding(GofiveOutcome *out)
{
	int			server = GetDatabaseEncoding();
	Oid			proc;
	StringInfoData buf;
	size_t		done = 0;

	if (server == PG_UTF8 || server == PG_SQL_ASCII)
		return true;
	proc = FindDefaultConversionProc(PG_UTF8, server);
	if (!OidIsValid(proc))
	{
		unreadable(out, psprintf("there is no conversion from UTF8 to the server encoding %s",
								 GetDatabaseEncodingName()));
		return false;
	}
	initStringInfo(&buf);
	while (done < out->raw_len)
	{
		int			chunk = pg_encoding_mbcliplen(PG_UTF8, out->raw + done,
												  (int) Min(out->raw_len - done, (size_t) 65536),
												  65536);
		int			converted;

		enlargeStringInfo(&buf, chunk * MAX_CONVERSION_GROWTH + 1);
		converted = pg_do_encoding_conversion_buf(proc, PG_UTF8, server,
												  (unsigned char *) out->raw + done, chunk,
												  (unsigned char *) buf.data + buf.len,
												  buf.maxlen - buf.len, true);
		buf.len += strlen(buf.data + buf.len);
		if (converted < chunk)
		{
			pfree(buf.data);
			unreadable(out, psprintf("it holds characters the server encoding %s cannot represent",
									 GetDatabaseEncodingName()));
			return false;
		}
		done += chunk;
	}
	out->raw = buf.data;
	out->raw_len = buf.len;
	return true;
}

/*
 * Read an answer into *out: check the text, read the envelope.  Raises
 * nothing for what the API sent: an unreadable answer is noted in
 * out->reading and out->unreadable, for outcome.c to judge.
 */
void
gofive_read_answer(GofiveHttpResponse *resp, GofiveOutcome *out)
{
	memset(out, 0, sizeof(*out));
	out->http_status = resp->status;
	out->raw = resp->body.data;
	out->raw_len = resp->body.len;
	out->retry_after = resp->retry_after;
	out->business_code = -1;
	out->reading = GOFIVE_READ_EMPTY;

	if (resp->too_large)
	{
		out->too_large = true;
		unreadable(out, psprintf("it is larger than gofive.max_response_size (%d bytes)",
								 gofive_max_response_size));
		return;
	}
	if (out->raw_len == 0)
		return;
	if (memchr(out->raw, '\0', out->raw_len) != NULL)
	{
		unreadable(out, "it contains a NUL byte");
		return;
	}
	if (!pg_verify_mbstr(PG_UTF8, out->raw, (int) out->raw_len, true))
	{
		unreadable(out, "it is not valid UTF-8");
		return;
	}
	if (!to_server_encoding(out))
		return;
	out->text_ok = true;
	if (too_deep(out->raw, out->raw_len, MAX_DEPTH))
	{
		unreadable(out, psprintf("it is nested deeper than %d levels", MAX_DEPTH));
		return;
	}
	scan_json(out);
}

/* JSON text [start, end) of the answer as jsonb (large ones piece by piece). */
static Jsonb *
jsonb_of_range(GofiveOutcome *out, size_t start, size_t end)
{
	return gofive_jsonb_from_text(out->raw, start, end);
}

/* The envelope's data as jsonb (envelope C's value unwrapped); NULL if not JSON. */
Jsonb *
gofive_outcome_data(GofiveOutcome *out)
{
	if (out->data == NULL && out->reading == GOFIVE_READ_JSON)
		out->data = jsonb_of_range(out, out->data_start, out->data_end);
	return out->data;
}

/* The whole answer as jsonb; NULL if not JSON. */
Jsonb *
gofive_outcome_body(GofiveOutcome *out)
{
	if (out->reading != GOFIVE_READ_JSON)
		return NULL;
	if (out->data_start == 0 && out->data_end == out->raw_len)
		return gofive_outcome_data(out);
	return jsonb_of_range(out, 0, out->raw_len);
}

/* ---- Update Product Stock's items ---- */

static JsonbValue *
object_key(JsonbContainer *container, const char *key)
{
	if (container == NULL || !JsonContainerIsObject(container))
		return NULL;
	return getKeyJsonValueFromContainer(container, key, strlen(key), NULL);
}

/* Collect every string in v (recursively through arrays and objects). */
static void
collect_strings(StringInfo buf, JsonbValue *v, int depth)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;

	if (v == NULL || depth > MESSAGE_MAX_DEPTH)
		return;
	if (v->type == jbvString)
	{
		if (buf->len > 0)
			appendStringInfoString(buf, "; ");
		appendBinaryStringInfo(buf, v->val.string.val, v->val.string.len);
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
		JsonbContainer *c = (item && item->type == jbvBinary) ? item->val.binary.data : NULL;
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
