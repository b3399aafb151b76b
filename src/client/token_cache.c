/*
 * src/client/token_cache.c
 *		One bearer token per account for the whole cluster.
 *
 * When gofive is preloaded, tokens live in shared memory, shared by every
 * backend and the workers: a session that connects, makes one call and
 * leaves does not pay for a token round trip.  A token is filed under its
 * account's key (account.c: SHA-256 of base_url and the three credentials),
 * so a change of any of them never reuses a token fetched with others, and
 * two databases' servers with the same credentials share one token.
 *
 * Invariants:
 *	 - one process fetches an account's token while the others wait for it
 *	   (the slot's "fetching" flag and a condition variable); no lock is
 *	   held across the network call: the LWLock is held only to look up,
 *	   claim, publish or drop a slot, and nothing that can fail (not even
 *	   palloc) runs while it is held;
 *	 - a fetch that fails with a gofive error is reported, with the same
 *	   SQLSTATE and message, to the processes that waited for it (so N
 *	   waiters do not make N more doomed requests); a new caller tries again;
 *	 - a fetcher that dies mid-fetch releases its slot (before_shmem_exit);
 *	   one that hangs is taken over after its deadline;
 *	 - a 401 drops the token for everybody, but only the token that got it
 *	   (token ids), never a newer one another process already fetched;
 *	 - tokens are wiped with explicit_bzero when dropped or replaced, and no
 *	   SQL function can read this memory.
 * Without preloading, the session keeps a small cache of its own, with the
 * same rules.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "client.h"
#include "gofive.h"

#define SHARED_SLOTS		64	/* accounts with a token at once */
#define LOCAL_SLOTS			4
#define TOKEN_MAX_BYTES		GOFIVE_TOKEN_MAX_BYTES
#define WAIT_CHECK_MS		1000	/* re-check a fetcher's deadline this often */
#define FETCH_SLACK_MS		5000	/* beyond the account's timeouts */
#define FAILURE_TEXT_BYTES	512

typedef struct TokenSlot
{
	uint8		key[GOFIVE_ACCOUNT_KEY_LEN];
	bool		in_use;
	bool		fetching;		/* a process is fetching this account's token */
	int			fetcher;		/* its pid */
	TimestampTz fetch_deadline; /* after this, another process may take over */
	uint64		fetches;		/* fetches ended (success or failure) */
	uint64		token_id;		/* of the token held; 0: none */
	TimestampTz until;
	TimestampTz last_used;
	/* the last fetch's failure, for those who waited for it */
	bool		failed;
	int			fail_code;
	char		fail_message[FAILURE_TEXT_BYTES];
	char		fail_hint[FAILURE_TEXT_BYTES];
	int			len;
	char		token[TOKEN_MAX_BYTES + 1];
} TokenSlot;

typedef struct TokenCache
{
	LWLock	   *lock;			/* NULL: a session's own cache */
	ConditionVariable fetched;	/* broadcast when any fetch ends */
	uint64		next_token_id;
	int			nslots;
	TokenSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} TokenCache;

static TokenCache *shared_cache = NULL;
static TokenCache *local_cache = NULL;
static bool exit_callback_registered = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
cache_size(int nslots)
{
	return add_size(offsetof(TokenCache, slots), mul_size(sizeof(TokenSlot), nslots));
}

static void
request_shmem(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(cache_size(SHARED_SLOTS)));
	RequestNamedLWLockTranche("gofive tokens", 1);
}

static void
startup_shmem(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared_cache = ShmemInitStruct("gofive tokens", cache_size(SHARED_SLOTS), &found);
	if (!found)
	{
		memset(shared_cache, 0, cache_size(SHARED_SLOTS));
		shared_cache->lock = &(GetNamedLWLockTranche("gofive tokens"))->lock;
		ConditionVariableInit(&shared_cache->fetched);
		shared_cache->next_token_id = 1;
		shared_cache->nslots = SHARED_SLOTS;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Called from _PG_init while preloading. */
void
gofive_token_cache_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
}

static TokenCache *
the_cache(void)
{
	if (shared_cache != NULL)
		return shared_cache;
	if (local_cache == NULL)
	{
		local_cache = MemoryContextAllocZero(TopMemoryContext, cache_size(LOCAL_SLOTS));
		local_cache->next_token_id = 1;
		local_cache->nslots = LOCAL_SLOTS;
	}
	return local_cache;
}

static void
lock(TokenCache *cache)
{
	if (cache->lock)
		LWLockAcquire(cache->lock, LW_EXCLUSIVE);
}

static void
unlock(TokenCache *cache)
{
	if (cache->lock)
		LWLockRelease(cache->lock);
}

static void
drop_token(TokenSlot *slot)
{
	explicit_bzero(slot->token, sizeof(slot->token));
	slot->len = 0;
	slot->token_id = 0;
	slot->until = 0;
}

static TokenSlot *
find_slot(TokenCache *cache, const uint8 *key)
{
	for (int i = 0; i < cache->nslots; i++)
		if (cache->slots[i].in_use &&
			memcmp(cache->slots[i].key, key, GOFIVE_ACCOUNT_KEY_LEN) == 0)
			return &cache->slots[i];
	return NULL;
}

/* A free slot, or the least recently used one nobody is fetching; NULL if none. */
static TokenSlot *
new_slot(TokenCache *cache, const uint8 *key)
{
	TokenSlot  *victim = NULL;

	for (int i = 0; i < cache->nslots; i++)
	{
		TokenSlot  *s = &cache->slots[i];

		if (!s->in_use)
		{
			victim = s;
			break;
		}
		if (!s->fetching && (victim == NULL || s->last_used < victim->last_used))
			victim = s;
	}
	if (victim == NULL)
		return NULL;
	drop_token(victim);
	memcpy(victim->key, key, GOFIVE_ACCOUNT_KEY_LEN);
	victim->in_use = true;
	victim->fetching = false;
	victim->failed = false;
	victim->fetches = 0;
	return victim;
}

/*
 * This process fetches the account's token now: its slot (a new one if
 * slot is NULL) marked as being fetched, until a deadline past the fetch's
 * own time limits, its old token dropped.  NULL when no slot is free.  The
 * caller holds the lock.
 */
static TokenSlot *
claim_fetch(TokenCache *cache, TokenSlot *slot, const GofiveAccount *acct, TimestampTz now)
{
	if (slot == NULL)
		slot = new_slot(cache, acct->key);
	if (slot == NULL)
		return NULL;
	slot->fetching = true;
	slot->fetcher = MyProcPid;
	slot->fetch_deadline = TimestampTzPlusMilliseconds(now, acct->timeout_ms +
													   acct->connect_timeout_ms +
													   FETCH_SLACK_MS);
	slot->last_used = now;
	drop_token(slot);
	return slot;
}

/* A slot's token is usable now. */
static bool
token_valid(TokenSlot *slot, TimestampTz now)
{
	return slot->len > 0 && now < slot->until;
}

/* Copy the token into buf (allocated before taking the lock: nothing may fail under it). */
static char *
copy_token(TokenSlot *slot, TimestampTz now, char *buf, uint64 *token_id)
{
	memcpy(buf, slot->token, slot->len + 1);
	*token_id = slot->token_id;
	slot->last_used = now;
	return buf;
}

/* A process leaving mid-fetch: let the waiters go on. */
static void
release_my_fetches(int code, Datum arg)
{
	if (shared_cache == NULL)
		return;
	LWLockAcquire(shared_cache->lock, LW_EXCLUSIVE);
	for (int i = 0; i < shared_cache->nslots; i++)
	{
		TokenSlot  *s = &shared_cache->slots[i];

		if (s->in_use && s->fetching && s->fetcher == MyProcPid)
		{
			s->fetching = false;
			s->failed = false;
			s->fetches++;
		}
	}
	LWLockRelease(shared_cache->lock);
	ConditionVariableBroadcast(&shared_cache->fetched);
}

/* Whether an error is one to pass on to those waiting for the same fetch. */
static bool
is_gofive_error(int sqlerrcode)
{
	return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_TO_CATEGORY(ERRCODE_GOFIVE_AUTH_FAILED);
}

/* The fetch this process claimed failed: record why (for waiters), free the slot. */
static void
end_fetch_failed(TokenCache *cache, TokenSlot *slot, const uint8 *key, ErrorData *err)
{
	lock(cache);
	if (slot->in_use && slot->fetching && slot->fetcher == MyProcPid &&
		memcmp(slot->key, key, GOFIVE_ACCOUNT_KEY_LEN) == 0)
	{
		slot->fetching = false;
		slot->fetches++;
		slot->failed = is_gofive_error(err->sqlerrcode);
		slot->fail_code = err->sqlerrcode;
		strlcpy(slot->fail_message, err->message ? err->message : "", FAILURE_TEXT_BYTES);
		strlcpy(slot->fail_hint, err->hint ? err->hint : "", FAILURE_TEXT_BYTES);
	}
	unlock(cache);
	if (cache->lock)
		ConditionVariableBroadcast(&cache->fetched);
}

/* The fetch succeeded: publish the token (if it fits and the slot is still ours). */
static void
end_fetch_ok(TokenCache *cache, TokenSlot *slot, const uint8 *key, const char *token,
			 TimestampTz until, uint64 *token_id)
{
	size_t		len = strlen(token);

	lock(cache);
	*token_id = cache->next_token_id++;
	if (slot->in_use && slot->fetching && slot->fetcher == MyProcPid &&
		memcmp(slot->key, key, GOFIVE_ACCOUNT_KEY_LEN) == 0)
	{
		slot->fetching = false;
		slot->fetches++;
		slot->failed = false;
		drop_token(slot);
		if (len <= TOKEN_MAX_BYTES)
		{
			memcpy(slot->token, token, len + 1);
			slot->len = (int) len;
			slot->token_id = *token_id;
			slot->until = until;
		}
	}
	unlock(cache);
	if (cache->lock)
		ConditionVariableBroadcast(&cache->fetched);
}

/* Fetch the token into a slot this process claimed. */
static char *
fetch_into(TokenCache *cache, TokenSlot *slot, const GofiveAccount *acct, uint64 *token_id)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *volatile token = NULL;
	TimestampTz until = 0;

	PG_TRY();
	{
		token = gofive_fetch_token(acct, &until);
	}
	PG_CATCH();
	{
		ErrorData  *err;

		MemoryContextSwitchTo(cxt);
		err = CopyErrorData();
		if (slot)
			end_fetch_failed(cache, slot, acct->key, err);
		FreeErrorData(err);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (slot)
		end_fetch_ok(cache, slot, acct->key, token, until, token_id);
	else
		*token_id = 0;			/* no room to keep it: used once */
	return token;
}

/* Raise the failure of the fetch we waited for; called holding the lock. */
static void
raise_waited_failure(TokenCache *cache, TokenSlot *slot)
{
	int			code = slot->fail_code;
	char		message[FAILURE_TEXT_BYTES];
	char		hint[FAILURE_TEXT_BYTES];

	memcpy(message, slot->fail_message, FAILURE_TEXT_BYTES);
	memcpy(hint, slot->fail_hint, FAILURE_TEXT_BYTES);
	unlock(cache);
	ConditionVariableCancelSleep();
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", message),
			 hint[0] ? errhint("%s", hint) : 0));
}

/*
 * The bearer token for the account, palloc'd (the caller wipes it after
 * use), and its id for gofive_token_refused.  Fetches one when nobody
 * holds a valid one; waits while another process fetches it.
 */
char *
gofive_get_token(const GofiveAccount *acct, uint64 *token_id)
{
	TokenCache *cache = the_cache();
	bool		waiting = false;
	uint64		waited_fetches = 0;
	char	   *buf = palloc(TOKEN_MAX_BYTES + 1);

	for (;;)
	{
		TimestampTz now = GetCurrentTimestamp();
		TokenSlot  *slot;

		lock(cache);
		slot = find_slot(cache, acct->key);
		if (slot && token_valid(slot, now))
		{
			char	   *token = copy_token(slot, now, buf, token_id);

			unlock(cache);
			if (waiting)
				ConditionVariableCancelSleep();
			return token;
		}
		if (slot && waiting && slot->fetches != waited_fetches && !slot->fetching &&
			slot->failed)
		{
			/* the fetch we waited for failed: so do we, the same way */
			raise_waited_failure(cache, slot);
		}
		if (slot && slot->fetching && slot->fetcher != MyProcPid && now < slot->fetch_deadline)
		{
			if (!waiting)
			{
				waiting = true;
				waited_fetches = slot->fetches;
			}
			unlock(cache);
			/* the first call only prepares to sleep; the loop checks again */
			(void) ConditionVariableTimedSleep(&cache->fetched, WAIT_CHECK_MS, PG_WAIT_EXTENSION);
			continue;
		}
		/* our turn: claim the fetch */
		slot = claim_fetch(cache, slot, acct, now);
		unlock(cache);
		if (waiting)
			ConditionVariableCancelSleep();
		if (cache->lock && !exit_callback_registered)
		{
			before_shmem_exit(release_my_fetches, (Datum) 0);
			exit_callback_registered = true;
		}
		pfree(buf);
		return fetch_into(cache, slot, acct, token_id);
	}
}

/*
 * The API refused token token_id of the account (a 401): drop it for
 * everybody, unless it was replaced already.
 */
void
gofive_token_refused(const GofiveAccount *acct, uint64 token_id)
{
	TokenCache *cache = the_cache();
	TokenSlot  *slot;

	if (token_id == 0)
		return;
	lock(cache);
	slot = find_slot(cache, acct->key);
	if (slot && slot->token_id == token_id && !slot->fetching)
		drop_token(slot);
	unlock(cache);
}

/* ---- without waiting: the delivery worker, which fetches on its own multi handle ---- */

/*
 * The account's valid token, copied into buf (TOKEN_MAX_BYTES + 1 bytes),
 * or NULL when none is held.  Never waits.
 */
char *
gofive_token_peek(const GofiveAccount *acct, char *buf, uint64 *token_id)
{
	TokenCache *cache = the_cache();
	TimestampTz now = GetCurrentTimestamp();
	TokenSlot  *slot;
	char	   *token = NULL;

	lock(cache);
	slot = find_slot(cache, acct->key);
	if (slot && token_valid(slot, now))
		token = copy_token(slot, now, buf, token_id);
	unlock(cache);
	return token;
}

/*
 * Claim the fetch of the account's token without waiting: GOFIVE_FETCH_MINE
 * when this process is now the one to fetch it (it then calls
 * gofive_token_fetched or gofive_token_fetch_failed), GOFIVE_FETCH_BUSY when
 * another process is fetching it (look again later), GOFIVE_FETCH_UNCACHED
 * when there is no room to keep it (fetch it all the same, it is used once).
 */
GofiveFetchClaim
gofive_token_claim_fetch(const GofiveAccount *acct)
{
	TokenCache *cache = the_cache();
	TimestampTz now = GetCurrentTimestamp();
	TokenSlot  *slot;
	GofiveFetchClaim claim;

	lock(cache);
	slot = find_slot(cache, acct->key);
	if (slot && slot->fetching && slot->fetcher != MyProcPid && now < slot->fetch_deadline)
		claim = GOFIVE_FETCH_BUSY;
	else
	{
		slot = claim_fetch(cache, slot, acct, now);
		claim = slot ? GOFIVE_FETCH_MINE : GOFIVE_FETCH_UNCACHED;
	}
	unlock(cache);
	if (claim != GOFIVE_FETCH_BUSY && cache->lock && !exit_callback_registered)
	{
		before_shmem_exit(release_my_fetches, (Datum) 0);
		exit_callback_registered = true;
	}
	return claim;
}

/* The fetch this process claimed succeeded: publish the token; its id. */
uint64
gofive_token_fetched(const GofiveAccount *acct, const char *token, TimestampTz until)
{
	TokenCache *cache = the_cache();
	TokenSlot  *slot;
	uint64		token_id = 0;

	lock(cache);
	slot = find_slot(cache, acct->key);
	unlock(cache);
	if (slot)
		end_fetch_ok(cache, slot, acct->key, token, until, &token_id);
	return token_id;
}

/* The fetch this process claimed failed: tell whoever waits for it why. */
void
gofive_token_fetch_failed(const GofiveAccount *acct, ErrorData *err)
{
	TokenCache *cache = the_cache();
	TokenSlot  *slot;

	lock(cache);
	slot = find_slot(cache, acct->key);
	unlock(cache);
	if (slot)
		end_fetch_failed(cache, slot, acct->key, err);
}
