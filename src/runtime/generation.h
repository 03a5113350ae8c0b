/*
 * generation.h: what the workers of one configuration share, held by the
 * master: the configuration itself, the access log's descriptor, and the
 * listening sockets, one per worker position (generation.c).
 *
 * A reload (SIGHUP, master.c) opens a new generation beside the running
 * one. Where the address is the same, position k of the new generation
 * takes the very socket of position k of the old one, so that the
 * connections waiting in its queue are accepted by the new worker when
 * the old one stops accepting: none is reset.
 */
#ifndef PIPELINED_GENERATION_H
#define PIPELINED_GENERATION_H

#include <stddef.h>

#include "../util/config.h"
#include "../util/metrics.h"

struct generation {
	struct config cfg;
	int log_fd; /* -1: access_log off */
	int lfd[METRICS_MAX_WORKERS]; /* listening sockets, by position */
	int n; /* workers, each with its socket; 0: not open */
};

/* The workers cfg asks for: workers, or one per CPU, at most
 * METRICS_MAX_WORKERS. */
int generation_workers(const struct config *cfg);

/*
 * Opens g for cfg: its access log, and n listening sockets, taking
 * prev's where prev serves the same address (prev may be NULL). A new
 * address is first probed without SO_REUSEPORT so that a port someone
 * else holds is refused. -1 with a message in err, nothing left open.
 */
int generation_open(struct generation *g, const struct config *cfg,
    const struct generation *prev, char *err, size_t errlen);

/* Closes what g holds and keep does not share (keep may be NULL); g is
 * not open afterwards. */
void generation_close(struct generation *g, const struct generation *keep);

/* In a worker just forked for position pos of g: closes every socket
 * and log of g and of other (which may be NULL or not open) but its
 * own. */
void generation_keep_only(
    const struct generation *g, int pos, const struct generation *other);

/* 1 when g's access log file is no longer at its path (rotated away):
 * a reload opens the path again. */
int generation_log_moved(const struct generation *g);

#endif
