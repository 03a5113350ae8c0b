/*
 * generation.c: a configuration's access log and listening sockets, held
 * by the master for the workers it forks (generation.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../http/server.h"
#include "generation.h"

int
generation_workers(const struct config *cfg)
{
	int n = cfg->workers;

	if (n <= 0)
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	return n > METRICS_MAX_WORKERS ? METRICS_MAX_WORKERS : n;
}

/* "off", "stdout" or a file appended to: 0 with *fd (-1 when off), or -1
 * with a message. */
static int
open_log(const char *where, int *fd, char *err, size_t errlen)
{
	*fd = -1;
	if (strcmp(where, "off") == 0)
		return 0;
	if (strcmp(where, "stdout") == 0) {
		*fd = STDOUT_FILENO;
		return 0;
	}
	*fd = open(where, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (*fd < 0) {
		snprintf(
		    err, errlen, "access_log %s: %s", where, strerror(errno));
		return -1;
	}
	return 0;
}

static int
same_address(const struct config *a, const struct config *b)
{
	return strcmp(a->bind, b->bind) == 0 && a->port == b->port;
}

static int
shares(const struct generation *g, int fd)
{
	int k;

	if (g == NULL || g->n == 0)
		return 0;
	if (fd == g->log_fd)
		return 1;
	for (k = 0; k < g->n; k++)
		if (g->lfd[k] == fd)
			return 1;
	return 0;
}

static void
close_unshared(int fd, const struct generation *keep)
{
	if (fd > STDERR_FILENO && !shares(keep, fd))
		close(fd);
}

int
generation_open(struct generation *g, const struct config *cfg,
    const struct generation *prev, char *err, size_t errlen)
{
	int k, reuse =
	           prev != NULL && prev->n > 0 && same_address(&prev->cfg, cfg);

	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	if (!reuse && server_probe_port(cfg) != 0) {
		snprintf(err, errlen, "cannot listen on %s:%d", cfg->bind,
		    cfg->port);
		return -1;
	}
	if (open_log(cfg->access_log, &g->log_fd, err, errlen) != 0)
		return -1;
	g->n = generation_workers(cfg);
	for (k = 0; k < g->n; k++) {
		g->lfd[k] = reuse && k < prev->n ? prev->lfd[k]
		                                 : server_open_listener(cfg);
		if (g->lfd[k] < 0) {
			snprintf(err, errlen, "cannot listen on %s:%d",
			    cfg->bind, cfg->port);
			g->n = k;
			generation_close(g, prev);
			return -1;
		}
	}
	return 0;
}

void
generation_close(struct generation *g, const struct generation *keep)
{
	int k;

	for (k = 0; k < g->n; k++)
		close_unshared(g->lfd[k], keep);
	close_unshared(g->log_fd, keep);
	g->n = 0;
	g->log_fd = -1;
}

void
generation_keep_only(
    const struct generation *g, int pos, const struct generation *other)
{
	int k, own = g->lfd[pos];

	for (k = 0; k < g->n; k++)
		if (g->lfd[k] != own)
			close(g->lfd[k]);
	if (other == NULL || other->n == 0)
		return;
	for (k = 0; k < other->n; k++)
		if (other->lfd[k] != own && !shares(g, other->lfd[k]))
			close(other->lfd[k]);
	if (other->log_fd != g->log_fd)
		close_unshared(other->log_fd, NULL);
}

int
generation_log_moved(const struct generation *g)
{
	struct stat open_st, path_st;

	if (g->log_fd <= STDERR_FILENO)
		return 0;
	if (stat(g->cfg.access_log, &path_st) != 0 ||
	    fstat(g->log_fd, &open_st) != 0)
		return 1;
	return open_st.st_dev != path_st.st_dev ||
	       open_st.st_ino != path_st.st_ino;
}
