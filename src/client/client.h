/*
 * src/client/client.h
 *		The API client (src/client/): one section per file, each declaring
 *		what that file defines.  From a call's arguments to the request
 *		(request.c, pager.c), the account and its token (account.c, auth.c,
 *		token_cache.c), the authenticated call (api.c) over HTTP (http.c,
 *		transfer.c; every libcurl result checked, curl_check.h), and the
 *		answer read (response.c, jsonb_pieces.c) and judged (outcome.c).
 *		Both paths use it: the SQL functions and the outbox worker.
 */
#ifndef GOFIVE_CLIENT_H
#define GOFIVE_CLIENT_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "gofive.h"

/* ---- account.c: whose credentials, URL and connection settings a call uses ---- */
#define GOFIVE_ACCOUNT_KEY_LEN 32	/* SHA-256 */
#define GOFIVE_MAX_RATE_LIMIT 100000.0	/* requests per second */

typedef struct GofiveAccount
{
	const char *server;			/* the foreign server; NULL: the default account */
	const char *base_url;		/* without a trailing slash */
	const char *client_id;
	const char *client_secret;
	const char *subscription_key;
	int			timeout_ms;
	int			connect_timeout_ms;
	const char *ca_file;		/* empty: the system's CAs */
	bool		ssl_verify;
	double		rate_limit;		/* requests per second the worker sends, 0: no limit */
	/* what a token belongs to: base_url and the three credentials (token_cache.c) */
	uint8		key[GOFIVE_ACCOUNT_KEY_LEN];
} GofiveAccount;

/* why an account cannot be used (for the worker, which must not raise) */
typedef struct GofiveAccountProblem
{
	int			sqlstate;
	char	   *message;
	char	   *hint;
} GofiveAccountProblem;

extern const GofiveAccount *gofive_current_account(void);
extern char *gofive_account_url(const GofiveAccount *acct, const char *path);
extern const char *gofive_enqueue_account(void);
extern GofiveAccount *gofive_lookup_account(const char *server, Oid role,
											GofiveAccountProblem *problem);
extern void gofive_raise_account_problem(const GofiveAccountProblem *problem)
			pg_attribute_noreturn();

/* ---- http.c: one HTTP exchange ---- */
typedef struct GofiveHttpRequest
{
	const char *method;
	const char *url;
	const char *content_type;
	const char *body;			/* NULL: no body */
	size_t		body_len;
	const char *bearer;			/* NULL: no Authorization header */
	const char *request_id;		/* NULL: no X-Request-Id header */
	const GofiveAccount *account;	/* subscription key, timeouts, TLS settings */
} GofiveHttpRequest;

typedef struct GofiveHttpResponse
{
	long		status;			/* HTTP status */
	StringInfoData body;		/* NUL-terminated */
	int			retry_after;	/* seconds from Retry-After, or -1 */
	size_t		limit;			/* gofive.max_response_size when sent */
	bool		too_large;		/* the download stopped at the limit */
	bool		out_of_memory;	/* the download stopped: no memory for it */
} GofiveHttpResponse;

extern void gofive_http_perform(const char *what, const GofiveHttpRequest *req,
								GofiveHttpResponse *resp);

/*
 * for the other multi handles (transfer.c, delivery.c): the multi handle
 * itself, headers (free with curl_slist_free_all) and options (owner: the
 * handle's CURLINFO_PRIVATE)
 */
struct curl_slist;
struct GofiveCurlRefusal;
extern void *gofive_http_multi(void);
extern struct curl_slist *gofive_http_headers(const GofiveHttpRequest *req);
extern void gofive_http_prepare(void *easy, const GofiveHttpRequest *req,
								GofiveHttpResponse *resp, struct curl_slist *headers,
								char *errbuf, void *owner);
extern bool gofive_http_set_options(void *easy, const GofiveHttpRequest *req,
									GofiveHttpResponse *resp, struct curl_slist *headers,
									char *errbuf, void *owner,
									struct GofiveCurlRefusal *refusal);
extern void gofive_http_check_transfer(const char *what, const GofiveHttpRequest *req,
									   GofiveHttpResponse *resp, int code, const char *errbuf);

/* ---- transfer.c: transfers that run while the backend does other work ---- */
#define GOFIVE_CURL_ERROR_SIZE 256	/* libcurl's CURL_ERROR_SIZE */

typedef struct GofiveTransfer
{
	GofiveHttpRequest req;		/* as started (its strings in the transfer's context) */
	GofiveHttpResponse resp;	/* the answer, once done */
	void	   *easy;			/* the libcurl handle while in flight, else NULL */
	struct curl_slist *headers;
	char		errbuf[GOFIVE_CURL_ERROR_SIZE];
	int			result;			/* libcurl's CURLcode, once done */
	bool		done;
	bool		stale;			/* timed out after a pause: ask again */
	bool		wanted;			/* its owner waits for it through an Append */
	bool		counted;		/* done and wanted: keeps the Append's descriptors readable */
	bool		registered;		/* on_reset is registered with the context */
	MemoryContextCallback on_reset;
} GofiveTransfer;

extern void gofive_transfer_start(GofiveTransfer *t, const GofiveHttpRequest *req,
								  MemoryContext cxt);
extern void gofive_transfer_poll(void);
extern bool gofive_transfer_done(GofiveTransfer *t);
extern void gofive_transfer_wait(GofiveTransfer *t);
extern void gofive_transfer_want(GofiveTransfer *t);
extern void gofive_transfer_end(GofiveTransfer *t, const char *what);
extern int	gofive_transfer_wait_fd(MemoryContext owner);

/* ---- auth.c: the OAuth2 client-credentials token ---- */
extern char *gofive_fetch_token(const GofiveAccount *account, TimestampTz *until);
extern void gofive_token_request(const GofiveAccount *account, char **url, char **form_body);
extern char *gofive_token_from_answer(const GofiveAccount *account, GofiveHttpResponse *resp,
									  TimestampTz *until);

/* ---- token_cache.c: one token per account for the whole cluster ---- */
#define GOFIVE_TOKEN_MAX_BYTES 8192

typedef enum GofiveFetchClaim
{
	GOFIVE_FETCH_MINE,			/* this process fetches it now */
	GOFIVE_FETCH_BUSY,			/* another process is fetching it */
	GOFIVE_FETCH_UNCACHED		/* no room to keep it: fetch, use once */
} GofiveFetchClaim;

extern char *gofive_get_token(const GofiveAccount *account, uint64 *token_id);
extern void gofive_token_refused(const GofiveAccount *account, uint64 token_id);
extern void gofive_token_cache_init(void);
extern char *gofive_token_peek(const GofiveAccount *account, char *buf, uint64 *token_id);
extern GofiveFetchClaim gofive_token_claim_fetch(const GofiveAccount *account);
extern uint64 gofive_token_fetched(const GofiveAccount *account, const char *token,
								   TimestampTz until);
extern void gofive_token_fetch_failed(const GofiveAccount *account, ErrorData *err);

/* ---- response.c: reading an answer ---- */
typedef enum GofiveReading
{
	GOFIVE_READ_EMPTY,			/* no body */
	GOFIVE_READ_TEXT,			/* valid text, not JSON */
	GOFIVE_READ_JSON,			/* JSON; the envelope was read */
	GOFIVE_READ_BAD				/* unreadable: out->unreadable says why */
} GofiveReading;

typedef struct GofiveOutcome
{
	const char *transport_error;	/* no answer (worker): why; else NULL */
	long		http_status;
	char	   *raw;			/* the response text (server encoding once text_ok) */
	size_t		raw_len;
	bool		text_ok;		/* raw is valid text: may be quoted */
	bool		too_large;		/* over gofive.max_response_size: raw is partial */
	GofiveReading reading;
	const char *unreadable;		/* why the answer could not be read */
	int			business_code;	/* status.code / statusCode, or -1 */
	char	   *bad_code;		/* a code that is not a number, or NULL */
	char	   *messages;		/* the API's messages joined, or NULL */
	int			retry_after;
	size_t		data_start;		/* the envelope's data within raw */
	size_t		data_end;
	Jsonb	   *data;			/* the data as jsonb: read with the envelope, or
								 * by gofive_outcome_data when large */
	char	   *item_failures;	/* set by gofive_judge (Update Product Stock) */
} GofiveOutcome;

extern void gofive_read_answer(GofiveHttpResponse *resp, GofiveOutcome *out);
extern Jsonb *gofive_outcome_data(GofiveOutcome *out);
extern Jsonb *gofive_outcome_body(GofiveOutcome *out);
extern Jsonb *gofive_parse_json(const char *text, size_t len);
extern char *gofive_item_failures(Jsonb *data);

/* ---- jsonb_pieces.c: a large answer into jsonb, piece by piece ---- */
/* Text up to this size becomes jsonb in one go (jsonb_in's way); larger, by pieces. */
#define GOFIVE_PIECE_BYTES (64 * 1024)
extern Jsonb *gofive_jsonb_from_text(char *text, size_t start, size_t end);

/* ---- outcome.c: what an answer means, for both paths ---- */
typedef enum GofiveVerdict
{
	GOFIVE_SUCCESS,
	GOFIVE_NO_ANSWER,			/* transport failure, timeout */
	GOFIVE_TOO_LARGE,			/* over gofive.max_response_size */
	GOFIVE_CREDENTIALS_REFUSED,	/* 401; the token endpoint's refusal */
	GOFIVE_FORBIDDEN,			/* 403: a new token would not help */
	GOFIVE_THROTTLED,			/* 429 */
	GOFIVE_UNAVAILABLE,			/* 5xx */
	GOFIVE_REJECTED,			/* other 4xx */
	GOFIVE_UNEXPECTED_STATUS,	/* 1xx, 3xx */
	GOFIVE_UNREADABLE,			/* 2xx that cannot be read */
	GOFIVE_BUSINESS_FAILURE,	/* 2xx with a code other than 1000 */
	GOFIVE_ITEMS_FAILED			/* 2xx, some items of Update Product Stock failed */
} GofiveVerdict;

typedef enum GofiveAction
{
	GOFIVE_ACT_SUCCEED,
	GOFIVE_ACT_RETRY,
	GOFIVE_ACT_RENEW_TOKEN_AND_RETRY,
	GOFIVE_ACT_FAIL
} GofiveAction;

typedef struct GofiveJudgement
{
	GofiveVerdict verdict;
	int			sqlstate;		/* for the synchronous path */
	GofiveAction action;		/* for the worker */
	bool		outage;			/* feeds the worker's circuit breaker */
	char	   *summary;		/* e.g. "the API is unavailable (HTTP 503)" */
} GofiveJudgement;

extern GofiveJudgement gofive_judge(GofiveOutcome *out, const GofiveOperation *op,
									bool expects_json);
extern void gofive_raise_for_outcome(const char *opname, GofiveOutcome *out,
									 const GofiveJudgement *j) pg_attribute_noreturn();
extern void gofive_raise_if_unreadable(const char *opname, GofiveOutcome *out);
extern bool gofive_renewal_may_help(const GofiveOutcome *out);
extern bool gofive_no_record(const GofiveOutcome *out, const GofiveOperation *op);
extern GofiveJudgement gofive_judge_token(long http_status, bool token_usable);
extern int	gofive_busy_hint(int retry_after);
extern Jsonb *gofive_result_or_raise(const char *opname, GofiveOutcome *out,
									 const GofiveOperation *op);

/* ---- api.c: an authenticated call to the API ---- */
extern void gofive_api_call(const char *opname, const char *method,
							const char *path, const char *body,
							const char *request_id, GofiveOutcome *out);
extern void gofive_api_call_as(const GofiveAccount *acct, const char *opname,
							   const char *method, const char *path, const char *body,
							   const char *request_id, GofiveOutcome *out);

/* the same call, in flight while the caller does other work (transfer.c) */
typedef struct GofiveApiTransfer
{
	const GofiveAccount *account;
	const char *opname;
	GofiveHttpRequest req;
	MemoryContext cxt;			/* where the request and its answer live */
	uint64		token_id;
	int			attempt;
	GofiveTransfer transfer;
} GofiveApiTransfer;

extern void gofive_api_start(GofiveApiTransfer *call, MemoryContext cxt,
							 const GofiveAccount *acct, const char *opname,
							 const char *method, const char *path, const char *body);
extern bool gofive_api_answered(GofiveApiTransfer *call, GofiveOutcome *out);

/* ---- request.c: from an operation and its arguments to the request ---- */
typedef struct GofiveCall
{
	const GofiveOperation *op;
	char	   *path;			/* with parameters filled in and encoded */
	Jsonb	   *body;			/* NULL when the operation has none */
} GofiveCall;

extern GofiveCall gofive_make_call(const GofiveOperation *op, const char *const *arg_texts,
								   Jsonb *query_object, Jsonb *body);
extern GofiveCall gofive_call_from_json(const GofiveOperation *op, Jsonb *payload, Jsonb *params);
extern const GofiveOperation *gofive_operation_or_error(const char *name);
extern const GofiveOperation *gofive_operation_at(const char *method, const char *path);
extern char *gofive_body_text(const GofiveCall *call);
extern char *gofive_url_encode(const char *text);
extern char *gofive_json_value_text(JsonbValue *v);
extern char *gofive_datum_text(Datum value, Oid type);
extern void gofive_append_json_value(StringInfo s, Datum value, Oid type);
extern void gofive_append_wire_value(StringInfo s, const GofiveField *field, Datum value, Oid type);

/* ---- pager.c: how the API pages an enquiry or a list ---- */
typedef struct GofivePager
{
	const GofiveOperation *op;	/* its take_field and skip_field */
	int			take;			/* rows per page; 0: not paged, one request */
	int			start;			/* where the first page starts */
	int			limit;			/* rows asked for at most in all; 0: no limit */
	int64		skip;			/* where the rows read end */
	int64		send_skip;		/* where the next request starts */
	bool		last;			/* no request after the page read */
} GofivePager;

extern void gofive_pager_init(GofivePager *pg, const GofiveOperation *op, int take, int start,
							  int limit);
extern void gofive_pager_plan(GofivePager *pg, const GofiveOperation *op, int limit, int offset);
extern void gofive_pager_from_filter(GofivePager *pg, const GofiveOperation *op, Jsonb *filter);
extern void gofive_pager_restart(GofivePager *pg);
extern bool gofive_pager_may_send(const GofivePager *pg);
extern Jsonb *gofive_pager_first_body(const GofivePager *pg, Jsonb *filter);
extern Jsonb *gofive_pager_next_body(GofivePager *pg, Jsonb *filter, int *asked);
extern bool gofive_pager_read(GofivePager *pg, Jsonb *data, int asked, Jsonb **rows,
							  int *count);
extern void gofive_pager_describe(StringInfo body, const GofivePager *pg);

#endif							/* GOFIVE_CLIENT_H */
