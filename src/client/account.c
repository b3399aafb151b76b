/*
 * src/client/account.c
 *		Venio accounts: which base URL, credentials and connection settings a
 *		call or a queued request uses.
 *
 * An account is a foreign server of the foreign-data wrapper "gofive", the
 * way PostgreSQL keeps remote credentials:
 *
 *	CREATE SERVER venio_b FOREIGN DATA WRAPPER gofive OPTIONS (base_url '...');
 *	CREATE USER MAPPING FOR PUBLIC SERVER venio_b
 *		OPTIONS (client_id '...', client_secret '...', subscription_key '...');
 *	GRANT USAGE ON FOREIGN SERVER venio_b TO erp_app;
 *	SET gofive.server = 'venio_b';
 *
 * An empty gofive.server is the default account: the gofive.* settings.
 * A server's options override the matching gofive.* settings (the others
 * come from them); the credentials come from the user mapping of the role
 * (or PUBLIC), never from the settings.
 *
 * Invariants:
 *	 - using an account needs USAGE on its server and a user mapping, for the
 *	   calling role (the synchronous path, enqueueing) or for the role that
 *	   enqueued the request (the worker); all three credentials must be set;
 *	 - everything here reads the catalogs through the caches, with C
 *	   functions: no SQL runs, so nothing of a role's search_path is used;
 *	 - no option value is ever quoted in a message (secrets live there);
 *	 - ca_file and ssl_verify, which weaken or redirect certificate checks
 *	   and make the server read a file, may be set by a superuser only, like
 *	   the gofive.ca_file and gofive.ssl_verify settings.
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "common/cryptohash.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "fdw.h"
#include "outbox.h"

PG_FUNCTION_INFO_V1(gofive_fdw_validator);

typedef enum OptionKind
{
	OPT_URL,
	OPT_MILLISECONDS,
	OPT_BOOL,
	OPT_TEXT,
	OPT_SECRET,
	OPT_COST,					/* request_cost: a non-negative number (fdw.c) */
	OPT_RATE,					/* rate_limit: requests per second, 0 for none */
	OPT_PAGES,					/* read_ahead: pages, 0 to GOFIVE_MAX_READ_AHEAD */
	OPT_RESOURCE				/* a foreign table's resource (fdw_resources.c) */
} OptionKind;

typedef struct AccountOption
{
	const char *name;
	Oid			catalog;		/* ForeignServerRelationId or UserMappingRelationId */
	OptionKind	kind;
	bool		superuser_only;
} AccountOption;

static const AccountOption account_options[] = {
	{"base_url", ForeignServerRelationId, OPT_URL, false},
	{"timeout", ForeignServerRelationId, OPT_MILLISECONDS, false},
	{"connect_timeout", ForeignServerRelationId, OPT_MILLISECONDS, false},
	{"ca_file", ForeignServerRelationId, OPT_TEXT, true},
	{"ssl_verify", ForeignServerRelationId, OPT_BOOL, true},
	{"request_cost", ForeignServerRelationId, OPT_COST, false},
	{"rate_limit", ForeignServerRelationId, OPT_RATE, false},
	{"async_capable", ForeignServerRelationId, OPT_BOOL, false},
	{"read_ahead", ForeignServerRelationId, OPT_PAGES, false},
	{"resource", ForeignTableRelationId, OPT_RESOURCE, false},
	{"client_id", UserMappingRelationId, OPT_TEXT, false},
	{"client_secret", UserMappingRelationId, OPT_SECRET, false},
	{"subscription_key", UserMappingRelationId, OPT_SECRET, false},
};

#define MAX_TIMEOUT_MS (3600 * 1000)	/* as gofive.timeout */

/* ---- the validator of CREATE/ALTER SERVER and USER MAPPING ---- */

static const char *
context_name(Oid catalog)
{
	if (catalog == ForeignServerRelationId)
		return "a gofive server";
	if (catalog == UserMappingRelationId)
		return "a user mapping of a gofive server";
	if (catalog == ForeignDataWrapperRelationId)
		return "the foreign-data wrapper gofive";
	if (catalog == ForeignTableRelationId)
		return "a foreign table of a gofive server";
	if (catalog == AttributeRelationId)
		return "a column of a gofive foreign table";
	return "this object";
}

static void
raise_unknown_option(const char *name, Oid catalog)
{
	StringInfoData valid;

	initStringInfo(&valid);
	for (size_t i = 0; i < lengthof(account_options); i++)
		if (account_options[i].catalog == catalog)
			appendStringInfo(&valid, "%s%s", valid.len ? ", " : "", account_options[i].name);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\" for %s", name, context_name(catalog)),
			 valid.len ? errhint("Valid options here are: %s.", valid.data)
			 : errhint("No options are valid here.")));
}

static void
raise_bad_value(const AccountOption *opt, const char *what)
{
	/* never the value: it may be a secret */
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("invalid value for option \"%s\"", opt->name),
			 errdetail("The value %s.", what)));
}

static int
parse_milliseconds(const AccountOption *opt, const char *value)
{
	int			ms;

	if (!parse_int(value, &ms, GUC_UNIT_MS, NULL) || ms < 1 || ms > MAX_TIMEOUT_MS)
		raise_bad_value(opt, "must be a time between 1ms and 1h, such as '30s' or '500ms'");
	return ms;
}

static bool
parse_boolean(const AccountOption *opt, const char *value)
{
	bool		b;

	if (!parse_bool(value, &b))
		raise_bad_value(opt, "must be a boolean (on or off)");
	return b;
}

/* rate_limit: requests per second the worker sends at most, 0 for no limit */
static double
parse_rate(const AccountOption *opt, const char *value)
{
	char	   *end;
	double		rate = strtod(value, &end);

	if (end == value || *end != '\0' || !(rate >= 0 && rate <= GOFIVE_MAX_RATE_LIMIT))
		raise_bad_value(opt, "must be a number of requests per second from 0 (no limit) to 100000, such as '10' or '0.5'");
	return rate;
}

static void
check_value(const AccountOption *opt, const char *value)
{
	const char *problem;

	if (opt->superuser_only && !superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may set option \"%s\"", opt->name),
				 errdetail("It decides how the API's certificate is checked.")));
	switch (opt->kind)
	{
		case OPT_URL:
			if ((problem = gofive_url_problem(value)) != NULL)
				raise_bad_value(opt, problem);
			break;
		case OPT_MILLISECONDS:
			(void) parse_milliseconds(opt, value);
			break;
		case OPT_BOOL:
			(void) parse_boolean(opt, value);
			break;
		case OPT_COST:
			{
				char	   *end;
				double		cost = strtod(value, &end);

				if (end == value || *end != '\0' || !(cost >= 0 && cost < 1e9))
					raise_bad_value(opt, "must be a number of cost units, 0 or more, such as '100'");
				break;
			}
		case OPT_RATE:
			(void) parse_rate(opt, value);
			break;
		case OPT_PAGES:
			{
				int			pages;

				if (!parse_int(value, &pages, 0, NULL) || pages < 0 ||
					pages > GOFIVE_MAX_READ_AHEAD)
					raise_bad_value(opt, psprintf("must be a number of pages from 0 to %d",
												  GOFIVE_MAX_READ_AHEAD));
				break;
			}
		case OPT_RESOURCE:
			if (gofive_find_resource(value) == NULL)
				raise_bad_value(opt, psprintf("must be one of %s", gofive_resource_names()));
			break;
		case OPT_TEXT:
		case OPT_SECRET:
			if (*value == '\0')
				raise_bad_value(opt, "must not be empty");
			if (gofive_has_control_characters(value))
				raise_bad_value(opt, "must not contain control characters");
			break;
	}
}

static const AccountOption *
find_option(const char *name, Oid catalog)
{
	for (size_t i = 0; i < lengthof(account_options); i++)
		if (account_options[i].catalog == catalog && strcmp(account_options[i].name, name) == 0)
			return &account_options[i];
	return NULL;
}

static DefElem *
find_named(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
		if (strcmp(((DefElem *) lfirst(lc))->defname, name) == 0)
			return (DefElem *) lfirst(lc);
	return NULL;
}

/* gofive.fdw_validator(options text[], catalog oid) */
Datum
gofive_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	ListCell   *lc;

	gofive_check_version();
	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const AccountOption *opt = find_option(def->defname, catalog);

		if (opt == NULL)
			raise_unknown_option(def->defname, catalog);
		check_value(opt, defGetString(def));
	}
	if (catalog == ForeignTableRelationId && find_named(options, "resource") == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a foreign table of a gofive server needs option \"resource\""),
				 errhint("OPTIONS (resource '...'), one of: %s.", gofive_resource_names())));
	PG_RETURN_VOID();
}

/* ---- resolving an account ---- */

/* What a token belongs to: SHA-256 of base_url and the three credentials. */
static void
compute_key(GofiveAccount *acct)
{
	const char *parts[] = {acct->base_url, acct->client_id, acct->client_secret,
	acct->subscription_key};
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not start a SHA-256 hash");
	for (size_t i = 0; i < lengthof(parts); i++)
	{
		const char *p = parts[i] ? parts[i] : "";

		/* with the terminating NUL, so that no two lists hash alike */
		if (pg_cryptohash_update(ctx, (const uint8 *) p, strlen(p) + 1) < 0)
			elog(ERROR, "could not hash an account");
	}
	if (pg_cryptohash_final(ctx, acct->key, sizeof(acct->key)) < 0)
		elog(ERROR, "could not hash an account");
	pg_cryptohash_free(ctx);
}

static const char *
without_trailing_slash(const char *url)
{
	size_t		len = strlen(url);

	if (len > 0 && url[len - 1] == '/')
		return pnstrdup(url, len - 1);
	return pstrdup(url);
}

/* The default account: the gofive.* settings. */
static void
from_settings(GofiveAccount *acct)
{
	acct->server = NULL;
	acct->base_url = pstrdup(gofive_base_url ? gofive_base_url : "");
	acct->client_id = pstrdup(gofive_client_id ? gofive_client_id : "");
	acct->client_secret = pstrdup(gofive_client_secret ? gofive_client_secret : "");
	acct->subscription_key = pstrdup(gofive_subscription_key ? gofive_subscription_key : "");
	acct->timeout_ms = gofive_timeout_ms;
	acct->connect_timeout_ms = gofive_connect_timeout_ms;
	acct->ca_file = pstrdup(gofive_ca_file ? gofive_ca_file : "");
	acct->ssl_verify = gofive_ssl_verify;
	acct->rate_limit = gofive_rate_limit;
}

static void
apply_options(GofiveAccount *acct, List *options, Oid catalog)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *value = defGetString(def);
		const AccountOption *opt = find_option(def->defname, catalog);

		if (opt == NULL)
			continue;			/* the validator let nothing else in */
		if (strcmp(opt->name, "base_url") == 0)
			acct->base_url = without_trailing_slash(value);
		else if (strcmp(opt->name, "timeout") == 0)
			acct->timeout_ms = parse_milliseconds(opt, value);
		else if (strcmp(opt->name, "connect_timeout") == 0)
			acct->connect_timeout_ms = parse_milliseconds(opt, value);
		else if (strcmp(opt->name, "ca_file") == 0)
			acct->ca_file = pstrdup(value);
		else if (strcmp(opt->name, "ssl_verify") == 0)
			acct->ssl_verify = parse_boolean(opt, value);
		else if (strcmp(opt->name, "rate_limit") == 0)
			acct->rate_limit = parse_rate(opt, value);
		else if (strcmp(opt->name, "client_id") == 0)
			acct->client_id = pstrdup(value);
		else if (strcmp(opt->name, "client_secret") == 0)
			acct->client_secret = pstrdup(value);
		else if (strcmp(opt->name, "subscription_key") == 0)
			acct->subscription_key = pstrdup(value);
	}
}

static GofiveAccount *
problem(GofiveAccountProblem *p, int sqlstate, char *message, char *hint)
{
	p->sqlstate = sqlstate;
	p->message = message;
	p->hint = hint;
	return NULL;
}

static bool
has_user_mapping(Oid role, Oid serverid)
{
	return SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(role),
								 ObjectIdGetDatum(serverid)) ||
		SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							  ObjectIdGetDatum(serverid));
}

static const char *
missing_credential(const GofiveAccount *acct)
{
	if (*acct->client_id == '\0')
		return "client_id";
	if (*acct->client_secret == '\0')
		return "client_secret";
	if (*acct->subscription_key == '\0')
		return "subscription_key";
	return NULL;
}

/*
 * The account named server (NULL: the default one) as used by role, or
 * NULL with *p saying why it cannot be used.  Raises only on internal
 * failures, so the worker can call it in a transaction without a
 * subtransaction.  The default account is not checked here: its missing
 * settings are reported when a token is fetched, as they always were.
 */
GofiveAccount *
gofive_lookup_account(const char *server_name, Oid role, GofiveAccountProblem *p)
{
	GofiveAccount *acct = palloc0(sizeof(GofiveAccount));
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	const char *role_name;
	const char *missing;

	from_settings(acct);
	if (server_name == NULL)
	{
		compute_key(acct);
		return acct;
	}
	server = GetForeignServerByName(server_name, true);
	if (server == NULL)
		return problem(p, ERRCODE_UNDEFINED_OBJECT,
					   psprintf("account \"%s\" does not exist", server_name),
					   pstrdup("An account is a foreign server of the foreign-data wrapper gofive (CREATE SERVER ... FOREIGN DATA WRAPPER gofive)."));
	fdw = GetForeignDataWrapper(server->fdwid);
	if (strcmp(fdw->fdwname, "gofive") != 0)
		return problem(p, ERRCODE_WRONG_OBJECT_TYPE,
					   psprintf("server \"%s\" is not a gofive account: its foreign-data wrapper is \"%s\"",
								server_name, fdw->fdwname),
					   NULL);
	role_name = GetUserNameFromId(role, true);
	if (role_name == NULL)
		role_name = psprintf("%u", role);
	if (pg_foreign_server_aclcheck(server->serverid, role, ACL_USAGE) != ACLCHECK_OK)
		return problem(p, ERRCODE_INSUFFICIENT_PRIVILEGE,
					   psprintf("permission denied for foreign server %s (role \"%s\")",
								server_name, role_name),
					   psprintf("GRANT USAGE ON FOREIGN SERVER %s TO the role.", server_name));
	if (!has_user_mapping(role, server->serverid))
		return problem(p, ERRCODE_GOFIVE_NOT_CONFIGURED,
					   psprintf("no user mapping for role \"%s\" on server \"%s\"",
								role_name, server_name),
					   psprintf("CREATE USER MAPPING FOR PUBLIC SERVER %s OPTIONS (client_id '...', client_secret '...', subscription_key '...').",
								server_name));
	acct->server = pstrdup(server->servername);
	/* never the default account's credentials: they would go to this base_url */
	acct->client_id = acct->client_secret = acct->subscription_key = "";
	/* nor its rate limit: the quota is the subscription key's */
	acct->rate_limit = 0;
	apply_options(acct, server->options, ForeignServerRelationId);
	apply_options(acct, GetUserMapping(role, server->serverid)->options,
				  UserMappingRelationId);
	if ((missing = missing_credential(acct)) != NULL)
		return problem(p, ERRCODE_GOFIVE_NOT_CONFIGURED,
					   psprintf("option \"%s\" of the user mapping for role \"%s\" on server \"%s\" is not set",
								missing, role_name, server_name),
					   psprintf("ALTER USER MAPPING FOR ... SERVER %s OPTIONS (ADD %s '...').",
								server_name, missing));
	compute_key(acct);
	return acct;
}

void
gofive_raise_account_problem(const GofiveAccountProblem *p)
{
	ereport(ERROR,
			(errcode(p->sqlstate),
			 errmsg_internal("%s", p->message),
			 p->hint ? errhint("%s", p->hint) : 0));
}

/* The account of a call made now, by the current user. */
const GofiveAccount *
gofive_current_account(void)
{
	GofiveAccountProblem p;
	const char *name = (gofive_server && *gofive_server) ? gofive_server : NULL;
	GofiveAccount *acct = gofive_lookup_account(name, GetUserId(), &p);

	if (acct == NULL)
		gofive_raise_account_problem(&p);
	return acct;
}

/*
 * The account a request queued now records (NULL: the default one), after
 * checking that the current user may use it, so that nothing is written
 * for an account the worker could not use.
 */
const char *
gofive_enqueue_account(void)
{
	const GofiveAccount *acct;

	if (gofive_server == NULL || *gofive_server == '\0')
		return NULL;
	acct = gofive_current_account();
	return acct->server;
}

/*
 * The address of path at the account: its base URL (kept without a trailing
 * slash) and the path, joined with two copies (the worker does this for
 * every request; psprintf's formatting costs more).
 */
char *
gofive_account_url(const GofiveAccount *acct, const char *path)
{
	size_t		base_len = strlen(acct->base_url);
	size_t		path_len = strlen(path);
	char	   *url = palloc(base_len + path_len + 1);

	memcpy(url, acct->base_url, base_len);
	memcpy(url + base_len, path, path_len + 1);
	return url;
}
