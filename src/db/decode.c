/*
 * decode.c: the row shapes that statements of every resource share: one
 * JSON document in the first column ("SELECT some_write(...)",
 * "SELECT targets_json($1)"), and a list page (DB_PAGE in call.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "call.h"

struct json_call {
	db_json_cb cb;
	void *arg;
};

static void
json_done(const db_result *res, void *ctx)
{
	const struct json_call *c = ctx;
	struct db_json doc;
	const struct db_json *row = NULL;

	if (!db_failed(res) && db_rows(res) > 0 && !db_is_null(res, 0, 0)) {
		doc.text = db_value(res, 0, 0);
		doc.len = db_length(res, 0, 0);
		row = &doc;
	}
	c->cb(res, row, c->arg);
}

int
db_call_json(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, int shared, db_json_cb cb, void *arg)
{
	struct json_call c = {cb, arg};

	return db_call(
	    pool, stmt, nparams, params, shared, json_done, &c, sizeof(c));
}

/* DB_PAGE's columns: the item's JSON, then its seq. */
int
db_page_next(struct db_page *page, struct db_page_item *item)
{
	int i = page->next;

	if (i >= db_rows(page->res))
		return 0;
	item->json = db_value(page->res, i, 0);
	item->json_len = db_length(page->res, i, 0);
	item->seq = atoll(db_value(page->res, i, 1));
	page->next++;
	return 1;
}

struct page_call {
	db_page_cb cb;
	void *arg;
};

static void
page_done(const db_result *res, void *ctx)
{
	const struct page_call *c = ctx;
	struct db_page page = {res, 0};

	c->cb(res, db_failed(res) ? NULL : &page, c->arg);
}

int
db_call_page(struct db_pool *pool, const char *stmt, int nparams,
    const char **params, int at, long long after, int rows, db_page_cb cb,
    void *arg)
{
	struct page_call c = {cb, arg};
	char after_s[24], rows_s[16];

	snprintf(after_s, sizeof(after_s), "%lld", after);
	snprintf(rows_s, sizeof(rows_s), "%d", rows);
	params[at] = after_s;
	params[at + 1] = rows_s;
	return db_call(
	    pool, stmt, nparams, params, 0, page_done, &c, sizeof(c));
}
