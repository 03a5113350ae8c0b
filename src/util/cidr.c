/*
 * cidr.c: see cidr.h.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4_mapped[12] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Reads a textual address into c (bits untouched); -1 when it is none. */
static int
address_read(const char *s, struct cidr *c)
{
	unsigned char a6[16];

	memset(c->addr, 0, sizeof(c->addr));
	if (inet_pton(AF_INET, s, c->addr) == 1) {
		c->v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a6) != 1)
		return -1;
	if (memcmp(a6, v4_mapped, sizeof(v4_mapped)) == 0) {
		c->v6 = 0;
		memcpy(c->addr, a6 + 12, 4);
	} else {
		c->v6 = 1;
		memcpy(c->addr, a6, 16);
	}
	return 0;
}

int
cidr_is_address(const char *s)
{
	struct cidr c;

	return address_read(s, &c) == 0;
}

/* One range, "addr" or "addr/bits". */
static int
range_parse(const char *tok, struct cidr *c)
{
	char addr[64], *slash, *end;
	long bits;

	if (strlen(tok) >= sizeof(addr))
		return -1;
	memcpy(addr, tok, strlen(tok) + 1);
	slash = strchr(addr, '/');
	if (slash != NULL)
		*slash = '\0';
	if (address_read(addr, c) != 0)
		return -1;
	c->bits = c->v6 ? 128 : 32;
	if (slash == NULL)
		return 0;
	bits = strtol(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > c->bits)
		return -1;
	c->bits = (int)bits;
	return 0;
}

int
cidr_list_parse(
    const char *text, struct cidr_list *out, char *why, size_t whylen)
{
	const char *sep = " \t,";
	char tok[64];
	size_t n;

	out->n = 0;
	for (text += strspn(text, sep); *text != '\0';
	     text += strspn(text, sep)) {
		n = strcspn(text, sep);
		if (out->n == CIDR_MAX) {
			snprintf(why, whylen, "more than %d ranges", CIDR_MAX);
			return -1;
		}
		if (n >= sizeof(tok)) {
			snprintf(why, whylen,
			    "'%.20s...' is not an address range", text);
			return -1;
		}
		memcpy(tok, text, n);
		tok[n] = '\0';
		if (range_parse(tok, &out->range[out->n]) != 0) {
			snprintf(why, whylen,
			    "'%s' is not an address or address/bits", tok);
			return -1;
		}
		out->n++;
		text += n;
	}
	return 0;
}

static int
range_holds(const struct cidr *r, const struct cidr *a)
{
	int full = r->bits / 8, rest = r->bits % 8;
	unsigned char mask;

	if (r->v6 != a->v6 || memcmp(r->addr, a->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (r->addr[full] & mask) == (a->addr[full] & mask);
}

int
cidr_list_match(const struct cidr_list *l, const char *addr)
{
	struct cidr a;
	int i;

	if (l->n == 0 || address_read(addr, &a) != 0)
		return 0;
	for (i = 0; i < l->n; i++)
		if (range_holds(&l->range[i], &a))
			return 1;
	return 0;
}
