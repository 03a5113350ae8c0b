/*
 * test_figures.c: the figures over HTTPS against a random but seeded
 * history built through the API, compared with a computation written
 * here, independently of the service's SQL: for several years, as_of
 * dates, a known_at between two phases of recording, and groupings.
 *
 * The history lives in 2021-2022, which no other test uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define NPROJECTS 2000

static const char *const areas[] = {"140802", "140821", "140822", "140823",
    "140824", "140825", "140826", "140827", "140828", "140829", "140830",
    "140881", "140882"};

/* One event of the model: its date as YYYYMMDD, and in which phase it was
 * recorded (1: before known_at, 2: after). */
struct mevent {
	int date, phase, retracted_in; /* 0: not retracted */
	long long amount;
};

struct mproject {
	char id[40];
	int area;
	struct mevent sign[2]; /* the first, and a re-signing */
	int nsign;
	struct mevent start;
	int started;
};

static struct mproject model[NPROJECTS];
static struct tserver srv;
static const char *editor;
static char known_at[64];
static unsigned long long rng = 20240101;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A random date from 2021-01-01 plus up to span days, as YYYYMMDD. */
static int
date_plus(int base, int days)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = base / 10000, m = base / 100 % 100, d = base % 100;

	while (days-- > 0) {
		int md = mdays[m - 1] + (m == 2 && y % 4 == 0);

		if (++d > md) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	return y * 10000 + m * 100 + d;
}

static void
fmt_date(int d, char *out)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d / 10000, d / 100 % 100,
	    d % 100);
	memcpy(out, buf, 11);
	out[10] = '\0';
}

static void
create_all(void)
{
	char body[1024], sd[11], td[11];
	struct tresp r;
	int i;

	for (i = 0; i < NPROJECTS; i++) {
		struct mproject *p = &model[i];
		int signs = rnd(10) < 8, starts;
		size_t o;

		p->area = (int)rnd(13);
		o = (size_t)snprintf(body, sizeof(body),
		    "{\"name\":\"图项目%d\",\"area\":\"%s\",\"industry\":\"%"
		    "s\","
		    "\"funding\":\"%s\",\"events\":[",
		    i, areas[p->area], rnd(2) ? "能源" : "文旅",
		    signs ? "enterprise" : "government");
		if (signs) {
			p->nsign = 1;
			p->sign[0].date = date_plus(20210101, (int)rnd(420));
			p->sign[0].amount = 1000000 + (long long)rnd(900000000);
			p->sign[0].phase = 1;
			fmt_date(p->sign[0].date, sd);
			o += (size_t)snprintf(body + o, sizeof(body) - o,
			    "{\"type\":\"signed\",\"effective_on\":\"%s\","
			    "\"amount_yuan\":%lld}",
			    sd, p->sign[0].amount);
		}
		starts = rnd(10) < 6;
		if (starts) {
			p->started = 1;
			p->start.phase = 1;
			p->start.date =
			    date_plus(signs ? p->sign[0].date : 20210101,
			        (int)rnd(signs ? 200 : 500));
			fmt_date(p->start.date, td);
			o += (size_t)snprintf(body + o, sizeof(body) - o,
			    "%s{\"type\":\"started\",\"effective_on\":\"%s\"}",
			    signs ? "," : "", td);
		}
		snprintf(body + o, sizeof(body) - o, "]}");
		tr_do(&srv, "POST", "/api/v1/projects", editor, body, NULL, &r);
		if (r.status != 201)
			fail_msg("create %d: %ld %s", i, r.status, r.body);
		snprintf(p->id, sizeof(p->id), "%s",
		    json_string_value(json_object_get(r.json, "id")));
		tr_free(&r);
	}
}

static void
post(const char *path, const char *body, long want)
{
	struct tresp r;

	tr_do(&srv, "POST", path, editor, body, NULL, &r);
	if (r.status != want)
		fail_msg("%s %s: %ld %s", path, body, r.status, r.body);
	tr_free(&r);
}

/* Phase 2: corrections recorded after known_at. */
static void
correct_some(void)
{
	char path[256], body[256], d[11];
	int i;

	for (i = 0; i < NPROJECTS; i++) {
		struct mproject *p = &model[i];

		if (p->nsign == 1 && !p->started && rnd(10) < 2) {
			/* Retract the signing; re-sign half of them. */
			snprintf(path, sizeof(path),
			    "/api/v1/projects/%s/events/%s/retraction", p->id,
			    db_scalar("SELECT id FROM project_events WHERE "
			              "project_id = '%s' AND type = 'signed'",
			        p->id));
			post(path, "{\"reason\":\"wrong date\"}", 201);
			p->sign[0].retracted_in = 2;
			if (rnd(2)) {
				p->nsign = 2;
				p->sign[1].phase = 2;
				p->sign[1].date =
				    date_plus(20210101, (int)rnd(600));
				p->sign[1].amount =
				    1000000 + (long long)rnd(500000000);
				fmt_date(p->sign[1].date, d);
				snprintf(path, sizeof(path),
				    "/api/v1/projects/%s/events", p->id);
				snprintf(body, sizeof(body),
				    "{\"type\":\"signed\",\"effective_on\":"
				    "\"%s\",\"amount_yuan\":%lld}",
				    d, p->sign[1].amount);
				post(path, body, 201);
			}
		} else if (p->nsign == 1 && !p->started && rnd(10) < 3) {
			/* A start recorded late, dated early. */
			p->started = 1;
			p->start.phase = 2;
			p->start.date =
			    date_plus(p->sign[0].date, (int)rnd(90));
			fmt_date(p->start.date, d);
			snprintf(path, sizeof(path),
			    "/api/v1/projects/%s/events", p->id);
			snprintf(body, sizeof(body),
			    "{\"type\":\"started\",\"effective_on\":\"%s\"}",
			    d);
			post(path, body, 201);
		}
	}
}

static int
setup(void **state)
{
	*state = &srv; /* for ts_group_teardown */
	ts_start(&srv, "rate_limit_per_second 100000\nrate_limit_burst "
	               "100000\n");
	editor = make_key(&srv, "editor", NULL);
	create_all();
	usleep(20000);
	snprintf(known_at, sizeof(known_at), "%s",
	    db_scalar("SELECT to_char(now() AT TIME ZONE 'UTC', "
	              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
	usleep(20000);
	correct_some();
	return 0;
}

struct sums {
	long long n, amount, sn, samount;
};

/* The model's answer: by 0 none, 1 area, 2 month. */
static void
expected(int year, int as_of, int phase_max, int by, struct sums *total,
    struct sums groups[64], char keys[64][8], int *ngroups)
{
	int i, j, g;

	memset(total, 0, sizeof(*total));
	*ngroups = 0;
	for (i = 0; i < NPROJECTS; i++) {
		const struct mproject *p = &model[i];
		const struct mevent *s = NULL;
		int started;
		char key[8];

		for (j = 0; j < p->nsign; j++) {
			const struct mevent *e = &p->sign[j];

			if (e->phase > phase_max || e->date / 10000 != year ||
			    e->date > as_of)
				continue;
			if (e->retracted_in != 0 &&
			    e->retracted_in <= phase_max)
				continue;
			s = e;
		}
		if (s == NULL)
			continue;
		started = p->started && p->start.phase <= phase_max &&
		          p->start.date / 10000 == year &&
		          p->start.date <= as_of;
		if (by == 1)
			snprintf(key, sizeof(key), "%s", areas[p->area]);
		else {
			char buf[32];

			snprintf(buf, sizeof(buf), "%04d-%02d", s->date / 10000,
			    s->date / 100 % 100);
			snprintf(key, sizeof(key), "%.7s", buf);
		}
		total->n++;
		total->amount += s->amount;
		total->sn += started;
		total->samount += started ? s->amount : 0;
		if (by == 0)
			continue;
		for (g = 0; g < *ngroups && strcmp(keys[g], key) != 0; g++)
			;
		if (g == *ngroups) {
			memset(&groups[g], 0, sizeof(groups[g]));
			snprintf(keys[g], 8, "%s", key);
			(*ngroups)++;
		}
		groups[g].n++;
		groups[g].amount += s->amount;
		groups[g].sn += started;
		groups[g].samount += started ? s->amount : 0;
	}
}

static void
check_rate(json_t *v, long long num, long long den)
{
	if (den == 0) {
		assert_true(json_is_null(v));
		return;
	}
	assert_true(json_is_number(v));
	assert_true(
	    fabs(json_number_value(v) -
	         round((double)num / (double)den * 10000) / 10000) < 1e-9);
}

static void
check_figures(json_t *doc, const struct sums *s)
{
	json_t *sg = json_object_get(doc, "signed");
	json_t *ss = json_object_get(doc, "signed_and_started");
	json_t *rate = json_object_get(doc, "start_rate");

	assert_int_equal(
	    json_integer_value(json_object_get(sg, "count")), s->n);
	assert_int_equal(
	    json_integer_value(json_object_get(sg, "amount_yuan")), s->amount);
	assert_int_equal(
	    json_integer_value(json_object_get(ss, "count")), s->sn);
	assert_int_equal(
	    json_integer_value(json_object_get(ss, "amount_yuan")), s->samount);
	check_rate(json_object_get(rate, "by_count"), s->sn, s->n);
	check_rate(json_object_get(rate, "by_amount"), s->samount, s->amount);
}

static void
compare(int year, int as_of, int with_known, int by)
{
	static const char *const bys[] = {NULL, "area", "month"};
	struct sums total, groups[64];
	char keys[64][8], path[256], d[11];
	struct tresp r;
	json_t *g;
	size_t i;
	int ng, k, found;

	fmt_date(as_of, d);
	snprintf(path, sizeof(path),
	    "/api/v1/stats/pipeline?year=%d&as_of=%s%s%s%s%s", year, d,
	    with_known ? "&known_at=" : "", with_known ? known_at : "",
	    bys[by] ? "&by=" : "", bys[by] ? bys[by] : "");
	expected(
	    year, as_of, with_known ? 1 : 2, by, &total, groups, keys, &ng);
	assert_true(total.n > 0);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %s", path, r.status, r.body);
	check_figures(r.json, &total);
	if (by != 0) {
		assert_int_equal(
		    json_array_size(json_object_get(r.json, "groups")), ng);
		json_array_foreach(json_object_get(r.json, "groups"), i, g)
		{
			const char *key =
			    json_string_value(json_object_get(g, "key"));

			for (k = 0, found = 0; k < ng && !found; k++)
				if (strcmp(keys[k], key) == 0) {
					check_figures(g, &groups[k]);
					found = 1;
				}
			assert_true(found);
		}
	}
	tr_free(&r);
}

static void
test_current_figures(void **state)
{
	(void)state;
	compare(2021, 20211231, 0, 0);
	compare(2021, 20211231, 0, 1);
	compare(2021, 20210630, 0, 2);
	compare(2022, 20221231, 0, 1);
}

static void
test_figures_as_known_at(void **state)
{
	(void)state;
	compare(2021, 20211231, 1, 0);
	compare(2021, 20211231, 1, 1);
	compare(2021, 20210930, 1, 2);
	compare(2022, 20220331, 1, 0);
}

/* The corrections changed the figures: known_at is not a no-op. */
static void
test_known_at_differs_from_now(void **state)
{
	struct sums now, then, g[64];
	char keys[64][8];
	int ng;

	(void)state;
	expected(2021, 20211231, 2, 0, &now, g, keys, &ng);
	expected(2021, 20211231, 1, 0, &then, g, keys, &ng);
	assert_true(now.n != then.n || now.sn != then.sn);
}

static void
test_bad_parameters(void **state)
{
	static const struct {
		const char *query;
		long status;
	} cases[] = {
	    {"year=2021&known_at=2999-01-01T00:00:00Z", 422},
	    {"year=2021&by=colour", 400},
	    {"year=2021&as_of=2021-02-30", 400},
	    {"year=21", 400},
	    {"year=2021&known_at=yesterday", 400},
	    {"year=2021&area=1408", 400},
	    {"year=2021&shape=round", 400},
	};
	char path[256];
	struct tresp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/stats/pipeline?%s",
		    cases[i].query);
		tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
		if (r.status != cases[i].status)
			fail_msg("%s: %ld %s", path, r.status, r.body);
		assert_non_null(json_object_get(r.json, "type"));
		tr_free(&r);
	}
	/* Not a bad parameter: an as_of after the year gives the year's
	 * figures whole (SPEC §5), those of its last day. */
	{
		struct tresp jan, dec;

		tr_do(&srv, "GET",
		    "/api/v1/stats/pipeline?year=2021&as_of=2022-01-31", editor,
		    NULL, NULL, &jan);
		tr_do(&srv, "GET",
		    "/api/v1/stats/pipeline?year=2021&as_of=2021-12-31", editor,
		    NULL, NULL, &dec);
		assert_int_equal(jan.status, 200);
		assert_int_equal(dec.status, 200);
		json_object_del(jan.json, "as_of");
		json_object_del(dec.json, "as_of");
		assert_true(json_equal(jan.json, dec.json));
		tr_free(&jan);
		tr_free(&dec);
	}
}

static void
test_targets(void **state)
{
	const char *admin = ts_env("TEST_ADMIN_KEY");
	struct tresp r;
	json_t *t;

	(void)state;
	tr_do(&srv, "GET", "/api/v1/targets/2024", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "signed_amount_yuan")),
	    300000000000LL);
	assert_true(
	    fabs(json_number_value(json_object_get(r.json, "start_rate")) -
	         0.6) < 1e-9);
	tr_free(&r);
	tr_do(&srv, "PUT", "/api/v1/targets/2021", editor,
	    "{\"signed_amount_yuan\":1,\"start_rate\":0.5}", NULL, &r);
	assert_int_equal(r.status, 403);
	tr_free(&r);
	tr_do(&srv, "PUT", "/api/v1/targets/2021", admin,
	    "{\"signed_amount_yuan\":2,\"start_rate\":1.5}", NULL, &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
	tr_do(&srv, "PUT", "/api/v1/targets/2021", admin,
	    "{\"signed_amount_yuan\":100000000000,\"start_rate\":0.6,"
	    "\"areas\":[{\"area\":\"140821\",\"signed_amount_yuan\":"
	    "9000000000,\"start_rate\":0.7}]}",
	    NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "areas")), 1);
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/stats/pipeline?year=2021&as_of=2021-12-31",
	    editor, NULL, NULL, &r);
	t = json_object_get(r.json, "target");
	assert_int_equal(
	    json_integer_value(json_object_get(t, "signed_amount_yuan")),
	    100000000000LL);
	{
		long long amt = json_integer_value(json_object_get(
		    json_object_get(r.json, "signed"), "amount_yuan"));

		assert_true(
		    fabs(json_number_value(
		             json_object_get(t, "signed_amount_progress")) -
		         round((double)amt / 1e11 * 10000) / 10000) < 1e-9);
	}
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/targets/1999", editor, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	tr_free(&r);
}

static void
test_alerts(void **state)
{
	struct tresp r;
	json_t *items, *e, *lights;
	size_t i;
	const char *prev = "red";

	(void)state;
	tr_do(&srv, "GET", "/api/v1/stats/alerts?year=2021&limit=500", editor,
	    NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	items = json_object_get(r.json, "items");
	assert_true(json_array_size(items) > 0);
	json_array_foreach(items, i, e)
	{
		const char *worst =
		    json_string_value(json_object_get(e, "worst"));

		lights = json_object_get(e, "lights");
		assert_non_null(json_object_get(
		    json_object_get(lights, "start"), "reason"));
		assert_non_null(json_object_get(lights, "reporting"));
		/* Worst first: no red after a yellow or a green. */
		if (strcmp(prev, "red") != 0)
			assert_string_not_equal(worst, "red");
		prev = worst;
	}
	tr_free(&r);
	tr_do(&srv, "GET", "/api/v1/stats/alerts?year=2021&light=purple",
	    editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

/* The start light of project id in the 2021 alerts of area 140830 as of
 * as_of ("" for today), and its reason in reason. */
static const char *
start_light(const char *id, const char *as_of, char *reason, size_t len)
{
	static char light[16];
	char path[160];
	struct tresp r;
	json_t *e, *start;
	size_t i;

	snprintf(path, sizeof(path),
	    "/api/v1/stats/alerts?year=2021&area=140830&limit=500%s%s",
	    as_of[0] ? "&as_of=" : "", as_of);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	light[0] = '\0';
	json_array_foreach(json_object_get(r.json, "items"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "project_id")),
		        id) != 0)
			continue;
		start = json_object_get(json_object_get(e, "lights"), "start");
		snprintf(light, sizeof(light), "%s",
		    json_string_value(json_object_get(start, "light")));
		snprintf(reason, len, "%s",
		    json_string_value(json_object_get(start, "reason")));
	}
	if (as_of[0])
		assert_string_equal(
		    json_string_value(json_object_get(r.json, "as_of")), as_of);
	tr_free(&r);
	return light;
}

/* Alerts are paged like every list: pages of 7 followed through the
 * cursor give each project once, in the order of one page of all, with
 * Link beside next_cursor; and as_of gives the lights of that day. */
static void
test_alerts_paged_and_as_of(void **state)
{
	char path[512], cursor[256] = "", link[512], id[64], reason[160];
	struct tresp all, r;
	json_t *v;
	size_t i, seen = 0, total;

	(void)state;
	tr_do(&srv, "GET",
	    "/api/v1/stats/alerts?year=2021&area=140830&limit=500", editor,
	    NULL, NULL, &all);
	assert_int_equal(all.status, 200);
	assert_true(json_is_null(json_object_get(all.json, "next_cursor")));
	total = json_array_size(json_object_get(all.json, "items"));
	v = json_object_get(all.json, "counts");
	assert_int_equal(
	    total, json_integer_value(json_object_get(v, "red")) +
	               json_integer_value(json_object_get(v, "yellow")) +
	               json_integer_value(json_object_get(v, "green")));
	assert_true(total > 7);
	do {
		snprintf(path, sizeof(path),
		    "/api/v1/stats/alerts?year=2021&area=140830&limit=7%s%s",
		    cursor[0] ? "&cursor=" : "", cursor);
		tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		json_array_foreach(json_object_get(r.json, "items"), i, v)
		{
			assert_true(seen < total);
			assert_string_equal(
			    json_string_value(json_object_get(v, "project_id")),
			    json_string_value(json_object_get(
			        json_array_get(
			            json_object_get(all.json, "items"), seen),
			        "project_id")));
			seen++;
		}
		v = json_object_get(r.json, "next_cursor");
		snprintf(cursor, sizeof(cursor), "%s",
		    json_is_string(v) ? json_string_value(v) : "");
		assert_int_equal(
		    tr_header(&r, "Link", link, sizeof(link)) != NULL,
		    cursor[0] != '\0');
		tr_free(&r);
	} while (cursor[0] != '\0');
	assert_int_equal(seen, total);
	tr_free(&all);

	/* Planned to start on 2021-03-01, started on 2021-06-01. */
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"预警日期项目\",\"area\":\"140830\",\"funding\":"
	    "\"enterprise\",\"planned_start_on\":\"2021-03-01\","
	    "\"planned_completion_on\":\"2022-12-31\",\"events\":["
	    "{\"type\":\"signed\",\"effective_on\":\"2021-01-10\","
	    "\"amount_yuan\":100000000},"
	    "{\"type\":\"started\",\"effective_on\":\"2021-06-01\"}]}",
	    NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(id, sizeof(id), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	assert_string_equal(
	    start_light(id, "2021-02-01", reason, sizeof(reason)), "green");
	assert_string_equal(reason, "start not yet due (2021-03-01)");
	/* Late by 45 days on 2021-04-15, by 91 on 2021-05-31: past the 90
	 * of a red light (alert_start_red_days). */
	assert_string_equal(
	    start_light(id, "2021-04-15", reason, sizeof(reason)), "yellow");
	assert_string_equal(
	    start_light(id, "2021-05-31", reason, sizeof(reason)), "red");
	assert_string_equal(reason,
	    "planned start 2021-03-01 passed 91 days ago without a start");
	assert_string_equal(
	    start_light(id, "", reason, sizeof(reason)), "green");
	assert_string_equal(reason, "started on 2021-06-01");
	tr_do(&srv, "GET", "/api/v1/stats/alerts?year=2021&as_of=2021-02-30",
	    editor, NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	tr_free(&r);
}

static void
test_batches(void **state)
{
	char body[1024], a[64], b[64], path[256], bid[64];
	struct tresp r;

	(void)state;
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"批次项目甲\",\"area\":\"140824\",\"funding\":"
	    "\"enterprise\",\"events\":[{\"type\":\"signed\","
	    "\"effective_on\":\"2021-03-28\",\"amount_yuan\":5}]}",
	    NULL, &r);
	snprintf(a, sizeof(a), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	tr_do(&srv, "POST", "/api/v1/projects", editor,
	    "{\"name\":\"批次项目乙\",\"area\":\"140824\",\"funding\":"
	    "\"enterprise\",\"events\":[{\"type\":\"signed\","
	    "\"effective_on\":\"2021-03-28\",\"amount_yuan\":7}]}",
	    NULL, &r);
	snprintf(b, sizeof(b), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	snprintf(body, sizeof(body),
	    "{\"kind\":\"sign\",\"held_on\":\"2021-03-28\",\"name\":"
	    "\"稷山县一季度签约一批\",\"area\":\"140824\",\"projects\":"
	    "[\"%s\",\"%s\"]}",
	    a, b);
	tr_do(&srv, "POST", "/api/v1/batches", editor, body, NULL, &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "project_count")), 2);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "reached_next_stage")),
	    0);
	snprintf(bid, sizeof(bid), "%s",
	    json_string_value(json_object_get(r.json, "id")));
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/events", a);
	post(path, "{\"type\":\"started\",\"effective_on\":\"2021-05-01\"}",
	    201);
	tr_do(&srv, "GET", "/api/v1/batches?kind=sign&area=140824&year=2021",
	    editor, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_array_get(json_object_get(r.json, "items"), 0),
	        "reached_next_stage")),
	    1);
	tr_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects?batch=%s", bid);
	tr_do(&srv, "GET", path, editor, NULL, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	tr_free(&r);
	/* Refusals: an unknown project, a duplicate, a future date. */
	snprintf(body, sizeof(body),
	    "{\"kind\":\"start\",\"held_on\":\"2021-03-28\",\"name\":"
	    "\"x\",\"area\":\"140824\",\"projects\":"
	    "[\"0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b\"]}");
	tr_do(&srv, "POST", "/api/v1/batches", editor, body, NULL, &r);
	assert_int_equal(r.status, 422);
	tr_free(&r);
	snprintf(body, sizeof(body),
	    "{\"kind\":\"start\",\"held_on\":\"2999-03-28\",\"name\":"
	    "\"x\",\"area\":\"140824\",\"projects\":[\"%s\",\"%s\"]}",
	    a, a);
	tr_do(&srv, "POST", "/api/v1/batches", editor, body, NULL, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "/held_on"));
	assert_non_null(strstr(r.body, "twice"));
	tr_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_current_figures),
	    cmocka_unit_test(test_figures_as_known_at),
	    cmocka_unit_test(test_known_at_differs_from_now),
	    cmocka_unit_test(test_bad_parameters),
	    cmocka_unit_test(test_targets),
	    cmocka_unit_test(test_alerts),
	    cmocka_unit_test(test_alerts_paged_and_as_of),
	    cmocka_unit_test(test_batches),
	};

	return cmocka_run_group_tests_name(
	    "figures", tests, setup, ts_group_teardown);
}
