/* photos.c: the statements of photos (sql/019), addressed by SHA-256. */
#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "statements.h"

const struct db_stmt db_photo_stmts[] = {
    /* $1 the bytes ("\x" and hex: bytea's text input), $2 what the API
     * read of them, $3 the audit document. */
    {"photo_put", "SELECT photo_put($1::bytea, $2::json, $3::json)"},
    /* The hash, the content type, then the bytes in hex (photo_done). */
    {"photo_get", "SELECT sha256, content_type, encode(bytes, 'hex')"
                  " FROM photos WHERE sha256 = $1"},
    /* $1 seconds kept: the photos uploaded longer ago that no report
     * references; at most 1000 a sweep, the oldest first. */
    {"photo_sweep",
        "WITH gone AS (SELECT p.sha256 FROM photos p"
        " WHERE p.uploaded_at < now() - make_interval(secs => $1::int)"
        " AND NOT EXISTS (SELECT FROM site_report_photos sp"
        "  WHERE sp.sha256 = p.sha256)"
        " ORDER BY p.uploaded_at LIMIT 1000"
        " FOR UPDATE SKIP LOCKED)"
        " DELETE FROM photos p USING gone WHERE p.sha256 = gone.sha256"},
};

const size_t db_photo_nstmts =
    sizeof(db_photo_stmts) / sizeof(db_photo_stmts[0]);

int
db_photo_put(struct db_pool *pool, const char *hex, json_t *meta,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	const char *lead[1] = {hex};

	return db_write(pool, "photo_put", lead, 1, &meta, 1, who, cb, arg);
}

struct photo_call {
	db_photo_cb cb;
	void *arg;
};

static void
photo_done(const db_result *res, void *ctx)
{
	const struct photo_call *c = ctx;
	struct db_photo ph;
	int found = !db_failed(res) && db_rows(res) > 0;

	if (found) {
		ph.sha256 = db_value(res, 0, 0);
		ph.content_type = db_value(res, 0, 1);
		ph.hex = db_value(res, 0, 2);
		ph.hex_len = db_length(res, 0, 2);
	}
	c->cb(res, found ? &ph : NULL, c->arg);
}

int
db_call_photo(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, db_photo_cb cb, void *arg)
{
	struct photo_call c = {cb, arg};

	return db_call(
	    pool, stmt, nparams, params, 0, photo_done, &c, sizeof(c));
}

int
db_photo_get(
    struct db_pool *pool, const char *sha256, db_photo_cb cb, void *arg)
{
	const char *params[1] = {sha256};

	return db_call_photo(pool, "photo_get", 1, params, cb, arg);
}

static void
swept(const db_result *res, void *ctx)
{
	(void)ctx;
	if (db_failed(res))
		fprintf(stderr, "pipelined: photo sweep: %s\n",
		    db_error_message(res));
}

int
db_photo_sweep(struct db_pool *pool, int keep_seconds)
{
	char secs[16];
	const char *params[1] = {secs};

	snprintf(secs, sizeof(secs), "%d", keep_seconds);
	return db_call(pool, "photo_sweep", 1, params, 0, swept, NULL, 0);
}
