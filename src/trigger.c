/*
 * trigger.c
 *		gofive.enqueue_trigger(): one outbox request per changed row.
 *
 *	CREATE TRIGGER products_to_venio
 *		AFTER INSERT OR UPDATE ON erp.serials
 *		FOR EACH ROW EXECUTE FUNCTION gofive.enqueue_trigger(
 *			'upsert_serial',
 *			'{"runningNumber": "running_no", "productCode": "product_code",
 *			  "serialNumber": "serial_no", "status": "active"}',
 *			'running_no');
 *
 * The mapping is a JSON object shaped like the request body.  A string
 * names a column of the row (its value is converted as to_jsonb() would);
 * a string starting with "=" is a literal ("=MA" is "MA"); numbers,
 * booleans and null are literals; arrays and objects are mapped element by
 * element.  The optional third argument names the column whose value is the
 * ordering key.  For a DELETE the old row is used.  The payload is
 * validated like gofive_enqueue's, so a row that cannot make a valid
 * request fails the statement.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "gofive.h"

PG_FUNCTION_INFO_V1(gofive_enqueue_trigger);

typedef struct MapContext
{
	TriggerData *trigdata;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	FmgrInfo	to_jsonb;		/* looked up once, fn_expr set per type */
} MapContext;

static JsonbValue *map_value(MapContext *ctx, JsonbParseState **state,
							 JsonbValue *template, JsonbIteratorToken token);

static Jsonb *
column_to_jsonb(MapContext *ctx, int attnum, bool *isnull)
{
	Datum		value = SPI_getbinval(ctx->tuple, ctx->tupdesc, attnum, isnull);
	Oid			type = SPI_gettypeid(ctx->tupdesc, attnum);

	if (*isnull)
		return NULL;
	/* to_jsonb(anyelement) reads its argument type from fn_expr */
	ctx->to_jsonb.fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
												  list_make1(makeNullConst(type, -1, InvalidOid)),
												  InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	return DatumGetJsonbP(FunctionCall1(&ctx->to_jsonb, value));
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
				 errmsg("gofive.enqueue_trigger: the mapping names column \"%s\", which table \"%s\" does not have",
						name, RelationGetRelationName(ctx->trigdata->tg_relation)),
				 errhint("Write a literal string as \"=%s\".", name)));
	jb = column_to_jsonb(ctx, attnum, &isnull);
	if (isnull)
	{
		v.type = jbvNull;
		return pushJsonbValue(state, token, &v);
	}
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
		return map_container(ctx, state, template->val.binary.data);
	}
	return pushJsonbValue(state, token, template);
}

static Jsonb *
parse_mapping(const char *text)
{
	Jsonb	   *mapping = gofive_parse_json(text, strlen(text));

	if (mapping == NULL || !JB_ROOT_IS_OBJECT(mapping))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive.enqueue_trigger: the mapping must be a JSON object"),
				 errdetail("Mapping: %s", text)));
	return mapping;
}

static char *
ordering_key_of(MapContext *ctx, const char *column)
{
	int			attnum = SPI_fnumber(ctx->tupdesc, column);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive.enqueue_trigger: ordering key column \"%s\" does not exist in table \"%s\"",
						column, RelationGetRelationName(ctx->trigdata->tg_relation))));
	return SPI_getvalue(ctx->tuple, ctx->tupdesc, attnum);
}

Datum
gofive_enqueue_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *trigger;
	const GfOperation *op;
	MapContext	ctx;
	JsonbParseState *state = NULL;
	Jsonb	   *body;
	GofiveCall	call;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gofive.enqueue_trigger must be an AFTER ... FOR EACH ROW trigger")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs < 2 || trigger->tgnargs > 3)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive.enqueue_trigger takes an operation, a mapping and an optional ordering key column")));

	op = gofive_operation_or_error(trigger->tgargs[0]);

	ctx.trigdata = trigdata;
	ctx.tupdesc = trigdata->tg_relation->rd_att;
	ctx.tuple = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? trigdata->tg_trigtuple :
		(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple);
	fmgr_info(F_TO_JSONB, &ctx.to_jsonb);

	body = JsonbValueToJsonb(map_container(&ctx, &state,
										   &parse_mapping(trigger->tgargs[1])->root));
	call = gofive_call_from_json(op, body, NULL);
	gofive_enqueue_row(op->name, op->method, call.path, call.body,
					   trigger->tgnargs == 3 ? ordering_key_of(&ctx, trigger->tgargs[2]) : NULL);
	return PointerGetDatum(NULL);
}
