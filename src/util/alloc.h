/*
 * alloc.h: the one out-of-memory policy. Allocation never fails for its
 * caller: when malloc does, the process says so on stderr and aborts. A
 * worker is a supervised process; the master replaces it within a second,
 * which is simpler and safer than a recovery branch at every call site,
 * each one a path that the tests would never take. alloc_install() gives
 * libevent, jansson and OpenSSL the same policy, so that an evbuffer_new()
 * or a json_dumps() that returns NULL is not a case callers handle.
 * (libpq has no allocation hook: its failures come back as a failed query
 * or a lost connection, which the pool already handles.)
 */
#ifndef PIPELINED_ALLOC_H
#define PIPELINED_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Makes libevent, jansson and OpenSSL allocate through the same policy;
 * first thing in main(), before any of them allocates. */
void alloc_install(void);

/* Called by the wrappers, and by code that gets NULL from a library's
 * allocation (OpenSSL, libevent, jansson): never returns. */
void alloc_failed(size_t n) __attribute__((noreturn));

#endif
