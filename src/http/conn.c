/*
 * conn.c: one client connection: TLS with OpenSSL on a non-blocking socket
 * watched edge-triggered by libevent, HTTP/1.1 parsing through Debian's
 * http-parser, and the limits and timeouts.
 *
 * Why not evhttp: libevent 2.1's evhttp answers an oversized header block
 * and an oversized body alike with an HTML 413, has one timeout for the
 * headers, the body and keep-alive, and no connection limit. The service
 * must answer 431 and 413 as problem documents and cut off a slow header
 * sender sooner than a slow uploader, so the connection state lives here.
 *
 * A connection handles one request at a time. Pipelined requests wait in
 * the input buffer: the parser is paused when a message completes and
 * resumed when its response has been queued. While a handler waits on the
 * database, input is still read (up to READ_HIGH_WATERMARK) but not parsed;
 * if the client disconnects meanwhile, the request is orphaned
 * (r->conn = NULL) and freed when its handler responds.
 *
 * Why not bufferevent_openssl: a profile of /health showed most of the
 * worker's time in the kernel, much of it epoll_ctl as bufferevents turn
 * their read and write events on and off around every request. Here one
 * edge-triggered event per connection stays registered for its lifetime:
 * reads drain SSL_read until it wants more, writes go straight to
 * SSL_write and wait for the next writable edge only when the socket is
 * full.
 *
 * Freeing: a connection can fail deep inside its own callbacks (a write
 * error while a handler answers synchronously). conn_close() then only
 * marks it dead; the outermost entry point (the I/O callback, the timer,
 * an asynchronous response) frees it on the way out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <http_parser.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../domain/hex.h"
#include "server.h"

enum phase {
	P_IDLE, /* between requests: keep-alive timeout */
	P_HEADERS, /* reading a request's start line and headers */
	P_BODY, /* reading its body */
	P_HANDLING, /* the handler has it; input waits unparsed */
	P_CLOSING, /* flushing the last response, then closing */
};

/* Input buffered beyond this waits in the kernel (and in TLS) until the
 * current request is answered. */
#define READ_HIGH_WATERMARK (256 * 1024)

/* A client that pipelines requests but does not read the answers gets no
 * more answers queued past this; parsing resumes as the output drains. */
#define WRITE_HIGH_WATERMARK (1024 * 1024)

struct hdr_off {
	size_t name, value;
};

#define TLS_CHUNK (16 * 1024)

struct conn {
	TAILQ_ENTRY(conn) entry;
	struct server *srv;
	int fd;
	SSL *ssl;
	int handshaken;
	struct event *ev; /* EV_READ | EV_WRITE | EV_ET, for its lifetime */
	struct event *timer;
	char *in; /* decrypted input not yet parsed */
	size_t in_len, in_cap;
	struct evbuffer *out; /* output SSL_write has not taken yet */
	int drained; /* the last read(2) emptied the socket: see tls.c */
	int depth; /* nesting of entry points; free only at 0 */
	int dead;
	http_parser parser;
	enum phase phase;
	struct http_request *req;
	size_t header_bytes;
	size_t url_end;
	struct hdr_off hdr[HTTP_MAX_HEADERS];
	int in_value;
	int parse_error; /* status to answer with, 0 when none */
	int in_parse;
	int keep_alive;
	char client_addr[64];
	char peer_fp[65];
	int has_peer_fp;
};

static void conn_parse(struct conn *c);
static void conn_close(struct conn *c);
static void conn_free(struct conn *c);
static int conn_flush(struct conn *c);

static const http_parser_settings parser_settings;

static void
arm_timer(struct conn *c, int seconds)
{
	struct timeval tv = {seconds, 0};

	evtimer_add(c->timer, &tv);
}

static void
request_free(struct http_request *r)
{
	if (r == NULL)
		return;
	if (r->ctx_free != NULL && r->ctx != NULL)
		r->ctx_free(r->ctx);
	free(r->body);
	free(r->store);
	free(r);
}

static struct http_request *
request_new(struct conn *c)
{
	struct http_request *r;

	/* Not calloc: the header table and the extra-header buffer are
	 * written before they are read, and zeroing them cost more than the
	 * rest of the request's set-up. Everything read first is set here. */
	if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	memset(r, 0, offsetof(struct http_request, headers));
	r->nheaders = 0;
	r->body = NULL;
	r->body_len = 0;
	r->request_id[0] = '\0';
	r->peer_cert_sha256 = NULL;
	r->status = 0;
	r->extra_len = 0;
	r->extra_headers[0] = '\0';
	r->ctx = NULL;
	r->ctx_free = NULL;
	r->store = NULL;
	r->store_len = r->store_cap = 0;
	r->responded = 0;
	r->conn = c;
	r->route = -1;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	memcpy(r->client_addr, c->client_addr, sizeof(r->client_addr));
	r->peer_cert_sha256 = c->has_peer_fp ? c->peer_fp : NULL;
	return r;
}

static int
store_append(struct http_request *r, const char *data, size_t len)
{
	size_t need = r->store_len + len + 1;
	char *p;

	if (need > r->store_cap) {
		size_t cap = r->store_cap ? r->store_cap : 512;
		while (cap < need)
			cap *= 2;
		if ((p = realloc(r->store, cap)) == NULL)
			return -1;
		r->store = p;
		r->store_cap = cap;
	}
	memcpy(r->store + r->store_len, data, len);
	r->store_len += len;
	r->store[r->store_len] = '\0';
	return 0;
}

/* Ends the string being built in the store with a NUL of its own. */
static int
store_terminate(struct http_request *r)
{
	if (store_append(r, "", 0) != 0)
		return -1;
	r->store_len++;
	return 0;
}

static int
count_header_bytes(struct conn *c, size_t len)
{
	c->header_bytes += len;
	if (c->header_bytes > (size_t)c->srv->cfg->max_header_size) {
		c->parse_error = 431;
		return -1;
	}
	return 0;
}

static int
on_message_begin(http_parser *p)
{
	struct conn *c = p->data;

	if ((c->req = request_new(c)) == NULL) {
		c->parse_error = 503;
		return -1;
	}
	c->header_bytes = 0;
	c->in_value = 0;
	c->phase = P_HEADERS;
	arm_timer(c, c->srv->cfg->header_timeout);
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;

	if (count_header_bytes(c, len) != 0)
		return -1;
	if (store_append(c->req, at, len) != 0) {
		c->parse_error = 503;
		return -1;
	}
	c->url_end = c->req->store_len;
	return 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	struct http_request *r = c->req;

	if (count_header_bytes(c, len) != 0)
		return -1;
	if (r->nheaders == 0 && c->in_value == 0 &&
	    r->store_len == c->url_end) {
		/* The first field: end the URL. */
		if (store_terminate(r) != 0)
			goto nomem;
		c->hdr[0].name = r->store_len;
		r->nheaders = 1;
	} else if (c->in_value) {
		if (r->nheaders == HTTP_MAX_HEADERS) {
			c->parse_error = 431;
			return -1;
		}
		if (store_terminate(r) != 0)
			goto nomem;
		c->hdr[r->nheaders++].name = r->store_len;
		c->in_value = 0;
	}
	if (store_append(r, at, len) != 0)
		goto nomem;
	return 0;
nomem:
	c->parse_error = 503;
	return -1;
}

static int
on_header_value(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	struct http_request *r = c->req;

	if (count_header_bytes(c, len) != 0)
		return -1;
	if (!c->in_value) {
		if (store_terminate(r) != 0)
			goto nomem;
		c->hdr[r->nheaders - 1].value = r->store_len;
		c->in_value = 1;
	}
	if (store_append(r, at, len) != 0)
		goto nomem;
	return 0;
nomem:
	c->parse_error = 503;
	return -1;
}

static enum http_verb
method_of(unsigned int m)
{
	switch (m) {
	case HTTP_GET:
		return HTTP_M_GET;
	case HTTP_HEAD:
		return HTTP_M_HEAD;
	case HTTP_POST:
		return HTTP_M_POST;
	case HTTP_PUT:
		return HTTP_M_PUT;
	case HTTP_PATCH:
		return HTTP_M_PATCH;
	case HTTP_DELETE:
		return HTTP_M_DELETE;
	case HTTP_OPTIONS:
		return HTTP_M_OPTIONS;
	default:
		return HTTP_M_OTHER;
	}
}

/* Turns the offsets gathered while parsing into the request's pointers. */
static int
finish_headers(struct conn *c)
{
	struct http_request *r = c->req;
	char *q;
	int i;

	if (r->nheaders == 0 && store_terminate(r) != 0)
		return -1;
	if (r->nheaders > 0 && !c->in_value) {
		/* A field without a value is malformed; http-parser
		 * rejects it before this point, but stay safe. */
		c->parse_error = 400;
		return -1;
	}
	for (i = 0; i < r->nheaders; i++) {
		r->headers[i].name = r->store + c->hdr[i].name;
		r->headers[i].value = r->store + c->hdr[i].value;
	}
	r->path = r->store;
	if ((q = strchr(r->path, '?')) != NULL) {
		*q = '\0';
		r->query = q + 1;
	}
	r->method = method_of(c->parser.method);
	r->method_name = http_method_str(c->parser.method);
	return 0;
}

static int
on_headers_complete(http_parser *p)
{
	struct conn *c = p->data;
	const char *expect;
	uint64_t max = (uint64_t)c->srv->cfg->max_body_size;

	if (finish_headers(c) != 0)
		return -1;
	response_new_id(c->srv, c->req);
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > max) {
		c->parse_error = 413;
		return -1;
	}
	expect = http_header(c->req, "Expect");
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0) {
		evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		conn_flush(c);
	}
	c->phase = P_BODY;
	arm_timer(c, c->srv->cfg->body_timeout);
	return 0;
}

static int
on_body(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	struct http_request *r = c->req;
	char *b;

	if (r->body_len + len > (size_t)c->srv->cfg->max_body_size) {
		c->parse_error = 413;
		return -1;
	}
	if ((b = realloc(r->body, r->body_len + len + 1)) == NULL) {
		c->parse_error = 503;
		return -1;
	}
	memcpy(b + r->body_len, at, len);
	r->body = b;
	r->body_len += len;
	b[r->body_len] = '\0';
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct conn *c = p->data;

	c->keep_alive = http_should_keep_alive(p) && !c->srv->stopping;
	c->phase = P_HANDLING;
	evtimer_del(c->timer);
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/*
 * Answers a request that could not be parsed or was refused before its
 * handler, then closes. The request may be half-built, or not exist yet.
 */
static void
fail_request(struct conn *c, int status, const char *type, const char *detail)
{
	if (c->req == NULL && (c->req = request_new(c)) == NULL) {
		conn_close(c);
		return;
	}
	if (c->req->path == NULL) {
		/* Refused mid-headers: none of them can be trusted. */
		c->req->nheaders = 0;
		c->req->path = "-";
	}
	if (c->req->method_name == NULL)
		c->req->method_name = "-";
	if (c->req->request_id[0] == '\0')
		response_new_id(c->srv, c->req);
	c->keep_alive = 0;
	c->phase = P_HANDLING;
	http_problem(
	    c->req, status, type, http_status_text(status), detail, NULL);
}

static void
parse_failed(struct conn *c)
{
	enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);

	if (c->parse_error == 0 && e == HPE_HEADER_OVERFLOW)
		c->parse_error = 431;
	switch (c->parse_error) {
	case 431:
		fail_request(c, 431, "header-too-large",
		    "The request's header block exceeds the server's limit.");
		break;
	case 413:
		fail_request(c, 413, "body-too-large",
		    "The request body exceeds the server's limit.");
		break;
	case 503:
		fail_request(c, 503, "overloaded",
		    "The server could not allocate memory for the request.");
		break;
	default:
		fail_request(
		    c, 400, "malformed-request", http_errno_description(e));
	}
}

static void
dispatch(struct conn *c)
{
	struct http_request *r = c->req;

	c->srv->handler(r);
}

/* Feeds buffered input to the parser, one request at a time. */
static void
conn_parse(struct conn *c)
{
	size_t off = 0, n;

	c->in_parse = 1;
	while (c->phase != P_HANDLING && c->phase != P_CLOSING && !c->dead &&
	       off < c->in_len) {
		n = http_parser_execute(
		    &c->parser, &parser_settings, c->in + off, c->in_len - off);
		off += n;
		if (HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED) {
			dispatch(c);
			/* conn_response_ready() moved the phase on, now or
			 * later. */
		} else if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
			parse_failed(c);
			off = c->in_len;
		}
	}
	c->in_parse = 0;
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

static int
in_reserve(struct conn *c, size_t more)
{
	char *p;
	size_t cap;

	if (c->in_len + more <= c->in_cap)
		return 0;
	cap = c->in_cap ? c->in_cap : TLS_CHUNK;
	while (cap < c->in_len + more)
		cap *= 2;
	if ((p = realloc(c->in, cap)) == NULL)
		return -1;
	c->in = p;
	c->in_cap = cap;
	return 0;
}

/*
 * What an SSL call that did not succeed means: 0 when it waits for the
 * socket (retried on the next edge), -1 when the connection is over (EOF,
 * a reset, a TLS error, a refused handshake), its error queue cleared.
 */
static int
ssl_wait_or_fail(SSL *ssl, int n)
{
	switch (SSL_get_error(ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

/*
 * Reads until OpenSSL wants more from the socket (edge-triggered: the
 * next edge comes only after that), or until READ_HIGH_WATERMARK is
 * buffered. Returns 0 in the first case, 1 in the second (more may wait
 * in the kernel), -1 when the peer is gone.
 */
static int
conn_read(struct conn *c)
{
	int n;

	for (;;) {
		if (c->phase != P_CLOSING && c->in_len >= READ_HIGH_WATERMARK)
			return 1;
		if (c->drained && !SSL_has_pending(c->ssl))
			return 0; /* wait for the next edge */
		if (in_reserve(c, TLS_CHUNK) != 0)
			return -1;
		n = SSL_read(c->ssl, c->in + c->in_len, TLS_CHUNK);
		if (n > 0) {
			if (c->phase == P_CLOSING)
				continue; /* lingering close: discard */
			c->in_len += (size_t)n;
			continue;
		}
		return ssl_wait_or_fail(c->ssl, n);
	}
}

/* Writes what SSL_write will take; 0 when done or waiting for the next
 * writable edge, -1 when the peer is gone. */
static int
conn_flush(struct conn *c)
{
	size_t len;
	int n;

	while ((len = evbuffer_get_length(c->out)) > 0) {
		if (len > TLS_CHUNK)
			len = TLS_CHUNK;
		n = SSL_write(
		    c->ssl, evbuffer_pullup(c->out, (ev_ssize_t)len), (int)len);
		if (n > 0) {
			evbuffer_drain(c->out, (size_t)n);
			continue;
		}
		if (ssl_wait_or_fail(c->ssl, n) < 0) {
			conn_close(c);
			return -1;
		}
		return 0;
	}
	if (c->phase == P_CLOSING) {
		/* All sent: say so, and read what the client still sends
		 * until it closes, so that the kernel does not reset the
		 * connection under the response. */
		SSL_shutdown(c->ssl);
		ERR_clear_error();
		shutdown(c->fd, SHUT_WR);
	}
	return 0;
}

static void
remember_peer_certificate(struct conn *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *cert;

	if ((cert = SSL_get1_peer_certificate(c->ssl)) == NULL)
		return;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32) {
		hex_encode(md, mdlen, c->peer_fp);
		c->has_peer_fp = 1;
	}
	X509_free(cert);
}

static int
conn_handshake(struct conn *c)
{
	int n = SSL_do_handshake(c->ssl);

	if (n == 1) {
		c->handshaken = 1;
		remember_peer_certificate(c);
		return 0;
	}
	return ssl_wait_or_fail(c->ssl, n);
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
	} while (rc == 1 && c->in_len < before && !c->dead &&
	         c->phase != P_HANDLING && c->phase != P_CLOSING);
}

static void
conn_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	enter(c);
	if (what & EV_READ)
		c->drained = 0; /* a new edge: there is something to read */
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
	if (c->phase == P_HEADERS || c->phase == P_BODY)
		fail_request(c, 408, "request-timeout",
		    c->phase == P_HEADERS
		        ? "The request's headers did not arrive in time."
		        : "The request's body did not arrive in time.");
	else
		conn_close(c);
	leave(c);
}

void
conn_accept(struct server *srv, int fd, const char *addr)
{
	struct conn *c;
	BIO *bio = NULL;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	snprintf(c->client_addr, sizeof(c->client_addr), "%s", addr);
	c->ssl = SSL_new(srv->ssl_ctx);
	c->out = evbuffer_new();
	c->timer = evtimer_new(srv->base, conn_timeout_cb, c);
	c->ev = event_new(srv->base, fd,
	    EV_READ | EV_WRITE | EV_PERSIST | EV_ET, conn_io_cb, c);
	if (c->ssl == NULL || c->out == NULL || c->timer == NULL ||
	    c->ev == NULL || (bio = tls_socket_bio(fd, &c->drained)) == NULL ||
	    event_add(c->ev, NULL) != 0) {
		if (bio != NULL)
			BIO_free(bio);
		SSL_free(c->ssl);
		if (c->out != NULL)
			evbuffer_free(c->out);
		if (c->timer != NULL)
			event_free(c->timer);
		if (c->ev != NULL)
			event_free(c->ev);
		free(c);
		evutil_closesocket(fd);
		return;
	}
	SSL_set_bio(c->ssl, bio, bio);
	SSL_set_accept_state(c->ssl);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	c->phase = P_IDLE;
	/* The TLS handshake and the first request share the header timeout. */
	arm_timer(c, srv->cfg->header_timeout);
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
}

static void
conn_free(struct conn *c)
{
	struct server *srv = c->srv;

	TAILQ_REMOVE(&srv->conns, c, entry);
	if (c->req != NULL) {
		if (c->phase == P_HANDLING && !c->req->responded)
			c->req->conn = NULL; /* the handler frees it later */
		else
			request_free(c->req);
	}
	event_free(c->ev);
	event_free(c->timer);
	SSL_free(c->ssl);
	close(c->fd);
	evbuffer_free(c->out);
	free(c->in);
	free(c);
	server_conn_closed(srv);
}

/* Frees now, or marks dead for the outermost entry point to free. */
static void
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

struct server *
conn_server(struct conn *c)
{
	return c->srv;
}

int
conn_keep_alive(const struct conn *c)
{
	return c->keep_alive;
}

/*
 * Called by response.c once a response is in the output buffer: sends
 * it, frees the request and, on a kept-alive connection, goes on with what
 * the client has pipelined (which may be waiting in the kernel, since
 * reading pauses at the watermark).
 */
void
conn_response_ready(struct conn *c, int keep_alive)
{
	enter(c);
	request_free(c->req);
	c->req = NULL;
	if (!keep_alive) {
		c->phase = P_CLOSING;
		evtimer_del(c->timer);
		arm_timer(c, 2); /* bound the lingering close */
		conn_flush(c);
		leave(c);
		return;
	}
	c->phase = P_IDLE;
	http_parser_pause(&c->parser, 0);
	arm_timer(c, c->srv->cfg->keepalive_timeout);
	if (conn_flush(c) == 0 && !c->in_parse)
		conn_pump(c);
	leave(c);
}

/* Server shutdown: close idle connections now, the others after their
 * current response. */
void
conn_shutdown_all(struct server *srv)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->phase == P_IDLE && c->depth == 0)
			conn_free(c);
		else
			c->keep_alive = 0;
	}
}

/* Request-side lookups live here because the request is built here. */
const char *
http_header(const struct http_request *r, const char *name)
{
	int i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void
http_request_release(struct http_request *r)
{
	request_free(r);
}
