/*
 * etag.c: entity-tag lists as RFC 9110 §8.8.3 writes them:
 *
 *   If-Match      = "*" / #entity-tag
 *   entity-tag    = [ "W/" ] DQUOTE *etagc DQUOTE
 *   etagc         = %x21 / %x23-7E / obs-text
 *
 * and the two comparisons of §8.8.3.2.
 */
#include <string.h>

#include "etag.h"

/* One tag: its weakness and its opaque part (with the quotes). */
struct tag {
	int weak;
	const char *opaque;
	size_t len;
};

static int
etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

/* Reads a tag at *p; 0 and *p past it, or -1. */
static int
read_tag(const char **p, struct tag *t)
{
	const char *s = *p;

	t->weak = strncmp(s, "W/", 2) == 0;
	if (t->weak)
		s += 2;
	if (*s != '"')
		return -1;
	t->opaque = s++;
	while (etagc((unsigned char)*s))
		s++;
	if (*s != '"')
		return -1;
	t->len = (size_t)(++s - t->opaque);
	*p = s;
	return 0;
}

static int
same(const struct tag *a, const struct tag *b, enum etag_cmp cmp)
{
	if (cmp == ETAG_STRONG && (a->weak || b->weak))
		return 0;
	return a->len == b->len && memcmp(a->opaque, b->opaque, a->len) == 0;
}

static const char *
skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int
etag_match(const char *field, const char *current, enum etag_cmp cmp)
{
	const char *p = skip_ows(field), *c = current;
	struct tag cur, t;
	int matched = 0, n = 0;

	if (read_tag(&c, &cur) != 0)
		return ETAG_MALFORMED;
	if (*p == '*')
		return *skip_ows(p + 1) == '\0' ? ETAG_MATCH : ETAG_MALFORMED;
	for (;;) {
		p = skip_ows(p);
		if (*p == ',') { /* an empty element */
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		if (read_tag(&p, &t) != 0)
			return ETAG_MALFORMED;
		n++;
		matched |= same(&t, &cur, cmp);
		p = skip_ows(p);
		if (*p != ',' && *p != '\0')
			return ETAG_MALFORMED;
	}
	if (n == 0) /* a list of at least one */
		return ETAG_MALFORMED;
	return matched ? ETAG_MATCH : ETAG_NO_MATCH;
}
