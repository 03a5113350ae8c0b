/* keys.h: the /api/v1/keys handlers. */
#ifndef PIPELINED_KEYS_H
#define PIPELINED_KEYS_H

#include "api.h"
#include "input.h"

void keys_create(struct api_req *a);
void keys_list(struct api_req *a);
void keys_revoke(struct api_req *a);
void keys_get(struct api_req *a);

/* Reads a JSON list of area codes into a PostgreSQL array literal;
 * returns how many, or -1 (with an error added). */
int keys_read_areas(json_t *arr, char *out, size_t outlen, struct verrors *v);

#endif
