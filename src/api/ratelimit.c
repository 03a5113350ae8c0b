/*
 * ratelimit.c: see ratelimit.h. Both tables are small open hash tables
 * that forget their oldest entry when full: the limits protect the
 * service, and forgetting an idle principal only gives it a full bucket.
 */
#include <string.h>
#include <time.h>

#include "ratelimit.h"

#define SLOTS 1024

struct bucket {
	char id[40];
	double tokens;
	double at; /* seconds, monotonic */
};

struct failures {
	char addr[64];
	int count;
	time_t window;
};

static struct bucket buckets[SLOTS];
static struct failures fails[SLOTS];
static double rate = 100, burst = 200;
static int max_failures = 30;

void
ratelimit_configure(int per_second, int burst_size, int failures_per_minute)
{
	rate = per_second;
	burst = burst_size;
	max_failures = failures_per_minute;
}

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % SLOTS;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
ratelimit_take(const char *id)
{
	struct bucket *b = &buckets[hash(id)];
	double t = now();

	if (strcmp(b->id, id) != 0) {
		strncpy(b->id, id, sizeof(b->id) - 1);
		b->tokens = burst;
		b->at = t;
	}
	b->tokens += (t - b->at) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at = t;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	return (int)((1.0 - b->tokens) / rate) + 1;
}

static struct failures *
failures_of(const char *addr)
{
	struct failures *f = &fails[hash(addr)];
	time_t minute = time(NULL) / 60;

	if (strcmp(f->addr, addr) != 0 || f->window != minute) {
		strncpy(f->addr, addr, sizeof(f->addr) - 1);
		f->count = 0;
		f->window = minute;
	}
	return f;
}

void
ratelimit_auth_failure(const char *addr)
{
	failures_of(addr)->count++;
}

int
ratelimit_auth_blocked(const char *addr)
{
	return failures_of(addr)->count >= max_failures;
}
