/*
 * proxy.c: see proxy.h.
 *
 * Each check runs on as many bytes as have arrived, so that a header
 * that cannot become valid is refused at once: a proxy that speaks
 * version 1, or a client that sends its ClientHello straight away, is
 * told so without waiting out the header timeout.
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#define CMD_LOCAL 0x0
#define CMD_PROXY 0x1
#define TCP_IPV4  0x11
#define TCP_IPV6  0x21
/* The address blocks: source, destination, then the two ports. */
#define IPV4_BLOCK (4 + 4 + 2 + 2)
#define IPV6_BLOCK (16 + 16 + 2 + 2)
#define TLV_HEAD   3 /* type, and the value's length on 2 bytes */

static const unsigned char signature[12] = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* Whether the first len bytes (up to 12) differ from the signature;
 * why then names what they look like instead. */
static int
signature_refused(const unsigned char *buf, size_t len, const char **why)
{
	size_t n = len < sizeof(signature) ? len : sizeof(signature);

	if (memcmp(buf, signature, n) == 0)
		return 0;
	if (memcmp(buf, "PROXY", n < 5 ? n : 5) == 0)
		*why = "PROXY protocol version 1 (text) is not accepted; "
		       "the proxy must send version 2 (HAProxy: send-proxy-v2)";
	else if (buf[0] == 0x16)
		*why = "a TLS handshake without the PROXY header";
	else
		*why = "not a PROXY protocol version 2 header";
	return 1;
}

/* The 13th byte: version 2, and LOCAL or PROXY. */
static int
command_refused(unsigned char ver_cmd, const char **why)
{
	if ((ver_cmd >> 4) != 2)
		*why = "PROXY protocol version other than 2";
	else if ((ver_cmd & 0xF) != CMD_LOCAL && (ver_cmd & 0xF) != CMD_PROXY)
		*why = "PROXY command neither LOCAL nor PROXY";
	else
		return 0;
	return 1;
}

/* The address block of a PROXY command's family byte; 0 for one that
 * is refused: the service is TCP only, and a proxy that does not know
 * its client (UNSPEC) or has one over a UNIX socket names none. */
static size_t
address_block(unsigned char fam)
{
	return fam == TCP_IPV4 ? IPV4_BLOCK : fam == TCP_IPV6 ? IPV6_BLOCK : 0;
}

static int
is_local(const unsigned char *buf)
{
	return (buf[12] & 0xF) == CMD_LOCAL;
}

/* Walks the TLVs after the address block as far as len bytes go (they
 * are skipped, not read); whether one overruns the header. Each step
 * takes at least 3 bytes of a header of at most PROXY_V2_MAX. */
static int
tlvs_refused(const unsigned char *buf, size_t len, size_t off, size_t total,
    const char **why)
{
	while (off < total) {
		if (off + TLV_HEAD > total)
			break;
		if (off + TLV_HEAD > len)
			return 0;
		off += TLV_HEAD + ((size_t)buf[off + 1] << 8 | buf[off + 2]);
		if (off > total)
			break;
	}
	if (off == total)
		return 0;
	*why = "a PROXY header's TLV runs past its end";
	return 1;
}

/* The header's length, from the fixed part; 0 when refused. */
static size_t
header_size(const unsigned char *buf, const char **why)
{
	size_t total = PROXY_V2_FIXED + ((size_t)buf[14] << 8 | buf[15]);

	if (total > PROXY_V2_MAX)
		*why = "a PROXY header longer than 536 bytes";
	else if (!is_local(buf) &&
	         total < PROXY_V2_FIXED + address_block(buf[13]))
		*why = "a PROXY header shorter than its addresses";
	else
		return total;
	return 0;
}

/* The source address of a whole PROXY header, as text. */
static void
source_address(const unsigned char *buf, struct proxy_header *h)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (buf[13] == TCP_IPV4) {
		memcpy(&a4, buf + PROXY_V2_FIXED, sizeof(a4));
		inet_ntop(AF_INET, &a4, h->addr, sizeof(h->addr));
		return;
	}
	memcpy(&a6, buf + PROXY_V2_FIXED, sizeof(a6));
	if (IN6_IS_ADDR_V4MAPPED(&a6))
		inet_ntop(AF_INET, &a6.s6_addr[12], h->addr, sizeof(h->addr));
	else
		inet_ntop(AF_INET6, &a6, h->addr, sizeof(h->addr));
}

/* The checks of the bytes before the length is known. */
static int
fixed_refused(const unsigned char *buf, size_t len, const char **why)
{
	if (signature_refused(buf, len, why))
		return 1;
	if (len > 12 && command_refused(buf[12], why))
		return 1;
	if (len > 13 && !is_local(buf) && address_block(buf[13]) == 0) {
		*why = "a PROXY header for neither TCP over IPv4 nor over IPv6";
		return 1;
	}
	return 0;
}

enum proxy_status
proxy_parse(const unsigned char *buf, size_t len, struct proxy_header *h,
    const char **why)
{
	size_t total;

	memset(h, 0, sizeof(*h));
	*why = NULL;
	if (fixed_refused(buf, len, why))
		return PROXY_REFUSED;
	h->size = PROXY_V2_FIXED;
	if (len < PROXY_V2_FIXED)
		return PROXY_MORE;
	if ((total = header_size(buf, why)) == 0)
		return PROXY_REFUSED;
	h->size = total;
	/* LOCAL: the block, whatever it holds, is skipped whole. */
	if (!is_local(buf) &&
	    tlvs_refused(
	        buf, len, PROXY_V2_FIXED + address_block(buf[13]), total, why))
		return PROXY_REFUSED;
	if (len < total)
		return PROXY_MORE;
	if (is_local(buf))
		h->local = 1;
	else
		source_address(buf, h);
	return PROXY_DONE;
}
