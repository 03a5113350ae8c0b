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
		cursor_encode(last, cur);
		evbuffer_add_printf(b, "],\"next_cursor\":\"%s\"}", cur);
	} else {
		evbuffer_add_printf(b, "],\"next_cursor\":null}");
	}
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
