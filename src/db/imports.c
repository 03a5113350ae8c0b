/* imports.c: the bulk import (sql/010). */
#include "statements.h"

const struct db_stmt db_import_stmts[] = {
    {"import_projects",
        /* $1 dry_run, $2 records, $3 audit */
        "SELECT import_projects($2::json, $1::boolean, $3::json)"},
};

const size_t db_import_nstmts =
    sizeof(db_import_stmts) / sizeof(db_import_stmts[0]);
