/*
 * test_language.c: Accept-Language as RFC 9110 §12.5.4 writes it, and
 * whether it prefers Chinese to English (src/http/language.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/http/language.h"

#define ZH(field) assert_int_equal(language_prefers_zh(field), 1)
#define EN(field) assert_int_equal(language_prefers_zh(field), 0)

static void
test_absent_or_empty_is_english(void **state)
{
	(void)state;
	EN(NULL);
	EN("");
	EN(" ");
	EN(",");
	EN(" , ,, ");
}

static void
test_what_browsers_send(void **state)
{
	(void)state;
	ZH("zh-CN,zh;q=0.9,en;q=0.8");
	ZH("zh-CN,zh;q=0.9,en-US;q=0.8,en;q=0.7");
	ZH("zh-TW,zh;q=0.9");
	ZH("zh-Hans-CN");
	EN("en-US,en;q=0.9,zh;q=0.8");
	EN("en-GB,en;q=0.9,zh-CN;q=0.8,zh;q=0.7");
	EN("en");
	EN("en-US");
	ZH("zh");
	/* Neither language named: English, the default. */
	EN("fr-FR,fr;q=0.9,de;q=0.5");
	ZH("fr-FR,fr;q=0.9,zh;q=0.1");
	EN("ja,en;q=0.1");
}

static void
test_case_insensitive(void **state)
{
	(void)state;
	ZH("ZH-cn");
	ZH("Zh");
	ZH("EN;Q=0.5, zh;q=0.6");
	EN("zH;q=0.5, eN");
}

static void
test_weights(void **state)
{
	(void)state;
	ZH("en;q=0.5, zh;q=0.6");
	EN("en;q=0.6, zh;q=0.5");
	ZH("en;q=0.001, zh;q=0.002");
	/* A language weighs what its highest range does. */
	ZH("zh-TW;q=0.1, en;q=0.5, zh;q=0.9");
	EN("en-US;q=0.2, zh;q=0.5, en;q=0.6");
	/* The qvalue's spellings. */
	ZH("zh;q=1, en;q=0.999");
	ZH("zh;q=1.0, en;q=0.");
	ZH("zh;q=1.000, en;q=0.000");
	ZH("zh;q=0.5, en;q=0");
}

static void
test_ties_go_to_the_earlier(void **state)
{
	(void)state;
	ZH("zh, en");
	EN("en, zh");
	ZH("zh;q=0.5, en;q=0.5");
	EN("en;q=0.5, zh;q=0.5");
	EN("en-US;q=0.7, zh-CN;q=0.7");
	/* The earlier of the two elements that give the weight. */
	EN("zh;q=0.3, en;q=0.7, zh-CN;q=0.7");
	ZH("zh-CN;q=0.7, en;q=0.7, zh;q=0.7");
}

static void
test_q_zero_is_not_acceptable(void **state)
{
	(void)state;
	EN("zh;q=0");
	EN("zh;q=0.0");
	EN("zh;q=0.000");
	EN("zh;q=0, en;q=0");
	EN("zh;q=0, *");
	EN("*;q=0");
	EN("*;q=0, zh;q=0");
	ZH("*;q=0, zh;q=0.1");
	ZH("en;q=0, *;q=0.1");
	/* Another range of the language still counts. */
	ZH("zh-TW;q=0, zh-CN");
}

static void
test_star(void **state)
{
	(void)state;
	/* Both languages under "*": a tie at one place, English. */
	EN("*");
	EN("*;q=0.5");
	/* "*" stands for the language no range names. */
	ZH("en;q=0.5, *;q=0.9");
	ZH("*;q=0.9, en;q=0.5");
	EN("en;q=0.9, *;q=0.5");
	EN("zh;q=0.5, *;q=0.9");
	ZH("zh;q=0.9, *;q=0.5");
	/* A tie between a named language and "*": the earlier one. */
	ZH("*, en");
	EN("en, *");
	ZH("zh, *");
	EN("*, zh");
	EN("fr, *;q=0.5");
}

static void
test_malformed_elements_are_skipped(void **state)
{
	(void)state;
	/* A weight that is not a qvalue: the element is ignored. */
	EN("zh;q=abc");
	EN("zh;q=2");
	EN("zh;q=2, en;q=0.1");
	ZH("en;q=2, zh;q=0.1");
	ZH("en;q=abc, zh;q=0.1");
	EN("zh;q=1.5");
	EN("zh;q=1.001");
	EN("zh;q=0.5555");
	EN("zh;q=-1");
	EN("zh;q=.5");
	EN("zh;q=");
	EN("zh;q");
	EN("zh;");
	EN("zh;q=0.5x");
	EN("zh;q=0.5;q=0.6");
	EN("zh;level=1");
	EN("zh;q =0.5");
	EN("zh;q= 0.5");
	ZH("zh;q=abc, zh-CN;q=0.5");
	/* Not a language range. */
	EN("zh_CN");
	EN("中文");
	EN("zh-");
	EN("-zh");
	EN("zh--CN");
	EN("zhongwenzh");
	EN("zh-CNCNCNCNC");
	EN("z1");
	EN("zh CN");
	EN("\"zh\"");
	EN("**");
	ZH("zh_CN, zh-CN");
	ZH("zh-CN-12345678, en;q=0.5");
	/* Only the elements around the bad one count. */
	ZH("en;q=x, zh;q=0.2, fr");
	EN("zh;q=x, en;q=0.2, fr");
	EN("\x01\x7f\xff, en");
	ZH("\xe4\xb8\xad, zh");
}

static void
test_whitespace(void **state)
{
	(void)state;
	ZH("  zh-CN , zh ; q=0.9 ,en;\tq=0.8  ");
	ZH("\tzh\t");
	EN(" en ;q=0.9 , zh ; q=0.8 ");
	ZH("en ; q=0.1,zh ;q=0.2");
	ZH(",,zh,,");
}

static void
test_very_long_fields(void **state)
{
	static const char other[] = "fr-FR;q=0.1, ";
	size_t n = 20000, i, len = n * (sizeof(other) - 1);
	char *field = malloc(len + 64), *range;

	(void)state;
	assert_non_null(field);
	for (i = 0; i < n; i++)
		memcpy(
		    field + i * (sizeof(other) - 1), other, sizeof(other) - 1);
	strcpy(field + len, "zh;q=0.2");
	ZH(field);
	strcpy(field + len, "zh;q=0.2, en;q=0.3");
	EN(field);
	strcpy(field + len, "zh;q=0.3, en;q=0.3");
	ZH(field);
	strcpy(field + len, "zh;q=0");
	EN(field);
	/* One range of 100,000 letters: not a range. */
	range = malloc(100000 + 16);
	assert_non_null(range);
	memset(range, 'z', 100000);
	strcpy(range + 100000, ", zh");
	ZH(range);
	strcpy(range + 100000, ";q=0.5");
	EN(range);
	/* A weight with many digits after the point. */
	memcpy(range, "zh;q=0.", 7);
	memset(range + 7, '5', 100000 - 7);
	strcpy(range + 100000, "");
	EN(range);
	free(range);
	free(field);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_absent_or_empty_is_english),
	    cmocka_unit_test(test_what_browsers_send),
	    cmocka_unit_test(test_case_insensitive),
	    cmocka_unit_test(test_weights),
	    cmocka_unit_test(test_ties_go_to_the_earlier),
	    cmocka_unit_test(test_q_zero_is_not_acceptable),
	    cmocka_unit_test(test_star),
	    cmocka_unit_test(test_malformed_elements_are_skipped),
	    cmocka_unit_test(test_whitespace),
	    cmocka_unit_test(test_very_long_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
