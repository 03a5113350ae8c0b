/* history.h: a project's history as the domain sees it. */
#ifndef PIPELINED_HISTORY_H
#define PIPELINED_HISTORY_H

#include <jansson.h>

#include "../db/queries.h"
#include "../domain/lifecycle.h"
#include "input.h"

/* Today's date in Asia/Shanghai, in days since 1970-01-01. */
int history_today(void);

/* Parses the JSON array of project_history; allocates n + 1 events. */
struct project_event *history_parse(const char *json, size_t *n);

/* The derived fields as stored and the latest date of the events, as the
 * rules take them (lifecycle_append_last); -1 when a field is not what
 * the database writes. */
int history_state(
    const struct db_project_state *s, struct derived *d, int *latest);

/* The derived fields as the write functions take them. */
json_t *history_derived_json(const struct derived *d);

/* Reads one event of a request; errors point under prefix. */
int history_read_event(json_t *body, const char *prefix,
    struct project_event *e, struct verrors *v);

#endif
