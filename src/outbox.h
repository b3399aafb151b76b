/*
 * outbox.h
 *		The transactional outbox: shared state, the worker, its settings.
 */
#ifndef GOFIVE_OUTBOX_H
#define GOFIVE_OUTBOX_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"

/* ---- worker settings (settings.c) ---- */
extern char *gofive_database;
extern int	gofive_max_concurrency;
extern int	gofive_batch_size;
extern int	gofive_max_attempts;
extern int	gofive_retry_base_ms;
extern int	gofive_retry_max_ms;
extern int	gofive_retention_s;

extern void gofive_define_worker_settings(void);

/* ---- shared memory (shmem.c) ---- */
typedef enum GofiveCircuit
{
	CIRCUIT_CLOSED = 0,
	CIRCUIT_OPEN,
	CIRCUIT_HALF_OPEN
} GofiveCircuit;

typedef struct GofiveShared
{
	slock_t		mutex;			/* protects the non-atomic fields */
	Latch	   *worker_latch;	/* set at commit of an enqueueing xact */
	pid_t		worker_pid;
	TimestampTz started_at;
	char		state[64];
	char		database[NAMEDATALEN];
	GofiveCircuit circuit;
	TimestampTz circuit_until;
	char		last_error[256];
	pg_atomic_uint32 in_flight;
	pg_atomic_uint64 sent;
	pg_atomic_uint64 succeeded;
	pg_atomic_uint64 failed;
	pg_atomic_uint64 retried;
	pg_atomic_uint64 dead;
} GofiveShared;

extern GofiveShared *gofive_shared;

extern void gofive_shmem_init(void);
extern void gofive_wake_worker_at_commit(void);
extern void gofive_set_worker_state(const char *state);
extern void gofive_set_last_error(const char *error);
extern void gofive_publish_worker(const char *database);

/* ---- spi.c ---- */
struct _SPI_plan;
extern struct _SPI_plan *gofive_prepare_once(struct _SPI_plan **plan, const char *sql,
											  int nargs, Oid *types);
extern Datum gofive_array(Oid elemtype, int n, Datum *values, bool *nulls);

/* ---- outbox.c ---- */
extern int64 gofive_purge_expired(bool all, Oid role);

/* ---- the worker (worker.c) ---- */
extern void gofive_register_worker(void);
extern PGDLLEXPORT void gofive_worker_main(Datum arg);

/* ---- retry policy (retry.c) ---- */
extern int64 gofive_backoff_ms(int attempt, int retry_after_s);

#endif							/* GOFIVE_OUTBOX_H */
