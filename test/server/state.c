/*
 * state.c
 *		The local Venio server's memory, behind one mutex (see state.h).
 *
 * The journal is an array of slots indexed by sequence number - 1.  A slot
 * is reserved when a request arrives (so sequence numbers follow arrival
 * order even when answers are delayed) and filled with the request's JSON
 * line once it has been answered; a dump lists the filled slots.  A reset
 * starts a new journal generation, so requests still in flight across a
 * reset do not land in the new journal.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "strmap.h"
#include "util.h"

/* ---- seed data (README.md lists it) ---- */

static const Customer seed_customers[] = {
	{"L000308", "Lead Co", 11100, 1},
	{"C000349", "Customer Co", 11300, 2},
	{"C000055", "Customer Two Co", 11300, 3},
	{"P000001", "Prospect Co", 11200, 4},
};

static const Product seed_products[] = {
	{"PD001", "Product PD001", 1},
	{"PD002", "Product PD002", 2},
	{"PD003", "Product PD003", 3},
	{"A001", "Product A001", 4},
	{"A002", "Product A002", 5},
};

/*
 * The products the product operations start from: the seed products, codes
 * that need percent-encoding in a path, and enough plain ones to page.
 * {code, name, productType, status}
 */
static const struct
{
	const char *code;
	const char *name;
	int			type;			/* 1301 product, 1302 bundle */
	int			status;			/* 1 active, 0 inactive */
}			seed_catalog[] = {
	{"PD001", "Product PD001", 1301, 1},
	{"PD002", "Product PD002", 1301, 1},
	{"PD003", "Product PD003", 1301, 1},
	{"A001", "Product A001", 1301, 1},
	{"A002", "Product A002", 1301, 0},
	{"PD/001", "Slash product", 1301, 1},
	{"PD?002", "Question product", 1301, 1},
	{"PD 003", "Space product", 1301, 1},
	{"\u0e2a\u0e34\u0e19\u0e04\u0e49\u0e32" "01", "\u0e2a\u0e34\u0e19\u0e04\u0e49\u0e32 Thai", 1301, 1},
	{"P0001", "Plain 1", 1301, 1},
	{"P0002", "Plain 2", 1301, 1},
	{"P0003", "Plain 3", 1301, 1},
	{"P0004", "Plain 4", 1301, 1},
	{"P0005", "Plain 5", 1301, 1},
	{"P0006", "Plain 6", 1301, 0},
	{"P0007", "Plain 7", 1302, 1},
	{"P0008", "Plain 8", 1302, 1},
};

#define SEED_CONTRACT_NO "CONT250600006"

/* Names of the collections in GET /_mock/state. */
static const char *const collection_names[COL_COUNT] = {
	"customers", "satisfaction", "customer_events", "cases", "expenses",
	"products", "quotations", "sales_orders", "chat_messages"
};

#define lengthof(a) (sizeof(a) / sizeof((a)[0]))

typedef struct JournalSlot
{
	char	   *line;			/* NULL until the request has been answered */
	size_t		len;
} JournalSlot;

typedef struct Token
{
	double		expires_at;		/* clock_monotonic() */
	unsigned long serial;		/* order of issue, for revocation */
	char	   *client_id;		/* the client it was issued to */
} Token;

/* A client the token endpoint accepts, with its subscription key. */
typedef struct Client
{
	char	   *client_id;
	char	   *client_secret;
	char	   *subscription_key;
} Client;

static struct
{
	pthread_mutex_t lock;

	/* journal */
	JournalSlot *journal;
	size_t		journal_count;
	size_t		journal_cap;
	unsigned long generation;

	/* statistics since the last reset */
	long		requests;
	long		token_requests;
	long		api_requests;
	long		duplicate_request_ids;
	StrMap		request_ids;

	/* clients and tokens: kept across resets */
	Client	   *clients;
	int			nclients;
	StrMap		tokens;
	unsigned long tokens_issued;
	unsigned long revoked_up_to;	/* tokens with serial <= this are revoked */

	/* settings */
	int			cli_token_ttl;
	int			token_ttl;
	long		latency_ms;

	/* fault rules, in the order they were added */
	FaultRule  *faults;
	int			nfaults;
	int			faults_cap;

	/* resources */
	json_object *deals;			/* array, in creation order */
	StrMap		contracts;		/* contractNo -> json_object (ContractDto) */
	StrMap		serials;		/* runningNumber -> Serial */
	long		contract_sequence;
	long		contract_service_id;
	StrMap		collections[COL_COUNT];
	long		sequences[COL_COUNT];
}			st = {.lock = PTHREAD_MUTEX_INITIALIZER};

void
state_lock(void)
{
	pthread_mutex_lock(&st.lock);
}

void
state_unlock(void)
{
	pthread_mutex_unlock(&st.lock);
}

/* ------------------------------------------------------- set-up, reset */

static json_object *
seed_contract(void)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "contractNo", json_object_new_string(SEED_CONTRACT_NO));
	json_object_object_add(c, "contractType", json_object_new_string("MA"));
	json_object_object_add(c, "statusId", json_object_new_int(1601));
	json_object_object_add(c, "contractName", json_object_new_string("test contract open api"));
	json_object_object_add(c, "owner", json_object_new_string("UAT007"));
	json_object_object_add(c, "dateStart", json_object_new_string("2025-06-18 00:00:00"));
	json_object_object_add(c, "dateEnd", json_object_new_string("2026-06-18 00:00:00"));
	json_object_object_add(c, "contractValue", json_object_new_int(2000));
	json_object_object_add(c, "contractServices", json_object_new_array());
	json_object_object_add(c, "attachments", json_object_new_array());
	json_object_object_add(c, "customerCode", json_object_new_string("L000308"));
	json_object_object_add(c, "customerName", json_object_new_string("Lead Co"));
	json_object_object_add(c, "customerType", json_object_new_int(11100));
	return c;
}

static void
free_json_value(void *value)
{
	json_object_put((json_object *) value);
}

static void
free_serial(void *value)
{
	Serial	   *s = value;

	free(s->running_number);
	free(s->serial_number);
	free(s);
}

static void
clear_journal(void)
{
	for (size_t i = 0; i < st.journal_count; i++)
		free(st.journal[i].line);
	st.journal_count = 0;
	st.generation++;
}

static void
clear_faults(void)
{
	for (int i = 0; i < st.nfaults; i++)
	{
		free(st.faults[i].path);
		free(st.faults[i].key);
		free(st.faults[i].body);
		free(st.faults[i].content_type);
		free(st.faults[i].status_line);
	}
	st.nfaults = 0;
}

static json_object *
seed_customer_json(const Customer *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "customerId", json_object_new_int64(c->id));
	json_object_object_add(o, "customerCode", json_object_new_string(c->code));
	json_object_object_add(o, "customerName", json_object_new_string(c->name));
	json_object_object_add(o, "customerType", json_object_new_int(c->type));
	json_object_object_add(o, "customerState", json_object_new_int(1));
	return o;
}

static json_object *
seed_product_json(size_t i)
{
	json_object *o = json_object_new_object();
	const char *code = seed_catalog[i].code;
	const char *name = seed_catalog[i].name;

	json_object_object_add(o, "productId", json_object_new_int64(state_next_id(COL_PRODUCTS)));
	json_object_object_add(o, "productCode", json_object_new_string(code));
	json_object_object_add(o, "productName", json_object_new_string(name));
	json_object_object_add(o, "productType", json_object_new_int(seed_catalog[i].type));
	json_object_object_add(o, "status", json_object_new_int(seed_catalog[i].status));
	json_object_object_add(o, "active", json_object_new_boolean(seed_catalog[i].status == 1));
	json_object_object_add(o, "productBarcode", NULL);
	json_object_object_add(o, "category", json_object_new_string("General"));
	json_object_object_add(o, "productUnitName", json_object_new_string("pcs"));
	json_object_object_add(o, "cost", json_object_new_int(0));
	json_object_object_add(o, "qty", json_object_new_int(10));
	return o;
}

/* Customers and products; caller holds the lock. */
static void
seed_collections(void)
{
	for (size_t i = 0; i < lengthof(seed_customers); i++)
	{
		state_next_id(COL_CUSTOMERS);
		state_put(COL_CUSTOMERS, seed_customers[i].code, seed_customer_json(&seed_customers[i]));
	}
	for (size_t i = 0; i < lengthof(seed_catalog); i++)
	{
		json_object *p = seed_product_json(i);

		state_put(COL_PRODUCTS, json_object_get_string(json_object_object_get(p, "productCode")), p);
	}
}

/* Resources back to the seed; caller holds the lock. */
static void
reset_resources(void)
{
	json_object_put(st.deals);
	st.deals = json_object_new_array();
	strmap_clear(&st.contracts, free_json_value);
	strmap_clear(&st.serials, free_serial);
	strmap_put(&st.contracts, SEED_CONTRACT_NO, seed_contract());
	st.contract_sequence = 0;
	st.contract_service_id = 0;
	for (int c = 0; c < COL_COUNT; c++)
	{
		strmap_clear(&st.collections[c], free_json_value);
		st.sequences[c] = 0;
	}
	seed_collections();
}

static void
free_token(void *p)
{
	Token	   *t = p;

	free(t->client_id);
	free(t);
}

void
state_init(int token_ttl)
{
	strmap_init(&st.request_ids);
	strmap_init(&st.tokens);
	strmap_init(&st.contracts);
	strmap_init(&st.serials);
	for (int c = 0; c < COL_COUNT; c++)
		strmap_init(&st.collections[c]);
	st.cli_token_ttl = st.token_ttl = token_ttl;
	reset_resources();
}

void
state_destroy(void)
{
	state_lock();
	clear_journal();
	free(st.journal);
	st.journal = NULL;
	st.journal_cap = 0;
	clear_faults();
	free(st.faults);
	st.faults = NULL;
	strmap_clear(&st.request_ids, NULL);
	strmap_clear(&st.tokens, free_token);
	for (int i = 0; i < st.nclients; i++)
	{
		free(st.clients[i].client_id);
		free(st.clients[i].client_secret);
		free(st.clients[i].subscription_key);
	}
	free(st.clients);
	st.clients = NULL;
	st.nclients = 0;
	strmap_clear(&st.contracts, free_json_value);
	strmap_clear(&st.serials, free_serial);
	for (int c = 0; c < COL_COUNT; c++)
		strmap_clear(&st.collections[c], free_json_value);
	json_object_put(st.deals);
	st.deals = NULL;
	state_unlock();
}

/*
 * POST /_mock/reset: journal, statistics, faults, latency, token lifetime
 * and resources back to the start.  Issued tokens stay valid.
 */
void
state_reset(void)
{
	state_lock();
	clear_journal();
	st.requests = st.token_requests = st.api_requests = 0;
	st.duplicate_request_ids = 0;
	strmap_clear(&st.request_ids, NULL);
	clear_faults();
	st.latency_ms = 0;
	st.token_ttl = st.cli_token_ttl;
	reset_resources();
	state_unlock();
}

/* ------------------------------------------------ journal and statistics */

/* The first applicable rule with requests left; caller holds the lock. */
static void
take_fault(const char *path, const char *key, bool is_token, FaultRule *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = FAULT_NONE;
	for (int i = 0; i < st.nfaults; i++)
	{
		FaultRule  *r = &st.faults[i];
		bool		applies = r->path ? starts_with(path, r->path) : !is_token;

		if (r->key && (key == NULL || strcmp(key, r->key) != 0))
			applies = false;
		if (!applies || r->count == 0)
			continue;
		if (r->count > 0)
			r->count--;
		*out = *r;
		if (r->mode == FAULT_FUZZ)
			r->fuzz_case++;		/* the next request gets the next case */
		out->path = NULL;		/* the copy must not share the strings */
		out->key = NULL;
		/* the caller frees these (fault_rule_free) */
		out->body = r->body ? xmemdup(r->body, r->body_len) : NULL;
		out->content_type = r->content_type ? xstrdup(r->content_type) : NULL;
		out->status_line = r->status_line ? xstrdup(r->status_line) : NULL;
		return;
	}
}

static void
count_request_id(const char *request_id)
{
	if (request_id == NULL || *request_id == '\0')
		return;
	if (strmap_get(&st.request_ids, request_id) != NULL)
		st.duplicate_request_ids++;
	else
		strmap_put(&st.request_ids, request_id, (void *) 1);
}

/*
 * A request has arrived (and is not a control request): reserve its journal
 * slot, count it, and say which fault and latency apply to it, all under
 * one acquisition of the lock.
 */
RequestStart
state_request_begin(const char *path, const char *subscription_key, bool is_token,
					const char *request_id)
{
	RequestStart start;

	state_lock();
	st.requests++;
	if (is_token)
		st.token_requests++;
	else
	{
		st.api_requests++;
		count_request_id(request_id);
	}

	if (st.journal_count == st.journal_cap)
	{
		st.journal_cap = st.journal_cap ? st.journal_cap * 2 : 1024;
		st.journal = xrealloc(st.journal, sizeof(JournalSlot) * st.journal_cap);
	}
	st.journal[st.journal_count].line = NULL;
	st.journal[st.journal_count].len = 0;
	st.journal_count++;
	start.seq = (long) st.journal_count;
	start.generation = st.generation;

	take_fault(path, subscription_key, is_token, &start.fault);
	start.latency_ms = is_token ? 0 : st.latency_ms;
	state_unlock();
	return start;
}

/* Store the answered request's journal line; takes ownership of line. */
void
state_journal_finish(const RequestStart *start, char *line, size_t len)
{
	state_lock();
	if (start->generation == st.generation &&
		start->seq >= 1 && (size_t) start->seq <= st.journal_count &&
		st.journal[start->seq - 1].line == NULL)
	{
		st.journal[start->seq - 1].line = line;
		st.journal[start->seq - 1].len = len;
		line = NULL;
	}
	state_unlock();
	free(line);					/* a reset happened meanwhile */
}

/* The journal entries with seq > since, one JSON object per line. */
char *
state_journal_dump(long since, size_t *len)
{
	size_t		first = since > 0 ? (size_t) since : 0;
	size_t		total = 0;
	char	   *out;
	char	   *p;

	state_lock();
	for (size_t i = first; i < st.journal_count; i++)
		if (st.journal[i].line)
			total += st.journal[i].len + 1;
	out = p = xmalloc(total + 1);
	for (size_t i = first; i < st.journal_count; i++)
	{
		if (st.journal[i].line == NULL)
			continue;
		memcpy(p, st.journal[i].line, st.journal[i].len);
		p += st.journal[i].len;
		*p++ = '\n';
	}
	state_unlock();
	*p = '\0';
	*len = total;
	return out;
}

json_object *
state_stats(void)
{
	json_object *o = json_object_new_object();

	state_lock();
	json_object_object_add(o, "requests", json_object_new_int64(st.requests));
	json_object_object_add(o, "token_requests", json_object_new_int64(st.token_requests));
	json_object_object_add(o, "api_requests", json_object_new_int64(st.api_requests));
	json_object_object_add(o, "distinct_request_ids",
						   json_object_new_int64((int64_t) st.request_ids.count));
	json_object_object_add(o, "duplicate_request_ids",
						   json_object_new_int64(st.duplicate_request_ids));
	state_unlock();
	return o;
}

/* ---------------------------------------------------------------- tokens */

/*
 * Accept a client (--client, POST /_mock/config "clients"); one with the
 * same client_id is replaced.  Clients stay until the server stops.
 */
void
state_client_add(const char *client_id, const char *client_secret,
				 const char *subscription_key)
{
	Client	   *c = NULL;

	state_lock();
	for (int i = 0; i < st.nclients; i++)
		if (strcmp(st.clients[i].client_id, client_id) == 0)
			c = &st.clients[i];
	if (c == NULL)
	{
		st.clients = xrealloc(st.clients, sizeof(Client) * (st.nclients + 1));
		c = &st.clients[st.nclients++];
		c->client_id = xstrdup(client_id);
	}
	else
	{
		free(c->client_secret);
		free(c->subscription_key);
	}
	c->client_secret = xstrdup(client_secret);
	c->subscription_key = xstrdup(subscription_key);
	state_unlock();
}

/* Whether key is the subscription key of any client. */
bool
state_key_known(const char *key)
{
	bool		known = false;

	state_lock();
	for (int i = 0; i < st.nclients && !known; i++)
		known = strcmp(st.clients[i].subscription_key, key) == 0;
	state_unlock();
	return known;
}

/* Whether client_id and client_secret are a client's, and key its subscription key. */
bool
state_client_valid(const char *client_id, const char *client_secret, const char *key)
{
	bool		valid = false;

	state_lock();
	for (int i = 0; i < st.nclients && !valid; i++)
		valid = strcmp(st.clients[i].client_id, client_id) == 0 &&
			strcmp(st.clients[i].client_secret, client_secret) == 0 &&
			strcmp(st.clients[i].subscription_key, key) == 0;
	state_unlock();
	return valid;
}

/* Remember a new token of a client; returns its lifetime in seconds. */
int
state_token_issue(const char *token, const char *client_id)
{
	Token	   *t = xmalloc(sizeof(Token));
	int			ttl;

	t->client_id = xstrdup(client_id);
	state_lock();
	ttl = st.token_ttl;
	t->expires_at = clock_monotonic() + ttl;
	t->serial = ++st.tokens_issued;
	strmap_put(&st.tokens, token, t);
	state_unlock();
	return ttl;
}

/*
 * Issued by us, not expired, not revoked: its client's id (malloc'd), or
 * NULL.
 */
char *
state_token_client(const char *token)
{
	double		now = clock_monotonic();
	char	   *client = NULL;
	Token	   *t;

	state_lock();
	t = strmap_get(&st.tokens, token);
	if (t != NULL && t->serial > st.revoked_up_to && now < t->expires_at)
		client = xstrdup(t->client_id);
	state_unlock();
	return client;
}

/* POST /_mock/expire_tokens; returns how many tokens were newly revoked. */
long
state_tokens_revoke_all(void)
{
	long		n;

	state_lock();
	n = (long) (st.tokens_issued - st.revoked_up_to);
	st.revoked_up_to = st.tokens_issued;
	state_unlock();
	return n;
}

/* ------------------------------------------------------ settings, faults */

/* A negative value leaves that setting alone. */
void
state_configure(int token_ttl, long latency_ms)
{
	state_lock();
	if (token_ttl >= 0)
		st.token_ttl = token_ttl;
	if (latency_ms >= 0)
		st.latency_ms = latency_ms;
	state_unlock();
}

void
state_current_config(int *token_ttl, long *latency_ms)
{
	state_lock();
	*token_ttl = st.token_ttl;
	*latency_ms = st.latency_ms;
	state_unlock();
}

/* Append a rule (the path is copied); returns the number of rules. */
int
state_fault_add(const FaultRule *rule)
{
	int			n;

	state_lock();
	if (st.nfaults == st.faults_cap)
	{
		st.faults_cap = st.faults_cap ? st.faults_cap * 2 : 8;
		st.faults = xrealloc(st.faults, sizeof(FaultRule) * st.faults_cap);
	}
	st.faults[st.nfaults] = *rule;
	st.faults[st.nfaults].path = rule->path ? xstrdup(rule->path) : NULL;
	st.faults[st.nfaults].key = rule->key ? xstrdup(rule->key) : NULL;
	st.faults[st.nfaults].body = rule->body ? xmemdup(rule->body, rule->body_len) : NULL;
	st.faults[st.nfaults].content_type = rule->content_type ? xstrdup(rule->content_type) : NULL;
	st.faults[st.nfaults].status_line = rule->status_line ? xstrdup(rule->status_line) : NULL;
	n = ++st.nfaults;
	state_unlock();
	return n;
}

void
state_faults_clear(void)
{
	state_lock();
	clear_faults();
	state_unlock();
}

/* --------------------------------------------------------------- dumping */

json_object *
state_serial_json(const Serial *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "runningNumber", json_object_new_string(s->running_number));
	json_object_object_add(o, "productCode", json_object_new_string(s->product->code));
	json_object_object_add(o, "serialNumber", json_new_string_or_null(s->serial_number));
	json_object_object_add(o, "status", json_object_new_boolean(s->status));
	json_object_object_add(o, "productId", json_object_new_int64(s->product->id));
	return o;
}

static json_object *
deep_copy(json_object *src)
{
	json_object *dst = NULL;

	if (json_object_deep_copy(src, &dst, NULL) != 0)
		return NULL;
	return dst;
}

/* GET /_mock/state */
json_object *
state_dump(void)
{
	json_object *o = json_object_new_object();
	json_object *contracts = json_object_new_array();
	json_object *serials = json_object_new_array();
	json_object *products = json_object_new_array();
	json_object *customers = json_object_new_array();

	state_lock();
	json_object_object_add(o, "deals", deep_copy(st.deals));
	for (size_t i = 0; i < st.contracts.count; i++)
		json_object_array_add(contracts, deep_copy(st.contracts.entries[i].value));
	for (size_t i = 0; i < st.serials.count; i++)
		json_object_array_add(serials, state_serial_json(st.serials.entries[i].value));
	for (size_t i = 0; i < st.collections[COL_PRODUCTS].count; i++)
		json_object_array_add(products, deep_copy(st.collections[COL_PRODUCTS].entries[i].value));
	for (size_t i = 0; i < st.collections[COL_CUSTOMERS].count; i++)
		json_object_array_add(customers, deep_copy(st.collections[COL_CUSTOMERS].entries[i].value));
	for (int c = 0; c < COL_COUNT; c++)
	{
		json_object *list;

		if (c == COL_PRODUCTS || c == COL_CUSTOMERS)
			continue;
		list = json_object_new_array();
		for (size_t i = 0; i < st.collections[c].count; i++)
			json_object_array_add(list, deep_copy(st.collections[c].entries[i].value));
		json_object_object_add(o, collection_names[c], list);
	}
	state_unlock();

	json_object_object_add(o, "contracts", contracts);
	json_object_object_add(o, "serials", serials);
	json_object_object_add(o, "products", products);
	json_object_object_add(o, "customers", customers);
	return o;
}

/* ------------------------------------------------------------- resources */

const Customer *
state_find_customer(const char *code)
{
	for (size_t i = 0; i < lengthof(seed_customers); i++)
		if (strcmp(seed_customers[i].code, code) == 0)
			return &seed_customers[i];
	return NULL;
}

const Product *
state_find_product(const char *code)
{
	for (size_t i = 0; i < lengthof(seed_products); i++)
		if (strcmp(seed_products[i].code, code) == 0)
			return &seed_products[i];
	return NULL;
}

Serial *
state_find_serial(const char *running_number)
{
	return strmap_get(&st.serials, running_number);
}

/* A new, unbound serial; the caller sets its product and fields. */
Serial *
state_add_serial(const char *running_number)
{
	Serial	   *s = xmalloc(sizeof(Serial));

	s->running_number = xstrdup(running_number);
	s->product = NULL;
	s->serial_number = NULL;
	s->status = true;
	strmap_put(&st.serials, running_number, s);
	return s;
}

json_object *
state_find_contract(const char *contract_no)
{
	return strmap_get(&st.contracts, contract_no);
}

/* Takes ownership of contract. */
void
state_add_contract(const char *contract_no, json_object *contract)
{
	strmap_put(&st.contracts, contract_no, contract);
}

long
state_next_contract_sequence(void)
{
	return ++st.contract_sequence;
}

long
state_next_contract_service_id(void)
{
	return ++st.contract_service_id;
}

long
state_next_deal_id(void)
{
	return (long) json_object_array_length(st.deals) + 1;
}

/* Takes ownership of deal. */
void
state_add_deal(json_object *deal)
{
	json_object_array_add(st.deals, deal);
}

/* The deal with dealsId deal_id (ids are 1, 2, ... in creation order). */
json_object *
state_find_deal(long deal_id)
{
	if (deal_id < 1 || (size_t) deal_id > json_object_array_length(st.deals))
		return NULL;
	return json_object_array_get_idx(st.deals, (size_t) deal_id - 1);
}

/* ---------------------------------------------------------- collections */

json_object *
state_get(Collection c, const char *key)
{
	return key ? strmap_get(&st.collections[c], key) : NULL;
}

/* Add value under a new key (takes ownership); returns value. */
json_object *
state_put(Collection c, const char *key, json_object *value)
{
	strmap_put(&st.collections[c], key, value);
	return value;
}

long
state_next_id(Collection c)
{
	return ++st.sequences[c];
}

size_t
state_count(Collection c)
{
	return st.collections[c].count;
}

/* The i-th value in insertion order. */
json_object *
state_at(Collection c, size_t i)
{
	return i < st.collections[c].count ? st.collections[c].entries[i].value : NULL;
}

/* The serial bound to serial_number (a linear search: verification only). */
Serial *
state_find_serial_by_number(const char *serial_number)
{
	for (size_t i = 0; serial_number && i < st.serials.count; i++)
	{
		Serial	   *s = st.serials.entries[i].value;

		if (s->serial_number && strcmp(s->serial_number, serial_number) == 0)
			return s;
	}
	return NULL;
}
