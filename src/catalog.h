/*
 * src/catalog.h
 *		The table of Venio API operations.
 *
 * Everything that varies from one API operation to the next lives in one
 * table (catalog.c): its SQL name, HTTP method, path template, the SQL
 * arguments that fill the path, query string and body, the body's fields
 * with their JSON types and enum constraints, and the response envelope.
 * The extension's SQL functions, their validation and the outbox read it;
 * so does the local Venio server under test/server, and the generator that
 * writes the SQL declarations and the README reference.
 *
 * This header is plain C on purpose: it must not include postgres.h, so
 * that programs outside the server (the local API server, the generator)
 * can link catalog.c too.
 */
#ifndef GOFIVE_CATALOG_H
#define GOFIVE_CATALOG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* Ends a list of allowed integer values (0 is a value some enums allow). */
#define GOFIVE_ENUM_END LONG_MIN

/* JSON types a body field may have. */
typedef enum GofiveJsonType
{
	GOFIVE_ANY = 0,
	GOFIVE_STRING,
	GOFIVE_INTEGER,				/* a JSON number without a fractional part */
	GOFIVE_NUMBER,
	GOFIVE_BOOLEAN,
	GOFIVE_ARRAY,
	GOFIVE_OBJECT
} GofiveJsonType;

/*
 * How the API writes a date or time field (docs/api.md, Date formats: the
 * formats differ from page to page).  A field that declares one is sent in
 * that form whatever gave it: a SQL date, timestamp or timestamptz, or a
 * string in ISO 8601 (validate.c, datetime.c); a string already in a form
 * the documentation shows for the field goes unchanged.
 */
typedef enum GofiveDateFormat
{
	GOFIVE_DATE_NONE = 0,
	GOFIVE_DATE_OFFSET,			/* 2026-12-31T00:00:00+0700 */
	GOFIVE_DATE_OFFSET_MS,		/* 2026-12-31T00:00:00.000+0700 */
	GOFIVE_DATE_LOCAL,			/* 2026-12-31T00:00:00 */
	GOFIVE_DATE_SPACE,			/* 2026-12-31 00:00:00 */
	GOFIVE_DATE_DATE,			/* 2026-12-31 */
	GOFIVE_DATE_UTC				/* 2026-12-30T17:00:00.000Z */
} GofiveDateFormat;

/*
 * Field flags.  A SQL NULL, or a JSON null, given for a field is sent as
 * null when the field is NULLABLE (the documentation writes "| null") and
 * left out of the body otherwise, on every path (validate.c).
 */
#define GOFIVE_REQUIRED		0x01	/* must be given: present, not null, not empty */
#define GOFIVE_NULLABLE		0x02	/* JSON null is accepted, and sent */
/*
 * On the entry that ends a list of fields: the documentation shows more
 * fields here than the catalog knows (a page that could not be read
 * whole), so a key the list does not name may be one of them.
 */
#define GOFIVE_MORE_FIELDS	0x04

/*
 * A range that applies when a sibling field has a given integer value
 * ("Point" is 1-5 when "SourceType" is 1).  Lists end with a NULL sibling.
 */
typedef struct GofiveRangeWhen
{
	const char *sibling;
	long		equals;
	long		min_value;
	long		max_value;
} GofiveRangeWhen;

typedef struct GofiveField GofiveField;

struct GofiveField
{
	const char *name;			/* JSON key, as spelt on the wire */
	GofiveJsonType type;
	int			flags;
	GofiveJsonType item_type;	/* element type when type == GOFIVE_ARRAY */
	const GofiveField *children;	/* fields of an object, or of each array
								 * element that is an object; NULL-named
								 * entry ends the list */
	const long *enum_values;	/* allowed integer values, GOFIVE_ENUM_END-terminated */
	const char *const *enum_text;	/* allowed string values, NULL-terminated */
	/*
	 * A field that is required only when another one is not given: the
	 * requirement is waived when the named sibling has a non-null value
	 * that is not an empty array.
	 */
	const char *required_unless;
	long		min_value;		/* integer range, when min_value < max_value */
	long		max_value;
	const GofiveRangeWhen *ranges_when; /* narrower ranges, by a sibling's value */
	GofiveDateFormat date_format;	/* a date/time string written so, or NONE */
	GofiveDateFormat date_also;	/* another form the documentation shows for
								 * the field (its example), sent unchanged */
};

/* Where a SQL argument goes. */
typedef enum GofiveArgKind
{
	GOFIVE_ARG_PATH,			/* fills {wire_name} in the path template */
	GOFIVE_ARG_QUERY,			/* appended as ?wire_name=value */
	GOFIVE_ARG_QUERY_OBJECT,	/* a jsonb object: each key=value appended */
	GOFIVE_ARG_FIELD,			/* one body field (scalar SQL argument) */
	GOFIVE_ARG_BODY				/* the whole body, as jsonb */
} GofiveArgKind;

typedef struct GofiveArg
{
	const char *sql_name;		/* SQL argument name */
	const char *sql_type;		/* SQL type: text, integer, bigint, boolean, jsonb */
	GofiveArgKind kind;
	const char *wire_name;		/* path parameter, query key or body field */
	bool		optional;		/* SQL default NULL */
	const char *body_field;		/* a path argument the body repeats, or NULL */
} GofiveArg;

/* The documented success envelopes (docs/api.md, Envelopes). */
typedef enum GofiveEnvelope
{
	GOFIVE_ENV_STATUS_DATA,		/* A: {"status":{"code":"1000",...},"data":...} */
	GOFIVE_ENV_DATA_STATUSCODE,	/* B: {"data":...,"statusCode":1000,"httpStatusCode":200} */
	GOFIVE_ENV_DATA_VALUE		/* C: {"data":{"value":...},...} */
} GofiveEnvelope;

/* What the SQL function returns. */
typedef enum GofiveResult
{
	GOFIVE_RESULT_DATA,			/* jsonb: the envelope's data */
	GOFIVE_RESULT_RECORD,		/* jsonb or NULL when the API says not found */
	GOFIVE_RESULT_ROWS			/* setof jsonb, paged with take/skip */
} GofiveResult;

/* The body's shape. */
typedef enum GofiveBody
{
	GOFIVE_BODY_NONE,
	GOFIVE_BODY_OBJECT,			/* a JSON object with "fields" */
	GOFIVE_BODY_ARRAY			/* a top-level JSON array; "fields" per item */
} GofiveBody;

/*
 * Whether sending a request twice does no harm, which decides what the
 * outbox does with a request that was on its way when the worker stopped:
 * an idempotent one is sent again; another is marked before it is sent,
 * and held "in doubt" after a stop (gofive.in_doubt).
 */
typedef enum GofiveIdempotence
{
	GOFIVE_IDEMPOTENT_BY_METHOD = 0,	/* GET, PUT, DELETE yes; POST no */
	GOFIVE_IDEMPOTENT,			/* a read sent as POST, or a set-to-value */
	GOFIVE_NOT_IDEMPOTENT,		/* creates, or refuses a second time */
	GOFIVE_IDEMPOTENT_WITH_KEY	/* an upsert: only when idempotent_key is given */
} GofiveIdempotence;

typedef struct GofiveOperation
{
	const char *name;			/* "create_deal": SQL gofive_<name>, outbox name */
	const char *title;			/* the documentation's title */
	const char *method;			/* GET, POST, PUT, DELETE */
	const char *path;			/* template: "/v1/deals/{id}" */
	GofiveBody	body;
	const GofiveField *fields;	/* body fields (or item fields) */
	const GofiveArg *args;		/* SQL arguments in order, NULL-named end */
	GofiveEnvelope envelope;
	GofiveResult result;
	const char *take_field;		/* GOFIVE_RESULT_ROWS: paged with these body */
	const char *skip_field;		/* fields (NULL: one request) */
	bool		item_status;	/* data[] items carry isSuccess/error */
	const char *confirmed;		/* "yes" or "partial" (endpoints.tsv) */
	const char *doc;			/* documentation address (a URL) */
	const char *unauthorized;	/* the documented 401 message, when the
								 * page gives one of its own */
	GofiveIdempotence idempotent;
	/*
	 * GOFIVE_IDEMPOTENT_WITH_KEY: the body field that names the record to update
	 * (absent or null, the API creates one); "items[].field" when every item
	 * of the array items must have it
	 */
	const char *idempotent_key;
} GofiveOperation;

/* ---- catalog.c: the table, and looking things up in it ---- */
extern const GofiveOperation gofive_operations[];
extern const int gofive_operation_count;

extern const GofiveOperation *gofive_find_operation(const char *name);
extern const GofiveField *gofive_find_field(const GofiveField *fields, const char *name);
extern const GofiveField *gofive_find_field_n(const GofiveField *fields, const char *name, size_t len);
extern bool gofive_fields_complete(const GofiveField *fields);
extern const char *gofive_json_type_name(GofiveJsonType type);
extern const char *gofive_date_format_name(GofiveDateFormat format);
extern GofiveDateFormat gofive_find_date_format(const char *name);
extern const char *gofive_idempotence_text(const GofiveOperation *op);

#endif							/* GOFIVE_CATALOG_H */
