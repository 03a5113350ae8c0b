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
 *     "application/json" is another type;
 *   - every 201 has a Location that answers 200 with what was created
 *     (project, event, retraction, report, batch, key), a replay's too;
 *     an id there that is not a UUID, or names nothing, is a 404;
 *   - a problem document's type is a page the server serves: GET
 *     /problems lists every type with its status and a Chinese title, GET
 *     /problems/{name} explains one (and every problem any test receives
 *     is checked against that list, in tests/support);
 *   - a list page with a next one has Link: <…>; rel="next" (RFC 8288),
 *     which followed pages through; its cursor with other filters is a
 *     400; a parameter given twice is a 400;
 *   - area, status and level take comma-separated lists (IN filters),
 *     each value checked: one bad value is a 400, not an empty page;
 *   - the figures take any as_of (SPEC §5): after the year, the full
 *     year's (the work report of January quotes them), before it, none;
 *   - projects filter by signing and start date ranges and by
 *     updated_since; a range backwards or a bad date is a 400;
 *   - by=area, each area's group carries its own target and progress
 *     (SPEC §5: targets optionally per area), the total the city's;
 *   - sort orders a list by a field, ascending or descending, projects
 *     without a value last, ties in registration order; pages of two
 *     followed through the cursor give each project once, in that order;
 *     the cursor of one sort with another is a 400, and so is an unknown
 *     field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* POST body to path as key (with Idempotency-Key idem when not NULL):
 * 201; GET its Location as key: 200 with the same id (at id_at, a key of
 * the answer, or the top when NULL). The Location into loc. */
static void
created_is_located(const char *path, const char *key, const char *body,
    const char *idem, const char *id_at, char *loc, size_t loclen)
{
	const char *h[] = {idem, NULL};
	struct tresp r, g;
	const json_t *made;

	tr_do(&srv, "POST", path, key, body, idem != NULL ? h : NULL, &r);
	if (r.status != 201)
		fail_msg("POST %s: %ld %s", path, r.status, r.body);
	if (tr_header(&r, "Location", loc, loclen) == NULL)
		fail_msg("POST %s: 201 without Location", path);
	made = id_at != NULL ? json_object_get(r.json, id_at) : r.json;
	tr_do(&srv, "GET", loc, key, NULL, NULL, &g);
	if (g.status != 200)
		fail_msg(
		    "GET %s (Location of POST %s): %ld", loc, path, g.status);
	assert_string_equal(json_string_value(json_object_get(g.json, "id")),
	    json_string_value(json_object_get(made, "id")));
	tr_free(&g);
	tr_free(&r);
}

static void
test_every_location_answers(void **state)
{
	const char *admin = ts_env("TEST_ADMIN_KEY"), *pid;
	char path[256], loc[200], again[200], ev[200], body[256];
	struct tresp r;

	(void)state;
	pid = create("定位项目") + strlen("/api/v1/projects/");
	snprintf(path, sizeof(path), "/api/v1/projects/%s", pid);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	created_is_located(path, editor,
	    "{\"type\":\"approval\",\"kind\":\"land\","
	    "\"effective_on\":\"2024-02-01\"}",
	    "Idempotency-Key: locate-event-1", "event", ev, sizeof(ev));
	/* The replay names the same place. */
	created_is_located(path, editor,
	    "{\"type\":\"approval\",\"kind\":\"land\","
	    "\"effective_on\":\"2024-02-01\"}",
	    "Idempotency-Key: locate-event-1", "event", again, sizeof(again));
	assert_string_equal(again, ev);
	snprintf(path, sizeof(path), "%s/retraction", ev);
	created_is_located(path, editor, "{\"reason\":\"录入错误\"}", NULL,
	    "event", loc, sizeof(loc));
	tr_do(&srv, "GET", loc, editor, NULL, NULL, &r);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "type")), "retraction");
	tr_free(&r);
	tr_do(&srv, "GET", ev, editor, NULL, NULL, &r);
	assert_non_null(
	    json_object_get(json_object_get(r.json, "retracted_by"), "reason"));
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", pid);
	created_is_located(path, editor,
	    "{\"reported_on\":\"2024-06-01\",\"latitude\":35.02,"
	    "\"longitude\":110.99,\"progress_percent\":20}",
	    NULL, NULL, loc, sizeof(loc));
	snprintf(body, sizeof(body),
	    "{\"kind\":\"sign\",\"held_on\":\"2024-03-28\",\"name\":"
	    "\"定位批次\",\"area\":\"140802\",\"projects\":[\"%s\"]}",
	    pid);
	created_is_located(
	    "/api/v1/batches", editor, body, NULL, NULL, loc, sizeof(loc));
	created_is_located("/api/v1/keys", admin,
	    "{\"name\":\"定位密钥\",\"role\":\"viewer\"}", NULL, NULL, loc,
	    sizeof(loc));
	/* Ids that are not UUIDs, or name nothing: 404, never 500. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events/x", pid);
	assert_int_equal(get_with(path, "Accept: */*"), 404);
	snprintf(path, sizeof(path),
	    "/api/v1/projects/%s/reports/00000000-0000-4000-8000-000000000000",
	    pid);
	assert_int_equal(get_with(path, "Accept: */*"), 404);
	assert_int_equal(get_with("/api/v1/batches/1", "Accept: */*"), 404);
	tr_do(&srv, "GET", "/api/v1/keys/00000000-0000-4000-8000-000000000000",
	    admin, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	tr_free(&r);
}

static void
test_problem_types_are_served(void **state)
{
	char path[128];
	struct tresp r, one, miss;
	json_t *e;
	size_t i;

	(void)state;
	tr_do(&srv, "GET", "/problems", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "items")) >= 50);
	json_array_foreach(json_object_get(r.json, "items"), i, e)
	{
		const char *type =
		    json_string_value(json_object_get(e, "type"));

		assert_non_null(type);
		assert_int_equal(strncmp(type, "/problems/", 10), 0);
		assert_non_null(
		    json_string_value(json_object_get(e, "title_zh")));
		tr_do(&srv, "GET", type, NULL, NULL, NULL, &one);
		if (one.status != 200)
			fail_msg("GET %s: %ld", type, one.status);
		assert_string_equal(
		    json_string_value(json_object_get(one.json, "type")), type);
		assert_int_equal(
		    json_integer_value(json_object_get(one.json, "status")),
		    json_integer_value(json_object_get(e, "status")));
		tr_free(&one);
	}
	tr_free(&r);
	/* A problem's type, followed. */
	tr_do(&srv, "GET", "/no/such/route", NULL, NULL, NULL, &miss);
	assert_int_equal(miss.status, 404);
	snprintf(path, sizeof(path), "%s", tr_problem_type(&miss));
	tr_free(&miss);
	tr_do(&srv, "GET", path, NULL, NULL, NULL, &one);
	assert_int_equal(one.status, 200);
	assert_int_equal(
	    json_integer_value(json_object_get(one.json, "status")), 404);
	tr_free(&one);
	tr_do(&srv, "GET", "/problems/no-such-type", NULL, NULL, NULL, &miss);
	assert_int_equal(miss.status, 404);
	tr_free(&miss);
}

/* The target of a Link field value's rel="next": into out, or -1. */
static int
next_link(const struct tresp *r, char *out, size_t len)
{
	char link[512];
	const char *end;

	if (tr_header(r, "Link", link, sizeof(link)) == NULL ||
	    link[0] != '<' || (end = strchr(link, '>')) == NULL ||
	    strstr(end, "rel=\"next\"") == NULL || (size_t)(end - link) >= len)
		return -1;
	memcpy(out, link + 1, (size_t)(end - link - 1));
	out[end - link - 1] = '\0';
	return 0;
}

static void
test_list_links_and_cursor_scope(void **state)
{
	char path[512], names[3][64], cursor[64];
	struct tresp r;
	int i, n = 0;

	(void)state;
	for (i = 0; i < 3; i++)
		create(i == 0   ? "链接分页甲"
		       : i == 1 ? "链接分页乙"
		                : "链接分页丙");
	snprintf(path, sizeof(path), "/api/v1/projects?q=%s&limit=1",
	    "%E9%93%BE%E6%8E%A5%E5%88%86%E9%A1%B5"); /* 链接分页 */
	for (;;) {
		tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(
		    json_array_size(json_object_get(r.json, "items")), 1);
		assert_true(n < 3);
		snprintf(names[n++], 64, "%s",
		    json_string_value(json_object_get(
		        json_array_get(json_object_get(r.json, "items"), 0),
		        "name")));
		if (json_is_null(json_object_get(r.json, "next_cursor"))) {
			assert_int_equal(next_link(&r, path, sizeof(path)), -1);
			tr_free(&r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s",
		    json_string_value(json_object_get(r.json, "next_cursor")));
		assert_int_equal(next_link(&r, path, sizeof(path)), 0);
		assert_non_null(strstr(path, cursor));
		tr_free(&r);
	}
	assert_int_equal(n, 3);
	assert_string_not_equal(names[0], names[1]);
	assert_string_not_equal(names[1], names[2]);
	/* The last cursor, with another filter, or none. */
	snprintf(path, sizeof(path), "/api/v1/projects?q=x&limit=1&cursor=%s",
	    cursor);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(tr_problem_type(&r), "/problems/invalid-cursor");
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects?cursor=%s", cursor);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
	/* The same filters in another order are the same filters. */
	snprintf(path, sizeof(path), "/api/v1/projects?cursor=%s&limit=1&q=%s",
	    cursor, "%E9%93%BE%E6%8E%A5%E5%88%86%E9%A1%B5");
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?area=140802&area=140821", editor,
	    NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(tr_problem_type(&r), "/problems/invalid-parameter");
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?limit=1&limit=2", editor, NULL,
	    NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

/* Projects named like q (percent-encoded) with the extra filters. */
static int
count_listed(const char *q, const char *extra, long *status)
{
	char path[512];
	struct tresp r;
	int n;

	snprintf(path, sizeof(path), "/api/v1/projects?q=%s%s", q, extra);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	*status = r.status;
	n = (int)json_array_size(json_object_get(r.json, "items"));
	tr_free(&r);
	return n;
}

static void
test_in_filters(void **state)
{
	static const char *const areas[] = {"140821", "140822", "140823"};
	const char *q = "%E5%88%97%E8%A1%A8%E8%BF%87%E6%BB%A4"; /* 列表过滤 */
	char body[256], many[256] = "&area=140821";
	struct tresp r;
	long status;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body),
		    "{\"name\":\"列表过滤%d\",\"area\":\"%s\","
		    "\"funding\":\"mixed\"}",
		    i, areas[i]);
		tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
		assert_int_equal(r.status, 201);
		tr_free(&r);
	}
	assert_int_equal(count_listed(q, "", &status), 3);
	assert_int_equal(count_listed(q, "&area=140821,140822", &status), 2);
	assert_int_equal(status, 200);
	assert_int_equal(count_listed(q, "&area=140823", &status), 1);
	assert_int_equal(
	    count_listed(
	        q, "&status=planned,signed&area=140821,140823", &status),
	    2);
	assert_int_equal(
	    count_listed(q, "&status=signed,cancelled", &status), 0);
	assert_int_equal(status, 200);
	count_listed(q, "&area=140821,abc", &status);
	assert_int_equal(status, 400);
	count_listed(q, "&area=140821,", &status);
	assert_int_equal(status, 400);
	count_listed(q, "&status=planned,bogus", &status);
	assert_int_equal(status, 400);
	count_listed(q, "&level=county,,municipal", &status);
	assert_int_equal(status, 400);
	for (i = 0; i < 20; i++)
		strcat(many, ",140821");
	count_listed(q, many, &status); /* 21 values */
	assert_int_equal(status, 400);
}

/* The 2024 figures of area 140830 as of as_of: signed and started
 * counts. */
static void
figures_as_of(const char *as_of, long long *signed_n, long long *started_n)
{
	char path[160];
	struct tresp r;

	snprintf(path, sizeof(path),
	    "/api/v1/stats/pipeline?year=2024&area=140830&as_of=%s", as_of);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %s", path, r.status, r.body);
	*signed_n = json_integer_value(
	    json_object_get(json_object_get(r.json, "signed"), "count"));
	*started_n = json_integer_value(json_object_get(
	    json_object_get(r.json, "signed_and_started"), "count"));
	tr_free(&r);
}

static void
test_figures_for_any_as_of(void **state)
{
	long long s, st;
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"任意日期项目\",\"area\":\"140830\","
	    "\"funding\":\"enterprise\",\"events\":["
	    "{\"type\":\"signed\",\"effective_on\":\"2024-03-01\","
	    "\"amount_yuan\":500000000},"
	    "{\"type\":\"started\",\"effective_on\":\"2024-11-01\"}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	figures_as_of("2024-06-30", &s, &st);
	assert_true(s == 1 && st == 0);
	figures_as_of("2025-01-31", &s, &st); /* the work report's day */
	assert_true(s == 1 && st == 1);
	figures_as_of("2023-12-31", &s, &st);
	assert_true(s == 0 && st == 0);
	tr_do(&srv, "GET", "/api/v1/stats/pipeline?year=2024&as_of=2025-02-30",
	    editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

static void
test_date_ranges_and_updated_since(void **state)
{
	const char *q = "%E6%97%A5%E6%9C%9F%E5%8C%BA%E9%97%B4"; /* 日期区间 */
	char since[64], path[160], id[64];
	struct tresp r;
	long status;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"日期区间一\",\"area\":\"140829\",\"funding\":"
	    "\"mixed\",\"events\":[{\"type\":\"signed\",\"effective_on\":"
	    "\"2024-02-01\",\"amount_yuan\":1}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(id, sizeof(id), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"日期区间二\",\"area\":\"140829\",\"funding\":"
	    "\"mixed\",\"events\":[{\"type\":\"signed\",\"effective_on\":"
	    "\"2024-08-01\",\"amount_yuan\":1},{\"type\":\"started\","
	    "\"effective_on\":\"2024-09-01\"}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	assert_int_equal(
	    count_listed(q, "&signed_from=2024-03-01", &status), 1);
	assert_int_equal(count_listed(q, "&signed_to=2024-03-01", &status), 1);
	assert_int_equal(
	    count_listed(
	        q, "&signed_from=2024-02-01&signed_to=2024-08-01", &status),
	    2);
	assert_int_equal(
	    count_listed(q, "&started_from=2024-09-01", &status), 1);
	assert_int_equal(count_listed(q, "&started_to=2024-08-31", &status), 0);
	count_listed(
	    q, "&signed_from=2024-05-01&signed_to=2024-04-01", &status);
	assert_int_equal(status, 400);
	count_listed(q, "&started_from=2024-02-30", &status);
	assert_int_equal(status, 400);
	count_listed(q, "&updated_since=yesterday", &status);
	assert_int_equal(status, 400);
	assert_int_equal(
	    count_listed(q, "&updated_since=2000-01-01T00:00:00Z", &status), 2);
	/* Changed since a time: only the one patched after it. */
	usleep(1100000);
	snprintf(since, sizeof(since), "%s",
	    db_scalar("SELECT to_char(now() AT TIME ZONE 'UTC', "
	              "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"));
	usleep(1100000);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
	assert_int_equal(patch_with(path, "{\"park\":\"变更\"}", "If-Match: *",
	                     NULL, NULL, 0),
	    200);
	snprintf(path, sizeof(path), "&updated_since=%s", since);
	assert_int_equal(count_listed(q, path, &status), 1);
	assert_int_equal(status, 200);
}

/* Follows a sorted list of the 排序 projects by pages of two: their
 * investments (-1 for none) in the order listed, *n of them. */
static void
sorted_amounts(const char *sort, long long *out, int *n)
{
	char path[512], cursor[256] = "";
	struct tresp r;
	json_t *item, *v;
	size_t i;

	*n = 0;
	do {
		snprintf(path, sizeof(path),
		    "/api/v1/"
		    "projects?q=%%E6%%8E%%92%%E5%%BA%%8F&limit=2&sort=%s"
		    "%s%s",
		    sort, cursor[0] ? "&cursor=" : "", cursor);
		tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
		if (r.status != 200)
			fail_msg("%s: %ld %s", path, r.status, r.body);
		json_array_foreach(json_object_get(r.json, "items"), i, item)
		{
			v = json_object_get(item, "signed_amount_yuan");
			out[(*n)++] =
			    json_is_null(v) ? -1 : json_integer_value(v);
		}
		v = json_object_get(r.json, "next_cursor");
		snprintf(cursor, sizeof(cursor), "%s",
		    json_is_string(v) ? json_string_value(v) : "");
		tr_free(&r);
	} while (cursor[0] != '\0' && *n < 16);
}

static void
test_sort(void **state)
{
	/* Signed amounts; 0: not signed (null). Two of 300 for the ties. */
	static const long long amounts[] = {300, 100, 0, 300, 200};
	static const long long up[] = {100, 200, 300, 300, -1};
	static const long long down[] = {300, 300, 200, 100, -1};
	long long got[16];
	char body[512], events[256], path[512], cursor[256];
	struct tresp r;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		if (amounts[i] == 0)
			snprintf(events, sizeof(events), "[]");
		else
			snprintf(events, sizeof(events),
			    "[{\"type\":\"signed\",\"effective_on\":"
			    "\"2024-02-01\",\"amount_yuan\":%lld}]",
			    amounts[i]);
		snprintf(body, sizeof(body),
		    "{\"name\":\"排序项目%zu\",\"area\":\"140822\","
		    "\"funding\":\"mixed\",\"events\":%s}",
		    i, events);
		tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
		assert_int_equal(r.status, 201);
		tr_free(&r);
	}
	sorted_amounts("signed_amount_yuan", got, &n);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(got[i], up[i]);
	sorted_amounts("-signed_amount_yuan", got, &n);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(got[i], down[i]);
	/* Ties keep the order of registration: 排序项目0 before 排序项目3. */
	tr_do(&srv, "GET",
	    "/api/v1/projects?q=%E6%8E%92%E5%BA%8F&sort=signed_amount_yuan",
	    editor, NULL, NULL, &r);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "items"), 2), "name")),
	    "排序项目0");
	tr_free(&r);
	/* A cursor of one sort with another, and a field not offered. */
	tr_do(&srv, "GET",
	    "/api/v1/projects?q=%E6%8E%92%E5%BA%8F&limit=2&sort=name", editor,
	    NULL, NULL, &r);
	snprintf(cursor, sizeof(cursor), "%s",
	    json_string_value(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
	snprintf(path, sizeof(path),
	    "/api/v1/projects?q=%%E6%%8E%%92%%E5%%BA%%8F&limit=2&sort=-name"
	    "&cursor=%s",
	    cursor);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(tr_problem_type(&r), "/problems/invalid-cursor");
	tr_free(&r);
	tr_do(
	    &srv, "GET", "/api/v1/projects?sort=owner", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

/* The group of area in figures doc, or NULL. */
static json_t *
group_of(json_t *doc, const char *area)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(doc, "groups"), i,
	    g) if (strcmp(json_string_value(json_object_get(g, "key")), area) ==
	           0) return g;
	return NULL;
}

static void
test_targets_per_area(void **state)
{
	const char *admin = ts_env("TEST_ADMIN_KEY");
	json_t *g, *t;
	struct tresp r;
	size_t i_unused;

	(void)state;
	/* 2023 in area 140828: one project signed for 2亿 and started. */
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"分县目标项目\",\"area\":\"140828\",\"funding\":"
	    "\"mixed\",\"events\":[{\"type\":\"signed\",\"effective_on\":"
	    "\"2023-03-01\",\"amount_yuan\":200000000},{\"type\":\"started\","
	    "\"effective_on\":\"2023-04-01\"}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	tr_do(&srv, "PUT", "/api/v1/targets/2023", admin,
	    "{\"signed_amount_yuan\":300000000000,\"start_rate\":0.6,"
	    "\"areas\":[{\"area\":\"140828\",\"signed_amount_yuan\":"
	    "400000000,\"start_rate\":0.5}]}",
	    NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/stats/pipeline?year=2023&by=area", editor,
	    NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(r.json, "target"), "signed_amount_yuan")),
	    300000000000LL);
	assert_non_null(g = group_of(r.json, "140828"));
	assert_non_null(t = json_object_get(g, "target"));
	assert_int_equal(
	    json_integer_value(json_object_get(t, "signed_amount_yuan")),
	    400000000);
	/* Its figures against its target: 2亿 of 4亿, a start rate of 1
	 * against 0.5, at least (other tests may sign there too). */
	assert_true(json_number_value(
	                json_object_get(t, "signed_amount_progress")) >= 0.5);
	assert_true(json_number_value(json_object_get(t, "start_rate")) == 0.5);
	/* An area without a target of its own has none. */
	json_array_foreach(json_object_get(r.json, "groups"), i_unused,
	    g) if (strcmp(json_string_value(json_object_get(g, "key")),
	               "140828") != 0)
	    assert_true(json_is_null(json_object_get(g, "target")));
	tr_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_if_none_match_is_weak),
	    cmocka_unit_test(test_if_match_is_strong),
	    cmocka_unit_test(test_merge_patch_media_type),
	    cmocka_unit_test(test_every_location_answers),
	    cmocka_unit_test(test_problem_types_are_served),
	    cmocka_unit_test(test_list_links_and_cursor_scope),
	    cmocka_unit_test(test_in_filters),
	    cmocka_unit_test(test_figures_for_any_as_of),
	    cmocka_unit_test(test_date_ranges_and_updated_since),
	    cmocka_unit_test(test_targets_per_area),
	    cmocka_unit_test(test_sort),
	};

	return cmocka_run_group_tests(tests, setup, ts_group_teardown);
}
