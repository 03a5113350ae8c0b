/*
 * cursor.c: see cursor.h. The check is a keyed hash of the position and
 * the list's filters; it is an integrity check, not a secret: knowing a cursor
 * grants nothing that the list itself does not. Nothing here does I/O; the
 * readers of the query string, which answer 400, are in page.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

static unsigned long long
mix(unsigned long long h, long long v)
{
	int i;

	for (i = 0; i < 8; i++) {
		h ^= (unsigned long long)(v >> (i * 8)) & 0xff;
		h *= 1099511628211ull;
	}
	return h;
}

/* A scope of 0 (a list without filters) gives the check that cursors
 * had before they were bound to their filters: those stay valid. */
static unsigned long long
check(long long seq, unsigned long long scope)
{
	return mix(1469598103934665603ull ^ 0x9e3779b97f4a7c15ull ^ scope,
	           seq) &
	       0xffffffffull;
}

/* Whether the parameter at p (len bytes) is named name. */
static int
named(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && strncmp(p, name, n) == 0 &&
	       (len == n || p[n] == '=');
}

static int
by_bytes(const void *x, const void *y)
{
	const struct param {
		const char *p;
		size_t len;
	} *a = x, *b = y;
	int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

unsigned long long
cursor_scope(const char *query)
{
	struct param {
		const char *p;
		size_t len;
	} params[CURSOR_SCOPE_MAX];
	unsigned long long h = 0;
	size_t n = 0, i, len;
	const char *s = query, *amp;

	while (s != NULL && *s != '\0' && n < CURSOR_SCOPE_MAX) {
		amp = strchr(s, '&');
		len = amp ? (size_t)(amp - s) : strlen(s);
		if (len > 0 && !named(s, len, "cursor") &&
		    !named(s, len, "limit")) {
			params[n].p = s;
			params[n++].len = len;
		}
		s = amp ? amp + 1 : NULL;
	}
	if (n == 0)
		return 0;
	qsort(params, n, sizeof(params[0]), by_bytes);
	h = 0xcbf29ce484222325ull;
	for (i = 0; i < n; i++) {
		for (len = 0; len < params[i].len; len++)
			h = (h ^ (unsigned char)params[i].p[len]) *
			    1099511628211ull;
		h = (h ^ '&') * 1099511628211ull;
	}
	return h | 1; /* never 0, the scope of no filters */
}

static unsigned long long
check_pair(long long a, long long b)
{
	return mix(mix(0x84222325cbf29ce4ull, a), b) & 0xffffffffull;
}

void
cursor_encode_pair(long long a, long long b, char out[CURSOR_MAX])
{
	snprintf(out, CURSOR_MAX, "%llx-%llx.%08llx", (unsigned long long)a,
	    (unsigned long long)b, check_pair(a, b));
}

int
cursor_decode_pair(const char *s, long long *a, long long *b)
{
	char buf[CURSOR_MAX];
	unsigned long long x, y;
	char *end;

	if (strlen(s) >= CURSOR_MAX ||
	    strspn(s, "0123456789abcdef.-") != strlen(s))
		return -1;
	x = strtoull(s, &end, 16);
	if (*end != '-' || end == s)
		return -1;
	y = strtoull(end + 1, &end, 16);
	if (*end != '.' || x > 0x7fffffffffffffffull ||
	    y > 0x7fffffffffffffffull)
		return -1;
	cursor_encode_pair((long long)x, (long long)y, buf);
	if (strcmp(buf, s) != 0) /* the check, and one spelling */
		return -1;
	*a = (long long)x;
	*b = (long long)y;
	return 0;
}

void
cursor_encode(long long seq, unsigned long long scope, char out[CURSOR_MAX])
{
	snprintf(out, CURSOR_MAX, "%llx.%08llx", (unsigned long long)seq,
	    check(seq, scope));
}

int
cursor_decode(const char *s, unsigned long long scope, long long *seq)
{
	char buf[CURSOR_MAX];
	unsigned long long v, c;
	char *end;

	if (strlen(s) >= CURSOR_MAX ||
	    strspn(s, "0123456789abcdef.") != strlen(s))
		return -1;
	v = strtoull(s, &end, 16);
	if (*end != '.' || end == s)
		return -1;
	c = strtoull(end + 1, &end, 16);
	if (*end != '\0' || v > 0x7fffffffffffffffull ||
	    c != check((long long)v, scope))
		return -1;
	cursor_encode((long long)v, scope, buf);
	if (strcmp(buf, s) != 0) /* one spelling per position */
		return -1;
	*seq = (long long)v;
	return 0;
}
