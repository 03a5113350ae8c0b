/*
 * peers.c: see peers.h.
 *
 * An open-addressing hash table with linear probing, and deletion by
 * backward shift (an entry whose count falls to 0 leaves no tombstone,
 * so lookups never grow longer than the addresses connected now). One
 * lock for the table: it is taken twice per connection, for a few
 * hundred nanoseconds, never across a system call.
 */
#include "peers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../util/hash.h"
#include "../util/metrics.h"

#define PEERS_SLOTS 4096 /* addresses connected at once */
#define ADDR_LEN    46 /* INET6_ADDRSTRLEN */

struct peer {
	char addr[ADDR_LEN]; /* "" for a free entry */
	int total;
	int count[METRICS_MAX_WORKERS];
};

struct peers {
	pid_t lock; /* the holder's pid, 0 when free */
	struct peer e[PEERS_SLOTS];
};

static struct peers *t;
static int limit;
static int column;

int
peers_init(void)
{
	void *p = mmap(NULL, sizeof(struct peers), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	t = p;
	return 0;
}

/*
 * The holder's pid is the lock's value so that a worker killed while it
 * held the lock (kill -9 between two instructions) does not stop every
 * other worker from accepting: a waiter that finds the holder gone takes
 * the lock over.
 */
static void
lock(void)
{
	pid_t me = getpid(), held;
	int spins = 0;

	for (;;) {
		held = 0;
		if (__atomic_compare_exchange_n(&t->lock, &held, me, 0,
		        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (++spins % 1024 == 0 && kill(held, 0) != 0 &&
		    errno == ESRCH &&
		    __atomic_compare_exchange_n(&t->lock, &held, me, 0,
		        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		sched_yield();
	}
}

static void
unlock(void)
{
	__atomic_store_n(&t->lock, 0, __ATOMIC_RELEASE);
}

static unsigned
home(const char *s)
{
	return hash_string(s) % PEERS_SLOTS;
}

/* The entry of addr, or the free one where it would go; -1 when the
 * table is full. */
static int
find(const char *addr)
{
	unsigned i = home(addr);
	int n;

	for (n = 0; n < PEERS_SLOTS; n++, i = (i + 1) % PEERS_SLOTS)
		if (t->e[i].addr[0] == '\0' || strcmp(t->e[i].addr, addr) == 0)
			return (int)i;
	return -1;
}

/* Frees entry i, moving back the entries after it that would no longer
 * be found past the hole. */
static void
erase(unsigned i)
{
	unsigned j = i, h;

	for (;;) {
		j = (j + 1) % PEERS_SLOTS;
		if (t->e[j].addr[0] == '\0')
			break;
		h = home(t->e[j].addr);
		/* Entry j may stay if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->e[i] = t->e[j];
		i = j;
	}
	memset(&t->e[i], 0, sizeof(t->e[i]));
}

void
peers_worker_start(int slot, int max_per_address)
{
	column = slot;
	limit = max_per_address;
	peers_clear(slot);
}

void
peers_clear(int slot)
{
	unsigned i;

	if (t == NULL)
		return;
	lock();
	for (i = 0; i < PEERS_SLOTS; i++) {
		t->e[i].total -= t->e[i].count[slot];
		t->e[i].count[slot] = 0;
	}
	/* Erasing may shift another entry into i: look at i again. */
	for (i = 0; i < PEERS_SLOTS;)
		if (t->e[i].addr[0] != '\0' && t->e[i].total == 0)
			erase(i);
		else
			i++;
	unlock();
}

int
peers_enter(const char *addr)
{
	struct peer *p;
	int i, rc;

	if (t == NULL || strlen(addr) >= ADDR_LEN)
		return -1;
	lock();
	if ((i = find(addr)) < 0) {
		rc = -1;
	} else if (t->e[i].total >= limit) {
		rc = 0;
	} else {
		p = &t->e[i];
		memcpy(p->addr, addr, strlen(addr) + 1);
		p->total++;
		p->count[column]++;
		rc = 1;
	}
	unlock();
	return rc;
}

void
peers_leave(const char *addr)
{
	int i;

	if (t == NULL)
		return;
	lock();
	if ((i = find(addr)) >= 0 && t->e[i].addr[0] != '\0' &&
	    t->e[i].count[column] > 0) {
		t->e[i].count[column]--;
		if (--t->e[i].total == 0)
			erase((unsigned)i);
	}
	unlock();
}
