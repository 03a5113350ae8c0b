/*
 * master.h: the master process forks the workers, replaces the ones that
 * die, and on SIGTERM or SIGINT asks them all to finish and exits 0.
 */
#ifndef PIPELINED_MASTER_H
#define PIPELINED_MASTER_H

#include "../util/config.h"
#include "../http/http.h"

struct event_base;
struct certs;

struct master_opts {
	const struct config *cfg;
	int log_fd;
	http_handler handler;
	/* Run in each worker after fork: sets up its database pool. */
	int (*worker_init)(struct event_base *base, void *arg);
	void (*worker_fini)(void *arg);
	void *arg;
};

int master_run(const struct master_opts *o);

/* worker.c: never returns to the master's code; the exit status. */
int worker_main(const struct master_opts *o, struct certs *c, int slot);

#endif
