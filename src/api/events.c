/*
 * events.c: a project's history: /api/v1/projects/{id}/events and the
 * retraction of one of them.
 *
 * A new event is checked against the project as read just before, then
 * written on the condition that the project's version has not moved. If
 * it has (another client wrote first), the project is read and checked
 * again, a few times at most: so two concurrent starts of one project end
 * with exactly one accepted and the other refused by the rules.
 *
 * What is read depends on the event. One dated on or after every event
 * of the project (the usual case: things are recorded as they happen)
 * goes last in the replay, so its check needs only the derived fields
 * and that latest date (db_project_state, lifecycle_append_last): its
 * cost does not grow with the history. A backdated event or a retraction
 * can change what follows it, so it is checked by replaying the whole
 * history (db_project_history, lifecycle_append).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../domain/validate.h"
#include "auth.h"
#include "cursor.h"
#include "handlers.h"
#include "history.h"
#include "input.h"
#include "replica.h"

#define MAX_ATTEMPTS 5

/* What a request carries between its queries. */
struct pending {
	struct project_event e;
	json_t *doc; /* the event as written */
	int attempts;
};

static void read_project(struct api_req *a);
static void read_history(struct api_req *a);

static void
pending_free(void *arg)
{
	struct pending *p = arg;

	json_decref(p->doc);
	free(p);
}

static struct pending *
pending_new(struct api_req *a)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	a->data = p;
	a->data_free = pending_free;
	return p;
}

/* The new event's (or retraction's) own address, with the ids as the
 * answer spells them (as the replay's, which event_append stores). */
static void
locate_event(struct api_req *a, const struct db_json *answer)
{
	json_t *doc = json_loads(answer->text, 0, NULL);
	char loc[160];

	snprintf(loc, sizeof(loc), "/api/v1/projects/%s/events/%s",
	    json_string_value(
	        json_object_get(json_object_get(doc, "project"), "id")),
	    json_string_value(
	        json_object_get(json_object_get(doc, "event"), "id")));
	json_decref(doc);
	http_add_header(a->http, "Location", loc);
}

static void
appended(const db_result *st, const struct db_json *event, void *arg)
{
	struct api_req *a = arg;

	if (db_failed(st)) {
		api_write_refused(a, st);
		return;
	}
	if (event == NULL) {
		/* The version moved: someone wrote first. Check again. */
		if (++((struct pending *)a->data)->attempts < MAX_ATTEMPTS) {
			read_project(a);
			return;
		}
		api_problem(a, 409, "concurrent-modification",
		    "The project kept changing; retry the request.");
		return;
	}
	locate_event(a, event);
	api_json(a, 201, event->text, event->len);
}

/* Writes the event with the derived fields it leads to. */
static void
append(struct api_req *a, long long version, const struct derived *d)
{
	struct db_actor who = api_actor(a);
	struct pending *p = a->data;
	json_t *derived = history_derived_json(d);

	api_sent(a, db_event_append(api_pool, a->caps.value[0], version, p->doc,
	                derived, &who, appended, a));
	json_decref(derived);
}

static void
state_read(const db_result *st, const struct db_project_state *ps, void *arg)
{
	struct api_req *a = arg;
	struct pending *p = a->data;
	struct violation viol;
	struct derived now, d;
	int latest, rc;

	if (ps == NULL) {
		api_project_missing(a, st);
		return;
	}
	if (api_project_in_scope(a, ps->project.area) != 0)
		return;
	if (history_state(ps, &now, &latest) != 0) {
		api_problem(a, 500, "internal",
		    "The project's stored state cannot be read.");
		return;
	}
	rc = lifecycle_append_last(
	    &now, latest, &p->e, history_today(), &d, &viol);
	if (rc > 0)
		read_history(a); /* backdated: the whole replay decides */
	else if (rc < 0)
		api_violation(a, &viol);
	else
		append(a, ps->project.version, &d);
}

static void
history_read(
    const db_result *st, const struct db_project_history *ph, void *arg)
{
	struct api_req *a = arg;
	struct pending *p = a->data;
	struct violation viol;
	struct derived d;
	struct project_event *h;
	size_t n;

	if (ph == NULL) {
		api_project_missing(a, st);
		return;
	}
	if (api_project_in_scope(a, ph->project.area) != 0)
		return;
	h = history_parse(ph->events, &n);
	if (h == NULL ||
	    lifecycle_append(h, n, &p->e, history_today(), &d, &viol) != 0) {
		free(h);
		if (h == NULL)
			api_problem(a, 500, "internal",
			    "The project's stored history cannot be read.");
		else
			api_violation(a, &viol);
		return;
	}
	free(h);
	append(a, ph->project.version, &d);
}

/* What the check of the pending event needs: for a retraction, always the
 * whole history; for an event, the state first (state_read). */
static void
read_project(struct api_req *a)
{
	if (((struct pending *)a->data)->e.type == EV_RETRACTION)
		read_history(a);
	else
		api_sent(a, db_project_state(
		                api_pool, a->caps.value[0], state_read, a));
}

static void
read_history(struct api_req *a)
{
	api_sent(
	    a, db_project_history(api_pool, a->caps.value[0], history_read, a));
}

void
events_create(struct api_req *a)
{
	struct pending *p;
	struct verrors v;

	if (api_project_id(a) != 0 || input_body(a) != 0)
		return;
	verrors_init(&v);
	p = pending_new(a);
	if (history_read_event(a->body, "", &p->e, &v) != 0) {
		verrors_respond(a, &v);
		return;
	}
	verrors_free(&v);
	p->doc = json_deep_copy(a->body);
	read_project(a);
}

void
events_retract(struct api_req *a)
{
	static const char *const fields[] = {"reason", NULL};
	const char *reason = NULL;
	struct pending *p;
	struct verrors v;

	if (api_project_id(a) != 0)
		return;
	if (!validate_uuid(a->caps.value[1])) {
		api_problem(a, 404, "unknown-event",
		    "No such event: the id is not a UUID.");
		return;
	}
	if (input_body(a) != 0)
		return;
	verrors_init(&v);
	input_known_fields(a->body, fields, &v);
	input_string(a->body, "reason", &reason, 500, &v, 1);
	if (verrors_finish(a, &v) != 0)
		return;
	p = pending_new(a);
	p->e.type = EV_RETRACTION;
	snprintf(p->e.id, EVENT_ID_MAX, "new");
	memcpy(p->e.retracts, a->caps.value[1], EVENT_ID_MAX); /* a UUID */
	p->doc = json_pack("{s:s,s:s,s:s}", "type", "retraction", "retracts",
	    a->caps.value[1], "reason", reason);
	read_project(a);
}

/* An empty page: of a project without events (or past its last), or of
 * no project at all. */
static void
project_checked(const db_result *st, const struct db_project_area *p, void *arg)
{
	struct api_req *a = arg;
	static const char empty[] = "{\"items\":[],\"next_cursor\":null}";

	if (p == NULL)
		api_project_missing(a, st);
	else if (!api_page_unchanged(a, empty, sizeof(empty) - 1))
		api_json(a, 200, empty, sizeof(empty) - 1);
}

static void
events_paged(const db_result *st, struct db_page *page, void *arg)
{
	struct api_req *a = arg;
	struct db_page_item item;
	struct db_page peek;

	if (page != NULL) {
		peek = *page;
		if (!db_page_next(&peek, &item)) {
			api_sent(a, db_project_area(api_pool, a->caps.value[0],
			                project_checked, a));
			return;
		}
	}
	api_listed(st, page, a);
}

/* Paged as every list is (SPEC §6): limit (default 50, at most 500) and
 * the cursor of the page before, in recording order. */
void
events_list(struct api_req *a)
{
	long long after;
	int limit;

	if (api_project_id(a) != 0 || cursor_params(a, &after, &limit) != 0)
		return;
	api_sent(a, db_event_page(api_reader(a), a->caps.value[0], after,
	                api_page_rows(a, limit), events_paged, a));
}

void
events_get(struct api_req *a)
{
	if (api_project_id(a) != 0 ||
	    api_uuid_capture(a, 1, "No such event: the id is not a UUID.") != 0)
		return;
	a->missing = "No such event of this project.";
	api_sent(a, db_event_get(api_pool, a->caps.value[0], a->caps.value[1],
	                api_found, a));
}
