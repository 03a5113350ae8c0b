/*
 * report_sync.c: site reports as field clients queue them offline and
 * send them when a signal comes back (issue 12). Each report carries an
 * id the client made, so that a send cut at any byte is simply sent
 * again: the same id with the same content is stored once and answered
 * "unchanged", whether it comes alone, in a batch, in two batches at
 * once or in both.
 *
 *   POST /api/v1/projects/{id}/reports   one (the legacy body, without
 *                                        an id, goes to reports.c)
 *   POST /api/v1/reports/batch           up to 200, each answered alone
 *   GET  /api/v1/reports/{id}            one
 *   GET  /api/v1/reports                 all, filtered and paged
 *
 * report_put (SQL) decides each report's outcome under the project's
 * lock; this file checks the fields and says what each outcome means.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../domain/validate.h"
#include "cursor.h"
#include "auth.h"
#include "handlers.h"
#include "input.h"
#include "replica.h"
#include "report_fields.h"

#define MAX_BATCH 200

/* The areas the principal may write in, as report_put takes them. */
static json_t *
scope_json(const struct principal *p)
{
	json_t *areas;
	int i;

	if (!auth_scoped(p))
		return json_null();
	areas = json_array();
	for (i = 0; i < p->nareas; i++)
		json_array_append_new(areas, json_string(p->areas[i]));
	return areas;
}

/* What an outcome other than created and unchanged answers. */
static const struct refusal {
	const char *outcome;
	int status;
	const char *type, *detail;
} refusals[] = {
    {"conflict", 409, "report-id-conflict",
        "Another report is stored under this id. A report's id is made "
        "once, by the client, for that report alone."},
    {"no-project", 404, "not-found", "No such project."},
    {"outside-scope", 403, "outside-scope",
        "The project's area is outside your areas."},
    {"missing-photo", 422, "photo-missing",
        "A photo of the report is not uploaded: PUT it first."},
    {"error", 500, "internal", "The report could not be stored."},
};

static const struct refusal *
refusal_of(const char *outcome)
{
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]) - 1; i++)
		if (strcmp(refusals[i].outcome, outcome) == 0)
			return &refusals[i];
	return &refusals[sizeof(refusals) / sizeof(refusals[0]) - 1];
}

/* The detail of a refusal; a missing photo is named. */
static void
refusal_detail(const struct refusal *f, json_t *out, char *buf, size_t len)
{
	const char *photo = json_string_value(json_object_get(out, "photo"));

	if (photo != NULL)
		snprintf(buf, len,
		    "Photo %s is not uploaded: PUT /api/v1/photos/%s first.",
		    photo, photo);
	else
		snprintf(buf, len, "%s", f->detail);
}

/* ---- One report -------------------------------------------------------- */

static void
put_one(const db_result *st, const struct db_json *doc, void *arg)
{
	struct api_req *a = arg;
	const struct refusal *f;
	const char *outcome, *id;
	char loc[128], detail[256];
	json_t *out;

	if (db_failed(st) || doc == NULL) {
		api_write_refused(a, st);
		return;
	}
	out = json_loadb(doc->text, doc->len, 0, NULL);
	outcome = json_string_value(json_object_get(out, "outcome"));
	if (outcome != NULL && (strcmp(outcome, "created") == 0 ||
	                           strcmp(outcome, "unchanged") == 0)) {
		id = json_string_value(
		    json_object_get(json_object_get(out, "report"), "id"));
		snprintf(loc, sizeof(loc), "/api/v1/reports/%s", id);
		http_add_header(a->http, "Location", loc);
		api_json_t(a, strcmp(outcome, "created") == 0 ? 201 : 200,
		    json_object_get(out, "report"));
	} else {
		f = refusal_of(outcome ? outcome : "error");
		refusal_detail(f, out, detail, sizeof(detail));
		api_problem(a, f->status, f->type, detail);
	}
	json_decref(out);
}

void
reports_submit_one(struct api_req *a)
{
	struct db_actor who = api_actor(a);
	struct verrors v;
	json_t *scope;
	int rc;

	verrors_init(&v);
	report_submit_check(
	    a->body, a->caps.value[0], (long long)time(NULL), &v);
	if (verrors_finish(a, &v) != 0)
		return;
	json_object_set_new(
	    a->body, "project_id", json_string(a->caps.value[0]));
	scope = scope_json(&a->who);
	rc = db_report_put(api_pool, a->body, scope, &who, put_one, a);
	json_decref(scope);
	api_sent(a, rc);
}

/* ---- A batch ------------------------------------------------------------ */

/*
 * a->state: {"results": [...], "sent": [i, ...]}, results in the order
 * of the batch, those checked here already answered, sent the places of
 * those sent to report_batch, in its order.
 */
static json_t *
result_of(struct api_req *a, json_t *item, json_t *outcome)
{
	const char *o = json_string_value(json_object_get(outcome, "outcome"));
	const struct refusal *f;
	json_t *r = json_pack("{s:O}", "id", json_object_get(item, "id"));
	char loc[128], detail[256];

	if (o != NULL &&
	    (strcmp(o, "created") == 0 || strcmp(o, "unchanged") == 0)) {
		snprintf(loc, sizeof(loc), "/api/v1/reports/%s",
		    json_string_value(json_object_get(item, "id")));
		json_object_set_new(r, "result", json_string(o));
		json_object_set_new(r, "location", json_string(loc));
		return r;
	}
	f = refusal_of(o ? o : "error");
	refusal_detail(f, outcome, detail, sizeof(detail));
	json_object_set_new(r, "result", json_string("problem"));
	json_object_set_new(r, "problem",
	    problems_doc(a->http, f->status, f->type, detail, NULL));
	return r;
}

static void
batch_answer(struct api_req *a)
{
	json_t *doc =
	    json_pack("{s:O}", "results", json_object_get(a->state, "results"));

	api_json_t(a, 200, doc);
	json_decref(doc);
}

static void
put_batch(const db_result *st, const struct db_json *doc, void *arg)
{
	struct api_req *a = arg;
	json_t *outcomes, *sent, *results, *items, *place;
	size_t k;

	if (db_failed(st) || doc == NULL) {
		api_write_refused(a, st);
		return;
	}
	outcomes = json_loadb(doc->text, doc->len, 0, NULL);
	sent = json_object_get(a->state, "sent");
	results = json_object_get(a->state, "results");
	items = json_object_get(a->body, "reports");
	json_array_foreach(sent, k, place)
	{
		size_t i = (size_t)json_integer_value(place);

		json_array_set_new(results, i,
		    result_of(a, json_array_get(items, i),
		        json_array_get(outcomes, k)));
	}
	json_decref(outcomes);
	batch_answer(a);
}

/* Checks item i; a report that fails is answered in results now. */
static int
check_item(struct api_req *a, json_t *item, json_t *results)
{
	struct verrors v;
	json_t *r;

	verrors_init(&v);
	if (!json_is_object(item))
		verrors_add(&v, "", "A report is an object.");
	else
		report_submit_check(item, NULL, (long long)time(NULL), &v);
	if (!verrors_any(&v)) {
		verrors_free(&v);
		json_array_append_new(results, json_null());
		return 1;
	}
	r = json_pack("{s:O?,s:s,s:o}", "id", json_object_get(item, "id"),
	    "result", "problem", "problem",
	    problems_doc(a->http, 422, "validation",
	        "The report's fields are not valid; errors points at each.",
	        v.list));
	verrors_free(&v);
	json_array_append_new(results, r);
	return 0;
}

void
reports_batch(struct api_req *a)
{
	static const char *const fields[] = {"reports", NULL};
	struct db_actor who = api_actor(a);
	json_t *items, *item, *results, *sent, *good, *scope;
	struct verrors v;
	size_t i;
	int rc;

	if (input_body(a) != 0)
		return;
	verrors_init(&v);
	input_known_fields(a->body, fields, &v);
	items = json_object_get(a->body, "reports");
	if (!json_is_array(items) || json_array_size(items) == 0 ||
	    json_array_size(items) > MAX_BATCH)
		verrors_add(&v, "/reports", "A list of 1 to 200 reports.");
	if (verrors_finish(a, &v) != 0)
		return;
	results = json_array();
	sent = json_array();
	good = json_array();
	json_array_foreach(items, i, item) if (check_item(a, item, results))
	{
		json_array_append_new(sent, json_integer((json_int_t)i));
		json_array_append(good, item);
	}
	a->state = json_pack("{s:o,s:o}", "results", results, "sent", sent);
	if (json_array_size(good) == 0) {
		json_decref(good);
		batch_answer(a);
		return;
	}
	scope = scope_json(&a->who);
	rc = db_report_batch(api_pool, good, scope, &who, put_batch, a);
	json_decref(scope);
	json_decref(good);
	api_sent(a, rc);
}

/* ---- Reading ------------------------------------------------------------ */

void
reports_get_by_id(struct api_req *a)
{
	if (api_uuid_capture(a, 0, "No such report: the id is not a UUID.") !=
	    0)
		return;
	a->missing = "No such report.";
	api_sent(a, db_report_by_id(api_pool, a->caps.value[0], api_found, a));
}

/* The filters of GET /api/v1/reports; -1 when it answered 400. */
static int
search_filter(struct api_req *a, struct db_report_filter *f, char (*buf)[128])
{
	static const char *const names[] = {"project", "area", "since"};
	const char **slot[] = {&f->project, &f->areas, &f->since};
	long long t;
	int i, rc, ok;

	for (i = 0; i < 3; i++) {
		rc = input_query(a->http, names[i], buf[i], 128);
		ok = rc == 0 ||
		     (rc > 0 && (i == 0      ? validate_uuid(buf[i])
		                    : i == 1 ? validate_list(buf[i], NULL, 20)
		                             : validate_timestamp(buf[i], &t)));
		if (!ok) {
			api_problem(a, 400, "invalid-parameter",
			    i == 0 ? "project is a project's id."
			    : i == 1
			        ? "area is up to 20 area codes, "
			          "comma-separated."
			        : "since is an RFC 3339 time with its offset.");
			return -1;
		}
		*slot[i] = rc > 0 ? buf[i] : NULL;
	}
	return 0;
}

void
reports_search(struct api_req *a)
{
	struct db_report_filter f = {NULL, NULL, NULL};
	char buf[3][128];
	long long after;
	int limit;

	if (cursor_params(a, &after, &limit) != 0 ||
	    search_filter(a, &f, buf) != 0)
		return;
	api_sent(a, db_report_search(api_reader(a), &f, after,
	                api_page_rows(a, limit), api_listed, a));
}
