/*
 * src/convert/datetime.c
 *		SQL dates and times written the way the API writes them, and date
 *		strings read.
 *
 * The API's pages write dates in several formats (docs/api.md, Date formats);
 * the catalog says which one a date field uses (GofiveField.date_format), and
 * the conversion (validate.c, convert.c) writes every date or time given
 * for such a field in that format: a SQL date, timestamp or timestamptz,
 * or a string in ISO 8601 (which gofive_parse_datetime reads: the forms
 * to_jsonb() writes, with or without an offset, and the API's own forms).
 * gofive_format_datetime() does the same for hand-written payloads.
 *
 * Invariants: a date or a timestamp (without time zone) is a wall-clock
 * time in the time zone given (gofive.time_zone by default, Asia/Bangkok:
 * the API's examples are +0700), a date being its midnight; a timestamptz
 * is an instant, written as the wall-clock time of that zone with the
 * zone's offset at that instant.  A string with an offset (or "Z") is an
 * instant, one without a wall-clock time, one without a time a date.  The
 * "utc" format writes the instant in UTC with a "Z".  The session's
 * TimeZone and DateStyle play no part.  Infinite values and years outside
 * 1-9999 cannot be written.
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

#include "convert.h"
#include "gofive.h"

PG_FUNCTION_INFO_V1(gofive_format_date);
PG_FUNCTION_INFO_V1(gofive_format_timestamp);
PG_FUNCTION_INFO_V1(gofive_format_timestamptz);

/* Whether a value of this type can be formatted (a domain: ask of its base type). */
bool
gofive_is_datetime_type(Oid type)
{
	return type == DATEOID || type == TIMESTAMPOID || type == TIMESTAMPTZOID;
}

/* The example of each format, for messages. */
const char *
gofive_date_format_example(GofiveDateFormat format)
{
	switch (format)
	{
		case GOFIVE_DATE_OFFSET:
			return "2026-12-31T00:00:00+0700";
		case GOFIVE_DATE_OFFSET_MS:
			return "2026-12-31T00:00:00.000+0700";
		case GOFIVE_DATE_LOCAL:
			return "2026-12-31T00:00:00";
		case GOFIVE_DATE_SPACE:
			return "2026-12-31 00:00:00";
		case GOFIVE_DATE_DATE:
			return "2026-12-31";
		case GOFIVE_DATE_UTC:
			return "2026-12-30T17:00:00.000Z";
		case GOFIVE_DATE_NONE:
			break;
	}
	return "";
}

/*
 * The wall-clock time of zone at instant, or false when it cannot be
 * written (out of range, or a year outside 1-9999).
 */
static bool
local_time(TimestampTz instant, const char *zone, bool utc, Timestamp *local)
{
	pg_tz	   *tz;
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;

	if (TIMESTAMP_NOT_FINITE(instant))
		return false;
	if (utc)
	{
		*local = instant;
		return true;
	}
	tz = pg_tzset(zone);
	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", zone)));
	if (timestamp2tm(instant, &offset, &tm, &fsec, NULL, tz) != 0)
		return false;
	/* offset is seconds west of UTC */
	*local = instant - (Timestamp) offset * USECS_PER_SEC;
	return true;
}

/* The instant of a wall-clock time in zone, or false when out of range. */
static bool
instant_of(Timestamp local, const char *zone, TimestampTz *instant)
{
	pg_tz	   *tz;
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;

	if (TIMESTAMP_NOT_FINITE(local) || timestamp2tm(local, NULL, &tm, &fsec, NULL, NULL) != 0)
		return false;
	tz = pg_tzset(zone);
	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", zone)));
	offset = DetermineTimeZoneOffset(&tm, tz);
	return tm2timestamp(&tm, fsec, &offset, instant) == 0;
}

/*
 * A date, timestamp or timestamptz (type says which) as the API writes it in
 * the given format, in time zone zone; NULL when it cannot be written: it
 * is infinite, or its year is not 1-9999.  A timestamp is a wall-clock time
 * in wall_zone (NULL: zone too).
 */
char *
gofive_try_format_datetime(Datum value, Oid type, GofiveDateFormat format, const char *zone,
						   const char *wall_zone)
{
	TimestampTz instant;
	Timestamp	local;
	struct pg_tm tm;
	fsec_t		fsec;
	long		offset_min;
	char		sign;
	int			ms;

	if (type == DATEOID)
	{
		DateADT		date = DatumGetDateADT(value);

		if (DATE_NOT_FINITE(date) || date >= (TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE) ||
			date < (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE))
			return NULL;
		/* a date is its midnight in zone, whatever wall_zone says */
		if (!instant_of((Timestamp) date * USECS_PER_DAY, zone, &instant))
			return NULL;
	}
	else if (type == TIMESTAMPOID)
	{
		if (!instant_of(DatumGetTimestamp(value), wall_zone ? wall_zone : zone, &instant))
			return NULL;
	}
	else
		instant = DatumGetTimestampTz(value);
	if (!local_time(instant, zone, format == GOFIVE_DATE_UTC, &local) ||
		timestamp2tm(local, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 1 || tm.tm_year > 9999)
		return NULL;

	offset_min = (long) ((local - instant) / USECS_PER_MINUTE);
	sign = offset_min < 0 ? '-' : '+';
	offset_min = labs(offset_min);
	ms = fsec / 1000;

	switch (format)
	{
		case GOFIVE_DATE_OFFSET:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d%c%02ld%02ld",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
							sign, offset_min / 60, offset_min % 60);
		case GOFIVE_DATE_OFFSET_MS:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld%02ld",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
							ms, sign, offset_min / 60, offset_min % 60);
		case GOFIVE_DATE_LOCAL:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		case GOFIVE_DATE_SPACE:
			return psprintf("%04d-%02d-%02d %02d:%02d:%02d",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		case GOFIVE_DATE_DATE:
			return psprintf("%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
		case GOFIVE_DATE_UTC:
			return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
							tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
		case GOFIVE_DATE_NONE:
			break;
	}
	elog(ERROR, "gofive: no date format");
	return NULL;				/* keep the compiler quiet */
}

/* The same, raising VNVAL when it cannot be written. */
char *
gofive_format_datetime_value(Datum value, Oid type, GofiveDateFormat format, const char *zone)
{
	char	   *text = gofive_try_format_datetime(value, type, format, zone, NULL);

	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("the date or time cannot be sent: it is infinite or its year is not 1-9999")));
	return text;
}

/* ---- reading a date or time given as a string ---- */

static bool
digits(const char *s, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		*value = *value * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * Read an ISO 8601 date or date and time: YYYY-MM-DD, then optionally "T"
 * (or a space) and HH:MM[:SS[.fraction]], then optionally "Z" or an offset
 * +HH:MM, +HHMM or +HH (also +HH:MM:SS, as to_jsonb writes the offsets of
 * old local mean times).  True when s[0..len) is exactly that and names a
 * date and time that exist; *d says what was read, and in which form.
 */
bool
gofive_parse_datetime(const char *s, int len, GofiveDateText *d)
{
	int			i = 10;
	int			n;

	memset(d, 0, sizeof(*d));
	d->frac_digits = -1;
	if (len < 10 || s[4] != '-' || s[7] != '-' ||
		!digits(s, 4, &d->year) || !digits(s + 5, 2, &d->mon) || !digits(s + 8, 2, &d->mday))
		return false;
	if (d->year < 1 || d->mon < 1 || d->mon > 12 || d->mday < 1 ||
		d->mday > day_tab[isleap(d->year)][d->mon - 1])
		return false;
	if (i == len)
		return true;
	/* the time */
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return false;
	d->sep = s[i] == ' ' ? ' ' : 'T';
	d->has_time = true;
	if (len - i < 6 || !digits(s + i + 1, 2, &d->hour) || s[i + 3] != ':' ||
		!digits(s + i + 4, 2, &d->min) || d->hour > 23 || d->min > 59)
		return false;
	i += 6;
	if (i < len && s[i] == ':')
	{
		if (len - i < 3 || !digits(s + i + 1, 2, &d->sec) || d->sec > 59)
			return false;
		d->has_seconds = true;
		i += 3;
		if (i < len && (s[i] == '.' || s[i] == ','))
		{
			int			scale = 100000;

			for (n = 0, i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++)
			{
				d->usec += (s[i] - '0') * scale;
				scale /= 10;
			}
			if (n == 0)
				return false;
			d->frac_digits = n;
		}
	}
	if (i == len)
		return true;
	/* the offset */
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
	{
		d->zone = 'Z';
		return true;
	}
	if (s[i] == '+' || s[i] == '-')
	{
		int			sign = s[i] == '-' ? -1 : 1;
		int			oh;
		int			om = 0;
		int			os = 0;
		int			rest = len - i - 1;
		const char *o = s + i + 1;

		if (rest == 2 && digits(o, 2, &oh))
			d->zone = '2';
		else if (rest == 4 && digits(o, 2, &oh) && digits(o + 2, 2, &om))
			d->zone = '4';
		else if (rest == 5 && o[2] == ':' && digits(o, 2, &oh) && digits(o + 3, 2, &om))
			d->zone = ':';
		else if (rest == 8 && o[2] == ':' && o[5] == ':' && digits(o, 2, &oh) &&
				 digits(o + 3, 2, &om) && digits(o + 6, 2, &os))
			d->zone = ':';
		else
			return false;
		if (oh > 15 || om > 59 || os > 59)
			return false;
		d->offset_s = sign * (oh * 3600 + om * 60 + os);
		return true;
	}
	return false;
}

/* Which of the API's forms a string read by gofive_parse_datetime is in, or NONE. */
GofiveDateFormat
gofive_datetime_form(const GofiveDateText *d)
{
	if (!d->has_time)
		return GOFIVE_DATE_DATE;
	if (d->sep != 'T' && !(d->sep == ' ' && d->zone == 0 && d->frac_digits < 0))
		return GOFIVE_DATE_NONE;
	if (!d->has_seconds)
		return GOFIVE_DATE_NONE;
	if (d->sep == ' ')
		return GOFIVE_DATE_SPACE;
	if (d->zone == 0 && d->frac_digits < 0)
		return GOFIVE_DATE_LOCAL;
	if (d->zone == '4' && d->frac_digits < 0)
		return GOFIVE_DATE_OFFSET;
	if (d->zone == '4' && d->frac_digits == 3)
		return GOFIVE_DATE_OFFSET_MS;
	if (d->zone == 'Z' && d->frac_digits == 3)
		return GOFIVE_DATE_UTC;
	return GOFIVE_DATE_NONE;
}

/*
 * A string read by gofive_parse_datetime written in the given format, in
 * time zone zone (a string without an offset is a wall-clock time there);
 * NULL when it cannot be written.
 */
char *
gofive_rewrite_datetime(const GofiveDateText *d, GofiveDateFormat format, const char *zone)
{
	struct pg_tm tm = {0};
	Timestamp	local;

	tm.tm_year = d->year;
	tm.tm_mon = d->mon;
	tm.tm_mday = d->mday;
	tm.tm_hour = d->hour;
	tm.tm_min = d->min;
	tm.tm_sec = d->sec;
	if (tm2timestamp(&tm, d->usec, NULL, &local) != 0)
		return NULL;
	if (!d->has_time)
		return gofive_try_format_datetime(DateADTGetDatum(date2j(d->year, d->mon, d->mday) -
														  POSTGRES_EPOCH_JDATE),
										  DATEOID, format, zone, NULL);
	if (d->zone == 0)
		return gofive_try_format_datetime(TimestampGetDatum(local), TIMESTAMPOID, format, zone, NULL);
	/* an instant: the wall-clock time minus its offset */
	return gofive_try_format_datetime(TimestampTzGetDatum(local - (Timestamp) d->offset_s * USECS_PER_SEC),
									  TIMESTAMPTZOID, format, zone, NULL);
}

/*
 * gofive_format_datetime(value, format text DEFAULT 'offset',
 *                        time_zone text DEFAULT NULL): NULL for a NULL
 * value; a NULL time zone is gofive.time_zone.
 */
static Datum
format_sql(FunctionCallInfo fcinfo, Oid type)
{
	GofiveDateFormat format;
	const char *name;
	const char *zone;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	name = PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	format = gofive_find_date_format(name);
	if (format == GOFIVE_DATE_NONE)
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
