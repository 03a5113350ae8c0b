/* batches.c: the statements of the "三个一批" batches. */
#include "call.h"
#include "statements.h"

const struct db_stmt db_batch_stmts[] = {
    {"batch_create", "SELECT batch_create($1::json, $2::json)"},
    {"batch_get", "SELECT batch_json(b) FROM batches b WHERE b.id = $1"},
    /* $1 after (seq), $2 limit, $3 kind, $4 area, $5 year */
    {"batch_page", DB_PAGE("batch_json(b)",
                       "b.seq") " FROM batches b WHERE b.seq > $1"
                                " AND ($3::text IS NULL OR b.kind = $3)"
                                " AND ($4::text IS NULL OR b.area = $4)"
                                " AND ($5::int IS NULL OR extract(year FROM "
                                "b.held_on) = $5)"
                                " ORDER BY b.seq LIMIT $2"},
};

const size_t db_batch_nstmts =
    sizeof(db_batch_stmts) / sizeof(db_batch_stmts[0]);

int
db_batch_page(struct db_pool *pool, const struct db_batch_filter *f,
    long long after, int rows, db_page_cb cb, void *arg)
{
	const char *params[5] = {NULL, NULL, f->kind, f->area, f->year};

	return db_call_page(
	    pool, "batch_page", 5, params, 0, after, rows, cb, arg);
}

int
db_batch_create(struct db_pool *pool, json_t *batch, const struct db_actor *who,
    db_json_cb cb, void *arg)
{
	return db_write(pool, "batch_create", NULL, 0, &batch, 1, who, cb, arg);
}

int
db_batch_get(struct db_pool *pool, const char *id, db_json_cb cb, void *arg)
{
	const char *params[1] = {id};

	return db_call_json(pool, "batch_get", 1, params, 0, cb, arg);
}
