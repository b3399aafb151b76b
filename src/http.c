/*
 * http.c
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
#include "utils/wait_event.h"

#include "gofive.h"

#define INTERRUPT_CHECK_MS	50
#define MAX_RESPONSE_BYTES	(64 * 1024 * 1024)
#define USER_AGENT			"gofive-postgresql/0.1"

static CURLM *backend_multi = NULL;
static CURL *backend_easy = NULL;

/* Write callback: collect the body; never ereport here (0 aborts instead). */
static size_t
collect_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	GofiveHttpResponse *resp = (GofiveHttpResponse *) userdata;
	size_t		n = size * nmemb;

	if ((size_t) resp->body.len + n > MAX_RESPONSE_BYTES)
		return 0;
	appendBinaryStringInfo(&resp->body, ptr, (int) n);
	return n;
}

/* Header callback: we only need Retry-After (in seconds). */
static size_t
collect_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	GofiveHttpResponse *resp = (GofiveHttpResponse *) userdata;
	size_t		n = size * nmemb;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) && pg_strncasecmp(ptr, name, sizeof(name) - 1) == 0)
	{
		char		value[32];
		size_t		len = Min(n - (sizeof(name) - 1), sizeof(value) - 1);

		memcpy(value, ptr + sizeof(name) - 1, len);
		value[len] = '\0';
		resp->retry_after = atoi(value);
		if (resp->retry_after < 0)
			resp->retry_after = -1;
	}
	return n;
}

static void
ensure_handles(void)
{
	if (backend_multi != NULL)
		return;
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_TRANSPORT),
				 errmsg("gofive: could not initialize libcurl")));
	backend_multi = curl_multi_init();
	backend_easy = curl_easy_init();
	if (backend_multi == NULL || backend_easy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("gofive: could not create a libcurl handle")));
}

/*
 * Build the header list.  The caller frees it with curl_slist_free_all();
 * it is malloc'd by libcurl, which is why the transfer below uses PG_TRY.
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
		headers = curl_slist_append(headers, buf.data);
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	if (gofive_subscription_key && *gofive_subscription_key)
	{
		resetStringInfo(&buf);
		appendStringInfo(&buf, "Ocp-Apim-Subscription-Key: %s", gofive_subscription_key);
		headers = curl_slist_append(headers, buf.data);
	}
	if (req->bearer)
	{
		resetStringInfo(&buf);
		appendStringInfo(&buf, "Authorization: Bearer %s", req->bearer);
		headers = curl_slist_append(headers, buf.data);
	}
	if (req->request_id)
	{
		resetStringInfo(&buf);
		appendStringInfo(&buf, "X-Request-Id: %s", req->request_id);
		headers = curl_slist_append(headers, buf.data);
	}
	/* libcurl would otherwise send "Expect: 100-continue" for large bodies */
	headers = curl_slist_append(headers, "Expect:");

	/* wipe the copies of the secrets we formatted */
	explicit_bzero(buf.data, buf.maxlen);
	pfree(buf.data);
	if (headers == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("gofive: out of memory building request headers")));
	return headers;
}

void
gofive_http_prepare(void *handle, const GofiveHttpRequest *req, GofiveHttpResponse *resp,
					struct curl_slist *headers, char *errbuf)
{
	CURL	   *easy = (CURL *) handle;

	initStringInfo(&resp->body);
	resp->status = 0;
	resp->retry_after = -1;
	curl_easy_reset(easy);
	curl_easy_setopt(easy, CURLOPT_URL, req->url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);	/* never forward the token */
	curl_easy_setopt(easy, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) gofive_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) gofive_connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, gofive_ssl_verify ? 1L : 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, gofive_ssl_verify ? 2L : 0L);
	if (gofive_ca_file && *gofive_ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, gofive_ca_file);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, collect_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body)
	{
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) req->body_len);
	}
	else if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
}

/* Drive the transfer to its end, checking for interrupts while we wait. */
static CURLcode
run_transfer(CURLM *multi, CURL *easy)
{
	int			running = 1;
	CURLcode	result = CURLE_OK;
	CURLMsg    *msg;
	int			queued;

	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	while (running)
	{
		CURLMcode	mc = curl_multi_perform(multi, &running);

		if (mc == CURLM_OK && running)
			mc = curl_multi_poll(multi, NULL, 0, INTERRUPT_CHECK_MS, NULL);
		if (mc != CURLM_OK)
		{
			pgstat_report_wait_end();
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_TRANSPORT),
					 errmsg("gofive: libcurl failed: %s", curl_multi_strerror(mc))));
		}
		CHECK_FOR_INTERRUPTS();
	}
	pgstat_report_wait_end();

	while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy)
			result = msg->data.result;
	return result;
}

static void
raise_transport_error(const char *what, const char *url, CURLcode code,
					  const char *errbuf)
{
	bool		timed_out = (code == CURLE_OPERATION_TIMEDOUT);

	/*
	 * The error buffer holds timings and addresses: keep it in the server log
	 * only, so the client's message is stable.
	 */
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_TRANSPORT),
			 errmsg("gofive %s failed: %s", what,
					timed_out ? "the API did not answer in time" : curl_easy_strerror(code)),
			 timed_out ? errdetail("gofive.timeout is %d ms, gofive.connect_timeout is %d ms.",
								   gofive_timeout_ms, gofive_connect_timeout_ms) : 0,
			 errdetail_log("%s: %s", url, errbuf)));
}

/*
 * Perform one request and fill *resp.  Raises on transport failures and
 * timeouts (ERRCODE_GOFIVE_TRANSPORT) and on interrupts; any HTTP status is
 * returned to the caller.  "what" names the operation for error messages.
 */
void
gofive_http_perform(const char *what, const GofiveHttpRequest *req,
					GofiveHttpResponse *resp)
{
	struct curl_slist *volatile headers = NULL;
	char		errbuf[CURL_ERROR_SIZE];
	volatile CURLcode code = CURLE_OK;

	ensure_handles();
	errbuf[0] = '\0';

	headers = gofive_http_headers(req);
	gofive_http_prepare(backend_easy, req, resp, headers, errbuf);
	curl_multi_add_handle(backend_multi, backend_easy);

	PG_TRY();
	{
		code = run_transfer(backend_multi, backend_easy);
	}
	PG_FINALLY();
	{
		/* removing an unfinished transfer closes its connection */
		curl_multi_remove_handle(backend_multi, backend_easy);
		curl_slist_free_all(headers);
	}
	PG_END_TRY();

	if (code != CURLE_OK)
	{
		if (code == CURLE_WRITE_ERROR)
			ereport(ERROR,
					(errcode(ERRCODE_GOFIVE_TRANSPORT),
					 errmsg("gofive %s failed: the response is larger than %d bytes",
							what, MAX_RESPONSE_BYTES)));
		raise_transport_error(what, req->url, code, errbuf);
	}
	curl_easy_getinfo(backend_easy, CURLINFO_RESPONSE_CODE, &resp->status);
}
