/*
 * proxy.h: the PROXY protocol v2 header (HAProxy's proxy-protocol.txt,
 * section 2.2) that a connection from a proxy_protocol_from address
 * begins with, before its TLS ClientHello. The header names the client
 * the proxy accepted, so that the per-address limit, the access log and
 * the audit trail see the client rather than the proxy.
 *
 * A pure function over bytes: conn.c reads the socket, this decides.
 * Only version 2 (binary) is accepted: version 1 (text) is refused, as
 * is anything that is not TCP over IPv4 or IPv6 (a LOCAL command,
 * whatever its family, keeps the socket's peer as the client).
 */
#ifndef PIPELINED_PROXY_H
#define PIPELINED_PROXY_H

#include <stddef.h>

/* The fixed part: signature (12), version and command, family and
 * transport, and the length of what follows (2). */
#define PROXY_V2_FIXED 16

/*
 * The largest header accepted, all of it. The format allows 16 + 65535
 * bytes; the specification sizes both versions to fit the smallest TCP
 * segment every host must take (576 - 40 = 536 bytes), so that a header
 * arrives at once. An IPv6 address block is 36 bytes, which leaves 484
 * for TLVs (HAProxy's ALPN, authority, unique id of up to 128 bytes, SSL
 * details). A longer one is refused rather than buffered: only a proxy
 * can send one, and a broken proxy must not cost each connection 64 KiB.
 */
#define PROXY_V2_MAX 536

/* INET6_ADDRSTRLEN */
#define PROXY_ADDR_MAX 46

enum proxy_status {
	PROXY_MORE, /* a valid start: size says how many bytes are needed */
	PROXY_DONE, /* a whole, valid header of size bytes */
	PROXY_REFUSED, /* not one we accept: why says what */
};

struct proxy_header {
	/* PROXY_MORE: the bytes needed before the next decision (16, then
	 * the whole header); PROXY_DONE: the header's length. Never more
	 * than PROXY_V2_MAX. */
	size_t size;
	/* PROXY_DONE: a LOCAL command (the proxy's own connection, a
	 * health check): the socket's peer is the client, addr is "". */
	int local;
	/* PROXY_DONE with a PROXY command: the client's source address as
	 * inet_ntop writes it; an IPv4-mapped IPv6 address as IPv4, as a
	 * client reaching an IPv4 listener would be seen. */
	char addr[PROXY_ADDR_MAX];
};

/*
 * Reads buf[0..len) as the start of a connection from a proxy. Refuses
 * as soon as the bytes seen rule a header out (the signature, the
 * version, the command, the family, a length past PROXY_V2_MAX or below
 * the address block, a TLV that overruns the header), without waiting
 * for more. Never looks past the header: bytes after it (the
 * ClientHello) change nothing.
 */
enum proxy_status proxy_parse(const unsigned char *buf, size_t len,
    struct proxy_header *h, const char **why);

#endif
