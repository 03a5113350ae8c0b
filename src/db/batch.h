/*
 * batch.h: statements with a batch form (db.h), for the pool: which
 * statement is whose batch form, the array literal a batch sends, and
 * which rows of its result answer which key. No connection, no queue.
 */
#ifndef PIPELINED_BATCH_H
#define PIPELINED_BATCH_H

#include <stddef.h>

#include <libpq-fe.h>

#include "db.h"

#define BATCH_MAX 64 /* queries in one batch */

/* Notes the "<name>_batch" statements of a registered list. */
void batch_register(const struct db_stmt *list, size_t n);

/* The name of stmt's batch form, or NULL when it has none. */
const char *batch_form(const char *stmt);

/* The text[] literal of the distinct keys among keys[0..n), each quoted:
 * malloc'd, or NULL when memory ran out. */
char *batch_keys(const char *const *keys, size_t n);

/* The rows of a batch's result that answer key (its column 0): *rows of
 * them from *row0, together as the batch form promises; *rows = 0 when
 * the key found nothing. */
void batch_rows_of(const PGresult *res, const char *key, int *row0, int *rows);

#endif
