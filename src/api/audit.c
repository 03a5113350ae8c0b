/*
 * audit.c: GET /api/v1/audit (admin): the audit log, oldest first, with
 * filters by principal, resource and time range.
 */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "handlers.h"
#include "input.h"

static void
listed(struct api_req *a, const db_result *res)
{
	/* A time the database cannot read is the client's mistake. */
	if (res != NULL && db_failed(res) &&
	    strncmp(db_sqlstate(res), "22", 2) == 0) {
		api_problem(a, 400, "invalid-parameter",
		    "from and to are RFC 3339 times with an offset.");
		return;
	}
	api_listed(a, res);
}

void
audit_list(struct api_req *a)
{
	static const char *const allowed[] = {
	    "limit", "cursor", "principal", "resource", "from", "to", NULL};
	static const char *const names[] = {
	    "principal", "resource", "from", "to"};
	char buf[4][128];
	const char *p[6] = {NULL};
	long long after;
	int limit, i, rc;

	if (input_query_known(a, allowed) != 0 ||
	    cursor_params(a, &after, &limit) != 0)
		return;
	for (i = 0; i < 4; i++) {
		rc = input_query(a->http, names[i], buf[i], sizeof(buf[i]));
		if (rc < 0) {
			api_problem(a, 400, "invalid-parameter",
			    "A filter is malformed.");
			return;
		}
		p[2 + i] = rc > 0 ? buf[i] : NULL;
	}
	api_query_page(a, "audit_page", 6, p, 0, after, limit, listed);
}
