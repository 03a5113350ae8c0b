/*
 * ratelimit.c: see ratelimit.h. Both tables are open hash tables of fixed
 * size in one shared anonymous mapping; each slot has its own spin lock,
 * held for a few instructions. A slot that another key hashes to is taken
 * over: the limits protect the service, and forgetting an idle principal
 * only gives it a full bucket.
 */
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ratelimit.h"
#include "../util/hash.h"

#define SLOTS 4096

struct bucket {
	unsigned lock;
	char id[40];
	double tokens;
	double at; /* seconds, CLOCK_MONOTONIC: the same in every process */
};

/* Failures leak out at auth_failures_per_minute / 60 a second, so the
 * limit holds over any minute, not per calendar minute (which let twice
 * the limit through across a minute's end). */
struct failures {
	unsigned lock;
	char addr[64];
	double level;
	double at; /* seconds, CLOCK_MONOTONIC */
};

struct tables {
	struct bucket buckets[SLOTS];
	struct failures fails[SLOTS];
};

static struct tables local; /* before configure, and if mmap fails */
static struct tables *t = &local;
static double rate = 100, burst = 200;
static int max_failures = 30;

void
ratelimit_configure(int per_second, int burst_size, int failures_per_minute)
{
	void *p = mmap(NULL, sizeof(struct tables), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		t = p;
	rate = per_second;
	burst = burst_size;
	max_failures = failures_per_minute;
}

static void
lock(unsigned *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE) != 0)
		sched_yield();
}

static void
unlock(unsigned *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static unsigned
hash(const char *s)
{
	return hash_string(s) % SLOTS;
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
	struct bucket *b = &t->buckets[hash(id)];
	double tnow = now();
	int wait = 0;

	lock(&b->lock);
	if (strncmp(b->id, id, sizeof(b->id)) != 0) {
		strncpy(b->id, id, sizeof(b->id) - 1);
		b->id[sizeof(b->id) - 1] = '\0';
		b->tokens = burst;
		b->at = tnow;
	}
	b->tokens += (tnow - b->at) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at = tnow;
	if (b->tokens >= 1.0)
		b->tokens -= 1.0;
	else
		wait = (int)((1.0 - b->tokens) / rate) + 1;
	unlock(&b->lock);
	return wait;
}

/* The slot of addr, its level drained to now (reset when it held
 * another address); returned locked. */
static struct failures *
failures_of(const char *addr)
{
	struct failures *f = &t->fails[hash(addr)];
	double tnow = now();

	lock(&f->lock);
	if (strncmp(f->addr, addr, sizeof(f->addr)) != 0) {
		strncpy(f->addr, addr, sizeof(f->addr) - 1);
		f->addr[sizeof(f->addr) - 1] = '\0';
		f->level = 0;
	} else {
		f->level -= (tnow - f->at) * max_failures / 60.0;
		if (f->level < 0)
			f->level = 0;
	}
	f->at = tnow;
	return f;
}

void
ratelimit_auth_failure(const char *addr)
{
	struct failures *f = failures_of(addr);

	f->level += 1.0;
	unlock(&f->lock);
}

int
ratelimit_auth_blocked(const char *addr)
{
	struct failures *f = failures_of(addr);
	double over = f->level - max_failures;
	int wait = 0;

	if (over >= 0)
		wait = (int)((over + 1.0) * 60.0 / max_failures) + 1;
	unlock(&f->lock);
	return wait;
}
