/*
 * etag.h: RFC 9110 §13.1.1 and §13.1.2, the If-Match and If-None-Match
 * field values against a resource's current entity tag (etag.c, which
 * does no I/O).
 */
#ifndef PIPELINED_ETAG_H
#define PIPELINED_ETAG_H

/* The comparison of §8.8.3.2: If-Match uses the strong one (neither tag
 * weak, the same opaque tag), If-None-Match the weak one (the same
 * opaque tag, W/ or not). */
enum etag_cmp { ETAG_STRONG, ETAG_WEAK };

#define ETAG_MATCH     1
#define ETAG_NO_MATCH  0
#define ETAG_MALFORMED (-1)

/*
 * field: "*" or a list of entity tags (`"x"`, `W/"x"`, separated by
 * commas and optional whitespace, empty elements allowed); current: the
 * resource's tag as it is sent (`"5"`, or `W/"5"`). "*" matches any
 * current tag. Returns ETAG_MATCH when one element matches,
 * ETAG_NO_MATCH when none does, ETAG_MALFORMED when field is not such a
 * list.
 */
int etag_match(const char *field, const char *current, enum etag_cmp cmp);

#endif
