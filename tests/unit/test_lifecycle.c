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
#include <stdlib.h>
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

static unsigned long long rng = 0x2545f4914f6cdd1dull;

static unsigned
rnd(unsigned below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % below);
}

/* The latest date of a history's events other than retractions: only
 * those not retracted (exact) or all of them (the bound the service
 * reads from an index). */
static int
latest_of(const struct project_event *hist, size_t len, int exact)
{
	int latest = NO_DATE;
	size_t i, j;

	for (i = 0; i < len; i++) {
		if (hist[i].type == EV_RETRACTION)
			continue;
		for (j = 0; exact && j < len; j++)
			if (hist[j].type == EV_RETRACTION &&
			    strcmp(hist[j].retracts, hist[i].id) == 0)
				break;
		if ((!exact || j == len) && hist[i].effective > latest)
			latest = hist[i].effective;
	}
	return latest;
}

static void
assert_same_derived(const struct derived *a, const struct derived *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->signed_on, b->signed_on);
	assert_int_equal(a->started_on, b->started_on);
	assert_int_equal(a->completed_on, b->completed_on);
	assert_int_equal(a->operating_on, b->operating_on);
	assert_int_equal(a->signed_amount_yuan, b->signed_amount_yuan);
}

/*
 * lifecycle_append_last, given a history's state and latest date, answers
 * what lifecycle_append answers given the whole history, for every event
 * it takes: the same refusal (rule, kind, detail) or the same state. On
 * random histories: random events (retractions too) on dates close
 * enough together for ties, some after today, each appended when the
 * rules accept it.
 */
static void
test_append_last_equals_replay(void **s)
{
	static struct project_event hist[65];
	struct derived now, fast, full;
	struct violation vf, vs;
	struct project_event e;
	int run, step, latest, rf, rs, taken = 0, refused = 0, skipped = 0;
	size_t len;

	(void)s;
	for (run = 0; run < 400; run++) {
		len = 0;
		for (step = 0; step < 64; step++) {
			memset(&e, 0, sizeof(e));
			snprintf(e.id, sizeof(e.id), "r%d-%d", run, step);
			e.type = (enum event_type)rnd(EV_UNKNOWN + 1);
			e.effective = TODAY - 40 + (int)rnd(45);
			e.amount_yuan = e.type == EV_SIGNED ? 1 + rnd(9) : 0;
			if (e.type == EV_RETRACTION)
				snprintf(e.retracts, sizeof(e.retracts), "%s",
				    len > 0 ? hist[rnd((unsigned)len)].id
				            : "none");
			assert_int_equal(
			    lifecycle_derive(hist, len, &now, &vs), 0);
			latest = latest_of(hist, len, step % 2);
			rf = lifecycle_append_last(
			    &now, latest, &e, TODAY, &fast, &vf);
			rs = lifecycle_append(hist, len, &e, TODAY, &full, &vs);
			if (rf == 1) {
				assert_true(e.type == EV_RETRACTION ||
				            e.effective < latest);
				skipped++;
			} else {
				assert_int_equal(rf, rs);
				if (rs == 0) {
					assert_same_derived(&fast, &full);
					taken++;
				} else {
					assert_string_equal(vf.rule, vs.rule);
					assert_int_equal(vf.kind, vs.kind);
					assert_string_equal(
					    vf.detail, vs.detail);
					refused++;
				}
			}
			if (rs == 0)
				len++; /* lifecycle_append put e at hist[len] */
		}
	}
	/* Each outcome came up often. */
	assert_true(taken > 1000 && refused > 1000 && skipped > 1000);
}

/* A long history, most of it retracted, replays to what stands (the
 * retracted ids are looked up in a sorted list, not scanned for). */
static void
test_long_history_with_retractions(void **s)
{
	enum { N = 20000 };
	struct project_event *hist = calloc(N, sizeof(*hist));
	struct derived d;
	struct violation v;
	size_t i;

	(void)s;
	assert_non_null(hist);
	hist[0].type = EV_STARTED;
	hist[0].effective = day("2020-01-01");
	snprintf(hist[0].id, sizeof(hist[0].id), "s");
	/* Suspensions, each retracted, then a last one that stands. */
	for (i = 1; i + 1 < N; i += 2) {
		hist[i].type = EV_SUSPENDED;
		hist[i].effective = hist[0].effective + (int)i;
		snprintf(hist[i].id, sizeof(hist[i].id), "x%zu", i);
		hist[i + 1].type = EV_RETRACTION;
		hist[i + 1].effective = hist[i].effective;
		snprintf(hist[i + 1].id, sizeof(hist[i + 1].id), "r%zu", i);
		snprintf(hist[i + 1].retracts, sizeof(hist[i + 1].retracts),
		    "x%zu", i);
	}
	hist[N - 1].type = EV_SUSPENDED;
	hist[N - 1].effective = hist[0].effective + N;
	snprintf(hist[N - 1].id, sizeof(hist[N - 1].id), "last");
	assert_int_equal(lifecycle_derive(hist, N, &d, &v), 0);
	assert_int_equal(d.status, ST_SUSPENDED);
	free(hist);
}

static void
test_status_names_parse_back(void **s)
{
	enum project_status st, i;

	(void)s;
	for (i = ST_PLANNED; i <= ST_CANCELLED; i++) {
		assert_int_equal(status_parse(status_name(i), &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(status_parse("finished", &st), -1);
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
	    cmocka_unit_test(test_append_last_equals_replay),
	    cmocka_unit_test(test_long_history_with_retractions),
	    cmocka_unit_test(test_status_names_parse_back),
	};

	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
