/*
 * test_figures.c: the definitions of SPEC §5 on hand-computed histories.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../oracle/figures.h"
#include "../../src/domain/validate.h"

static struct project_event h[16];
static size_t n;

/* t is the recording time in hours since an arbitrary origin. */
static void
ev(enum event_type type, const char *date, long long amount, int t,
    const char *retracts)
{
	struct project_event *e = &h[n];

	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "e%zu", n);
	e->type = type;
	assert_true(validate_date(date, &e->effective));
	e->amount_yuan = amount;
	e->recorded_at = (long long)t * 3600;
	if (retracts != NULL)
		snprintf(e->retracts, sizeof(e->retracts), "%s", retracts);
	n++;
}

static struct counted
classify(int year, const char *as_of, long long known_hours)
{
	struct counted c;
	int d;

	assert_true(validate_date(as_of, &d));
	figures_classify(h, n, year, d,
	    known_hours < 0 ? KNOWN_NOW : known_hours * 3600, &c);
	return c;
}

static void
test_signed_dec31_started_jan1_next_year(void **s)
{
	struct counted c;

	(void)s;
	n = 0;
	ev(EV_SIGNED, "2024-12-31", 100, 1, NULL);
	ev(EV_STARTED, "2025-01-01", 0, 2, NULL);
	c = classify(2024, "2024-12-31", -1);
	assert_true(c.is_signed);
	assert_false(c.is_started);
	assert_int_equal(c.amount_yuan, 100);
	/* And in 2025 it was not signed that year: not counted at all. */
	c = classify(2025, "2025-12-31", -1);
	assert_false(c.is_signed);
}

static void
test_as_of_cuts_the_year(void **s)
{
	(void)s;
	n = 0;
	ev(EV_SIGNED, "2024-03-01", 100, 1, NULL);
	ev(EV_STARTED, "2024-07-01", 0, 2, NULL);
	assert_false(classify(2024, "2024-02-29", -1).is_signed);
	assert_true(classify(2024, "2024-06-30", -1).is_signed);
	assert_false(classify(2024, "2024-06-30", -1).is_started);
	assert_true(classify(2024, "2024-07-01", -1).is_started);
}

static void
test_started_but_recorded_after_known_at(void **s)
{
	(void)s;
	n = 0;
	ev(EV_SIGNED, "2024-03-01", 100, 10, NULL);
	ev(EV_STARTED, "2024-05-01", 0, 50, NULL); /* recorded late */
	assert_false(classify(2024, "2024-12-31", 40).is_started);
	assert_true(classify(2024, "2024-12-31", 40).is_signed);
	assert_true(classify(2024, "2024-12-31", 50).is_started);
}

static void
test_signing_retracted_after_known_at(void **s)
{
	(void)s;
	n = 0;
	ev(EV_SIGNED, "2024-03-01", 100, 10, NULL);
	ev(EV_RETRACTION, "2024-09-01", 0, 60, "e0");
	assert_true(classify(2024, "2024-12-31", 30).is_signed);
	assert_false(classify(2024, "2024-12-31", 60).is_signed);
	assert_false(classify(2024, "2024-12-31", -1).is_signed);
}

static void
test_cancelled_after_signing_stays_in(void **s)
{
	struct counted c;

	(void)s;
	n = 0;
	ev(EV_SIGNED, "2024-03-01", 100, 1, NULL);
	ev(EV_CANCELLED, "2024-05-01", 0, 2, NULL);
	c = classify(2024, "2024-12-31", -1);
	assert_true(c.is_signed);
	assert_false(c.is_started);
}

static void
test_retract_and_resign_next_year(void **s)
{
	(void)s;
	n = 0;
	ev(EV_SIGNED, "2024-11-20", 100, 1, NULL);
	ev(EV_RETRACTION, "2025-01-10", 0, 100, "e0");
	ev(EV_SIGNED, "2025-01-15", 250, 101, NULL);
	/* Today: not a 2024 signing; a 2025 one of 250. */
	assert_false(classify(2024, "2024-12-31", -1).is_signed);
	assert_int_equal(classify(2025, "2025-12-31", -1).amount_yuan, 250);
	/* As known before the correction, 2024 had it. */
	assert_true(classify(2024, "2024-12-31", 50).is_signed);
	assert_int_equal(classify(2024, "2024-12-31", 50).amount_yuan, 100);
}

static void
test_government_project_never_in_the_rate(void **s)
{
	struct figures f = {0};
	struct counted c;

	(void)s;
	n = 0;
	ev(EV_STARTED, "2024-04-01", 0, 1, NULL);
	c = classify(2024, "2024-12-31", -1);
	assert_false(c.is_signed);
	figures_add(&f, &c);
	assert_int_equal(f.signed_count, 0);
	assert_int_equal(f.started_count, 0);
	assert_true(figures_rate(f.started_count, f.signed_count) < 0);
}

static void
test_rate_rounding(void **s)
{
	(void)s;
	assert_true(figures_rate(442, 542) == 0.8155);
	assert_true(figures_rate(1, 3) == 0.3333);
	assert_true(figures_rate(2, 3) == 0.6667);
	assert_true(figures_rate(0, 5) == 0.0);
	assert_true(figures_rate(5, 0) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed_dec31_started_jan1_next_year),
	    cmocka_unit_test(test_as_of_cuts_the_year),
	    cmocka_unit_test(test_started_but_recorded_after_known_at),
	    cmocka_unit_test(test_signing_retracted_after_known_at),
	    cmocka_unit_test(test_cancelled_after_signing_stays_in),
	    cmocka_unit_test(test_retract_and_resign_next_year),
	    cmocka_unit_test(test_government_project_never_in_the_rate),
	    cmocka_unit_test(test_rate_rounding),
	};

	return cmocka_run_group_tests_name("figures", tests, NULL, NULL);
}
