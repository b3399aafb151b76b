/*
 * src/outbox/trigger_check.c
 *		The arguments of gofive_enqueue_trigger(), checked before a row
 *		arrives: at CREATE TRIGGER (through the utility hook, when gofive is
 *		preloaded), and in any case whenever a statement fires the trigger
 *		for the first time, rows or none.
 *
 * The arguments are: an operation of the catalog, a mapping (a JSON object
 * whose strings name columns of the table, except those starting with "="),
 * optionally the column holding the ordering key, and optionally options (a
 * JSON object, always the last argument): "on_invalid" ("fail", the
 * default, or "record") and "timestamp_zone" (the time zone whose
 * wall-clock times the table's timestamp columns hold).  An unknown
 * operation, column or option, an operation that needs path or query
 * arguments (a trigger has none to give), is an error that names it; so is
 * a trigger that is not AFTER.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "client.h"
#include "convert.h"
#include "gofive.h"
#include "outbox.h"

static bool
has_column(TupleDesc tupdesc, const char *name)
{
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return true;
	}
	return false;
}

/* Every string of the mapping that is not a literal names a column. */
static void
check_mapping_columns(Jsonb *mapping, TupleDesc tupdesc, const char *relname)
{
	JsonbIterator *it = JsonbIteratorInit(&mapping->root);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		char	   *name;

		if ((tok != WJB_VALUE && tok != WJB_ELEM) || v.type != jbvString ||
			(v.val.string.len > 0 && v.val.string.val[0] == '='))
			continue;
		name = pnstrdup(v.val.string.val, v.val.string.len);
		if (!has_column(tupdesc, name))
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("the mapping names column \"%s\", which table \"%s\" does not have",
							name, relname),
					 errhint("Write a literal string as \"=%s\".", name)));
	}
}

/*
 * The mapping's keys against the operation's fields (nested objects and
 * arrays of objects too), as the body's conversion will judge them: with
 * gofive.unknown_fields = error, a key that is no field would fail every
 * row, so it fails the trigger's creation instead.
 */
static void
check_mapping_keys(const GofiveOperation *op, const GofiveField *fields, JsonbContainer *c,
				   const char *prefix)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	const GofiveField *f = NULL;

	if (gofive_unknown_fields != GOFIVE_UNKNOWN_ERROR || fields == NULL)
		return;
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *near;

		if (tok == WJB_KEY)
		{
			f = gofive_find_field_n(fields, v.val.string.val, v.val.string.len);
			if (f == NULL && gofive_is_unknown_field(fields, v.val.string.val,
													 v.val.string.len, &near))
				ereport(ERROR,
						(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
						 near ?
						 errmsg("the mapping's field \"%s%.*s\" is not a field of %s (did you mean \"%s\"?)",
								prefix, v.val.string.len, v.val.string.val, op->title, near) :
						 errmsg("the mapping's field \"%s%.*s\" is not a field of %s",
								prefix, v.val.string.len, v.val.string.val, op->title),
						 errhint("The fields of each operation are in the view gofive.operation_fields; "
								 "SET gofive.unknown_fields = 'send' sends a field the catalog does not know.")));
		}
		else if (tok == WJB_VALUE && f && f->children && v.type == jbvBinary)
		{
			if (JsonContainerIsObject(v.val.binary.data))
				check_mapping_keys(op, f->children, v.val.binary.data,
								   psprintf("%s%s.", prefix, f->name));
			else
			{
				/* an array of objects: each object element */
				JsonbIterator *items = JsonbIteratorInit(v.val.binary.data);
				JsonbValue	item;
				JsonbIteratorToken item_tok;

				while ((item_tok = JsonbIteratorNext(&items, &item, true)) != WJB_DONE)
					if (item_tok == WJB_ELEM && item.type == jbvBinary &&
						JsonContainerIsObject(item.val.binary.data))
						check_mapping_keys(op, f->children, item.val.binary.data,
										   psprintf("%s%s[].", prefix, f->name));
			}
		}
	}
}

/* The mapping argument, parsed; an error unless it is a JSON object. */
Jsonb *
gofive_trigger_mapping(const char *text)
{
	Jsonb	   *mapping = gofive_parse_json(text, strlen(text));

	if (mapping == NULL || !JB_ROOT_IS_OBJECT(mapping))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("the mapping must be a JSON object"),
				 errdetail("Mapping: %s", text)));
	return mapping;
}

#define ARGUMENTS_HINT "The arguments are an operation, a mapping, an optional ordering key column and optional options, e.g. '{\"on_invalid\": \"record\"}'."

/* The value of option name, a string, or an error naming it. */
static char *
option_text(JsonbValue *v, const char *name)
{
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("option \"%s\" of gofive_enqueue_trigger must be a string", name)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The options argument: a JSON object of known options with good values. */
static void
parse_options(const char *text, GofiveTriggerArgs *ta)
{
	Jsonb	   *options = gofive_parse_json(text, strlen(text));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (options == NULL || !JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("the options of gofive_enqueue_trigger must be a JSON object"),
				 errdetail("Options: %s", text)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		if (tok != WJB_VALUE)
			continue;
		if (strcmp(key, "on_invalid") == 0)
		{
			char	   *value = option_text(&v, key);

			if (strcmp(value, "fail") != 0 && strcmp(value, "record") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
						 errmsg("option \"on_invalid\" of gofive_enqueue_trigger must be \"fail\" or \"record\", not \"%s\"",
								value)));
			ta->record_invalid = strcmp(value, "record") == 0;
		}
		else if (strcmp(key, "timestamp_zone") == 0)
		{
			ta->timestamp_zone = option_text(&v, key);
			if (pg_tzset(ta->timestamp_zone) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
						 errmsg("option \"timestamp_zone\" of gofive_enqueue_trigger must be a time zone name, not \"%s\"",
								ta->timestamp_zone),
						 errhint("For example UTC, or Asia/Bangkok.")));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("gofive_enqueue_trigger has no option \"%s\"", key),
					 errhint("The options are on_invalid (\"fail\" or \"record\") and timestamp_zone (a time zone name).")));
	}
}

/*
 * A trigger has no path or query arguments to give: an operation that
 * needs one cannot be queued from it.
 */
static void
check_operation(const GofiveOperation *op)
{
	for (int i = 0; op->args[i].sql_name; i++)
	{
		const GofiveArg *arg = &op->args[i];

		if ((arg->kind == GOFIVE_ARG_PATH || arg->kind == GOFIVE_ARG_QUERY) && !arg->optional)
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("operation \"%s\" needs argument \"%s\", which gofive_enqueue_trigger cannot give",
							op->name, arg->sql_name),
					 errhint("Call gofive_enqueue('%s', payload, ordering_key, params) from a trigger function of your own.",
							 op->name)));
	}
}

/*
 * Check a trigger's arguments against its table, and read them: operation,
 * mapping, [ordering key column], [options].  The options are the last
 * argument when it is a JSON object ("{..."); a column name never starts so.
 */
void
gofive_read_trigger_args(int nargs, char **args, TupleDesc tupdesc, const char *relname,
						 GofiveTriggerArgs *ta)
{
	memset(ta, 0, sizeof(*ta));
	if (nargs >= 3 && args[nargs - 1][0] == '{')
	{
		parse_options(args[nargs - 1], ta);
		nargs--;
	}
	if (nargs < 2 || nargs > 3)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive_enqueue_trigger takes an operation, a mapping, an optional ordering key column and optional options"),
				 errhint(ARGUMENTS_HINT)));
	ta->op = gofive_operation_or_error(args[0]);
	check_operation(ta->op);
	ta->mapping = gofive_trigger_mapping(args[1]);
	check_mapping_columns(ta->mapping, tupdesc, relname);
	if (ta->op->body == GOFIVE_BODY_OBJECT)
		check_mapping_keys(ta->op, ta->op->fields, &ta->mapping->root, "");
	if (nargs == 3)
	{
		ta->key_column = args[2];
		if (!has_column(tupdesc, args[2]))
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
					 errmsg("ordering key column \"%s\" does not exist in table \"%s\"",
							args[2], relname)));
	}
}

/* Whether funcoid is (a copy of) gofive_enqueue_trigger: C, that symbol. */
static bool
is_enqueue_trigger(Oid funcoid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	bool		result = false;

	if (!HeapTupleIsValid(tuple))
		return false;
	if (((Form_pg_proc) GETSTRUCT(tuple))->prolang == ClanguageId)
	{
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);

		result = !isnull && strcmp(TextDatumGetCString(src), "gofive_enqueue_trigger") == 0;
	}
	ReleaseSysCache(tuple);
	return result;
}

/*
 * CREATE TRIGGER, just executed: if it runs gofive_enqueue_trigger, check
 * its arguments now, so that a mistake fails the statement that made it
 * rather than the first row written to the table.
 */
void
gofive_check_create_trigger(CreateTrigStmt *stmt)
{
	Oid			funcoid = LookupFuncName(stmt->funcname, 0, NULL, true);
	Relation	rel;
	int			nargs = list_length(stmt->args);
	char	  **args = palloc0(sizeof(char *) * (nargs + 1));
	ListCell   *lc;
	int			i = 0;
	GofiveTriggerArgs ta;

	if (!OidIsValid(funcoid) || !is_enqueue_trigger(funcoid))
		return;
	if (stmt->timing != TRIGGER_TYPE_AFTER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("gofive_enqueue_trigger must be an AFTER trigger")));
	foreach(lc, stmt->args)
		args[i++] = strVal(lfirst(lc));
	rel = relation_openrv(stmt->relation, AccessShareLock);
	gofive_read_trigger_args(nargs, args, RelationGetDescr(rel), RelationGetRelationName(rel), &ta);
	relation_close(rel, AccessShareLock);
}
