/* statements.h: the prepared statements of each resource's file. */
#ifndef PIPELINED_STATEMENTS_H
#define PIPELINED_STATEMENTS_H

#include <stddef.h>

#include "db.h"

extern const struct db_stmt db_principal_stmts[];
extern const size_t db_principal_nstmts;

extern const struct db_stmt db_project_stmts[];
extern const size_t db_project_nstmts;

extern const struct db_stmt db_audit_stmts[];
extern const size_t db_audit_nstmts;

extern const struct db_stmt db_figures_stmts[];
extern const size_t db_figures_nstmts;

extern const struct db_stmt db_batch_stmts[];
extern const size_t db_batch_nstmts;

extern const struct db_stmt db_idempotency_stmts[];
extern const size_t db_idempotency_nstmts;

extern const struct db_stmt db_report_stmts[];
extern const size_t db_report_nstmts;

extern const struct db_stmt db_change_stmts[];
extern const size_t db_change_nstmts;

extern const struct db_stmt db_import_stmts[];
extern const size_t db_import_nstmts;

#endif
