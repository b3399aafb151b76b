/*
 * curl_loop.c
 *		Baselines: bare libcurl loops making the calls gofive makes.
 *
 *	  curl_loop BASE_URL N [WARMUP]
 *	  curl_loop --multi CONCURRENCY BASE_URL N [WARMUP]
 *
 * The first form is the baseline of test/bench/sync: the same calls as
 * gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true), one at a time.
 * The second (--multi) is the baseline of test/bench/scheduler: the requests
 * the delivery worker sends for queued upsert_serial rows, through one multi
 * handle, CONCURRENCY at a time (see "The multi mode" below).
 *
 * Fetches a token once, makes WARMUP untimed calls (default 0), then N
 * sequential POST {BASE_URL}/v3/products/serials calls, each checked for
 * HTTP 200, on one easy handle that is reused, so the connection is kept
 * alive from call to call as in the extension.  The request is the one the
 * extension sends: same headers (Content-Type, Accept, the subscription key,
 * the bearer token, User-Agent, no "Expect:") and the same body bytes.
 *
 * Prints one line:
 *	  N calls SECONDS s CALLS_PER_SECOND calls/s MEDIAN_US us median
 * where SECONDS runs from the start of the first timed call to the end of
 * the last, and MEDIAN_US is the median time of one call.
 *
 * The multi mode: the requests the worker sends for
 * gofive_enqueue('upsert_serial', {"runningNumber": "MN<i>", "productCode":
 * "PD001"}), i = 1, 2, ...: POST {BASE_URL}/v3/products/serials with the
 * worker's headers (Content-Type, Accept, the subscription key, the bearer
 * token, X-Request-Id, no "Expect:", the User-Agent) and the body as jsonb
 * prints it, a new running number and a new X-Request-Id each, as rows
 * have.  As the worker does (src/outbox/delivery.c, src/client/http.c),
 * one multi handle with at most CONCURRENCY connections to the host (and
 * 4 x CONCURRENCY kept), so they are kept alive and reused; a pool of easy
 * handles, each reset and given its options and a new header list for
 * every request.
 * Every answer must be HTTP 200.  WARMUP requests (default 2 x CONCURRENCY)
 * open the connections first.  Prints one line:
 *	  N requests SECONDS s RATE requests/s CPU_US us CPU/request USER_S s user SYSTEM_S s system
 * where the CPU time is the process's (getrusage) over the N requests.
 *
 * Credentials default to the local Venio server's test ones; the
 * environment variables GOFIVE_CLIENT_ID, GOFIVE_CLIENT_SECRET and
 * GOFIVE_SUBSCRIPTION_KEY override them.
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -o curl_loop curl_loop.c -lcurl
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <curl/curl.h>

#define USER_AGENT "gofive-postgresql/0.1"	/* as src/client/http.c */
#define WORKER_USER_AGENT "gofive-postgresql/1.1"	/* the worker's (src/client/http.c) */
#define TOKEN_PATH "/authorization/connect/token"
#define SERIAL_PATH "/v3/products/serials"

/*
 * The body exactly as the extension sends it: the SQL arguments go through
 * jsonb (which orders keys by length, then bytes) and JsonbToCString.
 */
static const char serial_body[] =
	"{\"status\": true, \"productCode\": \"PD001\", \"serialNumber\": \"IXX0010\", "
	"\"runningNumber\": \"MN00001\"}";

typedef struct Buffer
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buffer;

static size_t
collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	Buffer	   *buf = userdata;
	size_t		n = size * nmemb;

	if (buf->len + n + 1 > buf->cap)
	{
		size_t		cap = buf->cap ? buf->cap : 1024;
		char	   *data;

		while (buf->len + n + 1 > cap)
			cap *= 2;
		data = realloc(buf->data, cap);
		if (data == NULL)
			return 0;
		buf->data = data;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, ptr, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
	return n;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "curl_loop: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

/* Perform the transfer set up on easy; returns the HTTP status. */
static long
perform(CURL *easy, Buffer *body, const char *what)
{
	CURLcode	rc;
	long		status = 0;

	body->len = 0;
	if (body->data)
		body->data[0] = '\0';
	rc = curl_easy_perform(easy);
	if (rc != CURLE_OK)
		die(what, curl_easy_strerror(rc));
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* The string value of "access_token" in a JSON text (no escapes expected). */
static char *
extract_token(const char *json)
{
	const char *p = strstr(json, "\"access_token\"");
	const char *end;
	char	   *token;

	if (p == NULL)
		return NULL;
	p += strlen("\"access_token\"");
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')
		p++;
	if (*p++ != '"')
		return NULL;
	end = strchr(p, '"');
	if (end == NULL || end == p)
		return NULL;
	token = malloc(end - p + 1);
	if (token == NULL)
		return NULL;
	memcpy(token, p, end - p);
	token[end - p] = '\0';
	return token;
}

/* ---- the multi mode ---- */

typedef struct Transfer
{
	CURL	   *easy;
	struct curl_slist *headers;
	Buffer		answer;
	char		body[96];
} Transfer;

static double
cpu_seconds(double *user, double *system)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		die("getrusage failed", NULL);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*system = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return *user + *system;
}

/* Give the transfer request number i, as the worker would send it, and add it. */
static void
start_request(CURLM *multi, Transfer *t, long i, const char *url, const char *key_line,
			  const char *auth_line)
{
	char		request_id[96];
	CURLMcode	mc;

	snprintf(t->body, sizeof(t->body),
			 "{\"productCode\": \"PD001\", \"runningNumber\": \"MN%ld\"}", i);
	snprintf(request_id, sizeof(request_id),
			 "X-Request-Id: 00000000-0000-4000-8000-%012ld", i);
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
	t->headers = curl_slist_append(t->headers, "Accept: application/json");
	t->headers = curl_slist_append(t->headers, key_line);
	t->headers = curl_slist_append(t->headers, auth_line);
	t->headers = curl_slist_append(t->headers, request_id);
	t->headers = curl_slist_append(t->headers, "Expect:");
	if (t->headers == NULL)
		die("out of memory", NULL);
	t->answer.len = 0;

	/* the options the worker sets on every transfer (src/client/http.c) */
	curl_easy_reset(t->easy);
	curl_easy_setopt(t->easy, CURLOPT_URL, url);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, WORKER_USER_AGENT);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(t->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, &t->answer);
	curl_easy_setopt(t->easy, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, (long) strlen(t->body));
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	if ((mc = curl_multi_add_handle(multi, t->easy)) != CURLM_OK)
		die("curl_multi_add_handle failed", curl_multi_strerror(mc));
}

/*
 * Send requests first .. first + n - 1, concurrency at a time, each checked
 * for HTTP 200; the next one starts as soon as one is answered.
 */
static void
run_multi(CURLM *multi, Transfer *pool, int concurrency, long first, long n,
		  const char *url, const char *key_line, const char *auth_line)
{
	long		next = first;
	long		done = 0;
	int			running;

	for (int i = 0; i < concurrency && next < first + n; i++)
		start_request(multi, &pool[i], next++, url, key_line, auth_line);
	while (done < n)
	{
		CURLMsg    *msg;
		CURLMcode	mc;
		int			queued;

		if ((mc = curl_multi_perform(multi, &running)) != CURLM_OK)
			die("curl_multi_perform failed", curl_multi_strerror(mc));
		while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
		{
			Transfer   *t = NULL;
			long		status = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
			if (msg->data.result != CURLE_OK)
				die("request failed", curl_easy_strerror(msg->data.result));
			curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
			if (status != 200)
			{
				fprintf(stderr, "curl_loop: a request answered HTTP %ld: %.*s\n",
						status, (int) t->answer.len, t->answer.data ? t->answer.data : "");
				exit(1);
			}
			curl_multi_remove_handle(multi, t->easy);
			done++;
			if (next < first + n)
				start_request(multi, t, next++, url, key_line, auth_line);
		}
		if (done < n && (mc = curl_multi_poll(multi, NULL, 0, 1000, NULL)) != CURLM_OK)
			die("curl_multi_poll failed", curl_multi_strerror(mc));
	}
}

static int
multi_main(int concurrency, const char *base, long n, long warmup, const char *key,
		   const char *token)
{
	CURLM	   *multi = curl_multi_init();
	Transfer   *pool = calloc(concurrency, sizeof(Transfer));
	char	   *url = malloc(strlen(base) + 64);
	char	   *key_line = malloc(strlen(key) + 64);
	char	   *auth_line = malloc(strlen(token) + 64);
	double		t_start;
	double		t_end;
	double		cpu0;
	double		cpu1;
	double		user0;
	double		user1;
	double		sys0;
	double		sys1;

	if (multi == NULL || pool == NULL || url == NULL || key_line == NULL || auth_line == NULL)
		die("out of memory", NULL);
	sprintf(url, "%s%s", base, SERIAL_PATH);
	sprintf(key_line, "Ocp-Apim-Subscription-Key: %s", key);
	sprintf(auth_line, "Authorization: Bearer %s", token);
	/* as src/outbox/delivery.c: per host, max_concurrency; kept, 4 x that */
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) concurrency);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long) concurrency * 4);
	for (int i = 0; i < concurrency; i++)
		if ((pool[i].easy = curl_easy_init()) == NULL)
			die("could not create a libcurl handle", NULL);

	if (warmup > 0)
		run_multi(multi, pool, concurrency, 1, warmup, url, key_line, auth_line);
	cpu0 = cpu_seconds(&user0, &sys0);
	t_start = now_seconds();
	run_multi(multi, pool, concurrency, warmup + 1, n, url, key_line, auth_line);
	t_end = now_seconds();
	cpu1 = cpu_seconds(&user1, &sys1);
	printf("%ld requests %.6f s %.1f requests/s %.2f us CPU/request %.3f s user %.3f s system\n",
		   n, t_end - t_start, n / (t_end - t_start), (cpu1 - cpu0) * 1e6 / n,
		   user1 - user0, sys1 - sys0);

	for (int i = 0; i < concurrency; i++)
	{
		curl_slist_free_all(pool[i].headers);
		curl_easy_cleanup(pool[i].easy);
		free(pool[i].answer.data);
	}
	curl_multi_cleanup(multi);
	free(pool);
	free(url);
	free(key_line);
	free(auth_line);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *base;
	long		n;
	long		warmup = 0;
	char	   *end;
	const char *client_id = env_or("GOFIVE_CLIENT_ID", "gofive-test-client");
	const char *client_secret = env_or("GOFIVE_CLIENT_SECRET", "gofive-test-secret");
	const char *key = env_or("GOFIVE_SUBSCRIPTION_KEY", "gofive-test-key");
	char	   *url;
	char	   *line;
	char	   *form;
	char	   *token;
	char	   *id_esc;
	char	   *secret_esc;
	CURL	   *easy;
	struct curl_slist *token_headers = NULL;
	struct curl_slist *headers = NULL;
	Buffer		body = {0};
	double	   *lat;
	double		t_start;
	double		t_end;
	double		median;
	long		status;
	long		concurrency = 0;	/* 0: one call at a time; else the multi mode */

	if (argc > 2 && strcmp(argv[1], "--multi") == 0)
	{
		concurrency = strtol(argv[2], &end, 10);
		if (*end != '\0' || concurrency < 1 || concurrency > 1024)
			die("CONCURRENCY must be an integer from 1 to 1024", argv[2]);
		argv += 2;
		argc -= 2;
		warmup = 2 * concurrency;
	}
	if (argc < 3 || argc > 4)
	{
		fprintf(stderr, "usage: curl_loop BASE_URL N [WARMUP]\n"
				"       curl_loop --multi CONCURRENCY BASE_URL N [WARMUP]\n");
		return 2;
	}
	base = argv[1];
	n = strtol(argv[2], &end, 10);
	if (*end != '\0' || n < 1)
		die("N must be a positive integer", argv[2]);
	if (argc == 4)
	{
		warmup = strtol(argv[3], &end, 10);
		if (*end != '\0' || warmup < 0)
			die("WARMUP must be a non-negative integer", argv[3]);
	}
	lat = malloc(sizeof(double) * n);
	url = malloc(strlen(base) + 64);
	line = malloc(strlen(key) + 256);
	if (lat == NULL || url == NULL || line == NULL)
		die("out of memory", NULL);

	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK || (easy = curl_easy_init()) == NULL)
		die("could not initialize libcurl", NULL);

	/* the options the extension sets on every transfer (src/client/http.c) */
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);

	/* ---- the token, once ---- */
	id_esc = curl_easy_escape(easy, client_id, 0);
	secret_esc = curl_easy_escape(easy, client_secret, 0);
	form = malloc(strlen(id_esc) + strlen(secret_esc) + 128);
	if (form == NULL)
		die("out of memory", NULL);
	sprintf(form, "grant_type=client_credentials&client_id=%s&client_secret=%s",
			id_esc, secret_esc);
	curl_free(id_esc);
	curl_free(secret_esc);

	token_headers = curl_slist_append(token_headers, "Content-Type: application/x-www-form-urlencoded");
	token_headers = curl_slist_append(token_headers, "Accept: application/json");
	sprintf(line, "Ocp-Apim-Subscription-Key: %s", key);
	token_headers = curl_slist_append(token_headers, line);
	token_headers = curl_slist_append(token_headers, "Expect:");

	sprintf(url, "%s%s", base, TOKEN_PATH);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, token_headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) strlen(form));
	status = perform(easy, &body, "token request");
	if (status != 200)
	{
		fprintf(stderr, "curl_loop: the token endpoint answered HTTP %ld: %s\n",
				status, body.data ? body.data : "");
		return 1;
	}
	token = extract_token(body.data ? body.data : "");
	if (token == NULL)
		die("no access_token in the token response", body.data);
	if (concurrency > 0)
	{
		int			rc = multi_main((int) concurrency, base, n, warmup, key, token);

		curl_slist_free_all(token_headers);
		curl_easy_cleanup(easy);
		curl_global_cleanup();
		free(token);
		free(form);
		free(line);
		free(url);
		free(lat);
		free(body.data);
		return rc;
	}

	/* ---- the serial calls ---- */
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, line);	/* Ocp-Apim-Subscription-Key */
	free(line);
	line = malloc(strlen(token) + 64);
	if (line == NULL)
		die("out of memory", NULL);
	sprintf(line, "Authorization: Bearer %s", token);
	headers = curl_slist_append(headers, line);
	headers = curl_slist_append(headers, "Expect:");
	if (headers == NULL || token_headers == NULL)
		die("out of memory", NULL);

	sprintf(url, "%s%s", base, SERIAL_PATH);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, serial_body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) strlen(serial_body));

	for (long i = 0; i < warmup; i++)
		if ((status = perform(easy, &body, "warm-up call")) != 200)
		{
			fprintf(stderr, "curl_loop: warm-up call %ld answered HTTP %ld: %s\n",
					i + 1, status, body.data ? body.data : "");
			return 1;
		}

	t_start = now_seconds();
	for (long i = 0; i < n; i++)
	{
		double		t0 = now_seconds();

		status = perform(easy, &body, "serial call");
		lat[i] = now_seconds() - t0;
		if (status != 200)
		{
			fprintf(stderr, "curl_loop: call %ld answered HTTP %ld: %s\n",
					i + 1, status, body.data ? body.data : "");
			return 1;
		}
	}
	t_end = now_seconds();

	qsort(lat, n, sizeof(double), compare_doubles);
	median = n % 2 ? lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2;
	printf("%ld calls %.6f s %.1f calls/s %.1f us median\n",
		   n, t_end - t_start, n / (t_end - t_start), median * 1e6);

	curl_slist_free_all(headers);
	curl_slist_free_all(token_headers);
	curl_easy_cleanup(easy);
	curl_global_cleanup();
	free(token);
	free(form);
	free(line);
	free(url);
	free(lat);
	free(body.data);
	return 0;
}
