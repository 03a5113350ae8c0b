/* reports.c: the statements of site reports (sql/008). */
#include "statements.h"

const struct db_stmt db_report_stmts[] = {
    {"project_area", "SELECT area FROM projects WHERE id = $1"},
    {"report_create", "SELECT report_create($1::uuid, $2::json, $3::json)"},
    /* $1 project, $2 after (seq), $3 limit */
    {"report_page",
        "SELECT report_json(r), r.seq FROM site_reports r"
        " WHERE r.project_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT $3"},
    {"report_photo",
        "SELECT p.content_type, encode(p.bytes, 'hex') FROM site_report_photos "
        "p"
        " JOIN site_reports r ON r.id = p.report_id"
        " WHERE r.project_id = $1 AND p.report_id = $2 AND p.n = $3::smallint"},
};

const size_t db_report_nstmts =
    sizeof(db_report_stmts) / sizeof(db_report_stmts[0]);
