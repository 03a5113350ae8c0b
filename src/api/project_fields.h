/* project_fields.h: validating a project's client-set fields. */
#ifndef PIPELINED_PROJECT_FIELDS_H
#define PIPELINED_PROJECT_FIELDS_H

#include <jansson.h>

#include "input.h"

#define NO_DAYS (-2147483647 - 1)

/* The rule between a project's code and its area (validate_code_area,
 * and the constraint projects_code_area), as the client reads it. */
#define CODE_AREA_RULE                                                         \
	"The code's area segment (its second, six digits) must be the "        \
	"project's area: a project code belongs to the area it was issued in."

void project_fields_known(
    json_t *doc, const char *const *extra, struct verrors *v);
/* Checks every field's value; required ones must be present. */
void project_fields_check(json_t *doc, struct verrors *v);
/* A new object with exactly the editable fields (null when absent). */
json_t *project_fields_editable_only(json_t *doc);

#endif
