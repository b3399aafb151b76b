/*
 * gofive.h
 *		Declarations shared by the extension's source files.
 */
#ifndef GOFIVE_H
#define GOFIVE_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "catalog.h"

/*
 * SQLSTATEs, one per class of failure (README, "Errors").  Class "GF" is
 * ours; the last three letters say what happened.
 */
#define ERRCODE_GOFIVE_INVALID_INPUT	MAKE_SQLSTATE('G','F','V','A','L')
#define ERRCODE_GOFIVE_NOT_CONFIGURED	MAKE_SQLSTATE('G','F','C','F','G')
#define ERRCODE_GOFIVE_AUTH_FAILED		MAKE_SQLSTATE('G','F','A','U','T')
#define ERRCODE_GOFIVE_API_REJECTED		MAKE_SQLSTATE('G','F','R','E','J')
#define ERRCODE_GOFIVE_SERVER_ERROR		MAKE_SQLSTATE('G','F','S','R','V')
#define ERRCODE_GOFIVE_TRANSPORT		MAKE_SQLSTATE('G','F','N','E','T')

/* The documented business codes (REFERENCE.md section 3). */
#define GOFIVE_CODE_SUCCESS		1000

/* ---- settings.c ---- */
extern char *gofive_base_url;
extern char *gofive_client_id;
extern char *gofive_client_secret;
extern char *gofive_subscription_key;
extern int	gofive_timeout_ms;
extern int	gofive_connect_timeout_ms;
extern char *gofive_ca_file;
extern bool gofive_ssl_verify;
extern int	gofive_page_size;

extern void gofive_define_settings(void);
extern void gofive_require_setting(const char *name, const char *value);

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
} GofiveHttpRequest;

typedef struct GofiveHttpResponse
{
	long		status;			/* HTTP status */
	StringInfoData body;
	int			retry_after;	/* seconds from Retry-After, or -1 */
} GofiveHttpResponse;

extern void gofive_http_perform(const char *what, const GofiveHttpRequest *req,
								GofiveHttpResponse *resp);

/* for the worker's own multi handle: headers (free with curl_slist_free_all) and options */
struct curl_slist;
extern struct curl_slist *gofive_http_headers(const GofiveHttpRequest *req);
extern void gofive_http_prepare(void *easy, const GofiveHttpRequest *req,
								GofiveHttpResponse *resp, struct curl_slist *headers,
								char *errbuf);

/* ---- auth.c: the OAuth2 client-credentials token ---- */
extern const char *gofive_get_token(void);
extern void gofive_forget_token(void);

/* ---- response.c: envelopes and errors ---- */
typedef struct GofiveOutcome
{
	long		http_status;
	Jsonb	   *body;			/* the parsed response, or NULL if not JSON */
	const char *raw;			/* the response text */
	int			business_code;	/* status.code / statusCode, or -1 */
	Jsonb	   *data;			/* the envelope's data, unwrapped */
	char	   *messages;		/* the API's messages joined, or NULL */
	int			retry_after;
} GofiveOutcome;

extern void gofive_parse_response(const GofiveHttpResponse *resp,
								  GofiveOutcome *out);
extern bool gofive_outcome_ok(const GofiveOutcome *out);
extern void gofive_raise_for_outcome(const char *opname,
									 const GofiveOutcome *out) pg_attribute_noreturn();
extern Jsonb *gofive_parse_json(const char *text, size_t len);
extern char *gofive_item_failures(Jsonb *data);

/* ---- api.c: an authenticated call to the API ---- */
extern void gofive_api_call(const char *opname, const char *method,
							const char *path, const char *body,
							const char *request_id, GofiveOutcome *out);

/* ---- validate.c ---- */
extern void gofive_validate_body(const GfOperation *op, Jsonb *body);

/* ---- functions.c ---- */
extern const char *gofive_checked_method(text *method_text);
extern char *gofive_checked_path(text *path_text);
extern void gofive_method_and_path(FunctionCallInfo fcinfo, const char **method, char **path);

/* ---- outbox.c ---- */
extern int64 gofive_enqueue_row(const char *operation, const char *method,
								const char *path, Jsonb *body,
								const char *ordering_key);
extern void gofive_enqueue_rows(const char *operation, const char *method, int n,
								Datum *paths, Datum *bodies, bool *body_nulls,
								Datum *keys, bool *key_nulls);
extern const GfOperation *gofive_operation_or_error(const char *name);

/* ---- privilege.c: whose rights the SQL runs with ---- */
typedef struct GofiveRaised
{
	Oid			userid;
	int			sec_context;
	int			guc_nest_level;
} GofiveRaised;

extern Oid	gofive_outbox_relid(void);
extern void gofive_become_owner(GofiveRaised *saved);
extern void gofive_restore_user(const GofiveRaised *saved);
extern bool gofive_is_admin(Oid role);
extern bool gofive_become_worker_role(void);

/* ---- api.c: from SQL arguments to method, path and body ---- */
typedef struct GofiveCall
{
	const GfOperation *op;
	char	   *path;			/* with parameters filled in and encoded */
	Jsonb	   *body;			/* NULL when the operation has none */
} GofiveCall;

extern char *gofive_url_encode(const char *text);
extern char *gofive_fill_path(const GfOperation *op, const char *const *values);

/* ---- request.c ---- */
extern GofiveCall gofive_make_call(const GfOperation *op, const char *const *arg_texts,
								   Jsonb *query_object, Jsonb *body);
extern char *gofive_body_text(const GofiveCall *call);
extern GofiveCall gofive_call_from_json(const GfOperation *op, Jsonb *payload, Jsonb *params);

#endif							/* GOFIVE_H */
