/*
 * test_proxy.c: the PROXY protocol v2 header (src/http/proxy.c): the
 * client's address of TCP over IPv4 and IPv6, LOCAL, TLVs skipped, and
 * every refusal as early as the bytes allow: a header cut short waits,
 * one that cannot become valid (a bad signature, version 1 text, another
 * family, a length past 536 bytes or a TLV past the end) is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "../../src/http/proxy.h"

static const unsigned char sig[12] = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* The start of a TLS 1.2/1.3 ClientHello record, as a client sends it. */
static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};

/* A header: the signature, ver_cmd, fam, then the len bytes of block;
 * its length. */
static size_t
header(unsigned char *out, unsigned ver_cmd, unsigned fam,
    const unsigned char *block, size_t len)
{
	memcpy(out, sig, sizeof(sig));
	out[12] = (unsigned char)ver_cmd;
	out[13] = (unsigned char)fam;
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)len;
	if (len > 0)
		memcpy(out + 16, block, len);
	return 16 + len;
}

/* An address block of TCP over IPv4 (12 bytes) into out, from text. */
static size_t
block_v4(unsigned char *out, const char *src)
{
	assert_int_equal(inet_pton(AF_INET, src, out), 1);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", out + 4), 1);
	memcpy(out + 8, "\xc3\x50\x20\xfb", 4); /* 50000 -> 8443 */
	return 12;
}

static size_t
block_v6(unsigned char *out, const char *src)
{
	assert_int_equal(inet_pton(AF_INET6, src, out), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", out + 16), 1);
	memcpy(out + 32, "\xc3\x50\x20\xfb", 4);
	return 36;
}

/* A TLV of type t with n bytes of value v, at out; its length. */
static size_t
tlv(unsigned char *out, unsigned t, const char *v, size_t n)
{
	out[0] = (unsigned char)t;
	out[1] = (unsigned char)(n >> 8);
	out[2] = (unsigned char)n;
	memcpy(out + 3, v, n);
	return 3 + n;
}

static enum proxy_status
parse(const unsigned char *buf, size_t len, struct proxy_header *h)
{
	const char *why;
	enum proxy_status st = proxy_parse(buf, len, h, &why);

	assert_true((st == PROXY_REFUSED) == (why != NULL));
	return st;
}

/* The reason buf is refused; fails when it is not. */
static const char *
refused(const unsigned char *buf, size_t len)
{
	struct proxy_header h;
	const char *why;

	assert_int_equal(proxy_parse(buf, len, &h, &why), PROXY_REFUSED);
	assert_non_null(why);
	return why;
}

static void
test_ipv4(void **state)
{
	unsigned char b[12], buf[128];
	struct proxy_header h;
	size_t n = header(buf, 0x21, 0x11, b, block_v4(b, "203.0.113.7"));

	(void)state;
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, 28);
	assert_false(h.local);
	assert_string_equal(h.addr, "203.0.113.7");
	/* The ClientHello behind it is not the header's. */
	memcpy(buf + n, hello, sizeof(hello));
	assert_int_equal(parse(buf, n + sizeof(hello), &h), PROXY_DONE);
	assert_int_equal(h.size, 28);
	assert_string_equal(h.addr, "203.0.113.7");
}

static void
test_ipv6(void **state)
{
	unsigned char b[36], buf[128];
	struct proxy_header h;
	size_t n = header(buf, 0x21, 0x21, b, block_v6(b, "2001:db8::7"));

	(void)state;
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, 52);
	assert_string_equal(h.addr, "2001:db8::7");
	/* An IPv4 client of an IPv6 front end is the IPv4 address, as the
	 * same client reaching an IPv4 listener would be. */
	n = header(buf, 0x21, 0x21, b, block_v6(b, "::ffff:203.0.113.7"));
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_string_equal(h.addr, "203.0.113.7");
}

/* LOCAL: the proxy's own connection; whatever the block holds (its
 * family is ignored), it is skipped. */
static void
test_local(void **state)
{
	unsigned char b[64], buf[128];
	struct proxy_header h;
	size_t n = header(buf, 0x20, 0x00, NULL, 0);

	(void)state;
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, 16);
	assert_true(h.local);
	assert_string_equal(h.addr, "");
	n = header(buf, 0x20, 0x11, b, block_v4(b, "203.0.113.7"));
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, 28);
	assert_true(h.local);
	assert_string_equal(h.addr, "");
	memset(b, 0xff, 5);
	n = header(buf, 0x20, 0x31, b, 5);
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, 21);
	assert_true(h.local);
}

/* TLVs after the addresses are skipped; one that runs past the header's
 * length is refused, as soon as its length is seen. */
static void
test_tlvs(void **state)
{
	unsigned char b[512], buf[600];
	char id[128];
	struct proxy_header h;
	size_t len = block_v4(b, "198.51.100.9"), n;

	(void)state;
	memset(id, 'u', sizeof(id));
	len += tlv(b + len, 0x01, "h2", 2); /* ALPN */
	len += tlv(b + len, 0x04, "", 0); /* NOOP */
	len += tlv(b + len, 0x05, id, sizeof(id)); /* UNIQUE_ID */
	n = header(buf, 0x21, 0x11, b, len);
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, n);
	assert_string_equal(h.addr, "198.51.100.9");

	/* The last TLV claims one byte more than the header has. */
	buf[n - sizeof(id) - 1] = sizeof(id) + 1;
	assert_non_null(strstr(refused(buf, n), "TLV"));
	/* ... which is known from its 3 bytes, before the rest arrives. */
	assert_non_null(strstr(refused(buf, n - sizeof(id)), "TLV"));
	/* A TLV cut inside its own type and length. */
	len = block_v4(b, "198.51.100.9");
	b[len++] = 0x04;
	b[len++] = 0x00;
	n = header(buf, 0x21, 0x11, b, len);
	assert_non_null(strstr(refused(buf, n), "TLV"));
}

/* Every prefix of a header waits for the rest, and says how much it
 * needs: the fixed 16 bytes first, then the whole header. */
static void
test_truncated(void **state)
{
	unsigned char b[64], buf[128];
	struct proxy_header h;
	size_t len = block_v6(b, "2001:db8::7"), n, k;

	(void)state;
	len += tlv(b + len, 0x02, "example.org", 11);
	n = header(buf, 0x21, 0x21, b, len);
	for (k = 0; k < n; k++) {
		assert_int_equal(parse(buf, k, &h), PROXY_MORE);
		assert_int_equal(h.size, k < 16 ? 16 : n);
	}
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
}

static void
test_bad_signature(void **state)
{
	unsigned char b[12], buf[128];
	size_t n = header(buf, 0x21, 0x11, b, block_v4(b, "203.0.113.7"));

	(void)state;
	/* A client that starts TLS at once is told so from its first
	 * byte. */
	assert_non_null(strstr(refused(hello, 1), "TLS handshake"));
	assert_non_null(strstr(refused(hello, sizeof(hello)), "TLS"));
	assert_non_null(
	    strstr(refused((const unsigned char *)"GET / HTTP/1.1", 14),
	        "not a PROXY protocol version 2 header"));
	/* One byte of the signature wrong, even the NUL in it. */
	buf[4] = 'x';
	refused(buf, n);
	refused(buf, 5);
	buf[4] = 0x00;
	buf[11] = 0x0D;
	refused(buf, n);
}

static void
test_version_1(void **state)
{
	const char *v1 = "PROXY TCP4 203.0.113.7 192.0.2.1 50000 8443\r\n";

	(void)state;
	assert_non_null(strstr(refused((const unsigned char *)v1, strlen(v1)),
	    "version 1 (text) is not accepted"));
	/* Refused from its first bytes, without waiting for its line. */
	assert_non_null(
	    strstr(refused((const unsigned char *)v1, 3), "version 1 (text)"));
}

/* The version must be 2 and the command LOCAL or PROXY. */
static void
test_bad_version_and_command(void **state)
{
	unsigned char b[12], buf[128];
	size_t n;

	(void)state;
	n = header(buf, 0x11, 0x11, b, block_v4(b, "203.0.113.7"));
	assert_non_null(strstr(refused(buf, n), "version other than 2"));
	assert_non_null(strstr(refused(buf, 13), "version other than 2"));
	n = header(buf, 0x31, 0x11, b, 12);
	refused(buf, n);
	n = header(buf, 0x22, 0x11, b, 12);
	assert_non_null(strstr(refused(buf, n), "neither LOCAL nor PROXY"));
	(void)header(buf, 0x2F, 0x11, b, 12);
	refused(buf, 13);
}

/* A PROXY command names a TCP client over IPv4 or IPv6, or is refused:
 * UDP, UNIX sockets, UNSPEC and values the protocol does not define. */
static void
test_bad_family(void **state)
{
	static const unsigned fams[] = {
	    0x00, 0x01, 0x10, 0x12, 0x20, 0x22, 0x31, 0x32, 0x13, 0x41, 0xff};
	unsigned char b[216], buf[300];
	size_t i, n;

	(void)state;
	memset(b, 0, sizeof(b));
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		n = header(buf, 0x21, fams[i], b, 216);
		assert_non_null(strstr(refused(buf, n), "neither TCP"));
		/* Known from the 14th byte. */
		refused(buf, 14);
	}
}

/* At most 536 bytes in all; at least the address block. */
static void
test_oversized_and_short_length(void **state)
{
	static unsigned char b[65535], buf[16 + 65535];
	struct proxy_header h;
	size_t len = block_v4(b, "203.0.113.7"), n;

	(void)state;
	memset(b + len, 0, sizeof(b) - len);
	/* A NOOP TLV fills the header to exactly 536 bytes. */
	b[len] = 0x04;
	b[len + 1] = (520 - len - 3) >> 8;
	b[len + 2] = (520 - len - 3) & 0xff;
	n = header(buf, 0x21, 0x11, b, 520);
	assert_int_equal(parse(buf, n, &h), PROXY_DONE);
	assert_int_equal(h.size, 536);
	/* One more is refused, on the fixed 16 bytes alone. */
	b[len + 2]++;
	n = header(buf, 0x21, 0x11, b, 521);
	assert_non_null(strstr(refused(buf, n), "longer than 536"));
	assert_non_null(strstr(refused(buf, 16), "longer than 536"));
	(void)header(buf, 0x21, 0x11, b, 65535);
	assert_non_null(strstr(refused(buf, 16), "longer than 536"));
	/* Shorter than its addresses. */
	n = header(buf, 0x21, 0x11, b, 8);
	assert_non_null(strstr(refused(buf, n), "shorter than its addresses"));
	n = header(buf, 0x21, 0x21, b, 12);
	assert_non_null(strstr(refused(buf, n), "shorter than its addresses"));
	/* LOCAL too is bounded. */
	(void)header(buf, 0x20, 0x00, b, 600);
	assert_non_null(strstr(refused(buf, 16), "longer than 536"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_local),
	    cmocka_unit_test(test_tlvs),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bad_signature),
	    cmocka_unit_test(test_version_1),
	    cmocka_unit_test(test_bad_version_and_command),
	    cmocka_unit_test(test_bad_family),
	    cmocka_unit_test(test_oversized_and_short_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
