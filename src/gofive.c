/*
 * gofive.c
 *		Module entry point: settings, and (when preloaded) the outbox worker
 *		and the shared token cache.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

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
