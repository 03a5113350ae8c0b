/* idempotency.c: the statements of Idempotency-Key (sql/007). */
#include "statements.h"

const struct db_stmt db_idempotency_stmts[] = {
    {"idem_reserve", "SELECT * FROM idempotency_reserve($1, $2, $3, $4::int)"},
    /* A request that wrote nothing gives its key back. */
    {"idem_release",
        "DELETE FROM idempotency_keys WHERE principal_id = $1 AND key = $2"
        " AND state = 'pending'"},
};

const size_t db_idempotency_nstmts =
    sizeof(db_idempotency_stmts) / sizeof(db_idempotency_stmts[0]);
