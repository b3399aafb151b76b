/*
 * handlers_internal.h
 *		What the handler files share: the result a handler fills in, helpers
 *		for building answers, and every handler function (the table that maps
 *		operation names to them is in handlers.c).
 *
 *	  handlers.c		envelopes, the table, deals, contracts, serials, echo
 *	  handlers_crm.c	customers, customer events, cases, contract service
 *						agreements, deal updates, expenses, chat
 *	  handlers_sales.c	products, stock, units, serial checks, quotations,
 *						sales orders
 */
#ifndef VENIO_HANDLERS_INTERNAL_H
#define VENIO_HANDLERS_INTERNAL_H

#include "handlers.h"
#include "state.h"
#include "validate.h"

typedef struct ApiResult
{
	json_object *data;			/* success: the envelope's data */
	MessageList messages;		/* failure: one or more messages */
	int			status;			/* HTTP status; 0: 200, or 400 with messages */
} ApiResult;

typedef void (*HandlerFunc) (const ApiCall *call, ApiResult *result);

/* handlers.c */
extern json_object *copy_value(json_object *v);
extern void now_text(char *buf, size_t size);
extern json_object *clean_string(const char *s);
extern void fail_not_found(ApiResult *result, const char *what, const char *key);
extern void copy_fields(json_object *dst, json_object *src, const char *const *keys);
extern void make_number(char *buf, size_t size, const char *prefix, int digits, long seq);
extern bool parse_id(const char *text, long *id);
extern const char *json_string_or(json_object *obj, const char *key, const char *otherwise);

/* handlers_crm.c */
extern void handle_upsert_customer(const ApiCall *call, ApiResult *result);
extern void handle_create_satisfaction(const ApiCall *call, ApiResult *result);
extern void handle_create_customer_event(const ApiCall *call, ApiResult *result);
extern void handle_list_customer_events(const ApiCall *call, ApiResult *result);
extern void handle_update_customer_event(const ApiCall *call, ApiResult *result);
extern void handle_list_event_types(const ApiCall *call, ApiResult *result);
extern void handle_create_case(const ApiCall *call, ApiResult *result);
extern void handle_update_case(const ApiCall *call, ApiResult *result);
extern void handle_get_contract(const ApiCall *call, ApiResult *result);
extern void handle_upsert_contract_service(const ApiCall *call, ApiResult *result);
extern void handle_update_deal(const ApiCall *call, ApiResult *result);
extern void handle_create_expense(const ApiCall *call, ApiResult *result);
extern void handle_update_expense(const ApiCall *call, ApiResult *result);
extern void handle_enquire_expenses(const ApiCall *call, ApiResult *result);
extern void handle_get_expense(const ApiCall *call, ApiResult *result);
extern void handle_send_chat_message(const ApiCall *call, ApiResult *result);

/* handlers_sales.c */
extern void handle_upsert_products(const ApiCall *call, ApiResult *result);
extern void handle_list_products(const ApiCall *call, ApiResult *result);
extern void handle_get_product(const ApiCall *call, ApiResult *result);
extern void handle_enquire_products(const ApiCall *call, ApiResult *result);
extern void handle_verify_serial(const ApiCall *call, ApiResult *result);
extern void handle_get_serial_status(const ApiCall *call, ApiResult *result);
extern void handle_update_product_stock(const ApiCall *call, ApiResult *result);
extern void handle_list_product_units(const ApiCall *call, ApiResult *result);
extern void handle_upsert_quotation(const ApiCall *call, ApiResult *result);
extern void handle_convert_quotation(const ApiCall *call, ApiResult *result);
extern void handle_enquire_quotations(const ApiCall *call, ApiResult *result);
extern void handle_get_quotation(const ApiCall *call, ApiResult *result);
extern void handle_get_sales_order(const ApiCall *call, ApiResult *result);
extern void handle_update_payment(const ApiCall *call, ApiResult *result);
extern void handle_reject_sales_orders(const ApiCall *call, ApiResult *result);

#endif							/* VENIO_HANDLERS_INTERNAL_H */
