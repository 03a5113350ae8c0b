/*
 * scope.c: the areas a principal may write in. County and reporter keys
 * are scoped to their areas; every other role sees the whole city.
 */
#include <string.h>

#include "api.h"
#include "auth.h"

int
auth_area_allowed(const struct principal *p, const char *area)
{
	int i;

	if (p->role != ROLE_COUNTY && p->role != ROLE_REPORTER)
		return 1;
	for (i = 0; i < p->nareas; i++)
		if (strcmp(p->areas[i], area) == 0)
			return 1;
	return 0;
}

int
api_project_in_scope(struct api_req *a, const db_result *res, int area_col)
{
	if (db_failed(res)) {
		api_db_problem(a, res);
		return -1;
	}
	if (db_rows(res) == 0) {
		api_problem(a, 404, "not-found", "No such project.");
		return -1;
	}
	if (!auth_area_allowed(&a->who, db_value(res, 0, area_col))) {
		api_problem(a, 403, "outside-scope",
		    "The project's area is outside your areas.");
		return -1;
	}
	return 0;
}
