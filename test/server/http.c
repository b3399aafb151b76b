/*
 * http.c
 *		Request plumbing: the libmicrohttpd daemon, collecting each request's
 *		raw target and body, the journal, injected faults, the gateway checks
 *		and routing to the catalog's operations.
 *
 * One thread per connection (libmicrohttpd's own), so a handler may sleep
 * for injected latency without holding up other connections.  A request is
 * served in this order, as the real gateway would see it:
 *
 *	 /_mock/...   -> control API (not journaled, no auth)
 *	 otherwise    -> journal slot reserved; fault rule; global latency;
 *					 token endpoint, or: subscription key, bearer token,
 *					 route (404), JSON body (400), handler; journal line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <microhttpd.h>

#include "fuzz.h"
#include "handlers.h"
#include "route.h"
#include "server.h"
#include "state.h"
#include "util.h"

#define MAX_BODY_BYTES			(16 * 1024 * 1024)
#define CONNECTION_LIMIT		1024
#define CONNECTION_TIMEOUT_S	60
#define LISTEN_BACKLOG			1024
#define JSON_CONTENT_TYPE		"application/json; charset=utf-8"

#define NOT_FOUND_BODY "{\"statusCode\":404,\"message\":\"Resource not found\"}"

/* Per request: created when the request line arrives. */
typedef struct RequestContext
{
	char	   *uri;			/* the request target exactly as sent */
	double		received_at;	/* Unix epoch seconds */
	bool		started;		/* the access handler has seen the headers */
	StrBuf		body;
	bool		body_too_large;
} RequestContext;

/* Connections are numbered so the journal can show keep-alive reuse. */
static atomic_ulong connection_counter;

/* ----------------------------------------------------------------- replies */

/* Answer with obj (consumed) as JSON. */
void
reply_json(Reply *reply, int status, json_object *obj)
{
	free(reply->body);
	reply->status = status;
	reply->body = json_to_text(obj, &reply->len);
	reply->content_type = JSON_CONTENT_TYPE;
	json_object_put(obj);
}

/* Answer with a constant JSON text. */
void
reply_text(Reply *reply, int status, const char *json_text)
{
	free(reply->body);
	reply->status = status;
	reply->len = strlen(json_text);
	reply->body = xmemdup(json_text, reply->len);
	reply->content_type = JSON_CONTENT_TYPE;
}

/* A body sent in chunks, without a Content-Length (FAULT_BODY "chunked"). */
typedef struct ChunkedBody
{
	char	   *data;
	size_t		len;
} ChunkedBody;

static ssize_t
read_chunked(void *cls, uint64_t pos, char *buf, size_t max)
{
	ChunkedBody *cb = cls;
	size_t		n;

	if (pos >= cb->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = cb->len - (size_t) pos;
	if (n > max)
		n = max;
	if (n > 65536)
		n = 65536;
	memcpy(buf, cb->data + pos, n);
	return (ssize_t) n;
}

static void
free_chunked(void *cls)
{
	ChunkedBody *cb = cls;

	free(cb->data);
	free(cb);
}

static struct MHD_Response *
chunked_response(Reply *reply)
{
	ChunkedBody *cb = xmalloc(sizeof(ChunkedBody));
	struct MHD_Response *resp;

	cb->data = reply->body;
	cb->len = reply->len;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, read_chunked, cb,
											 free_chunked);
	if (resp == NULL)
		free(cb);
	return resp;
}

/*
 * A fuzz answer: its bytes straight to the socket (libmicrohttpd could not
 * send a wrong Content-Length, a 1xx alone or a broken status line), then
 * the connection is closed.  The socket is made blocking, with a time limit,
 * so that a client that stops reading (an answer over its limit) cannot
 * hold the thread; SIGPIPE is ignored (MSG_NOSIGNAL).
 */
static void
send_raw(struct MHD_Connection *conn, const char *data, size_t len)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct timeval limit = {.tv_sec = 10};
	int			fd;
	int			flags;

	if (info == NULL)
		return;
	fd = info->connect_fd;
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		(void) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
	while (len > 0)
	{
		ssize_t		n = send(fd, data, len, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		data += n;
		len -= (size_t) n;
	}
	(void) shutdown(fd, SHUT_WR);
}

static enum MHD_Result
queue_reply(struct MHD_Connection *conn, Reply *reply)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (reply->raw)
	{
		send_raw(conn, reply->raw, reply->raw_len);
		free(reply->raw);
		free(reply->body);
		free(reply->owned_type);
		return MHD_NO;			/* close the connection */
	}
	if (reply->drop)
	{
		/* MHD_NO makes libmicrohttpd close the connection without answering */
		free(reply->body);
		free(reply->owned_type);
		return MHD_NO;
	}
	if (reply->body == NULL)
		reply_text(reply, 500, "{\"statusCode\":500,\"message\":\"no answer\"}");
	resp = reply->chunked ? chunked_response(reply)
		: MHD_create_response_from_buffer(reply->len, reply->body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
	{
		free(reply->body);
		free(reply->owned_type);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, reply->content_type);
	free(reply->owned_type);
	if (reply->retry_after >= 0)
	{
		char		seconds[16];

		snprintf(seconds, sizeof(seconds), "%d", reply->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
	}
	ret = MHD_queue_response(conn, (unsigned int) reply->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ----------------------------------------------------------------- journal */

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	json_object *headers = cls;
	json_object *previous = NULL;
	size_t		len;
	char	   *name = utf8_sanitize(key, strlen(key), NULL);
	char	   *text = utf8_sanitize(value ? value : "", value ? strlen(value) : 0, &len);

	(void) kind;
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	/* a repeated header is joined with ", ", as HTTP allows */
	if (json_object_object_get_ex(headers, name, &previous) && previous)
	{
		StrBuf		joined;

		sb_init(&joined, 64);
		sb_printf(&joined, "%s, %s", json_object_get_string(previous), text);
		json_object_object_add(headers, name, json_object_new_string(joined.data));
		sb_free(&joined);
	}
	else
		json_object_object_add(headers, name, json_object_new_string_len(text, (int) len));
	free(name);
	free(text);
	return MHD_YES;
}

static json_object *
sanitized_string(const char *s, size_t len)
{
	size_t		out_len;
	char	   *clean = utf8_sanitize(s, len, &out_len);
	json_object *o = json_object_new_string_len(clean, (int) out_len);

	free(clean);
	return o;
}

static unsigned long
connection_id(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? (unsigned long) (uintptr_t) info->socket_context : 0;
}

/*
 * PostgreSQL's jsonb refuses the escape \u0000, which json-c writes for a
 * NUL inside a string (a client may send "\u0000"); one such line would
 * make the whole journal unreadable for the tests, so it becomes U+FFFD.
 * Only an escape preceded by an even number of backslashes is one.
 */
static void
replace_nul_escapes(char *line, size_t len)
{
	char	   *p = line;

	while ((p = memmem(p, len - (size_t) (p - line), "\\u0000", 6)) != NULL)
	{
		size_t		backslashes = 0;

		for (char *q = p - 1; q >= line && *q == '\\'; q--)
			backslashes++;
		if (backslashes % 2 == 0)
			memcpy(p + 2, "fffd", 4);
		p += 6;
	}
}

/*
 * One journal entry as a line of JSON: the body as parsed JSON, or as the
 * raw text when it is not JSON (the token form), or null when absent.
 */
static char *
journal_line(long seq, struct MHD_Connection *conn, const RequestContext *rc,
			 const HttpRequest *req, const Reply *reply, size_t *len)
{
	json_object *e = json_object_new_object();
	json_object *headers = json_object_new_object();
	json_object *body = NULL;
	char		received[32];
	char	   *line;

	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, headers);
	if (req->body_len > 0)
		body = req->json_valid ? json_object_get(req->json)
			: sanitized_string(req->body, req->body_len);
	snprintf(received, sizeof(received), "%.3f", rc->received_at);

	json_object_object_add(e, "seq", json_object_new_int64(seq));
	json_object_object_add(e, "method", sanitized_string(req->method, strlen(req->method)));
	json_object_object_add(e, "path", sanitized_string(req->path, strlen(req->path)));
	json_object_object_add(e, "query",
						   req->query ? sanitized_string(req->query, strlen(req->query)) : NULL);
	json_object_object_add(e, "headers", headers);
	json_object_object_add(e, "body", body);
	json_object_object_add(e, "status", json_object_new_int(reply->status));
	json_object_object_add(e, "client",
						   reply->client ? json_object_new_string(reply->client) : NULL);
	if (reply->fuzz_case >= 0)
	{
		json_object *fuzz = json_object_new_object();

		json_object_object_add(fuzz, "case", json_object_new_int64(reply->fuzz_case));
		json_object_object_add(fuzz, "kind", json_object_new_string(reply->fuzz_kind));
		json_object_object_add(e, "fuzz", fuzz);
	}
	json_object_object_add(e, "received_at", json_object_new_double_s(rc->received_at, received));
	json_object_object_add(e, "connection", json_object_new_int64((int64_t) connection_id(conn)));
	line = json_to_text(e, len);
	json_object_put(e);
	replace_nul_escapes(line, *len);
	return line;
}

/* ------------------------------------------------------------------ serving */

/*
 * A body rule with a status_line: the answer written to the socket as it
 * is (libmicrohttpd would not send a status line of another protocol),
 * then the connection closed; an HTTP/1.x status line says so with
 * "Connection: close", any other does not (an HTTP/2 server would not).
 */
static void
raw_answer(const FaultRule *fault, Reply *reply)
{
	StrBuf		raw;

	sb_init(&raw, fault->body_len + 256);
	sb_printf(&raw, "%s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
			  fault->status_line, reply->content_type, fault->body_len,
			  starts_with(fault->status_line, "HTTP/1.") ? "Connection: close\r\n" : "");
	sb_append(&raw, fault->body ? fault->body : "", fault->body_len);
	reply->raw = sb_steal(&raw, &reply->raw_len);
}

/* Apply a fault rule; true when it produced the answer (or the drop). */
static bool
apply_fault(const FaultRule *fault, bool is_token, Reply *reply)
{
	json_object *o;

	switch (fault->mode)
	{
		case FAULT_STATUS:
			o = json_object_new_object();
			json_object_object_add(o, "statusCode", json_object_new_int(fault->status));
			json_object_object_add(o, "message", json_object_new_string("injected fault"));
			reply_json(reply, fault->status, o);
			reply->retry_after = fault->retry_after;
			return true;
		case FAULT_DROP:
			reply->drop = true;
			reply->status = 0;
			return true;
		case FAULT_LATENCY:
			sleep_interruptible_ms(fault->latency_ms);
			return false;
		case FAULT_BODY:
			/* the rule's bytes as they are: possibly not JSON, not UTF-8 */
			sleep_interruptible_ms(fault->latency_ms);
			free(reply->body);
			reply->status = fault->status;
			reply->body = xmemdup(fault->body ? fault->body : "", fault->body_len);
			reply->len = fault->body_len;
			if (fault->content_type)
				reply->content_type = reply->owned_type = xstrdup(fault->content_type);
			reply->chunked = fault->chunked;
			if (fault->status_line)
				raw_answer(fault, reply);
			return true;
		case FAULT_FUZZ:
			{
				FuzzAnswer answer;

				fuzz_build(fault->seed, fault->fuzz_case, fault->limit, is_token, &answer);
				reply->raw = sb_steal(&answer.raw, &reply->raw_len);
				reply->status = answer.status;
				reply->fuzz_case = fault->fuzz_case;
				memcpy(reply->fuzz_kind, answer.kind, sizeof(reply->fuzz_kind));
				return true;
			}
		case FAULT_NONE:
			break;
	}
	return false;
}

/* Only whitespace: treated like no body at all. */
static bool
is_blank(const char *s, size_t len)
{
	return strspn(s, " \t\r\n") == len;
}

/* An API request past the faults: gateway checks, routing, the handler. */
static void
serve_api(const HttpRequest *req, Reply *reply)
{
	Route		route;
	QueryParams query;
	ApiCall		call;

	if (!auth_check_subscription_key(req, reply) || !auth_check_bearer(req, reply))
		return;
	if (!route_find(req->method, req->path, &route))
	{
		reply_text(reply, 404, NOT_FOUND_BODY);
		return;
	}
	if (req->body_len > 0 && !req->json_valid && !is_blank(req->body, req->body_len))
	{
		MessageList messages;

		msg_init(&messages);
		msg_add(&messages, "Invalid JSON body");
		reply_api_error(reply, route.op, &messages);
		msg_free(&messages);
		route_free(&route);
		return;
	}
	query_parse(req->query, &query);
	call.op = route.op;
	call.route = &route;
	call.query = &query;
	call.body = req->json;
	handlers_run(&call, reply);
	query_free(&query);
	route_free(&route);
}

/* Everything but the control API: journaled, subject to faults. */
static void
serve_journaled(struct MHD_Connection *conn, const RequestContext *rc,
				const HttpRequest *req, Reply *reply)
{
	bool		is_token = strcmp(req->path, TOKEN_PATH) == 0;
	RequestStart start = state_request_begin(req->path, req->subscription_key, is_token,
											 is_token ? NULL : req->request_id);
	size_t		len;
	char	   *line;

	if (!apply_fault(&start.fault, is_token, reply))
	{
		sleep_interruptible_ms(start.latency_ms);
		if (rc->body_too_large)
			reply_text(reply, 413, "{\"statusCode\":413,\"message\":\"Payload too large\"}");
		else if (is_token)
			auth_token_endpoint(req, reply);
		else
			serve_api(req, reply);
	}
	free(start.fault.body);
	free(start.fault.content_type);
	free(start.fault.status_line);
	line = journal_line(start.seq, conn, rc, req, reply, &len);
	free(reply->client);
	reply->client = NULL;
	state_journal_finish(&start, line, len);
}

/* Split the raw target into path and query, look up the headers we use. */
static void
fill_request(struct MHD_Connection *conn, const char *method,
			 RequestContext *rc, HttpRequest *req)
{
	char	   *question = strchr(rc->uri, '?');

	memset(req, 0, sizeof(*req));
	req->method = method;
	req->path = question ? xmemdup(rc->uri, (size_t) (question - rc->uri)) : xstrdup(rc->uri);
	req->query = (question && question[1]) ? xstrdup(question + 1) : NULL;
	req->subscription_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
														"Ocp-Apim-Subscription-Key");
	req->authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
													 MHD_HTTP_HEADER_AUTHORIZATION);
	req->request_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	req->body = rc->body.data ? rc->body.data : "";
	req->body_len = rc->body.len;
	if (req->body_len > 0)
		req->json = json_parse_text(req->body, req->body_len, &req->json_valid);
}

static enum MHD_Result
respond(struct MHD_Connection *conn, const char *method, RequestContext *rc)
{
	HttpRequest req;
	Reply		reply = {.content_type = JSON_CONTENT_TYPE, .retry_after = -1, .fuzz_case = -1};

	fill_request(conn, method, rc, &req);
	if (starts_with(req.path, CONTROL_PREFIX))
		control_handle(&req, &reply);
	else
		serve_journaled(conn, rc, &req, &reply);
	json_object_put(req.json);
	free((char *) req.path);
	free((char *) req.query);
	return queue_reply(conn, &reply);
}

/* ------------------------------------------------- libmicrohttpd callbacks */

/*
 * Called with the request line, before libmicrohttpd decodes the URL: the
 * raw target is what routing needs (an encoded "/" must not split a segment).
 */
static void *
begin_request(void *cls, const char *uri, struct MHD_Connection *conn)
{
	RequestContext *rc = xmalloc(sizeof(RequestContext));

	(void) cls;
	(void) conn;
	rc->uri = xstrdup(uri ? uri : "/");
	rc->received_at = clock_realtime();
	rc->started = false;
	rc->body.data = NULL;
	rc->body.len = rc->body.cap = 0;
	rc->body_too_large = false;
	return rc;
}

static void
end_request(void *cls, struct MHD_Connection *conn, void **con_cls,
			enum MHD_RequestTerminationCode toe)
{
	RequestContext *rc = *con_cls;

	(void) cls;
	(void) conn;
	(void) toe;
	if (rc == NULL)
		return;
	free(rc->uri);
	sb_free(&rc->body);
	free(rc);
	*con_cls = NULL;
}

static void
notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
				  enum MHD_ConnectionNotificationCode toe)
{
	(void) cls;
	(void) conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = (void *) (uintptr_t) (atomic_fetch_add(&connection_counter, 1) + 1);
}

static void
append_body(RequestContext *rc, const char *data, size_t size)
{
	if (rc->body_too_large)
		return;
	if (rc->body.len + size > MAX_BODY_BYTES)
	{
		/* answered 413 and journaled without a body */
		rc->body_too_large = true;
		sb_free(&rc->body);
		return;
	}
	if (rc->body.data == NULL)
		sb_init(&rc->body, size + 1);
	sb_append(&rc->body, data, size);
}

/*
 * libmicrohttpd calls this once with the headers, then once per body chunk,
 * then once more when the body is complete: that last call answers.
 */
static enum MHD_Result
handle_access(void *cls, struct MHD_Connection *conn, const char *url,
			  const char *method, const char *version, const char *upload_data,
			  size_t *upload_data_size, void **con_cls)
{
	RequestContext *rc = *con_cls;

	(void) cls;
	(void) version;
	if (rc == NULL)				/* not expected: the URI callback makes it */
		*con_cls = rc = begin_request(NULL, url, conn);
	if (!rc->started)
	{
		rc->started = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		append_body(rc, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return respond(conn, method, rc);
}

/* --------------------------------------------------------------- daemon */

/* Listen on 127.0.0.1:port (0: any free port); NULL on failure. */
struct MHD_Daemon *
http_start(int port)
{
	struct sockaddr_in addr;

	/*
	 * HTTPS when a certificate and key were given (libmicrohttpd uses
	 * GnuTLS); the options array stays empty for plain HTTP.  The PEM texts
	 * live as long as the daemon (server_config).
	 */
	bool		tls = server_config.tls_cert_pem != NULL;
	struct MHD_OptionItem tls_options[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, server_config.tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, server_config.tls_key_pem},
		{MHD_OPTION_END, 0, NULL}
	};
	static struct MHD_OptionItem no_options[] = {
		{MHD_OPTION_END, 0, NULL}
	};

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t) port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
							MHD_USE_THREAD_PER_CONNECTION |
							MHD_USE_POLL | MHD_USE_ITC |
							(tls ? MHD_USE_TLS : 0),
							(uint16_t) port, NULL, NULL,
							handle_access, NULL,
							MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
							MHD_OPTION_CONNECTION_LIMIT, (unsigned int) CONNECTION_LIMIT,
							MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) CONNECTION_TIMEOUT_S,
							MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int) LISTEN_BACKLOG,
							MHD_OPTION_URI_LOG_CALLBACK, begin_request, NULL,
							MHD_OPTION_NOTIFY_COMPLETED, end_request, NULL,
							MHD_OPTION_NOTIFY_CONNECTION, notify_connection, NULL,
							MHD_OPTION_ARRAY, tls ? tls_options : no_options,
							MHD_OPTION_END);
}

/* The port the daemon actually listens on; -1 if unknown. */
int
http_bound_port(struct MHD_Daemon *daemon)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_in addr;
	socklen_t	len = sizeof(addr);

	if (info == NULL ||
		getsockname(info->listen_fd, (struct sockaddr *) &addr, &len) != 0)
		return -1;
	return ntohs(addr.sin_port);
}

void
http_stop(struct MHD_Daemon *daemon)
{
	MHD_stop_daemon(daemon);
}
