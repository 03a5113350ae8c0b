/*
 * test_registry.c: projects, events and retractions over HTTPS against a
 * real PostgreSQL: every endpoint, the rules, bad input of every kind
 * (always 4xx, and the database unchanged), pagination under inserts, the
 * name search's index, and concurrent writers.
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

/* Creates a project; returns its id (static buffer). */
static const char *
create(const char *body)
{
	static char id[64];
	struct tresp r;

	tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
	if (r.status != 201)
		fail_msg("create: %ld %s", r.status, r.body);
	snprintf(id, sizeof(id), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	return id;
}

/* A fingerprint of everything the writes touch, to prove a refusal
 * changed nothing. */
static char *
db_state(void)
{
	return strdup(db_scalar(
	    "SELECT (SELECT count(*) FROM projects) || '/' ||"
	    " (SELECT coalesce(sum(version), 0) FROM projects) || '/' ||"
	    " (SELECT count(*) FROM project_events) || '/' ||"
	    " (SELECT count(*) FROM audit_log)"));
}

static void
assert_unchanged(const char *before)
{
	char *now = db_state();

	assert_string_equal(now, before);
	free(now);
}

static void
test_create_get_etag(void **state)
{
	char path[128], etag[32], loc[128];
	const char *inm[2] = {NULL, NULL};
	char inm_line[64];
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"运城机场飞行区改扩建工程\",\"area\":\"140800\","
	    "\"funding\":\"government\",\"industry\":\"交通\","
	    "\"level\":\"provincial\",\"total_investment_yuan\":3600000000,"
	    "\"code\":\"2023-140800-48-01-000001\","
	    "\"planned_start_on\":\"2024-03-01\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(tr_header(&r, "ETag", etag, sizeof(etag)), "\"1\"");
	snprintf(path, sizeof(path), "/api/v1/projects/%s",
	    json_string_value(json_object_get(r.json, "id")));
	assert_string_equal(tr_header(&r, "Location", loc, sizeof(loc)), path);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "status")), "planned");
	assert_int_equal(json_integer_value(
	                     json_object_get(r.json, "total_investment_yuan")),
	    3600000000LL);
	tr_free(&r);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")),
	    "运城机场飞行区改扩建工程");
	tr_free(&r);
	snprintf(inm_line, sizeof(inm_line), "If-None-Match: %s", etag);
	inm[0] = inm_line;
	tr_do(&srv, "GET", path, editor, NULL, inm, &r);
	assert_int_equal(r.status, 304);
	tr_free(&r);
	/* The same code again is a conflict. */
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"x\",\"area\":\"140800\",\"funding\":\"government\","
	    "\"code\":\"2023-140800-48-01-000001\"}",
	    NULL, &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(tr_problem_type(&r), "/problems/duplicate-code");
	tr_free(&r);
}

static void
test_create_with_events_derives_status(void **state)
{
	char path[128];
	const char *id;
	struct tresp r;

	(void)state;
	id = create("{\"name\":\"亚新科汽车零部件一期\",\"area\":\"140821\","
	            "\"funding\":\"enterprise\",\"events\":["
	            "{\"type\":\"signed\",\"effective_on\":\"2024-02-01\","
	            "\"amount_yuan\":1200000000},"
	            "{\"type\":\"approval\",\"kind\":\"land\","
	            "\"effective_on\":\"2024-02-10\"},"
	            "{\"type\":\"started\",\"effective_on\":\"2024-04-01\"}]}");
	snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "status")),
	    "under_construction");
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "signed_on")),
	    "2024-02-01");
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "signed_amount_yuan")),
	    1200000000LL);
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT count(*) FROM project_events "
	                              "WHERE project_id = '%s'",
	                        id),
	    "3");
	/* Initial events break the rules: nothing is created. */
	{
		char *before = db_state();

		tr_do(&srv, "POST", "/api/v1/projects", editor,
		    "{\"name\":\"x\",\"area\":\"140821\",\"funding\":"
		    "\"enterprise\",\"events\":[{\"type\":\"started\","
		    "\"effective_on\":\"2024-01-01\"},{\"type\":\"signed\","
		    "\"effective_on\":\"2024-02-01\",\"amount_yuan\":1}]}",
		    NULL, &r);
		assert_int_equal(r.status, 409);
		assert_string_equal(
		    tr_problem_type(&r), "/problems/signed-after-started");
		tr_free(&r);
		assert_unchanged(before);
		free(before);
	}
}

static void
post_event(const char *id, const char *body, long status, const char *type)
{
	char path[160];
	char *before = NULL;
	struct tresp r;

	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", id);
	if (status >= 400)
		before = db_state();
	tr_do(&srv, "POST", path, editor, body, NULL, &r);
	if (r.status != status)
		fail_msg("%s: %ld %s", body, r.status, r.body);
	if (type != NULL)
		assert_string_equal(tr_problem_type(&r), type);
	tr_free(&r);
	if (before != NULL) {
		char *after = db_state();

		assert_string_equal(before, after);
		free(before);
		free(after);
	}
}

static void
test_event_rules_over_http(void **state)
{
	const char *id;
	char pid[64];

	(void)state;
	id = create("{\"name\":\"华鑫源钢铁产能置换改造\",\"area\":\"140882\","
	            "\"funding\":\"enterprise\"}");
	snprintf(pid, sizeof(pid), "%s", id);
	post_event(pid,
	    "{\"type\":\"signed\",\"effective_on\":\"2024-03-01\","
	    "\"amount_yuan\":800000000}",
	    201, NULL);
	post_event(pid,
	    "{\"type\":\"signed\",\"effective_on\":\"2024-03-02\","
	    "\"amount_yuan\":1}",
	    409, "/problems/already-signed");
	post_event(pid,
	    "{\"type\":\"started\",\"effective_on\":\"2024-02-01\"}", 409,
	    "/problems/signed-after-started");
	post_event(pid,
	    "{\"type\":\"completed\",\"effective_on\":\"2024-05-01\"}", 409,
	    "/problems/not-started");
	post_event(pid,
	    "{\"type\":\"started\",\"effective_on\":\"2999-01-01\"}", 422,
	    "/problems/effective-date-in-future");
	post_event(pid,
	    "{\"type\":\"started\",\"effective_on\":\"2024-02-30\"}", 422,
	    "/problems/validation");
	post_event(pid,
	    "{\"type\":\"exploded\",\"effective_on\":\"2024-02-01\"}", 422,
	    "/problems/validation");
	post_event(pid, "{\"type\":\"signed\",\"effective_on\":\"2024-02-01\"}",
	    422, "/problems/validation");
	post_event(pid,
	    "{\"type\":\"started\",\"effective_on\":\"2024-04-01\"}", 201,
	    NULL);
	post_event(pid,
	    "{\"type\":\"cancelled\",\"effective_on\":\"2024-05-01\"}", 201,
	    NULL);
	post_event(pid,
	    "{\"type\":\"resumed\",\"effective_on\":\"2024-06-01\"}", 409,
	    "/problems/not-suspended");
	post_event(pid,
	    "{\"type\":\"approval\",\"kind\":\"land\","
	    "\"effective_on\":\"2024-06-01\"}",
	    409, "/problems/project-cancelled");
	assert_string_equal(
	    db_scalar("SELECT status FROM projects WHERE id = '%s'", pid),
	    "cancelled");
}

static const char *
event_id_of(const char *pid, const char *type)
{
	static char out[64];

	snprintf(out, sizeof(out), "%s",
	    db_scalar("SELECT id FROM project_events WHERE project_id = '%s' "
	              "AND type = '%s' ORDER BY seq DESC LIMIT 1",
	        pid, type));
	return out;
}

static void
test_retractions(void **state)
{
	char pid[64], sid[64], cid[64], path[256];
	struct tresp r;
	json_t *items, *e;
	size_t i;
	int seen_retracted = 0;

	(void)state;
	snprintf(pid, sizeof(pid), "%s",
	    create(
	        "{\"name\":\"山楂树下果汁饮料\",\"area\":\"140821\","
	        "\"funding\":\"enterprise\",\"events\":["
	        "{\"type\":\"started\",\"effective_on\":\"2024-03-01\"},"
	        "{\"type\":\"completed\",\"effective_on\":\"2024-08-01\"}]}"));
	snprintf(sid, sizeof(sid), "%s", event_id_of(pid, "started"));
	snprintf(cid, sizeof(cid), "%s", event_id_of(pid, "completed"));
	/* The start has a dependant: refused, nothing changes. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events/%s/retraction",
	    pid, sid);
	{
		char *before = db_state();

		tr_do(&srv, "POST", path, editor, "{\"reason\":\"typo\"}", NULL,
		    &r);
		assert_int_equal(r.status, 409);
		assert_string_equal(
		    tr_problem_type(&r), "/problems/retraction-breaks-history");
		tr_free(&r);
		assert_unchanged(before);
		free(before);
	}
	tr_do(&srv, "POST", path, editor, "{}", NULL, &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events/%s/retraction",
	    pid, cid);
	tr_do(&srv, "POST", path, editor,
	    "{\"reason\":\"recorded on the wrong project\"}", NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	tr_do(&srv, "POST", path, editor, "{\"reason\":\"again\"}", NULL, &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(tr_problem_type(&r), "/problems/already-retracted");
	tr_free(&r);
	assert_string_equal(
	    db_scalar("SELECT status FROM projects WHERE id = '%s'", pid),
	    "under_construction");
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 3);
	json_array_foreach(items, i, e)
	{
		json_t *by = json_object_get(e, "retracted_by");

		if (strcmp(json_string_value(json_object_get(e, "id")), cid) ==
		    0) {
			assert_true(json_is_object(by));
			assert_string_equal(
			    json_string_value(json_object_get(by, "reason")),
			    "recorded on the wrong project");
			seen_retracted = 1;
		}
	}
	assert_true(seen_retracted);
	tr_free(&r);
}

static void
test_events_are_append_only_in_the_database(void **state)
{
	(void)state;
	assert_int_not_equal(sh("psql \"$DATABASE_URL\" -qAtc \"UPDATE "
	                        "project_events SET note = 'x'\" 2>/dev/null"),
	    0);
	assert_int_not_equal(sh("psql \"$DATABASE_URL\" -qAtc \"DELETE FROM "
	                        "project_events\" 2>/dev/null"),
	    0);
	assert_int_not_equal(sh("psql \"$DATABASE_URL\" -qAtc \"DELETE FROM "
	                        "audit_log\" 2>/dev/null"),
	    0);
}

static void
test_patch_preconditions(void **state)
{
	char path[128];
	const char *h_stale[] = {"If-Match: \"7\"", NULL};
	const char *h_ok[] = {"If-Match: \"1\"", NULL};
	struct tresp r;
	char *before;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/projects/%s",
	    create("{\"name\":\"宏光高品质医玻\",\"area\":\"140802\","
	           "\"funding\":\"enterprise\"}"));
	before = db_state();
	tr_do(&srv, "PATCH", path, editor, "{\"park\":\"盐湖\"}", NULL, &r);
	assert_int_equal(r.status, 428);
	tr_free(&r);
	tr_do(&srv, "PATCH", path, editor, "{\"park\":\"盐湖\"}", h_stale, &r);
	assert_int_equal(r.status, 412);
	tr_free(&r);
	tr_do(&srv, "PATCH", path, editor,
	    "{\"status\":\"completed\",\"version\":9}", h_ok, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "\"/status\""));
	assert_non_null(strstr(r.body, "\"/version\""));
	tr_free(&r);
	tr_do(&srv, "PATCH", path, editor, "{\"name\":null}", h_ok, &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
	assert_unchanged(before);
	free(before);
	tr_do(&srv, "PATCH", path, editor,
	    "{\"park\":\"盐湖经济技术开发区\",\"progress_percent\":12}", h_ok,
	    &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "version")), 2);
	assert_string_equal(json_string_value(json_object_get(r.json, "park")),
	    "盐湖经济技术开发区");
	tr_free(&r);
}

static void
test_bad_input_is_4xx_and_changes_nothing(void **state)
{
	static const struct {
		const char *body;
		long status;
	} cases[] = {
	    {"{\"name\":", 400},
	    {"[1,2]", 400},
	    {"{\"name\":\"\xff\xfe\",\"area\":\"140821\","
	     "\"funding\":\"enterprise\"}",
	        400},
	    {"{\"name\":\"a\\u0000b\",\"area\":\"140821\","
	     "\"funding\":\"enterprise\"}",
	        400},
	    {"{\"name\":\"a\",\"name\":\"b\",\"area\":\"140821\","
	     "\"funding\":\"enterprise\"}",
	        400},
	    {"{\"name\":7,\"area\":\"140821\",\"funding\":\"enterprise\"}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"colour\":\"red\"}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"total_investment_yuan\":1000000000000001}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"total_investment_yuan\":1e30}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"total_investment_yuan\":99999999999999999999999}",
	        400},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"total_investment_yuan\":-5}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"planned_start_on\":\"2024-02-30\"}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"999999\",\"funding\":\"enterprise\"}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"code\":\"2024-999999-44-01-000123\"}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"code\":\"bad\"}",
	        422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"charity\"}",
	        422},
	    {"{\"area\":\"140821\",\"funding\":\"enterprise\"}", 422},
	    {"{\"name\":\"a\",\"area\":\"140821\",\"funding\":\"enterprise\","
	     "\"status\":\"completed\"}",
	        422},
	};
	char *before = db_state(), *after;
	struct tresp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_do(&srv, "POST", "/api/v1/projects", editor, cases[i].body,
		    NULL, &r);
		if (r.status != cases[i].status)
			fail_msg("case %zu: %ld %s", i, r.status, r.body);
		assert_non_null(json_object_get(r.json, "type"));
		tr_free(&r);
	}
	tr_do(
	    &srv, "GET", "/api/v1/projects/not-a-uuid", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	tr_free(&r);
	tr_do(&srv, "GET",
	    "/api/v1/projects/0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b", editor,
	    NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(tr_problem_type(&r), "/problems/not-found");
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?cursor=1.00000000", editor, NULL,
	    NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(tr_problem_type(&r), "/problems/invalid-cursor");
	tr_free(&r);
	tr_do(
	    &srv, "GET", "/api/v1/projects?limit=501", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
	tr_do(
	    &srv, "GET", "/api/v1/projects?colour=red", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?q=%FF", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
	after = db_state();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void
test_pagination_stable_under_inserts(void **state)
{
	char path[512], cursor[64] = "", seen[64][64];
	int nseen = 0, page = 0, i, j;
	struct tresp r;
	json_t *items;

	(void)state;
	for (i = 0; i < 7; i++) {
		char body[256];

		snprintf(body, sizeof(body),
		    "{\"name\":\"分页项目%d\",\"area\":\"140830\","
		    "\"industry\":\"分页测试\",\"funding\":\"mixed\"}",
		    i);
		create(body);
	}
	for (;;) {
		snprintf(path, sizeof(path),
		    "/api/v1/"
		    "projects?area=140830&industry=%%E5%%88%%86%%E9%%A1%%B5"
		    "%%E6%%B5%%8B%%E8%%AF%%95&limit=3%s%s",
		    cursor[0] ? "&cursor=" : "", cursor);
		tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		items = json_object_get(r.json, "items");
		for (i = 0; i < (int)json_array_size(items); i++) {
			const char *id = json_string_value(json_object_get(
			    json_array_get(items, (size_t)i), "id"));

			for (j = 0; j < nseen; j++)
				assert_string_not_equal(seen[j], id);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], 64, "%s", id);
		}
		if (page++ == 0) /* a client inserts between pages */
			create(
			    "{\"name\":\"分页项目新\",\"area\":\"140830\","
			    "\"industry\":\"分页测试\",\"funding\":\"mixed\"}");
		if (json_is_null(json_object_get(r.json, "next_cursor"))) {
			tr_free(&r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s",
		    json_string_value(json_object_get(r.json, "next_cursor")));
		tr_free(&r);
	}
	assert_int_equal(nseen, 8);
	assert_int_equal(page, 3);
}

static void
test_filters_and_chinese_search(void **state)
{
	struct tresp r;
	json_t *items;
	size_t i;
	json_t *e;

	(void)state;
	create("{\"name\":\"垣曲抽水蓄能电站二期\",\"area\":\"140827\","
	       "\"funding\":\"enterprise\",\"industry\":\"抽水蓄能\"}");
	create("{\"name\":\"绛县抽水蓄能电站\",\"area\":\"140826\","
	       "\"funding\":\"enterprise\",\"industry\":\"抽水蓄能\"}");
	tr_do(&srv, "GET", "/api/v1/projects?q=%E8%93%84%E8%83%BD", editor,
	    NULL, NULL, &r); /* 蓄能 */
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?q=%E6%9C%BA%E5%9C%BA", editor,
	    NULL, NULL, &r); /* 机场 */
	items = json_object_get(r.json, "items");
	assert_true(json_array_size(items) >= 1);
	json_array_foreach(items, i, e) assert_non_null(
	    strstr(json_string_value(json_object_get(e, "name")), "机场"));
	tr_free(&r);
	tr_do(&srv, "GET",
	    "/api/v1/"
	    "projects?industry=%E6%8A%BD%E6%B0%B4%E8%93%84%E8%83%BD&area="
	    "140826",
	    editor, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?status=cancelled", editor, NULL,
	    NULL, &r);
	json_array_foreach(json_object_get(r.json, "items"), i, e)
	    assert_string_equal(
	        json_string_value(json_object_get(e, "status")), "cancelled");
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/projects?signed_year=2024&area=140821",
	    editor, NULL, NULL, &r);
	json_array_foreach(json_object_get(r.json, "items"), i, e) assert_true(
	    strncmp(json_string_value(json_object_get(e, "signed_on")), "2024-",
	        5) == 0);
	assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
	tr_free(&r);
}

/* With enough rows for the planner to care, a 2-character Chinese search
 * is served by the name index. */
static void
test_name_search_uses_index(void **state)
{
	(void)state;
	db_scalar("INSERT INTO projects (id, name, area, funding)"
	          " SELECT gen_random_uuid(), '填充项目' || i, '140829',"
	          " 'enterprise' FROM generate_series(1, 45000) i");
	db_scalar("ANALYZE projects");
	assert_int_equal(sh("psql \"$DATABASE_URL\" -qAtc \"EXPLAIN SELECT * "
	                    "FROM projects p WHERE p.name_grams @> "
	                    "query_grams('机场') AND strpos(lower(p.name), "
	                    "'机场') > 0\" | grep -q projects_name_grams"),
	    0);
}

static void
test_concurrent_patches_one_wins(void **state)
{
	struct tparallel req[2];
	char path[128];
	int ok = 0, stale = 0, i;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/projects/%s",
	    create("{\"name\":\"朗致小容量注射剂\",\"area\":\"140802\","
	           "\"funding\":\"enterprise\"}"));
	memset(req, 0, sizeof(req));
	for (i = 0; i < 2; i++) {
		req[i].method = "PATCH";
		req[i].path = path;
		req[i].key = editor;
		req[i].body = i ? "{\"owner\":\"甲\"}" : "{\"owner\":\"乙\"}";
		req[i].headers[0] = "If-Match: \"1\"";
	}
	tr_parallel(&srv, req, 2);
	for (i = 0; i < 2; i++) {
		ok += req[i].resp.status == 200;
		stale += req[i].resp.status == 412;
		tr_free(&req[i].resp);
	}
	assert_int_equal(ok, 1);
	assert_int_equal(stale, 1);
}

static void
test_concurrent_starts_one_accepted(void **state)
{
	struct tparallel req[4];
	char path[160], pid[64];
	int created = 0, refused = 0, i;

	(void)state;
	snprintf(pid, sizeof(pid), "%s",
	    create("{\"name\":\"博翔汇良高纯石墨\",\"area\":\"140824\","
	           "\"funding\":\"enterprise\"}"));
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	memset(req, 0, sizeof(req));
	for (i = 0; i < 4; i++) {
		req[i].method = "POST";
		req[i].path = path;
		req[i].key = editor;
		req[i].body = "{\"type\":\"started\",\"effective_on\":"
		              "\"2024-05-01\"}";
	}
	tr_parallel(&srv, req, 4);
	for (i = 0; i < 4; i++) {
		created += req[i].resp.status == 201;
		refused += req[i].resp.status == 409;
		tr_free(&req[i].resp);
	}
	assert_int_equal(created, 1);
	assert_int_equal(refused, 3);
	assert_string_equal(db_scalar("SELECT count(*) FROM project_events "
	                              "WHERE project_id = '%s'",
	                        pid),
	    "1");
	assert_string_equal(
	    db_scalar("SELECT version FROM projects WHERE id = '%s'", pid),
	    "2");
}

static void
test_derived_fields_equal_replay(void **state)
{
	(void)state;
	/* Whatever the tests did, each project's stored start equals the
	 * start recomputed from its non-retracted events. */
	assert_string_equal(
	    db_scalar("SELECT count(*) FROM projects p WHERE p.started_on IS "
	              "DISTINCT FROM (SELECT max(e.effective_on) FROM "
	              "project_events e WHERE e.project_id = p.id AND e.type = "
	              "'started' AND NOT EXISTS (SELECT 1 FROM project_events "
	              "r WHERE r.retracts = e.id))"),
	    "0");
	assert_string_equal(
	    db_scalar("SELECT count(*) FROM projects p WHERE p.signed_on IS "
	              "DISTINCT FROM (SELECT max(e.effective_on) FROM "
	              "project_events e WHERE e.project_id = p.id AND e.type = "
	              "'signed' AND NOT EXISTS (SELECT 1 FROM project_events "
	              "r WHERE r.retracts = e.id))"),
	    "0");
}

static void
test_areas_and_openapi(void **state)
{
	static const char *const expected[] = {"/api/v1/areas",
	    "/api/v1/projects", "/api/v1/projects/{id}",
	    "/api/v1/projects/{id}/events",
	    "/api/v1/projects/{id}/events/{event_id}/retraction",
	    "/api/v1/keys", "/api/v1/keys/{id}", "/health", "/ready",
	    "/metrics", "/openapi.json", NULL};
	struct tresp r, probe;
	const char *path, *method;
	json_t *paths, *ops, *op;
	char concrete[256], *p;
	int i;

	(void)state;
	tr_do(&srv, "GET", "/api/v1/areas", editor, NULL, NULL, &r);
	assert_int_equal(json_array_size(r.json), 14);
	tr_free(&r);
	tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "openapi")), "3.1.0");
	paths = json_object_get(r.json, "paths");
	/* Bodies and answers carry their schemas. */
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(paths, "/api/v1/projects"), "post"),
	    "requestBody"));
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(r.json, "components"), "schemas"),
	    "Project"));
	for (i = 0; expected[i] != NULL; i++)
		if (json_object_get(paths, expected[i]) == NULL)
			fail_msg(
			    "%s is not in the OpenAPI document", expected[i]);
	/* And every documented operation is answered by a route. */
	json_object_foreach(paths, path, ops)
	{
		snprintf(concrete, sizeof(concrete), "%s", path);
		while ((p = strstr(concrete, "{")) != NULL) {
			char rest[256];

			snprintf(rest, sizeof(rest), "%s", strchr(p, '}') + 1);
			snprintf(p, sizeof(concrete) - (size_t)(p - concrete),
			    "0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b%s", rest);
		}
		json_object_foreach(ops, method, op)
		{
			char upper[16];
			size_t k;

			for (k = 0; method[k] && k < 15; k++)
				upper[k] = (char)(method[k] - 32);
			upper[k] = '\0';
			tr_do(&srv, upper, concrete, ts_env("TEST_ADMIN_KEY"),
			    "{}", NULL, &probe);
			assert_int_not_equal(probe.status, 405);
			assert_string_not_equal(
			    tr_problem_type(&probe), "/problems/unknown-route");
			tr_free(&probe);
		}
	}
	tr_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_get_etag),
	    cmocka_unit_test(test_create_with_events_derives_status),
	    cmocka_unit_test(test_event_rules_over_http),
	    cmocka_unit_test(test_retractions),
	    cmocka_unit_test(test_events_are_append_only_in_the_database),
	    cmocka_unit_test(test_patch_preconditions),
	    cmocka_unit_test(test_bad_input_is_4xx_and_changes_nothing),
	    cmocka_unit_test(test_pagination_stable_under_inserts),
	    cmocka_unit_test(test_filters_and_chinese_search),
	    cmocka_unit_test(test_concurrent_patches_one_wins),
	    cmocka_unit_test(test_concurrent_starts_one_accepted),
	    cmocka_unit_test(test_derived_fields_equal_replay),
	    cmocka_unit_test(test_areas_and_openapi),
	    cmocka_unit_test(test_name_search_uses_index),
	};

	return cmocka_run_group_tests_name(
	    "registry", tests, setup, ts_group_teardown);
}
