/*
 * src/outbox/outbox.h
 *		The transactional outbox (src/outbox/): the declarations its files
 *		share, one section per file, each declaring what that file defines.
 *		Enqueueing (outbox.c, and for a trigger trigger.c, trigger_check.c,
 *		trigger_queue.c), the rights and plans of its SQL (privilege.c), its
 *		guard against being dropped (drop_guard.c), the launcher and the
 *		workers' shared memory (launcher.c, shmem.c), the worker's entry
 *		point (worker.c; its pieces are in worker.h).
 */
#ifndef GOFIVE_OUTBOX_H
#define GOFIVE_OUTBOX_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/jsonb.h"

#include "gofive.h"

/* ---- settings.c: the outbox worker's settings ---- */
extern char *gofive_database;
extern int	gofive_max_workers;
extern int	gofive_max_concurrency;
extern int	gofive_batch_size;
extern int	gofive_max_attempts;
extern int	gofive_retry_base_ms;
extern int	gofive_retry_max_ms;
extern int	gofive_retention_s;
extern double gofive_rate_limit;
extern int	gofive_in_doubt;
extern int	gofive_copied_requests;

/* gofive.in_doubt: a request that was on its way when the worker stopped,
 * of an operation that must not be sent twice blindly */
typedef enum GofiveInDoubt
{
	GOFIVE_IN_DOUBT_HOLD,		/* held for gofive_admin (the default) */
	GOFIVE_IN_DOUBT_RESEND		/* sent again, with the same X-Request-Id */
} GofiveInDoubt;

/* gofive.copied_requests: undelivered requests queued in another database */
typedef enum GofiveCopied
{
	GOFIVE_COPIED_HOLD,			/* held for gofive_admin (the default) */
	GOFIVE_COPIED_SEND			/* sent, as if queued here */
} GofiveCopied;

/* ---- shmem.c: the launcher's and the workers' shared memory ---- */
typedef enum GofiveCircuit
{
	CIRCUIT_CLOSED = 0,
	CIRCUIT_OPEN,
	CIRCUIT_HALF_OPEN
} GofiveCircuit;

/* One lane's delivery state as the worker published it, for gofive.accounts. */
#define GOFIVE_MAX_LANES 64

typedef struct GofiveLaneStat
{
	bool		default_account;
	char		account[NAMEDATALEN];	/* the server's name, "" for the default */
	Oid			role;
	char		state[16];		/* closed, open, half-open, paused, refused, unusable */
	TimestampTz until;			/* of open, paused, refused; 0: none */
	int			in_flight;		/* the account's */
	double		rate_limit;
	uint64		sent;
	uint64		succeeded;
	uint64		failed;
	uint64		retried;
	char		problem[192];	/* why the lane cannot send */
	char		last_error[256];	/* the account's */
	TimestampTz last_error_at;
} GofiveLaneStat;

/*
 * One delivery worker's slot.  The launcher takes a free slot for a
 * database (dboid) and starts a worker on it; the worker publishes its pid
 * and latch, and its state and statistics, until it exits.
 */
typedef struct GofiveWorkerSlot
{
	slock_t		mutex;			/* protects the non-atomic fields */
	Oid			dboid;			/* InvalidOid: the slot is free */
	char		database[NAMEDATALEN];
	Latch	   *worker_latch;	/* set at commit of an enqueueing xact */
	pid_t		worker_pid;		/* 0 while not running */
	bool		not_installed;	/* the worker found no gofive there and left */
	bool		other_version;	/* ... or another version than the library's */
	TimestampTz started_at;
	char		state[64];
	GofiveCircuit circuit;
	TimestampTz circuit_until;
	char		last_error[256];
	TimestampTz last_error_at;	/* when last_error was set */
	pg_atomic_uint64 heartbeat;	/* TimestampTz of the loop's last turn */
	pg_atomic_uint32 in_flight;
	pg_atomic_uint64 sent;
	pg_atomic_uint64 succeeded;
	pg_atomic_uint64 failed;
	pg_atomic_uint64 retried;
	pg_atomic_uint64 dead;
	pg_atomic_uint32 maintain;	/* gofive_purge asked for a purge and compaction */
	/* the lanes, written by the worker, copied by readers: even lanes_gen = stable */
	pg_atomic_uint32 lanes_gen;
	int			nlanes;
	GofiveLaneStat lanes[GOFIVE_MAX_LANES];
} GofiveWorkerSlot;

#define GOFIVE_MAX_REGISTRATIONS 32
#define GOFIVE_MAX_HOLDS 8

/*
 * A database that must have no worker for now (a statement needs it without
 * connections: launcher.c's utility hook), until its holder's transaction ends.
 */
typedef struct GofiveHold
{
	Oid			dboid;
	TimestampTz until;
} GofiveHold;

typedef struct GofiveControl
{
	slock_t		mutex;			/* protects the launcher's fields */
	Latch	   *launcher_latch;
	pid_t		launcher_pid;
	int			nregistered;	/* databases that just ran CREATE EXTENSION */
	Oid			registered[GOFIVE_MAX_REGISTRATIONS];
	bool		rescan;			/* too many to list: look at every database */
	GofiveHold	holds[GOFIVE_MAX_HOLDS];
	uint32		holds_ended;	/* counts holds released: a database may have
								 * been renamed or dropped since */
	int			nslots;			/* gofive.max_workers */
	GofiveWorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
} GofiveControl;

extern GofiveControl *gofive_control;	/* NULL unless preloaded */
extern GofiveWorkerSlot *gofive_slot;	/* in a worker: its own slot */

extern void gofive_shmem_init(void);
extern void gofive_wake_worker_at_commit(void);
extern void gofive_register_database_at_commit(void);
extern const char *gofive_unserved_reason(void);
extern void gofive_set_worker_state(const char *state);
extern void gofive_set_last_error(const char *error);
extern void gofive_worker_heartbeat(TimestampTz now);
extern bool gofive_attach_slot(int index);
extern void gofive_note_other_version(void);
extern void gofive_hold_database(Oid dboid, bool hold);
extern bool gofive_database_held(Oid dboid);
extern uint32 gofive_holds_ended(void);
extern void gofive_take_slot(GofiveWorkerSlot *slot, Oid dboid, const char *database);
extern void gofive_publish_lanes(const GofiveLaneStat *lanes, int n);
extern void gofive_request_maintenance(void);
extern bool gofive_maintenance_requested(void);
extern int64 gofive_origin_of_database(void);

/* ---- launcher.c: the launcher, and the statements it hears about ---- */
extern void gofive_register_launcher(void);
extern PGDLLEXPORT void gofive_launcher_main(Datum arg);
extern void gofive_install_utility_hook(void);

/* ---- privilege.c: whose rights the SQL runs with; plans, arrays ---- */
typedef struct GofiveRaised
{
	Oid			userid;
	int			sec_context;
	int			guc_nest_level;
} GofiveRaised;

extern Oid	gofive_outbox_relid(void);
extern void gofive_become_owner(GofiveRaised *saved);
extern void gofive_restore_user(const GofiveRaised *saved);
extern bool gofive_is_admin(Oid role);
extern bool gofive_become_worker_role(void);

struct _SPI_plan;
extern struct _SPI_plan *gofive_prepare_once(struct _SPI_plan **plan, const char *sql,
											  int nargs, Oid *types);
extern Datum gofive_array(Oid elemtype, int n, Datum *values, bool *nulls);

/* ---- outbox.c: requests into the outbox, and their management ---- */
extern int64 gofive_enqueue_row(const char *operation, const char *method,
								const char *path, Jsonb *body,
								const char *ordering_key);
/* a batch of at least this many requests goes into gofive.intake */
#define GOFIVE_INTAKE_MIN 100
extern void gofive_enqueue_rows(const char *operation, const char *method, const char *path,
								int n, Datum *bodies, bool *body_nulls,
								Datum *keys, bool *key_nulls);
extern void gofive_mark_invalid(int64 id, const char *error);
extern int64 gofive_purge_expired(bool all, Oid role);

/* ---- trigger_queue.c: a row trigger's requests, a statement at a time ---- */
extern void gofive_queue_row_request(const GofiveOperation *op, Jsonb *body, const char *key);
extern void gofive_flush_row_requests(void);
extern void gofive_install_trigger_queue(void);

/* ---- trigger_check.c: gofive_enqueue_trigger's arguments ---- */
typedef struct GofiveTriggerArgs
{
	const GofiveOperation *op;
	Jsonb	   *mapping;
	const char *key_column;		/* the ordering key's, or NULL */
	bool		record_invalid; /* "on_invalid": "record" */
	char	   *timestamp_zone; /* "timestamp_zone", or NULL: gofive.time_zone */
} GofiveTriggerArgs;

struct CreateTrigStmt;
extern Jsonb *gofive_trigger_mapping(const char *text);
extern void gofive_read_trigger_args(int nargs, char **args, TupleDesc tupdesc,
									 const char *relname, GofiveTriggerArgs *ta);
extern void gofive_check_create_trigger(struct CreateTrigStmt *stmt);

/* ---- drop_guard.c: undelivered requests are not dropped quietly ---- */
extern bool gofive_drop_undelivered;
extern void gofive_install_drop_guard(void);

/* ---- worker.c: the delivery worker's entry point ---- */
extern PGDLLEXPORT void gofive_worker_main(Datum arg);

#endif							/* GOFIVE_OUTBOX_H */
