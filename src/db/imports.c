/* imports.c: the bulk import (sql/010). */
#include "call.h"
#include "statements.h"

const struct db_stmt db_import_stmts[] = {
    {"import_projects",
        /* $1 dry_run, $2 records, $3 audit */
        "SELECT import_projects($2::json, $1::boolean, $3::json)"},
};

const size_t db_import_nstmts =
    sizeof(db_import_stmts) / sizeof(db_import_stmts[0]);

int
db_import_projects(struct db_pool *pool, int dry_run, json_t *records,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	const char *lead[1] = {dry_run ? "true" : "false"};

	return db_write(
	    pool, "import_projects", lead, 1, &records, 1, who, cb, arg);
}
