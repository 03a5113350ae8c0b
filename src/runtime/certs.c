/*
 * certs.c: the certificate the service presents, and its reload.
 *
 * The master reads the certificate chain and the client CA file, and
 * opens the key file without reading it: the key manager reads it from
 * that descriptor and checks it against the chain's leaf. (With
 * tls_key_manager off, the master reads the key itself and every worker
 * inherits it; that mode exists to measure what the key manager costs.)
 * A worker forked now starts with the master's current TLS context.
 *
 * SIGHUP, in this order, each step able to refuse the new files with a
 * log line while the old ones stay in use:
 *   1. read the files again; the chain must parse;
 *   2. build a context from them (its leaf must match the key's public
 *      half, which for the key manager's stand-in is the leaf's own);
 *   3. the key manager loads the new key and checks it against the leaf
 *      (it keeps the previous key too, for handshakes already begun);
 *   4. the new context becomes the master's, and each running worker
 *      gets the files' bytes on its channel (one SOCK_SEQPACKET message)
 *      and builds the same context: new handshakes get the new
 *      certificate; connections already open keep their old context,
 *      which OpenSSL frees with the last of them.
 * A worker forked after step 4 but before its predecessor in the slot
 * read the message reads it too, which changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "../util/alloc.h"
#include "../util/clock.h"
#include "certs.h"
#include "master.h"

#define FILE_MAX         (1 << 20) /* a chain or CA bundle of up to 1 MiB */
#define RESPAWN_RETRY_MS 2000 /* after a fork that failed */

/* The head of a reload message; the bytes follow in this order. */
struct reload_msg {
	uint32_t chain_len, ca_len, key_len;
};

/* The whole of a file: 0, or -1 with a message. */
static int
read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size <= 0 || st.st_size > FILE_MAX) {
		snprintf(err, errlen, "%s: empty or larger than 1 MiB", path);
		close(fd);
		return -1;
	}
	*out = xmalloc((size_t)st.st_size);
	n = read(fd, *out, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "%s: short read", path);
		free(*out);
		*out = NULL;
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

static void
material_free(struct tls_material *m)
{
	free(m->chain);
	free(m->ca);
	if (m->key != NULL)
		OPENSSL_cleanse(m->key, m->key_len);
	free(m->key);
	memset(m, 0, sizeof(*m));
}

/* Reads the files of cfg into m; with the key manager, opens the key
 * file into *key_fd instead of reading it. */
static int
material_read(const struct config *cfg, int use_km, struct tls_material *m,
    int *key_fd, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	*key_fd = -1;
	if (read_file(cfg->tls_certificate, &m->chain, &m->chain_len, err,
	        errlen) != 0 ||
	    (cfg->tls_client_ca[0] != '\0' &&
	        read_file(
	            cfg->tls_client_ca, &m->ca, &m->ca_len, err, errlen) != 0))
		goto fail;
	if (!use_km) {
		if (read_file(cfg->tls_certificate_key, &m->key, &m->key_len,
		        err, errlen) != 0)
			goto fail;
	} else if ((*key_fd = open(
	                cfg->tls_certificate_key, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", cfg->tls_certificate_key,
		    strerror(errno));
		goto fail;
	}
	return 0;
fail:
	material_free(m);
	return -1;
}

static X509 *
leaf_of(const struct tls_material *m)
{
	BIO *bio = BIO_new_mem_buf(m->chain, (int)m->chain_len);
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

/* The context for m: its key is the real one (key in m) or the key
 * manager's stand-in. */
static SSL_CTX *
context_of(const struct config *cfg, const struct tls_material *m, char *err,
    size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	SSL_CTX *ctx = NULL;
	X509 *leaf;
	BIO *bio;

	if ((leaf = leaf_of(m)) == NULL) {
		snprintf(err, errlen, "%s: no PEM certificate",
		    cfg->tls_certificate);
		return NULL;
	}
	if (m->key == NULL)
		pkey = keyclient_pkey(leaf);
	else if ((bio = BIO_new_mem_buf(m->key, (int)m->key_len)) != NULL) {
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (pkey == NULL)
		snprintf(
		    err, errlen, "%s: no usable key", cfg->tls_certificate_key);
	else
		ctx = tls_server_context(cfg, m, pkey, err, errlen);
	EVP_PKEY_free(pkey);
	X509_free(leaf);
	ERR_clear_error();
	return ctx;
}

/* The leaf's PEM text alone, for the key manager's check. */
static int
load_key(struct certs *c, const struct tls_material *m, int key_fd, char *err,
    size_t errlen)
{
	X509 *leaf = leaf_of(m);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int rc = -1;

	if (leaf != NULL && bio != NULL && PEM_write_bio_X509(bio, leaf) == 1 &&
	    (len = BIO_get_mem_data(bio, &pem)) > 0)
		rc = keymgr_load(&c->km, key_fd, pem, (size_t)len, err, errlen);
	else
		snprintf(err, errlen, "%s: no PEM certificate",
		    c->cfg->tls_certificate);
	X509_free(leaf);
	BIO_free(bio);
	return rc;
}

int
certs_init(struct certs *c, const struct config *cfg, int nslots, char *err,
    size_t errlen)
{
	struct tls_material m;
	int key_fd, i;

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->nslots = nslots;
	c->use_km = strcmp(cfg->tls_key_manager, "on") == 0;
	for (i = 0; i < nslots; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->chan[i]) != 0) {
			snprintf(
			    err, errlen, "socketpair: %s", strerror(errno));
			return -1;
		}
	if (material_read(cfg, c->use_km, &m, &key_fd, err, errlen) != 0)
		return -1;
	if ((c->ctx = context_of(cfg, &m, err, errlen)) == NULL)
		goto fail;
	if (c->use_km) {
		if (keymgr_init(&c->km, nslots) != 0 ||
		    keymgr_spawn(&c->km, cfg) != 0) {
			snprintf(err, errlen, "cannot start the key manager");
			goto fail;
		}
		c->km_started_ms = clock_ms();
		if (load_key(c, &m, key_fd, err, errlen) != 0)
			goto fail;
	}
	c->cur = m;
	return 0;
fail:
	if (key_fd >= 0)
		close(key_fd);
	material_free(&m);
	return -1;
}

/* Tells each running worker; one that cannot be told (its channel full)
 * keeps the old certificate until it is replaced, and says so. */
static void
tell_workers(struct certs *c)
{
	const struct tls_material *m = &c->cur;
	struct reload_msg h = {
	    (uint32_t)m->chain_len, (uint32_t)m->ca_len, (uint32_t)m->key_len};
	size_t len = sizeof(h) + m->chain_len + m->ca_len + m->key_len;
	char *buf = xmalloc(len), *p = buf;
	int i;

	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, m->chain, m->chain_len);
	p += m->chain_len;
	if (m->ca_len > 0)
		memcpy(p, m->ca, m->ca_len);
	p += m->ca_len;
	if (m->key_len > 0)
		memcpy(p, m->key, m->key_len);
	for (i = 0; i < c->nslots; i++)
		if (c->in_use[i] &&
		    send(c->chan[i][0], buf, len, MSG_DONTWAIT) != (ssize_t)len)
			fprintf(stderr,
			    "pipelined: worker %d not told of the new "
			    "certificate (%s); it keeps the old one until "
			    "replaced\n",
			    i, strerror(errno));
	OPENSSL_cleanse(buf, len);
	free(buf);
}

static void
log_serial(const struct tls_material *m)
{
	X509 *leaf = leaf_of(m);
	BIGNUM *bn = leaf != NULL ? ASN1_INTEGER_to_BN(
	                                X509_get0_serialNumber(leaf), NULL)
	                          : NULL;
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	fprintf(stderr, "pipelined: reloaded the certificate (serial %s)\n",
	    hex != NULL ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(leaf);
}

int
certs_reload(struct certs *c, const struct config *cfg)
{
	struct tls_material m;
	SSL_CTX *ctx = NULL;
	char err[512];
	int key_fd;

	if (material_read(cfg, c->use_km, &m, &key_fd, err, sizeof(err)) != 0 ||
	    (ctx = context_of(cfg, &m, err, sizeof(err))) == NULL ||
	    (c->use_km && load_key(c, &m, key_fd, err, sizeof(err)) != 0)) {
		fprintf(stderr,
		    "pipelined: reload refused, the certificate in use stays: "
		    "%s\n",
		    err);
		SSL_CTX_free(ctx);
		if (key_fd >= 0)
			close(key_fd);
		material_free(&m);
		return -1;
	}
	c->cfg = cfg;
	SSL_CTX_free(c->ctx);
	c->ctx = ctx;
	material_free(&c->cur);
	c->cur = m;
	tell_workers(c);
	log_serial(&c->cur);
	return 0;
}

int
certs_reaped(struct certs *c, pid_t pid, int status)
{
	uint64_t now = clock_ms(), delay;

	if (!c->use_km || pid != c->km.pid)
		return 0;
	c->km.pid = 0;
	/* The workers' rule (master.c). */
	delay = restart_delay_ms(&c->km_deaths, c->km_started_ms, now);
	c->km_respawn_at_ms = now + delay;
	metrics_keymgr_restart();
	if (WIFSIGNALED(status))
		fprintf(stderr,
		    "pipelined: key manager (pid %d) killed by signal %d "
		    "(SIG%s); replacing it in %llu ms\n",
		    (int)pid, WTERMSIG(status), sigabbrev_np(WTERMSIG(status)),
		    (unsigned long long)delay);
	else
		fprintf(stderr,
		    "pipelined: key manager (pid %d) exited with %d; "
		    "replacing it in %llu ms\n",
		    (int)pid, WEXITSTATUS(status), (unsigned long long)delay);
	return 1;
}

long
certs_respawn_due(struct certs *c, long max_ms)
{
	uint64_t now = clock_ms();

	if (!c->use_km || c->km.pid != 0)
		return max_ms;
	if (c->km_respawn_at_ms > now)
		return (long)(c->km_respawn_at_ms - now) < max_ms
		           ? (long)(c->km_respawn_at_ms - now)
		           : max_ms;
	/* A key manager that starts but cannot load the key (the file was
	 * changed in place) has logged why; the next SIGHUP loads again. */
	c->km_started_ms = now;
	if (keymgr_spawn(&c->km, c->cfg) != 0 && c->km.pid == 0)
		c->km_respawn_at_ms = now + RESPAWN_RETRY_MS;
	return max_ms;
}

void
certs_free(struct certs *c)
{
	int i;

	if (c->use_km && c->km.pid > 0) {
		kill(c->km.pid, SIGTERM);
		waitpid(c->km.pid, NULL, 0);
	}
	keymgr_close(&c->km);
	for (i = 0; i < c->nslots; i++) {
		close(c->chan[i][0]);
		close(c->chan[i][1]);
	}
	SSL_CTX_free(c->ctx);
	material_free(&c->cur);
}

SSL_CTX *
certs_worker_start(
    struct certs *c, const struct config *cfg, int slot, int *reload_fd)
{
	char buf[64];
	int i;

	for (i = 0; i < c->nslots; i++) {
		close(c->chan[i][0]);
		if (i != slot)
			close(c->chan[i][1]);
	}
	*reload_fd = c->chan[slot][1];
	/* What a predecessor left unread is older than this context. */
	while (recv(*reload_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
	if (c->use_km)
		keyclient_init(keymgr_worker_channel(&c->km, slot),
		    cfg->key_manager_timeout_ms);
	return c->ctx;
}

SSL_CTX *
certs_worker_receive(int fd, const struct config *cfg, int *closed)
{
	struct tls_material m;
	struct reload_msg h;
	SSL_CTX *ctx = NULL;
	char err[512], *buf;
	ssize_t len =
	    recv(fd, &h, sizeof(h), MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);

	*closed = len == 0; /* the master is gone */
	if (len < (ssize_t)sizeof(h)) {
		if (len > 0) /* too short to be one: dropped */
			(void)recv(fd, &h, sizeof(h), MSG_DONTWAIT);
		return NULL;
	}
	buf = xmalloc((size_t)len);
	if (recv(fd, buf, (size_t)len, MSG_DONTWAIT) != len ||
	    sizeof(h) + (size_t)h.chain_len + h.ca_len + h.key_len !=
	        (size_t)len) {
		fprintf(stderr, "pipelined: a malformed reload message\n");
		free(buf);
		return NULL;
	}
	memset(&m, 0, sizeof(m));
	m.chain = buf + sizeof(h);
	m.chain_len = h.chain_len;
	m.ca = m.chain + h.chain_len;
	m.ca_len = h.ca_len;
	m.key = h.key_len > 0 ? m.ca + h.ca_len : NULL;
	m.key_len = h.key_len;
	if ((ctx = context_of(cfg, &m, err, sizeof(err))) == NULL)
		fprintf(stderr,
		    "pipelined: worker keeps the old certificate: %s\n", err);
	OPENSSL_cleanse(buf, (size_t)len);
	free(buf);
	return ctx;
}
