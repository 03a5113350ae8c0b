/*
 * report_fields.c: the fields of a site report as clients send them
 * (POST /api/v1/projects/{id}/reports), and whether each value is valid.
 * No I/O: reports.c answers with what it finds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
