/*
 * test_etag.c: If-Match and If-None-Match lists against a current tag,
 * as RFC 9110 §8.8.3.2 and §13.1 say (src/http/etag.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../../src/http/etag.h"

static void
test_strong_comparison(void **state)
{
	(void)state;
	assert_int_equal(etag_match("\"2\"", "\"2\"", ETAG_STRONG), ETAG_MATCH);
	assert_int_equal(
	    etag_match("\"5\", \"2\"", "\"2\"", ETAG_STRONG), ETAG_MATCH);
	assert_int_equal(
	    etag_match("\"5\",\"2\"", "\"2\"", ETAG_STRONG), ETAG_MATCH);
	assert_int_equal(
	    etag_match("\"5\", \"3\"", "\"2\"", ETAG_STRONG), ETAG_NO_MATCH);
	/* A weak tag never matches strongly, on either side. */
	assert_int_equal(
	    etag_match("W/\"2\"", "\"2\"", ETAG_STRONG), ETAG_NO_MATCH);
	assert_int_equal(
	    etag_match("\"2\"", "W/\"2\"", ETAG_STRONG), ETAG_NO_MATCH);
	/* "2" is not "22": opaque tags are compared whole. */
	assert_int_equal(
	    etag_match("\"22\"", "\"2\"", ETAG_STRONG), ETAG_NO_MATCH);
	assert_int_equal(etag_match("*", "\"2\"", ETAG_STRONG), ETAG_MATCH);
	assert_int_equal(etag_match(" * ", "\"2\"", ETAG_STRONG), ETAG_MATCH);
}

static void
test_weak_comparison(void **state)
{
	(void)state;
	assert_int_equal(etag_match("W/\"1\"", "\"1\"", ETAG_WEAK), ETAG_MATCH);
	assert_int_equal(etag_match("\"1\"", "\"1\"", ETAG_WEAK), ETAG_MATCH);
	assert_int_equal(
	    etag_match("W/\"0\", W/\"1\"", "\"1\"", ETAG_WEAK), ETAG_MATCH);
	assert_int_equal(
	    etag_match("W/\"0\"", "\"1\"", ETAG_WEAK), ETAG_NO_MATCH);
	assert_int_equal(etag_match("*", "\"1\"", ETAG_WEAK), ETAG_MATCH);
}

static void
test_list_syntax(void **state)
{
	(void)state;
	/* Empty elements are allowed (RFC 9110 §5.6.1). */
	assert_int_equal(
	    etag_match(" , \"1\" ,, ", "\"1\"", ETAG_STRONG), ETAG_MATCH);
	assert_int_equal(etag_match("1", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
	assert_int_equal(
	    etag_match("\"1", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
	assert_int_equal(
	    etag_match("\"1\" \"2\"", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
	assert_int_equal(
	    etag_match("w/\"1\"", "\"1\"", ETAG_WEAK), ETAG_MALFORMED);
	assert_int_equal(
	    etag_match("*, \"1\"", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
	assert_int_equal(etag_match("", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
	assert_int_equal(
	    etag_match(" , ", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
	/* A space or a control character is not an etagc. */
	assert_int_equal(
	    etag_match("\"a b\"", "\"1\"", ETAG_STRONG), ETAG_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strong_comparison),
	    cmocka_unit_test(test_weak_comparison),
	    cmocka_unit_test(test_list_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
