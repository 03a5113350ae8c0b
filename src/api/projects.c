/*
 * projects.c: /api/v1/projects and /api/v1/projects/{id}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/etag.h"
#include "../util/alloc.h"
#include "../domain/validate.h"
#include "auth.h"
#include "cursor.h"
#include "handlers.h"
#include "history.h"
#include "input.h"
#include "project_fields.h"
#include "replica.h"

void
api_write_refused(struct api_req *a, const db_result *res)
{
	const char *state = db_sqlstate(res);

	if (strcmp(state, "23505") == 0) {
		api_problem(a, 409, "duplicate-code",
		    "Another project already has this project code.");
	} else if (strcmp(state, "23503") == 0) {
		struct verrors v;

		verrors_init(&v);
		if (strstr(db_error_message(res), "code_area") != NULL)
			verrors_add(&v, "/code",
			    "The code's area segment is not a known area.");
		else
			verrors_add(&v, "/area", "Not a known area code.");
		verrors_respond(a, &v);
	} else if (strcmp(state, "23514") == 0 &&
	           strstr(db_error_message(res), "projects_code_area") !=
	               NULL) {
		struct verrors v;

		/* Only when the area changed under a concurrent write, or a
		 * row broke the rule before it was one (013_code_area.sql). */
		verrors_init(&v);
		verrors_add(&v, "/code", CODE_AREA_RULE);
		verrors_respond(a, &v);
	} else if (strcmp(state, "23514") == 0 || strcmp(state, "22003") == 0) {
		api_problem(a, 422, "validation",
		    "A value is outside what the field allows.");
	} else {
		api_db_problem(a, res);
	}
}

void
api_etag_of(struct api_req *a, long long version)
{
	snprintf(a->etag, sizeof(a->etag), "\"%lld\"", version);
}

/* ---- POST /api/v1/projects --------------------------------------------- */

static void
created(const db_result *st, const struct db_json *project, void *arg)
{
	struct api_req *a = arg;
	json_t *doc;
	char loc[96];

	if (db_failed(st) || project == NULL) {
		api_write_refused(a, st);
		return;
	}
	doc = json_loads(project->text, 0, NULL);
	snprintf(loc, sizeof(loc), "/api/v1/projects/%s",
	    json_string_value(json_object_get(doc, "id")));
	http_add_header(a->http, "Location", loc);
	api_etag_of(a, json_integer_value(json_object_get(doc, "version")));
	json_decref(doc);
	api_json(a, 201, project->text, project->len);
}

/* Checks the initial events in order, as if appended one by one: each
 * dated on or after those before it is applied to the state so far, the
 * others replayed with them (lifecycle_append_last). */
static int
check_initial_events(struct api_req *a, json_t *events, struct derived *d)
{
	struct project_event *h;
	struct violation viol;
	struct verrors v;
	char prefix[32];
	size_t i, n = json_array_size(events);
	json_t *e;
	int today = history_today(), rc = 0, latest = NO_DATE, r;

	if (events != NULL && !json_is_array(events)) {
		verrors_init(&v);
		verrors_add(&v, "/events", "events must be a list.");
		verrors_respond(a, &v);
		return -1;
	}
	h = xcalloc(n + 1, sizeof(*h));
	lifecycle_derive(h, 0, d, &viol);
	verrors_init(&v);
	for (i = 0; i < n && rc == 0; i++) {
		e = json_array_get(events, i);
		snprintf(prefix, sizeof(prefix), "/events/%zu", i);
		if (!json_is_object(e)) {
			verrors_add(&v, prefix, "An event is an object.");
			rc = -1;
		} else if (history_read_event(e, prefix, &h[i], &v) != 0) {
			rc = -1;
		} else {
			snprintf(h[i].id, EVENT_ID_MAX, "new-%zu", i);
			r = lifecycle_append_last(
			    d, latest, &h[i], today, d, &viol);
			if (r > 0)
				r = lifecycle_append(
				    h, i, &h[i], today, d, &viol);
			if (r != 0) {
				api_violation(a, &viol);
				verrors_free(&v);
				free(h);
				return -1;
			}
			if (h[i].effective > latest)
				latest = h[i].effective;
		}
	}
	free(h);
	if (rc != 0) {
		verrors_respond(a, &v);
		return -1;
	}
	verrors_free(&v);
	return 0;
}

void
projects_create(struct api_req *a)
{
	static const char *const extra[] = {"events", NULL};
	struct db_actor who = api_actor(a);
	struct derived d;
	struct verrors v;
	json_t *docs[3];
	const char *area;

	if (input_body(a) != 0)
		return;
	verrors_init(&v);
	project_fields_known(a->body, extra, &v);
	project_fields_check(a->body, &v);
	if (verrors_finish(a, &v) != 0)
		return;
	area = json_string_value(json_object_get(a->body, "area"));
	if (!auth_area_allowed(&a->who, area)) {
		api_problem(a, 403, "outside-scope",
		    "The project's area is outside your areas.");
		return;
	}
	if (check_initial_events(a, json_object_get(a->body, "events"), &d) !=
	    0)
		return;
	docs[0] = project_fields_editable_only(a->body);
	docs[1] = history_derived_json(&d);
	docs[2] = json_object_get(a->body, "events");
	if (docs[2] == NULL)
		docs[2] = json_array();
	else
		json_incref(docs[2]);
	api_sent(a, db_project_create(
	                api_pool, docs[0], docs[1], docs[2], &who, created, a));
	json_decref(docs[0]);
	json_decref(docs[1]);
	json_decref(docs[2]);
}

/* ---- GET /api/v1/projects/{id} ----------------------------------------- */

static void
fetched(const db_result *st, const struct db_project *p, void *arg)
{
	struct api_req *a = arg;
	int m;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	if (p == NULL) {
		api_problem(a, 404, "not-found", "No such project.");
		return;
	}
	api_etag_of(a, p->version);
	if ((m = api_precondition(a, "If-None-Match", ETAG_WEAK)) ==
	    ETAG_MALFORMED)
		return;
	if (m == ETAG_MATCH) {
		http_add_header(a->http, "ETag", a->etag);
		http_respond(a->http, 304, NULL, NULL, 0);
		return;
	}
	api_json(a, 200, p->json, p->json_len);
}

int
api_project_id(struct api_req *a)
{
	if (!validate_uuid(a->caps.value[0])) {
		api_problem(a, 404, "not-found",
		    "No such project: the id is not a UUID.");
		return -1;
	}
	return 0;
}

void
projects_get(struct api_req *a)
{
	if (api_project_id(a) == 0)
		api_sent(
		    a, db_project_get(api_pool, a->caps.value[0], fetched, a));
}

/* ---- PATCH /api/v1/projects/{id} --------------------------------------- */

static void
patched(const db_result *st, const struct db_json *project, void *arg)
{
	struct api_req *a = arg;
	json_t *doc;

	if (db_failed(st)) {
		api_write_refused(a, st);
		return;
	}
	if (project == NULL) {
		api_problem(a, 412, "stale-version",
		    "The project changed since the version in If-Match.");
		return;
	}
	doc = json_loads(project->text, 0, NULL);
	api_etag_of(a, json_integer_value(json_object_get(doc, "version")));
	json_decref(doc);
	api_json(a, 200, project->text, project->len);
}

static void
patch_current(const db_result *st, const struct db_project *p, void *arg)
{
	struct api_req *a = arg;
	struct db_actor who = api_actor(a);
	json_t *merged, *doc, *val;
	const char *key, *area;
	struct verrors v;
	int m;

	if (p == NULL) {
		api_project_missing(a, st);
		return;
	}
	if (api_project_in_scope(a, p->area) != 0)
		return;
	api_etag_of(a, p->version);
	m = api_precondition(a, "If-Match", ETAG_STRONG);
	a->etag[0] = '\0';
	if (m == ETAG_MALFORMED)
		return;
	if (m == ETAG_NO_MATCH) {
		api_problem(a, 412, "stale-version",
		    "The project changed since the version in If-Match.");
		return;
	}
	merged = json_loads(p->json, 0, NULL);
	json_object_foreach(a->body, key, val)
	{
		if (json_is_null(val))
			json_object_del(merged, key);
		else
			json_object_set(merged, key, val);
	}
	verrors_init(&v);
	project_fields_check(merged, &v);
	if (verrors_finish(a, &v) != 0) {
		json_decref(merged);
		return;
	}
	area = json_string_value(json_object_get(merged, "area"));
	if (!auth_area_allowed(&a->who, area)) {
		json_decref(merged);
		api_problem(a, 403, "outside-scope",
		    "A project cannot be moved outside your areas.");
		return;
	}
	doc = project_fields_editable_only(merged);
	json_decref(merged);
	api_sent(a, db_project_update(api_pool, a->caps.value[0], p->version,
	                doc, &who, patched, a));
	json_decref(doc);
}

void
projects_patch(struct api_req *a)
{
	const char *im = http_header(a->http, "If-Match");
	struct verrors v;

	if (api_project_id(a) != 0)
		return;
	if (im == NULL) {
		api_problem(a, 428, "if-match-required",
		    "PATCH needs If-Match with the project's ETag.");
		return;
	}
	if (input_merge_patch(a) != 0)
		return;
	verrors_init(&v);
	project_fields_known(a->body, NULL, &v);
	if (verrors_finish(a, &v) != 0)
		return;
	api_sent(
	    a, db_project_get(api_pool, a->caps.value[0], patch_current, a));
}

/* ---- GET /api/v1/projects ---------------------------------------------- */

/* Reads one filter into buf; NULL when absent, -1 answered. */
static int
filter(struct api_req *a, const char *name, char *buf, size_t len,
    const char **out, const char *const *words)
{
	char detail[128];
	int rc = input_query(a->http, name, buf, len);

	*out = NULL;
	if (rc == 0)
		return 0;
	if (rc < 0 || buf[0] == '\0' ||
	    !validate_text(buf, strlen(buf), 1, 100) ||
	    (words != NULL && !validate_enum(buf, words))) {
		snprintf(detail, sizeof(detail),
		    "The %s filter has an invalid value.", name);
		api_problem(a, 400, "invalid-parameter", detail);
		return -1;
	}
	*out = buf;
	return 0;
}

/* The values a comma-separated filter (an IN filter) may hold. */
#define FILTER_LIST_MAX 20

/* A filter that takes a comma-separated list (an IN filter): as filter,
 * each value checked; the list goes to the query as it is. */
static int
filter_list(struct api_req *a, const char *name, char *buf, size_t len,
    const char **out, const char *const *words)
{
	char detail[160];

	if (filter(a, name, buf, len, out, NULL) != 0)
		return -1;
	if (*out != NULL && !validate_list(buf, words, FILTER_LIST_MAX)) {
		*out = NULL;
		snprintf(detail, sizeof(detail),
		    "The %s filter is one value or up to %d separated by "
		    "commas, each a valid %s.",
		    name, FILTER_LIST_MAX,
		    words != NULL ? "value" : "area code");
		api_problem(a, 400, "invalid-parameter", detail);
		return -1;
	}
	return 0;
}

/* A date filter: buf holds it, checked; *out NULL when absent. */
static int
filter_date(struct api_req *a, const char *name, char *buf, size_t len,
    const char **out)
{
	char detail[96];
	int rc = input_query(a->http, name, buf, len);

	*out = NULL;
	if (rc == 0)
		return 0;
	if (rc < 0 || !validate_date(buf, NULL)) {
		snprintf(detail, sizeof(detail),
		    "%s is a date (YYYY-MM-DD) that exists.", name);
		api_problem(a, 400, "invalid-parameter", detail);
		return -1;
	}
	*out = buf;
	return 0;
}

/* The date ranges and updated_since (an RFC 3339 time with its offset);
 * a range whose end comes before its start is a 400. */
static int
filter_times(struct api_req *a, struct db_project_filter *flt, char (*f)[128])
{
	long long t;
	int rc;

	if (filter_date(a, "signed_from", f[0], 128, &flt->signed_from) != 0 ||
	    filter_date(a, "signed_to", f[1], 128, &flt->signed_to) != 0 ||
	    filter_date(a, "started_from", f[2], 128, &flt->started_from) !=
	        0 ||
	    filter_date(a, "started_to", f[3], 128, &flt->started_to) != 0)
		return -1;
	if ((flt->signed_from != NULL && flt->signed_to != NULL &&
	        strcmp(flt->signed_from, flt->signed_to) > 0) ||
	    (flt->started_from != NULL && flt->started_to != NULL &&
	        strcmp(flt->started_from, flt->started_to) > 0)) {
		api_problem(a, 400, "invalid-parameter",
		    "A range's _from is after its _to.");
		return -1;
	}
	if ((rc = input_query(a->http, "updated_since", f[4], 128)) == 0)
		return 0;
	if (rc < 0 || !validate_timestamp(f[4], &t)) {
		api_problem(a, 400, "invalid-parameter",
		    "updated_since is an RFC 3339 time with its offset "
		    "(2024-06-30T08:00:00+08:00).");
		return -1;
	}
	flt->updated_since = f[4];
	return 0;
}

/* What a list of projects sorts by (project_page), "-" for descending. */
static const char *const sorts[] = {"name", "-name", "code", "-code",
    "signed_on", "-signed_on", "started_on", "-started_on", "planned_start_on",
    "-planned_start_on", "planned_completion_on", "-planned_completion_on",
    "total_investment_yuan", "-total_investment_yuan", "signed_amount_yuan",
    "-signed_amount_yuan", "progress_percent", "-progress_percent",
    "updated_at", "-updated_at", NULL};

void
projects_list(struct api_req *a)
{
	static const char *const statuses[] = {"planned", "signed", "preparing",
	    "under_construction", "suspended", "completed", "in_operation",
	    "cancelled", NULL};
	static const char *const levels[] = {
	    "provincial", "municipal", "county", NULL};
	struct db_project_filter flt = {NULL};
	char f[14][128];
	long long after;
	int limit, year;

	if (cursor_params(a, &after, &limit) != 0 ||
	    filter_list(a, "area", f[0], sizeof(f[0]), &flt.area, NULL) != 0 ||
	    filter_list(
	        a, "status", f[1], sizeof(f[1]), &flt.status, statuses) != 0 ||
	    filter(a, "industry", f[2], sizeof(f[2]), &flt.industry, NULL) !=
	        0 ||
	    filter_list(a, "level", f[3], sizeof(f[3]), &flt.level, levels) !=
	        0 ||
	    filter(a, "signed_year", f[4], sizeof(f[4]), &flt.signed_year,
	        NULL) != 0 ||
	    filter(a, "q", f[5], sizeof(f[5]), &flt.q, NULL) != 0 ||
	    filter(a, "code", f[6], sizeof(f[6]), &flt.code, NULL) != 0 ||
	    filter(a, "batch", f[7], sizeof(f[7]), &flt.batch, NULL) != 0 ||
	    filter_times(a, &flt, f + 8) != 0 ||
	    filter(a, "sort", f[13], sizeof(f[13]), &flt.sort, sorts) != 0)
		return;
	if (flt.batch != NULL && !validate_uuid(flt.batch)) {
		api_problem(
		    a, 400, "invalid-parameter", "batch is a batch id.");
		return;
	}
	if (flt.signed_year != NULL &&
	    (sscanf(flt.signed_year, "%d", &year) != 1 || year < 1900 ||
	        year > 2200 || strspn(flt.signed_year, "0123456789") != 4)) {
		api_problem(a, 400, "invalid-parameter",
		    "signed_year is a four-digit year.");
		return;
	}
	api_sent(a, db_project_page(api_reader(a), &flt, after,
	                api_page_rows(a, limit), api_listed, a));
}
