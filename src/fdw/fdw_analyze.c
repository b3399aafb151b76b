/*
 * src/fdw/fdw_analyze.c
 *		ANALYZE of a foreign table of the CRM: a sample of its rows, so that
 *		the planner knows how many records a resource has and how its
 *		columns' values spread (fdw.c uses reltuples and the statistics
 *		once a table has them, fixed guesses before).
 *
 * The rows are read the way a query of the table reads them: a SELECT of
 * its columns through SPI, so the same paging, account, checks and
 * cancellation apply; ANALYZE runs it as the table's owner.  They are
 * sampled with a reservoir of ANALYZE's size.  Invariants:
 *	 - a resource that the API reads only with a given value (products need
 *	   a product type, customer events a customer, contracts a number, ...)
 *	   cannot be read whole, so ANALYZE skips it (PostgreSQL's warning
 *	   "cannot analyze this foreign table") and sends nothing;
 *	 - no statistic holds a value of a json or jsonb column (data, the whole
 *	   record, or a nested part of it): pg_stats shows column statistics to
 *	   every role with SELECT on the table, also one that the account
 *	   refuses.  Before the ANALYZE ends (its memory is freed, after
 *	   PostgreSQL has written the statistics, in the same transaction),
 *	   the slots of those columns' statistics that hold values (most common
 *	   values, histogram) are removed; their null fraction, width and number
 *	   of distinct values stay.  The other columns (keys, filters, short
 *	   fields) keep all of theirs, for the planner's estimates.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/sampling.h"
#include "utils/syscache.h"

#include "fdw.h"

#define FETCH_ROWS 1000

/* "SELECT a, b FROM ONLY nsp.rel": the relation's columns, dropped ones left out. */
static char *
select_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData sql;
	bool		first = true;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		appendStringInfo(&sql, "%s%s", first ? "" : ", ", quote_identifier(NameStr(att->attname)));
		first = false;
	}
	appendStringInfo(&sql, " FROM ONLY %s",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
	return sql.data;
}

/*
 * Where the next row goes in the sample, or -1 to leave it out: the first
 * targrows rows fill it, then each following row replaces a random one
 * with falling probability (Vitter's algorithm, utils/sampling.h).
 */
static int
sample_slot(ReservoirState rs, double seen, int *filled, int targrows, double *skip)
{
	if (*filled < targrows)
		return (*filled)++;
	if (*skip < 0)
		*skip = reservoir_get_next_S(rs, seen, targrows);
	if ((*skip)-- > 0)
		return -1;
	*skip = -1;
	return (int) (targrows * sampler_random_fract(&rs->randstate));
}

/* One row of the SPI result as a tuple of the relation, in cxt. */
static HeapTuple
form_row(Relation rel, SPITupleTable *tuptable, uint64 row, MemoryContext cxt)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	MemoryContext old;
	HeapTuple	tuple;
	int			column = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		nulls[i] = true;
		values[i] = (Datum) 0;
		if (TupleDescAttr(desc, i)->attisdropped)
			continue;
		values[i] = SPI_getbinval(tuptable->vals[row], tuptable->tupdesc, ++column, &nulls[i]);
	}
	old = MemoryContextSwitchTo(cxt);
	tuple = heap_form_tuple(desc, values, nulls);
	MemoryContextSwitchTo(old);
	return tuple;
}

/* ---- no record in pg_stats ---- */

/* The json and jsonb columns of a relation, whose values are records. */
typedef struct RecordColumns
{
	MemoryContextCallback callback;
	Oid			relid;
	int			n;
	AttrNumber	attnums[FLEXIBLE_ARRAY_MEMBER];
} RecordColumns;

static bool
holds_records(Oid type)
{
	Oid			base = getBaseType(type);
	Oid			element = get_element_type(base);

	if (OidIsValid(element))
		base = getBaseType(element);
	return base == JSONOID || base == JSONBOID;
}

/* Remove the slots of a column's statistics that hold its values. */
static void
drop_value_slots(Relation statistic, Oid relid, AttrNumber attnum)
{
	HeapTuple	old = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
									  Int16GetDatum(attnum), BoolGetDatum(false));
	Datum		values[Natts_pg_statistic] = {0};
	bool		nulls[Natts_pg_statistic] = {0};
	bool		replace[Natts_pg_statistic] = {0};
	bool		changed = false;

	if (!HeapTupleIsValid(old))
		return;
	for (int k = 0; k < STATISTIC_NUM_SLOTS; k++)
	{
		bool		isnull;

		(void) SysCacheGetAttr(STATRELATTINH, old, Anum_pg_statistic_stavalues1 + k, &isnull);
		if (isnull)
			continue;			/* numbers only (a correlation): no value */
		values[Anum_pg_statistic_stakind1 - 1 + k] = Int16GetDatum(0);
		values[Anum_pg_statistic_staop1 - 1 + k] = ObjectIdGetDatum(InvalidOid);
		values[Anum_pg_statistic_stacoll1 - 1 + k] = ObjectIdGetDatum(InvalidOid);
		nulls[Anum_pg_statistic_stanumbers1 - 1 + k] = true;
		nulls[Anum_pg_statistic_stavalues1 - 1 + k] = true;
		replace[Anum_pg_statistic_stakind1 - 1 + k] = true;
		replace[Anum_pg_statistic_staop1 - 1 + k] = true;
		replace[Anum_pg_statistic_stacoll1 - 1 + k] = true;
		replace[Anum_pg_statistic_stanumbers1 - 1 + k] = true;
		replace[Anum_pg_statistic_stavalues1 - 1 + k] = true;
		changed = true;
	}
	if (changed)
	{
		HeapTuple	new = heap_modify_tuple(old, RelationGetDescr(statistic), values, nulls,
											replace);

		CatalogTupleUpdate(statistic, &new->t_self, new);
	}
	ReleaseSysCache(old);
}

/*
 * ANALYZE's memory is being freed: the statistics are written, and this
 * transaction has not ended (an ANALYZE that failed writes none).
 */
static void
drop_record_values(void *arg)
{
	RecordColumns *cols = (RecordColumns *) arg;
	Relation	statistic;

	if (!IsTransactionState())
		return;
	CommandCounterIncrement();	/* see the rows ANALYZE just wrote */
	statistic = table_open(StatisticRelationId, RowExclusiveLock);
	for (int i = 0; i < cols->n; i++)
		drop_value_slots(statistic, cols->relid, cols->attnums[i]);
	table_close(statistic, RowExclusiveLock);
}

/* Have the record columns' values removed from the statistics ANALYZE writes. */
static void
keep_records_out_of_statistics(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	RecordColumns *cols = palloc0(offsetof(RecordColumns, attnums) +
								  sizeof(AttrNumber) * desc->natts);

	cols->relid = RelationGetRelid(rel);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && holds_records(att->atttypid))
			cols->attnums[cols->n++] = att->attnum;
	}
	if (cols->n == 0)
		return;
	cols->callback.func = drop_record_values;
	cols->callback.arg = cols;
	/* ANALYZE's own memory, freed once it has written the statistics */
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &cols->callback);
}

/* ---- the sample ---- */

static int
acquire_sample_rows(Relation rel, int elevel, HeapTuple *rows, int targrows,
					double *totalrows, double *totaldeadrows)
{
	MemoryContext caller = CurrentMemoryContext;
	ReservoirStateData rs;
	SPIPlanPtr	plan;
	Portal		portal;
	double		seen = 0;
	double		skip = -1;
	int			filled = 0;

	keep_records_out_of_statistics(rel);
	reservoir_init_selection_state(&rs, targrows);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if ((plan = SPI_prepare(select_columns(rel), 0, NULL)) == NULL)
		elog(ERROR, "could not prepare the sample's query: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		full = (filled == targrows);
			int			slot = sample_slot(&rs, seen, &filled, targrows, &skip);

			seen += 1;
			if (slot < 0)
				continue;
			if (full)
				heap_freetuple(rows[slot]);	/* the row it replaces */
			rows[slot] = form_row(rel, SPI_tuptable, i, caller);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	*totalrows = seen;
	*totaldeadrows = 0;
	ereport(elevel,
			(errmsg("\"%s\": %.0f records read from the API, %d in the sample",
					RelationGetRelationName(rel), seen, filled)));
	return filled;
}

/*
 * ANALYZE: read the whole resource and sample it; false (PostgreSQL skips
 * the table with a warning) for a resource that cannot be read whole.
 */
bool
gofive_fdw_analyze_table(Relation rel, AcquireSampleRowsFunc *func, BlockNumber *totalpages)
{
	if (gofive_required_filter(gofive_resource_of(RelationGetRelid(rel))) != NULL)
		return false;
	*func = acquire_sample_rows;
	*totalpages = 1;			/* for ANALYZE's progress report only */
	return true;
}
