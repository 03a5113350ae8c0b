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
	" 'before', before, 'after', after), xid::text, id"

const struct db_stmt db_change_stmts[] = {
    /* $1 xid and $2 id of the cursor, $3 limit, $4 kinds (resource
     * types, comma-separated) and $5 since, each NULL for all. ORDER BY
     * names the table's columns: a bare "xid" would be the output column
     * of that name, the text, whose order ("1000" < "999") is not the
     * feed's. The filters only leave rows out: the scan and the order
     * are the feed's, so a cursor is a position whatever the filters. */
    {"change_page", "SELECT " CHANGE_COLUMNS " FROM audit_log"
                    " WHERE (xid, id) > ($1::xid8, $2::bigint)"
                    " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                    " AND ($4::text IS NULL"
                    " OR resource_type = ANY (string_to_array($4, ',')))"
                    " AND ($5::timestamptz IS NULL OR at >= $5::timestamptz)"
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
db_change_page(struct db_pool *pool, const struct db_change_query *q,
    db_changes_cb cb, void *arg)
{
	struct changes_call c = {cb, arg};
	char xs[24], is[24], ls[16];
	const char *params[5] = {xs, is, ls, q->kinds, q->since};

	snprintf(xs, sizeof(xs), "%lld", q->xid);
	snprintf(is, sizeof(is), "%lld", q->id);
	snprintf(ls, sizeof(ls), "%d", q->limit);
	return db_call(
	    pool, "change_page", 5, params, 0, changes_done, &c, sizeof(c));
}
