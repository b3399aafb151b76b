/*
 * src/outbox/worker_record.c
 *		Recording outcomes on gofive.outbox without the executor: the
 *		common case of worker_db.c's recording, row by row through heapam,
 *		much as logical replication's apply worker writes.
 *
 * The recording UPDATE (worker_db.c, RECORD_SQL) spent about as much of the
 * worker's CPU on the executor around it (the unnested arrays, the join,
 * whole-row values, the expressions) as on the update itself.  Here each
 * job's row is found in a fresh snapshot, at the version its claim read
 * (worker_claim.c) when that is still the row's, else by its primary key;
 * its new version is built from the old one with the same values
 * RECORD_SQL sets, and updated; index entries are added when the update is
 * not HOT (insert_index_entries).
 *
 * Invariants:
 *	 - the same row versions as RECORD_SQL would write: the values both
 *	   set come from one function (gofive_outcome_value, here, which
 *	   RECORD_SQL's parameters use too), the history goes through the same
 *	   jsonb functions, and every other column is kept;
 *	 - what this cannot do as RECORD_SQL would, it leaves to RECORD_SQL: a
 *	   row updated or deleted since the snapshot (a cancel, say: RECORD_SQL
 *	   follows it to its latest version), one it cannot find, and the whole
 *	   batch when the table has update triggers, check constraints or
 *	   generated columns (which only the executor applies), or is not a
 *	   heap;
 *	 - the same index entries as the executor adds, and the same unique
 *	   checks but one: the primary key's, whose value (the id) the
 *	   recording never changes; exclusion constraints and deferred unique
 *	   checks are left to ExecInsertIndexTuples;
 *	 - it runs in the caller's subtransaction: an error rolls the batch
 *	   back, and worker_db.c records each job alone through RECORD_SQL.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_enum.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_relation.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/reltrigger.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "worker.h"

static const char *const column_names[OC_NCOLS] = {
	"status", "attempts", "next_attempt_at", "last_attempt_at", "finished_at",
	"http_status", "business_code", "messages", "response", "last_error",
	"duration_ms", "history"
};

/* What one batch works with. */
typedef struct Recorder
{
	Relation	rel;
	Relation	pkey;
	EState	   *estate;
	ResultRelInfo *rri;
	Snapshot	snapshot;
	IndexScanDesc scan;
	TupleTableSlot *old;
	TupleTableSlot *new;
	AttrNumber	attnum[OC_NCOLS];
	AttrNumber	id_attnum;
	Oid			status_type;
	const char *status_name;	/* the last status looked up, and its value */
	Oid			status;
	bool		plain_indexes;	/* insert_index_entries may add the entries */
	bool	   *keeps_key;		/* per index of r->rri: the recording changes
								 * none of its columns (insert_index_entries) */
	BlockNumber nblocks;		/* the table's, under the batch's lock (vacuum may
								 * have truncated it since the claim) */
} Recorder;

/*
 * Whether only the executor could update the table as RECORD_SQL does:
 * update triggers (the table's own trigger is on INSERT), check constraints
 * or generated columns, added since; or a table access method other than
 * heap.
 */
static bool
needs_executor(Relation rel)
{
	TriggerDesc *trig = rel->trigdesc;
	TupleConstr *constr = RelationGetDescr(rel)->constr;

	return (trig != NULL &&
			(trig->trig_update_before_row || trig->trig_update_after_row ||
			 trig->trig_update_instead_row || trig->trig_update_before_statement ||
			 trig->trig_update_after_statement)) ||
		(constr != NULL && (constr->num_check > 0 || constr->has_generated_stored)) ||
		rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID;	/* update_row calls heap_update */
}

/*
 * For each of the table's indexes, whether the recording leaves its entry's
 * values as they were: no column of its key (INCLUDE columns too), of its
 * expressions or of its predicate is one the recording sets.
 */
static bool *
keeps_key(Recorder *r)
{
	Bitmapset  *set = NULL;
	bool	   *keeps = palloc0(sizeof(bool) * Max(r->rri->ri_NumIndices, 1));

	for (int c = 0; c < OC_NCOLS; c++)
		set = bms_add_member(set, r->attnum[c] - FirstLowInvalidHeapAttributeNumber);
	for (int i = 0; i < r->rri->ri_NumIndices; i++)
	{
		IndexInfo  *info = r->rri->ri_IndexRelationInfo[i];
		Bitmapset  *used = NULL;

		for (int k = 0; k < info->ii_NumIndexAttrs; k++)
			used = bms_add_member(used, info->ii_IndexAttrNumbers[k] -
								  FirstLowInvalidHeapAttributeNumber);
		pull_varattnos((Node *) info->ii_Expressions, 1, &used);
		pull_varattnos((Node *) info->ii_Predicate, 1, &used);
		/* attribute 0 stands for an expression, whose columns are in used */
		keeps[i] = !bms_overlap(used, set);
	}
	return keeps;
}

/*
 * Whether insert_index_entries may stand in for ExecInsertIndexTuples:
 * no exclusion constraint and no deferred unique check, which only the
 * executor applies.
 */
static bool
plain_indexes(Recorder *r)
{
	for (int i = 0; i < r->rri->ri_NumIndices; i++)
	{
		Relation	index = r->rri->ri_IndexRelationDescs[i];

		if (r->rri->ri_IndexRelationInfo[i]->ii_ExclusionOps != NULL ||
			(index->rd_index->indisunique && !index->rd_index->indimmediate))
			return false;
	}
	return true;
}

/* Open what the batch needs; false (nothing open) when RECORD_SQL must do it all. */
static bool
recorder_open(Recorder *r)
{
	Oid			relid = get_relname_relid("outbox", get_namespace_oid("gofive", false));
	Oid			pkey_oid;

	if (!OidIsValid(relid))
		elog(ERROR, "gofive.outbox does not exist");
	r->rel = table_open(relid, RowExclusiveLock);
	pkey_oid = RelationGetPrimaryKeyIndex(r->rel);
	/*
	 * RECORD_SQL raises what a missing privilege would; row-level security
	 * is not applied here, which is what the worker's own policy on the
	 * table (worker_all: every row) amounts to.
	 */
	if (needs_executor(r->rel) || !OidIsValid(pkey_oid) ||
		pg_class_aclcheck(relid, GetUserId(), ACL_UPDATE) != ACLCHECK_OK)
	{
		table_close(r->rel, NoLock);
		return false;
	}
	CheckCmdReplicaIdentity(r->rel, CMD_UPDATE);
	for (int c = 0; c < OC_NCOLS; c++)
		if ((r->attnum[c] = attnameAttNum(r->rel, column_names[c], false)) <= 0)
			elog(ERROR, "gofive.outbox has no column \"%s\"", column_names[c]);
	r->nblocks = RelationGetNumberOfBlocks(r->rel);
	r->id_attnum = attnameAttNum(r->rel, "id", false);
	if (r->id_attnum <= 0)
		elog(ERROR, "gofive.outbox has no column \"id\"");
	r->status_type = TupleDescAttr(RelationGetDescr(r->rel), r->attnum[OC_STATUS] - 1)->atttypid;
	r->status_name = NULL;

	r->estate = CreateExecutorState();
	r->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(r->rri, r->rel, 0, NULL, 0);
	ExecOpenIndices(r->rri, false);
	r->plain_indexes = plain_indexes(r);
	r->keeps_key = keeps_key(r);
	r->pkey = index_open(pkey_oid, AccessShareLock);
	r->snapshot = RegisterSnapshot(GetLatestSnapshot());
	r->scan = index_beginscan(r->rel, r->pkey, r->snapshot, 1, 0);
	r->old = table_slot_create(r->rel, NULL);
	r->new = MakeSingleTupleTableSlot(RelationGetDescr(r->rel), &TTSOpsVirtual);
	return true;
}

static void
recorder_close(Recorder *r)
{
	ExecDropSingleTupleTableSlot(r->new);
	ExecDropSingleTupleTableSlot(r->old);
	index_endscan(r->scan);
	UnregisterSnapshot(r->snapshot);
	index_close(r->pkey, NoLock);
	ExecCloseIndices(r->rri);
	FreeExecutorState(r->estate);
	table_close(r->rel, NoLock);
}

/*
 * The job's row's current version in the batch's snapshot, into r->old:
 * the version the claim read, when it is still the row's, else by id.
 */
static bool
find_row(Recorder *r, const Job *job)
{
	ScanKeyData key;
	bool		isnull;

	if (ItemPointerIsValid(&job->tid) &&
		ItemPointerGetBlockNumber(&job->tid) < r->nblocks &&
		table_tuple_fetch_row_version(r->rel, (ItemPointer) &job->tid, r->snapshot, r->old) &&
		DatumGetInt64(slot_getattr(r->old, r->id_attnum, &isnull)) == job->id)
		return true;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(job->id));
	index_rescan(r->scan, &key, 1, NULL, 0);
	return index_getnext_slot(r->scan, ForwardScanDirection, r->old);
}

/*
 * The value the job's outcome gives the column (true: null), for the
 * columns both ways of recording set alike: RECORD_SQL's arrays and the
 * new versions made here.  Status, finished_at and the history each way
 * sets in its own terms.
 */
bool
gofive_outcome_value(const Job *job, OutcomeColumn col, Datum *value)
{
	*value = (Datum) 0;
	switch (col)
	{
		case OC_ATTEMPTS:
			/* a marked request's attempt was counted when it was marked */
			*value = Int32GetDatum(job->attempts + 1);
			return false;
		case OC_NEXT_ATTEMPT_AT:
			*value = TimestampTzGetDatum(job->next_at);
			return job->next_at == 0;
		case OC_LAST_ATTEMPT_AT:
			*value = TimestampTzGetDatum(job->started);
			return false;
		case OC_HTTP_STATUS:
			*value = Int32GetDatum(job->http_status);
			return job->http_status == 0;
		case OC_BUSINESS_CODE:
			*value = Int32GetDatum(job->business_code);
			return job->business_code < 0;
		case OC_MESSAGES:
			if (job->messages)
				*value = CStringGetTextDatum(job->messages);
			return job->messages == NULL;
		case OC_RESPONSE:
			if (job->response)
				*value = JsonbPGetDatum(job->response);
			return job->response == NULL;
		case OC_LAST_ERROR:
			if (job->error)
				*value = CStringGetTextDatum(job->error);
			return job->error == NULL;
		case OC_DURATION_MS:
			*value = Float8GetDatum(job->ms);
			return false;
		default:
			elog(ERROR, "outcome column %d is set by each way of recording", (int) col);
	}
	return true;				/* keep the compiler quiet */
}

static void
set_value(Recorder *r, OutcomeColumn c, Datum value, bool isnull)
{
	int			i = r->attnum[c] - 1;

	r->new->tts_values[i] = value;
	r->new->tts_isnull[i] = isnull;
}

/* RECORD_SQL's history: the entries before, the oldest dropped when full, and this one. */
static Datum
history_plus(Datum history, Jsonb *entry)
{
	if (DatumGetInt32(DirectFunctionCall1(jsonb_array_length, history)) >= GOFIVE_HISTORY_KEEP)
		history = DirectFunctionCall2(jsonb_delete_idx, history, Int32GetDatum(0));
	return DirectFunctionCall2(jsonb_concat, history, JsonbPGetDatum(entry));
}

/* r->new: the row in r->old with the job's outcome, as RECORD_SQL sets it. */
static void
build_new_version(Recorder *r, Job *job, Jsonb *entry)
{
	int			natts = RelationGetDescr(r->rel)->natts;

	/* a batch's outcomes are mostly of one status: look it up once */
	if (r->status_name == NULL || strcmp(r->status_name, job->status) != 0)
	{
		r->status = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									ObjectIdGetDatum(r->status_type),
									CStringGetDatum(job->status));
		if (!OidIsValid(r->status))
			elog(ERROR, "gofive.request_status has no value \"%s\"", job->status);
		r->status_name = job->status;
	}
	slot_getallattrs(r->old);
	ExecClearTuple(r->new);
	memcpy(r->new->tts_values, r->old->tts_values, sizeof(Datum) * natts);
	memcpy(r->new->tts_isnull, r->old->tts_isnull, sizeof(bool) * natts);
	set_value(r, OC_STATUS, ObjectIdGetDatum(r->status), false);
	for (OutcomeColumn c = OC_ATTEMPTS; c <= OC_DURATION_MS; c++)
	{
		Datum		value;
		bool		isnull;

		if (c == OC_FINISHED_AT)
			continue;
		isnull = gofive_outcome_value(job, c, &value);
		if (c == OC_NEXT_ATTEMPT_AT && isnull)
			continue;			/* unchanged */
		set_value(r, c, value, isnull);
	}
	/* now(), as in SQL: the transaction's start */
	set_value(r, OC_FINISHED_AT, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
			  !job->final);
	set_value(r, OC_HISTORY,
			  history_plus(r->old->tts_values[r->attnum[OC_HISTORY] - 1], entry), false);
	ExecStoreVirtualTuple(r->new);
}

/*
 * The new version's index entries (r->new, just updated), as
 * ExecInsertIndexTuples adds them, but for one thing: a unique index the
 * recording leaves unchanged (the primary key) is not checked for a
 * duplicate.  The row keeps its key, the version it replaces is the only
 * other entry with it, and an insert of that key by anyone else is checked
 * against both versions; the check was a heap fetch per request.
 */
static void
insert_index_entries(Recorder *r)
{
	ExprContext *econtext = GetPerTupleExprContext(r->estate);
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];

	econtext->ecxt_scantuple = r->new;
	for (int i = 0; i < r->rri->ri_NumIndices; i++)
	{
		Relation	index = r->rri->ri_IndexRelationDescs[i];
		IndexInfo  *info = r->rri->ri_IndexRelationInfo[i];
		IndexUniqueCheck check;

		if (index == NULL || !info->ii_ReadyForInserts)
			continue;
		if (info->ii_Predicate != NIL)
		{
			if (info->ii_PredicateState == NULL)
				info->ii_PredicateState = ExecPrepareQual(info->ii_Predicate, r->estate);
			if (!ExecQual(info->ii_PredicateState, econtext))
				continue;
		}
		FormIndexDatum(info, r->new, r->estate, values, isnull);
		check = index->rd_index->indisunique && !r->keeps_key[i] ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO;
		index_insert(index, values, isnull, &r->new->tts_tid, r->rel, check,
					 r->keeps_key[i], info);
	}
}

/*
 * Update the row to r->new; false, with nothing written, if it changed
 * since the snapshot.  The new version is formed once, from r->new's
 * values, and given to heap_update: table_tuple_update would first copy
 * those values into the slot, then form the tuple from the copy.  r->new
 * keeps pointing into the old version (pinned by r->old) and the new
 * values, for the index entries.
 */
static bool
update_row(Recorder *r)
{
	HeapTuple	tuple = heap_form_tuple(RelationGetDescr(r->rel), r->new->tts_values,
										r->new->tts_isnull);
	TM_FailureData tmfd;
	LockTupleMode lockmode;
	TM_Result	result;

	tuple->t_tableOid = RelationGetRelid(r->rel);
	result = heap_update(r->rel, &r->old->tts_tid, tuple, GetCurrentCommandId(true),
						 InvalidSnapshot, true, &tmfd, &lockmode);
	if (result != TM_Ok)
	{
		heap_freetuple(tuple);
		return false;
	}
	r->new->tts_tid = tuple->t_self;
	r->new->tts_tableOid = tuple->t_tableOid;
	if (!HeapTupleIsHeapOnly(tuple) && r->rri->ri_NumIndices > 0)
	{
		if (r->plain_indexes)
			insert_index_entries(r);
		else
			list_free(ExecInsertIndexTuples(r->rri, r->new, r->estate, true, false, NULL, NIL));
	}
	heap_freetuple(tuple);
	ResetPerTupleExprContext(r->estate);
	return true;
}

/*
 * Record the jobs' outcomes (entries: each job's history entry, in order);
 * returns the jobs left for RECORD_SQL.  The caller runs it in a
 * subtransaction, and makes the updates visible to what follows.
 */
List *
gofive_record_direct(List *jobs, Jsonb **entries)
{
	Recorder	r;
	List	   *left = NIL;
	ListCell   *lc;
	int			i = 0;

	if (!recorder_open(&r))
		return jobs;
	foreach(lc, jobs)
	{
		Job		   *job = (Job *) lfirst(lc);

		if (!find_row(&r, job))
		{
			left = lappend(left, job);
			i++;
			continue;
		}
		build_new_version(&r, job, entries[i++]);
		if (!update_row(&r))
			left = lappend(left, job);
	}
	recorder_close(&r);
	CommandCounterIncrement();
	return left;
}
