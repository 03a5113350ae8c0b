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
	int leased; /* shared: tokens this instance holds of the database's;
	               below 0, what it spent ahead of a lease on its way */
	double lease_until; /* when they lapse, unspent */
	double asked_at; /* a lease on its way since then; 0: none */
};

/* A lease lapses after a second: tokens an instance took and did not
 * spend are lost to every instance (never spent twice), so a lease is
 * small and short, and an idle instance hoards nothing. */
#define LEASE_S 1.0
/* One lease on its way per principal and instance: while it is, requests
 * spend ahead of it, up to one lease's worth, which it then repays. So a
 * spent lease costs one statement, not one per request that arrives
 * before the answer (64 connections made 64). Ahead of more, or of a
 * lease that is not back in ASKED_S, a request asks itself. */
#define ASKED_S 0.5

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
static int shared_mode;

void
ratelimit_init(void)
{
	void *p = mmap(NULL, sizeof(struct tables), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		t = p;
}

void
ratelimit_configure(
    int per_second, int burst_size, int failures_per_minute, int shared)
{
	rate = per_second;
	burst = burst_size;
	max_failures = failures_per_minute;
	shared_mode = shared;
}

double
ratelimit_rate(void)
{
	return rate;
}

double
ratelimit_burst(void)
{
	return burst;
}

int
ratelimit_failures_per_minute(void)
{
	return max_failures;
}

/* A tenth of a second's worth, 1 to 100 tokens: few round trips to the
 * database, and little lost when a lease lapses. */
int
ratelimit_lease_size(void)
{
	double n = rate / 10;

	return n < 1 ? 1 : n > 100 ? 100 : (int)n;
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

/* The slot of id, returned locked (reset when it held another id). */
static struct bucket *
bucket_of(const char *id, double tnow)
{
	struct bucket *b = &t->buckets[hash(id)];

	lock(&b->lock);
	if (strncmp(b->id, id, sizeof(b->id)) != 0) {
		strncpy(b->id, id, sizeof(b->id) - 1);
		b->id[sizeof(b->id) - 1] = '\0';
		b->tokens = burst;
		b->at = tnow;
		b->leased = 0;
		b->asked_at = 0;
	}
	return b;
}

int
ratelimit_take(const char *id)
{
	struct bucket *b;
	double tnow = now();
	int rc = RATELIMIT_ASK, waiting;

	if (!shared_mode)
		return ratelimit_take_local(id);
	b = bucket_of(id, tnow);
	if (b->leased > 0 && tnow >= b->lease_until)
		b->leased = 0; /* lapsed */
	/* A lease on its way, not for too long: spend ahead of it, up to
	 * one lease's worth; else this request asks for the lease. */
	waiting = b->asked_at != 0 && tnow - b->asked_at <= ASKED_S;

	if (b->leased > 0 || (waiting && b->leased > -ratelimit_lease_size())) {
		b->leased--;
		rc = 0;
	} else if (!waiting)
		b->asked_at = tnow;
	unlock(&b->lock);
	return rc;
}

void
ratelimit_lease_add(const char *id, int n)
{
	double tnow = now();
	struct bucket *b = bucket_of(id, tnow);

	/* What is left of a lapsed lease is gone; what was spent ahead of
	 * this one is repaid from it. */
	if (b->leased > 0 && tnow >= b->lease_until)
		b->leased = 0;
	b->leased += n;
	b->lease_until = tnow + LEASE_S;
	b->asked_at = 0;
	unlock(&b->lock);
}

int
ratelimit_take_local(const char *id)
{
	double tnow = now();
	struct bucket *b = bucket_of(id, tnow);
	int wait = 0;

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

void
ratelimit_auth_level(const char *addr, double level)
{
	struct failures *f = failures_of(addr);

	if (level > f->level)
		f->level = level;
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
