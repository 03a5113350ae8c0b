/*
 * sandbox.c: the one place that decides what a worker may do.
 *
 * A worker started as root first becomes the configured `user`. Then it
 * installs a seccomp filter: the system calls below are allowed, some
 * only with the arguments given, and any other one kills the worker
 * (SIGSYS; the kernel log names the call, and the master logs the death
 * and replaces the worker). With `sandbox log` the other calls are
 * allowed but logged by the kernel, to find what a new environment
 * needs; `sandbox off` installs nothing. Killing, not failing the call
 * with EPERM: a refused call would leave the worker in a state no test
 * has seen, and would let a hijacked one probe the list; a death is
 * logged, counted in /metrics and repaired by the master.
 *
 * The list is what a worker does after its set-up, seen with strace -f
 * on the service (requests, database connections killed and made again,
 * a database host name that needs DNS) and kept honest by the tests,
 * which run with the sandbox on: the event loop, TLS on the accepted
 * sockets, the access log, libpq reconnecting (a socket, the user's
 * name, ~/.pgpass, /etc/hosts, nsswitch and DNS) and, in the test build
 * only, the sanitizers' reports. Files can be opened to read only;
 * nothing can be executed, mapped executable, forked or traced.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/netlink.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "landlock.h"
#include "sanitized.h"
#include "sandbox.h"

/* One allowed system call: by name, so that the list reads the same on
 * every architecture (a name the architecture lacks is skipped), with
 * at most one condition on an argument. Several entries for one name
 * allow any of them. */
struct allow {
	const char *name;
	unsigned int ncmp;
	struct scmp_arg_cmp cmp;
};

#define ANY(n)                                                                 \
	{                                                                      \
		n, 0,                                                          \
		{                                                              \
			0, SCMP_CMP_EQ, 0, 0                                   \
		}                                                              \
	}
#define ARG_EQ(n, i, v)                                                        \
	{                                                                      \
		n, 1,                                                          \
		{                                                              \
			i, SCMP_CMP_EQ, (scmp_datum_t)(v), 0                   \
		}                                                              \
	}
/* (argument i & mask) == v */
#define ARG_MASK(n, i, mask, v)                                                \
	{                                                                      \
		n, 1,                                                          \
		{                                                              \
			i, SCMP_CMP_MASKED_EQ, (scmp_datum_t)(mask),           \
			    (scmp_datum_t)(v)                                  \
		}                                                              \
	}

/* Read-only opens: no O_CREAT, O_TRUNC or write access. */
#define RDONLY_MASK (O_ACCMODE | O_CREAT | O_TRUNC)

/* What every sandboxed process needs: its sockets and the descriptors it
 * was given, memory (never executable), time, randomness (OpenSSL's
 * reseeding, ECDSA's nonces), OpenSSL's fork check, and its end. */
static const struct allow common_allowed[] = {
    ANY("read"),
    ANY("pread64"),
    ANY("write"),
    ANY("recvmsg"),
    ANY("recvfrom"),
    ANY("sendmsg"),
    ANY("sendto"),
    ANY("poll"),
    ANY("ppoll"),
    ANY("close"),
    ANY("fstat"),
    ANY("newfstatat"),
    ANY("clock_gettime"),
    ANY("brk"),
    ARG_MASK("mmap", 2, PROT_EXEC, 0),
    ARG_MASK("mprotect", 2, PROT_EXEC, 0),
    ANY("munmap"),
    ANY("mremap"),
    ANY("madvise"),
    ANY("futex"),
    ANY("getrandom"),
    ANY("getpid"),
    ANY("rt_sigreturn"),
    ANY("rt_sigprocmask"),
    ANY("exit"),
    ANY("exit_group"),
};

/* A worker's, besides: the event loop, its connections, libpq
 * reconnecting. */
static const struct allow allowed[] = {
    /* The event loop, its signals' socket pair, the connections. */
    ANY("epoll_wait"),
    ANY("epoll_pwait"),
    ANY("epoll_ctl"),
    ANY("accept4"),
    ANY("readv"),
    ANY("writev"),
    ANY("sendmmsg"), /* glibc's resolver: A and AAAA at once */
    ANY("shutdown"),
    ANY("fcntl"),
    ANY("getsockname"),
    ANY("getpeername"),
    ANY("getsockopt"),
    ANY("setsockopt"),
    ARG_EQ("ioctl", 1, FIONREAD), /* libevent: bytes to read */
    ARG_EQ("ioctl", 1, FIONBIO),
    ARG_EQ("ioctl", 1, TCGETS), /* isatty(): stdio, the sanitizers */

    /* Time and waiting. */
    ANY("gettimeofday"),
    ANY("clock_nanosleep"),
    ANY("nanosleep"),

    /* The shared tables' spin locks, when contended. */
    ANY("sched_yield"),

    /* Signals. */
    ANY("rt_sigaction"),
    ANY("sigaltstack"),
    ARG_EQ("kill", 1, 0), /* whether a shared lock's holder still lives */
    ANY("gettid"),

    /* libpq reconnecting: the socket (Unix or TCP; netlink for glibc's
     * ordering of a host name's addresses), the user's name, ~/.pgpass,
     * /etc/hosts, /etc/nsswitch.conf, /etc/resolv.conf. */
    ARG_EQ("socket", 0, AF_UNIX),
    ARG_EQ("socket", 0, AF_INET),
    ARG_EQ("socket", 0, AF_INET6),
    ARG_EQ("socket", 0, AF_NETLINK),
    ANY("connect"),
    ANY("bind"),
    ANY("getuid"),
    ANY("geteuid"),
    ANY("getgid"),
    ANY("getegid"),
    ARG_MASK("openat", 2, RDONLY_MASK, O_RDONLY),
    ARG_MASK("open", 1, RDONLY_MASK, O_RDONLY),
    ANY("statx"),
    ANY("stat"),
    ANY("lseek"),
    ANY("access"),
    ANY("faccessat"),
    ANY("uname"),
};

#ifdef SANITIZED
/* The sanitizers' runtime, to print a report and its stack trace (it
 * reads /proc/self/maps and the binaries' symbols, and aborts with
 * tgkill). Only in the test build. */
static const struct allow sanitizer_allowed[] = {
    ANY("readlink"), /* the binary and the libraries, for symbols */
    ANY("readlinkat"),
    ANY("pipe2"), /* UBSan: whether memory can be read, to show it */
};
#endif

static int
add_list(scmp_filter_ctx ctx, const struct allow *list, size_t n)
{
	size_t i;
	int nr, rc;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(list[i].name);
		if (nr < 0)
			continue; /* not on this architecture */
		if (list[i].ncmp == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		else
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr,
			    list[i].ncmp, &list[i].cmp);
		if (rc != 0) {
			fprintf(stderr, "pipelined: sandbox: %s: %s\n",
			    list[i].name, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* The key manager (keymgr.c) needs no more than the common list: it
 * reads its requests and the key's file descriptor from its sockets,
 * signs, and answers; not even an open(2). */

/* Installs list as the allow-list in the mode of cfg->sandbox; with
 * "on", Landlock first confines file reads (to the system's files when
 * system_files, else to none). */
static int
install(const struct config *cfg, const struct allow *list, size_t n,
    int system_files)
{
	scmp_filter_ctx ctx;
	uint32_t deny;
	int rc = -1, err, ll;

	if (strcmp(cfg->sandbox, "off") == 0)
		return 0;
	deny = strcmp(cfg->sandbox, "log") == 0 ? SCMP_ACT_LOG
	                                        : SCMP_ACT_KILL_PROCESS;
	/* Landlock has no mode that only logs: "log" is for finding what
	 * a new environment needs, so it confines the system calls only. */
	if (deny == SCMP_ACT_KILL_PROCESS &&
	    (ll = landlock_confine(system_files)) != 0) {
		if (ll < 0)
			return -1;
		fprintf(stderr, "pipelined: sandbox: this kernel has no "
		                "Landlock; file reads are bounded by the "
		                "user's permissions only\n");
	}
	if ((ctx = seccomp_init(deny)) == NULL) {
		fprintf(stderr, "pipelined: sandbox: seccomp_init failed\n");
		return -1;
	}
	if (add_list(ctx, common_allowed,
	        sizeof(common_allowed) / sizeof(common_allowed[0])) != 0 ||
	    add_list(ctx, list, n) != 0)
		goto out;
#ifdef SANITIZED
	if (add_list(ctx, sanitizer_allowed,
	        sizeof(sanitizer_allowed) / sizeof(sanitizer_allowed[0])) != 0)
		goto out;
#endif
	/* abort() signals its own process only. */
	if ((err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	         SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()))) != 0 ||
	    (err = seccomp_load(ctx)) != 0) {
		fprintf(stderr, "pipelined: sandbox: %s\n", strerror(-err));
		goto out;
	}
	rc = 0;
out:
	seccomp_release(ctx);
	return rc;
}

int
sandbox_enter(const struct config *cfg)
{
	return install(cfg, allowed, sizeof(allowed) / sizeof(allowed[0]), 1);
}

int
sandbox_enter_keymgr(const struct config *cfg)
{
	return install(cfg, NULL, 0, 0);
}

int
sandbox_drop_privileges(const char *user)
{
	struct passwd *pw;
	pid_t master = getppid();

	if (user[0] == '\0' || getuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "pipelined: user '%s' does not exist\n", user);
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		perror("pipelined: dropping privileges");
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "pipelined: could regain root\n");
		return -1;
	}
	/* A change of credentials clears the parent-death signal; the
	 * master may have died before it was set again. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != master)
		return -1;
	return 0;
}
