/*
 * server.c: one worker's listener and its orderly shutdown.
 *
 * Every worker binds its own socket with SO_REUSEPORT, so the kernel
 * spreads new connections over the workers without a shared accept lock.
 * TCP_NODELAY is set on the listener (Linux passes it on to accepted
 * sockets): without it, TLS records meet Nagle and delayed ACKs and a
 * keep-alive client waits 40 ms per response.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/listener.h>

#include "peers.h"
#include "server.h"

/*
 * The kernel keeps at most this much of a connection's output unsent. The
 * write timeout restarts on each write that makes progress; without a
 * bound, loopback's autotuned send buffer takes a megabyte at once and a
 * client that reads slowly but steadily drains it for longer than the
 * timeout while the server, seeing no room, writes nothing, and cuts it
 * off. With it, the socket turns writable again as the client reads.
 */
#define UNSENT_LOWAT (128 * 1024)

static void
limit_unsent(int fd)
{
	int lowat = UNSENT_LOWAT;

	setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct server *srv = arg;
	char addr[64] = "-";
	int counted = 0, proxied;

	(void)l;
	(void)salen;
	if (srv->nconns >= srv->cfg->max_connections) {
		/* Over the limit: refuse at once rather than queue work
		 * that would starve the connections already served. */
		evutil_closesocket(fd);
		return;
	}
	limit_unsent(fd);
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, addr,
		    sizeof(addr));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
		    addr, sizeof(addr));
	/* A PROXY protocol proxy carries many clients: each is counted
	 * once its header names it (conn.c), the proxy never. */
	proxied = cidr_list_match(&srv->proxy_from, addr);
	if (!proxied && (counted = server_count_client(srv, addr)) < 0) {
		evutil_closesocket(fd);
		return;
	}
	conn_accept(srv, fd, addr, counted == 1, proxied);
}

int
server_count_client(struct server *srv, const char *addr)
{
	int rc;

	/* Trusted proxies carry many clients: not limited per address. */
	if (cidr_list_match(&srv->trusted, addr))
		return 0;
	rc = peers_enter(addr);
	return rc == 0 ? -1 : rc == 1;
}

static int
open_socket_opts(const struct config *cfg, int reuseport)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	struct sockaddr *sa;
	socklen_t salen;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, cfg->bind, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else if (inet_pton(AF_INET6, cfg->bind, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	} else {
		fprintf(stderr, "pipelined: bind: '%s' is not an address\n",
		    cfg->bind);
		return -1;
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0) {
		perror("pipelined: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(fd, sa, salen) != 0 || listen(fd, 1024) != 0) {
		fprintf(stderr, "pipelined: bind %s:%d: %s\n", cfg->bind,
		    cfg->port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
server_open_listener(const struct config *cfg)
{
	return open_socket_opts(cfg, 1);
}

/*
 * The workers share the port through SO_REUSEPORT, which would let a
 * second pipelined on the same port silently take half the connections.
 * The master binds once without it first: that fails while anyone else
 * holds the port.
 */
int
server_probe_port(const struct config *cfg)
{
	int fd = open_socket_opts(cfg, 0);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int
server_listen(struct server *srv, int fd)
{
	srv->listener = evconnlistener_new(
	    srv->base, accept_cb, srv, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (srv->listener == NULL) {
		close(fd);
		return -1;
	}
	return 0;
}

static void
shutdown_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(srv->base);
}

static int draining;

int
http_draining(void)
{
	return draining;
}

/* The end of drain_accept_ms: no new connections; the idle ones close,
 * the others after their current response. */
static void
stop_accepting(struct server *srv)
{
	if (srv->listener != NULL) {
		evconnlistener_free(srv->listener);
		srv->listener = NULL;
	}
	conn_shutdown_all(srv);
	if (srv->nconns == 0)
		event_base_loopbreak(srv->base);
}

static void
accept_window_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	stop_accepting(arg);
}

/* From now on no response keeps its connection (conn_keep_alive), and
 * the loop ends at drain_timeout whatever is left. */
static void
begin_stopping(struct server *srv)
{
	struct timeval tv = {srv->cfg->drain_timeout, 0};

	srv->stopping = 1;
	srv->shutdown_timer = evtimer_new(srv->base, shutdown_timeout_cb, srv);
	evtimer_add(srv->shutdown_timer, &tv);
}

void
server_retire(struct server *srv)
{
	if (srv->stopping)
		return;
	begin_stopping(srv);
	stop_accepting(srv);
}

void
server_shutdown(struct server *srv)
{
	struct timeval window = {srv->cfg->drain_accept_ms / 1000,
	    (suseconds_t)(srv->cfg->drain_accept_ms % 1000) * 1000};

	/* A worker already retiring drains for the balancer too. */
	draining = 1;
	if (srv->stopping)
		return;
	begin_stopping(srv);
	if (srv->cfg->drain_accept_ms == 0) {
		stop_accepting(srv);
		return;
	}
	srv->accept_timer = evtimer_new(srv->base, accept_window_cb, srv);
	evtimer_add(srv->accept_timer, &window);
}

/*
 * A connection's memory (TLS state, buffers) is small pieces of the heap,
 * which free() keeps for reuse; after many connections have closed, the
 * heap is trimmed so that a worker falls back to what it serves now. A
 * trim walks the heap, so it waits for a drop worth it.
 */
#define TRIM_AFTER_CLOSED 64

void
server_tick(struct server *srv)
{
	if (srv->nconns_peak - srv->nconns >= TRIM_AFTER_CLOSED)
		malloc_trim(0);
	srv->nconns_peak = srv->nconns;
}

void
server_conn_closed(struct server *srv)
{
	srv->nconns--;
	if (srv->stopping && srv->listener == NULL && srv->nconns == 0)
		event_base_loopbreak(srv->base);
}
