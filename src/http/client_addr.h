/*
 * client_addr.h: who the client of a request is, when the connection
 * comes from a trusted proxy (trusted_proxies). Only then are the
 * Forwarded (RFC 7239) or X-Forwarded-For fields believed: anyone else
 * could write any address into them.
 */
#ifndef PIPELINED_CLIENT_ADDR_H
#define PIPELINED_CLIENT_ADDR_H

#include <stddef.h>

#include "../util/cidr.h"
#include "http.h"

/*
 * The client's address of r, arriving from peer, into out. When peer is
 * not a trusted proxy, that is peer. Otherwise the forwarding chain
 * (Forwarded if present, else X-Forwarded-For; each proxy appends the
 * address it was reached from) is walked from its end: each trusted hop
 * hands over to the address before it, and the first address that is
 * not a trusted proxy is the client. An entry that is not an address
 * ("unknown", an obfuscated name, garbage) stops the walk at the last
 * trusted hop, which is then the client as far as anyone can tell.
 */
void client_addr_resolve(const struct http_request *r,
    const struct cidr_list *trusted, const char *peer, char *out,
    size_t outlen);

#endif
