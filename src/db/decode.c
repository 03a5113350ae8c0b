/*
 * decode.c: the row shape that statements of every resource share: one
 * JSON document in the first column ("SELECT some_write(...)",
 * "SELECT targets_json($1)").
 */
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
