/*
 * src/outbox/worker_claim.c
 *		Claiming due rows from gofive.outbox without the executor: the
 *		common case of worker_db.c's claim, lane by lane through the table's
 *		two partial indexes, as CLAIM_SQL would.
 *
 * CLAIM_SQL spent most of its CPU on the executor: the unnested arrays of
 * lanes, the lateral join, the projection of every column, the tuple table.
 * Here each lane's rows are read from outbox_due_idx, in the index's order,
 * and each keyed row's group from outbox_group_idx, in the snapshot
 * CLAIM_SQL would use.
 *
 * Invariants:
 *	 - the rows CLAIM_SQL returns, in the order worker_db.c sorts them to: per
 *	   lane, after the lane's last row picked and due by the transaction's
 *	   start, by due time then id, pending, not busy, and each the head of
 *	   its group (GROUP_HEAD's three cases), at most the lane's quota;
 *	 - what it cannot do as CLAIM_SQL would, it leaves to CLAIM_SQL: the
 *	   whole claim, when an index is missing or not the one the install
 *	   script made, or the worker lacks SELECT on the table (CLAIM_SQL
 *	   raises what that means);
 *	 - it reads only: nothing it does needs undoing, and what it returns is
 *	   copied into the caller's memory.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_index.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/uuid.h"

#include "worker.h"

/* The table's columns the claim reads. */
typedef enum ClaimColumn
{
	CC_ID, CC_OPERATION, CC_METHOD, CC_PATH, CC_BODY, CC_REQUEST_ID, CC_ATTEMPTS,
	CC_ORDERING_KEY, CC_ORIGIN, CC_NEXT_ATTEMPT_AT, CC_STATUS, CC_FINISHED_AT,
	CC_LAST_ATTEMPT_AT, CC_ENQUEUED_AT, CC_NCOLS
} ClaimColumn;

static const char *const column_names[CC_NCOLS] = {
	"id", "operation", "method", "path", "body", "request_id", "attempts",
	"ordering_key", "origin", "next_attempt_at", "status", "finished_at",
	"last_attempt_at", "enqueued_at"
};

/* What one claim works with. */
typedef struct Claimer
{
	Relation	rel;
	Relation	due;			/* outbox_due_idx */
	Relation	group;			/* outbox_group_idx */
	Snapshot	snapshot;
	IndexScanDesc due_scan;
	IndexScanDesc group_scan;
	TupleTableSlot *row;
	TupleTableSlot *earlier;	/* a group's earlier row */
	AttrNumber	attnum[CC_NCOLS];
	Oid			pending;		/* 'pending'::gofive.request_status */
	TimestampTz now;			/* now() in SQL: the transaction's start */
	Datum		account;		/* the lane's account name, as text */
} Claimer;

/*
 * Whether index is the install script's: its key columns the account
 * (an expression), enqueued_by, then the given two columns.
 */
static bool
index_is(Relation index, const Claimer *c, ClaimColumn third, AttrNumber enqueued_by,
		 ClaimColumn fourth)
{
	Form_pg_index form = index->rd_index;

	return form->indnkeyatts == 4 && index->rd_rel->relam == BTREE_AM_OID &&
		form->indkey.values[0] == 0 && form->indkey.values[1] == enqueued_by &&
		form->indkey.values[2] == c->attnum[third] &&
		form->indkey.values[3] == c->attnum[fourth] &&
		RelationGetIndexPredicate(index) != NIL;
}

/* Open an index of the table by name, if it is there and as expected. */
static Relation
open_index(Claimer *c, Oid nsp, const char *name, ClaimColumn third, AttrNumber enqueued_by,
		   ClaimColumn fourth)
{
	Oid			oid = get_relname_relid(name, nsp);
	Relation	index;

	if (!OidIsValid(oid))
		return NULL;
	index = index_open(oid, AccessShareLock);
	if (index->rd_index->indrelid != RelationGetRelid(c->rel) ||
		!index->rd_index->indisvalid ||
		!index_is(index, c, third, enqueued_by, fourth))
	{
		index_close(index, AccessShareLock);
		return NULL;
	}
	return index;
}

/* Open what the claim needs; false (nothing open) when CLAIM_SQL must do it. */
static bool
claimer_open(Claimer *c)
{
	Oid			nsp = get_namespace_oid("gofive", false);
	Oid			relid = get_relname_relid("outbox", nsp);
	AttrNumber	enqueued_by;

	if (!OidIsValid(relid))
		elog(ERROR, "gofive.outbox does not exist");
	/*
	 * CLAIM_SQL raises what a missing privilege would; row-level security
	 * is not applied here, which is what the worker's own policy on the
	 * table (worker_all: every row) amounts to.
	 */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	c->rel = table_open(relid, AccessShareLock);
	for (int i = 0; i < CC_NCOLS; i++)
		if ((c->attnum[i] = attnameAttNum(c->rel, column_names[i], false)) <= 0)
			elog(ERROR, "gofive.outbox has no column \"%s\"", column_names[i]);
	enqueued_by = attnameAttNum(c->rel, "enqueued_by", false);
	c->due = open_index(c, nsp, "outbox_due_idx", CC_NEXT_ATTEMPT_AT, enqueued_by, CC_ID);
	c->group = open_index(c, nsp, "outbox_group_idx", CC_ORDERING_KEY, enqueued_by, CC_ID);
	if (c->due == NULL || c->group == NULL)
	{
		if (c->due)
			index_close(c->due, AccessShareLock);
		if (c->group)
			index_close(c->group, AccessShareLock);
		table_close(c->rel, AccessShareLock);
		return false;
	}
	c->pending = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
								 ObjectIdGetDatum(TupleDescAttr(RelationGetDescr(c->rel),
																c->attnum[CC_STATUS] - 1)->atttypid),
								 CStringGetDatum("pending"));
	if (!OidIsValid(c->pending))
		elog(ERROR, "gofive.request_status has no value \"pending\"");
	c->snapshot = GetActiveSnapshot();
	c->due_scan = index_beginscan(c->rel, c->due, c->snapshot, 4, 0);
	c->group_scan = index_beginscan(c->rel, c->group, c->snapshot, 4, 0);
	c->row = table_slot_create(c->rel, NULL);
	c->earlier = table_slot_create(c->rel, NULL);
	c->now = GetCurrentTransactionStartTimestamp();
	return true;
}

static void
claimer_close(Claimer *c)
{
	ExecDropSingleTupleTableSlot(c->earlier);
	ExecDropSingleTupleTableSlot(c->row);
	index_endscan(c->group_scan);
	index_endscan(c->due_scan);
	index_close(c->group, NoLock);
	index_close(c->due, NoLock);
	table_close(c->rel, NoLock);
}

static Datum
col(const Claimer *c, TupleTableSlot *slot, ClaimColumn column, bool *isnull)
{
	int			i = c->attnum[column] - 1;

	*isnull = slot->tts_isnull[i];
	return slot->tts_values[i];
}

/* The keys on the lane: the account (its index column's collation) and the role. */
static void
lane_keys(const Claimer *c, ScanKey keys, Relation index, const LaneQuota *q)
{
	ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], F_TEXTEQ, c->account);
	ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
						   InvalidOid, F_OIDEQ, ObjectIdGetDatum(q->role));
}

/*
 * Whether an unfinished row of the group comes before the row (GROUP_HEAD's
 * last case): the first entry of the group's index before it, if visible.
 */
static bool
earlier_in_group(Claimer *c, const LaneQuota *q, Datum key, int64 id)
{
	ScanKeyData keys[4];
	bool		found = false;

	lane_keys(c, keys, c->group, q);
	ScanKeyEntryInitialize(&keys[2], 0, 3, BTEqualStrategyNumber, InvalidOid,
						   c->group->rd_indcollation[2], F_TEXTEQ, key);
	ScanKeyInit(&keys[3], 4, BTLessStrategyNumber, F_INT8LT, Int64GetDatum(id));
	index_rescan(c->group_scan, keys, 4, NULL, 0);
	while (!found && index_getnext_slot(c->group_scan, ForwardScanDirection, c->earlier))
	{
		bool		isnull;

		slot_getsomeattrs(c->earlier, c->attnum[CC_FINISHED_AT]);
		(void) col(c, c->earlier, CC_FINISHED_AT, &isnull);
		found = isnull;
	}
	return found;
}

static bool
is_busy(int64 id, const int64 *busy, int nbusy)
{
	for (int i = 0; i < nbusy; i++)
		if (busy[i] == id)
			return true;
	return false;
}

/* Whether the row in c->row is CLAIM_SQL's: pending, not busy, its group's head. */
static bool
claimable(Claimer *c, const LaneQuota *q, const int64 *busy, int nbusy)
{
	bool		isnull;
	bool		unfinished;
	bool		no_key;
	bool		never_sent;
	int64		id = DatumGetInt64(col(c, c->row, CC_ID, &isnull));
	TimestampTz due = DatumGetTimestampTz(col(c, c->row, CC_NEXT_ATTEMPT_AT, &isnull));
	Datum		key = col(c, c->row, CC_ORDERING_KEY, &no_key);

	(void) col(c, c->row, CC_FINISHED_AT, &unfinished);
	(void) col(c, c->row, CC_LAST_ATTEMPT_AT, &never_sent);
	if (!unfinished ||
		DatumGetObjectId(col(c, c->row, CC_STATUS, &isnull)) != c->pending ||
		due > c->now || is_busy(id, busy, nbusy))
		return false;
	/* GROUP_HEAD (worker_db.c): no key; moved by an unblock, cancel or release; none before */
	return no_key ||
		(never_sent && due != DatumGetTimestampTz(col(c, c->row, CC_ENQUEUED_AT, &isnull))) ||
		!earlier_in_group(c, q, key, id);
}

/* A text column's value as a C string in the caller's memory (null stays null). */
static void
copy_text(const Claimer *c, ClaimedRow *out, int to, ClaimColumn from)
{
	bool		isnull;
	Datum		value = col(c, c->row, from, &isnull);

	out->nulls[to] = isnull;
	out->values[to] = isnull ? (Datum) 0 : CStringGetDatum(TextDatumGetCString(value));
}

/* A uuid as uuid_out writes it (8-4-4-4-12 lower-case hex digits), without a StringInfo. */
static char *
uuid_text(const pg_uuid_t *uuid)
{
	static const char hex[] = "0123456789abcdef";
	char	   *text = palloc(2 * UUID_LEN + 5);
	char	   *p = text;

	for (int i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[uuid->data[i] >> 4];
		*p++ = hex[uuid->data[i] & 0x0F];
	}
	*p = '\0';
	return text;
}

/* The row in c->row as CLAIM_SQL returns it, lane n. */
static void
claimed_row(const Claimer *c, int n, int64 origin, ClaimedRow *out)
{
	bool		isnull;
	Datum		value;

	memset(out->nulls, false, sizeof(out->nulls));
	out->values[CL_LANE] = Int64GetDatum(n);
	out->values[CL_ID] = col(c, c->row, CC_ID, &isnull);
	copy_text(c, out, CL_OPERATION, CC_OPERATION);
	copy_text(c, out, CL_METHOD, CC_METHOD);
	copy_text(c, out, CL_PATH, CC_PATH);
	value = col(c, c->row, CC_BODY, &isnull);
	out->nulls[CL_BODY] = isnull;
	if (!isnull)
	{
		Jsonb	   *body = DatumGetJsonbP(value);

		out->values[CL_BODY] = CStringGetDatum(JsonbToCString(NULL, &body->root, VARSIZE(body)));
	}
	out->values[CL_REQUEST_ID] =
		CStringGetDatum(uuid_text(DatumGetUUIDP(col(c, c->row, CC_REQUEST_ID, &isnull))));
	out->values[CL_ATTEMPTS] = col(c, c->row, CC_ATTEMPTS, &isnull);
	copy_text(c, out, CL_ORDERING_KEY, CC_ORDERING_KEY);
	out->values[CL_COPIED] =
		BoolGetDatum(DatumGetInt64(col(c, c->row, CC_ORIGIN, &isnull)) != origin);
	out->values[CL_DUE] = col(c, c->row, CC_NEXT_ATTEMPT_AT, &isnull);
	out->tid = c->row->tts_tid;
}

/*
 * Up to the lane's quota of claimable rows after (after_due, after_id), due
 * by now, into out; returns how many.
 */
static int
claim_lane(Claimer *c, const LaneQuota *q, int n, TimestampTz after_due, int64 after_id,
		   const int64 *busy, int nbusy, int64 origin, ClaimedRow *out)
{
	ScanKeyData keys[4];
	ScanKeyData after[2];
	int			got = 0;

	c->account = CStringGetTextDatum(q->account_name);
	lane_keys(c, keys, c->due, q);
	/*
	 * ROW(next_attempt_at, id) > ROW(after_due, after_id), as an index
	 * condition: its members carry the 3-way comparisons, as
	 * ExecIndexBuildScanKeys makes them
	 */
	ScanKeyEntryInitialize(&after[0], SK_ROW_MEMBER, 3, BTGreaterStrategyNumber, TIMESTAMPTZOID,
						   InvalidOid, F_TIMESTAMPTZ_CMP, TimestampTzGetDatum(after_due));
	ScanKeyEntryInitialize(&after[1], SK_ROW_MEMBER | SK_ROW_END, 4, BTGreaterStrategyNumber,
						   INT8OID, InvalidOid, F_BTINT8CMP, Int64GetDatum(after_id));
	ScanKeyEntryInitialize(&keys[2], SK_ROW_HEADER, 3, BTGreaterStrategyNumber, InvalidOid,
						   InvalidOid, InvalidOid, PointerGetDatum(after));
	ScanKeyInit(&keys[3], 3, BTLessEqualStrategyNumber, F_TIMESTAMPTZ_LE,
				TimestampTzGetDatum(c->now));
	index_rescan(c->due_scan, keys, 4, NULL, 0);
	while (got < q->quota && index_getnext_slot(c->due_scan, ForwardScanDirection, c->row))
	{
		slot_getallattrs(c->row);
		if (!claimable(c, q, busy, nbusy))
			continue;
		claimed_row(c, n, origin, &out[got++]);
	}
	return got;
}

/*
 * CLAIM_SQL's rows for the lanes (quotas; after_due and after_id, each
 * lane's last row picked), in claim order, into *rows (*nrows of them, in
 * the current memory context); false, with nothing read, when CLAIM_SQL
 * must claim.
 */
bool
gofive_claim_direct(List *quotas, const TimestampTz *after_due, const int64 *after_id,
					const int64 *busy, int nbusy, int64 origin, ClaimedRow **rows, int *nrows)
{
	Claimer		c;
	ListCell   *lc;
	int			total = 0;
	int			n = 0;

	foreach(lc, quotas)
		total += ((LaneQuota *) lfirst(lc))->quota;
	if (!claimer_open(&c))
		return false;
	*rows = palloc(sizeof(ClaimedRow) * Max(total, 1));
	*nrows = 0;
	foreach(lc, quotas)
	{
		*nrows += claim_lane(&c, (LaneQuota *) lfirst(lc), n + 1, after_due[n], after_id[n],
							 busy, nbusy, origin, *rows + *nrows);
		n++;
	}
	claimer_close(&c);
	return true;
}
