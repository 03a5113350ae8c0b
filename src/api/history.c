/*
 * history.c: between the JSON of requests and rows, and the domain's
 * struct project_event and struct derived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/alloc.h"
#include "../domain/validate.h"
#include "history.h"

int
history_today(void)
{
	/* Asia/Shanghai is UTC+8 all year: no daylight saving since 1991. */
	return (int)((time(NULL) + 8L * 3600) / 86400);
}

struct project_event *
history_parse(const char *json, size_t *n)
{
	json_t *arr = json_loads(json, 0, NULL), *e;
	struct project_event *h;
	const char *s;
	size_t i;

	*n = 0;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return NULL;
	}
	/* One spare slot for the event being checked. */
	h = xcalloc(json_array_size(arr) + 1, sizeof(*h));
	json_array_foreach(arr, i, e)
	{
		snprintf(h[i].id, EVENT_ID_MAX, "%s",
		    json_string_value(json_object_get(e, "id")));
		h[i].type = event_type_parse(
		    json_string_value(json_object_get(e, "type")));
		s = json_string_value(json_object_get(e, "effective_on"));
		if (s == NULL || !validate_date(s, &h[i].effective))
			h[i].effective = 0;
		h[i].amount_yuan =
		    json_integer_value(json_object_get(e, "amount_yuan"));
		s = json_string_value(json_object_get(e, "retracts"));
		snprintf(h[i].retracts, EVENT_ID_MAX, "%s", s ? s : "");
	}
	*n = json_array_size(arr);
	json_decref(arr);
	return h;
}

/* A stored date, or NO_DATE for none. */
static int
date_or_none(const char *s, int *days)
{
	*days = NO_DATE;
	return s == NULL || validate_date(s, days) ? 0 : -1;
}

int
history_state(const struct db_project_state *s, struct derived *d, int *latest)
{
	char *end;

	d->signed_amount_yuan = -1;
	if (s->signed_amount_yuan != NULL) {
		d->signed_amount_yuan =
		    strtoll(s->signed_amount_yuan, &end, 10);
		if (*end != '\0' || end == s->signed_amount_yuan ||
		    d->signed_amount_yuan < 0)
			return -1;
	}
	if (status_parse(s->status, &d->status) != 0 ||
	    date_or_none(s->signed_on, &d->signed_on) != 0 ||
	    date_or_none(s->started_on, &d->started_on) != 0 ||
	    date_or_none(s->completed_on, &d->completed_on) != 0 ||
	    date_or_none(s->operating_on, &d->operating_on) != 0 ||
	    date_or_none(s->latest, latest) != 0)
		return -1;
	return 0;
}

static json_t *
date_or_null(int days)
{
	char buf[11];

	if (days == NO_DATE)
		return json_null();
	date_format(days, buf);
	return json_string(buf);
}

json_t *
history_derived_json(const struct derived *d)
{
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "status",
	    status_name(d->status), "signed_on", date_or_null(d->signed_on),
	    "signed_amount_yuan",
	    d->signed_amount_yuan < 0 ? json_null()
	                              : json_integer(d->signed_amount_yuan),
	    "started_on", date_or_null(d->started_on), "completed_on",
	    date_or_null(d->completed_on), "operating_on",
	    date_or_null(d->operating_on));
}

/*
 * Reads a new event from a request body. Fields by type: signed needs
 * amount_yuan, approval needs kind, all need effective_on; note is
 * optional. Returns 0, or -1 with errors in v, each under prefix.
 */
int
history_read_event(json_t *body, const char *prefix, struct project_event *e,
    struct verrors *v)
{
	static const char *const fields[] = {
	    "type", "effective_on", "amount_yuan", "kind", "note", NULL};
	static const char *const kinds[] = {"filing", "land", "planning",
	    "environment", "energy", "construction_permit", NULL};
	const char *type = NULL, *date = NULL, *kind = NULL, *note = NULL;
	char ptr[96];
	long long amount = -1;
	struct verrors one;
	json_t *val;
	const char *key;
	size_t i;
	int rc;

	memset(e, 0, sizeof(*e));
	e->type = EV_UNKNOWN;
	/*
	 * input_string() and input_money() point at "/<field>", whatever the
	 * prefix: the errors are collected here without it and moved under
	 * it at the end, or a new project's event would have its errors at
	 * "/type" instead of "/events/0/type" (found by fuzz_body).
	 */
	verrors_init(&one);
	json_object_foreach(body, key, val)
	{
		if (!validate_enum(key, fields)) {
			snprintf(ptr, sizeof(ptr), "/%.60s", key);
			verrors_add(&one, ptr, "This field is not known.");
		}
	}
	if (input_string(body, "type", &type, 20, &one, 1)) {
		e->type = event_type_parse(type);
		if (e->type == EV_UNKNOWN || e->type == EV_RETRACTION)
			verrors_add(&one, "/type",
			    "Not an event type; retractions have their own "
			    "route.");
	}
	if (input_string(body, "effective_on", &date, 10, &one, 1) &&
	    !validate_date(date, &e->effective))
		verrors_add(&one, "/effective_on",
		    "Not a date that exists (YYYY-MM-DD).");
	val = json_object_get(body, "amount_yuan");
	if (e->type == EV_SIGNED) {
		if (input_money(body, "amount_yuan", &amount, &one, 1))
			e->amount_yuan = amount;
	} else if (val != NULL) {
		verrors_add(&one, "/amount_yuan",
		    "Only a signed event carries an amount.");
	}
	if (e->type == EV_APPROVAL) {
		if (input_string(body, "kind", &kind, 30, &one, 1) &&
		    !validate_enum(kind, kinds))
			verrors_add(&one, "/kind",
			    "Not an approval kind (filing, land, planning, "
			    "environment, energy, construction_permit).");
	} else if (json_object_get(body, "kind") != NULL) {
		verrors_add(
		    &one, "/kind", "Only an approval event carries a kind.");
	}
	input_string(body, "note", &note, 500, &one, 0);
	json_array_foreach(one.list, i, val)
	{
		snprintf(ptr, sizeof(ptr), "%s%s", prefix,
		    json_string_value(json_object_get(val, "pointer")));
		verrors_add(
		    v, ptr, json_string_value(json_object_get(val, "detail")));
	}
	rc = verrors_any(&one) ? -1 : 0;
	verrors_free(&one);
	return rc;
}
