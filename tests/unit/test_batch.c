/*
 * test_batch.c: the pool's batch helpers: which statement is whose batch
 * form, the array literal of a batch's keys (distinct, quoted), and which
 * rows of a batch's result answer each key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/db/batch.h"

static void
test_forms_by_name(void **state)
{
	static const struct db_stmt list[] = {
	    {"thing_get", "SELECT 1"},
	    {"thing_get_batch", "SELECT 2"},
	    {"other", "SELECT 3"},
	    {"stray_batch", "SELECT 4"}, /* not after "stray" */
	    {"thing_getter", "SELECT 5"},
	};

	(void)state;
	batch_register(list, sizeof(list) / sizeof(list[0]));
	assert_string_equal(batch_form("thing_get"), "thing_get_batch");
	assert_null(batch_form("other"));
	assert_null(batch_form("stray"));
	assert_null(batch_form("thing_getter"));
	assert_null(batch_form("thing_get_batch"));
}

static void
test_keys_distinct_and_quoted(void **state)
{
	const char *keys[] = {"a", "b\"c", "a", "d\\e", "{x,y}", "b\"c"};
	char *lit;

	(void)state;
	lit = batch_keys(keys, 6);
	assert_non_null(lit);
	assert_string_equal(lit, "{\"a\",\"b\\\"c\",\"d\\\\e\",\"{x,y}\"}");
	free(lit);
	lit = batch_keys(keys, 1);
	assert_string_equal(lit, "{\"a\"}");
	free(lit);
}

/* A result of (key, value) rows, as a batch form returns them. */
static PGresult *
result_of(const char *const rows[][2], int n)
{
	PGresAttDesc cols[2];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	int r, c;

	memset(cols, 0, sizeof(cols));
	cols[0].name = "k";
	cols[1].name = "v";
	cols[0].typid = cols[1].typid = 25; /* text */
	cols[0].typlen = cols[1].typlen = -1;
	cols[0].atttypmod = cols[1].atttypmod = -1;
	assert_true(PQsetResultAttrs(res, 2, cols));
	for (r = 0; r < n; r++)
		for (c = 0; c < 2; c++)
			assert_true(PQsetvalue(res, r, c, (char *)rows[r][c],
			    (int)strlen(rows[r][c])));
	return res;
}

static void
test_rows_of_each_key(void **state)
{
	static const char *const rows[][2] = {
	    {"a", "1"}, {"b", "2"}, {"b", "3"}, {"d", "4"}};
	PGresult *res = result_of(rows, 4);
	int row0, n;

	(void)state;
	batch_rows_of(res, "a", &row0, &n);
	assert_int_equal(row0, 0);
	assert_int_equal(n, 1);
	batch_rows_of(res, "b", &row0, &n);
	assert_int_equal(row0, 1);
	assert_int_equal(n, 2);
	batch_rows_of(res, "d", &row0, &n);
	assert_int_equal(row0, 3);
	assert_int_equal(n, 1);
	batch_rows_of(res, "c", &row0, &n);
	assert_int_equal(n, 0);
	PQclear(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms_by_name),
	    cmocka_unit_test(test_keys_distinct_and_quoted),
	    cmocka_unit_test(test_rows_of_each_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
