/* import_parse.h: the records of a bulk import's body (imports.c). */
#ifndef PIPELINED_IMPORT_PARSE_H
#define PIPELINED_IMPORT_PARSE_H

#include <jansson.h>

#include "input.h"

#define IMPORT_MAX_RECORDS 10000

enum import_format { IMPORT_NDJSON, IMPORT_CSV };

/*
 * Parses len bytes of body (not NUL-terminated) into a new array of
 * {"line": n, "fields": {...}}, every record checked like a project of
 * POST /projects and its code unique in the file. Errors go into v, under
 * "/<line>" and the field's pointer, or "" for the file as a whole (CSV
 * syntax; fewer than 1 or more than IMPORT_MAX_RECORDS records); the
 * records are for the database only when v has none.
 */
json_t *import_parse(
    enum import_format fmt, const char *body, size_t len, struct verrors *v);

#endif
