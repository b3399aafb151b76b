/*
 * src/convert/validate.c
 *		The one conversion of a request body, before anything is sent or
 *		queued: every value turned into the form its field documents
 *		(convert.c) and checked against the operation's documented fields.
 *		The typed functions, gofive_enqueue, gofive_enqueue_request (for a
 *		path of the catalog), the trigger and the foreign tables all build
 *		their requests through gofive_make_call(), which calls it.
 *
 * What is checked: required fields (some only when a sibling is not
 * given), that a required string or array is not empty, JSON types, array
 * element types, enum values and ranges (some narrowed by a sibling's
 * value), recursively through nested objects and arrays of objects; a key
 * that is no documented field (by default an error, with the field it
 * nearly is; gofive.unknown_fields).  What is converted: an integral number
 * for an integer field becomes an integer (150000.00 -> 150000), a date or
 * time for a date field is written in its documented form, and a null for
 * a field that is not nullable is left out (one rule for SQL NULL and JSON
 * null on every path: null is sent where the documentation allows it,
 * and the field is absent otherwise).
 *
 * Every problem is collected, by the field's full name (e.g.
 * "contractService.frequency"), in the catalog's field order with a nested
 * field right after its parent and unknown keys after the fields of their
 * object; one ERRCODE_GOFIVE_INVALID_INPUT error reports them all: its
 * message is the problem itself when there is one, "N problems in the
 * payload" with one DETAIL line per problem when there are several.  A
 * trigger's problems also name the column that gave the value.
 *
 * Invariant: a body with nothing to convert comes back as the same Jsonb;
 * a new one is built only when a value changes or a null is left out.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/varlena.h"

#include "convert.h"
#include "gofive.h"

/* At most this many problems are listed; the count covers them all. */
#define MAX_LISTED_PROBLEMS 50

/* The widest object of the catalog has fewer fields than this. */
#define MAX_FIELDS 64

/*
 * A value's place in the body, as a chain to the root, made into text
 * ("contractService.frequency", "products[0].productName", "[2].qty") only
 * when a message needs it.
 */
typedef struct Place
{
	const struct Place *parent;
	const char *name;			/* a member's key, or NULL for an element */
	int			name_len;
	int			index;			/* an element's index */
} Place;

static void
append_place(StringInfo s, const Place *p)
{
	if (p == NULL)
		return;
	append_place(s, p->parent);
	if (p->name)
		appendStringInfo(s, "%s%.*s", s->len ? "." : "", p->name_len, p->name);
	else
		appendStringInfo(s, "[%d]", p->index);
}

static char *
place_text(const Place *p)
{
	StringInfoData s;

	initStringInfo(&s);
	append_place(&s, p);
	return s.data;
}

/* The state of one conversion. */
typedef struct Walk
{
	const GofiveOperation *op;
	const GofiveSources *sources;
	bool		changed;		/* a value is sent in another form, or left out */
	int			count;			/* problems */
	char	   *first;			/* the first problem, lower case */
	const char *first_hint;
	StringInfoData detail;		/* one sentence per problem, a line each */
	List	   *warnings;		/* unknown fields sent (gofive.unknown_fields = warning) */
	JsonbValue *result;			/* the second pass: the body built */
} Walk;

/* Note one problem about the value at place: 'field "path" <what>'. */
static void
add_problem(Walk *w, const Place *place, const char *hint, const char *what)
{
	char	   *path = place_text(place);
	const char *column = w->sources ? w->sources->column_of(w->sources->arg, path) : NULL;
	char	   *text;
	size_t		len;

	text = column ? psprintf("field \"%s\" (column \"%s\") %s", path, column, what)
		: psprintf("field \"%s\" %s", path, what);
	if (w->count == 0)
	{
		w->first = text;
		w->first_hint = hint;
	}
	if (w->count < MAX_LISTED_PROBLEMS)
	{
		/* a sentence each; one that ends with a question needs no period */
		len = strlen(text);
		appendStringInfo(&w->detail, "%s%c%s%s", w->count ? "\n" : "",
						 pg_toupper((unsigned char) text[0]), text + 1,
						 len >= 2 && strcmp(text + len - 2, "?)") == 0 ? "" : ".");
	}
	w->count++;
}

/* End a container when emitting; the root's end is the body built. */
static void
emit_end(Walk *w, JsonbParseState **emit, JsonbIteratorToken token)
{
	JsonbValue *built = pushJsonbValue(emit, token, NULL);

	if (*emit == NULL)
		w->result = built;
}

static void walk_object(Walk *w, const GofiveField *fields, JsonbContainer *obj,
						const Place *place, JsonbParseState **emit);
static bool walk_value(Walk *w, const GofiveField *f, const JsonbValue *v, bool required,
					   const Place *place, JsonbParseState **emit, JsonbIteratorToken token);

/* Push a value (a scalar, or a container as it is) when emitting. */
static void
emit_as_is(JsonbParseState **emit, JsonbIteratorToken token, const JsonbValue *v)
{
	if (emit)
		(void) pushJsonbValue(emit, token, unconstify(JsonbValue *, v));
}

/*
 * A number as a long, for enum and range checks; a number beyond int64 is
 * clamped (it then matches no enum value and is outside any range) rather
 * than raising numeric_int8's out-of-range error.
 */
static long
numeric_to_long(Numeric num)
{
	Datum		n = NumericGetDatum(num);

	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(PG_INT64_MAX)))) > 0)
		return (long) PG_INT64_MAX;
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(PG_INT64_MIN)))) < 0)
		return (long) PG_INT64_MIN;
	return (long) DatumGetInt64(DirectFunctionCall1(numeric_int8, n));
}

/* A whole number (10 and 10.0; not 10.5). */
static bool
numeric_is_whole(Numeric num)
{
	Datum		n = NumericGetDatum(num);

	if (DatumGetInt32(DirectFunctionCall1(numeric_scale, n)) == 0)
		return true;
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
											 DirectFunctionCall2(numeric_trunc, n, Int32GetDatum(0)))) == 0;
}

/* Check a value's enum and range; false when it is outside them. */
static bool
check_enum(Walk *w, const GofiveField *f, const Place *place, const JsonbValue *v)
{
	StringInfoData allowed;

	if (f->enum_values && v->type == jbvNumeric)
	{
		long		n = numeric_to_long(v->val.numeric);

		for (const long *e = f->enum_values; *e != GOFIVE_ENUM_END; e++)
			if (*e == n)
				return true;
		initStringInfo(&allowed);
		for (const long *e = f->enum_values; *e != GOFIVE_ENUM_END; e++)
			appendStringInfo(&allowed, "%s%ld", e == f->enum_values ? "" : ", ", *e);
		add_problem(w, place, NULL, psprintf("must be one of %s, not %ld", allowed.data, n));
		return false;
	}
	if (f->enum_text && v->type == jbvString)
	{
		for (const char *const *e = f->enum_text; *e; e++)
			if (strlen(*e) == (size_t) v->val.string.len &&
				strncmp(*e, v->val.string.val, v->val.string.len) == 0)
				return true;
		initStringInfo(&allowed);
		for (const char *const *e = f->enum_text; *e; e++)
			appendStringInfo(&allowed, "%s\"%s\"", e == f->enum_text ? "" : ", ", *e);
		add_problem(w, place, NULL, psprintf("must be one of %s, not \"%.*s\"", allowed.data,
											 v->val.string.len, v->val.string.val));
		return false;
	}
	if (f->min_value < f->max_value && v->type == jbvNumeric)
	{
		long		n = numeric_to_long(v->val.numeric);

		if (n < f->min_value || n > f->max_value)
		{
			add_problem(w, place, NULL, psprintf("must be between %ld and %ld, not %ld",
												 f->min_value, f->max_value, n));
			return false;
		}
	}
	return true;
}

/*
 * A scalar for a field (or an array's element, of type type): converted,
 * checked, and emitted; false when it cannot be sent.
 */
static bool
walk_scalar(Walk *w, const GofiveField *f, GofiveJsonType type, bool element, const JsonbValue *v,
			bool required, const Place *place, JsonbParseState **emit, JsonbIteratorToken token)
{
	JsonbValue	out;
	GofiveWireProblem problem;
	GofiveWire	result;

	result = gofive_wire_scalar(type, element ? GOFIVE_DATE_NONE : f->date_format,
								element ? GOFIVE_DATE_NONE : f->date_also, required, v, &out, &problem);
	if (result == GOFIVE_WIRE_BAD)
	{
		add_problem(w, place, problem.hint, problem.text);
		return false;
	}
	if (result == GOFIVE_WIRE_CHANGED)
		w->changed = true;
	if (!element && !check_enum(w, f, place, &out))
		return false;
	emit_as_is(emit, token, &out);
	return true;
}

/* One array's elements: the field's item type, and children of object items. */
static void
walk_items(Walk *w, const GofiveField *f, JsonbContainer *arr, bool required, const Place *place,
		   JsonbParseState **emit)
{
	int			n = JsonContainerSize(arr);

	if (required && n == 0)
		add_problem(w, place, NULL, "must not be empty");
	if (emit)
		(void) pushJsonbValue(emit, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(arr, i);
		Place		item_place = {.parent = place, .index = i};

		if (item->type == jbvBinary)
		{
			bool		is_object = JsonContainerIsObject(item->val.binary.data);

			if (f->item_type == GOFIVE_ANY || (f->item_type == GOFIVE_ARRAY && !is_object))
				emit_as_is(emit, WJB_ELEM, item);
			else if (f->item_type == GOFIVE_OBJECT && is_object)
			{
				if (f->children)
					walk_object(w, f->children, item->val.binary.data, &item_place, emit);
				else
					emit_as_is(emit, WJB_ELEM, item);
			}
			else
				add_problem(w, &item_place, NULL, gofive_type_problem(f->item_type, item));
		}
		else
			(void) walk_scalar(w, f, f->item_type, true, item, required, &item_place, emit, WJB_ELEM);
	}
	if (emit)
		emit_end(w, emit, WJB_END_ARRAY);
}

/*
 * A present, non-null value for a field: converted, checked, emitted;
 * false when its own type or value is wrong (not counting its contents').
 */
static bool
walk_value(Walk *w, const GofiveField *f, const JsonbValue *v, bool required, const Place *place,
		   JsonbParseState **emit, JsonbIteratorToken token)
{
	if (f->type == GOFIVE_ARRAY || f->type == GOFIVE_OBJECT)
	{
		bool		is_array = v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
		bool		is_object = v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);

		if (f->type == GOFIVE_ARRAY && is_array)
			walk_items(w, f, v->val.binary.data, required, place, emit);
		else if (f->type == GOFIVE_OBJECT && is_object && f->children)
			walk_object(w, f->children, v->val.binary.data, place, emit);
		else if (f->type == GOFIVE_OBJECT && is_object)
			emit_as_is(emit, token, v);
		else
		{
			add_problem(w, place, NULL, gofive_type_problem(f->type, v));
			return false;
		}
		return true;
	}
	if (v->type != jbvBinary)
		return walk_scalar(w, f, f->type, false, v, required, place, emit, token);
	if (f->type == GOFIVE_ANY)
	{
		emit_as_is(emit, token, v);
		return true;
	}
	add_problem(w, place, NULL, gofive_type_problem(f->type, v));
	return false;
}

/* Given: present, not null, not an empty array or string. */
static bool
is_given(const JsonbValue *v)
{
	if (v == NULL || v->type == jbvNull)
		return false;
	if (v->type == jbvString)
		return v->val.string.len > 0;
	return !(v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data) &&
			 JsonContainerSize(v->val.binary.data) == 0);
}

static void
add_required(Walk *w, const GofiveField *fields, const GofiveField *f, const Place *place)
{
	const GofiveField *sibling;

	if (f->required_unless == NULL)
	{
		add_problem(w, place, NULL, "is required");
		return;
	}
	sibling = gofive_find_field(fields, f->required_unless);
	add_problem(w, place, NULL,
				psprintf("is required when \"%s\" is %s", f->required_unless,
						 sibling && sibling->type == GOFIVE_ARRAY ? "null, absent or empty" :
						 "null or absent"));
}

/* The narrower range that a sibling's value selects ("Point" by "SourceType"). */
static void
check_ranges_when(Walk *w, const GofiveField *f, const GofiveField *fields, JsonbValue **given,
				  const JsonbValue *v, const Place *place)
{
	long		n;

	if (f->ranges_when == NULL || v->type != jbvNumeric)
		return;
	n = numeric_to_long(v->val.numeric);
	for (const GofiveRangeWhen *r = f->ranges_when; r->sibling; r++)
	{
		const JsonbValue *s = NULL;

		for (int i = 0; fields[i].name; i++)
			if (strcmp(fields[i].name, r->sibling) == 0)
				s = given[i];
		if (s == NULL || s->type != jbvNumeric || !numeric_is_whole(s->val.numeric) ||
			numeric_to_long(s->val.numeric) != r->equals)
			continue;
		if (n < r->min_value || n > r->max_value)
			add_problem(w, place, NULL,
						psprintf("must be between %ld and %ld when \"%s\" is %ld, not %ld",
								 r->min_value, r->max_value, r->sibling, r->equals, n));
	}
}

static char *
ascii_lower(const char *s, int len)
{
	char	   *l = palloc(len + 1);

	for (int i = 0; i < len; i++)
		l[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + ('a' - 'A') : s[i];
	l[len] = '\0';
	return l;
}

/*
 * The field a key nearly is, or NULL: the same letters in another case, or
 * one letter off (two for a name of 5 letters or more): "dealname",
 * "agreementNotes", "cancelAllOrder" (two letters swapped).
 */
static const char *
near_name(const GofiveField *fields, const char *key, int len)
{
	char	   *lkey = ascii_lower(key, len);
	int			best = (len < 5) ? 1 : 2;
	const char *found = NULL;

	for (const GofiveField *f = fields; f->name; f++)
	{
		int			nlen = strlen(f->name);
		char	   *lname = ascii_lower(f->name, nlen);
		int			d = varstr_levenshtein_less_equal(lkey, len, lname, nlen,
													  1, 1, 1, best, true);

		if (d <= best && (found == NULL || d < best))
		{
			found = f->name;
			best = d;
		}
	}
	return found;
}

/*
 * Whether a key of an object of these fields is one gofive.unknown_fields
 * governs: no field of a complete list, or nearly a field of any list.
 * *near is the field it nearly is, or NULL.  (The trigger's mapping is
 * checked with it when the trigger is made, trigger_check.c.)
 */
bool
gofive_is_unknown_field(const GofiveField *fields, const char *key, int len, const char **near)
{
	if (gofive_find_field_n(fields, key, len))
	{
		*near = NULL;
		return false;
	}
	*near = near_name(fields, key, len);
	return *near != NULL || gofive_fields_complete(fields);
}

/*
 * A key of an object that is none of its documented fields: by
 * gofive.unknown_fields, a problem, a warning or nothing.  Where the
 * documentation shows more fields than the catalog has, only a key that
 * nearly is a known one counts (it is a typo, or one of those the setting
 * lets through).
 */
static void
unknown_key(Walk *w, const GofiveField *fields, const JsonbValue *key, const Place *place)
{
	const char *near;
	Place		key_place = {.parent = place, .name = key->val.string.val,
	.name_len = key->val.string.len};
	char	   *what;

	if (gofive_unknown_fields == GOFIVE_UNKNOWN_SEND ||
		!gofive_is_unknown_field(fields, key->val.string.val, key->val.string.len, &near))
		return;
	what = near ? psprintf("is not a field of %s (did you mean \"%s\"?)", w->op->title, near)
		: psprintf("is not a field of %s", w->op->title);
	if (gofive_unknown_fields == GOFIVE_UNKNOWN_WARNING)
		w->warnings = lappend(w->warnings, psprintf("field \"%s\" %s", place_text(&key_place), what));
	else
		add_problem(w, &key_place,
					"The fields of each operation are in the view gofive.operation_fields; "
					"SET gofive.unknown_fields = 'send' sends a field the catalog does not know.",
					what);
}

/*
 * One object: first its documented fields in the catalog's order, then
 * the keys that are none of them.  When emitting, its members in their
 * order, each converted, a null left out where the field is not nullable.
 */
static void
walk_object(Walk *w, const GofiveField *fields, JsonbContainer *obj, const Place *place,
			JsonbParseState **emit)
{
	int			nfields = 0;
	int			npairs = JsonContainerSize(obj);
	JsonbValue *given[MAX_FIELDS];
	JsonbValue *keys = palloc(sizeof(JsonbValue) * Max(npairs, 1));
	JsonbValue *values = palloc(sizeof(JsonbValue) * Max(npairs, 1));
	int		   *field_of = palloc(sizeof(int) * Max(npairs, 1));
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			n = 0;

	while (fields[nfields].name)
		nfields++;
	if (nfields > MAX_FIELDS)
		elog(ERROR, "too many fields in a catalog object");
	memset(given, 0, sizeof(JsonbValue *) * nfields);

	/* the members, each with its field (-1: none) */
	it = JsonbIteratorInit(obj);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			keys[n] = v;
			field_of[n] = -1;
			for (int f = 0; f < nfields; f++)
				if (strlen(fields[f].name) == (size_t) v.val.string.len &&
					memcmp(fields[f].name, v.val.string.val, v.val.string.len) == 0)
					field_of[n] = f;
		}
		else if (tok == WJB_VALUE)
		{
			values[n] = v;
			if (field_of[n] >= 0)
				given[field_of[n]] = &values[n];
			n++;
		}
	}

	if (emit)
	{
		(void) pushJsonbValue(emit, WJB_BEGIN_OBJECT, NULL);
		for (int i = 0; i < n; i++)
		{
			const GofiveField *f = field_of[i] >= 0 ? &fields[field_of[i]] : NULL;
			Place		member = {.parent = place, .name = keys[i].val.string.val,
			.name_len = keys[i].val.string.len};

			if (f && values[i].type == jbvNull && !(f->flags & GOFIVE_NULLABLE))
				continue;		/* null where the field is not nullable: left out */
			(void) pushJsonbValue(emit, WJB_KEY, &keys[i]);
			if (f == NULL || values[i].type == jbvNull)
				emit_as_is(emit, WJB_VALUE, &values[i]);
			else
				walk_value(w, f, &values[i], false, &member, emit, WJB_VALUE);
		}
		emit_end(w, emit, WJB_END_OBJECT);
		return;
	}

	for (int i = 0; i < nfields; i++)
	{
		const GofiveField *f = &fields[i];
		JsonbValue *value = given[i];
		bool		required = (f->flags & GOFIVE_REQUIRED) != 0;
		Place		member = {.parent = place, .name = f->name, .name_len = strlen(f->name)};

		if (required && f->required_unless)
		{
			const GofiveField *sibling = gofive_find_field(fields, f->required_unless);

			if (sibling && is_given(given[sibling - fields]))
				required = false;
		}
		if (value == NULL || (value->type == jbvNull && !(f->flags & GOFIVE_NULLABLE)))
		{
			if (value != NULL)
				w->changed = true;	/* the null is left out */
			if (required)
				add_required(w, fields, f, &member);
			continue;
		}
		if (value->type == jbvNull)
			continue;
		if (walk_value(w, f, value, required, &member, NULL, WJB_VALUE) &&
			value->type == jbvNumeric)
			check_ranges_when(w, f, fields, given, value, &member);
	}
	for (int i = 0; i < n; i++)
		if (field_of[i] < 0)
			unknown_key(w, fields, &keys[i], place);
}

/* The whole body: an object of the operation's fields, or an array of them. */
static void
walk_body(Walk *w, JsonbContainer *root, JsonbParseState **emit)
{
	const GofiveOperation *op = w->op;
	int			n;

	if (op->body == GOFIVE_BODY_OBJECT)
	{
		walk_object(w, op->fields, root, NULL, emit);
		return;
	}
	n = JsonContainerSize(root);
	if (emit)
		(void) pushJsonbValue(emit, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(root, i);
		Place		place = {.index = i};

		if (item->type != jbvBinary || !JsonContainerIsObject(item->val.binary.data))
			add_problem(w, &place, NULL, gofive_type_problem(GOFIVE_OBJECT, item));
		else
			walk_object(w, op->fields, item->val.binary.data, &place, emit);
	}
	if (emit)
		emit_end(w, emit, WJB_END_ARRAY);
}

static void
one_problem(const GofiveOperation *op, GofiveProblems *problems, const char *message)
{
	problems->count = 1;
	problems->message = pstrdup(message);
	problems->detail = NULL;
	problems->hint = psprintf("See %s: %s.", op->title, op->doc);
}

/*
 * Convert a body for an operation (one that has a body): *body becomes
 * what is sent, the same Jsonb when nothing changes.  False when it cannot
 * be sent, with *problems saying why; nothing is raised for a bad value.
 * sources, when given, names the column that gave each field's value.
 */
bool
gofive_convert_body(const GofiveOperation *op, Jsonb **body, const GofiveSources *sources,
					GofiveProblems *problems)
{
	Walk		w = {.op = op, .sources = sources};
	JsonbContainer *root;
	ListCell   *lc;

	if (*body == NULL)
	{
		one_problem(op, problems, "payload must not be null");
		problems->hint = NULL;
		return false;
	}
	root = &(*body)->root;
	if (op->body == GOFIVE_BODY_OBJECT && !JsonContainerIsObject(root))
	{
		one_problem(op, problems, "payload must be a JSON object");
		return false;
	}
	if (op->body == GOFIVE_BODY_ARRAY && (!JsonContainerIsArray(root) || JsonContainerIsScalar(root)))
	{
		one_problem(op, problems, "payload must be a JSON array");
		return false;
	}

	initStringInfo(&w.detail);
	walk_body(&w, root, NULL);
	if (w.count > 0)
	{
		problems->count = w.count;
		if (w.count == 1)
		{
			problems->message = w.first;
			problems->detail = NULL;
			problems->hint = w.first_hint ? pstrdup(w.first_hint) :
				psprintf("See %s: %s.", op->title, op->doc);
			return false;
		}
		if (w.count > MAX_LISTED_PROBLEMS)
			appendStringInfo(&w.detail, "\n... and %d more.", w.count - MAX_LISTED_PROBLEMS);
		problems->message = psprintf("%d problems in the payload", w.count);
		problems->detail = w.detail.data;
		problems->hint = psprintf("See %s: %s.", op->title, op->doc);
		return false;
	}
	foreach(lc, w.warnings)
		ereport(WARNING,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("%s; it is sent as given", (char *) lfirst(lc)),
				 errhint("gofive.unknown_fields is warning.")));
	if (w.changed)
	{
		JsonbParseState *state = NULL;

		/* the second pass finds the same values: no problem, and no warning */
		walk_body(&w, root, &state);
		*body = JsonbValueToJsonb(w.result);
	}
	return true;
}

/* Raise the one error that reports every problem. */
void
gofive_raise_problems(const GofiveProblems *problems)
{
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg_internal("%s", problems->message),
			 problems->detail ? errdetail_internal("%s", problems->detail) : 0,
			 problems->hint ? errhint("%s", problems->hint) : 0));
}

/* Convert a body, raising VNVAL with every problem when it cannot be sent. */
Jsonb *
gofive_checked_body(const GofiveOperation *op, Jsonb *body)
{
	GofiveProblems problems;

	if (op->body == GOFIVE_BODY_NONE)
		return body;
	if (!gofive_convert_body(op, &body, NULL, &problems))
		gofive_raise_problems(&problems);
	return body;
}
