/*
 * test_contract.c: the OpenAPI document and the server agree on what
 * each operation takes. (What each answers is checked on every response
 * of every test, by tests/support/contract.c; the lint of the document is
 * a test of scripts/test.sh.)
 *
 * For every operation in the document, as the server serves it:
 *   - a query parameter it does not document is refused (400
 *     unknown-parameter), and so is a documented one given twice;
 *   - every documented query parameter with a type, an enum, a pattern,
 *     a format or a limit refuses a value outside them with 400, so a
 *     parameter the document lists but the handler ignores fails here;
 *   - the problem types of every problem response are ones GET /problems
 *     lists, with that status.
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
static json_t *doc;

static int
setup(void **state)
{
	struct tresp r;

	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = json_incref(r.json);
	tr_free(&r);
	return 0;
}

static int
teardown(void **state)
{
	json_decref(doc);
	return ts_group_teardown(state);
}

/* A $ref of the document, followed. */
static json_t *
resolve(json_t *v)
{
	const char *ref;
	char part[128];
	json_t *at;

	while ((ref = json_string_value(json_object_get(v, "$ref"))) != NULL) {
		at = doc;
		ref += 2; /* "#/" */
		while (*ref != '\0') {
			size_t n = strcspn(ref, "/");

			snprintf(part, sizeof(part), "%.*s", (int)n, ref);
			at = json_object_get(at, part);
			ref += n + (ref[n] == '/');
		}
		v = at;
	}
	return v;
}

/* The path with a value of the right form for each {parameter}. */
static void
concrete_path(const char *pattern, char *out, size_t len)
{
	static const char *const values[][2] = {
	    {"{id}", "0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b"},
	    {"{event_id}", "1b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b"},
	    {"{report_id}", "2b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b"},
	    {"{n}", "1"}, {"{year}", "2024"}, {"{name}", "not-found"},
	    {"{sha256}", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                 "aaaaaaaaaaa"}};
	size_t o = 0, i, k;
	const char *p = pattern;

	while (*p != '\0' && o + 1 < len) {
		for (i = 0, k = 0; i < sizeof(values) / sizeof(values[0]); i++)
			if (strncmp(p, values[i][0], strlen(values[i][0])) ==
			    0) {
				k = (size_t)snprintf(
				    out + o, len - o, "%s", values[i][1]);
				p += strlen(values[i][0]);
				break;
			}
		if (i == sizeof(values) / sizeof(values[0])) {
			out[o++] = *p++;
			continue;
		}
		o += k;
	}
	out[o < len ? o : len - 1] = '\0';
}

/* A value the schema refuses, or NULL when it takes any string. */
static const char *
invalid_value(json_t *schema, char *buf, size_t len)
{
	const char *type, *format;
	json_t *max;

	schema = resolve(schema);
	type = json_string_value(json_object_get(schema, "type"));
	format = json_string_value(json_object_get(schema, "format"));
	max = json_object_get(schema, "maxLength");
	if (type != NULL && strcmp(type, "integer") == 0)
		return "x1";
	if (type != NULL && strcmp(type, "boolean") == 0)
		return "maybe";
	if (json_object_get(schema, "enum") != NULL)
		return "none-of-these";
	if (json_object_get(schema, "pattern") != NULL)
		return "%20!";
	if (format != NULL && strcmp(format, "date") == 0)
		return "2024-13-45";
	if (format != NULL && strcmp(format, "date-time") == 0)
		return "yesterday";
	if (format != NULL && strcmp(format, "uuid") == 0)
		return "not-a-uuid";
	if (max != NULL && (size_t)json_integer_value(max) + 1 < len) {
		memset(buf, 'a', (size_t)json_integer_value(max) + 1);
		buf[json_integer_value(max) + 1] = '\0';
		return buf;
	}
	return NULL;
}

static void
call(const char *method, const char *path, struct tresp *r)
{
	const char *const headers[] = {
	    "Content-Type: application/x-ndjson", NULL};

	tr_do(&srv, method, path, ts_env("TEST_ADMIN_KEY"),
	    strcmp(method, "GET") == 0 ? NULL : "", headers, r);
}

static void
upper(const char *m, char *out)
{
	size_t k;

	for (k = 0; m[k] != '\0' && k < 15; k++)
		out[k] = (char)(m[k] - 32);
	out[k] = '\0';
}

/* Refused with 400 and this type, or the test fails naming the call. */
static void
expect_400(const char *method, const char *url, const char *type)
{
	struct tresp r;

	call(method, url, &r);
	if (r.status != 400 ||
	    (type != NULL && strcmp(tr_problem_type(&r), type) != 0))
		fail_msg("%s %s: %ld %s", method, url, r.status,
		    r.body ? r.body : "");
	tr_free(&r);
}

static void
test_undocumented_parameters_refused(void **state)
{
	const char *path, *method;
	json_t *ops, *op;
	char base[512], url[700], m[16];
	int n = 0;

	(void)state;
	json_object_foreach(json_object_get(doc, "paths"), path, ops)
	{
		json_object_foreach(ops, method, op)
		{
			(void)op;
			upper(method, m);
			concrete_path(path, base, sizeof(base));
			snprintf(
			    url, sizeof(url), "%s?not_a_parameter=1", base);
			expect_400(m, url, "/problems/unknown-parameter");
			n++;
		}
	}
	assert_true(n >= 33);
}

static void
test_documented_parameters_checked(void **state)
{
	const char *path, *method, *name, *bad, *in;
	json_t *ops, *op, *p;
	char base[512], url[1024], buf[256], m[16];
	size_t i;
	int checked = 0, twice = 0;

	(void)state;
	json_object_foreach(json_object_get(doc, "paths"), path, ops)
	{
		json_object_foreach(ops, method, op)
		{
			upper(method, m);
			concrete_path(path, base, sizeof(base));
			json_array_foreach(
			    json_object_get(op, "parameters"), i, p)
			{
				p = resolve(p);
				in =
				    json_string_value(json_object_get(p, "in"));
				if (in == NULL || strcmp(in, "query") != 0)
					continue;
				name = json_string_value(
				    json_object_get(p, "name"));
				bad =
				    invalid_value(json_object_get(p, "schema"),
				        buf, sizeof(buf));
				if (bad != NULL) {
					snprintf(url, sizeof(url), "%s?%s=%s",
					    base, name, bad);
					expect_400(m, url, NULL);
					checked++;
				}
				snprintf(url, sizeof(url), "%s?%s=1&%s=1", base,
				    name, name);
				expect_400(
				    m, url, "/problems/invalid-parameter");
				twice++;
			}
		}
	}
	print_message("%d documented parameters refused a bad value, %d "
	              "refused a second value\n",
	    checked, twice);
	assert_true(checked >= 40);
}

static void
test_problem_responses_name_listed_types(void **state)
{
	struct tresp r;
	json_t *resp, *schema, *types, *t, *listed, *item;
	const char *name;
	size_t i, j;
	int found, n = 0;

	(void)state;
	tr_do(&srv, "GET", "/problems", NULL, NULL, NULL, &r);
	listed = json_object_get(r.json, "items");
	json_object_foreach(
	    json_object_get(json_object_get(doc, "components"), "responses"),
	    name, resp)
	{
		schema = json_object_get(
		    json_object_get(json_object_get(resp, "content"),
		        "application/problem+json"),
		    "schema");
		types = json_object_get(
		    json_object_get(
		        json_object_get(schema, "properties"), "type"),
		    "enum");
		if (json_array_size(types) == 0)
			fail_msg("%s names no problem type", name);
		json_array_foreach(types, i, t)
		{
			found = 0;
			json_array_foreach(listed, j, item) found |=
			    strcmp(json_string_value(
			               json_object_get(item, "type")),
			        json_string_value(t)) == 0;
			if (!found)
				fail_msg("%s: %s is not in GET /problems", name,
				    json_string_value(t));
			n++;
		}
	}
	tr_free(&r);
	assert_true(n >= 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_undocumented_parameters_refused),
	    cmocka_unit_test(test_documented_parameters_checked),
	    cmocka_unit_test(test_problem_responses_name_listed_types),
	};

	return cmocka_run_group_tests_name("contract", tests, setup, teardown);
}
