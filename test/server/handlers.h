/*
 * handlers.h
 *		The behaviour of each API operation, in a table keyed by the catalog
 *		operation's name, and the response envelopes.
 */
#ifndef VENIO_HANDLERS_H
#define VENIO_HANDLERS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "catalog.h"
#include "route.h"
#include "server.h"
#include "util.h"

/* A routed API request. */
typedef struct ApiCall
{
	const GofiveOperation *op;
	const Route *route;			/* decoded path parameters */
	const QueryParams *query;	/* decoded query parameters */
	json_object *body;			/* NULL when absent or JSON null */
} ApiCall;

extern void handlers_run(const ApiCall *call, Reply *reply);
extern void reply_api_error(Reply *reply, const GofiveOperation *op,
							const MessageList *messages);

#endif							/* VENIO_HANDLERS_H */
