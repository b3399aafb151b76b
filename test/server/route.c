/*
 * route.c
 *		Routing a request to a catalog operation (see route.h).
 *
 * The catalog's path templates ("/v1/deals/{id}") are matched against the
 * request path one segment at a time.  Each request segment is
 * percent-decoded on its own, after splitting on '/', so an encoded slash
 * ("%2F") or question mark stays inside its parameter value.  A "{param}"
 * matches exactly one non-empty segment.  When several templates match, the
 * one with the most literal segments wins (so "/v1/contract/service-agreement"
 * beats "/v1/contract/{no}"), then the first in catalog order.
 */
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "util.h"

#define MAX_SEGMENTS 32

typedef struct PathSegments
{
	int			count;
	char	   *text[MAX_SEGMENTS];	/* decoded, each NUL-terminated */
	size_t		len[MAX_SEGMENTS];
	char	   *storage;
} PathSegments;

/* Split and decode an absolute path; false when it is not one, or too long. */
static bool
split_path(const char *raw_path, PathSegments *segs)
{
	const char *p = raw_path + 1;
	char	   *out;

	segs->count = 0;
	segs->storage = NULL;
	if (raw_path[0] != '/')
		return false;
	/* decoding never lengthens a segment: the raw path's size is enough */
	out = segs->storage = xmalloc(strlen(raw_path) + 1);
	for (;;)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		if (segs->count == MAX_SEGMENTS)
		{
			free(segs->storage);
			segs->storage = NULL;
			return false;
		}
		segs->text[segs->count] = out;
		segs->len[segs->count] = percent_decode(out, p, len, false);
		out += segs->len[segs->count] + 1;
		segs->count++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return true;
}

/*
 * Match one template.  Returns the number of literal segments when it
 * matches (parameters are noted in *route, their values still pointing into
 * segs), or -1.
 */
static int
match_template(const char *tmpl, const PathSegments *segs, Route *route)
{
	const char *p = tmpl + 1;
	int			i = 0;
	int			literals = 0;

	route->nparams = 0;
	if (tmpl[0] != '/')
		return -1;
	for (;;)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		if (i >= segs->count)
			return -1;
		if (len >= 2 && p[0] == '{' && p[len - 1] == '}')
		{
			RouteParam *param = &route->params[route->nparams];

			if (segs->len[i] == 0 || route->nparams == ROUTE_MAX_PARAMS)
				return -1;
			param->name = p + 1;
			param->name_len = len - 2;
			param->value = segs->text[i];
			route->nparams++;
		}
		else if (segs->len[i] == len && memcmp(segs->text[i], p, len) == 0)
			literals++;
		else
			return -1;
		i++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return i == segs->count ? literals : -1;
}

/* Find the operation for method and raw_path; false when there is none. */
bool
route_find(const char *method, const char *raw_path, Route *route)
{
	PathSegments segs;
	Route		candidate;
	int			best = -1;

	memset(route, 0, sizeof(*route));
	if (!split_path(raw_path, &segs))
		return false;
	for (int i = 0; i < gofive_operation_count; i++)
	{
		const GofiveOperation *op = &gofive_operations[i];
		int			score;

		if (strcmp(op->method, method) != 0)
			continue;
		score = match_template(op->path, &segs, &candidate);
		if (score > best)
		{
			best = score;
			*route = candidate;
			route->op = op;
		}
	}
	/* the values must outlive segs */
	for (int i = 0; i < route->nparams; i++)
		route->params[i].value = xstrdup(route->params[i].value);
	free(segs.storage);
	return best >= 0;
}

/* The decoded value of path parameter name, or NULL. */
const char *
route_param(const Route *route, const char *name)
{
	size_t		len = strlen(name);

	for (int i = 0; i < route->nparams; i++)
		if (route->params[i].name_len == len &&
			memcmp(route->params[i].name, name, len) == 0)
			return route->params[i].value;
	return NULL;
}

void
route_free(Route *route)
{
	for (int i = 0; i < route->nparams; i++)
		free(route->params[i].value);
	route->nparams = 0;
}

/* Split "a=1&b=x+y" into decoded keys and values ('+' is a space). */
void
query_parse(const char *raw_query, QueryParams *query)
{
	const char *p = raw_query;

	query->count = 0;
	while (p && *p && query->count < QUERY_MAX_PARAMS)
	{
		const char *amp = strchr(p, '&');
		size_t		len = amp ? (size_t) (amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t		key_len = eq ? (size_t) (eq - p) : len;
		size_t		value_len = eq ? len - key_len - 1 : 0;

		if (len > 0)
		{
			char	   *key = xmalloc(key_len + 1);
			char	   *value = xmalloc(value_len + 1);

			percent_decode(key, p, key_len, true);
			percent_decode(value, eq ? eq + 1 : "", value_len, true);
			query->keys[query->count] = key;
			query->values[query->count] = value;
			query->count++;
		}
		p = amp ? amp + 1 : NULL;
	}
}

/* The first value of key, or NULL. */
const char *
query_get(const QueryParams *query, const char *key)
{
	for (int i = 0; i < query->count; i++)
		if (strcmp(query->keys[i], key) == 0)
			return query->values[i];
	return NULL;
}

void
query_free(QueryParams *query)
{
	for (int i = 0; i < query->count; i++)
	{
		free(query->keys[i]);
		free(query->values[i]);
	}
	query->count = 0;
}
