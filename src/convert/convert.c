/*
 * src/convert/convert.c
 *		One value turned into the form its field documents: what the ERP
 *		meant, as the API reads it.
 *
 * Two entry points, one for each kind of value a request is made of:
 *
 *	gofive_wire_scalar	a JSON scalar given for a field (a jsonb payload's
 *						value, or what gofive_sql_value made of a SQL value),
 *						checked against the field's type and written in its
 *						documented form: an integral number for an integer
 *						field as an integer (150000.00 -> 150000), a date or
 *						time for a date field in its format (datetime.c);
 *						whatever cannot be is a problem naming the value.
 *	gofive_sql_value	a SQL value of a known type as the JSON value for a
 *						field: numbers and booleans as such, text as a
 *						string, a date, timestamp or timestamptz in the
 *						field's date format (a timestamp being a wall-clock
 *						time in the zone the caller says), in ISO 8601 for a
 *						field without one; other types are the caller's
 *						(to_jsonb).
 *
 * validate.c applies gofive_wire_scalar to every scalar of a body; the
 * typed functions, the trigger and the foreign tables' filter values make
 * their JSON values with gofive_sql_value first.  Invariants: a value
 * already in the field's documented form (its type, and for a date one of
 * the forms the documentation shows for that field) is left as it is, so
 * the seeds' examples go out byte for byte; nothing here raises for a bad
 * value: it says what is wrong, and the caller collects it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "convert.h"
#include "gofive.h"

/* Longest value quoted in a message; a longer one is cut, with "...". */
#define QUOTED_VALUE_MAX 60

/* A string value, quoted for a message (cut when long). */
char *
gofive_quoted_value(const char *s, int len)
{
	StringInfoData q;

	initStringInfo(&q);
	if (len > QUOTED_VALUE_MAX)
	{
		len = pg_mbcliplen(s, len, QUOTED_VALUE_MAX);
		appendStringInfo(&q, "\"%.*s...\"", len, s);
	}
	else
		appendStringInfo(&q, "\"%.*s\"", len, s);
	return q.data;
}

/* How a JSON value is named in a message: its type, or its value when short. */
static const char *
value_name(const JsonbValue *v)
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

static const char *
expected_name(GofiveJsonType type)
{
	switch (type)
	{
		case GOFIVE_INTEGER:
			return "an integer";
		case GOFIVE_ARRAY:
			return "an array";
		case GOFIVE_OBJECT:
			return "an object";
		default:
			return psprintf("a %s", gofive_json_type_name(type));
	}
}

/* "must be an integer, not a string": the phrase after the field's name. */
char *
gofive_type_problem(GofiveJsonType type, const JsonbValue *v)
{
	return psprintf("must be %s, not %s", expected_name(type), value_name(v));
}

static char *
numeric_text(Numeric num)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
}

/* The bounds of a JSON integer the API can be sent: those of int64. */
static Numeric
int64_bound(bool upper)
{
	static Numeric bounds[2] = {NULL, NULL};

	if (bounds[upper] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		bounds[upper] = int64_to_numeric(upper ? PG_INT64_MAX : PG_INT64_MIN);
		MemoryContextSwitchTo(old);
	}
	return bounds[upper];
}

static int
numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

/*
 * A number for an integer field: the same number when it is written as an
 * integer, the integer when it is integral (150000.00), or a problem.
 */
static GofiveWire
wire_integer(const JsonbValue *in, JsonbValue *out, GofiveWireProblem *problem)
{
	Numeric		num = in->val.numeric;
	Numeric		whole = num;
	GofiveWire	result = GOFIVE_WIRE_SAME;

	if (DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(num))) > 0)
	{
		whole = DatumGetNumeric(DirectFunctionCall2(numeric_trunc, NumericGetDatum(num),
													Int32GetDatum(0)));
		if (numeric_compare(whole, num) != 0)
		{
			problem->text = psprintf("must be an integer, not %s", numeric_text(num));
			problem->hint = "The API takes a whole number here: round the value, e.g. round(amount), or map a column that holds whole numbers.";
			return GOFIVE_WIRE_BAD;
		}
		result = GOFIVE_WIRE_CHANGED;
	}
	if (numeric_compare(whole, int64_bound(false)) < 0 ||
		numeric_compare(whole, int64_bound(true)) > 0)
	{
		problem->text = psprintf("must be an integer between " INT64_FORMAT " and " INT64_FORMAT ", not %s",
								 PG_INT64_MIN, PG_INT64_MAX, numeric_text(num));
		return GOFIVE_WIRE_BAD;
	}
	out->type = jbvNumeric;
	out->val.numeric = whole;
	return result;
}

/*
 * A string for a date or time field: unchanged when it is in a form the
 * documentation shows for the field, written in the field's format when it
 * is another ISO 8601 date or time, else a problem.
 */
static GofiveWire
wire_datetime(GofiveDateFormat format, GofiveDateFormat also, const JsonbValue *in, JsonbValue *out,
			  GofiveWireProblem *problem)
{
	GofiveDateText d;
	GofiveDateFormat form;
	char	   *text;

	if (!gofive_parse_datetime(in->val.string.val, in->val.string.len, &d))
	{
		problem->text = psprintf("must be a date or time such as \"%s\", not %s",
								 gofive_date_format_example(format),
								 gofive_quoted_value(in->val.string.val, in->val.string.len));
		problem->hint = "Give a SQL date, timestamp or timestamptz, or an ISO 8601 string such as 2026-12-31 or 2026-12-31T10:00:00+07:00: it is sent in the field's form, in gofive.time_zone.";
		return GOFIVE_WIRE_BAD;
	}
	form = gofive_datetime_form(&d);
	if (form != GOFIVE_DATE_NONE && (form == format || form == also))
		return GOFIVE_WIRE_SAME;
	text = gofive_rewrite_datetime(&d, format, gofive_time_zone);
	if (text == NULL)
	{
		problem->text = psprintf("cannot be sent as a date or time such as \"%s\": %s is outside the years 1-9999 in %s",
								 gofive_date_format_example(format),
								 gofive_quoted_value(in->val.string.val, in->val.string.len),
								 gofive_time_zone);
		return GOFIVE_WIRE_BAD;
	}
	out->type = jbvString;
	out->val.string.val = text;
	out->val.string.len = strlen(text);
	return GOFIVE_WIRE_CHANGED;
}

/* A string of only white space (or none). */
static bool
is_blank(const char *s, int len)
{
	for (int i = 0; i < len; i++)
		if (!scanner_isspace(s[i]))
			return false;
	return true;
}

/*
 * A JSON scalar (not null, not a container) given for a field of this type
 * (and date format): *out is the value to send when SAME or CHANGED; on
 * BAD, *problem says what is wrong, after the field's name.  A required
 * string must not be empty.
 */
GofiveWire
gofive_wire_scalar(GofiveJsonType type, GofiveDateFormat format, GofiveDateFormat also, bool required,
				   const JsonbValue *in, JsonbValue *out, GofiveWireProblem *problem)
{
	*out = *in;
	problem->text = NULL;
	problem->hint = NULL;
	switch (type)
	{
		case GOFIVE_ANY:
			return GOFIVE_WIRE_SAME;
		case GOFIVE_STRING:
			if (in->type != jbvString)
				break;
			if (required && is_blank(in->val.string.val, in->val.string.len))
			{
				problem->text = pstrdup("must not be empty");
				return GOFIVE_WIRE_BAD;
			}
			if (format != GOFIVE_DATE_NONE)
				return wire_datetime(format, also, in, out, problem);
			return GOFIVE_WIRE_SAME;
		case GOFIVE_INTEGER:
			if (in->type != jbvNumeric)
				break;
			return wire_integer(in, out, problem);
		case GOFIVE_NUMBER:
			if (in->type != jbvNumeric)
				break;
			return GOFIVE_WIRE_SAME;
		case GOFIVE_BOOLEAN:
			if (in->type != jbvBool)
				break;
			return GOFIVE_WIRE_SAME;
		case GOFIVE_ARRAY:
		case GOFIVE_OBJECT:
			break;
	}
	problem->text = gofive_type_problem(type, in);
	return GOFIVE_WIRE_BAD;
}

/* ---- SQL values ---- */

static void
set_string(JsonbValue *v, char *s)
{
	v->type = jbvString;
	v->val.string.val = s;
	v->val.string.len = strlen(s);
}

/*
 * A date, timestamp or timestamptz (base type) for field: in the field's
 * date format, or in ISO 8601 as to_jsonb writes it when the field has
 * none, or when the value cannot be written in it (an infinite date: the
 * body's conversion then names the value).  A timestamp is a wall-clock
 * time in wall_zone (NULL: gofive.time_zone).
 */
static void
sql_datetime(const GofiveField *field, Datum value, Oid type, const char *wall_zone, JsonbValue *out)
{
	char		buf[MAXDATELEN + 1];
	char	   *text = NULL;

	if (field && field->date_format != GOFIVE_DATE_NONE)
		text = gofive_try_format_datetime(value, type, field->date_format, gofive_time_zone,
										  wall_zone);
	else if (type == TIMESTAMPOID && wall_zone != NULL && !TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value)))
	{
		/* a wall-clock time elsewhere: the instant, with its offset */
		value = DirectFunctionCall2(timestamp_zone, CStringGetTextDatum(wall_zone), value);
		type = TIMESTAMPTZOID;
	}
	if (text == NULL)
		text = pstrdup(JsonEncodeDateTime(buf, value, type, NULL));
	set_string(out, text);
}

/*
 * A SQL value as the JSON value sent for field (NULL: a field the catalog
 * does not know, or none), for the common types; false for the others,
 * which the caller converts as to_jsonb() would.  type is the value's base
 * type (a domain's is its base's).  The value is not checked here: the
 * body's conversion (validate.c) does that, for every path alike.
 */
bool
gofive_sql_value(const GofiveField *field, Datum value, Oid type, const char *wall_zone,
				 JsonbValue *out)
{
	switch (type)
	{
		case TEXTOID:
		case VARCHAROID:
			{
				text	   *t = DatumGetTextPP(value);

				out->type = jbvString;
				out->val.string.val = VARDATA_ANY(t);
				out->val.string.len = VARSIZE_ANY_EXHDR(t);
				return true;
			}
		case BOOLOID:
			out->type = jbvBool;
			out->val.boolean = DatumGetBool(value);
			return true;
		case INT2OID:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt16(value));
			return true;
		case INT4OID:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt32(value));
			return true;
		case INT8OID:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt64(value));
			return true;
		case NUMERICOID:
			/* NaN and infinities have no JSON number: to_jsonb's string */
			if (numeric_is_nan(DatumGetNumeric(value)) || numeric_is_inf(DatumGetNumeric(value)))
				return false;
			out->type = jbvNumeric;
			out->val.numeric = DatumGetNumeric(value);
			return true;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			sql_datetime(field, value, type, wall_zone, out);
			return true;
		default:
			return false;
	}
}
