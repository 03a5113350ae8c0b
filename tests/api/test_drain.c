/*
 * test_drain.c: SIGTERM drains an instance so that a balancer can take
 * it out without a failed request (issue 18, item 5).
 *
 * With drain_accept_ms set: at once /ready answers 503 (the balancer's
 * health check sees it), a keep-alive connection's next response says
 * "Connection: close" and is served, and new connections are still
 * accepted and served, closing after their response; once the window is
 * over the port is closed and the server exits 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "support.h"

/* GET path on ssl, kept alive; the response head into head. */
static int
get(SSL *ssl, const char *path, char *head, size_t len)
{
	char req[256];
	int n, status = 0;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	if (SSL_write(ssl, req, (int)strlen(req)) != (int)strlen(req) ||
	    (n = SSL_read(ssl, head, (int)len - 1)) <= 0)
		return -1;
	head[n] = '\0';
	sscanf(head, "HTTP/1.1 %d", &status);
	return status;
}

static void
test_sigterm_drains_for_the_balancer(void **state)
{
	char head[4096], field[64];
	struct tserver s;
	struct tresp r;
	SSL_CTX *ctx;
	SSL *old;
	int i;

	(void)state;
	ts_start(&s, "drain_accept_ms 1500\n");
	assert_non_null(old = tls_connect(s.port, 0, &ctx, NULL, NULL));
	assert_int_equal(get(old, "/health", head, sizeof(head)), 200);
	assert_null(head_field(head, "Connection", field, sizeof(field)));
	tr_do(&s, "GET", "/ready", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);

	assert_int_equal(kill(s.pid, SIGTERM), 0);
	usleep(200000);
	/* The health check now takes the instance out... */
	tr_do(&s, "GET", "/ready", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 503);
	assert_string_equal(tr_problem_type(&r), "/problems/draining");
	assert_non_null(tr_header(&r, "Retry-After", field, sizeof(field)));
	tr_free(&r);
	/* ...while what still arrives is served, and told to go. */
	for (i = 0; i < 3; i++) {
		tr_do(&s, "GET", "/health", NULL, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		tr_free(&r);
	}
	assert_int_equal(get(old, "/health", head, sizeof(head)), 200);
	assert_non_null(head_field(head, "Connection", field, sizeof(field)));
	assert_string_equal(field, "close");
	tls_close(old, ctx);

	/* After the window the port closes and the server exits. */
	usleep(1600000);
	assert_false(ts_port_open(s.port));
	assert_int_equal(ts_stop(&s), 0);
}

/* Without a window (the default), SIGTERM stops listening at once. */
static void
test_sigterm_without_window_stops_listening(void **state)
{
	struct tserver s;

	(void)state;
	ts_start(&s, NULL);
	assert_int_equal(kill(s.pid, SIGTERM), 0);
	usleep(300000);
	assert_false(ts_port_open(s.port));
	assert_int_equal(ts_stop(&s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sigterm_drains_for_the_balancer),
	    cmocka_unit_test(test_sigterm_without_window_stops_listening),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
