/*
 * cursor.c: see cursor.h. The check is a keyed hash of the position; it
 * is an integrity check, not a secret: knowing a cursor grants nothing
 * that the list itself does not. Nothing here does I/O; the readers of
 * the query string, which answer 400, are in page.c.
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

static unsigned long long
check(long long seq)
{
	return mix(1469598103934665603ull ^ 0x9e3779b97f4a7c15ull, seq) &
	       0xffffffffull;
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
cursor_encode(long long seq, char out[CURSOR_MAX])
{
	snprintf(out, CURSOR_MAX, "%llx.%08llx", (unsigned long long)seq,
	    check(seq));
}

int
cursor_decode(const char *s, long long *seq)
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
	    c != check((long long)v))
		return -1;
	cursor_encode((long long)v, buf);
	if (strcmp(buf, s) != 0) /* one spelling per position */
		return -1;
	*seq = (long long)v;
	return 0;
}
