/*
 * lifecycle.h: a project's history and what follows from it (SPEC §4).
 *
 * A history is the list of every event ever recorded for a project, in
 * recording order, retractions included. Its meaning is found by replay:
 * drop the retracted events and the retractions, order the rest by
 * effective date (recording order breaks ties), and apply them one by one
 * to a state that starts as "planned". Each event must be allowed in the
 * state the events before it produced; the state at the end is the
 * project's status and milestone dates.
 *
 * Checking a new event, or a retraction, is replaying the history as it
 * would be with it. So a backdated event that would invalidate a later
 * one is refused, and so is a retraction that a later event depends on,
 * by the same code that derives the status.
 */
#ifndef PIPELINED_LIFECYCLE_H
#define PIPELINED_LIFECYCLE_H

#include <stddef.h>

#define NO_DATE      (-2147483647 - 1)
#define EVENT_ID_MAX 37

enum event_type {
	EV_SIGNED,
	EV_APPROVAL,
	EV_STARTED,
	EV_SUSPENDED,
	EV_RESUMED,
	EV_COMPLETED,
	EV_OPERATING,
	EV_CANCELLED,
	EV_RETRACTION,
	EV_UNKNOWN,
};

enum project_status {
	ST_PLANNED,
	ST_SIGNED,
	ST_PREPARING,
	ST_UNDER_CONSTRUCTION,
	ST_SUSPENDED,
	ST_COMPLETED,
	ST_IN_OPERATION,
	ST_CANCELLED,
};

struct project_event {
	char id[EVENT_ID_MAX];
	enum event_type type;
	int effective; /* days since 1970-01-01 */
	long long amount_yuan; /* signed only */
	char retracts[EVENT_ID_MAX]; /* retraction only */
	long long recorded_at; /* seconds since 1970; for the figures */
};

struct derived {
	enum project_status status;
	int signed_on, started_on, completed_on, operating_on; /* or NO_DATE */
	long long signed_amount_yuan; /* -1 when not signed */
};

/* Why an event or a retraction is refused: a rule name (the problem type),
 * the HTTP status (409: conflicts with the history, 422: invalid value),
 * and a sentence for people. */
/* What kind of rule an event breaks; the API layer maps it to HTTP. */
enum violation_kind {
	VIOLATION_CONFLICT, /* it contradicts the project's history */
	VIOLATION_INVALID, /* it is not a valid event at all */
	VIOLATION_NOT_FOUND, /* it names an event the history lacks */
};

struct violation {
	const char *rule; /* the problem type's slug */
	enum violation_kind kind;
	char detail[256];
};

enum event_type event_type_parse(const char *s);
const char *event_type_name(enum event_type t);
const char *status_name(enum project_status s);
/* 0 and *out for a status's name; -1 for anything else. */
int status_parse(const char *s, enum project_status *out);

/* The state that a history's non-retracted events produce; -1 and v when
 * the history breaks a rule. */
int lifecycle_derive(const struct project_event *history, size_t n,
    struct derived *out, struct violation *v);

/*
 * May e be appended to history on day today (local)? history must have
 * room for n + 1 events: e is appended in place. Returns 0 with the new
 * state, or -1 with the violation.
 */
int lifecycle_append(struct project_event *history, size_t n,
    const struct project_event *e, int today, struct derived *out,
    struct violation *v);

/*
 * lifecycle_append without the history, for an event that the replay
 * puts after all of it. now is the state the history produces (the
 * project's derived fields); latest is the latest effective date of its
 * events other than retractions, or NO_DATE when it has none (a bound is
 * enough: counting retracted events too is fine). The replay orders by
 * date, ties by recording, so an event dated on or after latest comes
 * last, and appending it is applying it to now: what it costs does not
 * depend on the history's length. Returns 0 or -1 as lifecycle_append
 * does for the same history and event; 1, with out and v untouched, when
 * e is not such an event (a retraction, or dated before latest): then
 * only lifecycle_append on the whole history can tell.
 */
int lifecycle_append_last(const struct derived *now, int latest,
    const struct project_event *e, int today, struct derived *out,
    struct violation *v);

#endif
