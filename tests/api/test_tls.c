/*
 * test_tls.c: the private key lives in the key manager only, and the
 * certificate changes without a restart (issue 21).
 *
 * Each test makes its own certificates (RSA-2048 and ECDSA P-256) in
 * TEST_DIR and starts the real server with them. What is proved:
 *   - TLS 1.2 (PKCS #1 v1.5 and PSS signatures for RSA) and 1.3
 *     handshakes with either key, each signature made by the key manager
 *     (its counter in /metrics);
 *   - no worker's memory, nor the master's, holds the key's secret number
 *     (in either byte order) or its PEM text after handshakes, while the
 *     key manager's does (read from /proc/<pid>/mem, with the release
 *     build, whose heap ASan does not hide);
 *   - the key manager runs as its own user, sandboxed; killed with -9 it
 *     is replaced and handshakes work again within a second while no
 *     worker dies; stopped, a handshake fails within
 *     key_manager_timeout_ms instead of hanging;
 *   - SIGHUP with a new certificate: new connections get the new serial,
 *     one opened before goes on with its requests, no handshake in
 *     between fails; a broken or mismatched key is refused and the
 *     certificate in use stays.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "support.h"

enum kind { KIND_RSA, KIND_EC };

static const char *const kind_name[] = {"rsa", "ec"};

/* TEST_DIR/tls-<kind>-<n>.crt and .key: a self-signed pair. */
static void
make_pair(enum kind k, int n)
{
	const char *dir = ts_env("TEST_DIR");
	const char *alg =
	    k == KIND_RSA ? "-newkey rsa:2048"
	                  : "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1";

	assert_int_equal(
	    sh("openssl req -x509 %s -nodes -keyout %s/tls-%s-%d.key "
	       "-out %s/tls-%s-%d.crt -days 30 -subj /CN=localhost "
	       "-addext subjectAltName=IP:127.0.0.1 2>/dev/null",
	        alg, dir, kind_name[k], n, dir, kind_name[k], n),
	    0);
}

static void
pair_path(char *buf, size_t len, enum kind k, int n, const char *ext)
{
	snprintf(buf, len, "%s/tls-%s-%d.%s", ts_env("TEST_DIR"), kind_name[k],
	    n, ext);
}

/* A server presenting TEST_DIR/live.crt and live.key, copied from the
 * pair (k, n), with extra configuration. */
static void
start_live(struct tserver *s, enum kind k, int n, const char *extra)
{
	const char *dir = ts_env("TEST_DIR");
	char conf[1024];

	assert_int_equal(
	    sh("cp %s/tls-%s-%d.crt %s/live.crt && "
	       "cp %s/tls-%s-%d.key %s/live.key",
	        dir, kind_name[k], n, dir, dir, kind_name[k], n, dir),
	    0);
	snprintf(conf, sizeof(conf),
	    "tls_certificate %s/live.crt\ntls_certificate_key %s/live.key\n%s",
	    dir, dir, extra != NULL ? extra : "");
	ts_start(s, conf);
}

/* Installs the pair (k, n) as the live files, as a renewal would. */
static void
install_live(enum kind k, int n)
{
	const char *dir = ts_env("TEST_DIR");

	assert_int_equal(sh("cp %s/tls-%s-%d.crt %s/live.crt.new && "
	                    "cp %s/tls-%s-%d.key %s/live.key.new && "
	                    "mv %s/live.key.new %s/live.key && "
	                    "mv %s/live.crt.new %s/live.crt",
	                     dir, kind_name[k], n, dir, dir, kind_name[k], n,
	                     dir, dir, dir, dir, dir),
	    0);
}

static char *
pair_serial(enum kind k, int n, char *out, size_t len)
{
	char path[512];
	FILE *fp;
	X509 *x;

	pair_path(path, sizeof(path), k, n, "crt");
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(x = PEM_read_X509(fp, NULL, NULL, NULL));
	fclose(fp);
	assert_int_equal(cert_serial_hex(x, out, len), 0);
	X509_free(x);
	return out;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- a raw client ------------------------------------------------------ */

struct client {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
};

/* A handshake with the server, pinned to version (0: any) and, when
 * given, to the signature algorithms sigalgs. 0, or -1 when it fails. */
static int
client_open(struct client *c, int port, int version, const char *sigalgs)
{
	struct sockaddr_in sin;

	memset(c, 0, sizeof(*c));
	c->ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_session_cache_mode(c->ctx, SSL_SESS_CACHE_OFF);
	if (version != 0) {
		SSL_CTX_set_min_proto_version(c->ctx, version);
		SSL_CTX_set_max_proto_version(c->ctx, version);
	}
	if (sigalgs != NULL)
		assert_int_equal(SSL_CTX_set1_sigalgs_list(c->ctx, sigalgs), 1);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return -1;
	c->ssl = SSL_new(c->ctx);
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_connect(c->ssl) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static void
client_close(struct client *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd > 0)
		close(c->fd);
	SSL_CTX_free(c->ctx);
	memset(c, 0, sizeof(*c));
}

/* GET /health on the open connection, kept alive: the status. */
static int
client_health(struct client *c)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n";
	char buf[4096];
	int n, status = 0;

	if (SSL_write(c->ssl, req, (int)strlen(req)) != (int)strlen(req) ||
	    (n = SSL_read(c->ssl, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	sscanf(buf, "HTTP/1.1 %d", &status);
	return status;
}

/* One handshake and one request, closed: 0 when both worked. */
static int
handshake_once(int port, int version, const char *sigalgs)
{
	struct client c;
	int ok = client_open(&c, port, version, sigalgs) == 0 &&
	         client_health(&c) == 200;

	client_close(&c);
	return ok ? 0 : -1;
}

static long long
signatures(struct tserver *s)
{
	return tr_metric(s, "pipelined_key_signatures_total{outcome=\"ok\"}");
}

/* ---- handshakes ---------------------------------------------------------- */

static void
test_handshakes_signed_by_key_manager(void **state)
{
	static const char *const rsa_algs[] = {"RSA+SHA256", "RSA-PSS+SHA256"};
	struct tserver s;
	long long before;
	int k, i;

	(void)state;
	for (k = KIND_RSA; k <= KIND_EC; k++) {
		make_pair((enum kind)k, 1);
		start_live(&s, (enum kind)k, 1, NULL);
		before = signatures(&s);
		assert_int_equal(
		    handshake_once(s.port, TLS1_3_VERSION, NULL), 0);
		assert_int_equal(
		    handshake_once(s.port, TLS1_2_VERSION, NULL), 0);
		if (k == KIND_RSA)
			for (i = 0; i < 2; i++)
				assert_int_equal(
				    handshake_once(
				        s.port, TLS1_2_VERSION, rsa_algs[i]),
				    0);
		/* Every one of them was signed by the key manager. */
		assert_true(signatures(&s) - before >= (k == KIND_RSA ? 4 : 2));
		assert_int_not_equal(ts_keymgr_pid(s.pid), 0);
		assert_int_equal(ts_stop(&s), 0);
	}
}

/* With the key in the workers (tls_key_manager off) the same handshakes
 * work, and there is no key manager: the mode the benchmark compares. */
static void
test_key_in_worker_mode(void **state)
{
	struct tserver s;

	(void)state;
	make_pair(KIND_EC, 1);
	start_live(&s, KIND_EC, 1, "tls_key_manager off\n");
	assert_int_equal(handshake_once(s.port, TLS1_3_VERSION, NULL), 0);
	assert_int_equal(ts_keymgr_pid(s.pid), 0);
	assert_int_equal(signatures(&s), 0);
	assert_int_equal(ts_stop(&s), 0);
}

/* ---- where the key is ------------------------------------------------- */

struct secret {
	unsigned char be[512], le[512]; /* the secret number, both orders */
	size_t len;
	char pem[65]; /* a line of the key file's base64 text */
};

static void
read_secret(enum kind k, struct secret *sec)
{
	char path[512], line[128];
	BIGNUM *bn = NULL;
	EVP_PKEY *pkey;
	FILE *fp;
	size_t i;
	int n;

	pair_path(path, sizeof(path), k, 1, "key");
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(pkey = PEM_read_PrivateKey(fp, NULL, NULL, NULL));
	/* The third line: all base64, and not a header's common prefix. */
	rewind(fp);
	for (i = 0; i < 3; i++)
		assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	snprintf(sec->pem, sizeof(sec->pem), "%.64s", line);
	assert_int_equal(EVP_PKEY_get_bn_param(pkey,
	                     k == KIND_RSA ? OSSL_PKEY_PARAM_RSA_D
	                                   : OSSL_PKEY_PARAM_PRIV_KEY,
	                     &bn),
	    1);
	n = BN_num_bytes(bn);
	assert_true(n > 16 && n <= (int)sizeof(sec->be));
	sec->len = (size_t)n;
	BN_bn2bin(bn, sec->be);
	for (i = 0; i < sec->len; i++)
		sec->le[i] = sec->be[sec->len - 1 - i];
	BN_free(bn);
	EVP_PKEY_free(pkey);
}

/* Whether the readable memory of pid holds any of the secret's forms. */
static int
memory_holds(pid_t pid, const struct secret *sec)
{
	static char buf[1 << 20];
	char path[64], line[512], perms[8];
	unsigned long lo, hi, off;
	FILE *maps;
	int fd, found = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	assert_non_null(maps = fopen(path, "r"));
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	while (!found && fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || strstr(line, "[vvar]") != NULL ||
		    strstr(line, "[vsyscall]") != NULL)
			continue;
		/* Overlapping reads, so that nothing straddles a seam. */
		for (off = lo; !found && off < hi;
		     off += sizeof(buf) - sizeof(sec->be)) {
			size_t want =
			    hi - off < sizeof(buf) ? hi - off : sizeof(buf);

			if ((n = pread(fd, buf, want, (off_t)off)) <= 0)
				break;
			found =
			    memmem(buf, (size_t)n, sec->be, sec->len) != NULL ||
			    memmem(buf, (size_t)n, sec->le, sec->len) != NULL ||
			    memmem(buf, (size_t)n, sec->pem,
			        strlen(sec->pem)) != NULL;
			if ((size_t)n < want)
				break;
		}
	}
	close(fd);
	fclose(maps);
	return found;
}

static void
test_key_only_in_key_manager(void **state)
{
	struct secret sec;
	struct tserver s;
	pid_t workers[8];
	int k, i, n;

	(void)state;
	setenv("PIPELINED_BIN", ts_env("PIPELINED_RELEASE_BIN"), 1);
	for (k = KIND_RSA; k <= KIND_EC; k++) {
		make_pair((enum kind)k, 1);
		read_secret((enum kind)k, &sec);
		start_live(&s, (enum kind)k, 1, NULL);
		for (i = 0; i < 20; i++)
			assert_int_equal(
			    handshake_once(s.port,
			        i % 2 ? TLS1_2_VERSION : TLS1_3_VERSION, NULL),
			    0);
		n = ts_worker_pids(s.pid, workers, 8);
		assert_int_equal(n, 2);
		for (i = 0; i < n; i++)
			assert_false(memory_holds(workers[i], &sec));
		assert_false(memory_holds(s.pid, &sec));
		/* The search would find it: the key manager holds it. */
		assert_true(memory_holds(ts_keymgr_pid(s.pid), &sec));
		assert_int_equal(ts_stop(&s), 0);
	}
	setenv("PIPELINED_BIN", ts_env("PIPELINED_ASAN_BIN"), 1);
}

/* Its own user, not root when the tests run as root, sandboxed, and
 * undumpable. */
static void
test_key_manager_confined(void **state)
{
	char path[64], line[256];
	const char *user = getenv("PIPELINED_KEYS_USER");
	int seccomp = -1, uid = -1;
	struct tserver s;
	FILE *fp;

	(void)state;
	make_pair(KIND_EC, 1);
	start_live(&s, KIND_EC, 1, NULL);
	snprintf(
	    path, sizeof(path), "/proc/%d/status", (int)ts_keymgr_pid(s.pid));
	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		sscanf(line, "Seccomp: %d", &seccomp);
		sscanf(line, "Uid: %d", &uid);
	}
	fclose(fp);
	assert_int_equal(seccomp, 2);
	if (getuid() == 0 && user != NULL && *user != '\0') {
		assert_int_not_equal(uid, 0);
		assert_int_equal(sh("test \"$(id -u %s)\" = %d", user, uid), 0);
	}
	assert_int_equal(ts_stop(&s), 0);
}

/* ---- when the key manager dies or hangs ---------------------------- */

static void
assert_same_workers(struct tserver *s, const pid_t *before, int n)
{
	pid_t now[8];
	int i;

	assert_int_equal(ts_worker_pids(s->pid, now, 8), n);
	for (i = 0; i < n; i++)
		assert_int_equal(now[i], before[i]);
}

static void
test_key_manager_killed_is_replaced(void **state)
{
	struct timespec t0;
	struct tserver s;
	pid_t workers[8], km;
	long took;
	int n;

	(void)state;
	make_pair(KIND_EC, 1);
	start_live(&s, KIND_EC, 1, NULL);
	assert_int_equal(handshake_once(s.port, 0, NULL), 0);
	n = ts_worker_pids(s.pid, workers, 8);
	km = ts_keymgr_pid(s.pid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kill(km, SIGKILL), 0);
	while (handshake_once(s.port, 0, NULL) != 0 && ms_since(&t0) < 3000)
		usleep(20000);
	took = ms_since(&t0);
	print_message("handshakes again %ld ms after kill -9\n", took);
	assert_true(took < 1000);
	assert_int_not_equal(ts_keymgr_pid(s.pid), km);
	assert_same_workers(&s, workers, n);
	assert_int_equal(tr_metric(&s, "pipelined_keymgr_restarts_total"), 1);
	assert_int_equal(ts_stop(&s), 0);
}

static void
test_key_manager_stuck_fails_in_time(void **state)
{
	struct timespec t0;
	struct tserver s;
	pid_t workers[8], km;
	long took;
	int n;

	(void)state;
	make_pair(KIND_EC, 1);
	start_live(&s, KIND_EC, 1, "key_manager_timeout_ms 200\n");
	n = ts_worker_pids(s.pid, workers, 8);
	km = ts_keymgr_pid(s.pid);
	assert_int_equal(kill(km, SIGSTOP), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_not_equal(handshake_once(s.port, 0, NULL), 0);
	took = ms_since(&t0);
	print_message("a handshake failed after %ld ms\n", took);
	assert_true(took >= 150 && took < 1000);
	assert_int_equal(kill(km, SIGCONT), 0);
	assert_int_equal(handshake_once(s.port, 0, NULL), 0);
	assert_same_workers(&s, workers, n);
	assert_true(
	    tr_metric(
	        &s, "pipelined_key_signatures_total{outcome=\"failed\"}") >= 1);
	assert_int_equal(ts_stop(&s), 0);
}

/* ---- reload ------------------------------------------------------------ */

/* The serial of a new connection's certificate; "" when none. */
static void
served_serial(int port, char *serial, size_t len)
{
	char issuer[512];

	if (tls_served_cert(port, issuer, sizeof(issuer), serial, len) != 0)
		serial[0] = '\0';
}

static int
wait_serial(int port, const char *want, int ms)
{
	struct timespec t0;
	char serial[128];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		served_serial(port, serial, sizeof(serial));
		if (strcmp(serial, want) == 0)
			return 0;
		usleep(20000);
	} while (ms_since(&t0) < ms);
	return -1;
}

struct prober {
	int port;
	volatile int stop;
	int ok, failed;
};

static void *
probe(void *arg)
{
	struct prober *p = arg;

	while (!p->stop) {
		if (handshake_once(p->port, 0, NULL) == 0)
			p->ok++;
		else
			p->failed++;
	}
	return NULL;
}

static int
log_has(const struct tserver *s, const char *text)
{
	return sh("grep -qF '%s' %s", text, s->log) == 0;
}

static void
test_sighup_presents_new_certificate(void **state)
{
	char old_serial[128], new_serial[128], serial[128];
	struct prober p = {0};
	struct client before;
	struct tserver s;
	pthread_t th;
	X509 *peer;
	int i;

	(void)state;
	make_pair(KIND_EC, 1);
	make_pair(KIND_RSA, 2); /* another key type, too */
	pair_serial(KIND_EC, 1, old_serial, sizeof(old_serial));
	pair_serial(KIND_RSA, 2, new_serial, sizeof(new_serial));
	start_live(&s, KIND_EC, 1, NULL);
	served_serial(s.port, serial, sizeof(serial));
	assert_string_equal(serial, old_serial);
	assert_int_equal(client_open(&before, s.port, 0, NULL), 0);
	assert_int_equal(client_health(&before), 200);

	p.port = s.port;
	assert_int_equal(pthread_create(&th, NULL, probe, &p), 0);
	usleep(200000);
	install_live(KIND_RSA, 2);
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	assert_int_equal(wait_serial(s.port, new_serial, 3000), 0);
	usleep(200000);
	p.stop = 1;
	pthread_join(th, NULL);
	print_message(
	    "%d handshakes around the reload, %d failed\n", p.ok, p.failed);
	assert_int_equal(p.failed, 0);
	assert_true(p.ok > 0);
	assert_true(log_has(&s, "reloaded the certificate"));

	/* Every new connection now: the new certificate, from every
	 * worker. */
	for (i = 0; i < 8; i++) {
		served_serial(s.port, serial, sizeof(serial));
		assert_string_equal(serial, new_serial);
	}
	/* The connection opened before goes on, with the old one. */
	for (i = 0; i < 3; i++)
		assert_int_equal(client_health(&before), 200);
	assert_non_null(peer = SSL_get1_peer_certificate(before.ssl));
	cert_serial_hex(peer, serial, sizeof(serial));
	X509_free(peer);
	assert_string_equal(serial, old_serial);
	client_close(&before);
	assert_int_equal(ts_stop(&s), 0);
}

static void
test_sighup_refuses_bad_key(void **state)
{
	const char *dir = ts_env("TEST_DIR");
	char old_serial[128];
	struct tserver s;

	(void)state;
	make_pair(KIND_EC, 1);
	make_pair(KIND_EC, 2);
	pair_serial(KIND_EC, 1, old_serial, sizeof(old_serial));
	start_live(&s, KIND_EC, 1, NULL);

	/* A key that is not PEM. */
	assert_int_equal(sh("echo broken > %s/live.key", dir), 0);
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	usleep(500000);
	assert_true(log_has(&s, "reload refused"));
	assert_true(log_has(&s, "no PEM private key"));
	assert_int_equal(wait_serial(s.port, old_serial, 100), 0);
	assert_int_equal(handshake_once(s.port, 0, NULL), 0);

	/* A new certificate with the wrong key (the old one's). */
	assert_int_equal(sh("cp %s/tls-ec-2.crt %s/live.crt && "
	                    "cp %s/tls-ec-1.key %s/live.key",
	                     dir, dir, dir, dir),
	    0);
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	usleep(500000);
	assert_true(log_has(&s, "does not match the certificate"));
	assert_int_equal(wait_serial(s.port, old_serial, 100), 0);

	/* A certificate that is not one. */
	install_live(KIND_EC, 2);
	assert_int_equal(sh("echo broken > %s/live.crt", dir), 0);
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	usleep(500000);
	assert_true(log_has(&s, "no PEM certificate"));
	assert_int_equal(wait_serial(s.port, old_serial, 100), 0);
	assert_int_equal(handshake_once(s.port, TLS1_2_VERSION, NULL), 0);
	assert_int_equal(ts_stop(&s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshakes_signed_by_key_manager),
	    cmocka_unit_test(test_key_in_worker_mode),
	    cmocka_unit_test(test_key_only_in_key_manager),
	    cmocka_unit_test(test_key_manager_confined),
	    cmocka_unit_test(test_key_manager_killed_is_replaced),
	    cmocka_unit_test(test_key_manager_stuck_fails_in_time),
	    cmocka_unit_test(test_sighup_presents_new_certificate),
	    cmocka_unit_test(test_sighup_refuses_bad_key),
	};

	setenv("PIPELINED_ASAN_BIN", ts_env("PIPELINED_BIN"), 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
