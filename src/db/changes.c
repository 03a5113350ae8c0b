/* changes.c: the change feed (sql/009). $1 xid and $2 id of the cursor,
 * $3 limit. */
#include "statements.h"

const struct db_stmt db_change_stmts[] = {
    {"change_page",
        "SELECT json_build_object('id', id, 'at', at, 'resource_type',"
        " resource_type, 'resource_id', resource_id, 'method', method,"
        " 'path', path, 'principal', principal, 'request_id', request_id,"
        " 'after', after), xid::text, id"
        " FROM audit_log"
        " WHERE (xid, id) > ($1::xid8, $2::bigint)"
        " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
        " ORDER BY xid, id LIMIT $3"},
};

const size_t db_change_nstmts =
    sizeof(db_change_stmts) / sizeof(db_change_stmts[0]);
