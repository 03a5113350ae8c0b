/* test_validate.c: the shapes of the domain's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../../src/util/hex.h"
#include "../../src/domain/validate.h"

static void
test_utf8_and_text(void **s)
{
	static const char nul[] = "ab\0cd";
	char long_name[700];
	size_t i;

	(void)s;
	assert_true(validate_utf8("运城机场", strlen("运城机场")));
	assert_false(validate_utf8("\xc3\x28", 2)); /* bad tail */
	assert_false(validate_utf8("\xc0\xaf", 2)); /* overlong */
	assert_false(validate_utf8("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(validate_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(validate_utf8("\xe8\xbf", 2)); /* truncated */
	assert_true(validate_text("运城", strlen("运城"), 1, 200));
	assert_false(validate_text("", 0, 1, 200));
	assert_false(validate_text(nul, 5, 1, 200));
	assert_false(validate_text("a\tb", 3, 1, 200));
	for (i = 0; i < 200; i++)
		memcpy(long_name + 3 * i, "运", 3);
	assert_true(validate_text(long_name, 600, 1, 200));
	memcpy(long_name + 600, "城", 3);
	assert_false(validate_text(long_name, 603, 1, 200));
}

static void
test_money(void **s)
{
	(void)s;
	assert_true(validate_money(0));
	assert_true(validate_money(300000000000LL));
	assert_true(validate_money(1000000000000000LL));
	assert_false(validate_money(1000000000000001LL));
	assert_false(validate_money(-1));
}

static void
test_dates(void **s)
{
	char buf[11];
	int d;

	(void)s;
	assert_true(validate_date("2024-02-29", &d));
	date_format(d, buf);
	assert_string_equal(buf, "2024-02-29");
	assert_false(validate_date("2023-02-29", NULL));
	assert_false(validate_date("2024-02-30", NULL));
	assert_false(validate_date("2024-13-01", NULL));
	assert_false(validate_date("2024-1-01", NULL));
	assert_false(validate_date("2024-01-01T00", NULL));
	assert_true(validate_date("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_int_equal(
	    date_from_ymd(2024, 12, 31) - date_from_ymd(2024, 1, 1), 365);
}

static void
test_uuid(void **s)
{
	(void)s;
	assert_true(validate_uuid("0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b"));
	assert_false(validate_uuid("0b7e3a4c2f7d4b1e9a3c5d6e7f809a1b"));
	assert_false(validate_uuid("0b7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1"));
	assert_false(validate_uuid("0B7E3A4C-2F7D-4B1E-9A3C-5D6E7F809A1B"));
	assert_false(validate_uuid("zb7e3a4c-2f7d-4b1e-9a3c-5d6e7f809a1b"));
}

static void
test_project_code(void **s)
{
	static const char *const areas[] = {"140800", "140821", NULL};

	(void)s;
	assert_true(validate_project_code("2024-140821-44-01-000123", areas));
	assert_false(validate_project_code("2024-140899-44-01-000123", areas));
	assert_true(validate_project_code("2024-140899-44-01-000123", NULL));
	/* A code belongs to the area in its second segment. */
	assert_true(validate_code_area("2024-140821-44-01-000123", "140821"));
	assert_false(validate_code_area("2024-140822-44-01-000123", "140821"));
	assert_false(validate_code_area("2024-140821-44-01-000123", "14082"));
	assert_false(validate_code_area("2024-1408", "140821"));
	assert_false(validate_project_code("2024-140821-44-01-00012", areas));
	assert_false(validate_project_code("2024-14082a-44-01-000123", areas));
	assert_false(validate_project_code("2024_140821-44-01-000123", areas));
}

static void
test_hex(void **state)
{
	static const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff, 0x10};
	char out[11];

	(void)state;
	memset(out, 'x', sizeof(out));
	hex_encode(bytes, sizeof(bytes), out);
	assert_string_equal(out, "000fa5ff10");
	hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_and_text),
	    cmocka_unit_test(test_money),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_uuid),
	    cmocka_unit_test(test_project_code),
	    cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
