/*
 * page.c: list pages (SPEC §6): a page query fetches limit + 1 rows of
 * (item JSON, seq), so that whether a next page exists is known without
 * a second query; the cursor of the next page encodes the last seq.
 * cursor_limit() and cursor_params() read a page's query string (they
 * answer 400, so they are here rather than in cursor.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/evp.h>

#include "../util/hex.h"

#include "api.h"
#include "cursor.h"
#include "input.h"

/* Link: <the same query, its cursor the next one>; rel="next"
 * (RFC 8288), beside next_cursor. */
static void
link_next(struct api_req *a, const char *cur)
{
	const char *s = a->http->query, *amp;
	struct evbuffer *b = evbuffer_new(); /* aborts on failure */
	size_t len;

	evbuffer_add_printf(b, "<%s?", a->http->path);
	while (s != NULL && *s != '\0') {
		amp = strchr(s, '&');
		len = amp ? (size_t)(amp - s) : strlen(s);
		if (len > 0 && strncmp(s, "cursor=", 7) != 0 &&
		    !(len == 6 && strncmp(s, "cursor", 6) == 0))
			evbuffer_add_printf(b, "%.*s&", (int)len, s);
		s = amp ? amp + 1 : NULL;
	}
	evbuffer_add_printf(b, "cursor=%s>; rel=\"next\"", cur);
	evbuffer_add(b, "", 1);
	http_add_header(a->http, "Link", (const char *)evbuffer_pullup(b, -1));
	evbuffer_free(b);
}

void
api_page_next(struct api_req *a, long long last, char *cur)
{
	cursor_encode(last, cursor_scope(a->http->query), cur);
	link_next(a, cur);
}

/*
 * A page's entity tag: the SHA-256 of its body (128 bits of it), weak
 * (RFC 9110 §8.8.1: a list has no version of its own, but the same page
 * is the same bytes). When If-None-Match names it, 304: a field client
 * refreshing an unchanged list gets a head, not the list. 1 when it
 * answered (304, or 400 for a malformed field).
 */
int
api_page_unchanged(struct api_req *a, const char *body, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[33];
	int m;

	EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, 16, hex);
	snprintf(a->etag, sizeof(a->etag), "W/\"%s\"", hex);
	if ((m = api_precondition(a, "If-None-Match", ETAG_WEAK)) ==
	    ETAG_MALFORMED)
		return 1;
	if (m != ETAG_MATCH)
		return 0;
	http_add_header(a->http, "ETag", a->etag);
	http_respond(a->http, 304, NULL, NULL, 0);
	return 1;
}

void
api_list(
    struct api_req *a, const db_result *st, struct db_page *page, int limit)
{
	struct db_page_item item;
	struct evbuffer *b;
	char cur[CURSOR_MAX];
	long long last = 0;
	int n;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	b = evbuffer_new(); /* aborts on failure */
	evbuffer_add(b, "{\"items\":[", 10);
	for (n = 0; n < limit && db_page_next(page, &item); n++) {
		if (n > 0)
			evbuffer_add(b, ",", 1);
		evbuffer_add(b, item.json, item.json_len);
		last = item.seq;
	}
	/* The row past the page says that a next page exists. */
	if (n == limit && db_page_next(page, &item)) {
		api_page_next(a, last, cur);
		evbuffer_add_printf(b, "],\"next_cursor\":\"%s\"}", cur);
	} else {
		evbuffer_add_printf(b, "],\"next_cursor\":null}");
	}
	if (!api_page_unchanged(a, (const char *)evbuffer_pullup(b, -1),
	        evbuffer_get_length(b)))
		api_json(a, 200, (const char *)evbuffer_pullup(b, -1),
		    evbuffer_get_length(b));
	evbuffer_free(b);
}

int
api_page_rows(struct api_req *a, int limit)
{
	a->state = json_integer(limit);
	return limit + 1;
}

void
api_listed(const db_result *st, struct db_page *page, void *arg)
{
	struct api_req *a = arg;

	api_list(a, st, page, (int)json_integer_value(a->state));
}

int
cursor_limit(struct api_req *a, int *limit)
{
	char buf[64], *end;
	long v;
	int rc;

	*limit = 50;
	if ((rc = input_query(a->http, "limit", buf, sizeof(buf))) == 0)
		return 0;
	v = rc > 0 ? strtol(buf, &end, 10) : 0;
	if (rc < 0 || *end != '\0' || v < 1 || v > 500) {
		api_problem(a, 400, "invalid-parameter",
		    "limit must be a whole number from 1 to 500.");
		return -1;
	}
	*limit = (int)v;
	return 0;
}

int
cursor_params(struct api_req *a, long long *after, int *limit)
{
	char buf[64];
	int rc;

	*after = 0;
	if (cursor_limit(a, limit) != 0)
		return -1;
	if ((rc = input_query(a->http, "cursor", buf, sizeof(buf))) != 0) {
		if (rc < 0 || cursor_decode(buf, cursor_scope(a->http->query),
		                  after) != 0) {
			api_problem(a, 400, "invalid-cursor",
			    "The cursor is not one this service issued for "
			    "these filters.");
			return -1;
		}
	}
	return 0;
}
