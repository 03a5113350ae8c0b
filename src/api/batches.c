/*
 * batches.c: /api/v1/batches — the development zones' "三个一批" events
 * (签约一批、开工一批、投产一批) and how far their projects have come since.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/validate.h"
#include "cursor.h"
#include "handlers.h"
#include "history.h"
#include "input.h"
#include "replica.h"

#define BATCH_MAX_PROJECTS 1000

static void
created(const db_result *st, const struct db_json *batch, void *arg)
{
	struct api_req *a = arg;
	json_t *doc;
	char loc[96];

	if (st != NULL && db_failed(st) &&
	    strcmp(db_sqlstate(st), "23503") == 0) {
		struct verrors v;

		verrors_init(&v);
		verrors_add(&v,
		    strstr(db_error_message(st), "area") ? "/area"
		                                         : "/projects",
		    strstr(db_error_message(st), "area")
		        ? "Not a known area code."
		        : "A project in the list does not exist.");
		verrors_respond(a, &v);
		return;
	}
	if (db_failed(st) || batch == NULL) {
		api_db_problem(a, st);
		return;
	}
	doc = json_loads(batch->text, 0, NULL);
	snprintf(loc, sizeof(loc), "/api/v1/batches/%s",
	    json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	http_add_header(a->http, "Location", loc);
	api_json(a, 201, batch->text, batch->len);
}

static void
check_projects(json_t *list, struct verrors *v)
{
	json_t *e;
	size_t i, j;

	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > BATCH_MAX_PROJECTS) {
		verrors_add(v, "/projects",
		    "projects is a list of 1 to 1000 project ids.");
		return;
	}
	json_array_foreach(list, i, e)
	{
		if (!json_is_string(e) ||
		    !validate_uuid(json_string_value(e))) {
			verrors_add(
			    v, "/projects", "Each entry is a project id.");
			return;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(list, j), e)) {
				verrors_add(v, "/projects",
				    "A project is listed twice.");
				return;
			}
	}
}

void
batches_create(struct api_req *a)
{
	static const char *const fields[] = {
	    "kind", "held_on", "name", "area", "park", "projects", NULL};
	static const char *const kinds[] = {
	    "sign", "start", "production", NULL};
	struct db_actor who = api_actor(a);
	const char *s = NULL;
	struct verrors v;
	int days;

	if (input_body(a) != 0)
		return;
	verrors_init(&v);
	input_known_fields(a->body, fields, &v);
	if (input_string(a->body, "kind", &s, 20, &v, 1) &&
	    !validate_enum(s, kinds))
		verrors_add(&v, "/kind", "kind is sign, start or production.");
	if (input_string(a->body, "held_on", &s, 10, &v, 1) &&
	    (!validate_date(s, &days) || days > history_today()))
		verrors_add(&v, "/held_on",
		    "held_on is a date that exists, not in the future.");
	input_string(a->body, "name", &s, 200, &v, 1);
	if (input_string(a->body, "area", &s, 6, &v, 1) &&
	    strspn(s, "0123456789") != 6)
		verrors_add(&v, "/area", "An area code is six digits.");
	input_string(a->body, "park", &s, 100, &v, 0);
	check_projects(json_object_get(a->body, "projects"), &v);
	if (verrors_finish(a, &v) != 0)
		return;
	api_sent(a, db_batch_create(api_pool, a->body, &who, created, a));
}

void
batches_list(struct api_req *a)
{
	static const char *const kinds[] = {
	    "sign", "start", "production", NULL};
	static const char *const names[] = {"kind", "area", "year"};
	struct db_batch_filter f = {NULL, NULL, NULL};
	const char **slot[] = {&f.kind, &f.area, &f.year};
	char buf[3][64];
	long long after;
	int limit, i, rc, bad;

	if (cursor_params(a, &after, &limit) != 0)
		return;
	for (i = 0; i < 3; i++) {
		rc = input_query(a->http, names[i], buf[i], sizeof(buf[i]));
		*slot[i] = rc > 0 ? buf[i] : NULL;
		bad = rc < 0 ||
		      (rc > 0 && i == 0 && !validate_enum(buf[i], kinds)) ||
		      (rc > 0 && i > 0 &&
		          strspn(buf[i], "0123456789") != strlen(buf[i])) ||
		      (rc > 0 && i == 1 && strlen(buf[i]) != 6) ||
		      (rc > 0 && i == 2 && strlen(buf[i]) != 4);
		if (bad) {
			api_problem(a, 400, "invalid-parameter",
			    "kind is sign, start or production; area six "
			    "digits; year four.");
			return;
		}
	}
	api_sent(a, db_batch_page(api_reader(a), &f, after,
	                api_page_rows(a, limit), api_listed, a));
}

void
batches_get(struct api_req *a)
{
	if (api_uuid_capture(a, 0, "No such batch: the id is not a UUID.") != 0)
		return;
	a->missing = "No such batch.";
	api_sent(a, db_batch_get(api_pool, a->caps.value[0], api_found, a));
}
