/*
 * src/outbox/trigger.c
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
 * rows are then mapped in one call and queued with one INSERT per 10,000.
 *
 *	CREATE TRIGGER serials_to_venio
 *		AFTER INSERT ON erp.serials REFERENCING NEW TABLE AS new_rows
 *		FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger(...same arguments...);
 *
 * The mapping is a JSON object shaped like the request body.  A string
 * names a column of the row; a string starting with "=" is a literal ("=MA"
 * is "MA"); numbers, booleans and null are literals; arrays and objects are
 * mapped element by element.  The optional third argument names the column
 * whose value is the ordering key; the optional last one holds options
 * (trigger_check.c): "on_invalid" and "timestamp_zone".  For a DELETE the
 * old row is used.
 *
 * A column's value becomes JSON as gofive_sql_value() (convert.c) makes it
 * for the field it is mapped to (a date, timestamp or timestamptz in the
 * field's date format, a timestamp being a wall-clock time in the
 * trigger's timestamp_zone, gofive.time_zone by default), or as to_jsonb()
 * would for other types.  A NULL column is sent as null where the field is
 * nullable and left out otherwise (the rule of every path).  The body then
 * goes through the one conversion (validate.c), whose problems name the
 * column that gave the value; the error's CONTEXT names the trigger, the
 * table and the row (its primary key, when the role may read it).  A row
 * that cannot make a valid request fails the statement, or, with
 * "on_invalid": "record", is queued as a failed request carrying why
 * (never sent; a correcting UPDATE queues the row again).
 *
 * A row trigger's requests are inserted a statement at a time, as a
 * statement trigger's are (trigger_queue.c).
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
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "convert.h"
#include "gofive.h"
#include "outbox.h"

PG_FUNCTION_INFO_V1(gofive_enqueue_trigger);

/* What gives a top-level field of the body. */
typedef enum SourceKind
{
	SOURCE_COLUMN,				/* a column of the row */
	SOURCE_LITERAL,				/* a value of the mapping */
	SOURCE_NESTED				/* an array or object, mapped element by element */
} SourceKind;

typedef struct MappedField
{
	JsonbValue	key;			/* the field's name */
	const GofiveField *field;	/* the catalog's, or NULL */
	SourceKind	kind;
	AttrNumber	attnum;			/* SOURCE_COLUMN */
	JsonbValue	value;			/* SOURCE_LITERAL's value, SOURCE_NESTED's container */
} MappedField;

/* A field's path in the body, and the column mapped to it, for messages. */
typedef struct SourceColumn
{
	char	   *path;
	char	   *column;
} SourceColumn;

/*
 * What a trigger needs for every row, prepared when a statement first fires
 * it and kept in fn_extra for the rest of the statement: its arguments, the
 * mapping compiled, the column types (a domain's base), a to_jsonb() call
 * for each column of another type (to_jsonb reads its argument type from
 * fn_expr, so each column gets its own), the primary key's columns.
 */
typedef struct TriggerCache
{
	Oid			tgoid;
	GofiveTriggerArgs args;
	char	   *tgname;
	char	   *relname;
	Oid			relid;
	int			nmapped;
	MappedField *mapped;
	List	   *sources;		/* of SourceColumn */
	AttrNumber	key_attnum;		/* the ordering key's column, or 0 */
	int			natts;
	Oid		   *base_types;		/* per column */
	FmgrInfo   *to_jsonb;		/* per column, fn_oid InvalidOid until used */
	int			npk;
	AttrNumber *pk;				/* the primary key's columns */
	uint64		rows;			/* rows mapped in this statement */
} TriggerCache;

/* The row being mapped, for the mapping and the CONTEXT line. */
struct RowBatch;

typedef struct RowState
{
	const char *tgname;
	const char *relname;
	TriggerCache *cache;		/* NULL until made */
	struct RowBatch *batch;		/* a statement's rows not inserted yet, or NULL */
	MemoryContext cache_cxt;
	TupleDesc	tupdesc;
	HeapTuple	tuple;
} RowState;

static JsonbValue *map_value(RowState *rs, JsonbParseState **state, JsonbValue *template,
							 JsonbIteratorToken token);
static void flush_batch(const GofiveOperation *op, struct RowBatch *batch);

/* ---- the mapping, compiled ---- */

static void
note_sources(TriggerCache *cache, JsonbValue *template, const char *path)
{
	if (template->type == jbvString &&
		!(template->val.string.len > 0 && template->val.string.val[0] == '='))
	{
		SourceColumn *s = palloc(sizeof(SourceColumn));

		s->path = pstrdup(path);
		s->column = pnstrdup(template->val.string.val, template->val.string.len);
		cache->sources = lappend(cache->sources, s);
	}
	else if (template->type == jbvBinary)
	{
		JsonbContainer *c = template->val.binary.data;
		JsonbIterator *it = JsonbIteratorInit(c);
		JsonbIteratorToken tok;
		JsonbValue	v;
		char	   *key = NULL;
		int			i = 0;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
				key = pnstrdup(v.val.string.val, v.val.string.len);
			else if (tok == WJB_VALUE)
				note_sources(cache, &v, psprintf("%s.%s", path, key));
			else if (tok == WJB_ELEM)
				note_sources(cache, &v, psprintf("%s[%d]", path, i++));
		}
	}
}

static void
compile_mapping(TriggerCache *cache, Relation rel)
{
	JsonbContainer *root = &cache->args.mapping->root;
	JsonbIterator *it = JsonbIteratorInit(root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	MappedField *m = NULL;

	cache->mapped = palloc0(sizeof(MappedField) * Max(JsonContainerSize(root), 1));
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			m = &cache->mapped[cache->nmapped++];
			m->key = v;
			m->field = gofive_find_field(cache->args.op->fields,
										 pnstrdup(v.val.string.val, v.val.string.len));
			continue;
		}
		if (tok != WJB_VALUE)
			continue;
		note_sources(cache, &v, pnstrdup(m->key.val.string.val, m->key.val.string.len));
		m->value = v;
		if (v.type == jbvBinary)
			m->kind = SOURCE_NESTED;
		else if (v.type == jbvString && !(v.val.string.len > 0 && v.val.string.val[0] == '='))
		{
			m->kind = SOURCE_COLUMN;
			m->attnum = SPI_fnumber(RelationGetDescr(rel),
									pnstrdup(v.val.string.val, v.val.string.len));
		}
		else
		{
			m->kind = SOURCE_LITERAL;
			if (v.type == jbvString)
			{
				m->value.val.string.val++;	/* "=MA" is "MA" */
				m->value.val.string.len--;
			}
		}
	}
}

/* The primary key's columns, in the key's order. */
static void
primary_key(TriggerCache *cache, Relation rel)
{
	Oid			index = RelationGetPrimaryKeyIndex(rel);
	HeapTuple	tuple;
	Form_pg_index form;

	if (!OidIsValid(index))
		return;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
	if (!HeapTupleIsValid(tuple))
		return;
	form = (Form_pg_index) GETSTRUCT(tuple);
	cache->npk = form->indnkeyatts;
	cache->pk = palloc(sizeof(AttrNumber) * cache->npk);
	for (int i = 0; i < cache->npk; i++)
		cache->pk[i] = form->indkey.values[i];
	ReleaseSysCache(tuple);
}

/*
 * The trigger's cache, made (and its arguments checked against the table,
 * trigger_check.c) when a statement first fires it, even with no rows.
 */
static TriggerCache *
trigger_cache(FunctionCallInfo fcinfo, TriggerData *trigdata)
{
	TriggerCache *cache = (TriggerCache *) fcinfo->flinfo->fn_extra;
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	MemoryContext old;

	if (cache && cache->tgoid == trigdata->tg_trigger->tgoid)
		return cache;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache = palloc0(sizeof(TriggerCache));
	gofive_read_trigger_args(trigdata->tg_trigger->tgnargs, trigdata->tg_trigger->tgargs,
							 tupdesc, RelationGetRelationName(rel), &cache->args);
	cache->tgoid = trigdata->tg_trigger->tgoid;
	cache->tgname = pstrdup(trigdata->tg_trigger->tgname);
	cache->relname = pstrdup(RelationGetRelationName(rel));
	cache->relid = RelationGetRelid(rel);
	cache->natts = tupdesc->natts;
	cache->base_types = palloc(sizeof(Oid) * cache->natts);
	for (int i = 0; i < cache->natts; i++)
		cache->base_types[i] = getBaseType(TupleDescAttr(tupdesc, i)->atttypid);
	cache->to_jsonb = palloc0(sizeof(FmgrInfo) * cache->natts);
	if (cache->args.key_column)
		cache->key_attnum = SPI_fnumber(tupdesc, cache->args.key_column);
	compile_mapping(cache, rel);
	primary_key(cache, rel);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

/* ---- which row, for messages ---- */

/* Whether the current role may read every column of the primary key. */
static bool
may_read_key(TriggerCache *cache)
{
	if (pg_class_aclcheck(cache->relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK)
		return true;
	for (int i = 0; i < cache->npk; i++)
		if (pg_attribute_aclcheck(cache->relid, cache->pk[i], GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			return false;
	return true;
}

/*
 * The row, as PostgreSQL names a key: "row (deal_id)=(42)"; without a
 * primary key, or one the role may not read, its place in the statement.
 */
static char *
row_description(RowState *rs)
{
	TriggerCache *cache = rs->cache;
	StringInfoData names;
	StringInfoData values;

	if (cache->npk == 0 || !may_read_key(cache))
		return psprintf("row " UINT64_FORMAT " of the statement", cache->rows);
	initStringInfo(&names);
	initStringInfo(&values);
	for (int i = 0; i < cache->npk; i++)
	{
		char	   *value = SPI_getvalue(rs->tuple, rs->tupdesc, cache->pk[i]);

		appendStringInfo(&names, "%s%s", i ? ", " : "",
						 NameStr(TupleDescAttr(rs->tupdesc, cache->pk[i] - 1)->attname));
		appendStringInfo(&values, "%s%s", i ? ", " : "", value ? value : "null");
	}
	return psprintf("row (%s)=(%s)", names.data, values.data);
}

static char *
row_context_text(RowState *rs)
{
	if (rs->tuple == NULL || rs->cache == NULL)
		return psprintf("gofive_enqueue_trigger \"%s\" on table \"%s\"", rs->tgname, rs->relname);
	return psprintf("gofive_enqueue_trigger \"%s\" on table \"%s\", %s",
					rs->tgname, rs->relname, row_description(rs));
}

/* CONTEXT: which trigger, table and row an error is about. */
static void
row_context(void *arg)
{
	errcontext("%s", row_context_text((RowState *) arg));
}

/* Which column the mapping takes a field's value from (GofiveSources). */
static const char *
column_of(void *arg, const char *path)
{
	ListCell   *lc;

	foreach(lc, ((TriggerCache *) arg)->sources)
	{
		SourceColumn *s = lfirst(lc);

		if (strcmp(s->path, path) == 0)
			return s->column;
	}
	return NULL;
}

/* ---- a row, mapped ---- */

static Jsonb *
column_to_jsonb(RowState *rs, AttrNumber attnum, Datum value)
{
	FmgrInfo   *flinfo = &rs->cache->to_jsonb[attnum - 1];

	if (flinfo->fn_oid == InvalidOid)
	{
		MemoryContext old = MemoryContextSwitchTo(rs->cache_cxt);
		Oid			type = TupleDescAttr(rs->tupdesc, attnum - 1)->atttypid;

		fmgr_info_cxt(F_TO_JSONB, flinfo, rs->cache_cxt);
		flinfo->fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
												list_make1(makeNullConst(type, -1, InvalidOid)),
												InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(old);
	}
	return DatumGetJsonbP(FunctionCall1(flinfo, value));
}

/*
 * Push the value of a column, not NULL, for field (NULL: one the catalog
 * does not know, or a nested one).
 */
static JsonbValue *
push_column(RowState *rs, JsonbParseState **state, const GofiveField *field, AttrNumber attnum,
			Datum value, JsonbIteratorToken token)
{
	JsonbValue	v;
	Jsonb	   *jb;

	if (gofive_sql_value(field, value, rs->cache->base_types[attnum - 1],
						 rs->cache->args.timestamp_zone, &v))
		return pushJsonbValue(state, token, &v);
	jb = column_to_jsonb(rs, attnum, value);
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

/* A column named by a mapping string within an array or object. */
static JsonbValue *
push_named_column(RowState *rs, JsonbParseState **state, const char *name,
				  JsonbIteratorToken token)
{
	AttrNumber	attnum = SPI_fnumber(rs->tupdesc, name);
	bool		isnull;
	Datum		value;
	JsonbValue	null = {.type = jbvNull};

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("the mapping names column \"%s\", which table \"%s\" does not have",
						name, rs->cache->relname),
				 errhint("Write a literal string as \"=%s\".", name)));
	value = heap_getattr(rs->tuple, attnum, rs->tupdesc, &isnull);
	if (isnull)
		return pushJsonbValue(state, token, &null);
	return push_column(rs, state, NULL, attnum, value, token);
}

/* Walk a nested mapping container, pushing the mapped value into the state. */
static JsonbValue *
map_container(RowState *rs, JsonbParseState **state, JsonbContainer *container)
{
	JsonbIterator *it = JsonbIteratorInit(container);
	JsonbValue	v;
	JsonbIteratorToken tok;
	JsonbValue *result = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_VALUE || tok == WJB_ELEM)
			result = map_value(rs, state, &v, tok);
		else
			result = pushJsonbValue(state, tok, tok == WJB_KEY ? &v : NULL);
	}
	return result;
}

static JsonbValue *
map_value(RowState *rs, JsonbParseState **state, JsonbValue *template, JsonbIteratorToken token)
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
		return push_named_column(rs, state, pnstrdup(s, len), token);
	}
	if (template->type == jbvBinary)
		return map_container(rs, state, template->val.binary.data);
	return pushJsonbValue(state, token, template);
}

/*
 * The body a row maps to, before its conversion.  A NULL column for a
 * top-level field is null where the field is nullable and absent otherwise.
 */
static Jsonb *
map_row(RowState *rs)
{
	TriggerCache *cache = rs->cache;
	JsonbParseState *state = NULL;
	JsonbValue	null = {.type = jbvNull};

	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < cache->nmapped; i++)
	{
		MappedField *m = &cache->mapped[i];
		bool		isnull;
		Datum		value;

		if (m->kind == SOURCE_COLUMN)
		{
			value = heap_getattr(rs->tuple, m->attnum, rs->tupdesc, &isnull);
			if (isnull && !(m->field && (m->field->flags & GOFIVE_NULLABLE)))
				continue;
			(void) pushJsonbValue(&state, WJB_KEY, &m->key);
			if (isnull)
				(void) pushJsonbValue(&state, WJB_VALUE, &null);
			else
				(void) push_column(rs, &state, m->field, m->attnum, value, WJB_VALUE);
		}
		else
		{
			(void) pushJsonbValue(&state, WJB_KEY, &m->key);
			if (m->kind == SOURCE_LITERAL)
				(void) pushJsonbValue(&state, WJB_VALUE, &m->value);
			else
				(void) map_value(rs, &state, &m->value, WJB_VALUE);
		}
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

static char *
ordering_key_of(RowState *rs)
{
	if (rs->cache->key_attnum <= 0)
		return NULL;
	return SPI_getvalue(rs->tuple, rs->tupdesc, rs->cache->key_attnum);
}

/* What an invalid row's failed request records: the problems and the row. */
static char *
invalid_row_text(RowState *rs, const GofiveProblems *problems)
{
	return psprintf("not sent, the row cannot make a valid request: %s%s%s\n%s",
					problems->message, problems->detail ? "\n" : "",
					problems->detail ? problems->detail : "", row_context_text(rs));
}

/*
 * An invalid row with "on_invalid": "record": its request queued (as the
 * mapping made it) and failed at once with why; a warning says so.
 */
static void
record_invalid(RowState *rs, Jsonb *body, const GofiveProblems *problems)
{
	const GofiveOperation *op = rs->cache->args.op;
	char	   *why = invalid_row_text(rs, problems);
	int64		id;

	/* keep the order in which rows came */
	if (rs->batch)
		flush_batch(op, rs->batch);
	gofive_flush_row_requests();
	id = gofive_enqueue_row(op->name, op->method, op->path, body, ordering_key_of(rs));
	gofive_mark_invalid(id, why);
	ereport(WARNING,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("request " INT64_FORMAT " is recorded as failed: %s", id, problems->message),
			 problems->detail ? errdetail_internal("%s", problems->detail) : 0,
			 errhint("Correct the row: an UPDATE that fires the trigger queues it again.")));
}

/*
 * The converted body of the current row, or NULL when the row cannot make
 * a valid request and was recorded instead (else that is an error).
 */
static Jsonb *
row_body(RowState *rs)
{
	TriggerCache *cache = rs->cache;
	GofiveSources sources = {.column_of = column_of, .arg = cache};
	GofiveProblems problems;
	Jsonb	   *body;
	Jsonb	   *mapped;

	cache->rows++;
	mapped = body = map_row(rs);
	if (gofive_convert_body(cache->args.op, &body, &sources, &problems))
		return body;
	if (!cache->args.record_invalid)
		gofive_raise_problems(&problems);
	record_invalid(rs, mapped, &problems);
	return NULL;
}

/* ---- a statement's rows ---- */

#define STATEMENT_SLICE 10000

typedef struct RowBatch
{
	int			n;
	Datum		bodies[STATEMENT_SLICE];
	bool		body_nulls[STATEMENT_SLICE];
	Datum		keys[STATEMENT_SLICE];
	bool		key_nulls[STATEMENT_SLICE];
} RowBatch;

static void
flush_batch(const GofiveOperation *op, RowBatch *batch)
{
	if (batch->n == 0)
		return;
	gofive_enqueue_rows(op->name, op->method, op->path, batch->n,
						batch->bodies, batch->body_nulls, batch->keys, batch->key_nulls);
	batch->n = 0;
}

/* The rows of a transition table: mapped one by one, inserted in slices. */
static void
enqueue_statement(RowState *rs, Tuplestorestate *rows)
{
	const GofiveOperation *op = rs->cache->args.op;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(rs->tupdesc, &TTSOpsMinimalTuple);
	MemoryContext batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "gofive trigger batch",
													ALLOCSET_DEFAULT_SIZES);
	MemoryContext row_cxt = AllocSetContextCreate(CurrentMemoryContext, "gofive trigger row",
												  ALLOCSET_DEFAULT_SIZES);
	RowBatch   *batch = palloc0(sizeof(RowBatch));
	MemoryContext old = CurrentMemoryContext;

	rs->batch = batch;

	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		should_free;
		Jsonb	   *body;
		char	   *key;

		MemoryContextReset(row_cxt);
		MemoryContextSwitchTo(row_cxt);
		rs->tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);
		body = row_body(rs);
		if (body == NULL)
		{
			MemoryContextSwitchTo(old);
			continue;
		}
		key = ordering_key_of(rs);

		MemoryContextSwitchTo(batch_cxt);
		batch->body_nulls[batch->n] = false;
		batch->bodies[batch->n] = PointerGetDatum(datumCopy(JsonbPGetDatum(body), false, -1));
		batch->key_nulls[batch->n] = (key == NULL);
		batch->keys[batch->n] = key ? CStringGetTextDatum(key) : (Datum) 0;
		batch->n++;
		MemoryContextSwitchTo(old);
		if (batch->n == STATEMENT_SLICE)
		{
			rs->tuple = NULL;	/* an error now is about no one row */
			flush_batch(op, batch);
			MemoryContextReset(batch_cxt);
		}
	}
	rs->tuple = NULL;
	flush_batch(op, batch);
	rs->batch = NULL;
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(row_cxt);
	MemoryContextDelete(batch_cxt);
}

Datum
gofive_enqueue_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerCache *cache;
	RowState	rs = {0};
	bool		deleting;
	ErrorContextCallback operation_cb;
	ErrorContextCallback row_cb;

	gofive_check_version();
	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("gofive_enqueue_trigger must be an AFTER trigger")));
	rs.tgname = trigdata->tg_trigger->tgname;
	rs.relname = RelationGetRelationName(trigdata->tg_relation);
	rs.cache_cxt = fcinfo->flinfo->fn_mcxt;
	rs.tupdesc = RelationGetDescr(trigdata->tg_relation);
	row_cb.callback = row_context;
	row_cb.arg = &rs;
	row_cb.previous = error_context_stack;
	error_context_stack = &row_cb;
	rs.cache = cache = trigger_cache(fcinfo, trigdata);
	gofive_push_operation(&operation_cb, cache->args.op->name);
	deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);

	if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
	{
		Tuplestorestate *rows = deleting ? trigdata->tg_oldtable : trigdata->tg_newtable;

		if (rows == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("gofive_enqueue_trigger as a statement trigger needs REFERENCING %s TABLE AS ...",
							deleting ? "OLD" : "NEW")));
		cache->rows = 0;
		enqueue_statement(&rs, rows);
	}
	else
	{
		Jsonb	   *body;

		rs.tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
			trigdata->tg_newtuple : trigdata->tg_trigtuple;
		body = row_body(&rs);
		if (body)
			gofive_queue_row_request(cache->args.op, body, ordering_key_of(&rs));
	}
	gofive_pop_context(&operation_cb);
	error_context_stack = row_cb.previous;
	return PointerGetDatum(NULL);
}
