/*
 * test_foundation.c: the server itself, over real HTTPS against a real
 * PostgreSQL: TLS versions, limits, timeouts, errors, metrics, signals,
 * worker replacement, and surviving a database outage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static struct tserver srv;

static int
setup(void **state)
{
	(void)state;
	ts_start(&srv, "max_body_size 4096\nmax_header_size 4096\n"
	               "header_timeout 1\ndb_lock_timeout_ms 500\n");
	return 0;
}

static void
assert_problem(struct tresp *r, long status, const char *type)
{
	char ct[128];

	assert_int_equal(r->status, status);
	assert_non_null(tr_header(r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "application/problem+json");
	assert_string_equal(tr_problem_type(r), type);
	assert_int_equal(
	    json_integer_value(json_object_get(r->json, "status")), status);
	assert_non_null(json_object_get(r->json, "title"));
	assert_non_null(json_object_get(r->json, "detail"));
}

static void
test_tls_versions(void **state)
{
	static const int refused[] = {TLS1_VERSION, TLS1_1_VERSION};
	static const int accepted[] = {TLS1_2_VERSION, TLS1_3_VERSION};
	SSL_CTX *ctx;
	SSL *ssl;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		ssl = tls_connect(srv.port, refused[i], &ctx, NULL, NULL);
		assert_null(ssl);
		tls_close(ssl, ctx);
	}
	for (i = 0; i < 2; i++) {
		ssl = tls_connect(srv.port, accepted[i], &ctx, NULL, NULL);
		assert_non_null(ssl);
		assert_int_equal(SSL_version(ssl), accepted[i]);
		tls_close(ssl, ctx);
	}
}

static void
test_health_and_request_id(void **state)
{
	const char *mine[] = {"X-Request-Id: test-abc.123", NULL};
	const char *bad[] = {"X-Request-Id: has spaces and {braces}", NULL};
	char id[128], server[64], date[64];
	struct tm tm;
	time_t now = time(NULL), sent;
	struct tresp r;

	(void)state;
	tr_do(&srv, "GET", "/health", NULL, NULL, mine, &r);
	assert_int_equal(r.status, 200);
	/* RFC 9110 6.6.1: an origin server with a clock sends Date, as an
	 * IMF-fixdate. */
	assert_non_null(tr_header(&r, "Date", date, sizeof(date)));
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm));
	assert_int_equal(strlen(date), 29);
	sent = timegm(&tm);
	assert_true(sent >= now - 2 && sent <= now + 2);
	assert_string_equal(
	    tr_header(&r, "X-Request-Id", id, sizeof(id)), "test-abc.123");
	assert_null(tr_header(&r, "Server", server, sizeof(server)));
	tr_free(&r);
	tr_do(&srv, "GET", "/health", NULL, NULL, bad, &r);
	assert_non_null(tr_header(&r, "X-Request-Id", id, sizeof(id)));
	assert_string_not_equal(id, "has spaces and {braces}");
	assert_true(strlen(id) > 8);
	tr_free(&r);
}

/* Three requests in one write: three answers, in order. */
static void
test_pipelined_requests(void **state)
{
	static const char three[] =
	    "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\n"
	    "GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\n\r\n"
	    "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: three\r\n"
	    "Connection: close\r\n\r\n";
	char buf[8192], *one, *two, *tri;
	SSL_CTX *ctx;
	SSL *ssl;
	int n, total = 0;

	(void)state;
	ssl = tls_connect(srv.port, 0, &ctx, NULL, NULL);
	assert_non_null(ssl);
	assert_int_equal(
	    SSL_write(ssl, three, sizeof(three) - 1), (int)sizeof(three) - 1);
	while (
	    (n = SSL_read(ssl, buf + total, (int)sizeof(buf) - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	one = strstr(buf, "X-Request-Id: one");
	two = strstr(buf, "X-Request-Id: two");
	tri = strstr(buf, "X-Request-Id: three");
	assert_non_null(one);
	assert_non_null(two);
	assert_non_null(tri);
	assert_true(one < two && two < tri);
	assert_true(strncmp(buf, "HTTP/1.1 200 ", 13) == 0);
	assert_non_null(strstr(buf, "HTTP/1.1 404 "));
	tls_close(ssl, ctx);
}

/* One JSON line per request, with the fields the issue lists; flushed
 * within a second. */
static void
test_access_log_line(void **state)
{
	const char *hdr[] = {"X-Request-Id: log-line-test-42", NULL};
	char line[1024];
	struct tresp r;
	json_t *doc = NULL;
	long long bytes;
	FILE *fp;

	(void)state;
	/* /health takes no parameter: a 400, logged like any answer. */
	tr_do(&srv, "GET", "/health?secret=hidden", NULL, NULL, hdr, &r);
	assert_int_equal(r.status, 400);
	bytes = (long long)r.len;
	tr_free(&r);
	usleep(1500000);
	fp = fopen(srv.log, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "log-line-test-42") != NULL)
			doc = json_loads(line, 0, NULL);
	fclose(fp);
	assert_non_null(doc);
	assert_string_equal(
	    json_string_value(json_object_get(doc, "method")), "GET");
	assert_string_equal(
	    json_string_value(json_object_get(doc, "path")), "/health");
	assert_int_equal(
	    json_integer_value(json_object_get(doc, "status")), 400);
	assert_int_equal(
	    json_integer_value(json_object_get(doc, "bytes")), bytes);
	assert_true(json_is_integer(json_object_get(doc, "duration_us")));
	assert_non_null(json_object_get(doc, "time"));
	json_decref(doc);
	/* The query string is not logged. */
	assert_int_not_equal(sh("grep -q hidden %s", srv.log), 0);
}

static void
test_not_found_and_method(void **state)
{
	char allow[64];
	struct tresp r;

	(void)state;
	tr_do(&srv, "GET", "/nowhere", NULL, NULL, NULL, &r);
	assert_problem(&r, 404, "/problems/unknown-route");
	tr_free(&r);
	tr_do(&srv, "DELETE", "/health", NULL, NULL, NULL, &r);
	assert_problem(&r, 405, "/problems/method-not-allowed");
	assert_string_equal(
	    tr_header(&r, "Allow", allow, sizeof(allow)), "GET");
	tr_free(&r);
}

static void
test_body_too_large(void **state)
{
	char *big = malloc(9000);
	struct tresp r;

	(void)state;
	memset(big, 'x', 8999);
	big[8999] = '\0';
	tr_do(&srv, "POST", "/api/v1/keys", NULL, big, NULL, &r);
	assert_problem(&r, 413, "/problems/body-too-large");
	tr_free(&r);
	free(big);
}

static void
test_header_too_large(void **state)
{
	char *line = malloc(6000);
	const char *hdrs[2] = {line, NULL};
	struct tresp r;

	(void)state;
	strcpy(line, "X-Filler: ");
	memset(line + 10, 'y', 5000);
	line[5010] = '\0';
	tr_do(&srv, "GET", "/health", NULL, NULL, hdrs, &r);
	assert_problem(&r, 431, "/problems/header-too-large");
	tr_free(&r);
	free(line);
}

/* A client that sends half its headers and stalls is cut off after the
 * header timeout (1 s here), while another client is served meanwhile. */
static void
test_slow_headers_cut_off(void **state)
{
	static const char partial[] = "GET /health HTTP/1.1\r\nHost: x\r\n";
	char buf[2048];
	struct timespec t0, t1;
	struct tresp r;
	SSL_CTX *ctx;
	SSL *ssl;
	int n, total = 0;
	double secs;

	(void)state;
	ssl = tls_connect(srv.port, 0, &ctx, NULL, NULL);
	assert_non_null(ssl);
	assert_int_equal(SSL_write(ssl, partial, sizeof(partial) - 1),
	    (int)sizeof(partial) - 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	while (
	    (n = SSL_read(ssl, buf + total, (int)sizeof(buf) - 1 - total)) > 0)
		total += n;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	buf[total] = '\0';
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(strncmp(buf, "HTTP/1.1 408 ", 13) == 0);
	assert_true(secs >= 0.5 && secs < 5.0);
	tls_close(ssl, ctx);
}

static long long
metric(const char *route, const char *status)
{
	char series[160];

	snprintf(series, sizeof(series),
	    "pipelined_http_requests_total{route=\"%s\",status=\"%s\"}", route,
	    status);
	return tr_metric(&srv, series);
}

static void
test_metrics_count_requests(void **state)
{
	long long before = metric("health", "200"), nf;
	struct tresp r;
	int i;

	(void)state;
	nf = metric("unmatched", "404");
	for (i = 0; i < 7; i++) {
		tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &r);
		tr_free(&r);
	}
	tr_do(&srv, "GET", "/no/such/thing", NULL, NULL, NULL, &r);
	tr_free(&r);
	assert_int_equal(metric("health", "200") - before, 7);
	assert_int_equal(metric("unmatched", "404") - nf, 1);
	tr_do(&srv, "GET", "/metrics", NULL, NULL, NULL, &r);
	assert_non_null(strstr(r.body, "pipelined_http_request_duration_"
	                               "seconds_bucket{le=\"+Inf\"}"));
	assert_non_null(strstr(r.body, "pipelined_db_connections_up"));
	assert_non_null(strstr(r.body, "pipelined_db_errors_total"));
	tr_free(&r);
}

static void
test_bad_config_refused(void **state)
{
	static const struct {
		const char *text, *expect;
	} cases[] = {
	    {"port 8443\nworkers 2\nno_such_option 1\n", ":3: unknown option"},
	    {"# comment\nport eighty\n", ":2: option 'port'"},
	    {"port 99999\n", ":1: option 'port'"},
	    {"port 1\nport 2\n", ":2: option 'port' given twice"},
	    {"\n\nmax_body_size\n", ":3: option 'max_body_size' needs"},
	};
	char path[400], out[512], cmd[1200];
	size_t i;
	FILE *fp;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad-%zu.conf",
		    ts_env("TEST_DIR"), i);
		snprintf(out, sizeof(out), "%s.err", path);
		fp = fopen(path, "w");
		fputs(cases[i].text, fp);
		fclose(fp);
		snprintf(cmd, sizeof(cmd), "%s -c %s check 2>%s",
		    ts_env("PIPELINED_BIN"), path, out);
		assert_int_equal(sh("%s", cmd), 1);
		assert_int_equal(
		    sh("grep -q -- \"%s\" %s", cases[i].expect, out), 0);
		assert_int_equal(sh("grep -q -- \"%s\" %s", path, out), 0);
	}
}

/* A second pipelined on a port in use refuses to start, instead of
 * sharing it through SO_REUSEPORT. */
static void
test_port_in_use_refused(void **state)
{
	char out[512];

	(void)state;
	snprintf(out, sizeof(out), "%s/second.err", ts_env("TEST_DIR"));
	assert_int_equal(sh("timeout 20 %s -c %s 2>%s", ts_env("PIPELINED_BIN"),
	                     srv.conf, out),
	    1);
	assert_int_equal(sh("grep -q 'Address already in use' %s", out), 0);
}

static void
test_killed_worker_replaced(void **state)
{
	pid_t before[8], after[8];
	struct tresp r;
	int n, m, i, ok = 0;

	(void)state;
	n = ts_worker_pids(srv.pid, before, 8);
	assert_int_equal(n, 2);
	assert_int_equal(kill(before[0], SIGKILL), 0);
	for (i = 0; i < 20; i++) {
		tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &r);
		ok += r.status == 200;
		tr_free(&r);
		usleep(100000);
	}
	assert_true(ok >= 18); /* a connection queued on the dead worker */
	m = ts_worker_pids(srv.pid, after, 8);
	assert_int_equal(m, 2);
	for (i = 0; i < m; i++)
		assert_int_not_equal(after[i], before[0]);
}

/* A query that waits on a lock is cancelled after db_lock_timeout_ms and
 * the request answered 503 with Retry-After, not held for ever. */
static void
test_lock_wait_bounded(void **state)
{
	struct timespec t0, t1;
	char retry[16];
	struct tresp r;

	(void)state;
	db_lock_table("areas", 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tr_do(&srv, "GET", "/api/v1/areas", ts_env("TEST_ADMIN_KEY"), NULL,
	    NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(r.status, 503);
	assert_string_equal(tr_problem_type(&r), "/problems/database-error");
	assert_non_null(tr_header(&r, "Retry-After", retry, sizeof(retry)));
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	tr_free(&r);
	db_wait_unlocked("areas");
	tr_do(&srv, "GET", "/api/v1/areas", ts_env("TEST_ADMIN_KEY"), NULL,
	    NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
}

/* The database goes away: /ready says 503 within a second and /health
 * stays 200; it comes back and /ready recovers without a restart. */
static void
test_database_outage(void **state)
{
	struct timespec t0, t1;
	struct tresp r;
	int i;

	(void)state;
	assert_int_equal(sh("scripts/pg.sh stop %s", ts_env("TEST_PGDIR")), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tr_do(&srv, "GET", "/ready", NULL, NULL, NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(r.status, 503);
	assert_true(t1.tv_sec - t0.tv_sec < 1 ||
	            (t1.tv_sec - t0.tv_sec == 1 && t1.tv_nsec < t0.tv_nsec));
	tr_free(&r);
	tr_do(&srv, "GET", "/health", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/areas", ts_env("TEST_ADMIN_KEY"), NULL,
	    NULL, &r);
	assert_int_equal(r.status, 503);
	tr_free(&r);
	assert_int_equal(sh("scripts/pg.sh start %s", ts_env("TEST_PGDIR")), 0);
	for (i = 0; i < 100; i++) {
		tr_do(&srv, "GET", "/ready", NULL, NULL, NULL, &r);
		if (r.status == 200)
			break;
		tr_free(&r);
		usleep(100000);
	}
	assert_int_equal(r.status, 200);
	tr_free(&r);
}

/* SIGTERM while a request is in flight (its body half sent): the request
 * is answered, then the process exits 0. Runs last: it stops the server. */
static void
test_sigterm_drains(void **state)
{
	static const char head[] = "POST /health HTTP/1.1\r\nHost: x\r\n"
	                           "Content-Length: 10\r\n\r\n12345";
	char buf[1024];
	SSL_CTX *ctx;
	SSL *ssl;
	int n, total = 0, st;

	(void)state;
	ssl = tls_connect(srv.port, 0, &ctx, NULL, NULL);
	assert_non_null(ssl);
	SSL_write(ssl, head, sizeof(head) - 1);
	usleep(200000);
	kill(srv.pid, SIGTERM);
	usleep(300000);
	SSL_write(ssl, "67890", 5);
	while (
	    (n = SSL_read(ssl, buf + total, (int)sizeof(buf) - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	assert_true(strncmp(buf, "HTTP/1.1 405 ", 13) == 0);
	assert_non_null(strstr(buf, "Connection: close"));
	tls_close(ssl, ctx);
	assert_int_equal(waitpid(srv.pid, &st, 0), srv.pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	srv.pid = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_versions),
	    cmocka_unit_test(test_health_and_request_id),
	    cmocka_unit_test(test_pipelined_requests),
	    cmocka_unit_test(test_access_log_line),
	    cmocka_unit_test(test_not_found_and_method),
	    cmocka_unit_test(test_body_too_large),
	    cmocka_unit_test(test_header_too_large),
	    cmocka_unit_test(test_slow_headers_cut_off),
	    cmocka_unit_test(test_metrics_count_requests),
	    cmocka_unit_test(test_bad_config_refused),
	    cmocka_unit_test(test_port_in_use_refused),
	    cmocka_unit_test(test_killed_worker_replaced),
	    cmocka_unit_test(test_lock_wait_bounded),
	    cmocka_unit_test(test_database_outage),
	    cmocka_unit_test(test_sigterm_drains),
	};

	return cmocka_run_group_tests_name("foundation", tests, setup, NULL);
}
