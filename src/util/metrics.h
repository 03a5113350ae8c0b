/*
 * metrics.h: counters shared by all workers, served as Prometheus text.
 *
 * The master maps one shared anonymous region before forking, so every
 * worker adds to the same counters with atomic operations and any worker
 * can answer /metrics with the whole service's numbers.
 */
#ifndef PIPELINED_METRICS_H
#define PIPELINED_METRICS_H

#include <stdint.h>

#define METRICS_MAX_ROUTES  64
#define METRICS_MAX_WORKERS 64

struct evbuffer;

/* Maps the shared region; call once in the master before forking. */
int metrics_init(void);

/* Route labels, index-aligned with http_request.route. */
void metrics_set_routes(const char *const *names, int n);

/* The worker slot this process writes its gauges to. */
void metrics_set_worker(int slot);

void metrics_record_request(int route, int status, uint64_t duration_us);
void metrics_db_error(void);
void metrics_db_batch(int queries);
void metrics_db_shared(int queries);
/* A worker says it serves (1); the master clears the flag (0) before it
 * forks the slot's next worker, and reads it when that one dies. */
void metrics_worker_ready(int slot, int ready);
int metrics_worker_was_ready(int slot);
/* The master: a slot whose worker is gone and not replaced (a reload
 * retired it) counts no connections. */
void metrics_worker_gone(int slot);
void metrics_worker_restart(void);
void metrics_keymgr_restart(void);
/* A read served by the standby (1) or the primary (0); the standby's lag
 * as a worker last measured it. */
void metrics_read_served(int standby);
void metrics_standby_lag_ms(long long ms);
/* One signature a worker waited us microseconds for; ok: it came. */
void metrics_key_wait(uint64_t us, int ok);
void metrics_pool_gauges(int in_use, int waiting, int connected);

/* Appends the Prometheus text exposition to buf. */
void metrics_render(struct evbuffer *buf);

#endif
