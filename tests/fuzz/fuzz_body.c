/*
 * fuzz_body.c: libFuzzer harness for the validation of clients' JSON
 * bodies: input_parse_object() (what input_body() does with the bytes,
 * src/api/input.c), then every check a project, an event, a retraction
 * or a site report goes through before a query is sent
 * (src/api/project_fields.c, history.c, report_fields.c, and the
 * lifecycle replay of src/domain/ for a new project's events).
 *
 * The input is a request body. Once parsed, it is checked as each of:
 * POST /projects (its fields, then each of its events as
 * check_initial_events() in projects.c reads and replays them); PATCH
 * /projects/{id} (its fields, then merged into a stored project and the
 * result checked); POST .../events; a retraction; POST .../reports.
 *
 * Invariants: a body that parses is an object that, written out and
 * parsed again, is equal and gets the same errors; every error has a
 * detail and a JSON pointer, under the prefix it was read with (an
 * event of /events/3 has its errors under /events/3/); and what each
 * check accepts satisfies, field by field, what SPEC §3 and the handlers
 * say, restated here independently of the code that checks it.
 */
#include <string.h>

#include "../../src/api/history.h"
#include "../../src/api/input.h"
#include "../../src/api/project_fields.h"
#include "../../src/api/report_fields.h"
#include "../../src/domain/lifecycle.h"
#include "../../src/domain/validate.h"

#define FUZZ_NAME "fuzz_body"
#include "fuzz.h"

#define MAX_EVENTS 16 /* of a new project replayed; the rest are read */

static const char *const project_keys[] = {"code", "name", "area", "industry",
    "owner", "park", "level", "funding", "total_investment_yuan",
    "planned_start_on", "planned_completion_on", "progress_percent", NULL};
static const char *const levels[] = {"provincial", "municipal", "county", NULL};
static const char *const fundings[] = {
    "government", "enterprise", "mixed", NULL};
static const char *const event_keys[] = {
    "type", "effective_on", "amount_yuan", "kind", "note", NULL};
static const char *const approval_kinds[] = {"filing", "land", "planning",
    "environment", "energy", "construction_permit", NULL};
static const char *const report_keys[] = {"reported_on", "latitude",
    "longitude", "progress_percent", "note", "photos", NULL};

/* A project as stored, which a PATCH body is merged into. */
static const char current_project[] =
    "{\"code\":\"2024-140825-30-01-000001\",\"name\":\"运城机场\","
    "\"area\":\"140825\",\"industry\":null,\"owner\":null,\"park\":null,"
    "\"level\":\"county\",\"funding\":\"mixed\","
    "\"total_investment_yuan\":880000000,"
    "\"planned_start_on\":\"2024-03-01\","
    "\"planned_completion_on\":\"2026-12-31\",\"progress_percent\":40}";

static int today; /* 2024-07-01, fixed: a run does not depend on the date */

static int
listed(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

static int
absent(json_t *doc, const char *field)
{
	json_t *val = json_object_get(doc, field);

	return val == NULL || json_is_null(val);
}

/* Only keys of the lists (NULL-terminated, the second may be NULL). */
static void
check_keys(json_t *doc, const char *const *keys, const char *const *more)
{
	const char *key;
	json_t *val;

	json_object_foreach(doc, key, val)
	{
		(void)val;
		CHECK(listed(key, keys) || (more != NULL && listed(key, more)));
	}
}

/* SPEC §3 text: valid UTF-8 of 1..max characters, no C0, DEL or C1. */
static int
text(json_t *val, size_t max)
{
	const unsigned char *s;
	size_t len, i, chars = 0;

	if (!json_is_string(val))
		return 0;
	s = (const unsigned char *)json_string_value(val);
	len = json_string_length(val);
	if (!validate_utf8((const char *)s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] == 0xc2 && i + 1 < len && s[i + 1] < 0xa0))
			return 0;
		chars += (s[i] & 0xc0) != 0x80;
	}
	return chars >= 1 && chars <= max;
}

static int
optional_text(json_t *doc, const char *field, size_t max)
{
	return absent(doc, field) || text(json_object_get(doc, field), max);
}

static int
whole(json_t *val, long long lo, long long hi)
{
	return json_is_integer(val) && json_integer_value(val) >= lo &&
	       json_integer_value(val) <= hi;
}

static int
number(json_t *val, double lo, double hi)
{
	return json_is_number(val) && json_number_value(val) >= lo &&
	       json_number_value(val) <= hi;
}

/* A date, "YYYY-MM-DD", that exists; *days when it is. */
static int
date(json_t *val, int *days)
{
	return json_is_string(val) && json_string_length(val) == 10 &&
	       validate_date(json_string_value(val), days);
}

/* dddd-dddddd-dd-dd-dddddd */
static int
project_code(const char *s)
{
	static const char shape[] = "dddd-dddddd-dd-dd-dddddd";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return 0;
	return 1;
}

/* Every error names a pointer under prefix and says something. */
static void
check_errors(json_t *list, size_t from, const char *prefix)
{
	const char *ptr, *detail;
	size_t i, plen = strlen(prefix);

	CHECK(json_is_array(list));
	for (i = from; i < json_array_size(list); i++) {
		ptr = json_string_value(
		    json_object_get(json_array_get(list, i), "pointer"));
		detail = json_string_value(
		    json_object_get(json_array_get(list, i), "detail"));
		CHECK(ptr != NULL && detail != NULL && detail[0] != '\0');
		CHECK(ptr[0] == '\0' || ptr[0] == '/');
		CHECK(strncmp(ptr, prefix, plen) == 0);
		CHECK(plen == 0 || ptr[plen] == '/');
	}
}

/* An accepted project's fields (extra: the other keys it may have). */
static void
check_project(json_t *doc, const char *const *extra)
{
	json_t *area = json_object_get(doc, "area"), *code;
	int start = 0, end = 0;

	check_keys(doc, project_keys, extra);
	CHECK(text(json_object_get(doc, "name"), 200));
	CHECK(json_is_string(area) && json_string_length(area) == 6 &&
	      strspn(json_string_value(area), "0123456789") == 6);
	code = json_object_get(doc, "code");
	CHECK(absent(doc, "code") ||
	      (json_is_string(code) && project_code(json_string_value(code))));
	CHECK(optional_text(doc, "industry", 50));
	CHECK(optional_text(doc, "owner", 200));
	CHECK(optional_text(doc, "park", 100));
	CHECK(absent(doc, "level") ||
	      (json_is_string(json_object_get(doc, "level")) &&
	          listed(json_string_value(json_object_get(doc, "level")),
	              levels)));
	CHECK(json_is_string(json_object_get(doc, "funding")) &&
	      listed(json_string_value(json_object_get(doc, "funding")),
	          fundings));
	CHECK(absent(doc, "total_investment_yuan") ||
	      whole(json_object_get(doc, "total_investment_yuan"), 0,
	          1000000000000000LL));
	CHECK(absent(doc, "planned_start_on") ||
	      date(json_object_get(doc, "planned_start_on"), &start));
	CHECK(absent(doc, "planned_completion_on") ||
	      date(json_object_get(doc, "planned_completion_on"), &end));
	CHECK(absent(doc, "planned_start_on") ||
	      absent(doc, "planned_completion_on") || start <= end);
	CHECK(absent(doc, "progress_percent") ||
	      whole(json_object_get(doc, "progress_percent"), 0, 100));
}

/* An accepted event, and what history_read_event() made of it. */
static void
check_event(json_t *doc, const struct project_event *e)
{
	json_t *type = json_object_get(doc, "type");
	json_t *kind = json_object_get(doc, "kind");
	int days;

	check_keys(doc, event_keys, NULL);
	CHECK(json_is_string(type));
	CHECK(e->type == event_type_parse(json_string_value(type)));
	CHECK(e->type != EV_UNKNOWN && e->type != EV_RETRACTION);
	CHECK(date(json_object_get(doc, "effective_on"), &days));
	CHECK(e->effective == days);
	if (e->type == EV_SIGNED) {
		CHECK(whole(json_object_get(doc, "amount_yuan"), 0,
		    1000000000000000LL));
		CHECK(e->amount_yuan ==
		      json_integer_value(json_object_get(doc, "amount_yuan")));
	} else {
		CHECK(json_object_get(doc, "amount_yuan") == NULL);
		CHECK(e->amount_yuan == 0);
	}
	if (e->type == EV_APPROVAL)
		CHECK(json_is_string(kind) &&
		      listed(json_string_value(kind), approval_kinds));
	else
		CHECK(kind == NULL);
	CHECK(optional_text(doc, "note", 500));
}

/* history_read_event(), whose errors, and only those, are under prefix;
 * returns 0 when the event is accepted. */
static int
read_event(
    json_t *doc, const char *prefix, struct project_event *e, struct verrors *v)
{
	size_t before = json_array_size(v->list);
	int rc = history_read_event(doc, prefix, e, v);

	check_errors(v->list, before, prefix);
	CHECK((rc == 0) == (json_array_size(v->list) == before));
	if (rc == 0)
		check_event(doc, e);
	return rc;
}

/* What a replay accepted: no milestone after today. */
static void
check_derived(const struct derived *d)
{
	CHECK(d->status >= ST_PLANNED && d->status <= ST_CANCELLED);
	CHECK(d->signed_on == NO_DATE || d->signed_on <= today);
	CHECK(d->started_on == NO_DATE || d->started_on <= today);
	CHECK(d->completed_on == NO_DATE || d->completed_on <= today);
	CHECK(d->operating_on == NO_DATE || d->operating_on <= today);
}

/* A new project's events, as check_initial_events() reads and replays
 * them: in order, stopping at the first that is refused. */
static void
project_events(json_t *events, struct verrors *v)
{
	struct project_event h[MAX_EVENTS + 1], past, *slot;
	struct violation viol;
	struct derived d;
	char prefix[32];
	size_t i;
	json_t *e;

	if (events == NULL || !json_is_array(events))
		return;
	memset(h, 0, sizeof(h));
	CHECK(lifecycle_derive(h, 0, &d, &viol) == 0);
	json_array_foreach(events, i, e)
	{
		snprintf(prefix, sizeof(prefix), "/events/%zu", i);
		slot = i < MAX_EVENTS ? &h[i] : &past;
		if (!json_is_object(e) || read_event(e, prefix, slot, v) != 0)
			return;
		if (i >= MAX_EVENTS)
			continue;
		snprintf(h[i].id, EVENT_ID_MAX, "new-%zu", i);
		if (lifecycle_append(h, i, &h[i], today, &d, &viol) != 0) {
			CHECK(viol.rule != NULL && viol.rule[0] != '\0');
			CHECK(memchr(viol.detail, '\0', sizeof(viol.detail)) !=
			      NULL);
			return;
		}
		check_derived(&d);
	}
}

/* POST /projects */
static void
as_new_project(json_t *doc, json_t *out)
{
	static const char *const extra[] = {"events", NULL};
	struct verrors v;

	verrors_init(&v);
	project_fields_known(doc, extra, &v);
	project_fields_check(doc, &v);
	check_errors(v.list, 0, "");
	if (!verrors_any(&v)) {
		check_project(doc, extra);
		project_events(json_object_get(doc, "events"), &v);
	}
	json_array_append_new(out, v.list);
}

/* PATCH /projects/{id}: null removes a field, as patch_current() does. */
static void
as_patch(json_t *doc, json_t *out)
{
	json_t *merged, *val, *edit;
	const char *key;
	struct verrors v;

	verrors_init(&v);
	project_fields_known(doc, NULL, &v);
	check_errors(v.list, 0, "");
	if (!verrors_any(&v)) {
		merged = json_loads(current_project, 0, NULL);
		CHECK(merged != NULL);
		json_object_foreach(doc, key, val)
		{
			if (json_is_null(val))
				json_object_del(merged, key);
			else
				json_object_set(merged, key, val);
		}
		project_fields_check(merged, &v);
		check_errors(v.list, 0, "");
		if (!verrors_any(&v)) {
			check_project(merged, NULL);
			edit = project_fields_editable_only(merged);
			CHECK(json_object_size(edit) == 12);
			json_decref(edit);
		}
		json_decref(merged);
	}
	json_array_append_new(out, v.list);
}

/* POST .../events, read at the top and as a new project's event. */
static void
as_event(json_t *doc, json_t *out)
{
	struct project_event e, in_project;
	struct verrors v, w;
	size_t i;
	const char *a, *b;

	verrors_init(&v);
	verrors_init(&w);
	read_event(doc, "", &e, &v);
	read_event(doc, "/events/0", &in_project, &w);
	CHECK(memcmp(&e, &in_project, sizeof(e)) == 0);
	CHECK(json_array_size(v.list) == json_array_size(w.list));
	for (i = 0; i < json_array_size(v.list); i++) {
		a = json_string_value(
		    json_object_get(json_array_get(v.list, i), "pointer"));
		b = json_string_value(
		    json_object_get(json_array_get(w.list, i), "pointer"));
		CHECK(strcmp(b + strlen("/events/0"), a) == 0);
	}
	verrors_free(&w);
	json_array_append_new(out, v.list);
}

/* POST .../events/{id}/retraction, as events_retract() checks it. */
static void
as_retraction(json_t *doc, json_t *out)
{
	static const char *const fields[] = {"reason", NULL};
	const char *reason = NULL;
	struct verrors v;

	verrors_init(&v);
	input_known_fields(doc, fields, &v);
	input_string(doc, "reason", &reason, 500, &v, 1);
	check_errors(v.list, 0, "");
	if (!verrors_any(&v)) {
		check_keys(doc, fields, NULL);
		CHECK(text(json_object_get(doc, "reason"), 500));
		CHECK(reason ==
		      json_string_value(json_object_get(doc, "reason")));
	}
	json_array_append_new(out, v.list);
}

static void
check_photos(json_t *photos)
{
	static const char *const photo_keys[] = {"content_type", "data", NULL};
	const char *ctype;
	json_t *ph;
	size_t i;

	if (photos == NULL)
		return;
	CHECK(json_is_array(photos) && json_array_size(photos) <= 4);
	json_array_foreach(photos, i, ph)
	{
		CHECK(json_is_object(ph));
		check_keys(ph, photo_keys, NULL);
		ctype = json_string_value(json_object_get(ph, "content_type"));
		CHECK(ctype != NULL && (strcmp(ctype, "image/jpeg") == 0 ||
		                           strcmp(ctype, "image/png") == 0));
		CHECK(json_is_string(json_object_get(ph, "data")));
		CHECK(json_string_length(json_object_get(ph, "data")) % 4 == 0);
	}
}

/* POST .../reports */
static void
as_report(json_t *doc, json_t *out)
{
	struct verrors v;
	int days;

	verrors_init(&v);
	report_fields_check(doc, today, &v);
	check_errors(v.list, 0, "");
	if (!verrors_any(&v)) {
		check_keys(doc, report_keys, NULL);
		CHECK(date(json_object_get(doc, "reported_on"), &days));
		CHECK(days <= today);
		CHECK(number(json_object_get(doc, "latitude"), -90, 90));
		CHECK(number(json_object_get(doc, "longitude"), -180, 180));
		CHECK(whole(json_object_get(doc, "progress_percent"), 0, 100));
		CHECK(optional_text(doc, "note", 1000));
		check_photos(json_object_get(doc, "photos"));
	}
	json_array_append_new(out, v.list);
}

/* Every check of doc; the errors of each, in order. */
static json_t *
check_all(json_t *doc)
{
	json_t *out = json_array();

	as_new_project(doc, out);
	as_patch(doc, out);
	as_event(doc, out);
	as_retraction(doc, out);
	as_report(doc, out);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *again, *errs, *errs_again;
	char detail[256], *body, *text_again;
	int rc;

	if (today == 0)
		today = date_from_ymd(2024, 7, 1);
	/* Exactly the bytes: ASan sees a read past them. */
	body = malloc(size > 0 ? size : 1);
	CHECK(body != NULL);
	memcpy(body, data, size);
	detail[0] = '\0';
	rc = input_parse_object(body, size, &doc, detail, sizeof(detail));
	free(body);
	if (rc != 0) {
		CHECK(rc == -1 && doc == NULL && detail[0] != '\0');
		return 0;
	}
	CHECK(json_is_object(doc));

	text_again = json_dumps(doc, JSON_COMPACT);
	CHECK(text_again != NULL);
	CHECK(input_parse_object(text_again, strlen(text_again), &again, detail,
	          sizeof(detail)) == 0);
	CHECK(json_equal(doc, again));
	free(text_again);

	errs = check_all(doc);
	errs_again = check_all(again);
	CHECK(json_equal(errs, errs_again));
	json_decref(errs);
	json_decref(errs_again);
	json_decref(doc);
	json_decref(again);
	return 0;
}
