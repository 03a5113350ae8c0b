/*
 * test_history.c: a project's history at length. The events list is paged
 * as every list is (SPEC §6: limit, cursor, next_cursor); a project of
 * 10,000 events takes new events, backdated or not, by the rules; and
 * the derived fields that a new event's check starts from are, for every
 * project written here, what replaying its events gives.
 *
 * The replay is the domain's own (src/domain/lifecycle.c, linked in by
 * the Makefile), run on the events as the database holds them: the
 * derived fields on the project row are kept for speed and the events
 * are the truth, so the one must follow from the other.
 *
 * How fast a new event is on a long history is not timed here: make bench
 * measures it beside a fresh project's (bench/run.sh, post_event_10k).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../../src/domain/lifecycle.h"
#include "../../src/domain/validate.h"
#include "support.h"

#define MAX_PROJECTS 16

static struct tserver srv;
static const char *editor;
/* Every project the tests made, for the replay check at the end. */
static char projects[MAX_PROJECTS][40];
static int nprojects;

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	editor = make_key(&srv, "editor", NULL);
	return 0;
}

/* A new project without events; its id (static buffer, kept). */
static const char *
create(const char *name)
{
	char body[256];
	struct tresp r;

	assert_true(nprojects < MAX_PROJECTS);
	snprintf(body, sizeof(body),
	    "{\"name\":\"%s\",\"area\":\"140829\",\"funding\":\"mixed\"}",
	    name);
	tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(projects[nprojects], sizeof(projects[0]), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	return projects[nprojects++];
}

static long
post_event(const char *pid, const char *body, const char *type)
{
	char path[160];
	struct tresp r;
	long status;

	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	tr_do(&srv, "POST", path, editor, body, NULL, &r);
	status = r.status;
	if (type != NULL)
		assert_string_equal(tr_problem_type(&r), type);
	tr_free(&r);
	return status;
}

static const char *
status_of(const char *pid)
{
	return db_scalar("SELECT status FROM projects WHERE id = '%s'", pid);
}

/* GET path; the answer in r, which must be 200 and a page. */
static void
get_page(const char *path, struct tresp *r)
{
	tr_do(&srv, "GET", path, editor, NULL, NULL, r);
	if (r->status != 200)
		fail_msg("%s: %ld %s", path, r->status, r->body);
	assert_true(json_is_array(json_object_get(r->json, "items")));
	assert_non_null(json_object_get(r->json, "next_cursor"));
}

/*
 * Walks every page of a project's events, limit at a time: the ids in
 * order into ids (room for max), how many; pages counts the pages.
 */
static size_t
walk(const char *pid, int limit, char (*ids)[40], size_t max, int *pages)
{
	char path[256], cursor[64] = "";
	struct tresp r;
	json_t *items, *next;
	size_t n = 0, i;

	*pages = 0;
	for (;;) {
		snprintf(path, sizeof(path),
		    "/api/v1/projects/%s/events?limit=%d%s%s", pid, limit,
		    cursor[0] ? "&cursor=" : "", cursor);
		get_page(path, &r);
		items = json_object_get(r.json, "items");
		assert_true(json_array_size(items) <= (size_t)limit);
		for (i = 0; i < json_array_size(items); i++) {
			assert_true(n < max);
			snprintf(ids[n++], 40, "%s",
			    json_string_value(json_object_get(
			        json_array_get(items, i), "id")));
		}
		(*pages)++;
		next = json_object_get(r.json, "next_cursor");
		if (json_is_null(next)) {
			tr_free(&r);
			return n;
		}
		/* A next page is promised only when it has items. */
		assert_int_equal(json_array_size(items), (size_t)limit);
		snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
		tr_free(&r);
	}
}

/* The ids of a project's events in recording order, from the database. */
static size_t
stored_ids(const char *pid, char (*ids)[40], size_t max)
{
	PGconn *pg = PQconnectdb(ts_env("DATABASE_URL"));
	const char *params[1] = {pid};
	PGresult *res = PQexecParams(pg,
	    "SELECT id FROM project_events WHERE project_id = $1 ORDER BY seq",
	    1, NULL, params, NULL, NULL, 0);
	size_t n, i;

	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	n = (size_t)PQntuples(res);
	assert_true(n <= max);
	for (i = 0; i < n; i++)
		snprintf(ids[i], 40, "%s", PQgetvalue(res, (int)i, 0));
	PQclear(res);
	PQfinish(pg);
	return n;
}

static void
test_events_paged_with_limit_and_cursor(void **state)
{
	static char ids[16][40], want[16][40];
	char path[256], *cursor;
	const char *pid;
	struct tresp r;
	size_t n, i;
	int pages, k;

	(void)state;
	pid = create("分页事件项目");
	/* A project without events: one empty page. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	get_page(path, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"signed\",\"effective_on\":"
	                     "\"2024-01-10\",\"amount_yuan\":1000}",
	                     NULL),
	    201);
	for (k = 0; k < 6; k++)
		assert_int_equal(post_event(pid,
		                     "{\"type\":\"approval\",\"kind\":\"land\","
		                     "\"effective_on\":\"2024-02-01\"}",
		                     NULL),
		    201);
	/* Seven events, three a page: 3, 3, 1, in recording order. */
	n = walk(pid, 3, ids, 16, &pages);
	assert_int_equal(n, 7);
	assert_int_equal(pages, 3);
	assert_int_equal(stored_ids(pid, want, 16), 7);
	for (i = 0; i < n; i++)
		assert_string_equal(ids[i], want[i]);
	/* Exactly a page's worth: no promise of a page that is empty. */
	n = walk(pid, 7, ids, 16, &pages);
	assert_int_equal(n, 7);
	assert_int_equal(pages, 1);

	/* A page's cursor still holds once events are added after it: the
	 * next page starts after the last item seen, and ends with the new
	 * event, none seen twice. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events?limit=4", pid);
	get_page(path, &r);
	cursor =
	    strdup(json_string_value(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"started\",\"effective_on\":"
	                     "\"2024-03-01\"}",
	                     NULL),
	    201);
	snprintf(path, sizeof(path),
	    "/api/v1/projects/%s/events?limit=4&cursor=%s", pid, cursor);
	free(cursor);
	get_page(path, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 4);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "items"), 0), "id")),
	    want[4]);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "items"), 3), "type")),
	    "started");
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
}

/* What the projects list refuses, the events list refuses alike. */
static void
test_events_page_parameters_checked(void **state)
{
	static const struct {
		const char *query;
		long status;
		const char *type;
	} cases[] = {
	    {"?limit=0", 400, "/problems/invalid-parameter"},
	    {"?limit=501", 400, "/problems/invalid-parameter"},
	    {"?limit=ten", 400, "/problems/invalid-parameter"},
	    {"?cursor=1.00000000", 400, "/problems/invalid-cursor"},
	    {"?cursor=zz", 400, "/problems/invalid-cursor"},
	    {"?sort=type", 400, NULL},
	    {"?limit=500", 200, NULL},
	};
	const char *pid = projects[0];
	char path[256];
	struct tresp r;
	size_t i;

	(void)state;
	assert_true(nprojects > 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/projects/%s/events%s",
		    pid, cases[i].query);
		tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
		if (r.status != cases[i].status)
			fail_msg(
			    "%s: %ld %s", cases[i].query, r.status, r.body);
		if (cases[i].type != NULL)
			assert_string_equal(tr_problem_type(&r), cases[i].type);
		tr_free(&r);
	}
	/* The OpenAPI document says so. */
	tr_do(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	{
		json_t *params = json_object_get(
		    json_object_get(
		        json_object_get(json_object_get(r.json, "paths"),
		            "/api/v1/projects/{id}/events"),
		        "get"),
		    "parameters");
		json_t *limit = json_object_get(
		    json_object_get(
		        json_object_get(r.json, "components"), "parameters"),
		    "Limit");

		/* id, limit, cursor, the Commit-Position of a read,
		 * Accept-Language and a list's If-None-Match */
		assert_int_equal(json_array_size(params), 6);
		assert_string_equal(json_string_value(json_object_get(
		                        json_array_get(params, 3), "$ref")),
		    "#/components/parameters/CommitPosition");
		assert_string_equal(json_string_value(json_object_get(
		                        json_array_get(params, 1), "$ref")),
		    "#/components/parameters/Limit");
		assert_string_equal(json_string_value(json_object_get(
		                        json_array_get(params, 4), "$ref")),
		    "#/components/parameters/AcceptLanguage");
		assert_string_equal(
		    json_string_value(json_object_get(limit, "in")), "query");
		assert_int_equal(
		    json_integer_value(json_object_get(
		        json_object_get(limit, "schema"), "maximum")),
		    500);
	}
	tr_free(&r);
	/* An unknown project has no events list. */
	tr_do(&srv, "GET",
	    "/api/v1/projects/0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b/events",
	    editor, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(tr_problem_type(&r), "/problems/not-found");
	tr_free(&r);
}

/*
 * Inserts 9,999 events for pid straight into the table, valid by the
 * rules: a signing, a start, 2,000 suspensions each resumed the next day,
 * then approvals; the latest dated in 2023. The project row is left as it
 * was (planned): the first event posted after must be one that the whole
 * replay checks, which writes the derived fields from the events.
 */
static void
insert_long_history(const char *pid)
{
	assert_string_equal(
	    db_scalar(
	        "WITH ins AS (INSERT INTO project_events (id, project_id,"
	        " type, effective_on, amount_yuan, kind, recorded_by)"
	        " SELECT gen_random_uuid(), '%s', x.type, x.d, x.amount,"
	        " x.kind, 'fixture' FROM ("
	        "  SELECT 1 AS n, 'signed' AS type, DATE '2010-01-04' AS d,"
	        "  500000000::bigint AS amount, NULL::text AS kind"
	        "  UNION ALL SELECT 2, 'started', DATE '2010-03-01', NULL, NULL"
	        "  UNION ALL SELECT 2 + g, CASE g %% 2 WHEN 1 THEN 'suspended'"
	        "  ELSE 'resumed' END, DATE '2010-03-01' + g, NULL, NULL"
	        "  FROM generate_series(1, 4000) g"
	        "  UNION ALL SELECT 4002 + g, 'approval',"
	        "  DATE '2021-06-01' + g %% 900, NULL, (ARRAY['filing', 'land',"
	        "  'planning', 'environment', 'energy',"
	        "  'construction_permit'])[1 + g %% 6]"
	        "  FROM generate_series(1, 5997) g) x"
	        " ORDER BY x.n RETURNING 1)"
	        " SELECT count(*) FROM ins",
	        pid),
	    "9999");
}

static void
test_ten_thousand_events(void **state)
{
	static char ids[10100][40], want[10100][40];
	const char *pid;
	char path[256];
	struct tresp r;
	size_t n, i;
	int pages;

	(void)state;
	pid = create("万件事件项目");
	insert_long_history(pid);
	/* Backdated into the middle: the whole replay of 9,999 events
	 * accepts it (the fixture keeps the rules) and derives the state. */
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"approval\",\"kind\":\"land\","
	                     "\"effective_on\":\"2015-05-05\"}",
	                     NULL),
	    201);
	assert_string_equal(status_of(pid), "under_construction");
	assert_string_equal(
	    db_scalar("SELECT signed_on || ' ' || started_on || ' ' || "
	              "signed_amount_yuan FROM projects WHERE id = '%s'",
	        pid),
	    "2010-01-04 2010-03-01 500000000");
	assert_string_equal(db_scalar("SELECT count(*) FROM project_events "
	                              "WHERE project_id = '%s'",
	                        pid),
	    "10000");
	/* Dated after all of them: checked against the state alone, by the
	 * same rules, refusals included. */
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"suspended\",\"effective_on\":"
	                     "\"2024-01-15\"}",
	                     NULL),
	    201);
	assert_string_equal(status_of(pid), "suspended");
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"completed\",\"effective_on\":"
	                     "\"2024-01-16\"}",
	                     "/problems/not-under-construction"),
	    409);
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"resumed\",\"effective_on\":"
	                     "\"2024-01-15\"}",
	                     NULL),
	    201);
	/* Backdated and against the rules: the replay refuses it. */
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"started\",\"effective_on\":"
	                     "\"2012-01-01\"}",
	                     "/problems/already-started"),
	    409);
	assert_int_equal(post_event(pid,
	                     "{\"type\":\"signed\",\"effective_on\":"
	                     "\"2024-01-20\",\"amount_yuan\":1}",
	                     "/problems/already-signed"),
	    409);
	assert_string_equal(status_of(pid), "under_construction");

	/* The list: 50 by default, then every event once, 500 a page. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	get_page(path, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 50);
	assert_true(json_is_string(json_object_get(r.json, "next_cursor")));
	tr_free(&r);
	n = walk(pid, 500, ids, 10100, &pages);
	assert_int_equal(n, 10002);
	assert_int_equal(pages, 21);
	assert_int_equal(stored_ids(pid, want, 10100), 10002);
	for (i = 0; i < n; i++)
		assert_string_equal(ids[i], want[i]);
}

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % below);
}

/*
 * Random events on a few projects, on dates close together, so that
 * about half go after the whole history (checked against the state) and
 * the rest are backdated (replayed); retractions of random events too.
 * Each is accepted or refused by the rules, never anything else; the
 * replay check below holds the derived fields they left.
 */
static void
test_random_events_short_and_long_way(void **state)
{
	static const char *const types[] = {"signed", "approval", "started",
	    "suspended", "resumed", "completed", "operating", "cancelled"};
	char body[256], path[256], date[11];
	const char *pid;
	struct tresp r;
	int p, k, n, accepted = 0, refused = 0, retracted = 0;
	long status;

	(void)state;
	for (p = 0; p < 6; p++) {
		char name[64];

		snprintf(name, sizeof(name), "随机事件项目%d", p);
		pid = create(name);
		for (k = 0; k < 40; k++) {
			n = atoi(db_scalar("SELECT count(*) FROM "
			                   "project_events WHERE project_id = "
			                   "'%s' AND type <> 'retraction'",
			    pid));
			if (n > 0 && rnd(8) == 0) {
				/* Retract one of its events, at random. */
				snprintf(path, sizeof(path),
				    "/api/v1/projects/%s/events/%s/retraction",
				    pid,
				    db_scalar(
				        "SELECT id FROM project_events "
				        "WHERE project_id = '%s' AND type "
				        "<> 'retraction' ORDER BY seq "
				        "OFFSET %u LIMIT 1",
				        pid, rnd((unsigned)n)));
				tr_do(&srv, "POST", path, editor,
				    "{\"reason\":\"random\"}", NULL, &r);
				status = r.status;
				tr_free(&r);
				retracted += status == 201;
			} else {
				const char *t = types[rnd(8)];

				date_format(
				    date_from_ymd(2024, 1, 1) + (int)rnd(60),
				    date);
				snprintf(body, sizeof(body),
				    "{\"type\":\"%s\",\"effective_on\":\"%s\"%"
				    "s%s}",
				    t, date,
				    strcmp(t, "signed") == 0
				        ? ",\"amount_yuan\":1000"
				        : "",
				    strcmp(t, "approval") == 0
				        ? ",\"kind\":\"energy\""
				        : "");
				status = post_event(pid, body, NULL);
			}
			if (status != 201 && status != 409)
				fail_msg("%s: %ld", pid, status);
			accepted += status == 201;
			refused += status == 409;
		}
	}
	assert_true(accepted > 20 && refused > 20 && retracted > 0);
}

/* A project's events as the database holds them, replayed; and the
 * derived fields on its row, which must be what the replay gives. */
static void
assert_row_is_replay(PGconn *pg, const char *pid)
{
	const char *params[1] = {pid};
	struct project_event *h;
	struct violation v;
	struct derived d;
	char want[160], on[4][11];
	PGresult *res;
	int n, i;

	res = PQexecParams(pg,
	    "SELECT id, type, effective_on, coalesce(amount_yuan, 0),"
	    " coalesce(retracts::text, '') FROM project_events"
	    " WHERE project_id = $1 ORDER BY seq",
	    1, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	n = PQntuples(res);
	h = calloc((size_t)n + 1, sizeof(*h));
	assert_non_null(h);
	for (i = 0; i < n; i++) {
		snprintf(h[i].id, EVENT_ID_MAX, "%s", PQgetvalue(res, i, 0));
		h[i].type = event_type_parse(PQgetvalue(res, i, 1));
		assert_true(
		    validate_date(PQgetvalue(res, i, 2), &h[i].effective));
		h[i].amount_yuan = atoll(PQgetvalue(res, i, 3));
		snprintf(
		    h[i].retracts, EVENT_ID_MAX, "%s", PQgetvalue(res, i, 4));
	}
	PQclear(res);
	if (lifecycle_derive(h, (size_t)n, &d, &v) != 0)
		fail_msg("%s: the stored history breaks %s", pid, v.rule);
	free(h);
#define ON(k, days)                                                            \
	((days) == NO_DATE ? "-" : (date_format(days, on[k]), on[k]))
	snprintf(want, sizeof(want), "%s %s %lld %s %s %s",
	    status_name(d.status), ON(0, d.signed_on), d.signed_amount_yuan,
	    ON(1, d.started_on), ON(2, d.completed_on), ON(3, d.operating_on));
#undef ON
	res = PQexecParams(pg,
	    "SELECT status || ' ' || coalesce(signed_on::text, '-') || ' ' ||"
	    " coalesce(signed_amount_yuan, -1) || ' ' ||"
	    " coalesce(started_on::text, '-') || ' ' ||"
	    " coalesce(completed_on::text, '-') || ' ' ||"
	    " coalesce(operating_on::text, '-') FROM projects WHERE id = $1",
	    1, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQntuples(res), 1);
	if (strcmp(PQgetvalue(res, 0, 0), want) != 0)
		fail_msg("%s: stored %s, replayed %s", pid,
		    PQgetvalue(res, 0, 0), want);
	PQclear(res);
}

static void
test_derived_fields_are_the_replay(void **state)
{
	PGconn *pg = PQconnectdb(ts_env("DATABASE_URL"));
	int i;

	(void)state;
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	assert_true(nprojects >= 8);
	for (i = 0; i < nprojects; i++)
		assert_row_is_replay(pg, projects[i]);
	PQfinish(pg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_events_paged_with_limit_and_cursor),
	    cmocka_unit_test(test_events_page_parameters_checked),
	    cmocka_unit_test(test_ten_thousand_events),
	    cmocka_unit_test(test_random_events_short_and_long_way),
	    cmocka_unit_test(test_derived_fields_are_the_replay),
	};

	return cmocka_run_group_tests_name(
	    "history", tests, setup, ts_group_teardown);
}
