/*
 * keymgr.c: the key manager, the only process that holds the TLS private
 * key, as Kore's keymgr is; and the master's side of it.
 *
 * Why a process of its own: a worker parses untrusted bytes, and a bug
 * there may let a client read the worker's memory. The key manager reads
 * nothing from clients: it takes fixed-size sign requests from the
 * workers and one command from the master (load this key for this
 * certificate). It runs as key_manager_user, undumpable (a worker of
 * another user cannot trace it, and it leaves no core), under its own
 * seccomp list without open(2) (sandbox.c), and dies with the master.
 *
 * Its rules for a request: it must be one whole message of the request's
 * size, name a key it holds, and ask for what a TLS handshake asks of that
 * key: for RSA, PKCS #1 v1.5 padding of at most the modulus less 11 bytes
 * (TLS 1.2's signatures) or a raw operation on exactly a modulus's worth
 * whose last byte is PSS's 0xbc trailer and whose first is 0 (TLS 1.3's
 * and 1.2's RSA-PSS, which the worker pads); for ECDSA, a digest of 32,
 * 48 or 64 bytes. Anything else gets len -1 and nothing is signed. It
 * answers one request at a time, in the order they come: a worker waits
 * for one signature, so no worker waits for more than one signature of
 * each other worker.
 *
 * The master keeps the key manager's ends of every socket pair, so a key
 * manager that dies is replaced (master.c asks keymgr_spawn()) and finds
 * the requests still queued; it loads the key again from the descriptor
 * the master kept.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* RSA_PKCS1_PADDING's definitions only */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "../util/alloc.h"
#include "keymgr.h"
#include "sandbox.h"

#define KEY_FILE_MAX  65536 /* a PEM private key is a few KB */
#define CERT_PEM_MAX  65536
#define LOAD_WAIT_MS  2000
#define PSS_TRAILER   0xbc
#define MIN_RSA_BYTES 256 /* RSA-2048 */

/* The master's command, with the key's descriptor as SCM_RIGHTS. */
struct keymgr_load_msg {
	uint64_t seq;
	uint32_t cert_len;
	char cert[CERT_PEM_MAX];
};

struct keymgr_load_reply {
	uint64_t seq;
	int32_t ok;
	char reason[256];
};

struct held {
	unsigned char id[KEYMGR_ID_LEN];
	EVP_PKEY *pkey; /* NULL: an empty place */
	EVP_PKEY_CTX *ctx; /* initialised to sign once, used for each */
};

/* The key manager's keys: [0] the newest. */
static struct held held[KEYMGR_KEYS];

int
keymgr_key_id(X509 *cert, unsigned char id[KEYMGR_ID_LEN])
{
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	int n = i2d_PUBKEY(X509_get0_pubkey(cert), &der);

	if (n <= 0)
		return -1;
	SHA256(der, (size_t)n, md);
	OPENSSL_free(der);
	memcpy(id, md, KEYMGR_ID_LEN);
	return 0;
}

/* ---- the key manager process ----------------------------------------- */

static int
refuse_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1; /* an encrypted key is refused: nobody could type it */
}

/* Reads the key from fd (from its start: the master keeps the same open
 * file to load again) and checks it against the certificate. */
static EVP_PKEY *
read_key(int fd, X509 *cert, char *reason, size_t len)
{
	static unsigned char buf[KEY_FILE_MAX];
	EVP_PKEY *pkey = NULL;
	struct stat st;
	ssize_t n;
	BIO *bio;

	if (fstat(fd, &st) != 0 || st.st_size <= 0 ||
	    st.st_size > KEY_FILE_MAX ||
	    (n = pread(fd, buf, (size_t)st.st_size, 0)) != st.st_size) {
		snprintf(reason, len,
		    "the key file is empty, unreadable or "
		    "larger than 64 KiB");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)n)) != NULL) {
		pkey =
		    PEM_read_bio_PrivateKey(bio, NULL, refuse_passphrase, NULL);
		BIO_free(bio);
	}
	OPENSSL_cleanse(buf, (size_t)n);
	if (pkey == NULL)
		snprintf(reason, len,
		    "the key file holds no PEM private key "
		    "(or an encrypted one)");
	else if (X509_check_private_key(cert, pkey) != 1) {
		snprintf(reason, len, "the key does not match the certificate");
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	ERR_clear_error();
	return pkey;
}

static void
load(const struct keymgr_load_msg *m, size_t len, int fd,
    struct keymgr_load_reply *r)
{
	EVP_PKEY_CTX *ctx = NULL;
	X509 *cert = NULL;
	EVP_PKEY *pkey;
	BIO *bio;

	if (fd < 0 || len < offsetof(struct keymgr_load_msg, cert) ||
	    m->cert_len > len - offsetof(struct keymgr_load_msg, cert)) {
		snprintf(r->reason, sizeof(r->reason), "malformed command");
		goto out;
	}
	if ((bio = BIO_new_mem_buf(m->cert, (int)m->cert_len)) != NULL) {
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (cert == NULL) {
		snprintf(r->reason, sizeof(r->reason), "no certificate");
		goto out;
	}
	if ((pkey = read_key(fd, cert, r->reason, sizeof(r->reason))) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new(pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1) {
		snprintf(r->reason, sizeof(r->reason), "the key cannot sign");
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(pkey);
		goto out;
	}
	EVP_PKEY_CTX_free(held[KEYMGR_KEYS - 1].ctx);
	EVP_PKEY_free(held[KEYMGR_KEYS - 1].pkey);
	memmove(&held[1], &held[0], sizeof(held[0]) * (KEYMGR_KEYS - 1));
	held[0].pkey = pkey;
	held[0].ctx = ctx;
	keymgr_key_id(cert, held[0].id);
	r->ok = 1;
out:
	X509_free(cert);
	ERR_clear_error();
	if (fd >= 0)
		close(fd);
}

static struct held *
find_key(const unsigned char id[KEYMGR_ID_LEN])
{
	int i;

	for (i = 0; i < KEYMGR_KEYS; i++)
		if (held[i].pkey != NULL &&
		    memcmp(held[i].id, id, KEYMGR_ID_LEN) == 0)
			return &held[i];
	return NULL;
}

/* Whether em of size bytes has a PSS encoding's shape for a modulus of
 * bits bits (RFC 8017 9.1.1): its top 8 * size - (bits - 1) bits are
 * zero and it ends in 0xbc. */
static int
pss_shaped(const unsigned char *em, int size, int bits)
{
	int zero = 8 * size - (bits - 1);

	if (zero > 8) {
		if (em[0] != 0)
			return 0;
		em++;
		size--;
		zero -= 8;
	}
	return (em[0] >> (8 - zero)) == 0 && em[size - 1] == PSS_TRAILER;
}

/* Whether rq asks for what a handshake asks of pkey (the rules above). */
static int
request_expected(const struct keymgr_request *rq, EVP_PKEY *pkey)
{
	int size = EVP_PKEY_get_size(pkey);

	switch (rq->op) {
	case KEYMGR_RSA_PRIVATE:
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA ||
		    size < MIN_RSA_BYTES || size > KEYMGR_MAX_DATA)
			return 0;
		if (rq->padding == RSA_PKCS1_PADDING)
			return rq->len > 0 && rq->len <= size - 11;
		return rq->padding == RSA_NO_PADDING && rq->len == size &&
		       pss_shaped(rq->data, size, EVP_PKEY_get_bits(pkey));
	case KEYMGR_ECDSA:
		return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
		       (rq->len == 32 || rq->len == 48 || rq->len == 64);
	default:
		return 0;
	}
}

static void
sign(const struct keymgr_request *rq, struct keymgr_response *rs)
{
	struct held *h = find_key(rq->key);
	size_t n = sizeof(rs->data);

	rs->id = rq->id;
	rs->len = -1;
	if (h == NULL || !request_expected(rq, h->pkey))
		return;
	if ((rq->op != KEYMGR_RSA_PRIVATE ||
	        EVP_PKEY_CTX_set_rsa_padding(h->ctx, rq->padding) == 1) &&
	    EVP_PKEY_sign(h->ctx, rs->data, &n, rq->data, rq->len) == 1)
		rs->len = (int32_t)n;
	ERR_clear_error();
}

/* One request from a worker's socket; a short or long message is
 * answered as refused, so that its worker does not wait it out. */
static void
serve_worker(int fd)
{
	struct keymgr_request rq;
	struct keymgr_response rs;
	ssize_t n = recv(fd, &rq, sizeof(rq), MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0)
		return;
	if (n != (ssize_t)sizeof(rq)) {
		memset(&rs, 0, sizeof(rs));
		rs.len = -1;
	} else
		sign(&rq, &rs);
	(void)send(fd, &rs,
	    offsetof(struct keymgr_response, data) +
	        (rs.len > 0 ? (size_t)rs.len : 0),
	    MSG_DONTWAIT);
	OPENSSL_cleanse(&rs, sizeof(rs));
}

/* The master's command: a load, with the key's descriptor. */
static void
serve_master(int fd)
{
	static struct keymgr_load_msg m;
	struct keymgr_load_reply r;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr msg = {0};
	struct cmsghdr *c;
	int key_fd = -1;
	ssize_t n;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if ((n = recvmsg(fd, &msg, MSG_DONTWAIT)) <= 0)
		return;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&key_fd, CMSG_DATA(c), sizeof(int));
	memset(&r, 0, sizeof(r));
	r.seq = (size_t)n >= sizeof(m.seq) ? m.seq : 0;
	load(&m, (size_t)n, key_fd, &r);
	(void)send(fd, &r, sizeof(r), MSG_DONTWAIT);
}

/* Closes every descriptor above stderr but keep[0..n). */
static void
close_others(const int *keep, int n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd, i, mine;

	if (d == NULL)
		return;
	mine = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		if ((fd = atoi(e->d_name)) <= STDERR_FILENO || fd == mine)
			continue;
		for (i = 0; i < n && keep[i] != fd; i++)
			;
		if (i == n)
			close(fd);
	}
	closedir(d);
}

static void __attribute__((noreturn))
keymgr_main(struct keymgr *km, const struct config *cfg)
{
	struct pollfd pfd[1 + METRICS_MAX_WORKERS];
	int keep[1 + METRICS_MAX_WORKERS], i, n = 1 + km->nslots;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_NAME, KEYMGR_NAME); /* what ps and /proc/<pid>/comm say */
	/* A terminal's ^C or hang-up is for the master; SIGTERM ends it. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	keep[0] = km->ctl[1];
	for (i = 0; i < km->nslots; i++)
		keep[1 + i] = km->sign[i][1];
	close_others(keep, n);
	/* OpenSSL reads its configuration file once, on first use: before
	 * the sandbox, which allows no open(2). */
	OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	if (sandbox_drop_privileges(cfg->key_manager_user) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0) != 0 || sandbox_enter_keymgr(cfg) != 0)
		_exit(1);
	for (i = 0; i < n; i++) {
		pfd[i].fd = keep[i];
		pfd[i].events = POLLIN;
	}
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		if (pfd[0].revents & (POLLHUP | POLLERR))
			_exit(0); /* the master is gone */
		if (pfd[0].revents & POLLIN)
			serve_master(pfd[0].fd);
		for (i = 1; i < n; i++)
			if (pfd[i].revents & POLLIN)
				serve_worker(pfd[i].fd);
	}
}

/* ---- the master's side ----------------------------------------------- */

int
keymgr_init(struct keymgr *km, int nslots)
{
	int i;

	memset(km, 0, sizeof(*km));
	km->key_fd = -1;
	km->nslots = nslots;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, km->ctl) != 0)
		return -1;
	for (i = 0; i < nslots; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, km->sign[i]) != 0)
			return -1;
	return 0;
}

/* Drops what a dead key manager left unread or unanswered on fd. */
static void
drain(int fd)
{
	char buf[64];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

int
keymgr_spawn(struct keymgr *km, const struct config *cfg)
{
	char err[256];
	pid_t pid;

	drain(km->ctl[0]);
	drain(km->ctl[1]);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0)
		keymgr_main(km, cfg);
	km->pid = pid;
	if (km->key_fd >= 0 && keymgr_load(km, km->key_fd, km->leaf_pem,
	                           km->leaf_len, err, sizeof(err)) != 0) {
		fprintf(stderr, "pipelined: key manager: %s\n", err);
		return -1;
	}
	return 0;
}

static int
send_load(int fd, uint64_t seq, int key_fd, const char *pem, size_t len)
{
	static struct keymgr_load_msg m;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&m, offsetof(struct keymgr_load_msg, cert) + len};
	struct msghdr msg = {0};
	struct cmsghdr *c;

	m.seq = seq;
	m.cert_len = (uint32_t)len;
	memcpy(m.cert, pem, len);
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &key_fd, sizeof(int));
	return sendmsg(fd, &msg, MSG_DONTWAIT) < 0 ? -1 : 0;
}

/* Waits for the reply to seq, dropping older ones. */
static int
await_load(int fd, uint64_t seq, struct keymgr_load_reply *r)
{
	struct pollfd p = {fd, POLLIN, 0};
	struct timespec t0, t;
	long waited = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (waited < LOAD_WAIT_MS &&
	       poll(&p, 1, (int)(LOAD_WAIT_MS - waited)) >= 0) {
		if (recv(fd, r, sizeof(*r), MSG_DONTWAIT) ==
		        (ssize_t)sizeof(*r) &&
		    r->seq == seq)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (t.tv_sec - t0.tv_sec) * 1000 +
		         (t.tv_nsec - t0.tv_nsec) / 1000000;
	}
	return -1;
}

int
keymgr_load(struct keymgr *km, int key_fd, const char *leaf_pem,
    size_t leaf_len, char *err, size_t errlen)
{
	static uint64_t seq;
	struct keymgr_load_reply r;
	char *copy;

	if (leaf_len > CERT_PEM_MAX) {
		snprintf(err, errlen, "the certificate is larger than 64 KiB");
		return -1;
	}
	if (send_load(km->ctl[0], ++seq, key_fd, leaf_pem, leaf_len) != 0 ||
	    await_load(km->ctl[0], seq, &r) != 0) {
		snprintf(err, errlen, "the key manager does not answer");
		return -1;
	}
	if (!r.ok) {
		r.reason[sizeof(r.reason) - 1] = '\0';
		snprintf(err, errlen, "%s", r.reason);
		return -1;
	}
	if (key_fd == km->key_fd)
		return 0;
	copy = xmalloc(leaf_len);
	memcpy(copy, leaf_pem, leaf_len);
	free(km->leaf_pem);
	km->leaf_pem = copy;
	km->leaf_len = leaf_len;
	if (km->key_fd >= 0)
		close(km->key_fd);
	km->key_fd = key_fd;
	return 0;
}

int
keymgr_worker_channel(struct keymgr *km, int slot)
{
	int i;

	close(km->ctl[0]);
	close(km->ctl[1]);
	if (km->key_fd >= 0)
		close(km->key_fd); /* above all: the key file */
	for (i = 0; i < km->nslots; i++) {
		close(km->sign[i][1]);
		if (i != slot)
			close(km->sign[i][0]);
	}
	drain(km->sign[slot][0]);
	return km->sign[slot][0];
}

void
keymgr_close(struct keymgr *km)
{
	int i;

	if (km->nslots == 0)
		return; /* never initialised */
	close(km->ctl[0]);
	close(km->ctl[1]);
	for (i = 0; i < km->nslots; i++) {
		close(km->sign[i][0]);
		close(km->sign[i][1]);
	}
	if (km->key_fd >= 0)
		close(km->key_fd);
	free(km->leaf_pem);
	memset(km, 0, sizeof(*km));
	km->key_fd = -1;
}
