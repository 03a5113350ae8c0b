/*
 * test_language.c: Chinese for Chinese users (issue 13, SPEC §6: "enum
 * values carry Chinese labels; problem title/detail follow
 * Accept-Language"):
 *   - every value of every enum of the served /openapi.json (Status,
 *     Level but null, Funding, EventType, ApprovalKind, Role, Light, a
 *     batch's kind, the figures' by) has a label in GET /labels, and
 *     GET /labels labels nothing else: an enum value added without its
 *     label fails here;
 *   - a problem answered to Accept-Language: zh-CN,zh;q=0.9 has its
 *     type's Chinese title and detail (GET /problems/{name}: title_zh,
 *     detail_zh), the English detail in detail_en, Content-Language: zh
 *     and Vary: Accept-Language: a 404, a 422 of validation (whose
 *     errors stay in English), a 412, a lifecycle rule's 409, the route
 *     stage's 404 and a public route's 404;
 *   - the same without Accept-Language, with en, or with a field that
 *     prefers English, is in English: the type's title, the call site's
 *     detail, no detail_en, Content-Language: en.
 * (tests/support holds every problem of every test to the same rules.)
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
static char project[128];

static const char *const ZH_CN = "Accept-Language: zh-CN,zh;q=0.9";

static int
setup(void **state)
{
	struct tresp r;

	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	editor = make_key(&srv, "editor", NULL);
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"语言测试项目\",\"area\":\"140802\",\"funding\":"
	    "\"enterprise\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(project, sizeof(project), "/api/v1/projects/%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	return 0;
}

static const char *
str(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* The enum of a schema of the document: "Status", or "Event.type" for
 * a property's. */
static json_t *
enum_at(json_t *doc, const char *where)
{
	const char *dot = strchr(where, '.');
	char name[64];
	json_t *at;

	snprintf(name, sizeof(name), "%.*s",
	    (int)(dot != NULL ? (size_t)(dot - where) : strlen(where)), where);
	at = json_object_get(
	    json_object_get(json_object_get(doc, "components"), "schemas"),
	    name);
	if (dot != NULL)
		at =
		    json_object_get(json_object_get(at, "properties"), dot + 1);
	return json_object_get(at, "enum");
}

static void
test_every_enum_value_has_a_label(void **state)
{
	/* A label set, the enum each of whose values must have a label in
	 * it, and the enum its labels must all be values of. */
	static const struct {
		const char *labels, *all, *within;
	} sets[] = {
	    {"status", "Status", "Status"},
	    {"level", "Level", "Level"},
	    {"funding", "Funding", "Funding"},
	    {"event_type", "EventType", "Event.type"},
	    {"event_type", "Event.type", "Event.type"},
	    {"approval_kind", "ApprovalKind", "ApprovalKind"},
	    {"role", "Role", "Role"},
	    {"light", "Light", "Light"},
	    {"batch_kind", "Batch.kind", "Batch.kind"},
	    {"figures_by", "Figures.by", "Figures.by"},
	};
	struct tresp d, l;
	json_t *values, *v, *set;
	const char *value, *key;
	size_t i, j, k;
	int n = 0, found;

	(void)state;
	tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &d);
	assert_int_equal(d.status, 200);
	tr_do(&srv, "GET", "/labels", NULL, NULL, NULL, &l);
	assert_int_equal(l.status, 200);
	assert_int_equal(json_object_size(l.json), 9);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		values = enum_at(d.json, sets[i].all);
		set = json_object_get(l.json, sets[i].labels);
		if (json_array_size(values) == 0 || !json_is_object(set))
			fail_msg("%s: no enum, or no labels", sets[i].labels);
		json_array_foreach(values, j, v)
		{
			if (json_is_null(v))
				continue; /* Level: no level */
			value = json_string_value(v);
			assert_non_null(value);
			key = str(set, value);
			if (key == NULL || *key == '\0')
				fail_msg("%s %s has no label", sets[i].labels,
				    value);
			n++;
		}
		values = enum_at(d.json, sets[i].within);
		json_object_foreach(set, key, v)
		{
			found = 0;
			for (k = 0; k < json_array_size(values); k++)
				found |=
				    json_is_string(json_array_get(values, k)) &&
				    strcmp(json_string_value(
				               json_array_get(values, k)),
				        key) == 0;
			if (!found)
				fail_msg(
				    "%s labels %s, not a value of its enum",
				    sets[i].labels, key);
		}
	}
	assert_true(n >= 50);
	/* The words of SPEC §4 and the issue. */
	assert_string_equal(
	    str(json_object_get(l.json, "status"), "under_construction"),
	    "在建");
	assert_string_equal(
	    str(json_object_get(l.json, "batch_kind"), "start"), "集中开工");
	assert_string_equal(
	    str(json_object_get(l.json, "approval_kind"), "environment"),
	    "环评");
	tr_free(&l);
	tr_free(&d);
}

/* A problem of type name as it must come: in Chinese (zh) or English,
 * with the registry's words (GET /problems/{name}); the call site's
 * English detail into english (len bytes). */
static void
expect_problem(const struct tresp *r, long status, const char *name, int zh,
    char *english, size_t len)
{
	char type[96], lang[16], vary[128];
	struct tresp page;
	const char *detail;

	if (r->status != status)
		fail_msg("%ld, wanted %ld: %s", r->status, status,
		    r->body ? r->body : "");
	snprintf(type, sizeof(type), "/problems/%s", name);
	assert_string_equal(str(r->json, "type"), type);
	tr_do(&srv, "GET", type, NULL, NULL, NULL, &page);
	assert_int_equal(page.status, 200);
	assert_non_null(tr_header(r, "Content-Language", lang, sizeof(lang)));
	assert_non_null(tr_header(r, "Vary", vary, sizeof(vary)));
	assert_non_null(strstr(vary, "Accept-Language"));
	if (zh) {
		assert_string_equal(lang, "zh");
		assert_string_equal(
		    str(r->json, "title"), str(page.json, "title_zh"));
		assert_string_equal(
		    str(r->json, "detail"), str(page.json, "detail_zh"));
		detail = str(r->json, "detail_en");
	} else {
		assert_string_equal(lang, "en");
		assert_string_equal(
		    str(r->json, "title"), str(page.json, "title"));
		assert_null(json_object_get(r->json, "detail_en"));
		detail = str(r->json, "detail");
	}
	assert_non_null(detail);
	assert_true(strlen(detail) > 0);
	/* English: ASCII (the Chinese detail is not). */
	for (; *detail != '\0'; detail++)
		assert_true((unsigned char)*detail < 0x80);
	snprintf(english, len, "%s",
	    zh ? str(r->json, "detail_en") : str(r->json, "detail"));
	if (zh)
		assert_true((unsigned char)str(r->json, "detail")[0] >= 0x80);
	tr_free(&page);
}

/* One request in each of the ways of asking, holding each answer to
 * expect_problem: the same problem, the same English detail. */
static void
each_language(const char *method, const char *path, const char *body,
    const char *extra, long status, const char *name)
{
	static const struct {
		const char *field;
		int zh;
	} asks[] = {
	    {"Accept-Language: zh-CN,zh;q=0.9", 1},
	    {NULL, 0},
	    {"Accept-Language: en", 0},
	    {"Accept-Language: en-US,en;q=0.9,zh;q=0.8", 0},
	    {"Accept-Language: zh", 1},
	    {"Accept-Language: en;q=0.5, *;q=0.9", 1},
	    {"Accept-Language: zh;q=0", 0},
	};
	char first[512] = "", english[512];
	const char *h[3];
	struct tresp r;
	size_t i;
	int n;

	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		n = 0;
		if (asks[i].field != NULL)
			h[n++] = asks[i].field;
		if (extra != NULL)
			h[n++] = extra;
		h[n] = NULL;
		tr_do(&srv, method, path, editor, body, h, &r);
		expect_problem(
		    &r, status, name, asks[i].zh, english, sizeof(english));
		if (i == 0)
			snprintf(first, sizeof(first), "%s", english);
		else
			assert_string_equal(english, first);
		tr_free(&r);
	}
}

static void
test_not_found(void **state)
{
	(void)state;
	each_language("GET",
	    "/api/v1/projects/0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b", NULL, NULL,
	    404, "not-found");
	/* The route stage's, before any route, and a public route's. */
	each_language(
	    "GET", "/no/such/route", NULL, NULL, 404, "unknown-route");
	each_language(
	    "GET", "/problems/no-such-type", NULL, NULL, 404, "not-found");
	each_language(
	    "DELETE", "/api/v1/areas", NULL, NULL, 405, "method-not-allowed");
}

static void
test_validation(void **state)
{
	const char *const h[] = {ZH_CN, NULL};
	struct tresp r;
	json_t *e;

	(void)state;
	each_language("POST", "/api/v1/projects",
	    "{\"area\":\"140802\",\"funding\":\"enterprise\"}", NULL, 422,
	    "validation");
	/* The errors stay in English, each at its pointer. */
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"area\":\"140802\",\"funding\":\"enterprise\"}", h, &r);
	assert_int_equal(r.status, 422);
	e = json_array_get(json_object_get(r.json, "errors"), 0);
	assert_string_equal(str(e, "pointer"), "/name");
	assert_string_equal(str(e, "detail"), str(r.json, "detail_en"));
	assert_true((unsigned char)str(e, "detail")[0] < 0x80);
	assert_string_equal(str(r.json, "title"), "数据校验未通过");
	tr_free(&r);
}

static void
test_stale_version(void **state)
{
	const char *const h[] = {ZH_CN, "If-Match: \"999\"", NULL};
	struct tresp r;

	(void)state;
	each_language("PATCH", project, "{\"owner\":\"某公司\"}",
	    "If-Match: \"999\"", 412, "stale-version");
	tr_do(&srv, "PATCH", project, editor, "{\"owner\":\"某公司\"}", h, &r);
	assert_string_equal(str(r.json, "title"), "版本已变化");
	assert_string_equal(str(r.json, "detail"),
	    "项目已被他人修改：请重新读取后再提交（If-Match "
	    "与当前版本不符）。");
	tr_free(&r);
}

static void
test_lifecycle_rule(void **state)
{
	char path[192];

	(void)state;
	/* A completion before any start: the lifecycle's own rule. */
	snprintf(path, sizeof(path), "%s/events", project);
	each_language("POST", path,
	    "{\"type\":\"completed\",\"effective_on\":\"2024-01-02\"}", NULL,
	    409, "not-started");
}

static void
test_labels_are_public_and_cached(void **state)
{
	char cc[64];
	struct tresp r;

	(void)state;
	tr_do(&srv, "GET", "/labels", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(tr_header(&r, "Cache-Control", cc, sizeof(cc)));
	assert_string_equal(cc, "public, max-age=3600");
	tr_free(&r);
	tr_do(&srv, "GET", "/labels?lang=zh", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

static void
test_problem_types_have_detail_zh(void **state)
{
	struct tresp r;
	json_t *e;
	size_t i;

	(void)state;
	tr_do(&srv, "GET", "/problems", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, e)
	{
		const char *zh = str(e, "detail_zh");

		const char *c = zh;

		while (c != NULL && *c != '\0' && (unsigned char)*c < 0x80)
			c++;
		/* Chinese, ending with a full stop. */
		if (zh == NULL || *c == '\0' || strlen(zh) < 3 ||
		    strcmp(zh + strlen(zh) - 3, "。") != 0)
			fail_msg("%s: detail_zh is not a Chinese sentence",
			    str(e, "type"));
	}
	assert_true(i >= 50);
	tr_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_enum_value_has_a_label),
	    cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_validation),
	    cmocka_unit_test(test_stale_version),
	    cmocka_unit_test(test_lifecycle_rule),
	    cmocka_unit_test(test_labels_are_public_and_cached),
	    cmocka_unit_test(test_problem_types_have_detail_zh),
	};

	return cmocka_run_group_tests(tests, setup, ts_group_teardown);
}
