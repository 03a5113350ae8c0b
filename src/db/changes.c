/* changes.c: the change feed (sql/009). */
#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "statements.h"

/* A change as db_change_next reads it: its JSON, then its position. */
#define CHANGE_COLUMNS                                                         \
	"json_build_object('id', id, 'at', at, 'resource_type',"               \
	" resource_type, 'resource_id', resource_id, 'method', method,"        \
	" 'path', path, 'principal', principal, 'request_id', request_id,"     \
	" 'after', after), xid::text, id"

const struct db_stmt db_change_stmts[] = {
    /* $1 xid and $2 id of the cursor, $3 limit. ORDER BY names the
     * table's columns: a bare "xid" would be the output column of that
     * name, the text, whose order ("1000" < "999") is not the feed's. */
    {"change_page", "SELECT " CHANGE_COLUMNS " FROM audit_log"
                    " WHERE (xid, id) > ($1::xid8, $2::bigint)"
                    " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                    " ORDER BY audit_log.xid, audit_log.id LIMIT $3"},
};

const size_t db_change_nstmts =
    sizeof(db_change_stmts) / sizeof(db_change_stmts[0]);

int
db_change_next(struct db_changes *feed, struct db_change *change)
{
	int i = feed->next;

	if (i >= db_rows(feed->res))
		return 0;
	change->json = db_value(feed->res, i, 0);
	change->json_len = db_length(feed->res, i, 0);
	change->xid = atoll(db_value(feed->res, i, 1));
	change->id = atoll(db_value(feed->res, i, 2));
	feed->next++;
	return 1;
}

struct changes_call {
	db_changes_cb cb;
	void *arg;
};

static void
changes_done(const db_result *res, void *ctx)
{
	const struct changes_call *c = ctx;
	struct db_changes feed = {res, 0};

	c->cb(res, db_failed(res) ? NULL : &feed, c->arg);
}

int
db_change_page(struct db_pool *pool, long long xid, long long id, int limit,
    db_changes_cb cb, void *arg)
{
	struct changes_call c = {cb, arg};
	char xs[24], is[24], ls[16];
	const char *params[3] = {xs, is, ls};

	snprintf(xs, sizeof(xs), "%lld", xid);
	snprintf(is, sizeof(is), "%lld", id);
	snprintf(ls, sizeof(ls), "%d", limit);
	return db_call(
	    pool, "change_page", 3, params, 0, changes_done, &c, sizeof(c));
}
