/*
 * test_keymgr.c: the key manager's rules for what it signs (keymgr.c),
 * tested on a real key manager process talking over its socket pairs,
 * as a worker would, with requests no handshake makes.
 *
 * TEST_DIR/server.crt and server.key (ECDSA P-256) come from
 * scripts/test.sh; an RSA-2048 pair is made here.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../../src/runtime/keymgr.h"
#include "../../src/util/config.h"

struct fixture {
	struct config cfg;
	struct keymgr km;
	unsigned char ec_id[KEYMGR_ID_LEN], rsa_id[KEYMGR_ID_LEN];
	EVP_PKEY *ec_pub, *rsa_pub;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf = malloc(65536);

	assert_non_null(fp);
	*len = fread(buf, 1, 65536, fp);
	fclose(fp);
	return buf;
}

/* Loads TEST_DIR/<name>.key for <name>.crt; its key id and public key. */
static int
load(struct fixture *f, const char *name, unsigned char *id, EVP_PKEY **pub)
{
	char path[512], err[256];
	size_t len;
	char *pem;
	FILE *fp;
	X509 *x;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s.crt", getenv("TEST_DIR"), name);
	pem = slurp(path, &len);
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(x = PEM_read_X509(fp, NULL, NULL, NULL));
	fclose(fp);
	assert_int_equal(keymgr_key_id(x, id), 0);
	if (pub != NULL)
		*pub = X509_get_pubkey(x);
	X509_free(x);
	snprintf(path, sizeof(path), "%s/%s.key", getenv("TEST_DIR"), name);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	rc = keymgr_load(&f->km, fd, pem, len, err, sizeof(err));
	if (rc != 0) {
		print_message("load %s: %s\n", name, err);
		close(fd);
	}
	free(pem);
	return rc;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *dir = getenv("TEST_DIR");
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/km-rsa.key "
	    "-out %s/km-rsa.crt -days 1 -subj /CN=km 2>/dev/null",
	    dir, dir);
	assert_int_equal(system(cmd), 0);
	config_defaults(&f->cfg);
	snprintf(f->cfg.sandbox, sizeof(f->cfg.sandbox), "on");
	assert_int_equal(keymgr_init(&f->km, 2), 0);
	assert_int_equal(keymgr_spawn(&f->km, &f->cfg), 0);
	assert_int_equal(load(f, "server", f->ec_id, &f->ec_pub), 0);
	assert_int_equal(load(f, "km-rsa", f->rsa_id, &f->rsa_pub), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int status;

	kill(f->km.pid, SIGTERM);
	waitpid(f->km.pid, &status, 0);
	keymgr_close(&f->km);
	EVP_PKEY_free(f->ec_pub);
	EVP_PKEY_free(f->rsa_pub);
	free(f);
	return 0;
}

/* Sends len bytes of rq on slot 0's socket; the answer's len field. */
static int
ask_raw(
    struct fixture *f, const void *rq, size_t len, struct keymgr_response *rs)
{
	int fd = f->km.sign[0][0];

	assert_int_equal(send(fd, rq, len, 0), (ssize_t)len);
	assert_true(recv(fd, rs, sizeof(*rs), 0) >=
	            (ssize_t)offsetof(struct keymgr_response, data));
	return rs->len;
}

static int
ask(struct fixture *f, const unsigned char *id, int op, int padding,
    const unsigned char *data, size_t len, struct keymgr_response *rs)
{
	struct keymgr_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.id = 42;
	memcpy(rq.key, id, KEYMGR_ID_LEN);
	rq.op = (uint16_t)op;
	rq.padding = (int16_t)padding;
	rq.len = (uint16_t)len;
	memcpy(rq.data, data, len);
	ask_raw(f, &rq, sizeof(rq), rs);
	assert_int_equal(rs->id, 42);
	return rs->len;
}

static void
test_ecdsa_signs_digests_only(void **state)
{
	struct fixture *f = *state;
	unsigned char dgst[64] = {1, 2, 3}, wrong[KEYMGR_ID_LEN] = {0};
	struct keymgr_response rs;
	EVP_PKEY_CTX *v;
	int n;

	n = ask(f, f->ec_id, KEYMGR_ECDSA, 0, dgst, 32, &rs);
	assert_true(n > 0);
	/* A real signature of that digest, by the certificate's key. */
	v = EVP_PKEY_CTX_new(f->ec_pub, NULL);
	assert_int_equal(EVP_PKEY_verify_init(v), 1);
	assert_int_equal(EVP_PKEY_verify(v, rs.data, (size_t)n, dgst, 32), 1);
	EVP_PKEY_CTX_free(v);
	assert_true(ask(f, f->ec_id, KEYMGR_ECDSA, 0, dgst, 48, &rs) > 0);
	/* Not a digest's length, another key, an unknown operation, an
	 * RSA operation on an EC key. */
	assert_int_equal(ask(f, f->ec_id, KEYMGR_ECDSA, 0, dgst, 31, &rs), -1);
	assert_int_equal(ask(f, f->ec_id, KEYMGR_ECDSA, 0, dgst, 0, &rs), -1);
	assert_int_equal(ask(f, wrong, KEYMGR_ECDSA, 0, dgst, 32, &rs), -1);
	assert_int_equal(ask(f, f->ec_id, 7, 0, dgst, 32, &rs), -1);
	assert_int_equal(ask(f, f->ec_id, KEYMGR_RSA_PRIVATE, RSA_PKCS1_PADDING,
	                     dgst, 32, &rs),
	    -1);
}

static void
test_rsa_signs_paddings_only(void **state)
{
	struct fixture *f = *state;
	unsigned char in[256];
	struct keymgr_response rs;

	/* PKCS #1 v1.5: a DigestInfo's worth, not more than 256 - 11. */
	memset(in, 0x5a, sizeof(in));
	assert_int_equal(ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE,
	                     RSA_PKCS1_PADDING, in, 51, &rs),
	    256);
	assert_int_equal(ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE,
	                     RSA_PKCS1_PADDING, in, 246, &rs),
	    -1);
	/* Raw: only a PSS-shaped block (top bit clear, 0xbc last). */
	in[0] = 0x7f;
	in[255] = 0xbc;
	assert_int_equal(
	    ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE, RSA_NO_PADDING, in, 256, &rs),
	    256);
	in[255] = 0x00; /* a ciphertext to decrypt, say */
	assert_int_equal(
	    ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE, RSA_NO_PADDING, in, 256, &rs),
	    -1);
	in[255] = 0xbc;
	in[0] = 0x80;
	assert_int_equal(
	    ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE, RSA_NO_PADDING, in, 256, &rs),
	    -1);
	in[0] = 0x7f;
	assert_int_equal(
	    ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE, RSA_NO_PADDING, in, 255, &rs),
	    -1);
	/* OAEP or any other padding: no. */
	assert_int_equal(ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE,
	                     RSA_PKCS1_OAEP_PADDING, in, 51, &rs),
	    -1);
	assert_int_equal(ask(f, f->rsa_id, KEYMGR_ECDSA, 0, in, 32, &rs), -1);
}

/* A message that is not one whole request is refused, not waited on. */
static void
test_malformed_requests_answered(void **state)
{
	struct fixture *f = *state;
	struct keymgr_response rs;
	char junk[8] = "junk";
	static char big[sizeof(struct keymgr_request) + 1];

	assert_int_equal(ask_raw(f, junk, sizeof(junk), &rs), -1);
	assert_int_equal(ask_raw(f, big, sizeof(big), &rs), -1);
}

/* A key that does not match its certificate, or is not a key, is
 * refused; the keys held stay. */
static void
test_load_refuses_mismatch(void **state)
{
	struct fixture *f = *state;
	const char *dir = getenv("TEST_DIR");
	unsigned char dgst[32] = {9};
	struct keymgr_response rs;
	char cmd[1024], crt[512], err[256];
	size_t len;
	char *pem;
	int fd;

	snprintf(
	    cmd, sizeof(cmd), "cp %s/km-rsa.key %s/km-wrong.key", dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(crt, sizeof(crt), "%s/server.crt", dir);
	pem = slurp(crt, &len);
	snprintf(crt, sizeof(crt), "%s/km-wrong.key", dir);
	assert_true((fd = open(crt, O_RDONLY)) >= 0);
	assert_int_equal(
	    keymgr_load(&f->km, fd, pem, len, err, sizeof(err)), -1);
	assert_string_equal(err, "the key does not match the certificate");
	close(fd); /* a refused descriptor stays the caller's */
	assert_true((fd = open("/etc/hostname", O_RDONLY)) >= 0);
	assert_int_equal(
	    keymgr_load(&f->km, fd, pem, len, err, sizeof(err)), -1);
	close(fd);
	free(pem);
	assert_true(ask(f, f->ec_id, KEYMGR_ECDSA, 0, dgst, 32, &rs) > 0);
	assert_int_equal(ask(f, f->rsa_id, KEYMGR_RSA_PRIVATE,
	                     RSA_PKCS1_PADDING, dgst, 32, &rs),
	    256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ecdsa_signs_digests_only),
	    cmocka_unit_test(test_rsa_signs_paddings_only),
	    cmocka_unit_test(test_malformed_requests_answered),
	    cmocka_unit_test(test_load_refuses_mismatch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
