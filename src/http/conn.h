/*
 * conn.h: one client connection, shared by the files that drive it:
 * conn.c (its state machine, timers and requests), conn_io.c (TLS on the
 * socket) and accesslog.c (the log lines of its responses). Nothing
 * outside src/http/ sees it.
 */
#ifndef PIPELINED_CONN_H
#define PIPELINED_CONN_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "parse.h"
#include "proxy.h"

/*
 * A connection's phase: where its current request is. One request at a
 * time; pipelined requests wait unparsed in the input buffer.
 *
 *   P_IDLE      between requests
 *   P_HEADERS   a request's head is arriving
 *   P_DECIDING  the handler has the head; the body waits unread
 *   P_BODY      the handler asked for the body; it is arriving
 *   P_HANDLING  the handler has the whole request
 *   P_CLOSING   the last response is flushing; then a lingering close
 *
 *   IDLE -> HEADERS -> (DECIDING -> BODY ->) HANDLING -> IDLE | CLOSING
 *   DECIDING -> CLOSING     answered without reading the body
 *   any -> CLOSING          a malformed request, a timeout, a shutdown
 */
enum phase {
	P_IDLE,
	P_HEADERS,
	P_DECIDING,
	P_BODY,
	P_HANDLING,
	P_CLOSING,
};

/* Access-log lines whose responses are queued but not all written. */
struct pending_log {
	struct evbuffer *lines; /* each line without its end */
	struct pending_line {
		uint64_t end; /* the response's last byte, as c->out_sent */
		size_t len;
	} * q;
	size_t head, n, cap;
};

struct conn {
	TAILQ_ENTRY(conn) entry;
	struct server *srv;
	int fd;
	SSL *ssl;
	int handshaken;
	int shut; /* close_notify sent and the write side shut */
	struct event *ev; /* EV_READ | EV_WRITE | EV_ET, for its lifetime */
	struct event *timer; /* the one timer: see conn_rearm() */
	char *in; /* decrypted input not yet parsed */
	size_t in_len, in_cap;
	struct evbuffer *out; /* output SSL_write has not taken yet */
	uint64_t out_sent; /* bytes SSL_write took, ever */
	int out_full; /* back-pressure: see conn_wrote() */
	int drained; /* the last read(2) emptied the socket: see tls.c */
	/*
	 * The deferred free. A connection can fail deep inside its own
	 * callbacks (a write error while a handler answers synchronously).
	 * Every entry point (I/O, timer, a response, a body request) counts
	 * itself in depth; conn_close() with depth > 0 only sets dead, and
	 * the outermost entry point frees on its way out.
	 */
	int depth;
	int dead;
	int in_parse; /* conn_parse() is on the stack: never re-entered */
	unsigned requests; /* heads dispatched on this connection */
	struct parse parse;
	enum phase phase;
	struct http_request *req; /* of the phase; the handler borrows it */
	struct pending_log log;
	/* The client: the socket's peer, or the one its PROXY header
	 * names. */
	char client_addr[64];
	int peer_counted; /* in peers.c's table */
	/* While a proxy's PROXY header is awaited, before the handshake:
	 * its bytes so far (room for PROXY_V2_MAX); NULL otherwise. */
	unsigned char *proxy_in;
	size_t proxy_len;
	char peer_fp[65];
	int has_peer_fp;
};

/* conn.c */
void conn_close(struct conn *c);
/* After SSL_write took n > 0 bytes. */
void conn_wrote(struct conn *c, size_t n);

/* conn_io.c: 0 when waiting for the socket, -1 when the peer is gone;
 * conn_read returns 1 when it stopped at the input watermark. */
int conn_read(struct conn *c);
int conn_write(struct conn *c);
void conn_in_shrink(struct conn *c);
int conn_handshake(struct conn *c);
/* The PROXY header, read exactly; PROXY_MORE while the socket has no
 * more of it, PROXY_REFUSED (why says) also when the peer is gone. */
enum proxy_status conn_read_proxy(
    struct conn *c, struct proxy_header *h, const char **why);
void conn_send_close_notify(struct conn *c);

/* accesslog.c */
void accesslog_defer(struct server *srv, struct pending_log *l,
    const struct http_request *r, size_t bytes, uint64_t end);
void accesslog_sent(struct server *srv, struct pending_log *l, uint64_t sent);
/* The connection is gone: what was not written is logged incomplete. */
void accesslog_abandon(struct server *srv, struct pending_log *l);

#endif
