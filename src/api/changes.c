/*
 * changes.c: GET /api/v1/changes — every change, in an order that a
 * reconciliation job can page through without ever missing one (see
 * sql/009_changes.sql). The feed has no end: next_cursor is where to go
 * on from, now or on the next night; "more" says whether to ask at once.
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>

#include "cursor.h"
#include "handlers.h"
#include "input.h"
#include "replica.h"

static void
paged(const db_result *st, struct db_changes *feed, void *arg)
{
	struct api_req *a = arg;
	int limit = (int)json_integer_value(json_array_get(a->state, 0));
	long long xid = json_integer_value(json_array_get(a->state, 1));
	long long id = json_integer_value(json_array_get(a->state, 2));
	struct db_change c;
	char cur[CURSOR_MAX];
	struct evbuffer *b;
	int n;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	b = evbuffer_new(); /* aborts on failure */
	evbuffer_add(b, "{\"items\":[", 10);
	for (n = 0; db_change_next(feed, &c); n++) {
		if (n > 0)
			evbuffer_add(b, ",", 1);
		evbuffer_add(b, c.json, c.json_len);
		xid = c.xid;
		id = c.id;
	}
	cursor_encode_pair(xid, id, cur);
	evbuffer_add_printf(b, "],\"next_cursor\":\"%s\",\"more\":%s}", cur,
	    n == limit ? "true" : "false");
	api_json(a, 200, (const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
	evbuffer_free(b);
}

void
changes_list(struct api_req *a)
{
	char buf[64];
	long long xid = 0, id = 0;
	int limit, rc;

	if (cursor_limit(a, &limit) != 0)
		return;
	rc = input_query(a->http, "cursor", buf, sizeof(buf));
	if (rc < 0 || (rc > 0 && cursor_decode_pair(buf, &xid, &id) != 0)) {
		api_problem(a, 400, "invalid-cursor",
		    "The cursor is not one this service issued.");
		return;
	}
	a->state = json_pack("[iII]", limit, (json_int_t)xid, (json_int_t)id);
	api_sent(a, db_change_page(api_reader(a), xid, id, limit, paged, a));
}
