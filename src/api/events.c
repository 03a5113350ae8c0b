/*
 * events.c: a project's history: /api/v1/projects/{id}/events and the
 * retraction of one of them.
 *
 * A new event is checked against the history read just before, then
 * written on the condition that the project's version has not moved. If
 * it has (another client wrote first), the history is read and checked
 * again, a few times at most: so two concurrent starts of one project end
 * with exactly one accepted and the other refused by the rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/validate.h"
#include "auth.h"
#include "handlers.h"
#include "history.h"
#include "input.h"

#define MAX_ATTEMPTS 5

/* What a request carries between its queries. */
struct pending {
	struct event e;
	json_t *doc; /* the event as written */
	int attempts;
};

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
	struct pending *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		api_problem(a, 503, "overloaded", "Out of memory.");
		return NULL;
	}
	a->data = p;
	a->data_free = pending_free;
	return p;
}

static void
appended(struct api_req *a, const db_result *res)
{
	if (db_failed(res)) {
		api_write_refused(a, res);
		return;
	}
	if (db_is_null(res, 0, 0)) {
		/* The version moved: someone wrote first. Check again. */
		if (++((struct pending *)a->data)->attempts < MAX_ATTEMPTS) {
			read_history(a);
			return;
		}
		api_problem(a, 409, "concurrent-modification",
		    "The project kept changing; retry the request.");
		return;
	}
	api_json(a, 201, db_value(res, 0, 0), db_length(res, 0, 0));
}

static void
history_read(struct api_req *a, const db_result *res)
{
	struct pending *p = a->data;
	struct violation viol;
	struct derived d;
	struct event *h;
	json_t *docs[2];
	const char *lead[2];
	size_t n;

	if (api_project_in_scope(a, res, 2) != 0)
		return;
	h = history_parse(db_value(res, 0, 3), &n);
	if (h == NULL ||
	    lifecycle_append(h, n, &p->e, history_today(), &d, &viol) != 0) {
		free(h);
		if (h == NULL)
			api_problem(a, 503, "overloaded", "Out of memory.");
		else
			api_violation(a, &viol);
		return;
	}
	free(h);
	docs[0] = p->doc;
	docs[1] = history_derived_json(&d);
	lead[0] = a->caps.value[0];
	lead[1] = db_value(res, 0, 1);
	api_write(a, "event_append", lead, 2, docs, 2, appended);
	json_decref(docs[1]);
}

static void
read_history(struct api_req *a)
{
	const char *params[1] = {a->caps.value[0]};

	api_query(a, "project_history", 1, params, history_read);
}

void
events_create(struct api_req *a)
{
	struct pending *p;
	struct verrors v;

	if (api_project_id(a) != 0 || input_body(a) != 0)
		return;
	verrors_init(&v);
	if ((p = pending_new(a)) == NULL)
		return;
	if (history_read_event(a->body, "", &p->e, &v) != 0) {
		verrors_respond(a, &v);
		return;
	}
	verrors_free(&v);
	p->doc = json_deep_copy(a->body);
	read_history(a);
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
	if ((p = pending_new(a)) == NULL)
		return;
	p->e.type = EV_RETRACTION;
	snprintf(p->e.id, EVENT_ID_MAX, "new");
	memcpy(p->e.retracts, a->caps.value[1], EVENT_ID_MAX); /* a UUID */
	p->doc = json_pack("{s:s,s:s,s:s}", "type", "retraction", "retracts",
	    a->caps.value[1], "reason", reason);
	read_history(a);
}

static void
events_listed(struct api_req *a, const db_result *res)
{
	char *body;
	size_t len;

	if (db_failed(res)) {
		api_db_problem(a, res);
		return;
	}
	if (db_rows(res) == 0) {
		api_problem(a, 404, "not-found", "No such project.");
		return;
	}
	len = db_length(res, 0, 0) + 40;
	body = malloc(len);
	snprintf(body, len, "{\"items\":%s,\"next_cursor\":null}",
	    db_value(res, 0, 0));
	api_json(a, 200, body, strlen(body));
	free(body);
}

void
events_list(struct api_req *a)
{
	const char *params[1] = {a->caps.value[0]};

	if (api_project_id(a) == 0)
		api_query(a, "event_list", 1, params, events_listed);
}
