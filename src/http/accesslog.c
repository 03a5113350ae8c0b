/*
 * accesslog.c: one JSON line per response, written once its fate is
 * known.
 *
 * A response is complete when its last byte was taken by the socket, not
 * when the handler produced it: a client that stops reading, or a worker
 * stopped mid-transfer, must not leave "200" in the log for a response
 * that never arrived. So a connection keeps the lines of its queued
 * responses, each with the offset of its last byte in the connection's
 * output, and ends them with "complete":true as the writes pass that
 * offset, or with "complete":false when the connection goes first.
 * Responses leave a connection in order, so the lines are a FIFO.
 *
 * The query string is left out: it is the client's, and nothing in it is
 * needed to follow a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "../util/alloc.h"
#include "conn.h"
#include "server.h"

/* The line up to its last member, into buf. */
static void
line_begin(struct evbuffer *buf, const struct http_request *r, size_t bytes)
{
	static time_t last;
	static char stamp[32];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != last) {
		gmtime_r(&now.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		last = now.tv_sec;
	}
	evbuffer_add_printf(buf,
	    "{\"time\":\"%s.%03ldZ\",\"request_id\":", stamp,
	    now.tv_nsec / 1000000);
	http_json_escape(buf, r->request_id, strlen(r->request_id));
	/* The client as the rest of the service sees it: behind a trusted
	 * proxy or a PROXY header, the address they name. */
	evbuffer_add_printf(buf, ",\"client\":");
	http_json_escape(buf, r->client_addr, strlen(r->client_addr));
	evbuffer_add_printf(buf, ",\"method\":");
	http_json_escape(buf, r->method_name, strlen(r->method_name));
	evbuffer_add_printf(buf, ",\"path\":");
	http_json_escape(buf, r->path, strlen(r->path));
	evbuffer_add_printf(buf,
	    ",\"status\":%d,\"bytes\":%zu,\"duration_us\":%llu", r->status,
	    bytes, (unsigned long long)r->duration_us);
}

void
accesslog_defer(struct server *srv, struct pending_log *l,
    const struct http_request *r, size_t bytes, uint64_t end)
{
	size_t before;

	if (srv->log_fd < 0)
		return;
	if (l->lines == NULL)
		l->lines = evbuffer_new(); /* aborts on failure (alloc.h) */
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->q = xrealloc(l->q, l->cap * sizeof(*l->q));
	}
	before = evbuffer_get_length(l->lines);
	line_begin(l->lines, r, bytes);
	l->q[l->n].end = end;
	l->q[l->n].len = evbuffer_get_length(l->lines) - before;
	l->n++;
}

/* Moves the oldest line to the worker's log buffer, ended. */
static void
line_end(struct server *srv, struct pending_log *l, int complete)
{
	evbuffer_remove_buffer(l->lines, srv->log_buf, l->q[l->head].len);
	if (complete)
		evbuffer_add(srv->log_buf, ",\"complete\":true}\n", 18);
	else
		evbuffer_add(srv->log_buf, ",\"complete\":false}\n", 19);
	if (++l->head == l->n) {
		l->head = l->n = 0;
	} else if (l->head > l->cap / 2) {
		/* A client that keeps pipelining never empties the queue. */
		memmove(l->q, l->q + l->head, (l->n - l->head) * sizeof(*l->q));
		l->n -= l->head;
		l->head = 0;
	}
	if (evbuffer_get_length(srv->log_buf) >= 32768)
		server_flush_log(srv);
}

void
accesslog_sent(struct server *srv, struct pending_log *l, uint64_t sent)
{
	while (l->head < l->n && l->q[l->head].end <= sent)
		line_end(srv, l, 1);
}

void
accesslog_abandon(struct server *srv, struct pending_log *l)
{
	while (l->head < l->n)
		line_end(srv, l, 0);
	if (l->lines != NULL)
		evbuffer_free(l->lines);
	free(l->q);
	memset(l, 0, sizeof(*l));
}

/*
 * Lines are written in pieces of at most PIPE_BUF bytes that end on a
 * newline, so that the workers' lines never interleave mid-line even when
 * the log is a pipe.
 */
void
server_flush_log(struct server *srv)
{
	struct evbuffer_ptr nl;
	size_t len, chunk;
	unsigned char *p;
	ssize_t n;

	while ((len = evbuffer_get_length(srv->log_buf)) > 0) {
		chunk = len < PIPE_BUF ? len : PIPE_BUF;
		p = evbuffer_pullup(srv->log_buf, (ev_ssize_t)chunk);
		while (chunk > 0 && p[chunk - 1] != '\n')
			chunk--;
		if (chunk == 0) {
			/* A single line longer than PIPE_BUF: write it
			 * whole up to its newline. */
			nl = evbuffer_search(srv->log_buf, "\n", 1, NULL);
			if (nl.pos < 0)
				return;
			chunk = (size_t)nl.pos + 1;
			p = evbuffer_pullup(srv->log_buf, (ev_ssize_t)chunk);
		}
		n = write(srv->log_fd, p, chunk);
		if (n <= 0) {
			evbuffer_drain(srv->log_buf, len); /* drop, not block */
			return;
		}
		evbuffer_drain(srv->log_buf, (size_t)n);
	}
}
