/*
 * src/outbox/delivery.c
 *		The worker's transfers in flight (requests and token fetches), driven
 *		through one curl multi handle that lives as long as the worker, so its
 *		connections are kept alive and reused; and the note of which requests
 *		are on the network, kept in a file, for after a crash.
 *
 * Invariants:
 *	 - every libcurl result is checked (curl_check.h): a failure is an
 *	   error, never ignored.  An error here ends the worker (nothing catches
 *	   it), which the launcher starts again: its handles go with the
 *	   process, and no row is lost, since the requests on the network were
 *	   noted in the in-flight file or marked sending before the multi
 *	   handle was driven, and a request merely claimed was sent nowhere
 *	   (a transfer leaves only when the handle is driven, after the note).
 *	   One failure is a request's own, and ends that request rather than the
 *	   worker, which would claim it again at each start: libcurl refusing
 *	   its options (an address over libcurl's length limit);
 *	 - a transfer's body lives in its job's memory until the transfer ends
 *	   (libcurl keeps no copy of it);
 *	 - before requests go out, the ids of those not marked sending
 *	   (worker_db.c) are written to the in-flight file
 *	   ($PGDATA/pg_stat_tmp/gofive.<database oid>.inflight), mapped and
 *	   without an fsync: it survives a crash of the worker or of the server
 *	   (the operating system keeps the page), which is what it is for.  A
 *	   note counts only once it is whole: a crash during one leaves the one
 *	   before.  After a crash, the next worker charges those requests the
 *	   attempt they were on (worker_db.c), so that an answer that keeps
 *	   killing the worker ends its request dead after gofive.max_attempts
 *	   instead of looping.  Base backups leave pg_stat_tmp's files out.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "curl_check.h"
#include "worker.h"

static CURLM *multi = NULL;
static List *idle_handles = NIL;	/* easy handles kept for reuse */
static List *in_flight = NIL;	/* Jobs on the network */
static List *done = NIL;		/* Jobs whose transfers ended, not taken yet */
static bool in_flight_noted = true; /* the file says what in_flight holds */
static char *in_flight_path = NULL;

/*
 * The header lines a transfer shares with others of its account: content
 * type, Accept, subscription key, bearer token and Expect, built once and
 * kept while transfers use them.  A request's own line (X-Request-Id) is a
 * node of its job's memory put in front (libcurl only reads the list).
 */
typedef struct SharedHeaders
{
	char	   *content_type;	/* what the lines were made of (NULL: none) */
	char	   *key;
	char	   *bearer;
	struct curl_slist *list;	/* libcurl's */
	int			users;			/* transfers sending them now */
} SharedHeaders;

#define SHARED_HEADERS_KEPT 16	/* unused lists kept beyond this are freed */

static List *shared_headers = NIL;

static void collect_done(void);

void
gofive_delivery_init(void)
{
	GOFIVE_CURL_CHECK(curl_global_init, NULL, CURL_GLOBAL_ALL);
	multi = gofive_http_multi();
	in_flight_path = MemoryContextStrdup(TopMemoryContext,
										 psprintf("%s/gofive.%u.inflight", PG_STAT_TMP_DIR,
												  MyDatabaseId));
}

static void
apply_limits(void)
{
	/*
	 * No limit per host: the accounts of a group of companies share the
	 * API's host, and a limit there would let one hanging account hold the
	 * others' requests.  The schedule bounds each account's requests in
	 * flight (gofive.max_concurrency).
	 */
	GOFIVE_CURLM_SETOPT(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	GOFIVE_CURLM_SETOPT(multi, CURLMOPT_MAXCONNECTS, (long) gofive_max_concurrency * 4);
}

static CURL *
take_handle(void)
{
	CURL	   *easy;

	if (idle_handles != NIL)
	{
		easy = (CURL *) linitial(idle_handles);
		idle_handles = list_delete_first(idle_handles);
		return easy;
	}
	return GOFIVE_CURL_NEW(curl_easy_init);
}

static bool
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static char *
kept_text(const char *s)
{
	return s ? MemoryContextStrdup(TopMemoryContext, s) : NULL;
}

static void
wipe_text(char *s)
{
	if (s)
	{
		explicit_bzero(s, strlen(s));
		pfree(s);
	}
}

/* Free a list no transfer uses, wiping the secrets it holds. */
static void
free_shared(SharedHeaders *sh)
{
	for (struct curl_slist *l = sh->list; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(sh->list);
	wipe_text(sh->content_type);
	wipe_text(sh->key);
	wipe_text(sh->bearer);
	pfree(sh);
}

/*
 * Drop the unused lists made with another token for the same key (the
 * token was renewed), and every unused one when too many are kept.
 */
static void
forget_unused_headers(const char *key, const char *bearer)
{
	ListCell   *lc;
	bool		all = list_length(shared_headers) > SHARED_HEADERS_KEPT;

	foreach(lc, shared_headers)
	{
		SharedHeaders *sh = (SharedHeaders *) lfirst(lc);

		if (sh->users > 0 ||
			!(all || (same_text(sh->key, key) && !same_text(sh->bearer, bearer))))
			continue;
		shared_headers = foreach_delete_current(shared_headers, lc);
		free_shared(sh);
	}
}

/* The shared lines for req, made when no transfer has them yet. */
static SharedHeaders *
take_shared_headers(const GofiveHttpRequest *req)
{
	GofiveHttpRequest shared = *req;
	SharedHeaders *sh;
	ListCell   *lc;
	MemoryContext old;

	foreach(lc, shared_headers)
	{
		sh = (SharedHeaders *) lfirst(lc);
		if (same_text(sh->bearer, req->bearer) &&
			same_text(sh->key, req->account->subscription_key) &&
			same_text(sh->content_type, req->content_type))
		{
			sh->users++;
			return sh;
		}
	}
	forget_unused_headers(req->account->subscription_key, req->bearer);
	shared.request_id = NULL;
	old = MemoryContextSwitchTo(TopMemoryContext);
	sh = palloc0(sizeof(SharedHeaders));
	sh->list = gofive_http_headers(&shared);
	sh->content_type = kept_text(req->content_type);
	sh->key = kept_text(req->account->subscription_key);
	sh->bearer = kept_text(req->bearer);
	sh->users = 1;
	shared_headers = lappend(shared_headers, sh);
	MemoryContextSwitchTo(old);
	return sh;
}

/*
 * The job's header list: its X-Request-Id (when it has one), a node in its
 * memory, in front of the lines it shares.
 */
static struct curl_slist *
job_headers(Job *job, const GofiveHttpRequest *req)
{
	static const char name[] = "X-Request-Id: ";
	size_t		len;
	struct curl_slist *own;

	job->shared_headers = take_shared_headers(req);
	if (req->request_id == NULL)
		return job->shared_headers->list;
	len = strlen(req->request_id);
	own = MemoryContextAlloc(job->cxt, sizeof(struct curl_slist));
	own->data = MemoryContextAlloc(job->cxt, sizeof(name) + len);
	memcpy(own->data, name, sizeof(name) - 1);
	memcpy(own->data + sizeof(name) - 1, req->request_id, len + 1);
	own->next = job->shared_headers->list;
	return own;
}

/* A transfer ended: its handle back in the pool, the job on the done list. */
static void
finish(Job *job)
{
	MemoryContext old;

	job->ms = (double) (GetCurrentTimestamp() - job->started) / 1000.0;
	job->headers = NULL;		/* the job's own node goes with its memory */
	job->shared_headers->users--;
	job->shared_headers = NULL;
	old = MemoryContextSwitchTo(TopMemoryContext);
	idle_handles = lappend(idle_handles, job->easy);
	in_flight = list_delete_ptr(in_flight, job);
	done = lappend(done, job);
	MemoryContextSwitchTo(old);
	job->easy = NULL;
	if (job->kind == JOB_REQUEST)
		in_flight_noted = false;
}

/*
 * libcurl refused an option of the job's request: the job ends at once,
 * failed with libcurl's reason, as a transfer that could not be made.  It
 * is judged with the answers at the next turn (the latch makes it come).
 */
static void
refused(Job *job, const GofiveCurlRefusal *refusal)
{
	const char *why = curl_easy_strerror((CURLcode) refusal->code);

	ereport(LOG,
			(job->kind == JOB_REQUEST ?
			 errmsg("%s() failed for request %lld: %s", refusal->fn, (long long) job->id, why) :
			 errmsg("%s() failed for a token request: %s", refusal->fn, why),
			 errcontext("libcurl option %s", refusal->what)));
	job->result = refusal->code;
	job->resp.status = 0;
	finish(job);
	SetLatch(MyLatch);
}

/*
 * Start a transfer for the job: a request (its row's method, path and body,
 * with its account's URL, key and the bearer token) or a token fetch.  The
 * body is copied into the job's memory, where it stays until the end.
 */
void
gofive_delivery_start(Job *job, const GofiveAccount *acct, const char *method,
					  const char *url, const char *bearer, const char *request_id,
					  const char *content_type, const char *body)
{
	GofiveHttpRequest req = {0};
	GofiveCurlRefusal refusal;
	MemoryContext old = MemoryContextSwitchTo(job->cxt);

	if (body && body != job->body)
		job->body = pstrdup(body);
	req.method = method;
	req.url = url;
	req.content_type = content_type;
	req.body = body ? job->body : NULL;
	req.body_len = body ? strlen(job->body) : 0;
	req.bearer = bearer;
	req.request_id = request_id;
	req.account = acct;

	apply_limits();
	job->easy = take_handle();
	job->headers = job_headers(job, &req);
	job->errbuf[0] = '\0';
	job->started = GetCurrentTimestamp();
	/* the response buffer is allocated in the job's context */
	if (!gofive_http_set_options(job->easy, &req, &job->resp, job->headers, job->errbuf,
								 job, &refusal))
	{
		MemoryContextSwitchTo(old);
		refused(job, &refusal);
		return;
	}
	MemoryContextSwitchTo(old);

	GOFIVE_CURL_CHECK(curl_multi_add_handle, NULL, multi, job->easy);
	old = MemoryContextSwitchTo(TopMemoryContext);
	in_flight = lappend(in_flight, job);
	MemoryContextSwitchTo(old);
	if (job->kind == JOB_REQUEST)
		in_flight_noted = false;
}

/*
 * Move the transfers along; wait up to timeout_ms for something to happen,
 * unless something already has.  Transfers that ended in the first
 * curl_multi_perform are not left waiting out the poll: their groups' next
 * requests would go up to timeout_ms late (in test/bench/scheduler's
 * ordered drain at 15 ms of latency, one request in three took 20-28 ms).
 */
void
gofive_delivery_wait(int timeout_ms)
{
	int			running;

	GOFIVE_CURL_CHECK(curl_multi_perform, NULL, multi, &running);
	collect_done();
	if (done != NIL || running == 0 || timeout_ms <= 0)
		return;
	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	GOFIVE_CURL_CHECK(curl_multi_poll, NULL, multi, NULL, 0, timeout_ms, NULL);
	pgstat_report_wait_end();
	GOFIVE_CURL_CHECK(curl_multi_perform, NULL, multi, &running);
	collect_done();
}

/* Move the transfers that ended to the done list, their handles back in the pool. */
static void
collect_done(void)
{
	CURLMsg    *msg;
	int			queued;

	while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
	{
		Job		   *job;

		if (msg->msg != CURLMSG_DONE)
			continue;
		GOFIVE_CURL_GETINFO(msg->easy_handle, CURLINFO_PRIVATE, (char **) &job);
		job->result = msg->data.result;
		/* also when the body was cut at the limit: the status came first */
		GOFIVE_CURL_GETINFO(job->easy, CURLINFO_RESPONSE_CODE, &job->resp.status);
		GOFIVE_CURL_CHECK(curl_multi_remove_handle, NULL, multi, job->easy);
		finish(job);
	}
}

/* A finished job, or NULL. */
Job *
gofive_delivery_next_done(void)
{
	Job		   *job;

	if (done == NIL)
		collect_done();
	if (done == NIL)
		return NULL;
	job = (Job *) linitial(done);
	done = list_delete_first(done);
	return job;
}

/* Whether transfers ended that nobody took yet. */
bool
gofive_delivery_has_done(void)
{
	return done != NIL;
}

int
gofive_delivery_in_flight(void)
{
	return list_length(in_flight);
}

/* The ids of the requests in flight and of those unrecorded: not to be claimed. */
int64 *
gofive_delivery_busy_ids(List *unrecorded, int *n)
{
	int64	   *ids = palloc(sizeof(int64) * (list_length(in_flight) + list_length(unrecorded) + 1));
	ListCell   *lc;

	*n = 0;
	foreach(lc, in_flight)
		if (((Job *) lfirst(lc))->kind == JOB_REQUEST)
			ids[(*n)++] = ((Job *) lfirst(lc))->id;
	foreach(lc, unrecorded)
		ids[(*n)++] = ((Job *) lfirst(lc))->id;
	return ids;
}

/* ---- the in-flight file ---- */

/*
 * The file is a line naming the half that holds the list, 'a' or 'b', then
 * two halves of equal size: in each, ids one per line, then a NUL byte
 * (unless the list fills the half).  A note writes the list into the half
 * not in use, then flips the first byte.  A worker killed in the middle of
 * a note so leaves the previous list whole, where a write over it could
 * leave the two mixed (an id made of two).
 *
 * The file is mapped: a note, made on most turns, is a copy into the page
 * cache, as a pwrite made it, but without the system call (0.6-1.6 % of a
 * busy worker's CPU in perf).  A list that outgrows its half goes into a new file with
 * halves twice as large, renamed over the old one.
 */
#define IN_FLIGHT_HEADER		2	/* "a\n" or "b\n" */
#define IN_FLIGHT_FIRST_HALF	4095	/* a file of two pages */

static char *in_flight_map = NULL;	/* the file, mapped */
static size_t in_flight_half = 0;	/* the size of each half */

static size_t
in_flight_file_size(size_t half)
{
	return IN_FLIGHT_HEADER + 2 * half;
}

static void
unmap_in_flight(void)
{
	if (in_flight_map != NULL &&
		munmap(in_flight_map, in_flight_file_size(in_flight_half)) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not unmap file \"%s\": %m", in_flight_path)));
	in_flight_map = NULL;
}

/*
 * A new file holding list (len bytes) in its first half, with halves large
 * enough for it, put in place of the old one (a rename: a crash meanwhile
 * leaves one or the other whole), and mapped.
 */
static void
new_in_flight_file(const char *list, size_t len)
{
	char	   *tmp = psprintf("%s.new", in_flight_path);
	size_t		half = IN_FLIGHT_FIRST_HALF;
	char	   *map;
	int			fd;

	while (half < len + 1)
		half = 2 * half + 1;	/* the file stays a whole number of pages */
	unmap_in_flight();
	fd = BasicOpenFile(tmp, O_RDWR | O_CREAT | O_TRUNC | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s\": %m", tmp)));
	if (ftruncate(fd, (off_t) in_flight_file_size(half)) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not extend file \"%s\": %m", tmp)));
	map = mmap(NULL, in_flight_file_size(half), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not map file \"%s\": %m", tmp)));
	close(fd);					/* the mapping keeps the file */
	map[0] = 'a';
	map[1] = '\n';
	memcpy(map + IN_FLIGHT_HEADER, list, len);	/* the rest is zeros */
	if (rename(tmp, in_flight_path) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not rename file \"%s\" to \"%s\": %m", tmp, in_flight_path)));
	in_flight_map = map;
	in_flight_half = half;
	pfree(tmp);
}

/* The list (len bytes) into the half not in use, then that half named. */
static void
write_in_flight(const char *list, size_t len)
{
	char		next;
	char	   *half;

	if (in_flight_map == NULL || len + 1 > in_flight_half)
	{
		new_in_flight_file(list, len);
		return;
	}
	next = (in_flight_map[0] == 'a') ? 'b' : 'a';
	half = in_flight_map + IN_FLIGHT_HEADER + (next == 'b' ? in_flight_half : 0);
	memcpy(half, list, len);
	half[len] = '\0';
	pg_write_barrier();			/* the list is whole before it is named */
	in_flight_map[0] = next;
}

/* An id and a newline (without the printf machinery: this runs on most turns). */
static void
append_id(StringInfo buf, int64 id)
{
	char		digits[MAXINT8LEN + 1];
	int			len = pg_lltoa(id, digits);

	digits[len++] = '\n';
	appendBinaryStringInfo(buf, digits, len);
}

/*
 * Write the ids of the requests on the network (and of those whose answers
 * are not recorded yet: unrecorded, which the caller gives) to the file,
 * when they changed.  Called before the requests just started go out on the
 * next turn of the multi handle.  The first note of a worker makes a new
 * file (after recovery read the old one).
 */
void
gofive_delivery_note_in_flight(List *unrecorded, bool changed)
{
	StringInfoData buf;
	ListCell   *lc;

	if (in_flight_noted && !changed)
		return;
	initStringInfo(&buf);
	/* a marked request says so itself (status sending): not here */
	foreach(lc, in_flight)
		if (((Job *) lfirst(lc))->kind == JOB_REQUEST && !((Job *) lfirst(lc))->marked)
			append_id(&buf, ((Job *) lfirst(lc))->id);
	foreach(lc, unrecorded)
		if (!((Job *) lfirst(lc))->marked)
			append_id(&buf, ((Job *) lfirst(lc))->id);
	write_in_flight(buf.data, buf.len);
	pfree(buf.data);
	in_flight_noted = true;
}

/* The ids in text, one per line, up to a NUL byte. */
static int64 *
parse_ids(const char *text, int *n)
{
	int			cap = 16;
	int64	   *ids = palloc(sizeof(int64) * cap);
	const char *p;

	*n = 0;
	for (p = text; *p;)
	{
		char	   *end;
		long long	id = strtoll(p, &end, 10);

		if (end == p)
			break;
		if (*n == cap)
			ids = repalloc(ids, sizeof(int64) * (cap *= 2));
		ids[(*n)++] = (int64) id;
		p = end;
		while (*p == '\n')
			p++;
	}
	return ids;
}

/*
 * The ids the file holds (a previous worker's), as int64s in a palloc'd
 * array: those of the half its first line names.  No file, or one not
 * written as above, holds none.
 */
int64 *
gofive_delivery_read_in_flight(int *n)
{
	int64	   *ids;
	char	   *text;
	char	   *list;
	size_t		half;
	int			fd;
	struct stat st;

	*n = 0;
	fd = OpenTransientFile(in_flight_path, O_RDONLY | PG_BINARY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_size < IN_FLIGHT_HEADER || st.st_size > 64 * 1024 * 1024)
	{
		CloseTransientFile(fd);
		return NULL;
	}
	text = palloc(st.st_size + 1);
	if (read(fd, text, st.st_size) != st.st_size)
		text[0] = '\0';
	CloseTransientFile(fd);
	text[st.st_size] = '\0';
	if ((text[0] != 'a' && text[0] != 'b') || text[1] != '\n')
	{
		pfree(text);
		return NULL;
	}
	half = (st.st_size - IN_FLIGHT_HEADER) / 2;
	list = text + IN_FLIGHT_HEADER;
	if (text[0] == 'b')
		list += half;
	else
		list[half] = '\0';		/* the first half ends where the second begins */
	ids = parse_ids(list, n);
	pfree(text);
	return ids;
}
