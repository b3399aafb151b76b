/*
 * src/client/http.c
 *		One HTTP exchange with the API, from the calling backend.
 *
 * The backend keeps one libcurl multi handle and one easy handle for its
 * whole life, so that the connection to the API (and its TLS session) is
 * reused from call to call.  The transfer is driven through the multi
 * interface in short waits, so that a cancel request, statement_timeout or
 * pg_terminate_backend interrupts a call promptly: CHECK_FOR_INTERRUPTS()
 * runs at least every INTERRUPT_CHECK_MS while we wait on the network.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "client.h"
#include "curl_check.h"
#include "gofive.h"

#define INTERRUPT_CHECK_MS	50
#define USER_AGENT			"gofive-postgresql/" GOFIVE_VERSION
#define RETRY_AFTER_MAX		86400	/* seconds; the worker waits at most retry_max */

static CURLM *backend_multi = NULL;
static CURL *backend_easy = NULL;

/*
 * Make room for need more bytes of body without raising (we are inside a
 * libcurl callback: an ereport would longjmp through libcurl).  The buffer
 * grows by doubling, capped at the limit (+1 for the NUL); false when there
 * is no memory.
 */
static bool
reserve_body(GofiveHttpResponse *resp, size_t need)
{
	StringInfo	buf = &resp->body;
	size_t		want = (size_t) buf->len + need + 1;
	size_t		cap = (size_t) buf->maxlen;
	char	   *grown;

	if (want <= cap)
		return true;
	while (cap < want)
		cap *= 2;
	cap = Min(cap, resp->limit + 1);
	cap = Max(cap, want);
	grown = MemoryContextAllocExtended(GetMemoryChunkContext(buf->data), cap,
									   MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
	if (grown == NULL)
	{
		resp->out_of_memory = true;
		return false;
	}
	memcpy(grown, buf->data, buf->len + 1);
	pfree(buf->data);
	buf->data = grown;
	buf->maxlen = (int) cap;
	return true;
}

/*
 * Write callback: collect the body, up to resp->limit bytes; past it, stop
 * the download (returning less than given aborts the transfer).
 */
static size_t
collect_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	GofiveHttpResponse *resp = (GofiveHttpResponse *) userdata;
	size_t		n = size * nmemb;

	if ((size_t) resp->body.len + n > resp->limit)
	{
		resp->too_large = true;
		return 0;
	}
	if (!reserve_body(resp, n))
		return 0;
	memcpy(resp->body.data + resp->body.len, ptr, n);
	resp->body.len += (int) n;
	resp->body.data[resp->body.len] = '\0';
	return n;
}

/* The value of header "name:" (lower case, with the colon) in a header line, or NULL. */
static const char *
header_value(const char *line, size_t n, const char *name, char *value, size_t size)
{
	size_t		name_len = strlen(name);
	size_t		len;

	if (n <= name_len || pg_strncasecmp(line, name, name_len) != 0)
		return NULL;
	len = Min(n - name_len, size - 1);
	memcpy(value, line + name_len, len);
	value[len] = '\0';
	return value;
}

/*
 * Retry-After as delta-seconds (RFC 9110 10.2.3: digits, with optional
 * white space around them), capped at RETRY_AFTER_MAX; -1 for anything else
 * (an HTTP-date is not read: the backoff applies).  atoi would take "1e9"
 * as 1 and overflow on long digit strings.
 */
static int
retry_after_seconds(const char *value)
{
	const char *p = value;
	long		seconds = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		seconds = Min(seconds * 10 + (*p - '0'), (long) RETRY_AFTER_MAX);
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == '\0' ? (int) seconds : -1;
}

/*
 * Header callback: Retry-After (in seconds), and Content-Length, so that an
 * answer announced larger than the limit is refused before its body comes,
 * and one within it gets its buffer at once.
 */
static size_t
collect_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	GofiveHttpResponse *resp = (GofiveHttpResponse *) userdata;
	size_t		n = size * nmemb;
	char		value[32];

	if (header_value(ptr, n, "retry-after:", value, sizeof(value)))
		resp->retry_after = retry_after_seconds(value);
	else if (header_value(ptr, n, "content-length:", value, sizeof(value)))
	{
		char	   *end;
		unsigned long long length = strtoull(value, &end, 10);

		if (end != value && length > resp->limit)
		{
			resp->too_large = true;
			return 0;
		}
		if (end != value && !reserve_body(resp, (size_t) length))
			return 0;
	}
	return n;
}

/* ---- the check of libcurl's results (curl_check.h) ---- */

void
gofive_curl_failed(const char *fn, const char *what, int code)
{
	bool		multi = strncmp(fn, "curl_multi_", 11) == 0;
	bool		oom = code == (multi ? (int) CURLM_OUT_OF_MEMORY : (int) CURLE_OUT_OF_MEMORY);

	ereport(ERROR,
			(errcode(oom ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INTERNAL_ERROR),
			 errmsg("%s() failed: %s", fn,
					multi ? curl_multi_strerror((CURLMcode) code) :
					curl_easy_strerror((CURLcode) code)),
			 what ? errcontext("libcurl option %s", what) : 0));
}

void *
gofive_curl_made(void *made, const char *fn)
{
	if (made == NULL)
		gofive_curl_failed(fn, NULL, strncmp(fn, "curl_multi_", 11) == 0 ?
						   (int) CURLM_OUT_OF_MEMORY : (int) CURLE_OUT_OF_MEMORY);
	return made;
}

/*
 * A multi handle, for every path that makes one: at most one transfer on a
 * connection at a time.  libcurl 7.88 takes an answer whose status line
 * says HTTP/2, on an HTTP/1.1 connection, for a server that multiplexes,
 * and then gives a connection whose request is still waiting for its answer
 * to other transfers: each reads an answer that is not its own, and a
 * request is recorded as answered without ever reaching the server (t/007
 * met it).  Without multiplexing, an HTTP/2 server gets a connection for
 * each transfer in flight, which the pool keeps.
 */
void *
gofive_http_multi(void)
{
	CURLM	   *multi = GOFIVE_CURL_NEW(curl_multi_init);

	GOFIVE_CURLM_SETOPT(multi, CURLMOPT_PIPELINING, (long) CURLPIPE_NOTHING);
	return multi;
}

/*
 * The backend's handles, made on first use.  Each is kept once made, so a
 * failure here holds nothing and the next call makes only what is missing.
 */
static void
ensure_handles(void)
{
	if (backend_multi != NULL && backend_easy != NULL)
		return;
	GOFIVE_CURL_CHECK(curl_global_init, NULL, CURL_GLOBAL_ALL);
	if (backend_multi == NULL)
		backend_multi = gofive_http_multi();
	if (backend_easy == NULL)
		backend_easy = GOFIVE_CURL_NEW(curl_easy_init);
}

/*
 * Add buf's line to the list.  Out of memory, libcurl keeps the list as it
 * was: free it, and wipe buf (it may hold a secret), before raising.
 */
static struct curl_slist *
append_header(struct curl_slist *headers, StringInfo buf)
{
	struct curl_slist *longer = curl_slist_append(headers, buf->data);

	if (longer == NULL)
	{
		curl_slist_free_all(headers);
		explicit_bzero(buf->data, buf->maxlen);
		gofive_curl_failed("curl_slist_append", NULL, CURLE_OUT_OF_MEMORY);
	}
	resetStringInfo(buf);
	return longer;
}

/*
 * Build the header list.  The caller frees it with curl_slist_free_all();
 * it is malloc'd by libcurl, which is why the transfer below uses PG_TRY.
 * Raises (out of memory) holding nothing.
 */
struct curl_slist *
gofive_http_headers(const GofiveHttpRequest *req)
{
	struct curl_slist *headers = NULL;
	StringInfoData buf;

	initStringInfo(&buf);
	if (req->content_type)
	{
		appendStringInfo(&buf, "Content-Type: %s", req->content_type);
		headers = append_header(headers, &buf);
	}
	appendStringInfoString(&buf, "Accept: application/json");
	headers = append_header(headers, &buf);
	if (req->account->subscription_key && *req->account->subscription_key)
	{
		appendStringInfo(&buf, "Ocp-Apim-Subscription-Key: %s", req->account->subscription_key);
		headers = append_header(headers, &buf);
	}
	if (req->bearer)
	{
		appendStringInfo(&buf, "Authorization: Bearer %s", req->bearer);
		headers = append_header(headers, &buf);
	}
	if (req->request_id)
	{
		appendStringInfo(&buf, "X-Request-Id: %s", req->request_id);
		headers = append_header(headers, &buf);
	}
	/* libcurl would otherwise send "Expect: 100-continue" for large bodies */
	appendStringInfoString(&buf, "Expect:");
	headers = append_header(headers, &buf);

	/* wipe the copies of the secrets we formatted */
	explicit_bzero(buf.data, buf.maxlen);
	pfree(buf.data);
	return headers;
}

/* Note a refused option and leave the function (GOFIVE_CURL_TRY's "failed"). */
#define REFUSE(f, w, c) \
	do { \
		refusal->fn = (f); \
		refusal->what = (w); \
		refusal->code = (c); \
		return false; \
	} while (0)
#define SETOPT(opt, value) GOFIVE_CURL_TRY(REFUSE, curl_easy_setopt, #opt, easy, opt, (value))

/* Where the request goes, and how: address, protocols, timeouts, TLS. */
static bool
set_transport_options(CURL *easy, const GofiveHttpRequest *req, GofiveCurlRefusal *refusal)
{
	SETOPT(CURLOPT_URL, req->url);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L); /* never forward the token */
	SETOPT(CURLOPT_USERAGENT, USER_AGENT);
	SETOPT(CURLOPT_TIMEOUT_MS, (long) req->account->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long) req->account->connect_timeout_ms);
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, req->account->ssl_verify ? 1L : 0L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, req->account->ssl_verify ? 2L : 0L);
	if (req->account->ca_file && *req->account->ca_file)
		SETOPT(CURLOPT_CAINFO, req->account->ca_file);
	return true;
}

/* What is sent and where the answer goes. */
static bool
set_exchange_options(CURL *easy, const GofiveHttpRequest *req, GofiveHttpResponse *resp,
					 struct curl_slist *headers, char *errbuf, void *owner,
					 GofiveCurlRefusal *refusal)
{
	SETOPT(CURLOPT_HTTPHEADER, headers);
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(CURLOPT_WRITEFUNCTION, collect_body);
	SETOPT(CURLOPT_WRITEDATA, resp);
	SETOPT(CURLOPT_HEADERFUNCTION, collect_header);
	SETOPT(CURLOPT_HEADERDATA, resp);
	SETOPT(CURLOPT_PRIVATE, owner);
	SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body)
	{
		SETOPT(CURLOPT_POSTFIELDS, req->body);
		SETOPT(CURLOPT_POSTFIELDSIZE, (long) req->body_len);
	}
	else if (strcmp(req->method, "GET") == 0)
		SETOPT(CURLOPT_HTTPGET, 1L);
	return true;
}

#undef SETOPT
#undef REFUSE

/*
 * Set up easy for req, its answer to go to resp (allocated in the current
 * memory context), owner to be its CURLINFO_PRIVATE.  Raises nothing: false
 * when libcurl refused an option, *refusal saying which and why (for the
 * worker, which fails the request; gofive_http_prepare raises it).
 */
bool
gofive_http_set_options(void *handle, const GofiveHttpRequest *req, GofiveHttpResponse *resp,
						struct curl_slist *headers, char *errbuf, void *owner,
						GofiveCurlRefusal *refusal)
{
	CURL	   *easy = (CURL *) handle;

	initStringInfo(&resp->body);
	resp->status = 0;
	resp->retry_after = -1;
	resp->limit = (size_t) gofive_max_response_size;
	resp->too_large = false;
	resp->out_of_memory = false;
	curl_easy_reset(easy);
	return set_transport_options(easy, req, refusal) &&
		set_exchange_options(easy, req, resp, headers, errbuf, owner, refusal);
}

/* The same, raising when libcurl refuses an option. */
void
gofive_http_prepare(void *easy, const GofiveHttpRequest *req, GofiveHttpResponse *resp,
					struct curl_slist *headers, char *errbuf, void *owner)
{
	GofiveCurlRefusal refusal;

	if (!gofive_http_set_options(easy, req, resp, headers, errbuf, owner, &refusal))
		gofive_curl_failed(refusal.fn, refusal.what, refusal.code);
}

/* Drive the transfer to its end, checking for interrupts while we wait. */
static CURLcode
run_transfer(CURLM *multi, CURL *easy)
{
	int			running = 1;
	CURLcode	result = CURLE_OK;
	CURLMsg    *msg;
	int			queued;

	/* an error (also from the checks) ends the wait event as it aborts */
	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	while (running)
	{
		GOFIVE_CURL_CHECK(curl_multi_perform, NULL, multi, &running);
		if (running)
			GOFIVE_CURL_CHECK(curl_multi_poll, NULL, multi, NULL, 0, INTERRUPT_CHECK_MS, NULL);
		CHECK_FOR_INTERRUPTS();
	}
	pgstat_report_wait_end();

	while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy)
			result = msg->data.result;
	return result;
}

/* The host of a URL (no user, no port), for messages. */
static char *
url_host(const char *url)
{
	const char *start = strstr(url, "://");
	const char *end;
	const char *stop;

	start = start ? start + 3 : url;
	end = start + strcspn(start, "/?#");
	/* user:password@ must not reach a message */
	for (const char *p = start; p < end; p++)
		if (*p == '@')
			start = p + 1;
	if (*start == '[')
	{
		stop = memchr(start, ']', end - start);
		if (stop)
			end = stop + 1;
	}
	else if ((stop = memchr(start, ':', end - start)) != NULL)
		end = stop;
	return pnstrdup(start, end - start);
}

/* Where a request's address comes from: a setting, or an account's option. */
static char *
address_source(const GofiveHttpRequest *req)
{
	if (req->account->server == NULL)
		return pstrdup("gofive.base_url");
	return psprintf("the base_url option of server \"%s\"", req->account->server);
}

static void
raise_transport_error(const char *what, const GofiveHttpRequest *req, CURLcode code,
					  const char *errbuf)
{
	bool		timed_out = (code == CURLE_OPERATION_TIMEDOUT);
	char	   *host = url_host(req->url);
	char	   *source = address_source(req);

	/*
	 * The error buffer holds timings and addresses: keep it in the server log
	 * only, so the client's message is stable.  The message names the host
	 * (never a port or a user), the detail where it comes from.
	 */
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_TRANSPORT),
			 timed_out ? errmsg("the API at %s did not answer in time", host) :
			 errmsg("could not reach the API at %s: %s", host, curl_easy_strerror(code)),
			 !timed_out ? errdetail("The address comes from %s.", source) :
			 req->account->server == NULL ?
			 errdetail("gofive.timeout is %d ms, gofive.connect_timeout is %d ms; the address comes from %s.",
					   req->account->timeout_ms, req->account->connect_timeout_ms, source) :
			 errdetail("The timeout of account \"%s\" is %d ms, its connect timeout %d ms; the address comes from %s.",
					   req->account->server, req->account->timeout_ms,
					   req->account->connect_timeout_ms, source),
			 errdetail_log("%s: %s", req->url, errbuf)));
}

/*
 * Perform one request and fill *resp.  Raises on transport failures and
 * timeouts (ERRCODE_GOFIVE_TRANSPORT) and on interrupts; any HTTP status is
 * returned to the caller, and so is an answer cut at gofive.max_response_size
 * (resp->too_large).  "what" names the operation for error messages.
 */
void
gofive_http_perform(const char *what, const GofiveHttpRequest *req,
					GofiveHttpResponse *resp)
{
	struct curl_slist *volatile headers = NULL;
	char		errbuf[CURL_ERROR_SIZE];
	volatile CURLcode code = CURLE_OK;
	volatile CURLMcode removed = CURLM_OK;

	ensure_handles();
	errbuf[0] = '\0';

	headers = gofive_http_headers(req);
	PG_TRY();
	{
		gofive_http_prepare(backend_easy, req, resp, headers, errbuf, NULL);
		GOFIVE_CURL_CHECK(curl_multi_add_handle, NULL, backend_multi, backend_easy);
		code = run_transfer(backend_multi, backend_easy);
	}
	PG_FINALLY();
	{
		/*
		 * Removing an unfinished transfer closes its connection; removing
		 * one never added does nothing.  Checked below, after a success: on
		 * an error, that error is the one to report (and a handle left in
		 * would make the next call's curl_multi_add_handle fail).
		 */
		removed = curl_multi_remove_handle(backend_multi, backend_easy);
		curl_slist_free_all(headers);
	}
	PG_END_TRY();
	if (removed != CURLM_OK)
		gofive_curl_failed("curl_multi_remove_handle", NULL, removed);

	if (code != CURLE_OK && !resp->too_large)
	{
		if (resp->out_of_memory)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory for an answer of %d bytes", resp->body.len)));
		raise_transport_error(what, req, code, errbuf);
	}
	/* an answer over the limit is returned (marked) for outcome.c to judge */
	GOFIVE_CURL_GETINFO(backend_easy, CURLINFO_RESPONSE_CODE, &resp->status);
}

/*
 * The end of a transfer driven elsewhere (transfer.c), judged as
 * gofive_http_perform judges its own: raise on a transport failure or a
 * timeout, return any HTTP status (resp->status, read when it ended) and an
 * answer cut at the limit.
 */
void
gofive_http_check_transfer(const char *what, const GofiveHttpRequest *req,
						   GofiveHttpResponse *resp, int code, const char *errbuf)
{
	if (code != CURLE_OK && !resp->too_large)
	{
		if (resp->out_of_memory)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory for an answer of %d bytes", resp->body.len)));
		raise_transport_error(what, req, (CURLcode) code, errbuf);
	}
}
