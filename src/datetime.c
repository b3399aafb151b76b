/*
 * datetime.c
 *		SQL dates and times written the way the API writes them.
 *
 * The API's pages write dates in several formats (REFERENCE.md section 8);
 * the catalog says which one a date field uses (GfField.date_format), and
 * gofive_enqueue_trigger writes a date, timestamp or timestamptz column
 * mapped to such a field in that format.  gofive_format_datetime() does the
 * same for hand-written payloads.
 *
 * Invariants: a date or a timestamp (without time zone) is a wall-clock
 * time in the time zone given (gofive.time_zone by default, Asia/Bangkok:
 * the API's examples are +0700), a date being its midnight; a timestamptz
 * is an instant, written as the wall-clock time of that zone with the
 * zone's offset at that instant.  The "utc" format writes the instant in
 * UTC with a "Z".  The session's TimeZone plays no part.  Infinite values
 * and years outside 1-9999 cannot be written: VNVAL.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "gofive.h"

PG_FUNCTION_INFO_V1(gofive_format_date);
PG_FUNCTION_INFO_V1(gofive_format_timestamp);
PG_FUNCTION_INFO_V1(gofive_format_timestamptz);

char	   *gofive_time_zone = NULL;

static bool
check_time_zone(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || **newval == '\0' || pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("gofive.time_zone must be a time zone name, such as Asia/Bangkok.");
		return false;
	}
	return true;
}

void
gofive_define_datetime_settings(void)
{
	DefineCustomStringVariable("gofive.time_zone",
							   "Time zone in which SQL dates and times are written for the API.",
							   "A date or timestamp is a wall-clock time there; a timestamptz is written with its offset.",
							   &gofive_time_zone,
							   "Asia/Bangkok",
							   PGC_USERSET, 0,
							   check_time_zone, NULL, NULL);
}

/* Whether a value of this type can be formatted (a domain: ask of its base type). */
bool
gofive_is_datetime_type(Oid type)
{
	return type == DATEOID || type == TIMESTAMPOID || type == TIMESTAMPTZOID;
}

static void
out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("the date or time cannot be sent: it is infinite or its year is not 1-9999")));
}

/*
 * A date, timestamp or timestamptz (type says which) as the API writes it in
 * the given format, in time zone zone.
 */
char *
gofive_format_datetime_value(Datum value, Oid type, GfDateFormat format, const char *zone)
{
	Datum		zone_text = PointerGetDatum(cstring_to_text(zone));
	TimestampTz instant;
	Timestamp	local;
	struct pg_tm tm;
	fsec_t		fsec;
	long		offset_min;
	char		sign;
	int			ms;

	if (type == DATEOID)
	{
		if (DATE_NOT_FINITE(DatumGetDateADT(value)))
			out_of_range();
		value = DirectFunctionCall1(date_timestamp, value);
		type = TIMESTAMPOID;
	}
	if (type == TIMESTAMPOID)
	{
		if (TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value)))
			out_of_range();
		/* timezone(zone, timestamp): the wall-clock time there, as an instant */
		value = DirectFunctionCall2(timestamp_zone, zone_text, value);
	}
	instant = DatumGetTimestampTz(value);
	if (TIMESTAMP_NOT_FINITE(instant))
		out_of_range();
	local = format == GF_DATE_UTC ? instant :
		DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, zone_text, TimestampTzGetDatum(instant)));
	if (timestamp2tm(local, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 1 || tm.tm_year > 9999)
		out_of_range();

	offset_min = (long) ((local - instant) / USECS_PER_MINUTE);
	sign = offset_min < 0 ? '-' : '+';
	offset_min = labs(offset_min);
	ms = fsec / 1000;

	switch (format)
	{
		case GF_DATE_OFFSET:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d%c%02ld%02ld",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
							sign, offset_min / 60, offset_min % 60);
		case GF_DATE_OFFSET_MS:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld%02ld",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
							ms, sign, offset_min / 60, offset_min % 60);
		case GF_DATE_LOCAL:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		case GF_DATE_SPACE:
			return psprintf("%04d-%02d-%02d %02d:%02d:%02d",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		case GF_DATE_DATE:
			return psprintf("%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
		case GF_DATE_UTC:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
		case GF_DATE_NONE:
			break;
	}
	elog(ERROR, "gofive: no date format");
	return NULL;				/* keep the compiler quiet */
}

/*
 * gofive_format_datetime(value, format text DEFAULT 'offset',
 *                        time_zone text DEFAULT NULL): NULL for a NULL
 * value; a NULL time zone is gofive.time_zone.
 */
static Datum
format_sql(FunctionCallInfo fcinfo, Oid type)
{
	GfDateFormat format;
	const char *name;
	const char *zone;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	name = PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	format = gofive_find_date_format(name);
	if (format == GF_DATE_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("unknown date format \"%s\"", name),
				 errhint("The formats are offset (2026-12-31T00:00:00+0700), offset_ms (2026-12-31T00:00:00.000+0700), "
						 "local (2026-12-31T00:00:00), space (2026-12-31 00:00:00), date (2026-12-31) "
						 "and utc (2026-12-30T17:00:00.000Z).")));
	zone = PG_ARGISNULL(2) ? gofive_time_zone : text_to_cstring(PG_GETARG_TEXT_PP(2));
	PG_RETURN_TEXT_P(cstring_to_text(gofive_format_datetime_value(PG_GETARG_DATUM(0), type,
																  format, zone)));
}

Datum
gofive_format_date(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	return format_sql(fcinfo, DATEOID);
}

Datum
gofive_format_timestamp(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	return format_sql(fcinfo, TIMESTAMPOID);
}

Datum
gofive_format_timestamptz(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	return format_sql(fcinfo, TIMESTAMPTZOID);
}
