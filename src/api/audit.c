/*
 * audit.c: GET /api/v1/audit (admin): the audit log, oldest first, with
 * filters by principal, resource and time range.
 */
#include <stdio.h>
#include <string.h>

#include "../domain/validate.h"
#include "cursor.h"
#include "handlers.h"
#include "input.h"
#include "replica.h"

static void
listed(const db_result *st, struct db_page *page, void *arg)
{
	struct api_req *a = arg;

	/* A time the database cannot read is the client's mistake. */
	if (st != NULL && db_failed(st) &&
	    strncmp(db_sqlstate(st), "22", 2) == 0) {
		api_problem(a, 400, "invalid-parameter",
		    "from and to are RFC 3339 times with an offset.");
		return;
	}
	api_listed(st, page, a);
}

/* principal and resource (i 0, 1) are ids; from and to (2, 3) times
 * with their offset: PostgreSQL would also take "yesterday". */
static int
filter_valid(int i, const char *v)
{
	long long t;

	return i < 2 ? validate_text(v, strlen(v), 1, 100)
	             : validate_timestamp(v, &t);
}

void
audit_list(struct api_req *a)
{
	static const char *const names[] = {
	    "principal", "resource", "from", "to"};
	struct db_audit_filter f = {NULL, NULL, NULL, NULL};
	const char **slot[] = {&f.principal, &f.resource, &f.from, &f.to};
	char buf[4][128], detail[96];
	long long after;
	int limit, i, rc;

	if (cursor_params(a, &after, &limit) != 0)
		return;
	for (i = 0; i < 4; i++) {
		rc = input_query(a->http, names[i], buf[i], sizeof(buf[i]));
		if (rc < 0 || (rc > 0 && !filter_valid(i, buf[i]))) {
			snprintf(detail, sizeof(detail),
			    i < 2 ? "%s is an id of 1 to 100 characters."
			          : "%s is an RFC 3339 time with its offset "
			            "(2024-06-30T08:00:00+08:00).",
			    names[i]);
			api_problem(a, 400, "invalid-parameter", detail);
			return;
		}
		*slot[i] = rc > 0 ? buf[i] : NULL;
	}
	api_sent(a, db_audit_page(api_reader(a), &f, after,
	                api_page_rows(a, limit), listed, a));
}
