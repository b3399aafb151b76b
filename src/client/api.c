/*
 * src/client/api.c
 *		An authenticated call to the Venio API with the current account
 *		(gofive.server): URL, headers, token, and the one refresh-and-retry
 *		that a 401 earns (docs/api.md, Authentication and Headers; outcome.c
 *		says which answers a renewal may cure).
 */
#include "postgres.h"

#include "access/xlog.h"

#include "client.h"
#include "gofive.h"

/*
 * Call the API and parse its answer into *out.  Transport failures raise;
 * every HTTP answer is returned, for the caller to judge.
 */
void
gofive_api_call(const char *opname, const char *method, const char *path,
				const char *body, const char *request_id, GofiveOutcome *out)
{
	gofive_api_call_as(NULL, opname, method, path, body, request_id, out);
}

/*
 * The request of a call with account acct (NULL: the current one,
 * gofive.server), without its token; the URL is allocated in the current
 * memory context.
 */
static const GofiveAccount *
build_request(const GofiveAccount *acct, const char *method, const char *path,
			  const char *body, const char *request_id, GofiveHttpRequest *req)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot call the API from a standby"),
				 errhint("Call it on the primary: a standby sends nothing.")));
	if (acct == NULL)
		acct = gofive_current_account();
	gofive_require_setting("gofive.base_url", acct->base_url);

	memset(req, 0, sizeof(*req));
	req->method = method;
	req->url = gofive_account_url(acct, path);
	/* the docs mark Content-Type required on every call, GETs included */
	req->content_type = "application/json";
	req->body = body;
	req->body_len = body ? strlen(body) : 0;
	req->request_id = request_id;
	req->account = acct;
	return acct;
}

/*
 * The same with a given account (NULL: the current one, gofive.server):
 * a foreign table's server, for the foreign-data wrapper.
 */
void
gofive_api_call_as(const GofiveAccount *acct, const char *opname, const char *method,
				   const char *path, const char *body, const char *request_id,
				   GofiveOutcome *out)
{
	GofiveHttpRequest req;
	GofiveHttpResponse resp;
	char	   *token = NULL;
	uint64		token_id = 0;

	acct = build_request(acct, method, path, body, request_id, &req);
	for (int attempt = 0;; attempt++)
	{
		token = gofive_get_token(acct, &token_id);
		req.bearer = token;
		gofive_http_perform(opname, &req, &resp);
		explicit_bzero(token, strlen(token));
		gofive_read_answer(&resp, out);
		if (!gofive_renewal_may_help(out) || attempt > 0)
			break;
		/* the token was revoked or expired early (outcome.c): renew it, for everybody, once */
		gofive_token_refused(acct, token_id);
	}
	pfree(unconstify(char *, req.url));
}

/* Send call->req with a token: the account's current one, or a new one. */
static void
send_with_token(GofiveApiTransfer *call)
{
	char	   *token = gofive_get_token(call->account, &call->token_id);

	call->req.bearer = token;
	gofive_transfer_start(&call->transfer, &call->req, call->cxt);
	explicit_bzero(token, strlen(token));
	call->req.bearer = NULL;
}

/*
 * Start the call (as gofive_api_call_as, with a foreign table's account)
 * and return at once; its request and answer live in cxt, and it stops
 * when cxt is reset.  Getting a token may wait for the token endpoint.
 */
void
gofive_api_start(GofiveApiTransfer *call, MemoryContext cxt, const GofiveAccount *acct,
				 const char *opname, const char *method, const char *path, const char *body)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	call->account = build_request(acct, method, path, body ? pstrdup(body) : NULL, NULL,
								  &call->req);
	call->opname = opname;
	call->cxt = cxt;
	call->attempt = 0;
	MemoryContextSwitchTo(old);
	send_with_token(call);
}

/*
 * A started call whose transfer is done: its answer in *out (read in
 * call->cxt), and true; or, when the API refused the token (a 401,
 * gofive_renewal_may_help) the first time, or the transfer timed out while the query was paused (transfer.c:
 * stale), the call sent again, and false.
 */
bool
gofive_api_answered(GofiveApiTransfer *call, GofiveOutcome *out)
{
	MemoryContext old;

	if (call->transfer.stale)
	{
		/*
		 * It timed out while nobody looked (a cursor paused between two
		 * FETCHes): the answer may have come in time.  Reads are safe to
		 * repeat; ask again, with the whole timeout.
		 */
		send_with_token(call);
		return false;
	}
	gofive_transfer_end(&call->transfer, call->opname);
	old = MemoryContextSwitchTo(call->cxt);
	gofive_read_answer(&call->transfer.resp, out);
	MemoryContextSwitchTo(old);
	if (!gofive_renewal_may_help(out) || call->attempt > 0)
		return true;
	/* the token was revoked or expired early (outcome.c): renew it, for everybody, once */
	gofive_token_refused(call->account, call->token_id);
	call->attempt++;
	send_with_token(call);
	return false;
}
