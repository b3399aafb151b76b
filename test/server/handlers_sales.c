/*
 * handlers_sales.c
 *		Products (upsert, lists, get, stock, units), serial verification and
 *		status, quotations and sales orders (see handlers_internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers_internal.h"

#define PRODUCT_TYPE_PRODUCT	1301
#define QUOTATION_COMPLETED		5
#define SALES_ORDER_OPEN		1
#define SALES_ORDER_REJECTED	3
#define INSTALLMENTS			2

/* --------------------------------------------------------------- helpers */

static bool
int_listed(json_object *list, long n)
{
	for (size_t i = 0; i < json_object_array_length(list); i++)
	{
		long		v;

		if (json_get_long(json_object_array_get_idx(list, i), &v) && v == n)
			return true;
	}
	return false;
}

static long
field_long(json_object *obj, const char *key, long otherwise)
{
	long		n;

	return json_get_long(json_field(obj, key), &n) ? n : otherwise;
}

/* obj[key] equals the body's key, or the body does not filter on key. */
static bool
string_filter(json_object *obj, json_object *filter, const char *key)
{
	const char *want = json_field_string(filter, key);

	return want == NULL || strcmp(json_string_or(obj, key, ""), want) == 0;
}

/* Rows skip .. skip+take-1 of the matches, as matches(row, filter) says. */
static json_object *
page_of(Collection c, json_object *filter, bool (*matches) (json_object *, json_object *))
{
	long		take = field_long(filter, "take", 0);
	long		skip = field_long(filter, "skip", 0);
	long		seen = 0;
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < state_count(c) && (long) json_object_array_length(rows) < take; i++)
	{
		json_object *row = state_at(c, i);

		if (matches(row, filter) && seen++ >= skip)
			json_object_array_add(rows, copy_value(row));
	}
	return rows;
}

/* A stored record by path parameter, or a 404. */
static void
get_by_key(const ApiCall *call, ApiResult *result, Collection c,
		   const char *param, const char *what)
{
	const char *key = route_param(call->route, param);
	json_object *row;

	state_lock();
	row = state_get(c, key);
	if (row == NULL)
		fail_not_found(result, what, key);
	else
		result->data = copy_value(row);
	state_unlock();
}

/* -------------------------------------------------------------- products */

/* Every field of a request product onto the stored one; active sets status. */
static void
apply_product(json_object *stored, json_object *given)
{
	json_object_object_foreach(given, key, value)
		json_object_object_add(stored, key, copy_value(value));
	json_object_object_add(stored, "status",
						   json_object_new_int(json_object_get_boolean(json_field(stored, "active"))));
}

/*
 * POST /v3/Products: each of {"products":[...]} is created or updated.  A
 * product without productCode (allowed when it has SKUs, productVariant
 * items) is created with a code of ours, PRD + its id.
 */
void
handle_upsert_products(const ApiCall *call, ApiResult *result)
{
	json_object *products = json_field(call->body, "products");

	result->data = json_object_new_array();
	state_lock();
	for (size_t i = 0; i < json_object_array_length(products); i++)
	{
		json_object *given = json_object_array_get_idx(products, i);
		const char *code = json_field_string(given, "productCode");
		json_object *stored = code ? state_get(COL_PRODUCTS, code) : NULL;
		char		generated[24];

		if (stored == NULL)
		{
			long		id = state_next_id(COL_PRODUCTS);

			if (code == NULL)
			{
				snprintf(generated, sizeof(generated), "PRD%06ld", id);
				code = generated;
			}
			stored = state_put(COL_PRODUCTS, code, json_object_new_object());
			json_object_object_add(stored, "productId", json_object_new_int64(id));
			json_object_object_add(stored, "productType", json_object_new_int(PRODUCT_TYPE_PRODUCT));
		}
		apply_product(stored, given);
		json_object_object_add(stored, "productCode", json_object_new_string(code));
		json_object_array_add(result->data, copy_value(stored));
	}
	state_unlock();
}

static bool
product_status_matches(json_object *product, json_object *filter)
{
	return int_listed(json_field(filter, "status"), field_long(product, "status", 0));
}

/* POST /v2/Products/GetProduct: the first take products with a listed status. */
void
handle_list_products(const ApiCall *call, ApiResult *result)
{
	state_lock();
	result->data = page_of(COL_PRODUCTS, call->body, product_status_matches);
	state_unlock();
}

static bool
product_filter_matches(json_object *product, json_object *filter)
{
	const char *search = json_field_string(filter, "smartSearch");

	return product_status_matches(product, filter) &&
		field_long(product, "productType", 0) == field_long(filter, "productType", 0) &&
		(search == NULL || strstr(json_string_or(product, "productCode", ""), search) ||
		 strstr(json_string_or(product, "productName", ""), search));
}

/* POST /v1/products/getProduct: productType, status, smartSearch; take/skip. */
void
handle_enquire_products(const ApiCall *call, ApiResult *result)
{
	state_lock();
	result->data = page_of(COL_PRODUCTS, call->body, product_filter_matches);
	state_unlock();
}

/* GET /v2/products/{productCode} */
void
handle_get_product(const ApiCall *call, ApiResult *result)
{
	get_by_key(call, result, COL_PRODUCTS, "productCode", "product");
}

/*
 * PUT /v1/products/stock: a top-level array; each known product's qty is
 * set, an unknown code fails on its own (isSuccess false) while the others
 * are applied.  Envelope B.
 */
void
handle_update_product_stock(const ApiCall *call, ApiResult *result)
{
	result->data = json_object_new_array();
	state_lock();
	for (size_t i = 0; i < json_object_array_length(call->body); i++)
	{
		json_object *item = json_object_array_get_idx(call->body, i);
		json_object *product = state_get(COL_PRODUCTS, json_field_string(item, "productCode"));
		json_object *out = json_object_new_object();
		json_object *error = NULL;

		json_object_object_add(out, "productCode", copy_value(json_field(item, "productCode")));
		json_object_object_add(out, "qty", copy_value(json_field(item, "qty")));
		if (product)
			json_object_object_add(product, "qty", copy_value(json_field(item, "qty")));
		else
		{
			error = json_object_new_object();
			json_object_object_add(error, "code", json_object_new_int(4001));
			json_object_object_add(error, "message", json_object_new_string("product not found"));
		}
		json_object_object_add(out, "isSuccess", json_object_new_boolean(product != NULL));
		json_object_object_add(out, "error", error);
		json_object_array_add(result->data, out);
	}
	state_unlock();
}

/* GET /v1/products/units */
void
handle_list_product_units(const ApiCall *call, ApiResult *result)
{
	static const char *const units[] = {"pcs", "box", "set", "kg"};

	(void) call;
	result->data = json_object_new_array();
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
	{
		json_object *u = json_object_new_object();

		json_object_object_add(u, "unitId", json_object_new_int64((long) i + 1));
		json_object_object_add(u, "unitName", json_object_new_string(units[i]));
		json_object_array_add(result->data, u);
	}
}

/* --------------------------------------------------------------- serials */

static bool
is_iso_date(const char *s)
{
	static const char pattern[] = "dddd-dd-dd";

	if (s == NULL || strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return false;
	return true;
}

static bool
nonempty(const char *s)
{
	return s && *s;
}

/*
 * POST /v3/products/serials/verification: CustomerCode or CustomerName is
 * needed (the documented rule), PurchaseDate is YYYY-MM-DD, and the serial
 * number must be bound (Create or Update Codeguard Products).
 */
void
handle_verify_serial(const ApiCall *call, ApiResult *result)
{
	json_object *body = call->body;
	const char *code = json_field_string(body, "CustomerCode");
	const char *serial_number = json_field_string(body, "SerialNumber");
	Serial	   *serial;

	if (!nonempty(code) && !nonempty(json_field_string(body, "CustomerName")))
	{
		msg_add(&result->messages, "CustomerCode or CustomerName is required");
		return;
	}
	validate_body(call->op, body, VALIDATE_ALL, &result->messages);
	if (result->messages.count == 0 && !is_iso_date(json_field_string(body, "PurchaseDate")))
		msg_add(&result->messages, "Invalid value: PurchaseDate must be YYYY-MM-DD");
	if (result->messages.count > 0)
		return;
	state_lock();
	serial = state_find_serial_by_number(serial_number);
	if (serial == NULL)
		msg_add(&result->messages, "serial not found");
	else if (nonempty(code) && state_get(COL_CUSTOMERS, code) == NULL)
		msg_add(&result->messages, "customer not found: %s", code);
	else
	{
		result->data = state_serial_json(serial);
		json_object_object_add(result->data, "isVerified", json_object_new_boolean(1));
		copy_fields(result->data, body,
					(const char *const[]) {"PurchaseDate", "CustomerCode", "CustomerName", NULL});
	}
	state_unlock();
}

/* GET /v3/Products/serials/status?runningNumber=.. (or serialNumber=..) */
void
handle_get_serial_status(const ApiCall *call, ApiResult *result)
{
	const char *running_number = query_get(call->query, "runningNumber");
	const char *serial_number = query_get(call->query, "serialNumber");
	Serial	   *serial;

	if (!nonempty(running_number) && !nonempty(serial_number))
	{
		msg_add(&result->messages, "running number or serial number required");
		return;
	}
	state_lock();
	serial = nonempty(running_number) ? state_find_serial(running_number)
		: state_find_serial_by_number(serial_number);
	if (serial == NULL)
		msg_add(&result->messages, "serial not found");
	else
		result->data = state_serial_json(serial);
	state_unlock();
}

/* ------------------------------------------------------------ quotations */

static const char *const quotation_keys[] = {
	"quotationSubject", "quotationDate", "quotationValidUntil", "quotationStatus",
	"customerCode", "staffCode", "vatCalculation", "quotationDetails", "referenceNo",
	"discountType", "discountValue", NULL
};

/* Every line's product must exist; the sum of qty * price (price 0 if null). */
static double
quotation_lines(json_object *lines, MessageList *messages)
{
	double		total = 0;

	for (size_t i = 0; i < json_object_array_length(lines); i++)
	{
		json_object *line = json_object_array_get_idx(lines, i);
		const char *code = json_field_string(line, "productCode");

		if (state_get(COL_PRODUCTS, code) == NULL)
			msg_add(messages, "product not found: %s", code);
		total += json_object_get_double(json_field(line, "qty")) *
			json_object_get_double(json_field(line, "price"));
	}
	return total;
}

/* POST /v2/quotation: quotationNo null creates QT + yymm + 6 digits. */
void
handle_upsert_quotation(const ApiCall *call, ApiResult *result)
{
	const char *no = json_field_string(call->body, "quotationNo");
	json_object *customer;
	json_object *q = NULL;
	double		total;

	state_lock();
	customer = state_get(COL_CUSTOMERS, json_field_string(call->body, "customerCode"));
	if (customer == NULL)
		msg_add(&result->messages, "customer not found: %s",
				json_field_string(call->body, "customerCode"));
	total = quotation_lines(json_field(call->body, "quotationDetails"), &result->messages);
	if (no && (q = state_get(COL_QUOTATIONS, no)) == NULL)
		msg_add(&result->messages, "quotation not found: %s", no);
	if (result->messages.count == 0)
	{
		if (q == NULL)
		{
			char		number[24];

			make_number(number, sizeof(number), "QT", 6, state_next_id(COL_QUOTATIONS));
			q = state_put(COL_QUOTATIONS, number, json_object_new_object());
			json_object_object_add(q, "quotationNo", json_object_new_string(number));
			json_object_object_add(q, "salesOrderNo", NULL);
		}
		copy_fields(q, call->body, quotation_keys);
		json_object_object_add(q, "customerId", copy_value(json_field(customer, "customerId")));
		json_object_object_add(q, "subTotal", json_object_new_double(total));
		result->data = copy_value(q);
	}
	state_unlock();
}

/* GET /v1/quotation/{quotationNo} */
void
handle_get_quotation(const ApiCall *call, ApiResult *result)
{
	get_by_key(call, result, COL_QUOTATIONS, "quotationNo", "quotation");
}

static bool
quotation_matches(json_object *q, json_object *filter)
{
	json_object *status = json_field(filter, "quotationStatus");

	return string_filter(q, filter, "quotationNo") && string_filter(q, filter, "customerCode") &&
		string_filter(q, filter, "staffCode") && string_filter(q, filter, "quotationDate") &&
		(status == NULL || json_object_get_int64(status) == field_long(q, "quotationStatus", 0));
}

/* POST /v1/quotation/enquiry: filters, then take/skip. */
void
handle_enquire_quotations(const ApiCall *call, ApiResult *result)
{
	state_lock();
	result->data = page_of(COL_QUOTATIONS, call->body, quotation_matches);
	state_unlock();
}

/* A sales order from a quotation: SO + yymm + 6 digits, two open installments. */
static json_object *
sales_order_from(json_object *q, long id, const char *number)
{
	json_object *so = json_object_new_object();
	json_object *payment = json_object_new_object();
	json_object *schedule = json_object_new_array();

	for (int i = 1; i <= INSTALLMENTS; i++)
	{
		json_object *p = json_object_new_object();

		json_object_object_add(p, "installmentNumber", json_object_new_int(i));
		json_object_object_add(p, "status", json_object_new_int(1));
		json_object_array_add(schedule, p);
	}
	json_object_object_add(payment, "valueType", json_object_new_int(1));
	json_object_object_add(payment, "schedulePayments", schedule);

	json_object_object_add(so, "salesOrderId", json_object_new_int64(id));
	json_object_object_add(so, "salesOrderNo", json_object_new_string(number));
	json_object_object_add(so, "salesOrderSubject", copy_value(json_field(q, "quotationSubject")));
	json_object_object_add(so, "salesOrderStatus", json_object_new_int(SALES_ORDER_OPEN));
	json_object_object_add(so, "salesOrderDate", copy_value(json_field(q, "quotationDate")));
	json_object_object_add(so, "customerCode", copy_value(json_field(q, "customerCode")));
	json_object_object_add(so, "customerId", copy_value(json_field(q, "customerId")));
	json_object_object_add(so, "staffCode", copy_value(json_field(q, "staffCode")));
	json_object_object_add(so, "vatCalculation", copy_value(json_field(q, "vatCalculation")));
	json_object_object_add(so, "subTotal", copy_value(json_field(q, "subTotal")));
	json_object_object_add(so, "quotationNo", copy_value(json_field(q, "quotationNo")));
	json_object_object_add(so, "salesorderDetails", copy_value(json_field(q, "quotationDetails")));
	json_object_object_add(so, "payment", payment);
	return so;
}

/*
 * POST /v1/quotation/{quotationNo}/convert-to-salesorder: the body's
 * QuotationNo must repeat the path; a quotation converts once.
 */
void
handle_convert_quotation(const ApiCall *call, ApiResult *result)
{
	const char *no = route_param(call->route, "quotationNo");
	const char *body_no = json_field_string(call->body, "QuotationNo");
	json_object *q;

	if (strcmp(no, body_no) != 0)
	{
		msg_add(&result->messages, "QuotationNo does not match the path: %s", body_no);
		return;
	}
	state_lock();
	q = state_get(COL_QUOTATIONS, no);
	if (q == NULL)
		fail_not_found(result, "quotation", no);
	else if (json_field(q, "salesOrderNo") != NULL)
		msg_add(&result->messages, "quotation already converted: %s",
				json_field_string(q, "salesOrderNo"));
	else
	{
		long		id = state_next_id(COL_SALES_ORDERS);
		char		number[24];

		make_number(number, sizeof(number), "SO", 6, id);
		state_put(COL_SALES_ORDERS, number, sales_order_from(q, id, number));
		json_object_object_add(q, "salesOrderNo", json_object_new_string(number));
		json_object_object_add(q, "quotationStatus", json_object_new_int(QUOTATION_COMPLETED));
		result->data = json_object_new_object();
		json_object_object_add(result->data, "quotationNo", json_object_new_string(no));
		json_object_object_add(result->data, "salesOrderNo", json_object_new_string(number));
		json_object_object_add(result->data, "salesOrderId", json_object_new_int64(id));
	}
	state_unlock();
}

/* ----------------------------------------------------------- sales orders */

/* GET /v2/salesorder/{salesOrderNo} */
void
handle_get_sales_order(const ApiCall *call, ApiResult *result)
{
	get_by_key(call, result, COL_SALES_ORDERS, "salesOrderNo", "sales order");
}

static json_object *
find_installment(json_object *so, long number)
{
	json_object *schedule = json_field(json_field(so, "payment"), "schedulePayments");

	for (size_t i = 0; i < json_object_array_length(schedule); i++)
	{
		json_object *p = json_object_array_get_idx(schedule, i);

		if (field_long(p, "installmentNumber", 0) == number)
			return p;
	}
	return NULL;
}

/* PUT /v2/salesorder/{salesOrderNo}/payment: data true (envelope A). */
void
handle_update_payment(const ApiCall *call, ApiResult *result)
{
	const char *no = route_param(call->route, "salesOrderNo");
	json_object *payments = json_field(call->body, "payments");
	json_object *so;

	state_lock();
	so = state_get(COL_SALES_ORDERS, no);
	if (so == NULL)
		fail_not_found(result, "sales order", no);
	for (size_t i = 0; so && i < json_object_array_length(payments); i++)
	{
		long		n = field_long(json_object_array_get_idx(payments, i), "InstallmentNumber", 0);

		if (find_installment(so, n) == NULL)
			msg_add(&result->messages, "installment not found: %ld", n);
	}
	if (so && result->messages.count == 0)
	{
		for (size_t i = 0; i < json_object_array_length(payments); i++)
		{
			json_object *p = json_object_array_get_idx(payments, i);

			json_object_object_add(find_installment(so, field_long(p, "InstallmentNumber", 0)),
								   "status", copy_value(json_field(p, "status")));
		}
		result->data = json_object_new_boolean(1);
	}
	state_unlock();
}

static json_object *
find_sales_order_by_id(long id)
{
	for (size_t i = 0; i < state_count(COL_SALES_ORDERS); i++)
		if (field_long(state_at(COL_SALES_ORDERS, i), "salesOrderId", 0) == id)
			return state_at(COL_SALES_ORDERS, i);
	return NULL;
}

/*
 * DELETE /v1/salesorders/reject {"salesOrderIds":[..],"reason":".."}: every
 * order must exist and not be rejected yet; all or nothing.  Envelope B,
 * data the rejected orders.
 */
void
handle_reject_sales_orders(const ApiCall *call, ApiResult *result)
{
	json_object *ids = json_field(call->body, "salesOrderIds");

	state_lock();
	for (size_t i = 0; i < json_object_array_length(ids); i++)
	{
		long		id = json_object_get_int64(json_object_array_get_idx(ids, i));
		json_object *so = find_sales_order_by_id(id);

		if (so == NULL)
			msg_add(&result->messages, "sales order not found: %ld", id);
		else if (field_long(so, "salesOrderStatus", 0) == SALES_ORDER_REJECTED)
			msg_add(&result->messages, "sales order already rejected: %ld", id);
	}
	if (result->messages.count == 0)
	{
		result->data = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(ids); i++)
		{
			json_object *so = find_sales_order_by_id(json_object_get_int64(json_object_array_get_idx(ids, i)));
			json_object *out = json_object_new_object();

			json_object_object_add(so, "salesOrderStatus", json_object_new_int(SALES_ORDER_REJECTED));
			json_object_object_add(so, "rejectReason", copy_value(json_field(call->body, "reason")));
			json_object_object_add(out, "salesOrderId", copy_value(json_field(so, "salesOrderId")));
			json_object_object_add(out, "salesOrderNo", copy_value(json_field(so, "salesOrderNo")));
			json_object_object_add(out, "salesOrderStatus", json_object_new_int(SALES_ORDER_REJECTED));
			json_object_array_add(result->data, out);
		}
	}
	state_unlock();
}
