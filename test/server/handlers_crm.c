/*
 * handlers_crm.c
 *		Customers, customer events, cases, contract lookups and service
 *		agreements, deal updates, expenses and chat messages (see
 *		handlers_internal.h).  The body has already passed generic
 *		validation against the catalog; these check what needs state and the
 *		documented business rules, then change the in-memory resources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers_internal.h"

#define EXPENSE_STATUS_NEW		302
#define EXPENSE_ACCOMMODATION	1001
#define EXPENSE_FUEL			1003
#define EXPENSE_TRAINING		1005

/* The event types of Get Customer Event Types. */
static const struct
{
	int			id;
	const char *name;
}			event_types[] = {
	{1, "Meeting"}, {2, "Call"}, {3, "Visit"}, {4, "Other"},
};

#define N_EVENT_TYPES (sizeof(event_types) / sizeof(event_types[0]))

/* The customer with code; adds "customer not found" when there is none. */
static json_object *
require_customer(const char *code, ApiResult *result)
{
	json_object *c = state_get(COL_CUSTOMERS, code);

	if (c == NULL)
		msg_add(&result->messages, "customer not found: %s", code ? code : "");
	return c;
}

static json_object *
new_object_with_id(const char *key, long id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_int64(id));
	return o;
}

/* ------------------------------------------------------------- customer */

static const char *const customer_keys[] = {
	"customerName", "customerState", "customerStatus", "customerType", "customerPicture",
	"customer2ndName", "customerAliases", "customerTaxNo", "branchCode", "customerPhone",
	"customerMobile", "customerEmail", "customerPosition", "customerGender",
	"customerMaritalStatus", "customerBirthdate", "customerIncome", "creditLimit",
	"addresses", NULL
};

/* POST /v3/customers: customerCode null creates (CU + 6 digits), else updates. */
void
handle_upsert_customer(const ApiCall *call, ApiResult *result)
{
	const char *code = json_field_string(call->body, "customerCode");
	json_object *c;

	state_lock();
	if (code)
		c = require_customer(code, result);
	else
	{
		long		id = state_next_id(COL_CUSTOMERS);
		char		number[16];

		snprintf(number, sizeof(number), "CU%06ld", id);
		c = state_put(COL_CUSTOMERS, number, new_object_with_id("customerId", id));
		json_object_object_add(c, "customerCode", json_object_new_string(number));
		json_object_object_add(c, "customerType", json_object_new_int(11100));
	}
	if (c)
	{
		copy_fields(c, call->body, customer_keys);
		if (json_field(c, "customerType") == NULL)
			json_object_object_add(c, "customerType", json_object_new_int(11100));
		result->data = copy_value(c);
	}
	state_unlock();
}

static const char *const satisfaction_keys[] = {
	"SourceName", "SourceType", "Point", "CustomerCode", "DateCreated", "AnswerBy", "Comment", NULL
};

/*
 * POST /v3/customers/satisfaction (the points' range by SourceType, CSAT
 * 1-5 and NPS 1-10, is the catalog's, checked by the generic validation).
 */
void
handle_create_satisfaction(const ApiCall *call, ApiResult *result)
{
	json_object *s;

	state_lock();
	if (require_customer(json_field_string(call->body, "CustomerCode"), result))
	{
		long		id = state_next_id(COL_SATISFACTION);
		char		key[24];

		snprintf(key, sizeof(key), "%ld", id);
		s = state_put(COL_SATISFACTION, key, new_object_with_id("satisfactionId", id));
		copy_fields(s, call->body, satisfaction_keys);
		result->data = copy_value(s);
	}
	state_unlock();
}

/* ------------------------------------------------------- customer events */

static bool
event_type_known(json_object *type, ApiResult *result)
{
	long		n;

	if (type == NULL)
		return true;
	json_get_long(type, &n);
	for (size_t i = 0; i < N_EVENT_TYPES; i++)
		if (event_types[i].id == n)
			return true;
	msg_add(&result->messages, "event type not found: %ld", n);
	return false;
}

static const char *const event_keys[] = {
	"eventName", "eventDate", "eventType", "description", NULL
};

/* Apply an Add/Edit body to a stored event; false (with a message) if refused. */
static bool
apply_event(json_object *event, json_object *body, ApiResult *result)
{
	const char *code = json_field_string(body, "customerCode");
	json_object *customer = NULL;

	if (!event_type_known(json_field(body, "eventType"), result))
		return false;
	if (code && (customer = require_customer(code, result)) == NULL)
		return false;
	copy_fields(event, body, event_keys);
	if (customer)
		json_object_object_add(event, "customerId", copy_value(json_field(customer, "customerId")));
	return true;
}

/* POST /v1/customerEvent */
void
handle_create_customer_event(const ApiCall *call, ApiResult *result)
{
	json_object *event = json_object_new_object();

	json_object_object_add(event, "eventId", NULL);
	json_object_object_add(event, "description", NULL);
	state_lock();
	if (apply_event(event, call->body, result))
	{
		long		id = state_next_id(COL_EVENTS);
		char		key[24];

		snprintf(key, sizeof(key), "%ld", id);
		json_object_object_add(event, "eventId", json_object_new_int64(id));
		result->data = copy_value(state_put(COL_EVENTS, key, event));
	}
	else
		json_object_put(event);
	state_unlock();
}

/* PUT /v1/customerEvent/{eventId} */
void
handle_update_customer_event(const ApiCall *call, ApiResult *result)
{
	const char *id = route_param(call->route, "eventId");
	json_object *event;

	state_lock();
	event = state_get(COL_EVENTS, id);
	if (event == NULL)
		fail_not_found(result, "customer event", id);
	else if (apply_event(event, call->body, result))
		result->data = copy_value(event);
	state_unlock();
}

/* Whether date (its first 10 characters) is within [from, to]. */
static bool
date_within(const char *date, const char *from, const char *to)
{
	if (date == NULL)
		return from == NULL && to == NULL;
	return (from == NULL || strncmp(date, from, 10) >= 0) &&
		(to == NULL || strncmp(date, to, 10) <= 0);
}

/*
 * GET /v1/customerEvent/filter?customerCode=..&eventTypeIds=.., with the
 * body's dateFrom/dateTo (or the example's DateFrom/DateTo).
 */
void
handle_list_customer_events(const ApiCall *call, ApiResult *result)
{
	const char *code = query_get(call->query, "customerCode");
	const char *types = query_get(call->query, "eventTypeIds");
	const char *from = json_string_or(call->body, "dateFrom", json_field_string(call->body, "DateFrom"));
	const char *to = json_string_or(call->body, "dateTo", json_field_string(call->body, "DateTo"));
	json_object *customer;

	if (code == NULL || *code == '\0')
	{
		msg_add(&result->messages, "Field Required: customerCode");
		return;
	}
	state_lock();
	if ((customer = require_customer(code, result)) != NULL)
	{
		long		customer_id = json_object_get_int64(json_field(customer, "customerId"));

		result->data = json_object_new_array();
		for (size_t i = 0; i < state_count(COL_EVENTS); i++)
		{
			json_object *e = state_at(COL_EVENTS, i);

			if (json_object_get_int64(json_field(e, "customerId")) != customer_id ||
				(types && atol(types) != json_object_get_int64(json_field(e, "eventType"))) ||
				!date_within(json_field_string(e, "eventDate"), from, to))
				continue;
			json_object_array_add(result->data, copy_value(e));
		}
	}
	state_unlock();
}

/* GET /v1/customerEvent/event-types */
void
handle_list_event_types(const ApiCall *call, ApiResult *result)
{
	(void) call;
	result->data = json_object_new_array();
	for (size_t i = 0; i < N_EVENT_TYPES; i++)
	{
		json_object *t = new_object_with_id("eventTypeId", event_types[i].id);

		json_object_object_add(t, "eventTypeName", json_object_new_string(event_types[i].name));
		json_object_array_add(result->data, t);
	}
}

/* ------------------------------------------------------------------ case */

static const char *const case_keys[] = {
	"caseType", "subject", "categoryId", "dateCase", "dateDue", "assignedToUserId",
	"customerCode", "customerNo", "activityNos", "dealNos", "note", NULL
};

static bool
case_customer_known(json_object *body, ApiResult *result)
{
	const char *code = json_string_or(body, "customerCode", json_field_string(body, "customerNo"));

	return code == NULL || require_customer(code, result) != NULL;
}

/* POST /v1/case: numbered T + yymm + 5 digits (T250200010). */
void
handle_create_case(const ApiCall *call, ApiResult *result)
{
	char		case_no[24];
	json_object *c;

	state_lock();
	if (case_customer_known(call->body, result))
	{
		make_number(case_no, sizeof(case_no), "T", 5, state_next_id(COL_CASES));
		c = state_put(COL_CASES, case_no, json_object_new_object());
		json_object_object_add(c, "caseNo", json_object_new_string(case_no));
		copy_fields(c, call->body, case_keys);
		result->data = copy_value(c);
	}
	state_unlock();
}

/* PUT /v1/case/{caseNo} */
void
handle_update_case(const ApiCall *call, ApiResult *result)
{
	const char *case_no = route_param(call->route, "caseNo");
	json_object *c;

	state_lock();
	c = state_get(COL_CASES, case_no);
	if (c == NULL)
		fail_not_found(result, "case", case_no);
	else if (case_customer_known(call->body, result))
	{
		copy_fields(c, call->body, case_keys);
		result->data = copy_value(c);
	}
	state_unlock();
}

/* -------------------------------------------------------------- contract */

/* GET /v1/contract/{no} */
void
handle_get_contract(const ApiCall *call, ApiResult *result)
{
	const char *no = route_param(call->route, "no");
	json_object *c;

	state_lock();
	c = state_find_contract(no);
	if (c == NULL)
		fail_not_found(result, "contract", no);
	else
		result->data = copy_value(c);
	state_unlock();
}

static json_object *
find_service(json_object *services, long id)
{
	for (size_t i = 0; i < json_object_array_length(services); i++)
	{
		json_object *s = json_object_array_get_idx(services, i);

		if (json_object_get_int64(json_field(s, "contractServiceId")) == id)
			return s;
	}
	return NULL;
}

static const char *const service_keys[] = {
	"frequency", "subject", "numberOfTimes", "agreementNote", NULL
};

/*
 * POST /v1/contract/service-agreement: contractServiceId null appends a
 * service to the contract, a number updates that service.
 */
void
handle_upsert_contract_service(const ApiCall *call, ApiResult *result)
{
	const char *no = json_field_string(call->body, "contractNo");
	json_object *id = json_field(call->body, "contractServiceId");
	json_object *contract;
	json_object *service = NULL;

	state_lock();
	contract = state_find_contract(no);
	if (contract == NULL)
		msg_add(&result->messages, "contract not found: %s", no);
	else if (id != NULL)
	{
		service = find_service(json_field(contract, "contractServices"), json_object_get_int64(id));
		if (service == NULL)
			msg_add(&result->messages, "contract service not found: %s", json_object_get_string(id));
	}
	else
	{
		service = new_object_with_id("contractServiceId", state_next_contract_service_id());
		json_object_object_add(service, "agreementNote", NULL);
		json_object_array_add(json_field(contract, "contractServices"), service);
	}
	if (service)
	{
		copy_fields(service, call->body, service_keys);
		result->data = copy_value(service);
	}
	state_unlock();
}

/* ------------------------------------------------------------------ deal */

/* Update Deal's fields and where the stored deal keeps them. */
static const struct
{
	const char *wire;
	const char *stored;
}			deal_update_map[] = {
	{"dealName", "dealsName"}, {"dealValue", "dealsValue"}, {"probability", "probability"},
	{"expectedCloseDate", "expectedCloseDate"}, {"dealDate", "dealsDate"}, {"note", "notes"},
	{"dealStageId", "dealStageId"}, {"dateFollowUp", "dateFollowUp"},
	{"followUpNotes", "followUpNotes"}, {"remark", "remark"},
	{"reasonCategoryId", "reasonCategoryId"}, {"participantCodes", "participantUserIds"},
	{"dealQuantity", "dealQuantity"}, {"dealQuantityUnit", "dealQuantityUnit"},
};

/* PUT /v1/deals/{id}: data.value is the updated deal (envelope C). */
void
handle_update_deal(const ApiCall *call, ApiResult *result)
{
	const char *text = route_param(call->route, "id");
	json_object *assign = json_field(call->body, "assignTo");
	json_object *deal;
	long		id;

	if (!parse_id(text, &id))
	{
		msg_add(&result->messages, "Invalid value: id must be integer");
		return;
	}
	state_lock();
	deal = state_find_deal(id);
	if (deal == NULL)
		fail_not_found(result, "deal", text);
	else
	{
		for (size_t i = 0; i < sizeof(deal_update_map) / sizeof(deal_update_map[0]); i++)
			if (json_has_field(call->body, deal_update_map[i].wire))
				json_object_object_add(deal, deal_update_map[i].stored,
									   copy_value(json_field(call->body, deal_update_map[i].wire)));
		if (assign)
		{
			json_object *users = json_object_new_array();

			json_object_array_add(users, copy_value(assign));
			json_object_object_add(deal, "userId", users);
		}
		result->data = copy_value(deal);
	}
	state_unlock();
}

/* --------------------------------------------------------------- expense */

static bool
has_value(json_object *item, const char *key)
{
	return json_field(item, key) != NULL;
}

/*
 * The documented rules per detail: fuel needs milesStart below milesEnd,
 * accommodation needs night, training needs trainingTitle, hours, minutes.
 */
static void
check_expense_rules(json_object *details, MessageList *messages)
{
	for (size_t i = 0; i < json_object_array_length(details); i++)
	{
		json_object *d = json_object_array_get_idx(details, i);
		long		type = 0,
					start,
					end;

		json_get_long(json_field(d, "expenseTypeId"), &type);
		if (type == EXPENSE_FUEL &&
			!(json_get_long(json_field(d, "milesStart"), &start) &&
			  json_get_long(json_field(d, "milesEnd"), &end) && start < end))
			msg_add(messages, "ExpenseDetails[%zu]: milesStart must be less than milesEnd for fuel", i);
		if (type == EXPENSE_ACCOMMODATION && !has_value(d, "night"))
			msg_add(messages, "ExpenseDetails[%zu]: night is required for accommodation", i);
		if (type == EXPENSE_TRAINING &&
			!(has_value(d, "trainingTitle") && has_value(d, "hours") && has_value(d, "minutes")))
			msg_add(messages, "ExpenseDetails[%zu]: trainingTitle, hours and minutes are required for training", i);
	}
}

static const char *const expense_keys[] = {
	"subject", "activityId", "dateTransaction", "remark", "attachments", NULL
};

/* The body's fields and details onto the stored expense, with the total. */
static void
apply_expense(json_object *expense, json_object *body)
{
	json_object *details = copy_value(json_field(body, "ExpenseDetails"));
	double		total = 0;

	copy_fields(expense, body, expense_keys);
	for (size_t i = 0; i < json_object_array_length(details); i++)
	{
		json_object *d = json_object_array_get_idx(details, i);

		total += json_object_get_double(json_field(d, "amount"));
		if (json_field(d, "expenseDetailId") == NULL)
			json_object_object_add(d, "expenseDetailId",
								   json_object_new_int64(json_object_get_int64(json_field(expense, "expenseId")) * 100 + (long) i + 1));
	}
	json_object_object_add(expense, "expenseDetails", details);
	json_object_object_add(expense, "totalBaht", json_object_new_double(total));
	json_object_object_add(expense, "total", json_object_new_double(total));
}

/* POST /v1/Expenses: numbered EX + yymm + 5 digits, status 302. */
void
handle_create_expense(const ApiCall *call, ApiResult *result)
{
	json_object *e;
	long		id;
	char		key[24],
				number[24];

	check_expense_rules(json_field(call->body, "ExpenseDetails"), &result->messages);
	if (result->messages.count > 0)
		return;
	state_lock();
	id = state_next_id(COL_EXPENSES);
	snprintf(key, sizeof(key), "%ld", id);
	make_number(number, sizeof(number), "EX", 5, id);
	e = state_put(COL_EXPENSES, key, new_object_with_id("expenseId", id));
	json_object_object_add(e, "expenseNo", json_object_new_string(number));
	json_object_object_add(e, "statusId", json_object_new_int(EXPENSE_STATUS_NEW));
	json_object_object_add(e, "subject", NULL);
	apply_expense(e, call->body);
	result->data = copy_value(e);
	state_unlock();
}

/* PUT /v1/Expenses/{id} */
void
handle_update_expense(const ApiCall *call, ApiResult *result)
{
	const char *id = route_param(call->route, "id");
	json_object *e;

	check_expense_rules(json_field(call->body, "ExpenseDetails"), &result->messages);
	if (result->messages.count > 0)
		return;
	state_lock();
	e = state_get(COL_EXPENSES, id);
	if (e == NULL)
		fail_not_found(result, "expense", id);
	else
	{
		apply_expense(e, call->body);
		result->data = copy_value(e);
	}
	state_unlock();
}

/* GET /v1/expenses/{id}: data.value (envelope C) */
void
handle_get_expense(const ApiCall *call, ApiResult *result)
{
	const char *id = route_param(call->route, "id");
	json_object *e;

	state_lock();
	e = state_get(COL_EXPENSES, id);
	if (e == NULL)
		fail_not_found(result, "expense", id);
	else
		result->data = copy_value(e);
	state_unlock();
}

static bool
expense_has_type(json_object *e, long type)
{
	json_object *details = json_field(e, "expenseDetails");

	for (size_t i = 0; i < json_object_array_length(details); i++)
		if (json_object_get_int64(json_field(json_object_array_get_idx(details, i),
											 "expenseTypeId")) == type)
			return true;
	return false;
}

static bool
status_listed(json_object *statuses, long status)
{
	if (statuses == NULL)
		return true;
	for (size_t i = 0; i < json_object_array_length(statuses); i++)
		if (atol(json_object_get_string(json_object_array_get_idx(statuses, i))) == status)
			return true;
	return false;
}

/* POST /v1/expenses/enquiry: by expenseTypeId, statusIds and searchText. */
void
handle_enquire_expenses(const ApiCall *call, ApiResult *result)
{
	long		type = 0;
	json_object *statuses = json_field(call->body, "statusIds");
	const char *search = json_field_string(call->body, "searchText");

	json_get_long(json_field(call->body, "expenseTypeId"), &type);
	result->data = json_object_new_array();
	state_lock();
	for (size_t i = 0; i < state_count(COL_EXPENSES); i++)
	{
		json_object *e = state_at(COL_EXPENSES, i);
		const char *subject = json_string_or(e, "subject", "");

		if (expense_has_type(e, type) &&
			status_listed(statuses, json_object_get_int64(json_field(e, "statusId"))) &&
			(search == NULL || strstr(subject, search) != NULL))
			json_object_array_add(result->data, copy_value(e));
	}
	state_unlock();
}

/* ------------------------------------------------------------------ chat */

static bool
is_uuid(const char *s)
{
	static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (s == NULL || strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

static const char *const chat_keys[] = {"roomId", "content", "type", "platform", "companyId", NULL};

/* POST /v1/chat/message: 201 Created, envelope A. */
void
handle_send_chat_message(const ApiCall *call, ApiResult *result)
{
	json_object *m;
	long		id;
	char		key[24];

	if (!is_uuid(json_field_string(call->body, "roomId")))
	{
		msg_add(&result->messages, "Invalid value: roomId must be a UUID");
		return;
	}
	state_lock();
	id = state_next_id(COL_MESSAGES);
	snprintf(key, sizeof(key), "%ld", id);
	m = state_put(COL_MESSAGES, key, new_object_with_id("messageId", id));
	copy_fields(m, call->body, chat_keys);
	result->data = copy_value(m);
	state_unlock();
	result->status = 201;
}
