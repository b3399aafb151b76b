/*
 * api.c
 *		An authenticated call to the Venio API with the current account
 *		(gofive.server): URL, headers, token, and the one refresh-and-retry
 *		that a 401 earns (REFERENCE.md sections 1-2).
 */
#include "postgres.h"

#include <curl/curl.h>

#include "access/xlog.h"

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
 * The same with a given account (NULL: the current one, gofive.server):
 * a foreign table's server, for the foreign-data wrapper.
 */
void
gofive_api_call_as(const GofiveAccount *acct, const char *opname, const char *method,
				   const char *path, const char *body, const char *request_id,
				   GofiveOutcome *out)
{
	GofiveHttpRequest req = {0};
	GofiveHttpResponse resp;
	char	   *url;
	char	   *token = NULL;
	uint64		token_id = 0;

	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot call the API from a standby"),
				 errhint("Call it on the primary: a standby sends nothing.")));
	if (acct == NULL)
		acct = gofive_current_account();
	gofive_require_setting("gofive.base_url", acct->base_url);
	url = psprintf("%s%s", acct->base_url, path);

	req.method = method;
	req.url = url;
	/* the docs mark Content-Type required on every call, GETs included */
	req.content_type = "application/json";
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.request_id = request_id;
	req.account = acct;

	for (int attempt = 0;; attempt++)
	{
		token = gofive_get_token(acct, &token_id);
		req.bearer = token;
		gofive_http_perform(opname, &req, &resp);
		explicit_bzero(token, strlen(token));
		gofive_read_answer(&resp, out);
		if (out->http_status != 401 || attempt > 0)
			break;
		/* the token was revoked or expired early: renew it, for everybody, once */
		gofive_token_refused(acct, token_id);
	}
	pfree(url);
}

/* Percent-encode one path segment or query value (RFC 3986 unreserved kept). */
char *
gofive_url_encode(const char *text)
{
	char	   *escaped = curl_easy_escape(NULL, text, 0);
	char	   *result;

	if (escaped == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	result = pstrdup(escaped);
	curl_free(escaped);
	return result;
}

/* The index of the path argument named by a template's {name}. */
static int
path_arg_index(const GfOperation *op, const char *name, size_t len)
{
	for (int i = 0; op->args[i].sql_name; i++)
		if (op->args[i].kind == GF_ARG_PATH &&
			strlen(op->args[i].wire_name) == len &&
			strncmp(op->args[i].wire_name, name, len) == 0)
			return i;
	elog(ERROR, "catalog entry \"%s\" has no argument for path parameter \"%.*s\"",
		 op->name, (int) len, name);
	return -1;					/* keep the compiler quiet */
}

/*
 * Fill the operation's path template.  arg_texts[i] is the text of the
 * operation's i-th SQL argument (NULL for arguments that are not in the
 * path); each value is percent-encoded as one path segment.
 */
char *
gofive_fill_path(const GfOperation *op, const char *const *arg_texts)
{
	StringInfoData buf;
	const char *p = op->path;

	initStringInfo(&buf);
	while (*p)
	{
		const char *close;

		if (*p != '{' || (close = strchr(p, '}')) == NULL)
		{
			appendStringInfoChar(&buf, *p++);
			continue;
		}
		appendStringInfoString(&buf,
							   gofive_url_encode(arg_texts[path_arg_index(op, p + 1, close - p - 1)]));
		p = close + 1;
	}
	return buf.data;
}
