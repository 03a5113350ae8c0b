/*
 * project_fields.c: the fields of a project as clients send them: which
 * exist, which they may set, and whether each value is valid (SPEC §3).
 */
#include <stdio.h>
#include <string.h>

#include "../domain/validate.h"
#include "project_fields.h"

static const char *const editable[] = {"code", "name", "area", "industry",
    "owner", "park", "level", "funding", "total_investment_yuan",
    "planned_start_on", "planned_completion_on", "progress_percent", NULL};

static const char *const derived[] = {"id", "status", "signed_on",
    "signed_amount_yuan", "started_on", "completed_on", "operating_on",
    "last_report_on", "version", "created_at", "updated_at", NULL};

static const char *const levels[] = {"provincial", "municipal", "county", NULL};
static const char *const fundings[] = {
    "government", "enterprise", "mixed", NULL};

/* Names the fields that are unknown or derived; extra lists what else the
 * request may carry (e.g. "events" on creation). */
void
project_fields_known(json_t *doc, const char *const *extra, struct verrors *v)
{
	const char *key;
	json_t *val;
	char ptr[160];

	json_object_foreach(doc, key, val)
	{
		snprintf(ptr, sizeof(ptr), "/%.150s", key);
		if (validate_enum(key, editable) ||
		    (extra != NULL && validate_enum(key, extra)))
			continue;
		if (validate_enum(key, derived))
			verrors_add(v, ptr,
			    "This field is derived by the service and "
			    "cannot be set.");
		else
			verrors_add(v, ptr, "This field is not known.");
	}
}

static void
check_date(json_t *doc, const char *field, int *days, struct verrors *v)
{
	const char *s = NULL;
	char ptr[64];

	*days = NO_DAYS;
	snprintf(ptr, sizeof(ptr), "/%s", field);
	if (input_string(doc, field, &s, 10, v, 0) && !validate_date(s, days)) {
		verrors_add(v, ptr, "Not a date that exists (YYYY-MM-DD).");
		*days = NO_DAYS;
	}
}

static void
check_choice(json_t *doc, const char *field, const char *const *words,
    int required, struct verrors *v)
{
	const char *s = NULL;
	char ptr[64];

	snprintf(ptr, sizeof(ptr), "/%s", field);
	if (input_string(doc, field, &s, 20, v, required) &&
	    !validate_enum(s, words))
		verrors_add(v, ptr, "Not one of the allowed values.");
}

void
project_fields_check(json_t *doc, struct verrors *v)
{
	const char *s = NULL, *area = NULL, *code = NULL;
	long long money;
	json_t *pp;
	int start, end;

	input_string(doc, "name", &s, 200, v, 1);
	if (input_string(doc, "area", &area, 6, v, 1) &&
	    (strlen(area) != 6 || strspn(area, "0123456789") != 6)) {
		verrors_add(v, "/area", "An area code is six digits.");
		area = NULL;
	}
	if (input_string(doc, "code", &code, 24, v, 0) &&
	    !validate_project_code(code, NULL)) {
		verrors_add(v, "/code",
		    "The project code has the shape "
		    "dddd-dddddd-dd-dd-dddddd.");
		code = NULL;
	}
	if (code != NULL && area != NULL && !validate_code_area(code, area))
		verrors_add(v, "/code", CODE_AREA_RULE);
	input_string(doc, "industry", &s, 50, v, 0);
	input_string(doc, "owner", &s, 200, v, 0);
	input_string(doc, "park", &s, 100, v, 0);
	check_choice(doc, "level", levels, 0, v);
	check_choice(doc, "funding", fundings, 1, v);
	input_money(doc, "total_investment_yuan", &money, v, 0);
	check_date(doc, "planned_start_on", &start, v);
	check_date(doc, "planned_completion_on", &end, v);
	if (start != NO_DAYS && end != NO_DAYS && end < start)
		verrors_add(v, "/planned_completion_on",
		    "The planned completion is before the planned start.");
	pp = json_object_get(doc, "progress_percent");
	if (pp != NULL && !json_is_null(pp) &&
	    (!json_is_integer(pp) || json_integer_value(pp) < 0 ||
	        json_integer_value(pp) > 100))
		verrors_add(
		    v, "/progress_percent", "A whole number from 0 to 100.");
}

json_t *
project_fields_editable_only(json_t *doc)
{
	json_t *out = json_object();
	int i;

	for (i = 0; editable[i] != NULL; i++) {
		json_t *val = json_object_get(doc, editable[i]);

		json_object_set(out, editable[i], val ? val : json_null());
	}
	return out;
}
