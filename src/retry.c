/*
 * retry.c
 *		When to try a request again.
 *
 * Exponential backoff with jitter: attempt n waits between half and all of
 * min(retry_max, retry_base * 2^(n-1)), so that requests that failed
 * together do not come back together.  A Retry-After from the API (429,
 * 503) is honoured as the least delay, up to retry_max.
 */
#include "postgres.h"

#include "common/pg_prng.h"

#include "outbox.h"

int64
gofive_backoff_ms(int attempt, int retry_after_s)
{
	int64		delay = gofive_retry_base_ms;
	int64		jittered;

	for (int i = 1; i < attempt && delay < gofive_retry_max_ms; i++)
		delay *= 2;
	delay = Min(delay, (int64) gofive_retry_max_ms);
	jittered = delay / 2 + (int64) (pg_prng_double(&pg_global_prng_state) * (delay - delay / 2));
	if (retry_after_s > 0)
		jittered = Max(jittered, gofive_retry_after_ms(retry_after_s));
	return jittered;
}

/*
 * A Retry-After the worker honours: at most gofive.retry_max, so that an
 * API that asks for a day (or sends garbage that reads as one) can neither
 * park a row, and the rows of its ordering key behind it, nor pause every
 * delivery for that long.
 */
int64
gofive_retry_after_ms(int retry_after_s)
{
	return Min((int64) Max(retry_after_s, 0) * 1000, (int64) gofive_retry_max_ms);
}
