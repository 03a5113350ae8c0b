/*
 * queries.h: one function per query a handler needs, and the row each
 * answers with. The statement, its parameters and the decoding of its
 * columns are in the resource's file of src/db/, side by side, so that a
 * change to a SELECT list and to what reads it are one change; above
 * src/db/ no code names a statement or reads a column by number.
 *
 * Every function returns 0 when its query is on its way: cb is then
 * called once, later, with
 *   st   how the query ended: NULL when the database could not be
 *        reached, else see db_failed(), db_sqlstate(), db_error_message();
 *   row  the decoded row, or NULL when the query failed or found none
 *        (each function says what none means). Its strings point into
 *        the result and are valid until cb returns: no row is copied;
 *   arg  as given.
 * Otherwise it returns DB_DOWN or DB_NOMEM, and cb is never called.
 */
#ifndef PIPELINED_QUERIES_H
#define PIPELINED_QUERIES_H

#include <stddef.h>

#include <jansson.h>

#include "db.h"

#define DB_DOWN  (-1) /* no connection is up, or too many queries wait */
#define DB_NOMEM (-2) /* a parameter could not be made */

/*
 * Who made a change, and in which request: every write records it in the
 * audit row of its transaction. idempotency_key and idempotency_token (the
 * reservation's, struct db_idem) are NULL unless the request reserved a
 * key; then the write marks the key done, or is refused with
 * DB_IDEM_TAKEN_OVER. client is the request's client address (the one a
 * trusted proxy or a PROXY header names), NULL when there is none.
 */
struct db_actor {
	const char *principal_id, *principal, *request_id, *method, *path;
	const char *idempotency_key, *idempotency_token;
	const char *client;
};

/* One JSON document: what a write returns, a figure, the areas. */
struct db_json {
	const char *text;
	size_t len;
};
typedef void (*db_json_cb)(
    const db_result *st, const struct db_json *doc, void *arg);

/*
 * A list page (SPEC §6): items in the order of their seq, after a given
 * seq, at most a given number of rows. Walk them with db_page_next; the
 * fields of struct db_page are the walk's own.
 */
struct db_page_item {
	const char *json;
	size_t json_len;
	long long seq; /* what the cursor after this item encodes */
};
struct db_page {
	const db_result *res;
	int next;
};
/* The next item into *item: 1, or 0 when there is none left. */
int db_page_next(struct db_page *page, struct db_page_item *item);
typedef void (*db_page_cb)(
    const db_result *st, struct db_page *page, void *arg);

/* ---- audit.c, batches.c, principals.c: their lists --------------------- */

/* Each filter is NULL when absent; from and to are RFC 3339 times, which
 * the database reads (sqlstate 22xxx when it cannot). */
struct db_audit_filter {
	const char *principal, *resource, *from, *to;
};
int db_audit_page(struct db_pool *pool, const struct db_audit_filter *f,
    long long after, int rows, db_page_cb cb, void *arg);

struct db_batch_filter {
	const char *kind, *area, *year;
};
int db_batch_page(struct db_pool *pool, const struct db_batch_filter *f,
    long long after, int rows, db_page_cb cb, void *arg);

int db_principal_page(
    struct db_pool *pool, long long after, int rows, db_page_cb cb, void *arg);
/* One key, as db_principal_page lists it; none: no such key. */
int db_principal_get(
    struct db_pool *pool, const char *id, db_json_cb cb, void *arg);

/* ---- principals.c: keys, certificates, areas, the schema --------------- */

/* A principal found by its key's prefix or its certificate. */
struct db_principal {
	const char *id, *name, *role;
	const char *areas; /* a text[] literal: {140821,140882} */
	/* The key's SHA-256 (hex), or the certificate's fingerprint: the
	 * caller compares it, in constant time, with what was presented. */
	const char *secret;
	int expired, revoked;
};
typedef void (*db_principal_cb)(
    const db_result *st, const struct db_principal *p, void *arg);
/* none: no principal has it. */
int db_principal_by_key_prefix(
    struct db_pool *pool, const char *prefix, db_principal_cb cb, void *arg);
int db_principal_by_cert(
    struct db_pool *pool, const char *sha256, db_principal_cb cb, void *arg);

/* A new principal; cert_sha256 and expires_on may be NULL. */
struct db_principal_new {
	const char *name, *role;
	const char *areas; /* a text[] literal */
	const char *prefix, *key_hash, *cert_sha256, *expires_on;
};
/* Answers with the principal as db_principal_page lists it; none: an
 * area is not a known one. A certificate already registered is sqlstate
 * 23505. */
int db_principal_insert(struct db_pool *pool, const struct db_principal_new *p,
    const struct db_actor *who, db_json_cb cb, void *arg);

struct db_revocation {
	int found; /* the principal exists */
	int revoked; /* and this call revoked it (it was not yet) */
};
typedef void (*db_revocation_cb)(
    const db_result *st, const struct db_revocation *r, void *arg);
int db_principal_revoke(struct db_pool *pool, const char *id,
    const struct db_actor *who, db_revocation_cb cb, void *arg);

/* Every area, as one JSON array of {code, name, parent}. */
int db_area_list(struct db_pool *pool, db_json_cb cb, void *arg);

/* The version of the schema the database is at (sql/NNN). */
struct db_schema {
	int version;
};
typedef void (*db_schema_cb)(
    const db_result *st, const struct db_schema *s, void *arg);
int db_schema_version(struct db_pool *pool, db_schema_cb cb, void *arg);

/* ---- projects.c -------------------------------------------------------- */

struct db_project {
	const char *json; /* project_json(): the document served */
	size_t json_len;
	long long version; /* the ETag */
	const char *area; /* for the scope check */
};
typedef void (*db_project_cb)(
    const db_result *st, const struct db_project *p, void *arg);

/* The project with that id (a UUID); none: no such project. */
int db_project_get(
    struct db_pool *pool, const char *id, db_project_cb cb, void *arg);

/*
 * The project, its derived fields as stored and the latest effective date
 * of its events other than retractions: all the rules need to check an
 * event dated on or after that date (lifecycle_append_last). Dates are
 * YYYY-MM-DD and the amount decimal; NULL when unset (latest: when the
 * project has no event).
 */
struct db_project_state {
	struct db_project project;
	const char *status;
	const char *signed_on, *signed_amount_yuan, *started_on;
	const char *completed_on, *operating_on, *latest;
};
typedef void (*db_project_state_cb)(
    const db_result *st, const struct db_project_state *s, void *arg);
int db_project_state(
    struct db_pool *pool, const char *id, db_project_state_cb cb, void *arg);

/* The project and its whole history, for the lifecycle rules. */
struct db_project_history {
	struct db_project project;
	const char *events; /* a JSON array, oldest first (history_parse) */
};
typedef void (*db_project_history_cb)(
    const db_result *st, const struct db_project_history *h, void *arg);
int db_project_history(
    struct db_pool *pool, const char *id, db_project_history_cb cb, void *arg);

/* The writes answer with the project as it now is (db_event_append: with
 * the event). Update and append write only if the project is still at
 * version; none: it has moved since. */
int db_project_create(struct db_pool *pool, json_t *fields, json_t *derived,
    json_t *events, const struct db_actor *who, db_json_cb cb, void *arg);
int db_project_update(struct db_pool *pool, const char *id, long long version,
    json_t *fields, const struct db_actor *who, db_json_cb cb, void *arg);
int db_event_append(struct db_pool *pool, const char *id, long long version,
    json_t *event, json_t *derived, const struct db_actor *who, db_json_cb cb,
    void *arg);

struct db_project_filter {
	const char *area, *status, *industry, *level, *signed_year, *q, *code;
	const char *batch; /* a UUID */
	/* Date ranges, inclusive, each end optional (YYYY-MM-DD), and an
	 * RFC 3339 time: changed at or after it. */
	const char *signed_from, *signed_to, *started_from, *started_to;
	const char *updated_since;
	/* A column of project_page's list, "-" before it for descending;
	 * NULL: registration order. */
	const char *sort;
};
int db_project_page(struct db_pool *pool, const struct db_project_filter *f,
    long long after, int rows, db_page_cb cb, void *arg);

/* A page of a project's events, oldest first, each with the retraction
 * that withdrew it (retracted_by). An unknown project has none. */
int db_event_page(struct db_pool *pool, const char *project, long long after,
    int rows, db_page_cb cb, void *arg);
/* One event of a project, as db_event_page lists it; none: no such
 * event of that project. */
int db_event_get(struct db_pool *pool, const char *project, const char *event,
    db_json_cb cb, void *arg);

/* ---- reports.c --------------------------------------------------------- */

/* The area of a project, for the scope check; none: no such project. */
struct db_project_area {
	const char *area;
};
typedef void (*db_project_area_cb)(
    const db_result *st, const struct db_project_area *p, void *arg);
int db_project_area(
    struct db_pool *pool, const char *id, db_project_area_cb cb, void *arg);

/* Files a report on a project; answers with the report, or none when
 * there is no such project. */
int db_report_create(struct db_pool *pool, const char *project, json_t *report,
    const struct db_actor *who, db_json_cb cb, void *arg);

/* Photo n (1..4) of a report of a project; none: there is none. */
struct db_photo {
	const char *sha256;
	const char *content_type;
	const char *hex; /* its bytes, in hex: the text protocol's */
	size_t hex_len;
};
typedef void (*db_photo_cb)(
    const db_result *st, const struct db_photo *ph, void *arg);
int db_report_photo(struct db_pool *pool, const char *project,
    const char *report, const char *n, db_photo_cb cb, void *arg);

/*
 * A report as a field client sends it (sql/functions/report_put.sql,
 * checked by the API), put once: answers {"outcome", "report"}, outcome
 * created, unchanged, conflict, no-project, outside-scope or
 * missing-photo ("photo"). scope: the areas the principal may write in
 * (a JSON array), or JSON null for all. report_batch: a JSON array of
 * them, answered by an array of the outcomes in order (or "error").
 */
int db_report_put(struct db_pool *pool, json_t *report, json_t *scope,
    const struct db_actor *who, db_json_cb cb, void *arg);
int db_report_batch(struct db_pool *pool, json_t *reports, json_t *scope,
    const struct db_actor *who, db_json_cb cb, void *arg);
/* One report by its id; none: there is none. */
int db_report_by_id(
    struct db_pool *pool, const char *id, db_json_cb cb, void *arg);
/* A page of reports, in the order they were recorded; each filter NULL
 * for any: project (a UUID), areas (comma-separated codes), since (RFC
 * 3339: recorded at or after). */
struct db_report_filter {
	const char *project, *areas, *since;
};
int db_report_search(struct db_pool *pool, const struct db_report_filter *f,
    long long after, int rows, db_page_cb cb, void *arg);

/* ---- photos.c ---------------------------------------------------------- */

/* Stores a checked photo: hex is its bytes as bytea's text input ("\x"
 * and hex), meta what the API read of them (sha256, content_type, width,
 * height, and from EXIF taken_at, lat, lon). Answers {"created",
 * "photo"}: created false when it was stored already. */
int db_photo_put(struct db_pool *pool, const char *hex, json_t *meta,
    const struct db_actor *who, db_json_cb cb, void *arg);
/* A photo by its SHA-256 (lowercase hex); none: there is none. */
int db_photo_get(
    struct db_pool *pool, const char *sha256, db_photo_cb cb, void *arg);
/* Removes up to 1000 photos uploaded more than keep_seconds ago that no
 * report references; a failure is logged. */
int db_photo_sweep(struct db_pool *pool, int keep_seconds);

int db_report_page(struct db_pool *pool, const char *project, long long after,
    int rows, db_page_cb cb, void *arg);
/* One report of a project, as db_report_page lists it; none: no such
 * report of that project. */
int db_report_get(struct db_pool *pool, const char *project, const char *report,
    db_json_cb cb, void *arg);

/* ---- changes.c --------------------------------------------------------- */

/* The change feed (sql/009): changes after the position (xid, id), in
 * that order; walk them with db_change_next. */
struct db_change {
	const char *json;
	size_t json_len;
	long long xid, id; /* its position */
};
struct db_changes {
	const db_result *res;
	int next;
};
int db_change_next(struct db_changes *feed, struct db_change *change);
typedef void (*db_changes_cb)(
    const db_result *st, struct db_changes *feed, void *arg);
/* The page after the cursor's position (xid, id), of the changes to the
 * resource types in kinds (comma-separated) made at or after since (RFC
 * 3339), each NULL for all. */
struct db_change_query {
	long long xid, id;
	int limit;
	const char *kinds, *since;
};
int db_change_page(struct db_pool *pool, const struct db_change_query *q,
    db_changes_cb cb, void *arg);

/* ---- figures.c (sql/005): shared reads (db_call in call.h) ------------ */

/* Each is text as the SQL function reads it; known_at, by and area may
 * be NULL. */
struct db_pipeline_query {
	const char *year, *as_of, *known_at, *by, *area;
};
/* Answers with the figures; none: nothing is recorded for them. */
int db_stats_pipeline(struct db_pool *pool, const struct db_pipeline_query *q,
    db_json_cb cb, void *arg);

/* area and light may be NULL; the thresholds are the configuration's. */
struct db_alerts_query {
	const char *year, *area, *light;
	int start_red_days, progress_yellow_points, progress_red_points;
	int reporting_yellow_days, reporting_red_days;
	const char *as_of; /* YYYY-MM-DD; NULL: today */
	long long after; /* the key of the last item before; 0: none */
	int limit;
};
int db_stats_alerts(struct db_pool *pool, const struct db_alerts_query *q,
    db_json_cb cb, void *arg);

/* A year's targets; none: none are set. */
int db_targets_get(
    struct db_pool *pool, const char *year, db_json_cb cb, void *arg);
/* Sets them; an unknown or repeated area is sqlstate 23xxx. */
int db_targets_put(struct db_pool *pool, const char *year, json_t *targets,
    const struct db_actor *who, db_json_cb cb, void *arg);

/* ---- batches.c, imports.c ---------------------------------------------- */

/* Answers with the batch; an unknown area or project is sqlstate 23503,
 * whose message names which. */
/* One batch, as db_batch_page lists it; none: no such batch. */
int db_batch_get(
    struct db_pool *pool, const char *id, db_json_cb cb, void *arg);
int db_batch_create(struct db_pool *pool, json_t *batch,
    const struct db_actor *who, db_json_cb cb, void *arg);

/* Imports records (or only checks them, when dry_run); answers with the
 * outcome, which lists the records' errors when there are any. */
int db_import_projects(struct db_pool *pool, int dry_run, json_t *records,
    const struct db_actor *who, db_json_cb cb, void *arg);

/* ---- idempotency.c (sql/007, sql/015, sql/016) ------------------------- */

enum db_idem_outcome {
	DB_IDEM_RESERVED, /* the key is this request's now */
	DB_IDEM_DONE, /* a request like it was answered: replay that */
	DB_IDEM_MISMATCH, /* the key went with another request */
	DB_IDEM_IN_FLIGHT, /* the first request with it is still running */
};
struct db_idem {
	enum db_idem_outcome outcome;
	/* DB_IDEM_DONE: the response to replay, as first sent: body is its
	 * exact bytes; content_type, location and etag are NULL when it had
	 * none (content_type: a key done before sql/016, JSON). */
	int status;
	const char *body;
	size_t body_len;
	const char *content_type, *location, *etag;
	/* DB_IDEM_RESERVED: the reservation's token (a UUID), for the write
	 * (struct db_actor) and db_idem_release. */
	const char *token;
};
typedef void (*db_idem_cb)(
    const db_result *st, const struct db_idem *r, void *arg);
/* Reserves key for the principal and the request whose SHA-256 is hash.
 * The reservation is the database session's that runs this: once that
 * session has ended (its worker died) the key is taken over at once;
 * while it lives, only when older than stale_s seconds. */
int db_idem_reserve(struct db_pool *pool, const char *principal_id,
    const char *key, const char *hash, int stale_s, db_idem_cb cb, void *arg);
/* Gives back a reserved key whose request wrote nothing, unless it was
 * taken over since: best effort, with no answer (a key not given back goes
 * when its session ends or it goes stale). */
int db_idem_release(struct db_pool *pool, const char *principal_id,
    const char *key, const char *token);
/* The sqlstate of a write refused because its key was taken over: the
 * request that took it makes the write. */
#define DB_IDEM_TAKEN_OVER "IK001"

/* ---- limits.c: what every instance shares (sql/017) ------------------ */

/* A lease from a principal's token bucket: granted tokens, or none and
 * the seconds to wait. */
struct db_lease {
	int granted, wait_s;
};
typedef void (*db_lease_cb)(
    const db_result *st, const struct db_lease *lease, void *arg);
int db_rate_lease(struct db_pool *pool, const char *principal_id, double rate,
    double burst, int want, db_lease_cb cb, void *arg);

/* One more failed authentication from addr: cb gets the address's level
 * afterwards (failures, leaking at per_minute a minute), or -1 when the
 * query failed. */
typedef void (*db_level_cb)(const db_result *st, double level, void *arg);
int db_auth_failure_record(struct db_pool *pool, const char *addr,
    int per_minute, db_level_cb cb, void *arg);

/* ---- replica.c: a standby's position (issue 18) ----------------------- */

/* A WAL position in bytes, or -1 when the query failed. */
typedef void (*db_position_cb)(const db_result *st, long long pos, void *arg);
/* How far the server replayed (a standby) or wrote (a primary). */
int db_standby_position(struct db_pool *pool, db_position_cb cb, void *arg);
/* How far the primary wrote: after a commit, a position that covers it. */
int db_wal_position(struct db_pool *pool, db_position_cb cb, void *arg);

#endif
