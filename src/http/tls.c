/*
 * tls.c: the one TLS configuration of every listener.
 *
 * TLS 1.2 is the floor (1.0 and 1.1 are refused at the handshake), 1.3 is
 * preferred by OpenSSL's ordering, and TLS 1.2 is limited to ECDHE with
 * AEAD ciphers. When tls_client_ca is set, a client certificate is asked
 * for and, when one is sent, must chain to that CA or the handshake fails;
 * one that is not sent is fine, because API keys authenticate too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "server.h"

#define TLS12_CIPHERS                                                          \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"           \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"           \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

static void
ssl_error(char *err, size_t errlen, const char *what, const char *path)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	snprintf(err, errlen, "%s %s: %s", what, path, buf);
}

/* Makes the leaf (the first certificate) and the rest of the chain the
 * context's certificate. */
static int
use_chain(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x;
	int rc = -1;

	if (bio == NULL ||
	    (x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	if (SSL_CTX_use_certificate(ctx, x) != 1) {
		X509_free(x);
		goto out;
	}
	X509_free(x);
	SSL_CTX_clear_chain_certs(ctx);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			X509_free(x);
			goto out;
		}
	/* The end of the PEM text is not an error. */
	ERR_clear_error();
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

/* Trusts, and names to clients, each CA certificate of the PEM text. */
static int
use_client_ca(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	X509 *x;
	int n = 0;

	if (bio == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x) != 1 ||
		    SSL_CTX_add_client_CA(ctx, x) != 1) {
			X509_free(x);
			BIO_free(bio);
			return -1;
		}
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	return n > 0 ? 0 : -1;
}

SSL_CTX *
tls_server_context(const struct config *cfg, const struct tls_material *m,
    EVP_PKEY *pkey, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		ssl_error(err, errlen, "creating", "the TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	                             SSL_OP_CIPHER_SERVER_PREFERENCE |
	                             SSL_OP_NO_COMPRESSION);
	/* RELEASE_BUFFERS: an idle connection gives its record buffers
	 * back (about 34 KB), so that many idle connections cost little. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                          SSL_MODE_RELEASE_BUFFERS);
	/* Read whole records, and what follows them, in one read(2)
	 * instead of a header read and a body read per record. */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
		ssl_error(err, errlen, "setting", "the TLS 1.2 ciphers");
		goto fail;
	}
	if (use_chain(ctx, m->chain, m->chain_len) != 0) {
		ssl_error(
		    err, errlen, "loading certificate", cfg->tls_certificate);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, errlen, "loading key", cfg->tls_certificate_key);
		goto fail;
	}
	if (m->ca_len > 0) {
		if (use_client_ca(ctx, m->ca, m->ca_len) != 0) {
			ssl_error(err, errlen, "loading client CA",
			    cfg->tls_client_ca);
			goto fail;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * A socket BIO that remembers whether its last read(2) emptied the socket
 * (returned less than asked for). With edge-triggered events that is
 * enough to know that nothing more can be read until the next edge, which
 * saves the read(2) that would only answer EAGAIN: one system call in four
 * on a keep-alive request.
 */
struct tls_sock {
	int fd;
	int *drained;
};

static int
sock_read(BIO *b, char *buf, int len)
{
	struct tls_sock *s = BIO_get_data(b);
	ssize_t n = read(s->fd, buf, (size_t)len);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		BIO_set_retry_read(b);
		*s->drained = 1;
		return -1;
	}
	*s->drained = n >= 0 && n < len;
	return (int)n;
}

static int
sock_write(BIO *b, const char *buf, int len)
{
	struct tls_sock *s = BIO_get_data(b);
	ssize_t n = write(s->fd, buf, (size_t)len);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static long
sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
sock_destroy(BIO *b)
{
	free(BIO_get_data(b));
	BIO_set_data(b, NULL);
	return 1;
}

static BIO_METHOD *sock_method;

BIO *
tls_socket_bio(int fd, int *drained)
{
	struct tls_sock *s;
	BIO *b;

	if (sock_method == NULL) {
		sock_method =
		    BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
		        "pipelined socket");
		if (sock_method == NULL)
			return NULL;
		BIO_meth_set_read(sock_method, sock_read);
		BIO_meth_set_write(sock_method, sock_write);
		BIO_meth_set_ctrl(sock_method, sock_ctrl);
		BIO_meth_set_destroy(sock_method, sock_destroy);
	}
	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	if ((b = BIO_new(sock_method)) == NULL) {
		free(s);
		return NULL;
	}
	s->fd = fd;
	s->drained = drained;
	BIO_set_data(b, s);
	BIO_set_init(b, 1);
	return b;
}
