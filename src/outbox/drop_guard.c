/*
 * src/outbox/drop_guard.c
 *		Requests are never dropped without a word: whatever statement drops
 *		the outbox (DROP EXTENSION gofive, DROP SCHEMA gofive CASCADE,
 *		DROP OWNED BY its owner), it is refused while requests are
 *		undelivered (pending or sending), unless gofive.drop_undelivered is
 *		on, which turns the refusal into a warning with their count.
 *
 * The setting is any role's to set (and a superuser's ALTER DATABASE or
 * ALTER ROLE ... SET gives it to every session), so what counts is who
 * drops: only a superuser or the extension's owner (a member of its role)
 * may drop undelivered requests.  Anybody else is refused all the same: a
 * database owner's DROP SCHEMA public CASCADE must not discard every
 * role's requests.
 *
 * The check runs in object_access_hook, on the drop of the outbox table
 * or of gofive.intake (the batches not moved into the outbox yet),
 * whichever goes first, once per statement: every path that drops the
 * extension drops its members first, and the hook runs before the table
 * goes (its rows still there, its lock taken by the drop).  Dropping the
 * extension also wakes this database's worker at commit, so that it
 * leaves.  Invariant: a table is the outbox (or the intake) only as a
 * member of extension gofive; anything else of that name is left alone.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

#include "gofive.h"
#include "outbox.h"

static object_access_hook_type prev_object_access = NULL;

bool		gofive_drop_undelivered = false;

/*
 * The requests of this database's outbox that are not delivered yet, all
 * roles' (counted as the outbox's owner: row-level security would hide
 * other roles' rows), those of the batches not moved into it yet included.
 */
#define UNDELIVERED_SQL(in_intake) \
	"SELECT pg_catalog.count(*) OPERATOR(pg_catalog.+) " in_intake " FROM gofive.outbox" \
	" WHERE status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[])"

static int64
count_undelivered(void)
{
	GofiveRaised saved;
	int64		n;
	bool		isnull;

	gofive_become_owner(&saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* gofive.intake is new in 1.1: the library may be newer than the extension */
	if (SPI_execute(OidIsValid(get_relname_relid("intake", get_namespace_oid("gofive", true))) ?
					UNDELIVERED_SQL("(SELECT COALESCE(pg_catalog.sum(i.n), 0) FROM gofive.intake i)") :
					UNDELIVERED_SQL("0"), true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not count the undelivered requests");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	gofive_restore_user(&saved);
	return n;
}

/* Whether the role dropping may drop undelivered requests: a superuser or the extension's owner. */
static bool
may_drop_undelivered(void)
{
	Oid			ext = get_extension_oid("gofive", true);

	return OidIsValid(ext) ? pg_extension_ownercheck(ext, GetUserId()) : superuser();
}

/*
 * Refuse (or, with gofive.drop_undelivered and the right to use it, warn
 * about) undelivered requests.  The hint offers only what the role may do.
 */
static void
check_undelivered(void)
{
	int64		n = count_undelivered();
	bool		may_drop;

	if (n == 0)
		return;
	may_drop = may_drop_undelivered();
	if (gofive_drop_undelivered && may_drop)
	{
		ereport(WARNING,
				(errmsg_plural("dropping %lld undelivered request",
							   "dropping %lld undelivered requests", n, (long long) n),
				 errdetail("gofive.drop_undelivered is on.")));
		return;
	}
	ereport(ERROR,
			(errcode(gofive_drop_undelivered ? ERRCODE_INSUFFICIENT_PRIVILEGE : ERRCODE_OBJECT_IN_USE),
			 errmsg_plural("cannot drop extension gofive: %lld request is not delivered yet",
						   "cannot drop extension gofive: %lld requests are not delivered yet",
						   n, (long long) n),
			 gofive_drop_undelivered ?
			 errdetail("gofive.drop_undelivered is on, but only a superuser or the owner of extension gofive may drop undelivered requests, and role \"%s\" is neither.",
					   GetUserNameFromId(GetUserId(), false)) : 0,
			 may_drop ?
			 errhint("See them in gofive.queue (status pending or sending). Wait for the worker "
					 "to deliver them, delete them from gofive.outbox and gofive.intake as their owner, or "
					 "SET gofive.drop_undelivered = on to drop them with the extension.") :
			 errhint("See them in gofive.queue (status pending or sending). Wait for the worker "
					 "to deliver them, or ask a superuser to drop them with the extension.")));
}

/*
 * Whether relid is gofive.outbox or gofive.intake, members of extension
 * gofive.  A drop deletes its objects one by one, firing the hook before
 * each: the first of the two to go counts the requests of both.
 */
static bool
is_queue_table(Oid relid)
{
	Oid			nsp = get_namespace_oid("gofive", true);
	Oid			ext;

	if (!OidIsValid(nsp) ||
		(get_relname_relid("outbox", nsp) != relid && get_relname_relid("intake", nsp) != relid))
		return false;
	ext = getExtensionOfObject(RelationRelationId, relid);
	return OidIsValid(ext) && ext == get_extension_oid("gofive", true);
}

static void
gofive_object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId,
					 void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	if (access != OAT_DROP || subId != 0)
		return;
	if (classId == RelationRelationId && is_queue_table(objectId))
	{
		/* once per statement: the second table's drop would count again */
		static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
		static TimestampTz checked_statement = 0;

		if (checked_lxid == MyProc->lxid &&
			checked_statement == GetCurrentStatementStartTimestamp())
			return;
		check_undelivered();
		checked_lxid = MyProc->lxid;
		checked_statement = GetCurrentStatementStartTimestamp();
	}
	else if (classId == ExtensionRelationId && objectId == get_extension_oid("gofive", true))
		gofive_wake_worker_at_commit();
}

void
gofive_install_drop_guard(void)
{
	prev_object_access = object_access_hook;
	object_access_hook = gofive_object_access;
}
