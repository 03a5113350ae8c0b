/*
 * input.h: strict reading of request bodies and query strings. Invalid
 * JSON, invalid UTF-8, NUL bytes, duplicate keys, wrong types and unknown
 * fields are all the client's mistakes: each gets a 400 or 422 problem
 * document with a pointer to the field, never a 500.
 *
 * The functions that take a struct api_req answer the client
 * (input_reply.c); the others only read (input.c), so that the fuzz
 * harnesses call them without a server.
 */
#ifndef PIPELINED_INPUT_H
#define PIPELINED_INPUT_H

#include <jansson.h>

#include "api.h"

/* Collects validation errors as RFC 9457 "errors" members. */
struct verrors {
	json_t *list;
};

void verrors_init(struct verrors *v);
void verrors_add(struct verrors *v, const char *pointer, const char *detail);
int verrors_any(const struct verrors *v);
/* Answers 422 with the errors (type "validation") and frees them. */
void verrors_respond(struct api_req *a, struct verrors *v);
void verrors_free(struct verrors *v);
/* The end of a validation: answers 422 and returns -1 when there were
 * errors (a is then gone), else frees them and returns 0. */
int verrors_finish(struct api_req *a, struct verrors *v);

/* Parses the body as one JSON object into a->body. On failure answers
 * 400 or 415 itself and returns -1: a is then gone and must not be
 * touched. */
int input_body(struct api_req *a);
/* As input_body, for a PATCH: application/merge-patch+json (RFC 7396's
 * own type) or application/json. */
int input_merge_patch(struct api_req *a);

/* Whether the Content-Type field value ctype names the media type type
 * (case-insensitive, parameters such as charset allowed after it). */
int input_media_type_is(const char *ctype, const char *type);

/* What input_body() does with the bytes: one JSON object, no duplicate
 * keys, into *doc; or -1 and the reason, for a 400, in detail. */
int input_parse_object(
    const char *body, size_t len, json_t **doc, char *detail, size_t detaillen);

/* Checks that obj has only the listed fields (NULL-terminated). */
void input_known_fields(
    json_t *obj, const char *const *allowed, struct verrors *v);

/*
 * Query parameters: input_query() finds name in the raw query string and
 * percent-decodes it into buf. Returns 1 when present, 0 when absent,
 * -1 when malformed (bad escape, too long, invalid UTF-8).
 */
int input_query(
    const struct http_request *r, const char *name, char *buf, size_t buflen);

/* Answers 400 when the query string has a parameter not in allowed. */
int input_query_known(struct api_req *a, const char *const *allowed);

/* Reads a JSON integer in 0..max; -1 when absent/null allowed. */
int input_money(json_t *obj, const char *field, long long *out,
    struct verrors *v, int required);

/* Reads an optional string of at most maxchars characters. */
int input_string(json_t *obj, const char *field, const char **out,
    size_t maxchars, struct verrors *v, int required);

#endif
