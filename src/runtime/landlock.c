/*
 * landlock.c: a worker reads only what it needs after its set-up.
 *
 * The seccomp filter (sandbox.c) lets a worker open files to read, and
 * the `user` option keeps it out of what is not world-readable; Landlock
 * narrows what is left to a few hierarchies. A worker needs files only
 * when libpq connects again (the user's name and ~/.pgpass, the resolver's
 * /etc/hosts, /etc/nsswitch.conf and /etc/resolv.conf) and when the time
 * zone is read (/etc/localtime and /usr/share/zoneinfo). The test build's
 * sanitizers also read /proc/self/maps and the binaries' symbols.
 *
 * Every access right that the running kernel's Landlock knows is handled
 * and only reading is granted, so a worker can neither write, create,
 * remove nor execute anything through a path. There is no libc wrapper
 * for these calls in Debian 12's glibc; they are made with syscall(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "sanitized.h"

/* The access rights of Landlock's first ABI, and those added since that
 * the kernel may know: a right the ruleset does not handle is allowed. */
#define FS_ABI1                                                                \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |          \
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |       \
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |   \
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |       \
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |       \
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |     \
	    LANDLOCK_ACCESS_FS_MAKE_SYM)
#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

static const char *const system_files[] = {
    "/etc",
    "/usr/share/zoneinfo",
};

#ifdef SANITIZED
/* The sanitizers' reports: the maps, the binaries and libraries. */
static const char *const sanitizer_files[] = {
    "/proc",
    "/usr",
    "/lib",
    "/lib64",
};
#endif

static __u64
handled_rights(int abi)
{
	__u64 fs = FS_ABI1;

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE /* not in Debian 12's headers */
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
#endif
	return fs;
}

/* Allows reading beneath path; a path that does not exist is skipped. */
static int
allow_read(int ruleset, const char *path)
{
	struct landlock_path_beneath_attr rule = {.allowed_access = FS_READ};
	int rc;

	if ((rule.parent_fd = open(path, O_PATH | O_CLOEXEC)) < 0)
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	close(rule.parent_fd);
	return rc;
}

/* The user's home directory, for ~/.pgpass and ~/.postgresql/ (libpq
 * finds it with getpwuid, not $HOME). */
static int
allow_home(int ruleset)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw != NULL && pw->pw_dir[0] == '/'
	           ? allow_read(ruleset, pw->pw_dir)
	           : 0;
}

#ifdef SANITIZED
/* The directory of the running binary, whose symbols a report shows. */
static int
allow_own_dir(int ruleset)
{
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL && slash != exe)
		*slash = '\0';
	return allow_read(ruleset, exe);
}
#endif

/* Allows reading beneath each of n paths. */
static int
allow_reads(int ruleset, const char *const *paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (allow_read(ruleset, paths[i]) != 0)
			return -1;
	return 0;
}

int
landlock_confine(int system)
{
	struct landlock_ruleset_attr attr = {0};
	int abi, ruleset, rc = -1;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? 1 : -1;
	attr.handled_access_fs = handled_rights(abi);
	ruleset =
	    (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		goto fail;
	if (system &&
	    (allow_reads(ruleset, system_files,
	         sizeof(system_files) / sizeof(system_files[0])) != 0 ||
	        allow_home(ruleset) != 0))
		goto out;
#ifdef SANITIZED
	if (allow_reads(ruleset, sanitizer_files,
	        sizeof(sanitizer_files) / sizeof(sanitizer_files[0])) != 0 ||
	    allow_own_dir(ruleset) != 0)
		goto out;
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
		goto out;
	rc = 0;
out:
	close(ruleset);
fail:
	if (rc != 0)
		fprintf(stderr, "pipelined: sandbox: landlock: %s\n",
		    strerror(errno));
	return rc;
}
