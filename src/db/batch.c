/*
 * batch.c: see batch.h. The forms are few (a handful of lookups by id),
 * so they are found by name in a short array.
 */
#include "../util/alloc.h"
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FORMS 8

static struct {
	const char *single, *batch;
} forms[MAX_FORMS];
static size_t nforms;

/* Is b named "<a's name>_batch"? */
static int
is_batch_of(const struct db_stmt *b, const struct db_stmt *a)
{
	size_t len = strlen(a->name);

	return strncmp(b->name, a->name, len) == 0 &&
	       strcmp(b->name + len, "_batch") == 0;
}

void
batch_register(const struct db_stmt *list, size_t n)
{
	size_t i;

	for (i = 1; i < n && nforms < MAX_FORMS; i++) {
		if (is_batch_of(&list[i], &list[i - 1])) {
			forms[nforms].single = list[i - 1].name;
			forms[nforms++].batch = list[i].name;
		}
	}
}

const char *
batch_form(const char *stmt)
{
	size_t i;

	for (i = 0; i < nforms; i++)
		if (strcmp(stmt, forms[i].single) == 0)
			return forms[i].batch;
	return NULL;
}

/* Appends s to an array literal at p as a quoted element. */
static char *
append_element(char *p, const char *s)
{
	*p++ = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '"';
	return p;
}

static int
seen_before(const char *const *keys, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(keys[j], keys[i]) == 0)
			return 1;
	return 0;
}

char *
batch_keys(const char *const *keys, size_t n)
{
	size_t i, size = 3;
	char *lit, *p;

	for (i = 0; i < n; i++)
		size += 2 * strlen(keys[i]) + 3;
	lit = xmalloc(size);
	p = lit;
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (seen_before(keys, i))
			continue;
		if (p != lit + 1)
			*p++ = ',';
		p = append_element(p, keys[i]);
	}
	*p++ = '}';
	*p = '\0';
	return lit;
}

void
batch_rows_of(const PGresult *res, const char *key, int *row0, int *rows)
{
	int r, n = PQntuples(res);

	*row0 = 0;
	*rows = 0;
	for (r = 0; r < n; r++) {
		if (strcmp(PQgetvalue(res, r, 0), key) != 0) {
			if (*rows > 0)
				return;
			continue;
		}
		if ((*rows)++ == 0)
			*row0 = r;
	}
}
