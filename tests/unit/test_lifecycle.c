/*
 * test_lifecycle.c: every rule of SPEC §4 and its edges, on hand-built
 * histories, through the same functions the service calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/domain/lifecycle.h"
#include "../../src/domain/validate.h"

#define TODAY date_from_ymd(2024, 12, 31)

static struct project_event h[32];
static size_t n;

static int
day(const char *s)
{
	int d = 0;

	assert_true(validate_date(s, &d));
	return d;
}

static void
reset(void)
{
	memset(h, 0, sizeof(h));
	n = 0;
}

/* Appends an event through the rules; returns the rule broken or NULL. */
static const char *
add(enum event_type t, const char *date, const char *retracts)
{
	static struct violation v;
	struct derived d;
	struct project_event e;

	memset(&e, 0, sizeof(e));
	snprintf(e.id, sizeof(e.id), "e%zu", n);
	e.type = t;
	e.effective = day(date);
	e.amount_yuan = t == EV_SIGNED ? 1000 : 0;
	if (retracts != NULL)
		snprintf(e.retracts, sizeof(e.retracts), "%s", retracts);
	if (lifecycle_append(h, n, &e, TODAY, &d, &v) != 0)
		return v.rule;
	n++;
	return NULL;
}

static struct derived
state(void)
{
	struct derived d;
	struct violation v;

	assert_int_equal(lifecycle_derive(h, n, &d, &v), 0);
	return d;
}

static void
test_full_life(void **s)
{
	struct derived d;

	(void)s;
	reset();
	assert_int_equal(state().status, ST_PLANNED);
	assert_null(add(EV_SIGNED, "2024-01-10", NULL));
	assert_int_equal(state().status, ST_SIGNED);
	assert_null(add(EV_APPROVAL, "2024-01-20", NULL));
	assert_int_equal(state().status, ST_PREPARING);
	assert_null(add(EV_STARTED, "2024-03-01", NULL));
	assert_null(add(EV_SUSPENDED, "2024-04-01", NULL));
	assert_int_equal(state().status, ST_SUSPENDED);
	assert_null(add(EV_RESUMED, "2024-05-01", NULL));
	assert_null(add(EV_COMPLETED, "2024-09-01", NULL));
	assert_null(add(EV_OPERATING, "2024-10-01", NULL));
	d = state();
	assert_int_equal(d.status, ST_IN_OPERATION);
	assert_int_equal(d.signed_on, day("2024-01-10"));
	assert_int_equal(d.started_on, day("2024-03-01"));
	assert_int_equal(d.completed_on, day("2024-09-01"));
	assert_int_equal(d.operating_on, day("2024-10-01"));
	assert_int_equal(d.signed_amount_yuan, 1000);
}

static void
test_signed_and_started_same_day(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_STARTED, "2024-03-01", NULL));
	/* Same day as the start: not after it, so allowed. */
	assert_null(add(EV_SIGNED, "2024-03-01", NULL));
	assert_int_equal(state().status, ST_UNDER_CONSTRUCTION);
	assert_int_equal(state().signed_on, day("2024-03-01"));
}

static void
test_signed_after_started_refused(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_STARTED, "2024-03-01", NULL));
	assert_string_equal(
	    add(EV_SIGNED, "2024-03-02", NULL), "signed-after-started");
	assert_int_equal(n, 1);
}

static void
test_started_before_signed_refused(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_SIGNED, "2024-03-01", NULL));
	assert_string_equal(
	    add(EV_STARTED, "2024-02-28", NULL), "signed-after-started");
}

static void
test_government_project_starts_unsigned(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_APPROVAL, "2024-01-05", NULL));
	assert_null(add(EV_STARTED, "2024-02-01", NULL));
	assert_int_equal(state().signed_on, NO_DATE);
	assert_int_equal(state().status, ST_UNDER_CONSTRUCTION);
}

static void
test_second_signed_refused_until_retracted(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_SIGNED, "2024-01-10", NULL));
	assert_string_equal(
	    add(EV_SIGNED, "2024-02-10", NULL), "already-signed");
	assert_null(add(EV_RETRACTION, "2024-02-11", "e0"));
	assert_int_equal(state().status, ST_PLANNED);
	assert_null(add(EV_SIGNED, "2024-02-10", NULL));
	assert_int_equal(state().signed_on, day("2024-02-10"));
}

static void
test_retracted_signed_after_started(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_SIGNED, "2024-01-10", NULL));
	assert_null(add(EV_STARTED, "2024-03-01", NULL));
	/* A start does not depend on a signing (government projects). */
	assert_null(add(EV_RETRACTION, "2024-04-01", "e0"));
	assert_int_equal(state().signed_on, NO_DATE);
	assert_int_equal(state().status, ST_UNDER_CONSTRUCTION);
	/* Re-signing after the start is now refused. */
	assert_string_equal(
	    add(EV_SIGNED, "2024-03-02", NULL), "signed-after-started");
}

static void
test_future_event_refused(void **s)
{
	(void)s;
	reset();
	assert_string_equal(
	    add(EV_SIGNED, "2025-01-01", NULL), "effective-date-in-future");
	assert_null(add(EV_SIGNED, "2024-12-31", NULL));
}

static void
test_completed_before_started(void **s)
{
	(void)s;
	reset();
	assert_string_equal(
	    add(EV_COMPLETED, "2024-05-01", NULL), "not-started");
	assert_null(add(EV_STARTED, "2024-05-01", NULL));
	assert_string_equal(
	    add(EV_COMPLETED, "2024-04-30", NULL), "not-started");
	assert_null(add(EV_COMPLETED, "2024-05-01", NULL));
}

static void
test_operating_needs_completion(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_STARTED, "2024-05-01", NULL));
	assert_string_equal(
	    add(EV_OPERATING, "2024-06-01", NULL), "not-completed");
	assert_null(add(EV_COMPLETED, "2024-07-01", NULL));
	assert_string_equal(
	    add(EV_OPERATING, "2024-06-30", NULL), "not-completed");
	assert_null(add(EV_OPERATING, "2024-07-01", NULL));
}

static void
test_cancelled_project_refuses_events(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_SIGNED, "2024-01-10", NULL));
	assert_null(add(EV_CANCELLED, "2024-02-01", NULL));
	assert_int_equal(state().status, ST_CANCELLED);
	assert_string_equal(
	    add(EV_STARTED, "2024-03-01", NULL), "project-cancelled");
	assert_string_equal(
	    add(EV_APPROVAL, "2024-03-01", NULL), "project-cancelled");
	assert_string_equal(
	    add(EV_CANCELLED, "2024-03-01", NULL), "already-cancelled");
	/* A backdated start before the cancellation is fine. */
	assert_null(add(EV_STARTED, "2024-01-20", NULL));
	assert_int_equal(state().status, ST_CANCELLED);
	assert_int_equal(state().signed_on, day("2024-01-10"));
}

static void
test_completed_cannot_be_cancelled(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_STARTED, "2024-01-10", NULL));
	assert_null(add(EV_COMPLETED, "2024-06-10", NULL));
	assert_string_equal(
	    add(EV_CANCELLED, "2024-07-01", NULL), "already-completed");
}

static void
test_suspend_resume_rules(void **s)
{
	(void)s;
	reset();
	assert_string_equal(
	    add(EV_SUSPENDED, "2024-01-10", NULL), "not-under-construction");
	assert_string_equal(
	    add(EV_RESUMED, "2024-01-10", NULL), "not-suspended");
	assert_null(add(EV_STARTED, "2024-01-10", NULL));
	assert_null(add(EV_SUSPENDED, "2024-02-10", NULL));
	assert_string_equal(
	    add(EV_COMPLETED, "2024-03-10", NULL), "not-under-construction");
	assert_string_equal(
	    add(EV_STARTED, "2024-03-10", NULL), "already-started");
}

static void
test_retraction_with_dependents_refused(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_STARTED, "2024-01-10", NULL)); /* e0 */
	assert_null(add(EV_COMPLETED, "2024-06-10", NULL)); /* e1 */
	assert_string_equal(add(EV_RETRACTION, "2024-07-01", "e0"),
	    "retraction-breaks-history");
	assert_null(add(EV_RETRACTION, "2024-07-01", "e1")); /* e2 */
	assert_int_equal(state().status, ST_UNDER_CONSTRUCTION);
	assert_null(add(EV_RETRACTION, "2024-07-02", "e0"));
	assert_int_equal(state().status, ST_PLANNED);
	assert_string_equal(
	    add(EV_RETRACTION, "2024-07-03", "e0"), "already-retracted");
	assert_string_equal(add(EV_RETRACTION, "2024-07-03", "e2"),
	    "cannot-retract-retraction");
	assert_string_equal(
	    add(EV_RETRACTION, "2024-07-03", "nope"), "unknown-event");
}

static void
test_backdated_event_checked_in_date_order(void **s)
{
	(void)s;
	reset();
	assert_null(add(EV_STARTED, "2024-05-01", NULL));
	/* A cancellation dated before the start would orphan the start. */
	assert_string_equal(
	    add(EV_CANCELLED, "2024-04-01", NULL), "project-cancelled");
	assert_null(add(EV_APPROVAL, "2024-04-01", NULL));
	assert_int_equal(state().status, ST_UNDER_CONSTRUCTION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_life),
	    cmocka_unit_test(test_signed_and_started_same_day),
	    cmocka_unit_test(test_signed_after_started_refused),
	    cmocka_unit_test(test_started_before_signed_refused),
	    cmocka_unit_test(test_government_project_starts_unsigned),
	    cmocka_unit_test(test_second_signed_refused_until_retracted),
	    cmocka_unit_test(test_retracted_signed_after_started),
	    cmocka_unit_test(test_future_event_refused),
	    cmocka_unit_test(test_completed_before_started),
	    cmocka_unit_test(test_operating_needs_completion),
	    cmocka_unit_test(test_cancelled_project_refuses_events),
	    cmocka_unit_test(test_completed_cannot_be_cancelled),
	    cmocka_unit_test(test_suspend_resume_rules),
	    cmocka_unit_test(test_retraction_with_dependents_refused),
	    cmocka_unit_test(test_backdated_event_checked_in_date_order),
	};

	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
