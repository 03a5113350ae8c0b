/*
 * page.c: list pages (SPEC §6): a page query fetches limit + 1 rows of
 * (item JSON, seq), so that whether a next page exists is known without
 * a second query; the cursor of the next page encodes the last seq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api.h"
#include "cursor.h"

void
api_list(struct api_req *a, const db_result *res, int limit)
{
	struct evbuffer *b;
	char cur[CURSOR_MAX];
	int i, n;

	if (db_failed(res)) {
		api_db_problem(a, res);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		api_problem(a, 503, "overloaded", "Out of memory.");
		return;
	}
	n = db_rows(res);
	evbuffer_add(b, "{\"items\":[", 10);
	for (i = 0; i < n && i < limit; i++) {
		if (i > 0)
			evbuffer_add(b, ",", 1);
		evbuffer_add(b, db_value(res, i, 0), db_length(res, i, 0));
	}
	if (n > limit) {
		cursor_encode(atoll(db_value(res, limit - 1, 1)), cur);
		evbuffer_add_printf(b, "],\"next_cursor\":\"%s\"}", cur);
	} else {
		evbuffer_add_printf(b, "],\"next_cursor\":null}");
	}
	api_json(a, 200, (const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
	evbuffer_free(b);
}

int
api_query_page(struct api_req *a, const char *stmt, int nparams,
    const char *const *params, int at, long long after, int limit,
    void (*cb)(struct api_req *, const db_result *))
{
	const char *p[16];
	char after_s[24], limit_s[16];

	if (nparams > 16 || at + 1 >= nparams) {
		api_problem(a, 500, "internal", "A page query is malformed.");
		return -1;
	}
	memcpy(p, params, sizeof(*p) * (size_t)nparams);
	snprintf(after_s, sizeof(after_s), "%lld", after);
	snprintf(limit_s, sizeof(limit_s), "%d", limit + 1);
	p[at] = after_s;
	p[at + 1] = limit_s;
	a->state = json_integer(limit);
	return api_query(a, stmt, nparams, p, cb);
}

void
api_listed(struct api_req *a, const db_result *res)
{
	api_list(a, res, (int)json_integer_value(a->state));
}
