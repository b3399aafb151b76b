/*
 * fdw_deparse.c
 *		From a scan's WHERE clauses (and join clauses, for a parameterized
 *		scan) to the request the API will get, and its text for EXPLAIN.
 *
 * A condition is pushed to the API when it is "column = value" with the
 * column's type's own equality operator, the column is a filter of the
 * resource (fdw_resources.c) and the value uses no column of this table
 * and nothing volatile: a constant, a parameter, or an outer row's column.
 * When the key is compared so and the resource has a get-by-key operation,
 * that condition alone is pushed (as the path) and all others are checked
 * locally, since a get-by-key request filters on nothing else.
 * Invariant: a pushed condition is not checked again locally, so the API's
 * filter must be exact equality (the documented filters are).
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "fdw.h"

/* "column = value" with the column of this rel: the pushed condition, or NULL. */
static GofivePushed *
as_pushable(PlannerInfo *root, RelOptInfo *rel, Expr *clause)
{
	OpExpr	   *op;
	Var		   *var;
	Expr	   *value;
	GofivePushed *p;

	if (!IsA(clause, OpExpr) || list_length(((OpExpr *) clause)->args) != 2)
		return NULL;
	op = (OpExpr *) clause;
	var = (Var *) linitial(op->args);
	value = (Expr *) lsecond(op->args);
	if (!(IsA(var, Var) && var->varno == (int) rel->relid))
	{
		var = (Var *) lsecond(op->args);
		value = (Expr *) linitial(op->args);
	}
	if (!IsA(var, Var) || var->varno != (int) rel->relid || var->varlevelsup != 0 ||
		var->varattno <= 0)
		return NULL;
	if (lookup_type_cache(var->vartype, TYPECACHE_EQ_OPR)->eq_opr != op->opno ||
		exprType((Node *) value) != var->vartype)
		return NULL;
	if (bms_is_member(rel->relid, pull_varnos(root, (Node *) value)) ||
		contain_volatile_functions((Node *) value))
		return NULL;
	p = palloc0(sizeof(GofivePushed));
	p->column = get_attname(planner_rt_fetch(rel->relid, root)->relid, var->varattno, false);
	p->wire = gofive_wire_name(p->column);
	p->value = value;
	return p;
}

bool
gofive_has_wire(List *pushed, const char *wire)
{
	ListCell   *lc;

	foreach(lc, pushed)
		if (strcmp(((GofivePushed *) lfirst(lc))->wire, wire) == 0)
			return true;
	return false;
}

/*
 * Split clauses (RestrictInfos) into the conditions pushed to the API
 * (GofivePushed) and the clauses checked locally (bare expressions).
 */
void
gofive_classify_conditions(PlannerInfo *root, RelOptInfo *rel, const GofiveResource *res,
						   List *clauses, List **pushed, List **local)
{
	RestrictInfo *key = NULL;
	ListCell   *lc;

	*pushed = NIL;
	*local = NIL;
	/* a key lookup first: it makes every other condition local */
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		GofivePushed *p = ri->pseudoconstant ? NULL : as_pushable(root, rel, ri->clause);

		if (p && gofive_filter_target(res, p->wire, true) == GF_TO_PATH)
		{
			key = ri;
			*pushed = list_make1(p);
			break;
		}
	}
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		GofivePushed *p;

		if (ri == key || ri->pseudoconstant)
			continue;
		p = key ? NULL : as_pushable(root, rel, ri->clause);
		if (p && gofive_filter_target(res, p->wire, false) != GF_TO_NOWHERE &&
			!gofive_has_wire(*pushed, p->wire))
			*pushed = lappend(*pushed, p);
		else
			*local = lappend(*local, ri->clause);
	}
}

/* Whether the pushed conditions make a get-by-key request. */
bool
gofive_uses_get(const GofiveResource *res, List *pushed)
{
	return list_length(pushed) == 1 &&
		gofive_filter_target(res, ((GofivePushed *) linitial(pushed))->wire, true) == GF_TO_PATH;
}

/* A constant as JSON; any other value (known when the scan starts) as "?". */
static void
append_value_json(StringInfo s, Expr *value)
{
	Const	   *c = (Const *) value;
	Oid			output;
	bool		varlena;
	char	   *text;

	if (!IsA(value, Const))
	{
		appendStringInfoChar(s, '?');
		return;
	}
	if (c->constisnull)
	{
		appendStringInfoString(s, "null");
		return;
	}
	getTypeOutputInfo(c->consttype, &output, &varlena);
	text = OidOutputFunctionCall(output, c->constvalue);
	if (c->consttype == BOOLOID)
		appendStringInfoString(s, DatumGetBool(c->constvalue) ? "true" : "false");
	else if (c->consttype == INT2OID || c->consttype == INT4OID || c->consttype == INT8OID ||
			 c->consttype == NUMERICOID)
		appendStringInfoString(s, text);
	else
		escape_json(s, text);
}

static char *
value_text(Expr *value)
{
	Const	   *c = (Const *) value;
	Oid			output;
	bool		varlena;

	if (!IsA(value, Const) || c->constisnull)
		return NULL;
	getTypeOutputInfo(c->consttype, &output, &varlena);
	return OidOutputFunctionCall(output, c->constvalue);
}

/* The path with {name} filled from a constant key, or left as a template. */
static char *
described_path(const GfOperation *op, GofivePushed *key)
{
	char	   *text = key ? value_text(key->value) : NULL;
	const char *open = strchr(op->path, '{');

	if (text == NULL || open == NULL)
		return pstrdup(op->path);
	return psprintf("%.*s%s%s", (int) (open - op->path), op->path, gofive_url_encode(text),
					strchr(open, '}') + 1);
}

/*
 * The request as EXPLAIN shows it: method, path (with query), body.  Only
 * what the query gives appears, never a credential.  take > 0: the page
 * size of a paged enquiry, skip its first page's start.
 */
char *
gofive_describe_request(const GofiveResource *res, bool use_get, List *pushed, int take,
						int skip)
{
	const GfOperation *op = gofive_find_operation(use_get ? res->get_op : res->list_op);
	StringInfoData s;
	StringInfoData body;
	int			query = 0;
	ListCell   *lc;

	initStringInfo(&s);
	appendStringInfo(&s, "%s %s", op->method,
					 described_path(op, use_get ? linitial(pushed) : NULL));
	if (use_get)
		return s.data;
	initStringInfo(&body);
	if (res->defaults)
	{
		/* the defaults' members, without their braces */
		const char *open = strchr(res->defaults, '{') + 1;

		appendBinaryStringInfo(&body, open, strrchr(res->defaults, '}') - open);
	}
	foreach(lc, pushed)
	{
		GofivePushed *p = lfirst(lc);

		if (gofive_filter_target(res, p->wire, false) == GF_TO_QUERY)
		{
			char	   *text = value_text(p->value);

			appendStringInfo(&s, "%c%s=%s", query++ ? '&' : '?', p->wire,
							 text ? gofive_url_encode(text) : "?");
			continue;
		}
		appendStringInfoString(&body, body.len ? ", " : "");
		escape_json(&body, p->wire);
		appendStringInfoString(&body, ": ");
		append_value_json(&body, p->value);
	}
	if (take > 0)
		appendStringInfo(&body, "%s\"%s\": %d, \"%s\": %d", body.len ? ", " : "",
						 op->take_field, take, op->skip_field, skip);
	if (body.len)
		appendStringInfo(&s, " {%s}", body.data);
	return s.data;
}
