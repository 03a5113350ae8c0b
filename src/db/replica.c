/*
 * replica.c: where a streaming standby stands (issue 18): how far it has
 * replayed, and how far the primary has written. Both are WAL positions
 * in bytes (a pg_lsn less 0/0), so that they compare as numbers.
 */
#include <stdlib.h>

#include "call.h"
#include "statements.h"

const struct db_stmt db_replica_stmts[] = {
    /* On a server that is not in recovery (libpq's prefer-standby fell
     * back to the primary), its own position: it lags nothing. */
    {"standby_position",
        "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
        " ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn"},
    {"wal_position", "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"},
};

const size_t db_replica_nstmts =
    sizeof(db_replica_stmts) / sizeof(db_replica_stmts[0]);

struct position_call {
	db_position_cb cb;
	void *arg;
};

static void
position_done(const db_result *res, void *ctx)
{
	const struct position_call *c = ctx;

	if (db_failed(res) || db_rows(res) != 1 || db_is_null(res, 0, 0))
		c->cb(res, -1, c->arg);
	else
		c->cb(res, strtoll(db_value(res, 0, 0), NULL, 10), c->arg);
}

static int
position(struct db_pool *pool, const char *stmt, db_position_cb cb, void *arg)
{
	struct position_call c = {cb, arg};

	return db_call(pool, stmt, 0, NULL, 0, position_done, &c, sizeof(c));
}

int
db_standby_position(struct db_pool *pool, db_position_cb cb, void *arg)
{
	return position(pool, "standby_position", cb, arg);
}

int
db_wal_position(struct db_pool *pool, db_position_cb cb, void *arg)
{
	return position(pool, "wal_position", cb, arg);
}
