/*
 * src/client/auth.c
 *		The OAuth2 client-credentials token (docs/api.md, Authentication).
 *
 * Asks an account's {base_url}/authorization/connect/token for a token;
 * token_cache.c keeps it (one per account for the whole cluster) until
 * shortly before expires_in runs out.  The token never appears in a message.
 * The token must be an RFC 6750 bearer token (it goes into a header line)
 * and expires_in a non-negative number, at most a day; an answer that
 * breaks either is an authentication error (VNAUT).  What the endpoint's
 * status means (a refusal, VNAUT; busy or down, VNSRV) is outcome.c's
 * gofive_judge_token.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "client.h"
#include "gofive.h"

#define TOKEN_PATH "/authorization/connect/token"
#define DEFAULT_EXPIRES_IN	3600
#define MAX_EXPIRES_IN		(24 * 3600)	/* a day: renewing daily costs nothing */
#define MAX_TOKEN_BYTES		8192

static void
append_form_field(StringInfo buf, const char *name, const char *value)
{
	char	   *escaped = curl_easy_escape(NULL, value, 0);

	if (escaped == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (buf->len > 0)
		appendStringInfoChar(buf, '&');
	appendStringInfo(buf, "%s=%s", name, escaped);
	explicit_bzero(escaped, strlen(escaped));
	curl_free(escaped);
}

/*
 * The hint for an answer that is not the token endpoint's: the base URL
 * points elsewhere (a path too many, a web page), whatever the status.
 */
static int
base_url_hint(const GofiveAccount *acct)
{
	if (acct->server == NULL)
		return errhint("The token is asked for at gofive.base_url followed by /authorization/connect/token: check that gofive.base_url is the API's root (https://api.gofive.co.th), without a path.");
	return errhint("The token is asked for at the base_url option of server \"%s\" followed by /authorization/connect/token: check that it is the API's root (https://api.gofive.co.th), without a path.",
				   acct->server);
}

/*
 * Whether a refusal came from the token endpoint itself: an OAuth2 error
 * ({"error": "invalid_client"}) or the gateway's word on the subscription
 * key.  Anything else (a 404, a web page, another resource's 401) means
 * the request went to another address.
 */
static bool
from_token_endpoint(GofiveOutcome *out)
{
	Jsonb	   *body;

	if (out->http_status == 404 || out->reading != GOFIVE_READ_JSON)
		return false;
	if (out->messages && strstr(out->messages, "subscription key") != NULL)
		return true;
	body = gofive_outcome_body(out);
	return body != NULL && JB_ROOT_IS_OBJECT(body) &&
		getKeyJsonValueFromContainer(&body->root, "error", strlen("error"), NULL) != NULL;
}

/*
 * Raise for an answer of the token endpoint that is no token, as outcome.c
 * judged it (j); never show its body, only messages.
 */
static void
raise_token_refused(const GofiveAccount *acct, GofiveOutcome *out, const GofiveJudgement *j)
{
	bool		elsewhere;

	if (j->verdict == GOFIVE_THROTTLED || j->verdict == GOFIVE_UNAVAILABLE || j->verdict == GOFIVE_NO_ANSWER)
		/* busy or down: the credentials are not in question */
		ereport(ERROR,
				(errcode(j->sqlstate),
				 errmsg("%s%s%s", j->summary,
						out->messages ? ": " : "", out->messages ? out->messages : ""),
				 j->verdict == GOFIVE_NO_ANSWER ? 0 : gofive_busy_hint(out->retry_after)));

	elsewhere = !from_token_endpoint(out);
	ereport(ERROR,
			(errcode(j->sqlstate),
			 elsewhere ?
			 errmsg("no token endpoint answered at the base URL (HTTP %ld)%s%s",
					out->http_status,
					out->messages ? ": " : "", out->messages ? out->messages : "") :
			 errmsg("%s%s%s", j->summary,
					out->messages ? ": " : "", out->messages ? out->messages : ""),
			 elsewhere ? base_url_hint(acct) :
			 acct->server == NULL ?
			 errhint("Check gofive.client_id, gofive.client_secret and gofive.subscription_key.") :
			 errhint("Check the options of the user mapping for server \"%s\".", acct->server)));
}

/*
 * RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
 * *"=".  Anything else (a space, CR, LF, a quote) could break or add a
 * header line, so it is refused.
 */
static bool
is_bearer_token(const char *s, int len)
{
	int			i = 0;

	if (len <= 0 || len > MAX_TOKEN_BYTES)
		return false;
	/* ASCII only: isalnum() would follow the locale */
	while (i < len && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
					   (s[i] >= '0' && s[i] <= '9') ||
					   (s[i] != '\0' && strchr("-._~+/", s[i]) != NULL)))
		i++;
	if (i == 0)
		return false;
	while (i < len && s[i] == '=')
		i++;
	return i == len;
}

static void
raise_bad_token_answer(const char *what)
{
	/* never quote the answer: it may hold a token */
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_AUTH_FAILED),
			 errmsg("the token endpoint's answer is not usable: %s", what)));
}

/* A 200 that is no JSON at all: a web page at the base URL, most likely. */
static void
raise_not_json(const GofiveAccount *acct, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_GOFIVE_AUTH_FAILED),
			 errmsg("the token endpoint's answer is not usable: %s", what),
			 base_url_hint(acct)));
}

/* expires_in in seconds: absent means the default; clamped to MAX_EXPIRES_IN. */
static int64
read_expires_in(JsonbContainer *root)
{
	JsonbValue *v = getKeyJsonValueFromContainer(root, "expires_in", strlen("expires_in"), NULL);
	Datum		n;

	if (v == NULL)
		return DEFAULT_EXPIRES_IN;
	if (v->type != jbvNumeric)
		raise_bad_token_answer("expires_in is not a number");
	n = NumericGetDatum(v->val.numeric);
	if (numeric_is_nan(v->val.numeric) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(0)))) < 0)
		raise_bad_token_answer("expires_in is negative");
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(MAX_EXPIRES_IN)))) > 0)
		return MAX_EXPIRES_IN;
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, n));
}

/*
 * The token request for the account: its URL and form body (palloc'd; the
 * caller wipes the body, which holds the client secret, after use).  Raises
 * when a setting the request needs is not set.
 */
void
gofive_token_request(const GofiveAccount *acct, char **url, char **form_body)
{
	StringInfoData form;

	/* a named account's credentials were checked when it was looked up */
	gofive_require_setting("gofive.client_id", acct->client_id);
	gofive_require_setting("gofive.client_secret", acct->client_secret);
	gofive_require_setting("gofive.subscription_key", acct->subscription_key);
	gofive_require_setting("gofive.base_url", acct->base_url);

	initStringInfo(&form);
	append_form_field(&form, "grant_type", "client_credentials");
	append_form_field(&form, "client_id", acct->client_id);
	append_form_field(&form, "client_secret", acct->client_secret);
	*form_body = form.data;
	*url = gofive_account_url(acct, TOKEN_PATH);
}

/*
 * The token in the token endpoint's answer, palloc'd (the caller wipes it),
 * and *until, when to stop using it.  Raises when the endpoint refused or
 * the answer is not usable; wipes the answer either way.
 */
char *
gofive_token_from_answer(const GofiveAccount *acct, GofiveHttpResponse *resp,
						 TimestampTz *until)
{
	GofiveOutcome out;
	GofiveJudgement j;
	Jsonb	   *body;
	JsonbValue *token;
	int64		expires_in;
	int64		margin_ms;
	char	   *result;

	gofive_read_answer(resp, &out);
	/* what a status means is outcome.c's to say; the body of a 200, ours */
	j = gofive_judge_token(out.http_status, true);
	if (j.verdict != GOFIVE_SUCCESS)
		raise_token_refused(acct, &out, &j);
	if (out.reading == GOFIVE_READ_BAD)
		raise_bad_token_answer(out.unreadable);
	if (out.reading != GOFIVE_READ_JSON)
		raise_not_json(acct, "it is not JSON");
	body = gofive_outcome_body(&out);
	if (!JB_ROOT_IS_OBJECT(body))
		raise_bad_token_answer("it is not a JSON object");

	token = getKeyJsonValueFromContainer(&body->root, "access_token",
										 strlen("access_token"), NULL);
	if (token == NULL || token->type != jbvString || token->val.string.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_AUTH_FAILED),
				 errmsg("the token endpoint answered without an access_token")));
	if (!is_bearer_token(token->val.string.val, token->val.string.len))
		raise_bad_token_answer("access_token is not a bearer token (RFC 6750 characters only)");
	expires_in = read_expires_in(&body->root);

	result = pnstrdup(token->val.string.val, token->val.string.len);
	explicit_bzero(resp->body.data, resp->body.maxlen);
	if (out.raw != resp->body.data)
		explicit_bzero(out.raw, out.raw_len);	/* a copy in the server encoding */
	explicit_bzero(VARDATA(body), VARSIZE(body) - VARHDRSZ);

	/* renew a little early: a fifth of the lifetime, at most a minute */
	margin_ms = Min(expires_in * 1000 / 5, 60 * 1000);
	*until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										 expires_in * 1000 - margin_ms);
	return result;
}

/*
 * Fetch a new token for the account; *until is when to stop using it.
 * Returns it palloc'd (the caller wipes it).
 */
char *
gofive_fetch_token(const GofiveAccount *acct, TimestampTz *until)
{
	GofiveHttpRequest req = {0};
	GofiveHttpResponse resp;
	char	   *url;
	char	   *form;
	char	   *result;
	ErrorContextCallback context;

	gofive_push_context(&context, "requesting an access token");
	gofive_token_request(acct, &url, &form);
	req.method = "POST";
	req.url = url;
	req.content_type = "application/x-www-form-urlencoded";
	req.body = form;
	req.body_len = strlen(form);
	req.account = acct;
	gofive_http_perform("token request", &req, &resp);
	explicit_bzero(form, strlen(form));

	result = gofive_token_from_answer(acct, &resp, until);
	gofive_pop_context(&context);
	return result;
}
