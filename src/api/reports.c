/*
 * reports.c: /api/v1/projects/{id}/reports — site reports from field
 * inspectors (reporter, editor, county within their areas): a date, a
 * position, the progress seen, a note and up to four photos. Mobile
 * clients on bad networks retry: the route honours Idempotency-Key, so a
 * retry never files a report twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../util/alloc.h"
#include "../domain/validate.h"
#include "auth.h"
#include "cursor.h"
#include "handlers.h"
#include "history.h"
#include "input.h"

#define MAX_PHOTOS      4
#define MAX_PHOTO_BYTES (256 * 1024)

static void
check_number(
    json_t *doc, const char *field, double lo, double hi, struct verrors *v)
{
	json_t *val = json_object_get(doc, field);
	char ptr[32], detail[80];

	snprintf(ptr, sizeof(ptr), "/%s", field);
	snprintf(detail, sizeof(detail), "A number from %g to %g.", lo, hi);
	if (!json_is_number(val) || json_number_value(val) < lo ||
	    json_number_value(val) > hi)
		verrors_add(v, ptr, detail);
}

/* Decodes one photo and checks that its bytes are what it says. */
static void
check_photo(json_t *ph, size_t i, struct verrors *v)
{
	static const char *const fields[] = {"content_type", "data", NULL};
	const char *ctype = NULL, *data, *real;
	unsigned char *bytes;
	char ptr[32];
	size_t len;
	int n;

	snprintf(ptr, sizeof(ptr), "/photos/%zu", i);
	if (!json_is_object(ph)) {
		verrors_add(v, ptr, "A photo is an object.");
		return;
	}
	input_known_fields(ph, fields, v);
	data = json_string_value(json_object_get(ph, "data"));
	ctype = json_string_value(json_object_get(ph, "content_type"));
	len = data != NULL ? strlen(data) : 0;
	if (ctype == NULL || data == NULL || len == 0 || len % 4 != 0 ||
	    len / 4 * 3 > MAX_PHOTO_BYTES + 2) {
		verrors_add(v, ptr,
		    "content_type and data (base64, at most 256 KiB) needed.");
		return;
	}
	bytes = xmalloc(len / 4 * 3 + 1);
	n = EVP_DecodeBlock(bytes, (const unsigned char *)data, (int)len);
	real = n > 0 ? validate_photo(bytes, (size_t)n) : NULL;
	free(bytes);
	if (n < 0)
		verrors_add(v, ptr, "data is not base64.");
	else if (real == NULL || strcmp(real, ctype) != 0)
		verrors_add(v, ptr,
		    "The photo is not the JPEG or PNG its content_type says.");
}

static void
check_report(json_t *doc, struct verrors *v)
{
	static const char *const fields[] = {"reported_on", "latitude",
	    "longitude", "progress_percent", "note", "photos", NULL};
	const char *s = NULL;
	json_t *photos, *ph, *pp;
	size_t i;
	int days;

	input_known_fields(doc, fields, v);
	if (input_string(doc, "reported_on", &s, 10, v, 1) &&
	    (!validate_date(s, &days) || days > history_today()))
		verrors_add(
		    v, "/reported_on", "A date that exists, not after today.");
	check_number(doc, "latitude", -90, 90, v);
	check_number(doc, "longitude", -180, 180, v);
	pp = json_object_get(doc, "progress_percent");
	if (!json_is_integer(pp) || json_integer_value(pp) < 0 ||
	    json_integer_value(pp) > 100)
		verrors_add(
		    v, "/progress_percent", "A whole number from 0 to 100.");
	input_string(doc, "note", &s, 1000, v, 0);
	photos = json_object_get(doc, "photos");
	if (photos != NULL &&
	    (!json_is_array(photos) || json_array_size(photos) > MAX_PHOTOS)) {
		verrors_add(v, "/photos", "At most four photos, in a list.");
		return;
	}
	json_array_foreach(photos, i, ph) check_photo(ph, i, v);
}

static void
filed(const db_result *st, const struct db_json *report, void *arg)
{
	struct api_req *a = arg;
	json_t *doc;
	char loc[160];

	if (db_failed(st)) {
		api_write_refused(a, st);
		return;
	}
	if (report == NULL) {
		api_problem(a, 404, "not-found", "No such project.");
		return;
	}
	doc = json_loads(report->text, 0, NULL);
	/* The ids as the report has them (as a replay's Location does, made
	 * by report_create), not the path's spelling of the project's. */
	snprintf(loc, sizeof(loc), "/api/v1/projects/%s/reports/%s",
	    json_string_value(json_object_get(doc, "project_id")),
	    json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	http_add_header(a->http, "Location", loc);
	api_json(a, 201, report->text, report->len);
}

static void
scope_checked(const db_result *st, const struct db_project_area *p, void *arg)
{
	struct api_req *a = arg;
	struct db_actor who = api_actor(a);

	if (p == NULL) {
		api_project_missing(a, st);
		return;
	}
	if (api_project_in_scope(a, p->area) != 0)
		return;
	api_sent(a, db_report_create(
	                api_pool, a->caps.value[0], a->body, &who, filed, a));
}

void
reports_create(struct api_req *a)
{
	struct verrors v;

	if (api_project_id(a) != 0 || input_body(a) != 0)
		return;
	verrors_init(&v);
	check_report(a->body, &v);
	if (verrors_finish(a, &v) != 0)
		return;
	api_sent(
	    a, db_project_area(api_pool, a->caps.value[0], scope_checked, a));
}

void
reports_list(struct api_req *a)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	long long after;
	int limit;

	if (api_project_id(a) != 0 || input_query_known(a, allowed) != 0 ||
	    cursor_params(a, &after, &limit) != 0)
		return;
	api_sent(a, db_report_page(api_pool, a->caps.value[0], after,
	                api_page_rows(a, limit), api_listed, a));
}

static int
hexval(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static void
photo_found(const db_result *st, const struct db_photo *ph, void *arg)
{
	struct api_req *a = arg;
	const char *hex;
	unsigned char *bytes;
	size_t n, i;

	if (db_failed(st)) {
		api_db_problem(a, st);
		return;
	}
	if (ph == NULL) {
		api_problem(a, 404, "not-found", "No such photo.");
		return;
	}
	hex = ph->hex;
	n = ph->hex_len / 2;
	bytes = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		bytes[i] = (unsigned char)(hexval(hex[2 * i]) * 16 +
		                           hexval(hex[2 * i + 1]));
	a->http->cache_control = "private, max-age=86400, immutable";
	http_respond(a->http, 200, ph->content_type, (const char *)bytes, n);
	free(bytes);
}

void
reports_photo(struct api_req *a)
{
	const char *n = a->caps.value[2];

	if (api_project_id(a) != 0)
		return;
	if (!validate_uuid(a->caps.value[1]) || strlen(n) != 1 || n[0] < '1' ||
	    n[0] > '0' + MAX_PHOTOS) {
		api_problem(a, 404, "not-found", "No such photo.");
		return;
	}
	api_sent(a, db_report_photo(api_pool, a->caps.value[0],
	                a->caps.value[1], n, photo_found, a));
}
