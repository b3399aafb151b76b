/*
 * src/gofive.h
 *		The module's declarations, which every part of it uses: the
 *		SQLSTATEs, and one section per file at the top of src/ (gofive.c,
 *		version.c, settings.c, functions.c), each declaring what that file
 *		defines.  The catalog is catalog.h; each subsystem has its own
 *		header: client/client.h, convert/convert.h, outbox/outbox.h (and
 *		outbox/worker.h), fdw/fdw.h.
 */
#ifndef GOFIVE_H
#define GOFIVE_H

#include "postgres.h"

#include "fmgr.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "catalog.h"

/*
 * SQLSTATEs, one per class of failure (README, "Errors").  Class "VN"
 * (Venio) is ours: classes whose first character is I-Z are left to
 * implementations by the SQL standard (A-H are its own), and PostgreSQL
 * uses none starting with V.  The last three letters say what happened.
 */
#define ERRCODE_GOFIVE_INVALID_INPUT	MAKE_SQLSTATE('V','N','V','A','L')
#define ERRCODE_GOFIVE_NOT_CONFIGURED	MAKE_SQLSTATE('V','N','C','F','G')
#define ERRCODE_GOFIVE_AUTH_FAILED		MAKE_SQLSTATE('V','N','A','U','T')
#define ERRCODE_GOFIVE_API_REJECTED		MAKE_SQLSTATE('V','N','R','E','J')
#define ERRCODE_GOFIVE_SERVER_ERROR		MAKE_SQLSTATE('V','N','S','R','V')
#define ERRCODE_GOFIVE_TRANSPORT		MAKE_SQLSTATE('V','N','N','E','T')

/* The documented business codes (docs/api.md, Business codes). */
#define GOFIVE_CODE_SUCCESS		1000

/* ---- gofive.c: the operation in the CONTEXT line of errors ---- */
extern void gofive_push_operation(ErrorContextCallback *cb, const char *operation);
extern void gofive_push_context(ErrorContextCallback *cb, const char *text);
extern void gofive_pop_context(ErrorContextCallback *cb);

/* ---- version.c: the installed extension against the library ---- */
extern char *gofive_installed_version(void);
extern void gofive_check_version(void);

/* ---- settings.c: every gofive.* setting ---- */
extern char *gofive_base_url;
extern char *gofive_client_id;
extern char *gofive_client_secret;
extern char *gofive_subscription_key;
extern int	gofive_timeout_ms;
extern int	gofive_connect_timeout_ms;
extern char *gofive_ca_file;
extern bool gofive_ssl_verify;
extern int	gofive_page_size;
extern int	gofive_max_response_size;
extern int	gofive_keep_response_size;	/* worker */
extern char *gofive_server;		/* account.c */
extern char *gofive_time_zone;	/* datetime.c */
#define GOFIVE_UNKNOWN_ERROR	0	/* gofive.unknown_fields */
#define GOFIVE_UNKNOWN_WARNING	1
#define GOFIVE_UNKNOWN_SEND		2
extern int	gofive_unknown_fields;	/* validate.c */

extern void gofive_define_settings(void);
extern void gofive_require_setting(const char *name, const char *value);
extern const char *gofive_url_problem(const char *url);
extern bool gofive_has_control_characters(const char *s);

/* ---- functions.c: the SQL entry points of the synchronous path ---- */
extern const char *gofive_checked_method(text *method_text);
extern char *gofive_checked_path(text *path_text);
extern void gofive_method_and_path(FunctionCallInfo fcinfo, const char **method, char **path);

#endif							/* GOFIVE_H */
