/*
 * tls.c: the one TLS configuration of every listener.
 *
 * TLS 1.2 is the floor (1.0 and 1.1 are refused at the handshake), 1.3 is
 * preferred by OpenSSL's ordering, and TLS 1.2 is limited to ECDHE with
 * AEAD ciphers. When tls_client_ca is set, a client certificate is asked
 * for and, when one is sent, must chain to that CA or the handshake fails;
 * one that is not sent is fine, because API keys authenticate too.
 */
#include <stdio.h>

#include <openssl/err.h>
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

SSL_CTX *
tls_server_context(const struct config *cfg, char *err, size_t errlen)
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
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
		ssl_error(err, errlen, "setting", "the TLS 1.2 ciphers");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_certificate) !=
	    1) {
		ssl_error(
		    err, errlen, "loading certificate", cfg->tls_certificate);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(
	        ctx, cfg->tls_certificate_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, errlen, "loading key", cfg->tls_certificate_key);
		goto fail;
	}
	if (cfg->tls_client_ca[0] != '\0') {
		STACK_OF(X509_NAME) * names;

		if (SSL_CTX_load_verify_locations(
		        ctx, cfg->tls_client_ca, NULL) != 1 ||
		    (names = SSL_load_client_CA_file(cfg->tls_client_ca)) ==
		        NULL) {
			ssl_error(err, errlen, "loading client CA",
			    cfg->tls_client_ca);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
