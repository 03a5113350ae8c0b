/*
 * import_check.h: what fuzz_ndjson and fuzz_csv share: one import body
 * through import_parse() (src/api/import_parse.c), and the invariants
 * of what it returns.
 *
 * Refused: every error has a detail and a pointer that is "" (the file)
 * or "/<line>" followed by nothing or a field's pointer, for a line the
 * body has. Accepted: 1 to IMPORT_MAX_RECORDS records of {line, fields},
 * lines increasing, codes present and unique, each record's fields
 * accepted again by the project checks; and the records written out
 * again, as NDJSON and as CSV, must be accepted and read back the same
 * (in CSV an empty cell is null, so there a missing field and a null are
 * the same).
 */
#ifndef PIPELINED_IMPORT_CHECK_H
#define PIPELINED_IMPORT_CHECK_H

#include <string.h>

#include "../../src/api/import_parse.h"
#include "../../src/api/input.h"
#include "../../src/api/project_fields.h"
#include "fuzz.h"

struct text {
	char *b;
	size_t len, cap;
};

static void
text_add(struct text *t, const char *s, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		t->cap = t->cap ? t->cap : 1024;
		while (t->cap < t->len + len + 1)
			t->cap *= 2;
		t->b = realloc(t->b, t->cap);
		CHECK(t->b != NULL);
	}
	memcpy(t->b + t->len, s, len);
	t->len += len;
	t->b[t->len] = '\0';
}

static void
text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* Lines as either parser may count them: LF, CR, or CRLF ends one. */
static size_t
count_lines(const uint8_t *data, size_t size)
{
	size_t i, n = 1;

	for (i = 0; i < size; i++)
		n += data[i] == '\n' || data[i] == '\r';
	return n;
}

static void
check_refused(const struct verrors *v, size_t lines)
{
	const char *ptr, *detail;
	char *end;
	size_t i;
	unsigned long line;
	json_t *e;

	json_array_foreach(v->list, i, e)
	{
		ptr = json_string_value(json_object_get(e, "pointer"));
		detail = json_string_value(json_object_get(e, "detail"));
		CHECK(ptr != NULL && detail != NULL && detail[0] != '\0');
		if (ptr[0] == '\0')
			continue;
		CHECK(ptr[0] == '/' && ptr[1] >= '1' && ptr[1] <= '9');
		line = strtoul(ptr + 1, &end, 10);
		CHECK(*end == '\0' || *end == '/');
		CHECK(line >= 1 && line <= lines);
	}
}

static void
check_accepted(json_t *records)
{
	json_t *rec, *fields, *codes = json_object();
	const char *code;
	json_int_t last = 0;
	struct verrors v;
	size_t i;

	CHECK(json_array_size(records) >= 1 &&
	      json_array_size(records) <= IMPORT_MAX_RECORDS);
	json_array_foreach(records, i, rec)
	{
		fields = json_object_get(rec, "fields");
		CHECK(json_object_size(rec) == 2 && json_is_object(fields));
		CHECK(json_is_integer(json_object_get(rec, "line")));
		CHECK(json_integer_value(json_object_get(rec, "line")) > last);
		last = json_integer_value(json_object_get(rec, "line"));
		code = json_string_value(json_object_get(fields, "code"));
		CHECK(code != NULL && json_object_get(codes, code) == NULL);
		json_object_set_new(codes, code, json_true());
		verrors_init(&v);
		project_fields_known(fields, NULL, &v);
		project_fields_check(fields, &v);
		CHECK(!verrors_any(&v));
		verrors_free(&v);
	}
	json_decref(codes);
}

static void
write_ndjson(json_t *records, struct text *t)
{
	json_t *rec;
	size_t i;
	char *s;

	json_array_foreach(records, i, rec)
	{
		s = json_dumps(json_object_get(rec, "fields"), JSON_COMPACT);
		CHECK(s != NULL);
		text_str(t, s);
		text_str(t, "\n");
		free(s);
	}
}

/* The header: every field any record has, in order of appearance. */
static json_t *
csv_header(json_t *records)
{
	json_t *names = json_object(), *rec, *val;
	const char *key;
	size_t i;

	json_array_foreach(records, i, rec)
	{
		json_object_foreach(json_object_get(rec, "fields"), key, val)
		{
			(void)val;
			if (json_object_get(names, key) == NULL)
				json_object_set_new(names, key, json_null());
		}
	}
	return names;
}

static void
csv_cell(struct text *t, json_t *val)
{
	const char *s, *q;
	char num[32];

	if (val == NULL || json_is_null(val))
		return;
	if (json_is_integer(val)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(val));
		text_str(t, num);
		return;
	}
	CHECK(json_is_string(val));
	text_str(t, "\"");
	for (s = json_string_value(val); (q = strchr(s, '"')) != NULL;
	     s = q + 1) {
		text_add(t, s, (size_t)(q - s) + 1);
		text_str(t, "\"");
	}
	text_str(t, s);
	text_str(t, "\"");
}

static void
write_csv(json_t *records, json_t *names, struct text *t)
{
	json_t *rec, *val;
	const char *key;
	size_t i;
	int first;

	first = 1;
	json_object_foreach(names, key, val)
	{
		(void)val;
		text_str(t, first ? "" : ",");
		text_str(t, key);
		first = 0;
	}
	text_str(t, "\r\n");
	json_array_foreach(records, i, rec)
	{
		first = 1;
		json_object_foreach(names, key, val)
		{
			(void)val;
			text_str(t, first ? "" : ",");
			csv_cell(t, json_object_get(
			                json_object_get(rec, "fields"), key));
			first = 0;
		}
		text_str(t, "\r\n");
	}
}

/* a and b hold the same values, a missing field standing for null. */
static int
same_cells(json_t *a, json_t *b, json_t *names)
{
	json_t *x, *y, *val;
	const char *key;

	json_object_foreach(names, key, val)
	{
		(void)val;
		x = json_object_get(a, key);
		y = json_object_get(b, key);
		if ((x == NULL || json_is_null(x)) &&
		    (y == NULL || json_is_null(y)))
			continue;
		if (x == NULL || y == NULL || !json_equal(x, y))
			return 0;
	}
	return 1;
}

static void
check_written_back(json_t *records, enum import_format fmt)
{
	struct text t = {NULL, 0, 0};
	struct verrors v;
	json_t *again, *names = NULL, *a, *b;
	size_t i;

	if (fmt == IMPORT_NDJSON) {
		write_ndjson(records, &t);
	} else {
		names = csv_header(records);
		write_csv(records, names, &t);
	}
	verrors_init(&v);
	again = import_parse(fmt, t.b, t.len, &v);
	if (verrors_any(&v)) {
		fprintf(stderr, "%s\n", t.b);
		CHECK(!"the records written out again are accepted");
	}
	verrors_free(&v);
	CHECK(json_array_size(again) == json_array_size(records));
	json_array_foreach(records, i, a)
	{
		a = json_object_get(a, "fields");
		b = json_object_get(json_array_get(again, i), "fields");
		CHECK(fmt == IMPORT_NDJSON ? json_equal(a, b)
		                           : same_cells(a, b, names));
	}
	json_decref(names);
	json_decref(again);
	free(t.b);
}

static void
check_import(enum import_format fmt, const uint8_t *data, size_t size)
{
	struct verrors v;
	json_t *records;
	char *body;

	/* Exactly the bytes: ASan sees a read past them. */
	body = malloc(size > 0 ? size : 1);
	CHECK(body != NULL);
	memcpy(body, data, size);
	verrors_init(&v);
	records = import_parse(fmt, body, size, &v);
	free(body);
	CHECK(json_is_array(records));
	if (verrors_any(&v)) {
		check_refused(&v, count_lines(data, size));
	} else {
		check_accepted(records);
		check_written_back(records, IMPORT_NDJSON);
		check_written_back(records, IMPORT_CSV);
	}
	verrors_free(&v);
	json_decref(records);
}

#endif
