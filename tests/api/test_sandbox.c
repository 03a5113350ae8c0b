/*
 * test_sandbox.c: what the kernel says of the workers, in /proc/<pid>/
 * status. Each one runs under a seccomp filter ("Seccomp:\t2") and, when
 * the tests run as root, as the unprivileged user of the tests'
 * configuration (scripts/test.sh creates it, as make run does). So does
 * a replacement after kill -9, and the filter lets a worker reconnect to
 * the database and serve. With "sandbox off" there is no filter: the 2
 * is the server's doing, not the environment's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static struct tserver srv;

struct pstatus {
	char seccomp[512]; /* the line, e.g. "Seccomp:\t2" */
	long uid[4], gid[4]; /* real, effective, saved, filesystem */
	char groups[512]; /* after "Groups:", blanks trimmed */
};

static void
read_status(pid_t pid, struct pstatus *st)
{
	char path[64], line[512];
	FILE *fp;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s cannot be read", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "Seccomp:", 8) == 0)
			snprintf(st->seccomp, sizeof(st->seccomp), "%s", line);
		else if (strncmp(line, "Uid:", 4) == 0)
			sscanf(line + 4, "%ld %ld %ld %ld", &st->uid[0],
			    &st->uid[1], &st->uid[2], &st->uid[3]);
		else if (strncmp(line, "Gid:", 4) == 0)
			sscanf(line + 4, "%ld %ld %ld %ld", &st->gid[0],
			    &st->gid[1], &st->gid[2], &st->gid[3]);
		else if (strncmp(line, "Groups:", 7) == 0)
			snprintf(st->groups, sizeof(st->groups), "%s",
			    line + 7 + strspn(line + 7, " \t"));
	}
	fclose(fp);
}

/* Sandboxed, and no longer root in any of its ids when started as root. */
static void
assert_confined(pid_t pid)
{
	struct pstatus st;
	int i;

	read_status(pid, &st);
	assert_string_equal(st.seccomp, "Seccomp:\t2");
	if (getuid() != 0)
		return;
	for (i = 0; i < 4; i++) {
		assert_int_not_equal(st.uid[i], 0);
		assert_int_not_equal(st.gid[i], 0);
	}
	assert_string_equal(st.groups, ""); /* root's groups are dropped */
}

static void
assert_serves(struct tserver *s)
{
	struct tresp r;

	tr_do(s, "GET", "/api/v1/areas", ts_env("TEST_ADMIN_KEY"), NULL, NULL,
	    &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
}

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, NULL);
	return 0;
}

static void
test_workers_sandboxed(void **state)
{
	struct pstatus st;
	pid_t w[8];
	int n, i;

	(void)state;
	assert_serves(&srv);
	n = ts_worker_pids(srv.pid, w, 8);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		assert_confined(w[i]);
	/* The master supervises only; it keeps what it started with. */
	read_status(srv.pid, &st);
	assert_string_equal(st.seccomp, "Seccomp:\t0");
}

static void
test_replacement_sandboxed(void **state)
{
	pid_t before[8], after[8];
	int i, n = 0;

	(void)state;
	assert_int_equal(ts_worker_pids(srv.pid, before, 8), 2);
	assert_int_equal(kill(before[0], SIGKILL), 0);
	for (i = 0; i < 500; i++) {
		usleep(10000);
		n = ts_worker_pids(srv.pid, after, 8);
		if (n == 2 && after[0] != before[0] && after[1] != before[0])
			break;
	}
	assert_int_equal(n, 2);
	assert_int_not_equal(after[0], before[0]);
	assert_int_not_equal(after[1], before[0]);
	/* Serving: its set-up is over and its sandbox is on. */
	for (i = 0; i < 20; i++)
		assert_serves(&srv);
	assert_confined(after[0]);
	assert_confined(after[1]);
}

/* The server's database sessions: every client but the query's own. */
#define BACKENDS                                                               \
	" FROM pg_stat_activity WHERE backend_type = 'client backend' "        \
	"AND pid <> pg_backend_pid()"

/* libpq reconnects from inside the sandbox: a socket, the user's name,
 * ~/.pgpass, poll. A worker the filter killed would be a new pid, and
 * SIGSYS in the log. */
static void
test_reconnect_inside_sandbox(void **state)
{
	pid_t before[8], after[8];

	(void)state;
	assert_int_equal(ts_worker_pids(srv.pid, before, 8), 2);
	/* Both workers' pools: db_pool_size 4 each. */
	db_wait_scalar("SELECT count(*)" BACKENDS, "8", 10000,
	    "the pools never connected");
	assert_string_equal(
	    db_scalar("SELECT count(pg_terminate_backend(pid))" BACKENDS), "8");
	db_wait_scalar("SELECT count(*)" BACKENDS, "8", 10000,
	    "the pools never reconnected");
	assert_serves(&srv);
	assert_int_equal(ts_worker_pids(srv.pid, after, 8), 2);
	assert_true((after[0] == before[0] && after[1] == before[1]) ||
	            (after[0] == before[1] && after[1] == before[0]));
	assert_int_not_equal(sh("grep -q SIGSYS %s", srv.log), 0);
}

static void
test_sandbox_off(void **state)
{
	struct tserver off;
	struct pstatus st;
	pid_t w[8];

	(void)state;
	ts_start(&off, "workers 1\nsandbox off\n");
	assert_serves(&off);
	assert_int_equal(ts_worker_pids(off.pid, w, 8), 1);
	read_status(w[0], &st);
	assert_string_equal(st.seccomp, "Seccomp:\t0");
	assert_int_equal(ts_stop(&off), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_workers_sandboxed),
	    cmocka_unit_test(test_replacement_sandboxed),
	    cmocka_unit_test(test_reconnect_inside_sandbox),
	    cmocka_unit_test(test_sandbox_off),
	};

	return cmocka_run_group_tests_name(
	    "sandbox", tests, setup, ts_group_teardown);
}
