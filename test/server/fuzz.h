/*
 * fuzz.h
 *		Mutated answers for fault rules of mode "fuzz": case n of a seed is
 *		always the same bytes (a whole HTTP response: status line, headers,
 *		body), made from a valid envelope by a seeded PRNG.
 */
#ifndef VENIO_FUZZ_H
#define VENIO_FUZZ_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct FuzzAnswer
{
	StrBuf		raw;			/* the response as sent, from the status line on */
	int			status;			/* the status in its last status line; 0: none */
	char		kind[96];		/* what was done, e.g. "B+flip+cl_short" */
} FuzzAnswer;

/*
 * Build case case_no of seed; limit is the client's answer limit (bodies of
 * about that size are made); token: the answer is for the token endpoint.
 * Free with sb_free(&answer->raw).
 */
extern void fuzz_build(unsigned long seed, long case_no, long limit, bool token,
					   FuzzAnswer *answer);

#endif							/* VENIO_FUZZ_H */
