/*
 * server.h
 *		Shared declarations of the local Venio server: the command-line
 *		settings, one HTTP request as the modules see it, the reply they fill
 *		in, and the entry points of http.c, auth.c and control.c.
 */
#ifndef VENIO_SERVER_H
#define VENIO_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define TOKEN_PATH		"/authorization/connect/token"
#define CONTROL_PREFIX	"/_mock/"

/* Settings from the command line; read-only once the server runs. */
typedef struct ServerConfig
{
	int			port;
	const char *port_file;
	const char *client_id;
	const char *client_secret;
	const char *subscription_key;
	int			token_ttl;
	const char *tls_cert;		/* PEM file paths; both NULL: plain HTTP */
	const char *tls_key;
	char	   *tls_cert_pem;	/* their contents, read at start-up */
	char	   *tls_key_pem;
} ServerConfig;

extern ServerConfig server_config;

/* One request, fully received. */
typedef struct HttpRequest
{
	const char *method;
	const char *path;			/* as sent (still percent-encoded), no query */
	const char *query;			/* as sent, without '?'; NULL when none */
	const char *subscription_key;	/* header values; NULL when absent */
	const char *authorization;
	const char *request_id;
	const char *body;			/* raw body, NUL-terminated */
	size_t		body_len;		/* 0: no body */
	json_object *json;			/* the parsed body (NULL: absent, invalid or null) */
	bool		json_valid;		/* the body is one well-formed JSON value */
} HttpRequest;

/* What to answer. */
typedef struct Reply
{
	int			status;
	char	   *body;			/* malloc'd */
	size_t		len;
	const char *content_type;
	int			retry_after;	/* seconds; -1: no Retry-After header */
	bool		drop;			/* close the connection without answering */
	bool		chunked;		/* send without a Content-Length */
	char	   *owned_type;		/* malloc'd content type, freed with the reply */
	char	   *client;			/* malloc'd: the client the token (request) belongs to */
	/* a fuzz answer: the whole response as raw bytes (malloc'd), sent as
	 * they are before the connection is closed */
	char	   *raw;
	size_t		raw_len;
	long		fuzz_case;		/* -1: not a fuzz answer */
	char		fuzz_kind[96];
} Reply;

/* http.c */
struct MHD_Daemon;
extern struct MHD_Daemon *http_start(int port);
extern int	http_bound_port(struct MHD_Daemon *daemon);
extern void http_stop(struct MHD_Daemon *daemon);
extern void reply_json(Reply *reply, int status, json_object *obj);
extern void reply_text(Reply *reply, int status, const char *json_text);

/* auth.c */
extern bool auth_check_subscription_key(const HttpRequest *req, Reply *reply);
extern bool auth_check_bearer(const HttpRequest *req, Reply *reply);
extern void auth_token_endpoint(const HttpRequest *req, Reply *reply);

/* control.c */
extern void control_handle(const HttpRequest *req, Reply *reply);

#endif							/* VENIO_SERVER_H */
