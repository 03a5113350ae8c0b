/* figures.c: the statements of the figures, targets and warning lights
 * (the SQL functions of sql/005_figures.sql), each answering with one
 * JSON document. */
#include <stdio.h>

#include "call.h"
#include "statements.h"

const struct db_stmt db_figures_stmts[] = {
    /* $1 year, $2 as_of, $3 known_at, $4 by, $5 area */
    {"stats_pipeline",
        "SELECT stats_pipeline($1::int, $2::date, $3::timestamptz, $4, $5)"},
    /* $1 year, $2 area, $3 light, $4..$8 the thresholds, $9 as_of,
     * $10 after (key), $11 limit */
    {"stats_alerts",
        "SELECT stats_alerts($1::int, $2, $3, $4::int, $5::int, $6::int,"
        " $7::int, $8::int, $9::date, $10::bigint, $11::int)"},
    {"targets_get", "SELECT targets_json($1::int)"},
    {"targets_put", "SELECT targets_put($1::int, $2::json, $3::json)"},
};

const size_t db_figures_nstmts =
    sizeof(db_figures_stmts) / sizeof(db_figures_stmts[0]);

int
db_stats_pipeline(struct db_pool *pool, const struct db_pipeline_query *q,
    db_json_cb cb, void *arg)
{
	const char *params[5] = {
	    q->year, q->as_of, q->known_at, q->by, q->area};

	return db_call_json(pool, "stats_pipeline", 5, params, 1, cb, arg);
}

int
db_stats_alerts(struct db_pool *pool, const struct db_alerts_query *q,
    db_json_cb cb, void *arg)
{
	const long long numbers[7] = {q->start_red_days,
	    q->progress_yellow_points, q->progress_red_points,
	    q->reporting_yellow_days, q->reporting_red_days, q->after,
	    q->limit};
	char text[7][24];
	const char *params[11] = {q->year, q->area, q->light};
	int i;

	for (i = 0; i < 7; i++)
		snprintf(text[i], sizeof(text[i]), "%lld", numbers[i]);
	for (i = 0; i < 5; i++)
		params[3 + i] = text[i];
	params[8] = q->as_of;
	params[9] = text[5];
	params[10] = text[6];
	return db_call_json(pool, "stats_alerts", 11, params, 1, cb, arg);
}

int
db_targets_get(struct db_pool *pool, const char *year, db_json_cb cb, void *arg)
{
	const char *params[1] = {year};

	return db_call_json(pool, "targets_get", 1, params, 1, cb, arg);
}

int
db_targets_put(struct db_pool *pool, const char *year, json_t *targets,
    const struct db_actor *who, db_json_cb cb, void *arg)
{
	const char *lead[1] = {year};

	return db_write(
	    pool, "targets_put", lead, 1, &targets, 1, who, cb, arg);
}
