/* statements.c: registers every resource's statements with the pool. */
#include "statements.h"

void
db_register_all(void)
{
	db_register(db_principal_stmts, db_principal_nstmts);
	db_register(db_project_stmts, db_project_nstmts);
	db_register(db_audit_stmts, db_audit_nstmts);
	db_register(db_figures_stmts, db_figures_nstmts);
	db_register(db_batch_stmts, db_batch_nstmts);
	db_register(db_idempotency_stmts, db_idempotency_nstmts);
	db_register(db_report_stmts, db_report_nstmts);
	db_register(db_change_stmts, db_change_nstmts);
	db_register(db_import_stmts, db_import_nstmts);
}
