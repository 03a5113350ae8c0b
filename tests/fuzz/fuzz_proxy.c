/*
 * fuzz_proxy.c: libFuzzer harness for the PROXY protocol v2 header
 * (proxy_parse() in src/http/proxy.c). The input is the first bytes a
 * proxy sends on a connection: a header, perhaps, then anything (the
 * ClientHello).
 *
 * The input and each of its first PROXY_V2_MAX + 1 prefixes are parsed,
 * each from a buffer of exactly its bytes (so that ASan sees a read past
 * them: the parser must never look beyond what has arrived, nor beyond
 * the header into the ClientHello). Every verdict is one of three; a
 * refusal says why and nothing else does. While more is needed, the
 * size asked for is more than has arrived, at most PROXY_V2_MAX, and
 * never shrinks as bytes arrive. A whole header is exactly 16 bytes and
 * its length field, at most PROXY_V2_MAX, and names an address
 * inet_pton reads back, or is a LOCAL command with none. And the
 * prefixes agree with the whole: once a prefix is refused or complete,
 * the whole input has the same verdict (the same size and address), and
 * when the whole waits for more, so did every prefix.
 */
#include <arpa/inet.h>
#include <string.h>

#include "../../src/http/proxy.h"

#define FUZZ_NAME "fuzz_proxy"
#include "fuzz.h"

struct verdict {
	enum proxy_status st;
	struct proxy_header h;
};

static void
check_done(const uint8_t *buf, size_t len, const struct proxy_header *h)
{
	unsigned char bin[16];

	CHECK(h->size >= PROXY_V2_FIXED && h->size <= len);
	CHECK(h->size <= PROXY_V2_MAX);
	CHECK(h->size == PROXY_V2_FIXED + ((size_t)buf[14] << 8 | buf[15]));
	CHECK(memchr(h->addr, '\0', sizeof(h->addr)) != NULL);
	if (h->local) {
		CHECK(h->addr[0] == '\0');
		CHECK((buf[12] & 0xF) == 0);
		return;
	}
	CHECK((buf[12] & 0xF) == 1);
	CHECK(inet_pton(AF_INET, h->addr, bin) == 1 ||
	      inet_pton(AF_INET6, h->addr, bin) == 1);
}

/* Parses a copy of buf[0..len) of exactly len bytes. */
static struct verdict
parse_exact(const uint8_t *buf, size_t len)
{
	unsigned char *copy = malloc(len > 0 ? len : 1);
	struct verdict v;
	const char *why = "unset";

	CHECK(copy != NULL);
	memcpy(copy, buf, len);
	v.st = proxy_parse(copy, len, &v.h, &why);
	free(copy);
	CHECK(
	    v.st == PROXY_MORE || v.st == PROXY_DONE || v.st == PROXY_REFUSED);
	CHECK((v.st == PROXY_REFUSED) == (why != NULL));
	if (v.st == PROXY_MORE)
		CHECK(v.h.size > len && v.h.size >= PROXY_V2_FIXED &&
		      v.h.size <= PROXY_V2_MAX);
	if (v.st == PROXY_DONE)
		check_done(buf, len, &v.h);
	return v;
}

static int
same(const struct verdict *a, const struct verdict *b)
{
	if (a->st != b->st)
		return 0;
	if (a->st != PROXY_DONE)
		return 1;
	return a->h.size == b->h.size && a->h.local == b->h.local &&
	       strcmp(a->h.addr, b->h.addr) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verdict whole = parse_exact(data, size), part;
	size_t k, asked = 0;
	int decided = 0;

	for (k = 0; k <= size && k <= PROXY_V2_MAX && !decided; k++) {
		part = parse_exact(data, k);
		if (part.st == PROXY_MORE) {
			CHECK(part.h.size >= asked);
			asked = part.h.size;
			continue;
		}
		/* Decided on k bytes: what follows changes nothing. */
		CHECK(same(&part, &whole));
		decided = 1;
	}
	/* No header needs more than PROXY_V2_MAX bytes to be decided. */
	CHECK(decided == (whole.st != PROXY_MORE));
	return 0;
}
