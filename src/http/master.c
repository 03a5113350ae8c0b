/*
 * master.c: process supervision. The master does no HTTP: it forks one
 * worker per slot, waits for signals, and replaces a worker that exits
 * while the service runs. A worker that dies within a second of its start
 * is replaced only after a second, so a crash at start-up cannot turn into
 * a fork loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "master.h"
#include "metrics.h"

struct slot {
	pid_t pid;
	time_t started;
	int quick_deaths; /* in a row, within a second of starting */
};

#define MAX_QUICK_DEATHS 3

static pid_t
spawn(const struct master_opts *o, struct slot *slots, int i,
    const sigset_t *oldmask)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		_exit(worker_main(o, i));
	}
	if (pid < 0)
		fprintf(stderr, "pipelined: fork: %s\n", strerror(errno));
	slots[i].pid = pid;
	slots[i].started = time(NULL);
	return pid;
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

/* Reaps exited workers; replaces them unless stopping. Returns how many
 * workers are still alive, or -1 when a worker keeps dying at start. */
static int
reap(const struct master_opts *o, struct slot *slots, int n, int stopping,
    const sigset_t *oldmask)
{
	int status, i, alive = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = slot_of(slots, n, pid)) < 0)
			continue;
		slots[i].pid = 0;
		if (stopping)
			continue;
		fprintf(stderr,
		    "pipelined: worker %d (pid %d) %s %d, "
		    "replacing it\n",
		    i, (int)pid,
		    WIFSIGNALED(status) ? "killed by signal" : "exited with",
		    WIFSIGNALED(status) ? WTERMSIG(status)
		                        : WEXITSTATUS(status));
		if (time(NULL) - slots[i].started < 1) {
			if (++slots[i].quick_deaths >= MAX_QUICK_DEATHS) {
				fprintf(stderr,
				    "pipelined: worker %d keeps "
				    "dying at start; giving up\n",
				    i);
				return -1;
			}
			sleep(1);
		} else {
			slots[i].quick_deaths = 0;
		}
		spawn(o, slots, i, oldmask);
	}
	for (i = 0; i < n; i++)
		alive += slots[i].pid > 0;
	return alive;
}

static void
signal_all(struct slot *slots, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, sig);
}

int
master_run(const struct master_opts *o)
{
	struct slot slots[METRICS_MAX_WORKERS];
	sigset_t mask, oldmask;
	struct timespec tick = {1, 0};
	time_t deadline = 0;
	int n = o->cfg->workers, i, sig, stopping = 0, alive;

	if (n <= 0)
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	if (n > METRICS_MAX_WORKERS)
		n = METRICS_MAX_WORKERS;
	memset(slots, 0, sizeof(slots));
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n; i++)
		spawn(o, slots, i, &oldmask);
	for (;;) {
		sig = sigtimedwait(&mask, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				signal_all(slots, n, SIGTERM);
				deadline =
				    time(NULL) + o->cfg->shutdown_timeout + 2;
			}
			stopping = 1;
		}
		alive = reap(o, slots, n, stopping, &oldmask);
		if (alive < 0) {
			signal_all(slots, n, SIGTERM);
			while (waitpid(-1, NULL, 0) > 0)
				;
			return 1;
		}
		if (alive == 0 && stopping)
			break;
		if (stopping && time(NULL) > deadline)
			signal_all(slots, n, SIGKILL);
	}
	return 0;
}
