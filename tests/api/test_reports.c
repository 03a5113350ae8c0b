/*
 * test_reports.c: site reports: filed with photos, the project's progress
 * and last report follow the newest, photos come back byte for byte, bad
 * reports change nothing, scopes hold, and a retried report is filed once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* "\x89PNG\r\n\x1a\n" + 8 bytes, base64 */
#define PNG_B64 "iVBORw0KGgoAAAANSUhEUg=="
/* "\xff\xd8\xff\xe0" + 2 bytes */
#define JPEG_B64 "/9j/4AAQ"

static struct tserver srv;
static const char *reporter, *editor;
static char pid[64];

static int
setup(void **state)
{
	struct tresp r;

	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	reporter = make_key(&srv, "reporter", "\"140823\"");
	editor = make_key(&srv, "editor", NULL);
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"闻喜巡查项目\",\"area\":\"140823\",\"funding\":"
	    "\"enterprise\",\"events\":[{\"type\":\"started\","
	    "\"effective_on\":\"2024-03-01\"}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(pid, sizeof(pid), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	return 0;
}

static long
file(const char *key, const char *body, const char *idem, struct tresp *r)
{
	const char *h[2] = {idem, NULL};
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", pid);
	tr_do(&srv, "POST", path, key, body, idem ? h : NULL, r);
	return r->status;
}

static void
test_file_report_with_photos(void **state)
{
	char path[256], ctype[64];
	struct tresp r;
	json_t *photos;

	(void)state;
	assert_int_equal(
	    file(reporter,
	        "{\"reported_on\":\"2024-06-10\",\"latitude\":"
	        "35.35,\"longitude\":111.22,\"progress_percent\":"
	        "40,\"note\":\"主体结构施工\",\"photos\":[{"
	        "\"content_type\":\"image/png\",\"data\":\"" PNG_B64
	        "\"},{\"content_type\":\"image/jpeg\",\"data\":\"" JPEG_B64
	        "\"}]}",
	        NULL, &r),
	    201);
	photos = json_object_get(r.json, "photos");
	assert_int_equal(json_array_size(photos), 2);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(photos, 0), "size")),
	    16);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports/%s/photos/2",
	    pid, json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT progress_percent || ' ' || "
	                              "last_report_on FROM projects WHERE "
	                              "id = '%s'",
	                        pid),
	    "40 2024-06-10");
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
	    tr_header(&r, "Content-Type", ctype, sizeof(ctype)), "image/jpeg");
	assert_int_equal(r.len, 6);
	assert_int_equal((unsigned char)r.body[0], 0xff);
	assert_int_equal((unsigned char)r.body[1], 0xd8);
	tr_free(&r);
	/* An older report does not set the progress back. */
	assert_int_equal(
	    file(reporter,
	        "{\"reported_on\":\"2024-05-01\",\"latitude\":35.3,"
	        "\"longitude\":111.2,\"progress_percent\":10}",
	        NULL, &r),
	    201);
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT progress_percent || ' ' || "
	                              "last_report_on FROM projects WHERE "
	                              "id = '%s'",
	                        pid),
	    "40 2024-06-10");
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", pid);
	tr_do(&srv, "GET", path, reporter, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	tr_free(&r);
}

static void
test_bad_reports_change_nothing(void **state)
{
	static const char *const bodies[] = {
	    "{\"reported_on\":\"2999-01-01\",\"latitude\":35,\"longitude\":111,"
	    "\"progress_percent\":5}",
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":91,\"longitude\":111,"
	    "\"progress_percent\":5}",
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":35,\"longitude\":111,"
	    "\"progress_percent\":101}",
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":35,\"longitude\":111,"
	    "\"progress_percent\":5,\"photos\":[{\"content_type\":"
	    "\"image/jpeg\",\"data\":\"" PNG_B64 "\"}]}",
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":35,\"longitude\":111,"
	    "\"progress_percent\":5,\"photos\":[{\"content_type\":"
	    "\"image/png\",\"data\":\"!!!!\"}]}",
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":\"35\","
	    "\"longitude\":111,\"progress_percent\":5}",
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":35,\"longitude\":111,"
	    "\"progress_percent\":5,\"weather\":\"rain\"}",
	};
	char before[64];
	struct tresp r;
	size_t i;

	(void)state;
	snprintf(before, sizeof(before), "%s",
	    db_scalar("SELECT count(*) FROM site_reports"));
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (file(reporter, bodies[i], NULL, &r) != 422)
			fail_msg("case %zu: %ld %s", i, r.status, r.body);
		tr_free(&r);
	}
	assert_string_equal(
	    db_scalar("SELECT count(*) FROM site_reports"), before);
}

static void
test_scope_and_role(void **state)
{
	const char *far = make_key(&srv, "reporter", "\"140882\"");
	char path[160];
	struct tresp r;

	(void)state;
	assert_int_equal(file(far,
	                     "{\"reported_on\":\"2024-06-01\",\"latitude\":35,"
	                     "\"longitude\":111,\"progress_percent\":5}",
	                     NULL, &r),
	    403);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	tr_do(&srv, "POST", path, reporter,
	    "{\"type\":\"suspended\",\"effective_on\":\"2024-06-01\"}", NULL,
	    &r);
	assert_int_equal(r.status, 403);
	tr_free(&r);
}

static void
test_retried_report_filed_once(void **state)
{
	static const char body[] = "{\"reported_on\":\"2024-06-20\","
	                           "\"latitude\":35.1,\"longitude\":111.1,"
	                           "\"progress_percent\":45}";
	char first[64], count[16];
	struct tresp r;
	int i;

	(void)state;
	snprintf(count, sizeof(count), "%s",
	    db_scalar("SELECT count(*) + 1 FROM site_reports"));
	for (i = 0; i < 3; i++) {
		assert_int_equal(file(reporter, body,
		                     "Idempotency-Key: 2f1c-report-0620", &r),
		    201);
		if (i == 0)
			snprintf(first, sizeof(first), "%s",
			    json_string_value(json_object_get(r.json, "id")));
		else
			assert_string_equal(
			    json_string_value(json_object_get(r.json, "id")),
			    first);
		tr_free(&r);
	}
	assert_string_equal(
	    db_scalar("SELECT count(*) FROM site_reports"), count);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_report_with_photos),
	    cmocka_unit_test(test_bad_reports_change_nothing),
	    cmocka_unit_test(test_scope_and_role),
	    cmocka_unit_test(test_retried_report_filed_once),
	};

	return cmocka_run_group_tests_name(
	    "reports", tests, setup, ts_group_teardown);
}
