/*
 * test_limits.c: instances hold no state of their own that decides
 * anything (issue 18, item 1): the limits hold across them, and what one
 * issues (a cursor, an ETag, an idempotent reply) is honoured by another.
 *
 * Two servers on the one test database, as two instances behind a
 * balancer would be; requests alternate between them. With
 * rate_limit_shared on (the default) a principal gets its limit over
 * both together, at most 110% of it; with it off, each instance counts
 * alone and the same requests get about twice through, which shows the
 * test measures what it claims. Failed authentications from one address
 * are counted over both instances likewise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "support.h"

#define RATE  4
#define BURST 4
#define RUN_S 5.0

/* Requests of one key alternating between a and b for RUN_S seconds:
 * how many were served; *allowed: what one bucket allows in that time. */
static int
served_through_both(
    struct tserver *a, struct tserver *b, const char *key, double *allowed)
{
	struct tserver *both[] = {a, b};
	int asked, ok = tr_served_for(both, 2, key, RUN_S, &asked);

	*allowed = BURST + RATE * RUN_S;
	print_message("%d requests, %d served, one bucket allows %.0f\n", asked,
	    ok, *allowed);
	/* Enough requests that twice the limit was asked for. */
	assert_true(asked > 2 * *allowed);
	return ok;
}

static void
start_pair(struct tserver *a, struct tserver *b, const char *shared)
{
	char conf[256];

	snprintf(conf, sizeof(conf),
	    "rate_limit_per_second %d\nrate_limit_burst %d\n"
	    "rate_limit_shared %s\n",
	    RATE, BURST, shared);
	ts_start(a, conf);
	ts_start(b, conf);
}

static void
test_rate_limit_held_across_instances(void **state)
{
	struct tserver a, b;
	const char *key;
	double allowed;
	int ok;

	(void)state;
	start_pair(&a, &b, "on");
	key = make_key(&a, "viewer", NULL);
	ok = served_through_both(&a, &b, key, &allowed);
	assert_true(ok <= 1.1 * allowed);
	/* and the limit is what refuses, not a failure to lease */
	assert_true(ok >= 0.6 * allowed);
	assert_int_equal(ts_stop(&a), 0);
	assert_int_equal(ts_stop(&b), 0);
}

/* The control: each instance alone lets about its own limit through. */
static void
test_rate_limit_per_instance_when_off(void **state)
{
	struct tserver a, b;
	const char *key;
	double allowed;

	(void)state;
	start_pair(&a, &b, "off");
	key = make_key(&a, "viewer", NULL);
	assert_true(served_through_both(&a, &b, key, &allowed) > 1.5 * allowed);
	assert_int_equal(ts_stop(&a), 0);
	assert_int_equal(ts_stop(&b), 0);
}

/* Bad keys from one address, alternating: the 429 comes after the
 * limit counted over both, not after twice it. */
static void
test_auth_failures_counted_across_instances(void **state)
{
	struct tserver a, b;
	struct tresp r;
	int i, first_429 = -1;

	(void)state;
	ts_start(&a, "auth_failures_per_minute 10\n");
	ts_start(&b, "auth_failures_per_minute 10\n");
	/* What earlier tests failed from this address has leaked away at
	 * their own rates; wait out whatever is left at this one. */
	db_scalar("DELETE FROM auth_failures");
	for (i = 0; i < 30 && first_429 < 0; i++) {
		tr_do(i % 2 ? &b : &a, "GET", "/api/v1/areas",
		    "pk_BBBBBBBB_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
		    NULL, NULL, &r);
		if (r.status == 429)
			first_429 = i;
		else
			assert_int_equal(r.status, 401);
		tr_free(&r);
		usleep(20000); /* the count's write lands before the next */
	}
	print_message("first 429 after %d failures\n", first_429);
	assert_true(first_429 >= 9 && first_429 <= 12);
	/* Both instances refuse now. */
	for (i = 0; i < 2; i++) {
		tr_do(i ? &b : &a, "GET", "/api/v1/areas",
		    "pk_BBBBBBBB_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
		    NULL, NULL, &r);
		assert_int_equal(r.status, 429);
		tr_free(&r);
	}
	assert_int_equal(ts_stop(&a), 0);
	assert_int_equal(ts_stop(&b), 0);
}

/* A cursor, an ETag and an Idempotency-Key's reply from one instance
 * are good on the other. */
static void
test_tokens_of_one_instance_valid_on_another(void **state)
{
	static const char body[] =
	    "{\"name\":\"跨实例项目\",\"area\":\"140802\","
	    "\"industry\":\"跨实例测试\",\"funding\":\"enterprise\"}";
	static const char list[] =
	    "/api/v1/projects?limit=1&industry="
	    "%E8%B7%A8%E5%AE%9E%E4%BE%8B%E6%B5%8B%E8%AF%95";
	const char *idem[] = {"Idempotency-Key: across-instances-1", NULL};
	char id[64], etag[64], cursor[128], path[256], ifmatch[96], got[16];
	const char *match[2] = {ifmatch, NULL};
	const char *editor;
	struct tserver a, b;
	struct tresp r;

	(void)state;
	ts_start(&a, NULL);
	ts_start(&b, NULL);
	editor = make_key(&a, "editor", NULL);
	tr_do(&a, "POST", "/api/v1/projects", editor, body, idem, &r);
	assert_int_equal(r.status, 201);
	snprintf(id, sizeof(id), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	/* The retry lands on the other instance: the first reply again. */
	tr_do(&b, "POST", "/api/v1/projects", editor, body, idem, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "id")), id);
	assert_string_equal(
	    tr_header(&r, "Idempotent-Replayed", got, sizeof(got)), "true");
	tr_free(&r);
	/* An ETag from one, a conditional write on the other. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
	tr_do(&a, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(tr_header(&r, "ETag", etag, sizeof(etag)));
	tr_free(&r);
	snprintf(ifmatch, sizeof(ifmatch), "If-Match: %s", etag);
	tr_do(&b, "PATCH", path, editor, "{\"name\":\"跨实例项目乙\"}", match,
	    &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	/* A cursor from one, the next page from the other: a second
	 * project of the industry, then its first page of one. */
	tr_do(&a, "POST", "/api/v1/projects", editor, body, NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	tr_do(&a, "GET", list, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_string(json_object_get(r.json, "next_cursor")));
	snprintf(cursor, sizeof(cursor), "%s",
	    json_string_value(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
	snprintf(path, sizeof(path), "%s&cursor=%s", list, cursor);
	tr_do(&b, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
	/* A Commit-Position that no write answered with is refused. */
	{
		const char *bad[] = {"Commit-Position: 0/16B3748", NULL};

		tr_do(&b, "GET", list, editor, NULL, bad, &r);
		assert_int_equal(r.status, 400);
		assert_string_equal(
		    tr_problem_type(&r), "/problems/invalid-commit-position");
		tr_free(&r);
	}
	assert_int_equal(ts_stop(&a), 0);
	assert_int_equal(ts_stop(&b), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate_limit_held_across_instances),
	    cmocka_unit_test(test_rate_limit_per_instance_when_off),
	    cmocka_unit_test(test_auth_failures_counted_across_instances),
	    cmocka_unit_test(test_tokens_of_one_instance_valid_on_another),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
