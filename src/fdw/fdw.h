/*
 * src/fdw/fdw.h
 *		The CRM as foreign tables (src/fdw/): the declarations its files
 *		share, one section per file, each declaring what that file defines:
 *		fdw_resources.c (which resources exist and their columns),
 *		fdw_deparse.c (from WHERE clauses to a request), fdw_analyze.c
 *		(ANALYZE's sample), fdw_scan.c (the executor's callbacks) and fdw.c
 *		(the handler, the planner's callbacks, the server's options).
 *
 * A column's wire name is its name in camelCase (quotation_no ->
 * quotationNo); the column "data" of type jsonb holds the whole record.
 */
#ifndef GOFIVE_FDW_H
#define GOFIVE_FDW_H

#include "postgres.h"

#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"

#include "client.h"

typedef struct GofiveResource
{
	const char *name;			/* table name and the "resource" option */
	const char *list_op;		/* enquiry or list operation, or NULL */
	const char *get_op;			/* get-by-key operation, or NULL */
	const char *key;			/* the record's key field (camelCase), or NULL */
	const char *defaults;		/* body fields always sent with list_op (JSON), or NULL */
	const char *const *fields;	/* main record fields beyond filters: "name:type" */
	const char *const *params;	/* filters that are request parameters, not record fields */
} GofiveResource;

/* Where a pushed condition's value goes. */
typedef enum GofiveTarget
{
	GOFIVE_TO_NOWHERE = 0,		/* not a filter: checked locally */
	GOFIVE_TO_PATH,				/* the get-by-key operation's path */
	GOFIVE_TO_QUERY,			/* a query parameter of the list operation */
	GOFIVE_TO_BODY				/* a field of the list operation's body */
} GofiveTarget;

/* ---- fdw_resources.c: the resources, their columns and filters ---- */
extern const GofiveResource *gofive_find_resource(const char *name);
extern const char *gofive_resource_names(void);
extern const GofiveResource *gofive_resource_of(Oid relid);
extern char *gofive_wire_name(const char *column);
extern char *gofive_column_name(const char *wire);
extern GofiveTarget gofive_filter_target(const GofiveResource *res, const char *wire,
										 bool for_get);
extern const char *gofive_required_filter(const GofiveResource *res);
extern bool gofive_is_request_parameter(const GofiveResource *res, const char *wire);
extern List *gofive_import_statements(const char *server, List *only, List *except, bool limit_to);

/* ---- fdw_deparse.c: what a scan asks the API ---- */
typedef struct GofivePushed
{
	char	   *wire;			/* field name on the wire */
	char	   *column;			/* the column, for messages */
	Expr	   *clause;			/* the condition, for its selectivity */
	Expr	   *value;			/* the other side of "column = value", or the
								 * array of "column = ANY (array)" */
	bool		many;			/* an IN list: a request per distinct value */
} GofivePushed;

extern void gofive_classify_conditions(PlannerInfo *root, RelOptInfo *rel,
									   const GofiveResource *res, List *clauses,
									   bool allow_list, List **pushed, List **local);
extern bool gofive_uses_get(const GofiveResource *res, List *pushed);
extern bool gofive_has_wire(List *pushed, const char *wire);
extern GofivePushed *gofive_pushed_list(List *pushed);
extern int	gofive_request_count(List *pushed);
extern int	gofive_array_items(Datum array, Oid element, Datum **items, bool **nulls);
extern char *gofive_describe_request(const GofiveResource *res, bool use_get, List *pushed,
									 const GofivePager *pager);

/* ---- fdw_analyze.c: ANALYZE's sample ---- */
extern bool gofive_fdw_analyze_table(Relation rel, AcquireSampleRowsFunc *func,
									 BlockNumber *totalpages);

/* ---- fdw_scan.c: the executor's side ---- */
extern void gofive_fdw_begin_scan(ForeignScanState *node, int eflags);
extern TupleTableSlot *gofive_fdw_iterate_scan(ForeignScanState *node);
extern void gofive_fdw_rescan(ForeignScanState *node);
extern void gofive_fdw_end_scan(ForeignScanState *node);
extern void gofive_fdw_async_request(AsyncRequest *areq);
extern void gofive_fdw_async_configure_wait(AsyncRequest *areq);
extern void gofive_fdw_async_notify(AsyncRequest *areq);

/* ---- fdw.c: the handler, the planner's side, the server's options ---- */
extern bool gofive_server_flag(ForeignServer *server, const char *name, bool otherwise);
extern int	gofive_server_read_ahead(ForeignServer *server);

/* the server option read_ahead: pages asked for ahead, at most */
#define GOFIVE_MAX_READ_AHEAD 8

/* positions in a ForeignScan's fdw_private */
enum
{
	GOFIVE_PRIVATE_RESOURCE,	/* String: the resource's name */
	GOFIVE_PRIVATE_USE_GET,		/* Integer: 1 for a get-by-key request */
	GOFIVE_PRIVATE_WIRES,		/* List of String: pushed fields, as fdw_exprs */
	GOFIVE_PRIVATE_TAKE,		/* Integer: page size of a paged enquiry, or 0 */
	GOFIVE_PRIVATE_LIMIT,		/* Integer: the rows the scan returns at most, or 0 */
	GOFIVE_PRIVATE_OFFSET,		/* Integer: the rows the API skips first */
	GOFIVE_PRIVATE_LIST,		/* Integer: which pushed value is an IN list, or -1 */
	GOFIVE_PRIVATE_REQUEST		/* String: the request, for EXPLAIN */
};

#endif							/* GOFIVE_FDW_H */
