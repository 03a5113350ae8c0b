/* reports.c: the statements of site reports (sql/008). */
#include "call.h"
#include "statements.h"

const struct db_stmt db_report_stmts[] = {
    {"project_area", "SELECT area FROM projects WHERE id = $1"},
    {"report_create", "SELECT report_create($1::uuid, $2::json, $3::json)"},
    /* $1 project, $2 after (seq), $3 limit */
    {"report_page",
        DB_PAGE("report_json(r)", "r.seq") " FROM site_reports r"
                                           " WHERE r.project_id = $1 AND r.seq "
                                           "> $2 ORDER BY r.seq LIMIT $3"},
    {"report_photo",
        "SELECT p.content_type, encode(p.bytes, 'hex') FROM site_report_photos "
        "p"
        " JOIN site_reports r ON r.id = p.report_id"
        " WHERE r.project_id = $1 AND p.report_id = $2 AND p.n = $3::smallint"},
};

const size_t db_report_nstmts =
    sizeof(db_report_stmts) / sizeof(db_report_stmts[0]);

int
db_report_page(struct db_pool *pool, const char *project, long long after,
    int rows, db_page_cb cb, void *arg)
{
	const char *params[3] = {project, NULL, NULL};

	return db_call_page(
	    pool, "report_page", 3, params, 1, after, rows, cb, arg);
}
