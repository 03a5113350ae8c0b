/*
 * input.c: see input.h; the reading, which does no I/O. input_reply.c
 * has the functions that answer the client.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

int
input_media_type_is(const char *ctype, const char *type)
{
	size_t n = strlen(type);

	if (ctype == NULL || strncasecmp(ctype, type, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

int
input_parse_object(
    const char *body, size_t len, json_t **doc, char *detail, size_t detaillen)
{
	json_error_t err;

	*doc = NULL;
	if (len == 0) {
		snprintf(detail, detaillen, "The body is empty.");
		return -1;
	}
	*doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (*doc == NULL) {
		snprintf(detail, detaillen,
		    "The body is not valid JSON: %s (at byte %d).", err.text,
		    err.position);
		return -1;
	}
	if (!json_is_object(*doc)) {
		json_decref(*doc);
		*doc = NULL;
		snprintf(detail, detaillen, "The body must be a JSON object.");
		return -1;
	}
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
