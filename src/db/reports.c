/* reports.c: the statements of site reports (sql/008). */
#include "call.h"
#include "statements.h"

const struct db_stmt db_report_stmts[] = {
    /* Its one column: the area (project_area_done). */
    {"project_area", "SELECT area FROM projects WHERE id = $1"},
    {"report_create", "SELECT report_create($1::uuid, $2::json, $3::json)"},
    /* $1 project, $2 after (seq), $3 limit */
    {"report_page",
        DB_PAGE("report_json(r)", "r.seq") " FROM site_reports r"
                                           " WHERE r.project_id = $1 AND r.seq "
                                           "> $2 ORDER BY r.seq LIMIT $3"},
    /* $1 the report, $2 the scope (areas, or null), $3 the audit. */
    {"report_put", "SELECT report_put($1::json, $2::json, $3::json)"},
    {"report_batch", "SELECT report_batch($1::json, $2::json, $3::json)"},
    /* One report by its id, whatever its project. */
    {"report_by_id",
        "SELECT report_json(r) FROM site_reports r WHERE r.id = $1"},
    /* $1 after (seq), $2 limit, $3 project, $4 areas (comma-separated),
     * $5 recorded since: each NULL for any. */
    {"report_search",
        DB_PAGE("report_json(r)",
            "r.seq") " FROM site_reports r"
                     " JOIN projects p ON p.id = r.project_id"
                     " WHERE r.seq > $1 AND ($3::uuid IS NULL OR r.project_id "
                     "= $3)"
                     " AND ($4::text IS NULL"
                     " OR p.area = ANY (string_to_array($4, ',')))"
                     " AND ($5::timestamptz IS NULL OR r.recorded_at >= $5)"
                     " ORDER BY r.seq LIMIT $2"},
    /* One report: $1 project, $2 report. */
    {"report_get", "SELECT report_json(r) FROM site_reports r"
                   " WHERE r.project_id = $1 AND r.id = $2"},
    /* The photo's columns as db_call_photo reads them. */
    {"report_photo",
        "SELECT ph.sha256, ph.content_type, encode(ph.bytes, 'hex')"
        " FROM site_report_photos sp"
        " JOIN site_reports r ON r.id = sp.report_id"
        " JOIN photos ph ON ph.sha256 = sp.sha256"
        " WHERE r.project_id = $1 AND sp.report_id = $2"
        " AND sp.n = $3::smallint"},
};

const size_t db_report_nstmts =
    sizeof(db_report_stmts) / sizeof(db_report_stmts[0]);

/* ---- project_area ------------------------------------------------------ */

struct project_area_call {
	db_project_area_cb cb;
	void *arg;
};

static void
project_area_done(const db_result *res, void *ctx)
{
	const struct project_area_call *c = ctx;
	struct db_project_area p;
	int found = !db_failed(res) && db_rows(res) > 0;

	if (found)
		p.area = db_value(res, 0, 0);
	c->cb(res, found ? &p : NULL, c->arg);
}

int
db_project_area(
    struct db_pool *pool, const char *id, db_project_area_cb cb, void *arg)
{
	const char *params[1] = {id};
	struct project_area_call c = {cb, arg};

	return db_call(pool, "project_area", 1, params, 0, project_area_done,
	    &c, sizeof(c));
}

/* ---- report_create, report_page ---------------------------------------- */

int
db_report_create(struct db_pool *pool, const char *project, json_t *report,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	const char *lead[1] = {project};

	return db_write(
	    pool, "report_create", lead, 1, &report, 1, who, cb, arg);
}

int
db_report_page(struct db_pool *pool, const char *project, long long after,
    int rows, db_page_cb cb, void *arg)
{
	const char *params[3] = {project, NULL, NULL};

	return db_call_page(
	    pool, "report_page", 3, params, 1, after, rows, cb, arg);
}

/* ---- report_photo ------------------------------------------------------ */

int
db_report_photo(struct db_pool *pool, const char *project, const char *report,
    const char *n, db_photo_cb cb, void *arg)
{
	const char *params[3] = {project, report, n};

	return db_call_photo(pool, "report_photo", 3, params, cb, arg);
}

int
db_report_get(struct db_pool *pool, const char *project, const char *report,
    db_json_cb cb, void *arg)
{
	const char *params[2] = {project, report};

	return db_call_json(pool, "report_get", 2, params, 0, cb, arg);
}

/* ---- report_put, report_batch, report_by_id, report_search ------------- */

int
db_report_put(struct db_pool *pool, json_t *report, json_t *scope,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	json_t *docs[2] = {report, scope};

	return db_write(pool, "report_put", NULL, 0, docs, 2, who, cb, arg);
}

int
db_report_batch(struct db_pool *pool, json_t *reports, json_t *scope,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	json_t *docs[2] = {reports, scope};

	return db_write(pool, "report_batch", NULL, 0, docs, 2, who, cb, arg);
}

int
db_report_by_id(struct db_pool *pool, const char *id, db_json_cb cb, void *arg)
{
	const char *params[1] = {id};

	return db_call_json(pool, "report_by_id", 1, params, 0, cb, arg);
}

int
db_report_search(struct db_pool *pool, const struct db_report_filter *f,
    long long after, int rows, db_page_cb cb, void *arg)
{
	const char *params[5] = {NULL, NULL, f->project, f->areas, f->since};

	return db_call_page(
	    pool, "report_search", 5, params, 0, after, rows, cb, arg);
}
