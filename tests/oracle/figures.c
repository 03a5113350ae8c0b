/*
 * figures.c: see figures.h.
 */
#include <math.h>
#include <string.h>

#include "figures.h"
#include "../../src/domain/validate.h"

static int
known(const struct project_event *e, long long known_at)
{
	return known_at == KNOWN_NOW || e->recorded_at <= known_at;
}

static int
retracted(const struct project_event *h, size_t n,
    const struct project_event *e, long long known_at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i].type == EV_RETRACTION &&
		    strcmp(h[i].retracts, e->id) == 0 && known(&h[i], known_at))
			return 1;
	return 0;
}

/* The standing event of a type with its date in [from, to], or NULL. */
static const struct project_event *
standing(const struct project_event *h, size_t n, enum event_type type,
    int from, int to, long long known_at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i].type == type && h[i].effective >= from &&
		    h[i].effective <= to && known(&h[i], known_at) &&
		    !retracted(h, n, &h[i], known_at))
			return &h[i];
	return NULL;
}

void
figures_classify(const struct project_event *h, size_t n, int year, int as_of,
    long long known_at, struct counted *out)
{
	int from = date_from_ymd(year, 1, 1);
	int to = date_from_ymd(year, 12, 31);
	const struct project_event *s;

	if (as_of < to)
		to = as_of;
	memset(out, 0, sizeof(*out));
	if ((s = standing(h, n, EV_SIGNED, from, to, known_at)) == NULL)
		return;
	out->is_signed = 1;
	out->amount_yuan = s->amount_yuan;
	out->is_started =
	    standing(h, n, EV_STARTED, from, to, known_at) != NULL;
}

void
figures_add(struct figures *f, const struct counted *c)
{
	if (!c->is_signed)
		return;
	f->signed_count++;
	f->signed_amount += c->amount_yuan;
	if (c->is_started) {
		f->started_count++;
		f->started_amount += c->amount_yuan;
	}
}

double
figures_rate(long long num, long long den)
{
	if (den == 0)
		return -1;
	return round((double)num / (double)den * 10000.0) / 10000.0;
}
