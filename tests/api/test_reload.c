/*
 * test_reload.c: SIGHUP reloads the whole configuration without dropping
 * a connection (issue 18, item 5; runtime/reload.c).
 *
 * What is proved, each against the real server:
 *   - a changed option (max_body_size) holds for new requests once the
 *     master logs the reload, while a request that was half sent before
 *     it completes on its old worker, with "Connection: close"; the
 *     master stays, every worker is new;
 *   - under a steady load of requests, on new and on kept-alive
 *     connections, three reloads in a row fail none;
 *   - a file with an error, or a change only a restart can apply
 *     (key_manager_user), is refused with a log line, and the same
 *     workers go on serving;
 *   - a configuration whose workers cannot start (a user that does not
 *     exist) is abandoned and the old workers serve on; a good one after
 *     it is applied;
 *   - a new port is served and the old one closes;
 *   - an access log moved away (logrotate's way) is opened again at its
 *     path, with the configuration unchanged.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/ssl.h>

#include "support.h"

#define MAX_PIDS 16

/* Occurrences of what in the server's log. */
static int
log_count(const struct tserver *s, const char *what)
{
	char line[4096];
	FILE *fp = fopen(s->log, "r");
	int n = 0;

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strstr(line, what) != NULL;
	fclose(fp);
	return n;
}

/* Waits up to 10 s for the log to hold what count times. */
static int
wait_log(const struct tserver *s, const char *what, int count)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (log_count(s, what) >= count)
			return 0;
		usleep(50000);
	}
	return -1;
}

static int
has_pid(const pid_t *pids, int n, pid_t p)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == p)
			return 1;
	return 0;
}

/* Waits up to 10 s until no worker of before is left, and as many as
 * want serve; returns how many of before are left. */
static int
wait_new_workers(const struct tserver *s, const pid_t *before, int n, int want)
{
	pid_t now[MAX_PIDS];
	int i, k, old = n;

	for (i = 0; i < 200; i++) {
		int m = ts_worker_pids(s->pid, now, MAX_PIDS);

		for (old = 0, k = 0; k < m; k++)
			old += has_pid(before, n, now[k]);
		if (old == 0 && m == want)
			return 0;
		usleep(50000);
	}
	return old;
}

static long
post_size(struct tserver *s, size_t size)
{
	char *body = malloc(size + 1);
	struct tresp r;
	long status;

	memset(body, ' ', size);
	body[0] = '{';
	body[size - 1] = '}';
	body[size] = '\0';
	tr_do(s, "POST", "/api/v1/projects", NULL, body, NULL, &r);
	status = r.status;
	tr_free(&r);
	free(body);
	return status;
}

/* post_size until it answers want, for up to a second; the last. */
static long
post_size_until(struct tserver *s, size_t size, long want)
{
	long status = 0;
	int i;

	for (i = 0; i < 20 && status != want; i++) {
		if (i > 0)
			usleep(50000);
		status = post_size(s, size);
	}
	return status;
}

static long
get_status(struct tserver *s, const char *path)
{
	struct tresp r;
	long status;

	tr_do(s, "GET", path, NULL, NULL, NULL, &r);
	status = r.status;
	tr_free(&r);
	return status;
}

static void
test_changed_option_applies_and_a_request_in_flight_completes(void **state)
{
	pid_t before[MAX_PIDS], master;
	char head[4096], field[64];
	struct tserver s;
	SSL_CTX *ctx;
	SSL *ssl;
	int n, len;

	(void)state;
	ts_start(&s, NULL);
	master = s.pid;
	assert_int_equal(post_size(&s, 2000), 401);
	n = ts_worker_pids(s.pid, before, MAX_PIDS);
	assert_int_equal(n, 2);
	/* Half a request, on a connection an old worker accepted. */
	assert_non_null(ssl = tls_connect(s.port, 0, &ctx, NULL, NULL));
	assert_true(
	    SSL_write(ssl, "GET /health HTTP/1.1\r\nHost: t\r\n", 31) == 31);
	ts_write_conf(&s, "max_body_size 1024\n");
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	assert_int_equal(wait_log(&s, "reloaded the configuration", 1), 0);
	/* The new workers apply the new limit (an old one may still take a
	 * connection in the instant before it reads its SIGUSR2). */
	assert_int_equal(post_size_until(&s, 2000, 413), 413);
	/* The request in flight completes, and its connection closes. */
	assert_true(SSL_write(ssl, "\r\n", 2) == 2);
	len = SSL_read(ssl, head, sizeof(head) - 1);
	assert_true(len > 0);
	head[len] = '\0';
	assert_non_null(strstr(head, "HTTP/1.1 200"));
	assert_non_null(head_field(head, "Connection", field, sizeof(field)));
	assert_string_equal(field, "close");
	tls_close(ssl, ctx);
	assert_int_equal(wait_new_workers(&s, before, n, 2), 0);
	assert_int_equal(s.pid, master);
	assert_int_equal(log_count(&s, "killed by signal"), 0);
	assert_int_equal(ts_stop(&s), 0);
}

/* In a child: requests until told to stop (SIGTERM), every other one on
 * a kept-alive connection (libcurl retries a request on a kept-alive
 * connection found closed before any answer, as RFC 9112 §9.3.1 lets an
 * idempotent one be); exits with the failures (at most 100), or 101 when
 * it made fewer than 20 requests. It ends with the test, or after 60 s,
 * whichever comes first. */
static void
load_loop(const struct tserver *s)
{
	char url[128];
	CURL *kept = curl_easy_init();
	int failures = 0, done = 0;
	CURLcode rc;
	long status;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(60);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/health", s->port);
	for (;;) {
		sigset_t pending;
		CURL *c = done % 2 ? kept : curl_easy_init();

		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		status = 0;
		rc = curl_easy_perform(c);
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200) {
			fprintf(stderr, "request %d (%s): %s, status %ld\n",
			    done, c == kept ? "kept alive" : "new",
			    curl_easy_strerror(rc), status);
			failures++;
		}
		done++;
		if (c != kept)
			curl_easy_cleanup(c);
		sigpending(&pending);
		if (sigismember(&pending, SIGTERM))
			break;
	}
	curl_easy_cleanup(kept);
	_exit(done < 20 ? 101 : failures > 100 ? 100 : failures);
}

static void
test_reloads_under_load_fail_no_request(void **state)
{
	static const char *const confs[] = {"keepalive_timeout 30\n",
	    "keepalive_timeout 31\n", "keepalive_timeout 32\n"};
	struct tserver s;
	sigset_t block, old;
	pid_t child;
	int i, status;

	(void)state;
	ts_start(&s, NULL);
	/* The child sees SIGTERM as pending, between two requests. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if ((child = fork()) == 0)
		load_loop(&s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	usleep(300000);
	for (i = 0; i < 3; i++) {
		ts_write_conf(&s, confs[i]);
		assert_int_equal(kill(s.pid, SIGHUP), 0);
		assert_int_equal(
		    wait_log(&s, "reloaded the configuration", i + 1), 0);
		usleep(300000);
	}
	kill(child, SIGTERM);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(ts_stop(&s), 0);
}

/* SIGHUP with extra written; the refusal's words in the log; the same
 * workers serve. */
static void
assert_refused(struct tserver *s, const char *extra, const char *words)
{
	pid_t before[MAX_PIDS], after[MAX_PIDS];
	int n, i, refusals = log_count(s, words);

	n = ts_worker_pids(s->pid, before, MAX_PIDS);
	ts_write_conf(s, extra);
	assert_int_equal(kill(s->pid, SIGHUP), 0);
	assert_int_equal(wait_log(s, words, refusals + 1), 0);
	usleep(200000);
	assert_int_equal(ts_worker_pids(s->pid, after, MAX_PIDS), n);
	for (i = 0; i < n; i++)
		assert_true(has_pid(before, n, after[i]));
	assert_int_equal(get_status(s, "/health"), 200);
}

static void
test_bad_or_restart_only_changes_are_refused(void **state)
{
	struct tserver s;

	(void)state;
	ts_start(&s, NULL);
	assert_refused(&s, "no_such_option 1\n",
	    "reload refused, the configuration in use stays");
	assert_refused(&s, "max_body_size 12\n",
	    "reload refused, the configuration in use stays");
	assert_refused(&s, "key_manager_user nobody\n",
	    "key_manager_user changed, which needs a restart");
	assert_int_equal(log_count(&s, "reloaded the configuration"), 0);
	assert_int_equal(ts_stop(&s), 0);
}

static void
test_workers_that_cannot_start_are_abandoned(void **state)
{
	pid_t before[MAX_PIDS];
	struct tserver s;
	int n;

	(void)state;
	ts_start(&s, NULL);
	n = ts_worker_pids(s.pid, before, MAX_PIDS);
	assert_refused(&s, "user no-such-user-pipelined\n", "reload abandoned");
	assert_int_equal(log_count(&s, "reloaded the configuration"), 0);
	/* A good file after it is applied. */
	ts_write_conf(&s, "max_body_size 1024\n");
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	assert_int_equal(wait_log(&s, "reloaded the configuration", 1), 0);
	assert_int_equal(wait_new_workers(&s, before, n, 2), 0);
	assert_int_equal(post_size_until(&s, 2000, 413), 413);
	assert_int_equal(ts_stop(&s), 0);
}

static void
test_a_new_port_is_served_and_the_old_one_closes(void **state)
{
	struct tserver s;
	int old_port, i;

	(void)state;
	ts_start(&s, NULL);
	old_port = s.port;
	s.port = ts_free_port();
	ts_write_conf(&s, NULL);
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	assert_int_equal(wait_log(&s, "reloaded the configuration", 1), 0);
	assert_int_equal(get_status(&s, "/health"), 200);
	for (i = 0; i < 100 && ts_port_open(old_port); i++)
		usleep(50000);
	assert_false(ts_port_open(old_port));
	assert_int_equal(ts_stop(&s), 0);
}

static int
file_has(const char *path, const char *what)
{
	char line[4096];
	FILE *fp = fopen(path, "r");
	int found = 0;

	if (fp == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), fp) != NULL)
		found = strstr(line, what) != NULL;
	fclose(fp);
	return found;
}

static void
test_a_rotated_access_log_is_opened_again(void **state)
{
	char extra[768], path[600], moved[640];
	struct tserver s;
	int i;

	(void)state;
	snprintf(path, sizeof(path), "%s/reload-access-%d.log",
	    ts_env("TEST_DIR"), (int)getpid());
	snprintf(moved, sizeof(moved), "%s.1", path);
	snprintf(extra, sizeof(extra), "access_log %s\n", path);
	ts_start(&s, extra);
	assert_int_equal(get_status(&s, "/before-rotation"), 404);
	for (i = 0; i < 40 && !file_has(path, "before-rotation"); i++)
		usleep(100000); /* the log is flushed every second */
	assert_true(file_has(path, "before-rotation"));
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(kill(s.pid, SIGHUP), 0);
	assert_int_equal(wait_log(&s, "reloaded the configuration", 1), 0);
	assert_int_equal(get_status(&s, "/after-rotation"), 404);
	for (i = 0; i < 40 && !file_has(path, "after-rotation"); i++)
		usleep(100000);
	assert_true(file_has(path, "after-rotation"));
	assert_false(file_has(moved, "after-rotation"));
	assert_int_equal(ts_stop(&s), 0);
	unlink(path);
	unlink(moved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_changed_option_applies_and_a_request_in_flight_completes),
	    cmocka_unit_test(test_reloads_under_load_fail_no_request),
	    cmocka_unit_test(test_bad_or_restart_only_changes_are_refused),
	    cmocka_unit_test(test_workers_that_cannot_start_are_abandoned),
	    cmocka_unit_test(test_a_new_port_is_served_and_the_old_one_closes),
	    cmocka_unit_test(test_a_rotated_access_log_is_opened_again),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
