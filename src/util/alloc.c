/*
 * alloc.c: see alloc.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "alloc.h"

void
alloc_failed(size_t n)
{
	char msg[96];
	int len;

	/* No stdio buffering: memory is what is missing. */
	len = snprintf(msg, sizeof(msg),
	    "pipelined: out of memory (%zu bytes); aborting\n", n);
	if (len > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)len);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		alloc_failed(n);
	return p;
}

void *
xcalloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);

	if (p == NULL)
		alloc_failed(count * n);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		alloc_failed(n);
	return q;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static void *
ssl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return xmalloc(n);
}

static void *
ssl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return xrealloc(p, n);
}

static void
ssl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void
plain_free(void *p)
{
	free(p);
}

void
alloc_install(void)
{
	event_set_mem_functions(xmalloc, xrealloc, plain_free);
	json_set_alloc_funcs(xmalloc, plain_free);
	/* Fails only if OpenSSL has allocated already: then it keeps its
	 * own, which returns NULL, and the callers' checks still hold. */
	(void)CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free);
}
