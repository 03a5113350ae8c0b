/*
 * db.h: the asynchronous PostgreSQL pool of one worker.
 *
 * Each worker keeps a few connections, driven by its event loop: a query
 * is sent with PQsendQueryPrepared and its result read when the socket is
 * readable, so no query ever blocks the loop. Every statement the service
 * repeats is prepared once per connection, right after it connects.
 *
 * When the database goes away, queries fail at once (the callback gets
 * NULL, and the handler answers 503) and the pool reconnects with a
 * backoff that doubles up to db_reconnect_max_ms.
 *
 * Handlers run queries through queries.h: one function per query, whose
 * callback gets the row decoded. To them a db_result is only how a query
 * ended (db_failed and after); its rows are read in src/db/ (call.h).
 */
#ifndef PIPELINED_DB_H
#define PIPELINED_DB_H

#include <stddef.h>

struct event_base;
struct db_pool;
typedef struct db_result db_result;

/*
 * A prepared statement: its name is what the logs and EXPLAIN show.
 *
 * A statement named "<name>_batch", registered after <name>, is the same
 * query for many keys at once, so that under load the lookups waiting for
 * a connection cost the database one statement instead of one each. Its
 * $1 is a text[] of <name>'s $1 values; its first column is the key a row
 * answers, as given, with each key's rows together (ORDER BY it); its
 * other columns are <name>'s. Each query sees only its own rows, as if it
 * had run alone.
 */
struct db_stmt {
	const char *name;
	const char *sql;
};

struct db_pool *db_pool_new(struct event_base *base, const char *conninfo,
    int size, int reconnect_max_ms, int statement_timeout_ms,
    int lock_timeout_ms);
void db_pool_free(struct db_pool *pool);

/* Who hears of the pool's state: the metrics, wired up by main. */
struct db_observer {
	void (*gauges)(int in_use, int waiting, int connected);
	void (*error)(void);
	void (*batch)(int queries); /* one statement answered these */
	void (*shared)(int queries); /* one read answered these alike */
};
void db_set_observer(const struct db_observer *o);

/* Registers statements to prepare on every connection; before the pool. */
void db_register(const struct db_stmt *stmts, size_t n);

/* Registers the statements of every resource (statements.c). */
void db_register_all(void);

/* How a query ended, so that callers above need no libpq: failed when
 * res is NULL (unreachable) or holds a statement error; its SQLSTATE
 * ("08006" when unreachable) and message. */
int db_failed(const db_result *res);
const char *db_sqlstate(const db_result *res);
const char *db_error_message(const db_result *res);

/* The migrations compiled into the binary (sql/NNN_*.sql). */
int db_schema_version_expected(void);

/* Synchronous, for the command line: applies missing migrations. */
int db_migrate(const char *conninfo);

/* Synchronous, for `pipelined key create`: name, role, areas literal,
 * prefix, hash, certificate, expires_on. */
int db_principal_create(
    const char *conninfo, const char *const params[7], char id[40]);

/* Resolves the connection string: the option, then DATABASE_URL. */
const char *db_conninfo(const char *configured);

#endif
