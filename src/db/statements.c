/* statements.c: registers every resource's statements with the pool. */
#include "statements.h"

void
db_register_all(void)
{
#define DB_REGISTER(r) db_register(db_##r##_stmts, db_##r##_nstmts);
	DB_RESOURCES(DB_REGISTER)
#undef DB_REGISTER
}
