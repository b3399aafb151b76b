/*
 * curl_loop.c
 *		The baseline for test/bench/sync: a bare libcurl loop making the same
 *		calls as gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true).
 *
 *	  curl_loop BASE_URL N [WARMUP]
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

#include <curl/curl.h>

#define USER_AGENT "gofive-postgresql/0.1"	/* as src/http.c */
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

	if (argc < 3 || argc > 4)
	{
		fprintf(stderr, "usage: %s BASE_URL N [WARMUP]\n", argv[0]);
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

	/* the options the extension sets on every transfer (src/http.c) */
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
