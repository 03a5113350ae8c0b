/*
 * test_proxy.c: PROXY protocol v2 from the proxy_protocol_from addresses
 * (issue 18), against a real server. 127.0.0.20 and 127.0.0.21 are the
 * proxies; each test writes the header a proxy would, then talks TLS on
 * the same socket, as HAProxy passing TLS through does.
 *
 *   - the client a header names is the client of the access log and the
 *     audit trail; LOCAL keeps the proxy;
 *   - from a proxy, a connection without a valid header is closed (and
 *     logged): TLS at once, silence, version 1, a header sent in pieces
 *     is waited for;
 *   - from anyone else a header fails the handshake;
 *   - max_connections_per_address counts the named client, not the
 *     proxy, and the counts come back as connections close;
 *   - a client certificate authenticates through the proxy (TLS is end
 *     to end);
 *   - a real HAProxy (mode tcp, send-proxy-v2) in front: the client's
 *     address arrives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "support.h"

#define PROXY   "127.0.0.20"
#define PROXY_2 "127.0.0.21" /* the one HAProxy connects from */
#define HAPROXY "/usr/sbin/haproxy"

static struct tserver srv;

static const unsigned char sig[12] = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* ---- Headers and connections ------------------------------------------ */

/* The v2 header a proxy sends for a TCP client at src (IPv4 or IPv6)
 * into out; its length. */
static size_t
pp2_header(unsigned char *out, const char *src)
{
	int v6 = strchr(src, ':') != NULL;
	size_t alen = v6 ? 16 : 4, len = 2 * alen + 4;

	memcpy(out, sig, sizeof(sig));
	out[12] = 0x21; /* version 2, PROXY */
	out[13] = v6 ? 0x21 : 0x11; /* TCP over IPv6 or IPv4 */
	out[14] = 0;
	out[15] = (unsigned char)len;
	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, src, out + 16), 1);
	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET,
	                     v6 ? "::1" : "127.0.0.1", out + 16 + alen),
	    1);
	memcpy(out + 16 + 2 * alen, "\xc3\x50\x20\xfb", 4);
	return 16 + len;
}

static void
write_all(int fd, const void *buf, size_t len)
{
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
}

struct link {
	SSL *ssl;
	SSL_CTX *ctx;
};

/* TLS to srv from from, after the bytes pre (NULL: none) and with the
 * client certificate cert (NULL: none); 0, or -1 when the handshake
 * fails. */
static int
open_after(struct link *l, const char *from, const void *pre, size_t len,
    const char *cert, const char *key)
{
	int fd = ts_tcp_connect(srv.port, from);

	if (pre != NULL)
		write_all(fd, pre, len);
	if ((l->ssl = tls_over_fd(fd, &l->ctx, cert, key)) == NULL) {
		close(fd);
		SSL_CTX_free(l->ctx);
		l->ctx = NULL;
		return -1;
	}
	return 0;
}

/* TLS through the proxy from, whose header names client. */
static int
open_via(struct link *l, const char *from, const char *client)
{
	unsigned char h[64];

	return open_after(l, from, h, pp2_header(h, client), NULL, NULL);
}

static void
link_close(struct link *l)
{
	tls_close(l->ssl, l->ctx);
	l->ssl = NULL;
	l->ctx = NULL;
}

/* Sends req and reads one response (its head, then Content-Length
 * bytes) into resp; its status, 0 when none came. */
static int
exchange(struct link *l, const char *req, char *resp, size_t size)
{
	size_t got = 0, want = 0;
	const char *end, *cl;
	int n;

	assert_int_equal(
	    SSL_write(l->ssl, req, (int)strlen(req)), (int)strlen(req));
	resp[0] = '\0';
	while (got + 1 < size && (want == 0 || got < want)) {
		if ((n = SSL_read(l->ssl, resp + got, (int)(size - 1 - got))) <=
		    0) {
			ERR_clear_error();
			break;
		}
		got += (size_t)n;
		resp[got] = '\0';
		if (want == 0 && (end = strstr(resp, "\r\n\r\n")) != NULL) {
			cl = strcasestr(resp, "\r\nContent-Length:");
			want =
			    (size_t)(end + 4 - resp) +
			    (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10)
			                            : 0);
		}
	}
	return strncmp(resp, "HTTP/1.1 ", 9) == 0 ? atoi(resp + 9) : 0;
}

/* GET path with the request id id and the key (NULL: none); the
 * status. */
static int
get(struct link *l, const char *path, const char *id, const char *key)
{
	char req[1024], resp[16384];

	snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: x\r\nX-Request-Id: %s\r\n%s%s%s\r\n",
	    path, id, key ? "Authorization: Bearer " : "", key ? key : "",
	    key ? "\r\n" : "");
	return exchange(l, req, resp, sizeof(resp));
}

/* ---- The server's log ------------------------------------------------- */

/* The "client" of the access log's line of request id, waited for up to
 * 3 s (lines are flushed once a second), into out. */
static const char *
logged_client(const char *id, char *out, size_t len)
{
	char line[4096], needle[128];
	json_t *doc;
	FILE *fp;
	int i;

	snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", id);
	out[0] = '\0';
	for (i = 0; i < 30 && out[0] == '\0'; i++) {
		usleep(100000);
		if ((fp = fopen(srv.log, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp) != NULL)
			if (strstr(line, needle) != NULL &&
			    (doc = json_loads(line, 0, NULL)) != NULL) {
				snprintf(out, len, "%s",
				    json_string_value(
				        json_object_get(doc, "client")));
				json_decref(doc);
			}
		fclose(fp);
	}
	return out;
}

/* Whether the server's log has a line with text, waited for up to
 * ms. */
static int
logged(const char *text, int ms)
{
	int i;

	for (i = 0; i < ms / 100; i++) {
		if (sh("grep -qF -- '%s' %s", text, srv.log) == 0)
			return 1;
		usleep(100000);
	}
	return 0;
}

/* ---- Tests ------------------------------------------------------------ */

static int
setup(void **state)
{
	char conf[1024];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(conf, sizeof(conf),
	    "workers 2\nproxy_protocol_from %s, %s\n"
	    "max_connections_per_address 3\nheader_timeout 2\n"
	    "tls_client_ca %s/client-ca.crt\n",
	    PROXY, PROXY_2, ts_env("TEST_DIR"));
	ts_start(&srv, conf);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(ts_stop(&srv), 0);
	return 0;
}

/* The header's client is the request's, over TLS on the same socket;
 * a direct client is itself. */
static void
test_named_client_served_and_logged(void **state)
{
	char who[64];
	struct link l;
	struct tresp r;

	(void)state;
	assert_int_equal(open_via(&l, PROXY, "203.0.113.7"), 0);
	assert_int_equal(get(&l, "/health", "pp-v4", NULL), 200);
	/* Kept alive: the next request is the same client's. */
	assert_int_equal(get(&l, "/health", "pp-v4-again", NULL), 200);
	link_close(&l);
	assert_int_equal(open_via(&l, PROXY, "2001:db8::7"), 0);
	assert_int_equal(get(&l, "/health", "pp-v6", NULL), 200);
	link_close(&l);
	assert_string_equal(
	    logged_client("pp-v4", who, sizeof(who)), "203.0.113.7");
	assert_string_equal(
	    logged_client("pp-v4-again", who, sizeof(who)), "203.0.113.7");
	assert_string_equal(
	    logged_client("pp-v6", who, sizeof(who)), "2001:db8::7");

	tr_do(&srv, "GET", "/health", NULL, NULL,
	    (const char *const[]){"X-Request-Id: pp-direct", NULL}, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	assert_string_equal(
	    logged_client("pp-direct", who, sizeof(who)), "127.0.0.1");
}

/* A write through the proxy: its audit row names the client. */
static void
test_audit_row_names_the_client(void **state)
{
	char req[2048], resp[16384];
	const char *body = "{\"name\":\"代理项目\",\"area\":\"140823\","
	                   "\"funding\":\"enterprise\"}";
	struct link l;

	(void)state;
	assert_int_equal(open_via(&l, PROXY, "198.51.100.23"), 0);
	snprintf(req, sizeof(req),
	    "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\n"
	    "X-Request-Id: pp-audit\r\nAuthorization: Bearer %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    ts_env("TEST_ADMIN_KEY"), strlen(body), body);
	assert_int_equal(exchange(&l, req, resp, sizeof(resp)), 201);
	link_close(&l);
	assert_string_equal(db_scalar("SELECT client FROM audit_log WHERE "
	                              "request_id = 'pp-audit'"),
	    "198.51.100.23");
}

/* LOCAL: the proxy's own connection (a health check); it is the
 * client. */
static void
test_local_keeps_the_proxy(void **state)
{
	unsigned char h[16];
	char who[64];
	struct link l;

	(void)state;
	memcpy(h, sig, sizeof(sig));
	h[12] = 0x20;
	h[13] = h[14] = h[15] = 0;
	assert_int_equal(open_after(&l, PROXY, h, sizeof(h), NULL, NULL), 0);
	assert_int_equal(get(&l, "/health", "pp-local", NULL), 200);
	link_close(&l);
	assert_string_equal(logged_client("pp-local", who, sizeof(who)), PROXY);
}

/* From a proxy, a connection must begin with the header: otherwise it is
 * closed, with a line in the log. */
static void
test_proxy_without_header_closed(void **state)
{
	const char *v1 = "PROXY TCP4 203.0.113.7 127.0.0.1 50000 8443\r\n";
	unsigned char h[64];
	struct link l;
	time_t t0;
	size_t n;
	int fd;
	char c;

	(void)state;
	/* TLS at once: the ClientHello is not a header. */
	assert_int_equal(open_after(&l, PROXY, NULL, 0, NULL, NULL), -1);
	assert_true(logged("connection from " PROXY
	                   " closed: a TLS handshake without the PROXY header",
	    3000));
	/* Version 1. */
	assert_int_equal(open_after(&l, PROXY, v1, strlen(v1), NULL, NULL), -1);
	assert_true(logged("version 1 (text) is not accepted", 3000));
	/* Nothing at all: closed after header_timeout (2 s). */
	fd = ts_tcp_connect(srv.port, PROXY);
	t0 = time(NULL);
	assert_int_equal(read(fd, &c, 1), 0);
	assert_true(time(NULL) - t0 >= 1 && time(NULL) - t0 <= 4);
	close(fd);
	assert_true(logged("no PROXY header within header_timeout", 3000));
	/* A header in pieces is waited for, under the same timeout. */
	n = pp2_header(h, "203.0.113.8");
	fd = ts_tcp_connect(srv.port, PROXY);
	write_all(fd, h, 7);
	usleep(200000);
	write_all(fd, h + 7, 13);
	usleep(200000);
	write_all(fd, h + 20, n - 20);
	l.ssl = tls_over_fd(fd, &l.ctx, NULL, NULL);
	assert_non_null(l.ssl);
	assert_int_equal(get(&l, "/health", "pp-pieces", NULL), 200);
	link_close(&l);
}

/* From an address that is not a proxy, the header is what it is to TLS:
 * garbage. Nobody else chooses the address they are seen from. */
static void
test_header_from_others_fails(void **state)
{
	struct link l;
	char who[64];

	(void)state;
	assert_int_equal(open_via(&l, "127.0.0.22", "203.0.113.7"), -1);
	/* The same address is served as itself without one. */
	assert_int_equal(open_after(&l, "127.0.0.22", NULL, 0, NULL, NULL), 0);
	assert_int_equal(get(&l, "/health", "pp-other", NULL), 200);
	link_close(&l);
	assert_string_equal(
	    logged_client("pp-other", who, sizeof(who)), "127.0.0.22");
}

/* max_connections_per_address (3) counts the client each header names;
 * the proxy carries more than 3 and is not counted. A closed connection
 * gives its count back, many times over. */
static void
test_limit_counts_the_named_client(void **state)
{
	struct link c[4], other;
	int i, round;

	(void)state;
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 3; i++)
			assert_int_equal(
			    open_via(&c[i], PROXY, "203.0.113.50"), 0);
		/* The fourth of the same client is refused ... */
		assert_int_equal(open_via(&c[3], PROXY, "203.0.113.50"), -1);
		/* ... not another client through the same proxy. */
		assert_int_equal(open_via(&other, PROXY, "203.0.113.51"), 0);
		assert_int_equal(get(&other, "/health", "pp-limit", NULL), 200);
		assert_int_equal(
		    get(&c[0], "/health", "pp-limit-0", NULL), 200);
		link_close(&other);
		/* One closed makes room for one. */
		link_close(&c[0]);
		usleep(200000);
		assert_int_equal(open_via(&c[0], PROXY, "203.0.113.50"), 0);
		for (i = 0; i < 3; i++)
			link_close(&c[i]);
		usleep(200000);
	}
}

/* A client certificate of its own, signed by the tests' client CA
 * (scripts/test-certs.sh), in TEST_DIR/NAME.crt and .key, with its
 * SHA-256 fingerprint in fp (65 bytes): test_access registers the
 * certificates that script makes, and one may be registered only once. */
static void
make_client_cert(const char *name, char *fp)
{
	const char *dir = ts_env("TEST_DIR");
	char path[512];
	FILE *f;

	assert_int_equal(
	    sh("cd %s && openssl req -newkey ec -pkeyopt "
	       "ec_paramgen_curve:prime256v1 -nodes -keyout %s.key -out %s.csr "
	       "-subj /CN=%s 2>/dev/null && openssl x509 -req -in %s.csr -CA "
	       "client-ca.crt -CAkey client-ca.key -CAcreateserial -out %s.crt "
	       "-days 1 2>/dev/null && openssl x509 -in %s.crt -noout "
	       "-fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f "
	       ">%s.sha256",
	        dir, name, name, name, name, name, name, name),
	    0);
	snprintf(path, sizeof(path), "%s/%s.sha256", dir, name);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(fp, 65, f));
	fclose(f);
	assert_int_equal(strlen(fp), 64);
}

/* TLS is end to end: a client certificate authenticates through the
 * proxy (a reconciler's: 200 on areas, 403 on keys). */
static void
test_client_certificate_through_proxy(void **state)
{
	const char *dir = ts_env("TEST_DIR");
	char name[64], fp[80], extra[160], cert[512], key[512], who[64];
	unsigned char h[64];
	struct link l;

	(void)state;
	snprintf(name, sizeof(name), "client-proxied-%d", (int)getpid());
	make_client_cert(name, fp);
	snprintf(extra, sizeof(extra), "\"client_cert_sha256\":\"%s\"", fp);
	make_key_ex(&srv, "reconciler", NULL, extra, NULL);
	snprintf(cert, sizeof(cert), "%s/%s.crt", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);

	assert_int_equal(
	    open_after(&l, PROXY, h, pp2_header(h, "203.0.113.60"), cert, key),
	    0);
	assert_int_equal(get(&l, "/api/v1/areas", "pp-mtls", NULL), 200);
	assert_int_equal(get(&l, "/api/v1/keys", "pp-mtls-keys", NULL), 403);
	link_close(&l);
	assert_string_equal(
	    logged_client("pp-mtls", who, sizeof(who)), "203.0.113.60");
}

/* ---- A real HAProxy ----------------------------------------------------- */

/* HAProxy in TCP mode on port, passing TLS through to srv with a v2
 * header, from PROXY_2; its pid. */
static pid_t
start_haproxy(int port)
{
	char cfg[512];
	pid_t pid;
	FILE *f;
	int i;

	snprintf(
	    cfg, sizeof(cfg), "%s/haproxy-%d.cfg", ts_env("TEST_DIR"), port);
	assert_non_null(f = fopen(cfg, "w"));
	fprintf(f,
	    "defaults\n  mode tcp\n  timeout connect 5s\n"
	    "  timeout client 30s\n  timeout server 30s\n"
	    "frontend tls_in\n  bind 127.0.0.1:%d\n  default_backend p\n"
	    "backend p\n  server p 127.0.0.1:%d send-proxy-v2 source %s\n",
	    port, srv.port, PROXY_2);
	fclose(f);
	if ((pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(HAPROXY, "haproxy", "-db", "-q", "-f", cfg, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !ts_port_open(port); i++)
		usleep(50000);
	assert_true(ts_port_open(port));
	return pid;
}

static void
test_behind_haproxy(void **state)
{
	struct link l;
	char who[64];
	int port, st;
	pid_t pid;

	(void)state;
	/* Fails, never skips, without it: scripts/deps.sh installs it. */
	if (access(HAPROXY, X_OK) != 0)
		fail_msg("%s: %s", HAPROXY, strerror(errno));
	port = ts_free_port();
	pid = start_haproxy(port);
	l.ssl = tls_connect_from(port, "127.0.0.30", &l.ctx);
	assert_non_null(l.ssl);
	assert_int_equal(get(&l, "/health", "pp-haproxy", NULL), 200);
	link_close(&l);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	assert_string_equal(
	    logged_client("pp-haproxy", who, sizeof(who)), "127.0.0.30");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_named_client_served_and_logged),
	    cmocka_unit_test(test_audit_row_names_the_client),
	    cmocka_unit_test(test_local_keeps_the_proxy),
	    cmocka_unit_test(test_proxy_without_header_closed),
	    cmocka_unit_test(test_header_from_others_fails),
	    cmocka_unit_test(test_limit_counts_the_named_client),
	    cmocka_unit_test(test_client_certificate_through_proxy),
	    cmocka_unit_test(test_behind_haproxy),
	};

	return cmocka_run_group_tests_name("proxy", tests, setup, teardown);
}
