/*
 * test_sync.c: site reports as field clients queue them offline and send
 * them when a signal comes back (issue 12):
 *   - a report with its own id is stored once: 201 with a Location that
 *     answers 200, then 200 "unchanged" when sent again; other content
 *     under the same id is 409;
 *   - a batch of 200 with 3 bad reports (a field out of range, a photo
 *     not uploaded, a project that does not exist) stores the 197 and
 *     answers the 3 with a problem each, in order; the same batch sent
 *     again stores nothing new and answers the 197 unchanged; two sends
 *     of one batch (of 60, one bad) at once store each report once;
 *   - a report without a position is stored; one at (0, 0), outside
 *     Yuncheng, or whose photo's EXIF position is far from it is kept but
 *     flagged position_suspect, and does not move the project's last
 *     report (the reporting light);
 *   - a reporter's report on a project outside its areas is refused
 *     alone (403); an editor's, of every area, is stored;
 *   - two batches naming the same projects in opposite orders, at once,
 *     store every report (no deadlock between them);
 *   - GET /api/v1/reports filters by project, area and time recorded;
 *   - a field app refreshing its projects cheaply: a list page has an
 *     ETag, If-None-Match with it answers 304 while nothing in the page
 *     changed, and 200 with another ETag once something did.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "images.h"
#include "support.h"

static struct tserver srv;
static const char *reporter, *editor;
static char project[64], other_area[64];

static void
new_project(const char *name, const char *area, char *out)
{
	char body[256];
	struct tresp r;

	snprintf(body, sizeof(body),
	    "{\"name\":\"%s\",\"area\":\"%s\",\"funding\":\"mixed\"}", name,
	    area);
	tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(
	    out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
}

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	reporter = make_key(&srv, "reporter", "\"140821\"");
	editor = make_key(&srv, "editor", NULL);
	new_project("同步项目", "140821", project);
	new_project("外区项目", "140822", other_area);
	return 0;
}

/* A UUID of the test's own, n-th of a series. */
static void
report_id(unsigned series, unsigned n, char *out)
{
	snprintf(out, 40, "5e1ec7ed-%04x-4000-8000-%012x", series, n);
}

/* A report of project pid, progress pct, with extra fields (",..."). */
static void
report_json(char *out, size_t len, const char *id, const char *pid, int pct,
    const char *extra)
{
	snprintf(out, len,
	    "{\"id\":\"%s\",\"project_id\":\"%s\","
	    "\"observed_at\":\"2024-06-01T10:00:00+08:00\","
	    "\"progress_pct\":%d%s}",
	    id, pid, pct, extra);
}

static long long
reports_with_id(const char *id)
{
	return atoll(
	    db_scalar("SELECT count(*) FROM site_reports WHERE id = '%s'", id));
}

static void
test_one_report_stored_once(void **state)
{
	char id[40], body[512], path[160], loc[160];
	struct tresp r;

	(void)state;
	report_id(1, 1, id);
	report_json(body, sizeof(body), id, project, 30,
	    ",\"note\":\"基础施工\",\"position\":{\"lat\":35.01,\"lon\":110.99,"
	    "\"accuracy_m\":8}");
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	tr_do(&srv, "POST", path, reporter, body, NULL, &r);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	assert_false(json_is_true(json_object_get(r.json, "position_suspect")));
	snprintf(path, sizeof(path), "/api/v1/reports/%s", id);
	assert_string_equal(tr_header(&r, "Location", loc, sizeof(loc)), path);
	tr_free(&r);
	tr_do(&srv, "GET", loc, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "note")), "基础施工");
	tr_free(&r);
	/* Sent again (the answer was lost): unchanged, stored once. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	tr_do(&srv, "POST", path, reporter, body, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	assert_int_equal(reports_with_id(id), 1);
	/* The same content spelled otherwise (the instant in UTC, 35.010):
	 * the same report. */
	snprintf(body, sizeof(body),
	    "{\"id\":\"%s\",\"project_id\":\"%s\","
	    "\"observed_at\":\"2024-06-01T02:00:00Z\",\"progress_pct\":30,"
	    "\"note\":\"基础施工\",\"position\":{\"lat\":35.010,"
	    "\"lon\":110.99,\"accuracy_m\":8.0}}",
	    id, project);
	tr_do(&srv, "POST", path, reporter, body, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	assert_int_equal(reports_with_id(id), 1);
	/* Other content under that id. */
	report_json(body, sizeof(body), id, project, 31, "");
	tr_do(&srv, "POST", path, reporter, body, NULL, &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(
	    tr_problem_type(&r), "/problems/report-id-conflict");
	tr_free(&r);
}

/* A batch of n reports of series, with the three bad ones at 17, 99 and
 * 150 (a field out of range, a photo not uploaded, no such project). */
static char *
batch_of(unsigned series, int n)
{
	size_t cap = (size_t)n * 400 + 64, off;
	char *b = malloc(cap), id[40], one[400];
	int i;

	off = (size_t)snprintf(b, cap, "{\"reports\":[");
	for (i = 0; i < n; i++) {
		report_id(series, (unsigned)i, id);
		if (i == 17)
			report_json(one, sizeof(one), id, project, 140, "");
		else if (i == 99)
			report_json(one, sizeof(one), id, project, 10,
			    ",\"photos\":["
			    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaa\"]");
		else if (i == 150)
			report_json(one, sizeof(one), id,
			    "00000000-0000-4000-8000-000000000000", 10, "");
		else
			report_json(one, sizeof(one), id, project, i % 100, "");
		off += (size_t)snprintf(
		    b + off, cap - off, "%s%s", i ? "," : "", one);
	}
	snprintf(b + off, cap - off, "]}");
	return b;
}

static void
count_results(json_t *doc, int *created, int *unchanged, int *problems)
{
	json_t *res;
	const char *what;
	size_t i;

	*created = *unchanged = *problems = 0;
	json_array_foreach(json_object_get(doc, "results"), i, res)
	{
		what = json_string_value(json_object_get(res, "result"));
		if (strcmp(what, "created") == 0)
			(*created)++;
		else if (strcmp(what, "unchanged") == 0)
			(*unchanged)++;
		else
			(*problems)++;
	}
}

static long long
reports_of_series(unsigned series)
{
	return atoll(
	    db_scalar("SELECT count(*) FROM site_reports WHERE id::text LIKE "
	              "'5e1ec7ed-%04x-%%'",
	        series));
}

static void
test_batch_each_answered_alone(void **state)
{
	char *batch = batch_of(2, 200);
	int created, unchanged, problems;
	json_t *res;
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/reports/batch", reporter, batch, NULL, &r);
	if (r.status != 200)
		fail_msg("%ld %s", r.status, r.body);
	assert_int_equal(
	    json_array_size(json_object_get(r.json, "results")), 200);
	count_results(r.json, &created, &unchanged, &problems);
	assert_int_equal(created, 197);
	assert_int_equal(problems, 3);
	res = json_object_get(r.json, "results");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_array_get(res, 17), "problem"), "type")),
	    "/problems/validation");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_array_get(res, 99), "problem"), "type")),
	    "/problems/photo-missing");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_array_get(res, 150), "problem"), "type")),
	    "/problems/not-found");
	tr_free(&r);
	assert_int_equal(reports_of_series(2), 197);
	/* The same batch again: nothing new. */
	tr_do(&srv, "POST", "/api/v1/reports/batch", reporter, batch, NULL, &r);
	assert_int_equal(r.status, 200);
	count_results(r.json, &created, &unchanged, &problems);
	assert_int_equal(created, 0);
	assert_int_equal(unchanged, 197);
	assert_int_equal(problems, 3);
	tr_free(&r);
	assert_int_equal(reports_of_series(2), 197);
	free(batch);
}

static void
test_concurrent_batches_store_each_once(void **state)
{
	char *batch = batch_of(3, 60);
	struct tparallel two[2];
	int i, created = 0, c, u, p;

	(void)state;
	memset(two, 0, sizeof(two));
	for (i = 0; i < 2; i++) {
		two[i].method = "POST";
		two[i].path = "/api/v1/reports/batch";
		two[i].key = reporter;
		two[i].body = batch;
	}
	tr_parallel(&srv, two, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(two[i].resp.status, 200);
		count_results(two[i].resp.json, &c, &u, &p);
		assert_int_equal(c + u, 59); /* of 60, one out of range */
		created += c;
		tr_free(&two[i].resp);
	}
	/* Each report created by one send, found unchanged by the other. */
	assert_int_equal(created, 59);
	assert_int_equal(reports_of_series(3), 59);
	free(batch);
}

/* The project's last report day, as the reporting light reads it. */
static const char *
last_report_on(const char *pid)
{
	return db_scalar(
	    "SELECT coalesce(last_report_on::text, '-') FROM projects WHERE "
	    "id = '%s'",
	    pid);
}

static void
submit(const char *body, struct tresp *r)
{
	const char *b = body;
	char batch[4096];

	snprintf(batch, sizeof(batch), "{\"reports\":[%s]}", b);
	tr_do(&srv, "POST", "/api/v1/reports/batch", reporter, batch, NULL, r);
	assert_int_equal(r->status, 200);
}

static const char *
first_result(struct tresp *r)
{
	return json_string_value(json_object_get(
	    json_array_get(json_object_get(r->json, "results"), 0), "result"));
}

static void
test_positions_missing_and_suspect(void **state)
{
	const struct img_exif beijing = {"2024:06:01 09:00:00", 39.9, 116.4};
	char id[40], body[1024], pid[64], photos[128], hash[65], path[128];
	const char *h[] = {"Content-Type: image/jpeg", NULL};
	unsigned char *jpg;
	struct tresp r;
	size_t len;

	(void)state;
	new_project("位置项目", "140821", pid);
	/* No position: stored, not suspect, counted. */
	report_id(4, 1, id);
	report_json(body, sizeof(body), id, pid, 10, "");
	submit(body, &r);
	assert_string_equal(first_result(&r), "created");
	tr_free(&r);
	assert_string_equal(last_report_on(pid), "2024-06-01");
	snprintf(path, sizeof(path), "/api/v1/reports/%s", id);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_true(json_is_null(json_object_get(r.json, "position")));
	assert_false(json_is_true(json_object_get(r.json, "position_suspect")));
	tr_free(&r);
	/* (0, 0), a later day: kept, suspect, not counted. */
	report_id(4, 2, id);
	snprintf(body, sizeof(body),
	    "{\"id\":\"%s\",\"project_id\":\"%s\",\"observed_at\":"
	    "\"2024-06-20T10:00:00+08:00\",\"progress_pct\":20,"
	    "\"position\":{\"lat\":0,\"lon\":0}}",
	    id, pid);
	submit(body, &r);
	assert_string_equal(first_result(&r), "created");
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/reports/%s", id);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "position_suspect")));
	tr_free(&r);
	assert_string_equal(last_report_on(pid), "2024-06-01");
	/* A photo taken in Beijing with a report in Yuncheng: suspect. */
	jpg = img_jpeg(32, 24, 0, 9, &beijing, &len);
	img_sha256_hex(jpg, len, hash);
	snprintf(path, sizeof(path), "/api/v1/photos/%s", hash);
	tr_do_bytes(&srv, "PUT", path, reporter, (const char *)jpg, len, h, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	free(jpg);
	report_id(4, 3, id);
	snprintf(photos, sizeof(photos), "[\"%s\"]", hash);
	snprintf(body, sizeof(body),
	    "{\"id\":\"%s\",\"project_id\":\"%s\",\"observed_at\":"
	    "\"2024-06-25T10:00:00+08:00\",\"progress_pct\":25,"
	    "\"position\":{\"lat\":35.02,\"lon\":110.98},\"photos\":%s}",
	    id, pid, photos);
	submit(body, &r);
	assert_string_equal(first_result(&r), "created");
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/reports/%s", id);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "position_suspect")));
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "photos"), 0),
	        "sha256")),
	    hash);
	tr_free(&r);
	assert_string_equal(last_report_on(pid), "2024-06-01");
}

static void
test_outside_scope_refused_alone(void **state)
{
	char id[40], body[512];
	struct tresp r;

	(void)state;
	report_id(5, 1, id);
	report_json(body, sizeof(body), id, other_area, 10, "");
	submit(body, &r);
	assert_string_equal(first_result(&r), "problem");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(
	            json_array_get(json_object_get(r.json, "results"), 0),
	            "problem"),
	        "type")),
	    "/problems/outside-scope");
	tr_free(&r);
	assert_int_equal(reports_with_id(id), 0);
}

static void
test_editor_reports_anywhere(void **state)
{
	char id[40], body[512], path[160];
	struct tresp r;

	(void)state;
	report_id(6, 1, id);
	report_json(body, sizeof(body), id, other_area, 10, "");
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", other_area);
	tr_do(&srv, "POST", path, editor, body, NULL, &r);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	tr_free(&r);
	report_id(6, 2, id);
	report_json(body, sizeof(body), id, other_area, 11, "");
	{
		char batch[700];

		snprintf(batch, sizeof(batch), "{\"reports\":[%s]}", body);
		tr_do(&srv, "POST", "/api/v1/reports/batch", editor, batch,
		    NULL, &r);
	}
	assert_int_equal(r.status, 200);
	assert_string_equal(first_result(&r), "created");
	tr_free(&r);
}

static void
test_crossed_batches_do_not_deadlock(void **state)
{
	char a[2][40], b[2][40], one[4][400], bodies[2][1024];
	struct tparallel two[2];
	int i, k, c, u, p;

	(void)state;
	for (k = 0; k < 2; k++) {
		report_id(7, (unsigned)k, a[k]);
		report_id(7, (unsigned)(k + 2), b[k]);
	}
	report_json(one[0], sizeof(one[0]), a[0], project, 1, "");
	report_json(one[1], sizeof(one[1]), a[1], other_area, 1, "");
	report_json(one[2], sizeof(one[2]), b[0], other_area, 2, "");
	report_json(one[3], sizeof(one[3]), b[1], project, 2, "");
	snprintf(bodies[0], sizeof(bodies[0]), "{\"reports\":[%s,%s]}", one[0],
	    one[1]);
	snprintf(bodies[1], sizeof(bodies[1]), "{\"reports\":[%s,%s]}", one[2],
	    one[3]);
	memset(two, 0, sizeof(two));
	for (i = 0; i < 2; i++) {
		two[i].method = "POST";
		two[i].path = "/api/v1/reports/batch";
		two[i].key = editor;
		two[i].body = bodies[i];
	}
	tr_parallel(&srv, two, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(two[i].resp.status, 200);
		count_results(two[i].resp.json, &c, &u, &p);
		assert_int_equal(c, 2);
		tr_free(&two[i].resp);
	}
	assert_int_equal(reports_of_series(7), 4);
}

static void
test_reports_searched(void **state)
{
	char path[256];
	struct tresp r;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/reports?project=%s&limit=500",
	    project);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	/* The one of test_one_report_stored_once, the 197, the 59 and two
	 * of the crossed batches. */
	assert_int_equal(
	    json_array_size(json_object_get(r.json, "items")), 259);
	tr_free(&r);
	/* Of the project of 140822: the editor's two and two crossed. */
	tr_do(
	    &srv, "GET", "/api/v1/reports?area=140822", editor, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 4);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/reports?since=2999-01-01T00:00:00Z", editor,
	    NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/reports?since=yesterday", editor, NULL,
	    NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

static void
test_unchanged_list_is_304(void **state)
{
	/* The projects named 刷新 (refresh) of the area: a page that only
	 * this test changes (the tests share one database). */
	const char *url = "/api/v1/projects?area=140821&q=%E5%88%B7%E6%96%B0"
	                  "&updated_since=2000-01-01T00:00:00Z";
	char etag[80], inm[128], again[80], pid[64];
	const char *h[] = {inm, NULL};
	struct tresp r;

	(void)state;
	tr_do(&srv, "GET", url, reporter, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(tr_header(&r, "ETag", etag, sizeof(etag)));
	assert_true(strncmp(etag, "W/\"", 3) == 0);
	tr_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	tr_do(&srv, "GET", url, reporter, NULL, h, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	tr_free(&r);
	new_project("刷新项目", "140821", pid);
	tr_do(&srv, "GET", url, reporter, NULL, h, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(tr_header(&r, "ETag", again, sizeof(again)));
	assert_string_not_equal(again, etag);
	tr_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_report_stored_once),
	    cmocka_unit_test(test_batch_each_answered_alone),
	    cmocka_unit_test(test_concurrent_batches_store_each_once),
	    cmocka_unit_test(test_positions_missing_and_suspect),
	    cmocka_unit_test(test_outside_scope_refused_alone),
	    cmocka_unit_test(test_editor_reports_anywhere),
	    cmocka_unit_test(test_crossed_batches_do_not_deadlock),
	    cmocka_unit_test(test_reports_searched),
	    cmocka_unit_test(test_unchanged_list_is_304),
	};

	return cmocka_run_group_tests_name(
	    "sync", tests, setup, ts_group_teardown);
}
