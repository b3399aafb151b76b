/*
 * trigger_check.c
 *		The arguments of gofive_enqueue_trigger(), checked before a row
 *		arrives: at CREATE TRIGGER (through the utility hook, when gofive is
 *		preloaded), and in any case whenever a statement fires the trigger
 *		for the first time, rows or none.
 *
 * The arguments are: an operation of the catalog, a mapping (a JSON object
 * whose strings name columns of the table, except those starting with "="),
 * and optionally the column holding the ordering key.  An unknown operation
 * or column is an error that names it; so is a trigger that is not AFTER.
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
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "gofive.h"

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

/* Check a trigger's arguments against its table; the operation is returned. */
const GfOperation *
gofive_check_trigger_args(int nargs, char **args, TupleDesc tupdesc, const char *relname)
{
	const GfOperation *op;

	if (nargs < 2 || nargs > 3)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("gofive_enqueue_trigger takes an operation, a mapping and an optional ordering key column")));
	op = gofive_operation_or_error(args[0]);
	check_mapping_columns(gofive_trigger_mapping(args[1]), tupdesc, relname);
	if (nargs == 3 && !has_column(tupdesc, args[2]))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("ordering key column \"%s\" does not exist in table \"%s\"",
						args[2], relname)));
	return op;
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

	if (!OidIsValid(funcoid) || !is_enqueue_trigger(funcoid))
		return;
	if (stmt->timing != TRIGGER_TYPE_AFTER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("gofive_enqueue_trigger must be an AFTER trigger")));
	foreach(lc, stmt->args)
		args[i++] = strVal(lfirst(lc));
	rel = relation_openrv(stmt->relation, AccessShareLock);
	(void) gofive_check_trigger_args(nargs, args, RelationGetDescr(rel),
									 RelationGetRelationName(rel));
	relation_close(rel, AccessShareLock);
}
