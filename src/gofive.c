/*
 * src/gofive.c
 *		Module entry point: settings, and (when preloaded) the outbox worker
 *		and the shared token cache; and what every entry point does to its
 *		errors: the CONTEXT line that names the gofive operation.
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

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "client.h"
#include "gofive.h"
#include "outbox.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	gofive_define_settings();

	/* the launcher, the workers and their shared memory need preloading */
	if (process_shared_preload_libraries_in_progress)
	{
		gofive_shmem_init();
		gofive_token_cache_init();
		gofive_register_launcher();
		gofive_install_utility_hook();
	}
	/* wherever the library is loaded, undelivered requests are not dropped quietly */
	gofive_install_drop_guard();
	/* and a row trigger's requests go in a statement at a time */
	gofive_install_trigger_queue();
}

/* ---- the operation in the CONTEXT line of errors ---- */

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
