/*
 * test_conformance.c: HTTP/1.1 conformance of the server over raw TLS,
 * byte for byte: message framing (RFC 9112), trailers, Expect, the
 * header limits, status codes without content (RFC 9110), and the life
 * of a connection: back-pressure on a client that does not read, slow
 * readers, the write timeout, SIGTERM, and workers that crash.
 *
 * One server per group of tests, started by the setup of the group's
 * first test (with_server) and stopped, its exit status kept, when the
 * next group begins; test_servers_exit_cleanly checks them all at the
 * end. CONF_TODAY=1 leaves out the options that the code before the new
 * HTTP layer refuses (write_timeout, output_high_watermark,
 * output_low_watermark), to run this file against it; CONF_ONLY=glob
 * runs only the tests it matches.
 *
 * The tests of queued output use "narrow" connections (see open_tls)
 * and more output than the kernels will hold, so that what they see is
 * the server's handling of its own queue, not the kernel's buffering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "support.h"

/* ---- The servers ---------------------------------------------------- */

enum server_kind {
	S_FRAMING,
	S_TRAILERS,
	S_SUPERVISE,
	S_BACKPRESSURE,
	S_SLOW,
	S_WTIMEOUT,
	S_SIGTERM,
	NSERVERS
};

static const char *const server_names[NSERVERS] = {"framing", "trailers",
    "supervise", "backpressure", "slow", "wtimeout", "sigterm"};
static const int kinds[NSERVERS] = {S_FRAMING, S_TRAILERS, S_SUPERVISE,
    S_BACKPRESSURE, S_SLOW, S_WTIMEOUT, S_SIGTERM};

static struct tserver srv;
static int current = -1;
static int started[NSERVERS];
static int exit_status[NSERVERS];
static char access_log[512];

/* Options the old code does not know: left out under CONF_TODAY=1. */
static const char *
new_opts(const char *lines)
{
	const char *today = getenv("CONF_TODAY");

	return today != NULL && strcmp(today, "1") == 0 ? "" : lines;
}

static void
stop_current(void)
{
	if (current < 0)
		return;
	if (srv.pid > 0)
		exit_status[current] = ts_stop(&srv);
	current = -1;
}

/* Starts pipelined with the options of *state's group, unless running. */
static int
with_server(void **state)
{
	int which = *(const int *)*state;
	char conf[2048], saved[1024] = "";
	const char *asan = getenv("ASAN_OPTIONS");

	if (current == which && srv.pid > 0)
		return 0;
	stop_current();
	/* Unauthenticated requests are part of several tests: they must
	 * not run into the per-address limit of failed authentications. */
	snprintf(conf, sizeof(conf), "auth_failures_per_minute 100000\n");
	switch (which) {
	case S_FRAMING:
		strcat(conf, "max_header_size 4096\n");
		break;
	case S_SUPERVISE:
		/* The workers die of the SIGSEGV itself, not of ASan's
		 * report of it (which ends in abort()). */
		snprintf(saved, sizeof(saved), "%s", asan ? asan : "");
		snprintf(conf, sizeof(conf), "%s%shandle_segv=0", saved,
		    saved[0] ? ":" : "");
		setenv("ASAN_OPTIONS", conf, 1);
		snprintf(conf, sizeof(conf), "workers 2\n");
		break;
	case S_BACKPRESSURE:
		strcat(conf, new_opts("output_high_watermark 262144\n"
		                      "output_low_watermark 65536\n"));
		break;
	case S_SLOW:
		strcat(conf, "keepalive_timeout 1\n");
		strcat(conf, new_opts("write_timeout 3\n"));
		break;
	case S_WTIMEOUT:
		snprintf(access_log, sizeof(access_log),
		    "%s/conformance-access-%d.log", ts_env("TEST_DIR"),
		    (int)getpid());
		snprintf(conf + strlen(conf), sizeof(conf) - strlen(conf),
		    "access_log %s\n%s", access_log,
		    new_opts("write_timeout 2\n"));
		break;
	default:
		break;
	}
	ts_start(&srv, conf);
	if (which == S_SUPERVISE && asan != NULL)
		setenv("ASAN_OPTIONS", saved, 1);
	else if (which == S_SUPERVISE)
		unsetenv("ASAN_OPTIONS");
	current = which;
	started[which] = 1;
	return 0;
}

#define T(f, kind)                                                             \
	cmocka_unit_test_prestate_setup_teardown(                              \
	    f, with_server, NULL, (void *)&kinds[kind])

/* ---- Raw TLS -------------------------------------------------------- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A non-blocking TLS connection. narrow: a receive buffer of 2 KiB and
 * segments of 300 bytes, set before connect, so that the client's window
 * stays small. The server's kernel still takes what its send buffer
 * holds, which it grows as it likes (to 1 to 1.5 MB on loopback here,
 * up to tcp_wmem's maximum): a test of the server's own queue sends more
 * than that.
 */
static SSL *
open_tls(int port, int narrow, SSL_CTX **ctx_out)
{
	struct sockaddr_in sin;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int fd, rcvbuf = 2048, mss = 300;

	*ctx_out = ctx;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (narrow) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
	}
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	assert_int_equal(SSL_connect(ssl), 1);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return ssl;
}

/* Waits for the socket as the last SSL call asked; 0 once deadline
 * passed. */
static int
ssl_wait(SSL *ssl, int err, long long deadline)
{
	struct pollfd pfd;
	long long left = deadline - now_ms();

	if (left <= 0)
		return 0;
	pfd.fd = SSL_get_fd(ssl);
	pfd.events = err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
	return poll(&pfd, 1, (int)left) > 0 || now_ms() < deadline;
}

/*
 * Writes len bytes; returns how many SSL_write took. Stops when the
 * server has taken nothing for stall_ms (it stopped reading), or on an
 * error.
 */
static size_t
write_all(SSL *ssl, const char *p, size_t len, int stall_ms)
{
	size_t done = 0, n;
	long long deadline = now_ms() + stall_ms;
	int k, e;

	while (done < len) {
		n = len - done > 16384 ? 16384 : len - done;
		k = SSL_write(ssl, p + done, (int)n);
		if (k > 0) {
			done += (size_t)k;
			deadline = now_ms() + stall_ms;
			continue;
		}
		e = SSL_get_error(ssl, k);
		if ((e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) ||
		    !ssl_wait(ssl, e, deadline)) {
			ERR_clear_error();
			break;
		}
	}
	return done;
}

/* Reads what is there: > 0 bytes, 0 when the connection ended (EOF,
 * reset or TLS error), -1 when ms passed first. */
static int
read_some(SSL *ssl, char *buf, size_t n, int ms)
{
	long long deadline = now_ms() + ms;
	int k, e;

	for (;;) {
		k = SSL_read(ssl, buf, (int)n);
		if (k > 0)
			return k;
		e = SSL_get_error(ssl, k);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			ERR_clear_error();
			return 0;
		}
		if (!ssl_wait(ssl, e, deadline))
			return -1;
	}
}

/* ---- Responses ------------------------------------------------------ */

struct resp {
	int status;
	long clen; /* -1 when absent */
	char head[8192]; /* status line and fields (truncated), NUL-ended */
	char *body; /* malloc'd, NUL-terminated */
	size_t body_len;
};

static void
resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

/* A field of a parsed response (copied into buf), or NULL. */
static const char *
resp_header(const struct resp *r, const char *name, char *buf, size_t cap)
{
	return head_field(r->head, name, buf, cap);
}

/*
 * Splits one response off the front of b: returns the bytes it takes, or
 * 0 when b does not start with a complete response (yet: eof says that no
 * more will come). 1xx, 204 and 304 have no content; a response without
 * Content-Length runs to the end of the connection.
 */
static size_t
parse_one(const char *b, size_t len, int eof, struct resp *r)
{
	const char *end, *p;
	size_t hl, bl, cp;

	memset(r, 0, sizeof(*r));
	r->clen = -1;
	if (len < 12 || strncmp(b, "HTTP/1.", 7) != 0 ||
	    (end = memmem(b, len, "\r\n\r\n", 4)) == NULL)
		return 0;
	hl = (size_t)(end + 4 - b);
	cp = hl < sizeof(r->head) ? hl : sizeof(r->head) - 1;
	memcpy(r->head, b, cp);
	r->head[cp] = '\0';
	r->status = atoi(b + 9);
	for (p = b; (p = memmem(p, hl - (size_t)(p - b), "\r\n", 2)) != NULL;) {
		p += 2;
		if (p + 15 < b + hl &&
		    strncasecmp(p, "Content-Length:", 15) == 0)
			r->clen = strtol(p + 15, NULL, 10);
	}
	if (r->status < 200 || r->status == 204 || r->status == 304)
		bl = 0;
	else if (r->clen >= 0)
		bl = (size_t)r->clen;
	else if (eof)
		bl = len - hl;
	else
		return 0;
	if (hl + bl > len)
		return 0;
	r->body = malloc(bl + 1);
	memcpy(r->body, b + hl, bl);
	r->body[bl] = '\0';
	r->body_len = bl;
	return hl + bl;
}

/* A reader that splits responses off a connection as they arrive,
 * optionally slowly: chunk bytes per read, pause_us after each. */
struct rx {
	SSL *ssl;
	char *buf;
	size_t len, cap;
	int closed;
	size_t chunk;
	useconds_t pause_us;
	size_t total; /* bytes read */
};

static void
rx_init(struct rx *x, SSL *ssl)
{
	memset(x, 0, sizeof(*x));
	x->ssl = ssl;
	x->chunk = 16384;
}

/* Reads once more into x; 0 when ms passed first. */
static int
rx_read(struct rx *x, long long deadline)
{
	int k;

	if (x->len + x->chunk + 1 > x->cap) {
		x->cap = (x->len + x->chunk + 1) * 2;
		x->buf = realloc(x->buf, x->cap);
	}
	k = read_some(
	    x->ssl, x->buf + x->len, x->chunk, (int)(deadline - now_ms()));
	if (k < 0)
		return 0;
	if (k == 0)
		x->closed = 1;
	x->len += (size_t)k;
	x->total += (size_t)k;
	if (k > 0 && x->pause_us > 0)
		usleep(x->pause_us);
	return 1;
}

/* 1: the next response is in r (free it); 0: the connection ended
 * first; -1: ms passed first. */
static int
rx_next(struct rx *x, struct resp *r, int ms)
{
	long long deadline = now_ms() + ms;
	size_t n;

	for (;;) {
		if ((n = parse_one(x->buf, x->len, x->closed, r)) > 0) {
			memmove(x->buf, x->buf + n, x->len - n);
			x->len -= n;
			return 1;
		}
		if (x->closed)
			return 0;
		if (!rx_read(x, deadline))
			return -1;
	}
}

/* Reads until the connection ends; 1 if it did within ms. */
static int
rx_until_closed(struct rx *x, int ms)
{
	long long deadline = now_ms() + ms;

	while (!x->closed)
		if (!rx_read(x, deadline))
			return 0;
	return 1;
}

static void
rx_free(struct rx *x)
{
	free(x->buf);
}

/* How many final (non-1xx) responses b holds complete. */
static int
count_final(const char *b, size_t len, int eof)
{
	struct resp r;
	size_t n, off = 0;
	int count = 0;

	while ((n = parse_one(b + off, len - off, eof, &r)) > 0) {
		count += r.status >= 200;
		resp_free(&r);
		off += n;
	}
	return count;
}

/*
 * One connection: sends the bytes, then reads until want final responses
 * have arrived complete (want 0: until the connection ends), or it ends,
 * or ms passed. Returns the bytes read into out (NUL-ended); *closed
 * says whether the server ended the connection.
 */
static size_t
raw_exchange(int port, const char *bytes, size_t len, char *out, size_t cap,
    int ms, int want, int *closed)
{
	long long deadline = now_ms() + ms;
	SSL_CTX *ctx;
	SSL *ssl = open_tls(port, 0, &ctx);
	size_t got = 0;
	int k;

	*closed = 0;
	write_all(ssl, bytes, len, ms);
	while (got + 1 < cap) {
		if (want > 0 && count_final(out, got, 0) >= want)
			break;
		k = read_some(
		    ssl, out + got, cap - 1 - got, (int)(deadline - now_ms()));
		if (k < 0)
			break;
		if (k == 0) {
			*closed = 1;
			break;
		}
		got += (size_t)k;
	}
	out[got] = '\0';
	tls_close(ssl, ctx);
	return got;
}

/* The first final response of out into r; fails the test if none. */
static void
first_final(const char *out, size_t len, int closed, struct resp *r)
{
	size_t n, off = 0;

	while ((n = parse_one(out + off, len - off, closed, r)) > 0) {
		if (r->status >= 200)
			return;
		resp_free(r);
		off += n;
	}
	fail_msg("no complete response; got %zu bytes: %.200s", len, out);
}

static char rawbuf[1 << 20];

#define RAW_MS 3000

/* Sends req on a fresh connection and checks the status of the first
 * final response; must_close: and that the server then ends the
 * connection. The response stays in *r (free it). */
static void
expect_status(
    const char *req, size_t len, int status, int must_close, struct resp *r)
{
	size_t got;
	int closed;

	got = raw_exchange(srv.port, req, len, rawbuf, sizeof(rawbuf), RAW_MS,
	    must_close ? 0 : 1, &closed);
	first_final(rawbuf, got, closed, r);
	if (r->status != status) {
		resp_free(r);
		fail_msg("expected %d, got: %.*s", status,
		    (int)strcspn(r->head, "\r"), r->head);
	}
	if (must_close && !closed) {
		resp_free(r);
		fail_msg("the connection stayed open after %d", status);
	}
}

/* The same, and the response is a problem document of that status. */
static void
expect_problem(const char *req, size_t len, int status, int must_close)
{
	struct resp r;
	char ct[128];
	json_t *doc;

	expect_status(req, len, status, must_close, &r);
	assert_non_null(resp_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "application/problem+json");
	assert_int_equal(r.body_len, r.clen);
	doc = json_loadb(r.body, r.body_len, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(
	    json_integer_value(json_object_get(doc, "status")), status);
	json_decref(doc);
	resp_free(&r);
}

#define S(lit) lit, sizeof(lit) - 1

/* ---- /proc ------------------------------------------------------------ */

static int
local_port(SSL *ssl)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	getsockname(SSL_get_fd(ssl), (struct sockaddr *)&sin, &len);
	return ntohs(sin.sin_port);
}

/* The inode of the server's end of the connection from client port
 * cport, or 0 when the kernel has none. */
static unsigned long
server_sock_inode(int sport, int cport)
{
	char line[512];
	unsigned lport, rport, st;
	unsigned long inode = 0, ino;
	FILE *fp = fopen("/proc/net/tcp", "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line,
		        " %*u: %*x:%x %*x:%x %x %*s %*s %*s %*u %*u %lu",
		        &lport, &rport, &st, &ino) == 4 &&
		    (int)lport == sport && (int)rport == cport && ino != 0)
			inode = ino;
	fclose(fp);
	return inode;
}

/* Whether pid has the socket inode among its descriptors. */
static int
holds_socket(pid_t pid, unsigned long inode)
{
	char path[64], link[512], want[64], target[64];
	struct dirent *de;
	DIR *d;
	ssize_t n;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = strcmp(target, want) == 0;
		}
	}
	closedir(d);
	return found;
}

/* Whether worker pid serves the connection of ssl. */
static int
served_by(SSL *ssl, pid_t pid)
{
	unsigned long inode = server_sock_inode(srv.port, local_port(ssl));

	return inode != 0 && holds_socket(pid, inode);
}

/* ---- Trailers (RFC 9112 7.1.2, RFC 9110 6.5) ----------------------- */

/* Trailers are parsed apart, never crash a worker (RFC 9112 7.1.2). */
static void
test_trailer_does_not_crash_worker(void **state)
{
	static const char req[] = "GET /api/v1/areas HTTP/1.1\r\nHost: x\r\n"
	                          "Transfer-Encoding: chunked\r\n\r\n"
	                          "0\r\nX: y\r\n\r\n";
	struct resp r;
	struct tresp h;
	char ct[128];
	json_t *doc;
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		expect_status(req, sizeof(req) - 1, 401, 0, &r);
		assert_non_null(
		    resp_header(&r, "Content-Type", ct, sizeof(ct)));
		assert_string_equal(ct, "application/problem+json");
		assert_int_equal(r.body_len, r.clen);
		doc = json_loadb(r.body, r.body_len, 0, NULL);
		assert_non_null(doc);
		assert_string_equal(
		    json_string_value(json_object_get(doc, "type")),
		    "/problems/unauthorized");
		json_decref(doc);
		resp_free(&r);
	}
	tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &h);
	assert_int_equal(h.status, 200);
	tr_free(&h);
	assert_int_equal(tr_metric(&srv, "pipelined_worker_restarts_total"), 0);
}

/* No framing, routing or auth fields in a trailer (RFC 9110 6.5.1). */
static void
test_trailers_kept_apart(void **state)
{
	static const char *const fields[] = {
	    "Content-Length: 5", "Authorization: Bearer x", "Host: y"};
	char req[512];
	struct resp r;
	size_t i;
	int n;

	(void)state;
	expect_status(S("GET /health HTTP/1.1\r\nHost: x\r\n"
	                "Transfer-Encoding: chunked\r\n\r\n"
	                "3\r\nabc\r\n0\r\nX: y\r\n\r\n"),
	    200, 0, &r);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	resp_free(&r);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		n = snprintf(req, sizeof(req),
		    "GET /health HTTP/1.1\r\nHost: x\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n"
		    "3\r\nabc\r\n0\r\n%s\r\n\r\n",
		    fields[i]);
		print_message("trailer %s\n", fields[i]);
		expect_problem(req, (size_t)n, 400, 1);
	}
}

/* ---- Framing (RFC 9112) --------------------------------------------- */

/* No whitespace before a field's colon: 400, close (RFC 9112 5.1). */
static void
test_space_before_colon_refused(void **state)
{
	(void)state;
	expect_problem(S("GET /health HTTP/1.1\r\nHost: x\r\n"
	                 "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
	    400, 1);
}

/* HTTP/1.1: exactly one Host; HTTP/1.0: none needed (RFC 9112 3.2). */
static void
test_host_required_once(void **state)
{
	struct resp r;

	(void)state;
	expect_problem(S("GET /health HTTP/1.1\r\n\r\n"), 400, 1);
	expect_problem(
	    S("GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"), 400, 1);
	expect_status(S("GET /health HTTP/1.0\r\n\r\n"), 200, 0, &r);
	resp_free(&r);
}

/* The absolute form is served as its path (RFC 9112 3.2.2). */
static void
test_absolute_form_served(void **state)
{
	char req[256];
	struct resp r;
	int n;

	(void)state;
	n = snprintf(req, sizeof(req),
	    "GET https://127.0.0.1:%d/health HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n\r\n",
	    srv.port, srv.port);
	expect_status(req, (size_t)n, 200, 0, &r);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	resp_free(&r);
}

/* Only chunked, last: else 501 or 400; none in 1.0 (RFC 9112 6.1, 6.3). */
static void
test_transfer_codings(void **state)
{
	(void)state;
	expect_problem(S("GET /health HTTP/1.1\r\nHost: x\r\n"
	                 "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
	    501, 1);
	expect_problem(S("GET /health HTTP/1.1\r\nHost: x\r\n"
	                 "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
	    400, 1);
	expect_problem(S("GET /health HTTP/1.0\r\n"
	                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
	    400, 1);
}

/* A method the server does not implement: 501 (RFC 9110 9.1). */
static void
test_unknown_method_501(void **state)
{
	(void)state;
	expect_problem(S("FOO /health HTTP/1.1\r\nHost: x\r\n\r\n"), 501, 1);
	expect_problem(
	    S("PROPFIND /health HTTP/1.1\r\nHost: x\r\n\r\n"), 501, 1);
}

/* A request line past the header limit: 414 (RFC 9110 15.5.15). */
static void
test_long_target_414(void **state)
{
	char *req = malloc(6000);
	int n;

	(void)state;
	memcpy(req, "GET /", 5);
	memset(req + 5, 'a', 4995); /* a path of 5,000 bytes */
	n = 5000 + snprintf(req + 5000, 1000, " HTTP/1.1\r\nHost: x\r\n\r\n");
	expect_problem(req, (size_t)n, 414, 1);
	free(req);
}

/* 505 for HTTP/2.0, 400 without a version (RFC 9110 15.6.6, 9112 3). */
static void
test_versions(void **state)
{
	(void)state;
	expect_problem(S("GET /health HTTP/2.0\r\nHost: x\r\n\r\n"), 505, 1);
	expect_problem(S("GET /health\r\n\r\n"), 400, 1);
}

/* The head limit counts every CRLF: 4096 ok, 4097 431 (RFC 6585 5). */
static void
test_header_limit_counts_delimiters(void **state)
{
	static const char start[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
	                            "X-Filler: ";
	char *req = malloc(8192);
	struct resp r;
	size_t pre = sizeof(start) - 1, fill = 4096 - pre - 4;

	(void)state;
	memcpy(req, start, pre);
	memset(req + pre, 'f', fill);
	memcpy(req + pre + fill, "\r\n\r\n", 4);
	expect_status(req, 4096, 200, 0, &r);
	resp_free(&r);
	memset(req + pre, 'f', fill + 1);
	memcpy(req + pre + fill + 1, "\r\n\r\n", 4);
	expect_problem(req, 4097, 431, 1);
	free(req);
}

/* An admin key, made once per server. */
static const char *
admin_key(void)
{
	static char key[80];
	static int port;

	if (port != srv.port) {
		snprintf(key, sizeof(key), "%s", make_key(&srv, "admin", NULL));
		port = srv.port;
	}
	return key;
}

/* No 100 Continue to an HTTP/1.0 client (RFC 9110 10.1.1, 15.2). */
static void
test_no_100_continue_for_http10(void **state)
{
	char req[512];
	struct resp r;
	size_t got;
	int n, closed;

	(void)state;
	n = snprintf(req, sizeof(req),
	    "POST /api/v1/projects HTTP/1.0\r\n"
	    "Authorization: Bearer %s\r\nExpect: 100-continue\r\n"
	    "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
	    admin_key());
	got = raw_exchange(srv.port, req, (size_t)n, rawbuf, sizeof(rawbuf),
	    RAW_MS, 0, &closed);
	assert_null(strstr(rawbuf, "100 Continue"));
	/* The first response is the final one. */
	assert_true(parse_one(rawbuf, got, closed, &r) > 0);
	print_message("HTTP/1.0 POST answered %d\n", r.status);
	assert_true(r.status >= 200 && r.status != 401 && r.status != 403);
	resp_free(&r);
}

/* 100 Continue only after authentication (RFC 9110 10.1.1). */
static void
test_100_continue_after_authentication(void **state)
{
	static const char noauth[] = "POST /api/v1/projects HTTP/1.1\r\n"
	                             "Host: x\r\nExpect: 100-continue\r\n"
	                             "Content-Type: application/json\r\n"
	                             "Content-Length: 1000000\r\n\r\n";
	char req[512];
	struct resp r;
	struct rx x;
	SSL_CTX *ctx;
	SSL *ssl;
	size_t got;
	int n, closed;

	(void)state;
	got = raw_exchange(srv.port, noauth, sizeof(noauth) - 1, rawbuf,
	    sizeof(rawbuf), RAW_MS, 0, &closed);
	assert_null(strstr(rawbuf, "100 Continue"));
	first_final(rawbuf, got, closed, &r);
	assert_int_equal(r.status, 401);
	assert_true(closed);
	resp_free(&r);

	n = snprintf(req, sizeof(req),
	    "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nExpect: 100-continue\r\n"
	    "Content-Type: application/json\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\n",
	    admin_key());
	ssl = open_tls(srv.port, 0, &ctx);
	rx_init(&x, ssl);
	assert_int_equal(write_all(ssl, req, (size_t)n, 3000), (size_t)n);
	assert_int_equal(rx_next(&x, &r, 3000), 1);
	assert_int_equal(
	    strncmp(r.head, "HTTP/1.1 100 Continue\r\n\r\n", 25), 0);
	assert_int_equal(strlen(r.head), 25);
	resp_free(&r);
	assert_int_equal(write_all(ssl, "{}", 2, 3000), 2);
	assert_int_equal(rx_next(&x, &r, 5000), 1);
	print_message("after 100 Continue: %d\n", r.status);
	assert_true(r.status >= 200 && r.status != 401 && r.status != 403);
	resp_free(&r);
	rx_free(&x);
	tls_close(ssl, ctx);
}

/* Refused before its body: answered at once, closed (RFC 9112 9.6). */
static void
test_unauthenticated_body_never_read(void **state)
{
	static const char req[] =
	    "POST /api/v1/projects HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: 1000000\r\n\r\n";
	long long t0 = now_ms();
	struct resp r;
	size_t got;
	int closed;

	(void)state;
	got = raw_exchange(srv.port, req, sizeof(req) - 1, rawbuf,
	    sizeof(rawbuf), RAW_MS, 0, &closed);
	first_final(rawbuf, got, closed, &r);
	assert_int_equal(r.status, 401);
	assert_true(closed);
	assert_true(now_ms() - t0 < 2000);
	resp_free(&r);
}

/* No Content-Length on 204, nor here on 304 (RFC 9110 8.6). */
static void
test_no_content_length_on_204_304(void **state)
{
	char id[64], path[128], req[1024], etag[128], v[64];
	struct tresp t;
	struct resp r;
	size_t got;
	int n, closed;

	(void)state;
	make_key_ex(&srv, "viewer", NULL, NULL, id);
	n = snprintf(req, sizeof(req),
	    "DELETE /api/v1/keys/%s HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
	    id, admin_key());
	got = raw_exchange(srv.port, req, (size_t)n, rawbuf, sizeof(rawbuf),
	    RAW_MS, 0, &closed);
	first_final(rawbuf, got, closed, &r);
	assert_int_equal(r.status, 204);
	assert_null(resp_header(&r, "Content-Length", v, sizeof(v)));
	assert_int_equal(strlen(r.head), got); /* nothing after the head */
	resp_free(&r);

	tr_do(&srv, "POST", "/api/v1/projects", admin_key(),
	    "{\"name\":\"一致性项目\",\"area\":\"140821\",\"funding\":"
	    "\"enterprise\"}",
	    NULL, &t);
	assert_int_equal(t.status, 201);
	snprintf(path, sizeof(path), "/api/v1/projects/%s",
	    json_string_value(json_object_get(t.json, "id")));
	tr_free(&t);
	n = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
	    path, admin_key());
	expect_status(req, (size_t)n, 200, 0, &r);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);
	n = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
	    "If-None-Match: %s\r\nConnection: close\r\n\r\n",
	    path, admin_key(), etag);
	got = raw_exchange(srv.port, req, (size_t)n, rawbuf, sizeof(rawbuf),
	    RAW_MS, 0, &closed);
	first_final(rawbuf, got, closed, &r);
	assert_int_equal(r.status, 304);
	assert_null(resp_header(&r, "Content-Length", v, sizeof(v)));
	assert_int_equal(strlen(r.head), got);
	resp_free(&r);
}

/* Content-Length with Transfer-Encoding: 400, close (RFC 9112 6.1). */
static void
test_cl_with_te_refused(void **state)
{
	(void)state;
	expect_problem(S("POST /health HTTP/1.1\r\nHost: x\r\n"
	                 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
	                 "\r\n0\r\n\r\n"),
	    400, 1);
	expect_problem(S("POST /health HTTP/1.1\r\nHost: x\r\n"
	                 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"
	                 "\r\n0\r\n\r\n"),
	    400, 1);
}

/* An invalid Content-Length: 400, close (RFC 9112 6.3, RFC 9110 8.6). */
static void
test_bad_content_length(void **state)
{
	static const char *const bad[] = {"Content-Length: abc",
	    "Content-Length: -1", "Content-Length: 1,2",
	    "Content-Length: 1\r\nContent-Length: 2"};
	char req[256];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = snprintf(req, sizeof(req),
		    "GET /health HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n12", bad[i]);
		print_message("%s\n", bad[i]);
		expect_problem(req, (size_t)n, 400, 1);
	}
}

/* The bytes after a body are the next request (RFC 9112 6.3, 9.3.2). */
static void
test_bytes_after_body_are_next_request(void **state)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
	                          "X-Request-Id: first\r\n"
	                          "Content-Length: 5\r\n\r\nhello"
	                          "GET /health HTTP/1.1\r\nHost: x\r\n"
	                          "X-Request-Id: second\r\n"
	                          "Connection: close\r\n\r\n";
	char id[64];
	struct resp r;
	size_t got, n;
	int closed;

	(void)state;
	got = raw_exchange(srv.port, req, sizeof(req) - 1, rawbuf,
	    sizeof(rawbuf), RAW_MS, 0, &closed);
	assert_true(closed);
	n = parse_one(rawbuf, got, closed, &r);
	assert_true(n > 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "X-Request-Id", id, sizeof(id)));
	assert_string_equal(id, "first");
	resp_free(&r);
	assert_int_equal(parse_one(rawbuf + n, got - n, closed, &r), got - n);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "X-Request-Id", id, sizeof(id)));
	assert_string_equal(id, "second");
	resp_free(&r);
}

/* 64 fields pass, a 65th is 431, close (RFC 6585 5). */
static void
test_too_many_fields_431(void **state)
{
	char req[4096];
	struct resp r;
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req),
	    "GET /health HTTP/1.1\r\n"
	    "Host: x\r\n");
	for (i = 0; i < 63; i++)
		n += (size_t)snprintf(
		    req + n, sizeof(req) - n, "X-F%d: v\r\n", i);
	memcpy(req + n, "\r\n", 2);
	expect_status(req, n + 2, 200, 0, &r);
	resp_free(&r);
	n += (size_t)snprintf(req + n, sizeof(req) - n, "X-F63: v\r\n\r\n");
	expect_problem(req, n, 431, 1);
}

/* A bare CR or a NUL in a field: 400, close (RFC 9112 2.2, 9110 5.5). */
static void
test_bare_cr_and_nul_refused(void **state)
{
	(void)state;
	expect_problem(S("GET /health HTTP/1.1\r\nHost: x\r\n"
	                 "X-A: a\rb\r\n\r\n"),
	    400, 1);
	expect_problem(S("GET /health HTTP/1.1\r\nHost: x\r\n"
	                 "X-A: a\0b\r\n\r\n"),
	    400, 1);
}

/* ---- Supervision -------------------------------------------------------- */

/* Waits until pid serves a connection of its own; 0 past deadline. */
static int
answers(pid_t pid, long long deadline)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	struct resp r;
	struct rx x;
	SSL_CTX *ctx;
	SSL *ssl;
	int ok;

	while (now_ms() < deadline) {
		ssl = open_tls(srv.port, 0, &ctx);
		rx_init(&x, ssl);
		write_all(ssl, req, sizeof(req) - 1, 2000);
		ok = rx_next(&x, &r, 2000) == 1 && r.status == 200;
		if (ok)
			resp_free(&r);
		ok = ok && served_by(ssl, pid);
		rx_free(&x);
		tls_close(ssl, ctx);
		if (ok)
			return 1;
		usleep(5000);
	}
	return 0;
}

/* The master has exited: fails the test, keeping its exit status. */
static void
check_master(const char *when, int kills)
{
	int st;

	if (waitpid(srv.pid, &st, WNOHANG) != srv.pid)
		return;
	srv.pid = 0;
	exit_status[S_SUPERVISE] = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	fail_msg("the server exited (status %d) %s after %d kills",
	    exit_status[S_SUPERVISE], when, kills);
}

/* Availability, no RFC: a crashed worker is always replaced. */
static void
test_worker_crashes_never_stop_the_service(void **state)
{
	long long deadline = now_ms() + 30000, t0 = now_ms();
	pid_t newest = 0, target, w[8], prev[8];
	struct tresp r;
	int kills, i, st = 0;

	(void)state;
	/*
	 * Four deaths in a row in one slot, then four in the other: each
	 * slot's backoff (100, 200, 400, 800 ms) stays short. The first
	 * victim of a slot has served for a while; the next three are its
	 * replacements, killed as soon as /health answers again, well
	 * within a second of their start.
	 */
	for (kills = 0; kills < 8; kills++) {
		assert_int_equal(ts_worker_pids(srv.pid, prev, 8), 2);
		if (kills % 4 == 0)
			target = prev[0] != newest ? prev[0] : prev[1];
		else
			target = newest;
		assert_int_equal(kill(target, SIGSEGV), 0);
		for (newest = 0; newest == 0;) {
			check_master("waiting for a replacement", kills + 1);
			if (now_ms() > deadline)
				fail_msg(
				    "no replacement after %d kills", kills + 1);
			usleep(10000);
			if (ts_worker_pids(srv.pid, w, 8) != 2 ||
			    w[0] == target || w[1] == target)
				continue;
			for (i = 0; i < 2; i++)
				if (w[i] != prev[0] && w[i] != prev[1])
					newest = w[i];
		}
		for (st = 0; st != 200; usleep(10000)) {
			check_master("waiting for /health", kills + 1);
			if (now_ms() > deadline)
				fail_msg(
				    "/health never answered after %d kills",
				    kills + 1);
			tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &r);
			st = (int)r.status;
			tr_free(&r);
		}
	}
	print_message("8 kills in %lld ms\n", now_ms() - t0);
	/* Both workers of the end are replacements, and each serves. */
	assert_int_equal(ts_worker_pids(srv.pid, w, 8), 2);
	for (i = 0; i < 2; i++)
		if (!answers(w[i], deadline))
			fail_msg("worker %d never answered", (int)w[i]);
	check_master("at the end", 8);
	assert_int_equal(kill(srv.pid, 0), 0);
	tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	assert_true(tr_metric(&srv, "pipelined_worker_restarts_total") >= 8);
	assert_int_equal(sh("grep -q SIGSEGV %s", srv.log), 0);
}

/* ---- The connection's output -------------------------------------------- */

#define OPENAPI_REQ "GET /openapi.json HTTP/1.1\r\nHost: x\r\n"

/* n pipelined GET /openapi.json, each with X-Request-Id prefix-%05d, the
 * last with Connection: close when close_last; *len: their length. */
static char *
openapi_requests(int n, const char *prefix, int close_last, size_t *len)
{
	size_t cap = (size_t)n * 128, off = 0;
	char *b = malloc(cap);
	int i;

	for (i = 0; i < n; i++)
		off += (size_t)snprintf(b + off, cap - off,
		    OPENAPI_REQ "X-Request-Id: %s-%05d\r\n%s\r\n", prefix, i,
		    close_last && i == n - 1 ? "Connection: close\r\n" : "");
	*len = off;
	return b;
}

/* The length of /openapi.json, which grows with the API: the tests of
 * queued output size their load by it. */
static size_t
openapi_size(void)
{
	struct tresp t;
	size_t n;

	tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &t);
	n = t.len;
	tr_free(&t);
	return n > 0 ? n : 1;
}

/* The response is a whole /openapi.json with request id prefix-i. */
static void
assert_openapi(const struct resp *r, const char *prefix, int i)
{
	char id[80], want[80];

	if (r->status != 200)
		fail_msg("response %d: %.*s", i, (int)strcspn(r->head, "\r"),
		    r->head);
	assert_true(r->clen > 1000);
	assert_int_equal(r->body_len, r->clen);
	assert_true(r->body[r->body_len - 1] == '}' ||
	            r->body[r->body_len - 1] == '\n');
	snprintf(want, sizeof(want), "%s-%05d", prefix, i);
	assert_non_null(resp_header(r, "X-Request-Id", id, sizeof(id)));
	assert_string_equal(id, want);
}

/* Unread pipelined output is bounded, then sent in order (RFC 9112 9.3.2). */
static void
test_backpressure(void **state)
{
	pid_t w[8];
	long before[8], after;
	size_t len, each, sent;
	struct tresp t;
	struct resp r;
	struct rx x;
	SSL_CTX *ctx;
	SSL *ssl;
	char *reqs;
	int n, i, got;

	(void)state;
	for (i = 0; i < 8; i++) { /* both workers build the document */
		tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &t);
		tr_free(&t);
	}
	n = ts_worker_pids(srv.pid, w, 8);
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		before[i] = ts_rss_kb(w[i]);
	reqs = openapi_requests(5000, "bp", 0, &len);
	each = len / 5000;
	ssl = open_tls(srv.port, 0, &ctx);
	sent = write_all(ssl, reqs, len, 2000) / each;
	print_message("sent %zu of 5000 requests\n", sent);
	assert_true(sent > 100);
	sleep(2);
	for (i = 0; i < n; i++) {
		after = ts_rss_kb(w[i]);
		assert_true(after > 0);
		print_message("worker %d: VmRSS %ld -> %ld KiB\n", (int)w[i],
		    before[i], after);
		assert_true(after - before[i] < 24 * 1024);
	}
	rx_init(&x, ssl);
	for (got = 0; (size_t)got < sent; got++) {
		if (rx_next(&x, &r, 10000) != 1)
			fail_msg(
			    "response %d of %zu did not arrive", got, sent);
		assert_openapi(&r, "bp", got);
		resp_free(&r);
	}
	/* Nothing more: no response to a request not sent whole. */
	assert_int_equal(rx_next(&x, &r, 300), -1);
	assert_int_equal(x.len, 0);
	rx_free(&x);
	tls_close(ssl, ctx);
	free(reqs);
}

/*
 * Pipelines n GET /openapi.json on a narrow connection, the last with
 * Connection: close, and reads them: nothing for stall_ms, then chunk
 * bytes per read with pause_us after each, until slow_ms have passed
 * since the requests went out, then as fast as they come. Every response
 * must arrive whole, in order, and then the end of the connection.
 * Returns the milliseconds the whole transfer took.
 */
static long long
read_slowly(int n, const char *prefix, int stall_ms, size_t chunk,
    useconds_t pause_us, int slow_ms)
{
	long long t0, took;
	size_t len;
	struct resp r;
	struct rx x;
	SSL_CTX *ctx;
	SSL *ssl;
	char *reqs;
	int i;

	reqs = openapi_requests(n, prefix, 1, &len);
	ssl = open_tls(srv.port, 1, &ctx);
	assert_int_equal(write_all(ssl, reqs, len, 3000), len);
	t0 = now_ms();
	usleep((useconds_t)stall_ms * 1000);
	rx_init(&x, ssl);
	x.chunk = chunk;
	x.pause_us = pause_us;
	for (i = 0; i < n; i++) {
		if (now_ms() - t0 > slow_ms) {
			x.chunk = 16384;
			x.pause_us = 0;
		}
		if (rx_next(&x, &r, 5000) != 1) {
			took = now_ms() - t0;
			rx_free(&x);
			tls_close(ssl, ctx);
			free(reqs);
			fail_msg("response %d of %d cut off after %lld ms, "
			         "%zu bytes",
			    i, n, took, x.total);
		}
		assert_openapi(&r, prefix, i);
		resp_free(&r);
	}
	assert_true(rx_until_closed(&x, 5000));
	took = now_ms() - t0;
	print_message("%d responses, %zu bytes in %lld ms\n", n, x.total, took);
	rx_free(&x);
	tls_close(ssl, ctx);
	free(reqs);
	return took;
}

/* A slow reader gets every response; no keep-alive cut (RFC 9112 9.3). */
static void
test_slow_reader_gets_every_response(void **state)
{
	(void)state;
	/* 64 KiB/s for 2.3 s (past keepalive_timeout 1 and the old fixed
	 * 2 s, short of write_timeout 3: see test_steady_slow_reader_...),
	 * then the rest at once. The 1.1 MB must be more than the kernels
	 * take off the server's hands meanwhile (some 600 KB here, loopback
	 * growing the server's send buffer to over 1 MB). */
	assert_true(read_slowly(80, "slow", 0, 4096, 62500, 2300) > 2000);
}

/* A closing connection drains at the client's pace (RFC 9112 9.6). */
static void
test_close_response_drains_slowly(void **state)
{
	(void)state;
	/* Nothing read for 2.3 s (under write_timeout 3), then the rest at
	 * once. While the client reads nothing the server's kernel takes up
	 * to some 1.1 MB: the 1.7 MB of responses must not fit in it. */
	assert_true(read_slowly(120, "close", 2300, 16384, 0, 0) > 2300);
}

/* write_timeout: time without the client taking a byte (RFC 9112 9.5). */
static void
test_steady_slow_reader_not_cut_by_write_timeout(void **state)
{
	(void)state;
	/*
	 * 32 KiB/s, never pausing, for 6 s (twice write_timeout 3), then
	 * the rest at once. The client takes bytes all along, so it must
	 * get every response. What the server sees of it is its own
	 * writes: the kernel, its send buffer grown past 1 MB, asks for
	 * more only once much of it is free, which at this pace takes
	 * longer than write_timeout.
	 */
	read_slowly(80, "steady", 0, 2048, 62500, 6000);
}

/* The access log's line of request_id, parsed, or NULL. */
static json_t *
log_line(const char *request_id)
{
	char line[2048], needle[96];
	json_t *doc = NULL;
	FILE *fp;

	snprintf(needle, sizeof(needle), "\"%s\"", request_id);
	if ((fp = fopen(access_log, "r")) == NULL)
		return NULL;
	while (doc == NULL && fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			doc = json_loads(line, 0, NULL);
	fclose(fp);
	return doc;
}

/* A stalled reader is cut off after write_timeout (RFC 9112 9.5). */
static void
test_write_timeout_cuts_a_stalled_reader(void **state)
{
	const char *ok_id[] = {"X-Request-Id: wt-normal", NULL};
	long long t0;
	size_t len;
	struct tresp t;
	struct resp r;
	struct rx x;
	SSL_CTX *ctx;
	SSL *ssl;
	json_t *doc;
	char *reqs, id[32];
	int i, whole = 0, incomplete = 0, logged = 0;

	(void)state;
	reqs = openapi_requests(400, "wt", 0, &len); /* about 5.6 MB out */
	ssl = open_tls(srv.port, 1, &ctx);
	assert_int_equal(write_all(ssl, reqs, len, 2000), len);
	t0 = now_ms();
	tr_do(&srv, "GET", "/health", NULL, NULL, ok_id, &t);
	assert_int_equal(t.status, 200);
	tr_free(&t);
	while (now_ms() - t0 < 4000)
		usleep(50000);
	rx_init(&x, ssl);
	while (rx_next(&x, &r, 3000) == 1) {
		assert_openapi(&r, "wt", whole);
		resp_free(&r);
		whole++;
	}
	print_message("%d whole responses of 400 before the end\n", whole);
	assert_true(x.closed);
	assert_true(whole < 400);
	rx_free(&x);
	tls_close(ssl, ctx);
	free(reqs);

	/* The log is flushed within a second. */
	for (t0 = now_ms(); now_ms() - t0 < 3000; usleep(100000)) {
		if ((doc = log_line("wt-normal")) == NULL)
			continue;
		json_decref(doc);
		snprintf(id, sizeof(id), "wt-%05d", whole);
		if ((doc = log_line(id)) != NULL) {
			json_decref(doc);
			break;
		}
	}
	doc = log_line("wt-normal");
	assert_non_null(doc);
	assert_true(json_is_true(json_object_get(doc, "complete")));
	json_decref(doc);
	for (i = 0; i < 400; i++) {
		snprintf(id, sizeof(id), "wt-%05d", i);
		if ((doc = log_line(id)) == NULL)
			continue;
		logged++;
		/* What the client got whole was sent whole. */
		if (i < whole)
			assert_true(
			    json_is_true(json_object_get(doc, "complete")));
		incomplete += json_is_false(json_object_get(doc, "complete"));
		json_decref(doc);
	}
	print_message("%d logged, %d incomplete\n", logged, incomplete);
	assert_true(incomplete >= 1);
}

/* SIGTERM sends queued output first, then exits 0 (RFC 9112 9.6). */
static void
test_sigterm_flushes_queued_output(void **state)
{
	long long t0;
	size_t len;
	struct resp r;
	struct rx x;
	SSL_CTX *ctx;
	SSL *ssl;
	char *reqs;
	int i, n, st = 0, done = 0;

	(void)state;
	/* About 1 MB queued, more than the narrow connection holds. */
	n = (int)(1000000 / openapi_size());
	reqs = openapi_requests(n, "term", 0, &len);
	ssl = open_tls(srv.port, 1, &ctx);
	assert_int_equal(write_all(ssl, reqs, len, 3000), len);
	sleep(1);
	assert_int_equal(kill(srv.pid, SIGTERM), 0);
	rx_init(&x, ssl);
	for (i = 0; i < n; i++) {
		if (rx_next(&x, &r, 10000) != 1)
			fail_msg("response %d of %d lost at shutdown", i, n);
		assert_openapi(&r, "term", i);
		resp_free(&r);
	}
	assert_true(rx_until_closed(&x, 10000));
	rx_free(&x);
	tls_close(ssl, ctx);
	free(reqs);
	for (t0 = now_ms(); now_ms() - t0 < 15000; usleep(20000))
		if (waitpid(srv.pid, &st, WNOHANG) == srv.pid) {
			done = 1;
			break;
		}
	assert_true(done);
	srv.pid = 0; /* stopped: stop_current() leaves it */
	exit_status[S_SIGTERM] = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Every server of the file exited 0: no sanitizer report, no leak. */
static void
test_servers_exit_cleanly(void **state)
{
	int i, bad = 0;

	(void)state;
	stop_current();
	for (i = 0; i < NSERVERS; i++)
		if (started[i] && exit_status[i] != 0) {
			print_message("server '%s' exited %d\n",
			    server_names[i], exit_status[i]);
			bad++;
		}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_space_before_colon_refused, S_FRAMING),
	    T(test_host_required_once, S_FRAMING),
	    T(test_absolute_form_served, S_FRAMING),
	    T(test_transfer_codings, S_FRAMING),
	    T(test_unknown_method_501, S_FRAMING),
	    T(test_long_target_414, S_FRAMING),
	    T(test_versions, S_FRAMING),
	    T(test_header_limit_counts_delimiters, S_FRAMING),
	    T(test_no_100_continue_for_http10, S_FRAMING),
	    T(test_100_continue_after_authentication, S_FRAMING),
	    T(test_unauthenticated_body_never_read, S_FRAMING),
	    T(test_no_content_length_on_204_304, S_FRAMING),
	    T(test_cl_with_te_refused, S_FRAMING),
	    T(test_bad_content_length, S_FRAMING),
	    T(test_bytes_after_body_are_next_request, S_FRAMING),
	    T(test_too_many_fields_431, S_FRAMING),
	    T(test_bare_cr_and_nul_refused, S_FRAMING),
	    T(test_trailer_does_not_crash_worker, S_TRAILERS),
	    T(test_trailers_kept_apart, S_TRAILERS),
	    T(test_worker_crashes_never_stop_the_service, S_SUPERVISE),
	    T(test_backpressure, S_BACKPRESSURE),
	    T(test_slow_reader_gets_every_response, S_SLOW),
	    T(test_close_response_drains_slowly, S_SLOW),
	    T(test_steady_slow_reader_not_cut_by_write_timeout, S_SLOW),
	    T(test_write_timeout_cuts_a_stalled_reader, S_WTIMEOUT),
	    T(test_sigterm_flushes_queued_output, S_SIGTERM),
	    cmocka_unit_test(test_servers_exit_cleanly),
	};

	/* CONF_ONLY=pattern runs only the matching tests (while working on
	 * one; test_servers_exit_cleanly should match too). */
	if (getenv("CONF_ONLY") != NULL)
		cmocka_set_test_filter(getenv("CONF_ONLY"));
	return cmocka_run_group_tests_name("conformance", tests, NULL, NULL);
}
