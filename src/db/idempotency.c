/* idempotency.c: the statements of Idempotency-Key (sql/007, 015, 016). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "statements.h"

const struct db_stmt db_idempotency_stmts[] = {
    /* Columns: outcome, status, body, location, etag, content_type,
     * token (idem_row). */
    {"idem_reserve", "SELECT * FROM idempotency_reserve($1, $2, $3, $4::int)"},
    /* A request that wrote nothing gives its key back, if still its. */
    {"idem_release",
        "DELETE FROM idempotency_keys WHERE principal_id = $1 AND key = $2"
        " AND state = 'pending' AND token = $3::uuid"},
};

const size_t db_idempotency_nstmts =
    sizeof(db_idempotency_stmts) / sizeof(db_idempotency_stmts[0]);

/* The function's words for its outcomes; any other is taken as a request
 * still running, the answer that asks the client to retry. */
static enum db_idem_outcome
outcome_of(const char *word)
{
	if (strcmp(word, "reserved") == 0)
		return DB_IDEM_RESERVED;
	if (strcmp(word, "done") == 0)
		return DB_IDEM_DONE;
	if (strcmp(word, "mismatch") == 0)
		return DB_IDEM_MISMATCH;
	return DB_IDEM_IN_FLIGHT;
}

/* NULL unless the function answered its one row. */
static const struct db_idem *
idem_row(const db_result *res, struct db_idem *r)
{
	if (db_failed(res) || db_rows(res) != 1)
		return NULL;
	r->outcome = outcome_of(db_value(res, 0, 0));
	r->status = atoi(db_value(res, 0, 1));
	r->body = db_value(res, 0, 2);
	r->body_len = db_length(res, 0, 2);
	r->location = db_is_null(res, 0, 3) ? NULL : db_value(res, 0, 3);
	r->etag = db_is_null(res, 0, 4) ? NULL : db_value(res, 0, 4);
	r->content_type = db_is_null(res, 0, 5) ? NULL : db_value(res, 0, 5);
	r->token = db_is_null(res, 0, 6) ? NULL : db_value(res, 0, 6);
	return r;
}

struct idem_call {
	db_idem_cb cb;
	void *arg;
};

static void
idem_done(const db_result *res, void *ctx)
{
	const struct idem_call *c = ctx;
	struct db_idem r;

	c->cb(res, idem_row(res, &r), c->arg);
}

int
db_idem_reserve(struct db_pool *pool, const char *principal_id, const char *key,
    const char *hash, int stale_s, db_idem_cb cb, void *arg)
{
	struct idem_call c = {cb, arg};
	char stale[16];
	const char *params[4] = {principal_id, key, hash, stale};

	snprintf(stale, sizeof(stale), "%d", stale_s);
	return db_call(
	    pool, "idem_reserve", 4, params, 0, idem_done, &c, sizeof(c));
}

static void
released(const db_result *res, void *ctx)
{
	(void)res;
	(void)ctx;
}

int
db_idem_release(struct db_pool *pool, const char *principal_id, const char *key,
    const char *token)
{
	const char *params[3] = {principal_id, key, token};

	return db_call(pool, "idem_release", 3, params, 0, released, NULL, 0);
}
