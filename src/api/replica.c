/*
 * replica.c: see replica.h.
 *
 * The lag: every WATCH_MS the worker asks the primary for its WAL
 * position P, then the standby for its replay position R. When R >= P,
 * the standby had everything the primary had when asked: caught_up_at is
 * then. The lag is the time since the standby was last so caught up, an
 * upper bound that is never too small, whatever the write rate (an idle
 * primary leaves pg_last_xact_replay_timestamp() old, which would count an
 * idle, current standby as far behind). A failed query, or no answer for
 * STALE_MS, takes the standby out until it answers again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "../util/metrics.h"
#include "../util/clock.h"
#include "api.h"
#include "replica.h"

#define WATCH_MS 100
#define STALE_MS 1000

static struct event *watch;
static long long standby_pos = -1; /* last replay position, -1: unknown */
static uint64_t caught_up_at, answered_at; /* ms, CLOCK_MONOTONIC */
static long long asked_primary_pos;
static int asking;

static void
standby_answered(const db_result *st, long long pos, void *arg)
{
	uint64_t now = clock_ms();

	(void)st;
	(void)arg;
	asking = 0;
	if (pos < 0)
		return;
	standby_pos = pos;
	answered_at = now;
	if (pos >= asked_primary_pos)
		caught_up_at = now;
	metrics_standby_lag_ms((long long)(now - caught_up_at));
}

static void
primary_answered(const db_result *st, long long pos, void *arg)
{
	(void)st;
	(void)arg;
	if (pos < 0 ||
	    db_standby_position(api_read_pool, standby_answered, NULL) != 0) {
		asking = 0;
		return;
	}
	asked_primary_pos = pos;
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	/* One round at a time: a slow standby is not asked again and
	 * again, it goes stale. */
	if (asking)
		return;
	asking = 1;
	if (db_wal_position(api_pool, primary_answered, NULL) != 0)
		asking = 0;
}

int
replica_worker_init(struct event_base *base)
{
	struct timeval tv = {0, (suseconds_t)WATCH_MS * 1000};

	if (api_cfg->database_read_url[0] == '\0')
		return 0;
	api_read_pool = db_pool_new(base, api_cfg->database_read_url,
	    api_cfg->db_pool_size, api_cfg->db_reconnect_max_ms,
	    api_cfg->db_statement_timeout_ms, api_cfg->db_lock_timeout_ms);
	if (api_read_pool == NULL)
		return -1;
	watch = event_new(base, -1, EV_PERSIST, watch_cb, NULL);
	event_add(watch, &tv);
	return 0;
}

void
replica_worker_fini(void)
{
	if (watch != NULL)
		event_free(watch);
	if (api_read_pool != NULL)
		db_pool_free(api_read_pool);
	watch = NULL;
	api_read_pool = NULL;
}

/* Whether the standby may serve a read that needs position want (-1:
 * none, then only its lag counts). */
static int
standby_serves(long long want)
{
	uint64_t now = clock_ms();

	if (api_read_pool == NULL || standby_pos < 0 ||
	    now - answered_at > STALE_MS)
		return 0;
	if (want >= 0)
		return standby_pos >= want;
	return now - caught_up_at <= (uint64_t)api_cfg->replica_max_lag_ms;
}

struct db_pool *
api_reader(struct api_req *a)
{
	const char *h = http_header(a->http, COMMIT_POSITION);
	long long want = -1;
	char *end;

	/* pipeline.c refused one that is not digits. */
	if (h != NULL) {
		want = strtoll(h, &end, 10);
		if (end == h || *end != '\0' || want < 0)
			want = -1;
	}
	if (standby_serves(want)) {
		metrics_read_served(1);
		return api_read_pool;
	}
	metrics_read_served(0);
	return api_pool;
}
