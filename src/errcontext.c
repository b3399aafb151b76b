/*
 * errcontext.c
 *		Which gofive operation an error happened in.
 *
 * Messages follow PostgreSQL's style: they say what went wrong, in lower
 * case, without a "gofive" prefix.  The operation goes in a CONTEXT line
 * (gofive operation "upsert_serial"), pushed by the SQL entry points around
 * everything they do, so that every error raised on the way (validation,
 * the token request, the network, the answer) names it.  The token request
 * adds a line of its own; the worker and the launcher name themselves on
 * every message they log.
 */
#include "postgres.h"

#include "gofive.h"

static void
operation_context(void *arg)
{
	errcontext("gofive operation \"%s\"", (const char *) arg);
}

void
gofive_push_operation(ErrorContextCallback *cb, const char *operation)
{
	cb->callback = operation_context;
	cb->arg = unconstify(char *, operation);
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

/* Take off the line pushed last (by either push function). */
void
gofive_pop_context(ErrorContextCallback *cb)
{
	error_context_stack = cb->previous;
}

static void
plain_context(void *arg)
{
	errcontext("%s", (const char *) arg);
}

/* A context line of fixed text (e.g. "requesting an access token"). */
void
gofive_push_context(ErrorContextCallback *cb, const char *text)
{
	cb->callback = plain_context;
	cb->arg = unconstify(char *, text);
	cb->previous = error_context_stack;
	error_context_stack = cb;
}
