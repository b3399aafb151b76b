/*
 * route.h
 *		Finding the catalog operation for a request: the method, and the path
 *		template matched segment by segment against the percent-decoded
 *		request path; and splitting the query string.
 */
#ifndef VENIO_ROUTE_H
#define VENIO_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"

#define ROUTE_MAX_PARAMS	8
#define QUERY_MAX_PARAMS	32

typedef struct RouteParam
{
	const char *name;			/* points into the template, not terminated */
	size_t		name_len;
	char	   *value;			/* percent-decoded, malloc'd */
} RouteParam;

typedef struct Route
{
	const GofiveOperation *op;
	int			nparams;
	RouteParam	params[ROUTE_MAX_PARAMS];
} Route;

typedef struct QueryParams
{
	int			count;
	char	   *keys[QUERY_MAX_PARAMS];	/* percent-decoded, malloc'd */
	char	   *values[QUERY_MAX_PARAMS];
} QueryParams;

extern bool route_find(const char *method, const char *raw_path, Route *route);
extern const char *route_param(const Route *route, const char *name);
extern void route_free(Route *route);

extern void query_parse(const char *raw_query, QueryParams *query);
extern const char *query_get(const QueryParams *query, const char *key);
extern void query_free(QueryParams *query);

#endif							/* VENIO_ROUTE_H */
