/*
 * call.h: for the query functions of src/db/ only. Above src/db/ no code
 * names a statement or reads a column: each query a handler needs is one
 * typed function (queries.h), whose statement, parameters and decoding of
 * columns sit together in its resource's file.
 */
#ifndef PIPELINED_CALL_H
#define PIPELINED_CALL_H

#include <stddef.h>

#include <jansson.h>

#include "db.h"
#include "queries.h"

/*
 * Called once per query. res is NULL when the database could not be
 * reached; otherwise it holds the result, freed after the callback
 * returns. A statement error is a result too: see db_failed(). A query
 * that went in a batch gets its own rows, and the columns of its own
 * statement; if the batch failed, each of its queries ran alone.
 */
typedef void (*db_callback)(const db_result *res, void *arg);

/* The rows of a result, for the decoders: row and col count from the
 * query's own first row and column (a batch's key column is hidden). */
int db_rows(const db_result *res);
const char *db_value(const db_result *res, int row, int col);
size_t db_length(const db_result *res, int row, int col);
int db_is_null(const db_result *res, int row, int col);

/* Room, in each query, for what a query function carries to its
 * decoder: the caller's typed callback and argument, mostly. */
#define DB_CALL_CTX_MAX 32

/*
 * Runs the prepared statement named stmt (one of those registered) with
 * text parameters; NULL params are SQL NULL. The parameters are copied.
 * done(res, copy) is called once, copy being a copy of the ctxlen bytes
 * at ctx kept inside the query: so a query function passes its caller's
 * callback on without an allocation of its own. Returns -1, and never
 * calls done, when no connection is up or too many queries wait.
 *
 * shared = 1 is for a read whose answer depends only on its statement,
 * its parameters and the data: identical shared reads that wait together
 * run once, and each gets the one result. One that arrives while an
 * identical read is running waits for it to finish and runs after, so no
 * answer comes from a snapshot taken before its request arrived.
 */
int db_call(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, int shared, db_callback done, const void *ctx,
    size_t ctxlen);

/* db_call for a statement that answers with a photo: its hash, its
 * content type, then its bytes in hex (photos.c). */
int db_call_photo(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, db_photo_cb cb, void *arg);

/* db_call for a statement that answers with one JSON document in its
 * first column: cb gets it, or none when there is no row or it is NULL. */
int db_call_json(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, int shared, db_json_cb cb, void *arg);

/*
 * A page statement's SELECT list, as db_page_next reads it (decode.c):
 * the item's JSON, then its seq. Its parameters params[at] and
 * params[at + 1] are the seq to start after and the number of rows,
 * which db_call_page fills in.
 */
#define DB_PAGE(item, seq) "SELECT " item ", " seq
int db_call_page(struct db_pool *pool, const char *stmt, int nparams,
    const char **params, int at, long long after, int rows, db_page_cb cb,
    void *arg);

/*
 * Runs a write function (sql/004 and after): nlead text parameters, then
 * the documents as JSON text, then last the audit document of who, which
 * every write function records in its transaction. Answers as
 * db_call_json; DB_NOMEM when a document could not be written out.
 */
int db_write(struct db_pool *pool, const char *stmt, const char *const *lead,
    int nlead, json_t *const *docs, int ndocs, const struct db_actor *who,
    db_json_cb cb, void *arg);

/* The audit columns of a write that takes them one by one: principal id
 * and name, request id, method, path. */
#define DB_ACTOR_NPARAMS 6
void db_actor_params(const struct db_actor *who, const char **params);

#endif
