/*
 * src/fdw/fdw_resources.c
 *		The CRM's readable resources as foreign tables: which catalog
 *		operations read each one, its key, its columns.
 *
 * One table (resources[] below) names, per resource, its list or enquiry
 * operation, its get-by-key operation and its key; everything else comes
 * from the operation catalog (src/catalog.c): the filter columns are the
 * list operation's scalar body fields (take and skip excepted) and its
 * query parameters, the required filters are the ones the catalog marks
 * required.  Invariants:
 *	 - a column's wire name is its name in camelCase (gofive_wire_name);
 *	 - a resource without a list operation can only be read by key, so its
 *	   key is its required filter;
 *	 - "data" (jsonb) is the whole record.
 */
#include "postgres.h"

#include "foreign/foreign.h"
#include "commands/defrem.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "fdw.h"

static const char *const quotation_fields[] = {"quotationSubject:text", "quotationValidUntil:text", NULL};
static const char *const product_fields[] = {"productName:text", "qty:integer", NULL};
static const char *const expense_fields[] = {"subject:text", NULL};
static const char *const contract_fields[] = {"contractName:text", "customerCode:text",
"dateStart:text", "dateEnd:text", NULL};
static const char *const sales_order_fields[] = {"quotationNo:text", "customerCode:text", NULL};
static const char *const event_fields[] = {"eventName:text", "eventType:integer", "eventDate:text", NULL};
static const char *const event_type_fields[] = {"eventTypeName:text", NULL};
static const char *const unit_fields[] = {"unitName:text", NULL};

/*
 * Filters that the records do not carry (docs/api.md, Operations: a
 * product has no smartSearch; an expense's types are in its
 * expenseDetails; a customer event has customerId, not customerCode): the
 * API alone applies them, and their columns show the value the query gave.
 * Every other filter is a field of the record, and each row is checked
 * against it.
 */
static const char *const product_params[] = {"productFor", "typeFor", "smartSearch", "orderBy", NULL};
static const char *const expense_params[] = {"expenseTypeId", "searchText", "dateStart", "dateEnd",
NULL};
static const char *const event_params[] = {"customerCode", "eventTypeIds", "dateFrom", "dateTo", NULL};

/* the key is given as "field:type" */
static const GofiveResource resources[] = {
	{"quotations", "enquire_quotations", "get_quotation", "quotationNo:text", NULL, quotation_fields,
	NULL},
	{"products", "enquire_products", "get_product", "productCode:text", "{\"status\": [0, 1]}",
	product_fields, product_params},
	{"expenses", "enquire_expenses", "get_expense", "expenseId:text", NULL, expense_fields,
	expense_params},
	{"contracts", NULL, "get_contract", "contractNo:text", NULL, contract_fields, NULL},
	{"sales_orders", NULL, "get_sales_order", "salesOrderNo:text", NULL, sales_order_fields, NULL},
	{"customer_events", "list_customer_events", NULL, "eventId:bigint", NULL, event_fields,
	event_params},
	{"customer_event_types", "list_customer_event_types", NULL, "eventTypeId:bigint", NULL,
	event_type_fields, NULL},
	{"product_units", "list_product_units", NULL, "unitId:bigint", NULL, unit_fields, NULL},
};

const GofiveResource *
gofive_find_resource(const char *name)
{
	for (size_t i = 0; i < lengthof(resources); i++)
		if (strcmp(resources[i].name, name) == 0)
			return &resources[i];
	return NULL;
}

/* "quotations, products, ...", for messages */
const char *
gofive_resource_names(void)
{
	StringInfoData s;

	initStringInfo(&s);
	for (size_t i = 0; i < lengthof(resources); i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", resources[i].name);
	return s.data;
}

/* The resource of a foreign table, from its "resource" option. */
const GofiveResource *
gofive_resource_of(Oid relid)
{
	ForeignTable *table = GetForeignTable(relid);
	ListCell   *lc;

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "resource") == 0)
			return gofive_find_resource(defGetString(def));
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
			 errmsg("foreign table \"%s\" has no option \"resource\"", get_rel_name(relid)),
			 errhint("ALTER FOREIGN TABLE ... OPTIONS (ADD resource '...'), one of: %s.",
					 gofive_resource_names())));
	return NULL;				/* keep the compiler quiet */
}

/* quotation_no -> quotationNo */
char *
gofive_wire_name(const char *column)
{
	StringInfoData s;

	initStringInfo(&s);
	for (const char *p = column; *p; p++)
	{
		if (*p == '_' && p[1] != '\0')
			appendStringInfoChar(&s, pg_toupper((unsigned char) *++p));
		else
			appendStringInfoChar(&s, *p);
	}
	return s.data;
}

/* quotationNo -> quotation_no */
char *
gofive_column_name(const char *wire)
{
	StringInfoData s;

	initStringInfo(&s);
	for (const char *p = wire; *p; p++)
	{
		if (*p >= 'A' && *p <= 'Z')
		{
			if (s.len > 0)
				appendStringInfoChar(&s, '_');
			appendStringInfoChar(&s, pg_tolower((unsigned char) *p));
		}
		else
			appendStringInfoChar(&s, *p);
	}
	return s.data;
}

static bool
is_scalar(const GofiveField *f)
{
	return f->type == GOFIVE_STRING || f->type == GOFIVE_INTEGER || f->type == GOFIVE_NUMBER ||
		f->type == GOFIVE_BOOLEAN;
}

static bool
is_paging(const GofiveOperation *op, const char *wire)
{
	return (op->take_field && strcmp(op->take_field, wire) == 0) ||
		(op->skip_field && strcmp(op->skip_field, wire) == 0);
}

static bool
key_is(const GofiveResource *res, const char *wire)
{
	size_t		len = strlen(wire);

	return res->key && strncmp(res->key, wire, len) == 0 && res->key[len] == ':';
}

/*
 * Where a condition on this wire field goes: the get-by-key path (for_get,
 * the key), a query parameter or a body field of the list operation, or
 * nowhere (checked locally).
 */
GofiveTarget
gofive_filter_target(const GofiveResource *res, const char *wire, bool for_get)
{
	const GofiveOperation *op;
	const GofiveField *f;

	if (for_get && res->get_op && key_is(res, wire))
		return GOFIVE_TO_PATH;
	if (res->list_op == NULL)
		return GOFIVE_TO_NOWHERE;
	op = gofive_find_operation(res->list_op);
	for (int i = 0; op->args[i].sql_name; i++)
		if (op->args[i].kind == GOFIVE_ARG_QUERY && strcmp(op->args[i].wire_name, wire) == 0)
			return GOFIVE_TO_QUERY;
	f = gofive_find_field(op->fields, wire);
	if (f && is_scalar(f) && !is_paging(op, wire))
		return GOFIVE_TO_BODY;
	return GOFIVE_TO_NOWHERE;
}

/*
 * Whether the resource's defaults give this body field (a text search is
 * enough: the defaults are a literal of the table above, one level deep).
 */
static bool
has_default(const GofiveResource *res, const char *wire)
{
	char	   *quoted = psprintf("\"%s\"", wire);

	return res->defaults && strstr(res->defaults, quoted) != NULL;
}

/*
 * The wire name of a filter without which the resource cannot be read
 * (without a key), or NULL: the key when there is no list operation, else
 * the list operation's first required query parameter or body field.
 */
const char *
gofive_required_filter(const GofiveResource *res)
{
	const GofiveOperation *op;

	if (res->list_op == NULL)
		return pnstrdup(res->key, strchr(res->key, ':') - res->key);
	op = gofive_find_operation(res->list_op);
	for (int i = 0; op->args[i].sql_name; i++)
		if (op->args[i].kind == GOFIVE_ARG_QUERY && !op->args[i].optional)
			return op->args[i].wire_name;
	for (const GofiveField *f = op->fields; f && f->name; f++)
		if ((f->flags & GOFIVE_REQUIRED) && !is_paging(op, f->name) && !has_default(res, f->name))
			return f->name;
	return NULL;
}

/*
 * Whether a filter is a request parameter rather than a field of the
 * record: its column shows the value the query gave, and the API alone
 * applies it.
 */
bool
gofive_is_request_parameter(const GofiveResource *res, const char *wire)
{
	for (const char *const *p = res->params; p && *p; p++)
		if (strcmp(*p, wire) == 0)
			return true;
	return false;
}

/* ---- IMPORT FOREIGN SCHEMA ---- */

static const char *
sql_type(GofiveJsonType t)
{
	switch (t)
	{
		case GOFIVE_INTEGER:
			return "integer";
		case GOFIVE_NUMBER:
			return "numeric";
		case GOFIVE_BOOLEAN:
			return "boolean";
		default:
			return "text";
	}
}

/* A SQL type's name in pg_catalog ("integer" is a keyword, int4 a name). */
static const char *
catalog_type(const char *type)
{
	if (strcmp(type, "integer") == 0)
		return "int4";
	if (strcmp(type, "bigint") == 0)
		return "int8";
	if (strcmp(type, "boolean") == 0)
		return "bool";
	return type;				/* text, numeric, jsonb */
}

/* Add "wire:type" as a column unless one of that name is there. */
static void
add_column(StringInfo cols, List **seen, const char *wire, const char *type)
{
	char	   *name = gofive_column_name(wire);
	ListCell   *lc;

	foreach(lc, *seen)
		if (strcmp((char *) lfirst(lc), name) == 0)
			return;
	*seen = lappend(*seen, name);
	/* schema-qualified: the importing role's search_path cannot change it */
	appendStringInfo(cols, "%s    %s pg_catalog.%s", cols->len ? ",\n" : "", quote_identifier(name),
					 catalog_type(type));
}

static void
add_spec(StringInfo cols, List **seen, const char *spec)
{
	const char *colon = strchr(spec, ':');

	add_column(cols, seen, pnstrdup(spec, colon - spec), colon + 1);
}

static char *
create_statement(const GofiveResource *res, const char *server)
{
	StringInfoData cols;
	List	   *seen = NIL;

	initStringInfo(&cols);
	if (res->key)
		add_spec(&cols, &seen, res->key);
	if (res->list_op)
	{
		const GofiveOperation *op = gofive_find_operation(res->list_op);

		for (int i = 0; op->args[i].sql_name; i++)
			if (op->args[i].kind == GOFIVE_ARG_QUERY)
				add_column(&cols, &seen, op->args[i].wire_name, op->args[i].sql_type);
		for (const GofiveField *f = op->fields; f && f->name; f++)
			if (is_scalar(f) && !is_paging(op, f->name))
				add_column(&cols, &seen, f->name, sql_type(f->type));
	}
	for (const char *const *spec = res->fields; spec && *spec; spec++)
		add_spec(&cols, &seen, *spec);
	add_column(&cols, &seen, "data", "jsonb");
	return psprintf("CREATE FOREIGN TABLE %s (\n%s\n) SERVER %s OPTIONS (resource %s)",
					quote_identifier(res->name), cols.data, quote_identifier(server),
					quote_literal_cstr(res->name));
}

static bool
listed(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0)
			return true;
	return false;
}

/*
 * One CREATE FOREIGN TABLE per resource; with LIMIT TO (limit_to, names
 * in only) or EXCEPT (names in except) as the statement says.
 */
List *
gofive_import_statements(const char *server, List *only, List *except, bool limit_to)
{
	List	   *stmts = NIL;

	for (size_t i = 0; i < lengthof(resources); i++)
	{
		if (limit_to && !listed(only, resources[i].name))
			continue;
		if (listed(except, resources[i].name))
			continue;
		stmts = lappend(stmts, create_statement(&resources[i], server));
	}
	return stmts;
}
