/*
 * test_sandbox.c: the seccomp filter of src/runtime/sandbox.c, each case
 * in a child process that enters it. What a worker does after its set-up
 * is allowed; a call off the list kills the child with SIGSYS, unless
 * "sandbox log" lets it through; and a sanitizer's report (this is the
 * test build) still comes out whole, symbolized, from inside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/runtime/sandbox.h"

static char out[65536]; /* the child's stderr */

/* Runs fn in a child under the given sandbox mode; returns its wait
 * status, with its stderr in out. */
static int
in_child(const char *mode, void (*fn)(void))
{
	struct config cfg;
	size_t len = 0;
	ssize_t n;
	int fds[2], st;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		config_defaults(&cfg);
		snprintf(cfg.sandbox, sizeof(cfg.sandbox), "%s", mode);
		if (sandbox_enter(&cfg) != 0)
			_exit(99);
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	close(fds[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
assert_killed(int st)
{
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		fail_msg("want SIGSYS, got %s %d",
		    WIFSIGNALED(st) ? "signal" : "exit",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void
assert_exit(int st, int code)
{
	if (!WIFEXITED(st) || WEXITSTATUS(st) != code)
		fail_msg("want exit %d, got %s %d; stderr:\n%s", code,
		    WIFSIGNALED(st) ? "signal" : "exit",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), out);
}

/* What a worker does once it serves, in small. */
static void
worker_calls(void)
{
	struct timespec ts;
	unsigned char rnd[16];
	char buf[256], *big;
	int fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		_exit(1);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		_exit(2);
	close(fd);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		_exit(3);
	close(fd);
	if ((fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC)) < 0 ||
	    read(fd, buf, sizeof(buf)) < 0)
		_exit(4);
	close(fd);
	if ((big = malloc(1 << 24)) == NULL) /* mmap */
		_exit(5);
	memset(big, 1, 1 << 24);
	free(big);
	/* The shared tables' spin locks: yield, and probe the holder. */
	if (sched_yield() != 0 || kill(getpid(), 0) != 0)
		_exit(6);
	fprintf(stderr, "served\n");
}

static void
test_worker_calls_allowed(void **state)
{
	(void)state;
	assert_exit(in_child("on", worker_calls), 0);
	assert_string_equal(out, "served\n");
}

static void
call_getppid(void)
{
	(void)getppid();
}

static void
call_fork(void)
{
	(void)fork();
}

static void
call_execve(void)
{
	execl("/bin/true", "true", (char *)NULL);
}

static void
call_open_write(void)
{
	(void)open("/tmp/pipelined-sandbox-test", O_WRONLY | O_CREAT, 0600);
}

static void
call_packet_socket(void)
{
	(void)socket(AF_PACKET, SOCK_RAW, 0);
}

static void
call_mmap_exec(void)
{
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A signal, not the probe (signal 0) that the locks use; to a pid that
 * cannot exist, so that nothing is hit if the filter let it through. */
static void
call_kill_signal(void)
{
	(void)kill(INT_MAX, SIGTERM);
}

static void
test_off_list_kills(void **state)
{
	(void)state;
	assert_killed(in_child("on", call_getppid));
	assert_killed(in_child("on", call_fork));
	assert_killed(in_child("on", call_execve));
	assert_killed(in_child("on", call_open_write));
	assert_killed(in_child("on", call_packet_socket));
	assert_killed(in_child("on", call_mmap_exec));
	assert_killed(in_child("on", call_kill_signal));
}

/* A world-readable file outside what a worker needs, made by the test
 * before the child enters the sandbox. */
static const char outside[] = "/var/tmp/pipelined-landlock-test";

/* Exit 0: /etc/hosts reads and the file outside does not (EACCES);
 * 10 + n otherwise. */
static void
read_outside(void)
{
	int fd;

	if ((fd = open("/etc/hosts", O_RDONLY)) < 0)
		_exit(10);
	close(fd);
	if ((fd = open(outside, O_RDONLY)) >= 0)
		_exit(11);
	_exit(errno == EACCES ? 0 : 12);
}

static void
test_reads_confined(void **state)
{
	FILE *fp;
	int st;

	(void)state;
	assert_non_null(fp = fopen(outside, "w"));
	fputs("not a worker's business\n", fp);
	fclose(fp);
	assert_int_equal(chmod(outside, 0644), 0);
	st = in_child("on", read_outside);
	/* A kernel without Landlock: nothing to prove here. */
	if (access("/sys/kernel/security/landlock", F_OK) != 0 &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 11) {
		unlink(outside);
		skip();
	}
	assert_exit(st, 0);
	/* "log" confines the system calls only. */
	assert_exit(in_child("log", read_outside), 11);
	unlink(outside);
}

static void
test_log_lets_through(void **state)
{
	(void)state;
	assert_exit(in_child("log", call_getppid), 0);
	assert_exit(in_child("log", call_mmap_exec), 0);
}

/* The child exits with its Seccomp mode, read from inside. */
static void
exit_seccomp_mode(void)
{
	char line[128];
	FILE *fp = fopen("/proc/self/status", "r");

	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0)
			_exit(atoi(line + 8));
	_exit(99);
}

static void
test_modes(void **state)
{
	(void)state;
	assert_exit(in_child("on", exit_seccomp_mode), 2);
	assert_exit(in_child("log", exit_seccomp_mode), 2);
	assert_exit(in_child("off", exit_seccomp_mode), 0);
}

static void
use_after_free(void)
{
	char *volatile p = malloc(8);

	free(p);
	fprintf(stderr, "%d\n", p[1]);
}

static void
misaligned_load(void)
{
	char buf[16] = {0};
	int *volatile p = (int *)(void *)(buf + 1);

	fprintf(stderr, "%d\n", *p);
}

static void
test_sanitizer_reports_from_inside(void **state)
{
	int st;

	(void)state;
	/* ASan: the report, its stack symbolized, then exit or abort
	 * (abort_on_error, by tgkill) but never SIGSYS. */
	st = in_child("on", use_after_free);
	assert_false(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	assert_non_null(strstr(out, "ERROR: AddressSanitizer: heap-use-after"));
	assert_non_null(strstr(out, " in use_after_free "));
	assert_non_null(strstr(out, "SUMMARY: AddressSanitizer"));
	if (WIFSIGNALED(st))
		assert_int_equal(WTERMSIG(st), SIGABRT);
	/* UBSan: the report shows the memory, which it probes through a
	 * pipe, and exits 1. */
	st = in_child("on", misaligned_load);
	assert_exit(st, 1);
	assert_non_null(strstr(out, "runtime error: load of misaligned"));
	assert_non_null(strstr(out, "note: pointer points here"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worker_calls_allowed),
	    cmocka_unit_test(test_off_list_kills),
	    cmocka_unit_test(test_reads_confined),
	    cmocka_unit_test(test_log_lets_through),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_sanitizer_reports_from_inside),
	};

	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
