/*
 * stats.c: the figures the city reports upward (SPEC §5):
 * /api/v1/stats/pipeline, /api/v1/stats/alerts and /api/v1/targets/{year}.
 * The computation is in SQL (sql/005_figures.sql); this file checks the
 * parameters, so that a malformed one is a 4xx that names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../domain/validate.h"
#include "cursor.h"
#include "handlers.h"
#include "history.h"
#include "input.h"
#include "replica.h"

static void
passthrough(const db_result *st, const struct db_json *figures, void *arg)
{
	struct api_req *a = arg;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	if (figures == NULL) {
		api_problem(a, 404, "not-found", "Nothing is recorded for it.");
		return;
	}
	api_json(a, 200, figures->text, figures->len);
}

/* Reads ?year= (default: this year in Asia/Shanghai). */
static int
read_year(struct api_req *a, char *buf, size_t len)
{
	int y, m, d, rc = input_query(a->http, "year", buf, len);

	if (rc == 0) {
		date_to_ymd(history_today(), &y, &m, &d);
		snprintf(buf, len, "%d", y);
		return 0;
	}
	if (rc < 0 || strlen(buf) != 4 || strspn(buf, "0123456789") != 4 ||
	    atoi(buf) < 1900 || atoi(buf) > 2200) {
		api_problem(a, 400, "invalid-parameter",
		    "year is a four-digit year from 1900 to 2200.");
		return -1;
	}
	return 0;
}

/* Reads an optional parameter that must be one of words. */
static int
read_choice(struct api_req *a, const char *name, const char *const *words,
    char *buf, size_t len, const char **out)
{
	char detail[128];
	int rc = input_query(a->http, name, buf, len);

	*out = NULL;
	if (rc == 0)
		return 0;
	if (rc < 0 || !validate_enum(buf, words)) {
		snprintf(
		    detail, sizeof(detail), "%s has an unknown value.", name);
		api_problem(a, 400, "invalid-parameter", detail);
		return -1;
	}
	*out = buf;
	return 0;
}

static int
read_area(struct api_req *a, char *buf, size_t len, const char **out)
{
	int rc = input_query(a->http, "area", buf, len);

	*out = NULL;
	if (rc == 0)
		return 0;
	if (rc < 0 || strlen(buf) != 6 || strspn(buf, "0123456789") != 6) {
		api_problem(a, 400, "invalid-parameter",
		    "area is a six-digit area code.");
		return -1;
	}
	*out = buf;
	return 0;
}

/* as_of: any date (SPEC §5); default today. The computation clips it to
 * the year: one after the year gives the full year's figures (what a
 * work report written in January quotes), one before it none. */
static int
read_as_of(struct api_req *a, char *buf, size_t len)
{
	int days, rc = input_query(a->http, "as_of", buf, len);

	if (rc == 0) {
		date_format(history_today(), buf);
		return 0;
	}
	if (rc < 0 || !validate_date(buf, &days)) {
		api_problem(a, 400, "invalid-parameter",
		    "as_of is a date (YYYY-MM-DD) that exists.");
		return -1;
	}
	return 0;
}

static int
read_known_at(struct api_req *a, char *buf, size_t len, const char **out)
{
	long long t;
	int rc = input_query(a->http, "known_at", buf, len);

	*out = NULL;
	if (rc == 0)
		return 0;
	if (rc < 0 || !validate_timestamp(buf, &t)) {
		api_problem(a, 400, "invalid-parameter",
		    "known_at is an RFC 3339 time with an offset.");
		return -1;
	}
	if (t > (long long)time(NULL)) {
		api_problem(a, 422, "known-at-in-future",
		    "known_at is in the future: nothing is known there yet.");
		return -1;
	}
	*out = buf;
	return 0;
}

void
stats_pipeline(struct api_req *a)
{
	static const char *const bys[] = {
	    "area", "industry", "level", "month", NULL};
	char year[16], as_of[16], known[64], by[16], area[16];
	struct db_pipeline_query q = {year, as_of, NULL, NULL, NULL};

	if (read_year(a, year, sizeof(year)) != 0 ||
	    read_as_of(a, as_of, sizeof(as_of)) != 0 ||
	    read_known_at(a, known, sizeof(known), &q.known_at) != 0 ||
	    read_choice(a, "by", bys, by, sizeof(by), &q.by) != 0 ||
	    read_area(a, area, sizeof(area), &q.area) != 0)
		return;
	api_sent(a, db_stats_pipeline(api_reader(a), &q, passthrough, a));
}

/* The alerts' page: next_key (the last item's key, when another page
 * follows) becomes next_cursor and the Link header. */
static void
alerts_paged(const db_result *st, const struct db_json *alerts, void *arg)
{
	struct api_req *a = arg;
	char cur[CURSOR_MAX], *text;
	json_t *doc, *next;

	if (db_failed(st) || alerts == NULL) {
		passthrough(st, alerts, arg);
		return;
	}
	doc = json_loadb(alerts->text, alerts->len, 0, NULL);
	if (doc == NULL) {
		api_problem(
		    a, 500, "internal", "The alerts could not be read.");
		return;
	}
	next = json_object_get(doc, "next_key");
	if (json_is_integer(next)) {
		api_page_next(a, (long long)json_integer_value(next), cur);
		json_object_set_new(doc, "next_cursor", json_string(cur));
	} else {
		json_object_set_new(doc, "next_cursor", json_null());
	}
	json_object_del(doc, "next_key");
	text = json_dumps(doc, JSON_COMPACT);
	if (!api_page_unchanged(a, text, strlen(text)))
		api_json(a, 200, text, strlen(text));
	free(text);
	json_decref(doc);
}

void
stats_alerts(struct api_req *a)
{
	static const char *const lights[] = {"red", "yellow", "green", NULL};
	char year[16], area[16], light[16], as_of[16];
	struct db_alerts_query q = {year, NULL, NULL,
	    api_cfg->alert_start_red_days,
	    api_cfg->alert_progress_yellow_points,
	    api_cfg->alert_progress_red_points,
	    api_cfg->alert_reporting_yellow_days,
	    api_cfg->alert_reporting_red_days, NULL, 0, 0};

	if (read_year(a, year, sizeof(year)) != 0 ||
	    read_area(a, area, sizeof(area), &q.area) != 0 ||
	    read_choice(a, "light", lights, light, sizeof(light), &q.light) !=
	        0 ||
	    cursor_params(a, &q.after, &q.limit) != 0)
		return;
	/* Absent, the lights of today, which need no look at the reports. */
	if (input_query(a->http, "as_of", as_of, sizeof(as_of)) != 0) {
		if (read_as_of(a, as_of, sizeof(as_of)) != 0)
			return;
		q.as_of = as_of;
	}
	api_sent(a, db_stats_alerts(api_reader(a), &q, alerts_paged, a));
}

static int
path_year(struct api_req *a)
{
	const char *y = a->caps.value[0];

	if (strlen(y) != 4 || strspn(y, "0123456789") != 4 || atoi(y) < 1900 ||
	    atoi(y) > 2200) {
		api_problem(a, 404, "not-found", "A year is four digits.");
		return -1;
	}
	return 0;
}

void
targets_get(struct api_req *a)
{
	if (path_year(a) == 0)
		api_sent(a,
		    db_targets_get(api_pool, a->caps.value[0], passthrough, a));
}

static void
targets_written(const db_result *st, const struct db_json *targets, void *arg)
{
	struct api_req *a = arg;

	if (st != NULL && db_failed(st) &&
	    strncmp(db_sqlstate(st), "23", 2) == 0) {
		api_problem(
		    a, 422, "validation", "An area is unknown or given twice.");
		return;
	}
	passthrough(st, targets, a);
}

static void
check_target(json_t *obj, const char *prefix, struct verrors *v)
{
	json_t *rate = json_object_get(obj, "start_rate");
	char ptr[64];
	long long amount;

	if (!input_money(obj, "signed_amount_yuan", &amount, v, 1))
		return;
	snprintf(ptr, sizeof(ptr), "%s/start_rate", prefix);
	if (!json_is_number(rate) || json_number_value(rate) < 0 ||
	    json_number_value(rate) > 1)
		verrors_add(v, ptr, "start_rate is a number from 0 to 1.");
}

void
targets_put(struct api_req *a)
{
	static const char *const fields[] = {
	    "signed_amount_yuan", "start_rate", "areas", NULL};
	static const char *const area_fields[] = {
	    "area", "signed_amount_yuan", "start_rate", NULL};
	struct db_actor who = api_actor(a);
	const char *code;
	json_t *areas, *e;
	struct verrors v;
	size_t i;

	if (path_year(a) != 0 || input_body(a) != 0)
		return;
	verrors_init(&v);
	input_known_fields(a->body, fields, &v);
	check_target(a->body, "", &v);
	areas = json_object_get(a->body, "areas");
	if (areas != NULL && !json_is_array(areas))
		verrors_add(&v, "/areas", "areas is a list.");
	json_array_foreach(areas, i, e)
	{
		if (!json_is_object(e)) {
			verrors_add(
			    &v, "/areas", "Each area target is an object.");
			continue;
		}
		input_known_fields(e, area_fields, &v);
		check_target(e, "/areas", &v);
		if (!input_string(e, "area", &code, 6, &v, 1) ||
		    strspn(code, "0123456789") != 6)
			verrors_add(&v, "/areas", "area is a six-digit code.");
	}
	if (verrors_finish(a, &v) != 0)
		return;
	api_sent(a, db_targets_put(api_pool, a->caps.value[0], a->body, &who,
	                targets_written, a));
}
