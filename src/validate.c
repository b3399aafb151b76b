/*
 * validate.c
 *		Check a request body against the operation's documented fields before
 *		anything is sent: required fields (some only when a sibling is not
 *		given), JSON types, array element types, enum values and ranges (some
 *		narrowed by a sibling's value), recursively through nested objects
 *		and arrays of objects.  Every problem is collected, by the field's
 *		full name (e.g. "contractService.frequency"), in the catalog's field
 *		order with a nested field right after its parent, and one
 *		ERRCODE_GOFIVE_INVALID_INPUT error reports them all: its message is
 *		the problem itself when there is one, "N problems in the payload"
 *		with one DETAIL line per problem when there are several.
 *
 * Fields the catalog does not know are passed through unchanged: the
 * documentation is incomplete for several operations.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "gofive.h"

/* At most this many problems are listed; the count covers them all. */
#define MAX_LISTED_PROBLEMS 50

/* The problems found so far in one payload, in the order they were found. */
typedef struct Problems
{
	const GfOperation *op;
	int			count;
	char	   *first;			/* the first problem, lower case */
	StringInfoData detail;		/* one sentence per problem, a line each */
} Problems;

static void validate_object(Problems *pr, const GfField *fields,
							JsonbContainer *obj, const char *prefix);

/* Note one problem (fmt is an errmsg-style, lower-case phrase). */
static void
add_problem(Problems *pr, const char *fmt,...) pg_attribute_printf(2, 3);

static void
add_problem(Problems *pr, const char *fmt,...)
{
	StringInfoData text;

	initStringInfo(&text);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&text, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&text, needed);
	}
	if (pr->count == 0)
		pr->first = text.data;
	if (pr->count < MAX_LISTED_PROBLEMS)
		appendStringInfo(&pr->detail, "%s%c%s.", pr->count ? "\n" : "",
						 pg_toupper((unsigned char) text.data[0]), text.data + 1);
	pr->count++;
}

/* Raise the one error that reports every problem found, if any. */
static void
report_problems(Problems *pr)
{
	if (pr->count == 0)
		return;
	if (pr->count == 1)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg_internal("%s", pr->first),
				 errhint("See %s: %s.", pr->op->title, pr->op->doc)));
	if (pr->count > MAX_LISTED_PROBLEMS)
		appendStringInfo(&pr->detail, "\n... and %d more.", pr->count - MAX_LISTED_PROBLEMS);
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("%d problems in the payload", pr->count),
			 errdetail_internal("%s", pr->detail.data),
			 errhint("See %s: %s.", pr->op->title, pr->op->doc)));
}

static const char *
value_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "a JSON value";
	}
}

static char *
field_path(const char *prefix, const char *name)
{
	return *prefix ? psprintf("%s.%s", prefix, name) : pstrdup(name);
}

static void
add_invalid(Problems *pr, const char *path, const char *fmt_expected,
			const JsonbValue *v)
{
	add_problem(pr, "field \"%s\" must be %s, not %s", path, fmt_expected, value_type_name(v));
}

/* Integral as written: no digits after a decimal point ("10.0" is not). */
static bool
numeric_is_integral(Numeric num)
{
	return DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(num))) == 0;
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

static bool
type_matches(GfJsonType type, const JsonbValue *v)
{
	switch (type)
	{
		case GF_ANY:
			return true;
		case GF_STRING:
			return v->type == jbvString;
		case GF_INTEGER:
			return v->type == jbvNumeric && numeric_is_integral(v->val.numeric);
		case GF_NUMBER:
			return v->type == jbvNumeric;
		case GF_BOOLEAN:
			return v->type == jbvBool;
		case GF_ARRAY:
			return v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
		case GF_OBJECT:
			return v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
	}
	return false;
}

static const char *
expected_name(GfJsonType type)
{
	switch (type)
	{
		case GF_INTEGER:
			return "an integer";
		case GF_ARRAY:
		case GF_OBJECT:
			return type == GF_ARRAY ? "an array" : "an object";
		default:
			return psprintf("a %s", gofive_json_type_name(type));
	}
}

/* Check a value's enum and range; false when it is outside them. */
static bool
check_enum(Problems *pr, const GfField *f, const char *path, const JsonbValue *v)
{
	StringInfoData allowed;

	if (f->enum_values && v->type == jbvNumeric)
	{
		long		n = numeric_to_long(v->val.numeric);

		for (const long *e = f->enum_values; *e != GF_ENUM_END; e++)
			if (*e == n)
				return true;
		initStringInfo(&allowed);
		for (const long *e = f->enum_values; *e != GF_ENUM_END; e++)
			appendStringInfo(&allowed, "%s%ld", e == f->enum_values ? "" : ", ", *e);
		add_problem(pr, "field \"%s\" must be one of %s, not %ld", path, allowed.data, n);
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
		add_problem(pr, "field \"%s\" must be one of %s, not \"%.*s\"", path, allowed.data,
					v->val.string.len, v->val.string.val);
		return false;
	}
	if (f->min_value < f->max_value && v->type == jbvNumeric)
	{
		long		n = numeric_to_long(v->val.numeric);

		if (n < f->min_value || n > f->max_value)
		{
			add_problem(pr, "field \"%s\" must be between %ld and %ld, not %ld",
						path, f->min_value, f->max_value, n);
			return false;
		}
	}
	return true;
}

/* Check one array's elements against the field's item type and children. */
static void
validate_items(Problems *pr, const GfField *f, JsonbContainer *arr,
			   const char *path)
{
	int			n = JsonContainerSize(arr);

	for (int i = 0; i < n; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(arr, i);
		char	   *item_path = psprintf("%s[%d]", path, i);

		if (!type_matches(f->item_type, item))
			add_invalid(pr, item_path, expected_name(f->item_type), item);
		else if (f->children && item->type == jbvBinary &&
				 JsonContainerIsObject(item->val.binary.data))
			validate_object(pr, f->children, item->val.binary.data, item_path);
	}
}

static bool
validate_value(Problems *pr, const GfField *f, const JsonbValue *v,
			   const char *path)
{
	if (!type_matches(f->type, v))
	{
		/* a value of the wrong type has no enum, range or children to check */
		add_invalid(pr, path, expected_name(f->type), v);
		return false;
	}
	if (!check_enum(pr, f, path, v))
		return false;			/* the narrower ranges would say it again */
	if (f->type == GF_ARRAY)
		validate_items(pr, f, v->val.binary.data, path);
	else if (f->type == GF_OBJECT && f->children)
		validate_object(pr, f->children, v->val.binary.data, path);
	return true;
}

/* A sibling is given: present, non-null, and not an empty array. */
static bool
is_given(JsonbContainer *obj, const char *key)
{
	JsonbValue *v = getKeyJsonValueFromContainer(obj, key, strlen(key), NULL);

	if (v == NULL || v->type == jbvNull)
		return false;
	return !(v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data) &&
			 JsonContainerSize(v->val.binary.data) == 0);
}

static void
add_required(Problems *pr, const GfField *fields, const GfField *f,
			 const char *path)
{
	const GfField *sibling;

	if (f->required_unless == NULL)
	{
		add_problem(pr, "field \"%s\" is required", path);
		return;
	}
	sibling = gofive_find_field(fields, f->required_unless);
	add_problem(pr, "field \"%s\" is required when \"%s\" is %s", path, f->required_unless,
				sibling && sibling->type == GF_ARRAY ? "null, absent or empty" :
				"null or absent");
}

/* The narrower range that a sibling's value selects ("Point" by "SourceType"). */
static void
check_ranges_when(Problems *pr, const GfField *f, JsonbContainer *obj,
				  const JsonbValue *v, const char *path)
{
	long		n;

	if (f->ranges_when == NULL || v->type != jbvNumeric)
		return;
	n = numeric_to_long(v->val.numeric);
	for (const GfRangeWhen *r = f->ranges_when; r->sibling; r++)
	{
		JsonbValue *s = getKeyJsonValueFromContainer(obj, r->sibling, strlen(r->sibling), NULL);

		if (s == NULL || s->type != jbvNumeric || !numeric_is_integral(s->val.numeric) ||
			numeric_to_long(s->val.numeric) != r->equals)
			continue;
		if (n < r->min_value || n > r->max_value)
			add_problem(pr, "field \"%s\" must be between %ld and %ld when \"%s\" is %ld, not %ld",
						path, r->min_value, r->max_value, r->sibling, r->equals, n);
	}
}

static void
validate_object(Problems *pr, const GfField *fields,
				JsonbContainer *obj, const char *prefix)
{
	for (const GfField *f = fields; f->name; f++)
	{
		JsonbValue *v = getKeyJsonValueFromContainer(obj, f->name, strlen(f->name), NULL);
		char	   *path = field_path(prefix, f->name);
		bool		waived = f->required_unless && is_given(obj, f->required_unless);

		if (v == NULL || (v->type == jbvNull && !(f->flags & GF_NULLABLE)))
		{
			if ((f->flags & GF_REQUIRED) && !waived)
				add_required(pr, fields, f, path);
			if (v != NULL && !(f->flags & GF_REQUIRED) && !(f->flags & GF_NULLABLE))
				add_invalid(pr, path, expected_name(f->type), v);
			continue;
		}
		if (v->type == jbvNull)
			continue;
		if (validate_value(pr, f, v, path))
			check_ranges_when(pr, f, obj, v, path);
	}
}

/* Validate a whole body; body may be NULL only for operations without one. */
void
gofive_validate_body(const GfOperation *op, Jsonb *body)
{
	JsonbContainer *root;
	Problems	pr = {.op = op};

	if (op->body == GF_BODY_NONE)
		return;
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("payload must not be null")));
	root = &body->root;
	if (op->body == GF_BODY_OBJECT && !JsonContainerIsObject(root))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("payload must be a JSON object"),
				 errhint("See %s: %s.", op->title, op->doc)));
	if (op->body == GF_BODY_ARRAY &&
		(!JsonContainerIsArray(root) || JsonContainerIsScalar(root)))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("payload must be a JSON array"),
				 errhint("See %s: %s.", op->title, op->doc)));

	initStringInfo(&pr.detail);
	if (op->body == GF_BODY_OBJECT)
		validate_object(&pr, op->fields, root, "");
	else
	{
		int			n = JsonContainerSize(root);

		for (int i = 0; i < n; i++)
		{
			JsonbValue *item = getIthJsonbValueFromContainer(root, i);
			char	   *path = psprintf("[%d]", i);

			if (item->type != jbvBinary || !JsonContainerIsObject(item->val.binary.data))
				add_invalid(&pr, path, "an object", item);
			else
				validate_object(&pr, op->fields, item->val.binary.data, path);
		}
	}
	report_problems(&pr);
}
