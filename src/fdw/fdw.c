/*
 * src/fdw/fdw.c
 *		The foreign-data wrapper's handler and planner callbacks: the CRM's
 *		readable resources as foreign tables (README, "The CRM as tables").
 *
 *	CREATE FOREIGN TABLE q (...) SERVER venio_b OPTIONS (resource 'quotations');
 *	IMPORT FOREIGN SCHEMA venio FROM SERVER venio_b INTO crm;
 *
 * Planning: the WHERE conditions the API can filter on are pushed into the
 * request (fdw_deparse.c), an IN list as a request per value; equality on
 * the key becomes a get-by-key
 * request, also as a join parameter, so that a nested loop from a local
 * table makes one request per outer row; the LIMIT and OFFSET of a query
 * of this table alone, with nothing checked locally, become the enquiry's
 * take and skip, the scan taking the Limit node's place (the final upper
 * relation's path, as postgres_fdw does).  Costs count
 * requests: each costs the server's request_cost (default 100, like
 * postgres_fdw's fdw_startup_cost), so key lookups win over full scans;
 * rows come from ANALYZE's statistics once there are some
 * (fdw_analyze.c), from fixed guesses before.  A scan may run under an
 * asynchronous Append (the server option async_capable, on by default):
 * the executor's side is then fdw_scan.c's gofive_async_* callbacks.
 * The executor's side is fdw_scan.c.  Invariants:
 *	 - the tables are read-only: INSERT, UPDATE and DELETE raise, pointing to
 *	   the functions and the outbox;
 *	 - a scan that would need a required filter the query does not give
 *	   raises at plan time, naming the column.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "commands/defrem.h"
#include "commands/explain.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "nodes/makefuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "fdw.h"

PG_FUNCTION_INFO_V1(gofive_fdw_handler);

#define DEFAULT_REQUEST_COST 100.0
/*
 * rows guessed for a scan of a whole resource, and for one with a filter
 * (each filter sent keeps that fraction of the rows)
 */
#define FULL_SCAN_ROWS 1000.0
#define FILTERED_ROWS 50.0
/* a scan that lacks a required filter: never chosen when another plan exists */
#define IMPOSSIBLE_COST 1.0e10

typedef struct GofiveRelInfo
{
	RelOptInfo *base;			/* the foreign table's rel (itself, or the input
								 * of the final upper rel) */
	const GofiveResource *res;
	List	   *pushed;			/* from the WHERE clause alone */
	List	   *local;
	bool		use_get;
	bool		lacks_required;
	int			requests;		/* 1, or one per value of an IN list */
	double		fetched;		/* rows the API answers per request, a guess */
	double		request_cost;
	bool		async_capable;	/* the server's option: may run under an async Append */
	/* the same scan with the IN list checked locally, or NULL */
	struct GofiveRelInfo *without_list;
} GofiveRelInfo;

/* A server's option, or NULL. */
static const char *
server_option(ForeignServer *server, const char *name)
{
	ListCell   *lc;

	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/* A server's boolean option (async_capable), or otherwise. */
bool
gofive_server_flag(ForeignServer *server, const char *name, bool otherwise)
{
	const char *value = server_option(server, name);
	bool		b;

	/* the validator (account.c) let only booleans in */
	return (value && parse_bool(value, &b)) ? b : otherwise;
}

/* The server's read_ahead option (pages asked for ahead), or 0. */
int
gofive_server_read_ahead(ForeignServer *server)
{
	const char *value = server_option(server, "read_ahead");

	/* the validator (account.c) let only 0 .. GOFIVE_MAX_READ_AHEAD in */
	return value ? Min(Max(atoi(value), 0), GOFIVE_MAX_READ_AHEAD) : 0;
}

/* The server's request_cost option, or the default. */
static double
request_cost_of(ForeignServer *server)
{
	const char *value = server_option(server, "request_cost");

	return value ? strtod(value, NULL) : DEFAULT_REQUEST_COST;
}

static bool
lacks_required(const GofiveResource *res, bool use_get, List *pushed)
{
	const char *required = gofive_required_filter(res);

	return !use_get && required != NULL && !gofive_has_wire(pushed, required);
}

/*
 * The records a request answers.  After ANALYZE, the resource's records
 * (reltuples) times the pushed conditions' selectivity (from the columns'
 * statistics), shared among the IN list's requests; before, guesses: a
 * whole resource has FULL_SCAN_ROWS records, and each filter sent keeps
 * FILTERED_ROWS of each FULL_SCAN_ROWS.
 */
static double
fetched_per_request(PlannerInfo *root, RelOptInfo *rel, GofiveRelInfo *info)
{
	List	   *clauses = NIL;
	ListCell   *lc;

	if (rel->tuples < 0)		/* never analyzed */
		return clamp_row_est(FULL_SCAN_ROWS * pow(FILTERED_ROWS / FULL_SCAN_ROWS,
												  list_length(info->pushed)));
	foreach(lc, info->pushed)
		clauses = lappend(clauses, ((GofivePushed *) lfirst(lc))->clause);
	return clamp_row_est(rel->tuples *
						 clauselist_selectivity(root, clauses, rel->relid, JOIN_INNER, NULL) /
						 info->requests);
}

/* What a scan of rel sends, with or without an IN list, and its guesses. */
static GofiveRelInfo *
rel_info(PlannerInfo *root, RelOptInfo *rel, Oid relid, bool allow_list)
{
	GofiveRelInfo *info = palloc0(sizeof(GofiveRelInfo));
	ForeignServer *server;

	info->base = rel;
	info->res = gofive_resource_of(relid);
	gofive_classify_conditions(root, rel, info->res, rel->baserestrictinfo, allow_list,
							   &info->pushed, &info->local);
	info->use_get = gofive_uses_get(info->res, info->pushed);
	info->lacks_required = lacks_required(info->res, info->use_get, info->pushed);
	server = GetForeignServer(GetForeignTable(relid)->serverid);
	info->request_cost = request_cost_of(server);
	/* on by default: each scan has its own transfers, nothing is shared */
	info->async_capable = gofive_server_flag(server, "async_capable", true);
	info->requests = gofive_request_count(info->pushed);
	info->fetched = info->use_get ? 1.0 : fetched_per_request(root, rel, info);
	return info;
}

static void
gofive_fdw_get_rel_size(PlannerInfo *root, RelOptInfo *rel, Oid relid)
{
	GofiveRelInfo *info = rel_info(root, rel, relid, true);

	rel->rows = clamp_row_est(info->requests * info->fetched *
							  clauselist_selectivity(root, info->local, rel->relid,
													 JOIN_INNER, NULL));
	if (gofive_pushed_list(info->pushed))
		info->without_list = rel_info(root, rel, relid, false);
	rel->fdw_private = info;
}

/*
 * A scan's cost: a request per page (per value of an IN list), and the
 * rows the API answers.
 */
static void
scan_cost(GofiveRelInfo *info, Cost *startup, Cost *total)
{
	double		pages = info->requests *
		(info->use_get ? 1.0 : Max(1.0, ceil(info->fetched / Max(gofive_page_size, 1))));

	*startup = info->request_cost;
	*total = info->request_cost * pages + info->requests * info->fetched * cpu_tuple_cost;
	if (info->lacks_required)
		*startup = *total = IMPOSSIBLE_COST;
}

/* An equivalence class member that is the column of this rel at *arg. */
static bool
is_column_member(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
			  EquivalenceMember *em, void *arg)
{
	Var		   *var = (Var *) em->em_expr;

	return IsA(var, Var) && var->varno == (int) rel->relid && var->varlevelsup == 0 &&
		var->varattno == *(AttrNumber *) arg;
}

/*
 * Paths that take a column's value from another relation's row (a nested
 * loop, or a memoized one): one request per outer row, of rows rows.  For
 * the key, a get-by-key request; for a required filter (customer_events'
 * customer_code), the list operation with that filter.
 */
static void
add_param_paths(PlannerInfo *root, RelOptInfo *rel, Oid relid, GofiveRelInfo *info,
				const char *wire, double rows)
{
	AttrNumber	attno = get_attnum(relid, gofive_column_name(wire));
	List	   *clauses;
	ListCell   *lc;

	if (attno == InvalidAttrNumber)
		return;
	clauses = generate_implied_equalities_for_column(root, rel, is_column_member, &attno,
													 rel->lateral_referencers);
	foreach(lc, clauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		Relids		outer;

		if (!join_clause_is_movable_to(ri, rel))
			continue;
		outer = bms_union(bms_difference(ri->clause_relids, rel->relids), rel->lateral_relids);
		if (bms_is_empty(outer))
			continue;
		(void) get_baserel_parampathinfo(root, rel, outer);
		add_path(rel, (Path *) create_foreignscan_path(root, rel, NULL, rows,
													   info->request_cost,
													   info->request_cost + rows * cpu_tuple_cost,
													   NIL, outer, NULL, NIL));
	}
}

static void
gofive_fdw_get_paths(PlannerInfo *root, RelOptInfo *rel, Oid relid)
{
	GofiveRelInfo *info = rel->fdw_private;
	Cost		startup;
	Cost		total;

	scan_cost(info, &startup, &total);
	add_path(rel, (Path *) create_foreignscan_path(root, rel, NULL, rel->rows, startup, total,
												   NIL, rel->lateral_relids, NULL, NIL));
	/*
	 * The same with the IN list checked locally (fdw_private says so): a
	 * long list of values may cost more requests than reading everything.
	 */
	if (info->without_list && !info->without_list->lacks_required)
	{
		scan_cost(info->without_list, &startup, &total);
		add_path(rel, (Path *) create_foreignscan_path(root, rel, NULL, rel->rows, startup, total,
													   NIL, rel->lateral_relids, NULL,
													   list_make1(makeInteger(1))));
	}
	if (!info->use_get && info->res->get_op)
		add_param_paths(root, rel, relid, info,
						pnstrdup(info->res->key, strchr(info->res->key, ':') - info->res->key), 1.0);
	if (info->lacks_required && info->res->list_op)
		add_param_paths(root, rel, relid, info, gofive_required_filter(info->res), FILTERED_ROWS);
}

static void
raise_missing_filter(const GofiveResource *res, Oid relid)
{
	const char *column = gofive_column_name(gofive_required_filter(res));

	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("a query of foreign table \"%s\" must give column \"%s\"",
					get_rel_name(relid), column),
			 errdetail("The API reads %s only %s.", res->name,
					   res->list_op ? psprintf("with a value for %s", gofive_required_filter(res))
					   : "by key"),
			 errhint("Add WHERE %s = ... (or join on it).", column)));
}

/*
 * The columns (Vars) the query's output uses, of which the tuple of a scan
 * that does the LIMIT is made (its output expressions are computed from
 * them).
 */
static List *
scan_columns(RelOptInfo *rel)
{
	return pull_var_clause((Node *) rel->reltarget->exprs, PVC_RECURSE_PLACEHOLDERS);
}

/*
 * The plan of a scan (rel is the foreign table's) or of a scan that does
 * the query's LIMIT and OFFSET too (rel is the final upper rel, the path's
 * fdw_private their values): then the scan has no relation of its own
 * (scanrelid 0) and its tuple is the columns the query uses (scan_tlist).
 */
static ForeignScan *
gofive_fdw_get_plan(PlannerInfo *root, RelOptInfo *rel, Oid relid, ForeignPath *best_path,
					List *tlist, List *scan_clauses, Plan *outer_plan)
{
	GofiveRelInfo *info = rel->fdw_private;
	RelOptInfo *base = info->base;
	Index		scanrelid = rel->relid;
	List	   *scan_tlist = NIL;
	List	   *pushed;
	List	   *local;
	List	   *wires = NIL;
	List	   *values = NIL;
	bool		use_get;
	GofivePager pager;
	int			count = 0;
	int			offset = 0;
	int			list_index = -1;
	bool		allow_list = true;
	List	   *recheck = NIL;
	ListCell   *lc;

	if (IS_UPPER_REL(rel))
	{
		count = intVal(linitial(best_path->fdw_private));
		offset = intVal(lsecond(best_path->fdw_private));
		scan_clauses = base->baserestrictinfo;
		scanrelid = 0;
		relid = planner_rt_fetch(base->relid, root)->relid;
	}
	else if (best_path->fdw_private != NIL)
		allow_list = false;		/* the path that checks the IN list locally */
	gofive_classify_conditions(root, base, info->res, scan_clauses, allow_list, &pushed, &local);
	Assert(scanrelid > 0 || local == NIL);
	use_get = gofive_uses_get(info->res, pushed);
	if (lacks_required(info->res, use_get, pushed))
		raise_missing_filter(info->res, relid);
	foreach(lc, pushed)
	{
		GofivePushed *p = lfirst(lc);

		if (p->many)
			list_index = foreach_current_index(lc);
		wires = lappend(wires, makeString(p->wire));
		values = lappend(values, p->value);
		recheck = lappend(recheck, p->clause);
	}
	/* the columns the output and the recheck use, for a scan without a relation */
	if (scanrelid == 0)
		scan_tlist = add_to_flat_tlist(NIL, list_concat(scan_columns(base),
														pull_var_clause((Node *) recheck,
																		PVC_RECURSE_PLACEHOLDERS)));
	/* a list operation's paging (pager.c): pages of gofive.page_size, or the LIMIT */
	gofive_pager_plan(&pager, use_get ? NULL : gofive_find_operation(info->res->list_op),
					  count, offset);
	/* fdw_exprs: the values, then the pushed conditions as one, to recheck */
	return make_foreignscan(tlist, local, scanrelid,
							lappend(values, make_ands_explicit(recheck)),
							list_concat(list_make5(makeString(pstrdup(info->res->name)),
											   makeInteger(use_get ? 1 : 0), wires,
											   makeInteger(pager.take), makeInteger(count)),
									list_make3(makeInteger(offset), makeInteger(list_index),
											   makeString(gofive_describe_request(info->res, use_get,
																				  pushed, &pager)))),
							scan_tlist, NIL, outer_plan);
}

/* ---- LIMIT and OFFSET as take and skip ---- */

/* An integer constant of a LIMIT or OFFSET clause (0 when absent), or -1. */
static int64
const_bound(Node *n)
{
	if (n == NULL)
		return 0;
	if (!IsA(n, Const) || ((Const *) n)->constisnull || ((Const *) n)->consttype != INT8OID)
		return -1;
	return DatumGetInt64(((Const *) n)->constvalue);
}

/*
 * Whether the query is this one table, its WHERE all pushed, and nothing
 * between the scan and the LIMIT: no sort, grouping, window, set operation,
 * locking or set-returning function; and whether the columns it uses are
 * plain ones, not the whole row or a system column.
 */
static bool
final_is_pushable(PlannerInfo *root, RelOptInfo *input, GofiveRelInfo *in)
{
	Query	   *q = root->parse;
	ListCell   *lc;

	if (input->reloptkind != RELOPT_BASEREL || in == NULL || in->local != NIL ||
		in->use_get || in->lacks_required || in->res->list_op == NULL ||
		gofive_pushed_list(in->pushed) != NULL ||
		!gofive_find_operation(in->res->list_op)->take_field ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		!bms_is_empty(input->lateral_relids) || root->hasPseudoConstantQuals ||
		q->limitOption != LIMIT_OPTION_COUNT || q->hasAggs || q->groupClause ||
		q->groupingSets || q->distinctClause || q->hasWindowFuncs || q->hasTargetSRFs ||
		q->sortClause || q->havingQual || q->setOperations || q->rowMarks)
		return false;
	foreach(lc, scan_columns(input))
	{
		Var		   *var = lfirst(lc);

		if (!IsA(var, Var) || var->varattno <= 0)
			return false;
	}
	return true;
}

/*
 * UPPERREL_FINAL: for a constant LIMIT (and OFFSET) that the scan can do
 * alone, a path whose scan asks the API for the rows after OFFSET only and
 * stops after LIMIT rows, where PostgreSQL's Limit node would read the
 * OFFSET's rows too and drop them.
 */
static void
gofive_fdw_get_upper_paths(PlannerInfo *root, UpperRelationKind stage, RelOptInfo *input,
						   RelOptInfo *output, void *extra)
{
	GofiveRelInfo *in = input->fdw_private;
	GofiveRelInfo *info;
	int64		count;
	int64		offset;
	double		rows;
	double		pages;

	if (stage != UPPERREL_FINAL || !((FinalPathExtraData *) extra)->limit_needed ||
		!final_is_pushable(root, input, in))
		return;
	count = const_bound(root->parse->limitCount);
	offset = const_bound(root->parse->limitOffset);
	if (count <= 0 || offset < 0 || count > INT_MAX || offset > INT_MAX)
		return;
	info = palloc(sizeof(GofiveRelInfo));
	*info = *in;
	output->fdw_private = info;
	rows = clamp_row_est(Min((double) count, input->rows));
	pages = ceil(rows / Max(gofive_page_size, 1));
	add_path(output, (Path *) create_foreign_upper_path(root, output,
														root->upper_targets[UPPERREL_FINAL], rows,
														info->request_cost,
														info->request_cost * pages +
														rows * cpu_tuple_cost,
														NIL, NULL,
														list_make2(makeInteger((int) count),
																   makeInteger((int) offset))));
}

/*
 * Whether a scan may run under an asynchronous Append (the executor then
 * calls the gofive_async_* callbacks, fdw_scan.c): the server's option
 * async_capable, on unless turned off.
 */
static bool
gofive_fdw_is_async_capable(ForeignPath *path)
{
	GofiveRelInfo *info = path->path.parent->fdw_private;

	return info != NULL && info->async_capable;
}

static void
gofive_fdw_explain_scan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;

	/* a scan that does the LIMIT has no relation of its own: name it */
	if (plan->scan.scanrelid == 0)
	{
		RangeTblEntry *rte = exec_rt_fetch(bms_singleton_member(plan->fs_relids),
										   node->ss.ps.state);

		ExplainPropertyText("Relation",
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(rte->relid)),
													   get_rel_name(rte->relid)), es);
	}
	if (es->verbose)
		ExplainPropertyText("Venio Request",
							strVal(list_nth(plan->fdw_private, GOFIVE_PRIVATE_REQUEST)), es);
}

/* ---- read-only ---- */

static void
refuse_modification(Oid relid)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("foreign table \"%s\" is read-only", get_rel_name(relid)),
			 errdetail("The CRM's foreign tables only read."),
			 errhint("Write with the gofive_* functions (now) or through the outbox, gofive_enqueue (on commit).")));
}

static void
gofive_fdw_add_update_targets(PlannerInfo *root, Index rtindex, RangeTblEntry *rte, Relation rel)
{
	refuse_modification(RelationGetRelid(rel));
}

static List *
gofive_fdw_plan_modify(PlannerInfo *root, ModifyTable *plan, Index rti, int subplan_index)
{
	refuse_modification(planner_rt_fetch(rti, root)->relid);
	return NIL;
}

/* ---- IMPORT FOREIGN SCHEMA venio ---- */

static List *
gofive_fdw_import_schema(ImportForeignSchemaStmt *stmt, Oid serverid)
{
	if (strcmp(stmt->remote_schema, "venio") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("schema \"%s\" is not a gofive schema", stmt->remote_schema),
				 errhint("IMPORT FOREIGN SCHEMA venio FROM SERVER ... INTO ...: the CRM's resources.")));
	return gofive_import_statements(GetForeignServer(serverid)->servername,
									stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ? stmt->table_list : NIL,
									stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT ? stmt->table_list : NIL,
									stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO);
}

Datum
gofive_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	gofive_check_version();
	routine->GetForeignRelSize = gofive_fdw_get_rel_size;
	routine->GetForeignPaths = gofive_fdw_get_paths;
	routine->GetForeignPlan = gofive_fdw_get_plan;
	routine->BeginForeignScan = gofive_fdw_begin_scan;
	routine->IterateForeignScan = gofive_fdw_iterate_scan;
	routine->ReScanForeignScan = gofive_fdw_rescan;
	routine->EndForeignScan = gofive_fdw_end_scan;
	routine->GetForeignUpperPaths = gofive_fdw_get_upper_paths;
	routine->ExplainForeignScan = gofive_fdw_explain_scan;
	routine->AddForeignUpdateTargets = gofive_fdw_add_update_targets;
	routine->PlanForeignModify = gofive_fdw_plan_modify;
	routine->ImportForeignSchema = gofive_fdw_import_schema;
	routine->AnalyzeForeignTable = gofive_fdw_analyze_table;
	routine->IsForeignPathAsyncCapable = gofive_fdw_is_async_capable;
	routine->ForeignAsyncRequest = gofive_fdw_async_request;
	routine->ForeignAsyncConfigureWait = gofive_fdw_async_configure_wait;
	routine->ForeignAsyncNotify = gofive_fdw_async_notify;
	PG_RETURN_POINTER(routine);
}
