/*
 * handlers.c
 *		What each API operation does, keyed by the catalog operation's name.
 *
 * The router (http.c) finds the catalog operation; this file looks up its
 * handler in handler_table.  Unless the entry says the handler implements
 * the documented messages itself, the body is first checked generically
 * against the catalog (validate.c).  A handler either sets the success data,
 * which is wrapped in the operation's envelope, or adds messages, which make
 * a 400 in the operation's error envelope.
 *
 * An operation in the catalog without an entry here is still served, by the
 * echo handler, so that adding an operation to the catalog makes it routable.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers_internal.h"

#define DEAL_STATUS_OPEN		702
#define CONTRACT_STATUS_OPEN	1601

/* Dates in responses look like 2023-01-26T10:06:27+0700 (Bangkok). */
#define RESPONSE_DATE_FORMAT	"%Y-%m-%dT%H:%M:%S+0700"

typedef struct HandlerEntry
{
	const char *operation;		/* catalog operation name */
	bool		own_validation; /* checks the body itself, with documented messages */
	HandlerFunc handle;
} HandlerEntry;

static void handle_create_deal(const ApiCall *call, ApiResult *result);
static void handle_upsert_contract(const ApiCall *call, ApiResult *result);
static void handle_upsert_serial(const ApiCall *call, ApiResult *result);
static void handle_echo(const ApiCall *call, ApiResult *result);

/* Every catalog operation, in catalog order. */
static const HandlerEntry handler_table[] = {
	{"upsert_customer", false, handle_upsert_customer},
	{"create_customer_satisfaction", false, handle_create_satisfaction},
	{"create_customer_event", false, handle_create_customer_event},
	{"list_customer_events", false, handle_list_customer_events},
	{"update_customer_event", false, handle_update_customer_event},
	{"list_customer_event_types", false, handle_list_event_types},
	{"create_case", false, handle_create_case},
	{"update_case", false, handle_update_case},
	{"get_contract", false, handle_get_contract},
	{"upsert_contract", false, handle_upsert_contract},
	{"upsert_contract_service", false, handle_upsert_contract_service},
	{"create_deal", false, handle_create_deal},
	{"update_deal", false, handle_update_deal},
	{"create_expense", false, handle_create_expense},
	{"update_expense", false, handle_update_expense},
	{"enquire_expenses", false, handle_enquire_expenses},
	{"get_expense", false, handle_get_expense},
	{"upsert_products", false, handle_upsert_products},
	{"list_products", false, handle_list_products},
	{"get_product", false, handle_get_product},
	{"enquire_products", false, handle_enquire_products},
	{"verify_serial", true, handle_verify_serial},
	{"get_serial_status", false, handle_get_serial_status},
	{"upsert_serial", true, handle_upsert_serial},
	{"update_product_stock", false, handle_update_product_stock},
	{"list_product_units", false, handle_list_product_units},
	{"upsert_quotation", false, handle_upsert_quotation},
	{"convert_quotation", false, handle_convert_quotation},
	{"enquire_quotations", false, handle_enquire_quotations},
	{"get_quotation", false, handle_get_quotation},
	{"get_sales_order", false, handle_get_sales_order},
	{"update_sales_order_payment", false, handle_update_payment},
	{"reject_sales_orders", false, handle_reject_sales_orders},
	{"send_chat_message", false, handle_send_chat_message},
};

/* ------------------------------------------------------------- envelopes */

/*
 * The documented success envelopes (docs/api.md, Envelopes):
 *	 A  {"status":{"code":"1000","description":"Success"},"data":...}
 *	 B  {"data":...,"statusCode":1000,"httpStatusCode":200}
 *	 C  {"data":{"value":...,"statusCode":200},"statusCode":1000,"httpStatusCode":200}
 */
static json_object *
envelope_success(const GofiveOperation *op, json_object *data, int http_status)
{
	json_object *env = json_object_new_object();

	if (op->envelope == GOFIVE_ENV_STATUS_DATA)
	{
		json_object *status = json_object_new_object();

		json_object_object_add(status, "code", json_object_new_string("1000"));
		json_object_object_add(status, "description", json_object_new_string("Success"));
		json_object_object_add(env, "status", status);
		json_object_object_add(env, "data", data);
		return env;
	}
	if (op->envelope == GOFIVE_ENV_DATA_VALUE)
	{
		json_object *wrapper = json_object_new_object();

		json_object_object_add(wrapper, "value", data);
		json_object_object_add(wrapper, "statusCode", json_object_new_int(200));
		data = wrapper;
	}
	json_object_object_add(env, "data", data);
	json_object_object_add(env, "statusCode", json_object_new_int(1000));
	json_object_object_add(env, "httpStatusCode", json_object_new_int(http_status));
	return env;
}

/*
 * A 400 in the operation's envelope; business code 4001 for one message,
 * 4002 for more.  Envelope A carries the messages joined in
 * status.description, B and C in a "messages" array.
 */
static void
reply_api_error_status(Reply *reply, const GofiveOperation *op, const MessageList *messages,
					   int http_status)
{
	int			code = messages->count > 1 ? 4002 : 4001;
	json_object *env = json_object_new_object();

	if (op->envelope == GOFIVE_ENV_STATUS_DATA)
	{
		json_object *status = json_object_new_object();
		char		code_text[8];
		char	   *joined = msg_join(messages, "; ");

		snprintf(code_text, sizeof(code_text), "%d", code);
		json_object_object_add(status, "code", json_object_new_string(code_text));
		json_object_object_add(status, "description", json_object_new_string(joined));
		json_object_object_add(env, "status", status);
		json_object_object_add(env, "data", NULL);
		free(joined);
	}
	else
	{
		json_object *list = json_object_new_array();

		for (int i = 0; i < messages->count; i++)
			json_object_array_add(list, json_object_new_string(messages->items[i]));
		json_object_object_add(env, "data", NULL);
		json_object_object_add(env, "statusCode", json_object_new_int(code));
		json_object_object_add(env, "httpStatusCode", json_object_new_int(http_status));
		json_object_object_add(env, "messages", list);
	}
	reply_json(reply, http_status, env);
}

void
reply_api_error(Reply *reply, const GofiveOperation *op, const MessageList *messages)
{
	reply_api_error_status(reply, op, messages, 400);
}

/* --------------------------------------------------------------- helpers */

/* A private copy of a request value (NULL stays NULL, i.e. JSON null). */
json_object *
copy_value(json_object *v)
{
	json_object *copy = NULL;

	if (v == NULL || json_object_deep_copy(v, &copy, NULL) != 0)
		return NULL;
	return copy;
}

void
now_text(char *buf, size_t size)
{
	format_bangkok_time(buf, size, time(NULL), RESPONSE_DATE_FORMAT);
}

/* A JSON string of a decoded URL value, whose bytes may not be UTF-8. */
json_object *
clean_string(const char *s)
{
	size_t		len;
	char	   *clean = utf8_sanitize(s, strlen(s), &len);
	json_object *o = json_object_new_string_len(clean, (int) len);

	free(clean);
	return o;
}

/* A 404 in the operation's error envelope: "<what> not found: <key>". */
void
fail_not_found(ApiResult *result, const char *what, const char *key)
{
	result->status = 404;
	msg_add(&result->messages, "%s not found: %s", what, key ? key : "");
}

/* dst[key] = copy of src[key], for each key present in src. */
void
copy_fields(json_object *dst, json_object *src, const char *const *keys)
{
	for (const char *const *key = keys; *key; key++)
		if (json_has_field(src, *key))
			json_object_object_add(dst, *key, copy_value(json_field(src, *key)));
}

/* prefix + yymm (Bangkok, now) + seq with digits digits: QT2511000001. */
void
make_number(char *buf, size_t size, const char *prefix, int digits, long seq)
{
	char		yymm[8];

	format_bangkok_time(yymm, sizeof(yymm), time(NULL), "%y%m");
	snprintf(buf, size, "%s%s%0*ld", prefix, yymm, digits, seq);
}

/* A whole positive number, all digits. */
bool
parse_id(const char *text, long *id)
{
	char	   *end;

	if (text == NULL || !isdigit((unsigned char) text[0]))
		return false;
	*id = strtol(text, &end, 10);
	return *end == '\0' && *id > 0;
}

const char *
json_string_or(json_object *obj, const char *key, const char *otherwise)
{
	const char *s = json_field_string(obj, key);

	return s ? s : otherwise;
}

/* ------------------------------------------------------------ create_deal */

/*
 * One object per id: {"dealsId":1,"<key>":1001} (plus "isActive":true for
 * interests), as the deal's dealsInterests and dealsLabels.
 */
static json_object *
deal_links(long deal_id, json_object *ids, const char *key, bool with_active)
{
	json_object *list = json_object_new_array();

	for (size_t i = 0; ids && i < json_object_array_length(ids); i++)
	{
		json_object *item = json_object_new_object();

		json_object_object_add(item, "dealsId", json_object_new_int64(deal_id));
		json_object_object_add(item, key, copy_value(json_object_array_get_idx(ids, i)));
		if (with_active)
			json_object_object_add(item, "isActive", json_object_new_boolean(1));
		json_object_array_add(list, item);
	}
	return list;
}

/* The deal as Venio returns it (seed 000's response example). */
static json_object *
build_deal(long deal_id, json_object *body, const char *now)
{
	json_object *deal = json_object_new_object();
	json_object *codes = json_field(body, "customerCodes");
	json_object *first = codes ? json_object_array_get_idx(codes, 0) : NULL;
	const Customer *customer = NULL;
	json_object *users = json_object_new_array();
	json_object *participants = json_field(body, "participantCodes");
	json_object *deal_date = json_field(body, "dealDate");
	json_object *stage = json_field(body, "dealStageId");
	char		deal_no[16];

	/* a code the seed does not know still makes a deal, with customerId 0 */
	if (first && json_object_is_type(first, json_type_string))
		customer = state_find_customer(json_object_get_string(first));
	snprintf(deal_no, sizeof(deal_no), "D%09ld", deal_id);
	json_object_array_add(users, copy_value(json_field(body, "assignTo")));

	json_object_object_add(deal, "dealsId", json_object_new_int64(deal_id));
	json_object_object_add(deal, "customerId", json_object_new_int64(customer ? customer->id : 0));
	json_object_object_add(deal, "dealNo", json_object_new_string(deal_no));
	json_object_object_add(deal, "dealsName", copy_value(json_field(body, "dealName")));
	json_object_object_add(deal, "dealsValue", copy_value(json_field(body, "dealValue")));
	json_object_object_add(deal, "statusId", json_object_new_int(DEAL_STATUS_OPEN));
	json_object_object_add(deal, "dealStageId", stage ? copy_value(stage) : json_object_new_int(0));
	json_object_object_add(deal, "dealsDate",
						   deal_date ? copy_value(deal_date) : json_object_new_string(now));
	json_object_object_add(deal, "expectedCloseDate", copy_value(json_field(body, "expectedCloseDate")));
	json_object_object_add(deal, "probability", copy_value(json_field(body, "probability")));
	json_object_object_add(deal, "notes", copy_value(json_field(body, "note")));
	json_object_object_add(deal, "isActive", json_object_new_boolean(1));
	json_object_object_add(deal, "boardId", copy_value(json_field(body, "boardId")));
	json_object_object_add(deal, "dateCreated", json_object_new_string(now));
	json_object_object_add(deal, "createByUserId", json_object_new_string(server_config.client_id));
	json_object_object_add(deal, "dealsInterests",
						   deal_links(deal_id, json_field(body, "dealInterests"), "topicId", true));
	json_object_object_add(deal, "dealsLabels",
						   deal_links(deal_id, json_field(body, "dealLabels"), "dealLabelId", false));
	json_object_object_add(deal, "dateFollowUp", copy_value(json_field(body, "dateFollowUp")));
	json_object_object_add(deal, "userId", users);
	json_object_object_add(deal, "participantUserIds",
						   participants ? copy_value(participants) : json_object_new_array());
	return deal;
}

/* POST /v1/deals: data is {"value":[deal],"statusCode":200} (envelope C). */
static void
handle_create_deal(const ApiCall *call, ApiResult *result)
{
	char		now[32];
	json_object *deal;
	json_object *value = json_object_new_array();

	now_text(now, sizeof(now));
	state_lock();
	deal = build_deal(state_next_deal_id(), call->body, now);
	state_add_deal(deal);
	/* the stored deal is shared with other threads; answer with a copy */
	json_object_array_add(value, copy_value(deal));
	state_unlock();
	result->data = value;
}

/* -------------------------------------------------------- upsert_contract */

/* A new contract with every ContractDto field, in the documented order. */
static json_object *
new_contract(const char *contract_no)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "contractNo", json_object_new_string(contract_no));
	json_object_object_add(c, "contractType", NULL);
	json_object_object_add(c, "statusId", json_object_new_int(CONTRACT_STATUS_OPEN));
	json_object_object_add(c, "contractName", NULL);
	json_object_object_add(c, "owner", NULL);
	json_object_object_add(c, "dateStart", NULL);
	json_object_object_add(c, "dateEnd", NULL);
	json_object_object_add(c, "contractValue", json_object_new_int(0));
	json_object_object_add(c, "contractServices", json_object_new_array());
	json_object_object_add(c, "attachments", json_object_new_array());
	json_object_object_add(c, "customerCode", NULL);
	json_object_object_add(c, "customerName", NULL);
	json_object_object_add(c, "customerType", NULL);
	return c;
}

/* CONT + yymm (Bangkok, now) + a 5-digit sequence, not yet in use. */
static void
next_contract_no(char *buf, size_t size)
{
	char		yymm[8];

	format_bangkok_time(yymm, sizeof(yymm), time(NULL), "%y%m");
	do
		snprintf(buf, size, "CONT%s%05ld", yymm, state_next_contract_sequence() % 100000);
	while (state_find_contract(buf) != NULL);
}

/* Copy the request's fields onto the stored contract. */
static void
apply_contract_fields(json_object *c, json_object *body, const Customer *customer)
{
	static const char *const copied[] = {
		"contractType", "contractName", "owner", "dateStart", "dateEnd", NULL
	};
	json_object *value = json_field(body, "contractValue");

	for (const char *const *key = copied; *key; key++)
		json_object_object_add(c, *key, copy_value(json_field(body, *key)));
	/* contractValue is optional and nullable: null or absent keeps it */
	if (value)
		json_object_object_add(c, "contractValue", copy_value(value));
	json_object_object_add(c, "customerCode", json_object_new_string(customer->code));
	json_object_object_add(c, "customerName", json_object_new_string(customer->name));
	json_object_object_add(c, "customerType", json_object_new_int(customer->type));
}

/* A given contractService is appended to the contract's services. */
static void
append_contract_service(json_object *c, json_object *service)
{
	json_object *services = json_field(c, "contractServices");
	json_object *item;

	if (service == NULL || services == NULL)
		return;
	item = json_object_new_object();
	json_object_object_add(item, "contractServiceId",
						   json_object_new_int64(state_next_contract_service_id()));
	json_object_object_add(item, "frequency", copy_value(json_field(service, "frequency")));
	json_object_object_add(item, "subject", copy_value(json_field(service, "subject")));
	json_object_object_add(item, "numberOfTimes", copy_value(json_field(service, "numberOfTimes")));
	json_object_object_add(item, "agreementNote", copy_value(json_field(service, "agreementNote")));
	json_object_array_add(services, item);
}

/*
 * POST /v1/contract: contractNo null or absent creates a contract with a new
 * number; a contractNo updates that contract.  The customer must exist.
 */
static void
handle_upsert_contract(const ApiCall *call, ApiResult *result)
{
	json_object *body = call->body;
	const char *contract_no = json_field_string(body, "contractNo");
	const Customer *customer = state_find_customer(json_field_string(body, "customerCode"));
	json_object *contract;

	if (customer == NULL)
	{
		msg_add(&result->messages, "customer not found");
		return;
	}

	state_lock();
	if (contract_no)
	{
		contract = state_find_contract(contract_no);
		if (contract == NULL)
		{
			state_unlock();
			msg_add(&result->messages, "contract not found");
			return;
		}
	}
	else
	{
		char		number[32];

		next_contract_no(number, sizeof(number));
		contract = new_contract(number);
		state_add_contract(number, contract);
	}
	apply_contract_fields(contract, body, customer);
	append_contract_service(contract, json_field(body, "contractService"));
	result->data = copy_value(contract);
	state_unlock();
}

/* ---------------------------------------------------------- upsert_serial */

/*
 * Running numbers are issued by Venio; this server treats every "MN"
 * followed by digits as issued.
 */
static bool
running_number_issued(const char *running_number)
{
	const char *p;

	if (strncmp(running_number, "MN", 2) != 0 || running_number[2] == '\0')
		return false;
	for (p = running_number + 2; *p; p++)
		if (!isdigit((unsigned char) *p))
			return false;
	return true;
}

/* No body, an empty body, null, {} or []. */
static bool
payload_is_empty(json_object *body)
{
	if (body == NULL)
		return true;
	if (json_object_is_type(body, json_type_object))
		return json_object_object_length(body) == 0;
	if (json_object_is_type(body, json_type_array))
		return json_object_array_length(body) == 0;
	return false;
}

/*
 * The seed page's documented checks that need no state, in the page's
 * order, plus the JSON types of the fields.  True when the body passed.
 */
static bool
check_serial_payload(const ApiCall *call, ApiResult *result)
{
	json_object *body = call->body;
	json_object *running_number;

	if (payload_is_empty(body))
	{
		msg_add(&result->messages, "empty payload");
		return false;
	}
	if (!json_object_is_type(body, json_type_object))
	{
		msg_add(&result->messages, "Invalid value: body must be object");
		return false;
	}
	running_number = json_field(body, "runningNumber");
	if (running_number == NULL ||
		(json_object_is_type(running_number, json_type_string) &&
		 json_object_get_string_len(running_number) == 0))
	{
		msg_add(&result->messages, "running number required");
		return false;
	}
	validate_body(call->op, body, VALIDATE_TYPES_ONLY, &result->messages);
	if (result->messages.count > 0)
		return false;
	if (!running_number_issued(json_object_get_string(running_number)))
	{
		msg_add(&result->messages, "serial not found");
		return false;
	}
	return true;
}

/*
 * POST /v3/products/serials (Codeguard, seed 004): bind a serial number to
 * a product under a Venio running number.  A new serial needs a product
 * code and starts active; an existing one needs a product code unless a
 * status is sent.  A null status and a null serialNumber keep what is
 * stored.
 */
static void
handle_upsert_serial(const ApiCall *call, ApiResult *result)
{
	json_object *body = call->body;
	const char *running_number;
	const char *product_code;
	const char *serial_number;
	json_object *status;
	const Product *product = NULL;
	Serial	   *serial;

	if (!check_serial_payload(call, result))
		return;
	running_number = json_field_string(body, "runningNumber");
	product_code = json_field_string(body, "productCode");
	serial_number = json_field_string(body, "serialNumber");
	status = json_field(body, "status");

	if (product_code)
	{
		product = state_find_product(product_code);
		if (product == NULL)
		{
			msg_add(&result->messages, "product not found");
			return;
		}
	}

	state_lock();
	serial = state_find_serial(running_number);
	if (serial == NULL && product == NULL)
		msg_add(&result->messages, "product code required (new codeguard)");
	else if (serial != NULL && product == NULL && status == NULL)
		msg_add(&result->messages, "product code required");
	else
	{
		if (serial == NULL)
			serial = state_add_serial(running_number);	/* starts active */
		if (product)
			serial->product = product;
		if (serial_number)
		{
			free(serial->serial_number);
			serial->serial_number = xstrdup(serial_number);
		}
		if (status)
			serial->status = json_object_get_boolean(status);
		result->data = state_serial_json(serial);
	}
	state_unlock();
}

/* ------------------------------------------------------------------ echo */

/*
 * An array body echoed for an operation whose data[] items report their
 * own outcome (e.g. Update Product Stock): every item succeeded.
 */
static json_object *
echo_items_succeeded(json_object *items)
{
	json_object *data = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(items); i++)
	{
		json_object *item = copy_value(json_object_array_get_idx(items, i));

		if (item && json_object_is_type(item, json_type_object))
		{
			json_object_object_add(item, "isSuccess", json_object_new_boolean(1));
			json_object_object_add(item, "error", NULL);
		}
		json_object_array_add(data, item);
	}
	return data;
}

/*
 * For catalog operations without a handler of their own: lists answer [],
 * others answer the request body, or the decoded path and query parameters
 * when there is no body.
 */
static void
handle_echo(const ApiCall *call, ApiResult *result)
{
	json_object *params;

	if (call->op->result == GOFIVE_RESULT_ROWS)
	{
		result->data = json_object_new_array();
		return;
	}
	if (call->op->item_status && call->body &&
		json_object_is_type(call->body, json_type_array))
	{
		result->data = echo_items_succeeded(call->body);
		return;
	}
	if (call->body)
	{
		result->data = copy_value(call->body);
		return;
	}
	params = json_object_new_object();
	for (int i = 0; i < call->route->nparams; i++)
	{
		const RouteParam *p = &call->route->params[i];
		char	   *name = xmemdup(p->name, p->name_len);

		json_object_object_add(params, name, clean_string(p->value));
		free(name);
	}
	for (int i = 0; i < call->query->count; i++)
	{
		char	   *key = utf8_sanitize(call->query->keys[i], strlen(call->query->keys[i]), NULL);

		if (!json_has_field(params, key))
			json_object_object_add(params, key, clean_string(call->query->values[i]));
		free(key);
	}
	result->data = params;
}

/* ------------------------------------------------------------- dispatch */

static const HandlerEntry *
find_handler(const char *operation)
{
	for (size_t i = 0; i < sizeof(handler_table) / sizeof(handler_table[0]); i++)
		if (strcmp(handler_table[i].operation, operation) == 0)
			return &handler_table[i];
	return NULL;
}

/* Validate (unless the handler does), run the handler, answer. */
void
handlers_run(const ApiCall *call, Reply *reply)
{
	const HandlerEntry *entry = find_handler(call->op->name);
	ApiResult	result;

	result.data = NULL;
	result.status = 0;
	msg_init(&result.messages);
	if (entry == NULL || !entry->own_validation)
		validate_body(call->op, call->body, VALIDATE_ALL, &result.messages);
	if (result.messages.count == 0)
		(entry ? entry->handle : handle_echo) (call, &result);

	if (result.messages.count > 0)
	{
		json_object_put(result.data);
		reply_api_error_status(reply, call->op, &result.messages,
							   result.status ? result.status : 400);
	}
	else
	{
		int			status = result.status ? result.status : 200;

		reply_json(reply, status, envelope_success(call->op, result.data, status));
	}
	msg_free(&result.messages);
}
