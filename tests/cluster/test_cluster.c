/*
 * test_cluster.c: more than one instance (issue 18), on the cluster that
 * scripts/test-cluster.sh starts with scripts/cluster.sh: a primary and a
 * synchronous streaming standby, two instances, HAProxy in front.
 *
 * Under a steady write load through HAProxy, each write a new project
 * whose name is its Idempotency-Key, retried with the same key until it
 * is acknowledged: kill -9 of the primary followed by promotion resumes
 * writes within 5 s, with 503 and Retry-After meanwhile, and every
 * acknowledged write is on the new primary; kill -9 of one instance fails
 * only the requests it had in flight; each key lands exactly once; a
 * rolling restart, and a reload of both instances (SIGHUP), fail none.
 * One key's rate limit holds through HAProxy over both instances, within
 * 110%, and a replayed write carries a Commit-Position too.
 *
 * The environment: CLUSTER_DIR, CLUSTER_PORT, CLUSTER_INSTANCE_PORTS,
 * TEST_ADMIN_KEY (the cluster's admin key) and DATABASE_URL (both
 * clusters, target_session_attrs=read-write).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "support.h"

#define LOADERS      3
#define MAX_ATTEMPTS 40000
#define MAX_KEYS     20000

static struct tserver proxy, inst[2];
static const char *editor;

/* One attempt of one write. */
struct attempt {
	double start, end; /* seconds, CLOCK_MONOTONIC */
	long status;
	int retry_after; /* the response carried Retry-After */
	int replayed; /* Idempotent-Replayed: true */
	int key; /* index into keys */
	int first; /* the key's first attempt */
};

static struct {
	pthread_mutex_t lock;
	volatile int stop;
	const char *prefix;
	struct attempt att[MAX_ATTEMPTS];
	int natt;
	char keys[MAX_KEYS][48];
	int acked[MAX_KEYS];
	int nkeys;
} load = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	usleep((useconds_t)(s * 1e6));
}

/* One value from a libpq connection string, or NULL when it fails: the
 * tests ask while a cluster is down. */
static char *
pg_value(const char *conninfo, const char *sql)
{
	PGconn *pg = PQconnectdb(conninfo);
	PGresult *res = NULL;
	char *out = NULL;

	if (PQstatus(pg) == CONNECTION_OK) {
		res = PQexec(pg, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK &&
		    PQntuples(res) > 0)
			out = strdup(PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	PQfinish(pg);
	return out;
}

static void *
loader(void *arg)
{
	int id = (int)(intptr_t)arg, n = 0, k = -1, first = 0;
	char hdr[96], body[160], buf[32];
	const char *h[] = {hdr, NULL};
	struct attempt a;
	struct tresp r;

	while (!load.stop) {
		if (k < 0) {
			pthread_mutex_lock(&load.lock);
			if (load.nkeys < MAX_KEYS) {
				k = load.nkeys++;
				snprintf(load.keys[k], sizeof(load.keys[k]),
				    "%s-%d-%d", load.prefix, id, n++);
			}
			pthread_mutex_unlock(&load.lock);
			if (k < 0)
				break;
			first = 1;
		}
		snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", load.keys[k]);
		snprintf(body, sizeof(body),
		    "{\"name\":\"%s\",\"area\":\"140802\","
		    "\"funding\":\"enterprise\"}",
		    load.keys[k]);
		memset(&a, 0, sizeof(a));
		a.key = k;
		a.first = first;
		a.start = now();
		tr_do(&proxy, "POST", "/api/v1/projects", editor, body, h, &r);
		a.end = now();
		a.status = r.status;
		a.retry_after =
		    tr_header(&r, "Retry-After", buf, sizeof(buf)) != NULL;
		a.replayed = tr_header(&r, "Idempotent-Replayed", buf,
		                 sizeof(buf)) != NULL;
		tr_free(&r);
		pthread_mutex_lock(&load.lock);
		if (load.natt < MAX_ATTEMPTS)
			load.att[load.natt++] = a;
		if (a.status == 201)
			load.acked[k] = 1;
		pthread_mutex_unlock(&load.lock);
		first = 0;
		if (a.status == 201) {
			k = -1;
		} else {
			/* Retry-After says 1 s; a shorter pause measures
			 * the service, not the client's patience. */
			sleep_s(0.1);
		}
	}
	return NULL;
}

static pthread_t loaders[LOADERS];

static void
load_start(const char *prefix)
{
	int i;

	load.stop = 0;
	load.prefix = prefix;
	load.natt = 0;
	load.nkeys = 0;
	memset(load.acked, 0, sizeof(load.acked));
	for (i = 0; i < LOADERS; i++)
		pthread_create(
		    &loaders[i], NULL, loader, (void *)(intptr_t)(i + 1));
}

static void
load_stop(void)
{
	int i;

	load.stop = 1;
	for (i = 0; i < LOADERS; i++)
		pthread_join(loaders[i], NULL);
}

/* The first acknowledged attempt that started at or after t; -1. */
static int
first_ack_after(double t)
{
	int i;

	for (i = 0; i < load.natt; i++)
		if (load.att[i].status == 201 && load.att[i].start >= t)
			return i;
	return -1;
}

static int
acks_between(double t0, double t1)
{
	int i, n = 0;

	for (i = 0; i < load.natt; i++)
		n += load.att[i].status == 201 && load.att[i].end >= t0 &&
		     load.att[i].end < t1;
	return n;
}

/*
 * Every acknowledged key is on the primary exactly once, and no key more
 * than once; returns how many keys are there.
 */
static int
check_exactly_once(const char *prefix)
{
	char sql[256], *dups, *v;
	int i, present = 0, acked = 0;

	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM (SELECT name FROM projects WHERE name LIKE "
	    "'%s-%%' GROUP BY name HAVING count(*) > 1) d",
	    prefix);
	dups = pg_value(ts_env("DATABASE_URL"), sql);
	assert_non_null(dups);
	assert_string_equal(dups, "0");
	free(dups);
	for (i = 0; i < load.nkeys; i++) {
		if (!load.acked[i])
			continue;
		acked++;
		snprintf(sql, sizeof(sql),
		    "SELECT count(*) FROM projects WHERE name = '%s'",
		    load.keys[i]);
		v = pg_value(ts_env("DATABASE_URL"), sql);
		assert_non_null(v);
		if (strcmp(v, "1") != 0)
			fail_msg("acknowledged write %s is there %s times",
			    load.keys[i], v);
		free(v);
		present++;
	}
	assert_int_equal(present, acked);
	return present;
}

static int
setup(void **state)
{
	const char *ports = ts_env("CLUSTER_INSTANCE_PORTS");
	char ca[512];

	(void)state;
	snprintf(ca, sizeof(ca), "%s/tls/server.crt", ts_env("CLUSTER_DIR"));
	proxy.port = atoi(ts_env("CLUSTER_PORT"));
	if (sscanf(ports, "%d %d", &inst[0].port, &inst[1].port) != 2)
		return -1;
	snprintf(proxy.ca, sizeof(proxy.ca), "%s", ca);
	snprintf(inst[0].ca, sizeof(inst[0].ca), "%s", ca);
	snprintf(inst[1].ca, sizeof(inst[1].ca), "%s", ca);
	editor = make_key(&proxy, "editor", NULL);
	return 0;
}

static long long
area_reads(struct tserver *s)
{
	return tr_metric(s, "pipelined_http_requests_total{route=\"listAreas\","
	                    "status=\"200\"}");
}

static void
test_serves_through_haproxy(void **state)
{
	char conninfo[600], *v;
	long long before[2], after[2];
	struct tresp r;
	int i;

	(void)state;
	tr_do(&proxy, "GET", "/ready", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	tr_free(&r);
	/* The primary's commits wait for the standby. */
	v = pg_value(ts_env("DATABASE_URL"),
	    "SELECT sync_state FROM pg_stat_replication WHERE "
	    "application_name = 'standby' AND state = 'streaming'");
	assert_non_null(v);
	assert_string_equal(v, "sync");
	free(v);
	/* Both instances serve through HAProxy. */
	for (i = 0; i < 2; i++)
		before[i] = area_reads(&inst[i]);
	for (i = 0; i < 20; i++) {
		tr_do(&proxy, "GET", "/api/v1/areas", editor, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		tr_free(&r);
	}
	for (i = 0; i < 2; i++) {
		after[i] = area_reads(&inst[i]);
		print_message("instance %d served %lld of 20 reads\n", i + 1,
		    after[i] - before[i]);
		assert_true(after[i] - before[i] >= 5);
	}
	/* A write through HAProxy is on the standby. */
	{
		const char *h[] = {"Idempotency-Key: c1-standby", NULL};

		tr_do(&proxy, "POST", "/api/v1/projects", editor,
		    "{\"name\":\"c1-standby\",\"area\":\"140802\","
		    "\"funding\":\"enterprise\"}",
		    h, &r);
		assert_int_equal(r.status, 201);
		tr_free(&r);
	}
	snprintf(conninfo, sizeof(conninfo),
	    "host=%s/standby dbname=pipeline user=postgres",
	    ts_env("CLUSTER_DIR"));
	for (i = 0; i < 100; i++) {
		v = pg_value(conninfo, "SELECT count(*) FROM projects WHERE "
		                       "name = 'c1-standby'");
		if (v != NULL && strcmp(v, "1") == 0)
			break;
		free(v);
		v = NULL;
		sleep_s(0.02);
	}
	assert_non_null(v);
	free(v);
}

/* Lists, summed over both instances' /metrics: by the standby, by the
 * primary. */
static void
reads_by_pool(long long *standby, long long *primary)
{
	int i;

	*standby = *primary = 0;
	for (i = 0; i < 2; i++) {
		*standby += tr_metric(
		    &inst[i], "pipelined_reads_total{pool=\"standby\"}");
		*primary += tr_metric(
		    &inst[i], "pipelined_reads_total{pool=\"primary\"}");
	}
}

/* Creates a project named name, with name as its Idempotency-Key; its
 * response's Commit-Position; *replayed: the response was a replay. */
static long long
write_named(const char *name, int *replayed)
{
	char body[160], pos[32], key[96], flag[16];
	const char *h[] = {key, NULL};
	struct tresp r;
	long long p;

	snprintf(body, sizeof(body),
	    "{\"name\":\"%s\",\"area\":\"140802\",\"funding\":\"enterprise\"}",
	    name);
	snprintf(key, sizeof(key), "Idempotency-Key: %s", name);
	tr_do(&proxy, "POST", "/api/v1/projects", editor, body, h, &r);
	assert_int_equal(r.status, 201);
	assert_non_null(tr_header(&r, "Commit-Position", pos, sizeof(pos)));
	p = atoll(pos);
	assert_true(p > 0);
	*replayed =
	    tr_header(&r, "Idempotent-Replayed", flag, sizeof(flag)) != NULL;
	tr_free(&r);
	return p;
}

/* How many projects of name the list shows, asked with Commit-Position
 * pos (-1: without). */
static int
listed(const char *name, long long pos)
{
	char path[256], hdr[64];
	const char *h[] = {hdr, NULL};
	struct tresp r;
	int n;

	snprintf(path, sizeof(path), "/api/v1/projects?q=%s&limit=10", name);
	snprintf(hdr, sizeof(hdr), "Commit-Position: %lld", pos);
	tr_do(&proxy, "GET", path, editor, NULL, pos >= 0 ? h : NULL, &r);
	assert_int_equal(r.status, 200);
	n = (int)json_array_size(json_object_get(r.json, "items"));
	tr_free(&r);
	return n;
}

/* Reads go to the standby while it keeps up; a read that sends a write's
 * Commit-Position back sees that write even while the standby's replay
 * is paused (the primary serves it), and so do reads once the standby is
 * further behind than replica_max_lag_ms. */
static void
test_reads_on_standby(void **state)
{
	char standby[600];
	long long s0, p0, s1, p1, s2, p2, pos, replay_pos;
	int i, replayed;
	char *v;

	(void)state;
	snprintf(standby, sizeof(standby),
	    "host=%s/standby dbname=pipeline user=postgres",
	    ts_env("CLUSTER_DIR"));
	reads_by_pool(&s0, &p0);
	pos = write_named("c1-read-a", &replayed);
	assert_false(replayed);
	/* Each worker watches the standby every 100 ms: the first reads
	 * that send pos may come before it has seen the standby past it. */
	sleep_s(0.3);
	for (i = 0; i < 10; i++)
		assert_int_equal(listed("c1-read-a", pos), 1);
	reads_by_pool(&s1, &p1);
	print_message("standby served %lld of 10 reads\n", s1 - s0);
	assert_true(s1 - s0 >= 8);

	v = pg_value(standby, "SELECT pg_wal_replay_pause()");
	free(v);
	sleep_s(0.2);
	pos = write_named("c1-read-b", &replayed);
	for (i = 0; i < 5; i++)
		assert_int_equal(listed("c1-read-b", pos), 1);
	/* A replay of that write carries a position that covers it. */
	replay_pos = write_named("c1-read-b", &replayed);
	assert_true(replayed);
	assert_true(replay_pos >= pos);
	assert_int_equal(listed("c1-read-b", replay_pos), 1);
	sleep_s(1.0); /* past replica_max_lag_ms: reads leave the standby */
	assert_int_equal(listed("c1-read-b", -1), 1);
	reads_by_pool(&s2, &p2);
	v = pg_value(standby, "SELECT pg_wal_replay_resume()");
	free(v);
	print_message("replay paused: %lld reads by the standby, %lld by the "
	              "primary\n",
	    s2 - s1, p2 - p1);
	assert_int_equal(s2 - s1, 0);
	assert_true(p2 - p1 >= 6);
}

static void
test_primary_killed_then_promoted(void **state)
{
	double t_kill, t_promote, t_promoted, resumed, longest = 0;
	int i, k, other = 0, no_retry_after = 0, replays = 0, outage = 0;
	int present;

	(void)state;
	load_start("c2");
	sleep_s(1.5);
	t_kill = now();
	assert_int_equal(sh("scripts/cluster.sh kill-primary >/dev/null"), 0);
	/* The operator notices, checks that the primary is gone. */
	sleep_s(1.0);
	t_promote = now();
	assert_int_equal(sh("scripts/cluster.sh promote"), 0);
	t_promoted = now();
	for (i = 0; i < 100 && first_ack_after(t_promote) < 0; i++)
		sleep_s(0.1);
	sleep_s(1.5);
	load_stop();

	assert_true(acks_between(0, t_kill) >= 5);
	k = first_ack_after(t_promote);
	assert_true(k >= 0);
	resumed = load.att[k].end - t_promote;
	for (i = 0; i < load.natt; i++) {
		const struct attempt *a = &load.att[i];

		if (a->end - a->start > longest)
			longest = a->end - a->start;
		replays += a->replayed;
		if (a->status == 201)
			continue;
		outage++;
		if (a->status != 503 && a->status != 409)
			other++;
		else if (!a->retry_after)
			no_retry_after++;
		if (a->start < t_kill - 0.2)
			fail_msg("attempt %d failed (%ld) before the kill", i,
			    a->status);
	}
	present = check_exactly_once("c2");
	print_message("%d writes; kill to promotion %.2f s, promotion took "
	              "%.2f s, writes resumed %.2f s after it; %d answers "
	              "503/409 meanwhile (longest request %.0f ms), %d "
	              "replays; all %d acknowledged writes on the new "
	              "primary, each once\n",
	    load.natt, t_promote - t_kill, t_promoted - t_promote, resumed,
	    outage, longest * 1000, replays, present);
	assert_int_equal(other, 0);
	assert_int_equal(no_retry_after, 0);
	assert_true(resumed < 5.0);
	assert_true(longest < 3.0); /* never a hang */
	assert_true(acks_between(load.att[k].end, now()) >= 5);
}

/* A rolling restart of both instances under the write load: no request
 * fails (SIGTERM drains each for HAProxy: /ready 503 at once, served
 * with Connection: close until the check takes it out, drain_accept_ms),
 * and every acknowledged write is there once. */
static void
test_rolling_restart(void **state)
{
	int i, failed = 0, present;

	(void)state;
	load_start("c1r");
	sleep_s(1.0);
	assert_int_equal(sh("scripts/cluster.sh restart >&2"), 0);
	sleep_s(1.0);
	load_stop();
	for (i = 0; i < load.natt; i++)
		if (load.att[i].status != 201) {
			failed++;
			print_message("failed during the restart: %ld\n",
			    load.att[i].status);
		}
	present = check_exactly_once("c1r");
	print_message("%d writes through a rolling restart; %d failed; all %d "
	              "acknowledged writes there, each once\n",
	    load.natt, failed, present);
	assert_int_equal(failed, 0);
	assert_true(present >= 20);
}

/* Lines of path that hold what. */
static int
lines_with(const char *path, const char *what)
{
	char line[1024];
	FILE *fp = fopen(path, "r");
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strstr(line, what) != NULL;
	fclose(fp);
	return n;
}

/* Rewrites path with its rate limit lines set to rate and burst. */
static void
set_rate_limit(const char *path, int rate, int burst)
{
	char line[1024], text[16384];
	size_t len = 0;
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "rate_limit_per_second ", 22) == 0)
			snprintf(line, sizeof(line),
			    "rate_limit_per_second %d\n", rate);
		else if (strncmp(line, "rate_limit_burst ", 17) == 0)
			snprintf(
			    line, sizeof(line), "rate_limit_burst %d\n", burst);
		assert_true(len + strlen(line) < sizeof(text));
		memcpy(text + len, line, strlen(line));
		len += strlen(line);
	}
	fclose(fp);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

/* Instance n's rate limit set to rate and burst, then SIGHUP to its
 * master; returns once it has logged the reload. */
static void
reload_instance(int n, int rate, int burst)
{
	const char *dir = ts_env("CLUSTER_DIR");
	char path[600], log[600], pidline[32];
	int before, i;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/instance%d.conf", dir, n);
	set_rate_limit(path, rate, burst);
	snprintf(log, sizeof(log), "%s/instance%d.log", dir, n);
	before = lines_with(log, "reloaded the configuration");
	snprintf(path, sizeof(path), "%s/instance%d.pid", dir, n);
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(fgets(pidline, sizeof(pidline), fp));
	fclose(fp);
	assert_int_equal(kill((pid_t)atoi(pidline), SIGHUP), 0);
	for (i = 0; i < 200; i++) {
		if (lines_with(log, "reloaded the configuration") > before)
			return;
		sleep_s(0.05);
	}
	fail_msg("instance %d did not log its reload", n);
}

static void
reload_instances(int rate, int burst)
{
	reload_instance(1, rate, burst);
	reload_instance(2, rate, burst);
}

/* Both instances reload their configuration under the write load: no
 * write fails, each acknowledged one is there once. */
static void
test_reload_under_load(void **state)
{
	int i, failed = 0;

	(void)state;
	load_start("c1h");
	sleep_s(1.0);
	reload_instances(5000, 5001);
	sleep_s(1.0);
	load_stop();
	for (i = 0; i < load.natt; i++)
		failed += load.att[i].status != 201;
	print_message(
	    "%d writes through two reloads; %d failed\n", load.natt, failed);
	assert_int_equal(failed, 0);
	assert_true(check_exactly_once("c1h") >= 20);
}

/* One key through HAProxy, its requests spread over both instances:
 * served at most 110% of what its one bucket allows, reloaded down to 4
 * a second for the test (the write load's limit is far above it). */
static void
test_shared_limit_through_haproxy(void **state)
{
	struct tserver *through[] = {&proxy};
	long long before[2], after[2];
	const char *viewer = make_key(&proxy, "viewer", NULL);
	double allowed = 4 + 4 * 5.0;
	int i, asked, ok;

	(void)state;
	reload_instances(4, 4);
	for (i = 0; i < 2; i++)
		before[i] =
		    tr_metric(&inst[i],
		        "pipelined_http_requests_total{route=\"listAreas\","
		        "status=\"429\"}") +
		    area_reads(&inst[i]);
	ok = tr_served_for(through, 1, viewer, 5.0, &asked);
	for (i = 0; i < 2; i++)
		after[i] =
		    tr_metric(&inst[i],
		        "pipelined_http_requests_total{route=\"listAreas\","
		        "status=\"429\"}") +
		    area_reads(&inst[i]);
	reload_instances(5000, 5000);
	print_message("%d requests through HAProxy (%lld and %lld by each "
	              "instance), %d served, one bucket allows %.0f\n",
	    asked, after[0] - before[0], after[1] - before[1], ok, allowed);
	assert_true(asked > 2 * allowed);
	for (i = 0; i < 2; i++)
		assert_true(after[i] - before[i] >= asked / 4);
	assert_true(ok <= 1.1 * allowed);
	assert_true(ok >= 0.6 * allowed);
}

/* Whether pid has not died yet (a zombie has). */
static int
alive(pid_t pid)
{
	char path[64], stat[256];
	FILE *fp;
	char *p;
	int z = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(stat, sizeof(stat), fp) != NULL &&
	    (p = strrchr(stat, ')')) != NULL)
		z = p[2] == 'Z';
	fclose(fp);
	return !z;
}

/* The master of an instance and every process it started, at once. */
static void
kill_instance(int n)
{
	char path[600], line[256];
	pid_t pids[16];
	int np = 0, i;
	FILE *fp;

	snprintf(
	    path, sizeof(path), "%s/instance%d.pid", ts_env("CLUSTER_DIR"), n);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	pids[np++] = (pid_t)atoi(line);
	np += ts_worker_pids(pids[0], pids + 1, 14);
	if ((pids[np] = ts_keymgr_pid(pids[0])) > 0)
		np++;
	for (i = 0; i < np; i++)
		kill(pids[i], SIGKILL);
	/* Until each is dead, its listening socket may still take
	 * connections that its death then resets: in flight too. */
	for (i = 0; i < np; i++)
		while (alive(pids[i]))
			sleep_s(0.005);
	print_message("killed instance %d: %d processes\n", n, np);
}

static void
test_instance_killed(void **state)
{
	double t_kill;
	int i, failed = 0, after = 0, late = 0, first_failed = 0;
	int retries = 0, present;
	struct tresp r;

	(void)state;
	load_start("c3");
	sleep_s(1.5);
	kill_instance(1);
	/* What started before now may have been in flight. */
	t_kill = now();
	sleep_s(3.0);
	load_stop();

	for (i = 0; i < load.natt; i++) {
		const struct attempt *a = &load.att[i];

		retries += !a->first;
		if (a->status == 201) {
			after += a->start > t_kill;
			continue;
		}
		failed++;
		first_failed += a->first;
		/* What was in flight: sent before the kill. Its retries may
		 * meet the key still held (409, Retry-After) until
		 * PostgreSQL sees the killed worker's session end. */
		if (a->start > t_kill &&
		    !(a->status == 409 && a->retry_after)) {
			late++;
			print_message(
			    "failed after the kill: %ld\n", a->status);
		}
	}
	present = check_exactly_once("c3");
	print_message("%d writes; %d failed, %d of them first attempts (in "
	              "flight at the kill), %d retries; %d acknowledged after "
	              "the kill; all %d acknowledged writes there, each once\n",
	    load.natt, failed, first_failed, retries, after, present);
	assert_int_equal(late, 0);
	assert_true(first_failed <= LOADERS);
	assert_true(after >= 10);
	/* HAProxy sends everything to the instance that lives. */
	for (i = 0; i < 10; i++) {
		tr_do(&proxy, "GET", "/ready", NULL, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		tr_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serves_through_haproxy),
	    cmocka_unit_test(test_rolling_restart),
	    cmocka_unit_test(test_reload_under_load),
	    cmocka_unit_test(test_shared_limit_through_haproxy),
	    cmocka_unit_test(test_reads_on_standby),
	    cmocka_unit_test(test_primary_killed_then_promoted),
	    cmocka_unit_test(test_instance_killed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
