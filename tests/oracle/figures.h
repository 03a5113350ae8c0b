/*
 * figures.h: the test oracle of SPEC §5, for one project's history.
 *
 * For a year Y, a date as_of and a time known_at, a project counts as
 * signed when a signed event that is not retracted has its effective date
 * in Y and not after as_of; it counts as signed and started when, also, a
 * started event that is not retracted has its effective date in Y and not
 * after as_of. With known_at, only events recorded at or before it count,
 * and so do only retractions recorded at or before it.
 *
 * The service computes the figures in SQL over all projects at once
 * (sql/005_figures.sql); nothing in src/ calls these functions, so they
 * live under tests/: a second, plain-C statement of the rules that the
 * unit tests pin to SPEC's examples. The API test checks the SQL against
 * an independent computation of its own.
 */
#ifndef PIPELINED_FIGURES_H
#define PIPELINED_FIGURES_H

#include <stddef.h>

#include "../../src/domain/lifecycle.h"

#define KNOWN_NOW (-1LL)

struct counted {
	int is_signed, is_started;
	long long amount_yuan; /* the signed amount when signed */
};

struct figures {
	long long signed_count, signed_amount;
	long long started_count, started_amount;
};

void figures_classify(const struct project_event *h, size_t n, int year,
    int as_of, long long known_at, struct counted *out);

void figures_add(struct figures *f, const struct counted *c);

/* num / den rounded to 4 decimals; -1 when den is 0 (the rate is null). */
double figures_rate(long long num, long long den);

#endif
