/*
 * spi.c
 *		Small helpers for the outbox's SQL: plans prepared once per process,
 *		and one-dimensional arrays for statements that take a batch of rows.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "outbox.h"

/* The plan for sql, prepared and kept on first use (SPI must be connected). */
SPIPlanPtr
gofive_prepare_once(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		/*
		 * A generic plan at once: these are fixed statements whose parameters
		 * (arrays of ids, lanes) do not change which plan is right, and
		 * planning them again on every execution cost the worker a seventh
		 * of its time
		 */
		SPIPlanPtr	p = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);

		if (p == NULL)
			elog(ERROR, "could not prepare \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

/* An array of n elements of elemtype; nulls may be NULL. */
Datum
gofive_array(Oid elemtype, int n, Datum *values, bool *nulls)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval, typalign));
}
