/*
 * import_parse.c: see import_parse.h. NDJSON is one object a line; CSV a
 * header row of field names and one row a record, read by Debian's libcsv.
 * No I/O: imports.c answers and writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "../util/alloc.h"
#include "import_parse.h"
#include "project_fields.h"

/* Adds the errors of one record under "/<line>". */
static void
move_errors(struct verrors *into, struct verrors *from, size_t line)
{
	char ptr[192];
	json_t *e;
	size_t i;

	json_array_foreach(from->list, i, e)
	{
		snprintf(ptr, sizeof(ptr), "/%zu%s", line,
		    json_string_value(json_object_get(e, "pointer")));
		verrors_add(
		    into, ptr, json_string_value(json_object_get(e, "detail")));
	}
	verrors_free(from);
}

/* Checks one record and appends {line, fields} to records. */
static void
add_record(json_t *records, json_t *fields, size_t line, json_t *codes,
    struct verrors *v)
{
	struct verrors one;
	const char *code;

	verrors_init(&one);
	project_fields_known(fields, NULL, &one);
	project_fields_check(fields, &one);
	code = json_string_value(json_object_get(fields, "code"));
	if (code == NULL)
		verrors_add(&one, "/code", "An import record needs its code.");
	else if (json_object_get(codes, code) != NULL)
		verrors_add(&one, "/code", "This code is already in the file.");
	else
		json_object_set_new(
		    codes, code, json_integer((json_int_t)line));
	if (verrors_any(&one)) {
		move_errors(v, &one, line);
		return;
	}
	verrors_free(&one);
	json_array_append_new(records,
	    json_pack("{s:I,s:O}", "line", (json_int_t)line, "fields", fields));
}

static void
parse_ndjson(const char *body, size_t len, json_t *records, json_t *codes,
    struct verrors *v)
{
	const char *p = body, *end = body + len, *nl;
	json_error_t err;
	size_t line = 0;
	json_t *obj;
	char ptr[32];

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		line++;
		snprintf(ptr, sizeof(ptr), "/%zu", line);
		if (nl > p && !(nl == p + 1 && *p == '\r')) {
			obj = json_loadb(
			    p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &err);
			if (!json_is_object(obj))
				verrors_add(v, ptr, "Not a JSON object.");
			else
				add_record(records, obj, line, codes, v);
			json_decref(obj);
		}
		p = nl + 1;
	}
}

/* libcsv hands over fields and ends of rows. */
struct csv_state {
	json_t *header, *row, *records, *codes;
	struct verrors *v;
	size_t line;
};

static int
numeric_field(const char *name)
{
	return strcmp(name, "total_investment_yuan") == 0 ||
	       strcmp(name, "progress_percent") == 0;
}

static void
on_field(void *s, size_t len, void *arg)
{
	struct csv_state *st = arg;

	json_array_append_new(st->row,
	    len == 0 ? json_null() : json_stringn((const char *)s, len));
}

/* A CSV value is text; the two numeric fields become numbers when they
 * are whole numbers, and stay text (and fail validation) when not. */
static json_t *
csv_value(const char *name, json_t *cell)
{
	const char *s = json_string_value(cell);
	char *end;
	long long v;

	if (s == NULL || !numeric_field(name))
		return json_incref(cell);
	v = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0')
		return json_integer(v);
	return json_incref(cell);
}

static void
on_row(int c, void *arg)
{
	struct csv_state *st = arg;
	json_t *obj, *name;
	char ptr[32];
	size_t i;

	(void)c;
	st->line++;
	if (st->header == NULL) {
		st->header = st->row;
		st->row = json_array();
		return;
	}
	if (json_array_size(st->row) != json_array_size(st->header)) {
		snprintf(ptr, sizeof(ptr), "/%zu", st->line);
		verrors_add(st->v, ptr,
		    "The row has another number of fields "
		    "than the header.");
	} else {
		obj = json_object();
		json_array_foreach(st->header, i, name)
		{
			if (json_is_string(name))
				json_object_set_new(obj,
				    json_string_value(name),
				    csv_value(json_string_value(name),
				        json_array_get(st->row, i)));
		}
		add_record(st->records, obj, st->line, st->codes, st->v);
		json_decref(obj);
	}
	json_array_clear(st->row);
}

static void
parse_csv(const char *body, size_t len, json_t *records, json_t *codes,
    struct verrors *v)
{
	struct csv_state st = {NULL, json_array(), records, codes, v, 0};
	struct csv_parser p;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		alloc_failed(sizeof(p)); /* its only failure */
	if (csv_parse(&p, body, len, on_field, on_row, &st) != len ||
	    csv_fini(&p, on_field, on_row, &st) != 0)
		verrors_add(v, "", csv_strerror(csv_error(&p)));
	csv_free(&p);
	json_decref(st.header);
	json_decref(st.row);
}

json_t *
import_parse(
    enum import_format fmt, const char *body, size_t len, struct verrors *v)
{
	json_t *records = json_array(), *codes = json_object();

	if (fmt == IMPORT_NDJSON)
		parse_ndjson(body, len, records, codes, v);
	else
		parse_csv(body, len, records, codes, v);
	json_decref(codes);
	if (!verrors_any(v) &&
	    (json_array_size(records) == 0 ||
	        json_array_size(records) > IMPORT_MAX_RECORDS))
		verrors_add(v, "", "An import holds 1 to 10000 records.");
	return records;
}
