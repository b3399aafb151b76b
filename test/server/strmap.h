/*
 * strmap.h
 *		A string-keyed hash map that remembers insertion order.
 *
 * Used for the things looked up on every request (tokens, request ids,
 * serials, contracts), so that lookups stay O(1) however long a benchmark
 * runs.  Keys are copied; values belong to the caller.  Not thread-safe: the
 * server's state lock protects every map.
 */
#ifndef VENIO_STRMAP_H
#define VENIO_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct StrMapEntry
{
	char	   *key;
	void	   *value;
	uint64_t	hash;
} StrMapEntry;

typedef struct StrMap
{
	StrMapEntry *entries;		/* in insertion order */
	size_t		count;
	size_t		entries_cap;
	size_t	   *index;			/* open addressing: entry number + 1, 0 = free */
	size_t		index_cap;		/* a power of two */
} StrMap;

extern void strmap_init(StrMap *map);
extern void *strmap_get(const StrMap *map, const char *key);
extern void strmap_put(StrMap *map, const char *key, void *value);
extern void strmap_clear(StrMap *map, void (*free_value) (void *));

#endif							/* VENIO_STRMAP_H */
