/*
 * master.c: process supervision. The master does no HTTP: it forks one
 * worker per slot, waits for signals, and replaces a worker that exits
 * while the service runs.
 *
 * The rules for a worker that dies:
 *   - one that had started serving (it said so in the shared metrics) is
 *     replaced, always: a client that can crash a worker must not be able
 *     to stop the service. The replacement waits RESTART_MIN_MS, doubled
 *     at each death in a row up to RESTART_MAX_MS, so that a crash loop
 *     costs little; a worker that lived RESTART_RESET_S resets the delay.
 *   - one that exits with an error before it serves (bad configuration,
 *     a port it cannot bind, a user that does not exist) is tried again
 *     after START_RETRY_MS, MAX_START_FAILURES times in all; then the
 *     service stops with status 1,
 *     because no replacement will do better.
 * Every death is logged with the signal's name or the exit status, and
 * counted in pipelined_worker_restarts_total when replaced.
 *
 * The master holds the listening sockets (generation.c) and lends each
 * worker its own, so that a worker's replacement, or its successor after
 * a reload (reload.c), accepts from the same queue. When the service
 * stops, the master closes its copies first: once a draining worker
 * closes its own, the port is closed, as a balancer expects.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/clock.h"
#include "../util/metrics.h"
#include "supervisor.h"

#define RESTART_MIN_MS     100
#define RESTART_MAX_MS     2000
#define RESTART_RESET_S    30
#define MAX_START_FAILURES 3
#define START_RETRY_MS     1000

void
master_spawn(struct master *m, int i)
{
	struct slot *s = &m->slots[i];
	const struct generation *g = &m->gens[s->gen];
	struct worker_args w = {&g->cfg, g->log_fd, g->lfd[s->pos], i};
	pid_t pid;

	metrics_worker_ready(i, 0);
	m->certs.in_use[i] = 1;
	if ((pid = fork()) == 0) {
		/* SIGTERM and SIGUSR2 wait until the worker's loop has its
		 * handlers (worker.c): a drain or retirement asked of a
		 * worker still starting must not kill it. */
		sigset_t mask = m->oldmask;

		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGUSR2);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		generation_keep_only(g, s->pos, &m->gens[!s->gen]);
		_exit(worker_main(m->o, &w, &m->certs));
	}
	s->started_ms = clock_ms();
	if (pid < 0) {
		fprintf(stderr, "pipelined: fork: %s\n", strerror(errno));
		s->pid = 0;
		s->respawn_at_ms = s->started_ms + RESTART_MAX_MS;
		return;
	}
	s->pid = pid;
}

void
master_signal(struct master *m, enum slot_state st, int sig)
{
	int i;

	for (i = 0; i < METRICS_MAX_WORKERS; i++)
		if (m->slots[i].state == st && m->slots[i].pid > 0)
			kill(m->slots[i].pid, sig);
}

/* The per-address counts of the slot are not cleared here: the master
 * never takes their lock (a worker killed holding it is only given up
 * once reaped, and the master would wait on it instead of reaping). A
 * worker clears its column as it exits, and the next one in the slot
 * clears it again as it starts. */
void
master_free_slot(struct master *m, int i)
{
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->certs.in_use[i] = 0;
	metrics_worker_gone(i);
}

static int
slot_of(const struct master *m, pid_t pid)
{
	int i;

	for (i = 0; i < METRICS_MAX_WORKERS; i++)
		if (m->slots[i].pid == pid && m->slots[i].state != SLOT_FREE)
			return i;
	return -1;
}

static void
log_death(int i, pid_t pid, int status)
{
	if (!WIFSIGNALED(status)) {
		fprintf(stderr,
		    "pipelined: worker %d (pid %d) exited with %d\n", i,
		    (int)pid, WEXITSTATUS(status));
		return;
	}
	fprintf(stderr,
	    "pipelined: worker %d (pid %d) killed by signal %d (SIG%s: %s)\n",
	    i, (int)pid, WTERMSIG(status), sigabbrev_np(WTERMSIG(status)),
	    strsignal(WTERMSIG(status)));
	if (WTERMSIG(status) == SIGSYS)
		fprintf(stderr,
		    "pipelined: worker %d made a system call outside its "
		    "sandbox; the kernel log (dmesg) names it, and "
		    "\"sandbox log\" lets such calls through\n",
		    i);
}

uint64_t
restart_delay_ms(int *deaths, uint64_t started_ms, uint64_t now)
{
	uint64_t delay = RESTART_MIN_MS;
	int k;

	if (now - started_ms >= (uint64_t)RESTART_RESET_S * 1000)
		*deaths = 0;
	for (k = 0; k < *deaths && delay < RESTART_MAX_MS; k++)
		delay *= 2;
	if (delay > RESTART_MAX_MS)
		delay = RESTART_MAX_MS;
	(*deaths)++;
	return delay;
}

/* Decides what follows a live worker's death: -1 when the service must
 * stop. */
static int
schedule_restart(struct slot *s, int i, int status)
{
	uint64_t now = clock_ms(), delay;

	if (!metrics_worker_was_ready(i) && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0) {
		if (++s->start_failures >= MAX_START_FAILURES) {
			fprintf(stderr,
			    "pipelined: worker %d cannot start; stopping\n", i);
			return -1;
		}
		s->respawn_at_ms = now + START_RETRY_MS;
		return 0;
	}
	s->start_failures = 0;
	delay = restart_delay_ms(&s->deaths, s->started_ms, now);
	s->respawn_at_ms = now + delay;
	metrics_worker_restart();
	fprintf(stderr, "pipelined: replacing worker %d in %llu ms\n", i,
	    (unsigned long long)delay);
	return 0;
}

/* One worker's death, by the state of its slot: -1 when the service
 * must stop. */
static int
on_death(struct master *m, int i, pid_t pid, int status, int stopping)
{
	struct slot *s = &m->slots[i];
	int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	s->pid = 0;
	if (stopping)
		return 0;
	switch (s->state) {
	case SLOT_LIVE:
		log_death(i, pid, status);
		return schedule_restart(s, i, status);
	case SLOT_PENDING:
		log_death(i, pid, status);
		master_free_slot(m, i);
		reload_abandon(
		    m, "a worker of the new configuration did not start");
		return 0;
	case SLOT_RETIRING:
		if (!clean)
			log_death(i, pid, status);
		master_free_slot(m, i);
		return 0;
	case SLOT_FREE:
		break;
	}
	return 0;
}

/* Reaps exited workers (and the key manager). Returns -1 when a worker
 * cannot start, else 0. */
static int
reap(struct master *m, int stopping)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (certs_reaped(&m->certs, pid, status) ||
		    (i = slot_of(m, pid)) < 0)
			continue;
		if (on_death(m, i, pid, status, stopping) != 0)
			return -1;
	}
	return 0;
}

/* Forks the replacements that are due; returns the milliseconds until the
 * next one (at most 1000). */
static long
respawn_due(struct master *m)
{
	uint64_t now = clock_ms();
	long wait = 1000;
	int i;

	for (i = 0; i < METRICS_MAX_WORKERS; i++) {
		struct slot *s = &m->slots[i];

		if (s->state != SLOT_LIVE || s->pid != 0)
			continue;
		if (s->respawn_at_ms <= now)
			master_spawn(m, i);
		else if ((long)(s->respawn_at_ms - now) < wait)
			wait = (long)(s->respawn_at_ms - now);
	}
	return certs_respawn_due(&m->certs, wait);
}

static int
alive(const struct master *m)
{
	int i, k = 0;

	for (i = 0; i < METRICS_MAX_WORKERS; i++)
		k += m->slots[i].pid > 0;
	return k;
}

static void
signal_all(struct master *m, int sig)
{
	master_signal(m, SLOT_LIVE, sig);
	master_signal(m, SLOT_PENDING, sig);
	master_signal(m, SLOT_RETIRING, sig);
}

/* The master's copies of both generations' sockets and logs, each
 * once (a pending generation shares the live one's sockets). */
static void
close_generations(struct master *m)
{
	generation_close(&m->gens[!m->live], &m->gens[m->live]);
	generation_close(&m->gens[m->live], NULL);
}

/* SIGTERM or SIGINT: every worker drains; the port closes with the last
 * worker's socket. Returns the time by which they must be gone. */
static time_t
begin_stop(struct master *m)
{
	time_t deadline = time(NULL) + m->gens[m->live].cfg.drain_timeout + 2;

	signal_all(m, SIGTERM);
	close_generations(m);
	return deadline;
}

/* Supervises the workers (and the key manager) until told to stop. */
static int
supervise(struct master *m, sigset_t *mask)
{
	struct timespec tick;
	time_t deadline = 0;
	int sig, stopping = 0;
	long wait = 1000;

	for (;;) {
		tick.tv_sec = wait / 1000;
		tick.tv_nsec = (wait % 1000) * 1000000L;
		sig = sigtimedwait(mask, NULL, &tick);
		if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			deadline = begin_stop(m);
			stopping = 1;
		}
		if (sig == SIGHUP && !stopping)
			reload_begin(m);
		if (reap(m, stopping) != 0) {
			signal_all(m, SIGTERM);
			while (waitpid(-1, NULL, 0) > 0)
				;
			return 1;
		}
		if (stopping && alive(m) == 0)
			return 0;
		if (stopping && time(NULL) > deadline)
			signal_all(m, SIGKILL);
		wait = stopping ? 1000 : reload_tick(m, respawn_due(m));
	}
}

int
master_run(const struct master_opts *o)
{
	static struct master m; /* large: the slots and socket pairs */
	struct generation *g = &m.gens[0];
	sigset_t mask;
	int i, rc;
	char err[512];

	m.o = o;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &m.oldmask);
	signal(SIGPIPE, SIG_IGN);
	if (generation_open(g, o->cfg, NULL, err, sizeof(err)) != 0 ||
	    certs_init(&m.certs, &g->cfg, METRICS_MAX_WORKERS, err,
	        sizeof(err)) != 0) {
		fprintf(stderr, "pipelined: %s\n", err);
		certs_free(&m.certs);
		return 1;
	}
	fprintf(stderr, "pipelined: serving https://%s:%d\n", g->cfg.bind,
	    g->cfg.port);
	for (i = 0; i < g->n; i++) {
		m.slots[i].state = SLOT_LIVE;
		m.slots[i].pos = i;
		master_spawn(&m, i);
	}
	rc = supervise(&m, &mask);
	certs_free(&m.certs);
	close_generations(&m);
	return rc;
}
