/*
 * trigger.c
 *		gofive_enqueue_trigger(): one outbox request per changed row.
 *
 *	CREATE TRIGGER products_to_venio
 *		AFTER INSERT OR UPDATE ON erp.serials
 *		FOR EACH ROW EXECUTE FUNCTION gofive_enqueue_trigger(
 *			'upsert_serial',
 *			'{"runningNumber": "running_no", "productCode": "product_code",
 *			  "serialNumber": "serial_no", "status": "active"}',
 *			'running_no');
 *
 * For bulk loads, make it a statement trigger with a transition table: the
 * rows are then queued with one INSERT per 10,000 rows instead of one each.
 *
 *	CREATE TRIGGER serials_to_venio
 *		AFTER INSERT ON erp.serials REFERENCING NEW TABLE AS new_rows
 *		FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger(...same arguments...);
 *
 * The mapping is a JSON object shaped like the request body.  A string
 * names a column of the row (its value is converted as to_jsonb() would);
 * a string starting with "=" is a literal ("=MA" is "MA"); numbers,
 * booleans and null are literals; arrays and objects are mapped element by
 * element.  The optional third argument names the column whose value is the
 * ordering key.  A top-level field that maps a NULL column is left out of
 * the body (absent means "keep"), unless the documentation gives null a
 * meaning for it.  A date, timestamp or timestamptz column mapped to a
 * top-level field for which the catalog gives a date format is written in
 * that format, in gofive.time_zone (datetime.c).  For a DELETE the old row
 * is used.  The payload is
 * validated like gofive_enqueue's, so a row that cannot make a valid
 * request fails the statement.
 *
 * Rights: the function is not SECURITY DEFINER.  Values are converted with
 * the rights of the role whose statement fired the trigger (a column of a
 * user type may run that type's cast to json or output function: code of
 * that role's choosing); only the insert of the finished requests runs as
 * the outbox's owner (gofive_enqueue_row(s), privilege.c), and the requests
 * belong to that role.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "gofive.h"

PG_FUNCTION_INFO_V1(gofive_enqueue_trigger);

/*
 * What a trigger needs for every row, prepared at its first row and kept in
 * fn_extra for the rest of the statement: the parsed mapping, and a
 * to_jsonb() call for each column (to_jsonb reads its argument type from
 * fn_expr, so each column type gets its own).
 */
typedef struct TriggerCache
{
	Oid			tgoid;
	Jsonb	   *mapping;
	int			natts;
	FmgrInfo   *to_jsonb;		/* per column, fn_oid InvalidOid until used */
} TriggerCache;

typedef struct MapContext
{
	TriggerData *trigdata;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	TriggerCache *cache;
	MemoryContext cache_cxt;
	const GfField *target;		/* the top-level field being mapped, if known */
} MapContext;

static JsonbValue *map_value(MapContext *ctx, JsonbParseState **state,
							 JsonbValue *template, JsonbIteratorToken token);

static Jsonb *
column_to_jsonb(MapContext *ctx, int attnum, bool *isnull)
{
	Datum		value = SPI_getbinval(ctx->tuple, ctx->tupdesc, attnum, isnull);
	FmgrInfo   *flinfo = &ctx->cache->to_jsonb[attnum - 1];

	if (*isnull)
		return NULL;
	if (flinfo->fn_oid == InvalidOid)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx->cache_cxt);
		Oid			type = SPI_gettypeid(ctx->tupdesc, attnum);

		fmgr_info_cxt(F_TO_JSONB, flinfo, ctx->cache_cxt);
		flinfo->fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
												list_make1(makeNullConst(type, -1, InvalidOid)),
												InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(old);
	}
	return DatumGetJsonbP(FunctionCall1(flinfo, value));
}

/*
 * The JSON value of a column of the common scalar types, without going
 * through to_jsonb(); false for other types.
 */
static bool
scalar_column(Datum value, Oid type, JsonbValue *v)
{
	switch (type)
	{
		case TEXTOID:
		case VARCHAROID:
			{
				text	   *t = DatumGetTextPP(value);

				v->type = jbvString;
				v->val.string.val = VARDATA_ANY(t);
				v->val.string.len = VARSIZE_ANY_EXHDR(t);
				return true;
			}
		case BOOLOID:
			v->type = jbvBool;
			v->val.boolean = DatumGetBool(value);
			return true;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			v->type = jbvNumeric;
			v->val.numeric = int64_to_numeric(type == INT2OID ? DatumGetInt16(value) :
											  type == INT4OID ? DatumGetInt32(value) :
											  DatumGetInt64(value));
			return true;
		case NUMERICOID:
			v->type = jbvNumeric;
			v->val.numeric = DatumGetNumeric(value);
			return true;
		default:
			return false;
	}
}

/*
 * A date/time column mapped to a field with a date format: its value as the
 * API writes it; false for other columns and fields.
 */
static bool
datetime_column(MapContext *ctx, Datum value, Oid type, JsonbValue *v)
{
	char	   *s;

	if (ctx->target == NULL || ctx->target->date_format == GF_DATE_NONE)
		return false;
	type = getBaseType(type);
	if (!gofive_is_datetime_type(type))
		return false;
	s = gofive_format_datetime_value(value, type, ctx->target->date_format, gofive_time_zone);
	v->type = jbvString;
	v->val.string.val = s;
	v->val.string.len = strlen(s);
	return true;
}

/* Push the value of a column (named by a mapping string) into the state. */
static JsonbValue *
push_column(MapContext *ctx, JsonbParseState **state, const char *name,
			JsonbIteratorToken token)
{
	int			attnum = SPI_fnumber(ctx->tupdesc, name);
	bool		isnull;
	Jsonb	   *jb;
	JsonbValue	v;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("the mapping names column \"%s\", which table \"%s\" does not have",
						name, RelationGetRelationName(ctx->trigdata->tg_relation)),
				 errhint("Write a literal string as \"=%s\".", name)));
	{
		Datum		value = SPI_getbinval(ctx->tuple, ctx->tupdesc, attnum, &isnull);

		if (isnull)
		{
			v.type = jbvNull;
			return pushJsonbValue(state, token, &v);
		}
		if (datetime_column(ctx, value, SPI_gettypeid(ctx->tupdesc, attnum), &v) ||
			scalar_column(value, SPI_gettypeid(ctx->tupdesc, attnum), &v))
			return pushJsonbValue(state, token, &v);
	}
	jb = column_to_jsonb(ctx, attnum, &isnull);
	if (JB_ROOT_IS_SCALAR(jb))
	{
		JsonbExtractScalar(&jb->root, &v);
		return pushJsonbValue(state, token, &v);
	}
	v.type = jbvBinary;
	v.val.binary.data = &jb->root;
	v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	return pushJsonbValue(state, token, &v);
}

/* Walk a mapping container, pushing the mapped body into the state. */
static JsonbValue *
map_container(MapContext *ctx, JsonbParseState **state, JsonbContainer *container)
{
	JsonbIterator *it = JsonbIteratorInit(container);
	JsonbValue	v;
	JsonbIteratorToken tok;
	JsonbValue *result = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		switch (tok)
		{
			case WJB_BEGIN_OBJECT:
			case WJB_BEGIN_ARRAY:
				result = pushJsonbValue(state, tok, NULL);
				break;
			case WJB_END_OBJECT:
			case WJB_END_ARRAY:
				result = pushJsonbValue(state, tok, NULL);
				break;
			case WJB_KEY:
				result = pushJsonbValue(state, tok, &v);
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				result = map_value(ctx, state, &v, tok);
				break;
			default:
				break;
		}
	}
	return result;
}

static JsonbValue *
map_value(MapContext *ctx, JsonbParseState **state, JsonbValue *template,
		  JsonbIteratorToken token)
{
	if (template->type == jbvString)
	{
		const char *s = template->val.string.val;
		int			len = template->val.string.len;

		if (len > 0 && s[0] == '=')
		{
			JsonbValue	literal = *template;

			literal.val.string.val++;
			literal.val.string.len--;
			return pushJsonbValue(state, token, &literal);
		}
		return push_column(ctx, state, pnstrdup(s, len), token);
	}
	if (template->type == jbvBinary)
	{
		/* a nested object or array: the container's tokens go in as they come */
		const GfField *target = ctx->target;
		JsonbValue *result;

		ctx->target = NULL;		/* date formats apply to top-level fields only */
		result = map_container(ctx, state, template->val.binary.data);
		ctx->target = target;
		return result;
	}
	return pushJsonbValue(state, token, template);
}

/*
 * The trigger's cache, made (and its arguments checked against the table,
 * trigger_check.c) when a statement first fires it, even with no rows.
 */
static TriggerCache *
trigger_cache(FunctionCallInfo fcinfo, TriggerData *trigdata)
{
	TriggerCache *cache = (TriggerCache *) fcinfo->flinfo->fn_extra;
	MemoryContext old;

	if (cache && cache->tgoid == trigdata->tg_trigger->tgoid)
		return cache;
	(void) gofive_check_trigger_args(trigdata->tg_trigger->tgnargs, trigdata->tg_trigger->tgargs,
									 trigdata->tg_relation->rd_att,
									 RelationGetRelationName(trigdata->tg_relation));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache = palloc0(sizeof(TriggerCache));
	cache->tgoid = trigdata->tg_trigger->tgoid;
	cache->mapping = gofive_trigger_mapping(trigdata->tg_trigger->tgargs[1]);
	cache->natts = trigdata->tg_relation->rd_att->natts;
	cache->to_jsonb = palloc0(sizeof(FmgrInfo) * cache->natts);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

static char *
ordering_key_of(MapContext *ctx, const char *column)
{
	int			attnum = SPI_fnumber(ctx->tupdesc, column);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("ordering key column \"%s\" does not exist in table \"%s\"",
						column, RelationGetRelationName(ctx->trigdata->tg_relation))));
	return SPI_getvalue(ctx->tuple, ctx->tupdesc, attnum);
}

/*
 * Whether a top-level field is left out of the body: it maps a column whose
 * value is NULL, and the documentation gives null no meaning of its own for
 * the field (GF_NULL_MEANS), as the typed functions do with a SQL NULL
 * argument: absent means "keep".
 */
static bool
omitted_null(const GfOperation *op, MapContext *ctx, JsonbValue *key, JsonbValue *template)
{
	const GfField *field;
	char	   *name;
	int			attnum;
	bool		isnull;

	if (template->type != jbvString ||
		(template->val.string.len > 0 && template->val.string.val[0] == '='))
		return false;
	name = pnstrdup(template->val.string.val, template->val.string.len);
	attnum = SPI_fnumber(ctx->tupdesc, name);
	if (attnum <= 0)
		return false;			/* push_column names the missing column */
	(void) SPI_getbinval(ctx->tuple, ctx->tupdesc, attnum, &isnull);
	if (!isnull)
		return false;
	field = gofive_find_field(op->fields, pnstrdup(key->val.string.val, key->val.string.len));
	return !(field && (field->flags & GF_NULL_MEANS));
}

/* The request body for one row, validated; its path and body in *call. */
static GofiveCall
row_request(const GfOperation *op, MapContext *ctx, HeapTuple tuple)
{
	JsonbParseState *state = NULL;
	JsonbIterator *it = JsonbIteratorInit(&ctx->cache->mapping->root);
	JsonbValue	v;
	JsonbValue	key = {0};
	JsonbIteratorToken tok;
	JsonbValue *result = NULL;

	ctx->tuple = tuple;
	/* the top level by hand, to leave out NULL columns; the rest as mapped */
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = v;
		else if (tok == WJB_VALUE)
		{
			if (omitted_null(op, ctx, &key, &v))
				continue;
			(void) pushJsonbValue(&state, WJB_KEY, &key);
			ctx->target = gofive_find_field(op->fields,
											pnstrdup(key.val.string.val, key.val.string.len));
			result = map_value(ctx, &state, &v, WJB_VALUE);
			ctx->target = NULL;
		}
		else
			result = pushJsonbValue(&state, tok, NULL);
	}
	return gofive_call_from_json(op, JsonbValueToJsonb(result), NULL);
}

/* The rows of a statement: mapped one by one, inserted in slices. */
#define STATEMENT_SLICE 10000

typedef struct RowBatch
{
	int			n;
	Datum		paths[STATEMENT_SLICE];
	Datum		bodies[STATEMENT_SLICE];
	bool		body_nulls[STATEMENT_SLICE];
	Datum		keys[STATEMENT_SLICE];
	bool		key_nulls[STATEMENT_SLICE];
} RowBatch;

static void
flush_batch(const GfOperation *op, RowBatch *batch)
{
	if (batch->n == 0)
		return;
	gofive_enqueue_rows(op->name, op->method, batch->n, batch->paths,
						batch->bodies, batch->body_nulls, batch->keys, batch->key_nulls);
	batch->n = 0;
}

static void
enqueue_statement(const GfOperation *op, MapContext *ctx, Tuplestorestate *rows,
				  const char *key_column)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(ctx->tupdesc, &TTSOpsMinimalTuple);
	MemoryContext batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "gofive trigger batch",
													ALLOCSET_DEFAULT_SIZES);
	MemoryContext row_cxt = AllocSetContextCreate(CurrentMemoryContext, "gofive trigger row",
												  ALLOCSET_DEFAULT_SIZES);
	RowBatch   *batch = palloc0(sizeof(RowBatch));
	MemoryContext old = CurrentMemoryContext;

	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		should_free;
		HeapTuple	tuple;
		GofiveCall	call;
		char	   *key;

		MemoryContextReset(row_cxt);
		MemoryContextSwitchTo(row_cxt);
		tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);
		call = row_request(op, ctx, tuple);
		key = key_column ? ordering_key_of(ctx, key_column) : NULL;

		MemoryContextSwitchTo(batch_cxt);
		batch->paths[batch->n] = CStringGetTextDatum(call.path);
		batch->body_nulls[batch->n] = (call.body == NULL);
		batch->bodies[batch->n] = call.body ? PointerGetDatum(datumCopy(JsonbPGetDatum(call.body), false, -1)) : (Datum) 0;
		batch->key_nulls[batch->n] = (key == NULL);
		batch->keys[batch->n] = key ? CStringGetTextDatum(key) : (Datum) 0;
		batch->n++;
		MemoryContextSwitchTo(old);
		if (batch->n == STATEMENT_SLICE)
		{
			flush_batch(op, batch);
			MemoryContextReset(batch_cxt);
		}
	}
	flush_batch(op, batch);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(row_cxt);
	MemoryContextDelete(batch_cxt);
}

Datum
gofive_enqueue_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *trigger;
	const GfOperation *op;
	MapContext	ctx;
	const char *key_column;
	bool		deleting;
	ErrorContextCallback context;

	gofive_check_version();
	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gofive_enqueue_trigger must be an AFTER trigger")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs < 2 || trigger->tgnargs > 3)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive_enqueue_trigger takes an operation, a mapping and an optional ordering key column")));

	op = gofive_operation_or_error(trigger->tgargs[0]);
	gofive_push_operation(&context, op->name);
	key_column = trigger->tgnargs == 3 ? trigger->tgargs[2] : NULL;
	deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);

	ctx.trigdata = trigdata;
	ctx.tupdesc = trigdata->tg_relation->rd_att;
	ctx.cache = trigger_cache(fcinfo, trigdata);
	ctx.cache_cxt = fcinfo->flinfo->fn_mcxt;
	ctx.target = NULL;

	if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
	{
		Tuplestorestate *rows = deleting ? trigdata->tg_oldtable : trigdata->tg_newtable;

		if (rows == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("gofive_enqueue_trigger as a statement trigger needs REFERENCING %s TABLE AS ...",
							deleting ? "OLD" : "NEW")));
		enqueue_statement(op, &ctx, rows, key_column);
	}
	else
	{
		HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
			trigdata->tg_newtuple : trigdata->tg_trigtuple;
		GofiveCall	call = row_request(op, &ctx, tuple);

		gofive_enqueue_row(op->name, op->method, call.path, call.body,
						   key_column ? ordering_key_of(&ctx, key_column) : NULL);
	}
	gofive_pop_context(&context);
	return PointerGetDatum(NULL);
}
