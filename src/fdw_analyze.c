/*
 * fdw_analyze.c
 *		ANALYZE of a foreign table of the CRM: a sample of its rows, so that
 *		the planner knows how many records a resource has and how its
 *		columns' values spread (fdw.c uses reltuples and the statistics
 *		once a table has them, fixed guesses before).
 *
 * The rows are read the way a query of the table reads them: a SELECT of
 * its columns through SPI, so the same paging, account, checks and
 * cancellation apply; ANALYZE runs it as the table's owner.  They are
 * sampled with a reservoir of ANALYZE's size.  Invariant: a resource that
 * the API reads only with a given value (products need a product type,
 * customer events a customer, contracts a number, ...) cannot be read
 * whole, so ANALYZE skips it (PostgreSQL's warning "cannot analyze this
 * foreign table") and sends nothing.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/sampling.h"

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
gofive_analyze_table(Relation rel, AcquireSampleRowsFunc *func, BlockNumber *totalpages)
{
	if (gofive_required_filter(gofive_resource_of(RelationGetRelid(rel))) != NULL)
		return false;
	*func = acquire_sample_rows;
	*totalpages = 1;			/* for ANALYZE's progress report only */
	return true;
}
