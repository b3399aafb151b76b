/*
 * src/convert/convert.h
 *		The conversion of values to the forms the API documents
 *		(src/convert/), which both paths go through: dates and times
 *		(datetime.c), one value for its field (convert.c), a whole body
 *		against the catalog (validate.c).  One section per file.
 */
#ifndef GOFIVE_CONVERT_H
#define GOFIVE_CONVERT_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "gofive.h"

/* ---- datetime.c: SQL dates and times in the API's formats ---- */
extern bool gofive_is_datetime_type(Oid type);
extern char *gofive_format_datetime_value(Datum value, Oid type, GofiveDateFormat format,
										  const char *zone);
extern char *gofive_try_format_datetime(Datum value, Oid type, GofiveDateFormat format,
										const char *zone, const char *wall_zone);
extern const char *gofive_date_format_example(GofiveDateFormat format);

/* a date or time read from a string (gofive_parse_datetime) */
typedef struct GofiveDateText
{
	int			year,
				mon,
				mday,
				hour,
				min,
				sec,
				usec;
	int			frac_digits;	/* digits after the decimal point, -1: none */
	bool		has_time;
	bool		has_seconds;
	char		sep;			/* 'T' or ' ' between date and time */
	char		zone;			/* 0: none, 'Z', ':' (+07:00), '4' (+0700), '2' (+07) */
	int			offset_s;		/* seconds east of UTC */
} GofiveDateText;

extern bool gofive_parse_datetime(const char *s, int len, GofiveDateText *d);
extern GofiveDateFormat gofive_datetime_form(const GofiveDateText *d);
extern char *gofive_rewrite_datetime(const GofiveDateText *d, GofiveDateFormat format,
									 const char *zone);

/* ---- convert.c: one value in the form its field documents ---- */
typedef enum GofiveWire
{
	GOFIVE_WIRE_SAME,			/* sent as given */
	GOFIVE_WIRE_CHANGED,		/* sent in the field's form */
	GOFIVE_WIRE_BAD				/* cannot be sent: the problem says why */
} GofiveWire;

typedef struct GofiveWireProblem
{
	char	   *text;			/* after the field's name: "must be ..., not ..." */
	const char *hint;			/* or NULL */
} GofiveWireProblem;

extern GofiveWire gofive_wire_scalar(GofiveJsonType type, GofiveDateFormat format, GofiveDateFormat also,
									 bool required, const JsonbValue *in, JsonbValue *out,
									 GofiveWireProblem *problem);
extern bool gofive_sql_value(const GofiveField *field, Datum value, Oid type, const char *wall_zone,
							 JsonbValue *out);
extern char *gofive_type_problem(GofiveJsonType type, const JsonbValue *v);
extern char *gofive_quoted_value(const char *s, int len);

/* ---- validate.c: the one conversion of a body ---- */
/* which column of a trigger's table gave the value at a field's path */
typedef struct GofiveSources
{
	const char *(*column_of) (void *arg, const char *path);
	void	   *arg;
} GofiveSources;

/* why a body cannot be sent: as one error would say it */
typedef struct GofiveProblems
{
	int			count;
	char	   *message;		/* the problem, or "N problems in the payload" */
	char	   *detail;			/* one line per problem when several, or NULL */
	char	   *hint;
} GofiveProblems;

extern bool gofive_convert_body(const GofiveOperation *op, Jsonb **body,
								const GofiveSources *sources, GofiveProblems *problems);
extern Jsonb *gofive_checked_body(const GofiveOperation *op, Jsonb *body);
extern void gofive_raise_problems(const GofiveProblems *problems) pg_attribute_noreturn();
extern bool gofive_is_unknown_field(const GofiveField *fields, const char *key, int len,
									const char **near);

#endif							/* GOFIVE_CONVERT_H */
