/*
 * lifecycle.c: see lifecycle.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "lifecycle.h"
#include "validate.h"

static const char *const type_names[] = {"signed", "approval", "started",
    "suspended", "resumed", "completed", "operating", "cancelled",
    "retraction"};

static const char *const status_names[] = {"planned", "signed", "preparing",
    "under_construction", "suspended", "completed", "in_operation",
    "cancelled"};

enum event_type
event_type_parse(const char *s)
{
	int i;

	for (i = 0; i < EV_UNKNOWN; i++)
		if (strcmp(s, type_names[i]) == 0)
			return (enum event_type)i;
	return EV_UNKNOWN;
}

const char *
event_type_name(enum event_type t)
{
	return t < EV_UNKNOWN ? type_names[t] : "unknown";
}

const char *
status_name(enum project_status s)
{
	return status_names[s];
}

int
status_parse(const char *s, enum project_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum project_status)i;
			return 0;
		}
	return -1;
}

static int
refuse(struct violation *v, const char *rule, enum violation_kind kind,
    const char *fmt, const struct project_event *e)
{
	char date[11];

	v->rule = rule;
	v->kind = kind;
	date_format(e->effective, date);
	snprintf(
	    v->detail, sizeof(v->detail), fmt, event_type_name(e->type), date);
	return -1;
}

/* Applies one event to the state, or says which rule it breaks. The
 * format strings get the event's type and date. */
static int
apply(struct derived *d, const struct project_event *e, struct violation *v)
{
	int cancelled = d->status == ST_CANCELLED;

	switch (e->type) {
	case EV_SIGNED:
		if (cancelled)
			return refuse(v, "project-cancelled",
			    VIOLATION_CONFLICT,
			    "A %s event (%s) cannot follow the cancellation.",
			    e);
		if (d->signed_on != NO_DATE)
			return refuse(v, "already-signed", VIOLATION_CONFLICT,
			    "The project is already signed; a second %s "
			    "event (%s) needs the first retracted.",
			    e);
		if (d->started_on != NO_DATE && e->effective > d->started_on)
			return refuse(v, "signed-after-started",
			    VIOLATION_CONFLICT,
			    "A %s event dated %s is after the standing start.",
			    e);
		d->signed_on = e->effective;
		d->signed_amount_yuan = e->amount_yuan;
		if (d->status == ST_PLANNED || d->status == ST_PREPARING)
			d->status = ST_SIGNED;
		return 0;
	case EV_APPROVAL:
		if (cancelled)
			return refuse(v, "project-cancelled",
			    VIOLATION_CONFLICT,
			    "An %s event (%s) cannot follow the cancellation.",
			    e);
		if (d->status == ST_PLANNED || d->status == ST_SIGNED)
			d->status = ST_PREPARING;
		return 0;
	case EV_STARTED:
		if (cancelled)
			return refuse(v, "project-cancelled",
			    VIOLATION_CONFLICT,
			    "A %s event (%s) cannot follow the cancellation.",
			    e);
		if (d->started_on != NO_DATE)
			return refuse(v, "already-started", VIOLATION_CONFLICT,
			    "The project has already started; this %s event "
			    "(%s) is a second start.",
			    e);
		if (d->signed_on != NO_DATE && e->effective < d->signed_on)
			return refuse(v, "started-before-signed",
			    VIOLATION_CONFLICT,
			    "A %s event dated %s is before the signing.", e);
		d->started_on = e->effective;
		d->status = ST_UNDER_CONSTRUCTION;
		return 0;
	case EV_SUSPENDED:
		if (d->status != ST_UNDER_CONSTRUCTION)
			return refuse(v, "not-under-construction",
			    VIOLATION_CONFLICT,
			    "A %s event (%s) needs the project under "
			    "construction.",
			    e);
		d->status = ST_SUSPENDED;
		return 0;
	case EV_RESUMED:
		if (d->status != ST_SUSPENDED)
			return refuse(v, "not-suspended", VIOLATION_CONFLICT,
			    "A %s event (%s) needs the project suspended.", e);
		d->status = ST_UNDER_CONSTRUCTION;
		return 0;
	case EV_COMPLETED:
		if (d->started_on == NO_DATE)
			return refuse(v, "not-started", VIOLATION_CONFLICT,
			    "A %s event (%s) needs the project started.", e);
		if (e->effective < d->started_on)
			return refuse(v, "completed-before-started",
			    VIOLATION_CONFLICT,
			    "A %s event dated %s is before the start.", e);
		if (d->status != ST_UNDER_CONSTRUCTION)
			return refuse(v, "not-under-construction",
			    VIOLATION_CONFLICT,
			    "A %s event (%s) needs the project under "
			    "construction.",
			    e);
		d->completed_on = e->effective;
		d->status = ST_COMPLETED;
		return 0;
	case EV_OPERATING:
		if (d->status != ST_COMPLETED)
			return refuse(v, "not-completed", VIOLATION_CONFLICT,
			    "An %s event (%s) needs the project completed.", e);
		if (e->effective < d->completed_on)
			return refuse(v, "operating-before-completed",
			    VIOLATION_CONFLICT,
			    "An %s event dated %s is before the completion.",
			    e);
		d->operating_on = e->effective;
		d->status = ST_IN_OPERATION;
		return 0;
	case EV_CANCELLED:
		if (cancelled)
			return refuse(v, "already-cancelled",
			    VIOLATION_CONFLICT,
			    "The project is already cancelled (%s, %s).", e);
		if (d->status == ST_COMPLETED || d->status == ST_IN_OPERATION)
			return refuse(v, "already-completed",
			    VIOLATION_CONFLICT,
			    "A completed project cannot be %s (%s).", e);
		d->status = ST_CANCELLED;
		return 0;
	default:
		return refuse(v, "unknown-event-type", VIOLATION_INVALID,
		    "Unknown event type (%s, %s).", e);
	}
}

struct ordered {
	const struct project_event *e;
	size_t seq;
};

static int
by_date_then_seq(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	if (x->e->effective != y->e->effective)
		return x->e->effective < y->e->effective ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
is_retracted(const struct project_event *h, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i].type == EV_RETRACTION &&
		    strcmp(h[i].retracts, id) == 0)
			return 1;
	return 0;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
lifecycle_derive(const struct project_event *h, size_t n, struct derived *out,
    struct violation *v)
{
	struct ordered *o;
	const char **gone, *id;
	size_t i, k = 0, ngone = 0;
	int rc = 0;

	out->status = ST_PLANNED;
	out->signed_on = out->started_on = NO_DATE;
	out->completed_on = out->operating_on = NO_DATE;
	out->signed_amount_yuan = -1;
	if (n == 0)
		return 0;
	/* The retracted ids, sorted: a lookup each, not a scan each. */
	gone = xcalloc(n, sizeof(*gone));
	for (i = 0; i < n; i++)
		if (h[i].type == EV_RETRACTION)
			gone[ngone++] = h[i].retracts;
	qsort(gone, ngone, sizeof(*gone), by_id);
	o = xcalloc(n, sizeof(*o));
	for (i = 0; i < n; i++) {
		id = h[i].id;
		if (h[i].type == EV_RETRACTION ||
		    (ngone > 0 && bsearch(&id, gone, ngone, sizeof(*gone),
		                      by_id) != NULL))
			continue;
		o[k].e = &h[i];
		o[k++].seq = i;
	}
	free(gone);
	qsort(o, k, sizeof(*o), by_date_then_seq);
	for (i = 0; i < k && rc == 0; i++)
		rc = apply(out, o[i].e, v);
	free(o);
	return rc;
}

static const struct project_event *
find(const struct project_event *h, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].id, id) == 0)
			return &h[i];
	return NULL;
}

static int
check_retraction(const struct project_event *h, size_t n,
    const struct project_event *e, struct violation *v)
{
	const struct project_event *target = find(h, n, e->retracts);

	if (target == NULL) {
		v->rule = "unknown-event";
		v->kind = VIOLATION_NOT_FOUND;
		snprintf(v->detail, sizeof(v->detail),
		    "The project has no event %s.", e->retracts);
		return -1;
	}
	if (target->type == EV_RETRACTION) {
		v->rule = "cannot-retract-retraction";
		v->kind = VIOLATION_CONFLICT;
		snprintf(v->detail, sizeof(v->detail),
		    "A retraction cannot itself be retracted.");
		return -1;
	}
	if (is_retracted(h, n, target->id)) {
		v->rule = "already-retracted";
		v->kind = VIOLATION_CONFLICT;
		snprintf(v->detail, sizeof(v->detail),
		    "That event is already retracted.");
		return -1;
	}
	return 0;
}

/* An event dated after today is refused, whatever the history. */
static int
check_date(const struct project_event *e, int today, struct violation *v)
{
	char date[11];

	if (e->effective <= today)
		return 0;
	date_format(today, date);
	v->rule = "effective-date-in-future";
	v->kind = VIOLATION_INVALID;
	snprintf(v->detail, sizeof(v->detail),
	    "effective_on is after today (%s, Asia/Shanghai).", date);
	return -1;
}

int
lifecycle_append(struct project_event *h, size_t n,
    const struct project_event *e, int today, struct derived *out,
    struct violation *v)
{
	if (e->type == EV_UNKNOWN)
		return refuse(v, "unknown-event-type", VIOLATION_INVALID,
		    "Unknown event type (%s, %s).", e);
	if (e->type == EV_RETRACTION) {
		if (check_retraction(h, n, e, v) != 0)
			return -1;
	} else if (check_date(e, today, v) != 0) {
		return -1;
	}
	h[n] = *e;
	if (lifecycle_derive(h, n + 1, out, v) == 0)
		return 0;
	if (e->type == EV_RETRACTION) {
		/* Name the rule the retraction would break, and why. */
		char why[sizeof(v->detail)];

		snprintf(why, sizeof(why), "%s", v->detail);
		v->rule = "retraction-breaks-history";
		v->kind = VIOLATION_CONFLICT;
		snprintf(v->detail, sizeof(v->detail),
		    "A later event depends on this one: %.200s", why);
	}
	return -1;
}

int
lifecycle_append_last(const struct derived *now, int latest,
    const struct project_event *e, int today, struct derived *out,
    struct violation *v)
{
	if (e->type == EV_RETRACTION ||
	    (latest != NO_DATE && e->effective < latest))
		return 1;
	if (e->type == EV_UNKNOWN)
		return refuse(v, "unknown-event-type", VIOLATION_INVALID,
		    "Unknown event type (%s, %s).", e);
	if (check_date(e, today, v) != 0)
		return -1;
	/* The replay of the history with e: the history's, then e. */
	*out = *now;
	return apply(out, e, v);
}
