/*
 * metrics.c: see metrics.h. Requests are counted per (route, status) in a
 * fixed matrix: status codes are 100..599, routes are few, so a flat
 * array in shared memory needs neither locks nor allocation.
 */
#include "metrics.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include <event2/buffer.h>

#define NSTATUS 500 /* 100..599 */

static const double bucket_ms[] = {
    0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
#define NBUCKETS (sizeof(bucket_ms) / sizeof(bucket_ms[0]))

struct worker_gauges {
	uint32_t in_use, waiting, connected;
	uint32_t ready; /* the worker has started serving */
};

struct shared {
	uint64_t requests[METRICS_MAX_ROUTES + 1][NSTATUS];
	uint64_t buckets[NBUCKETS + 1];
	uint64_t duration_us_sum;
	uint64_t count;
	uint64_t db_errors;
	uint64_t db_batches, db_batched, db_shared;
	uint64_t worker_restarts;
	uint64_t keymgr_restarts;
	uint64_t reads_standby, reads_primary;
	int64_t standby_lag_ms; /* -1: no standby watched */
	uint64_t key_signs, key_sign_failures, key_wait_us_sum, key_wait_us_max;
	struct worker_gauges workers[METRICS_MAX_WORKERS];
};

static struct shared *shm;
static const char *const *route_names;
static int nroutes;
static int worker_slot;

int
metrics_init(void)
{
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	shm = p;
	shm->standby_lag_ms = -1;
	return 0;
}

void
metrics_set_routes(const char *const *names, int n)
{
	route_names = names;
	nroutes = n < METRICS_MAX_ROUTES ? n : METRICS_MAX_ROUTES;
}

void
metrics_set_worker(int slot)
{
	worker_slot = slot % METRICS_MAX_WORKERS;
}

void
metrics_record_request(int route, int status, uint64_t duration_us)
{
	size_t b;
	int row;

	if (shm == NULL || status < 100 || status > 599)
		return;
	row = (route >= 0 && route < nroutes) ? route : METRICS_MAX_ROUTES;
	__atomic_add_fetch(
	    &shm->requests[row][status - 100], 1, __ATOMIC_RELAXED);
	for (b = 0; b < NBUCKETS; b++)
		if ((double)duration_us <= bucket_ms[b] * 1000.0)
			break;
	__atomic_add_fetch(&shm->buckets[b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(
	    &shm->duration_us_sum, duration_us, __ATOMIC_RELAXED);
	__atomic_add_fetch(&shm->count, 1, __ATOMIC_RELAXED);
}

void
metrics_db_error(void)
{
	if (shm != NULL)
		__atomic_add_fetch(&shm->db_errors, 1, __ATOMIC_RELAXED);
}

void
metrics_db_batch(int queries)
{
	if (shm == NULL)
		return;
	__atomic_add_fetch(&shm->db_batches, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(
	    &shm->db_batched, (uint64_t)queries, __ATOMIC_RELAXED);
}

void
metrics_db_shared(int queries)
{
	if (shm != NULL)
		__atomic_add_fetch(
		    &shm->db_shared, (uint64_t)queries, __ATOMIC_RELAXED);
}

void
metrics_worker_ready(int slot, int ready)
{
	if (shm != NULL)
		__atomic_store_n(
		    &shm->workers[slot % METRICS_MAX_WORKERS].ready,
		    (uint32_t)ready, __ATOMIC_RELAXED);
}

void
metrics_worker_gone(int slot)
{
	if (shm != NULL)
		memset(&shm->workers[slot % METRICS_MAX_WORKERS], 0,
		    sizeof(shm->workers[0]));
}

int
metrics_worker_was_ready(int slot)
{
	return shm != NULL &&
	       __atomic_load_n(&shm->workers[slot % METRICS_MAX_WORKERS].ready,
	           __ATOMIC_RELAXED) != 0;
}

void
metrics_worker_restart(void)
{
	if (shm != NULL)
		__atomic_add_fetch(&shm->worker_restarts, 1, __ATOMIC_RELAXED);
}

void
metrics_read_served(int standby)
{
	if (shm != NULL)
		__atomic_add_fetch(
		    standby ? &shm->reads_standby : &shm->reads_primary, 1,
		    __ATOMIC_RELAXED);
}

void
metrics_standby_lag_ms(long long ms)
{
	if (shm != NULL)
		__atomic_store_n(&shm->standby_lag_ms, ms, __ATOMIC_RELAXED);
}

void
metrics_keymgr_restart(void)
{
	if (shm != NULL)
		__atomic_add_fetch(&shm->keymgr_restarts, 1, __ATOMIC_RELAXED);
}

void
metrics_key_wait(uint64_t us, int ok)
{
	uint64_t max;

	if (shm == NULL)
		return;
	__atomic_add_fetch(ok ? &shm->key_signs : &shm->key_sign_failures, 1,
	    __ATOMIC_RELAXED);
	__atomic_add_fetch(&shm->key_wait_us_sum, us, __ATOMIC_RELAXED);
	max = __atomic_load_n(&shm->key_wait_us_max, __ATOMIC_RELAXED);
	while (us > max && !__atomic_compare_exchange_n(&shm->key_wait_us_max,
	                       &max, us, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void
metrics_pool_gauges(int in_use, int waiting, int connected)
{
	struct worker_gauges *g;

	if (shm == NULL)
		return;
	g = &shm->workers[worker_slot];
	__atomic_store_n(&g->in_use, (uint32_t)in_use, __ATOMIC_RELAXED);
	__atomic_store_n(&g->waiting, (uint32_t)waiting, __ATOMIC_RELAXED);
	__atomic_store_n(&g->connected, (uint32_t)connected, __ATOMIC_RELAXED);
}

static void
render_requests(struct evbuffer *buf)
{
	uint64_t n;
	int row, s;

	evbuffer_add_printf(buf,
	    "# HELP pipelined_http_requests_total HTTP requests answered.\n"
	    "# TYPE pipelined_http_requests_total counter\n");
	for (row = 0; row <= METRICS_MAX_ROUTES; row++) {
		if (row >= nroutes && row != METRICS_MAX_ROUTES)
			continue;
		for (s = 0; s < NSTATUS; s++) {
			n = __atomic_load_n(
			    &shm->requests[row][s], __ATOMIC_RELAXED);
			if (n == 0)
				continue;
			evbuffer_add_printf(buf,
			    "pipelined_http_requests_total{route=\"%s\","
			    "status=\"%d\"} %llu\n",
			    row == METRICS_MAX_ROUTES ? "unmatched"
			                              : route_names[row],
			    s + 100, (unsigned long long)n);
		}
	}
}

static void
render_latency(struct evbuffer *buf)
{
	uint64_t cum = 0;
	size_t b;

	evbuffer_add_printf(buf,
	    "# HELP pipelined_http_request_duration_seconds Time from the "
	    "request's first byte to its response.\n"
	    "# TYPE pipelined_http_request_duration_seconds histogram\n");
	for (b = 0; b <= NBUCKETS; b++) {
		cum += __atomic_load_n(&shm->buckets[b], __ATOMIC_RELAXED);
		if (b < NBUCKETS)
			evbuffer_add_printf(buf,
			    "pipelined_http_request_duration_seconds_bucket"
			    "{le=\"%g\"} %llu\n",
			    bucket_ms[b] / 1000.0, (unsigned long long)cum);
		else
			evbuffer_add_printf(buf,
			    "pipelined_http_request_duration_seconds_bucket"
			    "{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	evbuffer_add_printf(buf,
	    "pipelined_http_request_duration_seconds_sum %.6f\n"
	    "pipelined_http_request_duration_seconds_count %llu\n",
	    (double)__atomic_load_n(&shm->duration_us_sum, __ATOMIC_RELAXED) /
	        1e6,
	    (unsigned long long)__atomic_load_n(&shm->count, __ATOMIC_RELAXED));
}

static void
render_pool(struct evbuffer *buf)
{
	uint64_t in_use = 0, waiting = 0, connected = 0;
	int w;

	for (w = 0; w < METRICS_MAX_WORKERS; w++) {
		in_use +=
		    __atomic_load_n(&shm->workers[w].in_use, __ATOMIC_RELAXED);
		waiting +=
		    __atomic_load_n(&shm->workers[w].waiting, __ATOMIC_RELAXED);
		connected += __atomic_load_n(
		    &shm->workers[w].connected, __ATOMIC_RELAXED);
	}
	evbuffer_add_printf(buf,
	    "# HELP pipelined_db_connections_in_use Pool connections running "
	    "a query.\n# TYPE pipelined_db_connections_in_use gauge\n"
	    "pipelined_db_connections_in_use %llu\n"
	    "# HELP pipelined_db_queries_waiting Queries queued for a free "
	    "connection.\n# TYPE pipelined_db_queries_waiting gauge\n"
	    "pipelined_db_queries_waiting %llu\n"
	    "# HELP pipelined_db_connections_up Pool connections that are "
	    "connected.\n# TYPE pipelined_db_connections_up gauge\n"
	    "pipelined_db_connections_up %llu\n"
	    "# HELP pipelined_db_errors_total Failed queries and lost "
	    "connections.\n# TYPE pipelined_db_errors_total counter\n"
	    "pipelined_db_errors_total %llu\n"
	    "# HELP pipelined_db_batches_total Statements that answered "
	    "several waiting lookups at once.\n"
	    "# TYPE pipelined_db_batches_total counter\n"
	    "pipelined_db_batches_total %llu\n"
	    "# HELP pipelined_db_batched_queries_total Lookups answered in "
	    "those batches.\n"
	    "# TYPE pipelined_db_batched_queries_total counter\n"
	    "pipelined_db_batched_queries_total %llu\n"
	    "# HELP pipelined_db_shared_reads_total Identical reads answered "
	    "by one statement they waited for together.\n"
	    "# TYPE pipelined_db_shared_reads_total counter\n"
	    "pipelined_db_shared_reads_total %llu\n",
	    (unsigned long long)in_use, (unsigned long long)waiting,
	    (unsigned long long)connected,
	    (unsigned long long)__atomic_load_n(
	        &shm->db_errors, __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(
	        &shm->db_batches, __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(
	        &shm->db_batched, __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(
	        &shm->db_shared, __ATOMIC_RELAXED));
}

static void
render_workers(struct evbuffer *buf)
{
	evbuffer_add_printf(buf,
	    "# HELP pipelined_worker_restarts_total Workers that died after "
	    "they had started serving, and were replaced.\n"
	    "# TYPE pipelined_worker_restarts_total counter\n"
	    "pipelined_worker_restarts_total %llu\n",
	    (unsigned long long)__atomic_load_n(
	        &shm->worker_restarts, __ATOMIC_RELAXED));
}

#define LOAD(f) ((unsigned long long)__atomic_load_n(&shm->f, __ATOMIC_RELAXED))

static void
render_reads(struct evbuffer *buf)
{
	evbuffer_add_printf(buf,
	    "# HELP pipelined_reads_total Lists, figures, alerts and change "
	    "feed pages, by the server that answered.\n"
	    "# TYPE pipelined_reads_total counter\n"
	    "pipelined_reads_total{pool=\"standby\"} %llu\n"
	    "pipelined_reads_total{pool=\"primary\"} %llu\n"
	    "# HELP pipelined_standby_lag_seconds How long since the standby "
	    "last had all the primary had, as a worker last saw (-1: none).\n"
	    "# TYPE pipelined_standby_lag_seconds gauge\n"
	    "pipelined_standby_lag_seconds %.3f\n",
	    LOAD(reads_standby), LOAD(reads_primary),
	    (double)__atomic_load_n(&shm->standby_lag_ms, __ATOMIC_RELAXED) /
	        1000.0);
}

static void
render_keymgr(struct evbuffer *buf)
{
	evbuffer_add_printf(buf,
	    "# HELP pipelined_keymgr_restarts_total Key managers that died "
	    "and were replaced.\n"
	    "# TYPE pipelined_keymgr_restarts_total counter\n"
	    "pipelined_keymgr_restarts_total %llu\n"
	    "# HELP pipelined_key_signatures_total Handshake signatures the "
	    "workers got from the key manager, by outcome.\n"
	    "# TYPE pipelined_key_signatures_total counter\n"
	    "pipelined_key_signatures_total{outcome=\"ok\"} %llu\n"
	    "pipelined_key_signatures_total{outcome=\"failed\"} %llu\n"
	    "# HELP pipelined_key_wait_seconds_sum Time the workers waited "
	    "for those signatures.\n"
	    "# TYPE pipelined_key_wait_seconds_sum counter\n"
	    "pipelined_key_wait_seconds_sum %.6f\n"
	    "# HELP pipelined_key_wait_seconds_max The longest wait.\n"
	    "# TYPE pipelined_key_wait_seconds_max gauge\n"
	    "pipelined_key_wait_seconds_max %.6f\n",
	    LOAD(keymgr_restarts), LOAD(key_signs), LOAD(key_sign_failures),
	    (double)LOAD(key_wait_us_sum) / 1e6,
	    (double)LOAD(key_wait_us_max) / 1e6);
}

void
metrics_render(struct evbuffer *buf)
{
	if (shm == NULL)
		return;
	render_requests(buf);
	render_latency(buf);
	render_pool(buf);
	render_workers(buf);
	render_keymgr(buf);
	render_reads(buf);
}
