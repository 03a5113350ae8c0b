/*
 * conn_io.c: TLS on a connection's non-blocking socket.
 *
 * Why not bufferevent_openssl: a profile of /health showed most of the
 * worker's time in the kernel, much of it epoll_ctl as bufferevents turn
 * their read and write events on and off around every request. Here one
 * edge-triggered event per connection stays registered for its lifetime:
 * reads drain SSL_read until it wants more, writes go straight to
 * SSL_write and wait for the next writable edge only when the socket is
 * full.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "../util/alloc.h"
#include "../util/hex.h"
#include "conn.h"
#include "server.h"

/* Input buffered beyond this waits in the kernel (and in TLS) until the
 * requests before it are answered. */
#define READ_HIGH_WATERMARK ((size_t)256 * 1024)

#define TLS_CHUNK ((size_t)16 * 1024)

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

static void
in_reserve(struct conn *c, size_t more)
{
	size_t cap;

	if (c->in_len + more <= c->in_cap)
		return;
	cap = c->in_cap ? c->in_cap : TLS_CHUNK;
	while (cap < c->in_len + more)
		cap *= 2;
	/* conn_read stops at the watermark: never more than that and one
	 * read's worth, rather than the next power of two. */
	if (cap > READ_HIGH_WATERMARK + TLS_CHUNK &&
	    c->in_len + more <= READ_HIGH_WATERMARK + TLS_CHUNK)
		cap = READ_HIGH_WATERMARK + TLS_CHUNK;
	c->in = xrealloc(c->in, cap);
	c->in_cap = cap;
}

/* How much input may wait unparsed: a body being read is taken in large
 * gulps; anything else a read at a time, so that the bytes that follow a
 * head stay in the kernel until the head has been decided on. */
static size_t
read_mark(const struct conn *c)
{
	return c->phase == P_BODY ? READ_HIGH_WATERMARK : TLS_CHUNK;
}

/*
 * Reads until OpenSSL wants more from the socket (edge-triggered: the
 * next edge comes only after that), or until READ_HIGH_WATERMARK is
 * buffered. Returns 0 in the first case, 1 in the second (more may wait
 * in the kernel), -1 when the peer is gone.
 */
int
conn_read(struct conn *c)
{
	int n;

	for (;;) {
		/* While the handler decides on a request's head, its body
		 * stays in the kernel: nothing of a request that may be
		 * refused (unauthenticated, forbidden, over a budget) is
		 * read into memory. http_read_body() reads on. */
		if (c->phase == P_DECIDING)
			return 1;
		if (c->phase != P_CLOSING && c->in_len >= read_mark(c))
			return 1;
		if (c->drained && !SSL_has_pending(c->ssl))
			return 0; /* wait for the next edge */
		in_reserve(c, TLS_CHUNK);
		n = SSL_read(c->ssl, c->in + c->in_len, (int)TLS_CHUNK);
		if (n > 0) {
			if (c->phase == P_CLOSING)
				continue; /* lingering close: discard */
			c->in_len += (size_t)n;
			continue;
		}
		return ssl_wait_or_fail(c->ssl, n);
	}
}

/* Between requests a connection keeps no more than one read's buffer:
 * what a large body made it grow to goes back. */
void
conn_in_shrink(struct conn *c)
{
	if (c->in_len == 0 && c->in_cap > TLS_CHUNK) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

/* Writes what SSL_write will take, telling conn_wrote() of each piece;
 * 0 when done or waiting for the next writable edge, -1 when the peer is
 * gone. */
int
conn_write(struct conn *c)
{
	size_t len;
	int n;

	while ((len = evbuffer_get_length(c->out)) > 0) {
		if (len > TLS_CHUNK)
			len = TLS_CHUNK;
		n = SSL_write(
		    c->ssl, evbuffer_pullup(c->out, (ev_ssize_t)len), (int)len);
		if (n <= 0)
			return ssl_wait_or_fail(c->ssl, n);
		evbuffer_drain(c->out, (size_t)n);
		conn_wrote(c, (size_t)n);
	}
	return 0;
}

/* All sent on a closing connection: say so, and keep reading what the
 * client still sends until it closes, so that the kernel does not reset
 * the connection under the response. */
void
conn_send_close_notify(struct conn *c)
{
	if (c->shut)
		return;
	c->shut = 1;
	SSL_shutdown(c->ssl);
	ERR_clear_error();
	shutdown(c->fd, SHUT_WR);
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

int
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

/*
 * The header comes before the ClientHello, on the same socket, and
 * OpenSSL must get every byte after it: each recv(2) asks for no more
 * than the parser says the header still needs (16 bytes, then the rest
 * of its length), so nothing of the handshake is taken. The parser
 * bounds that at PROXY_V2_MAX, the room of c->proxy_in.
 */
enum proxy_status
conn_read_proxy(struct conn *c, struct proxy_header *h, const char **why)
{
	enum proxy_status st;
	ssize_t n;

	for (;;) {
		st = proxy_parse(c->proxy_in, c->proxy_len, h, why);
		if (st != PROXY_MORE)
			return st;
		n = recv(c->fd, c->proxy_in + c->proxy_len,
		    h->size - c->proxy_len, 0);
		if (n > 0) {
			c->proxy_len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PROXY_MORE; /* the next edge brings more */
		*why = n == 0 ? "closed before its PROXY header ended"
		              : strerror(errno);
		return PROXY_REFUSED;
	}
}
