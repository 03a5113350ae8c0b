/*
 * reload.c: SIGHUP. The master reads its configuration file again and,
 * when it changed (or the access log was rotated away), replaces its
 * workers without dropping a connection:
 *
 *   1. the file is read and checked as at start; an error, or a change
 *      to an option that only a restart can apply (tls_key_manager,
 *      key_manager_user), refuses the reload with a log line and nothing
 *      changes;
 *   2. a new generation opens: the access log, and the listening
 *      sockets, the running ones where the address is the same;
 *   3. the certificate files named by the new configuration are read
 *      (certs.c), the running workers switching to them at once;
 *   4. new workers are forked in free slots with the new configuration
 *      and start accepting beside the old ones;
 *   5. once every new worker serves, each old one is told to retire
 *      (SIGUSR2): it stops accepting, finishes its requests and closes
 *      its keep-alive connections after their next response, and exits
 *      within its drain_timeout (then it is killed). Its socket stays
 *      open in its successor, so no connection waiting to be accepted is
 *      reset.
 * If a new worker dies before it serves, or they do not all serve within
 * PENDING_MAX_MS, the new ones retire instead and the old configuration
 * stays; its certificate files are read again (step 3 had replaced
 * them).
 * An unchanged file only rereads the certificates (step 3), as before.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../util/clock.h"
#include "supervisor.h"

#define PENDING_MAX_MS  10000
#define PENDING_TICK_MS 20

/* The options a running master cannot change: the key manager runs as
 * it started. NULL when none of them differs. */
static const char *
needs_restart(const struct config *old, const struct config *new)
{
	if (strcmp(old->tls_key_manager, new->tls_key_manager) != 0)
		return "tls_key_manager";
	if (strcmp(old->key_manager_user, new->key_manager_user) != 0)
		return "key_manager_user";
	return NULL;
}

static int
free_slots(const struct master *m)
{
	int i, k = 0;

	for (i = 0; i < METRICS_MAX_WORKERS; i++)
		k += m->slots[i].state == SLOT_FREE;
	return k;
}

/* Step 1: the new configuration into cfg, or -1 (logged). */
static int
read_config(struct master *m, struct config *cfg)
{
	const struct generation *live = &m->gens[m->live];
	const char *option;
	char err[512];

	config_defaults(cfg);
	if (config_load(cfg, m->o->conf_path, err, sizeof(err)) != 0) {
		fprintf(stderr,
		    "pipelined: reload refused, the configuration in use "
		    "stays: %s\n",
		    err);
		return -1;
	}
	if ((option = needs_restart(&live->cfg, cfg)) != NULL) {
		fprintf(stderr,
		    "pipelined: reload refused: %s changed, which needs a "
		    "restart; the configuration in use stays\n",
		    option);
		return -1;
	}
	if (generation_workers(cfg) > free_slots(m)) {
		fprintf(stderr,
		    "pipelined: reload refused: %d workers do not fit beside "
		    "the running ones (at most %d slots); restart instead\n",
		    generation_workers(cfg), METRICS_MAX_WORKERS);
		return -1;
	}
	return 0;
}

/* Step 4: a new worker for each position, in the free slots. */
static void
spawn_pending(struct master *m)
{
	int i, pos = 0, g = !m->live;

	for (i = 0; i < METRICS_MAX_WORKERS && pos < m->gens[g].n; i++) {
		if (m->slots[i].state != SLOT_FREE)
			continue;
		m->slots[i].state = SLOT_PENDING;
		m->slots[i].gen = g;
		m->slots[i].pos = pos++;
		master_spawn(m, i);
	}
	m->pending = 1;
	m->pending_since_ms = clock_ms();
}

void
reload_begin(struct master *m)
{
	static struct config cfg; /* 5 KiB: off the stack */
	struct generation *live = &m->gens[m->live], *next;
	char err[512];

	if (m->pending) {
		fprintf(stderr, "pipelined: reload refused: the previous one "
		                "is still starting its workers\n");
		return;
	}
	if (read_config(m, &cfg) != 0)
		return;
	if (memcmp(&cfg, &live->cfg, sizeof(cfg)) == 0 &&
	    !generation_log_moved(live)) {
		certs_reload(&m->certs, &live->cfg);
		return;
	}
	next = &m->gens[!m->live];
	if (generation_open(next, &cfg, live, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipelined: reload refused: %s\n", err);
		return;
	}
	if (certs_reload(&m->certs, &next->cfg) != 0) {
		generation_close(next, live);
		return;
	}
	spawn_pending(m);
}

/* Step 5: the pending workers all serve. */
static void
promote(struct master *m)
{
	int i, retired = 0, g = !m->live;

	for (i = 0; i < METRICS_MAX_WORKERS; i++) {
		struct slot *s = &m->slots[i];

		if (s->state == SLOT_LIVE && s->pid == 0) {
			master_free_slot(m, i);
		} else if (s->state == SLOT_LIVE) {
			s->state = SLOT_RETIRING;
			s->kill_at_ms =
			    clock_ms() +
			    (uint64_t)(m->gens[m->live].cfg.drain_timeout + 2) *
			        1000;
			kill(s->pid, SIGUSR2);
			retired++;
		} else if (s->state == SLOT_PENDING) {
			s->state = SLOT_LIVE;
		}
	}
	generation_close(&m->gens[m->live], &m->gens[g]);
	m->live = g;
	m->pending = 0;
	fprintf(stderr,
	    "pipelined: reloaded the configuration: %d new workers serve, %d "
	    "old ones finish what they have\n",
	    m->gens[g].n, retired);
}

void
reload_abandon(struct master *m, const char *why)
{
	int i;

	uint64_t drain;

	if (!m->pending)
		return;
	drain = (uint64_t)(m->gens[!m->live].cfg.drain_timeout + 2) * 1000;
	for (i = 0; i < METRICS_MAX_WORKERS; i++) {
		struct slot *s = &m->slots[i];

		if (s->state != SLOT_PENDING)
			continue;
		if (s->pid == 0) { /* its fork failed */
			master_free_slot(m, i);
			continue;
		}
		s->state = SLOT_RETIRING;
		s->kill_at_ms = clock_ms() + drain;
		kill(s->pid, SIGUSR2);
	}
	generation_close(&m->gens[!m->live], &m->gens[m->live]);
	m->pending = 0;
	/* Back to the live configuration's certificate files (a failure,
	 * logged, leaves the new certificate in use). */
	certs_reload(&m->certs, &m->gens[m->live].cfg);
	fprintf(stderr,
	    "pipelined: reload abandoned (%s); the configuration in use "
	    "stays\n",
	    why);
}

static int
pending_ready(const struct master *m)
{
	int i;

	for (i = 0; i < METRICS_MAX_WORKERS; i++)
		if (m->slots[i].state == SLOT_PENDING &&
		    (m->slots[i].pid == 0 || !metrics_worker_was_ready(i)))
			return 0;
	return 1;
}

/* Retiring workers past their drain are killed; reaped as usual. */
static void
end_overdue_drains(struct master *m)
{
	uint64_t now = clock_ms();
	int i;

	for (i = 0; i < METRICS_MAX_WORKERS; i++)
		if (m->slots[i].state == SLOT_RETIRING && m->slots[i].pid > 0 &&
		    now >= m->slots[i].kill_at_ms)
			kill(m->slots[i].pid, SIGKILL);
}

long
reload_tick(struct master *m, long max_ms)
{
	end_overdue_drains(m);
	if (!m->pending)
		return max_ms;
	if (pending_ready(m))
		promote(m);
	else if (clock_ms() - m->pending_since_ms > PENDING_MAX_MS)
		reload_abandon(m, "its workers did not all serve in 10 s");
	return m->pending && max_ms > PENDING_TICK_MS ? PENDING_TICK_MS
	                                              : max_ms;
}
