/*
 * delivery.c
 *		The worker's transfers in flight, driven through one curl multi handle
 *		that lives as long as the worker, so its connections are kept alive and
 *		reused (up to gofive.max_concurrency of them).
 */
#include "postgres.h"

#include <curl/curl.h>

#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "worker.h"

static CURLM *multi = NULL;
static List *idle_handles = NIL;	/* easy handles kept for reuse */
static int	in_flight = 0;

void
gofive_delivery_init(void)
{
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK || (multi = curl_multi_init()) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_TRANSPORT),
				 errmsg("could not initialize libcurl")));
}

static void
apply_limits(void)
{
	curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long) gofive_max_concurrency);
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) gofive_max_concurrency);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long) gofive_max_concurrency);
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
	easy = curl_easy_init();
	if (easy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle")));
	return easy;
}

/* Start sending a job's request, with its account's URL, key and bearer token. */
void
gofive_delivery_start(Job *job, const char *bearer)
{
	GofiveHttpRequest req = {0};
	MemoryContext old = MemoryContextSwitchTo(job->cxt);

	req.method = job->method;
	req.url = psprintf("%s%s", job->account->base_url, job->path);
	req.content_type = "application/json";
	req.body = job->body;
	req.body_len = job->body ? strlen(job->body) : 0;
	req.bearer = bearer;
	req.request_id = job->request_id;
	req.account = job->account;

	apply_limits();
	job->easy = take_handle();
	job->headers = gofive_http_headers(&req);
	job->errbuf[0] = '\0';
	/* the response buffer is allocated in the job's context */
	gofive_http_prepare(job->easy, &req, &job->resp, job->headers, job->errbuf);
	/* libcurl copies the URL, but not the body: the job keeps it */
	curl_easy_setopt(job->easy, CURLOPT_PRIVATE, job);
	job->started = GetCurrentTimestamp();
	MemoryContextSwitchTo(old);

	if (curl_multi_add_handle(multi, job->easy) != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_TRANSPORT),
				 errmsg("could not start a transfer")));
	in_flight++;
}

/* Move the transfers along; wait up to timeout_ms for something to happen. */
void
gofive_delivery_wait(int timeout_ms)
{
	int			running;

	curl_multi_perform(multi, &running);
	if (running > 0 && timeout_ms > 0)
	{
		curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
		curl_multi_perform(multi, &running);
	}
}

/* A finished job (its handle back in the pool), or NULL. */
Job *
gofive_delivery_next_done(void)
{
	CURLMsg    *msg;
	int			queued;

	while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
	{
		Job		   *job;
		MemoryContext old;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &job);
		job->result = msg->data.result;
		/* also when the body was cut at the limit: the status came first */
		curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &job->resp.status);
		job->ms = (double) (GetCurrentTimestamp() - job->started) / 1000.0;
		curl_multi_remove_handle(multi, job->easy);
		curl_slist_free_all(job->headers);
		job->headers = NULL;
		old = MemoryContextSwitchTo(TopMemoryContext);
		idle_handles = lappend(idle_handles, job->easy);
		MemoryContextSwitchTo(old);
		job->easy = NULL;
		in_flight--;
		return job;
	}
	return NULL;
}

int
gofive_delivery_in_flight(void)
{
	return in_flight;
}
