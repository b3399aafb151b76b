/*
 * outbox.c
 *		Putting requests into the outbox, in the caller's transaction.
 *
 * The row is written with the caller's transaction, so a rollback leaves
 * nothing to send; at commit the worker's latch is set (shmem.c), so it
 * starts delivering at once instead of at its next periodic look.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "common/pg_prng.h"
#include "utils/builtins.h"
#include "utils/uuid.h"
#include "utils/lsyscache.h"
#include "utils/jsonb.h"

#include "gofive.h"
#include "outbox.h"

PG_FUNCTION_INFO_V1(gofive_enqueue);
PG_FUNCTION_INFO_V1(gofive_enqueue_request);
PG_FUNCTION_INFO_V1(gofive_wake);
PG_FUNCTION_INFO_V1(gofive_purge);
PG_FUNCTION_INFO_V1(gofive_new_request_id);

static SPIPlanPtr insert_plan = NULL;

#define INSERT_SQL \
	"INSERT INTO gofive.outbox (operation, method, path, body, ordering_key) " \
	"VALUES ($1, $2, $3, $4, $5) RETURNING id"

static void
warn_if_no_worker(void)
{
	static bool warned = false;

	if (gofive_shared == NULL && !warned)
	{
		warned = true;
		ereport(WARNING,
				(errmsg("gofive: the request is queued, but no worker delivers it"),
				 errhint("Add gofive to shared_preload_libraries and set gofive.database.")));
	}
}

/*
 * Insert one row into gofive.outbox (the caller has validated it) and ask
 * for the worker to be woken at commit.  Returns the row's id.
 */
int64
gofive_enqueue_row(const char *operation, const char *method, const char *path,
				   Jsonb *body, const char *ordering_key)
{
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	bool		isnull;
	int64		id;

	values[0] = CStringGetTextDatum(operation);
	values[1] = CStringGetTextDatum(method);
	values[2] = CStringGetTextDatum(path);
	values[3] = body ? JsonbPGetDatum(body) : (Datum) 0;
	nulls[3] = body ? ' ' : 'n';
	values[4] = ordering_key ? CStringGetTextDatum(ordering_key) : (Datum) 0;
	nulls[4] = ordering_key ? ' ' : 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "gofive: SPI_connect failed");
	if (SPI_execute_plan(gofive_prepare_once(&insert_plan, INSERT_SQL, 5, types),
						 values, nulls, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "gofive: could not insert into gofive.outbox");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();

	gofive_wake_worker_at_commit();
	warn_if_no_worker();
	return id;
}

#define INSERT_ROWS_SQL \
	"INSERT INTO gofive.outbox (operation, method, path, body, ordering_key) " \
	"SELECT $1, $2, u.path, u.body, u.key " \
	"  FROM unnest($3::text[], $4::jsonb[], $5::text[]) WITH ORDINALITY AS u(path, body, key, n) " \
	" ORDER BY u.n"

static SPIPlanPtr insert_rows_plan = NULL;

/*
 * Insert n requests of one operation with one statement, in array order
 * (so their ids, and thus their order per ordering key, follow it).
 */
void
gofive_enqueue_rows(const char *operation, const char *method, int n, Datum *paths,
					Datum *bodies, bool *body_nulls, Datum *keys, bool *key_nulls)
{
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTARRAYOID, JSONBARRAYOID, TEXTARRAYOID};
	Datum		values[5];

	values[0] = CStringGetTextDatum(operation);
	values[1] = CStringGetTextDatum(method);
	values[2] = gofive_array(TEXTOID, n, paths, NULL);
	values[3] = gofive_array(JSONBOID, n, bodies, body_nulls);
	values[4] = gofive_array(TEXTOID, n, keys, key_nulls);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "gofive: SPI_connect failed");
	if (SPI_execute_plan(gofive_prepare_once(&insert_rows_plan, INSERT_ROWS_SQL, 5, types),
						 values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "gofive: could not insert into gofive.outbox");
	SPI_finish();

	gofive_wake_worker_at_commit();
	warn_if_no_worker();
}

const GfOperation *
gofive_operation_or_error(const char *name)
{
	const GfOperation *op = gf_find_operation(name);

	if (op == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive: unknown operation \"%s\"", name),
				 errhint("The operations are listed in the view gofive.operations; "
						 "use gofive_enqueue_request() for any other path.")));
	return op;
}

/* The text of params->key (a scalar), or NULL when absent or null. */
static const char *
param_text(Jsonb *params, const char *key)
{
	JsonbValue *v;

	if (params == NULL)
		return NULL;
	v = getKeyJsonValueFromContainer(&params->root, key, strlen(key), NULL);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (v->type == jbvBool)
		return v->val.boolean ? "true" : "false";
	return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
}

/*
 * The request for an operation from its payload (the body) and params (the
 * path and query arguments, by their SQL names, e.g. {"deal_id": 42}).
 */
GofiveCall
gofive_call_from_json(const GfOperation *op, Jsonb *payload, Jsonb *params)
{
	int			nargs = 0;
	const char **texts;
	Jsonb	   *query_object = NULL;

	if (params && !JB_ROOT_IS_OBJECT(params))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive %s: params must be a JSON object of path and query arguments", op->name)));
	while (op->args[nargs].sql_name)
		nargs++;
	texts = palloc0(sizeof(char *) * (nargs + 1));
	for (int i = 0; i < nargs; i++)
	{
		const GfArg *arg = &op->args[i];

		if (arg->kind == GF_ARG_PATH || arg->kind == GF_ARG_QUERY)
			texts[i] = param_text(params, arg->sql_name);
		else if (arg->kind == GF_ARG_QUERY_OBJECT && params)
		{
			JsonbValue *v = getKeyJsonValueFromContainer(&params->root, arg->sql_name,
														 strlen(arg->sql_name), NULL);

			if (v && v->type == jbvBinary)
				query_object = JsonbValueToJsonb(v);
		}
	}
	return gofive_make_call(op, texts, query_object, payload);
}

/* gofive_enqueue(operation text, payload jsonb, ordering_key text, params jsonb) */
Datum
gofive_enqueue(PG_FUNCTION_ARGS)
{
	const GfOperation *op;
	Jsonb	   *payload = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	char	   *ordering_key = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	Jsonb	   *params = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	GofiveCall	call;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive: operation must not be null")));
	op = gofive_operation_or_error(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	call = gofive_call_from_json(op, payload, params);
	PG_RETURN_INT64(gofive_enqueue_row(op->name, op->method, call.path, call.body,
									   ordering_key));
}

/* gofive_enqueue_request(method text, path text, body jsonb, ordering_key text) */
Datum
gofive_enqueue_request(PG_FUNCTION_ARGS)
{
	const char *method;
	char	   *path;

	gofive_method_and_path(fcinfo, &method, &path);
	PG_RETURN_INT64(gofive_enqueue_row("request", method, path,
									   PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2),
									   PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3))));
}

/* gofive.wake(): for SQL that changes the outbox itself (gofive_retry). */
Datum
gofive_wake(PG_FUNCTION_ARGS)
{
	gofive_wake_worker_at_commit();
	PG_RETURN_VOID();
}

/*
 * Delete succeeded rows older than gofive.retention, in slices, so that a
 * large purge does not hold many locks at once.  Used by the worker (every
 * minute) and by gofive.purge().
 */
#define PURGE_SQL \
	"DELETE FROM gofive.outbox WHERE id IN (" \
	"  SELECT id FROM gofive.outbox" \
	"   WHERE status = 'succeeded' AND finished_at < now() - make_interval(secs => $1)" \
	"   LIMIT 10000)"

int64
gofive_purge_expired(void)
{
	Oid			types[1] = {FLOAT8OID};
	Datum		values[1] = {Float8GetDatum((double) gofive_retention_s)};
	int64		total = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "gofive: SPI_connect failed");
	for (;;)
	{
		if (SPI_execute_with_args(PURGE_SQL, 1, types, values, NULL, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "gofive: purge failed");
		total += (int64) SPI_processed;
		if (SPI_processed < 10000)
			break;
	}
	SPI_finish();
	return total;
}

/* gofive.purge(): delete expired succeeded rows now; returns how many. */
Datum
gofive_purge(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(gofive_purge_expired());
}

/*
 * gofive.new_request_id(): a random (version 4) UUID for the X-Request-Id of
 * a queued request.  It needs to be unique, not secret, so it comes from a
 * per-backend PRNG seeded from a strong random source, which is several
 * times cheaper than gen_random_uuid() per enqueued row.
 */
Datum
gofive_new_request_id(PG_FUNCTION_ARGS)
{
	static pg_prng_state state;
	static bool seeded = false;
	pg_uuid_t  *uuid = palloc(sizeof(pg_uuid_t));
	uint64		half;

	if (!seeded)
	{
		uint64		seed;

		if (!pg_strong_random(&seed, sizeof(seed)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("gofive: could not generate a random seed")));
		pg_prng_seed(&state, seed);
		seeded = true;
	}
	half = pg_prng_uint64(&state);
	memcpy(uuid->data, &half, 8);
	half = pg_prng_uint64(&state);
	memcpy(uuid->data + 8, &half, 8);
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x40;	/* version 4 */
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	PG_RETURN_UUID_P(uuid);
}
