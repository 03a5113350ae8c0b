/*
 * input_reply.c: the functions of input.h that answer the client: 400,
 * 415 and 422 problem documents. What they check is read in input.c,
 * which does no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input.h"

void
verrors_respond(struct api_req *a, struct verrors *v)
{
	const char *first = json_string_value(
	    json_object_get(json_array_get(v->list, 0), "detail"));

	/* Each error's detail stays in English, beside its pointer. */
	problems_answer(a->http, 422, "validation",
	    first != NULL ? first : "The request is not valid.", v->list);
	verrors_free(v);
}

int
verrors_finish(struct api_req *a, struct verrors *v)
{
	if (verrors_any(v)) {
		verrors_respond(a, v);
		return -1;
	}
	verrors_free(v);
	return 0;
}

/* The body as one JSON object into a->body, its Content-Type one of
 * types (NULL-terminated); else answered, with Accept-Patch when
 * accept_patch is not NULL (RFC 5789 §2.2). */
static int
body_of_type(struct api_req *a, const char *const *types,
    const char *accept_patch, const char *detail415)
{
	const char *ctype = http_header(a->http, "Content-Type");
	json_t *doc;
	char detail[256];
	int i;

	for (i = 0; types[i] != NULL; i++)
		if (input_media_type_is(ctype, types[i]))
			break;
	if (types[i] == NULL) {
		if (accept_patch != NULL)
			http_add_header(a->http, "Accept-Patch", accept_patch);
		api_problem(a, 415, "unsupported-media-type", detail415);
		return -1;
	}
	if (input_parse_object(a->http->body, a->http->body_len, &doc, detail,
	        sizeof(detail)) != 0) {
		api_problem(a, 400, "invalid-json", detail);
		return -1;
	}
	a->body = doc;
	return 0;
}

int
input_body(struct api_req *a)
{
	static const char *const json[] = {"application/json", NULL};

	return body_of_type(
	    a, json, NULL, "The body must be application/json.");
}

int
input_merge_patch(struct api_req *a)
{
	static const char *const patch[] = {
	    "application/merge-patch+json", "application/json", NULL};

	return body_of_type(a, patch,
	    "application/merge-patch+json, application/json",
	    "The body must be application/merge-patch+json (RFC 7396) or "
	    "application/json.");
}

/* Whether the parameter named by the klen bytes at name appears again
 * in the query after rest (its '&', or NULL at the end). */
static int
given_again(const char *rest, const char *name, size_t klen)
{
	while (rest != NULL) {
		rest++;
		if (strncmp(rest, name, klen) == 0 &&
		    (rest[klen] == '=' || rest[klen] == '&' ||
		        rest[klen] == '\0'))
			return 1;
		rest = strchr(rest, '&');
	}
	return 0;
}

int
input_query_known(struct api_req *a, const char *const *allowed)
{
	const char *s = a->http->query, *amp;
	char detail[160];
	size_t plen, klen;
	int i, ok;

	while (s != NULL && *s != '\0') {
		amp = strchr(s, '&');
		plen = amp ? (size_t)(amp - s) : strlen(s);
		klen = strcspn(s, "=&");
		for (i = 0, ok = 0; allowed[i] != NULL && !ok; i++)
			ok = strlen(allowed[i]) == klen &&
			     strncmp(allowed[i], s, klen) == 0;
		if (!ok && plen > 0) {
			snprintf(detail, sizeof(detail),
			    "Unknown query parameter '%.*s'.",
			    (int)(klen > 60 ? 60 : klen), s);
			api_problem(a, 400, "unknown-parameter", detail);
			return -1;
		}
		if (plen > 0 && given_again(amp, s, klen)) {
			/* Every parameter here takes one value (a list is
			 * comma-separated): which one was meant is unknown. */
			snprintf(detail, sizeof(detail),
			    "Query parameter '%.*s' is given more than once.",
			    (int)(klen > 60 ? 60 : klen), s);
			api_problem(a, 400, "invalid-parameter", detail);
			return -1;
		}
		s = amp ? amp + 1 : NULL;
	}
	return 0;
}
