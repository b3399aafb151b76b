/*
 * src/outbox/outbox.c
 *		Putting requests into the outbox, in the caller's transaction, and
 *		the SQL functions that manage them (retry, purge).
 *
 * The row is written with the caller's transaction, so a rollback leaves
 * nothing to send; at commit the worker's latch is set (shmem.c), so it
 * starts delivering at once instead of at its next periodic look.  A
 * trigger's batch of GOFIVE_INTAKE_MIN or more requests is one row of
 * gofive.intake instead, with its requests' request ids and the outbox ids
 * of its keyed ones, taken now; the worker moves it into the outbox
 * (worker_db.c).
 *
 * Callers need no rights on gofive.outbox: each statement here runs as the
 * table's owner (privilege.c), after everything the caller supplied has
 * been validated and converted with the caller's own rights.  A row records
 * the role that enqueued it, and retry and purge act only on rows of roles
 * whose privileges the caller has (all rows for gofive_admin).  Every SQL
 * text here follows privilege.c's rule: qualified names and operators.
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "common/pg_prng.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/uuid.h"
#include "utils/lsyscache.h"
#include "utils/jsonb.h"

#include "client.h"
#include "convert.h"
#include "gofive.h"
#include "outbox.h"

PG_FUNCTION_INFO_V1(gofive_enqueue);
PG_FUNCTION_INFO_V1(gofive_enqueue_request);
PG_FUNCTION_INFO_V1(gofive_wake);
PG_FUNCTION_INFO_V1(gofive_purge);
PG_FUNCTION_INFO_V1(gofive_retry);
PG_FUNCTION_INFO_V1(gofive_retry_all);
PG_FUNCTION_INFO_V1(gofive_new_request_id);
PG_FUNCTION_INFO_V1(gofive_release);
PG_FUNCTION_INFO_V1(gofive_release_all);
PG_FUNCTION_INFO_V1(gofive_cancel);
PG_FUNCTION_INFO_V1(gofive_cancel_all);

static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr insert_rows_plan = NULL;

/*
 * A request whose ordering key has an unfinished request in its group (the
 * same account, role and key) waits at next_attempt_at 'infinity' until the
 * worker lets it go (worker_db.c); the first of its group is due now.
 */
#define EARLIER_IN_GROUP(key) \
	"EXISTS (SELECT FROM gofive.outbox p" \
	"         WHERE COALESCE(p.account, ''::pg_catalog.text) OPERATOR(pg_catalog.=)" \
	"               COALESCE($7, ''::pg_catalog.text)" \
	"           AND p.enqueued_by OPERATOR(pg_catalog.=) $6" \
	"           AND p.ordering_key OPERATOR(pg_catalog.=) " key " AND p.finished_at IS NULL)"

#define INSERT_SQL \
	"INSERT INTO gofive.outbox (operation, method, path, body, ordering_key, enqueued_by, account," \
	"                           next_attempt_at) " \
	"SELECT $1, $2, $3, $4, $5, $6, $7," \
	"       CASE WHEN $5 IS NOT NULL AND " EARLIER_IN_GROUP("$5") \
	"            THEN 'infinity'::pg_catalog.timestamptz ELSE pg_catalog.now() END" \
	" RETURNING id"

/* the arrays' elements in their order, so that ids (and key order) follow it */
#define INSERT_ROWS_SQL \
	"INSERT INTO gofive.outbox (operation, method, path, body, ordering_key, enqueued_by, account," \
	"                           next_attempt_at) " \
	"SELECT $1, $2, $3, u.body, u.key, $6, $7," \
	"       CASE WHEN u.key IS NOT NULL" \
	"             AND (pg_catalog.row_number() OVER (PARTITION BY u.key ORDER BY u.n)" \
	"                  OPERATOR(pg_catalog.>) 1 OR " EARLIER_IN_GROUP("u.key") ")" \
	"            THEN 'infinity'::pg_catalog.timestamptz ELSE pg_catalog.now() END" \
	"  FROM ROWS FROM (pg_catalog.unnest($4), pg_catalog.unnest($5))" \
	"       WITH ORDINALITY AS u(body, key, n)" \
	" ORDER BY u.n"

/* a batch for the worker to move into the outbox (worker_db.c); ids already taken */
#define INTAKE_SQL \
	"INSERT INTO gofive.intake (operation, method, path, bodies, keys, enqueued_by, account, n, ids," \
	"                           request_ids)" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"

/* Once per session: the request is queued, but no worker will deliver it. */
static void
warn_if_no_worker(void)
{
	static bool warned = false;
	const char *reason;

	if (warned || (reason = gofive_unserved_reason()) == NULL)
		return;
	warned = true;
	ereport(WARNING,
			(errmsg("the request is queued, but no worker delivers it: %s", reason),
			 gofive_control == NULL ?
			 errhint("Add gofive to shared_preload_libraries and restart the server.") :
			 errhint("See the view gofive.worker.")));
}

/* Nothing can be queued on a standby: say so before anything else fails. */
static void
refuse_on_standby(void)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot queue a request on a standby"),
				 errhint("Queue it on the primary. After a failover, the promoted standby delivers what the primary had committed.")));
}

/*
 * Run a prepared INSERT into gofive.outbox (or gofive.intake) as the
 * table's owner; the values are converted already, so nothing of the
 * caller's runs raised.  The row belongs to the current user, and goes with
 * the account of gofive.server (checked first: the user must be able to use
 * it).  Returns the first id when returning_id.  values, types and nulls
 * have nargs places (at least NARGS), the role and the account at 6 and 7.
 */
#define NARGS 7

static int64
insert_as_owner(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, Datum *values,
				char *nulls, bool returning_id)
{
	const char *account;
	GofiveRaised saved;
	int64		id = 0;
	bool		isnull;
	int			rc;

	refuse_on_standby();
	account = gofive_enqueue_account();
	values[5] = ObjectIdGetDatum(GetUserId());
	values[6] = account ? CStringGetTextDatum(account) : (Datum) 0;
	nulls[6] = account ? ' ' : 'n';
	gofive_become_owner(&saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_plan(gofive_prepare_once(plan, sql, nargs, types), values, nulls, false, 0);
	if (rc != (returning_id ? SPI_OK_INSERT_RETURNING : SPI_OK_INSERT))
		elog(ERROR, "could not insert into gofive.outbox: %s", SPI_result_code_string(rc));
	if (returning_id)
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	gofive_restore_user(&saved);

	gofive_wake_worker_at_commit();
	warn_if_no_worker();
	return id;
}

/*
 * Insert one row into gofive.outbox (the caller has validated it) and ask
 * for the worker to be woken at commit.  Returns the row's id.
 */
int64
gofive_enqueue_row(const char *operation, const char *method, const char *path,
				   Jsonb *body, const char *ordering_key)
{
	Oid			types[NARGS] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID, REGROLEOID,
	TEXTOID};
	Datum		values[NARGS];
	char		nulls[NARGS] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	gofive_flush_row_requests();	/* row triggers' requests made before this go first */
	values[0] = CStringGetTextDatum(operation);
	values[1] = CStringGetTextDatum(method);
	values[2] = CStringGetTextDatum(path);
	values[3] = body ? JsonbPGetDatum(body) : (Datum) 0;
	nulls[3] = body ? ' ' : 'n';
	values[4] = ordering_key ? CStringGetTextDatum(ordering_key) : (Datum) 0;
	nulls[4] = ordering_key ? ' ' : 'n';
	return insert_as_owner(&insert_plan, INSERT_SQL, NARGS, types, values, nulls, true);
}

static pg_uuid_t *new_request_id(void);

/*
 * The ids of a batch's keyed requests, from gofive.outbox's identity
 * sequence, taken now: each keeps its place in its group among the
 * requests queued before and after it, in this transaction and in others,
 * as if it had been inserted now (NULL for a request without a key: no
 * order is promised for those, and the worker gives them their ids).
 */
static Datum
take_ids(int n, bool *key_nulls)
{
	Oid			outbox = get_relname_relid("outbox", get_namespace_oid("gofive", false));
	Oid			seq = getIdentitySequence(outbox, 1, false);
	Datum	   *ids = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		ids[i] = key_nulls[i] ? (Datum) 0 : Int64GetDatum(nextval_internal(seq, false));
	return gofive_array(INT8OID, n, ids, key_nulls);
}

/*
 * Their request ids, drawn now: a copy of the database, or a dump
 * restored, sends a batch with the same X-Request-Id as the original would.
 */
static Datum
take_request_ids(int n)
{
	Datum	   *request_ids = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		request_ids[i] = UUIDPGetDatum(new_request_id());
	return gofive_array(UUIDOID, n, request_ids, NULL);
}

static bool
any_key(int n, bool *key_nulls)
{
	for (int i = 0; i < n; i++)
		if (!key_nulls[i])
			return true;
	return false;
}

/*
 * Queue n requests of one operation and path (a trigger's: no parameter),
 * in array order (so their ids, and thus their order per ordering key,
 * follow it).  Up to GOFIVE_INTAKE_MIN go into gofive.outbox with one
 * INSERT; more go into gofive.intake as one row, for the worker to move
 * into the outbox after commit: the statement that made them pays for one
 * narrow row, the ids of its keyed requests and their request ids instead
 * of n indexed rows.
 */
void
gofive_enqueue_rows(const char *operation, const char *method, const char *path, int n,
					Datum *bodies, bool *body_nulls, Datum *keys, bool *key_nulls)
{
	static SPIPlanPtr intake_plan = NULL;
	Oid			types[NARGS + 3] = {TEXTOID, TEXTOID, TEXTOID, JSONBARRAYOID, TEXTARRAYOID,
	REGROLEOID, TEXTOID, INT4OID, INT8ARRAYOID, UUIDARRAYOID};
	Datum		values[NARGS + 3];
	char		nulls[NARGS + 3] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	bool		keyed = any_key(n, key_nulls);

	refuse_on_standby();		/* before any id is taken */
	gofive_flush_row_requests();	/* row triggers' requests made before these go first */
	values[0] = CStringGetTextDatum(operation);
	values[1] = CStringGetTextDatum(method);
	values[2] = CStringGetTextDatum(path);
	values[3] = gofive_array(JSONBOID, n, bodies, body_nulls);
	values[4] = keyed ? gofive_array(TEXTOID, n, keys, key_nulls) : (Datum) 0;
	nulls[4] = keyed ? ' ' : 'n';
	if (n < GOFIVE_INTAKE_MIN)
	{
		(void) insert_as_owner(&insert_rows_plan, INSERT_ROWS_SQL, NARGS, types, values, nulls,
							   false);
		return;
	}
	values[7] = Int32GetDatum(n);
	values[8] = keyed ? take_ids(n, key_nulls) : (Datum) 0;
	nulls[8] = keyed ? ' ' : 'n';
	values[9] = take_request_ids(n);
	(void) insert_as_owner(&intake_plan, INTAKE_SQL, NARGS + 3, types, values, nulls, false);
}

/*
 * A request just queued by a trigger whose row cannot make a valid request
 * ("on_invalid": "record"): it is failed at once with why, and is never
 * sent (gofive_retry leaves it; correcting the row queues a new one).
 */
#define MARK_INVALID_SQL \
	"UPDATE gofive.outbox SET status = 'failed'::gofive.request_status," \
	"       finished_at = pg_catalog.now(), last_error = $2" \
	" WHERE id OPERATOR(pg_catalog.=) $1"

void
gofive_mark_invalid(int64 id, const char *error)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2] = {Int64GetDatum(id), CStringGetTextDatum(error)};
	GofiveRaised saved;

	gofive_become_owner(&saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_plan(gofive_prepare_once(&plan, MARK_INVALID_SQL, 2, types), values, NULL,
						 false, 0) != SPI_OK_UPDATE || SPI_processed != 1)
		elog(ERROR, "could not record request %lld as failed", (long long) id);
	SPI_finish();
	gofive_restore_user(&saved);
}

/* gofive_enqueue(operation text, payload jsonb, ordering_key text, params jsonb) */
Datum
gofive_enqueue(PG_FUNCTION_ARGS)
{
	const GofiveOperation *op;
	Jsonb	   *payload = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	char	   *ordering_key = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	Jsonb	   *params = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	GofiveCall	call;
	ErrorContextCallback context;
	int64		id;

	gofive_check_version();
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("operation must not be null")));
	op = gofive_operation_or_error(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	gofive_push_operation(&context, op->name);
	call = gofive_call_from_json(op, payload, params);
	id = gofive_enqueue_row(op->name, op->method, call.path, call.body, ordering_key);
	gofive_pop_context(&context);
	PG_RETURN_INT64(id);
}

/* gofive_enqueue_request(method text, path text, body jsonb, ordering_key text) */
Datum
gofive_enqueue_request(PG_FUNCTION_ARGS)
{
	const char *method;
	char	   *path;
	ErrorContextCallback context;
	int64		id;
	Jsonb	   *body;
	const GofiveOperation *op;

	gofive_check_version();
	gofive_push_operation(&context, "request");
	gofive_method_and_path(fcinfo, &method, &path);
	body = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	/* a path of the catalog: its body converted as gofive_enqueue's (validate.c) */
	op = body ? gofive_operation_at(method, path) : NULL;
	if (op)
		body = gofive_checked_body(op, body);
	id = gofive_enqueue_row("request", method, path, body,
							PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)));
	gofive_pop_context(&context);
	PG_RETURN_INT64(id);
}

/* gofive_wake(): for SQL that changes the outbox itself (gofive_retry). */
Datum
gofive_wake(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	gofive_wake_worker_at_commit();
	PG_RETURN_VOID();
}

/*
 * Delete succeeded rows older than gofive.retention: all of them ($2) or
 * those of the roles whose privileges role $3 has.  The worker purges all
 * (every minute, as gofive_worker); gofive_purge() purges the caller's.
 * One statement: outbox_finished_idx is a BRIN index, whose bitmap scan
 * would visit the pages of rows already deleted again on every slice.
 */
#define PURGE_SQL \
	"DELETE FROM gofive.outbox o" \
	" WHERE o.status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status" \
	"   AND o.finished_at OPERATOR(pg_catalog.<)" \
	"       (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $1))" \
	"   AND ($2 OR pg_catalog.pg_has_role($3, o.enqueued_by, 'USAGE'))"

int64
gofive_purge_expired(bool all, Oid role)
{
	Oid			types[3] = {FLOAT8OID, BOOLOID, OIDOID};
	Datum		values[3] = {Float8GetDatum((double) gofive_retention_s), BoolGetDatum(all),
	ObjectIdGetDatum(role)};
	int64		purged;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(PURGE_SQL, 3, types, values, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "purge failed");
	purged = (int64) SPI_processed;
	SPI_finish();
	return purged;
}

/* gofive_purge(): delete the caller's expired succeeded rows now; how many. */
Datum
gofive_purge(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	bool		all = gofive_is_admin(caller);
	GofiveRaised saved;
	int64		n;

	gofive_check_version();
	gofive_become_owner(&saved);
	n = gofive_purge_expired(all, caller);
	gofive_restore_user(&saved);
	/* the worker gives the space back, if it is worth it */
	gofive_request_maintenance();
	PG_RETURN_INT64(n);
}

/* ---- retrying by hand ---- */

/*
 * A failed row that was never sent (last_attempt_at null: an invalid row
 * recorded by a trigger, gofive_mark_invalid) is not queued again: it would
 * send what the row was, not what it is now.
 */
#define REQUEUE_SET \
	"UPDATE gofive.outbox o" \
	"   SET status = 'pending'::gofive.request_status, attempts = 0," \
	"       next_attempt_at = pg_catalog.now(), finished_at = NULL" \
	" WHERE ($1 OR pg_catalog.pg_has_role($2, o.enqueued_by, 'USAGE'))" \
	"   AND o.last_attempt_at IS NOT NULL"

/*
 * A request queued again goes back before the later requests of its group:
 * those that became due since, without having been sent, wait again (the
 * worker's claim takes such a row for its group's head, worker_db.c).
 * One row for each request queued again.
 */
#define REQUEUED_FIRST(requeue) \
	"WITH r AS (" requeue \
	"  RETURNING o.id, COALESCE(o.account, ''::pg_catalog.text) AS account," \
	"            o.enqueued_by, o.ordering_key)," \
	" later AS (UPDATE gofive.outbox b SET next_attempt_at = 'infinity'::pg_catalog.timestamptz" \
	"   FROM r WHERE r.ordering_key IS NOT NULL" \
	"    AND COALESCE(b.account, ''::pg_catalog.text) OPERATOR(pg_catalog.=) r.account" \
	"    AND b.enqueued_by OPERATOR(pg_catalog.=) r.enqueued_by" \
	"    AND b.ordering_key OPERATOR(pg_catalog.=) r.ordering_key" \
	"    AND b.id OPERATOR(pg_catalog.>) r.id AND b.finished_at IS NULL" \
	"    AND b.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status" \
	"    AND b.last_attempt_at IS NULL" \
	"    AND b.next_attempt_at OPERATOR(pg_catalog.<>) 'infinity'::pg_catalog.timestamptz)" \
	"SELECT r.id FROM r"

#define RETRY_SQL REQUEUED_FIRST(REQUEUE_SET \
	"   AND o.id OPERATOR(pg_catalog.=) $3" \
	"   AND o.status OPERATOR(pg_catalog.=) ANY ('{failed,dead}'::gofive.request_status[])")

#define RETRY_ALL_SQL REQUEUED_FIRST(REQUEUE_SET \
	"   AND o.status OPERATOR(pg_catalog.=) $3::gofive.request_status" \
	"   AND ($4::pg_catalog.text IS NULL OR o.operation OPERATOR(pg_catalog.=) $4)")

/*
 * Run a statement that changes requests as the outbox's owner; it must end
 * with rc, its rows (or rows returned) being the requests changed.  Wake
 * the worker at commit if any changed; how many.
 */
static uint64
change_as_owner(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
				int rc, const char *failed)
{
	GofiveRaised saved;
	uint64		n;

	gofive_become_owner(&saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0) != rc)
		elog(ERROR, "%s", failed);
	n = SPI_processed;
	SPI_finish();
	gofive_restore_user(&saved);
	if (n > 0)
		gofive_wake_worker_at_commit();
	return n;
}

/* Queue requests again, limited to the rows the caller may manage. */
static uint64
requeue(const char *sql, int nargs, Datum arg3, Oid type3, Datum arg4, bool arg4_null)
{
	Oid			caller = GetUserId();
	Oid			types[4] = {BOOLOID, OIDOID, type3, TEXTOID};
	Datum		values[4] = {BoolGetDatum(gofive_is_admin(caller)), ObjectIdGetDatum(caller),
	arg3, arg4};
	char		nulls[4] = {' ', ' ', ' ', arg4_null ? 'n' : ' '};

	return change_as_owner(sql, nargs, types, values, nulls, SPI_OK_SELECT,
						   "could not queue requests again");
}

/* gofive_retry(id): queue one failed or dead request again; false if none. */
Datum
gofive_retry(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(requeue(RETRY_SQL, 3, PG_GETARG_DATUM(0), INT8OID, (Datum) 0, true) > 0);
}

/* gofive_retry_all(status, operation): queue every such request again. */
Datum
gofive_retry_all(PG_FUNCTION_ARGS)
{
	char	   *status;

	gofive_check_version();
	status = PG_ARGISNULL(0) ? NULL :
		DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(0)));
	if (status == NULL || (strcmp(status, "failed") != 0 && strcmp(status, "dead") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
				 errmsg("argument \"status\" must be failed or dead, not %s",
						status ? status : "null")));
	PG_RETURN_INT64((int64) requeue(RETRY_ALL_SQL, 4, CStringGetTextDatum(status), TEXTOID,
									PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1),
									PG_ARGISNULL(1)));
}

/* ---- held, in doubt, cancelled ---- */

/* an ordering key's next request may go once the one before it is final */
#define UNBLOCK_AFTER_SQL \
	"UPDATE gofive.outbox o SET next_attempt_at = pg_catalog.now()" \
	"  FROM (SELECT DISTINCT g.account, g.role, g.key" \
	"          FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[])," \
	"                          pg_catalog.unnest($2::pg_catalog.oid[])," \
	"                          pg_catalog.unnest($3::pg_catalog.text[])) AS g(account, role, key)) g" \
	"  CROSS JOIN LATERAL (" \
	"    SELECT h.id FROM gofive.outbox h" \
	"     WHERE COALESCE(h.account, ''::pg_catalog.text) OPERATOR(pg_catalog.=) g.account" \
	"       AND h.enqueued_by OPERATOR(pg_catalog.=) g.role" \
	"       AND h.ordering_key OPERATOR(pg_catalog.=) g.key AND h.finished_at IS NULL" \
	"     ORDER BY h.id LIMIT 1) head" \
	" WHERE o.id OPERATOR(pg_catalog.=) head.id" \
	"   AND o.next_attempt_at OPERATOR(pg_catalog.=) 'infinity'::pg_catalog.timestamptz" \
	"   AND o.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status"

/*
 * $1: admin; $2: the caller; $3: an id, or NULL for all; $4: the status to
 * cancel (pending for anybody's own; held and in doubt for gofive_admin);
 * $5: an operation or NULL.
 */
#define CANCEL_SQL \
	"UPDATE gofive.outbox o SET status = 'cancelled'::gofive.request_status," \
	"       finished_at = pg_catalog.now(), next_attempt_at = pg_catalog.now()," \
	"       last_error = 'cancelled by ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident($2::pg_catalog.regrole::pg_catalog.text)" \
	" WHERE ($1 OR pg_catalog.pg_has_role($2, o.enqueued_by, 'USAGE'))" \
	"   AND ($3::pg_catalog.int8 IS NULL OR o.id OPERATOR(pg_catalog.=) $3)" \
	"   AND o.status OPERATOR(pg_catalog.=) ANY ($4::gofive.request_status[])" \
	"   AND ($5::pg_catalog.text IS NULL OR o.operation OPERATOR(pg_catalog.=) $5)" \
	"   AND o.finished_at IS NULL" \
	" RETURNING COALESCE(o.account, ''::pg_catalog.text), o.enqueued_by::pg_catalog.oid," \
	"           o.ordering_key"

/*
 * A trigger's batches not moved into the outbox yet, of the roles the
 * caller may cancel ($1 admin, $2 caller) and of one operation ($3) if
 * given: moved in as cancelled rows (with the ids of their keyed requests,
 * the others' taken now), so that the record says what was never sent.
 * Finished, they hold no group back, whatever the worker claims meanwhile.
 */
#define CANCEL_BATCHES_SQL \
	"WITH b AS (DELETE FROM gofive.intake i" \
	"            WHERE ($1 OR pg_catalog.pg_has_role($2, i.enqueued_by, 'USAGE'))" \
	"              AND ($3::pg_catalog.text IS NULL OR i.operation OPERATOR(pg_catalog.=) $3)" \
	"           RETURNING *)" \
	" INSERT INTO gofive.outbox (id, request_id, operation, method, path, body, ordering_key," \
	"                            enqueued_by, account, enqueued_at, origin, status, finished_at," \
	"                            next_attempt_at, last_error)" \
	" OVERRIDING SYSTEM VALUE" \
	" SELECT COALESCE(u.id, pg_catalog.nextval('gofive.outbox_id_seq'::pg_catalog.regclass))," \
	"        u.request_id, b.operation, b.method, b.path, u.body, u.key, b.enqueued_by, b.account," \
	"        b.enqueued_at, b.origin, 'cancelled'::gofive.request_status, pg_catalog.now()," \
	"        pg_catalog.now()," \
	"        'cancelled by ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident($2::pg_catalog.regrole::pg_catalog.text)" \
	"   FROM b CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(b.ids), pg_catalog.unnest(b.request_ids)," \
	"        pg_catalog.unnest(b.bodies), pg_catalog.unnest(b.keys)) AS u(id, request_id, body, key)"

/* $1: an id or NULL; $2: the statuses to release; $3: this database's origin */
#define RELEASE_SQL \
	"UPDATE gofive.outbox o SET status = 'pending'::gofive.request_status, origin = $3," \
	"       next_attempt_at = CASE WHEN o.ordering_key IS NOT NULL AND EXISTS (" \
	"           SELECT FROM gofive.outbox p" \
	"            WHERE COALESCE(p.account, ''::pg_catalog.text) OPERATOR(pg_catalog.=)" \
	"                  COALESCE(o.account, ''::pg_catalog.text)" \
	"              AND p.enqueued_by OPERATOR(pg_catalog.=) o.enqueued_by" \
	"              AND p.ordering_key OPERATOR(pg_catalog.=) o.ordering_key" \
	"              AND p.id OPERATOR(pg_catalog.<) o.id AND p.finished_at IS NULL)" \
	"         THEN 'infinity'::pg_catalog.timestamptz ELSE pg_catalog.now() END" \
	" WHERE ($1::pg_catalog.int8 IS NULL OR o.id OPERATOR(pg_catalog.=) $1)" \
	"   AND o.status OPERATOR(pg_catalog.=) ANY ($2::gofive.request_status[])" \
	"   AND o.finished_at IS NULL"

/* The statuses a status argument stands for, checked; as a text array. */
static Datum
status_list(Datum status, bool isnull, const char *const *allowed, const char *what)
{
	char	   *name = isnull ? NULL : DatumGetCString(DirectFunctionCall1(enum_out, status));
	Datum		elem;

	for (int i = 0; name && allowed[i]; i++)
		if (strcmp(name, allowed[i]) == 0)
		{
			elem = CStringGetTextDatum(name);
			return gofive_array(TEXTOID, 1, &elem, NULL);
		}
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_INVALID_INPUT),
			 errmsg("argument \"status\" must be %s, not %s", what, name ? name : "null")));
	return (Datum) 0;			/* keep the compiler quiet */
}

/* Let the groups of the rows just cancelled go on (the SPI result of CANCEL_SQL). */
static void
unblock_after_cancel(void)
{
	Oid			types[3] = {TEXTARRAYOID, OIDARRAYOID, TEXTARRAYOID};
	Datum		values[3];
	uint64		n = SPI_processed;
	Datum	   *accounts = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *roles = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *keys = palloc(sizeof(Datum) * Max(n, 1));
	int			k = 0;

	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		bool		isnull;
		Datum		key = SPI_getbinval(t, SPI_tuptable->tupdesc, 3, &isnull);

		if (isnull)
			continue;
		accounts[k] = SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull);
		roles[k] = SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull);
		keys[k++] = key;
	}
	if (k == 0)
		return;
	values[0] = gofive_array(TEXTOID, k, accounts, NULL);
	values[1] = gofive_array(OIDOID, k, roles, NULL);
	values[2] = gofive_array(TEXTOID, k, keys, NULL);
	CommandCounterIncrement();
	if (SPI_execute_with_args(UNBLOCK_AFTER_SQL, 3, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not let ordering keys go on");
}

/* Whether a text array of statuses (status_list's) names "pending". */
static bool
names_pending(Datum statuses)
{
	Datum	   *elems;
	int			n;

	deconstruct_array(DatumGetArrayTypeP(statuses), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, NULL, &n);
	for (int i = 0; i < n; i++)
		if (strcmp(TextDatumGetCString(elems[i]), "pending") == 0)
			return true;
	return false;
}

/*
 * Cancel as the outbox's owner, limited to what the caller may cancel; how
 * many.  Without an id, pending requests include those of a trigger's
 * batches not moved into the outbox yet (gofive.intake): they are moved in
 * first, cancelled.
 */
static uint64
cancel(Datum id, bool id_null, Datum statuses, Datum operation, bool operation_null)
{
	Oid			caller = GetUserId();
	Oid			types[5] = {BOOLOID, OIDOID, INT8OID, TEXTARRAYOID, TEXTOID};
	Datum		values[5] = {BoolGetDatum(gofive_is_admin(caller)), ObjectIdGetDatum(caller),
	id, statuses, operation};
	char		nulls[5] = {' ', ' ', id_null ? 'n' : ' ', ' ', operation_null ? 'n' : ' '};
	GofiveRaised saved;
	uint64		n = 0;

	gofive_become_owner(&saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (id_null && names_pending(statuses))
	{
		Oid			batch_types[3] = {BOOLOID, OIDOID, TEXTOID};
		Datum		batch_values[3] = {values[0], values[1], operation};
		char		batch_nulls[3] = {' ', ' ', nulls[4]};

		if (SPI_execute_with_args(CANCEL_BATCHES_SQL, 3, batch_types, batch_values, batch_nulls,
								  false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not cancel the requests of gofive.intake");
		n = SPI_processed;
		CommandCounterIncrement();
	}
	if (SPI_execute_with_args(CANCEL_SQL, 5, types, values, nulls, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not cancel requests");
	n += SPI_processed;
	unblock_after_cancel();
	SPI_finish();
	gofive_restore_user(&saved);
	if (n > 0)
		gofive_wake_worker_at_commit();
	return n;
}

static const char *const cancellable_own[] = {"pending", NULL};
static const char *const cancellable_admin[] = {"pending", "held", "in_doubt", NULL};
static const char *const releasable[] = {"held", "in_doubt", NULL};

/* gofive_cancel(id): a pending request of the caller's (admin: held, in doubt too). */
Datum
gofive_cancel(PG_FUNCTION_ARGS)
{
	Datum		all;

	gofive_check_version();
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	all = gofive_is_admin(GetUserId()) ?
		gofive_array(TEXTOID, 3, (Datum[]) {CStringGetTextDatum("pending"),
		CStringGetTextDatum("held"), CStringGetTextDatum("in_doubt")}, NULL) :
		gofive_array(TEXTOID, 1, (Datum[]) {CStringGetTextDatum("pending")}, NULL);
	PG_RETURN_BOOL(cancel(PG_GETARG_DATUM(0), false, all, (Datum) 0, true) > 0);
}

/* gofive_cancel_all(status, operation): every such request the caller may cancel. */
Datum
gofive_cancel_all(PG_FUNCTION_ARGS)
{
	bool		admin;
	Datum		statuses;

	gofive_check_version();
	admin = gofive_is_admin(GetUserId());
	statuses = status_list(PG_GETARG_DATUM(0), PG_ARGISNULL(0),
						   admin ? cancellable_admin : cancellable_own,
						   admin ? "pending, held or in_doubt" : "pending");
	PG_RETURN_INT64((int64) cancel((Datum) 0, true, statuses,
								   PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1),
								   PG_ARGISNULL(1)));
}

/* Release held or in-doubt requests (gofive_admin only); how many. */
static uint64
release(Datum id, bool id_null, Datum statuses)
{
	Oid			types[3] = {INT8OID, TEXTARRAYOID, INT8OID};
	Datum		values[3] = {id, statuses, Int64GetDatum(gofive_origin_of_database())};
	char		nulls[3] = {id_null ? 'n' : ' ', ' ', ' '};

	if (!gofive_is_admin(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only gofive_admin may release held or in-doubt requests"),
				 errdetail("Whether such a request may be sent is the organisation's decision: it may have reached the CRM already.")));
	return change_as_owner(RELEASE_SQL, 3, types, values, nulls, SPI_OK_UPDATE,
						   "could not release requests");
}

/* gofive_release(id): send a held or in-doubt request. */
Datum
gofive_release(PG_FUNCTION_ARGS)
{
	Datum		both;

	gofive_check_version();
	both = gofive_array(TEXTOID, 2, (Datum[]) {CStringGetTextDatum("held"),
	CStringGetTextDatum("in_doubt")}, NULL);
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(release(PG_GETARG_DATUM(0), false, both) > 0);
}

/* gofive_release_all(status): send every held (or in-doubt) request. */
Datum
gofive_release_all(PG_FUNCTION_ARGS)
{
	gofive_check_version();
	PG_RETURN_INT64((int64) release((Datum) 0, true,
									status_list(PG_GETARG_DATUM(0), PG_ARGISNULL(0),
												releasable, "held or in_doubt")));
}

/*
 * A random (version 4) UUID for the X-Request-Id of a queued request.  It
 * needs to be unique, not secret, so it comes from a per-backend PRNG
 * seeded from a strong random source, which is several times cheaper than
 * gen_random_uuid() per enqueued row.
 */
static pg_uuid_t *
new_request_id(void)
{
	static pg_prng_state state;
	static bool seeded = false;
	pg_uuid_t  *uuid = palloc(sizeof(pg_uuid_t));
	uint64		half;

	if (!seeded)
	{
		uint64		seed;

		if (!pg_strong_random(&seed, sizeof(seed)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random seed")));
		pg_prng_seed(&state, seed);
		seeded = true;
	}
	half = pg_prng_uint64(&state);
	memcpy(uuid->data, &half, 8);
	half = pg_prng_uint64(&state);
	memcpy(uuid->data + 8, &half, 8);
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x40;	/* version 4 */
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	return uuid;
}

/* gofive_new_request_id(): the default of gofive.outbox.request_id */
Datum
gofive_new_request_id(PG_FUNCTION_ARGS)
{
	gofive_check_version();		/* a column default: once per transaction */
	PG_RETURN_UUID_P(new_request_id());
}
