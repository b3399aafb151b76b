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

static void
plain_context(void *arg)
{
	errcontext("%s", (const char *) arg);
}

static void
push(ErrorContextCallback *cb, void (*callback) (void *), const char *arg)
{
	cb->callback = callback;
	cb->arg = unconstify(char *, arg);
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

void
gofive_push_operation(ErrorContextCallback *cb, const char *operation)
{
	push(cb, operation_context, operation);
}

/* A context line of fixed text (e.g. "requesting an access token"). */
void
gofive_push_context(ErrorContextCallback *cb, const char *text)
{
	push(cb, plain_context, text);
}

/* Take off the line pushed last (by either push function). */
void
gofive_pop_context(ErrorContextCallback *cb)
{
	error_context_stack = cb->previous;
}
