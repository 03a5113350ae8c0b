/*
 * test_pool.c: the database pool under load, on one worker with one
 * connection so that queries must wait. A lock taken from outside holds
 * the connection's first lookup; the lookups behind it go to PostgreSQL
 * as one batch, and each request still gets its own project, its own
 * 404, or, when the batch fails, its own answer from running alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

/* One connection, so that a held query makes the others wait. */
#define QUEUED    "workers 1\ndb_pool_size 1\n"
#define NPROJECTS 6
#define NREQ      12

static struct tserver srv;
static const char *editor;
static char ids[NPROJECTS][64];
static char paths[NREQ][128];

static int
setup(void **state)
{
	struct tresp r;
	char body[256];
	int i;

	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, QUEUED);
	editor = make_key(&srv, "editor", NULL);
	for (i = 0; i < NPROJECTS; i++) {
		snprintf(body, sizeof(body),
		    "{\"name\":\"排队项目%d\",\"area\":\"140802\","
		    "\"funding\":\"enterprise\"}",
		    i);
		tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
		assert_int_equal(r.status, 201);
		snprintf(ids[i], sizeof(ids[i]), "%s",
		    json_string_value(json_object_get(r.json, "id")));
		tr_free(&r);
	}
	return 0;
}

/*
 * NREQ lookups: every project, one twice, and ids no project has. Request
 * i asks for ids[i] (i < NPROJECTS), the first project again, or a
 * missing one.
 */
static void
lookups(struct tparallel *req)
{
	int i;

	memset(req, 0, sizeof(*req) * NREQ);
	for (i = 0; i < NREQ; i++) {
		if (i < NPROJECTS)
			snprintf(paths[i], sizeof(paths[i]),
			    "/api/v1/projects/%s", ids[i]);
		else if (i < NPROJECTS + 2)
			snprintf(paths[i], sizeof(paths[i]),
			    "/api/v1/projects/%s", ids[0]);
		else
			snprintf(paths[i], sizeof(paths[i]),
			    "/api/v1/projects/00000000-0000-4000-8000-%012d",
			    i);
		req[i].method = "GET";
		req[i].path = paths[i];
		req[i].key = editor;
	}
}

/* Sends the lookups all at once while projects is locked for the given
 * seconds, after warming the key cache so that the lookups are what
 * waits. */
static void
send_waiting_lookups(struct tparallel *req, int lock_seconds)
{
	struct tresp r;

	lookups(req);
	tr_do(&srv, "GET", paths[0], editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	db_lock_table("projects", lock_seconds);
	tr_parallel(&srv, req, NREQ);
}

static void
test_waiting_lookups_batched_each_their_own(void **state)
{
	struct tparallel req[NREQ];
	long long batched =
	    tr_metric(&srv, "pipelined_db_batched_queries_total");
	const char *want;
	int i;

	(void)state;
	send_waiting_lookups(req, 1);
	for (i = 0; i < NREQ; i++) {
		if (i < NPROJECTS + 2) {
			want = ids[i < NPROJECTS ? i : 0];
			assert_int_equal(req[i].resp.status, 200);
			assert_string_equal(json_string_value(json_object_get(
			                        req[i].resp.json, "id")),
			    want);
		} else {
			assert_int_equal(req[i].resp.status, 404);
		}
		tr_free(&req[i].resp);
	}
	/* All but the one that held the connection waited; all of those
	 * that arrived while it was held went in batches. */
	assert_true(
	    tr_metric(&srv, "pipelined_db_batched_queries_total") - batched >=
	    2);
	db_wait_unlocked("projects");
}

/* With connections idle, a lookup whose statement is already running
 * waits for it and goes with the others in one batch, instead of taking
 * a connection (and a statement) of its own. */
static void
test_lookups_wait_for_their_batch(void **state)
{
	struct tparallel req[NREQ];
	long long batched;
	int i;

	(void)state;
	assert_int_equal(ts_stop(&srv), 0);
	ts_start(&srv, "workers 1\ndb_pool_size 4\n");
	batched = tr_metric(&srv, "pipelined_db_batched_queries_total");
	send_waiting_lookups(req, 2);
	for (i = 0; i < NREQ; i++) {
		assert_int_equal(
		    req[i].resp.status, i < NPROJECTS + 2 ? 200 : 404);
		tr_free(&req[i].resp);
	}
	/* One ran first, alone; had the others taken the three idle
	 * connections, no more than NREQ - 4 could have been batched. */
	assert_true(
	    tr_metric(&srv, "pipelined_db_batched_queries_total") - batched >=
	    NREQ - 2);
	db_wait_unlocked("projects");
}

/* Writes read their project's history first; under load those reads
 * go together too, and every write still lands once, on its project. */
static void
test_writes_read_history_in_a_batch(void **state)
{
	struct tparallel req[NPROJECTS];
	char path[NPROJECTS][160];
	long long batched;
	int i;

	(void)state;
	batched = tr_metric(&srv, "pipelined_db_batched_queries_total");
	memset(req, 0, sizeof(req));
	for (i = 0; i < NPROJECTS; i++) {
		snprintf(path[i], sizeof(path[i]), "/api/v1/projects/%s/events",
		    ids[i]);
		req[i].method = "POST";
		req[i].path = path[i];
		req[i].key = editor;
		req[i].body = "{\"type\":\"approval\",\"kind\":\"land\","
		              "\"effective_on\":\"2024-02-01\"}";
	}
	db_lock_table("projects", 2);
	tr_parallel(&srv, req, NPROJECTS);
	for (i = 0; i < NPROJECTS; i++) {
		assert_int_equal(req[i].resp.status, 201);
		tr_free(&req[i].resp);
		assert_string_equal(
		    db_scalar("SELECT count(*) FROM project_events"
		              " WHERE project_id = '%s' AND "
		              "kind = 'land'",
		        ids[i]),
		    "1");
	}
	assert_true(
	    tr_metric(&srv, "pipelined_db_batched_queries_total") - batched >=
	    NPROJECTS - 2);
	db_wait_unlocked("projects");
}

#define FIGURES "/api/v1/stats/pipeline?year=2024&by=area"

static void *
first_read(void *arg)
{
	tr_do(&srv, "GET", FIGURES, editor, NULL, NULL, arg);
	return NULL;
}

/* Waits until n statements calling fn are waiting for a lock. */
static void
statements_waiting(const char *fn, int n)
{
	char sql[192], want[16];

	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
	    "'Lock' AND query LIKE 'SELECT %s(%%'",
	    fn);
	snprintf(want, sizeof(want), "%d", n);
	db_wait_scalar(sql, want, 5000, "statements waiting for the lock");
}

/*
 * Identical figure requests that wait together are one statement, and
 * each gets the whole answer. One that arrives while an identical read
 * is already running does not join it (that read's snapshot may predate
 * the request): it waits, and runs with the others after it.
 */
static void
test_identical_reads_shared(void **state)
{
	struct tparallel req[NREQ];
	struct tresp first;
	pthread_t th;
	long long shared;
	int i;

	(void)state;
	shared = tr_metric(&srv, "pipelined_db_shared_reads_total");
	memset(req, 0, sizeof(req));
	for (i = 0; i < NREQ; i++) {
		req[i].method = "GET";
		req[i].path = FIGURES;
		req[i].key = editor;
	}
	db_lock_table("projects", 2);
	assert_int_equal(pthread_create(&th, NULL, first_read, &first), 0);
	statements_waiting("stats_pipeline", 1);
	tr_parallel(&srv, req, NREQ);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(first.status, 200);
	for (i = 0; i < NREQ; i++) {
		assert_int_equal(req[i].resp.status, 200);
		assert_true(json_equal(req[i].resp.json, first.json));
		tr_free(&req[i].resp);
	}
	tr_free(&first);
	/* The NREQ that came while the first ran shared one statement; the
	 * first answered itself alone. */
	assert_int_equal(
	    tr_metric(&srv, "pipelined_db_shared_reads_total") - shared, NREQ);
	db_wait_unlocked("projects");
}

struct lookups_run {
	struct tparallel *req;
	int n;
};

static void *
run_lookups(void *arg)
{
	struct lookups_run *run = arg;

	tr_parallel(&srv, run->req, run->n);
	return NULL;
}

/*
 * The connection of the running lookup dies (its backend is terminated)
 * while lookups are held back behind it: its own request fails, and the
 * held-back ones are still answered, each its own, neither failed with it
 * nor left waiting.
 */
static void
test_lost_connection_releases_held_back(void **state)
{
	struct tparallel req[NREQ];
	struct lookups_run first = {req, 1}, rest = {req + 1, NREQ - 1};
	pthread_t t1, t2;
	int i;

	(void)state;
	lookups(req);
	db_lock_table("projects", 3);
	assert_int_equal(pthread_create(&t1, NULL, run_lookups, &first), 0);
	statements_waiting("project_json", 1);
	assert_int_equal(pthread_create(&t2, NULL, run_lookups, &rest), 0);
	usleep(500000);
	/* Held back: still the one statement at the database. */
	statements_waiting("project_json", 1);
	assert_string_equal(db_scalar("SELECT count(pg_terminate_backend(pid)) "
	                              "FROM pg_stat_activity WHERE "
	                              "wait_event_type = 'Lock' AND query "
	                              "LIKE 'SELECT project_json(%%'"),
	    "1");
	assert_int_equal(pthread_join(t1, NULL), 0);
	assert_int_equal(pthread_join(t2, NULL), 0);
	assert_int_equal(req[0].resp.status, 503);
	for (i = 1; i < NREQ; i++) {
		assert_int_equal(
		    req[i].resp.status, i < NPROJECTS + 2 ? 200 : 404);
		tr_free(&req[i].resp);
	}
	tr_free(&req[0].resp);
	db_wait_unlocked("projects");
}

static void
test_failed_batch_each_answered_alone(void **state)
{
	struct tparallel req[NREQ];
	long long errors;
	char after[16];
	int i;

	(void)state;
	assert_int_equal(ts_stop(&srv), 0);
	ts_start(&srv, QUEUED "db_lock_timeout_ms 300\n");
	errors = tr_metric(&srv, "pipelined_db_errors_total");
	snprintf(after, sizeof(after), "%s",
	    db_scalar("SELECT count(*) FROM projects"));
	/* Longer than every lookup's lock timeout put end to end: the
	 * batch fails, and then each of its lookups fails alone. */
	send_waiting_lookups(req, 3 + NREQ * 4 / 10);
	for (i = 0; i < NREQ; i++) {
		assert_int_equal(req[i].resp.status, 503);
		assert_string_equal(
		    tr_problem_type(&req[i].resp), "/problems/database-error");
		tr_free(&req[i].resp);
	}
	/* Each failed on its own statement, not once for the batch. */
	assert_true(
	    tr_metric(&srv, "pipelined_db_errors_total") - errors >= NREQ);
	db_wait_unlocked("projects");
	assert_string_equal(db_scalar("SELECT count(*) FROM projects"), after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_waiting_lookups_batched_each_their_own),
	    cmocka_unit_test(test_lookups_wait_for_their_batch),
	    cmocka_unit_test(test_writes_read_history_in_a_batch),
	    cmocka_unit_test(test_identical_reads_shared),
	    cmocka_unit_test(test_lost_connection_releases_held_back),
	    cmocka_unit_test(test_failed_batch_each_answered_alone),
	};

	return cmocka_run_group_tests(tests, setup, ts_group_teardown);
}
