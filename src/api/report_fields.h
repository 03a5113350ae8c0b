/* report_fields.h: validating a site report's fields. */
#ifndef PIPELINED_REPORT_FIELDS_H
#define PIPELINED_REPORT_FIELDS_H

#include <jansson.h>

#include "input.h"

#define MAX_PHOTOS        4 /* a report's; numbered 1..4 in their route */
#define MAX_REPORT_PHOTOS 9 /* a report's by hash (report_submit_check) */

/* Checks every field of a report body; reported_on may not be after
 * today (days since 1970-01-01, history_today() for a request). */
void report_fields_check(json_t *doc, int today, struct verrors *v);

/*
 * Checks a report as a field client sends it (issue 12): id (its own
 * UUID), project_id (required unless project, the path's, is given; then
 * the same or absent), observed_at (RFC 3339 with offset, not after now,
 * seconds since the epoch, by more than 10 minutes), progress_pct, note,
 * position {lat, lon, accuracy_m} (optional), photos (up to nine
 * SHA-256s). Pointers are into doc.
 */
void report_submit_check(
    json_t *doc, const char *project, long long now, struct verrors *v);

#endif
