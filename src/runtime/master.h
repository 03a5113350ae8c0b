/*
 * master.h: the master process forks the workers, replaces the ones that
 * die, on SIGHUP reloads its configuration (reload.c), and on SIGTERM or
 * SIGINT asks them all to finish and exits 0.
 */
#ifndef PIPELINED_MASTER_H
#define PIPELINED_MASTER_H

#include <stdint.h>

#include "../util/config.h"
#include "../http/http.h"

struct event_base;
struct certs;

struct master_opts {
	const struct config *cfg; /* as read at start */
	const char *conf_path; /* read again on SIGHUP */
	http_handler handler;
	/* Run in each worker after fork, first: its configuration (a reload
	 * gives later workers another). */
	void (*configure)(const struct config *cfg);
	/* Run in each worker after fork: sets up its database pool. */
	int (*worker_init)(struct event_base *base, void *arg);
	void (*worker_fini)(void *arg);
	void *arg;
};

int master_run(const struct master_opts *o);

/* The wait before a process that died is replaced: 100 ms, doubled for
 * each death in a row up to 2 s; a process that lived 30 s starts the
 * count again. *deaths is the count, started_ms when it was started. */
uint64_t restart_delay_ms(int *deaths, uint64_t started_ms, uint64_t now);

/* What one worker is given: its generation's configuration, access log
 * (-1: off) and listening socket, and its slot. */
struct worker_args {
	const struct config *cfg;
	int log_fd;
	int listen_fd;
	int slot;
};

/* worker.c: never returns to the master's code; the exit status. */
int worker_main(
    const struct master_opts *o, const struct worker_args *w, struct certs *c);

#endif
