/*
 * control.c
 *		The control API under /_mock/: how tests reset the server, change its
 *		settings, inject faults and read what it received.  No authentication,
 *		not journaled; every answer is one line of JSON (the journal is
 *		newline-delimited JSON), which the SQL tests read with COPY.
 */
#include <errno.h>
#include <limits.h>
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
		{"drop", FAULT_DROP}, {"latency", FAULT_LATENCY},
	};

	for (size_t i = 0; text && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(text, modes[i].name) == 0)
		{
			*mode = modes[i].mode;
			return true;
		}
	return false;
}

/*
 * POST /_mock/fault {"mode":"status"|"drop"|"latency"|"none","status":500,
 * "retry_after":2,"latency_ms":N,"count":N,"path":"/v1/deals"}
 */
static void
control_fault(const HttpRequest *req, json_object *body, Reply *reply)
{
	FaultRule	rule = {.status = 500, .retry_after = -1, .count = -1};
	long		status = rule.status;
	long		retry_after = rule.retry_after;
	const char *path = json_field_string(body, "path");
	json_object *o;

	(void) req;
	if (!parse_fault_mode(json_field_string(body, "mode"), &rule.mode))
	{
		reply_error(reply, 400, "mode must be one of status, drop, latency, none");
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
	rule.status = (int) status;
	rule.retry_after = (int) retry_after;
	rule.path = (char *) path;	/* copied by state_fault_add */
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
