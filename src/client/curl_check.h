/*
 * src/client/curl_check.h
 *		Every libcurl result is checked, through GOFIVE_CURL_CHECK (and its
 *		shorthands below): a call that fails is an error, never ignored.
 *
 * A libcurl call fails only when libcurl cannot do what it was asked: no
 * memory, an option this libcurl does not know or a value it refuses, a
 * handle in the wrong state.  Nothing was sent then, so it is no transport
 * failure (VNNET: the API could not be reached, which a transfer's own
 * result says, http.c): it is out of memory (53200) when libcurl says so,
 * else an internal error (XX000).  The message names the function and
 * libcurl's reason, the context the option:
 *
 *	 ERROR:  curl_easy_setopt() failed: An unknown option was passed in to libcurl
 *	 CONTEXT:  libcurl option CURLOPT_PROTOCOLS_STR
 *
 * Constructors that answer NULL for out of memory (curl_easy_init,
 * curl_multi_init) go through GOFIVE_CURL_NEW; curl_slist_append keeps the list
 * it could not extend, which its caller frees (http.c).
 *
 * Where a check raises matters: never inside a libcurl callback or a
 * memory context callback (transfer.c says how those cope), and never
 * while a foreign resource (a handle out of its pool, a header list) is
 * held by nobody: the callers order their steps so that each raises while
 * holding nothing, or hand the resource to whoever releases it.  The
 * worker (delivery.c) exits on an error and is started again; a request
 * whose options libcurl refuses (an address over libcurl's length limit,
 * say) fails that request instead, not the worker, which would otherwise
 * claim it again after each start: gofive_http_set_options hands the
 * refusal back (GofiveCurlRefusal) rather than raising it.
 */
#ifndef GOFIVE_CURL_CHECK_H
#define GOFIVE_CURL_CHECK_H

#include <curl/curl.h>

/* ---- http.c: what a failed call does ---- */
/* fn: the function's name; what: the option, or NULL; code: its CURLcode or CURLMcode */
extern void gofive_curl_failed(const char *fn, const char *what, int code)
			pg_attribute_noreturn();
extern void *gofive_curl_made(void *made, const char *fn);

/* a failed call, for a caller that must not raise (GOFIVE_CURL_TRY) */
typedef struct GofiveCurlRefusal
{
	const char *fn;
	const char *what;
	int			code;
} GofiveCurlRefusal;

/*
 * The one check: call fn(...) (a libcurl function answering CURLcode or
 * CURLMcode, both 0 for success) and, if it failed, failed(fn's name,
 * what, the code); what names the option, or is NULL.
 */
#define GOFIVE_CURL_TRY(failed, fn, what, ...) \
	do { \
		int			gf_curl_rc_ = (int) fn(__VA_ARGS__); \
		\
		if (unlikely(gf_curl_rc_ != 0)) \
			failed(#fn, (what), gf_curl_rc_); \
	} while (0)

/* ... raising, which is what nearly every caller wants */
#define GOFIVE_CURL_CHECK(fn, what, ...) \
	GOFIVE_CURL_TRY(gofive_curl_failed, fn, what, __VA_ARGS__)

#define GOFIVE_CURL_SETOPT(easy, opt, value) \
	GOFIVE_CURL_CHECK(curl_easy_setopt, #opt, (easy), opt, (value))
#define GOFIVE_CURL_GETINFO(easy, info, ptr) \
	GOFIVE_CURL_CHECK(curl_easy_getinfo, #info, (easy), info, (ptr))
#define GOFIVE_CURLM_SETOPT(multi, opt, value) \
	GOFIVE_CURL_CHECK(curl_multi_setopt, #opt, (multi), opt, (value))

/* fn(...), a libcurl constructor; raises for out of memory when it answers NULL */
#define GOFIVE_CURL_NEW(fn, ...) gofive_curl_made((void *) fn(__VA_ARGS__), #fn)

#endif							/* GOFIVE_CURL_CHECK_H */
