/*
 * changes.c: GET /api/v1/changes — every change, in an order that a
 * reconciliation job can page through without ever missing one (see
 * sql/009_changes.sql). The feed has no end: next_cursor is where to go
 * on from, now or on the next night; "more" says whether to ask at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "../domain/validate.h"
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

/* kind: resource types, comma-separated, each one the feed has. */
static int
valid_kinds(const char *list)
{
	static const char *const kinds[] = {"project", "event", "report",
	    "batch", "targets", "key", "photo", NULL};

	return validate_list(list, kinds, 7);
}

/* kind and since into q; -1 when it answered 400. */
static int
read_filters(struct api_req *a, struct db_change_query *q, char *kinds,
    size_t klen, char *since, size_t slen)
{
	long long t;
	int rc;

	if ((rc = input_query(a->http, "kind", kinds, klen)) != 0) {
		if (rc < 0 || !valid_kinds(kinds)) {
			api_problem(a, 400, "invalid-parameter",
			    "kind is one or more of project, event, report, "
			    "batch, targets, key and photo, comma-separated.");
			return -1;
		}
		q->kinds = kinds;
	}
	if ((rc = input_query(a->http, "since", since, slen)) != 0) {
		if (rc < 0 || !validate_timestamp(since, &t)) {
			api_problem(a, 400, "invalid-parameter",
			    "since is an RFC 3339 time with its offset "
			    "(2024-06-30T08:00:00+08:00).");
			return -1;
		}
		q->since = since;
	}
	return 0;
}

void
changes_list(struct api_req *a)
{
	struct db_change_query q = {0, 0, 0, NULL, NULL};
	char buf[64], kinds[128], since[64];
	int rc;

	if (cursor_limit(a, &q.limit) != 0 ||
	    read_filters(a, &q, kinds, sizeof(kinds), since, sizeof(since)) !=
	        0)
		return;
	rc = input_query(a->http, "cursor", buf, sizeof(buf));
	if (rc < 0 || (rc > 0 && cursor_decode_pair(buf, &q.xid, &q.id) != 0)) {
		api_problem(a, 400, "invalid-cursor",
		    "The cursor is not one this service issued.");
		return;
	}
	a->state =
	    json_pack("[iII]", q.limit, (json_int_t)q.xid, (json_int_t)q.id);
	api_sent(a, db_change_page(api_reader(a), &q, paged, a));
}
