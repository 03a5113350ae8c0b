/*
 * call.h: for the query functions of src/db/ only. Above src/db/ no code
 * names a statement or reads a column: each query a handler needs is one
 * typed function (queries.h), whose statement, parameters and decoding of
 * columns sit together in its resource's file.
 */
#ifndef PIPELINED_CALL_H
#define PIPELINED_CALL_H

#include <stddef.h>

#include "db.h"

/* Room, in each query, for what a query function carries to its
 * decoder: the caller's typed callback and argument, mostly. */
#define DB_CALL_CTX_MAX 32

/*
 * Runs the registered statement stmt with text parameters, as one query
 * (shared = 0) or as a read identical ones may share (shared = 1, see
 * db_query_shared), and calls done(res, copy) once, copy being a copy of
 * the ctxlen bytes at ctx kept inside the query: so a query function
 * passes its caller's callback on without an allocation of its own.
 * Returns -1, and never calls done, when the query cannot be sent.
 */
int db_call(struct db_pool *pool, const char *stmt, int nparams,
    const char *const *params, int shared, db_callback done, const void *ctx,
    size_t ctxlen);

#endif
