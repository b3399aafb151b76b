/*
 * src/settings.c
 *		Every gofive.* configuration parameter: the synchronous path's
 *		(account, network, answers), the outbox worker's, gofive.server,
 *		gofive.time_zone and gofive.unknown_fields.  Each is defined here and
 *		only here (gofive_define_settings, from _PG_init), in one fixed order;
 *		the code that reads a setting declares it through gofive.h or
 *		outbox.h.
 *
 * Secrets (the client secret and the subscription key) are GUC_SUPERUSER_ONLY,
 * so plain roles can neither SHOW nor current_setting() them nor see them in
 * pg_settings, and a show hook masks them for everybody, so that they never
 * reach a screen, a log line or an error message.  The base URL and client
 * id are superuser-only too: whoever can point base_url elsewhere receives
 * the credentials.
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "pgtime.h"
#include "utils/guc.h"

#include "client.h"
#include "gofive.h"
#include "outbox.h"

char	   *gofive_base_url = NULL;
char	   *gofive_client_id = NULL;
char	   *gofive_client_secret = NULL;
char	   *gofive_subscription_key = NULL;
int			gofive_timeout_ms = 30000;
int			gofive_connect_timeout_ms = 10000;
char	   *gofive_ca_file = NULL;
bool		gofive_ssl_verify = true;
int			gofive_page_size = 100;
int			gofive_max_response_size = 16 * 1024 * 1024;
int			gofive_keep_response_size = 1024 * 1024;

/* An answer buffer grows by doubling and must stay under MaxAllocSize. */
#define MAX_RESPONSE_LIMIT (512 * 1024 * 1024)

#define SECRET_MASK "********"

/*
 * A secret found in postgresql.conf while the library is being loaded into a
 * running session (by a query, so neither shared nor session preloading)
 * has been readable by every role as a placeholder until now; say so once
 * per backend.
 */
static bool defining_settings = false;

/* Whether a list setting such as session_preload_libraries names gofive. */
static bool
preload_list_has_gofive(const char *setting)
{
	const char *value = GetConfigOption(setting, true, false);

	return value != NULL && strstr(value, "gofive") != NULL;
}

/* Loaded by a query rather than by shared or session preloading. */
static bool
loaded_late(void)
{
	return !process_shared_preload_libraries_in_progress &&
		!preload_list_has_gofive("session_preload_libraries") &&
		!preload_list_has_gofive("local_preload_libraries");
}

static void
warn_if_exposed(const char *name, GucSource source)
{
	static bool warned = false;

	if (defining_settings && source == PGC_S_FILE && loaded_late() &&
		!warned && IsUnderPostmaster)
	{
		warned = true;
		ereport(WARNING,
				(errmsg("\"%s\" is set in the configuration file but gofive is not in shared_preload_libraries",
						name),
				 errdetail("Until the library is loaded, every role can read a gofive.* value from the configuration file."),
				 errhint("Add gofive to shared_preload_libraries.")));
	}
}

bool
gofive_has_control_characters(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char) *s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool
check_secret(char **newval, void **extra, GucSource source)
{
	if (gofive_has_control_characters(*newval))
	{
		GUC_check_errdetail("The value must not contain control characters.");
		return false;
	}
	if (*newval && **newval)
		warn_if_exposed("gofive.client_secret or gofive.subscription_key", source);
	return true;
}

static const char *
show_secret_client(void)
{
	return (gofive_client_secret && *gofive_client_secret) ? SECRET_MASK : "";
}

static const char *
show_secret_key(void)
{
	return (gofive_subscription_key && *gofive_subscription_key) ? SECRET_MASK : "";
}

static bool
check_client_id(char **newval, void **extra, GucSource source)
{
	if (gofive_has_control_characters(*newval))
	{
		GUC_check_errdetail("The value must not contain control characters.");
		return false;
	}
	return true;
}

/*
 * What is wrong with a base URL, or NULL: http(s)://host[:port][/prefix].
 * Shared by gofive.base_url and the base_url option of an account
 * (account.c); the caller names the setting or option.
 */
const char *
gofive_url_problem(const char *url)
{
	if (url == NULL || *url == '\0')
		return "must not be empty";
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return "must start with https:// or http://";
	if (strpbrk(url, " ?#") || gofive_has_control_characters(url))
		return "must not contain spaces, a query or a fragment";
	return NULL;
}

/* base_url: a good URL, kept without a trailing slash. */
static bool
check_base_url(char **newval, void **extra, GucSource source)
{
	char	   *url = *newval;
	const char *problem = gofive_url_problem(url);
	size_t		len;

	if (problem)
	{
		GUC_check_errdetail("gofive.base_url %s.", problem);
		return false;
	}
	len = strlen(url);
	if (len > 0 && url[len - 1] == '/')
	{
		/* GUC string values are malloc'd in PostgreSQL 15 */
		char	   *trimmed = malloc(len);

		if (trimmed == NULL)
		{
			GUC_check_errdetail("Out of memory.");
			return false;
		}
		memcpy(trimmed, url, len - 1);
		trimmed[len - 1] = '\0';
		free(*newval);
		*newval = trimmed;
	}
	return true;
}

static void
define_call_settings(void)
{
	defining_settings = true;
	DefineCustomStringVariable("gofive.base_url",
							   "Base URL of the Gofive API.",
							   NULL,
							   &gofive_base_url,
							   "https://api.gofive.co.th",
							   PGC_SUSET, 0,
							   check_base_url, NULL, NULL);
	DefineCustomStringVariable("gofive.client_id",
							   "OAuth2 client id issued by Gofive.",
							   NULL,
							   &gofive_client_id,
							   "",
							   PGC_SUSET, 0,
							   check_client_id, NULL, NULL);
	DefineCustomStringVariable("gofive.client_secret",
							   "OAuth2 client secret issued by Gofive (superuser only, never shown).",
							   NULL,
							   &gofive_client_secret,
							   "",
							   PGC_SUSET, GUC_SUPERUSER_ONLY,
							   check_secret, NULL, show_secret_client);
	DefineCustomStringVariable("gofive.subscription_key",
							   "Ocp-Apim-Subscription-Key issued by Gofive (superuser only, never shown).",
							   NULL,
							   &gofive_subscription_key,
							   "",
							   PGC_SUSET, GUC_SUPERUSER_ONLY,
							   check_secret, NULL, show_secret_key);
	DefineCustomIntVariable("gofive.timeout",
							"Time limit for one API request, including the connection.",
							NULL,
							&gofive_timeout_ms,
							30000, 1, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.connect_timeout",
							"Time limit for opening a connection to the API.",
							NULL,
							&gofive_connect_timeout_ms,
							10000, 1, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.page_size",
							"Rows asked for per page by the enquiry functions.",
							NULL,
							&gofive_page_size,
							100, 1, 10000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.max_response_size",
							"Largest answer read from the API; a larger one is a failure, not retried.",
							"The download stops at this size.",
							&gofive_max_response_size,
							16 * 1024 * 1024, 1024, MAX_RESPONSE_LIMIT,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomStringVariable("gofive.ca_file",
							   "CA bundle used to verify the API's certificate (empty: the system's).",
							   NULL,
							   &gofive_ca_file,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomBoolVariable("gofive.ssl_verify",
							 "Verify the API's TLS certificate and host name.",
							 NULL,
							 &gofive_ssl_verify,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	defining_settings = false;
}

/*
 * Raise a clear error naming a setting that must be set before calling.
 * The secrets' hint names only the configuration file: a value given with
 * ALTER DATABASE or ALTER ROLE ... SET is stored where every role can read
 * it (README, Security).
 */
void
gofive_require_setting(const char *name, const char *value)
{
	bool		secret = strcmp(name, "gofive.client_secret") == 0 ||
		strcmp(name, "gofive.subscription_key") == 0;

	if (value == NULL || *value == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_GOFIVE_NOT_CONFIGURED),
				 errmsg("setting \"%s\" is not set", name),
				 secret ?
				 errhint("Set it in postgresql.conf (or a file it includes, readable only by the postgres user) and reload the configuration; keep the secrets out of the database's catalogs.") :
				 errhint("Set it in postgresql.conf, or with ALTER SYSTEM, ALTER DATABASE or ALTER ROLE ... SET as a superuser.")));
}

/* ---- the outbox worker's settings ---- */

char	   *gofive_database = NULL;
int			gofive_max_workers = 4;
int			gofive_max_concurrency = 16;
int			gofive_batch_size = 500;
int			gofive_max_attempts = 10;
int			gofive_retry_base_ms = 1000;
int			gofive_retry_max_ms = 600 * 1000;
int			gofive_retention_s = 7 * 24 * 3600;
double		gofive_rate_limit = 0;
int			gofive_in_doubt = GOFIVE_IN_DOUBT_HOLD;
int			gofive_copied_requests = GOFIVE_COPIED_HOLD;

static const struct config_enum_entry in_doubt_options[] = {
	{"hold", GOFIVE_IN_DOUBT_HOLD, false},
	{"resend", GOFIVE_IN_DOUBT_RESEND, false},
	{NULL, 0, false}
};

static const struct config_enum_entry copied_options[] = {
	{"hold", GOFIVE_COPIED_HOLD, false},
	{"send", GOFIVE_COPIED_SEND, false},
	{NULL, 0, false}
};

static bool
check_database(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && strlen(*newval) >= NAMEDATALEN)
	{
		GUC_check_errdetail("gofive.database must be empty or a database name.");
		return false;
	}
	return true;
}

static void
define_worker_settings(void)
{
	DefineCustomStringVariable("gofive.database",
							   "Serve only this database (empty: every database where gofive is installed).",
							   NULL,
							   &gofive_database,
							   "",
							   PGC_SIGHUP, 0,
							   check_database, NULL, NULL);
	DefineCustomIntVariable("gofive.max_workers",
							"Largest number of databases served at once (one delivery worker each).",
							"Each takes a background worker: max_worker_processes must leave room for them and the launcher.",
							&gofive_max_workers,
							4, 1, 1000,
							/*
							 * PostgreSQL refuses (FATAL) to define a postmaster
							 * setting after start-up, that is when a session
							 * loads gofive without shared preloading; there it
							 * serves nothing and can be reloadable.
							 */
							process_shared_preload_libraries_in_progress ? PGC_POSTMASTER : PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.max_concurrency",
							"Largest number of requests the worker keeps in flight per account.",
							NULL,
							&gofive_max_concurrency,
							16, 1, 1000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.batch_size",
							"Most rows a claim of the worker reads ahead for a lane, and most outcomes it records in one transaction.",
							NULL,
							&gofive_batch_size,
							500, 1, 10000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.max_attempts",
							"Attempts before a request that keeps failing transiently is dead.",
							NULL,
							&gofive_max_attempts,
							10, 1, 1000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.retry_base",
							"Delay before the first retry; it doubles with each attempt.",
							NULL,
							&gofive_retry_base_ms,
							1000, 1, 24 * 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.retry_max",
							"Longest delay between two attempts.",
							NULL,
							&gofive_retry_max_ms,
							600 * 1000, 1, 24 * 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.keep_response_size",
							"Largest answer whose data the worker keeps in gofive.outbox.response.",
							"Larger answers are judged, but their data is not stored (0: never stored).",
							&gofive_keep_response_size,
							1024 * 1024, 0, MAX_RESPONSE_LIMIT,
							PGC_SIGHUP, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("gofive.drop_undelivered",
							 "Let DROP EXTENSION gofive drop requests not delivered yet (with a warning).",
							 "Off: DROP EXTENSION gofive is refused while requests are pending or sending. "
							 "Any role may set it, but it is honoured only for a superuser or the extension's owner.",
							 &gofive_drop_undelivered,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomRealVariable("gofive.rate_limit",
							 "Most requests per second the worker sends with the default account (0: no limit).",
							 "An account of its own sets its limit with the server option rate_limit.",
							 &gofive_rate_limit,
							 0, 0, GOFIVE_MAX_RATE_LIMIT,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("gofive.in_doubt",
							 "What the worker does with a request that was on its way when it stopped, of an operation that must not be sent twice.",
							 "hold: it waits, in status in_doubt, for gofive_admin to release or cancel it; resend: it is sent again, with the same X-Request-Id.",
							 &gofive_in_doubt,
							 GOFIVE_IN_DOUBT_HOLD, in_doubt_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("gofive.copied_requests",
							 "What the worker does with undelivered requests that were queued in another database or cluster (a copy).",
							 "hold: they wait, in status held, for gofive_admin to release or cancel them; send: they are sent as if queued here.",
							 &gofive_copied_requests,
							 GOFIVE_COPIED_HOLD, copied_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("gofive.retention",
							"How long succeeded requests are kept in the outbox.",
							NULL,
							&gofive_retention_s,
							7 * 24 * 3600, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
}

/* ---- the account: gofive.server (account.c) ---- */

char	   *gofive_server = NULL;

static bool
check_server(char **newval, void **extra, GucSource source)
{
	if (strlen(*newval) >= NAMEDATALEN || gofive_has_control_characters(*newval))
	{
		GUC_check_errdetail("gofive.server must be the name of a foreign server of the gofive foreign-data wrapper, or empty.");
		return false;
	}
	return true;
}

static void
define_account_settings(void)
{
	DefineCustomStringVariable("gofive.server",
							   "The Venio account that calls and queued requests use: a foreign server of the gofive wrapper.",
							   "Empty: the default account, given by the gofive.* settings.",
							   &gofive_server,
							   "",
							   PGC_USERSET, 0,
							   check_server, NULL, NULL);
}

/* ---- dates and times: gofive.time_zone (datetime.c) ---- */

char	   *gofive_time_zone = NULL;

static bool
check_time_zone(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || **newval == '\0' || pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("gofive.time_zone must be a time zone name, such as Asia/Bangkok.");
		return false;
	}
	return true;
}

static void
define_datetime_settings(void)
{
	DefineCustomStringVariable("gofive.time_zone",
							   "Time zone in which SQL dates and times are written for the API.",
							   "A date or timestamp is a wall-clock time there; a timestamptz is written with its offset.",
							   &gofive_time_zone,
							   "Asia/Bangkok",
							   PGC_USERSET, 0,
							   check_time_zone, NULL, NULL);
}

/* ---- the conversion of a body: gofive.unknown_fields (validate.c) ---- */

int			gofive_unknown_fields = GOFIVE_UNKNOWN_ERROR;

static const struct config_enum_entry unknown_field_options[] = {
	{"error", GOFIVE_UNKNOWN_ERROR, false},
	{"warning", GOFIVE_UNKNOWN_WARNING, false},
	{"send", GOFIVE_UNKNOWN_SEND, false},
	{NULL, 0, false}
};

static void
define_conversion_settings(void)
{
	DefineCustomEnumVariable("gofive.unknown_fields",
							 "What a key that is no documented field of the operation does: error, warning or send.",
							 "error refuses the request; warning sends it and warns; send sends it.",
							 &gofive_unknown_fields,
							 GOFIVE_UNKNOWN_ERROR, unknown_field_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
}

/*
 * Define every gofive.* setting, then reserve the prefix, so that a
 * misspelt gofive.x is an error rather than a placeholder.  The order is
 * the one the settings were always defined in.
 */
void
gofive_define_settings(void)
{
	define_call_settings();
	define_worker_settings();
	define_account_settings();
	define_datetime_settings();
	define_conversion_settings();
	MarkGUCPrefixReserved("gofive");
}
