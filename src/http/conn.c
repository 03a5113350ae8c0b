/*
 * conn.c: one client connection's state machine (its phases are named in
 * conn.h), its one timer, back-pressure, and the hand-over of requests to
 * the handler. TLS is in conn_io.c, parsing in parse.c.
 *
 * Why not evhttp: libevent 2.1's evhttp answers an oversized header block
 * and an oversized body alike with an HTML 413, has one timeout for the
 * headers, the body and keep-alive, and no connection limit. The service
 * must answer 431 and 413 as problem documents and cut off a slow header
 * sender sooner than a slow uploader, so the connection state lives here.
 *
 * Pipelined requests wait in the input buffer: the parser pauses when a
 * message completes and resumes when its response has been queued. While
 * a handler waits on the database, input is still read (up to the input
 * watermark of conn_io.c) but not parsed; if the client disconnects
 * meanwhile, the request is orphaned (r->conn = NULL) and freed when its
 * handler responds.
 *
 * A connection from a proxy_protocol_from address begins with a PROXY
 * protocol header (proxy.c), read exactly before the handshake; the
 * client it names replaces the proxy as the connection's client, in
 * peers.c's count too, before any request is read.
 *
 * Back-pressure: once the queued output passes output_high_watermark, the
 * connection's requests are no longer parsed (and so no more input is
 * read past the input watermark) until the client has taken enough for
 * the queue to fall to output_low_watermark. A client that pipelines
 * without reading costs a bounded amount of memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "../util/alloc.h"
#include "client_addr.h"
#include "conn.h"
#include "peers.h"
#include "server.h"

/* Seconds a closing connection waits, after its last byte, for the client
 * to close first. */
#define LINGER_SECONDS 2

static void conn_pump(struct conn *c);
static void conn_free(struct conn *c);
static int conn_flush(struct conn *c);

static void
arm(struct conn *c, int seconds)
{
	struct timeval tv = {seconds, 0};

	evtimer_add(c->timer, &tv);
}

/*
 * The one timer, by the connection's state. The rule, in one place:
 *   P_HEADERS    header_timeout, from the message's first byte
 *   P_BODY       body_timeout, from the handler's go-ahead
 *   output queued, any other phase: write_timeout, restarted on every
 *                write that makes progress (it replaces keep-alive while
 *                a response is on its way, and bounds the flush of a
 *                closing connection)
 *   P_IDLE       keepalive_timeout
 *   P_CLOSING    LINGER_SECONDS after the last byte
 *   P_DECIDING, P_HANDLING: none (the handler's database work has the
 *                statement timeout)
 * Called on every phase change and as output drains.
 */
static void
conn_rearm(struct conn *c)
{
	const struct config *cfg = c->srv->cfg;

	if (c->phase == P_HEADERS)
		arm(c, cfg->header_timeout);
	else if (c->phase == P_BODY)
		arm(c, cfg->body_timeout);
	else if (evbuffer_get_length(c->out) > 0)
		arm(c, cfg->write_timeout);
	else if (c->phase == P_IDLE)
		arm(c, cfg->keepalive_timeout);
	else if (c->phase == P_CLOSING)
		arm(c, LINGER_SECONDS);
	else
		evtimer_del(c->timer);
}

static void
enter_phase(struct conn *c, enum phase to)
{
	c->phase = to;
	conn_rearm(c);
}

void
conn_wrote(struct conn *c, size_t n)
{
	struct server *srv = c->srv;
	size_t left = evbuffer_get_length(c->out);

	c->out_sent += n;
	accesslog_sent(srv, &c->log, c->out_sent);
	if (c->out_full && left <= (size_t)srv->cfg->output_low_watermark)
		c->out_full = 0;
}

/* Writes what the socket takes; at the end of a closing connection's
 * output, sends close_notify. -1 when the connection was closed. */
static int
conn_flush(struct conn *c)
{
	uint64_t before = c->out_sent;

	if (conn_write(c) != 0) {
		conn_close(c);
		return -1;
	}
	if (c->phase == P_CLOSING && evbuffer_get_length(c->out) == 0)
		conn_send_close_notify(c);
	if (c->out_sent != before && c->phase != P_HEADERS &&
	    c->phase != P_BODY)
		conn_rearm(c);
	return 0;
}

static void
enter(struct conn *c)
{
	c->depth++;
}

/* Leaves an entry point; frees c if it died inside. Returns 1 if so. */
static int
leave(struct conn *c)
{
	if (--c->depth == 0 && c->dead) {
		conn_free(c);
		return 1;
	}
	return 0;
}

/* The connection's facts, copied into a request it hands over. */
static void
adopt(struct conn *c, struct http_request *r)
{
	r->conn = c;
	memcpy(r->client_addr, c->client_addr, sizeof(r->client_addr));
	r->peer_cert_sha256 = c->has_peer_fp ? c->peer_fp : NULL;
	if (r->request_id[0] == '\0')
		response_new_id(c->srv, r);
}

/*
 * Answers a request that could not be parsed or was refused before its
 * handler, then closes. The request may be half-built, or not exist yet;
 * a request whose body was being read is answered through itself.
 */
static void
fail_request(struct conn *c, int status, const char *type, const char *detail)
{
	struct http_request *r = c->req;

	if (r == NULL) {
		if ((r = parse_request(&c->parse)) != NULL)
			parse_take(&c->parse);
		else
			r = request_new();
		c->req = r;
		adopt(c, r);
	}
	if (r->path == NULL) {
		/* Refused mid-head: none of it can be trusted. */
		r->nheaders = 0;
		r->path = "-";
	}
	if (r->method_name == NULL)
		r->method_name = "-";
	r->keep_alive = 0;
	if (status == 503)
		http_add_header(r, "Retry-After", "1");
	enter_phase(c, P_HANDLING);
	http_problem(r, status, type, http_status_text(status), detail, NULL);
}

static void
parse_failed(struct conn *c)
{
	const struct parse_failure *f = parse_error(&c->parse);

	fail_request(c, f->status, f->type, f->detail);
}

/* A head is complete: the handler gets the request. */
static void
dispatch(struct conn *c)
{
	struct http_request *r = parse_take(&c->parse);

	c->requests++;
	c->req = r;
	adopt(c, r);
	client_addr_resolve(r, &c->srv->trusted, c->client_addr, r->client_addr,
	    sizeof(r->client_addr));
	enter_phase(
	    c, r->body_state == HTTP_BODY_PENDING ? P_DECIDING : P_HANDLING);
	c->srv->handler(r);
}

/* The body the handler asked for is complete. */
static void
body_complete(struct conn *c)
{
	struct http_request *r = c->req;

	enter_phase(c, P_HANDLING);
	r->on_body(r);
}

static int
may_parse(const struct conn *c)
{
	return !c->dead && !c->out_full &&
	       (c->phase == P_IDLE || c->phase == P_HEADERS ||
	           c->phase == P_BODY);
}

/* Feeds buffered input to the parser, one message at a time. */
static void
conn_parse(struct conn *c)
{
	size_t off = 0, used;
	enum parse_result res;

	c->in_parse = 1;
	while (may_parse(c) && off < c->in_len) {
		res =
		    parse_feed(&c->parse, c->in + off, c->in_len - off, &used);
		switch (res) {
		case PARSE_MORE:
			if (c->phase == P_IDLE && parse_in_message(&c->parse))
				enter_phase(c, P_HEADERS);
			break;
		case PARSE_HEAD:
			dispatch(c);
			break;
		case PARSE_DONE:
			if (c->phase == P_BODY)
				body_complete(c);
			else
				dispatch(c);
			break;
		case PARSE_ERROR:
			parse_failed(c);
			used = c->in_len - off;
			break;
		}
		off += used;
		/* Nothing consumed and nothing happened: wait for more input.
		 * A head can complete with nothing consumed (http-parser
		 * leaves its last LF for the body's call), and the handler may
		 * already have asked for the body: go round then. */
		if (used == 0 && res != PARSE_HEAD)
			break;
	}
	c->in_parse = 0;
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	if (c->phase == P_IDLE)
		conn_in_shrink(c);
}

/* Reads and parses until the socket is drained, or a request waits on
 * its handler, or the connection is closing. */
static void
conn_pump(struct conn *c)
{
	size_t before;
	int rc;

	do {
		if ((rc = conn_read(c)) < 0) {
			conn_close(c);
			return;
		}
		before = c->in_len;
		conn_parse(c);
		/* Read more only if parsing made room. */
	} while (rc == 1 && c->in_len < before && may_parse(c));
}

/* A proxy's connection closed for its PROXY header: there is no HTTP
 * to answer with, so the operator learns of it here. Only a
 * proxy_protocol_from address can cause this line. */
static void
proxy_log(const struct conn *c, const char *why)
{
	fprintf(stderr, "pipelined: connection from %s closed: %s\n",
	    c->client_addr, why);
}

/*
 * The PROXY header names the connection's client: from here on it is
 * that address, counted against its own max_connections_per_address
 * (the proxy never was). A LOCAL header is the proxy's own connection
 * (a health check): the proxy stays the client, uncounted. -1 when the
 * client has its limit of connections: refused, as at accept.
 */
static int
proxy_adopt(struct conn *c, const struct proxy_header *h)
{
	int counted;

	free(c->proxy_in);
	c->proxy_in = NULL;
	if (h->local)
		return 0;
	if ((counted = server_count_client(c->srv, h->addr)) < 0)
		return -1;
	snprintf(c->client_addr, sizeof(c->client_addr), "%s", h->addr);
	c->peer_counted = counted == 1;
	return 0;
}

/* Reads what there is of the PROXY header; -1 when the connection must
 * close, 0 while it waits for more and once the header is read. */
static int
proxy_step(struct conn *c)
{
	struct proxy_header h;
	const char *why;

	switch (conn_read_proxy(c, &h, &why)) {
	case PROXY_MORE:
		return 0;
	case PROXY_DONE:
		return proxy_adopt(c, &h);
	case PROXY_REFUSED:
		break;
	}
	proxy_log(c, why);
	return -1;
}

static void
conn_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	enter(c);
	if (what & EV_READ)
		c->drained = 0; /* a new edge: there is something to read */
	if (c->proxy_in != NULL) {
		/* The ClientHello may be in the socket already, behind
		 * the header: no edge would announce it, so the handshake
		 * starts in this same call. */
		if (proxy_step(c) != 0)
			conn_close(c);
		if (c->proxy_in != NULL || c->dead) {
			leave(c);
			return;
		}
	}
	if (!c->handshaken) {
		if (conn_handshake(c) != 0)
			conn_close(c);
		if (!c->handshaken || c->dead) {
			leave(c);
			return;
		}
	}
	if ((what & EV_WRITE) && evbuffer_get_length(c->out) > 0)
		conn_flush(c);
	if (!c->dead)
		conn_pump(c);
	leave(c);
}

static void
conn_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	enter(c);
	if (c->phase == P_HEADERS)
		fail_request(c, 408, "request-timeout",
		    "The request's headers did not arrive in time.");
	else if (c->phase == P_BODY)
		fail_request(c, 408, "request-timeout",
		    "The request's body did not arrive in time.");
	else {
		if (c->proxy_in != NULL)
			proxy_log(c, "no PROXY header within header_timeout");
		conn_close(c);
	}
	leave(c);
}

void
conn_accept(
    struct server *srv, int fd, const char *addr, int counted, int proxied)
{
	struct parse_limits lim = {(size_t)srv->cfg->max_header_size,
	    (size_t)srv->cfg->max_body_size, config_max_body_any(srv->cfg),
	    &srv->bodies};
	struct conn *c = xcalloc(1, sizeof(*c));
	BIO *bio;

	c->srv = srv;
	c->fd = fd;
	snprintf(c->client_addr, sizeof(c->client_addr), "%s", addr);
	c->peer_counted = counted;
	if (proxied)
		c->proxy_in = xmalloc(PROXY_V2_MAX);
	c->ssl = SSL_new(srv->ssl_ctx);
	c->out = evbuffer_new();
	c->timer = evtimer_new(srv->base, conn_timeout_cb, c);
	c->ev = event_new(srv->base, fd,
	    EV_READ | EV_WRITE | EV_PERSIST | EV_ET, conn_io_cb, c);
	bio = tls_socket_bio(fd, &c->drained);
	if (c->ssl == NULL || c->out == NULL || c->timer == NULL ||
	    c->ev == NULL || bio == NULL)
		alloc_failed(sizeof(*c));
	if (event_add(c->ev, NULL) != 0) {
		BIO_free(bio);
		SSL_free(c->ssl);
		evbuffer_free(c->out);
		event_free(c->timer);
		event_free(c->ev);
		free(c->proxy_in);
		free(c);
		evutil_closesocket(fd);
		return;
	}
	SSL_set_bio(c->ssl, bio, bio);
	SSL_set_accept_state(c->ssl);
	parse_init(&c->parse, &lim);
	c->phase = P_IDLE;
	/* The PROXY header, the TLS handshake and the first request share
	 * the header timeout. */
	arm(c, srv->cfg->header_timeout);
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	if (srv->nconns > srv->nconns_peak)
		srv->nconns_peak = srv->nconns;
}

static void
conn_free(struct conn *c)
{
	struct server *srv = c->srv;
	struct http_request *r = c->req;

	TAILQ_REMOVE(&srv->conns, c, entry);
	if (r != NULL) {
		if ((c->phase == P_DECIDING || c->phase == P_HANDLING) &&
		    !r->responded)
			r->conn = NULL; /* the handler frees it later */
		else
			http_request_release(r);
	}
	parse_reset(&c->parse);
	accesslog_abandon(srv, &c->log);
	event_free(c->ev);
	event_free(c->timer);
	SSL_free(c->ssl);
	close(c->fd);
	evbuffer_free(c->out);
	free(c->in);
	free(c->proxy_in);
	if (c->peer_counted)
		peers_leave(c->client_addr);
	free(c);
	server_conn_closed(srv);
}

/* Frees now, or marks dead for the outermost entry point to free. */
void
conn_close(struct conn *c)
{
	if (c->depth > 0)
		c->dead = 1;
	else
		conn_free(c);
}

struct evbuffer *
conn_output(struct conn *c)
{
	return c->out;
}

/* Whether the response being written may leave the connection open: not
 * when the body was never read, nor when the client or a shutdown says
 * so. */
int
conn_keep_alive(const struct conn *c)
{
	return c->phase == P_HANDLING && c->req != NULL && c->req->keep_alive &&
	       !c->srv->stopping;
}

/*
 * Called by response.c once a response is in the output buffer: notes
 * its log line, sends it, frees the request and, on a kept-alive
 * connection, goes on with what the client has pipelined (which may be
 * waiting in the kernel, since reading pauses at the watermark).
 */
void
conn_response_ready(
    struct conn *c, struct http_request *r, size_t bytes, int keep_alive)
{
	size_t queued = evbuffer_get_length(c->out);

	enter(c);
	accesslog_defer(c->srv, &c->log, r, bytes, c->out_sent + queued);
	if (queued > (size_t)c->srv->cfg->output_high_watermark)
		c->out_full = 1;
	http_request_release(r);
	c->req = NULL;
	if (!keep_alive) {
		enter_phase(c, P_CLOSING);
		conn_flush(c);
		leave(c);
		return;
	}
	parse_resume(&c->parse);
	enter_phase(c, P_IDLE);
	if (conn_flush(c) == 0 && !c->in_parse)
		conn_pump(c);
	leave(c);
}

void
http_read_body(struct http_request *r, http_handler cb)
{
	http_read_body_max(r, 0, cb);
}

void
http_read_body_max(struct http_request *r, size_t max, http_handler cb)
{
	struct conn *c = r->conn;
	const char *expect;

	if (c == NULL) {
		http_request_release(r); /* the client has gone */
		return;
	}
	enter(c);
	if (max > 0)
		parse_body_max(&c->parse, max);
	if (parse_body_reserve(&c->parse) != 0) {
		/* Over the route's limit (413), or the worker holds all the
		 * bodies it may (503): refused before a byte of this one is
		 * read, and the connection closes. */
		parse_failed(c);
		leave(c);
		return;
	}
	r->on_body = cb;
	r->body_state = HTTP_BODY_READING;
	expect = http_header(r, "Expect");
	if (r->version_minor >= 1 && expect != NULL &&
	    strcasecmp(expect, "100-continue") == 0) {
		/* RFC 9110 §10.1.1: only now that the handler wants it. */
		evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	}
	parse_resume(&c->parse);
	enter_phase(c, P_BODY);
	if (conn_flush(c) == 0 && !c->in_parse)
		conn_pump(c);
	leave(c);
}

/*
 * Server shutdown: a connection between requests with nothing queued is
 * closed now; one with output queued flushes it and then closes (bounded
 * by the write timeout); the others close after their current response.
 */
void
conn_shutdown_all(struct server *srv)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		/* One that has sent no request yet was accepted while the
		 * worker accepted: its client is owed an answer to its
		 * first, after which it closes; header_timeout, and the
		 * drain's own end, bound the wait for it. */
		if (c->phase != P_IDLE || c->depth > 0 || c->requests == 0)
			continue;
		if (evbuffer_get_length(c->out) == 0) {
			conn_free(c);
		} else {
			enter_phase(c, P_CLOSING);
			conn_flush(c);
		}
	}
}

/* The worker stops with connections still open: their unsent responses
 * are logged as such. */
void
conn_abandon_all(struct server *srv)
{
	struct conn *c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		accesslog_abandon(srv, &c->log);
}
