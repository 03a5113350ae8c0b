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
#include "certs.h"
#include "master.h"
#include "../util/metrics.h"

#define RESTART_MIN_MS     100
#define RESTART_MAX_MS     2000
#define RESTART_RESET_S    30
#define MAX_START_FAILURES 3
#define START_RETRY_MS     1000

struct slot {
	pid_t pid; /* 0 when waiting to be replaced */
	uint64_t started_ms;
	uint64_t respawn_at_ms; /* when pid is 0 */
	int deaths; /* in a row, each within RESTART_RESET_S of its start */
	int start_failures; /* in a row, before serving */
};

static void
spawn(const struct master_opts *o, struct certs *c, struct slot *s, int i,
    const sigset_t *oldmask)
{
	pid_t pid;

	metrics_worker_ready(i, 0);
	if ((pid = fork()) == 0) {
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		_exit(worker_main(o, c, i));
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

static int
slot_of(const struct slot *slots, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (slots[i].pid == pid)
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

/* Decides what follows a death: -1 when the service must stop. */
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

/* Reaps exited workers (and the key manager) and schedules their
 * replacement unless stopping. Returns -1 when a worker cannot start,
 * else 0. */
static int
reap(struct certs *c, struct slot *slots, int n, int stopping)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (certs_reaped(c, pid, status) ||
		    (i = slot_of(slots, n, pid)) < 0)
			continue;
		slots[i].pid = 0;
		if (stopping)
			continue;
		log_death(i, pid, status);
		if (schedule_restart(&slots[i], i, status) != 0)
			return -1;
	}
	return 0;
}

/* Forks the replacements that are due; returns the milliseconds until the
 * next one (at most 1000). */
static long
respawn_due(const struct master_opts *o, struct certs *c, struct slot *slots,
    int n, const sigset_t *oldmask)
{
	uint64_t now = clock_ms();
	long wait = 1000;
	int i;

	for (i = 0; i < n; i++) {
		if (slots[i].pid != 0)
			continue;
		if (slots[i].respawn_at_ms <= now)
			spawn(o, c, &slots[i], i, oldmask);
		else if ((long)(slots[i].respawn_at_ms - now) < wait)
			wait = (long)(slots[i].respawn_at_ms - now);
	}
	return certs_respawn_due(c, wait);
}

static int
alive(const struct slot *slots, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += slots[i].pid > 0;
	return k;
}

static void
signal_all(struct slot *slots, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, sig);
}

static int
worker_count(const struct config *cfg)
{
	int n = cfg->workers;

	if (n <= 0)
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	return n > METRICS_MAX_WORKERS ? METRICS_MAX_WORKERS : n;
}

/* Supervises the workers (and the key manager) until told to stop. */
static int
supervise(const struct master_opts *o, struct certs *c, struct slot *slots,
    int n, sigset_t *mask, const sigset_t *oldmask)
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
			signal_all(slots, n, SIGTERM);
			deadline = time(NULL) + o->cfg->drain_timeout + 2;
			stopping = 1;
		}
		if (sig == SIGHUP && !stopping)
			certs_reload(c);
		if (reap(c, slots, n, stopping) != 0) {
			signal_all(slots, n, SIGTERM);
			while (waitpid(-1, NULL, 0) > 0)
				;
			return 1;
		}
		if (stopping && alive(slots, n) == 0)
			return 0;
		if (stopping && time(NULL) > deadline)
			signal_all(slots, n, SIGKILL);
		wait = stopping ? 1000 : respawn_due(o, c, slots, n, oldmask);
	}
}

int
master_run(const struct master_opts *o)
{
	static struct certs certs; /* large: the socket pairs of 64 slots */
	struct slot slots[METRICS_MAX_WORKERS];
	sigset_t mask, oldmask;
	int n = worker_count(o->cfg), i, rc;
	char err[512];

	memset(slots, 0, sizeof(slots));
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	signal(SIGPIPE, SIG_IGN);
	if (certs_init(&certs, o->cfg, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipelined: %s\n", err);
		certs_free(&certs);
		return 1;
	}
	fprintf(stderr, "pipelined: serving https://%s:%d\n", o->cfg->bind,
	    o->cfg->port);
	for (i = 0; i < n; i++)
		spawn(o, &certs, &slots[i], i, &oldmask);
	rc = supervise(o, &certs, slots, n, &mask, &oldmask);
	certs_free(&certs);
	return rc;
}
