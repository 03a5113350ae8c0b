/*
 * router.h: matching a request path against a route pattern such as
 * "/api/v1/projects/{id}/events/{event_id}". A "{name}" segment matches one
 * non-empty path segment, which is captured; everything else matches literally.
 */
#ifndef PIPELINED_ROUTER_H
#define PIPELINED_ROUTER_H

#define ROUTE_MAX_CAPTURES 3
#define ROUTE_CAPTURE_MAX  72 /* a SHA-256 in hex, and its NUL */

struct route_captures {
	int n;
	char value[ROUTE_MAX_CAPTURES][ROUTE_CAPTURE_MAX];
};

/* Returns 1 on a match (captures filled), 0 otherwise. */
int router_match(
    const char *pattern, const char *path, struct route_captures *caps);

#endif
