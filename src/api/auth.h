/*
 * auth.h: who is calling, and may they call this route.
 *
 * auth_begin() finds the principal from the bearer key or the client
 * certificate (a database lookup, cached per worker for one second so that
 * a revocation reaches every worker within a second), checks the route's
 * roles, and then runs the route's handler, or answers 401 or 403.
 */
#ifndef PIPELINED_AUTH_H
#define PIPELINED_AUTH_H

#include "api.h"

void auth_begin(struct api_req *a);

/* Whether the principal may write in area (county and reporter scopes). */
int auth_area_allowed(const struct principal *p, const char *area);

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
