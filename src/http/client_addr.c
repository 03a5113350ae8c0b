/*
 * client_addr.c: see client_addr.h.
 */
#include "client_addr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CHAIN_MAX 32 /* hops considered; a longer chain is cut at its start */
#define ADDR_MAX  64

struct chain {
	char hop[CHAIN_MAX][ADDR_MAX];
	int n;
};

/* Appends one hop, dropping the oldest when the chain is full (the walk
 * starts from the newest). */
static void
chain_add(struct chain *ch, const char *s, size_t len)
{
	if (ch->n == CHAIN_MAX) {
		memmove(ch->hop[0], ch->hop[1],
		    sizeof(ch->hop[0]) * (CHAIN_MAX - 1));
		ch->n--;
	}
	if (len >= ADDR_MAX)
		len = 0; /* not an address: it stops the walk */
	memcpy(ch->hop[ch->n], s, len);
	ch->hop[ch->n][len] = '\0';
	ch->n++;
}

static const char *
trim(const char *s, const char *end, size_t *len)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*len = (size_t)(end - s);
	return s;
}

/* X-Forwarded-For: "client, proxy1, proxy2". */
static void
xff_parse(struct chain *ch, const char *v)
{
	const char *end, *hop;
	size_t len;

	for (;;) {
		end = v + strcspn(v, ",");
		hop = trim(v, end, &len); /* before len is read */
		chain_add(ch, hop, len);
		if (*end == '\0')
			return;
		v = end + 1;
	}
}

/* The node of a Forwarded "for=" (RFC 7239 §6): a quoted or bare IPv4
 * address with an optional port, or "[IPv6]" with an optional port. */
static void
node_add(struct chain *ch, const char *s, size_t len)
{
	const char *close, *colon;

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len > 0 && s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL) {
			chain_add(ch, "", 0);
			return;
		}
		chain_add(ch, s + 1, (size_t)(close - s - 1));
		return;
	}
	colon = memchr(s, ':', len);
	chain_add(ch, s, colon != NULL ? (size_t)(colon - s) : len);
}

/* One Forwarded element, "for=...;proto=...;by=...": its for, if any. */
static void
element_parse(struct chain *ch, const char *s, const char *end)
{
	const char *pair, *pend;
	size_t len;

	for (pair = s; pair < end; pair = pend + 1) {
		pend = memchr(pair, ';', (size_t)(end - pair));
		if (pend == NULL)
			pend = end;
		pair = trim(pair, pend, &len);
		if (len > 4 && strncasecmp(pair, "for=", 4) == 0) {
			node_add(ch, pair + 4, len - 4);
			return;
		}
	}
	chain_add(ch, "", 0); /* a hop that says nothing of itself */
}

/* Forwarded: elements separated by commas (none of our values may hold
 * a comma, so quoted strings need no special case to split). */
static void
forwarded_parse(struct chain *ch, const char *v)
{
	const char *end;

	for (;;) {
		end = v + strcspn(v, ",");
		element_parse(ch, v, end);
		if (*end == '\0')
			return;
		v = end + 1;
	}
}

/* Every field named name, in order, into one chain; whether any was. */
static int
chain_read(const struct http_request *r, const char *name,
    void (*parse)(struct chain *, const char *), struct chain *ch)
{
	int i, found = 0;

	ch->n = 0;
	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0) {
			parse(ch, r->headers[i].value);
			found = 1;
		}
	return found;
}

void
client_addr_resolve(const struct http_request *r,
    const struct cidr_list *trusted, const char *peer, char *out, size_t outlen)
{
	struct chain ch;
	const char *who = peer;
	int i;

	if (cidr_list_match(trusted, peer) &&
	    (chain_read(r, "Forwarded", forwarded_parse, &ch) ||
	        chain_read(r, "X-Forwarded-For", xff_parse, &ch))) {
		for (i = ch.n - 1; i >= 0 && cidr_list_match(trusted, who);
		     i--) {
			if (!cidr_is_address(ch.hop[i]))
				break;
			who = ch.hop[i];
		}
	}
	snprintf(out, outlen, "%s", who);
}
