/*
 * alloc.h: the one out-of-memory policy. Allocation never fails for its
 * caller: when malloc does, the process says so on stderr and aborts. A
 * worker is a supervised process; the master replaces it within a second,
 * which is simpler and safer than a recovery branch at every call site,
 * each one a path that the tests would never take.
 */
#ifndef PIPELINED_ALLOC_H
#define PIPELINED_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Called by the wrappers, and by code that gets NULL from a library's
 * allocation (OpenSSL, libevent, jansson): never returns. */
void alloc_failed(size_t n) __attribute__((noreturn));

#endif
