/*
 * landlock.h: what a worker may read once it is set up, with the kernel's
 * Landlock (sandbox.c calls it before the seccomp filter, which then
 * forbids changing it).
 */
#ifndef PIPELINED_LANDLOCK_H
#define PIPELINED_LANDLOCK_H

/* Confines the calling process's file access to reading, when system,
 * the hierarchies that libpq and glibc need to reconnect (/etc, the zone
 * files, the user's home directory), else nothing; and, in the test
 * build, what the sanitizers read to report. Nothing may be written, created,
 * removed or executed through a path. Returns 0 when confined, 1 when the
 * kernel has no Landlock (the seccomp filter and the file permissions still
 * hold), and -1 with a message on stderr when it fails otherwise. */
int landlock_confine(int system);

#endif
