/*
 * src/client/outcome.c
 *		What an answer means: the one rule, used by the synchronous path (a
 *		SQLSTATE) and by the outbox worker (what to do with the row) alike.
 *
 * The table, first match wins (README, "Errors" and "What is guaranteed"):
 *
 *	outcome                                   SQLSTATE  worker
 *	----------------------------------------  --------  -----------------------------
 *	no answer (connection, TLS, timeout,      VNNET     retry; an outage
 *	  also a lone 1xx: libcurl waits past it
 *	  for a final answer that never comes)
 *	larger than gofive.max_response_size      VNSRV     failed
 *	HTTP 401                                  VNAUT     renew the token, retry
 *	  (the synchronous path renews and
 *	  retries once before it raises)
 *	HTTP 403                                  VNAUT     failed
 *	HTTP 429                                  VNSRV     retry after Retry-After, pause all
 *	HTTP 5xx                                  VNSRV     retry; 500/502/503/504 an outage
 *	HTTP 404 of a get-by-key read             -         (no record: NULL, no row)
 *	HTTP 4xx (other)                          VNREJ     failed
 *	HTTP 1xx reported as final, 3xx           VNSRV     retry
 *	  (redirects are not taken)
 *	2xx, answer unreadable: not UTF-8, a NUL, VNSRV     failed
 *	  malformed JSON, nesting or numbers out
 *	  of range, not JSON where JSON is due
 *	2xx, business code other than 1000, or    VNREJ     failed
 *	  a code that is not a number
 *	2xx, failed items (Update Product Stock)  VNREJ     failed
 *	2xx otherwise                             -         succeeded
 *
 * 401 against 403, the same rule on both paths.  A token that expired or
 * was revoked is answered 401: REFERENCE.md sections 0 and 3 give the API's
 * 401s as "User authentication required V2." and (Codeguard) "user not
 * found", and the gateway (Azure API Management, by the subscription-key
 * header) answers a missing or wrong subscription key with 401 too.  A
 * renewal can cure the first kind, so a 401 renews the token (for every
 * process: token_cache.c) and the call is tried once more; a 401 again is
 * VNAUT.  A 403 (documented beside 401 on the seed Create Deal page, and by
 * the old portal) means the credentials were understood and this call is
 * refused to them: a permission, the subscription's products, a gateway
 * quota or address filter.  A new token is issued to the same client, with
 * the same rights, so renewing cannot help and RFC 9110 (15.5.4) says not
 * to repeat the request with the same credentials: a 403 is VNAUT at once,
 * with a hint that says so, and the worker fails the row (gofive_retry
 * sends it again once the account is put right) instead of spending its
 * attempts and a token renewal for every process on it.
 *
 * The token endpoint (auth.c, and the worker's own fetch in
 * worker_schedule.c) has a table of its own, gofive_judge_token():
 *
 *	answer                                    SQLSTATE  worker
 *	----------------------------------------  --------  -----------------------------
 *	no answer                                 VNNET     retry later; an outage
 *	HTTP 429                                  VNSRV     retry later; an outage
 *	HTTP 5xx                                  VNSRV     retry later; an outage
 *	HTTP 200 with a usable token              -         the token
 *	anything else: 400, 401 (the documented   VNAUT     failed: the account waits a
 *	  refusals), 403, another status (also                cool-down, its rows uncharged
 *	  what answers when the base URL is
 *	  wrong), a 200 without a usable token
 *
 * A 429 or 5xx there says the API is busy or down, not that the credentials
 * are wrong: it gets the hint of a busy API (the Retry-After it sent), not
 * "check the credentials".
 *
 * gofive_request returns any status with its body, and raises (VNSRV) only
 * when the body is unreadable.
 *
 * "retry" counts against gofive.max_attempts (then dead), except while the
 * worker's circuit breaker is open or probing (see worker.c).  A non-2xx
 * answer is judged by its status whatever its body; the body only gives
 * the messages, and is quoted in errors only when it is valid text.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/jsonb.h"

#include "client.h"
#include "gofive.h"

#define DETAIL_MAX_BYTES 2000

static GofiveJudgement
verdict(GofiveVerdict v, int sqlstate, GofiveAction action, char *summary)
{
	GofiveJudgement j = {v, sqlstate, action, false, summary};

	return j;
}

/* A 2xx answer: is it what it says it is? */
static GofiveJudgement
judge_2xx(GofiveOutcome *out, const GofiveOperation *op, bool expects_json)
{
	long		status = out->http_status;

	if (out->reading == GOFIVE_READ_BAD)
		return verdict(GOFIVE_UNREADABLE, ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_FAIL,
					   psprintf("the API's answer could not be read: %s", out->unreadable));
	if (expects_json && out->reading != GOFIVE_READ_JSON)
		return verdict(GOFIVE_UNREADABLE, ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_FAIL,
					   psprintf("the API's answer could not be read: %s (HTTP %ld)",
								out->reading == GOFIVE_READ_EMPTY ? "it is empty" : "it is not JSON",
								status));
	if (out->bad_code)
		return verdict(GOFIVE_BUSINESS_FAILURE, ERRCODE_GOFIVE_API_REJECTED, GOFIVE_ACT_FAIL,
					   psprintf("the API answered with a business code that is not a number: \"%s\" (HTTP %ld)",
								out->bad_code, status));
	if (out->business_code >= 0 && out->business_code != GOFIVE_CODE_SUCCESS)
		return verdict(GOFIVE_BUSINESS_FAILURE, ERRCODE_GOFIVE_API_REJECTED, GOFIVE_ACT_FAIL,
					   psprintf("the API rejected the request (HTTP %ld)", status));
	if (op && op->item_status &&
		(out->item_failures = gofive_item_failures(gofive_outcome_data(out))) != NULL)
		return verdict(GOFIVE_ITEMS_FAILED, ERRCODE_GOFIVE_API_REJECTED, GOFIVE_ACT_FAIL,
					   pstrdup("some items failed"));
	return verdict(GOFIVE_SUCCESS, 0, GOFIVE_ACT_SUCCEED, NULL);
}

/*
 * Whether a new token may cure the answer: a 401, the token expired or was
 * revoked (the table above).  The synchronous path (api.c) renews and sends
 * once more when it says so; the worker does on GOFIVE_ACT_RENEW_TOKEN_AND_RETRY.
 */
bool
gofive_renewal_may_help(const GofiveOutcome *out)
{
	return out->transport_error == NULL && out->http_status == 401;
}

/*
 * Whether the answer to a get-by-key read (a catalog operation that returns
 * a record: a typed function's NULL, a foreign table's lookup) says there is
 * no such record: a 404.  Any other answer is judged as usual.
 */
bool
gofive_no_record(const GofiveOutcome *out, const GofiveOperation *op)
{
	return op != NULL && op->result == GOFIVE_RESULT_RECORD &&
		out->transport_error == NULL && out->http_status == 404;
}

/*
 * Judge the token endpoint's answer (its own table above): http_status 0
 * when none came; token_usable, for a 200, whether it held a token that
 * can be used.  The summary is the message's start for the sessions'
 * error (auth.c words a refusal itself).
 */
GofiveJudgement
gofive_judge_token(long http_status, bool token_usable)
{
	GofiveJudgement j;

	if (http_status == 0)
	{
		j = verdict(GOFIVE_NO_ANSWER, ERRCODE_GOFIVE_TRANSPORT, GOFIVE_ACT_RETRY,
					pstrdup("the token endpoint did not answer"));
		j.outage = true;
		return j;
	}
	if (http_status == 429 || (http_status >= 500 && http_status <= 599))
	{
		/* busy or down: the account cannot send, which its circuit counts */
		j = verdict(http_status == 429 ? GOFIVE_THROTTLED : GOFIVE_UNAVAILABLE,
					ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_RETRY,
					psprintf("the token endpoint is unavailable (HTTP %ld)", http_status));
		j.outage = true;
		return j;
	}
	if (http_status == 200 && token_usable)
		return verdict(GOFIVE_SUCCESS, 0, GOFIVE_ACT_SUCCEED, NULL);
	/* the worker's "failed": the account waits a cool-down (worker_schedule.c) */
	return verdict(GOFIVE_CREDENTIALS_REFUSED, ERRCODE_GOFIVE_AUTH_FAILED, GOFIVE_ACT_FAIL,
				   psprintf("the token endpoint refused the client credentials (HTTP %ld)",
							http_status));
}

/*
 * The hint of an API that is busy or down (429, 5xx), from an API call or
 * the token endpoint: the Retry-After it sent, if any (-1: none).  For use
 * inside ereport().
 */
int
gofive_busy_hint(int retry_after)
{
	if (retry_after < 0)
		return 0;
	return errhint("The API asks to retry after %d seconds.", retry_after);
}

/*
 * Judge an outcome.  op is the catalog operation (NULL for a generic
 * request); expects_json says whether a 2xx must be JSON.
 */
GofiveJudgement
gofive_judge(GofiveOutcome *out, const GofiveOperation *op, bool expects_json)
{
	long		status = out->http_status;
	GofiveJudgement j;

	if (out->transport_error)
	{
		j = verdict(GOFIVE_NO_ANSWER, ERRCODE_GOFIVE_TRANSPORT, GOFIVE_ACT_RETRY,
					pstrdup(out->transport_error));
		j.outage = true;
		return j;
	}
	if (out->too_large)
		return verdict(GOFIVE_TOO_LARGE, ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_FAIL,
					   psprintf("the API's answer could not be read: %s", out->unreadable));
	if (gofive_renewal_may_help(out))
		return verdict(GOFIVE_CREDENTIALS_REFUSED, ERRCODE_GOFIVE_AUTH_FAILED,
					   GOFIVE_ACT_RENEW_TOKEN_AND_RETRY,
					   psprintf("the API refused the credentials (HTTP %ld)", status));
	if (status == 403)
		return verdict(GOFIVE_FORBIDDEN, ERRCODE_GOFIVE_AUTH_FAILED, GOFIVE_ACT_FAIL,
					   psprintf("the API does not allow this call with these credentials (HTTP %ld)", status));
	if (status == 429)
		return verdict(GOFIVE_THROTTLED, ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_RETRY,
					   psprintf("the API is unavailable (HTTP %ld)", status));
	if (status >= 500 && status <= 599)
	{
		j = verdict(GOFIVE_UNAVAILABLE, ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_RETRY,
					psprintf("the API is unavailable (HTTP %ld)", status));
		j.outage = (status == 500 || status == 502 || status == 503 || status == 504);
		return j;
	}
	if (status >= 400 && status <= 499)
		return verdict(GOFIVE_REJECTED, ERRCODE_GOFIVE_API_REJECTED, GOFIVE_ACT_FAIL,
					   psprintf("the API rejected the request (HTTP %ld)", status));
	if (status >= 200 && status <= 299)
		return judge_2xx(out, op, expects_json);
	return verdict(GOFIVE_UNEXPECTED_STATUS, ERRCODE_GOFIVE_SERVER_ERROR, GOFIVE_ACT_RETRY,
				   psprintf("unexpected HTTP status %ld", status));
}

/* DETAIL with the response body, when it is text that may be shown. */
static int
detail_response(const GofiveOutcome *out, const GofiveJudgement *j)
{
	int			len = (int) out->raw_len;

	if (len == 0)
		return errdetail("The response body is empty.");
	if (!out->text_ok || j->verdict == GOFIVE_TOO_LARGE)
		return errdetail("The response body (%d bytes) is not shown.", len);
	if (len > DETAIL_MAX_BYTES)
		len = pg_mbcliplen(out->raw, len, DETAIL_MAX_BYTES);
	return errdetail("Response: %.*s%s", len, out->raw,
					 len < (int) out->raw_len ? " ..." : "");
}

/* Raise the SQL error for an outcome that is not a success. */
void
gofive_raise_for_outcome(const char *opname, GofiveOutcome *out, const GofiveJudgement *j)
{
	const char *msg = out->messages;
	const char *sep = msg ? ": " : "";
	char		code_text[64] = "";

	if (!msg)
		msg = "";
	if (out->business_code >= 0)
		snprintf(code_text, sizeof(code_text), ", code %d", out->business_code);

	switch (j->verdict)
	{
		case GOFIVE_CREDENTIALS_REFUSED:
			ereport(ERROR,
					(errcode(j->sqlstate),
					 errmsg("%s%s%s", j->summary, sep, msg),
					 detail_response(out, j),
					 errhint("Check gofive.client_id, gofive.client_secret and gofive.subscription_key.")));
			break;
		case GOFIVE_FORBIDDEN:
			ereport(ERROR,
					(errcode(j->sqlstate),
					 errmsg("%s%s%s", j->summary, sep, msg),
					 detail_response(out, j),
					 errhint("The API knows the credentials but does not allow them this call, so a new token would not help: check with Gofive what the subscription may do.")));
			break;
		case GOFIVE_THROTTLED:
		case GOFIVE_UNAVAILABLE:
			ereport(ERROR,
					(errcode(j->sqlstate),
					 errmsg("%s%s%s", j->summary, sep, msg),
					 detail_response(out, j),
					 gofive_busy_hint(out->retry_after)));
			break;
		case GOFIVE_REJECTED:
		case GOFIVE_BUSINESS_FAILURE:
			ereport(ERROR,
					(errcode(j->sqlstate),
					 out->bad_code ?
					 errmsg("%s%s%s", j->summary, sep, msg) :
					 errmsg("the API rejected the request (HTTP %ld%s)%s%s", out->http_status, code_text, sep, msg),
					 detail_response(out, j)));
			break;
		case GOFIVE_ITEMS_FAILED:
			ereport(ERROR,
					(errcode(j->sqlstate),
					 errmsg("some items failed: %s", out->item_failures),
					 errdetail("The other items were applied. Response data: %s",
							   JsonbToCString(NULL, &out->data->root, VARSIZE(out->data)))));
			break;
		case GOFIVE_TOO_LARGE:
		case GOFIVE_UNREADABLE:
			ereport(ERROR,
					(errcode(j->sqlstate),
					 errmsg("%s", j->summary),
					 detail_response(out, j),
					 errhint("The API answered HTTP %ld; nothing of the answer was used.",
							 out->http_status)));
			break;
		case GOFIVE_NO_ANSWER:
		case GOFIVE_UNEXPECTED_STATUS:
		case GOFIVE_SUCCESS:
			break;
	}
	ereport(ERROR,
			(errcode(j->sqlstate ? j->sqlstate : ERRCODE_GOFIVE_SERVER_ERROR),
			 errmsg("%s", j->summary ? j->summary : "unrecognized outcome"),
			 detail_response(out, j)));
}

/* The data of a successful catalog operation's answer; raises otherwise. */
Jsonb *
gofive_result_or_raise(const char *opname, GofiveOutcome *out, const GofiveOperation *op)
{
	GofiveJudgement j = gofive_judge(out, op, true);

	if (j.verdict != GOFIVE_SUCCESS)
		gofive_raise_for_outcome(opname, out, &j);
	return gofive_outcome_data(out);
}

/*
 * gofive_request returns every HTTP status with its body: it raises only
 * when the body cannot become a value (whatever the status), as VNSRV.
 */
void
gofive_raise_if_unreadable(const char *opname, GofiveOutcome *out)
{
	GofiveJudgement j;

	if (out->reading != GOFIVE_READ_BAD)
		return;
	j = verdict(out->too_large ? GOFIVE_TOO_LARGE : GOFIVE_UNREADABLE, ERRCODE_GOFIVE_SERVER_ERROR,
				GOFIVE_ACT_FAIL, psprintf("the API's answer could not be read: %s", out->unreadable));
	gofive_raise_for_outcome(opname, out, &j);
}
