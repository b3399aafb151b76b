/*
 * strmap.c
 *		A string-keyed hash map that remembers insertion order (strmap.h).
 *
 * Entries live in an array in insertion order (so dumps come out in the
 * order things were created); a separate open-addressing table with linear
 * probing maps hashes to entry numbers.  There is no deletion: the server
 * only ever clears a whole map.
 */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

#define INITIAL_INDEX_CAP 64

/* FNV-1a, 64 bits. */
static uint64_t
hash_string(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *s; s++)
	{
		h ^= (unsigned char) *s;
		h *= 1099511628211ULL;
	}
	return h;
}

void
strmap_init(StrMap *map)
{
	memset(map, 0, sizeof(*map));
}

/* Slot of key in the index: where it is, or the free slot where it would go. */
static size_t
find_slot(const StrMap *map, const char *key, uint64_t hash)
{
	size_t		mask = map->index_cap - 1;
	size_t		i = (size_t) hash & mask;

	while (map->index[i] != 0)
	{
		const StrMapEntry *e = &map->entries[map->index[i] - 1];

		if (e->hash == hash && strcmp(e->key, key) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Rebuild the index at twice the size (kept at most half full). */
static void
grow_index(StrMap *map)
{
	size_t		cap = map->index_cap ? map->index_cap * 2 : INITIAL_INDEX_CAP;

	free(map->index);
	map->index = xmalloc(sizeof(size_t) * cap);
	memset(map->index, 0, sizeof(size_t) * cap);
	map->index_cap = cap;
	for (size_t n = 0; n < map->count; n++)
	{
		size_t		i = (size_t) map->entries[n].hash & (cap - 1);

		while (map->index[i] != 0)
			i = (i + 1) & (cap - 1);
		map->index[i] = n + 1;
	}
}

void *
strmap_get(const StrMap *map, const char *key)
{
	size_t		slot;

	if (map->count == 0)
		return NULL;
	slot = find_slot(map, key, hash_string(key));
	return map->index[slot] ? map->entries[map->index[slot] - 1].value : NULL;
}

/* Insert key, or replace its value when it is already there. */
void
strmap_put(StrMap *map, const char *key, void *value)
{
	uint64_t	hash = hash_string(key);
	size_t		slot;

	if ((map->count + 1) * 2 > map->index_cap)
		grow_index(map);
	slot = find_slot(map, key, hash);
	if (map->index[slot] != 0)
	{
		map->entries[map->index[slot] - 1].value = value;
		return;
	}
	if (map->count == map->entries_cap)
	{
		map->entries_cap = map->entries_cap ? map->entries_cap * 2 : INITIAL_INDEX_CAP / 2;
		map->entries = xrealloc(map->entries, sizeof(StrMapEntry) * map->entries_cap);
	}
	map->entries[map->count].key = xstrdup(key);
	map->entries[map->count].value = value;
	map->entries[map->count].hash = hash;
	map->count++;
	map->index[slot] = map->count;
}

/* Empty the map, calling free_value (when given) on every value. */
void
strmap_clear(StrMap *map, void (*free_value) (void *))
{
	for (size_t n = 0; n < map->count; n++)
	{
		free(map->entries[n].key);
		if (free_value)
			free_value(map->entries[n].value);
	}
	free(map->entries);
	free(map->index);
	strmap_init(map);
}
