/*
 * conn.c: one client connection: TLS through bufferevent_openssl, HTTP/1.1
 * parsing through Debian's http-parser, and the limits and timeouts.
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
 * database, reading stops; if the client disconnects meanwhile, the request
 * is orphaned (r->conn = NULL) and freed when its handler responds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <http_parser.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server.h"

enum phase {
	P_IDLE, /* between requests: keep-alive timeout */
	P_HEADERS, /* reading a request's start line and headers */
	P_BODY, /* reading its body */
	P_HANDLING, /* the handler has it; nothing is read */
	P_CLOSING, /* flushing the last response, then closing */
};

/* Input buffered beyond this waits in the kernel (and in TLS) until the
 * current request is answered. */
#define READ_HIGH_WATERMARK (256 * 1024)

struct hdr_off {
	size_t name, value;
};

struct conn {
	TAILQ_ENTRY(conn) entry;
	struct server *srv;
	struct bufferevent *bev;
	struct event *timer;
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

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_parse(struct conn *c);
static void conn_free(struct conn *c);

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

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
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
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0)
		bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
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
		conn_free(c);
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

/* Feeds buffered input to the parser until a request is complete. */
static void
conn_parse(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len, n;
	unsigned char *data;

	c->in_parse = 1;
	while (c->phase != P_HANDLING && c->phase != P_CLOSING &&
	       (len = evbuffer_get_contiguous_space(in)) > 0) {
		data = evbuffer_pullup(in, (ev_ssize_t)len);
		n = http_parser_execute(
		    &c->parser, &parser_settings, (const char *)data, len);
		evbuffer_drain(in, n);
		if (HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED) {
			/* Reading goes on while the handler works (so that a
			 * client that leaves is noticed), bounded by the read
			 * watermark; pipelined requests wait in the buffer. */
			dispatch(c);
			/* c may be in P_CLOSING or freed-pending after this;
			 * conn_response_ready() moved the phase on. */
		} else if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
			parse_failed(c);
			break;
		}
	}
	c->in_parse = 0;
	if (c->phase == P_CLOSING &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->phase == P_CLOSING) {
		/* Lingering close: drain what the client still sends so
		 * the kernel does not reset the connection under our
		 * last response. */
		evbuffer_drain(bufferevent_get_input(c->bev),
		    evbuffer_get_length(bufferevent_get_input(c->bev)));
		return;
	}
	conn_parse(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->phase == P_CLOSING && !c->in_parse)
		conn_free(c);
}

static void
remember_peer_certificate(struct conn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	X509 *cert;

	if (ssl == NULL || (cert = SSL_get1_peer_certificate(ssl)) == NULL)
		return;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32) {
		for (i = 0; i < mdlen; i++)
			snprintf(c->peer_fp + 2 * i, 3, "%02x", md[i]);
		c->has_peer_fp = 1;
	}
	X509_free(cert);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		remember_peer_certificate(c);
		return;
	}
	/* EOF, error or write timeout: the peer is gone. */
	ERR_clear_error();
	conn_free(c);
}

static void
conn_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->phase == P_HEADERS || c->phase == P_BODY) {
		fail_request(c, 408, "request-timeout",
		    c->phase == P_HEADERS
		        ? "The request's headers did not arrive in time."
		        : "The request's body did not arrive in time.");
		return;
	}
	conn_free(c);
}

void
conn_accept(struct server *srv, int fd, const char *addr)
{
	struct timeval wtv = {srv->cfg->body_timeout, 0};
	struct conn *c;
	SSL *ssl;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (ssl = SSL_new(srv->ssl_ctx)) == NULL) {
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->srv = srv;
	snprintf(c->client_addr, sizeof(c->client_addr), "%s", addr);
	c->bev = bufferevent_openssl_socket_new(srv->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(srv->base, conn_timeout_cb, c);
	if (c->bev == NULL || c->timer == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else {
			SSL_free(ssl);
			evutil_closesocket(fd);
		}
		if (c->timer != NULL)
			event_free(c->timer);
		free(c);
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	c->phase = P_IDLE;
	bufferevent_setcb(
	    c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH_WATERMARK);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
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
	event_free(c->timer);
	bufferevent_free(c->bev);
	free(c);
	server_conn_closed(srv);
}

struct evbuffer *
conn_output(struct conn *c)
{
	return bufferevent_get_output(c->bev);
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
 * Called by response.c once a response is in the output buffer. Frees
 * the request and, on a kept-alive connection, goes on with what the
 * client has pipelined.
 */
void
conn_response_ready(struct conn *c, int keep_alive)
{
	request_free(c->req);
	c->req = NULL;
	if (!keep_alive) {
		c->phase = P_CLOSING;
		evtimer_del(c->timer);
		arm_timer(c, 2); /* bound the lingering close */
		if (!c->in_parse &&
		    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			conn_free(c);
		return;
	}
	c->phase = P_IDLE;
	http_parser_pause(&c->parser, 0);
	arm_timer(c, c->srv->cfg->keepalive_timeout);
	if (!c->in_parse)
		conn_parse(c);
}

/* Server shutdown: close idle connections now, the others after their
 * current response. */
void
conn_shutdown_all(struct server *srv)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->phase == P_IDLE)
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

int
http_request_gone(const struct http_request *r)
{
	return r->conn == NULL;
}

void
http_request_release(struct http_request *r)
{
	request_free(r);
}
