/*
 * worker.c: the life of one worker process: its event loop, its signals,
 * the access log's flush every second, its sandbox (sandbox.c) once it
 * is set up, and its orderly end.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/rand.h>

#include "../util/cidr.h"
#include "../util/hex.h"
#include "certs.h"
#include "master.h"
#include "sandbox.h"
#include "../util/metrics.h"
#include "../http/peers.h"
#include "../http/server.h"

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	server_flush_log(arg);
	server_tick(arg);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	if (sig == SIGUSR2)
		server_retire(arg); /* a reload replaced this worker */
	else
		server_shutdown(arg);
}

/* The master's channel: a new certificate to present. */
static void
reload_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	SSL_CTX *ctx;
	int closed;

	(void)what;
	if ((ctx = certs_worker_receive(fd, srv->cfg, &closed)) == NULL) {
		if (closed)
			event_del(srv->reload);
		return;
	}
	/* Connections keep a reference to the context they began with. */
	SSL_CTX_free(srv->ssl_ctx);
	srv->ssl_ctx = ctx;
}

/* The master forks a worker with these blocked (master.c): from now on
 * the loop's handlers take them. */
static void
unblock_stop_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

static void
make_id_prefix(struct server *srv)
{
	unsigned char rnd[8];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), srv->id_prefix);
}

int
worker_main(
    const struct master_opts *o, const struct worker_args *w, struct certs *c)
{
	struct timeval second = {1, 0};
	struct server srv;
	struct event *sigterm, *sigint, *sigusr2;
	int rc = 1, reload_fd, slot = w->slot;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* The master tells a worker of a new certificate; a hang-up of the
	 * terminal is the master's to handle. */
	signal(SIGHUP, SIG_IGN);
	/* Request bodies and large responses get their own mappings, so
	 * that their memory goes back to the system when they are freed
	 * rather than staying in the heap at its high-water mark. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	signal(SIGPIPE, SIG_IGN);
	memset(&srv, 0, sizeof(srv));
	TAILQ_INIT(&srv.conns);
	srv.cfg = w->cfg;
	if (o->configure != NULL)
		o->configure(w->cfg);
	srv.ssl_ctx = certs_worker_start(c, w->cfg, slot, &reload_fd);
	srv.handler = o->handler;
	srv.log_fd = w->log_fd;
	srv.bodies.max = (size_t)w->cfg->max_body_memory;
	/* Checked when the configuration was read. */
	cidr_list_parse(w->cfg->trusted_proxies, &srv.trusted, NULL, 0);
	cidr_list_parse(w->cfg->proxy_protocol_from, &srv.proxy_from, NULL, 0);
	make_id_prefix(&srv);
	metrics_set_worker(slot);
	peers_worker_start(slot, w->cfg->max_connections_per_address);
	if ((srv.base = event_base_new()) == NULL ||
	    (srv.log_buf = evbuffer_new()) == NULL)
		return 1;
	sigterm = evsignal_new(srv.base, SIGTERM, signal_cb, &srv);
	sigint = evsignal_new(srv.base, SIGINT, signal_cb, &srv);
	sigusr2 = evsignal_new(srv.base, SIGUSR2, signal_cb, &srv);
	srv.flush_timer = event_new(srv.base, -1, EV_PERSIST, flush_cb, &srv);
	srv.reload = event_new(
	    srv.base, reload_fd, EV_READ | EV_PERSIST, reload_cb, &srv);
	event_add(srv.reload, NULL);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sigusr2, NULL);
	unblock_stop_signals();
	evtimer_add(srv.flush_timer, &second);
	if (server_listen(&srv, w->listen_fd) != 0 ||
	    sandbox_drop_privileges(w->cfg->user) != 0)
		goto out;
	if (o->worker_init != NULL && o->worker_init(srv.base, o->arg) != 0)
		goto out;
	if (sandbox_enter(w->cfg) != 0)
		goto out;
	metrics_worker_ready(slot, 1);
	event_base_dispatch(srv.base);
	conn_abandon_all(&srv);
	if (o->worker_fini != NULL)
		o->worker_fini(o->arg);
	/* Its connections are closed: a slot a reload frees counts none
	 * (the master does not clear it; see master_free_slot). */
	peers_clear(slot);
	rc = 0;
out:
	server_flush_log(&srv);
	if (srv.listener != NULL)
		evconnlistener_free(srv.listener);
	if (srv.shutdown_timer != NULL)
		event_free(srv.shutdown_timer);
	if (srv.accept_timer != NULL)
		event_free(srv.accept_timer);
	event_free(srv.flush_timer);
	event_free(srv.reload);
	event_free(sigterm);
	event_free(sigint);
	event_free(sigusr2);
	evbuffer_free(srv.log_buf);
	event_base_free(srv.base);
	return rc;
}
