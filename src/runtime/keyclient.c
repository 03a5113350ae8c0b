/*
 * keyclient.c: a worker's private key that is not there.
 *
 * The worker's TLS context holds a key made of the certificate's public
 * half and a method (RSA_METHOD, EC_KEY_METHOD) whose private operation
 * sends the padded input or the digest to the key manager and waits for
 * the result, as Kore 4.3 does under OpenSSL 3. OpenSSL treats a key with
 * a method of its own as a "foreign" legacy key and calls the method for
 * every signature, in TLS 1.2 and 1.3 alike; all the padding (PKCS #1
 * v1.5, PSS) is done here, so the key manager sees only what it checks.
 * (An OpenSSL 3 provider would do the same without deprecated calls, at
 * the price of a key manager and a signature implementation of several
 * hundred lines; the methods are what OpenSSL 3 keeps for exactly this.)
 *
 * The wait is synchronous: the handshake's signature is computed inside
 * SSL_do_handshake(), and the worker's loop waits with it, at most
 * key_manager_timeout_ms. The key manager signs in well under a
 * millisecond, so the wait is one round trip plus the signatures queued
 * before it, at most one per other worker. When it does not answer in
 * time (it is being restarted), the signature fails and so does that one
 * handshake; the connection is closed and the worker goes on.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "../util/metrics.h"
#include "keymgr.h"

static int channel = -1;
static int timeout_ms = 500;
static uint64_t next_id;
static int rsa_index = -1, ec_index = -1;
static RSA_METHOD *rsa_method;
static EC_KEY_METHOD *ec_method;

void
keyclient_init(int fd, int wait_ms)
{
	channel = fd;
	timeout_ms = wait_ms;
	/* A new worker in a slot may find its predecessor's answers: ids
	 * from a random start are never the ones it waits for. */
	if (RAND_bytes((unsigned char *)&next_id, sizeof(next_id)) != 1)
		next_id = (uint64_t)time(NULL) << 20;
}

static long
us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000;
}

/* Waits for the answer to id; its length, or -1. */
static int
await(uint64_t id, unsigned char *out, size_t outmax, const struct timespec *t0)
{
	struct keymgr_response rs;
	struct pollfd p = {channel, POLLIN, 0};
	long waited;
	ssize_t n;
	int len;

	while ((waited = us_since(t0) / 1000) < timeout_ms) {
		if (poll(&p, 1, (int)(timeout_ms - waited)) < 0 &&
		    errno != EINTR)
			return -1;
		n = recv(channel, &rs, sizeof(rs), MSG_DONTWAIT);
		if (n < (ssize_t)offsetof(struct keymgr_response, data) ||
		    rs.id != id)
			continue; /* nothing yet, or a stale answer */
		if (rs.len < 0 || (size_t)rs.len > outmax ||
		    (size_t)n !=
		        offsetof(struct keymgr_response, data) + (size_t)rs.len)
			return -1;
		len = rs.len;
		memcpy(out, rs.data, (size_t)len);
		OPENSSL_cleanse(&rs, sizeof(rs));
		return len;
	}
	return -1;
}

/* One signature from the key manager: the result's length, or -1. */
static int
call(const unsigned char *key, int op, int padding, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t outmax)
{
	struct keymgr_request rq;
	struct timespec t0;
	int n;

	if (channel < 0 || key == NULL || inlen > sizeof(rq.data))
		return -1;
	memset(&rq, 0, sizeof(rq));
	rq.id = ++next_id;
	memcpy(rq.key, key, KEYMGR_ID_LEN);
	rq.op = (uint16_t)op;
	rq.padding = (int16_t)padding;
	rq.len = (uint16_t)inlen;
	memcpy(rq.data, in, inlen);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = send(channel, &rq, sizeof(rq), MSG_DONTWAIT) == sizeof(rq)
	        ? await(rq.id, out, outmax, &t0)
	        : -1;
	metrics_key_wait((uint64_t)us_since(&t0), n >= 0);
	return n;
}

static int
rsa_priv_enc(
    int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int pad)
{
	int size = RSA_size(rsa);

	if (flen < 0 ||
	    call(RSA_get_ex_data(rsa, rsa_index), KEYMGR_RSA_PRIVATE, pad, from,
	        (size_t)flen, to, (size_t)size) != size)
		return -1;
	return size;
}

/* The handshake never decrypts with the key: only ECDHE is offered. */
static int
rsa_priv_dec(
    int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int pad)
{
	(void)flen;
	(void)from;
	(void)to;
	(void)rsa;
	(void)pad;
	return -1;
}

static int
ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
    unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	int n;

	(void)type;
	(void)kinv;
	(void)r;
	if (dlen < 0 ||
	    (n = call(EC_KEY_get_ex_data(ec, ec_index), KEYMGR_ECDSA, 0, dgst,
	         (size_t)dlen, sig, (size_t)ECDSA_size(ec))) < 0)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

static ECDSA_SIG *
ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *ec)
{
	unsigned char der[KEYMGR_MAX_DATA];
	const unsigned char *p = der;
	unsigned int n;

	if (ECDSA_size(ec) > (int)sizeof(der) ||
	    ec_sign(0, dgst, dlen, der, &n, kinv, r, ec) != 1)
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, (long)n);
}

static void
free_id(
    void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	OPENSSL_free(ptr);
}

static int
methods(void)
{
	if (rsa_method != NULL)
		return 0;
	rsa_index = RSA_get_ex_new_index(0, NULL, NULL, NULL, free_id);
	ec_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, free_id);
	rsa_method = RSA_meth_dup(RSA_PKCS1_OpenSSL());
	ec_method = EC_KEY_METHOD_new(EC_KEY_OpenSSL());
	if (rsa_index < 0 || ec_index < 0 || rsa_method == NULL ||
	    ec_method == NULL)
		return -1;
	RSA_meth_set1_name(rsa_method, "pipelined key manager");
	RSA_meth_set_priv_enc(rsa_method, rsa_priv_enc);
	RSA_meth_set_priv_dec(rsa_method, rsa_priv_dec);
	EC_KEY_METHOD_set_sign(ec_method, ec_sign, NULL, ec_sign_sig);
	return 0;
}

static EVP_PKEY *
rsa_proxy(EVP_PKEY *pub, unsigned char *id)
{
	const RSA *src = EVP_PKEY_get0_RSA(pub);
	const BIGNUM *n, *e;
	EVP_PKEY *pkey;
	RSA *rsa;

	if (src == NULL || (rsa = RSA_new()) == NULL)
		return NULL;
	RSA_get0_key(src, &n, &e, NULL);
	if (RSA_set0_key(rsa, BN_dup(n), BN_dup(e), NULL) != 1 ||
	    RSA_set_method(rsa, rsa_method) != 1) {
		RSA_free(rsa);
		return NULL;
	}
	RSA_set_ex_data(rsa, rsa_index, id); /* the key owns id */
	pkey = EVP_PKEY_new(); /* allocation never fails (alloc.h) */
	EVP_PKEY_assign_RSA(pkey, rsa);
	return pkey;
}

static EVP_PKEY *
ec_proxy(EVP_PKEY *pub, unsigned char *id)
{
	const EC_KEY *src = EVP_PKEY_get0_EC_KEY(pub);
	EVP_PKEY *pkey;
	EC_KEY *ec;

	if (src == NULL || (ec = EC_KEY_new()) == NULL)
		return NULL;
	if (EC_KEY_set_group(ec, EC_KEY_get0_group(src)) != 1 ||
	    EC_KEY_set_public_key(ec, EC_KEY_get0_public_key(src)) != 1 ||
	    EC_KEY_set_method(ec, ec_method) != 1) {
		EC_KEY_free(ec);
		return NULL;
	}
	EC_KEY_set_ex_data(ec, ec_index, id); /* the key owns id */
	pkey = EVP_PKEY_new(); /* allocation never fails (alloc.h) */
	EVP_PKEY_assign_EC_KEY(pkey, ec);
	return pkey;
}

EVP_PKEY *
keyclient_pkey(X509 *leaf)
{
	EVP_PKEY *pub = X509_get0_pubkey(leaf), *pkey = NULL;
	unsigned char *id;

	if (pub == NULL || methods() != 0 ||
	    (id = OPENSSL_malloc(KEYMGR_ID_LEN)) == NULL)
		return NULL;
	if (keymgr_key_id(leaf, id) == 0) {
		if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA)
			pkey = rsa_proxy(pub, id);
		else if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC)
			pkey = ec_proxy(pub, id);
	}
	if (pkey == NULL)
		OPENSSL_free(id);
	return pkey;
}
