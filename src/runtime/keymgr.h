/*
 * keymgr.h: the key manager, the one process that holds the TLS private
 * key (keymgr.c), and the workers' side of it (keyclient.c).
 *
 * The master opens the key file and hands the descriptor to the key
 * manager, which reads it, checks it against the certificate the master
 * sends with it, and from then on answers sign requests: one socket pair
 * (SOCK_SEQPACKET, one message per request) per worker slot, and one for
 * the master's commands. A worker's TLS context holds only the public key,
 * with an RSA or EC method whose private operation is a request on its
 * socket.
 */
#ifndef PIPELINED_KEYMGR_H
#define PIPELINED_KEYMGR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../util/config.h"
#include "../util/metrics.h"

/* The key manager's process name (ps, /proc/<pid>/comm). */
#define KEYMGR_NAME "pipelined-keys"

/* What names a key in a request: the first bytes of the SHA-256 of the
 * certificate's public key (DER SubjectPublicKeyInfo). */
#define KEYMGR_ID_LEN 16
/* The largest input or signature: RSA-4096. */
#define KEYMGR_MAX_DATA 512
/* The keys held: the one in use and the one before it, for handshakes
 * that began before a reload. */
#define KEYMGR_KEYS 2

enum keymgr_op {
	KEYMGR_RSA_PRIVATE = 1, /* RSA private operation on a padded input */
	KEYMGR_ECDSA = 2, /* ECDSA signature of a digest, DER */
};

struct keymgr_request {
	uint64_t id; /* echoed in the response */
	unsigned char key[KEYMGR_ID_LEN];
	uint16_t op; /* enum keymgr_op */
	int16_t padding; /* RSA: RSA_PKCS1_PADDING or RSA_NO_PADDING */
	uint16_t len;
	unsigned char data[KEYMGR_MAX_DATA];
};

struct keymgr_response {
	uint64_t id;
	int32_t len; /* -1: refused */
	unsigned char data[KEYMGR_MAX_DATA];
};

/* The master's view of the key manager. */
struct keymgr {
	pid_t pid; /* 0 while not running */
	int ctl[2]; /* [0] the master's, [1] the key manager's */
	int sign[METRICS_MAX_WORKERS]
	        [2]; /* per worker slot: [0] the worker's, [1] its */
	int nslots;
	int key_fd; /* the key last loaded, to load again after a restart */
	char *leaf_pem; /* the certificate that key belongs to */
	size_t leaf_len;
};

/* Makes the socket pairs for nslots workers. -1 on failure. */
int keymgr_init(struct keymgr *km, int nslots);
/* Forks the key manager (it drops to cfg->key_manager_user and installs
 * its sandbox) and, when a key was loaded before, loads it again. */
int keymgr_spawn(struct keymgr *km, const struct config *cfg);
/* Hands key_fd to the key manager with the certificate (PEM) it must
 * match. On success the key manager signs with it (and still with the
 * one before), km keeps key_fd (closing the one it had), and 0 is
 * returned; else -1 with the key manager's reason in err, and key_fd
 * stays the caller's. */
int keymgr_load(struct keymgr *km, int key_fd, const char *leaf_pem,
    size_t leaf_len, char *err, size_t errlen);
/* The master's end: closes everything and frees the certificate. */
void keymgr_close(struct keymgr *km);
/* In a worker just forked for slot: closes every descriptor of km but
 * the slot's own signing socket, which it returns. */
int keymgr_worker_channel(struct keymgr *km, int slot);

/* keyclient.c, in a worker: the socket and how long to wait for each
 * signature. */
void keyclient_init(int fd, int timeout_ms);
/* A key with leaf's public half whose private operations are requests
 * to the key manager; NULL for a key type it cannot proxy. */
EVP_PKEY *keyclient_pkey(X509 *leaf);
/* The key id of a certificate's public key (both sides use it). */
int keymgr_key_id(X509 *cert, unsigned char id[KEYMGR_ID_LEN]);

#endif
