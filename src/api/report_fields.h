/* report_fields.h: validating a site report's fields. */
#ifndef PIPELINED_REPORT_FIELDS_H
#define PIPELINED_REPORT_FIELDS_H

#include <jansson.h>

#include "input.h"

#define MAX_PHOTOS 4 /* a report's; numbered 1..4 in their route */

/* Checks every field of a report body; reported_on may not be after
 * today (days since 1970-01-01, history_today() for a request). */
void report_fields_check(json_t *doc, int today, struct verrors *v);

#endif
