/*
 * certs.h: the certificate the service presents, from the master's
 * reading of the files to each worker's TLS context, and its reload on
 * SIGHUP (certs.c). With tls_key_manager on, the key stays in the key
 * manager (keymgr.c), which the master supervises through these calls.
 */
#ifndef PIPELINED_CERTS_H
#define PIPELINED_CERTS_H

#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "../http/server.h"
#include "../util/config.h"
#include "../util/metrics.h"
#include "keymgr.h"

struct certs {
	const struct config *cfg;
	int use_km; /* tls_key_manager on */
	struct keymgr km;
	struct tls_material cur; /* the files' bytes in use */
	SSL_CTX *ctx; /* built from cur: what a worker forked now starts with */
	int chan[METRICS_MAX_WORKERS][2]; /* to each slot: [0] master's */
	/* The slots that have, or are about to have again, a worker (set
	 * by master.c): only they are told of a new certificate, so that
	 * no message waits in a slot nobody reads. */
	unsigned char in_use[METRICS_MAX_WORKERS];
	int nslots;
	uint64_t km_started_ms, km_respawn_at_ms;
	int km_deaths; /* in a row, each soon after its start */
};

/* In the master, before any worker: reads the files, starts the key
 * manager and hands it the key. -1 with a message in err. */
int certs_init(struct certs *c, const struct config *cfg, int nslots, char *err,
    size_t errlen);
/* SIGHUP: reads the files cfg names; on success cfg is c's from now on
 * and new workers and, through their channel, the running ones present
 * the new certificate. Logs either way; on failure nothing changes. */
int certs_reload(struct certs *c, const struct config *cfg);
/* A child died: 1 when it was the key manager (its replacement is then
 * due soon), else 0. */
int certs_reaped(struct certs *c, pid_t pid, int status);
/* Replaces a dead key manager when due; the milliseconds until it is
 * (at most max_ms). */
long certs_respawn_due(struct certs *c, long max_ms);
/* Stops the key manager and frees everything (the master's end). */
void certs_free(struct certs *c);

/* In a worker just forked for slot with configuration cfg: keeps only
 * its own channels; its TLS context, and the descriptor on which reloads
 * arrive. */
SSL_CTX *certs_worker_start(
    struct certs *c, const struct config *cfg, int slot, int *reload_fd);
/* A reload message on fd: the new context, or NULL (logged) when it
 * cannot be built, the old one staying in use. *closed: the channel is
 * at its end (the master died), to be watched no more. */
SSL_CTX *certs_worker_receive(int fd, const struct config *cfg, int *closed);

#endif
