/*
 * reports.c: /api/v1/projects/{id}/reports — site reports from field
 * inspectors (reporter, editor, county within their areas): a date, a
 * position, the progress seen, a note and up to four photos. Mobile
 * clients on bad networks retry: the route honours Idempotency-Key, so a
 * retry never files a report twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../domain/validate.h"
#include "auth.h"
#include "cursor.h"
#include "handlers.h"
#include "history.h"
#include "input.h"
#include "report_fields.h"
#include "replica.h"

static void
filed(const db_result *st, const struct db_json *report, void *arg)
{
	struct api_req *a = arg;
	json_t *doc;
	char loc[160];

	if (db_failed(st)) {
		api_write_refused(a, st);
		return;
	}
	if (report == NULL) {
		api_problem(a, 404, "not-found", "No such project.");
		return;
	}
	doc = json_loads(report->text, 0, NULL);
	/* The ids as the report has them (as a replay's Location does, made
	 * by report_create), not the path's spelling of the project's. */
	snprintf(loc, sizeof(loc), "/api/v1/projects/%s/reports/%s",
	    json_string_value(json_object_get(doc, "project_id")),
	    json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	http_add_header(a->http, "Location", loc);
	api_json(a, 201, report->text, report->len);
}

static void
scope_checked(const db_result *st, const struct db_project_area *p, void *arg)
{
	struct api_req *a = arg;
	struct db_actor who = api_actor(a);

	if (p == NULL) {
		api_project_missing(a, st);
		return;
	}
	if (api_project_in_scope(a, p->area) != 0)
		return;
	api_sent(a, db_report_create(
	                api_pool, a->caps.value[0], a->body, &who, filed, a));
}

void
reports_create(struct api_req *a)
{
	struct verrors v;

	if (api_project_id(a) != 0 || input_body(a) != 0)
		return;
	/* A report with its own id is one a field client queued
	 * (report_sync.c); one without, the form before it. */
	if (json_object_get(a->body, "id") != NULL) {
		reports_submit_one(a);
		return;
	}
	verrors_init(&v);
	report_fields_check(a->body, history_today(), &v);
	if (verrors_finish(a, &v) != 0)
		return;
	api_sent(
	    a, db_project_area(api_pool, a->caps.value[0], scope_checked, a));
}

void
reports_list(struct api_req *a)
{
	long long after;
	int limit;

	if (api_project_id(a) != 0 || cursor_params(a, &after, &limit) != 0)
		return;
	api_sent(a, db_report_page(api_reader(a), a->caps.value[0], after,
	                api_page_rows(a, limit), api_listed, a));
}

void
reports_photo(struct api_req *a)
{
	const char *n = a->caps.value[2];

	if (api_project_id(a) != 0)
		return;
	if (!validate_uuid(a->caps.value[1]) || strlen(n) != 1 || n[0] < '1' ||
	    n[0] > '0' + MAX_PHOTOS) {
		api_problem(a, 404, "not-found", "No such photo.");
		return;
	}
	api_sent(a, db_report_photo(api_pool, a->caps.value[0],
	                a->caps.value[1], n, api_photo_serve, a));
}

void
reports_get(struct api_req *a)
{
	if (api_project_id(a) != 0 ||
	    api_uuid_capture(a, 1, "No such report: the id is not a UUID.") !=
	        0)
		return;
	a->missing = "No such report of this project.";
	api_sent(a, db_report_get(api_pool, a->caps.value[0], a->caps.value[1],
	                api_found, a));
}
