/*
 * projects.c: the statements about projects and their events. The writes
 * are SQL functions (sql/004_project_writes.sql) so that a change, its
 * derived fields and its audit row are one atomic call.
 */
#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "statements.h"

#define EVENTS_OF(p)                                                           \
	"(SELECT coalesce(json_agg(json_build_object('id', e.id, 'type',"      \
	" e.type, 'effective_on', e.effective_on, 'amount_yuan',"              \
	" e.amount_yuan, 'retracts', e.retracts) ORDER BY e.seq), '[]')"       \
	" FROM project_events e WHERE e.project_id = " p ".id)"

/*
 * A project as project_row() reads it: its document, version and area,
 * in this order; project_history adds the events after them. The batch
 * forms put their key first, which the pool hides (db.h).
 */
#define PROJECT_COLUMNS "project_json(p), p.version, p.area"
#define HISTORY_COLUMNS PROJECT_COLUMNS ", " EVENTS_OF("p")
/*
 * project_state adds the derived fields and the latest effective date of
 * the events other than retractions (one probe of project_events_latest,
 * sql/014), in this order: what the rules need for an event that goes
 * after the whole history.
 */
#define STATE_COLUMNS                                                          \
	PROJECT_COLUMNS ", p.status, p.signed_on, p.signed_amount_yuan,"       \
	                " p.started_on, p.completed_on, p.operating_on,"       \
	                " (SELECT max(e.effective_on) FROM project_events e"   \
	                " WHERE e.project_id = p.id"                           \
	                " AND e.type <> 'retraction')"

/* An event as the history lists it, with the retraction that withdrew
 * it, if any (e and r of EVENT_FROM). */
#define EVENT_ITEM                                                             \
	"json_build_object("                                                   \
	"'id', e.id, 'type', e.type, 'effective_on', e.effective_on,"          \
	" 'amount_yuan', e.amount_yuan, 'kind', e.kind,"                       \
	" 'note', e.note, 'retracts', e.retracts,"                             \
	" 'reason', e.reason, 'recorded_at', e.recorded_at,"                   \
	" 'recorded_by', e.recorded_by,"                                       \
	" 'retracted_by', CASE WHEN r.id IS NULL THEN NULL ELSE"               \
	" json_build_object('id', r.id, 'reason', r.reason,"                   \
	" 'recorded_at', r.recorded_at) END)"
#define EVENT_FROM                                                             \
	" FROM project_events e"                                               \
	" LEFT JOIN project_events r ON r.retracts = e.id"

const struct db_stmt db_project_stmts[] = {
    {"project_get",
        "SELECT " PROJECT_COLUMNS " FROM projects p WHERE p.id = $1"},
    /* Under load, the waiting lookups as one statement (db.h). */
    {"project_get_batch",
        "SELECT k, " PROJECT_COLUMNS
        " FROM unnest($1::text[]) k JOIN projects p ON p.id = k::uuid"
        " ORDER BY k"},
    /* The project and what the rules need of its history for an event
     * that goes last (db_project_state). */
    {"project_state",
        "SELECT " STATE_COLUMNS " FROM projects p WHERE p.id = $1"},
    {"project_state_batch",
        "SELECT k, " STATE_COLUMNS " FROM unnest($1::text[]) k"
        " JOIN projects p ON p.id = k::uuid ORDER BY k"},
    /* The project and its whole history, for the rules. */
    {"project_history",
        "SELECT " HISTORY_COLUMNS " FROM projects p WHERE p.id = $1"},
    {"project_history_batch",
        "SELECT k, " HISTORY_COLUMNS " FROM unnest($1::text[]) k"
        " JOIN projects p ON p.id = k::uuid ORDER BY k"},
    {"project_create",
        "SELECT project_create($1::json, $2::json, $3::json, $4::json)"},
    {"project_update",
        "SELECT project_update($1::uuid, $2::bigint, $3::json, $4::json)"},
    {"event_append",
        "SELECT event_append($1::uuid, $2::bigint, $3::json, $4::json,"
        " $5::json)"},
    /* $1 after (seq), $2 limit, then the filters (db_project_page) */
    {"project_page",
        DB_PAGE("doc", "seq") " FROM project_page($1, $2, $3, $4, $5, $6,"
                              " $7, $8, $9, $10::uuid, $11::date,"
                              " $12::date, $13::date, $14::date,"
                              " $15::timestamptz, $16)"},
    /* A page of the events, oldest first, each with the retraction that
     * withdrew it, if any: $1 project, $2 after (seq), $3 limit. */
    {"event_page", DB_PAGE(EVENT_ITEM, "e.seq") EVENT_FROM
        " WHERE e.project_id = $1 AND e.seq > $2"
        " ORDER BY e.seq LIMIT $3"},
    /* One of them: $1 project, $2 event. */
    {"event_get", "SELECT " EVENT_ITEM EVENT_FROM
                  " WHERE e.project_id = $1 AND e.id = $2"},
};

const size_t db_project_nstmts =
    sizeof(db_project_stmts) / sizeof(db_project_stmts[0]);

/* ---- project_get ------------------------------------------------------- */

/* PROJECT_COLUMNS of the first row; NULL when there is none. */
static const struct db_project *
project_row(const db_result *res, struct db_project *p)
{
	if (db_failed(res) || db_rows(res) == 0)
		return NULL;
	p->json = db_value(res, 0, 0);
	p->json_len = db_length(res, 0, 0);
	p->version = atoll(db_value(res, 0, 1));
	p->area = db_value(res, 0, 2);
	return p;
}

struct project_call {
	db_project_cb cb;
	void *arg;
};

static void
project_done(const db_result *res, void *ctx)
{
	const struct project_call *c = ctx;
	struct db_project p;

	c->cb(res, project_row(res, &p), c->arg);
}

int
db_project_get(
    struct db_pool *pool, const char *id, db_project_cb cb, void *arg)
{
	const char *params[1] = {id};
	struct project_call c = {cb, arg};

	return db_call(
	    pool, "project_get", 1, params, 0, project_done, &c, sizeof(c));
}

/* ---- project_history --------------------------------------------------- */

/* HISTORY_COLUMNS: the project's, then the events. */
static const struct db_project_history *
history_row(const db_result *res, struct db_project_history *h)
{
	if (project_row(res, &h->project) == NULL)
		return NULL;
	h->events = db_value(res, 0, 3);
	return h;
}

struct history_call {
	db_project_history_cb cb;
	void *arg;
};

static void
history_done(const db_result *res, void *ctx)
{
	const struct history_call *c = ctx;
	struct db_project_history h;

	c->cb(res, history_row(res, &h), c->arg);
}

int
db_project_history(
    struct db_pool *pool, const char *id, db_project_history_cb cb, void *arg)
{
	const char *params[1] = {id};
	struct history_call c = {cb, arg};

	return db_call(
	    pool, "project_history", 1, params, 0, history_done, &c, sizeof(c));
}

/* ---- project_state ----------------------------------------------------- */

/* A column's text, or NULL for SQL NULL. */
static const char *
value_or_null(const db_result *res, int col)
{
	return db_is_null(res, 0, col) ? NULL : db_value(res, 0, col);
}

/* STATE_COLUMNS: the project's, then the derived fields and the date. */
static const struct db_project_state *
state_row(const db_result *res, struct db_project_state *s)
{
	if (project_row(res, &s->project) == NULL)
		return NULL;
	s->status = db_value(res, 0, 3);
	s->signed_on = value_or_null(res, 4);
	s->signed_amount_yuan = value_or_null(res, 5);
	s->started_on = value_or_null(res, 6);
	s->completed_on = value_or_null(res, 7);
	s->operating_on = value_or_null(res, 8);
	s->latest = value_or_null(res, 9);
	return s;
}

struct state_call {
	db_project_state_cb cb;
	void *arg;
};

static void
state_done(const db_result *res, void *ctx)
{
	const struct state_call *c = ctx;
	struct db_project_state s;

	c->cb(res, state_row(res, &s), c->arg);
}

int
db_project_state(
    struct db_pool *pool, const char *id, db_project_state_cb cb, void *arg)
{
	const char *params[1] = {id};
	struct state_call c = {cb, arg};

	return db_call(
	    pool, "project_state", 1, params, 0, state_done, &c, sizeof(c));
}

/* ---- the writes -------------------------------------------------------- */

int
db_project_create(struct db_pool *pool, json_t *fields, json_t *derived,
    json_t *events, const struct db_actor *who, db_json_cb cb, void *arg)
{
	json_t *docs[3] = {fields, derived, events};

	return db_write(pool, "project_create", NULL, 0, docs, 3, who, cb, arg);
}

int
db_project_update(struct db_pool *pool, const char *id, long long version,
    json_t *fields, const struct db_actor *who, db_json_cb cb, void *arg)
{
	char v[24];
	const char *lead[2] = {id, v};

	snprintf(v, sizeof(v), "%lld", version);
	return db_write(
	    pool, "project_update", lead, 2, &fields, 1, who, cb, arg);
}

int
db_event_append(struct db_pool *pool, const char *id, long long version,
    json_t *event, json_t *derived, const struct db_actor *who, db_json_cb cb,
    void *arg)
{
	char v[24];
	const char *lead[2] = {id, v};
	json_t *docs[2] = {event, derived};

	snprintf(v, sizeof(v), "%lld", version);
	return db_write(pool, "event_append", lead, 2, docs, 2, who, cb, arg);
}

/* ---- project_page ------------------------------------------------------ */

int
db_project_page(struct db_pool *pool, const struct db_project_filter *f,
    long long after, int rows, db_page_cb cb, void *arg)
{
	const char *params[16] = {NULL, NULL, f->area, f->status, f->industry,
	    f->level, f->signed_year, f->q, f->code, f->batch, f->signed_from,
	    f->signed_to, f->started_from, f->started_to, f->updated_since,
	    f->sort};

	return db_call_page(
	    pool, "project_page", 16, params, 0, after, rows, cb, arg);
}

/* ---- event_page ------------------------------------------------------- */

int
db_event_page(struct db_pool *pool, const char *project, long long after,
    int rows, db_page_cb cb, void *arg)
{
	const char *params[3] = {project, NULL, NULL};

	return db_call_page(
	    pool, "event_page", 3, params, 1, after, rows, cb, arg);
}

int
db_event_get(struct db_pool *pool, const char *project, const char *event,
    db_json_cb cb, void *arg)
{
	const char *params[2] = {project, event};

	return db_call_json(pool, "event_get", 2, params, 0, cb, arg);
}
