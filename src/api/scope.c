/*
 * scope.c: the areas a principal may write in. County and reporter keys
 * are scoped to their areas; every other role sees the whole city.
 */
#include <string.h>

#include "api.h"
#include "auth.h"

int
auth_scoped(const struct principal *p)
{
	return p->role == ROLE_COUNTY || p->role == ROLE_REPORTER;
}

int
auth_area_allowed(const struct principal *p, const char *area)
{
	int i;

	if (!auth_scoped(p))
		return 1;
	for (i = 0; i < p->nareas; i++)
		if (strcmp(p->areas[i], area) == 0)
			return 1;
	return 0;
}

void
api_project_missing(struct api_req *a, const db_result *st)
{
	if (db_failed(st))
		api_db_problem(a, st);
	else
		api_problem(a, 404, "not-found", "No such project.");
}

int
api_project_in_scope(struct api_req *a, const char *area)
{
	if (!auth_area_allowed(&a->who, area)) {
		api_problem(a, 403, "outside-scope",
		    "The project's area is outside your areas.");
		return -1;
	}
	return 0;
}
