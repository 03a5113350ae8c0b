/* figures.c: the statements of the figures, targets and warning lights
 * (the SQL functions of sql/005_figures.sql). */
#include "statements.h"

const struct db_stmt db_figures_stmts[] = {
    {"stats_pipeline",
        "SELECT stats_pipeline($1::int, $2::date, $3::timestamptz, $4, $5)"},
    {"stats_alerts",
        "SELECT stats_alerts($1::int, $2, $3, $4::int, $5::int, $6::int,"
        " $7::int, $8::int, $9::int)"},
    {"targets_get", "SELECT targets_json($1::int)"},
    {"targets_put", "SELECT targets_put($1::int, $2::json, $3::json)"},
};

const size_t db_figures_nstmts =
    sizeof(db_figures_stmts) / sizeof(db_figures_stmts[0]);
