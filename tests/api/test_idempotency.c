/*
 * test_idempotency.c: Idempotency-Key on the creating POSTs (SPEC §6): a
 * replay returns the first response and writes nothing; the same key with
 * another request is 422; concurrent duplicates create one resource; a
 * request that was refused gives its key back; keys are per principal; a
 * replay is the first response byte for byte; a reservation dies with
 * the worker that held it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static struct tserver srv;
static const char *editor, *other;

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "");
	editor = make_key(&srv, "editor", NULL);
	other = make_key(&srv, "editor", NULL);
	return 0;
}

static const char *
count_named(const char *name)
{
	return db_scalar(
	    "SELECT count(*) FROM projects WHERE name = '%s'", name);
}

static void
test_replay_returns_first_response(void **state)
{
	static const char body[] =
	    "{\"name\":\"幂等项目甲\",\"area\":\"140802\","
	    "\"funding\":\"enterprise\"}";
	const char *h[] = {"Idempotency-Key: key-alpha-1", NULL};
	char id1[64], loc1[128], loc2[128], replayed[16];
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor, body, h, &r);
	assert_int_equal(r.status, 201);
	snprintf(id1, sizeof(id1), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	assert_non_null(tr_header(&r, "Location", loc1, sizeof(loc1)));
	assert_null(
	    tr_header(&r, "Idempotent-Replayed", replayed, sizeof(replayed)));
	tr_free(&r);
	tr_do(&srv, "POST", "/api/v1/projects", editor, body, h, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "id")), id1);
	assert_string_equal(
	    tr_header(&r, "Location", loc2, sizeof(loc2)), loc1);
	assert_string_equal(
	    tr_header(&r, "Idempotent-Replayed", replayed, sizeof(replayed)),
	    "true");
	tr_free(&r);
	assert_string_equal(count_named("幂等项目甲"), "1");
}

static void
test_same_key_other_request(void **state)
{
	const char *h[] = {"Idempotency-Key: key-beta-1", NULL};
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"幂等项目乙\",\"area\":\"140802\",\"funding\":"
	    "\"mixed\"}",
	    h, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"幂等项目丙\",\"area\":\"140802\",\"funding\":"
	    "\"mixed\"}",
	    h, &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(
	    tr_problem_type(&r), "/problems/idempotency-key-reused");
	tr_free(&r);
	assert_string_equal(count_named("幂等项目丙"), "0");
	/* Another principal's key space is its own. */
	tr_do(&srv, "POST", "/api/v1/projects", other,
	    "{\"name\":\"幂等项目丙\",\"area\":\"140802\",\"funding\":"
	    "\"mixed\"}",
	    h, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);
}

static void
test_refused_request_frees_its_key(void **state)
{
	const char *h[] = {"Idempotency-Key: key-gamma-1", NULL};
	struct tresp r;
	int i;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"幂等项目丁\",\"area\":\"140802\"}", h, &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
	/* The corrected request may use the same key. */
	for (i = 0; i < 20; i++) {
		tr_do(&srv, "POST", "/api/v1/projects", editor,
		    "{\"name\":\"幂等项目丁\",\"area\":\"140802\","
		    "\"funding\":\"mixed\"}",
		    h, &r);
		if (r.status == 201)
			break;
		tr_free(&r);
		usleep(50000); /* the key is given back just after the 422 */
	}
	assert_int_equal(r.status, 201);
	tr_free(&r);
	assert_string_equal(count_named("幂等项目丁"), "1");
}

static void
test_concurrent_duplicates_create_one(void **state)
{
	struct tparallel req[4];
	int i, created = 0, busy = 0;

	(void)state;
	memset(req, 0, sizeof(req));
	for (i = 0; i < 4; i++) {
		req[i].method = "POST";
		req[i].path = "/api/v1/projects";
		req[i].key = editor;
		req[i].body = "{\"name\":\"幂等项目戊\",\"area\":\"140802\","
		              "\"funding\":\"mixed\"}";
		req[i].headers[0] = "Idempotency-Key: key-delta-1";
	}
	tr_parallel(&srv, req, 4);
	for (i = 0; i < 4; i++) {
		created += req[i].resp.status == 201;
		busy += req[i].resp.status == 409;
		tr_free(&req[i].resp);
	}
	assert_int_equal(created + busy, 4);
	assert_true(created >= 1);
	assert_string_equal(count_named("幂等项目戊"), "1");
}

static void
test_event_replay_writes_once(void **state)
{
	const char *h[] = {"Idempotency-Key: 4b0a7d2e-event", NULL};
	char path[160], pid[64];
	struct tresp r;
	int i;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"幂等项目己\",\"area\":\"140802\",\"funding\":"
	    "\"mixed\"}",
	    NULL, &r);
	snprintf(pid, sizeof(pid), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	for (i = 0; i < 3; i++) {
		tr_do(&srv, "POST", path, editor,
		    "{\"type\":\"started\",\"effective_on\":\"2024-05-01\"}", h,
		    &r);
		/* Without the key the 2nd and 3rd would be 409
		 * already-started; with it they replay the 201. */
		assert_int_equal(r.status, 201);
		tr_free(&r);
	}
	assert_string_equal(db_scalar("SELECT count(*) FROM project_events "
	                              "WHERE project_id = '%s'",
	                        pid),
	    "1");
	tr_do(&srv, "POST", path, editor, "{}",
	    (const char *const[]){"Idempotency-Key: has space", NULL}, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

/* The answer to a request with a key, and its replay: the same status,
 * the same body byte for byte, the same Content-Type, Location and ETag
 * (or both without); only the replay says Idempotent-Replayed. */
static void
assert_replay_identical(const char *path, const char *body, const char *key)
{
	static const char *const fields[] = {
	    "Content-Type", "Location", "ETag", NULL};
	char h[300], a[256], b[256];
	const char *hs[] = {h, NULL}, *fa, *fb;
	struct tresp first, again;
	int i;

	snprintf(h, sizeof(h), "Idempotency-Key: %s", key);
	tr_do(&srv, "POST", path, editor, body, hs, &first);
	assert_int_equal(first.status, 201);
	tr_do(&srv, "POST", path, editor, body, hs, &again);
	assert_int_equal(again.status, 201);
	assert_string_equal(
	    tr_header(&again, "Idempotent-Replayed", a, sizeof(a)), "true");
	if (again.len != first.len ||
	    memcmp(again.body, first.body, first.len) != 0)
		fail_msg("%s: replay differs:\n first %.*s\nreplay %.*s", path,
		    (int)first.len, first.body, (int)again.len, again.body);
	for (i = 0; fields[i] != NULL; i++) {
		fa = tr_header(&first, fields[i], a, sizeof(a));
		fb = tr_header(&again, fields[i], b, sizeof(b));
		if (fa == NULL || fb == NULL)
			assert_true(fa == fb);
		else
			assert_string_equal(fb, fa);
	}
	tr_free(&first);
	tr_free(&again);
}

/* Project creation, an event, a site report, a batch: each replay is the
 * bytes the first answer sent, not the stored document re-serialised. */
static void
test_replay_is_byte_identical(void **state)
{
	char path[160], pid[64], body[512];
	struct tresp r;

	(void)state;
	assert_replay_identical("/api/v1/projects",
	    "{\"name\":\"幂等项目庚\",\"area\":\"140802\",\"funding\":"
	    "\"enterprise\",\"total_investment_yuan\":120000,\"events\":[{"
	    "\"type\":\"signed\",\"effective_on\":\"2024-03-01\","
	    "\"amount_yuan\":5000}]}",
	    "bytes-project-1");
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"幂等项目辛\",\"area\":\"140802\",\"funding\":"
	    "\"mixed\",\"events\":[{\"type\":\"signed\",\"effective_on\":"
	    "\"2024-03-01\",\"amount_yuan\":7}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(pid, sizeof(pid), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);
	assert_replay_identical(path,
	    "{\"type\":\"started\",\"effective_on\":\"2024-04-01\","
	    "\"note\":\"开工\"}",
	    "bytes-event-1");
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", pid);
	assert_replay_identical(path,
	    "{\"reported_on\":\"2024-06-10\",\"latitude\":35.35,"
	    "\"longitude\":111.22,\"progress_percent\":40,\"note\":\"现场\"}",
	    "bytes-report-1");
	snprintf(body, sizeof(body),
	    "{\"kind\":\"sign\",\"held_on\":\"2024-03-28\",\"name\":"
	    "\"幂等批次\",\"area\":\"140802\",\"projects\":[\"%s\"]}",
	    pid);
	assert_replay_identical("/api/v1/batches", body, "bytes-batch-1");
}

struct background {
	pthread_t thread;
	const char *path, *body, *header;
	struct tresp resp;
};

static void *
background_post(void *arg)
{
	struct background *b = arg;
	const char *h[] = {b->header, NULL};

	tr_do(&srv, "POST", b->path, editor, b->body, h, &b->resp);
	return NULL;
}

/* Is every worker of the server a new one, none of the n in old? */
static int
all_new(const pid_t *old, int n)
{
	pid_t now[8];
	int i, j, m = ts_worker_pids(srv.pid, now, 8);

	if (m != n)
		return 0;
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			if (now[i] == old[j])
				return 0;
	return 1;
}

/* Returns once the workers in old are replaced and /ready answers. */
static void
wait_replaced(const pid_t *old, int n)
{
	struct tresp r;
	int i, ready;

	for (i = 0; i < 200; i++) {
		if (all_new(old, n)) {
			tr_do(&srv, "GET", "/ready", NULL, NULL, NULL, &r);
			ready = r.status == 200;
			tr_free(&r);
			if (ready)
				return;
		}
		usleep(20000);
	}
	fail_msg("the killed workers were not replaced");
}

/*
 * A worker is killed (kill -9) while it holds a reservation: the request
 * reserved its key, then waits for its history read behind a lock that
 * this test holds, so it never writes. Its query stops waiting within a
 * second or two, the lock still held: the backend notices that its
 * client is gone. Once the workers are replaced the retry with the key
 * runs at once, within a second (here a fresh execution, as the first
 * wrote nothing); it is not told 409 "in flight" until the reservation
 * goes stale, 30 s later.
 */
static void
test_reservation_dies_with_its_worker(void **state)
{
	static const char ev[] =
	    "{\"type\":\"started\",\"effective_on\":\"2024-05-02\"}";
	const char *h[] = {"Idempotency-Key: killed-worker-1", NULL};
	char path[160], pid[64], replayed[16], waiting[128];
	struct timespec t0, t1;
	struct background b;
	pid_t workers[8];
	struct tresp r;
	int n, i;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"幂等项目壬\",\"area\":\"140802\",\"funding\":"
	    "\"mixed\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(pid, sizeof(pid), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", pid);

	db_lock_table("projects", 5);
	memset(&b, 0, sizeof(b));
	b.path = path;
	b.body = ev;
	b.header = h[0];
	assert_int_equal(
	    pthread_create(&b.thread, NULL, background_post, &b), 0);
	db_wait_scalar("SELECT state FROM idempotency_keys"
	               " WHERE key = 'killed-worker-1'",
	    "pending", 5000, "the request never reserved its key");
	db_wait_scalar("SELECT count(*) FROM pg_locks WHERE relation ="
	               " 'projects'::regclass AND NOT granted",
	    "1", 5000, "the request never waited for the lock");
	snprintf(waiting, sizeof(waiting),
	    "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
	    db_scalar("SELECT pid FROM pg_locks WHERE relation ="
	              " 'projects'::regclass AND NOT granted"));
	n = ts_worker_pids(srv.pid, workers, 8);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		assert_int_equal(kill(workers[i], SIGKILL), 0);
	pthread_join(b.thread, NULL);
	assert_int_equal(b.resp.status, 0); /* the connection died */
	tr_free(&b.resp);
	/* Not the lock's waiters: the replacements' connections wait too,
	 * preparing their statements. And ended with the lock still held,
	 * not given it (db_wait_scalar's time is only roughly its ms). */
	db_wait_scalar(
	    waiting, "0", 3000, "the killed worker's query went on waiting");
	assert_string_equal(db_scalar("SELECT count(*) FROM pg_locks WHERE"
	                              " relation = 'projects'::regclass AND"
	                              " mode = 'AccessExclusiveLock'"),
	    "1");
	db_wait_unlocked("projects");
	wait_replaced(workers, n);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tr_do(&srv, "POST", path, editor, ev, h, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(r.status, 201);
	assert_null(
	    tr_header(&r, "Idempotent-Replayed", replayed, sizeof(replayed)));
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
	                (t1.tv_nsec - t0.tv_nsec) / 1000000 <
	            1000);
	tr_free(&r);
	assert_string_equal(db_scalar("SELECT count(*) FROM project_events "
	                              "WHERE project_id = '%s'",
	                        pid),
	    "1");
	/* And the retry after that is its replay. */
	tr_do(&srv, "POST", path, editor, ev, h, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(
	    tr_header(&r, "Idempotent-Replayed", replayed, sizeof(replayed)),
	    "true");
	tr_free(&r);
}

/* Spends transaction ids (one per subtransaction) until the next has
 * one digit more than the last: the feed orders by xid, and as text
 * "1000" would come before "999". */
static void
xids_past_digit_boundary(void)
{
	long long xid = atoll(db_scalar("SELECT pg_current_xact_id()"));
	long long next = 10;

	while (next <= xid)
		next *= 10;
	/* A subtransaction that writes gets an id of its own. */
	db_scalar("CREATE TEMP TABLE spent (i int); DO $$ BEGIN FOR i IN "
	          "1..%lld LOOP BEGIN INSERT INTO spent VALUES (i); EXCEPTION "
	          "WHEN OTHERS THEN NULL; END; END LOOP; END $$",
	    next - xid + 2);
	assert_true(atoll(db_scalar("SELECT pg_current_xact_id()")) >= next);
}

/* The change feed, paged 500 at a time, holds every change this test's
 * editor made, once each, in order (also across a transaction id with
 * one digit more), and its cursor resists editing. */
static void
test_change_feed(void **state)
{
	const char *reconciler = make_key(&srv, "reconciler", NULL);
	char path[256], cursor[128] = "", names[16][64];
	int seen = 0, pages = 0, i, j;
	struct tresp r;
	json_t *e;
	size_t k;

	(void)state;
	for (i = 0; i < 5; i++) {
		char body[256];

		if (i == 2)
			xids_past_digit_boundary();
		snprintf(body, sizeof(body),
		    "{\"name\":\"变更项目%d\",\"area\":\"140828\","
		    "\"funding\":\"mixed\"}",
		    i);
		tr_do(&srv, "POST", "/api/v1/projects", other, body, NULL, &r);
		assert_int_equal(r.status, 201);
		tr_free(&r);
	}
	for (;;) {
		snprintf(path, sizeof(path), "/api/v1/changes?limit=500%s%s",
		    cursor[0] ? "&cursor=" : "", cursor);
		tr_do(&srv, "GET", path, reconciler, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		json_array_foreach(json_object_get(r.json, "items"), k, e)
		{
			const char *name = json_string_value(json_object_get(
			    json_object_get(e, "after"), "name"));

			if (name == NULL || strncmp(name, "变更项目", 12) != 0)
				continue;
			for (j = 0; j < seen; j++)
				assert_string_not_equal(names[j], name);
			assert_true(seen < 16);
			snprintf(names[seen++], 64, "%s", name);
		}
		snprintf(cursor, sizeof(cursor), "%s",
		    json_string_value(json_object_get(r.json, "next_cursor")));
		pages++;
		/* The feed serves only transactions older than every one
		 * still running (sql/009): one of PostgreSQL's own (an
		 * autovacuum's ANALYZE) can hold this test's writes back a
		 * moment; the feed owes them, not at once. */
		if (!json_is_true(json_object_get(r.json, "more"))) {
			tr_free(&r);
			if (seen == 5)
				break;
			usleep(50000);
			assert_true(pages < 500);
			continue;
		}
		tr_free(&r);
		assert_true(pages < 500);
	}
	assert_int_equal(seen, 5);
	for (i = 0; i < 5; i++) {
		char want[64];

		snprintf(want, sizeof(want), "变更项目%d", i);
		assert_string_equal(names[i], want);
	}
	/* Nothing new: the same cursor, no items. */
	snprintf(path, sizeof(path), "/api/v1/changes?cursor=%s", cursor);
	tr_do(&srv, "GET", path, reconciler, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "next_cursor")), cursor);
	tr_free(&r);
	cursor[0] = cursor[0] == '1' ? '2' : '1';
	snprintf(path, sizeof(path), "/api/v1/changes?cursor=%s", cursor);
	tr_do(&srv, "GET", path, reconciler, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

/* The changes of the feed filtered by query that name project id, read
 * from the start until want of them are in and the feed says there is no
 * more; in cursor the position after the last page. */
static json_t *
feed_of(const char *key, const char *query, const char *id, size_t want,
    char *cursor, size_t len)
{
	json_t *out = json_array(), *e;
	char path[512], *text;
	struct tresp r;
	size_t k;
	int pages = 0, more;

	cursor[0] = '\0';
	do {
		snprintf(path, sizeof(path), "/api/v1/changes?limit=500%s%s%s",
		    query, cursor[0] ? "&cursor=" : "", cursor);
		tr_do(&srv, "GET", path, key, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		json_array_foreach(json_object_get(r.json, "items"), k, e)
		{
			text = json_dumps(e, 0);
			if (strstr(text, id) != NULL)
				json_array_append(out, e);
			free(text);
		}
		snprintf(cursor, len, "%s",
		    json_string_value(json_object_get(r.json, "next_cursor")));
		more = json_is_true(json_object_get(r.json, "more"));
		tr_free(&r);
		if (!more && json_array_size(out) < want)
			usleep(50000); /* a transaction still running holds
			                  the feed back a moment (sql/009) */
		assert_true(++pages < 500);
	} while (more || json_array_size(out) < want);
	return out;
}

/* Each change carries before and after; kind and since leave changes
 * out and keep the feed's order, so a filtered feed's cursor is a
 * position in the whole feed. */
static void
test_change_feed_filters(void **state)
{
	const char *reconciler = make_key(&srv, "reconciler", NULL);
	char path[256], id[64], since[64], cursor[128], query[128];
	struct tresp r;
	json_t *all, *events, *later, *e;
	size_t k;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", other,
	    "{\"name\":\"过滤变更项目\",\"area\":\"140828\",\"funding\":"
	    "\"mixed\",\"owner\":\"甲\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(id, sizeof(id), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	usleep(1100000);
	snprintf(since, sizeof(since), "%s",
	    db_scalar("SELECT to_char(now() AT TIME ZONE 'UTC', "
	              "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"));
	usleep(1100000);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
	{
		const char *h[] = {"If-Match: *", NULL};

		tr_do(&srv, "PATCH", path, other, "{\"owner\":\"乙\"}", h, &r);
		assert_int_equal(r.status, 200);
		tr_free(&r);
	}
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", id);
	tr_do(&srv, "POST", path, other,
	    "{\"type\":\"approval\",\"kind\":\"filing\","
	    "\"effective_on\":\"2024-01-02\"}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	tr_free(&r);

	/* The project's two changes: created (before null), then patched,
	 * before and after each with its owner. */
	all =
	    feed_of(reconciler, "&kind=project", id, 2, cursor, sizeof(cursor));
	assert_int_equal(json_array_size(all), 2);
	e = json_array_get(all, 0);
	assert_true(json_is_null(json_object_get(e, "before")));
	e = json_array_get(all, 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(e, "before"), "owner")),
	    "甲");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(e, "after"), "owner")),
	    "乙");
	json_decref(all);
	/* kind=event: only events, among them this project's. */
	events =
	    feed_of(reconciler, "&kind=event", id, 1, cursor, sizeof(cursor));
	assert_int_equal(json_array_size(events), 1);
	json_array_foreach(events, k, e) assert_string_equal(
	    json_string_value(json_object_get(e, "resource_type")), "event");
	json_decref(events);
	/* since: the patch and the event, not the creation. */
	snprintf(query, sizeof(query), "&kind=project,event&since=%s", since);
	later = feed_of(reconciler, query, id, 2, cursor, sizeof(cursor));
	assert_int_equal(json_array_size(later), 2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_array_get(later, 0), "after"), "owner")),
	    "乙");
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(later, 1), "resource_type")),
	    "event");
	json_decref(later);
	/* That filtered feed's cursor is a position in the whole one:
	 * nothing of this test's is after it. */
	snprintf(path, sizeof(path), "/api/v1/changes?cursor=%s", cursor);
	tr_do(&srv, "GET", path, reconciler, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), k, e)
	    assert_string_not_equal(
	        json_string_value(json_object_get(e, "resource_id")), id);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/changes?kind=project,", reconciler, NULL,
	    NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/changes?since=yesterday", reconciler, NULL,
	    NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay_returns_first_response),
	    cmocka_unit_test(test_same_key_other_request),
	    cmocka_unit_test(test_refused_request_frees_its_key),
	    cmocka_unit_test(test_concurrent_duplicates_create_one),
	    cmocka_unit_test(test_event_replay_writes_once),
	    cmocka_unit_test(test_change_feed),
	    cmocka_unit_test(test_change_feed_filters),
	    cmocka_unit_test(test_replay_is_byte_identical),
	    cmocka_unit_test(test_reservation_dies_with_its_worker),
	};

	return cmocka_run_group_tests_name(
	    "idempotency", tests, setup, ts_group_teardown);
}
