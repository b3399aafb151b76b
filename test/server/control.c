/*
 * control.c
 *		The control API under /_mock/: how tests reset the server, change its
 *		settings, inject faults and read what it received.  No authentication,
 *		not journaled; every answer is one line of JSON (the journal is
 *		newline-delimited JSON), which the SQL tests read with COPY.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "server.h"
#include "state.h"
#include "util.h"

typedef void (*ControlFunc) (const HttpRequest *req, json_object *body, Reply *reply);

typedef struct ControlEntry
{
	const char *name;			/* after /_mock/ */
	const char *method;
	ControlFunc handle;
} ControlEntry;

static void
reply_error(Reply *reply, int status, const char *message)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(message));
	reply_json(reply, status, o);
}

/* {"ok":true}, to which a control function may add details. */
static json_object *
ok_object(void)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

/*
 * An optional integer setting of a control body: *out keeps its default
 * when the key is absent; false when present but not an integer in range.
 */
static bool
optional_long(json_object *body, const char *key, long min, long max, long *out)
{
	json_object *v;
	long		n;

	if (!json_object_object_get_ex(body, key, &v))
		return true;
	if (v == NULL || !json_is_integral(v) || !json_get_long(v, &n) || n < min || n > max)
		return false;
	*out = n;
	return true;
}

/* POST /_mock/reset */
static void
control_reset(const HttpRequest *req, json_object *body, Reply *reply)
{
	(void) req;
	(void) body;
	state_reset();
	reply_json(reply, 200, ok_object());
}

/* POST /_mock/config {"token_ttl":S,"latency_ms":N}, both optional */
static void
control_config(const HttpRequest *req, json_object *body, Reply *reply)
{
	long		ttl = -1;
	long		latency = -1;
	int			current_ttl;
	long		current_latency;
	json_object *o;

	(void) req;
	if (!optional_long(body, "token_ttl", 0, INT_MAX, &ttl))
	{
		reply_error(reply, 400, "token_ttl must be a non-negative integer (seconds)");
		return;
	}
	if (!optional_long(body, "latency_ms", 0, LONG_MAX / 1000, &latency))
	{
		reply_error(reply, 400, "latency_ms must be a non-negative integer (milliseconds)");
		return;
	}
	state_configure((int) ttl, latency);
	state_current_config(&current_ttl, &current_latency);
	o = ok_object();
	json_object_object_add(o, "token_ttl", json_object_new_int(current_ttl));
	json_object_object_add(o, "latency_ms", json_object_new_int64(current_latency));
	reply_json(reply, 200, o);
}

static bool
parse_fault_mode(const char *text, FaultMode *mode)
{
	static const struct
	{
		const char *name;
		FaultMode	mode;
	}			modes[] = {
		{"none", FAULT_NONE}, {"status", FAULT_STATUS},
		{"drop", FAULT_DROP}, {"latency", FAULT_LATENCY}, {"body", FAULT_BODY},
		{"fuzz", FAULT_FUZZ},
	};

	for (size_t i = 0; text && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(text, modes[i].name) == 0)
		{
			*mode = modes[i].mode;
			return true;
		}
	return false;
}

/* Hex digits to bytes; false when not an even number of hex digits. */
static bool
hex_decode(const char *hex, StrBuf *out)
{
	size_t		len = strlen(hex);

	if (len % 2 != 0)
		return false;
	for (size_t i = 0; i < len; i += 2)
	{
		char		pair[3] = {hex[i], hex[i + 1], '\0'};
		char	   *end;
		char		byte = (char) strtol(pair, &end, 16);

		if (*end != '\0' || pair[0] == '-' || pair[0] == '+' || pair[0] == ' ')
			return false;
		sb_append(out, &byte, 1);
	}
	return true;
}

/* {"data": 1e<n>}: a number no numeric type holds */
static void
generate_exponent(StrBuf *out, long n)
{
	sb_printf(out, "{\"data\": 1e%ld}", n);
}

/* {"data": [[[...]]]}: arrays nested n deep */
static void
generate_nested(StrBuf *out, long n)
{
	sb_append_str(out, "{\"data\": ");
	for (long i = 0; i < n; i++)
		sb_append(out, "[", 1);
	for (long i = 0; i < n; i++)
		sb_append(out, "]", 1);
	sb_append_str(out, "}");
}

/*
 * A successful envelope B answer of exactly n bytes (at least the envelope):
 * {"data":[{"id":1,"name":"xx..."},...],"statusCode":1000,"httpStatusCode":200}
 * padded with spaces before the last brace.
 */
static void
generate_json(StrBuf *out, long n)
{
	static const char tail[] = "],\"statusCode\":1000,\"httpStatusCode\":200}";
	static const char name[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789";
	long		id = 0;

	sb_append_str(out, "{\"data\":[");
	for (;;)
	{
		char		item[160];
		int			len = snprintf(item, sizeof(item), "%s{\"id\":%ld,\"name\":\"%s\"}",
								   id > 0 ? "," : "", id + 1, name);

		if ((long) (out->len + (size_t) len + sizeof(tail) - 1) > n)
			break;
		sb_append(out, item, (size_t) len);
		id++;
	}
	sb_append(out, tail, sizeof(tail) - 2);		/* all but the last brace */
	while ((long) out->len < n - 1)
		sb_append(out, " ", 1);
	sb_append(out, "}", 1);
}

/*
 * The body of a "body" rule: "body" (text as given), "body_hex" (any
 * bytes) or "generate" ("exponent", "nested" or "json", sized by "size").
 */
static const char *
fault_body(json_object *body, StrBuf *out)
{
	const char *text = json_field_string(body, "body");
	const char *hex = json_field_string(body, "body_hex");
	const char *gen = json_field_string(body, "generate");
	long		size = -1;

	sb_init(out, 64);
	if (!optional_long(body, "size", 0, 1024L * 1024 * 1024, &size))
		return "size must be 0 to 1073741824";
	if ((text != NULL) + (hex != NULL) + (gen != NULL) != 1)
		return "a body rule needs exactly one of body, body_hex, generate";
	if (text)
		sb_append_str(out, text);
	else if (hex)
	{
		if (!hex_decode(hex, out))
			return "body_hex must be an even number of hex digits";
	}
	else if (strcmp(gen, "exponent") == 0)
		generate_exponent(out, size < 0 ? 200000 : size);
	else if (strcmp(gen, "nested") == 0)
		generate_nested(out, size < 0 ? 100000 : size);
	else if (strcmp(gen, "json") == 0)
		generate_json(out, size < 0 ? 1024 * 1024 : size);
	else
		return "generate must be one of exponent, nested, json";
	return NULL;
}

/*
 * A "fuzz" rule's seed (default 1), limit (the client's answer limit in
 * bytes, default 16 MiB, gofive.max_response_size's default) and first case
 * (default 0); false (and the reply made) when one is out of range.  Fuzz
 * answers are written to the socket as raw bytes, which TLS does not allow.
 */
static bool
fuzz_settings(json_object *body, FaultRule *rule, Reply *reply)
{
	long		seed = 1;
	long		limit = 16L * 1024 * 1024;
	long		start = 0;

	if (server_config.tls_cert != NULL)
	{
		reply_error(reply, 400, "fuzz rules need a plain HTTP server (their answers are raw bytes)");
		return false;
	}
	if (!optional_long(body, "seed", 0, LONG_MAX, &seed) ||
		!optional_long(body, "limit", 1024, 1024L * 1024 * 1024, &limit) ||
		!optional_long(body, "start", 0, LONG_MAX, &start))
	{
		reply_error(reply, 400, "seed and start must be >= 0, limit 1024 to 1073741824");
		return false;
	}
	rule->seed = (unsigned long) seed;
	rule->limit = limit;
	rule->fuzz_case = start;
	return true;
}

/*
 * POST /_mock/fault {"mode":"status"|"drop"|"latency"|"body"|"fuzz"|"none","status":500,
 * "retry_after":2,"latency_ms":N,"count":N,"path":"/v1/deals"}
 */
static void
control_fault(const HttpRequest *req, json_object *body, Reply *reply)
{
	FaultRule	rule = {.status = 500, .retry_after = -1, .count = -1};
	long		status = rule.status;
	long		retry_after = rule.retry_after;
	const char *path = json_field_string(body, "path");
	const char *key = json_field_string(body, "subscription_key");
	json_object *o;

	(void) req;
	if (!parse_fault_mode(json_field_string(body, "mode"), &rule.mode))
	{
		reply_error(reply, 400, "mode must be one of status, drop, latency, body, fuzz, none");
		return;
	}
	if (rule.mode == FAULT_NONE)
	{
		state_faults_clear();
		o = ok_object();
		json_object_object_add(o, "rules", json_object_new_int(0));
		reply_json(reply, 200, o);
		return;
	}
	if (!optional_long(body, "status", 100, 599, &status) ||
		!optional_long(body, "retry_after", 0, INT_MAX, &retry_after) ||
		!optional_long(body, "latency_ms", 0, LONG_MAX / 1000, &rule.latency_ms) ||
		!optional_long(body, "count", -1, LONG_MAX, &rule.count))
	{
		reply_error(reply, 400, "status must be 100-599; retry_after, latency_ms >= 0; count >= -1");
		return;
	}
	if (json_has_field(body, "path") && (path == NULL || path[0] != '/'))
	{
		reply_error(reply, 400, "path must be a string starting with /");
		return;
	}
	if (rule.mode == FAULT_FUZZ && !fuzz_settings(body, &rule, reply))
		return;
	rule.status = (int) status;
	rule.retry_after = (int) retry_after;
	if (json_has_field(body, "subscription_key") && (key == NULL || key[0] == '\0'))
	{
		reply_error(reply, 400, "subscription_key must be a non-empty string");
		return;
	}
	rule.path = (char *) path;	/* copied by state_fault_add */
	rule.key = (char *) key;	/* likewise */
	if (rule.mode == FAULT_BODY)
	{
		StrBuf		bytes;
		const char *problem = fault_body(body, &bytes);
		json_object *chunked = json_field(body, "chunked");

		if (problem)
		{
			sb_free(&bytes);
			reply_error(reply, 400, problem);
			return;
		}
		if (!json_has_field(body, "status"))
			rule.status = 200;
		rule.body = bytes.data;
		rule.body_len = bytes.len;
		rule.content_type = (char *) json_field_string(body, "content_type");
		rule.chunked = chunked && json_object_get_boolean(chunked);
		if (json_has_field(body, "status_line"))
		{
			const char *line = json_field_string(body, "status_line");

			if (server_config.tls_cert != NULL)
			{
				sb_free(&bytes);
				reply_error(reply, 400, "status_line needs a plain HTTP server (the answer is raw bytes)");
				return;
			}
			if (line == NULL || line[0] == '\0' || strpbrk(line, "\r\n") != NULL || rule.chunked)
			{
				sb_free(&bytes);
				reply_error(reply, 400, "status_line must be a non-empty string without CR or LF, and not chunked");
				return;
			}
			rule.status_line = (char *) line;	/* copied by state_fault_add */
		}
		o = ok_object();
		json_object_object_add(o, "rules", json_object_new_int(state_fault_add(&rule)));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t) bytes.len));
		sb_free(&bytes);
		reply_json(reply, 200, o);
		return;
	}
	o = ok_object();
	json_object_object_add(o, "rules", json_object_new_int(state_fault_add(&rule)));
	reply_json(reply, 200, o);
}

/* POST /_mock/expire_tokens */
static void
control_expire_tokens(const HttpRequest *req, json_object *body, Reply *reply)
{
	json_object *o = ok_object();

	(void) req;
	(void) body;
	json_object_object_add(o, "revoked", json_object_new_int64(state_tokens_revoke_all()));
	reply_json(reply, 200, o);
}

/* A string member of a control body, or NULL when absent or not a non-empty string. */
static const char *
required_string(json_object *body, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(body, key, &v) || !json_object_is_type(v, json_type_string) ||
		json_object_get_string_len(v) == 0)
		return NULL;
	return json_object_get_string(v);
}

/*
 * POST /_mock/client {"client_id","client_secret","subscription_key"}: accept
 * one more client (a second Venio account), until the server stops.
 */
static void
control_client(const HttpRequest *req, json_object *body, Reply *reply)
{
	const char *id = required_string(body, "client_id");
	const char *secret = required_string(body, "client_secret");
	const char *key = required_string(body, "subscription_key");

	(void) req;
	if (id == NULL || secret == NULL || key == NULL)
	{
		reply_error(reply, 400, "client_id, client_secret and subscription_key must be non-empty strings");
		return;
	}
	state_client_add(id, secret, key);
	reply_json(reply, 200, ok_object());
}

/* GET /_mock/journal[?since=SEQ]: newline-delimited JSON */
static void
control_journal(const HttpRequest *req, json_object *body, Reply *reply)
{
	QueryParams query;
	const char *since_text;
	long		since = 0;

	(void) body;
	query_parse(req->query, &query);
	since_text = query_get(&query, "since");
	if (since_text)
	{
		char	   *end;

		errno = 0;
		since = strtol(since_text, &end, 10);
		if (errno != 0 || end == since_text || *end != '\0' || since < 0)
		{
			query_free(&query);
			reply_error(reply, 400, "since must be a non-negative integer");
			return;
		}
	}
	query_free(&query);
	reply->status = 200;
	reply->body = state_journal_dump(since, &reply->len);
	reply->content_type = "application/x-ndjson";
}

/* GET /_mock/stats */
static void
control_stats(const HttpRequest *req, json_object *body, Reply *reply)
{
	(void) req;
	(void) body;
	reply_json(reply, 200, state_stats());
}

/* GET /_mock/state */
static void
control_state(const HttpRequest *req, json_object *body, Reply *reply)
{
	(void) req;
	(void) body;
	reply_json(reply, 200, state_dump());
}

static const ControlEntry control_table[] = {
	{"reset", "POST", control_reset},
	{"config", "POST", control_config},
	{"fault", "POST", control_fault},
	{"expire_tokens", "POST", control_expire_tokens},
	{"client", "POST", control_client},
	{"journal", "GET", control_journal},
	{"stats", "GET", control_stats},
	{"state", "GET", control_state},
};

void
control_handle(const HttpRequest *req, Reply *reply)
{
	const char *name = req->path + strlen(CONTROL_PREFIX);
	const ControlEntry *entry = NULL;

	for (size_t i = 0; i < sizeof(control_table) / sizeof(control_table[0]); i++)
		if (strcmp(control_table[i].name, name) == 0)
			entry = &control_table[i];
	if (entry == NULL)
	{
		reply_error(reply, 404, "no such control endpoint");
		return;
	}
	if (strcmp(req->method, entry->method) != 0)
	{
		reply_error(reply, 405, strcmp(entry->method, "GET") == 0 ? "use GET" : "use POST");
		return;
	}
	/* a body, when sent, must be a JSON object (or null) */
	if (req->body_len > 0 &&
		(!req->json_valid ||
		 (req->json && !json_object_is_type(req->json, json_type_object))))
	{
		reply_error(reply, 400, "the body must be a JSON object");
		return;
	}
	entry->handle(req, req->json, reply);
}
