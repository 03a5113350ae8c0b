/*
 * handshake.c: full TLS handshakes per second against a server.
 *
 *   handshake [-h host] [-p port] [-c conns] [-d seconds] [-t threads]
 *             [-v 1.2|1.3]
 *
 * Each of conns connections, spread over the threads (each an epoll loop
 * of non-blocking sockets), connects, makes a full handshake and closes,
 * again and again for the seconds given. Nothing is resumed: the client
 * keeps no session cache, asks for no ticket and makes a fresh SSL for
 * every connection, so that every handshake costs the server its key
 * exchange and its signature. The server's certificate is not verified
 * (the benchmark's is self-signed); its signature over the handshake is.
 * A connection closes cleanly: close_notify, then it reads what the server
 * still sends (TLS 1.3 tickets) until the server closes.
 *
 * Prints one line:
 *   handshakes/s N p50_ms N p99_ms N failed N handshakes N
 * where the latency is from connect(2) to the end of the handshake, and
 * failed counts the connections refused, reset or broken before the end of
 * their handshake (and any that was resumed, which would be a bug).
 * Handshakes still under way when the time is up count as neither. Exits 1
 * when no handshake succeeded.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* A connection that takes longer than this to connect, shake hands and
 * close has failed. */
#define STALL_NS (10 * 1000000000LL)

enum state { S_IDLE, S_CONNECTING, S_HANDSHAKE, S_CLOSING };

struct slot {
	enum state state;
	int fd;
	SSL *ssl;
	int64_t start;
};

struct worker {
	pthread_t thread;
	int nslots;
	int epfd;
	struct slot *slots;
	/* Results: handshake latencies in microseconds. */
	uint32_t *lat;
	size_t nlat, caplat;
	long failed;
	int error; /* the loop itself failed */
};

static SSL_CTX *ctx;
static struct addrinfo *addr;
static int64_t deadline;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
slot_free(struct slot *s)
{
	if (s->ssl != NULL)
		SSL_free(s->ssl);
	if (s->fd >= 0)
		close(s->fd);
	s->ssl = NULL;
	s->fd = -1;
	s->state = S_IDLE;
}

static int
slot_watch(struct worker *w, struct slot *s, uint32_t events, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = s;
	return epoll_ctl(w->epfd, op, s->fd, &ev);
}

static void
fail(struct worker *w, struct slot *s)
{
	w->failed++;
	ERR_clear_error();
	slot_free(s);
}

/* Starts a connection in an idle slot. */
static void
slot_start(struct worker *w, struct slot *s)
{
	int one = 1;

	s->start = now_ns();
	s->fd = socket(addr->ai_family,
	    addr->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    addr->ai_protocol);
	if (s->fd < 0) {
		fail(w, s);
		return;
	}
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, addr->ai_addr, addr->ai_addrlen) != 0 &&
	    errno != EINPROGRESS) {
		fail(w, s);
		return;
	}
	s->state = S_CONNECTING;
	if (slot_watch(w, s, EPOLLOUT, EPOLL_CTL_ADD) != 0)
		fail(w, s);
}

static void
record(struct worker *w, struct slot *s)
{
	int64_t us = (now_ns() - s->start) / 1000;

	if (w->nlat == w->caplat) {
		size_t cap = w->caplat ? w->caplat * 2 : 4096;
		uint32_t *p = realloc(w->lat, cap * sizeof(*p));

		if (p == NULL) {
			w->error = 1;
			return;
		}
		w->lat = p;
		w->caplat = cap;
	}
	w->lat[w->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Reads what the server sends after close_notify until it closes. */
static void
slot_drain(struct worker *w, struct slot *s)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(s->fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0 && errno == EAGAIN) {
		if (slot_watch(w, s, EPOLLIN, EPOLL_CTL_MOD) != 0)
			slot_free(s);
		return;
	}
	slot_free(s); /* closed by the server (or reset: the handshake
	               * was done) */
}

static void
slot_handshake(struct worker *w, struct slot *s)
{
	int n = SSL_do_handshake(s->ssl);

	if (n == 1) {
		if (SSL_session_reused(s->ssl)) {
			fail(w, s);
			return;
		}
		record(w, s);
		SSL_shutdown(s->ssl); /* sends close_notify */
		ERR_clear_error();
		s->state = S_CLOSING;
		slot_drain(w, s);
		return;
	}
	switch (SSL_get_error(s->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		if (slot_watch(w, s, EPOLLIN, EPOLL_CTL_MOD) != 0)
			fail(w, s);
		return;
	case SSL_ERROR_WANT_WRITE:
		if (slot_watch(w, s, EPOLLOUT, EPOLL_CTL_MOD) != 0)
			fail(w, s);
		return;
	default:
		fail(w, s);
	}
}

static void
slot_connected(struct worker *w, struct slot *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0 || (s->ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(s->ssl, s->fd) != 1) {
		fail(w, s);
		return;
	}
	SSL_set_connect_state(s->ssl);
	s->state = S_HANDSHAKE;
	slot_handshake(w, s);
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	int64_t t, last_scan = 0;
	int i, n;

	for (i = 0; i < w->nslots; i++)
		slot_start(w, &w->slots[i]);
	while ((t = now_ns()) < deadline && !w->error) {
		int ms = (int)((deadline - t) / 1000000) + 1;

		if (ms > 100)
			ms = 100;
		n = epoll_wait(w->epfd, evs, 256, ms);
		if (n < 0 && errno != EINTR) {
			w->error = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			struct slot *s = evs[i].data.ptr;

			if (s->state == S_CONNECTING)
				slot_connected(w, s);
			else if (s->state == S_HANDSHAKE)
				slot_handshake(w, s);
			else if (s->state == S_CLOSING)
				slot_drain(w, s);
		}
		t = now_ns();
		for (i = 0; i < w->nslots; i++) {
			struct slot *s = &w->slots[i];

			if (s->state != S_IDLE &&
			    t - last_scan > 1000000000LL &&
			    t - s->start > STALL_NS) {
				if (s->state == S_CLOSING)
					slot_free(s);
				else
					fail(w, s);
			}
			if (s->state == S_IDLE && t < deadline)
				slot_start(w, s);
		}
		if (t - last_scan > 1000000000LL)
			last_scan = t;
	}
	for (i = 0; i < w->nslots; i++)
		slot_free(&w->slots[i]);
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr, "usage: handshake [-h host] [-p port] [-c conns] "
	                "[-d seconds] [-t threads] [-v 1.2|1.3]\n");
	exit(2);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = "8443", *version = NULL;
	long conns = 64, seconds = 5, nthreads = 1, failed = 0;
	struct addrinfo hints;
	struct worker *ws;
	uint32_t *lat;
	size_t nlat = 0, k;
	int64_t t0;
	int i, opt, rc;

	while ((opt = getopt(argc, argv, "h:p:c:d:t:v:")) != -1) {
		switch (opt) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'c':
			conns = number(optarg, 1, 100000);
			break;
		case 'd':
			seconds = number(optarg, 1, 86400);
			break;
		case 't':
			nthreads = number(optarg, 1, 64);
			break;
		case 'v':
			version = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (version != NULL && strcmp(version, "1.2") != 0 &&
	                          strcmp(version, "1.3") != 0))
		usage();
	if (nthreads > conns)
		nthreads = conns;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &addr)) != 0) {
		fprintf(stderr, "handshake: %s:%s: %s\n", host, port,
		    gai_strerror(rc));
		return 2;
	}

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		fprintf(stderr, "handshake: cannot make a TLS context\n");
		return 2;
	}
	/* No resumption: no cache to resume from, no ticket asked for. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (version != NULL) {
		int v = strcmp(version, "1.2") == 0 ? TLS1_2_VERSION
		                                    : TLS1_3_VERSION;

		SSL_CTX_set_min_proto_version(ctx, v);
		SSL_CTX_set_max_proto_version(ctx, v);
	}

	if ((ws = calloc((size_t)nthreads, sizeof(*ws))) == NULL)
		return 2;
	t0 = now_ns();
	deadline = t0 + seconds * 1000000000LL;
	for (i = 0; i < nthreads; i++) {
		struct worker *w = &ws[i];
		int j;

		w->nslots = (int)(conns / nthreads + (i < conns % nthreads));
		w->slots = calloc((size_t)w->nslots, sizeof(*w->slots));
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->slots == NULL || w->epfd < 0) {
			perror("handshake");
			return 2;
		}
		for (j = 0; j < w->nslots; j++) {
			w->slots[j].fd = -1;
			w->slots[j].state = S_IDLE;
		}
		if (pthread_create(&w->thread, NULL, worker_run, w) != 0) {
			perror("handshake: pthread_create");
			return 2;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(ws[i].thread, NULL);
		if (ws[i].error) {
			fprintf(stderr, "handshake: a thread's loop failed\n");
			return 2;
		}
		nlat += ws[i].nlat;
		failed += ws[i].failed;
	}
	if ((lat = malloc((nlat ? nlat : 1) * sizeof(*lat))) == NULL)
		return 2;
	for (i = 0, k = 0; i < nthreads; i++) {
		memcpy(lat + k, ws[i].lat, ws[i].nlat * sizeof(*lat));
		k += ws[i].nlat;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u32);
	printf("handshakes/s %.1f p50_ms %.2f p99_ms %.2f failed %ld "
	       "handshakes %zu\n",
	    (double)nlat / (double)seconds, nlat ? lat[nlat / 2] / 1000.0 : 0.0,
	    nlat ? lat[nlat * 99 / 100] / 1000.0 : 0.0, failed, nlat);
	return nlat > 0 ? 0 : 1;
}
