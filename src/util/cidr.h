/*
 * cidr.h: lists of address ranges ("10.0.0.0/8 192.168.1.7 ::1/128"),
 * for trusted_proxies. IPv4 and IPv6; an IPv4-mapped IPv6 address
 * ("::ffff:10.1.2.3") is matched as the IPv4 address it carries.
 */
#ifndef PIPELINED_CIDR_H
#define PIPELINED_CIDR_H

#include <stddef.h>

#define CIDR_MAX 32

struct cidr {
	int v6; /* 0: IPv4, the first 4 bytes of addr */
	unsigned char addr[16];
	int bits;
};

struct cidr_list {
	struct cidr range[CIDR_MAX];
	int n;
};

/* Parses ranges separated by spaces or commas into out; -1 with a reason
 * in why for a range that is not one, or more than CIDR_MAX. */
int cidr_list_parse(
    const char *text, struct cidr_list *out, char *why, size_t whylen);

/* Whether the textual address addr lies in one of the ranges (0 for
 * text that is not an address). */
int cidr_list_match(const struct cidr_list *l, const char *addr);

/* Whether s is an IPv4 or IPv6 address in text form. */
int cidr_is_address(const char *s);

#endif
