/*
 * server.h: one worker's HTTP server, shared by the files of src/http/.
 * Handlers never see this; they see http.h.
 */
#ifndef PIPELINED_SERVER_H
#define PIPELINED_SERVER_H

#include <stdio.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "../util/cidr.h"
#include "../util/config.h"
#include "http.h"
#include "parse.h"

struct conn;

struct server {
	struct event_base *base;
	const struct config *cfg;
	SSL_CTX *ssl_ctx;
	struct evconnlistener *listener;
	http_handler handler;
	TAILQ_HEAD(, conn) conns;
	int nconns;
	int nconns_peak; /* since memory was last given back */
	struct body_budget bodies; /* what request bodies hold */
	struct cidr_list trusted; /* trusted_proxies */
	struct cidr_list proxy_from; /* proxy_protocol_from */
	int stopping;
	struct event *shutdown_timer; /* drain_timeout */
	struct event *accept_timer; /* drain_accept_ms */
	struct event *flush_timer;
	struct event *reload; /* the master's channel (runtime/certs.c) */
	int log_fd; /* -1 when the access log is off */
	struct evbuffer *log_buf;
	char id_prefix[17];
	uint64_t id_counter;
};

/* In the master: fails when the port is already taken by anyone. */
int server_probe_port(const struct config *cfg);
/* In the master: a listening socket on cfg's address (SO_REUSEPORT, so
 * that each worker has one of its own); -1, logged, when it cannot. */
int server_open_listener(const struct config *cfg);

/* Starts serving on fd, a socket from server_open_listener(); the
 * listener owns it from now on, also on failure. */
int server_listen(struct server *srv, int fd);

/* Drains: /ready 503 and "Connection: close" at once; after
 * drain_accept_ms stops accepting and closes connections as their
 * requests finish; stops the loop when none is left, or at
 * drain_timeout. */
void server_shutdown(struct server *srv);
/* Retires a worker whose configuration was replaced (SIGHUP): stops
 * accepting at once, since its successor accepts on the same socket;
 * /ready stays as it was; otherwise as server_shutdown. */
void server_retire(struct server *srv);

/* Called by conn.c when a connection was freed. */
void server_conn_closed(struct server *srv);

/* A connection from the client addr, in peers.c's count: 1 counted, 0
 * let through uncounted (a trusted proxy, or a full table), -1 refused
 * (addr has its max_connections_per_address). */
int server_count_client(struct server *srv, const char *addr);

/* conn.c */
/* counted: the connection is counted in peers.c against addr; proxied:
 * addr is a proxy_protocol_from proxy, whose PROXY header comes first. */
void conn_accept(
    struct server *srv, int fd, const char *addr, int counted, int proxied);
void conn_shutdown_all(struct server *srv);
void conn_abandon_all(struct server *srv);
void conn_response_ready(
    struct conn *c, struct http_request *r, size_t bytes, int keep_alive);
struct evbuffer *conn_output(struct conn *c);
int conn_keep_alive(const struct conn *c);

/* Writes whole buffered log lines to the access log. */
void server_flush_log(struct server *srv);

/* Once a second: gives the memory of closed connections back. */
void server_tick(struct server *srv);

/* response.c */
void response_new_id(struct server *srv, struct http_request *r);

/* tls.c */
/* The bytes of the TLS files, as the master read them. */
struct tls_material {
	char *chain; /* PEM: the leaf first, then its chain */
	size_t chain_len;
	char *ca; /* PEM: tls_client_ca's certificates; ca_len 0 when unset */
	size_t ca_len;
	char *key; /* PEM: only with tls_key_manager off */
	size_t key_len;
};
/* A server context for m's certificate with pkey as its key (the real
 * one, or keyclient.c's stand-in); NULL with a message in err. The file
 * names in cfg are for the messages. */
SSL_CTX *tls_server_context(const struct config *cfg,
    const struct tls_material *m, EVP_PKEY *pkey, char *err, size_t errlen);
/* A BIO on fd that sets *drained when a read(2) empties the socket. */
BIO *tls_socket_bio(int fd, int *drained);

#endif
