/*
 * input.c: see input.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../domain/validate.h"
#include "input.h"

void
verrors_init(struct verrors *v)
{
	v->list = json_array();
}

void
verrors_add(struct verrors *v, const char *pointer, const char *detail)
{
	json_array_append_new(
	    v->list, json_pack("{ssss}", "pointer", pointer, "detail", detail));
}

int
verrors_any(const struct verrors *v)
{
	return json_array_size(v->list) > 0;
}

void
verrors_free(struct verrors *v)
{
	json_decref(v->list);
	v->list = NULL;
}

void
verrors_respond(struct api_req *a, struct verrors *v)
{
	char *errs = json_dumps(v->list, JSON_COMPACT);
	const char *first = json_string_value(
	    json_object_get(json_array_get(v->list, 0), "detail"));

	http_problem(a->http, 422, "validation", "Unprocessable Content",
	    first != NULL ? first : "The request is not valid.", errs);
	free(errs);
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

int
input_body(struct api_req *a)
{
	const char *ctype = http_header(a->http, "Content-Type");
	json_error_t err;
	json_t *doc;
	char detail[256];

	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0) {
		api_problem(a, 415, "unsupported-media-type",
		    "The body must be application/json.");
		return -1;
	}
	if (a->http->body_len == 0) {
		api_problem(a, 400, "invalid-json", "The body is empty.");
		return -1;
	}
	doc = json_loadb(
	    a->http->body, a->http->body_len, JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL) {
		snprintf(detail, sizeof(detail),
		    "The body is not valid JSON: %s (at byte %d).", err.text,
		    err.position);
		api_problem(a, 400, "invalid-json", detail);
		return -1;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		api_problem(
		    a, 400, "invalid-json", "The body must be a JSON object.");
		return -1;
	}
	a->body = doc;
	return 0;
}

void
input_known_fields(json_t *obj, const char *const *allowed, struct verrors *v)
{
	const char *key;
	json_t *val;
	char ptr[160];
	int i, ok;

	json_object_foreach(obj, key, val)
	{
		for (i = 0, ok = 0; allowed[i] != NULL && !ok; i++)
			ok = strcmp(allowed[i], key) == 0;
		if (!ok) {
			snprintf(ptr, sizeof(ptr), "/%.150s", key);
			verrors_add(v, ptr, "This field is not known.");
		}
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes [s, s+len) into buf; -1 when malformed. */
static int
decode(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (o + 1 >= buflen)
			return -1;
		if (s[i] == '+') {
			buf[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len ||
			    (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			buf[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			buf[o++] = s[i];
		}
	}
	buf[o] = '\0';
	if (strlen(buf) != o || !validate_utf8(buf, o))
		return -1;
	return 0;
}

int
input_query(
    const struct http_request *r, const char *name, char *buf, size_t buflen)
{
	const char *s = r->query, *amp, *eq;
	size_t nlen = strlen(name), plen;

	while (s != NULL && *s != '\0') {
		amp = strchr(s, '&');
		plen = amp ? (size_t)(amp - s) : strlen(s);
		eq = memchr(s, '=', plen);
		if (eq != NULL && (size_t)(eq - s) == nlen &&
		    strncmp(s, name, nlen) == 0)
			return decode(eq + 1, plen - nlen - 1, buf, buflen) == 0
			           ? 1
			           : -1;
		s = amp ? amp + 1 : NULL;
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
		s = amp ? amp + 1 : NULL;
	}
	return 0;
}

int
input_money(json_t *obj, const char *field, long long *out, struct verrors *v,
    int required)
{
	json_t *val = json_object_get(obj, field);
	char ptr[64];

	snprintf(ptr, sizeof(ptr), "/%s", field);
	if (val == NULL || json_is_null(val)) {
		if (required)
			verrors_add(v, ptr, "This field is required.");
		return 0;
	}
	if (!json_is_integer(val) || !validate_money(json_integer_value(val))) {
		verrors_add(
		    v, ptr, "Money is whole yuan: an integer from 0 to 10^15.");
		return 0;
	}
	*out = json_integer_value(val);
	return 1;
}

int
input_string(json_t *obj, const char *field, const char **out, size_t maxchars,
    struct verrors *v, int required)
{
	json_t *val = json_object_get(obj, field);
	const char *s;
	char ptr[64], detail[96];

	snprintf(ptr, sizeof(ptr), "/%s", field);
	if (val == NULL || json_is_null(val)) {
		if (required)
			verrors_add(v, ptr, "This field is required.");
		return 0;
	}
	if (!json_is_string(val)) {
		verrors_add(v, ptr, "This field must be a string.");
		return 0;
	}
	s = json_string_value(val);
	if (!validate_text(s, json_string_length(val), 1, maxchars)) {
		snprintf(detail, sizeof(detail),
		    "Must be 1 to %zu characters without control characters.",
		    maxchars);
		verrors_add(v, ptr, detail);
		return 0;
	}
	*out = s;
	return 1;
}
