/*
 * state.h
 *		Everything the local Venio server remembers, behind one mutex: the
 *		journal and its statistics, issued tokens, fault rules and settings
 *		changed at run time, and the API's resources (deals, contracts,
 *		serials, and collections for the other operations, seeded with
 *		customers and products).
 *
 * Functions in the first part take the lock themselves.  Functions in the
 * "resources" part expect the caller to hold it (state_lock()), so that a
 * handler can check and change several things atomically; hold it briefly.
 */
#ifndef VENIO_STATE_H
#define VENIO_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* ---- fault rules (POST /_mock/fault) ---- */
typedef enum FaultMode
{
	FAULT_NONE = 0,
	FAULT_STATUS,				/* answer with an HTTP status */
	FAULT_DROP,					/* close the connection, no answer */
	FAULT_LATENCY,				/* sleep, then handle normally */
	FAULT_BODY,					/* answer with the rule's own body */
	FAULT_FUZZ					/* answer with a mutated envelope (fuzz.c) */
} FaultMode;

typedef struct FaultRule
{
	FaultMode	mode;
	int			status;
	int			retry_after;	/* -1: no Retry-After header */
	long		latency_ms;
	long		count;			/* requests left; -1: until cleared */
	char	   *path;			/* path prefix; NULL: every API request */
	char	   *key;			/* only requests with this subscription key; NULL: any */
	/* FAULT_BODY: the bytes to answer with (may hold NUL), and how */
	char	   *body;
	size_t		body_len;
	char	   *content_type;	/* NULL: application/json */
	bool		chunked;		/* no Content-Length */
	char	   *status_line;	/* written to the socket with this status line; NULL: by libmicrohttpd */
	/* FAULT_FUZZ: the seed, the client's answer limit, and the case: in the
	 * stored rule the next one, in a request's copy its own */
	unsigned long seed;
	long		limit;
	long		fuzz_case;
} FaultRule;

/* ---- what a request learns when it is journaled ---- */
typedef struct RequestStart
{
	long		seq;			/* journal sequence number */
	unsigned long generation;	/* which journal (resets start a new one) */
	FaultRule	fault;			/* mode FAULT_NONE when no rule applies */
	long		latency_ms;		/* global latency for API requests */
} RequestStart;

extern void state_init(int token_ttl);
extern void state_destroy(void);

/* ---- journal and statistics ---- */
extern RequestStart state_request_begin(const char *path, const char *subscription_key, bool is_token,
										const char *request_id);
extern void state_journal_finish(const RequestStart *start, char *line, size_t len);
extern char *state_journal_dump(long since, size_t *len);
extern json_object *state_stats(void);

/* ---- tokens ---- */
extern void state_client_add(const char *client_id, const char *client_secret,
							 const char *subscription_key);
extern bool state_key_known(const char *key);
extern bool state_client_valid(const char *client_id, const char *client_secret,
							   const char *key);
extern int	state_token_issue(const char *token, const char *client_id);
extern char *state_token_client(const char *token);
extern long state_tokens_revoke_all(void);

/* ---- settings changed at run time, faults, reset ---- */
extern void state_configure(int token_ttl, long latency_ms);
extern void state_current_config(int *token_ttl, long *latency_ms);
extern int	state_fault_add(const FaultRule *rule);
extern void state_faults_clear(void);
extern void state_reset(void);
extern json_object *state_dump(void);

/* ---- resources; the caller holds the lock ---- */
typedef struct Customer
{
	const char *code;
	const char *name;
	int			type;			/* 11100 lead, 11200 prospect, 11300 customer */
	long		id;
} Customer;

typedef struct Product
{
	const char *code;
	const char *name;
	long		id;
} Product;

typedef struct Serial
{
	char	   *running_number;
	const Product *product;
	char	   *serial_number;	/* NULL when never given */
	bool		status;
} Serial;

extern void state_lock(void);
extern void state_unlock(void);

extern const Customer *state_find_customer(const char *code);
extern const Product *state_find_product(const char *code);

extern json_object *state_serial_json(const Serial *serial);

extern Serial *state_find_serial(const char *running_number);
extern Serial *state_add_serial(const char *running_number);
extern Serial *state_find_serial_by_number(const char *serial_number);

extern json_object *state_find_contract(const char *contract_no);
extern void state_add_contract(const char *contract_no, json_object *contract);
extern long state_next_contract_sequence(void);
extern long state_next_contract_service_id(void);

extern long state_next_deal_id(void);
extern void state_add_deal(json_object *deal);
extern json_object *state_find_deal(long deal_id);

/*
 * The other resources: collections of JSON objects keyed by their number or
 * code, in insertion order, each with its own id sequence.  Customers and
 * products are seeded on reset (the seed customers and products above keep
 * serving deals, contracts and serials).
 */
typedef enum Collection
{
	COL_CUSTOMERS,				/* customerCode */
	COL_SATISFACTION,			/* satisfactionId */
	COL_EVENTS,					/* eventId */
	COL_CASES,					/* caseNo */
	COL_EXPENSES,				/* expenseId */
	COL_PRODUCTS,				/* productCode */
	COL_QUOTATIONS,				/* quotationNo */
	COL_SALES_ORDERS,			/* salesOrderNo */
	COL_MESSAGES,				/* messageId */
	COL_COUNT
} Collection;

extern json_object *state_get(Collection c, const char *key);
extern json_object *state_put(Collection c, const char *key, json_object *value);
extern long state_next_id(Collection c);
extern size_t state_count(Collection c);
extern json_object *state_at(Collection c, size_t i);

#endif							/* VENIO_STATE_H */
