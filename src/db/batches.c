/* batches.c: the statements of the "三个一批" batches. */
#include "statements.h"

const struct db_stmt db_batch_stmts[] = {
    {"batch_create", "SELECT batch_create($1::json, $2::json)"},
    /* $1 after (seq), $2 limit, $3 kind, $4 area, $5 year */
    {"batch_page", "SELECT batch_json(b), b.seq FROM batches b WHERE b.seq > $1"
                   " AND ($3::text IS NULL OR b.kind = $3)"
                   " AND ($4::text IS NULL OR b.area = $4)"
                   " AND ($5::int IS NULL OR extract(year FROM b.held_on) = $5)"
                   " ORDER BY b.seq LIMIT $2"},
};

const size_t db_batch_nstmts =
    sizeof(db_batch_stmts) / sizeof(db_batch_stmts[0]);
