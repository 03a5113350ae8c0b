/*
 * statements.h: the prepared statements of each resource's file. Every
 * src/db/<resource>.c defines db_<resource>_stmts and its count; the list
 * below is the one place that names them all.
 */
#ifndef PIPELINED_STATEMENTS_H
#define PIPELINED_STATEMENTS_H

#include <stddef.h>

#include "db.h"

#define DB_RESOURCES(X)                                                        \
	X(principal)                                                           \
	X(project)                                                             \
	X(audit)                                                               \
	X(figures)                                                             \
	X(batch)                                                               \
	X(idempotency)                                                         \
	X(report)                                                              \
	X(change)                                                              \
	X(import)                                                              \
	X(limits)                                                              \
	X(replica)                                                             \
	X(photo)

#define DB_DECLARE_STMTS(r)                                                    \
	extern const struct db_stmt db_##r##_stmts[];                          \
	extern const size_t db_##r##_nstmts;

DB_RESOURCES(DB_DECLARE_STMTS)

#endif
