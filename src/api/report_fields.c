/*
 * report_fields.c: the fields of a site report as clients send them
 * (POST /api/v1/projects/{id}/reports), and whether each value is valid.
 * No I/O: reports.c answers with what it finds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "../util/alloc.h"
#include "../domain/validate.h"
#include "report_fields.h"

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

void
report_fields_check(json_t *doc, int today, struct verrors *v)
{
	static const char *const fields[] = {"reported_on", "latitude",
	    "longitude", "progress_percent", "note", "photos", NULL};
	const char *s = NULL;
	json_t *photos, *ph, *pp;
	size_t i;
	int days;

	input_known_fields(doc, fields, v);
	if (input_string(doc, "reported_on", &s, 10, v, 1) &&
	    (!validate_date(s, &days) || days > today))
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

/* ---- A report as a field client queues it (issue 12) -------------------- */

static void
check_position(json_t *pos, struct verrors *v)
{
	static const char *const fields[] = {"lat", "lon", "accuracy_m", NULL};
	struct verrors inner;
	json_t *acc;
	size_t i;

	if (pos == NULL || json_is_null(pos))
		return;
	if (!json_is_object(pos)) {
		verrors_add(v, "/position",
		    "An object {lat, lon, accuracy_m}, or absent when the "
		    "device has no fix.");
		return;
	}
	/* The pointers of position's members go under /position. */
	verrors_init(&inner);
	input_known_fields(pos, fields, &inner);
	check_number(pos, "lat", -90, 90, &inner);
	check_number(pos, "lon", -180, 180, &inner);
	acc = json_object_get(pos, "accuracy_m");
	if (acc != NULL && !json_is_null(acc) &&
	    (!json_is_number(acc) || json_number_value(acc) < 0 ||
	        json_number_value(acc) > 100000))
		verrors_add(&inner, "/accuracy_m",
		    "Metres, a number from 0 to 100000.");
	for (i = 0; i < json_array_size(inner.list); i++) {
		json_t *e = json_array_get(inner.list, i);
		char ptr[64];

		snprintf(ptr, sizeof(ptr), "/position%s",
		    json_string_value(json_object_get(e, "pointer")));
		verrors_add(
		    v, ptr, json_string_value(json_object_get(e, "detail")));
	}
	verrors_free(&inner);
}

static void
check_photo_hashes(json_t *photos, struct verrors *v)
{
	json_t *h, *other;
	const char *s;
	char ptr[32];
	size_t i, j;

	if (photos == NULL)
		return;
	if (!json_is_array(photos) ||
	    json_array_size(photos) > MAX_REPORT_PHOTOS) {
		verrors_add(v, "/photos",
		    "At most nine photos, a list of their SHA-256s (uploaded "
		    "first with PUT /api/v1/photos/{sha256}).");
		return;
	}
	json_array_foreach(photos, i, h)
	{
		snprintf(ptr, sizeof(ptr), "/photos/%zu", i);
		s = json_string_value(h);
		if (s == NULL || !validate_sha256_hex(s)) {
			verrors_add(v, ptr,
			    "A photo's SHA-256, 64 lowercase hex digits.");
			continue;
		}
		for (j = 0; j < i; j++) {
			other = json_array_get(photos, j);
			if (json_equal(h, other))
				verrors_add(v, ptr, "The same photo twice.");
		}
	}
}

/* observed_at: an RFC 3339 time with its offset, not ahead of now by
 * more than a device's clock may be (10 minutes). */
static void
check_observed_at(json_t *doc, long long now, struct verrors *v)
{
	const char *s = NULL;
	long long t;

	if (input_string(doc, "observed_at", &s, 40, v, 1) &&
	    (!validate_timestamp(s, &t) || t > now + 600))
		verrors_add(v, "/observed_at",
		    "An RFC 3339 time with its offset "
		    "(2024-06-30T08:00:00+08:00), not in the future.");
}

void
report_submit_check(
    json_t *doc, const char *project, long long now, struct verrors *v)
{
	static const char *const fields[] = {"id", "project_id", "observed_at",
	    "progress_pct", "note", "position", "photos", NULL};
	const char *id = NULL, *pid = NULL, *note = NULL;
	json_t *pp;

	input_known_fields(doc, fields, v);
	if (input_string(doc, "id", &id, 36, v, 1) && !validate_uuid(id))
		verrors_add(v, "/id",
		    "A UUID the client made for this report, so that sending "
		    "it again stores it once.");
	if (input_string(doc, "project_id", &pid, 36, v, project == NULL) &&
	    (!validate_uuid(pid) ||
	        (project != NULL && strcasecmp(pid, project) != 0)))
		verrors_add(v, "/project_id",
		    project ? "The project of the path, or absent."
		            : "The UUID of the report's project.");
	check_observed_at(doc, now, v);
	pp = json_object_get(doc, "progress_pct");
	if (!json_is_integer(pp) || json_integer_value(pp) < 0 ||
	    json_integer_value(pp) > 100)
		verrors_add(
		    v, "/progress_pct", "A whole number from 0 to 100.");
	input_string(doc, "note", &note, 2000, v, 0);
	check_position(json_object_get(doc, "position"), v);
	check_photo_hashes(json_object_get(doc, "photos"), v);
}
