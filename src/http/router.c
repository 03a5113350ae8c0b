/*
 * router.c: see router.h. Captured segments are copied out verbatim; the
 * handlers validate them (a UUID, a year) and answer 404 or 400 as fits.
 */
#include <string.h>

#include "router.h"

int
router_match(const char *pattern, const char *path, struct route_captures *caps)
{
	const char *p = pattern, *s = path;
	size_t len;

	caps->n = 0;
	while (*p != '\0') {
		if (p[0] == '{') {
			len = strcspn(s, "/");
			if (len == 0 || len >= ROUTE_CAPTURE_MAX ||
			    caps->n == ROUTE_MAX_CAPTURES)
				return 0;
			memcpy(caps->value[caps->n], s, len);
			caps->value[caps->n++][len] = '\0';
			s += len;
			p += strcspn(p, "}");
			if (*p == '}')
				p++;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	return *s == '\0';
}
