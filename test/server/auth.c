/*
 * auth.c
 *		The gateway's checks and the OAuth2 token endpoint.
 *
 * Every API request first needs the Azure API Management subscription key
 * (Ocp-Apim-Subscription-Key) of one of its clients, then a bearer token
 * that this server issued, has not revoked and that has not expired.  A
 * token is issued to a client whose id, secret and subscription key all
 * match, and remembers that client, so the journal can say whose
 * credentials each request carried.  The token endpoint takes the
 * client-credentials grant as an application/x-www-form-urlencoded body
 * (docs/api.md, Authentication).  The 401 bodies are the gateway's and Venio's
 * own wording; an operation whose page documents its own 401 message
 * (catalog: unauthorized) answers with that.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "route.h"
#include "server.h"
#include "state.h"
#include "util.h"

#define MISSING_KEY_MESSAGE \
	"Access denied due to missing subscription key. Make sure to include " \
	"subscription key when making requests to an API."
#define INVALID_KEY_MESSAGE \
	"Access denied due to invalid subscription key. Make sure to provide " \
	"a valid key for an active subscription."
#define AUTH_REQUIRED_MESSAGE "User authentication required V2."

#define TOKEN_RANDOM_BYTES	32
#define TOKEN_SCOPE			"venio.api"

static void
reply_gateway_401(Reply *reply, const char *message)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "statusCode", json_object_new_int(401));
	json_object_object_add(o, "message", json_object_new_string(message));
	reply_json(reply, 401, o);
}

/* The Ocp-Apim-Subscription-Key header; false (with the 401) when wrong. */
bool
auth_check_subscription_key(const HttpRequest *req, Reply *reply)
{
	if (req->subscription_key == NULL || req->subscription_key[0] == '\0')
	{
		reply_gateway_401(reply, MISSING_KEY_MESSAGE);
		return false;
	}
	if (!state_key_known(req->subscription_key))
	{
		reply_gateway_401(reply, INVALID_KEY_MESSAGE);
		return false;
	}
	return true;
}

/* The token in "Authorization: Bearer <token>", or NULL. */
static const char *
bearer_token(const char *authorization)
{
	const char *p = authorization;

	if (p == NULL || strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
		return NULL;
	for (p += 6; *p == ' ' || *p == '\t'; p++)
		;
	return *p ? p : NULL;
}

/*
 * The 401 message of the operation the request is for: the one its page
 * documents (Codeguard: "user not found"), else Venio's usual one.
 */
static const char *
unauthorized_message(const HttpRequest *req)
{
	Route		route;
	const char *message = AUTH_REQUIRED_MESSAGE;

	if (route_find(req->method, req->path, &route))
	{
		if (route.op->unauthorized)
			message = route.op->unauthorized;
		route_free(&route);
	}
	return message;
}

/*
 * The bearer token; false (with the 401) when it is not one we honour.
 * The client it belongs to goes to the journal (reply->client).
 */
bool
auth_check_bearer(const HttpRequest *req, Reply *reply)
{
	const char *token = bearer_token(req->authorization);
	json_object *o;

	if (token && (reply->client = state_token_client(token)) != NULL)
		return true;
	o = json_object_new_object();
	json_object_object_add(o, "statusCode", json_object_new_int(401));
	json_object_object_add(o, "httpStatusCode", json_object_new_int(401));
	json_object_object_add(o, "message", json_object_new_string(unauthorized_message(req)));
	reply_json(reply, 401, o);
	return false;
}

static void
random_bytes(unsigned char *buf, size_t len)
{
	static uint64_t fallback_state = 0;
	size_t		done = 0;

	while (done < len)
	{
		ssize_t		n = getrandom(buf + done, len - done, 0);

		if (n > 0)
			done += (size_t) n;
		else if (n < 0 && errno != EINTR)
			break;
	}
	/* getrandom() failing is unheard of; still, never hand out zeros */
	for (; done < len; done++)
	{
		fallback_state ^= (uint64_t) (clock_monotonic() * 1e9) + done;
		fallback_state ^= fallback_state << 13;
		fallback_state ^= fallback_state >> 7;
		fallback_state ^= fallback_state << 17;
		buf[done] = (unsigned char) fallback_state;
	}
}

/* 32 random bytes as base64url without padding: 43 characters. */
static void
new_token(char *out, size_t size)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[TOKEN_RANDOM_BYTES];
	size_t		o = 0;
	uint32_t	bits = 0;
	int			nbits = 0;

	random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw) && o + 1 < size; i++)
	{
		bits = (bits << 8) | raw[i];
		nbits += 8;
		while (nbits >= 6 && o + 1 < size)
		{
			out[o++] = alphabet[(bits >> (nbits - 6)) & 0x3F];
			nbits -= 6;
		}
	}
	if (nbits > 0 && o + 1 < size)
		out[o++] = alphabet[(bits << (6 - nbits)) & 0x3F];
	out[o] = '\0';
}

static void
reply_oauth_error(Reply *reply, int status, const char *error)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(error));
	reply_json(reply, status, o);
}

static bool
equals(const char *value, const char *expected)
{
	return value != NULL && strcmp(value, expected) == 0;
}

/* POST /authorization/connect/token */
void
auth_token_endpoint(const HttpRequest *req, Reply *reply)
{
	QueryParams form;
	char		token[64];
	json_object *o;
	int			ttl;

	if (!auth_check_subscription_key(req, reply))
		return;
	if (strcmp(req->method, "POST") != 0)
	{
		reply_text(reply, 404, "{\"statusCode\":404,\"message\":\"Resource not found\"}");
		return;
	}

	query_parse(req->body_len > 0 ? req->body : "", &form);
	if (!equals(query_get(&form, "grant_type"), "client_credentials"))
		reply_oauth_error(reply, 400, "unsupported_grant_type");
	else if (query_get(&form, "client_id") == NULL || query_get(&form, "client_secret") == NULL ||
			 !state_client_valid(query_get(&form, "client_id"), query_get(&form, "client_secret"),
								 req->subscription_key))
		reply_oauth_error(reply, 401, "invalid_client");
	else
	{
		reply->client = xstrdup(query_get(&form, "client_id"));
		new_token(token, sizeof(token));
		ttl = state_token_issue(token, reply->client);
		o = json_object_new_object();
		json_object_object_add(o, "access_token", json_object_new_string(token));
		json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
		json_object_object_add(o, "expires_in", json_object_new_int(ttl));
		json_object_object_add(o, "scope", json_object_new_string(TOKEN_SCOPE));
		reply_json(reply, 200, o);
	}
	query_free(&form);
}
