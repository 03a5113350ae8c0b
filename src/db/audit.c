/* audit.c: reading the audit log (rows are written by each write). */
#include "call.h"
#include "statements.h"

const struct db_stmt db_audit_stmts[] = {
    /* $1 after (id), $2 limit, $3 principal, $4 resource, $5 from,
     * $6 to */
    {"audit_page",
        DB_PAGE("json_build_object('id', id, 'at', at, 'principal_id',"
                " principal_id, 'principal', principal, 'request_id',"
                " request_id, 'method', method, 'path', path, 'client',"
                " client,"
                " 'resource_type', resource_type, 'resource_id',"
                " resource_id, 'before', before, 'after', after)",
            "id") " FROM audit_log WHERE id > $1"
                  " AND ($3::text IS NULL OR principal_id = $3)"
                  " AND ($4::text IS NULL OR resource_id = $4)"
                  " AND ($5::timestamptz IS NULL OR at >= $5::timestamptz)"
                  " AND ($6::timestamptz IS NULL OR at <= $6::timestamptz)"
                  " ORDER BY id LIMIT $2"},
};

const size_t db_audit_nstmts =
    sizeof(db_audit_stmts) / sizeof(db_audit_stmts[0]);

int
db_audit_page(struct db_pool *pool, const struct db_audit_filter *f,
    long long after, int rows, db_page_cb cb, void *arg)
{
	const char *params[6] = {
	    NULL, NULL, f->principal, f->resource, f->from, f->to};

	return db_call_page(
	    pool, "audit_page", 6, params, 0, after, rows, cb, arg);
}
