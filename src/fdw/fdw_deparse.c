/*
 * src/fdw/fdw_deparse.c
 *		From a scan's WHERE clauses (and join clauses, for a parameterized
 *		scan) to the request the API will get, and its text for EXPLAIN.
 *
 * A condition is pushed to the API when it is "column = value" or
 * "column IN (values)" (= ANY (array)) with the column's type's own
 * equality operator, the column is a filter of the resource
 * (fdw_resources.c) and the value uses no column of this table and nothing
 * volatile: a constant, a parameter, or an outer row's column.  When the
 * key is compared so and the resource has a get-by-key operation, that
 * condition alone is pushed (as the path) and all others are checked
 * locally, since a get-by-key request filters on nothing else.  One IN
 * list at most is pushed: the scan makes its requests once per distinct
 * value (fdw_scan.c); another is checked locally.
 * Invariant: the scan checks each row against the pushed conditions too
 * (fdw_scan.c: the API is not trusted to filter), so a filter the API
 * applies loosely or not at all never lets a row through that the WHERE
 * clause excludes; the documented filters are exact equality, which also
 * makes the rows of an IN list's values disjoint.
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/typcache.h"

#include "fdw.h"

static bool
is_column_of(RelOptInfo *rel, Node *n)
{
	Var		   *var = (Var *) n;

	return IsA(var, Var) && var->varno == (int) rel->relid && var->varlevelsup == 0 &&
		var->varattno > 0;
}

/*
 * "column = value" or "column = ANY (values)" with the column of this rel:
 * the pushed condition, or NULL.
 */
static GofivePushed *
as_pushable(PlannerInfo *root, RelOptInfo *rel, Expr *clause)
{
	List	   *args;
	Oid			opno;
	bool		many = false;
	Var		   *var;
	Expr	   *value;
	GofivePushed *p;

	if (IsA(clause, OpExpr))
	{
		args = ((OpExpr *) clause)->args;
		opno = ((OpExpr *) clause)->opno;
	}
	else if (IsA(clause, ScalarArrayOpExpr) && ((ScalarArrayOpExpr *) clause)->useOr)
	{
		args = ((ScalarArrayOpExpr *) clause)->args;
		opno = ((ScalarArrayOpExpr *) clause)->opno;
		many = true;
	}
	else
		return NULL;
	if (list_length(args) != 2)
		return NULL;
	var = (Var *) linitial(args);
	value = (Expr *) lsecond(args);
	if (!many && !is_column_of(rel, (Node *) var))
	{
		var = (Var *) lsecond(args);
		value = (Expr *) linitial(args);
	}
	if (!is_column_of(rel, (Node *) var) ||
		lookup_type_cache(var->vartype, TYPECACHE_EQ_OPR)->eq_opr != opno ||
		(many ? get_element_type(exprType((Node *) value)) : exprType((Node *) value)) !=
		var->vartype)
		return NULL;
	if (bms_is_member(rel->relid, pull_varnos(root, (Node *) value)) ||
		contain_volatile_functions((Node *) value))
		return NULL;
	p = palloc0(sizeof(GofivePushed));
	p->column = get_attname(planner_rt_fetch(rel->relid, root)->relid, var->varattno, false);
	p->wire = gofive_wire_name(p->column);
	p->clause = clause;
	p->value = value;
	p->many = many;
	return p;
}

/* The pushed IN list, or NULL. */
GofivePushed *
gofive_pushed_list(List *pushed)
{
	ListCell   *lc;

	foreach(lc, pushed)
		if (((GofivePushed *) lfirst(lc))->many)
			return lfirst(lc);
	return NULL;
}

/* How many requests the pushed conditions make (at plan time, a guess). */
int
gofive_request_count(List *pushed)
{
	GofivePushed *list = gofive_pushed_list(pushed);

	return list ? Max(1, estimate_array_length((Node *) list->value)) : 1;
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
 * (GofivePushed) and the clauses checked locally (bare expressions);
 * without allow_list, IN lists are checked locally.
 */
void
gofive_classify_conditions(PlannerInfo *root, RelOptInfo *rel, const GofiveResource *res,
						   List *clauses, bool allow_list, List **pushed, List **local)
{
	RestrictInfo *key = NULL;
	ListCell   *lc;

	*pushed = NIL;
	*local = NIL;
	/*
	 * A key lookup first, "=" rather than IN: it makes every other
	 * condition local.
	 */
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		GofivePushed *p = ri->pseudoconstant ? NULL : as_pushable(root, rel, ri->clause);

		if (p && p->many && !allow_list)
			continue;
		if (p && gofive_filter_target(res, p->wire, true) == GOFIVE_TO_PATH &&
			(key == NULL || (gofive_pushed_list(*pushed) && !p->many)))
		{
			key = ri;
			*pushed = list_make1(p);
		}
	}
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		GofivePushed *p;

		if (ri == key || ri->pseudoconstant)
			continue;
		p = key ? NULL : as_pushable(root, rel, ri->clause);
		if (p && p->many && !allow_list)
			p = NULL;
		if (p && gofive_filter_target(res, p->wire, false) != GOFIVE_TO_NOWHERE &&
			!gofive_has_wire(*pushed, p->wire) && !(p->many && gofive_pushed_list(*pushed)))
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
		gofive_filter_target(res, ((GofivePushed *) linitial(pushed))->wire, true) == GOFIVE_TO_PATH;
}

/* The elements of a one-dimensional array of element type element; their count. */
int
gofive_array_items(Datum array, Oid element, Datum **items, bool **nulls)
{
	int16		len;
	bool		byval;
	char		align;
	int			n;

	get_typlenbyvalalign(element, &len, &byval, &align);
	deconstruct_array(DatumGetArrayTypeP(array), element, len, byval, align, items, nulls, &n);
	return n;
}

/*
 * A pushed value as JSON: a constant as such (an IN list's as an array),
 * any other value (known when the scan starts) as "?".
 */
static void
append_value_json(StringInfo s, Expr *value)
{
	Const	   *c = (Const *) value;
	Oid			element;

	if (!IsA(value, Const))
		appendStringInfoChar(s, '?');
	else if (c->constisnull)
		appendStringInfoString(s, "null");
	else if (OidIsValid(element = get_element_type(c->consttype)))
	{
		Datum	   *items;
		bool	   *nulls;
		int			n = gofive_array_items(c->constvalue, element, &items, &nulls);

		appendStringInfoChar(s, '[');
		for (int i = 0; i < n; i++)
		{
			appendStringInfoString(s, i ? ", " : "");
			if (nulls[i])
				appendStringInfoString(s, "null");
			else
				gofive_append_json_value(s, items[i], element);
		}
		appendStringInfoChar(s, ']');
	}
	else
		gofive_append_json_value(s, c->constvalue, c->consttype);
}

/* A constant single value's text, or NULL. */
static char *
value_text(GofivePushed *p)
{
	Const	   *c = (Const *) p->value;

	if (p->many || !IsA(c, Const) || c->constisnull)
		return NULL;
	return gofive_datum_text(c->constvalue, c->consttype);
}

static void append_body(StringInfo s, const GofiveResource *res, List *pushed,
						const GofivePager *pager);

/* The path with {name} filled from a constant key, or left as a template. */
static char *
described_path(const GofiveOperation *op, GofivePushed *key)
{
	char	   *text = key ? value_text(key) : NULL;
	const char *open = strchr(op->path, '{');

	if (text == NULL || open == NULL)
		return pstrdup(op->path);
	return psprintf("%.*s%s%s", (int) (open - op->path), op->path, gofive_url_encode(text),
					strchr(open, '}') + 1);
}

/*
 * The request as EXPLAIN shows it: method, path (with query), body, and
 * for an IN list the values for which it is made ("for customerCode in
 * [...]").  Only what the query gives appears, never a credential.
 * pager: the plan's paging (fdw.c), whose first page it shows (pager.c).
 */
char *
gofive_describe_request(const GofiveResource *res, bool use_get, List *pushed,
						const GofivePager *pager)
{
	const GofiveOperation *op = gofive_find_operation(use_get ? res->get_op : res->list_op);
	GofivePushed *list;
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfo(&s, "%s %s", op->method,
					 described_path(op, use_get ? linitial(pushed) : NULL));
	if (!use_get)
		append_body(&s, res, pushed, pager);
	if ((list = gofive_pushed_list(pushed)) != NULL)
	{
		appendStringInfo(&s, " for %s in ", list->wire);
		append_value_json(&s, list->value);
	}
	return s.data;
}

/* The query string and body of the list operation's request, with its paging. */
static void
append_body(StringInfo s, const GofiveResource *res, List *pushed, const GofivePager *pager)
{
	StringInfoData body;
	int			query = 0;
	ListCell   *lc;

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

		if (gofive_filter_target(res, p->wire, false) == GOFIVE_TO_QUERY)
		{
			char	   *text = value_text(p);

			appendStringInfo(s, "%c%s=%s", query++ ? '&' : '?', p->wire,
							 text ? gofive_url_encode(text) : "?");
			continue;
		}
		appendStringInfoString(&body, body.len ? ", " : "");
		escape_json(&body, p->wire);
		appendStringInfoString(&body, p->many ? ": ?" : ": ");
		if (!p->many)
			append_value_json(&body, p->value);
	}
	gofive_pager_describe(&body, pager);
	if (body.len)
		appendStringInfo(s, " {%s}", body.data);
}
