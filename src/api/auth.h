/*
 * auth.h: who is calling, and may they call this route.
 *
 * auth_authenticate() finds the principal from the bearer key or the
 * client certificate (a database lookup, cached per worker for one second
 * so that a revocation reaches every worker within a second) and goes on
 * with next(a), a->who filled in; or answers 401 (429 for an address with
 * too many failures).
 */
#ifndef PIPELINED_AUTH_H
#define PIPELINED_AUTH_H

#include "api.h"

void auth_authenticate(struct api_req *a, void (*next)(struct api_req *));

/* scope.c: whether the principal may write in area (county and reporter
 * scopes). */
int auth_area_allowed(const struct principal *p, const char *area);
/* Whether the principal writes only in its areas (county, reporter). */
int auth_scoped(const struct principal *p);

/* "admin" -> ROLE_ADMIN; 0 when unknown. */
enum role auth_role_parse(const char *name);

/*
 * A new API key: "pk_<prefix>_<secret>". Writes the whole key, its public
 * prefix and the hex SHA-256 that the database keeps. Returns -1 when the
 * system's random source fails.
 */
int auth_key_generate(char key[80], char prefix[16], char hash_hex[65]);

/* Hex SHA-256 of a presented key. */
void auth_key_hash(const char *key, char hash_hex[65]);

#endif
