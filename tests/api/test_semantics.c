/*
 * test_semantics.c: HTTP as RFC 9110, 7396 and 5789 say it, on a project
 * (issue 13):
 *   - If-None-Match uses the weak comparison: W/"1", "*" and a list that
 *     holds the current tag answer 304;
 *   - If-Match uses the strong one: "*" and a list that holds the current
 *     tag let a PATCH through, a weak tag never does (412);
 *   - a field value that is not an entity-tag list is a 400, and the
 *     database is unchanged;
 *   - PATCH takes application/merge-patch+json (RFC 7396's own type) as
 *     well as application/json, null removing a field; another type is
 *     415 with Accept-Patch, and a type that merely begins with
 *     "application/json" is another type.
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

static struct tserver srv;
static const char *editor;

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	editor = make_key(&srv, "editor", NULL);
	return 0;
}

/* A new project's path. */
static const char *
create(const char *name)
{
	static char path[128];
	char body[256];
	struct tresp r;

	snprintf(body, sizeof(body),
	    "{\"name\":\"%s\",\"area\":\"140802\",\"funding\":\"enterprise\","
	    "\"planned_start_on\":\"2024-09-01\"}",
	    name);
	tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(path, sizeof(path), "/api/v1/projects/%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	return path;
}

/* GET path with one header line; the status. */
static long
get_with(const char *path, const char *line)
{
	const char *h[] = {line, NULL};
	struct tresp r;
	long status;

	tr_do(&srv, "GET", path, editor, NULL, h, &r);
	status = r.status;
	if (status == 304)
		assert_int_equal(r.len, 0);
	tr_free(&r);
	return status;
}

/* PATCH path with body and the header lines; the status, and the
 * problem type into type when there is one. */
static long
patch_with(const char *path, const char *body, const char *l1, const char *l2,
    char *type, size_t typelen)
{
	const char *h[] = {l1, l2, NULL};
	struct tresp r;
	long status;

	tr_do(&srv, "PATCH", path, editor, body, h, &r);
	status = r.status;
	if (type != NULL)
		snprintf(type, typelen, "%s", tr_problem_type(&r));
	tr_free(&r);
	return status;
}

static void
test_if_none_match_is_weak(void **state)
{
	const char *path = create("条件读取项目");

	(void)state;
	assert_int_equal(get_with(path, "If-None-Match: \"1\""), 304);
	assert_int_equal(get_with(path, "If-None-Match: W/\"1\""), 304);
	assert_int_equal(get_with(path, "If-None-Match: *"), 304);
	assert_int_equal(get_with(path, "If-None-Match: \"0\", W/\"1\""), 304);
	assert_int_equal(get_with(path, "If-None-Match: \"2\""), 200);
	assert_int_equal(get_with(path, "If-None-Match: \"11\""), 200);
	assert_int_equal(get_with(path, "If-None-Match: 1"), 400);
}

static void
test_if_match_is_strong(void **state)
{
	char path[128], type[96], *before;
	struct tresp r;

	(void)state;
	snprintf(path, sizeof(path), "%s", create("条件修改项目"));
	assert_int_equal(patch_with(path, "{\"park\":\"一号园区\"}",
	                     "If-Match: *", NULL, NULL, 0),
	    200);
	/* Now at version 2. */
	assert_int_equal(patch_with(path, "{\"park\":\"二号园区\"}",
	                     "If-Match: \"5\", \"2\"", NULL, NULL, 0),
	    200);
	before = strdup(db_scalar("SELECT version || park FROM projects WHERE "
	                          "id = '%s'",
	    path + strlen("/api/v1/projects/")));
	assert_string_equal(before, "3二号园区");
	assert_int_equal(patch_with(path, "{\"park\":\"三号园区\"}",
	                     "If-Match: W/\"3\"", NULL, type, sizeof(type)),
	    412);
	assert_string_equal(type, "/problems/stale-version");
	assert_int_equal(patch_with(path, "{\"park\":\"三号园区\"}",
	                     "If-Match: \"2\", \"4\"", NULL, NULL, 0),
	    412);
	assert_int_equal(patch_with(path, "{\"park\":\"三号园区\"}",
	                     "If-Match: 3", NULL, type, sizeof(type)),
	    400);
	assert_string_equal(type, "/problems/invalid-precondition");
	assert_string_equal(db_scalar("SELECT version || park FROM projects "
	                              "WHERE id = '%s'",
	                        path + strlen("/api/v1/projects/")),
	    before);
	free(before);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "park")), "二号园区");
	tr_free(&r);
}

static void
test_merge_patch_media_type(void **state)
{
	char path[128], type[96];
	const char *const h[] = {
	    "If-Match: *", "Content-Type: text/plain", NULL};
	struct tresp r;
	char value[128];

	(void)state;
	snprintf(path, sizeof(path), "%s", create("合并补丁项目"));
	assert_int_equal(
	    patch_with(path, "{\"planned_start_on\":null,\"park\":\"园区\"}",
	        "If-Match: \"1\"", "Content-Type: application/merge-patch+json",
	        NULL, 0),
	    200);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_true(json_is_null(json_object_get(r.json, "planned_start_on")));
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "park")), "园区");
	tr_free(&r);
	assert_int_equal(
	    patch_with(path, "{\"park\":\"新园区\"}", "If-Match: \"2\"",
	        "Content-Type: Application/Merge-Patch+JSON; "
	        "charset=utf-8",
	        NULL, 0),
	    200);
	tr_do(&srv, "PATCH", path, editor, "{\"park\":\"x\"}", h, &r);
	assert_int_equal(r.status, 415);
	assert_non_null(tr_header(&r, "Accept-Patch", value, sizeof(value)));
	assert_string_equal(
	    value, "application/merge-patch+json, application/json");
	tr_free(&r);
	assert_int_equal(
	    patch_with(path, "{\"park\":\"x\"}", "If-Match: *",
	        "Content-Type: application/jsonx", type, sizeof(type)),
	    415);
	assert_string_equal(type, "/problems/unsupported-media-type");
	/* Version 3 still: neither 415 wrote. */
	assert_int_equal(get_with(path, "If-None-Match: \"3\""), 304);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_if_none_match_is_weak),
	    cmocka_unit_test(test_if_match_is_strong),
	    cmocka_unit_test(test_merge_patch_media_type),
	};

	return cmocka_run_group_tests(tests, setup, ts_group_teardown);
}
